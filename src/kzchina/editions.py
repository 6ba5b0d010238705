"""The yearly cycle: start an edition from the last one, and say what is still last year's.

`new_edition` copies a data package into `data/<edition>/`, bumps its version and marks every
row `carried-over`; the editor replaces values and sets each row's status back to `published`
or `external`. Until none is left, `report check` lists the carried-over rows (a warning) and
the book shows a draft banner. Claims the data cannot check (see kzchina.claims) are confirmed
per edition in the descriptor's `confirmedClaims` list, which a new edition starts empty.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from kzchina.data import CARRIED_OVER, STATUSES, Dataset, editions
from kzchina.problems import Problem, ProblemsError
from kzchina.validate import EDITION_CHECKS_KEY

CONFIRMED_CLAIMS = "confirmedClaims"
_EDITION_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


def bump_major(version: str) -> str:
    """Return the next major version: '1.0.0' → '2.0.0' (a new edition is new data)."""
    parts = str(version or "0.0.0").split(".")
    try:
        major = int(parts[0])
    except ValueError:
        raise ValueError(f"version {version!r} is not semantic (expected e.g. 1.0.0)") from None
    return ".".join([str(major + 1)] + ["0"] * max(2, len(parts) - 1))


def _mark_rows(text: str) -> tuple[str, int]:
    """Set every row's status to carried-over; return the new CSV text and the row count."""
    rows = list(csv.reader(io.StringIO(text, newline="")))
    header, body = rows[0], [r for r in rows[1:] if r]
    column = header.index("status")
    for row in body:
        row[column] = CARRIED_OVER
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerows([header, *body])
    return out.getvalue(), len(body)


def new_edition(root: Path, edition: str, source: str | None = None) -> tuple[Path, int]:
    """Create data/<edition> from data/<source> (default: the newest); return folder and rows."""
    root = Path(root)
    if not _EDITION_NAME.fullmatch(edition):
        raise ProblemsError(
            [
                Problem(
                    "data",
                    None,
                    None,
                    f"edition name {edition!r}: expected letters, digits, . _ -",
                    "bad-edition",
                )
            ]
        )
    known = editions(root)
    source = source or (known[-1] if known else None)
    if source is None or source not in known:
        raise ProblemsError(
            [
                Problem(
                    f"data/{source}",
                    None,
                    None,
                    f"no edition {source!r} to start from; known: {known}",
                    "missing-edition",
                )
            ]
        )
    target = root / "data" / edition
    if target.exists():
        raise ProblemsError(
            [
                Problem(
                    f"data/{edition}",
                    None,
                    None,
                    "already exists: a new edition never overwrites a folder",
                    "edition-exists",
                )
            ]
        )
    # Built beside the target and renamed into place: a failure leaves no half-made edition.
    staging = Path(tempfile.mkdtemp(prefix=f".{edition}.tmp-", dir=root / "data"))
    try:
        shutil.copytree(root / "data" / source, staging, dirs_exist_ok=True)
        descriptor_path = staging / "datapackage.json"
        descriptor = json.loads(descriptor_path.read_text(encoding="utf-8"))
        descriptor["version"] = bump_major(descriptor.get("version", "0.0.0"))
        descriptor[CONFIRMED_CLAIMS] = []
        descriptor[EDITION_CHECKS_KEY] = []  # the previous text's statements; see validate.py
        for key in ("id", "title"):
            if isinstance(descriptor.get(key), str):
                descriptor[key] = descriptor[key].replace(source, edition)
        rows = 0
        for resource in descriptor["resources"]:
            fields = resource.get("schema", {}).get("fields", [])
            status = next((f for f in fields if f["name"] == "status"), None)
            if status is None:
                continue
            status.setdefault("constraints", {})["enum"] = [*STATUSES, CARRIED_OVER]
            csv_path = staging / resource["path"]
            text, n = _mark_rows(csv_path.read_text(encoding="utf-8"))
            csv_path.write_text(text, encoding="utf-8")
            rows += n
        descriptor_path.write_text(
            json.dumps(descriptor, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
        )
        os.replace(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return target, rows


@dataclass(frozen=True)
class CarriedOver:
    """Rows of one file still holding the previous edition's values."""

    path: str
    rows: list[int]  # spreadsheet rows (header = row 1)

    def warning(self) -> str:
        """Say which rows still need the new edition's values."""
        shown = ", ".join(str(r) for r in self.rows[:12]) + (" …" if len(self.rows) > 12 else "")
        return (
            f"{self.path}: warning: {len(self.rows)} row(s) still carried over from the "
            f"previous edition (status {CARRIED_OVER}): rows {shown}"
        )


def carried_over(ds: Dataset) -> list[CarriedOver]:
    """List, file by file, the rows whose status is still carried-over."""
    found = []
    for name in ds.resource_names:
        frame = ds.table(name)
        if "status" not in frame:
            continue
        rows = [int(i) + 2 for i in frame.index[frame["status"] == CARRIED_OVER]]
        if rows:
            found.append(CarriedOver(ds.resource_relpath(name), rows))
    return found


def carried_over_count(ds: Dataset) -> int:
    """Count the values (rows) not yet updated for this edition."""
    return sum(len(c.rows) for c in carried_over(ds))


def confirmed_claims(ds: Dataset) -> set[str]:
    """Return the unverifiable claims the editor confirmed for this edition."""
    return set(ds.descriptor.get(CONFIRMED_CLAIMS) or [])


def draft_banner(ds: Dataset) -> str:
    """Return a warning callout while values are carried over (Markdown; '' when none are)."""
    n = carried_over_count(ds)
    if not n:
        return ""
    return (
        f"::: {{.callout-warning}}\n## Draft\ndraft: {n} values not yet updated. The "
        f"{ds.edition} edition still holds values carried over from the previous one; "
        "`report check` lists them.\n:::\n"
    )
