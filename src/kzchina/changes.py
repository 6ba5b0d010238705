"""The book's "What changed since the previous edition" appendix (profile `changes`)."""

from __future__ import annotations

from kzchina import formatting as F
from kzchina.data import Dataset, editions
from kzchina.facts import FactSpec, _register


def previous_edition(ds: Dataset) -> str | None:
    """Return the edition before this one under data/, or None for the first."""
    known = editions(ds.root)
    older = [e for e in known if e < ds.edition]
    return older[-1] if older else None


def _edition_name(ds, **_) -> str:
    return ds.edition


def _previous_name(ds, **_) -> str:
    return previous_edition(ds) or "no earlier"


_register(
    FactSpec(
        "current_edition", "edition", F.text, _edition_name, "The edition this book is built from"
    )
)
_register(
    FactSpec(
        "previous_edition",
        "edition",
        F.text,
        _previous_name,
        "The edition before this one under data/",
    )
)


def changes_page(ds: Dataset) -> str:
    """Return the appendix body: counts by kind, then the changed facts and claims as a table."""
    from kzchina.diff import compare, edition_snapshot, to_markdown

    previous = previous_edition(ds)
    if previous is None:
        return "This is the first edition under `data/`; there is nothing to compare with.\n"
    changes = compare(edition_snapshot(previous, ds.root), edition_snapshot(ds.edition, ds.root))
    counts = {
        kind: sum(1 for c in changes if c.kind == kind)
        for kind in ("fact", "claim", "table", "figure")
    }
    summary = (
        f"Between the {previous} and the {ds.edition} edition, {counts['fact']} facts, "
        f"{counts['claim']} claims, {counts['table']} table cells and {counts['figure']} "
        "plotted values changed.\n\n"
    )
    return summary + to_markdown(changes)
