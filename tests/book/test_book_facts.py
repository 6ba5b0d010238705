"""Issue 4: no number is frozen in prose. Every fact the chapters use is rendered from data: change
the values in a copy of data/, rebuild, and each fact's text in the HTML changes to what
`kzchina.facts.fact(id, ds)` computes from the changed copy.
"""

from __future__ import annotations

import re

import pytest

from book_fixtures import (
    Book,
    build_book,
    copy_built,
    facts_in_sources,
    perturb_edition,
    sha256_file,
    shared,
)
from kzchina.data import load
from kzchina.facts import fact

pytestmark = pytest.mark.slow

USED = facts_in_sources()
# Facts whose text may legitimately stay the same when every data value changes, with the reason.
# perturb_edition changes every value, key and counted row a fact reads, so none is needed; add
# one here only with an explanation (e.g. a constant of the schema).
UNCHANGED_ALLOWED: dict[str, str] = {
    "cn_rank_kz_exports": "China's rank 1 in exports, scaled by the perturbation, rounds to 1 again",
}
# Periods, dates and counts of the build itself: the perturbation keeps keys such as years and
# dates (it changes values), and the claim counts do not depend on values.
UNCHANGED_UNITS = {"year", "years", "date", "period", "edition", "claims"}


@pytest.fixture(scope="module")
def perturbed(book, tmp_path_factory) -> Book:
    """A copy of the built report with every data value changed, rebuilt (HTML only)."""

    def make() -> Book:
        project = copy_built(book.project, tmp_path_factory.mktemp("perturbed") / "report")
        perturb_edition(project)
        # Every value changes, so the text's claims fail: a draft build marks them and goes on.
        return build_book(project, to="html", draft=True)

    return shared("perturbed", make)


def test_the_chapters_use_many_facts():
    assert len(USED) > 100


def test_every_fact_in_the_sources_is_linked_in_the_html(book):
    shown = book.fact_texts()
    assert set(shown) == set(USED)
    for fact_id, texts in shown.items():
        assert len(texts) == 1, f"{fact_id} is shown with different texts: {texts}"


def test_fact_links_point_to_a_row_of_the_facts_page(book):
    facts_page = book.html("facts.html")
    for page in book.chapter_pages():
        for a in book.html(page).select("a.fact[data-fact]"):
            fact_id = a["data-fact"]
            target, _, anchor = a["href"].partition("#")
            assert (book.out / page).parent.joinpath(target).resolve() == (
                book.out / "facts.html"
            ).resolve(), a["href"]
            assert anchor == f"fact-{fact_id}"
            row = facts_page.find(id=anchor)
            assert row is not None and row.name == "tr", f"{page}: no row {anchor} on facts.html"
            assert row.find("code").get_text() == fact_id


def test_fact_links_have_each_attribute_once(book):
    for page in book.chapter_pages():
        html = (book.out / page).read_text(encoding="utf-8")
        for tag in re.findall(r"<a [^>]*class=\"fact\"[^>]*>", html):
            names = re.findall(r"\s([\w-]+)=", tag)
            assert len(names) == len(set(names)), f"{page}: {tag}"


def test_html_text_is_computed_from_the_data(book):
    ds = load(root=book.project)
    for fact_id, texts in book.fact_texts().items():
        assert texts == {fact(fact_id, ds).text}, fact_id


def test_perturbed_data_still_loads(perturbed):
    ds = load(root=perturbed.project)
    for name in ds.resource_names:
        ds.table(name)  # schema checks (types, min/max, enums, keys) pass on every resource


def test_every_fact_changes_with_the_data(book, perturbed):
    before, after = book.fact_texts(), perturbed.fact_texts()
    assert set(after) == set(before) == set(USED)
    from kzchina.facts import REGISTRY, _load_extensions

    _load_extensions()
    unchanged = sorted(
        f
        for f in USED
        if before[f] == after[f]
        and f not in UNCHANGED_ALLOWED
        and REGISTRY[f].unit not in UNCHANGED_UNITS
    )
    assert not unchanged, "frozen in prose (text did not follow the data): " + ", ".join(
        f"{f} = {before[f]}" for f in unchanged
    )


def test_perturbed_html_matches_the_perturbed_data(perturbed):
    ds = load(root=perturbed.project)
    rows = perturbed.facts_rows()
    for fact_id, texts in perturbed.fact_texts().items():
        expected = fact(fact_id, ds)
        assert texts == {expected.text}, fact_id
        assert rows[fact_id]["text"] == expected.text, fact_id
        assert rows[fact_id]["value"] == str(expected.value), fact_id


def test_perturbed_provenance_records_the_new_inputs(perturbed):
    """Facts name the changed files with their new hashes: provenance follows the data too."""
    actions = perturbed.actions()
    for fact_id in USED:
        for item in actions[fact_id]["object"]:
            assert item["sha256"] == sha256_file(perturbed.project / item["@id"]), fact_id


def test_computed_facts_say_so_in_csv_page_and_link_title(book):
    """A number the source does not print is marked "computed: …" wherever a reader meets it."""
    rows = book.facts_rows()
    computed = {k: r["derivation"] for k, r in rows.items() if r["derivation"]}
    assert {"cn_fdi_latest", "immigrants_total", "cpi_change"} <= set(computed)
    assert all(d.startswith("computed: ") for d in computed.values())
    assert rows["cn_fdi_decline_printed"]["derivation"] == ""  # "more than 40%" is printed
    page = book.html("facts.html")
    for fact_id, derivation in computed.items():
        cell = page.select_one(f"tr#fact-{fact_id} .derivation")
        assert cell is not None and cell.get_text() == derivation, fact_id
    titles = {}
    for chapter in book.chapter_pages():
        for a in book.html(chapter).select("a.fact"):
            titles[a["data-fact"]] = a.get("title", "")
    # The tooltip names no internal id (issue 12); it says where the link leads and, for a
    # computed value, how it was computed.
    from litbuild.transform import FACT_TITLE

    assert titles["cn_fdi_latest"] == f"{FACT_TITLE} ({computed['cn_fdi_latest']})"
    assert titles["cn_fdi_decline_printed"] == FACT_TITLE
