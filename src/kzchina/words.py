"""Words that follow the data: direction, comparison, rank, count and list words for prose.

A sentence that says "rose" or "three of the four indicators" is as data-dependent as a number,
so chapters take such words from these helpers (usually through a fact whose format is one of
them) instead of typing them. Each helper is a pure function of plain values.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from kzchina.formatting import ORDINAL_WORDS

_CARDINALS = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
]


def _sign(change: float, tolerance: float) -> int:
    if abs(change) <= tolerance:
        return 0
    return 1 if change > 0 else -1


def rose_fell(change: float, tolerance: float = 0.0) -> str:
    """Say 'rose', 'fell' or 'was unchanged' for a change (new minus old)."""
    return {1: "rose", -1: "fell", 0: "was unchanged"}[_sign(change, tolerance)]


def up_down(change: float, tolerance: float = 0.0) -> str:
    """Say 'up', 'down' or 'unchanged' for a change (new minus old)."""
    return {1: "up", -1: "down", 0: "unchanged"}[_sign(change, tolerance)]


def higher_lower(difference: float, tolerance: float = 0.0) -> str:
    """Say 'higher', 'lower' or 'the same' for a difference (this minus that)."""
    return {1: "higher", -1: "lower", 0: "the same"}[_sign(difference, tolerance)]


def above_below(value: float, neutral: float = 0.0) -> str:
    """Say 'above neutral', 'below neutral' or 'neutral' for a value on a signed scale."""
    return {1: "above neutral", -1: "below neutral", 0: "neutral"}[_sign(value - neutral, 0.0)]


def positive_negative(value: float) -> str:
    """Say 'positive', 'negative' or 'neutral' for a signed value."""
    return {1: "positive", -1: "negative", 0: "neutral"}[_sign(value, 0.0)]


def ordinal(n: int) -> str:
    """Write a rank as a word: 6 → 'sixth' (numerals with a suffix beyond twelfth)."""
    n = int(n)
    if n in ORDINAL_WORDS:
        return ORDINAL_WORDS[n]
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def superlative(rank: int, adjective: str = "largest") -> str:
    """Write a rank as a superlative: 1 → 'the largest', 2 → 'the second-largest'."""
    rank = int(rank)
    if rank < 1:
        raise ValueError(f"a rank starts at 1, got {rank}")
    return f"the {adjective}" if rank == 1 else f"the {ordinal(rank)}-{adjective}"


def count(n: int) -> str:
    """Write a count as a word: 3 → 'three' (numerals with separators beyond twelve)."""
    n = int(n)
    return _CARDINALS[n] if 0 <= n < len(_CARDINALS) else f"{n:,}"


def count_of(n: int, total: int, noun: str) -> str:
    """Write a part of a whole: (3, 4, 'indicators') → 'three of the four indicators'.

    The whole is named as such: (4, 4, …) → 'all four indicators', (0, 4, …) → 'none of the
    four indicators'.
    """
    n, total = int(n), int(total)
    if not 0 <= n <= total:
        raise ValueError(f"a part must lie between 0 and the total {total}, got {n}")
    if n == total:
        return f"both {noun}" if total == 2 else f"all {count(total)} {noun}"
    if n == 0:
        return f"none of the {count(total)} {noun}"
    return f"{count(n)} of the {count(total)} {noun}"


def counted(n: int, singular: str, plural: str | None = None) -> str:
    """Write a count with its noun: (1, 'region') → 'one region', (3, …) → 'three regions'."""
    n = int(n)
    return f"{count(n)} {singular if n == 1 else (plural or singular + 's')}"


def name_list(names: Iterable[str], conjunction: str = "and") -> str:
    """Join names as English does: 'Russia', 'Russia and France', 'A, B and C'."""
    items: Sequence[str] = [str(n) for n in names]
    if not items:
        raise ValueError("a list of names needs at least one name")
    if len(items) == 1:
        return items[0]
    return ", ".join(items[:-1]) + f" {conjunction} " + items[-1]


def period(start: int, end: int) -> str:
    """Write a span of years with an en dash: (2017, 2021) → '2017–2021'; one year alone."""
    return str(start) if int(start) == int(end) else f"{int(start)}\u2013{int(end)}"


__all__ = [
    "above_below",
    "count",
    "count_of",
    "counted",
    "higher_lower",
    "name_list",
    "ordinal",
    "period",
    "positive_negative",
    "rose_fell",
    "superlative",
    "up_down",
]
