"""Issue 9: property-based tests (hypothesis) for the parsers and the escaping functions.

Arbitrary input never crashes the .qmd parser, `_quarto.yml` loading or the data loader with
anything but the project's own error type, and escaped text never turns into markup.

The normal suite runs each property with the `default` profile (a few hundred examples); CI's
fuzz run (`HYPOTHESIS_PROFILE=fuzz pytest -m fuzz`, in .ci/run) runs 10,000 per property.
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
import re
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from kzchina.data import ResourceMeta, parse_resource
from kzchina.markdown import pipe_table
from litbuild.config import load_config
from litbuild.csvsafe import FORMULA_START, PLAIN_NUMBER, neutralise_csv, safe_cell
from litbuild.errors import ConfigError
from litbuild.pdf import typst_content, typst_str
from litbuild.qmd import LABEL, parse_chapter

settings.register_profile(
    "default",
    max_examples=200,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "fuzz",
    max_examples=10_000,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))

pytestmark = pytest.mark.fuzz

# Text that looks like chapters: fences, cell options, inline code, front matter, brackets.
PIECES = st.sampled_from(
    [
        "---\n",
        "title: x\n",
        "execute:\n  echo: false\n",
        "```{python}\n",
        "```\n",
        "````\n",
        "```{r}\n",
        "~~~\n",
        "#| label: fig-a\n",
        "#| label: ../x\n",
        "#| echo: [\n",
        '#| fig-cap: "x"\n',
        "#| label: {a: 1}\n",
        "print(1)\n",
        "`{python} 1 + 1`",
        "`{python}`",
        "# Heading {.unnumbered}\n",
        "@fig-a ",
        "[",
        "]",
        "{",
        "}",
        "\n",
        ": ",
        "- ",
        "*",
        "\\",
        "date: 2022-13-45\n",
        "&anchor ",
        "*anchor ",
        "!!python/object:os.system ''\n",
    ]
)
CHAPTER_TEXT = st.one_of(
    st.text(), st.lists(st.one_of(PIECES, st.text(max_size=5)), max_size=40).map("".join)
)


@given(CHAPTER_TEXT)
def test_the_qmd_parser_raises_only_config_errors(text):
    try:
        chapter = parse_chapter(text, "c.qmd")
    except ConfigError as exc:
        assert str(exc).startswith("c.qmd:")
        return
    for cell in chapter.cells:
        label = cell.options.get("label")
        assert label is None or (
            isinstance(label, str) and LABEL.fullmatch(label) and ".." not in label
        )
        assert 1 <= cell.first_line <= cell.last_line
    for inline in chapter.inlines:
        assert inline.expr.strip()


# YAML values of every shape, and keys _quarto.yml cares about.
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True),
    st.text(max_size=20),
    st.sampled_from(["index.qmd", "../x.qmd", "/etc/passwd", ".", "_book", "styles.css"]),
)
KEYS = st.one_of(
    st.sampled_from(
        [
            "project",
            "book",
            "type",
            "output-dir",
            "execute-dir",
            "title",
            "chapters",
            "appendices",
            "part",
            "execute",
            "format",
            "html",
            "css",
            "toc",
            "timeout",
            "litbuild",
            "cell-output-mb",
            "kernel-memory-mb",
            "subtitle",
            "date",
            "author",
        ]
    ),
    st.text(max_size=8),
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(KEYS, inner, max_size=5)),
    max_leaves=20,
)
CONFIG_TEXT = st.one_of(
    st.dictionaries(KEYS, VALUES, max_size=6).map(lambda d: yaml.safe_dump(d)),
    st.text(),
    st.lists(
        st.sampled_from(
            [
                "project:\n",
                "  type: book\n",
                "book:\n",
                "  title: T\n",
                "  chapters:\n",
                "    - index.qmd\n",
                "    - ../x.qmd\n",
                "    - part: P\n",
                "      chapters: 5\n",
                "execute: 3\n",
                "  output-dir: /\n",
                "format:\n  html:\n    css: [1, {a: 2}]\n",
                "litbuild:\n  pandoc-timeout: .nan\n",
                "[",
                "{",
                ": x\n",
            ]
        ),
        max_size=12,
    ).map("".join),
)


def test_quarto_yml_loading_raises_only_config_errors(tmp_path):
    root = tmp_path / "book"
    root.mkdir()
    (root / "index.qmd").write_text("# T\n")
    (root / "styles.css").write_text("p {}\n")

    @given(CONFIG_TEXT)
    def load(text):
        (root / "_quarto.yml").write_text(text, encoding="utf-8")
        try:
            config = load_config(root)
        except ConfigError:
            return
        for entry in config.chapters:
            assert (root / entry.path).resolve().is_relative_to(root.resolve())
        assert (root / config.output_dir).resolve().is_relative_to(root.resolve())
        for sheet in config.css:
            assert (root / sheet).resolve().is_relative_to(root.resolve())

    load()


SCHEMA = {
    "fields": [
        {"name": "year", "type": "integer", "constraints": {"required": True}},
        {"name": "value", "type": "number"},
        {"name": "day", "type": "date"},
        {"name": "flag", "type": "boolean"},
        {"name": "label", "type": "string", "constraints": {"maxLength": 30}},
    ],
    "primaryKey": ["year"],
}
META = ResourceMeta("r", "r", "", Path("r.csv"), SCHEMA, [], {}, ["year"], [])
CELLS = st.one_of(
    st.text(max_size=12),
    st.sampled_from(
        [
            "2022",
            "-0",
            "1e309",
            "-1e309",
            "nan",
            "inf",
            "0.5",
            "+3",
            "-0.0",
            "2022-02-30",
            "true",
            "1" * 30,
            "\x00",
            "\u202e",
            "=cmd()",
            "",
            " ",
            '"',
            "9" * 5000,
        ]
    ),
)
CSV_BYTES = st.one_of(
    st.binary(max_size=300),
    st.lists(st.lists(CELLS, min_size=0, max_size=6), max_size=8).map(
        lambda rows: _csv([["year", "value", "day", "flag", "label"], *rows]).encode(
            "utf-8", "surrogatepass"
        )
    ),
)


def _csv(rows, quoting: int = csv.QUOTE_MINIMAL) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n", quoting=quoting).writerows(rows)
    return buffer.getvalue()


@given(CSV_BYTES)
# Found by the fuzz profile: a carriage return inside a line that also holds a bad byte made
# the csv module raise while the loader looked for the column to name.
@example(b"\n\r\x80")
@example(b"year,value\n2022,\r\x80\n")
def test_the_data_loader_never_raises_and_never_passes_bad_values(raw):
    frame, problems = parse_resource(raw, META, "r.csv")
    assert (frame is None) == bool(problems)
    for p in problems:
        assert p.path == "r.csv" and p.message
    if frame is not None:
        for value in frame["value"].dropna():
            assert math.isfinite(value) and not (value == 0 and math.copysign(1, value) < 0)
        for label in frame["label"].dropna():
            assert not re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f]", label)


# --------------------------------------------------------------------------- escaping
TYPST_SPECIAL = set("\\#[]*_`$<>@~/\"'=+-")


@given(st.text())
def test_typst_content_escapes_every_markup_character(text):
    escaped = typst_content(text)
    assert re.sub(r"\\(.)", r"\1", escaped, flags=re.DOTALL) == text
    unescaped = re.sub(r"\\.", "", escaped, flags=re.DOTALL)
    assert not TYPST_SPECIAL & set(unescaped)


@given(st.text())
def test_typst_strings_are_one_closed_literal(text):
    literal = typst_str(text)
    assert literal.startswith('"') and literal.endswith('"') and len(literal) >= 2
    body = literal[1:-1]
    assert re.fullmatch(r'(?:[^"\\]|\\.)*', body, flags=re.DOTALL)  # no bare quote closes it
    assert re.sub(r'\\(["\\])', r"\1", body) == text


@given(st.text())
def test_csv_cells_never_start_a_formula(text):
    shown = safe_cell(text)
    assert not shown.startswith(FORMULA_START) or PLAIN_NUMBER.fullmatch(shown)
    assert shown in (text, "'" + text)


@given(
    st.lists(
        st.lists(
            st.text(alphabet=st.characters(blacklist_categories=("Cs",))), min_size=2, max_size=2
        ),
        max_size=5,
    )
)
def test_neutralised_csv_keeps_its_rows_and_cells(rows):
    # Quoted throughout: with a "\n" line end, csv.writer leaves a lone "\r" unquoted.
    text = neutralise_csv(_csv([["a", "b"], *rows], csv.QUOTE_ALL))
    read = list(csv.reader(io.StringIO(text, newline="")))
    assert read[0] == ["a", "b"]
    for got, want in zip(read[1:], rows):
        assert got == [safe_cell(c) for c in want]


def test_escaped_markdown_is_shown_literally_by_pandoc():
    """Texts in the cells of a pipe table, through the real pandoc: each shown as plain words.

    One pandoc run checks a batch of texts (a row each), so the fuzz profile's count of texts
    costs a fiftieth as many pandoc runs.
    """
    from litbuild.pandoc import run_pandoc

    visible = st.text(
        alphabet=st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp")),
        min_size=1,
        max_size=40,
    )
    batch = 50
    # The normal suite checks a tenth of the profile's count of texts; the fuzz run all of them.
    fuzz = os.environ.get("HYPOTHESIS_PROFILE") == "fuzz"
    texts = settings().max_examples if fuzz else settings().max_examples // 10

    @settings(max_examples=max(1, texts // batch))
    @given(st.lists(visible, min_size=batch, max_size=batch))
    def check(batch_texts):
        doc = json.loads(
            run_pandoc(
                ["-f", "markdown-smart", "-t", "json"],
                pipe_table(["h"], [[t] for t in batch_texts]),
            )
        )
        (table,) = doc["blocks"]
        assert table["t"] == "Table"
        body = table["c"][4][0][3]
        assert len(body) == len(batch_texts)
        for row, text in zip(body, batch_texts):
            (cell_blocks,) = [cell[4] for cell in row[1]]
            words = []
            for block in cell_blocks:
                assert block["t"] == "Plain", block
                for inline in block["c"]:
                    assert inline["t"] in ("Str", "Space"), inline  # no emphasis, code, link
                    words.append(inline["c"] if inline["t"] == "Str" else " ")
            assert "".join(words) == " ".join(text.split())

    check()


def test_fuzz_profile_counts_are_recorded():
    """The profile in use, so a run's output says how many examples each property had."""
    current = settings()
    print(
        f"hypothesis profile {os.environ.get('HYPOTHESIS_PROFILE', 'default')}: "
        f"{current.max_examples} examples per property"
    )
    assert current.max_examples >= 200


def test_a_bad_byte_beside_a_stray_carriage_return_is_located_by_line():
    _frame, problems = parse_resource(b"year,value\n2022,\r\x80\n", META, "r.csv")
    assert [(p.row, p.column, p.type) for p in problems] == [(2, None, "encoding-error")]
    assert "0x80" in problems[0].message
