"""Headline facts: every number in the prose is a named function of the data.

A chapter writes `` `{python} fact("cn_share_trade_turnover_2021")` `` and gets "17.90%". The
returned `Fact` is a `str` (so any engine prints its text) that also carries its value, unit,
the data files it read and the code that computed it, for the build's facts.csv and provenance.

Two kinds of definitions:
- `@define(...)` on a function of the dataset, for facts with their own logic (derived shares,
  ranks, growth);
- `lookup(...)` registrations that bind one generic reader (e.g. `perception_value`) to
  parameters, for facts that are a single published cell. Their provenance names the generic
  function and records the parameters.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Self

import pandas as pd

from kzchina import formatting as F
from kzchina.results import code_location, code_record, function_name, input_records
from litbuild.contract import FactProvenance, InlineInfo


# --------------------------------------------------------------------------- the Fact value
class Fact(str):
    """A formatted fact: prints as its text; carries value, unit, inputs and provenance."""

    fact_id: str
    value: Any
    unit: str
    text: str
    inputs: list[dict]
    description: str
    derivation: str | None

    def __new__(cls, text: str, *, spec: FactSpec, value: Any, inputs: list[dict]) -> Self:
        obj = super().__new__(cls, text)
        obj.text = str(text)
        obj.fact_id = spec.fact_id
        obj.value = value
        obj.unit = spec.unit
        obj.inputs = inputs
        obj.description = spec.description
        obj.derivation = spec.derivation
        obj._spec = spec
        return obj

    def provenance(self) -> dict:
        """Describe the fact for the build's provenance record."""
        return self._record().to_json()

    def _record(self) -> FactProvenance:
        return FactProvenance(
            id=self.fact_id, value=self.value, unit=self.unit,
            function=function_name(self._spec.func),
            code=code_record(code_location(self._spec.func)),
            inputs=input_records(self.inputs), params=dict(self._spec.params),
            # A number the report does not print: say how it was computed, wherever it is shown.
            derivation=self._spec.derivation or None)

    def _litbuild_inline_(self) -> dict:
        return InlineInfo(self.text, self.fact_id, self._record()).to_json()


# --------------------------------------------------------------------------- the registry
@dataclass(frozen=True)
class FactSpec:
    """How to compute and show one fact."""

    fact_id: str
    unit: str
    fmt: Callable[[Any], str]
    func: Callable[..., Any]
    description: str
    resources: tuple[str, ...]
    params: dict = field(default_factory=dict)
    derivation: str | None = None  # "computed: …" for a value the source does not print


REGISTRY: dict[str, FactSpec] = {}


def _register(spec: FactSpec) -> None:
    if spec.fact_id in REGISTRY:
        raise ValueError(f"fact {spec.fact_id!r} is defined twice")
    REGISTRY[spec.fact_id] = spec


def define(
    fact_id: str,
    *,
    unit: str,
    fmt: Callable[[Any], str],
    resources: list[str],
    derivation: str | None = None,
):
    """Register a function of the dataset as a fact; its docstring is the description.

    `derivation` marks a value the source does not print ("computed: a / b"); facts that only
    read or re-express a printed value leave it empty.
    """

    def decorate(func: Callable) -> Callable:
        doc = (func.__doc__ or "").strip().splitlines()
        _register(FactSpec(fact_id, unit, fmt, func, doc[0] if doc else fact_id, tuple(resources),
                           derivation=_computed(derivation)))  # fmt: skip
        return func

    return decorate


def lookup(
    fact_id: str,
    func: Callable,
    description: str,
    *,
    unit: str,
    fmt: Callable,
    derivation: str | None = None,
    **params,
) -> None:
    """Register a fact that applies a generic reader `func(ds, **params)`."""
    resources = getattr(func, "resources", ())
    if callable(resources):
        resources = resources(**params)
    _register(FactSpec(fact_id, unit, fmt, func, description, tuple(resources), dict(params),
                       derivation=_computed(derivation)))  # fmt: skip


def _computed(derivation: str | None) -> str | None:
    if not derivation:
        return None
    return derivation if derivation.startswith("computed: ") else f"computed: {derivation}"


# --------------------------------------------------------------------------- evaluation
@functools.cache
def default_dataset():
    """Return the dataset chapters share: the default edition, loaded once per process."""
    from kzchina.data import load

    return load()


def recorded_inputs(recorded) -> list[dict]:
    """Turn what `ds.recording()` collected into provenance input records."""
    return [{"resource": a.name, "path": a.path, "sha256": a.sha256} for a in recorded]


def plain(value: Any) -> Any:
    """Convert numpy/pandas scalars to plain Python values (never numpy in provenance)."""
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        raise ValueError("fact value is missing (NaN)")
    return value


_CACHE: dict[tuple[int, str], Fact] = {}


def fact(fact_id: str, ds=None) -> Fact:
    """Compute one fact from the dataset (the shared default when ds is None)."""
    try:
        spec = REGISTRY[fact_id]
    except KeyError:
        close = [k for k in REGISTRY if fact_id.split("_")[0] in k][:5]
        hint = f"; similar: {', '.join(close)}" if close else ""
        raise KeyError(f"unknown fact {fact_id!r}{hint}") from None
    ds = default_dataset() if ds is None else ds
    key = (id(ds), fact_id)
    cached = _CACHE.get(key)
    if cached is not None and cached._dataset is ds:
        return cached
    with ds.recording() as used:
        value = plain(spec.func(ds, **spec.params))
    result = Fact(spec.fmt(value), spec=spec, value=value, inputs=recorded_inputs(used))
    result._dataset = ds
    _CACHE[key] = result
    return result


def all_facts(ds=None) -> list[Fact]:
    """Compute every registered fact, in registration order."""
    return [fact(fact_id, ds) for fact_id in REGISTRY]


def facts_frame(ds=None) -> pd.DataFrame:
    """Return every fact as a table: id, text, value, unit, description, resources."""
    rows = []
    for f in all_facts(ds):
        rows.append(
            {
                "id": f.fact_id,
                "text": f.text,
                "value": f.value,
                "unit": f.unit,
                "description": f.description,
                "derivation": f.derivation or "",
                "resources": ", ".join(i["resource"] for i in f.inputs),
            }
        )
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------- reading helpers
def _select(frame: pd.DataFrame, where: dict, resource: str) -> pd.DataFrame:
    mask = pd.Series(True, index=frame.index)
    for column, wanted in where.items():
        mask &= frame[column].astype(str) == str(wanted)
    rows = frame[mask]
    if len(rows) != 1:
        raise LookupError(f"{resource}: expected one row for {where}, found {len(rows)}")
    return rows


def cell(ds, resource: str, column: str, **where) -> Any:
    """Return one cell of a resource, from the single row matching `where`."""
    rows = _select(ds.table(resource), where, resource)
    return plain(rows[column].iloc[0])


cell.resources = lambda resource, **_: (resource,)


def printed_value(ds, value_id: str) -> Any:
    """Return a value printed in the report's text (resource printed_values)."""
    value = cell(ds, "printed_values", "value", value_id=value_id)
    unit = cell(ds, "printed_values", "unit", value_id=value_id)
    # Counts and ranks are stored in a number column; show them as the integers they are.
    if unit in ("persons", "rank", "jobs") and float(value).is_integer():
        return int(value)
    return value


printed_value.resources = ("printed_values",)


def perception_value(ds, region: str, indicator: str, measurement: int) -> float:
    """Return a China Perception Index value (index or indicator) for a region and survey."""
    return cell(
        ds, "perception_index", "value", region=region, indicator=indicator, measurement=measurement
    )


perception_value.resources = ("perception_index",)


def legal_entity_count(ds, population: str, size: str) -> int:
    """Return a count of operating legal entities on 1 July 2022 (BNS)."""
    return cell(ds, "legal_entities", "count", population=population, size=size)


legal_entity_count.resources = ("legal_entities",)


def china_rank(ds, year: int) -> int:
    """Return China's rank among investors in Kazakhstan in a year (Table 2)."""
    return cell(ds, "investor_ranks", "rank", year=year, country="China")


china_rank.resources = ("investor_ranks",)


def position(ds, year: int, category: str, column: str = "position_usd_bn") -> float:
    """Return China's investment position (or share) in Kazakhstan for a year and category."""
    return cell(ds, "china_investment_position", column, year=year, category=category)


position.resources = ("china_investment_position",)


def trade(ds, partner: str, flow: str, column: str, year: int = 2021) -> Any:
    """Return a cell of Kazakhstan's trade with China (or with the world: partner='all')."""
    return cell(ds, "trade_with_china", column, year=year, partner=partner, flow=flow)


trade.resources = ("trade_with_china",)


def commodity_share(ds, flow: str, commodity_group: str, year: int = 2021) -> float:
    """Return a commodity group's share of Kazakhstan's exports to / imports from China."""
    return cell(
        ds, "trade_by_commodity", "share_pct", year=year, flow=flow, commodity_group=commodity_group
    )


commodity_share.resources = ("trade_by_commodity",)


def migration(ds, partner: str, flow: str) -> int:
    """Return a permanent-migration total for 2012–2021 (persons)."""
    return cell(
        ds, "permanent_migration", "persons", period_start=2012, period_end=2021,
        partner=partner, flow=flow,
    )  # fmt: skip


migration.resources = ("permanent_migration",)


def labour(ds, year: int, nationality: str, column: str) -> Any:
    """Return a labour-migration value (IOM) for a year and nationality."""
    return cell(ds, "labour_migration", column, year=year, nationality=nationality)


labour.resources = ("labour_migration",)


def foreign_workers(ds, country: str) -> int:
    """Return the number of foreign workers in Kazakhstan on 1 July 2022 by country."""
    return cell(ds, "foreign_workers", "workers", country=country)


foreign_workers.resources = ("foreign_workers",)


def media(ds, period: str, column: str) -> int:
    """Return a media-monitoring count (all reports or negative ones) for a period."""
    return cell(ds, "media_monitoring", column, period=period)


media.resources = ("media_monitoring",)


def _qualified(fmt: Callable[[Any], str], qualifier: str) -> Callable[[Any], str]:
    words = {"more_than": "more than ", "about": "about ", "exact": ""}
    return lambda value: words[qualifier] + fmt(value)


def _and_list(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


PCT2 = F.percent(2)
INT = F.number(0)
BN2 = F.usd_billion(2)
IDX = F.index_value(2)

# =========================================================================== Section I
lookup("politburo_members_min", printed_value, "Politburo members, lower end of the printed range",
       unit="persons", fmt=INT, value_id="politburo_members_min")  # fmt: skip
lookup("politburo_members_max", printed_value, "Politburo members, upper end of the printed range",
       unit="persons", fmt=INT, value_id="politburo_members_max")  # fmt: skip
lookup("regional_office_staff_min", printed_value, "Staff of a regional foreign affairs office, lower end",
       unit="persons", fmt=INT, value_id="regional_office_staff_min")  # fmt: skip
lookup("regional_office_staff_max", printed_value, "Staff of a regional foreign affairs office, upper end",
       unit="persons", fmt=INT, value_id="regional_office_staff_max")  # fmt: skip


lookup("caifc_partner_organisations_2011", cell, "CAIFC partner 'people's organisations', 2011",
       unit="organisations", fmt=INT, resource="caifc_partners", column="organisations", year=2011)  # fmt: skip
lookup("caifc_partner_countries_2011", cell, "Countries of CAIFC partner organisations, 2011",
       unit="countries", fmt=INT, resource="caifc_partners", column="countries", year=2011)  # fmt: skip
lookup("caifc_partner_organisations_2018", cell, "CAIFC partner organisations, 2018 (more than)",
       unit="organisations", fmt=INT, resource="caifc_partners", column="organisations", year=2018)  # fmt: skip
lookup("caifc_partner_countries_2018", cell, "Countries of CAIFC partner organisations, 2018",
       unit="countries", fmt=INT, resource="caifc_partners", column="countries", year=2018)  # fmt: skip
lookup("silk_road_fund_capital", cell, "Capital of the Silk Road Fund at its founding (USD billion)",
       unit="USD billion", fmt=F.usd_billion(0), resource="strategic_initiatives",
       column="capitalisation_usd_bn", initiative_id="SRF")  # fmt: skip
lookup("rmb_world_payment_rank_2015", printed_value,
       "Renminbi's rank among the world's most used currencies, October 2015",
       unit="rank", fmt=F.ordinal_word, value_id="rmb_currency_rank")  # fmt: skip

for _size, _label in (("total", ""), ("large", "_large"), ("medium", "_medium"), ("small", "_small")):
    lookup(f"foreign_owned_enterprises{_label}", legal_entity_count,
           f"Operating legal entities with foreign owners, 1 July 2022 ({_size})",
           unit="enterprises", fmt=INT, population="operating_legal_entities", size=_size)  # fmt: skip
    lookup(f"joint_ventures{_label}", legal_entity_count,
           f"Operating joint ventures with foreign participation, 1 July 2022 ({_size})",
           unit="enterprises", fmt=INT, population="joint_ventures_foreign", size=_size)  # fmt: skip
lookup("cn_owned_enterprises", legal_entity_count, "Enterprises owned by Chinese investors, mid-2022",
       unit="enterprises", fmt=INT, population="chinese_owned", size="total")  # fmt: skip
lookup("cn_owned_enterprises_small", legal_entity_count, "Small enterprises owned by Chinese investors, mid-2022",
       unit="enterprises", fmt=INT, population="chinese_owned", size="small")  # fmt: skip
lookup("cn_joint_ventures", legal_entity_count, "Joint ventures with Chinese investors, mid-2022",
       unit="enterprises", fmt=INT, population="chinese_joint_ventures", size="total")  # fmt: skip
lookup("cn_joint_ventures_small", legal_entity_count, "Small joint ventures with Chinese investors, mid-2022",
       unit="enterprises", fmt=INT, population="chinese_joint_ventures", size="small")  # fmt: skip


lookup("cn_share_foreign_owned", printed_value,
       "Chinese-owned enterprises as a share of all enterprises owned by foreign investors",
       unit="percent", fmt=PCT2, value_id="cn_owned_share_of_foreign_owned_pct")  # fmt: skip
lookup("cn_share_joint_ventures", printed_value,
       "Joint ventures with Chinese partners as a share of all joint ventures with foreign ones",
       unit="percent", fmt=PCT2, value_id="cn_jv_share_of_joint_ventures_pct")  # fmt: skip


# =========================================================================== Section II: investment
lookup("cn_investor_rank_2019", china_rank, "China's rank among investors in Kazakhstan, 2019",
       unit="rank", fmt=F.ordinal_word, year=2019)  # fmt: skip
lookup("cn_investor_rank_2020", china_rank, "China's rank among investors in Kazakhstan, 2020",
       unit="rank", fmt=F.ordinal_word, year=2020)  # fmt: skip
lookup("cn_investor_rank_2021", china_rank, "China's rank among investors in Kazakhstan, 2021",
       unit="rank", fmt=F.ordinal_word, year=2021)  # fmt: skip


lookup("cn_investor_rank_2020q1", printed_value,
       "China's rank among investors in Kazakhstan, first quarter of 2020 (as printed in the text)",
       unit="rank", fmt=F.ordinal_word, value_id="cn_investor_rank_2020q1")  # fmt: skip
lookup("cn_investor_rank_mid2021", printed_value,
       "China's rank among investors in Kazakhstan, mid-2021 (as printed in the text)",
       unit="rank", fmt=F.ordinal_word, value_id="cn_investor_rank_mid2021")  # fmt: skip


@define("investors_overtaking_china_2021", unit="text", fmt=F.text, resources=["investor_ranks"])
def investors_overtaking_china_2021(ds) -> str:
    """Name the countries ranked below China in 2019 but above it in 2021 (Table 2)."""
    ranks = ds.table("investor_ranks")
    r2019 = ranks[ranks["year"] == 2019].set_index("country")["rank"]
    r2021 = ranks[ranks["year"] == 2021].set_index("country")["rank"]
    cn19, cn21 = r2019["China"], r2021["China"]
    passed = [
        c for c, r in r2021.sort_values().items() if r < cn21 and c in r2019 and r2019[c] > cn19
    ]
    return _and_list(passed)


@define("cn_investment_peak", unit="USD billion", fmt=BN2, resources=["china_investment_position"])
def cn_investment_peak(ds) -> float:
    """China's highest printed total investment position in Kazakhstan (end of year)."""
    pos = ds.table("china_investment_position")
    return pos.loc[pos["category"] == "total", "position_usd_bn"].max()


@define("cn_investment_peak_year", unit="year", fmt=F.text, resources=["china_investment_position"])
def cn_investment_peak_year(ds) -> int:
    """Year of China's highest printed total investment position in Kazakhstan."""
    pos = ds.table("china_investment_position")
    totals = pos[pos["category"] == "total"]
    return int(totals.loc[totals["position_usd_bn"].idxmax(), "year"])


lookup("cn_investment_2021", position, "China's total investment position in Kazakhstan, end-2021",
       unit="USD billion", fmt=BN2, year=2021, category="total")  # fmt: skip
lookup("cn_share_investment_2021", position,
       "China's share of all foreign investment in Kazakhstan, end-2021",
       unit="percent", fmt=PCT2, year=2021, category="total", column="share_of_kz_total_pct")  # fmt: skip
for _year in (2016, 2017):
    lookup(f"cn_fdi_{_year}", position, f"China's FDI position in Kazakhstan, end-{_year}",
           unit="USD billion", fmt=BN2, year=_year, category="direct_investment")  # fmt: skip
    lookup(f"cn_share_fdi_{_year}", position, f"China's share of all FDI in Kazakhstan, end-{_year}",
           unit="percent", fmt=F.percent(1), year=_year, category="direct_investment",
           column="share_of_kz_total_pct")  # fmt: skip
for _year in (2016, 2017, 2021):
    lookup(f"cn_other_investment_{_year}", position,
           f"China's portfolio and other investment in Kazakhstan, end-{_year}",
           unit="USD billion", fmt=BN2, year=_year, category="other_categories")  # fmt: skip


@define("cn_investment_decline_2017_2021", unit="percent", fmt=F.percent(1),
        resources=["china_investment_position"],
        derivation="(end-2017 total − end-2021 total) / end-2017 total")  # fmt: skip
def cn_investment_decline_2017_2021(ds) -> float:
    """Fall in China's total investment position from its end-2017 peak to end-2021, per cent."""
    peak, latest = position(ds, 2017, "total"), position(ds, 2021, "total")
    return 100 * (peak - latest) / peak


@define("cn_fdi_change_2016_2017", unit="USD billion", fmt=BN2,
        resources=["china_investment_position"],
        derivation="end-2017 FDI position − end-2016 FDI position")  # fmt: skip
def cn_fdi_change_2016_2017(ds) -> float:
    """Rise in China's FDI position over 2017, USD billion."""
    return round(position(ds, 2017, "direct_investment") - position(ds, 2016, "direct_investment"), 2)


@define("cn_other_investment_change_2016_2017", unit="USD billion", fmt=BN2,
        resources=["china_investment_position"],
        derivation="end-2016 other categories − end-2017 other categories")  # fmt: skip
def cn_other_investment_change_2016_2017(ds) -> float:
    """Fall in China's portfolio and other investment over 2017, USD billion (positive)."""
    return round(position(ds, 2016, "other_categories") - position(ds, 2017, "other_categories"), 2)


@define("cn_investment_2016", unit="USD billion", fmt=BN2, resources=["china_investment_position"],
        derivation="end-2016 FDI position + end-2016 other categories")  # fmt: skip
def cn_investment_2016(ds) -> float:
    """China's total investment position at end-2016, USD billion (not printed)."""
    return round(position(ds, 2016, "direct_investment") + position(ds, 2016, "other_categories"), 2)


@define("cn_investment_change_2016_2017", unit="USD billion", fmt=BN2,
        resources=["china_investment_position"],
        derivation="end-2017 total − (end-2016 FDI + end-2016 other categories)")  # fmt: skip
def cn_investment_change_2016_2017(ds) -> float:
    """Net change in China's total investment position over 2017, USD billion."""
    return round(position(ds, 2017, "total") - cn_investment_2016(ds), 2)


@define("cn_fdi_2021", unit="USD billion", fmt=BN2, resources=["china_investment_position"],
        derivation="end-2021 total position − end-2021 portfolio and other investment")  # fmt: skip
def cn_fdi_2021(ds) -> float:
    """China's FDI position at end-2021, derived as total minus other categories."""
    return round(
        position(ds, 2021, "total") - position(ds, 2021, "other_categories"), 2
    )


@define("cn_fdi_decline_2017_2021", unit="percent", fmt=F.percent(1),
        resources=["china_investment_position"],
        derivation="(end-2017 FDI − derived end-2021 FDI) / end-2017 FDI")  # fmt: skip
def cn_fdi_decline_2017_2021(ds) -> float:
    """Fall in China's FDI position from end-2017 to end-2021 (derived), per cent."""
    fdi_2017 = position(ds, 2017, "direct_investment")
    return 100 * (fdi_2017 - cn_fdi_2021(ds)) / fdi_2017


lookup("cn_fdi_decline_printed", printed_value,
       "Fall in China's FDI position 2017-2021 as printed (more than)",
       unit="percent", fmt=_qualified(F.percent(0), "more_than"),
       value_id="cn_fdi_decline_2017_2021_pct")  # fmt: skip
lookup("cn_net_fdi_inflows_2016_2021", printed_value,
       "China's cumulative net FDI inflows to Kazakhstan, 2016-2021",
       unit="USD million", fmt=F.usd_million(2), value_id="cn_net_fdi_2016_2021_usd_mn")  # fmt: skip

for _category, _name in (
    ("other_investment", "other"),
    ("portfolio_investment", "portfolio"),
    ("reserve_assets", "reserves"),
    ("direct_investment", "direct"),
):
    lookup(f"kz_in_cn_{_name}_share_2021", cell,
           f"Share of {_category.replace('_', ' ')} in Kazakhstan's investment in China, end-2021",
           unit="percent", fmt=PCT2, resource="kz_investment_in_china", column="share_pct",
           year=2021, category=_category)  # fmt: skip


lookup("cn_fdi_share_transport_2021", printed_value,
       "Transport and storage's share of China's FDI position, end-2021",
       unit="percent", fmt=PCT2, value_id="cn_fdi_share_transport_2021_pct")  # fmt: skip
lookup("cn_fdi_share_mining_2021", printed_value,
       "Mining's share of China's FDI position, end-2021",
       unit="percent", fmt=PCT2, value_id="cn_fdi_share_mining_2021_pct")  # fmt: skip


def fdi_sectors_total(ds, year: int) -> float:
    """Return the sum of China's FDI position over all sectors in a year (Figure 3), USD billion."""
    fdi = ds.table("fdi_by_sector")
    return round(fdi.loc[fdi["year"] == year, "position_usd_mn"].sum() / 1000, 2)


fdi_sectors_total.resources = ("fdi_by_sector",)
for _year in (2015, 2019, 2021):
    lookup(f"cn_fdi_sectors_total_{_year}", fdi_sectors_total,
           f"Sum of China's FDI position over all sectors at end-{_year} (Figure 3), USD billion",
           unit="USD billion", fmt=BN2, derivation=f"sum of the eight sectors of Figure 3, {_year}",
           year=_year)  # fmt: skip


@define("cn_fdi_transport_peak", unit="USD million", fmt=F.usd_million(2),
        resources=["fdi_by_sector"])  # fmt: skip
def cn_fdi_transport_peak(ds) -> float:
    """Highest end-of-year Chinese FDI position in transport and storage, USD million."""
    fdi = ds.table("fdi_by_sector")
    return fdi.loc[fdi["sector"] == "transport", "position_usd_mn"].max()


@define("cn_fdi_transport_peak_year", unit="year", fmt=F.text, resources=["fdi_by_sector"])
def cn_fdi_transport_peak_year(ds) -> int:
    """Year in which Chinese FDI in transport and storage peaked."""
    fdi = ds.table("fdi_by_sector")
    transport = fdi[fdi["sector"] == "transport"]
    return int(transport.loc[transport["position_usd_mn"].idxmax(), "year"])


# =========================================================================== Section II: trade
for _flow in ("exports", "imports", "turnover"):
    lookup(f"cn_rank_kz_{_flow}_2021", trade, f"China's rank among Kazakhstan's partners in {_flow}, 2021",
           unit="rank", fmt=F.ordinal_word, partner="china", flow=_flow, column="china_rank")  # fmt: skip
    _fid = "cn_share_trade_turnover_2021" if _flow == "turnover" else f"cn_share_{_flow}_2021"
    lookup(_fid, trade, f"China's share of Kazakhstan's {_flow}, 2021",
           unit="percent", fmt=PCT2, partner="china", flow=_flow, column="share_of_kz_total_pct")  # fmt: skip
    _fid = "cn_trade_turnover_growth_2017_2021" if _flow == "turnover" else f"cn_{_flow}_growth_2017_2021"
    lookup(_fid, trade, f"Growth of Kazakhstan's {_flow} with China, 2021 over 2017",
           unit="percent", fmt=PCT2, partner="china", flow=_flow, column="growth_since_2017_pct")  # fmt: skip
lookup("kz_trade_turnover_growth_2017_2021", trade,
       "Growth of Kazakhstan's total foreign trade turnover, 2021 over 2017",
       unit="percent", fmt=PCT2, partner="all", flow="turnover", column="growth_since_2017_pct")  # fmt: skip
lookup("cn_trade_turnover_2021", trade, "Kazakhstan's trade turnover with China, 2021",
       unit="USD billion", fmt=F.usd_billion(1), partner="china", flow="turnover",
       column="value_usd_bn")  # fmt: skip


@define("cn_trade_turnover_2017", unit="USD billion", fmt=F.usd_billion(1),
        resources=["trade_with_china"],
        derivation="2021 turnover / (1 + growth 2017–2021 / 100)")  # fmt: skip
def cn_trade_turnover_2017(ds) -> float:
    """Kazakhstan's trade turnover with China in 2017, derived from 2021 and printed growth."""
    value = trade(ds, "china", "turnover", "value_usd_bn")
    growth = trade(ds, "china", "turnover", "growth_since_2017_pct")
    return round(value / (1 + growth / 100), 2)


lookup("cn_imports_drop_2020", printed_value, "Fall in imports from China in 2020 (more than)",
       unit="USD million", fmt=F.usd_million(0), value_id="imports_from_china_drop_2020_usd_mn")  # fmt: skip

for _flow, _group, _name in (
    ("exports", "mineral_products", "kz_exports_to_cn_mineral_share_2021"),
    ("exports", "chemical_products", "kz_exports_to_cn_chemical_share_2021"),
    ("exports", "metals", "kz_exports_to_cn_metals_share_2021"),
    ("imports", "machinery", "kz_imports_from_cn_machinery_share_2021"),
    ("imports", "chemical_products", "kz_imports_from_cn_chemical_share_2021"),
    ("imports", "textiles", "kz_imports_from_cn_textiles_share_2021"),
    ("imports", "metals", "kz_imports_from_cn_metals_share_2021"),
    ("imports", "footwear_headwear", "kz_imports_from_cn_footwear_share_2021"),
):
    lookup(_name, commodity_share, f"Share of {_group.replace('_', ' ')} in {_flow} with China, 2021",
           unit="percent", fmt=PCT2, flow=_flow, commodity_group=_group)  # fmt: skip
for _group in ("foodstuffs", "machinery"):
    lookup(f"kz_exports_to_cn_{_group}_share_2021", commodity_share,
           f"Share of {_group} in exports to China, 2021 (printed as 'just over')",
           unit="percent", fmt=_qualified(F.percent(0), "more_than"), flow="exports",
           commodity_group=_group)  # fmt: skip


# =========================================================================== Section II: migration
@define("kz_net_migration_outflow_2012_2021", unit="persons", fmt=INT,
        resources=["permanent_migration"])  # fmt: skip
def kz_net_migration_outflow_2012_2021(ds) -> int:
    """Kazakhstan's cumulative net migration outflow, 2012–2021 (persons, positive)."""
    return -migration(ds, "all", "net")


lookup("immigrants_from_cn_2012_2021", migration, "Arrivals from China for permanent residence, 2012-2021",
       unit="persons", fmt=INT, partner="china", flow="arrivals")  # fmt: skip
lookup("emigrants_to_cn_2012_2021", migration, "Departures to China for permanent residence, 2012-2021",
       unit="persons", fmt=INT, partner="china", flow="departures")  # fmt: skip


@define("emigrants_total_2012_2021", unit="thousand persons", fmt=F.thousands(1),
        resources=["permanent_migration"])  # fmt: skip
def emigrants_total_2012_2021(ds) -> float:
    """People who left Kazakhstan for permanent residence abroad, 2012–2021, thousand persons."""
    return migration(ds, "all", "departures") / 1000


@define("immigrants_total_2012_2021", unit="thousand persons", fmt=F.thousands(1),
        resources=["permanent_migration"],
        derivation="emigrants 2012–2021 − cumulative net outflow 2012–2021")  # fmt: skip
def immigrants_total_2012_2021(ds) -> float:
    """All immigrants to Kazakhstan for permanent residence, 2012–2021, thousand persons."""
    return (migration(ds, "all", "departures") + migration(ds, "all", "net")) / 1000


@define("immigrants_from_cn_2012_2021_thousand", unit="thousand persons", fmt=F.thousands(1),
        resources=["permanent_migration"])  # fmt: skip
def immigrants_from_cn_2012_2021_thousand(ds) -> float:
    """Arrivals from China for permanent residence, 2012–2021, thousand persons."""
    return migration(ds, "china", "arrivals") / 1000


lookup("immigrants_from_cn_share", printed_value,
       "China's share of all immigration 2012-2021 as printed ('roughly')",
       unit="percent", fmt=F.percent(1), value_id="cn_share_of_immigration_pct")  # fmt: skip


@define("immigrants_from_cn_share_derived", unit="percent", fmt=F.percent(1),
        resources=["permanent_migration"],
        derivation="arrivals from China / (emigrants − net outflow), 2012–2021")  # fmt: skip
def immigrants_from_cn_share_derived(ds) -> float:
    """China's share of all immigrants 2012–2021, derived from the printed counts."""
    immigrants = migration(ds, "all", "departures") + migration(ds, "all", "net")
    return 100 * migration(ds, "china", "arrivals") / immigrants


@define("immigrants_from_cn_share_of_emigrants", unit="percent", fmt=F.percent(1),
        resources=["permanent_migration"],
        derivation="arrivals from China / emigrants, 2012–2021")  # fmt: skip
def immigrants_from_cn_share_of_emigrants(ds) -> float:
    """Arrivals from China as a share of the 334.2 thousand (the reading the note rejects)."""
    return 100 * migration(ds, "china", "arrivals") / migration(ds, "all", "departures")


lookup("immigrants_from_cn_ethnic_kazakh_share", printed_value,
       "Ethnic Kazakhs among immigrants from China, 2012-2021",
       unit="percent", fmt=PCT2, value_id="ethnic_kazakh_share_of_immigrants_from_china_pct")  # fmt: skip
for _year in (2015, 2019):
    lookup(f"labour_migrants_share_{_year}", labour, f"Labour migrants' share of the labour force, {_year}",
           unit="percent", fmt=PCT2, year=_year, nationality="all",
           column="share_of_labour_force_pct")  # fmt: skip
    lookup(f"cn_labour_migrants_{_year}", labour, f"Chinese labour migrants in Kazakhstan, {_year}",
           unit="persons", fmt=INT, year=_year, nationality="china", column="migrants")  # fmt: skip
    lookup(f"cn_labour_migrants_share_{_year}", labour,
           f"Chinese labour migrants' share of the labour force, {_year}",
           unit="percent", fmt=PCT2, year=_year, nationality="china",
           column="share_of_labour_force_pct")  # fmt: skip


@define("labour_migrants_2018", unit="thousand persons", fmt=F.thousands(2),
        resources=["labour_migration"])  # fmt: skip
def labour_migrants_2018(ds) -> float:
    """Officially registered labour migrants in 2018 (a record), thousand persons."""
    return labour(ds, 2018, "all", "migrants") / 1000


for _country, _code in (
    ("all", ""),
    ("China", "_cn"),
    ("Turkey", "_tr"),
    ("India", "_in"),
    ("Uzbekistan", "_uz"),
    ("United Kingdom", "_gb"),
):
    lookup(f"foreign_workers{_code}_2022", foreign_workers,
           f"Foreign workers in Kazakhstan on 1 July 2022 ({_country})",
           unit="persons", fmt=INT, country=_country)  # fmt: skip


@define("foreign_workers_cn_share_2022", unit="percent", fmt=F.percent(1),
        resources=["foreign_workers"], derivation="workers from China / all foreign workers")  # fmt: skip
def foreign_workers_cn_share_2022(ds) -> float:
    """Chinese citizens' share of foreign workers in Kazakhstan on 1 July 2022."""
    return 100 * foreign_workers(ds, "China") / foreign_workers(ds, "all")


# =========================================================================== Section III
for _period, _suffix in (("2020", "2020"), ("2021", "2021"), ("2022H1", "2022h1")):
    lookup(f"media_reports_{_suffix}", media, f"Media reports on China monitored, {_period}",
           unit="reports", fmt=INT, period=_period, column="reports")  # fmt: skip
    lookup(f"media_negative_{_suffix}", media, f"Negative media reports on China, {_period}",
           unit="reports", fmt=INT, period=_period, column="negative_reports")  # fmt: skip


def negative_share(ds, period: str) -> float:
    """Return negative reports as a share of all monitored reports on China in a period."""
    return 100 * media(ds, period, "negative_reports") / media(ds, period, "reports")


negative_share.resources = ("media_monitoring",)
for _period, _suffix in (("2020", "2020"), ("2021", "2021"), ("2022H1", "2022h1")):
    lookup(f"media_negative_share_{_suffix}", negative_share,
           f"Negative reports as a share of all reports on China, {_period}",
           unit="percent", fmt=PCT2, derivation="negative reports / all reports", period=_period)  # fmt: skip


def topic_count(ds, period: str, tone: str) -> int:
    """Return how many topics Table 3 lists for a period and tone."""
    topics = ds.table("media_topics")
    return int(((topics["period"].astype(str) == period) & (topics["tone"] == tone)).sum())


topic_count.resources = ("media_topics",)
for _period in ("2020", "2021", "2022H1"):
    for _tone in ("negative", "positive"):
        lookup(f"media_topics_{_tone}_{_period.lower()}", topic_count,
               f"Number of {_tone} topics listed in Table 3 for {_period}",
               unit="topics", fmt=INT, derivation="rows counted in Table 3", period=_period,
               tone=_tone)  # fmt: skip


@define("media_reports_ratio_2021_2020", unit="times", fmt=F.number(1),
        resources=["media_monitoring"], derivation="all reports 2021 / all reports 2020")  # fmt: skip
def media_reports_ratio_2021_2020(ds) -> float:
    """How many times more reports on China the monitoring counted in 2021 than in 2020."""
    return media(ds, "2021", "reports") / media(ds, "2020", "reports")

# =========================================================================== Section IV
lookup("survey_respondents", printed_value, "Adult respondents of the 2022 mass survey",
       unit="persons", fmt=INT, value_id="survey_respondents")  # fmt: skip
lookup("cpi_2022", perception_value, "China Perception Index, Kazakhstan, latest measurement",
       unit="index (-1 to 1)", fmt=IDX, region="kazakhstan", indicator="index", measurement=2022)  # fmt: skip
lookup("cpi_2020", perception_value, "China Perception Index, Kazakhstan, 2020 measurement",
       unit="index (-1 to 1)", fmt=IDX, region="kazakhstan", indicator="index", measurement=2020)  # fmt: skip


@define("cpi_change", unit="index points", fmt=F.index_points(2), resources=["perception_index"],
        derivation="latest national index − 2020 national index")  # fmt: skip
def cpi_change(ds) -> float:
    """Change in the national China Perception Index between the two measurements."""
    return round(
        perception_value(ds, "kazakhstan", "index", 2022)
        - perception_value(ds, "kazakhstan", "index", 2020),
        2,
    )


for _i in (1, 2, 3, 4):
    lookup(f"cpi_indicator_{_i}_2022", perception_value,
           f"China Perception Index, indicator {_i}, Kazakhstan, latest measurement",
           unit="index (-1 to 1)", fmt=IDX, region="kazakhstan", indicator=f"indicator_{_i}",
           measurement=2022)  # fmt: skip
for _region in (
    "aktobe", "atyrau", "kyzylorda", "zhambyl", "kostanay", "west_kazakhstan",
    "north_kazakhstan", "karaganda",
):  # fmt: skip
    lookup(f"cpi_{_region}_2022", perception_value,
           f"China Perception Index, {_region.replace('_', ' ').title()} region, latest measurement",
           unit="index (-1 to 1)", fmt=IDX, region=_region, indicator="index", measurement=2022)  # fmt: skip
for _indicator, _name in (("index", "index"), ("indicator_1", "indicator_1"), ("indicator_2", "indicator_2")):
    for _m in (2020, 2022):
        lookup(f"cpi_mangystau_{_name}_{_m}", perception_value,
               f"Mangystau region, {_indicator.replace('_', ' ')}, {_m} measurement",
               unit="index (-1 to 1)", fmt=IDX, region="mangystau", indicator=_indicator,
               measurement=_m)  # fmt: skip
for _region, _indicator in (
    ("zhambyl", "indicator_4"),
    ("karaganda", "indicator_4"),
    ("shymkent", "indicator_4"),
    ("kyzylorda", "indicator_1"),
    ("kyzylorda", "indicator_3"),
    ("aktobe", "indicator_3"),
):
    lookup(f"cpi_{_region}_{_indicator}_2022", perception_value,
           f"{_region.title()}, {_indicator.replace('_', ' ')}, latest measurement",
           unit="index (-1 to 1)", fmt=IDX, region=_region, indicator=_indicator,
           measurement=2022)  # fmt: skip


@define("cpi_indicator_mean_2022", unit="index (-1 to 1)", fmt=IDX, resources=["perception_index"],
        derivation="mean of the four national indicators, latest measurement")  # fmt: skip
def cpi_indicator_mean_2022(ds) -> float:
    """Mean of the four national indicators in the latest measurement (the index's reading)."""
    return sum(perception_value(ds, "kazakhstan", f"indicator_{i}", 2022) for i in range(1, 5)) / 4


def mangystau_indicators_3_4(ds, measurement: int) -> float:
    """Return what indicators 3 and 4 must add up to in Mangystau if the index is their mean."""
    index = perception_value(ds, "mangystau", "index", measurement)
    return round(4 * index - sum(perception_value(ds, "mangystau", f"indicator_{i}", measurement)
                                 for i in (1, 2)), 2)  # fmt: skip


mangystau_indicators_3_4.resources = ("perception_index",)
for _m in (2020, 2022):
    lookup(f"cpi_mangystau_indicators_3_4_sum_{_m}", mangystau_indicators_3_4,
           f"Mangystau, sum of indicators 3 and 4 implied by the index, {_m} measurement",
           unit="index points", fmt=IDX,
           derivation="4 × index − indicator 1 − indicator 2 (if the index is the mean of four)",
           measurement=_m)  # fmt: skip


@define("cpi_low_regions", unit="count", fmt=F.cardinal_word, resources=["perception_index"])
def cpi_low_regions(ds) -> int:
    """Count the regions with a negative latest China Perception Index."""
    pi = ds.table("perception_index")
    latest = pi[(pi["measurement"] == 2022) & (pi["indicator"] == "index")]
    return int((latest.loc[latest["region"] != "kazakhstan", "value"] < 0).sum())


# =========================================================================== Section V
@define("transport_jobs_planned_2025", unit="thousand jobs", fmt=F.thousands(1),
        resources=["printed_values"])  # fmt: skip
def transport_jobs_planned_2025(ds) -> float:
    """Jobs planned in transport by 2025 under Nurly Zhol, thousand."""
    return printed_value(ds, "transport_jobs_planned_2025") / 1000


lookup("bri_potential_growth_central_asia", printed_value,
       "Estimated potential growth of Central Asian economies from the BRI",
       unit="percent", fmt=F.percent(0), value_id="bri_potential_growth_central_asia_pct")  # fmt: skip
