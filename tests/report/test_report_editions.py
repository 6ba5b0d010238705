"""Starting an edition and comparing editions, on copies of the project in temporary folders.

No invented edition is committed: each test makes its own with `report new-edition` and edits
only files under data/<edition>/.
"""

from __future__ import annotations

import csv
import io
import json

import pytest

import edition_support as es
from book_fixtures import copy_project, report_cli, tree_digest

pytestmark = pytest.mark.slow  # builds books, starts kernels or runs the CLI


@pytest.fixture
def project(tmp_path):
    return copy_project(tmp_path / "report")


def _rows(root, edition, resource):
    return es.read(root, edition, resource)


def test_new_edition_copies_the_package_and_marks_every_row_carried_over(project):
    before = tree_digest(project / "data" / "2022")
    done = report_cli("new-edition", "2023", "--from", "2022", cwd=project)
    assert done.returncode == 0, done.stderr
    assert "data/2023" in done.stdout
    assert tree_digest(project / "data" / "2022") == before  # the source is never touched
    descriptor = json.loads((project / "data" / "2023" / "datapackage.json").read_text())
    assert descriptor["version"] == "2.0.0"
    assert descriptor["confirmedClaims"] == [] and descriptor["editionChecks"] == []
    assert "2023" in descriptor["id"] and "2022" not in descriptor["title"]
    for resource in descriptor["resources"]:
        rows = _rows(project, "2023", resource["name"])
        assert rows and {r["status"] for r in rows} == {"carried-over"}, resource["name"]
        old = _rows(project, "2022", resource["name"])
        # Values carried over unchanged, only the status differs.
        assert [{k: v for k, v in r.items() if k != "status"} for r in rows] == [
            {k: v for k, v in r.items() if k != "status"} for r in old
        ]


def test_new_edition_never_overwrites_an_existing_folder(project):
    assert report_cli("new-edition", "2023", cwd=project).returncode == 0
    marker = project / "data" / "2023" / "README.md"
    marker.write_text("edited by hand\n", encoding="utf-8")
    again = report_cli("new-edition", "2023", cwd=project)
    assert again.returncode == 1
    assert "data/2023" in again.stderr and "already exists" in again.stderr
    assert marker.read_text(encoding="utf-8") == "edited by hand\n"
    unknown = report_cli("new-edition", "2024", "--from", "1999", cwd=project)
    assert unknown.returncode == 1 and "1999" in unknown.stderr
    assert not (project / "data" / "2024").exists()


def test_check_lists_carried_over_rows_file_by_file_until_updated(project):
    assert report_cli("new-edition", "2023", cwd=project).returncode == 0
    first = report_cli("check", "--edition", "2023", cwd=project)
    assert first.returncode == 0, first.stderr  # carried-over rows are warnings, not errors
    warned = [line for line in first.stderr.splitlines() if "carried over" in line]
    trade_rows = len(_rows(project, "2023", "trade_with_china"))
    assert (
        f"data/2023/trade_with_china.csv: warning: {trade_rows} row(s) still carried over"
        in first.stderr
    )
    resources = json.loads((project / "data" / "2023" / "datapackage.json").read_text())[
        "resources"
    ]
    assert len(warned) == len(resources)  # every file holds last year's rows
    es.publish_all(project, "2023", "trade_with_china")
    second = report_cli("check", "--edition", "2023", cwd=project)
    assert "trade_with_china.csv: warning" not in second.stderr
    assert (
        len([line for line in second.stderr.splitlines() if "carried over" in line])
        == len(warned) - 1
    )


def test_check_names_a_bad_value_in_the_new_edition_by_file_row_and_column(project):
    assert report_cli("new-edition", "2023", cwd=project).returncode == 0
    es.update(
        project, "2023", "trade_with_china", {"year": "2022"}, flow="turnover", partner="china"
    )
    done = report_cli("check", "--edition", "2023", cwd=project)
    assert done.returncode == 1
    assert "data/2023/trade_with_china.csv:2:year: expected at most 2021, got 2022" in done.stderr


def _diff_rows(output: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(output)))


def test_diff_lists_exactly_the_values_that_changed(project, tmp_path):
    assert report_cli("new-edition", "2023", cwd=project).returncode == 0
    es.update(
        project,
        "2023",
        "trade_with_china",
        {"value_usd_bn": "20.3"},
        flow="turnover",
        partner="china",
    )
    done = report_cli(
        "diff", "2022", "2023", "--csv", "--html", str(tmp_path / "d.html"), cwd=project
    )
    assert done.returncode == 0, done.stderr
    rows = _diff_rows(done.stdout)
    facts = {r["item"]: r for r in rows if r["kind"] == "fact"}
    # The turnover level feeds exactly two facts: the level and the base-year level derived from it.
    assert set(facts) == {"cn_trade_turnover", "cn_trade_turnover_base"}
    turnover = facts["cn_trade_turnover"]
    assert (turnover["old"], turnover["new"], turnover["direction"]) == ("18.2", "20.3", "up")
    assert float(turnover["absolute"]) == pytest.approx(2.1)
    assert float(turnover["relative_pct"]) == pytest.approx(100 * 2.1 / 18.2, abs=0.01)
    assert {r["kind"] for r in rows} == {"fact", "figure"}  # the trade chart's levels; no table
    assert all(r["item"] == "figures.trade_with_china" for r in rows if r["kind"] == "figure")
    html = (tmp_path / "d.html").read_text(encoding="utf-8")
    assert "cn_trade_turnover_base" in html and "<table>" in html
    table = report_cli("diff", "2022", "2023", cwd=project)
    assert "cn_trade_turnover" in table.stdout
    assert f"{len(rows)} value(s) changed between 2022 and 2023" in table.stderr


def test_diff_of_an_edition_with_itself_is_empty(project):
    done = report_cli("diff", "2022", "2022", cwd=project)
    assert done.returncode == 0 and "no differences" in done.stdout


def test_diff_names_an_unknown_side(project):
    done = report_cli("diff", "2022", "nonesuch", cwd=project)
    assert done.returncode == 1 and "nonesuch" in done.stderr
    assert "Traceback" not in done.stderr


def test_diff_says_a_rank_that_grows_has_fallen():
    from kzchina.diff import Change, compare

    assert Change("fact", "x", "", "1", "2", "rank").direction == "fell in rank"
    assert Change("fact", "x", "", "4", "2", "rank").direction == "rose in rank"
    assert Change("fact", "x", "", "1", "2", "percent").direction == "up"
    (change,) = compare({("fact", "cn_rank_kz_exports", ""): "1"},
                        {("fact", "cn_rank_kz_exports", ""): "2"})  # fmt: skip
    assert change.unit == "rank" and change.direction == "fell in rank"
