"""Validate one edition in full: every resource against its schema, then cross-checks.

``check_edition`` collects every problem and returns them (the CLI prints and exits non-zero).
Schema validation runs twice over, on purpose:

- ``kzchina.data.parse_resource`` (the loader's own fast checker) gives the exact messages and
  positions a chapter would see, and catches what frictionless-py tolerates (a byte-order mark);
- frictionless-py validates the descriptor and the whole package (profiles, foreign keys) as an
  independent, well-kept implementation; its findings are added where the fast checker found
  nothing at the same place, so one bad cell is reported once.

Cross-checks are small named functions ``check_*(ds) -> list[Problem]`` listed in CROSS_CHECKS.
They compare printed numbers with each other at the printed precision. A known inconsistency of the
source is accepted only where the row's ``note`` acknowledges it (starts "Inconsistent as printed"),
so a new one still fails.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from kzchina import formulas
from kzchina.data import CARRIED_OVER, STATUSES, Dataset, load, parse_resource, read_data_file
from kzchina.problems import Problem, ProblemsError

ACKNOWLEDGED = "Inconsistent as printed"
PACKAGE_PROPERTIES = ("name", "title", "version", "sources", "licenses")


# --------------------------------------------------------------------------- helpers
def rounds_to(value: float, printed: float, decimals: int) -> bool:
    """Tell whether value, rounded to the printed number of decimals, gives the printed number."""
    return abs(value - printed) <= 0.5 * 10 ** (-decimals) + 1e-9


def decimals_of(printed: float) -> int:
    """Return how many decimals a printed number shows (trailing zeros count as stored: 17.90→1)."""
    text = repr(float(printed)).rstrip("0").rstrip(".")
    return len(text.split(".")[1]) if "." in text else 0


def _decimals(printed: float, at_least: int = 0) -> int:
    return max(decimals_of(printed), at_least)


class _Checker:
    """Collect problems for one resource, locating rows by a key like a spreadsheet does."""

    def __init__(self, ds: Dataset, resource: str):
        self.ds = ds
        self.resource = resource
        self.path = ds.resource_relpath(resource)
        self.frame = ds.table(resource)
        self.problems: list[Problem] = []

    def row_of(self, mask: pd.Series) -> int | None:
        """Return the spreadsheet row of the first row matching mask (header = row 1)."""
        idx = list(mask[mask].index)
        return int(idx[0]) + 2 if idx else None

    def where(self, **key: Any) -> pd.DataFrame:
        """Return rows whose columns equal the given values."""
        frame = self.frame
        mask = pd.Series(True, index=frame.index)
        for k, v in key.items():
            mask &= frame[k] == v
        return frame[mask]

    def value(self, column: str, **key: Any) -> Any:
        """Return one cell, or raise a Problem-carrying error if the keyed row is missing."""
        rows = self.where(**key)
        if len(rows) != 1:
            shown = ", ".join(f"{k}={v}" for k, v in key.items())
            raise ProblemsError(
                [
                    Problem(
                        self.path,
                        None,
                        column,
                        f"expected exactly one row with {shown}, got {len(rows)}",
                        "cross-check",
                    )
                ]
            )
        return rows.iloc[0][column]

    def row(self, **key: Any) -> int | None:
        """Return the spreadsheet row number of the keyed row."""
        rows = self.where(**key)
        return int(rows.index[0]) + 2 if len(rows) else None

    def fail(self, row: int | None, column: str | None, message: str) -> None:
        """Record one failed cross-check."""
        self.problems.append(Problem(self.path, row, column, message, "cross-check"))


def _acknowledged(note: Any) -> bool:
    return isinstance(note, str) and note.startswith(ACKNOWLEDGED)


# --------------------------------------------------------------------------- cross-checks
def check_no_derived_values_stored(ds: Dataset) -> list[Problem]:
    """Derived values live in code: no stored row may have status 'derived'."""
    problems = []
    for name in ds.resource_names:
        frame = ds.table(name)
        if "status" not in frame:
            problems.append(
                Problem(
                    ds.resource_relpath(name),
                    1,
                    "status",
                    "expected a 'status' column (published/derived/external)",
                    "cross-check",
                )
            )
            continue
        for i, status in frame["status"].items():
            if status == "derived":
                problems.append(
                    Problem(
                        ds.resource_relpath(name),
                        int(i) + 2,
                        "status",
                        "expected no stored derived values (compute them in code), got 'derived'",
                        "cross-check",
                    )
                )
    return problems


def check_size_classes_add_up(ds: Dataset) -> list[Problem]:
    """Large + medium + small = total, for every population with all three classes printed."""
    c = _Checker(ds, "legal_entities")
    for population, group in c.frame.groupby("population", sort=False):
        sizes = dict(zip(group["size"], group["count"]))
        if "total" not in sizes:
            continue
        parts = [s for s in ("large", "medium", "small") if s in sizes]
        total_row = c.row(population=population, size="total")
        if len(parts) == 3:
            added = sum(int(sizes[s]) for s in parts)
            if added != int(sizes["total"]):
                c.fail(
                    total_row,
                    "count",
                    f"expected {population} total = large + medium + small = "
                    f"{added}, got {sizes['total']}",
                )
        else:
            for s in parts:
                if int(sizes[s]) > int(sizes["total"]):
                    c.fail(
                        c.row(population=population, size=s),
                        "count",
                        f"expected {population} {s} <= total {sizes['total']}, got {sizes[s]}",
                    )
    return c.problems


def check_chinese_shares_of_enterprises(ds: Dataset) -> list[Problem]:
    """The printed 5.55% (Chinese JVs / all JVs) and 5.37% (Chinese-owned / foreign-owned) reproduce.

    The denominator of 5.37% is not printed as such; 1,535 / 28,573 operating legal entities gives
    5.372%, so the check confirms that reading (the 28,573 are the foreign-owned entities).
    """
    ents = _Checker(ds, "legal_entities")
    values = _Checker(ds, "printed_values")
    pairs = [
        ("cn_jv_share_of_joint_ventures_pct", "chinese_joint_ventures", "joint_ventures_foreign"),
        ("cn_owned_share_of_foreign_owned_pct", "chinese_owned", "operating_legal_entities"),
    ]
    for value_id, part, whole in pairs:
        printed = float(values.value("value", value_id=value_id))
        share = (
            100
            * ents.value("count", population=part, size="total")
            / ents.value("count", population=whole, size="total")
        )
        if not rounds_to(share, printed, _decimals(printed, 2)):
            values.fail(
                values.row(value_id=value_id),
                "value",
                f"expected {share:.2f} ({part} / {whole} total, %), got {printed}",
            )
    return ents.problems + values.problems


def check_investor_ranks(ds: Dataset) -> list[Problem]:
    """Ranks run 1..N without gaps each year, and no country appears twice in a year."""
    c = _Checker(ds, "investor_ranks")
    for year, group in c.frame.groupby("year"):
        ranks = sorted(int(r) for r in group["rank"])
        if ranks != list(range(1, len(ranks) + 1)):
            c.fail(
                c.row_of(c.frame["year"] == year),
                "rank",
                f"expected ranks 1..{len(ranks)} in {year}, got {ranks}",
            )
        dupes = group[group["country"].duplicated()]
        for i, country in dupes["country"].items():
            c.fail(
                int(i) + 2,
                "country",
                f"expected each country once in {year}, got {country!r} again",
            )
    return c.problems


def check_china_rank_statements(ds: Dataset) -> list[Problem]:
    """China is 4th through 2019 and 6th in 2021 (Table 2), as the text says."""
    ranks = _Checker(ds, "investor_ranks")
    values = _Checker(ds, "printed_values")
    china = ranks.frame[ranks.frame["country"] == "China"].set_index("year")["rank"]
    for year in (2017, 2018, 2019):
        if china.get(year) != 4:
            ranks.fail(
                ranks.row(year=year, country="China"),
                "rank",
                f"expected China 4th in {year} ('fourth-largest until the end of 2019'), got {china.get(year)}",
            )
    # Table 2's 2020 and 2021 columns carry the ranks the text dates to Q1 2020 and mid-2021.
    q1_2020 = values.value("value", value_id="cn_investor_rank_2020q1")
    if china.get(2020) != q1_2020:
        ranks.fail(
            ranks.row(year=2020, country="China"),
            "rank",
            f"expected China's 2020 rank = {q1_2020:g} (printed for Q1 2020), got {china.get(2020)}",
        )
    mid2021 = values.value("value", value_id="cn_investor_rank_mid2021")
    if china.get(2021) != mid2021:
        ranks.fail(
            ranks.row(year=2021, country="China"),
            "rank",
            f"expected China's 2021 rank = {mid2021:g} (printed for mid-2021), got {china.get(2021)}",
        )
    return ranks.problems + values.problems


def check_investment_position_adds_up(ds: Dataset) -> list[Problem]:
    """Total = direct + other categories where all three are printed (end-2017: 15.84)."""
    c = _Checker(ds, "china_investment_position")
    for year, group in c.frame.groupby("year"):
        pos = dict(zip(group["category"], group["position_usd_bn"]))
        if all(
            k in pos and not math.isnan(pos[k])
            for k in ("total", "direct_investment", "other_categories")
        ):
            added = pos["direct_investment"] + pos["other_categories"]
            if not rounds_to(added, pos["total"], 2):
                c.fail(
                    c.row(year=year, category="total"),
                    "position_usd_bn",
                    f"expected direct + other categories = {added:.2f} in {year}, got {pos['total']}",
                )
    return c.problems


def china_fdi_position_2021(ds: Dataset) -> float:
    """Derive China's end-2021 FDI position (USD bn) as total minus other categories."""
    c = _Checker(ds, "china_investment_position")
    return formulas.fdi_from_total(
        c.value("position_usd_bn", year=2021, category="total"),
        c.value("position_usd_bn", year=2021, category="other_categories"),
    )


def check_fdi_decline(ds: Dataset) -> list[Problem]:
    """The derived end-2021 FDI (12.67 - 7.09) is more than 40% below the end-2017 peak (9.59)."""
    pos = _Checker(ds, "china_investment_position")
    values = _Checker(ds, "printed_values")
    peak = float(pos.value("position_usd_bn", year=2017, category="direct_investment"))
    decline = 100 * (1 - china_fdi_position_2021(ds) / peak)
    printed = float(values.value("value", value_id="cn_fdi_decline_2017_2021_pct"))
    if decline <= printed:
        values.fail(
            values.row(value_id="cn_fdi_decline_2017_2021_pct"),
            "value",
            f"expected the derived decline ({decline:.1f}%) to be more than {printed:g}%",
        )
    return pos.problems + values.problems


def check_kz_investment_structure(ds: Dataset) -> list[Problem]:
    """Shares of Kazakhstan's investment in China add up to 100% (within rounding)."""
    c = _Checker(ds, "kz_investment_in_china")
    for year, group in c.frame.groupby("year"):
        total = float(group["share_pct"].sum())
        if abs(total - 100) > 0.005 * len(group) + 1e-9:
            c.fail(
                c.row_of(c.frame["year"] == year),
                "share_pct",
                f"expected shares for {year} to add up to 100, got {total:.2f}",
            )
    return c.problems


def fdi_sector_shares(ds: Dataset, year: int) -> pd.Series:
    """Derive each sector's share (%) of China's FDI position in one year from Figure 3."""
    fdi = ds.table("fdi_by_sector")
    year_rows = fdi[fdi["year"] == year].set_index("sector")["position_usd_mn"]
    return formulas.shares_pct(year_rows)


def check_fdi_sector_shares(ds: Dataset) -> list[Problem]:
    """Transport 43.07% and mining 21.53% of end-2021 Chinese FDI reproduce from Figure 3."""
    values = _Checker(ds, "printed_values")
    shares = fdi_sector_shares(ds, 2021)
    for value_id, sector in (
        ("cn_fdi_share_transport_2021_pct", "transport"),
        ("cn_fdi_share_mining_2021_pct", "mining"),
    ):
        printed = float(values.value("value", value_id=value_id))
        if not rounds_to(float(shares[sector]), printed, 2):
            values.fail(
                values.row(value_id=value_id),
                "value",
                f"expected {shares[sector]:.2f} ({sector} / all sectors, 2021, Figure 3), got {printed}",
            )
    return values.problems


def check_trade_mix(ds: Dataset) -> list[Problem]:
    """Turnover growth and share lie between those of exports and imports (a weighted mean)."""
    c = _Checker(ds, "trade_with_china")
    latest = c.frame[c.frame["year"] == c.frame["year"].max()]
    china = latest[latest["partner"] == "china"].set_index("flow")
    for column in ("growth_pct", "share_of_kz_total_pct"):
        lo, hi = sorted([china.at["exports", column], china.at["imports", column]])
        turnover = china.at["turnover", column]
        if not lo <= turnover <= hi:
            c.fail(
                c.row(year=int(latest["year"].iloc[0]), partner="china", flow="turnover"),
                column,
                f"expected turnover between exports and imports ({lo}..{hi}), got {turnover}",
            )
    return c.problems


def check_commodity_shares(ds: Dataset) -> list[Problem]:
    """Printed commodity shares of each flow add up to at most 100%."""
    c = _Checker(ds, "trade_by_commodity")
    for flow, group in c.frame.groupby("flow"):
        total = float(group["share_pct"].sum())
        if total > 100 + 0.005 * len(group):
            c.fail(
                c.row_of(c.frame["flow"] == flow),
                "share_pct",
                f"expected {flow} shares to add up to at most 100, got {total:.2f}",
            )
    return c.problems


def immigrants_2012_2021(ds: Dataset) -> float:
    """Derive all immigrants 2012–2021 as emigrants plus the (negative) net migration balance."""
    mig = _Checker(ds, "permanent_migration")
    return float(
        mig.value("persons", partner="all", flow="departures")
        + mig.value("persons", partner="all", flow="net")
    )


def check_immigration_share(ds: Dataset) -> list[Problem]:
    """The migration reading makes the source agree: 16.4 / (334.2 − 171.6) thousand = 10.1%.

    The report calls the 334.2 thousand people who "immigrated"; only as emigrants do they agree
    with the printed net outflow (171.6 thousand) and the printed share of China (10.1%). The
    check holds that reading: immigrants = emigrants + net, China's arrivals are a part of them,
    and their share reproduces the printed one at its precision.
    """
    mig = _Checker(ds, "permanent_migration")
    values = _Checker(ds, "printed_values")
    china = float(mig.value("persons", partner="china", flow="arrivals"))
    emigrants = float(mig.value("persons", partner="all", flow="departures"))
    immigrants = immigrants_2012_2021(ds)
    if immigrants <= 0:
        mig.fail(
            mig.row(partner="all", flow="departures"),
            "persons",
            f"expected emigrants above the net outflow (immigrants = emigrants + net > 0), "
            f"got {emigrants:.0f} emigrants and {immigrants:.0f} immigrants",
        )
        return mig.problems
    if china > immigrants:
        mig.fail(
            mig.row(partner="china", flow="arrivals"),
            "persons",
            f"expected arrivals from China <= all immigrants ({immigrants:.0f}), got {china:.0f}",
        )
    printed = float(values.value("value", value_id="cn_share_of_immigration_pct"))
    share = 100 * china / immigrants
    note = values.value("note", value_id="cn_share_of_immigration_pct")
    if not rounds_to(share, printed, _decimals(printed, 1)) and not _acknowledged(note):
        values.fail(
            values.row(value_id="cn_share_of_immigration_pct"),
            "value",
            f"expected {share:.1f} (arrivals from China / (emigrants + net balance), %), "
            f"got {printed}",
        )
    return mig.problems + values.problems


def check_labour_migration_reading(ds: Dataset) -> list[Problem]:
    """The reading of the garbled Chinese counts implies a plausible labour force.

    Each (count, share) pair implies labour force = count / share; with the share's rounding that
    is an interval. The reference is 577.39 thousand migrants (2018) = about 6.35% (2019) of the
    labour force; the implied interval must lie within 15% of it.
    """
    c = _Checker(ds, "labour_migration")
    reference = c.value("migrants", year=2018, nationality="all") / (
        c.value("share_of_labour_force_pct", year=2019, nationality="all") / 100
    )
    china = c.frame[
        (c.frame["nationality"] == "china")
        & c.frame["migrants"].notna()
        & c.frame["share_of_labour_force_pct"].notna()
    ]
    for i, r in china.iterrows():
        share = float(r["share_of_labour_force_pct"])
        half = 0.5 * 10 ** -_decimals(share, 2)
        lo = r["migrants"] / ((share + half) / 100)
        hi = r["migrants"] / ((share - half) / 100) if share > half else math.inf
        if hi < 0.85 * reference or lo > 1.15 * reference:
            c.fail(
                int(i) + 2,
                "migrants",
                f"expected a count implying a labour force near {reference / 1e6:.1f} million, "
                f"got {r['migrants']} ({lo / 1e6:.2f}-{hi / 1e6:.2f} million at {share}%)",
            )
    return c.problems


def check_foreign_workers(ds: Dataset) -> list[Problem]:
    """Workers of the printed countries add up to no more than the printed total."""
    c = _Checker(ds, "foreign_workers")
    for date, group in c.frame.groupby("date"):
        total = group.loc[group["country"] == "all", "workers"]
        if total.empty:
            c.fail(
                c.row_of(c.frame["date"] == date),
                "country",
                f"expected a total row (country=all) for {date:%Y-%m-%d}",
            )
            continue
        parts = int(group.loc[group["country"] != "all", "workers"].sum())
        if parts > int(total.iloc[0]):
            c.fail(
                int(total.index[0]) + 2,
                "workers",
                f"expected at least the sum of countries ({parts}), got {int(total.iloc[0])}",
            )
    return c.problems


def check_media_counts(ds: Dataset) -> list[Problem]:
    """Negative reports never exceed all reports, and periods are ordered dates."""
    c = _Checker(ds, "media_monitoring")
    for i, r in c.frame.iterrows():
        if r["negative_reports"] > r["reports"]:
            c.fail(
                int(i) + 2,
                "negative_reports",
                f"expected at most {r['reports']} (all reports), got {r['negative_reports']}",
            )
        if r["period_start"] > r["period_end"]:
            c.fail(int(i) + 2, "period_end", f"expected a date after {r['period_start']:%Y-%m-%d}")
    return c.problems


def check_perception_statements(ds: Dataset) -> list[Problem]:
    """Mangystau improved on the index and indicators 1-2, as the text says."""
    c = _Checker(ds, "perception_index")
    for indicator in ("index", "indicator_1", "indicator_2"):
        before = c.value("value", measurement=2020, region="mangystau", indicator=indicator)
        after = c.value("value", measurement=2022, region="mangystau", indicator=indicator)
        if not after > before:
            c.fail(
                c.row(measurement=2022, region="mangystau", indicator=indicator),
                "value",
                f"expected Mangystau {indicator} to rise from {before}, got {after}",
            )
    return c.problems


def check_national_index_is_indicator_mean(ds: Dataset) -> list[Problem]:
    """The national index equals the mean of its four indicators at the printed precision.

    The report does not print its formula; the editor's note on Mangystau relies on this
    reading, so the check keeps it true for every measurement that prints all four indicators.
    """
    c = _Checker(ds, "perception_index")
    national = c.frame[c.frame["region"] == "kazakhstan"]
    for measurement, group in national.groupby("measurement"):
        values = group.set_index("indicator")["value"]
        indicators = [f"indicator_{i}" for i in range(1, 5)]
        if "index" not in values or not all(k in values for k in indicators):
            continue
        mean = float(values[indicators].mean())
        if not rounds_to(mean, float(values["index"]), 2):
            c.fail(
                c.row(measurement=measurement, region="kazakhstan", indicator="index"),
                "value",
                f"expected the mean of the four indicators ({mean:.3f}) in {measurement}, "
                f"got {values['index']}",
            )
    return c.problems


def check_minister_terms(ds: Dataset) -> list[Problem]:
    """Each term starts before it ends, and terms chain: one ends the day the next starts.

    A gap between terms is accepted only where the earlier row's note mentions it ("gap").
    """
    c = _Checker(ds, "foreign_ministers")
    frame = c.frame.sort_values("order")
    rows = list(frame.iterrows())
    for n, (i, r) in enumerate(rows):
        row = int(i) + 2
        for column in ("end_date", "end_date_alternative"):
            if pd.notna(r[column]) and not r["start_date"] < r[column]:
                c.fail(
                    row,
                    column,
                    f"expected a date after start {r['start_date']:%Y-%m-%d}, got {r[column]:%Y-%m-%d}",
                )
        if n + 1 == len(rows):
            continue
        if pd.isna(r["end_date"]):
            c.fail(row, "end_date", "expected an end date: only the last minister may be in office")
            continue
        nxt = rows[n + 1][1]
        if r["end_date"] > nxt["start_date"]:
            c.fail(
                row,
                "end_date",
                f"expected the term to end by {nxt['minister']}'s start "
                f"{nxt['start_date']:%Y-%m-%d}, got {r['end_date']:%Y-%m-%d}",
            )
        elif r["end_date"] < nxt["start_date"] and "gap" not in str(r["note"]).lower():
            c.fail(
                row,
                "end_date",
                f"expected the term to end on {nxt['minister']}'s start "
                f"{nxt['start_date']:%Y-%m-%d} (or a note explaining the gap), got {r['end_date']:%Y-%m-%d}",
            )
    return c.problems


def check_foreign_keys(ds: Dataset) -> list[Problem]:
    """Every foreign key value exists in the referenced resource."""
    problems = []
    for name in ds.resource_names:
        meta = ds.resource_meta(name)
        for fk in meta.foreign_keys:
            fields = [fk["fields"]] if isinstance(fk["fields"], str) else fk["fields"]
            ref = fk["reference"]
            ref_fields = [ref["fields"]] if isinstance(ref["fields"], str) else ref["fields"]
            ref_name = ref.get("resource") or name
            known = set(map(tuple, ds.table(ref_name)[ref_fields].itertuples(index=False)))
            frame = ds.table(name)
            for i, key in enumerate(frame[fields].itertuples(index=False)):
                if tuple(key) not in known:
                    problems.append(
                        Problem(
                            ds.resource_relpath(name),
                            i + 2,
                            fields[0],
                            f"expected a value of {ref_name}.{','.join(ref_fields)}, got {tuple(key) if len(key) > 1 else key[0]!r}",
                            "foreign-key-error",
                        )
                    )
    return problems


CROSS_CHECKS: list[Callable[[Dataset], list[Problem]]] = [
    check_no_derived_values_stored,
    check_foreign_keys,
    check_size_classes_add_up,
    check_chinese_shares_of_enterprises,
    check_investor_ranks,
    check_investment_position_adds_up,
    check_kz_investment_structure,
    check_trade_mix,
    check_commodity_shares,
    check_immigration_share,
    check_foreign_workers,
    check_media_counts,
    check_national_index_is_indicator_mean,
    check_minister_terms,
]

# Checks that encode one edition's printed statements ("China 4th in 2017-2019"): an edition
# enables them by name in its datapackage.json (`editionChecks`), so they live with that edition's
# data and a new edition starts without them (its text's statements are claims, kzchina.claims).
EDITION_CHECKS: dict[str, Callable[[Dataset], list[Problem]]] = {
    "china_rank_statements": check_china_rank_statements,
    "fdi_decline": check_fdi_decline,
    "fdi_sector_shares": check_fdi_sector_shares,
    "labour_migration_reading": check_labour_migration_reading,
    "perception_statements": check_perception_statements,
}
EDITION_CHECKS_KEY = "editionChecks"


def edition_checks(ds: Dataset) -> tuple[list[Callable[[Dataset], list[Problem]]], list[Problem]]:
    """Return the checks an edition enables, and a problem for each name that is unknown."""
    named = ds.descriptor.get(EDITION_CHECKS_KEY) or []
    unknown = [n for n in named if n not in EDITION_CHECKS]
    problems = [
        Problem(
            _relpath(ds, ds.descriptor_path),
            None,
            EDITION_CHECKS_KEY,
            f"unknown edition check {n!r}; known: {sorted(EDITION_CHECKS)}",
            "descriptor-error",
        )
        for n in unknown
    ]
    return [EDITION_CHECKS[n] for n in named if n in EDITION_CHECKS], problems


# --------------------------------------------------------------------------- schema validation
def check_descriptor(ds: Dataset) -> list[Problem]:
    """The package names itself, its version, sources and licenses; every resource has a schema."""
    path = _relpath(ds, ds.descriptor_path)
    problems = [
        Problem(path, None, prop, f"expected package property {prop!r}", "descriptor-error")
        for prop in PACKAGE_PROPERTIES
        if not ds.descriptor.get(prop)
    ]
    for r in ds.descriptor["resources"]:
        name = r.get("name", "?")
        schema = r.get("schema", {})
        names = [f.get("name") for f in schema.get("fields", [])]
        if not names:
            problems.append(
                Problem(
                    path,
                    None,
                    name,
                    f"expected a schema with fields for resource {name!r}",
                    "descriptor-error",
                )
            )
            continue
        for required in ("source", "status"):
            if required not in names:
                problems.append(
                    Problem(
                        path,
                        None,
                        name,
                        f"expected a {required!r} field in resource {name!r}",
                        "descriptor-error",
                    )
                )
        if "status" in names:
            status = next(f for f in schema["fields"] if f["name"] == "status")
            if status.get("constraints", {}).get("enum") not in (
                list(STATUSES),
                [*STATUSES, CARRIED_OVER],
            ):
                problems.append(
                    Problem(
                        path,
                        None,
                        name,
                        f"expected status enum {list(STATUSES)} in {name!r}",
                        "descriptor-error",
                    )
                )
        if not schema.get("primaryKey"):
            problems.append(
                Problem(
                    path,
                    None,
                    name,
                    f"expected a primaryKey for resource {name!r}",
                    "descriptor-error",
                )
            )
    return problems


def _relpath(ds: Dataset, path: Path) -> str:
    try:
        return path.resolve().relative_to(ds.root.resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def check_schemas(ds: Dataset) -> tuple[list[Problem], set[str]]:
    """Validate every resource with the loader's checker; return problems and the broken resources."""
    problems: list[Problem] = []
    broken: set[str] = set()
    for name in ds.resource_names:
        try:
            meta = ds.resource_meta(name)
            rel = ds.resource_relpath(name)
            raw = read_data_file(meta.path, rel)
        except ProblemsError as exc:  # outside the edition folder, missing, too large
            problems.extend(exc.problems)
            broken.add(name)
            continue
        _, found = parse_resource(raw, meta, rel)
        if found:
            problems.extend(found)
            broken.add(name)
    return problems, broken


def frictionless_problems(ds: Dataset, skip: Iterable[str] = ()) -> list[Problem]:
    """Validate the package with frictionless-py; map its errors to Problems."""
    from frictionless import Package  # imported here: only full validation pays for it

    skip = set(skip)
    problems: list[Problem] = []
    descriptor_rel = _relpath(ds, ds.descriptor_path)
    try:
        package = Package(str(ds.descriptor_path))
        report = package.validate()
    except Exception as exc:  # frictionless raises on descriptors it cannot even open
        return [
            Problem(
                descriptor_rel,
                None,
                None,
                f"frictionless could not validate the package: {exc}",
                "package-error",
            )
        ]
    for error in report.errors:
        problems.append(Problem(descriptor_rel, None, None, error.message, error.type))
    for task in report.tasks:
        if task.name in skip:
            continue
        rel = ds.resource_relpath(task.name) if task.name in ds.resource_names else descriptor_rel
        for error in task.errors:
            row = getattr(error, "row_number", None)
            column = getattr(error, "field_name", None)
            problems.append(Problem(rel, row, column, error.message, error.type))
    return problems


def check_edition(edition: str | None = None, root: Path | str | None = None) -> list[Problem]:
    """Validate an edition fully (descriptor, schemas, frictionless, cross-checks); return every problem."""
    try:
        ds = load(edition, root)
    except ProblemsError as exc:
        return list(exc.problems)
    problems = check_descriptor(ds)
    schema_problems, broken = check_schemas(ds)
    problems += schema_problems
    # Frictionless findings where ours found nothing at the same place; a broken file is reported
    # once, by us (frictionless would list the same damage again, in other words).
    located = {(p.path, p.row, p.column) for p in problems}
    # A resource whose foreign keys point at a broken one cannot be checked by frictionless either.
    dependent = {
        name
        for name in set(ds.resource_names) - broken
        if any(
            fk["reference"].get("resource") in broken for fk in ds.resource_meta(name).foreign_keys
        )
    }
    for p in frictionless_problems(ds, skip=broken | dependent):
        if (p.path, p.row, p.column) not in located and p.type != "foreign-key":
            problems.append(p)
            located.add((p.path, p.row, p.column))
    if broken:
        return problems  # cross-checks need every table; fix the schema problems first
    enabled, unknown = edition_checks(ds)
    problems += unknown
    for check in CROSS_CHECKS + enabled:
        try:
            problems += check(ds)
        except ProblemsError as exc:
            problems += exc.problems
    return problems


# --------------------------------------------------------------------------- summary
@dataclass(frozen=True)
class ResourceSummary:
    """One resource in a few numbers."""

    name: str
    path: str
    rows: int
    columns: int
    sources: list[str]
    statuses: dict[str, int]


@dataclass(frozen=True)
class EditionSummary:
    """What an edition holds: resources, rows and sources."""

    edition: str
    version: str
    title: str
    resources: list[ResourceSummary] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)

    @property
    def rows(self) -> int:
        """Return the total number of data rows."""
        return sum(r.rows for r in self.resources)

    def __str__(self) -> str:
        width = max((len(r.name) for r in self.resources), default=10)
        lines = [
            self.title,
            (
                f"edition {self.edition}, version {self.version}: "
                f"{len(self.resources)} resources, {self.rows} rows"
            ),
        ]
        lines += [
            f"  {r.name:<{width}}  {r.rows:>4} rows  {r.columns:>2} cols  "
            + ", ".join(f"{k} {v}" for k, v in sorted(r.statuses.items()))
            for r in self.resources
        ]
        lines += ["sources:"] + [f"  - {s}" for s in self.sources]
        return "\n".join(lines)


def summarize_edition(edition: str | None = None, root: Path | str | None = None) -> EditionSummary:
    """Summarise an edition: each resource's rows, columns, statuses and sources."""
    ds = load(edition, root)
    resources = []
    for name in ds.resource_names:
        frame = ds.table(name)
        meta = ds.resource_meta(name)
        resources.append(
            ResourceSummary(
                name=name,
                path=ds.resource_relpath(name),
                rows=len(frame),
                columns=frame.shape[1],
                sources=[s.get("title", "") for s in meta.sources],
                statuses={str(k): int(v) for k, v in frame["status"].value_counts().items()}
                if "status" in frame
                else {},
            )
        )
    return EditionSummary(
        edition=ds.edition,
        version=ds.version,
        title=ds.title,
        resources=resources,
        sources=[s.get("title", "") for s in ds.sources],
    )


__all__ = [
    "CROSS_CHECKS",
    "EditionSummary",
    "check_descriptor",
    "check_edition",
    "check_schemas",
    "china_fdi_position_2021",
    "immigrants_2012_2021",
    "fdi_sector_shares",
    "frictionless_problems",
    "rounds_to",
    "summarize_edition",
]
