"""Bad input through a copy of data/2022: exact file, row and column; nothing written."""

from __future__ import annotations

from pathlib import Path

import pytest

from data_support import (
    EDITION,
    copy_project,
    csv_path,
    edit_cell,
    folder_hashes,
    read_rows,
    write_rows,
)
from kzchina.data import load
from kzchina.problems import ProblemsError
from kzchina.validate import check_edition


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A throwaway copy of the project's 2022 data."""
    return copy_project(tmp_path)


def wrong_type(root):
    edit_cell(root, "fdi_by_sector", "position_usd_mn", "1160,86", year="2015", sector="mining")


def missing_column(root):
    rows = read_rows(root, "foreign_workers")
    i = rows[0].index("country")
    write_rows(root, "foreign_workers", [r[:i] + r[i + 1 :] for r in rows])


def unexpected_column(root):
    rows = read_rows(root, "trade_with_china")
    write_rows(
        root, "trade_with_china", [r + (["extra"] if n == 0 else ["x"]) for n, r in enumerate(rows)]
    )


def missing_file(root):
    csv_path(root, "media_monitoring").unlink()


def empty_file(root):
    csv_path(root, "labour_migration").write_bytes(b"")


def duplicate_key(root):
    edit_cell(root, "investor_ranks", "rank", "1", year="2017", rank="2")


def share_above_100(root):
    edit_cell(root, "kz_investment_in_china", "share_pct", "155.97", category="other_investment")


def negative_count(root):
    edit_cell(
        root, "legal_entities", "count", "-260", population="operating_legal_entities", size="large"
    )


def unknown_category(root):
    edit_cell(root, "trade_with_china", "flow", "re-exports", partner="china", flow="imports")


def malformed_date(root):
    edit_cell(root, "foreign_ministers", "start_date", "1.10.1949", minister="Zhou Enlai")


def impossible_date(root):
    edit_cell(root, "foreign_ministers", "end_date", "1958-02-30", minister="Zhou Enlai")


def byte_order_mark(root):
    path = csv_path(root, "regions")
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())


def latin1_bytes(root):
    path = csv_path(root, "foreign_workers")
    path.write_bytes(path.read_bytes().replace(b"Turkey", "Türkiye".encode("latin-1")))


def required_value_missing(root):
    edit_cell(root, "trade_by_commodity", "label", "", flow="imports", commodity_group="textiles")


def row_with_missing_cell(root):
    rows = read_rows(root, "caifc_partners")
    rows[2] = rows[2][:-1]
    write_rows(root, "caifc_partners", rows)


def total_does_not_add_up(root):
    edit_cell(
        root,
        "legal_entities",
        "count",
        "28574",
        population="operating_legal_entities",
        size="total",
    )


def unknown_foreign_key(root):
    edit_cell(
        root,
        "perception_index",
        "region",
        "almaty",
        measurement="2022",
        region="aktobe",
        indicator="index",
    )


def pattern_mismatch(root):
    edit_cell(root, "policy_bodies", "body_id", "State Council", body_id="state_council")


P = "data/2022/"
CASES = [
    # (doctor, file, row, column, problem type, caught by load()?)
    pytest.param(
        wrong_type,
        P + "fdi_by_sector.csv",
        2,
        "position_usd_mn",
        "type-error",
        True,
        id="wrong-type-decimal-comma",
    ),
    pytest.param(
        missing_column,
        P + "foreign_workers.csv",
        1,
        "country",
        "missing-label",
        True,
        id="missing-column",
    ),
    pytest.param(
        unexpected_column,
        P + "trade_with_china.csv",
        1,
        "extra",
        "extra-label",
        True,
        id="unexpected-column",
    ),
    pytest.param(
        missing_file,
        P + "media_monitoring.csv",
        None,
        None,
        "missing-file",
        True,
        id="missing-file",
    ),
    pytest.param(
        empty_file, P + "labour_migration.csv", None, None, "empty-file", True, id="empty-file"
    ),
    pytest.param(
        duplicate_key,
        P + "investor_ranks.csv",
        3,
        "year,rank",
        "primary-key-error",
        True,
        id="duplicate-key",
    ),
    pytest.param(
        share_above_100,
        P + "kz_investment_in_china.csv",
        2,
        "share_pct",
        "constraint-error",
        True,
        id="share-above-100",
    ),
    pytest.param(
        negative_count,
        P + "legal_entities.csv",
        3,
        "count",
        "constraint-error",
        True,
        id="negative-count",
    ),
    pytest.param(
        unknown_category,
        P + "trade_with_china.csv",
        4,
        "flow",
        "constraint-error",
        True,
        id="unknown-category",
    ),
    pytest.param(
        malformed_date,
        P + "foreign_ministers.csv",
        2,
        "start_date",
        "type-error",
        True,
        id="malformed-date",
    ),
    pytest.param(
        impossible_date,
        P + "foreign_ministers.csv",
        2,
        "end_date",
        "type-error",
        True,
        id="impossible-date",
    ),
    pytest.param(
        byte_order_mark, P + "regions.csv", 1, None, "encoding-error", True, id="byte-order-mark"
    ),
    pytest.param(
        latin1_bytes,
        P + "foreign_workers.csv",
        4,
        "country",
        "encoding-error",
        True,
        id="latin-1-bytes",
    ),
    pytest.param(
        required_value_missing,
        P + "trade_by_commodity.csv",
        9,
        "label",
        "constraint-error",
        True,
        id="required-empty",
    ),
    pytest.param(
        row_with_missing_cell,
        P + "caifc_partners.csv",
        3,
        None,
        "missing-cell",
        True,
        id="short-row",
    ),
    pytest.param(
        pattern_mismatch,
        P + "policy_bodies.csv",
        13,
        "body_id",
        "constraint-error",
        True,
        id="pattern-mismatch",
    ),
    pytest.param(
        total_does_not_add_up,
        P + "legal_entities.csv",
        2,
        "count",
        "cross-check",
        False,
        id="total-does-not-add-up",
    ),
    pytest.param(
        unknown_foreign_key,
        P + "perception_index.csv",
        8,
        "region",
        "foreign-key-error",
        False,
        id="unknown-foreign-key",
    ),
]


def _resource_of(path: str) -> str:
    return Path(path).stem


@pytest.mark.parametrize(("doctor", "path", "row", "column", "type_", "on_load"), CASES)
def test_bad_input_is_located_exactly(project: Path, doctor, path, row, column, type_, on_load):
    doctor(project)
    folder = project / "data" / EDITION
    before = folder_hashes(folder)

    problems = check_edition(EDITION, project)
    located = [(p.path, p.row, p.column, p.type) for p in problems]
    assert (path, row, column, type_) in located, "\n".join(map(str, problems))
    assert all(p.path == path for p in problems), "\n".join(map(str, problems))

    ds = load(EDITION, project)
    if on_load:
        with pytest.raises(ProblemsError) as info:
            ds.table(_resource_of(path))
        assert (path, row, column, type_) in [
            (p.path, p.row, p.column, p.type) for p in info.value.problems
        ]
        assert str(info.value).startswith(path + ":")
    else:
        ds.table(_resource_of(path))  # schema-valid; only the cross-check catches it

    assert folder_hashes(folder) == before  # nothing written, nothing "repaired"


def test_every_problem_of_a_file_is_reported_at_once(project: Path):
    edit_cell(project, "fdi_by_sector", "position_usd_mn", "abc", year="2015", sector="mining")
    edit_cell(project, "fdi_by_sector", "sector", "fishing", year="2016", sector="mining")
    edit_cell(project, "fdi_by_sector", "position_usd_mn", "-1", year="2017", sector="mining")
    with pytest.raises(ProblemsError) as info:
        load(EDITION, project).table("fdi_by_sector")
    assert [(p.row, p.column) for p in info.value.problems] == [
        (2, "position_usd_mn"),
        (3, "sector"),
        (4, "position_usd_mn"),
    ]


def test_problem_str_is_path_row_column_message(project: Path):
    wrong_type(project)
    with pytest.raises(ProblemsError) as info:
        load(EDITION, project).table("fdi_by_sector")
    assert str(info.value.problems[0]) == (
        "data/2022/fdi_by_sector.csv:2:position_usd_mn: "
        "expected number with '.' as decimal point, got '1160,86'"
    )
