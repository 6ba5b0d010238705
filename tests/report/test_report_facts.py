"""Headline facts against the values printed in the source report, at its printed precision.

Every expected text below is typed from /work/shared/source/talap-2022-report.txt (the house
style writes a minus as U+2212 and money as "$… billion/million"; otherwise the text is as
printed). Derived facts are checked against arithmetic on printed numbers, not our output.
"""

from __future__ import annotations

import numbers
from pathlib import Path

import pytest

from kzchina.data import load
from kzchina.facts import REGISTRY, Fact, all_facts, fact

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def ds():
    return load(root=ROOT)


PRINTED = [
    # Section I
    ("politburo_members_min", "19"),
    ("politburo_members_max", "25"),
    ("caifc_partner_organisations_2011", "458"),
    ("caifc_partner_countries_2011", "148"),
    ("caifc_partner_organisations_2018", "500"),
    ("caifc_partner_countries_2018", "157"),
    ("silk_road_fund_capital", "$40 billion"),
    ("rmb_world_payment_rank_2015", "fourth"),
    ("foreign_owned_enterprises", "28,573"),
    ("foreign_owned_enterprises_large", "260"),
    ("foreign_owned_enterprises_medium", "347"),
    ("foreign_owned_enterprises_small", "27,966"),
    ("joint_ventures", "7,800"),
    ("cn_joint_ventures", "433"),
    ("cn_owned_enterprises", "1,535"),
    ("cn_share_foreign_owned", "5.37%"),
    ("cn_share_joint_ventures", "5.55%"),
    ("cn_owned_enterprises_small", "1,501"),
    ("cn_joint_ventures_small", "403"),
    # Section II: investment
    ("cn_investor_rank_first", "fourth"),
    ("cn_investor_rank_previous", "fifth"),
    ("cn_investor_rank_latest", "sixth"),
    ("cn_investor_rank_previous", "fifth"),  # "moved into fifth place in the first quarter of 2020"
    ("cn_investor_rank_latest", "sixth"),  # "into sixth place by mid-2021"
    ("cn_fdi_decline_printed", "more than 40%"),
    ("cn_fdi_share_transport", "43.07%"),
    ("cn_fdi_share_mining", "21.53%"),
    ("investors_overtaking_china", "Russia and France"),
    ("cn_investment_peak", "$15.84 billion"),
    ("cn_investment_latest", "$12.67 billion"),
    ("cn_share_investment_latest", "5.18%"),
    ("kz_in_cn_other_share", "55.97%"),
    ("kz_in_cn_portfolio_share", "25.88%"),
    ("kz_in_cn_reserves_share", "11.53%"),
    ("kz_in_cn_direct_share", "6.62%"),
    ("cn_fdi_2016", "$3.51 billion"),
    ("cn_fdi_2017", "$9.59 billion"),
    ("cn_other_investment_2016", "$11.65 billion"),
    ("cn_other_investment_2017", "$6.25 billion"),
    ("cn_other_investment_latest", "$7.09 billion"),
    ("cn_share_fdi_2016", "2.4%"),
    ("cn_share_fdi_2017", "5.9%"),
    ("cn_fdi_decline_printed", "more than 40%"),
    ("cn_net_fdi_inflows", "\u2212$607.15 million"),
    ("cn_fdi_share_transport", "43.07%"),
    ("cn_fdi_share_mining", "21.53%"),
    # Section II: trade
    ("cn_rank_kz_exports", "first"),
    ("cn_rank_kz_imports", "second"),
    ("cn_rank_kz_turnover", "second"),
    ("cn_share_trade_turnover", "17.90%"),
    ("cn_share_exports", "16.36%"),
    ("cn_share_imports", "20.15%"),
    ("cn_trade_turnover_growth", "73.16%"),
    ("cn_trade_turnover", "$18.2 billion"),
    ("kz_trade_turnover_growth", "29.97%"),
    ("cn_imports_growth", "76.70%"),
    ("cn_exports_growth", "70.29%"),
    ("cn_imports_drop_2020", "$420 million"),
    ("kz_exports_to_cn_mineral_share", "53.28%"),
    ("kz_exports_to_cn_chemical_share", "35.15%"),
    ("kz_exports_to_cn_metals_share", "7.02%"),
    ("kz_imports_from_cn_machinery_share", "58.72%"),
    ("kz_imports_from_cn_chemical_share", "10.65%"),
    ("kz_imports_from_cn_textiles_share", "8.38%"),
    ("kz_imports_from_cn_metals_share", "7.42%"),
    ("kz_imports_from_cn_footwear_share", "5.17%"),
    # Section II: migration
    ("kz_net_migration_outflow", "171,600"),
    ("immigrants_from_cn", "16,400"),
    ("emigrants_to_cn", "484"),
    ("immigrants_from_cn_thousand", "16.4 thousand"),
    ("emigrants_total", "334.2 thousand"),  # printed as "immigrated": see data note
    ("immigrants_from_cn_share", "10.1%"),
    ("immigrants_from_cn_ethnic_kazakh_share", "98.96%"),
    ("labour_migrants_share_first", "2.02%"),
    ("labour_migrants_share_latest", "6.35%"),
    ("labour_migrants_record", "577.39 thousand"),
    ("cn_labour_migrants_share_latest", "0.06%"),
    ("cn_labour_migrants_share_first", "0.20%"),
    ("foreign_workers", "16,061"),
    ("foreign_workers_cn", "3,587"),
    ("foreign_workers_tr", "1,820"),
    ("foreign_workers_in", "1,691"),
    ("foreign_workers_uz", "1,563"),
    ("foreign_workers_gb", "1,123"),
    # Section III
    ("media_negative_first", "18"),
    ("media_reports_first", "4,672"),
    ("media_negative_second", "2,098"),
    ("media_reports_second", "92,907"),
    ("media_negative_latest", "83"),
    ("media_reports_latest", "12,079"),
    # Section IV
    ("survey_respondents", "2,624"),
    ("cpi_latest", "0.17"),
    ("cpi_previous", "0.13"),
    ("cpi_indicator_1", "0.30"),
    ("cpi_indicator_2", "0.29"),
    ("cpi_indicator_3", "0.28"),
    ("cpi_indicator_4", "\u22120.18"),
    ("cpi_aktobe", "\u22120.04"),
    ("cpi_atyrau", "\u22120.06"),
    ("cpi_kyzylorda", "\u22120.28"),
    ("cpi_zhambyl", "0.35"),
    ("cpi_kostanay", "0.31"),
    ("cpi_west_kazakhstan", "0.31"),
    ("cpi_north_kazakhstan", "0.30"),
    ("cpi_karaganda", "0.30"),
    ("cpi_mangystau_indicator_1_previous", "0.11"),
    ("cpi_mangystau_indicator_1_latest", "0.35"),
    ("cpi_mangystau_indicator_2_previous", "0.38"),
    ("cpi_mangystau_indicator_2_latest", "0.43"),
    ("cpi_mangystau_index_previous", "\u22120.05"),
    ("cpi_mangystau_index_latest", "0.22"),
    ("cpi_zhambyl_indicator_4", "0.01"),
    ("cpi_karaganda_indicator_4", "0.05"),
    ("cpi_shymkent_indicator_4", "0.02"),
    ("cpi_kyzylorda_indicator_1", "\u22120.37"),
    ("cpi_kyzylorda_indicator_3", "\u22120.35"),
    ("cpi_aktobe_indicator_3", "\u22120.10"),
    ("cpi_low_regions", "three"),  # "all three regions with a low Perception Index"
    # Section V
    ("transport_jobs_planned_2025", "550.7 thousand"),
    ("bri_potential_growth_central_asia", "15%"),
]


@pytest.mark.parametrize(("fact_id", "expected"), [pytest.param(*p, id=p[0]) for p in PRINTED])
def test_fact_matches_source(ds, fact_id, expected):
    assert fact(fact_id, ds) == expected


# Derived facts: expected values computed here from numbers printed in the source.
DERIVED = [
    ("cn_fdi_latest", (12.67 - 7.09), "$5.58 billion"),
    ("cn_fdi_decline_since_2017", 100 * (9.59 - (12.67 - 7.09)) / 9.59, "41.8%"),
    ("cn_fdi_sectors_total_latest", 5.58343, "$5.58 billion"),  # sum of Figure 3's 2021 column
    ("cn_trade_turnover_base", 18.2 / 1.7316, "$10.5 billion"),
    ("immigrants_total", 334.2 - 171.6, "162.6 thousand"),
    ("immigrants_from_cn_share_derived", 100 * 16.4 / (334.2 - 171.6), "10.1%"),
    ("immigrants_from_cn_share_of_emigrants", 100 * 16.4 / 334.2, "4.9%"),
    ("cn_investment_decline_since_peak", 100 * (15.84 - 12.67) / 15.84, "20.0%"),
    ("cn_fdi_change_2016_2017", 9.59 - 3.51, "$6.08 billion"),
    ("cn_other_investment_change_2016_2017", 11.65 - 6.25, "$5.40 billion"),
    ("cn_investment_2016", 3.51 + 11.65, "$15.16 billion"),
    ("cn_investment_change_2016_2017", 15.84 - (3.51 + 11.65), "$0.68 billion"),
    ("media_reports_ratio", 92907 / 4672, "19.9"),
    ("cpi_indicator_mean", (0.30 + 0.29 + 0.28 - 0.18) / 4, "0.17"),
    ("cpi_mangystau_indicators_3_4_sum_previous", 4 * -0.05 - 0.11 - 0.38, "\u22120.69"),
    ("cpi_mangystau_indicators_3_4_sum_latest", 4 * 0.22 - 0.35 - 0.43, "0.10"),
    ("foreign_workers_cn_share", 100 * 3587 / 16061, "22.3%"),
    ("media_negative_share_first", 100 * 18 / 4672, "0.39%"),
    ("media_negative_share_second", 100 * 2098 / 92907, "2.26%"),
    ("media_negative_share_latest", 100 * 83 / 12079, "0.69%"),
    ("cpi_change", 0.17 - 0.13, "+0.04"),
    ("cn_fdi_transport_peak", 5185.24, "$5,185.24 million"),
]


@pytest.mark.parametrize(("fact_id", "value", "text"), [pytest.param(*d, id=d[0]) for d in DERIVED])
def test_derived_fact(ds, fact_id, value, text):
    f = fact(fact_id, ds)
    assert f.value == pytest.approx(value, abs=0.006)
    assert f == text


def test_at_least_forty_facts_checked_against_source():
    assert len(PRINTED) >= 40
    assert {p[0] for p in PRINTED} <= set(REGISTRY)


def test_every_fact_is_a_str_with_plain_value_and_inputs(ds):
    facts = all_facts(ds)
    assert len(facts) == len(REGISTRY) >= 40
    for f in facts:
        assert isinstance(f, Fact) and isinstance(f, str)
        assert str(f) == f.text and f.text
        assert type(f.value) in (int, float, str), (f.fact_id, type(f.value))
        if f.unit not in ("edition", "claims"):  # these describe the build, not the data
            assert f.inputs, f.fact_id
        for i in f.inputs:
            assert set(i) == {"resource", "path", "sha256"}
            assert i["path"].startswith("data/2022/") and len(i["sha256"]) == 64


def test_litbuild_inline_payload(ds):
    f = fact("cn_share_trade_turnover", ds)
    payload = f._litbuild_inline_()
    assert payload["text"] == "17.90%"
    assert payload["fact_id"] == "cn_share_trade_turnover"
    prov = payload["provenance"]
    assert prov["kind"] == "fact" and prov["id"] == "cn_share_trade_turnover"
    assert prov["value"] == 17.9 and isinstance(prov["value"], numbers.Real)
    assert prov["function"] == "kzchina.facts.trade"
    assert prov["code"]["file"] == "src/kzchina/facts.py"
    line = (ROOT / "src/kzchina/facts.py").read_text().splitlines()[prov["code"]["line"] - 1]
    assert line.startswith("def trade(")
    assert prov["inputs"][0]["resource"] == "trade_with_china"


def test_defined_fact_points_at_its_own_function(ds):
    prov = fact("cn_fdi_latest", ds).provenance()
    assert prov["function"] == "kzchina.facts.cn_fdi_latest"
    line = (ROOT / "src/kzchina/facts.py").read_text().splitlines()[prov["code"]["line"] - 1]
    assert line.startswith("def cn_fdi_latest(")


# Facts that compute a value the source does not print, and facts that only read a printed one.
COMPUTED = [
    "cn_fdi_latest",
    "cn_fdi_decline_since_2017",
    "immigrants_total",
    "cpi_change",
    "foreign_workers_cn_share",
    "media_negative_share_second",
    "cn_trade_turnover_base",
]
PRINTED_AS_IS = [
    "cn_fdi_decline_printed",
    "cn_share_foreign_owned",
    "emigrants_total",
    "immigrants_from_cn_share",
    "cpi_latest",
]


@pytest.mark.parametrize("fact_id", COMPUTED)
def test_computed_fact_says_how(ds, fact_id):
    f = fact(fact_id, ds)
    assert f.derivation and f.derivation.startswith("computed: ")
    assert f.provenance()["derivation"] == f.derivation
    assert f._litbuild_inline_()["provenance"]["derivation"] == f.derivation


@pytest.mark.parametrize("fact_id", PRINTED_AS_IS)
def test_printed_fact_has_no_derivation(ds, fact_id):
    f = fact(fact_id, ds)
    assert f.derivation is None and "derivation" not in f.provenance()


def test_every_value_the_source_does_not_print_is_marked():
    """A fact with its own logic that yields a new number is marked, except the listed readers."""
    # Defined facts that only pick, count or re-scale printed values (no new number).
    readers = {"investors_overtaking_china", "cn_investment_peak", "cn_investment_peak_year",
               "cn_fdi_transport_peak", "cn_fdi_transport_peak_year",
               "kz_net_migration_outflow", "emigrants_total",
               "immigrants_from_cn_thousand", "labour_migrants_record", "cpi_low_regions",
               "transport_jobs_planned_2025",
               # Periods, dates and words that restate printed values; names of the build itself.
               "legal_entities_date", "legal_entities_year", "foreign_workers_date", "trade_base_year",
               "investor_rank_stable_until", "investors_ahead_of_china_first", "migration_period",
               "labour_migrants_record_year", "cpi_latest_side", "cpi_low_region_count_all",
               "cn_fdi_share_years", "cn_total_share_years",
               "current_edition", "previous_edition", "claims_checked", "claims_unverifiable"}  # fmt: skip
    from kzchina.facts import _load_extensions

    _load_extensions()  # the claim counts and edition names register themselves
    unmarked = [k for k, spec in REGISTRY.items()
                if not spec.params and not spec.derivation and k not in readers]  # fmt: skip
    assert unmarked == []


def test_unknown_fact_names_similar_ones(ds):
    with pytest.raises(KeyError, match="unknown fact 'cpi_2023'"):
        fact("cpi_2023", ds)


def test_every_fact_used_in_chapters_exists():
    import re

    used = set()
    for path in [ROOT / "index.qmd", *sorted((ROOT / "chapters").glob("*.qmd"))]:
        used |= set(re.findall(r'fact\("([^"]+)"\)', path.read_text()))
    assert used, "chapters use no facts?"
    assert used <= set(REGISTRY), sorted(used - set(REGISTRY))
    assert len(used) >= 40
