"""Issue 9: hostile input. Data (NUL and control characters, non-finite numbers, negative zero,
impossible dates, oversized files, floods of problems) is refused by `report check` and by the
loader with file, row and column; paths from _quarto.yml, chapters, labels and the data
descriptor stay inside the project; config shape errors name the key; downloads neutralise
formula injection; every failure maps to a message and an exit code without a traceback.
"""

from __future__ import annotations

import csv
import errno
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from data_support import EDITION, copy_project, csv_path, edit_cell, folder_hashes
from helpers import write_project
from kzchina import exits
from kzchina.data import load
from kzchina.problems import Problem, ProblemsError
from kzchina.validate import check_edition
from litbuild.config import load_config
from litbuild.csvsafe import neutralise_csv, safe_cell
from litbuild.errors import ConfigError
from litbuild.qmd import parse_chapter

REPORT = [sys.executable, "-m", "kzchina.cli"]


@pytest.fixture
def data_project(tmp_path: Path) -> Path:
    return copy_project(tmp_path)


def loader_problems(root: Path, resource: str) -> list[tuple]:
    with pytest.raises(ProblemsError) as caught:
        load(EDITION, root).table(resource)
    return [(p.path, p.row, p.column, p.type) for p in caught.value.problems]


def check_problems(root: Path) -> list[tuple]:
    return [(p.path, p.row, p.column, p.type) for p in check_edition(EDITION, root)]


FDI = "data/2022/fdi_by_sector.csv"
BAD_VALUES = [
    pytest.param("position_usd_mn", "1e309", "type-error", "finite number", id="overflow-inf"),
    pytest.param("position_usd_mn", "-0", "type-error", "negative zero", id="negative-zero"),
    pytest.param("position_usd_mn", "-0.0e-999", "type-error", "negative zero", id="underflow"),
    pytest.param("position_usd_mn", "nan", "type-error", "expected number", id="nan"),
    pytest.param("position_usd_mn", "inf", "type-error", "expected number", id="inf"),
    pytest.param("note", "a\x00b", "control-character", "U+0000", id="nul"),
    pytest.param("note", "bell\x07", "control-character", "U+0007", id="bell"),
    pytest.param("note", "esc\x1b[31m", "control-character", "U+001B", id="ansi-escape"),
    pytest.param("note", "evil\u202eoverride", "control-character", "U+202E", id="bidi"),
]


@pytest.mark.parametrize("column, value, kind, words", BAD_VALUES)
def test_bad_cells_are_refused_by_the_loader_and_by_check(data_project, column, value, kind, words):
    row = edit_cell(data_project, "fdi_by_sector", column, value, year="2015", sector="mining")
    before = folder_hashes(data_project)
    assert (FDI, row, column, kind) in loader_problems(data_project, "fdi_by_sector")
    found = check_edition(EDITION, data_project)
    assert any(
        (p.path, p.row, p.column) == (FDI, row, column) and words in p.message for p in found
    ), [str(p) for p in found]
    assert folder_hashes(data_project) == before


def test_an_impossible_date_is_refused(tmp_path):
    from kzchina.data import ResourceMeta, parse_resource

    meta = ResourceMeta(
        "d",
        "d",
        "",
        tmp_path / "d.csv",
        {"fields": [{"name": "day", "type": "date"}]},
        [],
        {},
        [],
        [],
    )
    for bad in ("2022-02-30", "2022-13-01", "0000-01-01", "2022-1-1"):
        frame, problems = parse_resource(f"day\n{bad}\n".encode(), meta, "d.csv")
        assert frame is None and [(p.row, p.column, p.type) for p in problems] == [
            (2, "day", "type-error")
        ], bad


def test_an_oversized_file_is_refused_before_it_is_read(data_project, monkeypatch):
    path = csv_path(data_project, "fdi_by_sector")
    path.write_text(path.read_text(encoding="utf-8") + "#" * 2_000_000, encoding="utf-8")
    monkeypatch.setenv("REPORT_MAX_DATA_MB", "1")
    assert loader_problems(data_project, "fdi_by_sector") == [(FDI, None, None, "file-too-large")]
    assert (FDI, None, None, "file-too-large") in check_problems(data_project)


@pytest.mark.slow  # runs the CLI in a subprocess
def test_a_million_bad_rows_give_a_capped_list_with_a_count(data_project):
    path = csv_path(data_project, "investor_ranks")
    header = path.read_text(encoding="utf-8").splitlines()[0]
    width = len(next(csv.reader([header])))
    path.write_text(header + "\n" + ("x," * (width - 1) + "x\n") * 200_000, encoding="utf-8")
    with pytest.raises(ProblemsError) as caught:
        load(EDITION, data_project).table("investor_ranks")
    problems = caught.value.problems
    assert len(problems) == 1001 and problems[-1].type == "too-many"
    assert len(str(caught.value).splitlines()) == 21  # the message lists 20 and counts the rest
    lines = exits.problem_lines(problems)
    assert len(lines) == exits.MAX_PROBLEMS + 2
    total = int(lines[-1].split()[0])
    assert total > 200_000  # every bad cell counted, not just those listed


@pytest.mark.slow  # runs the CLI in a subprocess
def test_report_check_on_hostile_files_prints_problems_not_tracebacks(data_project):
    write_project(data_project, {"_quarto.yml": "project:\n  type: book\n"})
    descriptor = data_project / "data" / EDITION / "datapackage.json"
    cases = {
        "deeply-nested": b"[" * 100_000 + b"]" * 100_000,
        "stray-bytes": b"\xff\xfe\x00garbage",
        "not-an-object": b"[1, 2]",
        "resources-not-objects": b'{"resources": [1, "x"]}',
    }
    original = descriptor.read_bytes()
    for name, content in cases.items():
        descriptor.write_bytes(content)
        proc = subprocess.run(
            [*REPORT, "check", "--project-dir", str(data_project)],
            capture_output=True,
            text=True,
            check=False,
        )
        assert proc.returncode == 1, (name, proc.stderr)
        assert "Traceback" not in proc.stderr and "datapackage.json" in proc.stderr, name
    descriptor.write_bytes(original)
    csv_path(data_project, "fdi_by_sector").write_bytes(b"\x00\xff\xfe" * 1000)
    proc = subprocess.run(
        [*REPORT, "check", "--project-dir", str(data_project)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert f"{FDI}:" in proc.stderr


# --------------------------------------------------------------------------- confinement
@pytest.mark.parametrize(
    "path_value", ["/etc/passwd", "../outside.csv", "link.csv", "sub/../../x.csv"]
)
def test_data_paths_stay_inside_the_edition_folder(data_project, path_value):
    outside = data_project / "outside.csv"
    outside.write_text("secret\n")
    os.symlink(outside, data_project / "data" / EDITION / "link.csv")
    descriptor = data_project / "data" / EDITION / "datapackage.json"
    doc = json.loads(descriptor.read_text(encoding="utf-8"))
    resource = next(r for r in doc["resources"] if r["name"] == "fdi_by_sector")
    resource["path"] = path_value
    descriptor.write_text(json.dumps(doc), encoding="utf-8")
    problems = loader_problems(data_project, "fdi_by_sector")
    assert problems == [
        ("data/2022/datapackage.json", None, "resources[fdi_by_sector].path", "path-error")
    ]
    assert (
        "data/2022/datapackage.json",
        None,
        "resources[fdi_by_sector].path",
        "path-error",
    ) in check_problems(data_project)


BOOK = {
    "_quarto.yml": "project:\n  type: book\nbook:\n  title: T\n  chapters:\n    - index.qmd\n",
    "index.qmd": "# T\n",
}


@pytest.mark.parametrize(
    "key, value, words",
    [
        ("chapter", "../x.qmd", "points outside the project"),
        ("chapter", "/tmp/x.qmd", "is an absolute path"),
        ("chapter", "link.qmd", "points outside the project"),
        ("css", "/etc/passwd", "is an absolute path"),
        ("css", "../../etc/passwd", "points outside the project"),
        ("output", "../elsewhere", "points outside the project"),
        ("output", "/tmp/site", "is an absolute path"),
    ],
)
def test_paths_in_quarto_yml_stay_inside_the_project(tmp_path, key, value, words):
    (tmp_path / "x.qmd").write_text("# Outside\n")
    root = write_project(tmp_path / "book", BOOK)
    os.symlink(tmp_path / "x.qmd", root / "link.qmd")
    text = {
        "chapter": BOOK["_quarto.yml"] + f"    - {value}\n",
        "css": BOOK["_quarto.yml"] + f"format:\n  html:\n    css: {value}\n",
        "output": BOOK["_quarto.yml"].replace("type: book", f"type: book\n  output-dir: {value}"),
    }[key]
    (root / "_quarto.yml").write_text(text)
    with pytest.raises(ConfigError) as caught:
        load_config(root)
    assert words in str(caught.value) and "_quarto.yml" in str(caught.value)


@pytest.mark.parametrize("label", ["fig-../../x", "fig-a/b", "tbl-..", "/etc/fig", "fig x"])
def test_labels_cannot_name_paths(label):
    text = f'# One\n\n```{{python}}\n#| label: "{label}"\nprint(1)\n```\n'
    with pytest.raises(ConfigError) as caught:
        parse_chapter(text, "one.qmd")
    assert str(caught.value).startswith("one.qmd:3: label")


@pytest.mark.slow  # runs the CLI in a subprocess
@pytest.mark.parametrize(
    "yaml_text, words",
    [
        ("- just\n- a list\n", "expected a mapping of keys"),
        ("book: [1, 2]\n", "book must be a mapping"),
        ("project: 5\nbook:\n  title: T\n  chapters: [index.qmd]\n", "project must be a mapping"),
        ("book:\n  title: {a: 1}\n  chapters: [index.qmd]\n", "book.title must be text"),
        ("book:\n  title: T\n  chapters: index.qmd\n", "book.chapters must be a list"),
        ("book:\n  title: T\n  chapters: [index.qmd]\nexecute: [1]\n", "execute must be a mapping"),
        ("book:\n  title: T\n  chapters: [index.qmd]\nformat: yes\n", "format must be a mapping"),
        ("book:\n  title: T\n  chapters: [index.qmd]\n  date: 2022-13-45\n", "invalid YAML"),
        ("a: " + "[" * 5000 + "]" * 5000 + "\n", "invalid YAML"),
        ("book: !!python/object:os.system x\n", "invalid YAML"),
    ],
)
def test_config_shape_errors_name_the_key_and_the_expected_type(tmp_path, yaml_text, words):
    root = write_project(tmp_path / "book", {"index.qmd": "# T\n"})
    (root / "_quarto.yml").write_text(yaml_text)
    with pytest.raises(ConfigError) as caught:
        load_config(root)
    assert words in str(caught.value)
    proc = subprocess.run(
        [*REPORT, "build", str(root), "--engine", "builtin"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 1 and "Traceback" not in proc.stderr and words in proc.stderr


# --------------------------------------------------------------------------- exit codes
@pytest.mark.parametrize(
    "error, code, words",
    [
        (
            OSError(errno.ENOSPC, "No space left on device", "/data/_book/x.svg"),
            exits.SYSTEM,
            "disk full while writing /data/_book/x.svg",
        ),
        (
            PermissionError(errno.EACCES, "Permission denied", "/ro/.litbuild"),
            exits.SYSTEM,
            "permission denied: /ro/.litbuild",
        ),
        (
            OSError(errno.EROFS, "Read-only file system", "/mnt/ro"),
            exits.SYSTEM,
            "permission denied: /mnt/ro",
        ),
        (ProblemsError([Problem("a.csv", 2, "x", "bad")]), exits.FAILED, "a.csv:2:x: bad"),
        (ConfigError("_quarto.yml: book.title is required"), exits.FAILED, "book.title"),
        (KeyboardInterrupt(), exits.INTERRUPTED, "interrupted (SIGINT)"),
        (ZeroDivisionError("x"), exits.INTERNAL, "internal error: ZeroDivisionError"),
    ],
)
def test_every_failure_maps_to_a_message_and_an_exit_code(error, code, words):
    got, lines = exits.describe(error)
    assert got == code and words in "\n".join(lines)


def test_a_read_only_cache_is_named(tmp_path):
    """A cache folder that cannot be written (here: a file where the folder should be)."""
    root = write_project(tmp_path / "book", BOOK)
    (root / ".litbuild").write_text("not a folder")
    proc = subprocess.run(
        [*REPORT, "build", str(root), "--engine", "builtin"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == exits.SYSTEM, proc.stderr
    assert ".litbuild" in proc.stderr and "Traceback" not in proc.stderr


# --------------------------------------------------------------------------- downloads
@pytest.mark.parametrize(
    "cell, shown",
    [
        ('=HYPERLINK("http://x","y")', '\'=HYPERLINK("http://x","y")'),
        ("+1+cmd|' /C calc'!A0", "'+1+cmd|' /C calc'!A0"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tTAB", "'\tTAB"),
        ("\rCR", "'\rCR"),
        ("-12.5", "-12.5"),
        ("+3", "+3"),
        ("1e6", "1e6"),
        ("plain text", "plain text"),
        ("", ""),
    ],
)
def test_formula_cells_are_neutralised_and_numbers_kept(cell, shown):
    assert safe_cell(cell) == shown
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n", quoting=csv.QUOTE_NONNUMERIC).writerows(
        [["label", "value"], [cell, "1"]]
    )
    rows = list(csv.reader(io.StringIO(neutralise_csv(buffer.getvalue()), newline="")))
    assert rows == [["label", "value"], [shown, "1"]]


def test_a_csv_without_formulas_is_written_unchanged():
    text = 'year,value,note\n2021,-3.5,"a, b"\n2022,+4,\n'
    assert neutralise_csv(text) == text


def test_published_downloads_and_facts_csv_are_neutralised(tmp_path):
    from litbuild.assemble import OutputItem
    from litbuild.contract import FactProvenance, ItemProvenance
    from litbuild.provenance import FactRecord, download_path, facts_csv, write_downloads

    item = OutputItem("tbl-x", "table", "chapters/one.qmd")
    item.provenance = ItemProvenance("f", None, [], data_csv="name,value\n=1+2,3\n-4,-4\n")
    write_downloads(tmp_path, [item], tmp_path)
    rows = list(csv.reader(io.StringIO((tmp_path / download_path(item)).read_text())))
    assert rows == [["name", "value"], ["'=1+2", "3"], ["-4", "-4"]]
    fact = FactRecord("f", "=cmd()", FactProvenance("f", -5, "@u", "f", None, []))
    rows = list(csv.reader(io.StringIO(facts_csv([fact]))))
    assert rows[1][:4] == ["f", "-5", "'=cmd()", "'@u"]
