"""CSV for readers: cells that a spreadsheet would run as a formula are neutralised.

OWASP's advice for CSV injection: a cell beginning with `=`, `+`, `-`, `@`, a tab or a carriage
return is prefixed with a single quote, so spreadsheets show it as text. Plain numbers (`-3.5`,
`+2`, `1e6`) are left as they are: they are data, and a spreadsheet reads them as numbers.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from typing import Any

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def safe_cell(value: Any) -> Any:
    """The cell as a spreadsheet should show it: text that starts like a formula gets a `'`."""
    if not isinstance(value, str) or not value.startswith(FORMULA_START):
        return value
    if PLAIN_NUMBER.fullmatch(value):
        return value
    return "'" + value


def needs_neutralising(cells: Iterable[Any]) -> bool:
    return any(safe_cell(c) is not c for c in cells)


def neutralise_csv(text: str) -> str:
    """CSV text with every formula-like cell neutralised; unchanged text when none is."""
    rows = list(csv.reader(io.StringIO(text, newline="")))
    if not any(needs_neutralising(row) for row in rows):
        return text
    return "".join(",".join(_quoted(safe_cell(c)) for c in row) + "\n" for row in rows)


def _quoted(cell: str) -> str:
    """RFC 4180 quoting; unlike csv.writer with a "\n" line end, a lone "\r" is quoted too."""
    if any(ch in cell for ch in ',"\r\n'):
        return '"' + cell.replace('"', '""') + '"'
    return cell


def safe_row(row: Iterable[Any]) -> list[Any]:
    """A row for csv.writer with every formula-like cell neutralised."""
    return [safe_cell(c) for c in row]
