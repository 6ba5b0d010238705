"""Display formats for numbers in prose, at the precision the source prints them."""

from __future__ import annotations

import re
from collections.abc import Callable

MINUS = "\u2212"  # typographic minus sign, as in "−0.18"
EN_DASH = "\u2013"
# "1978-80", "1992-2002", "14th-15th": a hyphen between two numbers is a range. Not a date
# ("2022-01-31": more hyphens) and not a minus ("-3").
_NUMBER_RANGE = re.compile(
    r"(?<![\d-])(\d{1,4}(?:st|nd|rd|th)?)-(\d{1,4}(?:st|nd|rd|th)?)(?![\d-])"
)

ORDINAL_WORDS = {
    1: "first",
    2: "second",
    3: "third",
    4: "fourth",
    5: "fifth",
    6: "sixth",
    7: "seventh",
    8: "eighth",
    9: "ninth",
    10: "tenth",
    11: "eleventh",
    12: "twelfth",
}

Formatter = Callable[[object], str]


def _signed(text: str, negative: bool) -> str:
    return MINUS + text if negative else text


def number(decimals: int = 0) -> Formatter:
    """Format as a number with thousands separators: 16061 → '16,061'."""

    def fmt(value) -> str:
        v = float(value)
        return _signed(f"{abs(v):,.{decimals}f}", v < 0 and round(abs(v), decimals) != 0)

    return fmt


def percent(decimals: int = 2) -> Formatter:
    """Format a value already in per cent: 17.9 → '17.90%' (decimals=2)."""
    num = number(decimals)
    return lambda value: num(value) + "%"


def usd_billion(decimals: int = 1) -> Formatter:
    """Format a value in USD billions: 18.2 → '$18.2 billion'; −0.6 → '−$0.6 billion'."""

    def fmt(value) -> str:
        v = float(value)
        return _signed(f"${abs(v):,.{decimals}f} billion", v < 0)

    return fmt


def usd_million(decimals: int = 2) -> Formatter:
    """Format a value in USD millions: -607.15 → '−$607.15 million'."""

    def fmt(value) -> str:
        v = float(value)
        return _signed(f"${abs(v):,.{decimals}f} million", v < 0)

    return fmt


def thousands(decimals: int = 1) -> Formatter:
    """Format a count given in thousands: 334.2 → '334.2 thousand'."""
    num = number(decimals)
    return lambda value: num(value) + " thousand"


def index_value(decimals: int = 2) -> Formatter:
    """Format an index on −1…1 with a typographic minus: -0.18 → '−0.18', 0.3 → '0.30'."""
    return number(decimals)


def index_points(decimals: int = 2) -> Formatter:
    """Format a change in index points with an explicit sign: 0.04 → '+0.04'."""

    def fmt(value) -> str:
        v = round(float(value), decimals)
        if v > 0:
            return f"+{v:.{decimals}f}"
        return _signed(f"{abs(v):.{decimals}f}", v < 0)

    return fmt


def ordinal_word(value) -> str:
    """Format a rank as an English word: 6 → 'sixth'."""
    n = int(value)
    if n in ORDINAL_WORDS:
        return ORDINAL_WORDS[n]
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def cardinal_word(value) -> str:
    """Format a small count as a word (one … twelve), larger ones with separators."""
    words = [
        "zero", "one", "two", "three", "four", "five", "six",
        "seven", "eight", "nine", "ten", "eleven", "twelve",
    ]  # fmt: skip
    n = int(value)
    return words[n] if 0 <= n < len(words) else f"{n:,}"


def text(value) -> str:
    """Format a text value as itself."""
    return str(value)


def en_dash_ranges(value: str) -> str:
    """Write number ranges with an en dash, as typeset text does: '1978-80' → '1978–80'."""
    return _NUMBER_RANGE.sub(lambda m: f"{m.group(1)}{EN_DASH}{m.group(2)}", value)
