"""Next year's edition from a new data folder alone, end to end through the real `report` CLI.

A synthetic 2023 edition is made in a temporary copy with `report new-edition`; only files under
data/2023/ change: values, one more year of series, and changes of direction (a share that fell
now rises, ranks that change, an indicator whose sign flips, a region that crosses zero). The
expected words and numbers below are worked out by hand from those edits.
"""

from __future__ import annotations

import csv
import io
import re

import pytest

import edition_support as es
from book_fixtures import Book, copy_project, report_cli, tree_digest

pytestmark = pytest.mark.slow  # builds books, starts kernels or runs the CLI

# Claims of the 2022 text that the synthetic 2023 data break (worked out from the edits below).
BROKEN = {
    "cn_rank_stable_then_slipped",  # China climbs back to fourth
    "cn_investment_edged_down",  # the 2022 total is a new peak
    "cn_investment_fall_about_a_fifth",  # so there is no fall since the peak
    "cn_share_declined_steadily",  # the share rises from 5.18% to 6.00%
    "cn_share_lowest_recent_years",
    "cn_rank_after_russia",  # third in imports
    "cn_top_export_destination",  # second in exports
    "cn_imports_outgrew_exports",  # imports now grow more slowly than exports
    "cpi_indicators_culture_only_negative",  # culture and education turns positive
    "cpi_low_and_high_regions",  # Aktobe crosses zero
    "cpi_mangystau_improved",  # Mangystau unchanged between the last two measurements
    "cpi_trend_positive",  # the national index falls
}


def make_2023(root) -> None:
    """Edit data/2023 as an editor would for a new report."""
    ed = "2023"
    for resource, field in (
        ("trade_with_china", "year"),
        ("investor_ranks", "year"),
        ("china_investment_position", "year"),
    ):
        es.set_constraint(root, ed, resource, field, maximum=2022)
    es.set_constraint(root, ed, "trade_with_china", "year", minimum=2022)
    es.set_constraint(root, ed, "perception_index", "measurement", enum=[2020, 2022, 2024])
    # Trade: the 2022 values replace 2021's; China falls to second in exports, third in imports.
    trade = {
        ("china", "turnover"): dict(
            value_usd_bn="24.0", share_of_kz_total_pct="21.5", growth_pct="55", china_rank="2"
        ),
        ("china", "exports"): dict(
            share_of_kz_total_pct="16.0", growth_pct="60", china_rank="2", note=""
        ),
        ("china", "imports"): dict(share_of_kz_total_pct="25.0", growth_pct="50", china_rank="3"),
        ("all", "turnover"): dict(growth_pct="30"),
    }
    for (partner, flow), values in trade.items():
        es.update(
            root,
            ed,
            "trade_with_china",
            {"year": "2022", "base_year": "2018", **values},
            partner=partner,
            flow=flow,
        )
    # Investment: a 2022 total above the old peak, China's share up.
    es.add_rows(
        root,
        ed,
        "china_investment_position",
        [
            dict(
                year=2022,
                category="total",
                position_usd_bn="16.5",
                share_of_kz_total_pct="6.0",
                source="NBK",
            ),
            dict(year=2022, category="other_categories", position_usd_bn="8.0", source="NBK"),
        ],
    )
    # Ranks: 2022, China fourth again (Russia and France behind it).
    ranks = es.read(root, ed, "investor_ranks")
    order = [
        "The Netherlands",
        "USA",
        "United Kingdom",
        "China",
        "Russia",
        "France",
        "Bermuda Islands (Britain)",
        "Japan",
        "Switzerland",
        "Hong Kong (Xianggang)",
    ]
    es.add_rows(
        root,
        ed,
        "investor_ranks",
        [dict(year=2022, rank=n, country=c, source="NBK") for n, c in enumerate(order, start=1)],
    )
    assert len(es.read(root, ed, "investor_ranks")) == len(ranks) + 10
    # Perception: a 2024 measurement; national index down, culture turns positive, Aktobe > 0.
    latest = [r for r in es.read(root, ed, "perception_index") if r["measurement"] == "2022"]
    # The national index stays the mean of its four indicators (a generic cross-check).
    changed = {
        ("kazakhstan", "index"): "0.09",
        ("kazakhstan", "indicator_1"): "0.10",
        ("kazakhstan", "indicator_2"): "0.09",
        ("kazakhstan", "indicator_3"): "0.12",
        ("kazakhstan", "indicator_4"): "0.05",
        ("aktobe", "index"): "0.06",
    }
    es.add_rows(
        root,
        ed,
        "perception_index",
        [
            {
                **r,
                "measurement": "2024",
                "note": "",
                "value": changed.get((r["region"], r["indicator"]), r["value"]),
            }
            for r in latest
        ],
    )


def _facts(book_dir) -> dict[str, dict]:
    text = (book_dir / "facts.csv").read_text(encoding="utf-8")
    return {row["id"]: row for row in csv.DictReader(io.StringIO(text))}


def _claim_lines(root) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for path in sorted([*root.glob("*.qmd"), *root.glob("chapters/*.qmd")]):
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            for m in re.finditer(r'claim\("(\w+)"\)', line):
                found.setdefault(m.group(1), []).append(f"{path.relative_to(root).as_posix()}:{n}")
    return found


def _executed(stdout: str) -> int:
    return int(re.search(r"\((\d+) executed\)", stdout).group(1))


def _carried_over_rows(root, edition) -> int:
    total = 0
    for path in (root / "data" / edition).glob("*.csv"):
        rows = csv.DictReader(io.StringIO(path.read_text(encoding="utf-8")))
        total += sum(1 for r in rows if r.get("status") == "carried-over")
    return total


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    root = copy_project(tmp_path_factory.mktemp("editions") / "report")
    return root


def test_next_edition_from_the_data_folder_alone(project):
    root = project
    untouched = tree_digest(root)
    assert report_cli("new-edition", "2023", "--from", "2022", cwd=root).returncode == 0
    make_2023(root)
    book = Book(root, root / "_book")

    # Without --draft the build stops at every sentence whose claim the data broke.
    failed = report_cli("build", "--edition", "2023", cwd=root, timeout=600)
    assert failed.returncode == 1
    lines = _claim_lines(root)
    for claim_id in BROKEN:
        for where in lines[claim_id]:
            assert f"{where}: check '{claim_id}' failed" in failed.stderr, claim_id
    named = set(re.findall(r"check '(\w+)' failed", failed.stderr))
    assert named == BROKEN
    assert "Traceback" not in failed.stderr
    assert not (root / "_book").exists()  # nothing published

    # With --draft it builds, and marks each failing sentence in HTML and PDF.
    draft = report_cli("build", "--edition", "2023", "--draft", cwd=root, timeout=600)
    assert draft.returncode == 0, draft.stderr
    marked = set()
    for page in book.chapter_pages():
        marked |= {s["data-check"] for s in book.html(page).select("span.check-failed")}
    assert marked == BROKEN
    pdf = " ".join(book.pdf_text().split())
    for claim_id in BROKEN:
        assert f"[check failed: {claim_id}:" in pdf
    # The draft banner counts the rows still carried over, in the site and the PDF.
    banner = f"draft: {_carried_over_rows(root, '2023')} values not yet updated"
    assert banner in " ".join(book.html("index.html").get_text(" ").split())
    assert banner in pdf

    # Every affected number, year, word, count, table cell and figure follows the data.
    facts = _facts(root / "_book")
    expected = {
        "latest_year": "2022",
        "cn_share_trade_turnover": "21.50%",
        "cn_trade_turnover": "$24.0 billion",
        "trade_base_year": "2018",
        "cn_rank_kz_exports": "second",
        "cn_rank_kz_imports": "third",
        "cn_investor_rank_latest": "fourth",
        "cn_investor_rank_previous": "sixth",
        "investor_rank_latest_year": "2022",
        "cn_investment_latest": "$16.50 billion",
        "cn_investment_peak_year": "2022",
        "cn_share_investment_latest": "6.00%",
        "cpi_latest": "0.09",
        "cpi_previous": "0.17",
        "cpi_change": "\u22120.08",
        "cpi_change_direction": "down",
        "cpi_latest_measurement": "2024",
        "cpi_positive_indicators": "all four indicators",
        "cpi_indicator_4": "0.05",
        "cn_imports_vs_exports_growth": "lower",
        "cn_trade_turnover_growth": "55.00%",
        "cpi_low_regions": "two",
        "cpi_aktobe": "0.06",
    }
    shown = {k: facts[k]["text"] for k in expected if k in facts}
    assert shown == expected
    html_text = " ".join(" ".join(book.html(p).get_text(" ").split()) for p in book.chapter_pages())
    assert "all four indicators" in html_text and "2022" in html_text
    investors = book.html("chapters/02-economic-presence.html").select_one("#tbl-leading-investors")
    assert "2022" in investors.get_text()
    trade_csv = (
        root / "_book" / "chapters" / "02-economic-presence_files" / "data" / "fig-trade.csv"
    ).read_text(encoding="utf-8")
    assert "2022" in trade_csv and "2018" in trade_csv and "2021" not in trade_csv
    # A caption that names data periods is a figure div's caption, with inline values.
    trade = book.html("chapters/02-economic-presence.html").select_one("#fig-trade figcaption")
    caption = " ".join(trade.get_text(" ").split())
    assert "2022 printed, 2018 derived" in caption and "2022 over 2018" in caption, caption
    assert "2017" not in caption and "2021" not in caption
    assert (
        root / "_book" / "analysis-of-chinas-economic-strategy-and-foreign-policy-in-"
        "kazakhstan-2023-edition.pdf"
    ).is_file()
    assert "2023 edition" in book.html("index.html").title.get_text()
    changes = book.html("chapters/changes.html")
    assert "What changed since the 2022 edition" in changes.title.get_text()
    assert "cn\\_share\\_trade\\_turnover" not in changes.get_text()  # escaped in the source only
    assert "cn_share_trade_turnover" in changes.get_text()

    # Switching editions back and forth re-runs only what differs, never serving the other's output.
    first_2022 = report_cli("build", "--edition", "2022", cwd=root, timeout=600)
    assert first_2022.returncode == 0, first_2022.stderr
    assert _facts(root / "_book")["cn_share_trade_turnover"]["text"] == "17.90%"
    assert not (root / "_book" / "chapters" / "changes.html").exists()
    book_2022 = root / "book-2022"
    import shutil

    shutil.copytree(root / "_book", book_2022)
    back = report_cli("build", "--edition", "2023", "--draft", cwd=root, timeout=600)
    assert _executed(back.stdout) == 0, back.stdout
    assert _facts(root / "_book")["cn_share_trade_turnover"]["text"] == "21.50%"
    again = report_cli("build", "--edition", "2022", cwd=root, timeout=600)
    assert _executed(again.stdout) == 0 and "Built" in again.stdout
    assert _facts(root / "_book")["cn_share_trade_turnover"]["text"] == "17.90%"
    back = report_cli("build", "--edition", "2023", "--draft", cwd=root, timeout=600)

    # report diff lists exactly the facts that changed, between editions and between books.
    by_edition = report_cli("diff", "2022", "2023", "--csv", cwd=root, timeout=600)
    by_book = report_cli("diff", str(book_2022), "_book", "--csv", cwd=root, timeout=600)
    old, new = _facts(book_2022), _facts(root / "_book")
    really_changed = {
        k
        for k in old.keys() & new.keys()
        if old[k]["value"] != new[k]["value"] and old[k]["unit"] != "edition"
    }
    for done in (by_edition, by_book):
        assert done.returncode == 0, done.stderr
        rows = list(csv.DictReader(io.StringIO(done.stdout)))
        listed = {r["item"] for r in rows if r["kind"] in ("fact", "claim")}
        assert listed & (old.keys() & new.keys()) == really_changed
        assert {"cn_share_trade_turnover", "cpi_latest", "n_foreign_ministers"} & listed == {
            "cn_share_trade_turnover",
            "cpi_latest",
        }
        trade = next(r for r in rows if r["item"] == "cn_share_trade_turnover")
        assert (trade["old"], trade["new"], trade["direction"]) == ("17.9", "21.5", "up")

    # When every row is updated the banner disappears.
    for path in sorted((root / "data" / "2023").glob("*.csv")):
        es.publish_all(root, "2023", path.stem)
    done = report_cli("build", "--edition", "2023", "--draft", cwd=root, timeout=600)
    assert done.returncode == 0, done.stderr
    assert "values not yet updated" not in book.html("index.html").get_text()
    assert "values not yet updated" not in book.pdf_text()
    checked = report_cli("check", "--edition", "2023", cwd=root, timeout=600)
    assert "carried over" not in checked.stderr

    # Nothing outside data/2023 was touched (builds only wrote their own outputs).
    after = tree_digest(root)
    own = ("data/2023/", "_book/", "book-2022/", ".litbuild/", "figures/")
    assert {k: v for k, v in after.items() if not k.startswith(own)} == untouched
