"""Claims: every statement the 2022 text makes about the data holds on the 2022 data, and a
claim that the data no longer support says so with the data that broke it."""

from __future__ import annotations

import pytest

import edition_support as es
from data_support import copy_project
from kzchina import claims
from kzchina.data import load

ROOT_EDITION = "2022"


@pytest.fixture(scope="module")
def ds2022():
    return load(ROOT_EDITION)


@pytest.mark.parametrize("claim_id", list(claims.REGISTRY))
def test_every_claim_holds_on_the_2022_edition_or_is_confirmed(ds2022, claim_id):
    from kzchina.editions import confirmed_claims

    result = claims.evaluate(claim_id, ds2022)
    if result.status == claims.UNVERIFIABLE:
        assert claim_id in confirmed_claims(ds2022)
    else:
        assert result.status == claims.HOLDS, result.evidence
        assert result.inputs, "a checked claim records the data it read"


def _unverifiable(ds) -> set[str]:
    return {c.claim_id for c in claims.all_claims(ds) if c.status == claims.UNVERIFIABLE}


def test_unverifiable_claims_say_why_and_never_fail(ds2022):
    unverifiable = _unverifiable(ds2022)
    assert unverifiable
    for claim_id in unverifiable:
        result = claims.evaluate(claim_id, ds2022)
        assert result.status == claims.UNVERIFIABLE and result.ok
        assert result.evidence.startswith("cannot be checked: ") and len(result.evidence) > 30


def test_every_claim_is_declared_in_a_chapter_and_every_declaration_is_known():
    from book_fixtures import ROOT

    declared = claims.declarations(ROOT)
    assert set(declared) == set(claims.REGISTRY)


def test_the_2022_edition_confirms_its_unverifiable_claims(ds2022):
    from kzchina.editions import confirmed_claims

    assert confirmed_claims(ds2022) == _unverifiable(ds2022)


def test_a_trend_claim_becomes_checkable_when_the_series_has_two_years(tmp_path):

    root = copy_project(tmp_path)
    assert (
        claims.evaluate("cn_share_lowest_recent_years", load(ROOT_EDITION, root)).status
        == claims.UNVERIFIABLE
    )
    # An earlier year with a lower share: "its lowest level in recent years" is now false.
    es.update(
        root,
        ROOT_EDITION,
        "china_investment_position",
        {"share_of_kz_total_pct": "4.1"},
        year="2017",
        category="total",
    )
    result = claims.evaluate("cn_share_lowest_recent_years", load(ROOT_EDITION, root))
    assert result.status == claims.FAILS and "2017: 4.1, 2021: 5.18" in result.evidence


def test_a_claim_renders_as_nothing_and_carries_its_verdict(ds2022):
    result = claims.claim("cpi_positive", ds2022)
    assert str(result) == ""
    info = result._litbuild_inline_()
    assert info["text"] == "" and info["fact_id"] == "cpi_positive"
    assert info["check"] == {"id": "cpi_positive", "ok": True, "message": info["check"]["message"]}
    prov = info["provenance"]
    assert prov["kind"] == "claim" and prov["value"] == "holds"
    assert prov["inputs"][0]["path"] == "data/2022/perception_index.csv"
    assert prov["code"]["file"] == "src/kzchina/claims.py"


def test_a_claim_the_data_break_fails_with_the_data_that_broke_it(tmp_path):

    root = copy_project(tmp_path)
    # The culture indicator turns positive: "only culture and education is negative" is false.
    es.update(
        root,
        ROOT_EDITION,
        "perception_index",
        {"value": "0.05"},
        measurement="2022",
        region="kazakhstan",
        indicator="indicator_4",
    )
    result = claims.evaluate("cpi_indicators_culture_only_negative", load(ROOT_EDITION, root))
    assert result.status == claims.FAILS and not result.ok
    assert "4: 0.05" in result.evidence
    check = result._litbuild_inline_()["check"]
    assert check["ok"] is False and "4: 0.05" in check["message"]


def test_unknown_claim_names_the_known_ones(ds2022):
    with pytest.raises(KeyError, match="unknown claim 'no_such_claim'"):
        claims.evaluate("no_such_claim", ds2022)
