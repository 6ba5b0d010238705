"""The formulas that derive what the source does not print, in one place.

Facts, cross-checks and figures all derive the same few values (the FDI position a year prints
only as total and other categories, a base-year level from the latest level and its growth,
sector shares); each formula lives here once, so a correction reaches every use.
"""

from __future__ import annotations

import pandas as pd


def fdi_from_total(total: float, other: float) -> float:
    """Direct investment as the total position minus the other categories (USD billion)."""
    return round(float(total) - float(other), 2)


def total_from_parts(fdi: float, other: float) -> float:
    """The total position as direct investment plus the other categories (USD billion)."""
    return round(float(fdi) + float(other), 2)


def base_from_growth(latest: float, growth_pct: float) -> float:
    """The base-year level implied by the latest level and the growth since then, in per cent."""
    return round(float(latest) / (1 + float(growth_pct) / 100), 2)


def shares_pct(values: pd.Series) -> pd.Series:
    """Each value as a per-cent share of their sum."""
    return 100 * values / values.sum()
