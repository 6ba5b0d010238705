"""Claims: qualitative statements of the prose that the data must keep true.

A sentence such as "its lowest level in recent years" or "negative only in Kyzylorda" cannot be
rewritten by a formula, so it is declared as a named claim right after it in the chapter:

    ... reaching `{python} fact("cn_share_investment_latest")`, its lowest level in recent
    years`{python} claim("cn_investment_share_lowest")`.

A claim is a predicate over the data: it renders as nothing while it holds; when it fails the
builtin engine stops the build naming the chapter file, the line, the claim and the data that
broke it (`report build --draft` builds anyway and marks the sentence). Claims are recorded in
facts.csv and provenance.json with their inputs, like facts.

Some statements cannot be checked: the source asserts a trend without printing the series.
They are declared with `unverifiable(...)` and say why; every new edition lists them for the
editor to confirm (`confirmedClaims` in datapackage.json), like a carried-over row.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Self

from kzchina.facts import (
    default_dataset,
    fdi_sector_share,
    perception_value,
    period_of,
    position,
    recorded_inputs,
    trade,
)
from kzchina.results import code_location, code_record, function_name, input_records
from litbuild.contract import ClaimProvenance, InlineCheck, InlineInfo

HOLDS, FAILS, UNVERIFIABLE = "holds", "fails", "unverifiable"


@dataclass(frozen=True)
class Verdict:
    """A claim's outcome and the data it looked at, in words an editor can check.

    `ok` is None when this edition's data cannot decide the claim (e.g. one year of a series).
    """

    ok: bool | None
    evidence: str


@dataclass(frozen=True)
class ClaimSpec:
    """One declared claim: its statement, and either a predicate or why it cannot be checked."""

    claim_id: str
    statement: str
    func: Callable[[Any], Verdict] | None
    reason: str | None = None  # set for unverifiable claims

    @property
    def checkable(self) -> bool:
        """Tell whether the data can decide this claim."""
        return self.func is not None


REGISTRY: dict[str, ClaimSpec] = {}


def _register(spec: ClaimSpec) -> None:
    from kzchina.facts import REGISTRY as FACTS

    if spec.claim_id in REGISTRY or spec.claim_id in FACTS:
        raise ValueError(f"claim {spec.claim_id!r} is defined twice (or names a fact)")
    REGISTRY[spec.claim_id] = spec


def checked(claim_id: str, statement: str):
    """Register a predicate `func(ds) -> Verdict` as the claim that `statement` holds."""

    def decorate(func: Callable[[Any], Verdict]) -> Callable[[Any], Verdict]:
        _register(ClaimSpec(claim_id, statement, func))
        return func

    return decorate


def unverifiable(claim_id: str, statement: str, reason: str) -> None:
    """Register a statement the data cannot check, with the reason why."""
    _register(ClaimSpec(claim_id, statement, None, reason))


# --------------------------------------------------------------------------- evaluation
class Claim(str):
    """A claim's inline value: prints as nothing, carries its verdict for the build."""

    claim_id: str
    status: str
    evidence: str
    inputs: list[dict]

    def __new__(cls, spec: ClaimSpec, status: str, evidence: str, inputs: list[dict]) -> Self:
        obj = super().__new__(cls, "")
        obj.claim_id, obj.status, obj.evidence, obj.inputs = spec.claim_id, status, evidence, inputs
        obj._spec = spec
        return obj

    @property
    def ok(self) -> bool:
        """Tell whether the build may publish the sentence (holds, or cannot be checked)."""
        return self.status != FAILS

    def provenance(self) -> dict:
        """Describe the claim for the build's provenance record."""
        return self._record().to_json()

    def _record(self) -> ClaimProvenance:
        # A statement the data cannot check is declared by `unverifiable`; that is its code.
        func = self._spec.func if self._spec.func is not None else unverifiable
        return ClaimProvenance(
            id=self.claim_id,
            value=self.status,
            unit="claim",
            function=function_name(func),
            code=code_record(code_location(func)),
            inputs=input_records(self.inputs),
            statement=self._spec.statement,
            evidence=self.evidence,
        )

    def _litbuild_inline_(self) -> dict:
        message = f"{self._spec.statement!r} no longer holds: {self.evidence}"
        return InlineInfo(
            "", self.claim_id, self._record(), InlineCheck(self.claim_id, self.ok, message)
        ).to_json()


def evaluate(claim_id: str, ds=None) -> Claim:
    """Evaluate one claim against the dataset (the shared default when ds is None)."""
    try:
        spec = REGISTRY[claim_id]
    except KeyError:
        raise KeyError(
            f"unknown claim {claim_id!r}; known: {', '.join(sorted(REGISTRY))}"
        ) from None
    ds = default_dataset() if ds is None else ds
    if spec.func is None:
        return Claim(spec, UNVERIFIABLE, f"cannot be checked: {spec.reason}", [])
    # A chapter may evaluate every claim more than once (the closing counts): the data do not
    # change within a run, so the verdict is kept, and its reads count again for the caller.
    earlier = _EVALUATED.get((id(ds), claim_id))
    if earlier is not None and earlier[0] is ds:
        ds.note_reads(earlier[2])
        return earlier[1]
    with ds.recording() as used:
        verdict = spec.func(ds)
    if verdict.ok is None:
        result = Claim(
            spec, UNVERIFIABLE, f"cannot be checked: {verdict.evidence}", recorded_inputs(used)
        )
    else:
        result = Claim(
            spec, HOLDS if verdict.ok else FAILS, verdict.evidence, recorded_inputs(used)
        )
    _EVALUATED[(id(ds), claim_id)] = (ds, result, list(used))
    return result


_EVALUATED: dict[tuple[int, str], tuple[Any, Claim, list]] = {}


def claim(claim_id: str, ds=None) -> Claim:
    """Declare, at the end of its sentence, that a claim holds; renders as nothing."""
    return evaluate(claim_id, ds)


def all_claims(ds=None) -> list[Claim]:
    """Evaluate every registered claim, in registration order."""
    return [evaluate(c, ds) for c in REGISTRY]


_DECLARED = re.compile(r"""claim\(\s*["']([A-Za-z0-9_]+)["']""")


def declarations(root: Path) -> dict[str, list[tuple[str, int]]]:
    """Find where the chapters declare each claim: {claim id: [(file, line), ...]}."""
    found: dict[str, list[tuple[str, int]]] = {}
    files = sorted([*root.glob("*.qmd"), *(root / "chapters").glob("*.qmd")])
    for path in files:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            for match in _DECLARED.finditer(line):
                found.setdefault(match.group(1), []).append(
                    (path.relative_to(root).as_posix(), number)
                )
    return found


# --------------------------------------------------------------------------- helpers
def _series(ds, resource: str, value: str, **where) -> dict[int, float]:
    frame = ds.table(resource)
    for key, wanted in where.items():
        frame = frame[frame[key].astype(str) == str(wanted)]
    frame = frame[frame[value].notna()]
    return {int(y): float(v) for y, v in zip(frame["year"], frame[value])}


def _shown(series: dict) -> str:
    return ", ".join(f"{k}: {v:g}" for k, v in sorted(series.items()))


def _china_ranks(ds) -> dict[int, int]:
    ranks = ds.table("investor_ranks")
    china = ranks[ranks["country"] == "China"]
    return {int(y): int(r) for y, r in zip(china["year"], china["rank"])}


def _regional(ds, indicator: str) -> dict[str, float]:
    pi = ds.table("perception_index")
    latest = period_of(
        ds, "perception_index", "latest", "measurement", region="kazakhstan", indicator="index"
    )
    rows = pi[
        (pi["measurement"] == latest)
        & (pi["indicator"] == indicator)
        & (pi["region"] != "kazakhstan")
    ]
    return {str(r): float(v) for r, v in zip(rows["region"], rows["value"])}


# =========================================================================== Section I
@checked(
    "ministers_rarely_politburo",
    "foreign ministers seldom sat on the Politburo, and even more rarely on its Standing Committee",
)
def _ministers_rarely_politburo(ds) -> Verdict:
    ministers = ds.table("foreign_ministers")
    posts = ministers["other_positions"].fillna("").str.lower()
    politburo = int(
        (posts.str.contains("politburo") | posts.str.contains("political bureau")).sum()
    )
    standing = int(posts.str.contains("standing committee of the politburo").sum())
    n = len(ministers)
    return Verdict(
        politburo < n / 2 and standing < politburo,
        f"{politburo} of {n} ministers on the Politburo, {standing} on its Standing "
        "Committee (Table 1's listed posts)",
    )


@checked(
    "cn_enterprises_small_share",
    "Chinese-owned firms are only a small share of foreign-owned enterprises",
)
def _cn_enterprises_small_share(ds) -> Verdict:
    from kzchina.facts import fact

    owned, jv = fact("cn_share_foreign_owned", ds).value, fact("cn_share_joint_ventures", ds).value
    return Verdict(
        owned < 10 and jv < 10,
        f"Chinese shares: {owned:.2f}% of foreign-owned firms, {jv:.2f}% of joint ventures "
        "(a small share: under 10%)",
    )


@checked("cn_businesses_mostly_small", "most Chinese businesses in Kazakhstan are small")
def _cn_businesses_mostly_small(ds) -> Verdict:
    from kzchina.facts import legal_entity_count

    parts = {
        p: (legal_entity_count(ds, p, "small"), legal_entity_count(ds, p, "total"))
        for p in ("chinese_owned", "chinese_joint_ventures")
    }
    ok = all(small > total / 2 for small, total in parts.values())
    return Verdict(ok, "; ".join(f"{p}: {s} small of {t}" for p, (s, t) in parts.items()))


unverifiable(
    "cn_businesses_in_trade",
    "more than a third of Chinese-owned businesses and about a quarter of the joint "
    "ventures are in trade",
    "the source gives these fractions in words only; the data hold no breakdown by sector",
)

# =========================================================================== Section II: investment


@checked(
    "cn_rank_stable_then_slipped",
    "China kept its rank among investors for the first years of the table, then slipped",
)
def _cn_rank_stable_then_slipped(ds) -> Verdict:
    ranks = _china_ranks(ds)
    years = sorted(ranks)
    first, latest = ranks[years[0]], ranks[years[-1]]
    return Verdict(
        latest > first and ranks[years[1]] == first, f"China's rank by year: {_shown(ranks)}"
    )


@checked(
    "cn_investment_edged_down",
    "Chinese investment, and China's share of the total, have edged down in recent years",
)
def _cn_investment_edged_down(ds) -> Verdict:
    total = _series(ds, "china_investment_position", "position_usd_bn", category="total")
    latest = max(total)
    ok = total[latest] < max(total.values())
    return Verdict(ok, f"China's total position (USD bn) by year: {_shown(total)}")


def _total_shares(ds) -> dict[int, float]:
    return _series(ds, "china_investment_position", "share_of_kz_total_pct", category="total")


@checked(
    "cn_share_declined_steadily", "China's share of all investment in Kazakhstan declined steadily"
)
def _cn_share_declined_steadily(ds) -> Verdict:
    shares = _total_shares(ds)
    if len(shares) < 2:
        return Verdict(
            None,
            f"the data hold China's share of all investment for one year only "
            f"({_shown(shares)}), so no trend can be computed",
        )
    values = [shares[y] for y in sorted(shares)]
    return Verdict(
        all(a > b for a, b in zip(values, values[1:])),
        f"China's share of all investment (%) by year: {_shown(shares)}",
    )


@checked(
    "cn_share_lowest_recent_years",
    "China's share of all investment is at its lowest level in recent years",
)
def _cn_share_lowest(ds) -> Verdict:
    shares = _total_shares(ds)
    if len(shares) < 2:
        return Verdict(
            None,
            f"the data hold China's share of all investment for one year only ({_shown(shares)})",
        )
    latest = max(shares)
    return Verdict(
        shares[latest] == min(shares.values()),
        f"China's share of all investment (%) by year: {_shown(shares)}",
    )


@checked(
    "cn_investment_fall_about_a_fifth",
    "the total position lost about a fifth of its value since its peak",
)
def _cn_investment_fall_about_a_fifth(ds) -> Verdict:
    from kzchina.facts import fact

    fall = fact("cn_investment_decline_since_peak", ds).value
    return Verdict(15 <= fall <= 25, f"fall since the peak: {fall:.1f}% (about a fifth: 15-25%)")


@checked(
    "kz_in_cn_mostly_other",
    "Kazakhstan's investment in China is mostly 'other investment', "
    "and its direct investment is much smaller",
)
def _kz_in_cn_mostly_other(ds) -> Verdict:
    frame = ds.table("kz_investment_in_china")
    frame = frame[frame["year"] == frame["year"].max()].set_index("category")["share_pct"]
    ok = frame.idxmax() == "other_investment" and frame["direct_investment"] < frame.max() / 2
    return Verdict(bool(ok), f"shares (%): {_shown(frame.to_dict())}")


@checked(
    "fdi_reclassified_2017",
    "at the end of 2017 direct investment jumped while the other categories fell by a "
    "similar amount",
)
def _fdi_reclassified_2017(ds) -> Verdict:
    d = position(ds, 2017, "direct_investment") - position(ds, 2016, "direct_investment")
    o = position(ds, 2017, "other_categories") - position(ds, 2016, "other_categories")
    ok = d > 0 > o and abs(d + o) < 0.25 * d
    return Verdict(ok, f"change 2016 to 2017: direct {d:+.2f}, other {o:+.2f} (USD bn)")


@checked(
    "fdi_fell_other_grew",
    "Chinese FDI fell after its end-2017 peak while portfolio and other investment grew",
)
def _fdi_fell_other_grew(ds) -> Verdict:
    from kzchina.facts import cn_fdi_latest

    fdi_latest, fdi_2017 = cn_fdi_latest(ds), position(ds, 2017, "direct_investment")
    other_latest, other_2017 = (
        position(ds, "latest", "other_categories"),
        position(ds, 2017, "other_categories"),
    )
    ok = fdi_latest < fdi_2017 and other_latest > other_2017
    return Verdict(
        ok,
        f"FDI 2017 {fdi_2017:g} -> latest {fdi_latest:g}; other 2017 "
        f"{other_2017:g} -> latest {other_latest:g} (USD bn)",
    )


@checked(
    "fdi_transport_mining_dominate",
    "transport and mining are the two largest sectors of Chinese FDI",
)
def _fdi_transport_mining_dominate(ds) -> Verdict:
    fdi = ds.table("fdi_by_sector")
    latest = fdi[fdi["year"] == fdi["year"].max()].sort_values("position_usd_mn", ascending=False)
    top = list(latest["sector"].head(2))
    return Verdict(
        set(top) == {"transport", "mining"},
        f"largest sectors in the latest year: {', '.join(top)} "
        f"(transport {fdi_sector_share(ds, 'transport'):.2f}%)",
    )


@checked(
    "fdi_transport_declined_since_peak",
    "transport and storage was close to nothing at first and has declined every year since "
    "its peak",
)
def _fdi_transport_declined(ds) -> Verdict:
    series = _series(ds, "fdi_by_sector", "position_usd_mn", sector="transport")
    years = sorted(series)
    peak = max(series, key=series.get)
    after = [series[y] for y in years if y >= peak]
    ok = all(a > b for a, b in zip(after, after[1:])) and series[years[0]] < 0.05 * series[peak]
    return Verdict(ok, f"transport (USD mn) by year: {_shown(series)}")


unverifiable(
    "net_equity_inflows_rose",
    "the last year of the period shows a sharp rise in net equity inflows",
    "the data hold the cumulative net FDI inflows only, not flows by instrument or year",
)


# =========================================================================== Section II: trade
unverifiable(
    "cn_trade_weight_rising",
    "China's weight as a trading partner has been rising, its role as a supplier growing steadily",
    "the data hold China's shares for the latest year only",
)


@checked(
    "cn_trade_outgrew_total",
    "trade with China grew faster than Kazakhstan's foreign trade as a whole",
)
def _cn_trade_outgrew_total(ds) -> Verdict:
    cn = trade(ds, "china", "turnover", "growth_pct")
    total = trade(ds, "all", "turnover", "growth_pct")
    return Verdict(cn > total, f"growth: with China {cn:g}%, all trade {total:g}%")


@checked(
    "cn_top_export_destination", "China buys more of Kazakhstan's exports than any other country"
)
def _cn_top_export_destination(ds) -> Verdict:
    rank = trade(ds, "china", "exports", "china_rank")
    return Verdict(rank == 1, f"China's rank among destinations of Kazakh exports: {rank}")


@checked("cn_rank_after_russia", "China is second only to Russia in imports and total trade")
def _cn_rank_after_russia(ds) -> Verdict:
    ranks = {f: trade(ds, "china", f, "china_rank") for f in ("imports", "turnover")}
    return Verdict(
        all(r == 2 for r in ranks.values()),
        f"China's rank: {_shown(ranks)} (the data do not name the first partner)",
    )


@checked("cn_imports_outgrew_exports", "imports from China are growing faster than exports to it")
def _cn_imports_outgrew_exports(ds) -> Verdict:
    imports, exports = (trade(ds, "china", f, "growth_pct") for f in ("imports", "exports"))
    return Verdict(
        imports > exports, f"growth since the base year: imports {imports:g}%, exports {exports:g}%"
    )


unverifiable(
    "kz_trade_surplus_usual",
    "Kazakhstan has usually run a trade surplus with China",
    "the data print no series of exports and imports in value",
)


@checked(
    "kz_exports_mineral_majority",
    "mineral products make up more than half of exports to China, chemicals and metals next",
)
def _kz_exports_mineral_majority(ds) -> Verdict:
    frame = ds.table("trade_by_commodity")
    frame = frame[(frame["year"] == frame["year"].max()) & (frame["flow"] == "exports")]
    order = list(frame.sort_values("share_pct", ascending=False)["commodity_group"])
    mineral = float(frame.loc[frame["commodity_group"] == "mineral_products", "share_pct"].iloc[0])
    ok = mineral > 50 and order[:3] == ["mineral_products", "chemical_products", "metals"]
    return Verdict(ok, f"mineral products {mineral:g}%; order: {', '.join(order)}")


@checked(
    "kz_exports_food_machinery_two_percent",
    "food products and machinery each accounted for a little over two per cent of exports",
)
def _kz_exports_food_machinery(ds) -> Verdict:
    from kzchina.facts import commodity_share

    shares = {g: commodity_share(ds, "exports", g) for g in ("foodstuffs", "machinery")}
    return Verdict(all(2 <= v < 3 for v in shares.values()), f"shares (%): {_shown(shares)}")


unverifiable(
    "kz_exports_other_groups_small",
    "every other group of exports is too small to matter",
    "the data print the shares of the five largest export groups only",
)


@checked(
    "kz_imports_machinery_dominant",
    "machinery, equipment and vehicles dominate Kazakhstan's imports from China",
)
def _kz_imports_machinery(ds) -> Verdict:
    frame = ds.table("trade_by_commodity")
    frame = frame[(frame["year"] == frame["year"].max()) & (frame["flow"] == "imports")]
    top = frame.sort_values("share_pct", ascending=False).iloc[0]
    return Verdict(
        top["commodity_group"] == "machinery" and top["share_pct"] > 50,
        f"largest import group: {top['commodity_group']} at {top['share_pct']:g}%",
    )


# =========================================================================== Section II: migration
unverifiable(
    "kz_net_outflow_every_year",
    "Kazakhstan has lost more people to emigration than it gained every year since 2012",
    "the data hold the net outflow over the whole period only, not per year",
)


@checked(
    "cn_migration_balance_positive",
    "with China the migration balance runs the other way (more arrivals than departures)",
)
def _cn_migration_balance(ds) -> Verdict:
    from kzchina.facts import migration

    arrivals, departures = migration(ds, "china", "arrivals"), migration(ds, "china", "departures")
    net = migration(ds, "all", "net")
    return Verdict(
        arrivals > departures and net < 0,
        f"from China {arrivals}, to China {departures}; net for all partners {net}",
    )


unverifiable(
    "resettlers_fell_some_years",
    "in some years the number of resettlers fell sharply",
    "the data hold totals over the period, not yearly counts",
)


@checked(
    "cn_labour_migrants_fell",
    "Chinese labour migrants peaked in the first year of the IOM data and then fell quickly",
)
def _cn_labour_migrants_fell(ds) -> Verdict:
    frame = ds.table("labour_migration")
    china = frame[(frame["nationality"] == "china") & frame["migrants"].notna()]
    series = {int(y): float(v) for y, v in zip(china["year"], china["migrants"])}
    years = sorted(series)
    ok = max(series, key=series.get) == years[0] and series[years[-1]] < 0.5 * series[years[0]]
    return Verdict(ok, f"Chinese labour migrants by year: {_shown(series)}")


@checked(
    "fdi_rose_as_workers_fell",
    "Chinese FDI rose while Chinese labour migrants fell, in the years both are printed",
)
def _fdi_rose_as_workers_fell(ds) -> Verdict:
    from kzchina.facts import fact

    fdi = [fact(f"cn_fdi_sectors_total_common_{w}", ds).value for w in ("first", "last")]
    workers = [fact(f"cn_labour_migrants_{w}", ds).value for w in ("first", "latest")]
    return Verdict(
        fdi[1] > fdi[0] and workers[1] < workers[0],
        f"FDI by sector (USD bn): {fdi[0]:g} -> {fdi[1]:g}; Chinese labour migrants: "
        f"{workers[0]} -> {workers[1]}",
    )


# =========================================================================== Section III
@checked(
    "media_negative_minority",
    "only a small part of the reporting on China is negative in every period",
)
def _media_negative_minority(ds) -> Verdict:
    frame = ds.table("media_monitoring")
    shares = {
        str(p): 100 * n / r
        for p, n, r in zip(frame["period"], frame["negative_reports"], frame["reports"])
    }
    return Verdict(
        all(v < 5 for v in shares.values()),
        "negative share (%): " + ", ".join(f"{k}: {v:.2f}" for k, v in shares.items()),
    )


unverifiable(
    "critical_coverage_grew_since_2017",
    "anti-Chinese material in the media has grown markedly and steadily since 2017",
    "the monitoring data start in 2020",
)
unverifiable(
    "positive_news_rose_2022",
    "positive news rose noticeably in 2022",
    "the monitoring data count negative reports, not positive ones",
)


# =========================================================================== Section IV
@checked("cpi_positive", "Kazakhstanis' view of China remains positive (index above neutral)")
def _cpi_positive(ds) -> Verdict:
    value = perception_value(ds, "kazakhstan", "index")
    return Verdict(value > 0, f"national index {value:g}")


@checked("cpi_trend_positive", "the national index has risen since the previous measurement")
def _cpi_trend_positive(ds) -> Verdict:
    latest = perception_value(ds, "kazakhstan", "index", "latest")
    previous = perception_value(ds, "kazakhstan", "index", "previous")
    return Verdict(latest > previous, f"national index: previous {previous:g}, latest {latest:g}")


@checked(
    "cpi_indicators_culture_only_negative",
    "general perception, influence and investor indicators are positive; only culture and "
    "education is negative",
)
def _cpi_indicators(ds) -> Verdict:
    values = {i: perception_value(ds, "kazakhstan", f"indicator_{i}") for i in (1, 2, 3, 4)}
    ok = all(values[i] > 0 for i in (1, 2, 3)) and values[4] < 0
    return Verdict(ok, f"national indicators: {_shown(values)}")


_LOW = ("aktobe", "atyrau", "kyzylorda")
_HIGH = ("zhambyl", "kostanay", "west_kazakhstan", "north_kazakhstan", "karaganda")


@checked(
    "cpi_low_and_high_regions",
    "the index was low (below zero) in Aktobe, Atyrau and Kyzylorda and high in Zhambyl, "
    "Kostanay, West Kazakhstan, North Kazakhstan and Karaganda",
)
def _cpi_low_and_high(ds) -> Verdict:
    index = _regional(ds, "index")
    low = {r for r, v in index.items() if v < 0}
    high_floor = min(index[r] for r in _HIGH)
    ok = low == set(_LOW) and all(index[r] < high_floor for r in index if r not in _HIGH)
    return Verdict(ok, f"regional index: {_shown(index)}")


@checked("cpi_some_regions_negative", "some regions view China negatively (index below zero)")
def _cpi_some_regions_negative(ds) -> Verdict:
    index = _regional(ds, "index")
    negative = sorted(r for r, v in index.items() if v < 0)
    return Verdict(bool(negative), f"regions below zero: {', '.join(negative) or 'none'}")


unverifiable(
    "cpi_low_regions_culture_negative",
    "all regions with a low index also score negatively on culture and education, and "
    "positively on China as a centre of influence",
    "the data print the fourth and second indicators only for a few regions",
)


@checked(
    "cpi_culture_positive_exceptions",
    "the culture indicator is positive only in Zhambyl, Karaganda and Shymkent",
)
def _cpi_culture_exceptions(ds) -> Verdict:
    values = _regional(ds, "indicator_4")
    positive = {r for r, v in values.items() if v > 0}
    return Verdict(
        positive == {"zhambyl", "karaganda", "shymkent"},
        f"regional culture indicator printed: {_shown(values)}",
    )


@checked(
    "cpi_general_negative_only_kyzylorda",
    "general perception is negative only in Kyzylorda; the investor view mostly negative in "
    "Kyzylorda and Aktobe",
)
def _cpi_general_only_kyzylorda(ds) -> Verdict:
    first, third = _regional(ds, "indicator_1"), _regional(ds, "indicator_3")
    negative_first = {r for r, v in first.items() if v < 0}
    ok = negative_first == {"kyzylorda"} and all(
        third.get(r, 0) < 0 for r in ("kyzylorda", "aktobe")
    )
    return Verdict(ok, f"general perception printed: {_shown(first)}; investor: {_shown(third)}")


@checked(
    "cpi_mangystau_improved",
    "in Mangystau the index improved markedly, with higher general and influence scores",
)
def _cpi_mangystau(ds) -> Verdict:
    change = {
        i: perception_value(ds, "mangystau", i, "latest")
        - perception_value(ds, "mangystau", i, "previous")
        for i in ("index", "indicator_1", "indicator_2")
    }
    return Verdict(
        all(v > 0 for v in change.values()) and change["index"] >= 0.1,
        "change between measurements: " + ", ".join(f"{k} {v:+.2f}" for k, v in change.items()),
    )


unverifiable(
    "cpi_mangystau_third_fourth_fell",
    "in Mangystau the third and fourth indicators fell",
    "the data print Mangystau's third and fourth indicators for neither measurement",
)


# The counts the closing note gives: how many statements the data check, how many they cannot.
def claims_checked(ds) -> int:
    """Count the claims this edition's data decide (holding or failing)."""
    return sum(1 for c in all_claims(ds) if c.status != UNVERIFIABLE)


def claims_unverifiable(ds) -> int:
    """Count the claims this edition's data cannot decide."""
    return sum(1 for c in all_claims(ds) if c.status == UNVERIFIABLE)


def _register_counts() -> None:
    from kzchina import words
    from kzchina.facts import FactSpec
    from kzchina.facts import _register as register_fact

    register_fact(
        FactSpec(
            "claims_checked",
            "claims",
            words.count,
            claims_checked,
            "Statements of the text that the data check on every build",
        )
    )
    register_fact(
        FactSpec(
            "claims_unverifiable",
            "claims",
            words.count,
            claims_unverifiable,
            "Statements of the text the data cannot check (confirmed per edition)",
        )
    )


_register_counts()

__all__ = [
    "Claim",
    "Verdict",
    "all_claims",
    "checked",
    "claim",
    "declarations",
    "evaluate",
    "unverifiable",
]
