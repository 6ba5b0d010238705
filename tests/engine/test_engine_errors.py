"""Failing builds: a clear message naming file and lines, a non-zero exit, the old output intact."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from helpers import copy_built, quiet, tree_digest, write_project

pytestmark = pytest.mark.slow

CHAPTER = "chapters/one.qmd"
GOOD_CHAPTER = """---
title: "One"
---

Some text with `{python} 1 + 1`.

```{python}
#| label: fig-ok
#| fig-cap: "A fine figure"
import matplotlib.pyplot as plt
plt.plot([1, 2])
plt.show()
```

See @fig-ok.
"""
MARK = "# <- the failing cell"

# id, text appended to the good chapter, words the message must contain besides file:lines.
FAILURES = [
    pytest.param(
        "\n```{python}\nx = 1\ny = x / 0  " + MARK + "\n```\n",
        ["ZeroDivisionError", "division by zero", "y = x / 0"],
        id="cell-raises",
    ),
    pytest.param(
        "\n```{python}\n#| echo: false\nraise KeyError('no-such-bed')  " + MARK + "\n```\n",
        ["KeyError", "no-such-bed"],
        id="hidden-cell-raises",
    ),
    pytest.param(
        "\n```{python}\ndef broken(:  " + MARK + "\n    pass\n```\n",
        ["SyntaxError"],
        id="syntax-error",
    ),
    pytest.param(
        "\nThe value is `{python} undefined_bed_count`.\n",
        ["NameError", "undefined_bed_count"],
        id="inline-raises",
    ),
    pytest.param("\nSee @fig-nowhere for more.\n", ["fig-nowhere"], id="missing-reference"),
    pytest.param("\nAnd @tbl-missing too.\n", ["tbl-missing"], id="missing-table-reference"),
    # '@fig-o' is a prefix of the existing '@fig-ok' earlier in the chapter: the line must be its own.
    pytest.param("\nBroken @fig-o reference.\n", ["'@fig-o'"], id="missing-prefix-of-existing"),
]


def cli_build(root: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "kzchina.cli", "build", str(root), "--engine", "builtin"],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def leftovers(root: Path) -> list[str]:
    """Staging or backup folders a build may create next to its output."""
    return sorted(p.name for p in root.rglob("*") if ".tmp-" in p.name or ".old-" in p.name)


def expected_location(text: str) -> str:
    """'chapter:first-last' of the failing cell, or 'chapter:line' of a failing inline/reference.

    Found from the chapter's text: the fences around the marked line, or the last line with
    inline code or a reference.
    """
    lines = text.splitlines()
    marked = [n for n, line in enumerate(lines, 1) if MARK in line]
    if marked:
        first = max(n for n in range(1, marked[0]) if lines[n - 1].startswith("```{python}"))
        last = min(n for n in range(marked[0], len(lines) + 1) if lines[n - 1].strip() == "```")
        return f"{CHAPTER}:{first}-{last}"
    line = max(n for n, line in enumerate(lines, 1) if "`{python}" in line or "@" in line)
    return f"{CHAPTER}:{line}"


@pytest.fixture(scope="module")
def good_project(tmp_path_factory) -> Path:
    """A small book built successfully once through the CLI: the 'previous _book/'."""
    root = write_project(
        tmp_path_factory.mktemp("good") / "book",
        {
            "_quarto.yml": """
            project:
              type: book
            book:
              title: "Error Book"
              chapters:
                - index.qmd
                - chapters/one.qmd
            """,
            "index.qmd": "# Welcome {.unnumbered}\n\nHello.\n",
        },
    )
    (root / "chapters").mkdir()
    (root / CHAPTER).write_text(GOOD_CHAPTER, encoding="utf-8")
    proc = cli_build(root)
    assert proc.returncode == 0, proc.stderr
    assert (root / "_book" / "index.html").is_file()
    return root


@pytest.fixture
def project(good_project: Path, tmp_path: Path) -> Path:
    """A fresh copy of the good project, its previous output included."""
    return copy_built(good_project, tmp_path / "book")


@pytest.mark.parametrize("appended, words", FAILURES)
def test_failing_build_names_the_place_exits_non_zero_and_keeps_the_old_output(
    project: Path, appended: str, words: list[str]
):
    before = tree_digest(project / "_book")
    assert before, "the previous build left no output to protect"
    text = GOOD_CHAPTER + appended
    (project / CHAPTER).write_text(text, encoding="utf-8")

    proc = cli_build(project)

    assert proc.returncode != 0
    assert expected_location(text) in proc.stderr
    for word in words:
        assert word in proc.stderr
    assert "Traceback (most recent call last)" not in proc.stderr.split(expected_location(text))[0]
    assert tree_digest(project / "_book") == before
    assert leftovers(project) == []


def test_cell_error_carries_its_fields(project: Path):
    from litbuild.build import build
    from litbuild.errors import CellExecutionError

    text = GOOD_CHAPTER + FAILURES[0].values[0]
    (project / CHAPTER).write_text(text, encoding="utf-8")
    with pytest.raises(CellExecutionError) as caught:
        build(project, engine="builtin", progress=quiet)
    error = caught.value
    first, last = expected_location(text).rsplit(":", 1)[1].split("-")
    assert (error.chapter, error.first_line, error.last_line) == (CHAPTER, int(first), int(last))
    assert (error.ename, error.evalue) == ("ZeroDivisionError", "division by zero")
    assert "y = x / 0" in error.source


def test_typst_failure_keeps_old_output_and_removes_staging(project: Path):
    """A failure after conversion has started (Typst) must clean up its staging folder too."""
    before = tree_digest(project / "_book")
    (project / CHAPTER).write_text(
        GOOD_CHAPTER + "\n```{=typst}\n#let broken = (\n```\n", encoding="utf-8"
    )
    proc = cli_build(project)
    assert proc.returncode != 0
    assert "Typst" in proc.stderr
    assert tree_digest(project / "_book") == before
    assert leftovers(project) == []


def test_duplicate_label_fails(project: Path):
    before = tree_digest(project / "_book")
    duplicate = (
        "\n```{python}\n#| label: fig-ok\n#| fig-cap: again\nplt.plot([3, 1])\nplt.show()\n```\n"
    )
    (project / CHAPTER).write_text(GOOD_CHAPTER + duplicate, encoding="utf-8")
    proc = cli_build(project)
    assert proc.returncode != 0
    assert "fig-ok" in proc.stderr and CHAPTER in proc.stderr
    assert tree_digest(project / "_book") == before


@pytest.mark.parametrize(
    "change, words",
    [
        pytest.param(
            lambda root: (root / CHAPTER).write_text(
                GOOD_CHAPTER + "\n```{python}\nx = 1\n", encoding="utf-8"
            ),
            [f"{CHAPTER}:", "not closed"],
            id="unclosed-cell",
        ),
        pytest.param(
            lambda root: (root / CHAPTER).unlink(),
            ["chapter 'chapters/one.qmd' does not exist"],
            id="missing-chapter-file",
        ),
    ],
)
def test_invalid_sources_fail_before_anything_runs(project: Path, change, words):
    before = tree_digest(project / "_book")
    change(project)
    proc = cli_build(project)
    assert proc.returncode != 0
    for word in words:
        assert word in proc.stderr
    assert tree_digest(project / "_book") == before
    assert leftovers(project) == []


def test_chapter_isolation_failure_is_a_name_error(project: Path):
    """A chapter using a name only an earlier chapter defines fails: kernels are not shared."""
    (project / "index.qmd").write_text(
        "# Welcome {.unnumbered}\n\n```{python}\nshared_name = 1\n```\n", encoding="utf-8"
    )
    text = GOOD_CHAPTER + "\n```{python}\nprint(shared_name)  " + MARK + "\n```\n"
    (project / CHAPTER).write_text(text, encoding="utf-8")
    proc = cli_build(project)
    assert proc.returncode != 0
    assert expected_location(text) in proc.stderr
    assert "NameError" in proc.stderr and "shared_name" in proc.stderr


def test_successful_rebuild_replaces_output_and_leaves_nothing_behind(project: Path):
    before = tree_digest(project / "_book")
    (project / CHAPTER).write_text(
        GOOD_CHAPTER.replace("Some text", "Changed text"), encoding="utf-8"
    )
    proc = cli_build(project)
    assert proc.returncode == 0, proc.stderr
    after = tree_digest(project / "_book")
    assert after["chapters/one.html"] != before["chapters/one.html"]
    assert "Changed text" in (project / "_book" / "chapters" / "one.html").read_text("utf-8")
    assert leftovers(project) == []
