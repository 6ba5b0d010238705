"""Pandoc-markdown helpers: escape text from data and render pipe tables that never break."""

from __future__ import annotations

import re
from collections.abc import Sequence

# Every character pandoc's markdown could read as markup (emphasis, code, links, raw HTML,
# headings, math, citations, tables, footnotes, strikeout, sub/superscript, entities, lists).
# Pandoc's `all_symbols_escapable` extension lets a backslash escape any ASCII punctuation,
# so escaping a generous set is always safe and never changes the visible text.
# Quotes are left to pandoc's smart punctuation, so data reads with typographic quotes and
# apostrophes, as Quarto would typeset the same table.
_SPECIALS = frozenset("\\`*_{}[]<>#+-!|$@~^&:=")


def escape_markdown(text: object) -> str:
    """Escape text so pandoc markdown shows it literally, on one line (fit for a table cell)."""
    if text is None:
        return ""
    value = str(text)
    # A table cell is one line: fold any line break or tab into a single space.
    value = " ".join(value.split())
    out = "".join("\\" + ch if ch in _SPECIALS else ch for ch in value)
    # Smart punctuation would turn "..." into an ellipsis: escape the dots of any run of dots.
    return re.sub(r"\.{2,}", lambda m: "\\." * len(m.group(0)), out)


def _cell_width(text: str) -> int:
    # Long cells wrap, so cap them; but never narrower than the longest word (names must fit).
    longest_word = max((len(word) for word in text.split()), default=0)
    return max(3, longest_word + 1, min(len(text), 40))


def pipe_table(
    header: Sequence[object],
    rows: Sequence[Sequence[object]],
    align: Sequence[str] | None = None,
) -> str:
    """Render a pandoc pipe table; every header and cell is escaped; align items are 'l' or 'r'.

    Separator dashes are proportional to the widest cell of each column (capped), because pandoc
    uses them as relative column widths when a row is longer than 72 characters.
    """
    ncol = len(header)
    align = list(align) if align is not None else ["l"] * ncol
    if len(align) != ncol:
        raise ValueError(f"align has {len(align)} items for {ncol} columns")
    head = [escape_markdown(h) for h in header]
    body = []
    for i, row in enumerate(rows):
        if len(row) != ncol:
            raise ValueError(f"row {i} has {len(row)} cells for {ncol} columns")
        body.append([escape_markdown(c) for c in row])
    widths = [_cell_width(h) for h in head]
    for row in body:
        widths = [max(w, _cell_width(c)) for w, c in zip(widths, row)]
    seps = []
    for w, a in zip(widths, align):
        dashes = "-" * w
        seps.append(dashes[:-1] + ":" if a == "r" else dashes)
    lines = ["| " + " | ".join(head) + " |", "|" + "|".join(seps) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in body]
    return "\n".join(lines) + "\n"
