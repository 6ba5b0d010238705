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

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Self

from kzchina import formatting as F
from kzchina import formulas, words
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
            id=self.fact_id,
            value=self.value,
            unit=self.unit,
            function=function_name(self._spec.func),
            code=code_record(code_location(self._spec.func)),
            inputs=input_records(self.inputs),
            params=dict(self._spec.params),
            # A number the report does not print: say how it was computed, wherever it is shown.
            derivation=self._spec.derivation or None,
        )

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
    derivation: str | None = None,
):
    """Register a function of the dataset as a fact; its docstring is the description.

    `derivation` marks a value the source does not print ("computed: a / b"); facts that only
    read or re-express a printed value leave it empty.
    """

    def decorate(func: Callable) -> Callable:
        doc = (func.__doc__ or "").strip().splitlines()
        _register(FactSpec(fact_id, unit, fmt, func, doc[0] if doc else fact_id,
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
    _register(FactSpec(fact_id, unit, fmt, func, description, dict(params),
                       derivation=_computed(derivation)))  # fmt: skip


def _computed(derivation: str | None) -> str | None:
    if not derivation:
        return None
    return derivation if derivation.startswith("computed: ") else f"computed: {derivation}"


# --------------------------------------------------------------------------- evaluation
_SHARED: dict[str, Any] = {}


def default_dataset():
    """Return the dataset chapters share: the chosen edition, loaded once per process."""
    if "ds" not in _SHARED:
        from kzchina.data import load

        _SHARED["ds"] = load()
    return _SHARED["ds"]


def use_edition(edition: str):
    """Make one edition the shared dataset (a chapter's `parameters` cell names it)."""
    from kzchina.data import load

    current = _SHARED.get("ds")
    if current is None or current.edition != str(edition):
        _SHARED["ds"] = load(edition)
    return _SHARED["ds"]


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


def _load_extensions() -> None:
    """Import the modules that register facts of their own (claim counts, edition names)."""
    import kzchina.changes  # noqa: F401
    import kzchina.claims  # noqa: F401


# Ids that named a year before facts were named by meaning; still understood so that prose written
# against them builds, but reported under the new id.
RENAMED: dict[str, str] = {
    "cn_investor_rank_2019": "cn_investor_rank_first",
    "cn_investor_rank_2020": "cn_investor_rank_previous",
    "cn_investor_rank_2021": "cn_investor_rank_latest",
    "investors_overtaking_china_2021": "investors_overtaking_china",
    "cn_investment_2021": "cn_investment_latest",
    "cn_share_investment_2021": "cn_share_investment_latest",
    "cn_other_investment_2021": "cn_other_investment_latest",
    "cn_fdi_2021": "cn_fdi_latest",
    "cn_fdi_decline_2017_2021": "cn_fdi_decline_since_2017",
    "cn_net_fdi_inflows_2016_2021": "cn_net_fdi_inflows",
    "kz_in_cn_other_share_2021": "kz_in_cn_other_share",
    "kz_in_cn_portfolio_share_2021": "kz_in_cn_portfolio_share",
    "kz_in_cn_reserves_share_2021": "kz_in_cn_reserves_share",
    "kz_in_cn_direct_share_2021": "kz_in_cn_direct_share",
    "cn_fdi_share_transport_2021": "cn_fdi_share_transport",
    "cn_fdi_share_mining_2021": "cn_fdi_share_mining",
    "cn_rank_kz_exports_2021": "cn_rank_kz_exports",
    "cn_rank_kz_imports_2021": "cn_rank_kz_imports",
    "cn_rank_kz_turnover_2021": "cn_rank_kz_turnover",
    "cn_share_trade_turnover_2021": "cn_share_trade_turnover",
    "cn_share_exports_2021": "cn_share_exports",
    "cn_share_imports_2021": "cn_share_imports",
    "cn_trade_turnover_growth_2017_2021": "cn_trade_turnover_growth",
    "cn_exports_growth_2017_2021": "cn_exports_growth",
    "cn_imports_growth_2017_2021": "cn_imports_growth",
    "kz_trade_turnover_growth_2017_2021": "kz_trade_turnover_growth",
    "cn_trade_turnover_2021": "cn_trade_turnover",
    "cn_trade_turnover_2017": "cn_trade_turnover_base",
    "kz_exports_to_cn_mineral_share_2021": "kz_exports_to_cn_mineral_share",
    "kz_exports_to_cn_chemical_share_2021": "kz_exports_to_cn_chemical_share",
    "kz_exports_to_cn_metals_share_2021": "kz_exports_to_cn_metals_share",
    "kz_imports_from_cn_machinery_share_2021": "kz_imports_from_cn_machinery_share",
    "kz_imports_from_cn_chemical_share_2021": "kz_imports_from_cn_chemical_share",
    "kz_imports_from_cn_textiles_share_2021": "kz_imports_from_cn_textiles_share",
    "kz_imports_from_cn_metals_share_2021": "kz_imports_from_cn_metals_share",
    "kz_imports_from_cn_footwear_share_2021": "kz_imports_from_cn_footwear_share",
    "kz_exports_to_cn_foodstuffs_share_2021": "kz_exports_to_cn_foodstuffs_share",
    "kz_exports_to_cn_machinery_share_2021": "kz_exports_to_cn_machinery_share",
    "kz_net_migration_outflow_2012_2021": "kz_net_migration_outflow",
    "immigrants_from_cn_2012_2021_thousand": "immigrants_from_cn_thousand",
    "immigrants_from_cn_2012_2021": "immigrants_from_cn",
    "emigrants_to_cn_2012_2021": "emigrants_to_cn",
    "immigrants_total_2012_2021": "immigrants_total",
    "labour_migrants_share_2015": "labour_migrants_share_first",
    "labour_migrants_share_2019": "labour_migrants_share_latest",
    "cn_labour_migrants_share_2015": "cn_labour_migrants_share_first",
    "cn_labour_migrants_share_2019": "cn_labour_migrants_share_latest",
    "cn_labour_migrants_2015": "cn_labour_migrants_first",
    "cn_labour_migrants_2019": "cn_labour_migrants_latest",
    "labour_migrants_2018": "labour_migrants_record",
    "foreign_workers_cn_share_2022": "foreign_workers_cn_share",
    "foreign_workers_2022": "foreign_workers",
    "foreign_workers_cn_2022": "foreign_workers_cn",
    "foreign_workers_tr_2022": "foreign_workers_tr",
    "foreign_workers_in_2022": "foreign_workers_in",
    "foreign_workers_uz_2022": "foreign_workers_uz",
    "foreign_workers_gb_2022": "foreign_workers_gb",
    "cpi_2022": "cpi_latest",
    "cpi_2020": "cpi_previous",
    "cpi_indicator_1_2022": "cpi_indicator_1",
    "cpi_indicator_2_2022": "cpi_indicator_2",
    "cpi_indicator_3_2022": "cpi_indicator_3",
    "cpi_indicator_4_2022": "cpi_indicator_4",
    "cpi_aktobe_2022": "cpi_aktobe",
    "cpi_atyrau_2022": "cpi_atyrau",
    "cpi_kyzylorda_2022": "cpi_kyzylorda",
    "cpi_zhambyl_2022": "cpi_zhambyl",
    "cpi_kostanay_2022": "cpi_kostanay",
    "cpi_west_kazakhstan_2022": "cpi_west_kazakhstan",
    "cpi_north_kazakhstan_2022": "cpi_north_kazakhstan",
    "cpi_karaganda_2022": "cpi_karaganda",
    "cpi_mangystau_index_2020": "cpi_mangystau_index_previous",
    "cpi_mangystau_index_2022": "cpi_mangystau_index_latest",
    "cpi_mangystau_indicator_1_2020": "cpi_mangystau_indicator_1_previous",
    "cpi_mangystau_indicator_1_2022": "cpi_mangystau_indicator_1_latest",
    "cpi_mangystau_indicator_2_2020": "cpi_mangystau_indicator_2_previous",
    "cpi_mangystau_indicator_2_2022": "cpi_mangystau_indicator_2_latest",
    "cpi_zhambyl_indicator_4_2022": "cpi_zhambyl_indicator_4",
    "cpi_karaganda_indicator_4_2022": "cpi_karaganda_indicator_4",
    "cpi_shymkent_indicator_4_2022": "cpi_shymkent_indicator_4",
    "cpi_kyzylorda_indicator_1_2022": "cpi_kyzylorda_indicator_1",
    "cpi_kyzylorda_indicator_3_2022": "cpi_kyzylorda_indicator_3",
    "cpi_aktobe_indicator_3_2022": "cpi_aktobe_indicator_3",
    "cn_investor_rank_2020q1": "cn_investor_rank_previous",
    "cn_investor_rank_mid2021": "cn_investor_rank_latest",
    "cn_investment_decline_2017_2021": "cn_investment_decline_since_peak",
    "cn_fdi_sectors_total_2015": "cn_fdi_sectors_total_first",
    "cn_fdi_sectors_total_2021": "cn_fdi_sectors_total_latest",
    "emigrants_total_2012_2021": "emigrants_total",
    "cpi_indicator_mean_2022": "cpi_indicator_mean",
    "cpi_mangystau_indicators_3_4_sum_2020": "cpi_mangystau_indicators_3_4_sum_previous",
    "cpi_mangystau_indicators_3_4_sum_2022": "cpi_mangystau_indicators_3_4_sum_latest",
    "media_reports_2020": "media_reports_first",
    "media_negative_2020": "media_negative_first",
    "media_negative_share_2020": "media_negative_share_first",
    "media_topics_negative_2020": "media_topics_negative_first",
    "media_topics_positive_2020": "media_topics_positive_first",
    "media_reports_2021": "media_reports_second",
    "media_negative_2021": "media_negative_second",
    "media_negative_share_2021": "media_negative_share_second",
    "media_topics_negative_2021": "media_topics_negative_second",
    "media_topics_positive_2021": "media_topics_positive_second",
    "media_reports_2022h1": "media_reports_latest",
    "media_negative_2022h1": "media_negative_latest",
    "media_negative_share_2022h1": "media_negative_share_latest",
    "media_topics_negative_2022h1": "media_topics_negative_latest",
    "media_topics_positive_2022h1": "media_topics_positive_latest",
    "media_reports_ratio_2021_2020": "media_reports_ratio",
}  # fmt: skip


def fact(fact_id: str, ds=None) -> Fact:
    """Compute one fact from the dataset (the shared default when ds is None)."""
    fact_id = RENAMED.get(fact_id, fact_id)
    if fact_id not in REGISTRY:
        _load_extensions()
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
    _load_extensions()
    return [fact(fact_id, ds) for fact_id in REGISTRY]


# --------------------------------------------------------------------------- reading helpers
def period_of(ds, resource: str, when: int | str, column: str = "year", **where) -> int:
    """Resolve 'latest', 'previous' or 'first' to a period present in a resource (ints pass)."""
    if not isinstance(when, str):
        return int(when)
    frame, rows = ds.rows_where(resource, **where)
    periods = sorted({int(v) for v in frame[column].iloc[rows].dropna()})
    if not periods:
        raise LookupError(f"{resource}: no {column} values for {where}")
    picks = {"latest": -1, "previous": -2, "first": 0}
    if when not in picks or (when == "previous" and len(periods) < 2):
        raise LookupError(f"{resource}: no {when} {column} in {periods}")
    return periods[picks[when]]


def cell(ds, resource: str, column: str, **where) -> Any:
    """Return one cell of a resource, from the single row matching `where`."""
    frame, rows = ds.rows_where(resource, **where)
    if len(rows) != 1:
        raise LookupError(f"{resource}: expected one row for {where}, found {len(rows)}")
    return plain(frame[column].iloc[rows[0]])


def printed_value(ds, value_id: str) -> Any:
    """Return a value printed in the report's text (resource printed_values)."""
    value = cell(ds, "printed_values", "value", value_id=value_id)
    unit = cell(ds, "printed_values", "unit", value_id=value_id)
    # Counts and ranks are stored in a number column; show them as the integers they are.
    if unit in ("persons", "rank", "jobs") and float(value).is_integer():
        return int(value)
    return value


def perception_value(ds, region: str, indicator: str, measurement: int | str = "latest") -> float:
    """Return a China Perception Index value (index or indicator) for a region and survey."""
    measurement = period_of(
        ds, "perception_index", measurement, "measurement", region="kazakhstan", indicator="index"
    )
    return cell(
        ds, "perception_index", "value", region=region, indicator=indicator, measurement=measurement
    )


def legal_entity_count(ds, population: str, size: str) -> int:
    """Return a count of operating legal entities on 1 July 2022 (BNS)."""
    return cell(ds, "legal_entities", "count", population=population, size=size)


def china_rank(ds, year: int | str = "latest") -> int:
    """Return China's rank among investors in Kazakhstan in a year (Table 2)."""
    year = period_of(ds, "investor_ranks", year)
    return cell(ds, "investor_ranks", "rank", year=year, country="China")


def position(ds, year: int | str, category: str, column: str = "position_usd_bn") -> float:
    """Return China's investment position (or share) in Kazakhstan for a year and category."""
    year = period_of(ds, "china_investment_position", year)
    return cell(ds, "china_investment_position", column, year=year, category=category)


def trade(ds, partner: str, flow: str, column: str, year: int | str = "latest") -> Any:
    """Return a cell of Kazakhstan's trade with China (or with the world: partner='all')."""
    year = period_of(ds, "trade_with_china", year)
    return cell(ds, "trade_with_china", column, year=year, partner=partner, flow=flow)


def commodity_share(ds, flow: str, commodity_group: str, year: int | str = "latest") -> float:
    """Return a commodity group's share of Kazakhstan's exports to / imports from China."""
    year = period_of(ds, "trade_by_commodity", year)
    return cell(
        ds, "trade_by_commodity", "share_pct", year=year, flow=flow, commodity_group=commodity_group
    )


def migration(ds, partner: str, flow: str) -> int:
    """Return a permanent-migration total over the latest period the data give (persons)."""
    end = period_of(ds, "permanent_migration", "latest", "period_end")
    start = period_of(ds, "permanent_migration", "latest", "period_start", period_end=end)
    return cell(
        ds, "permanent_migration", "persons", period_start=start, period_end=end,
        partner=partner, flow=flow,
    )  # fmt: skip


def labour(ds, year: int | str, nationality: str, column: str) -> Any:
    """Return a labour-migration value (IOM) for a year and nationality."""
    if isinstance(year, str):  # first/latest year in which this value is printed
        frame = ds.table("labour_migration")
        years = sorted(
            frame.loc[(frame["nationality"] == nationality) & frame[column].notna(), "year"].astype(
                int
            )
        )
        year = years[{"latest": -1, "first": 0, "previous": -2}[year]]
    return cell(ds, "labour_migration", column, year=year, nationality=nationality)


def foreign_workers(ds, country: str) -> int:
    """Return the number of foreign workers in Kazakhstan on 1 July 2022 by country."""
    return cell(ds, "foreign_workers", "workers", country=country)


def media(ds, period: str, column: str) -> int:
    """Return a media-monitoring count (all reports or negative ones) for a period."""
    return cell(ds, "media_monitoring", column, period=period)


def _qualified(fmt: Callable[[Any], str], qualifier: str) -> Callable[[Any], str]:
    words = {"more_than": "more than ", "about": "about ", "exact": ""}
    return lambda value: words[qualifier] + fmt(value)


def _and_list(items: list[str]) -> str:
    return words.name_list(items) if items else ""


_COUNTRY_NAMES = {
    "USA": "the United States",
    "The Netherlands": "the Netherlands",
    "United Kingdom": "the United Kingdom",
}


def _country_name(country: str) -> str:
    """Name a country of Table 2 as prose does ("the Netherlands", "the United States")."""
    return _COUNTRY_NAMES.get(country, country)


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

for _size, _label in (
    ("total", ""),
    ("large", "_large"),
    ("medium", "_medium"),
    ("small", "_small"),
):
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


# =========================================================================== periods
# Years and periods the prose names are facts too: they move with the edition's data.
def _period_fact(
    fact_id: str, resource: str, when: str, description: str, column: str = "year", **where
) -> None:
    _register(
        FactSpec(
            fact_id,
            "year",
            F.text,
            period_of,
            description,
            {"resource": resource, "when": when, "column": column, **where},
        )
    )


_period_fact(
    "latest_year",
    "trade_with_china",
    "latest",
    "Latest year of the edition's main series (trade with China)",
)
_period_fact(
    "investment_latest_year",
    "china_investment_position",
    "latest",
    "Latest year of China's investment position",
)
_period_fact(
    "investor_rank_first_year",
    "investor_ranks",
    "first",
    "First year of the investor ranking (Table 2)",
)
_period_fact(
    "investor_rank_previous_year",
    "investor_ranks",
    "previous",
    "Year before the latest in the investor ranking",
)
_period_fact(
    "investor_rank_latest_year", "investor_ranks", "latest", "Latest year of the investor ranking"
)
_period_fact(
    "fdi_sector_first_year",
    "fdi_by_sector",
    "first",
    "First year of Chinese FDI by sector (Figure 3)",
)
_period_fact(
    "fdi_sector_latest_year",
    "fdi_by_sector",
    "latest",
    "Latest year of Chinese FDI by sector (Figure 3)",
)
_period_fact(
    "kz_in_cn_year",
    "kz_investment_in_china",
    "latest",
    "Year of the structure of Kazakhstan's investment in China",
)
_period_fact(
    "commodity_latest_year",
    "trade_by_commodity",
    "latest",
    "Year of the commodity structure of trade with China",
)
_period_fact(
    "migration_first_year",
    "permanent_migration",
    "first",
    "First year of the permanent-migration totals",
    column="period_start",
)
_period_fact(
    "migration_latest_year",
    "permanent_migration",
    "latest",
    "Last year of the permanent-migration totals",
    column="period_end",
)
_period_fact(
    "labour_first_year",
    "labour_migration",
    "first",
    "First year of the IOM labour-migration data",
    nationality="china",
)
_period_fact(
    "labour_latest_year",
    "labour_migration",
    "latest",
    "Latest year of the IOM labour-migration data",
    nationality="china",
)
_period_fact(
    "cpi_latest_measurement",
    "perception_index",
    "latest",
    "Year of the latest China Perception Index measurement",
    column="measurement",
    region="kazakhstan",
    indicator="index",
)
_period_fact(
    "cpi_previous_measurement",
    "perception_index",
    "previous",
    "Year of the previous China Perception Index measurement",
    column="measurement",
    region="kazakhstan",
    indicator="index",
)


def _latest_date(ds, resource: str):
    return ds.table(resource)["date"].max()


def _date_text(value) -> str:
    """Write a date as prose does: '1 July 2022'."""
    import datetime as dt

    day = value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])
    return f"{day.day} {day:%B %Y}"


@define("legal_entities_date", unit="date", fmt=_date_text)
def legal_entities_date(ds) -> str:
    """Date of the latest count of operating legal entities (BNS)."""
    return _latest_date(ds, "legal_entities").strftime("%Y-%m-%d")


@define("legal_entities_year", unit="year", fmt=F.text)
def legal_entities_year(ds) -> int:
    """Year of the latest count of operating legal entities (BNS)."""
    return int(_latest_date(ds, "legal_entities").year)


@define("foreign_workers_date", unit="date", fmt=_date_text)
def foreign_workers_date(ds) -> str:
    """Date of the latest count of foreign workers in Kazakhstan."""
    return _latest_date(ds, "foreign_workers").strftime("%Y-%m-%d")


@define("trade_base_year", unit="year", fmt=F.text)
def trade_base_year(ds) -> int:
    """The year the printed trade growth rates compare with."""
    return int(trade(ds, "china", "turnover", "base_year"))


@define("investor_rank_stable_until", unit="year", fmt=F.text)
def investor_rank_stable_until(ds) -> int:
    """Last year of the first unbroken run in which China kept its first-year rank (Table 2)."""
    ranks = ds.table("investor_ranks")
    china = ranks[ranks["country"] == "China"].set_index("year")["rank"].sort_index()
    last = int(china.index[0])
    for year, rank in china.items():
        if rank != china.iloc[0]:
            break
        last = int(year)
    return last


# =========================================================================== Section II: investment
lookup("cn_investor_rank_first", china_rank, "China's rank among investors in Kazakhstan, first year of Table 2",
       unit="rank", fmt=F.ordinal_word, year="first")  # fmt: skip
lookup("cn_investor_rank_previous", china_rank, "China's rank among investors in Kazakhstan, year before the latest",
       unit="rank", fmt=F.ordinal_word, year="previous")  # fmt: skip
lookup("cn_investor_rank_latest", china_rank, "China's rank among investors in Kazakhstan, latest year",
       unit="rank", fmt=F.ordinal_word, year="latest")  # fmt: skip


@define("investors_ahead_of_china_first", unit="text", fmt=F.text)
def investors_ahead_of_china_first(ds) -> str:
    """Name the countries ranked above China in the first year of Table 2, in rank order."""
    ranks = ds.table("investor_ranks")
    first = ranks[ranks["year"] == ranks["year"].min()].sort_values("rank")
    cn = int(first.loc[first["country"] == "China", "rank"].iloc[0])
    return _and_list([_country_name(c) for c in first.loc[first["rank"] < cn, "country"]])


@define("investors_overtaking_china", unit="text", fmt=F.text)
def investors_overtaking_china(ds) -> str:
    """Name the countries ranked below China in the first year but above it in the latest."""
    ranks = ds.table("investor_ranks")
    first = ranks[ranks["year"] == ranks["year"].min()].set_index("country")["rank"]
    last = ranks[ranks["year"] == ranks["year"].max()].set_index("country")["rank"]
    cn_first, cn_last = first["China"], last["China"]
    passed = [
        c
        for c, r in last.sort_values().items()
        if r < cn_last and (c not in first or first[c] > cn_first)
    ]
    return _and_list(passed) if passed else "no other country"


@define("cn_investment_peak", unit="USD billion", fmt=BN2)
def cn_investment_peak(ds) -> float:
    """China's highest printed total investment position in Kazakhstan (end of year)."""
    pos = ds.table("china_investment_position")
    return pos.loc[pos["category"] == "total", "position_usd_bn"].max()


@define("cn_investment_peak_year", unit="year", fmt=F.text)
def cn_investment_peak_year(ds) -> int:
    """Year of China's highest printed total investment position in Kazakhstan."""
    pos = ds.table("china_investment_position")
    totals = pos[pos["category"] == "total"]
    return int(totals.loc[totals["position_usd_bn"].idxmax(), "year"])


lookup("cn_investment_latest", position, "China's total investment position in Kazakhstan, latest year",
       unit="USD billion", fmt=BN2, year="latest", category="total")  # fmt: skip
lookup("cn_share_investment_latest", position,
       "China's share of all foreign investment in Kazakhstan, latest year",
       unit="percent", fmt=PCT2, year="latest", category="total", column="share_of_kz_total_pct")  # fmt: skip


@define("cn_investment_years_since_peak", unit="years", fmt=words.count,
        derivation="latest year − year of the peak total position")  # fmt: skip
def cn_investment_years_since_peak(ds) -> int:
    """Years from China's peak total investment position to the latest year."""
    return period_of(ds, "china_investment_position", "latest") - cn_investment_peak_year(ds)


# The 2016-2017 reclassification is an event with its own dates: these facts keep their years.
for _year in (2016, 2017):
    lookup(f"cn_fdi_{_year}", position, f"China's FDI position in Kazakhstan, end-{_year}",
           unit="USD billion", fmt=BN2, year=_year, category="direct_investment")  # fmt: skip
    lookup(f"cn_share_fdi_{_year}", position, f"China's share of all FDI in Kazakhstan, end-{_year}",
           unit="percent", fmt=F.percent(1), year=_year, category="direct_investment",
           column="share_of_kz_total_pct")  # fmt: skip
    lookup(f"cn_other_investment_{_year}", position,
           f"China's portfolio and other investment in Kazakhstan, end-{_year}",
           unit="USD billion", fmt=BN2, year=_year, category="other_categories")  # fmt: skip
lookup("cn_other_investment_latest", position,
       "China's portfolio and other investment in Kazakhstan, latest year",
       unit="USD billion", fmt=BN2, year="latest", category="other_categories")  # fmt: skip


def _years_with_share(ds, category: str) -> str:
    pos = ds.table("china_investment_position")
    rows = pos[(pos["category"] == category) & pos["share_of_kz_total_pct"].notna()]
    return _and_list([str(int(y)) for y in sorted(rows["year"].unique())])


@define("cn_fdi_share_years", unit="period", fmt=F.text)
def cn_fdi_share_years(ds) -> str:
    """Years for which the data give China's share of all FDI in Kazakhstan."""
    return _years_with_share(ds, "direct_investment")


@define("cn_total_share_years", unit="period", fmt=F.text)
def cn_total_share_years(ds) -> str:
    """Years for which the data give China's share of all foreign investment in Kazakhstan."""
    return _years_with_share(ds, "total")


@define("cn_investment_decline_since_peak", unit="percent", fmt=F.percent(1),
        derivation="(peak total − latest total) / peak total")  # fmt: skip
def cn_investment_decline_since_peak(ds) -> float:
    """Fall in China's total investment position from its peak to the latest year, per cent."""
    peak, latest = cn_investment_peak(ds), position(ds, "latest", "total")
    return 100 * (peak - latest) / peak


# The 2016-2017 reclassification is an event with its own dates: these facts keep their years.
@define("cn_fdi_change_2016_2017", unit="USD billion", fmt=BN2,
        derivation="end-2017 FDI position − end-2016 FDI position")  # fmt: skip
def cn_fdi_change_2016_2017(ds) -> float:
    """Rise in China's FDI position over 2017, USD billion."""
    return round(
        position(ds, 2017, "direct_investment") - position(ds, 2016, "direct_investment"), 2
    )


@define("cn_other_investment_change_2016_2017", unit="USD billion", fmt=BN2,
        derivation="end-2016 other categories − end-2017 other categories")  # fmt: skip
def cn_other_investment_change_2016_2017(ds) -> float:
    """Fall in China's portfolio and other investment over 2017, USD billion (positive)."""
    return round(position(ds, 2016, "other_categories") - position(ds, 2017, "other_categories"), 2)


@define("cn_investment_2016", unit="USD billion", fmt=BN2,
        derivation="end-2016 FDI position + end-2016 other categories")  # fmt: skip
def cn_investment_2016(ds) -> float:
    """China's total investment position at end-2016, USD billion (not printed)."""
    return formulas.total_from_parts(
        position(ds, 2016, "direct_investment"), position(ds, 2016, "other_categories")
    )


@define("cn_investment_change_2016_2017", unit="USD billion", fmt=BN2,
        derivation="end-2017 total − (end-2016 FDI + end-2016 other categories)")  # fmt: skip
def cn_investment_change_2016_2017(ds) -> float:
    """Net change in China's total investment position over 2017, USD billion."""
    return round(position(ds, 2017, "total") - cn_investment_2016(ds), 2)


@define("cn_fdi_latest", unit="USD billion", fmt=BN2,
        derivation="latest total position − latest portfolio and other investment")  # fmt: skip
def cn_fdi_latest(ds) -> float:
    """China's FDI position in the latest year, derived as total minus other categories."""
    return formulas.fdi_from_total(
        position(ds, "latest", "total"), position(ds, "latest", "other_categories")
    )


@define("cn_fdi_decline_since_2017", unit="percent", fmt=F.percent(1),
        derivation="(end-2017 FDI − derived latest FDI) / end-2017 FDI")  # fmt: skip
def cn_fdi_decline_since_2017(ds) -> float:
    """Fall in China's FDI position from its end-2017 peak to the latest year (derived), per cent."""
    fdi_2017 = position(ds, 2017, "direct_investment")
    return 100 * (fdi_2017 - cn_fdi_latest(ds)) / fdi_2017


lookup("cn_fdi_decline_printed", printed_value,
       "Fall in China's FDI position since 2017 as printed (more than)",
       unit="percent", fmt=_qualified(F.percent(0), "more_than"),
       value_id="cn_fdi_decline_2017_2021_pct")  # fmt: skip
lookup("cn_net_fdi_inflows", printed_value,
       "China's cumulative net FDI inflows to Kazakhstan over the printed period",
       unit="USD million", fmt=F.usd_million(2), value_id="cn_net_fdi_2016_2021_usd_mn")  # fmt: skip
lookup("cn_net_fdi_period", cell, "Period of China's cumulative net FDI inflows, as printed",
       unit="period", fmt=lambda v: str(v).replace("/", "\u2013").replace("-", "\u2013"), resource="printed_values",
       column="reference_period", value_id="cn_net_fdi_2016_2021_usd_mn")  # fmt: skip

for _category, _name in (
    ("other_investment", "other"),
    ("portfolio_investment", "portfolio"),
    ("reserve_assets", "reserves"),
    ("direct_investment", "direct"),
):
    lookup(f"kz_in_cn_{_name}_share", cell,
           f"Share of {_category.replace('_', ' ')} in Kazakhstan's investment in China, latest year",
           unit="percent", fmt=PCT2, resource="kz_investment_in_china", column="share_pct",
           category=_category)  # fmt: skip


# The report prints these two shares; they are read as printed (validate.py checks them).
lookup("cn_fdi_share_transport", printed_value,
       "Transport and storage's share of China's FDI position, latest year (as printed)",
       unit="percent", fmt=PCT2, value_id="cn_fdi_share_transport_2021_pct")  # fmt: skip
lookup("cn_fdi_share_mining", printed_value,
       "Mining's share of China's FDI position, latest year (as printed)",
       unit="percent", fmt=PCT2, value_id="cn_fdi_share_mining_2021_pct")  # fmt: skip


def fdi_sector_share(ds, sector: str, year: int | str = "latest") -> float:
    """Return a sector's share of China's FDI position in Kazakhstan (Figure 3 data), per cent."""
    year = period_of(ds, "fdi_by_sector", year)
    fdi = ds.table("fdi_by_sector")
    by_sector = fdi[fdi["year"] == year].groupby("sector")["position_usd_mn"].sum()
    return float(formulas.shares_pct(by_sector)[sector])


def fdi_sectors_total(ds, year: int | str) -> float:
    """Return the sum of China's FDI position over all sectors in a year (Figure 3), USD billion."""
    year = period_of(ds, "fdi_by_sector", year)
    fdi = ds.table("fdi_by_sector")
    return round(fdi.loc[fdi["year"] == year, "position_usd_mn"].sum() / 1000, 2)


for _when in ("first", "latest"):
    lookup(f"cn_fdi_sectors_total_{_when}", fdi_sectors_total,
           f"Sum of China's FDI position over all sectors, {_when} year of Figure 3, USD billion",
           unit="USD billion", fmt=BN2, derivation="sum of the eight sectors of Figure 3",
           year=_when)  # fmt: skip


def fdi_labour_years(ds) -> list[int]:
    """Return the years with both Chinese FDI by sector and Chinese labour migrants printed."""
    fdi = set(ds.table("fdi_by_sector")["year"].astype(int))
    labour = ds.table("labour_migration")
    china = labour[(labour["nationality"] == "china") & labour["migrants"].notna()]
    return sorted(fdi & set(china["year"].astype(int)))


def fdi_labour_year(ds, which: str) -> int:
    """Return the first or last year with both FDI by sector and Chinese labour migrants."""
    return fdi_labour_years(ds)[0 if which == "first" else -1]


def fdi_sectors_total_common(ds, which: str) -> float:
    """Return the sectors' sum of Chinese FDI in the first or last year shared with the labour data."""
    return fdi_sectors_total(ds, fdi_labour_year(ds, which))


for _which in ("first", "last"):
    lookup(f"cn_fdi_sectors_total_common_{_which}", fdi_sectors_total_common,
           f"Sum of China's FDI over all sectors, {_which} year with labour-migration data too",
           unit="USD billion", fmt=BN2, derivation="sum of the eight sectors of Figure 3",
           which=_which)  # fmt: skip
    _register(
        FactSpec(
            f"fdi_labour_{_which}_year",
            "year",
            F.text,
            fdi_labour_year,
            f"The {_which} year with both FDI by sector and Chinese labour migrants",
            {"which": _which},
        )
    )


@define("cn_fdi_transport_peak", unit="USD million", fmt=F.usd_million(2))  # fmt: skip
def cn_fdi_transport_peak(ds) -> float:
    """Highest end-of-year Chinese FDI position in transport and storage, USD million."""
    fdi = ds.table("fdi_by_sector")
    return fdi.loc[fdi["sector"] == "transport", "position_usd_mn"].max()


@define("cn_fdi_transport_peak_year", unit="year", fmt=F.text)
def cn_fdi_transport_peak_year(ds) -> int:
    """Year in which Chinese FDI in transport and storage peaked."""
    fdi = ds.table("fdi_by_sector")
    transport = fdi[fdi["sector"] == "transport"]
    return int(transport.loc[transport["position_usd_mn"].idxmax(), "year"])


# =========================================================================== Section II: trade
for _flow in ("exports", "imports", "turnover"):
    lookup(f"cn_rank_kz_{_flow}", trade, f"China's rank among Kazakhstan's partners in {_flow}, latest year",
           unit="rank", fmt=F.ordinal_word, partner="china", flow=_flow, column="china_rank")  # fmt: skip
    _fid = "cn_share_trade_turnover" if _flow == "turnover" else f"cn_share_{_flow}"
    lookup(_fid, trade, f"China's share of Kazakhstan's {_flow}, latest year",
           unit="percent", fmt=PCT2, partner="china", flow=_flow, column="share_of_kz_total_pct")  # fmt: skip
    _fid = "cn_trade_turnover_growth" if _flow == "turnover" else f"cn_{_flow}_growth"
    lookup(_fid, trade, f"Growth of Kazakhstan's {_flow} with China, latest year over the base year",
           unit="percent", fmt=PCT2, partner="china", flow=_flow, column="growth_pct")  # fmt: skip
lookup("kz_trade_turnover_growth", trade,
       "Growth of Kazakhstan's total foreign trade turnover, latest year over the base year",
       unit="percent", fmt=PCT2, partner="all", flow="turnover", column="growth_pct")  # fmt: skip
lookup("cn_trade_turnover", trade, "Kazakhstan's trade turnover with China, latest year",
       unit="USD billion", fmt=F.usd_billion(1), partner="china", flow="turnover",
       column="value_usd_bn")  # fmt: skip


@define("cn_trade_turnover_base", unit="USD billion", fmt=F.usd_billion(1),
        derivation="latest turnover / (1 + growth since the base year)")  # fmt: skip
def cn_trade_turnover_base(ds) -> float:
    """Kazakhstan's trade turnover with China in the base year, derived from the latest and growth."""
    value = trade(ds, "china", "turnover", "value_usd_bn")
    growth = trade(ds, "china", "turnover", "growth_pct")
    return formulas.base_from_growth(value, growth)


@define("cn_imports_vs_exports_growth", unit="word", fmt=words.higher_lower,
        derivation="growth of imports from China − growth of exports to China, as a word")  # fmt: skip
def cn_imports_vs_exports_growth(ds) -> float:
    """Imports from China's growth minus exports to China's growth (shown as higher/lower)."""
    return round(
        trade(ds, "china", "imports", "growth_pct") - trade(ds, "china", "exports", "growth_pct"), 2
    )


lookup("cn_imports_drop_2020", printed_value, "Fall in imports from China in 2020 (more than)",
       unit="USD million", fmt=F.usd_million(0), value_id="imports_from_china_drop_2020_usd_mn")  # fmt: skip

for _flow, _group, _name in (
    ("exports", "mineral_products", "kz_exports_to_cn_mineral_share"),
    ("exports", "chemical_products", "kz_exports_to_cn_chemical_share"),
    ("exports", "metals", "kz_exports_to_cn_metals_share"),
    ("imports", "machinery", "kz_imports_from_cn_machinery_share"),
    ("imports", "chemical_products", "kz_imports_from_cn_chemical_share"),
    ("imports", "textiles", "kz_imports_from_cn_textiles_share"),
    ("imports", "metals", "kz_imports_from_cn_metals_share"),
    ("imports", "footwear_headwear", "kz_imports_from_cn_footwear_share"),
):
    lookup(_name, commodity_share, f"Share of {_group.replace('_', ' ')} in {_flow} with China, latest year",
           unit="percent", fmt=PCT2, flow=_flow, commodity_group=_group)  # fmt: skip
for _group in ("foodstuffs", "machinery"):
    lookup(f"kz_exports_to_cn_{_group}_share", commodity_share,
           f"Share of {_group} in exports to China, latest year (printed as 'just over')",
           unit="percent", fmt=_qualified(F.percent(0), "more_than"), flow="exports",
           commodity_group=_group)  # fmt: skip


# =========================================================================== Section II: migration
@define("kz_net_migration_outflow", unit="persons", fmt=INT)  # fmt: skip
def kz_net_migration_outflow(ds) -> int:
    """Kazakhstan's cumulative net migration outflow over the migration period (persons, positive)."""
    return -migration(ds, "all", "net")


lookup("immigrants_from_cn", migration, "Arrivals from China for permanent residence over the period",
       unit="persons", fmt=INT, partner="china", flow="arrivals")  # fmt: skip
lookup("emigrants_to_cn", migration, "Departures to China for permanent residence over the period",
       unit="persons", fmt=INT, partner="china", flow="departures")  # fmt: skip


@define("emigrants_total", unit="thousand persons", fmt=F.thousands(1))  # fmt: skip
def emigrants_total(ds) -> float:
    """People who left Kazakhstan for permanent residence abroad over the period, thousand."""
    return migration(ds, "all", "departures") / 1000


@define("immigrants_total", unit="thousand persons", fmt=F.thousands(1),
        derivation="emigrants over the period − cumulative net outflow")  # fmt: skip
def immigrants_total(ds) -> float:
    """All immigrants to Kazakhstan for permanent residence over the period, thousand persons."""
    return (migration(ds, "all", "departures") + migration(ds, "all", "net")) / 1000


@define("immigrants_from_cn_thousand", unit="thousand persons", fmt=F.thousands(1))  # fmt: skip
def immigrants_from_cn_thousand(ds) -> float:
    """Arrivals from China for permanent residence over the period, thousand persons."""
    return migration(ds, "china", "arrivals") / 1000


@define("migration_period", unit="period", fmt=F.text)
def migration_period(ds) -> str:
    """The span of years the permanent-migration totals cover ('2012–2021')."""
    end = period_of(ds, "permanent_migration", "latest", "period_end")
    start = period_of(ds, "permanent_migration", "latest", "period_start", period_end=end)
    return words.period(start, end)


@define("migration_period_years", unit="years", fmt=words.count,
        derivation="last year − first year + 1 of the migration totals")  # fmt: skip
def migration_period_years(ds) -> int:
    """Number of years the permanent-migration totals cover."""
    end = period_of(ds, "permanent_migration", "latest", "period_end")
    start = period_of(ds, "permanent_migration", "latest", "period_start", period_end=end)
    return end - start + 1


lookup("immigrants_from_cn_share", printed_value,
       "China's share of all immigration over the period as printed ('roughly')",
       unit="percent", fmt=F.percent(1), value_id="cn_share_of_immigration_pct")  # fmt: skip


@define("immigrants_from_cn_share_derived", unit="percent", fmt=F.percent(1),
        derivation="arrivals from China / (emigrants − net outflow), 2012–2021")  # fmt: skip
def immigrants_from_cn_share_derived(ds) -> float:
    """China's share of all immigrants over the period, derived from the printed counts."""
    immigrants = migration(ds, "all", "departures") + migration(ds, "all", "net")
    return 100 * migration(ds, "china", "arrivals") / immigrants


@define("immigrants_from_cn_share_of_emigrants", unit="percent", fmt=F.percent(1),
        derivation="arrivals from China / emigrants over the period")  # fmt: skip
def immigrants_from_cn_share_of_emigrants(ds) -> float:
    """Arrivals from China as a share of all emigrants (the reading the note rejects)."""
    return 100 * migration(ds, "china", "arrivals") / migration(ds, "all", "departures")


lookup("immigrants_from_cn_ethnic_kazakh_share", printed_value,
       "Ethnic Kazakhs among immigrants from China over the period",
       unit="percent", fmt=PCT2, value_id="ethnic_kazakh_share_of_immigrants_from_china_pct")  # fmt: skip
for _when in ("first", "latest"):
    lookup(f"labour_migrants_share_{_when}", labour, f"Labour migrants' share of the labour force, {_when} year",
           unit="percent", fmt=PCT2, year=_when, nationality="all",
           column="share_of_labour_force_pct")  # fmt: skip
    lookup(f"cn_labour_migrants_{_when}", labour, f"Chinese labour migrants in Kazakhstan, {_when} year",
           unit="persons", fmt=INT, year=_when, nationality="china", column="migrants")  # fmt: skip
    lookup(f"cn_labour_migrants_share_{_when}", labour,
           f"Chinese labour migrants' share of the labour force, {_when} year",
           unit="percent", fmt=PCT2, year=_when, nationality="china",
           column="share_of_labour_force_pct")  # fmt: skip


@define("labour_migrants_record", unit="thousand persons", fmt=F.thousands(2))  # fmt: skip
def labour_migrants_record(ds) -> float:
    """Officially registered labour migrants in the record year, thousand persons."""
    return labour(ds, labour_migrants_record_year(ds), "all", "migrants") / 1000


@define("labour_migrants_record_year", unit="year", fmt=F.text)
def labour_migrants_record_year(ds) -> int:
    """Year with the most officially registered labour migrants in the data."""
    frame = ds.table("labour_migration")
    rows = frame[(frame["nationality"] == "all") & frame["migrants"].notna()]
    return int(rows.loc[rows["migrants"].idxmax(), "year"])


for _country, _code in (
    ("all", ""),
    ("China", "_cn"),
    ("Turkey", "_tr"),
    ("India", "_in"),
    ("Uzbekistan", "_uz"),
    ("United Kingdom", "_gb"),
):
    lookup(f"foreign_workers{_code}", foreign_workers,
           f"Foreign workers in Kazakhstan on the latest date ({_country})",
           unit="persons", fmt=INT, country=_country)  # fmt: skip


@define("foreign_workers_cn_share", unit="percent", fmt=F.percent(1), derivation="workers from China / all foreign workers")  # fmt: skip
def foreign_workers_cn_share(ds) -> float:
    """Chinese citizens' share of foreign workers in Kazakhstan on the latest date."""
    return 100 * foreign_workers(ds, "China") / foreign_workers(ds, "all")


# =========================================================================== Section III
# The monitoring's periods are named by position (first, second, latest), ordered by start date.
_MEDIA_POSITIONS = {"first": 0, "second": 1, "latest": -1}


def media_period(ds, position: str) -> str:
    """Return the period label ('2021', '2022H1') at a position among the monitored periods."""
    frame = ds.table("media_monitoring").sort_values("period_start")
    return str(frame["period"].iloc[_MEDIA_POSITIONS[position]])


def media_at(ds, position: str, column: str) -> int:
    """Return a media-monitoring count (all reports or negative ones) for a period by position."""
    return media(ds, media_period(ds, position), column)


def _period_label(ds, position: str, **_) -> str:
    frame = ds.table("media_monitoring").sort_values("period_start")
    row = frame.iloc[_MEDIA_POSITIONS[position]]
    start, end = row["period_start"], row["period_end"]
    if (start.month, start.day, end.month, end.day) == (1, 1, 12, 31) and start.year == end.year:
        return str(start.year)
    if (start.month, end.month) == (1, 6) and start.year == end.year:
        return f"the first half of {start.year}"
    return f"{start:%B %Y} to {end:%B %Y}"


for _pos in _MEDIA_POSITIONS:
    _register(
        FactSpec(
            f"media_period_{_pos}",
            "period",
            F.text,
            _period_label,
            f"The {_pos} period of the media monitoring, in words",
            {"position": _pos},
        )
    )
    lookup(f"media_reports_{_pos}", media_at, f"Media reports on China monitored, {_pos} period",
           unit="reports", fmt=INT, position=_pos, column="reports")  # fmt: skip
    lookup(f"media_negative_{_pos}", media_at, f"Negative media reports on China, {_pos} period",
           unit="reports", fmt=INT, position=_pos, column="negative_reports")  # fmt: skip


def negative_share(ds, position: str) -> float:
    """Return negative reports as a share of all monitored reports on China in a period."""
    return 100 * media_at(ds, position, "negative_reports") / media_at(ds, position, "reports")


for _pos in _MEDIA_POSITIONS:
    lookup(f"media_negative_share_{_pos}", negative_share,
           f"Negative reports as a share of all reports on China, {_pos} period",
           unit="percent", fmt=PCT2, derivation="negative reports / all reports", position=_pos)  # fmt: skip


def topic_count(ds, position: str, tone: str) -> int:
    """Return how many topics Table 3 lists for a period (by position) and tone."""
    period = media_period(ds, position)
    topics = ds.table("media_topics")
    return int(((topics["period"].astype(str) == period) & (topics["tone"] == tone)).sum())


for _pos in _MEDIA_POSITIONS:
    for _tone in ("negative", "positive"):
        lookup(f"media_topics_{_tone}_{_pos}", topic_count,
               f"Number of {_tone} topics listed in Table 3 for the {_pos} period",
               unit="topics", fmt=INT, derivation="rows counted in Table 3", position=_pos,
               tone=_tone)  # fmt: skip


@define("media_reports_ratio", unit="times", fmt=F.number(1), derivation="all reports, second period / first period")  # fmt: skip
def media_reports_ratio(ds) -> float:
    """How many times more reports on China the monitoring counted in its second period."""
    return media_at(ds, "second", "reports") / media_at(ds, "first", "reports")


# =========================================================================== Section IV
lookup("survey_respondents", printed_value, "Adult respondents of the mass survey",
       unit="persons", fmt=INT, value_id="survey_respondents")  # fmt: skip
lookup("cpi_latest", perception_value, "China Perception Index, Kazakhstan, latest measurement",
       unit="index (-1 to 1)", fmt=IDX, region="kazakhstan", indicator="index", measurement="latest")  # fmt: skip
lookup("cpi_previous", perception_value, "China Perception Index, Kazakhstan, previous measurement",
       unit="index (-1 to 1)", fmt=IDX, region="kazakhstan", indicator="index", measurement="previous")  # fmt: skip


@define("cpi_change", unit="index points", fmt=F.index_points(2),
        derivation="latest national index − 2020 national index")  # fmt: skip
def cpi_change(ds) -> float:
    """Change in the national China Perception Index between the two latest measurements."""
    return round(
        perception_value(ds, "kazakhstan", "index", "latest")
        - perception_value(ds, "kazakhstan", "index", "previous"),
        2,
    )


@define("cpi_change_direction", unit="word", fmt=words.up_down,
        derivation="latest national index − previous, as a word")  # fmt: skip
def cpi_change_direction(ds) -> float:
    """Direction of the national index's change between the two latest measurements (up/down)."""
    return cpi_change(ds)


@define("cpi_latest_side", unit="word", fmt=words.above_below)
def cpi_latest_side(ds) -> float:
    """Whether the latest national index lies above or below neutral (zero)."""
    return perception_value(ds, "kazakhstan", "index", "latest")


@define("cpi_positive_indicators", unit="words", fmt=lambda v: words.count_of(v, 4, "indicators"),
        derivation="national indicators above zero, counted")  # fmt: skip
def cpi_positive_indicators(ds) -> int:
    """Count the national indicators above zero in the latest measurement (of four)."""
    return sum(perception_value(ds, "kazakhstan", f"indicator_{i}") > 0 for i in (1, 2, 3, 4))


for _i in (1, 2, 3, 4):
    lookup(f"cpi_indicator_{_i}", perception_value,
           f"China Perception Index, indicator {_i}, Kazakhstan, latest measurement",
           unit="index (-1 to 1)", fmt=IDX, region="kazakhstan", indicator=f"indicator_{_i}")  # fmt: skip
for _region in (
    "aktobe", "atyrau", "kyzylorda", "zhambyl", "kostanay", "west_kazakhstan",
    "north_kazakhstan", "karaganda",
):  # fmt: skip
    lookup(f"cpi_{_region}", perception_value,
           f"China Perception Index, {_region.replace('_', ' ').title()} region, latest measurement",
           unit="index (-1 to 1)", fmt=IDX, region=_region, indicator="index")  # fmt: skip
for _indicator in ("index", "indicator_1", "indicator_2"):
    for _when in ("previous", "latest"):
        lookup(f"cpi_mangystau_{_indicator}_{_when}", perception_value,
               f"Mangystau region, {_indicator.replace('_', ' ')}, {_when} measurement",
               unit="index (-1 to 1)", fmt=IDX, region="mangystau", indicator=_indicator,
               measurement=_when)  # fmt: skip
for _region, _indicator in (
    ("zhambyl", "indicator_4"),
    ("karaganda", "indicator_4"),
    ("shymkent", "indicator_4"),
    ("kyzylorda", "indicator_1"),
    ("kyzylorda", "indicator_3"),
    ("aktobe", "indicator_3"),
):
    lookup(f"cpi_{_region}_{_indicator}", perception_value,
           f"{_region.title()}, {_indicator.replace('_', ' ')}, latest measurement",
           unit="index (-1 to 1)", fmt=IDX, region=_region, indicator=_indicator)  # fmt: skip


def _latest_regional(ds):
    pi = ds.table("perception_index")
    latest = period_of(
        ds, "perception_index", "latest", "measurement", region="kazakhstan", indicator="index"
    )
    rows = pi[(pi["measurement"] == latest) & (pi["indicator"] == "index")]
    return rows[rows["region"] != "kazakhstan"]


@define("cpi_indicator_mean", unit="index (-1 to 1)", fmt=IDX,
        derivation="mean of the four national indicators, latest measurement")  # fmt: skip
def cpi_indicator_mean(ds) -> float:
    """Mean of the four national indicators in the latest measurement (the index's reading)."""
    return sum(perception_value(ds, "kazakhstan", f"indicator_{i}") for i in range(1, 5)) / 4


def mangystau_indicators_3_4(ds, measurement: int | str) -> float:
    """Return what indicators 3 and 4 must add up to in Mangystau if the index is their mean."""
    index = perception_value(ds, "mangystau", "index", measurement)
    return round(4 * index - sum(perception_value(ds, "mangystau", f"indicator_{i}", measurement)
                                 for i in (1, 2)), 2)  # fmt: skip


for _m in ("previous", "latest"):
    lookup(f"cpi_mangystau_indicators_3_4_sum_{_m}", mangystau_indicators_3_4,
           f"Mangystau, sum of indicators 3 and 4 implied by the index, {_m} measurement",
           unit="index points", fmt=IDX,
           derivation="4 × index − indicator 1 − indicator 2 (if the index is the mean of four)",
           measurement=_m)  # fmt: skip


@define("cpi_low_regions", unit="count", fmt=F.cardinal_word)
def cpi_low_regions(ds) -> int:
    """Count the regions with a negative latest China Perception Index."""
    return int((_latest_regional(ds)["value"] < 0).sum())


@define("cpi_low_region_count_all", unit="words", fmt=lambda v: "All " + F.cardinal_word(v))  # fmt: skip
def cpi_low_region_count_all(ds) -> int:
    """Count the regions with a negative latest index, written 'All N' to open a sentence."""
    return cpi_low_regions(ds)


# =========================================================================== Section V
@define("transport_jobs_planned_2025", unit="thousand jobs", fmt=F.thousands(1))  # fmt: skip
def transport_jobs_planned_2025(ds) -> float:
    """Jobs planned in transport by 2025 under Nurly Zhol, thousand."""
    return printed_value(ds, "transport_jobs_planned_2025") / 1000


lookup("bri_potential_growth_central_asia", printed_value,
       "Estimated potential growth of Central Asian economies from the BRI",
       unit="percent", fmt=F.percent(0), value_id="bri_potential_growth_central_asia_pct")  # fmt: skip
