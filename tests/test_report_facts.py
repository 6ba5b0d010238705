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

ROOT = Path(__file__).resolve().parent.parent


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
    ("cn_investor_rank_2019", "fourth"),
    ("cn_investor_rank_2020", "fifth"),
    ("cn_investor_rank_2021", "sixth"),
    ("cn_investor_rank_2020q1", "fifth"),  # "moved into fifth place in the first quarter of 2020"
    ("cn_investor_rank_mid2021", "sixth"),  # "into sixth place by mid-2021"
    ("cn_fdi_decline_printed", "more than 40%"),
    ("cn_fdi_share_transport_2021", "43.07%"),
    ("cn_fdi_share_mining_2021", "21.53%"),
    ("investors_overtaking_china_2021", "Russia and France"),
    ("cn_investment_peak", "$15.84 billion"),
    ("cn_investment_2021", "$12.67 billion"),
    ("cn_share_investment_2021", "5.18%"),
    ("kz_in_cn_other_share_2021", "55.97%"),
    ("kz_in_cn_portfolio_share_2021", "25.88%"),
    ("kz_in_cn_reserves_share_2021", "11.53%"),
    ("kz_in_cn_direct_share_2021", "6.62%"),
    ("cn_fdi_2016", "$3.51 billion"),
    ("cn_fdi_2017", "$9.59 billion"),
    ("cn_other_investment_2016", "$11.65 billion"),
    ("cn_other_investment_2017", "$6.25 billion"),
    ("cn_other_investment_2021", "$7.09 billion"),
    ("cn_share_fdi_2016", "2.4%"),
    ("cn_share_fdi_2017", "5.9%"),
    ("cn_fdi_decline_printed", "more than 40%"),
    ("cn_net_fdi_inflows_2016_2021", "\u2212$607.15 million"),
    ("cn_fdi_share_transport_2021", "43.07%"),
    ("cn_fdi_share_mining_2021", "21.53%"),
    # Section II: trade
    ("cn_rank_kz_exports_2021", "first"),
    ("cn_rank_kz_imports_2021", "second"),
    ("cn_rank_kz_turnover_2021", "second"),
    ("cn_share_trade_turnover_2021", "17.90%"),
    ("cn_share_exports_2021", "16.36%"),
    ("cn_share_imports_2021", "20.15%"),
    ("cn_trade_turnover_growth_2017_2021", "73.16%"),
    ("cn_trade_turnover_2021", "$18.2 billion"),
    ("kz_trade_turnover_growth_2017_2021", "29.97%"),
    ("cn_imports_growth_2017_2021", "76.70%"),
    ("cn_exports_growth_2017_2021", "70.29%"),
    ("cn_imports_drop_2020", "$420 million"),
    ("kz_exports_to_cn_mineral_share_2021", "53.28%"),
    ("kz_exports_to_cn_chemical_share_2021", "35.15%"),
    ("kz_exports_to_cn_metals_share_2021", "7.02%"),
    ("kz_imports_from_cn_machinery_share_2021", "58.72%"),
    ("kz_imports_from_cn_chemical_share_2021", "10.65%"),
    ("kz_imports_from_cn_textiles_share_2021", "8.38%"),
    ("kz_imports_from_cn_metals_share_2021", "7.42%"),
    ("kz_imports_from_cn_footwear_share_2021", "5.17%"),
    # Section II: migration
    ("kz_net_migration_outflow_2012_2021", "171,600"),
    ("immigrants_from_cn_2012_2021", "16,400"),
    ("emigrants_to_cn_2012_2021", "484"),
    ("immigrants_from_cn_2012_2021_thousand", "16.4 thousand"),
    ("emigrants_total_2012_2021", "334.2 thousand"),  # printed as "immigrated": see data note
    ("immigrants_from_cn_share", "10.1%"),
    ("immigrants_from_cn_ethnic_kazakh_share", "98.96%"),
    ("labour_migrants_share_2015", "2.02%"),
    ("labour_migrants_share_2019", "6.35%"),
    ("labour_migrants_2018", "577.39 thousand"),
    ("cn_labour_migrants_share_2019", "0.06%"),
    ("cn_labour_migrants_share_2015", "0.20%"),
    ("foreign_workers_2022", "16,061"),
    ("foreign_workers_cn_2022", "3,587"),
    ("foreign_workers_tr_2022", "1,820"),
    ("foreign_workers_in_2022", "1,691"),
    ("foreign_workers_uz_2022", "1,563"),
    ("foreign_workers_gb_2022", "1,123"),
    # Section III
    ("media_negative_2020", "18"),
    ("media_reports_2020", "4,672"),
    ("media_negative_2021", "2,098"),
    ("media_reports_2021", "92,907"),
    ("media_negative_2022h1", "83"),
    ("media_reports_2022h1", "12,079"),
    # Section IV
    ("survey_respondents", "2,624"),
    ("cpi_2022", "0.17"),
    ("cpi_2020", "0.13"),
    ("cpi_indicator_1_2022", "0.30"),
    ("cpi_indicator_2_2022", "0.29"),
    ("cpi_indicator_3_2022", "0.28"),
    ("cpi_indicator_4_2022", "\u22120.18"),
    ("cpi_aktobe_2022", "\u22120.04"),
    ("cpi_atyrau_2022", "\u22120.06"),
    ("cpi_kyzylorda_2022", "\u22120.28"),
    ("cpi_zhambyl_2022", "0.35"),
    ("cpi_kostanay_2022", "0.31"),
    ("cpi_west_kazakhstan_2022", "0.31"),
    ("cpi_north_kazakhstan_2022", "0.30"),
    ("cpi_karaganda_2022", "0.30"),
    ("cpi_mangystau_indicator_1_2020", "0.11"),
    ("cpi_mangystau_indicator_1_2022", "0.35"),
    ("cpi_mangystau_indicator_2_2020", "0.38"),
    ("cpi_mangystau_indicator_2_2022", "0.43"),
    ("cpi_mangystau_index_2020", "\u22120.05"),
    ("cpi_mangystau_index_2022", "0.22"),
    ("cpi_zhambyl_indicator_4_2022", "0.01"),
    ("cpi_karaganda_indicator_4_2022", "0.05"),
    ("cpi_shymkent_indicator_4_2022", "0.02"),
    ("cpi_kyzylorda_indicator_1_2022", "\u22120.37"),
    ("cpi_kyzylorda_indicator_3_2022", "\u22120.35"),
    ("cpi_aktobe_indicator_3_2022", "\u22120.10"),
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
    ("cn_fdi_2021", (12.67 - 7.09), "$5.58 billion"),
    ("cn_fdi_decline_2017_2021", 100 * (9.59 - (12.67 - 7.09)) / 9.59, "41.8%"),
    ("cn_fdi_sectors_total_2021", 5.58343, "$5.58 billion"),  # sum of Figure 3's 2021 column
    ("cn_trade_turnover_2017", 18.2 / 1.7316, "$10.5 billion"),
    ("immigrants_total_2012_2021", 334.2 - 171.6, "162.6 thousand"),
    ("immigrants_from_cn_share_derived", 100 * 16.4 / (334.2 - 171.6), "10.1%"),
    ("immigrants_from_cn_share_of_emigrants", 100 * 16.4 / 334.2, "4.9%"),
    ("cn_investment_decline_2017_2021", 100 * (15.84 - 12.67) / 15.84, "20.0%"),
    ("cn_fdi_change_2016_2017", 9.59 - 3.51, "$6.08 billion"),
    ("cn_other_investment_change_2016_2017", 11.65 - 6.25, "$5.40 billion"),
    ("cn_investment_2016", 3.51 + 11.65, "$15.16 billion"),
    ("cn_investment_change_2016_2017", 15.84 - (3.51 + 11.65), "$0.68 billion"),
    ("media_reports_ratio_2021_2020", 92907 / 4672, "19.9"),
    ("cpi_indicator_mean_2022", (0.30 + 0.29 + 0.28 - 0.18) / 4, "0.17"),
    ("cpi_mangystau_indicators_3_4_sum_2020", 4 * -0.05 - 0.11 - 0.38, "\u22120.69"),
    ("cpi_mangystau_indicators_3_4_sum_2022", 4 * 0.22 - 0.35 - 0.43, "0.10"),
    ("foreign_workers_cn_share_2022", 100 * 3587 / 16061, "22.3%"),
    ("media_negative_share_2020", 100 * 18 / 4672, "0.39%"),
    ("media_negative_share_2021", 100 * 2098 / 92907, "2.26%"),
    ("media_negative_share_2022h1", 100 * 83 / 12079, "0.69%"),
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
        assert f.inputs, f.fact_id
        for i in f.inputs:
            assert set(i) == {"resource", "path", "sha256"}
            assert i["path"].startswith("data/2022/") and len(i["sha256"]) == 64


def test_litbuild_inline_payload(ds):
    f = fact("cn_share_trade_turnover_2021", ds)
    payload = f._litbuild_inline_()
    assert payload["text"] == "17.90%"
    assert payload["fact_id"] == "cn_share_trade_turnover_2021"
    prov = payload["provenance"]
    assert prov["kind"] == "fact" and prov["id"] == "cn_share_trade_turnover_2021"
    assert prov["value"] == 17.9 and isinstance(prov["value"], numbers.Real)
    assert prov["function"] == "kzchina.facts.trade"
    assert prov["code"]["file"] == "src/kzchina/facts.py"
    line = (ROOT / "src/kzchina/facts.py").read_text().splitlines()[prov["code"]["line"] - 1]
    assert line.startswith("def trade(")
    assert prov["inputs"][0]["resource"] == "trade_with_china"


def test_defined_fact_points_at_its_own_function(ds):
    prov = fact("cn_fdi_2021", ds).provenance()
    assert prov["function"] == "kzchina.facts.cn_fdi_2021"
    line = (ROOT / "src/kzchina/facts.py").read_text().splitlines()[prov["code"]["line"] - 1]
    assert line.startswith("def cn_fdi_2021(")


# Facts that compute a value the source does not print, and facts that only read a printed one.
COMPUTED = ["cn_fdi_2021", "cn_fdi_decline_2017_2021", "immigrants_total_2012_2021", "cpi_change",
            "foreign_workers_cn_share_2022", "media_negative_share_2021", "cn_trade_turnover_2017"]
PRINTED_AS_IS = ["cn_fdi_decline_printed", "cn_share_foreign_owned", "emigrants_total_2012_2021",
                 "immigrants_from_cn_share", "cpi_2022"]


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
    readers = {"investors_overtaking_china_2021", "cn_investment_peak", "cn_investment_peak_year",
               "cn_fdi_transport_peak", "cn_fdi_transport_peak_year",
               "kz_net_migration_outflow_2012_2021", "emigrants_total_2012_2021",
               "immigrants_from_cn_2012_2021_thousand", "labour_migrants_2018", "cpi_low_regions",
               "transport_jobs_planned_2025"}  # fmt: skip
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
