"""Helpers shared by the data tests: copy the edition into tmp_path and doctor one cell."""

from __future__ import annotations

import csv
import hashlib
import io
from pathlib import Path

from helpers import copy_sources

REPO = Path(__file__).resolve().parents[1]
EDITION = "2022"
DATA = REPO / "data" / EDITION


def folder_hashes(folder: Path) -> dict[str, str]:
    """Return sha256 of every file under folder, keyed by relative path."""
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def copy_project(tmp_path: Path) -> Path:
    """Copy data/2022 into a throwaway project (with _quarto.yml) and return its root."""
    root = copy_sources(REPO, tmp_path / "project", [f"data/{EDITION}"])
    (root / "_quarto.yml").write_text("project:\n  type: book\n", encoding="utf-8")
    return root


def csv_path(root: Path, resource: str) -> Path:
    """Return the path of one resource's CSV in a copied project."""
    return root / "data" / EDITION / f"{resource}.csv"


def read_rows(root: Path, resource: str) -> list[list[str]]:
    """Read a CSV as rows of strings (header first)."""
    return list(
        csv.reader(io.StringIO(csv_path(root, resource).read_text(encoding="utf-8"), newline=""))
    )


def write_rows(root: Path, resource: str, rows: list[list[str]]) -> None:
    """Write rows back with the package's CSV dialect."""
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    csv_path(root, resource).write_text(out.getvalue(), encoding="utf-8")


def edit_cell(root: Path, resource: str, column: str, value: str, **where: str) -> int:
    """Set one cell in the first row matching where; return its spreadsheet row number."""
    rows = read_rows(root, resource)
    header = rows[0]
    for n, row in enumerate(rows[1:], start=2):
        if all(row[header.index(k)] == str(v) for k, v in where.items()):
            row[header.index(column)] = value
            write_rows(root, resource, rows)
            return n
    raise LookupError(f"no row in {resource} with {where}")
