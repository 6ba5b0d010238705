"""What changed between two editions, or between a rebuild and a published book.

Each side is an edition name (computed from `data/<edition>/`: every fact, every table's cells,
every figure's data) or a built book folder (its `facts.csv`, and the data CSVs its
`provenance.json` lists for each figure and table). Figures and tables are matched by the
function that made them, so an edition can be compared with a book. The result lists, per
changed value: old, new, absolute and relative change and direction.
"""

from __future__ import annotations

import csv
import html
import io
import json
import math
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from kzchina import words

ITEM_MODULES = ("kzchina.figures", "kzchina.tables")


@dataclass(frozen=True)
class Change:
    """One value that differs between the two sides."""

    kind: str  # fact, claim, table, figure
    item: str  # fact id, or the figure/table function
    where: str  # '' for facts; 'row / column' for cells
    old: str
    new: str
    unit: str = ""  # a fact's unit: a rank that grows has fallen

    def _numbers(self) -> tuple[float, float] | None:
        try:
            old, new = float(self.old), float(self.new)
        except ValueError:
            return None
        return None if math.isnan(old) or math.isnan(new) else (old, new)

    @property
    def absolute(self) -> float | None:
        """Return new minus old, when both are numbers."""
        pair = self._numbers()
        return None if pair is None else round(pair[1] - pair[0], 10)

    @property
    def relative(self) -> float | None:
        """Return the change in per cent of the old value, when it is a non-zero number."""
        pair = self._numbers()
        if pair is None or pair[0] == 0:
            return None
        return 100 * (pair[1] - pair[0]) / abs(pair[0])

    @property
    def direction(self) -> str:
        """Say up, down, unchanged, added, removed or changed."""
        if self.old == "":
            return "added"
        if self.new == "":
            return "removed"
        change = self.absolute
        if change is None:
            return "changed"
        if self.unit == "rank":  # 1st -> 2nd is a step down, though the number grew
            return "unchanged" if change == 0 else f"{words.rose_fell(-change)} in rank"
        return words.up_down(change)

    def row(self) -> dict[str, str]:
        """Return the change as a flat record (for CSV and tables)."""
        absolute, relative = self.absolute, self.relative
        return {
            "kind": self.kind,
            "item": self.item,
            "where": self.where,
            "old": self.old,
            "new": self.new,
            "absolute": "" if absolute is None else f"{absolute:g}",
            "relative_pct": "" if relative is None else f"{relative:.2f}",
            "direction": self.direction,
        }


# --------------------------------------------------------------------------- snapshots
def _text(value) -> str:
    """One spelling per value on both sides: 40, 40.0 and "40.0" are all '40'."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, str):
        try:
            number = float(value)
        except ValueError:
            return value
        return value if math.isnan(number) or math.isinf(number) else _text(number)
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return repr(value) if isinstance(value, float) else str(value)


def _cells(kind: str, item: str, csv_text: str) -> Iterator[tuple[tuple[str, str, str], str]]:
    """Key every cell of a figure's or table's data by its row's labels and its column."""
    frame = pd.read_csv(io.StringIO(csv_text), dtype=str, keep_default_na=False)
    labels = [c for c in frame.columns if not _numeric(frame[c])] or list(frame.columns[:1])
    seen: dict[str, int] = {}
    for _, row in frame.iterrows():
        label = " | ".join(row[c] for c in labels)
        seen[label] = seen.get(label, 0) + 1
        if seen[label] > 1:  # a repeated label: keep rows apart by their order
            label += f" #{seen[label]}"
        for column in frame.columns:
            if column not in labels:
                yield (kind, item, f"{label} / {column}"), _text(row[column])


def _numeric(series: pd.Series) -> bool:
    values = [v for v in series if v != ""]
    try:
        [float(v) for v in values]
    except ValueError:
        return False
    return bool(values) and series.name not in ("year", "measurement", "rank", "Rank")


def edition_snapshot(edition: str, root: Path) -> dict[tuple[str, str, str], str]:
    """Compute every fact, claim, table cell and figure value of an edition."""
    import importlib

    from kzchina.claims import all_claims
    from kzchina.data import load
    from kzchina.facts import all_facts

    ds = load(edition, root)
    values = {
        ("fact", f.fact_id, ""): _text(f.value) for f in all_facts(ds) if f.unit != "edition"
    }  # the editions' own names differ by definition
    values.update({("claim", c.claim_id, ""): c.status for c in all_claims(ds)})
    for module_name in ITEM_MODULES:
        module = importlib.import_module(module_name)
        for name in sorted(vars(module)):
            func = getattr(module, name)
            if not callable(func) or getattr(func, "kind", None) not in ("figure", "table"):
                continue
            if name == "facts_list":  # lists the facts already compared one by one
                continue
            result = func(ds)
            kind = func.kind
            values.update(
                _cells(
                    kind, f"{module_name.split('.')[-1]}.{name}", result.provenance()["data_csv"]
                )
            )
            if kind == "figure":
                import matplotlib.pyplot as plt

                plt.close(result.figure)
    return values


def book_snapshot(book: Path) -> dict[tuple[str, str, str], str]:
    """Read a built book's facts.csv and the figure and table data its provenance lists."""
    values: dict[tuple[str, str, str], str] = {}
    with open(book / "facts.csv", encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            if row.get("unit") == "edition":  # the editions' own names differ by definition
                continue
            kind = "claim" if row.get("unit") == "claim" else "fact"
            values[(kind, row["id"], "")] = _text(row["value"])
    record = json.loads((book / "provenance.json").read_text(encoding="utf-8"))
    for entity in record.get("@graph", []):
        if entity.get("additionalType") not in ("figure", "table"):
            continue
        function = (entity.get("instrument") or {}).get("name", "")
        item = ".".join(function.split(".")[-2:])
        for result in entity.get("result", []):
            if "/data/" in result["@id"] and result["@id"].endswith(".csv"):
                text = (book / result["@id"]).read_text(encoding="utf-8")
                values.update(_cells(entity["additionalType"], item, text))
    return values


def _book_folder(side: str) -> Path | None:
    folder = Path(side) if Path(side).is_absolute() else Path.cwd() / side
    return folder if (folder / "facts.csv").is_file() else None


def snapshot(side: str, root: Path) -> dict[tuple[str, str, str], str]:
    """Read one side: a built book folder (holding facts.csv) or an edition name."""
    folder = _book_folder(side)
    return book_snapshot(folder) if folder is not None else edition_snapshot(side, root)


def compare(old: dict, new: dict) -> list[Change]:
    """List every value that differs, added or removed, in a stable order."""
    from kzchina.facts import REGISTRY

    changes = []
    for key in sorted(old.keys() | new.keys()):
        before, after = old.get(key, ""), new.get(key, "")
        if before != after:
            spec = REGISTRY.get(key[1]) if key[0] == "fact" else None
            changes.append(
                Change(key[0], key[1], key[2], before, after, spec.unit if spec is not None else "")
            )
    return changes


def diff(old_side: str, new_side: str, root: Path) -> list[Change]:
    """Compare two sides (edition names or built book folders)."""
    old, new = snapshot(old_side, root), snapshot(new_side, root)
    books = (_book_folder(old_side) is not None, _book_folder(new_side) is not None)
    if books[0] != books[1]:
        # A book lists only the facts its text uses; an edition computes every one.
        book = old if books[0] else new
        for values in (old, new):
            for key in [k for k in values if k[0] in ("fact", "claim") and k not in book]:
                del values[key]
    return compare(old, new)


# --------------------------------------------------------------------------- output
COLUMNS = ["kind", "item", "where", "old", "new", "absolute", "relative_pct", "direction"]


def to_csv(changes: list[Change]) -> str:
    """Write the changes as CSV (one row per value)."""
    out = io.StringIO()
    writer = csv.DictWriter(out, COLUMNS, lineterminator="\n")
    writer.writeheader()
    for change in changes:
        writer.writerow(change.row())
    return out.getvalue()


def to_text(changes: list[Change], width: int = 38) -> str:
    """Write the changes as an aligned terminal table."""
    if not changes:
        return "no differences"
    rows = [change.row() for change in changes]
    shown = ["kind", "item", "where", "old", "new", "absolute", "relative_pct", "direction"]

    def cut(text: str) -> str:
        return text if len(text) <= width else text[: width - 1] + "\u2026"

    widths = {c: max(len(c), *(len(cut(r[c])) for r in rows)) for c in shown}
    lines = ["  ".join(c.ljust(widths[c]) for c in shown)]
    lines.append("  ".join("-" * widths[c] for c in shown))
    lines += ["  ".join(cut(r[c]).ljust(widths[c]) for c in shown) for r in rows]
    return "\n".join(lines)


def to_html(changes: list[Change], title: str) -> str:
    """Write the changes as a standalone HTML page with one table."""
    head = "".join(f'<th scope="col">{html.escape(c)}</th>' for c in COLUMNS)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(r[c])}</td>" for c in COLUMNS) + "</tr>"
        for r in (change.row() for change in changes)
    )
    return (
        f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title></head><body><h1>{html.escape(title)}</h1>"
        f"<p>{len(changes)} value(s) changed.</p>"
        f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></body></html>\n"
    )


def to_markdown(changes: list[Change], kinds: tuple[str, ...] = ("fact", "claim")) -> str:
    """Write the changed facts and claims as a Markdown table, for the book's own page."""
    rows = [c.row() for c in changes if c.kind in kinds]
    if not rows:
        return "No fact changed.\n"
    shown = ["item", "old", "new", "absolute", "relative_pct", "direction"]
    heads = ["Fact", "Before", "Now", "Change", "Change, %", "Direction"]

    def cell(text: str) -> str:
        return text.replace("|", "\\|").replace("*", "\\*").replace("_", "\\_") or "\u2013"

    lines = ["| " + " | ".join(heads) + " |", "|" + "---|" * len(heads)]
    lines += ["| " + " | ".join(cell(r[c]) for c in shown) + " |" for r in rows]
    return "\n".join(lines) + "\n"
