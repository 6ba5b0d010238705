"""`report check` passes on the real project and, on a copy with one broken data cell, fails with
`path:row:column: message` and leaves the copy's files as they were.
"""

from __future__ import annotations

import re

import pytest

from book_fixtures import ROOT, copy_project, report_cli, tree_digest

pytestmark = pytest.mark.slow  # the report's CLI on copies of the whole project


def test_report_check_passes_on_the_real_project():
    proc = report_cli("check", "--project-dir", str(ROOT))
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    assert re.search(r"edition 2022, version [\d.]+: \d+ resources, \d+ rows", proc.stdout)
    assert "prose lint: no typed quantities in chapter prose" in proc.stdout


def replace_cell(path, row: int, column: str, new: str) -> str:
    """Set one cell of a plainly written CSV (no quoted commas before the column); return old."""
    lines = path.read_text(encoding="utf-8").split("\n")
    header = lines[0].split(",")
    cells = lines[row - 1].split(",")
    i = header.index(column)
    old, cells[i] = cells[i], new
    lines[row - 1] = ",".join(cells)
    path.write_text("\n".join(lines), encoding="utf-8")
    return old


# (file, spreadsheet row = line number, column, broken value, expected message)
BROKEN = [
    pytest.param(
        "fdi_by_sector.csv",
        8,
        "position_usd_mn",
        "12O2.28",
        "expected number with '.' as decimal point, got '12O2.28'",
        id="type",
    ),
    pytest.param(
        "perception_index.csv", 2, "value", "1.7", "expected at most 1, got 1.7", id="maximum"
    ),
    pytest.param(
        "trade_with_china.csv",
        2,
        "flow",
        "export",
        "expected one of ['turnover', 'exports', 'imports'], got 'export'",
        id="enum",
    ),
    pytest.param(
        "media_monitoring.csv",
        2,
        "negative_reports",
        "5000",
        "expected at most 4672 (all reports), got 5000",
        id="cross-check",
    ),
]


@pytest.mark.parametrize(("name", "row", "column", "value", "message"), BROKEN)
def test_report_check_locates_a_broken_cell(tmp_path, name, row, column, value, message):
    project = copy_project(tmp_path / "report")
    path = project / "data" / "2022" / name
    old = replace_cell(path, row, column, value)
    assert old != value
    before = tree_digest(project)
    proc = report_cli("check", "--project-dir", str(project))
    assert proc.returncode == 1, proc.stdout
    rel = f"data/2022/{name}"
    lines = proc.stderr.splitlines()
    assert f"{rel}:{row}:{column}: {message}" in lines, proc.stderr
    # Reported once, and every problem line has the path:row:column: form.
    assert sum(1 for line in lines if line.startswith(f"{rel}:{row}:{column}:")) == 1, lines
    problems = [line for line in lines if not line.endswith("problem(s) found")]
    assert all(re.match(r"[^:]+:\d*:[\w,]*: \S", line) for line in problems), problems
    assert lines[-1] == f"{len(problems)} problem(s) found"
    assert tree_digest(project) == before, "report check changed the project's files"
