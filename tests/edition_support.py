"""Editing a synthetic edition's data the way an editor would: CSV cells, rows and the schema.

Every helper writes only under data/<edition>/ of the project it is given.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path


def _path(root: Path, edition: str, resource: str) -> Path:
    return root / "data" / edition / f"{resource}.csv"


def read(root: Path, edition: str, resource: str) -> list[dict[str, str]]:
    """Return a resource's rows as dicts of strings, in file order."""
    text = _path(root, edition, resource).read_text(encoding="utf-8")
    return list(csv.DictReader(io.StringIO(text, newline="")))


def write(root: Path, edition: str, resource: str, rows: list[dict[str, str]]) -> None:
    """Write rows back with the header the file has."""
    path = _path(root, edition, resource)
    header = next(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
    out = io.StringIO()
    writer = csv.DictWriter(out, header, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")


def update(root: Path, edition: str, resource: str, changes: dict[str, str], **where: str) -> int:
    """Set cells in every row matching `where` (status becomes published); return the count."""
    rows = read(root, edition, resource)
    hits = 0
    for row in rows:
        if all(row[k] == str(v) for k, v in where.items()):
            row.update({k: str(v) for k, v in changes.items()})
            row["status"] = "published"
            hits += 1
    assert hits, f"no row of {resource} matches {where}"
    write(root, edition, resource, rows)
    return hits


def add_rows(root: Path, edition: str, resource: str, new_rows: list[dict[str, str]]) -> None:
    """Append rows (missing columns empty, status published)."""
    rows = read(root, edition, resource)
    header = list(rows[0])
    for new in new_rows:
        row = dict.fromkeys(header, "")
        row.update({k: str(v) for k, v in new.items()})
        row["status"] = "published"
        rows.append(row)
    write(root, edition, resource, rows)


def publish_all(root: Path, edition: str, resource: str) -> None:
    """Mark every row of a resource as updated for this edition (status published)."""
    rows = read(root, edition, resource)
    for row in rows:
        row["status"] = "published"
    write(root, edition, resource, rows)


def set_constraint(root: Path, edition: str, resource: str, field: str, **constraints) -> None:
    """Change a field's constraints in the edition's datapackage.json."""
    path = root / "data" / edition / "datapackage.json"
    descriptor = json.loads(path.read_text(encoding="utf-8"))
    res = next(r for r in descriptor["resources"] if r["name"] == resource)
    spec = next(f for f in res["schema"]["fields"] if f["name"] == field)
    spec.setdefault("constraints", {}).update(constraints)
    path.write_text(json.dumps(descriptor, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
