"""Each cross-check passes on the real data and fails on a doctored copy."""

from __future__ import annotations

from pathlib import Path

import pytest

from data_support import EDITION, REPO, copy_project, edit_cell
from kzchina import validate as v
from kzchina.data import load


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A throwaway copy of the project's 2022 data."""
    return copy_project(tmp_path)


def swap_china_france_2018(root):
    edit_cell(root, "investor_ranks", "country", "France", year="2018", rank="4")
    edit_cell(root, "investor_ranks", "country", "China", year="2018", rank="5")


def shrink_net_outflow(root):
    # Another net balance breaks the reading: 16,400 / (334,200 - 100,000) is 7.0%, not 10.1%.
    edit_cell(root, "permanent_migration", "persons", "-100000", partner="all", flow="net")


def emigrants_below_net_outflow(root):
    edit_cell(root, "permanent_migration", "persons", "150000", partner="all", flow="departures")


P = "data/2022/"
DOCTORED = [
    # (check, doctor, file, row, column) of the expected failure
    pytest.param(
        v.check_no_derived_values_stored,
        lambda r: edit_cell(r, "fdi_by_sector", "status", "derived", year="2015", sector="mining"),
        P + "fdi_by_sector.csv",
        2,
        "status",
        id="derived-stored",
    ),
    pytest.param(
        v.check_foreign_keys,
        lambda r: edit_cell(r, "policy_body_links", "to_body", "nowhere", from_body="politburo"),
        P + "policy_body_links.csv",
        2,
        "to_body",
        id="foreign-key",
    ),
    pytest.param(
        v.check_size_classes_add_up,
        lambda r: edit_cell(
            r, "legal_entities", "count", "180", population="joint_ventures_foreign", size="large"
        ),
        P + "legal_entities.csv",
        6,
        "count",
        id="jv-sizes-total",
    ),
    pytest.param(
        v.check_chinese_shares_of_enterprises,
        lambda r: edit_cell(
            r, "legal_entities", "count", "450", population="chinese_joint_ventures", size="total"
        ),
        P + "printed_values.csv",
        8,
        "value",
        id="jv-share-5.55",
    ),
    pytest.param(
        v.check_chinese_shares_of_enterprises,
        lambda r: edit_cell(
            r, "printed_values", "value", "5.73", value_id="cn_owned_share_of_foreign_owned_pct"
        ),
        P + "printed_values.csv",
        7,
        "value",
        id="owned-share-5.37",
    ),
    pytest.param(
        v.check_investor_ranks,
        lambda r: edit_cell(r, "investor_ranks", "country", "USA", year="2017", rank="10"),
        P + "investor_ranks.csv",
        11,
        "country",
        id="country-twice-a-year",
    ),
    pytest.param(
        v.check_china_rank_statements,
        swap_china_france_2018,
        P + "investor_ranks.csv",
        None,
        "rank",
        id="china-rank-text",
    ),
    pytest.param(
        v.check_investment_position_adds_up,
        lambda r: edit_cell(
            r,
            "china_investment_position",
            "position_usd_bn",
            "15.94",
            year="2017",
            category="total",
        ),
        P + "china_investment_position.csv",
        4,
        "position_usd_bn",
        id="position-total",
    ),
    pytest.param(
        v.check_fdi_decline,
        lambda r: edit_cell(
            r, "printed_values", "value", "45", value_id="cn_fdi_decline_2017_2021_pct"
        ),
        P + "printed_values.csv",
        13,
        "value",
        id="fdi-decline-40",
    ),
    pytest.param(
        v.check_kz_investment_structure,
        lambda r: edit_cell(
            r, "kz_investment_in_china", "share_pct", "56.97", category="other_investment"
        ),
        P + "kz_investment_in_china.csv",
        2,
        "share_pct",
        id="structure-100",
    ),
    pytest.param(
        v.check_fdi_sector_shares,
        lambda r: edit_cell(
            r, "fdi_by_sector", "position_usd_mn", "2504.91", year="2021", sector="transport"
        ),
        P + "printed_values.csv",
        None,
        "value",
        id="sector-shares",
    ),
    pytest.param(
        v.check_trade_mix,
        lambda r: edit_cell(
            r, "trade_with_china", "growth_pct", "80", partner="china", flow="turnover"
        ),
        P + "trade_with_china.csv",
        2,
        "growth_pct",
        id="turnover-growth",
    ),
    pytest.param(
        v.check_commodity_shares,
        lambda r: edit_cell(
            r,
            "trade_by_commodity",
            "share_pct",
            "78.72",
            flow="imports",
            commodity_group="machinery",
        ),
        P + "trade_by_commodity.csv",
        7,
        "share_pct",
        id="commodity-over-100",
    ),
    pytest.param(
        v.check_immigration_share,
        shrink_net_outflow,
        P + "printed_values.csv",
        18,
        "value",
        id="immigration-share-under-emigrant-reading",
    ),
    pytest.param(
        v.check_immigration_share,
        emigrants_below_net_outflow,
        P + "permanent_migration.csv",
        3,
        "persons",
        id="emigrants-below-net-outflow",
    ),
    pytest.param(
        v.check_national_index_is_indicator_mean,
        lambda r: edit_cell(
            r,
            "perception_index",
            "value",
            "-0.30",
            measurement="2022",
            region="kazakhstan",
            indicator="indicator_4",
        ),
        P + "perception_index.csv",
        2,
        "value",
        id="index-not-indicator-mean",
    ),
    pytest.param(
        v.check_china_rank_statements,
        lambda r: edit_cell(r, "printed_values", "value", "4", value_id="cn_investor_rank_2020q1"),
        P + "investor_ranks.csv",
        None,
        "rank",
        id="rank-q1-2020-vs-table-2020",
    ),
    pytest.param(
        v.check_labour_migration_reading,
        lambda r: edit_cell(
            r, "labour_migration", "migrants", "1751", year="2015", nationality="china"
        ),
        P + "labour_migration.csv",
        5,
        "migrants",
        id="labour-migrants-1751",
    ),
    pytest.param(
        v.check_foreign_workers,
        lambda r: edit_cell(r, "foreign_workers", "workers", "9000", country="all"),
        P + "foreign_workers.csv",
        2,
        "workers",
        id="foreign-workers-total",
    ),
    pytest.param(
        v.check_media_counts,
        lambda r: edit_cell(r, "media_monitoring", "negative_reports", "92908", period="2021"),
        P + "media_monitoring.csv",
        3,
        "negative_reports",
        id="negative-above-all",
    ),
    pytest.param(
        v.check_perception_statements,
        lambda r: edit_cell(
            r,
            "perception_index",
            "value",
            "-0.10",
            measurement="2022",
            region="mangystau",
            indicator="index",
        ),
        P + "perception_index.csv",
        17,
        "value",
        id="mangystau-improved",
    ),
    pytest.param(
        v.check_minister_terms,
        lambda r: edit_cell(
            r, "foreign_ministers", "start_date", "1974-11-20", minister="Qiao Guanhua"
        ),
        P + "foreign_ministers.csv",
        4,
        "end_date",
        id="terms-gap",
    ),
    pytest.param(
        v.check_minister_terms,
        lambda r: edit_cell(
            r, "foreign_ministers", "end_date", "1958-03-01", minister="Zhou Enlai"
        ),
        P + "foreign_ministers.csv",
        2,
        "end_date",
        id="terms-overlap",
    ),
    pytest.param(
        v.check_minister_terms,
        lambda r: edit_cell(
            r, "foreign_ministers", "end_date", "1949-01-01", minister="Zhou Enlai"
        ),
        P + "foreign_ministers.csv",
        2,
        "end_date",
        id="end-before-start",
    ),
]


@pytest.fixture(scope="module")
def real():
    return load(EDITION, REPO)


@pytest.mark.parametrize(
    "check", v.CROSS_CHECKS + list(v.EDITION_CHECKS.values()), ids=lambda c: c.__name__
)
def test_cross_check_passes_on_real_data(real, check):
    assert check(real) == []


def test_every_cross_check_has_a_doctored_case():
    tested = {p.values[0] for p in DOCTORED}
    assert tested == set(v.CROSS_CHECKS) | set(v.EDITION_CHECKS.values())


def test_the_2022_edition_enables_its_own_statement_checks(real):
    enabled, unknown = v.edition_checks(real)
    assert unknown == []
    assert set(enabled) == set(v.EDITION_CHECKS.values())


def test_an_unknown_edition_check_is_reported_at_the_descriptor(tmp_path):
    import json

    root = copy_project(tmp_path)
    descriptor = root / "data" / "2022" / "datapackage.json"
    data = json.loads(descriptor.read_text(encoding="utf-8"))
    data["editionChecks"] = ["china_rank_statements", "no_such_check"]
    descriptor.write_text(json.dumps(data), encoding="utf-8")
    problems = v.check_edition("2022", root)
    assert [(p.path, p.column) for p in problems if "no_such_check" in p.message] == [
        ("data/2022/datapackage.json", "editionChecks")
    ]


@pytest.mark.parametrize(("check", "doctor", "path", "row", "column"), DOCTORED)
def test_cross_check_fails_on_doctored_copy(project: Path, check, doctor, path, row, column):
    doctor(project)
    problems = check(load(EDITION, project))
    assert problems, f"{check.__name__} accepted the doctored data"
    assert any(
        p.path == path and p.column == column and (row is None or p.row == row) for p in problems
    ), "\n".join(map(str, problems))
    assert all(p.type in ("cross-check", "foreign-key-error") for p in problems)
    # check_edition reports the same finding
    assert any(p.path == path and p.column == column for p in v.check_edition(EDITION, project))


@pytest.mark.parametrize(
    ("value", "printed", "decimals", "expected"),
    [
        pytest.param(5.5513, 5.55, 2, True, id="rounds-down"),
        pytest.param(5.3723, 5.37, 2, True, id="5.37"),
        pytest.param(4.907, 10.1, 1, False, id="4.9-vs-10.1"),
        pytest.param(43.0723, 43.07, 2, True, id="43.07"),
        pytest.param(43.0761, 43.07, 2, False, id="43.08"),
    ],
)
def test_rounds_to(value, printed, decimals, expected):
    assert v.rounds_to(value, printed, decimals) is expected


def test_derived_values_reproduce_printed_ones(real):
    shares = v.fdi_sector_shares(real, 2021)
    assert round(shares["transport"], 2) == 43.07 and round(shares["mining"], 2) == 21.53
    assert round(v.china_fdi_position_2021(real), 2) == 5.58


def test_descriptor_check_flags_missing_package_property(project: Path):
    path = project / "data" / EDITION / "datapackage.json"
    path.write_text(path.read_text().replace('"licenses"', '"licences"'))
    problems = v.check_descriptor(load(EDITION, project))
    assert [(p.path, p.column) for p in problems] == [("data/2022/datapackage.json", "licenses")]


def test_immigration_reading_agrees_on_real_data(real):
    """The 334.2 thousand are emigrants: immigrants = 334.2 - 171.6 and 16.4 of them is 10.1%."""
    immigrants = v.immigrants_2012_2021(real)
    assert immigrants == 334_200 - 171_600
    assert round(100 * 16_400 / immigrants, 1) == 10.1
    assert round(100 * 16_400 / 334_200, 1) != 10.1  # the literal reading does not agree


def test_literal_immigration_reading_is_rejected(project: Path):
    """Storing the 334.2 thousand as immigrants (the literal wording) fails report check."""
    edit_cell(project, "permanent_migration", "flow", "arrivals", partner="all", flow="departures")
    problems = v.check_edition(EDITION, project)
    assert any(p.path == P + "permanent_migration.csv" and p.type == "cross-check"
               for p in problems), problems  # fmt: skip
