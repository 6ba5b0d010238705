"""The fixture book built with real kernels, pandoc and Typst: HTML (BeautifulSoup) and PDF (pypdf).

Expectations come from the fixture's sources and Quarto's documented book behaviour
(/work/shared/QUARTO-CONVENTIONS.md), never from an earlier run of the engine.
"""

from __future__ import annotations

import posixpath
import re
from urllib.parse import urlsplit

import pytest

from helpers import FIXTURE_BOOK, quiet, write_project

pytestmark = pytest.mark.slow

BOOK_TITLE = "Fixture Book of Gardens"

# page, chapter number (None: unnumbered), title, part -- in _quarto.yml order.
CHAPTERS = [
    ("index.html", None, "Preface", None),
    ("chapters/plants.html", "1", "Plants", "Growing"),
    ("chapters/soil.html", "2", "Soil", "Growing"),
    ("chapters/notes.html", None, "Notes", None),
    ("chapters/options.html", "3", "Options", "Tending"),
    ("chapters/appendix.html", "A", "Extra tables", "Appendices"),
]
PAGES = [c[0] for c in CHAPTERS]

# label, page, number, caption (plain text), alt text (fig-alt, else the caption).
FIGURES = [
    pytest.param(
        "fig-preface",
        "index.html",
        "Figure 1",
        "A preface figure",
        "A preface figure",
        id="unnumbered-chapter-no-alt",
    ),
    pytest.param(
        "fig-growth",
        "chapters/plants.html",
        "Figure 1.1",
        "Growth of plants over time",
        "A line rising from left to right",
        id="chapter-fig-alt",
    ),
    pytest.param(
        "fig-roots",
        "chapters/plants.html",
        "Figure 1.2",
        "Root depth",
        "Root depth",
        id="second-in-chapter",
    ),
    pytest.param(
        "fig-rain",
        "chapters/options.html",
        "Figure 3.1",
        "Rain per month",
        "Bars of rainfall for three months",
        id="after-unnumbered-chapter",
    ),
    pytest.param(
        "fig-appendix",
        "chapters/appendix.html",
        "Figure A.1",
        "An appendix figure",
        "An appendix figure",
        id="appendix",
    ),
]
# label, page, number, caption, header cells, body rows.
TABLES = [
    pytest.param(
        "tbl-soil",
        "chapters/soil.html",
        "Table 2.1",
        "Soil acidity by bed",
        ["Bed", "pH"],
        [["A", "6.5"], ["B", "7.1"]],
        id="chapter",
    ),
    pytest.param(
        "tbl-extra",
        "chapters/appendix.html",
        "Table A.1",
        "An appendix table",
        ["a", "b"],
        [["1", "2"]],
        id="appendix",
    ),
]
# Every cross-reference in the sources, per page in order: link text, target page, fragment.
XREFS = {
    "index.html": [
        ("Growth", "chapters/plants.html", "sec-growth"),  # from an unnumbered chapter
        ("Figure 1.1", "chapters/plants.html", "fig-growth"),
        ("Figure 1", "index.html", "fig-preface"),
    ],
    "chapters/plants.html": [
        ("Figure 1.1", "chapters/plants.html", "fig-growth"),
        ("Table 2.1", "chapters/soil.html", "tbl-soil"),
        ("Section 2.1", "chapters/soil.html", "sec-ph"),
        ("Chapter 2", "chapters/soil.html", None),
    ],
    "chapters/soil.html": [
        ("Table 2.1", "chapters/soil.html", "tbl-soil"),
        ("Figure 1.1", "chapters/plants.html", "fig-growth"),
        ("1.1", "chapters/plants.html", "fig-growth"),
    ],  # [-@fig-growth]
    "chapters/notes.html": [("Acidity", "chapters/soil.html", "sec-ph")],
    "chapters/options.html": [
        ("Figure 3.1", "chapters/options.html", "fig-rain"),
        ("Appendix A", "chapters/appendix.html", None),
        ("Table A.1", "chapters/appendix.html", "tbl-extra"),
        ("Figure A.1", "chapters/appendix.html", "fig-appendix"),
    ],
    "chapters/appendix.html": [
        ("Table A.1", "chapters/appendix.html", "tbl-extra"),
        ("Figure A.1", "chapters/appendix.html", "fig-appendix"),
    ],
}
# page, sentence as a reader sees it once inline values are filled in.
INLINE_SENTENCES = [
    pytest.param("index.html", "This book grows tomatoes in beds named", id="string-unquoted"),
    pytest.param(
        "chapters/plants.html", "We have 12 plants and the ratio is 0.25.", id="numbers-repr"
    ),
    pytest.param("chapters/plants.html", "A flag: True.", id="boolean"),
    pytest.param(
        "chapters/plants.html", "Literal markdown: *not emphasis*.", id="markdown-literal"
    ),
    pytest.param("chapters/plants.html", "A float: 0.30000000000000004.", id="float-repr"),
    pytest.param("chapters/plants.html", "A list: [1, 2].", id="list-repr"),
    pytest.param("chapters/plants.html", "First the plants are seedling.", id="after-first-cell"),
    pytest.param("chapters/plants.html", "Then they are flowering.", id="after-second-cell"),
    pytest.param("chapters/plants.html", "The first seed is marigold.", id="relative-file-read"),
    pytest.param("chapters/soil.html", "is undefined here: True.", id="chapter-isolation"),
]
# page, callout kind, title (explicit ## heading or the kind's default), body.
CALLOUTS = [
    pytest.param(
        "chapters/plants.html",
        "warning",
        "Mind the frost",
        "Frost kills tomatoes.",
        id="warning-titled",
    ),
    pytest.param("chapters/soil.html", "note", "Note", "A plain note.", id="note"),
    pytest.param("chapters/notes.html", "tip", "A tip", "Water in the morning.", id="tip-titled"),
    pytest.param(
        "chapters/notes.html", "important", "Important", "Important body.", id="important"
    ),
    pytest.param("chapters/notes.html", "caution", "Caution", "Caution body.", id="caution"),
]
# page, text, where it must (True) or must not (False) appear: "code", "output", "page".
SHOWN_AND_HIDDEN = [
    pytest.param("chapters/plants.html", "count = 12", "code", True, id="echo-default-shows-code"),
    pytest.param("chapters/plants.html", "hello from plants", "output", True, id="stdout"),
    pytest.param("chapters/plants.html", "10", "output", True, id="text-plain-result"),
    pytest.param(
        "chapters/plants.html",
        "cwd: chapters",
        "output",
        True,
        id="execute-dir-default-is-chapter-folder",
    ),
    pytest.param("chapters/plants.html", "ax.plot([1, 2, 3]", "page", False, id="echo-false"),
    pytest.param(
        "chapters/plants.html",
        'secret = "output-false-value"',
        "code",
        True,
        id="output-false-shows-code",
    ),
    pytest.param(
        "chapters/plants.html", "OUTPUT-FALSE-VALUE", "page", False, id="output-false-hides-output"
    ),
    pytest.param(
        "chapters/plants.html", "include-false-value", "page", False, id="include-false-hides-code"
    ),
    pytest.param(
        "chapters/plants.html",
        "INCLUDE-FALSE-VALUE",
        "page",
        False,
        id="include-false-hides-output",
    ),
    pytest.param(
        "chapters/plants.html",
        'raise RuntimeError("eval-false-never-raised")',
        "code",
        True,
        id="eval-false-shows-code",
    ),
    pytest.param(
        "chapters/plants.html",
        "project-default-hides-this-warning",
        "page",
        False,
        id="project-warning-false",
    ),
    pytest.param(
        "chapters/options.html",
        "CHAPTER-ECHO-FALSE-OUTPUT",
        "output",
        True,
        id="front-matter-echo-false-keeps-output",
    ),
    pytest.param(
        "chapters/options.html",
        '"chapter-echo-false-output"',
        "page",
        False,
        id="front-matter-echo-false-hides-code",
    ),
    pytest.param(
        "chapters/options.html",
        "UserWarning: frost-warning-shown",
        "stderr",
        True,
        id="front-matter-warning-true",
    ),
    pytest.param(
        "chapters/options.html",
        "frost-warning-hidden",
        "page",
        False,
        id="cell-warning-false-overrides-front-matter",
    ),
    pytest.param(
        "chapters/options.html",
        'print("cell-echo-true-output".upper())',
        "code",
        True,
        id="cell-echo-true-overrides-front-matter",
    ),
    pytest.param(
        "chapters/options.html", "CELL-ECHO-TRUE-OUTPUT", "output", True, id="cell-echo-true-output"
    ),
]


def norm(text: str) -> str:
    return " ".join(text.split())


def resolve(page: str, href: str) -> tuple[str, str | None]:
    """The site-relative page and fragment an href on `page` points to."""
    parts = urlsplit(href)
    target = (
        posixpath.normpath(posixpath.join(posixpath.dirname(page), parts.path))
        if parts.path
        else page
    )
    return target, parts.fragment or None


# -- the build itself -------------------------------------------------------------------------


def test_build_reports_what_it_made(built_book):
    result = built_book.result
    assert result.output_dir == built_book.project / "_garden_book"  # project.output-dir
    assert result.chapters == len(CHAPTERS)
    assert result.figures == len(FIGURES)
    assert result.tables == len(TABLES)
    assert not (built_book.project / "_book").exists()
    assert [p.name for p in built_book.out.glob("*.pdf")] == [result.pdf_name]


def test_every_chapter_has_a_page(built_book):
    for page in PAGES:
        assert (built_book.out / page).is_file(), page


def test_expectation_tables_cover_every_label_in_the_fixture():
    """Adding a labelled figure or table to the fixture must extend the tables above."""
    labels = set()
    for path in FIXTURE_BOOK.rglob("*.qmd"):
        labels |= set(
            re.findall(r"^#\| label: (\S+)$", path.read_text(encoding="utf-8"), re.MULTILINE)
        )
    covered = {p.values[0] for p in FIGURES} | {p.values[0] for p in TABLES}
    assert labels == covered


def test_expectation_tables_cover_every_reference_in_the_fixture():
    for page, refs in XREFS.items():
        source = (FIXTURE_BOOK / page.replace(".html", ".qmd")).read_text(encoding="utf-8")
        cited = re.findall(r"-?@((?:fig|tbl|sec)-[\w-]+)", source)
        assert len(cited) == len(refs), page


# -- HTML -------------------------------------------------------------------------------------


@pytest.mark.parametrize("page, number, title, part", [pytest.param(*c, id=c[0]) for c in CHAPTERS])
def test_page_title_and_chapter_heading(built_book, page, number, title, part):
    soup = built_book.html(page)
    if page == "index.html":
        assert soup.title.string == BOOK_TITLE
    elif number is None:
        assert soup.title.string == f"{title} \u2013 {BOOK_TITLE}"
    elif number.isdigit():
        assert soup.title.string == f"{number} {title} \u2013 {BOOK_TITLE}"
    else:  # appendix: the letter comes before the title
        assert re.fullmatch(
            rf"(Appendix )?{number}\W+{title} \u2013 {BOOK_TITLE}", soup.title.string
        )
    main = soup.find("main")
    headings = [h for h in main.find_all("h1") if "title" not in (h.get("class") or [])]
    assert len(headings) == 1
    text = norm(headings[0].get_text(" "))
    assert text.endswith(title)
    if number is None:
        assert text == title
    else:
        assert re.search(rf"(^|\s){number}(\s|$)", text.removesuffix(title))


def test_index_title_block(built_book):
    block = built_book.html("index.html").find("main").find("header")
    text = norm(block.get_text(" "))
    for expected in (BOOK_TITLE, "Ada Gardener", "Ben Planter", "2024-05-01"):
        assert expected in text
    assert text.index(BOOK_TITLE) < text.index("Ada Gardener") < text.index("Ben Planter")


@pytest.mark.parametrize("page", PAGES)
def test_sidebar_lists_every_chapter_with_numbers_and_parts(built_book, page):
    sidebar = built_book.html(page).find(id="sidebar")
    links = [a for a in sidebar.find_all("a") if a.find_parent("li", class_="chapter")]
    assert len(links) == len(CHAPTERS)
    parts_seen = [norm(li.get_text()) for li in sidebar.find_all("li", class_="part")]
    assert parts_seen == ["Growing", "Tending", "Appendices"]
    for link, (target, number, title, _) in zip(links, CHAPTERS):
        assert resolve(page, link["href"]) == (target, None)
        expected = f"{number} {title}" if number else title
        assert norm(link.get_text(" ")) == expected
        assert (link.get("aria-current") == "page") == (target == page)


@pytest.mark.parametrize("position", range(len(PAGES)), ids=PAGES)
def test_previous_and_next_links(built_book, position):
    page = PAGES[position]
    soup = built_book.html(page)
    prev, nxt = soup.find("a", rel="prev"), soup.find("a", rel="next")
    if position == 0:
        assert prev is None
    else:
        assert resolve(page, prev["href"]) == (PAGES[position - 1], None)
        assert CHAPTERS[position - 1][2] in prev.get_text()
    if position == len(PAGES) - 1:
        assert nxt is None
    else:
        assert resolve(page, nxt["href"]) == (PAGES[position + 1], None)
        assert CHAPTERS[position + 1][2] in nxt.get_text()


@pytest.mark.parametrize("label, page, number, caption, alt", FIGURES)
def test_figures_numbered_with_caption_alt_and_svg(built_book, label, page, number, caption, alt):
    figure = built_book.html(page).find(id=label)
    assert figure is not None and figure.name == "figure"
    assert norm(figure.figcaption.get_text(" ")) == f"{number}: {caption}"
    (img,) = figure.find_all("img")
    assert img["alt"] == alt
    src, _ = resolve(page, img["src"])
    assert src.endswith(".svg")
    svg = (built_book.out / src).read_text(encoding="utf-8")
    assert "<svg" in svg[:1000]
    # The caption comes after the image (Quarto: caption below the figure).
    assert img.sourceline < figure.figcaption.sourceline or (
        str(figure).index("<img") < str(figure).index("<figcaption")
    )


def test_markdown_in_captions_is_rendered(built_book):
    caption = built_book.html("chapters/plants.html").find(id="fig-growth").figcaption
    assert caption.find("em").get_text() == "plants"


@pytest.mark.parametrize("label, page, number, caption, header, rows", TABLES)
def test_tables_numbered_with_caption_above(built_book, label, page, number, caption, header, rows):
    figure = built_book.html(page).find(id=label)
    assert figure is not None
    table = figure.find("table")
    # A real <caption> (read with the table by screen readers), which browsers place above it.
    assert norm(table.caption.get_text(" ")) == f"{number}: {caption}"
    assert table.contents.index(table.caption) < table.contents.index(table.find("tbody"))
    assert [th.get_text(strip=True) for th in table.find_all("th")] == header
    assert all(th["scope"] == "col" for th in table.find("thead").find_all("th"))
    assert [
        [td.get_text(strip=True) for td in tr.find_all("td")]
        for tr in table.find("tbody").find_all("tr")
    ] == rows
    # The table scrolls inside a focusable region named by its caption, never the page.
    region = table.find_parent("div", class_="table-scroll")
    assert region["role"] == "region" and region["tabindex"] == "0"
    assert norm(region["aria-label"]) == f"{number}: {caption}"


def test_footnotes_end_the_page_that_cites_them(built_book):
    """As Quarto renders each page alone: a chapter's footnotes close that chapter's page, not
    the last page written in the same pandoc call."""
    pages = {page: built_book.html(page) for page in PAGES}
    holding = [page for page, soup in pages.items() if soup.find(class_="footnotes")]
    assert holding == ["chapters/notes.html"]
    notes = pages["chapters/notes.html"]
    reference = notes.find("a", class_="footnote-ref")
    note = notes.find(id=reference["href"].lstrip("#"))
    assert note.get_text(" ", strip=True).startswith("It keeps the soil moist.")
    assert note.find_parent("main") is not None


def test_code_block_ids_start_again_on_each_page(built_book):
    """pandoc numbers code blocks cb1, cb2, ... per document; each page is its own document, so
    a page's ids do not depend on the pages before it."""
    for page in PAGES:
        ids = [div["id"] for div in built_book.html(page).select("div.sourceCode[id]")]
        numbers = [int(i.removeprefix("cb")) for i in ids]
        assert numbers == sorted(set(numbers)), page
    # The appendix's first block is echoed code: cb1 alone, cb13 after the other chapters' code.
    assert built_book.html("chapters/appendix.html").select_one("div.sourceCode")["id"] == "cb1"


@pytest.mark.parametrize("page", PAGES)
def test_cross_references_text_and_targets(built_book, page):
    links = built_book.html(page).find("main").find_all("a", class_="quarto-xref")
    found = [(norm(a.get_text(" ")),) + resolve(page, a["href"]) for a in links]
    assert found == XREFS[page]
    for _, target_page, fragment in found:
        target = built_book.html(target_page)
        if fragment is None:  # a chapter reference points at the chapter's page itself
            continue
        element = target.find(id=fragment)
        assert element is not None, f"{target_page}#{fragment}"


@pytest.mark.parametrize("page", PAGES)
def test_no_unresolved_reference_or_inline_token_is_left(built_book, page):
    text = built_book.html(page).get_text(" ")
    assert "?@" not in text
    assert not re.search(r"@(fig|tbl|sec)-", text)
    assert "{python}" not in text
    assert "LBINLINE" not in text


def test_section_ids_and_numbers(built_book):
    plants = built_book.html("chapters/plants.html")
    assert norm(plants.find(id="sec-growth").get_text(" ")) == "1.1 Growth"
    hidden = plants.find("h3")
    assert norm(hidden.get_text(" ")) == "1.1.1 Hidden code"
    assert hidden["id"] == "hidden-code"  # pandoc's automatic id for an unlabelled heading
    soil = built_book.html("chapters/soil.html")
    assert soil.find("h1")["id"] == "sec-soil"
    assert norm(soil.find(id="sec-ph").get_text(" ")) == "2.1 Acidity"
    assert (
        norm(built_book.html("chapters/options.html").find(id="sec-rain").get_text(" "))
        == "3.1 Rain"
    )


@pytest.mark.parametrize("page, sentence", INLINE_SENTENCES)
def test_inline_values(built_book, page, sentence):
    assert sentence in norm(built_book.html(page).find("main").get_text(" ").replace(" .", "."))


def test_inline_string_markdown_is_not_interpreted(built_book):
    paragraph = next(
        p
        for p in built_book.html("chapters/plants.html").find_all("p")
        if "Literal markdown" in p.get_text()
    )
    assert paragraph.find("em") is None


@pytest.mark.parametrize("page, text, where, shown", SHOWN_AND_HIDDEN)
def test_shown_and_hidden_code_and_output(built_book, page, text, where, shown):
    main = built_book.html(page).find("main")
    if where == "code":
        blocks = [norm(b.get_text()) for b in main.select("pre.cell-code")]
    elif where == "output":
        blocks = [norm(b.get_text()) for b in main.select("pre.cell-output")]
        blocks = [b for b in blocks if b == text or text in b]
    elif where == "stderr":
        blocks = [norm(b.get_text()) for b in main.select("pre.cell-output-stderr")]
    else:
        blocks = [norm(main.get_text(" "))]
    assert any(norm(text) in b for b in blocks) == shown


def test_text_plain_result_is_a_display_output(built_book):
    displays = built_book.html("chapters/plants.html").select("pre.cell-output-display")
    assert [norm(d.get_text()) for d in displays] == ["10"]


@pytest.mark.parametrize("page, kind, title, body", CALLOUTS)
def test_callouts(built_book, page, kind, title, body):
    callouts = built_book.html(page).find("main").select(f".callout-{kind}")
    assert len(callouts) == 1
    callout = callouts[0]
    text = norm(callout.get_text(" "))
    assert text.startswith(title) and text.endswith(body)
    assert callout.find(["h1", "h2", "h3"]) is None  # the title is not a numbered section


@pytest.mark.parametrize("page", PAGES)
def test_site_is_self_contained(built_book, page):
    """Every link, image and stylesheet is local and exists: the site works offline."""
    soup = built_book.html(page)
    for tag, attribute in (("a", "href"), ("img", "src"), ("link", "href"), ("script", "src")):
        for element in soup.find_all(tag):
            url = element.get(attribute)
            if url is None:
                continue
            assert not urlsplit(url).scheme, f"{page}: external {tag} {url}"
            target, fragment = resolve(page, url)
            assert (built_book.out / target).is_file(), f"{page}: broken {tag} {url}"
            if fragment and target.endswith(".html"):
                assert built_book.html(target).find(id=fragment) is not None, f"{page}: {url}"


@pytest.mark.parametrize("page", PAGES)
def test_element_ids_are_unique(built_book, page):
    ids = [e["id"] for e in built_book.html(page).find_all(id=True)]
    assert sorted(ids) == sorted(set(ids))


# -- PDF --------------------------------------------------------------------------------------

PDF_HEADINGS = ["Preface", "1 Plants", "2 Soil", "Notes", "3 Options", "Extra tables"]


def heading_pages(pages: list[str]) -> list[int]:
    """Index of the page that opens each chapter (its heading is among its first lines)."""
    found = []
    for heading in PDF_HEADINGS:
        hits = [
            i
            for i, page in enumerate(pages)
            if any(line.strip().endswith(heading) for line in page.splitlines()[:3]) and i > 1
        ]  # past the title page and the contents
        assert hits, heading
        found.append(hits[0])
    return found


def test_pdf_page_count_is_plausible(built_book, pdf_pages):
    assert built_book.result.pdf_pages == len(pdf_pages)
    # A title page, the contents, then every chapter opening on a new page; the fixture's
    # chapters are short, so none should need more than three pages.
    assert 2 + len(CHAPTERS) <= len(pdf_pages) <= 2 + 3 * len(CHAPTERS)


def test_pdf_title_page_and_metadata(built_book, pdf_pages):
    from pypdf import PdfReader

    first = norm(pdf_pages[0])
    for expected in (BOOK_TITLE, "Ada Gardener", "Ben Planter", "2024-05-01"):
        assert expected in first
    assert PdfReader(built_book.pdf_path).metadata.title == BOOK_TITLE


def body_start(pdf_pages: list[str]) -> int:
    """The first page after the front matter (title, imprint, contents, lists of figures/tables)."""
    return next(i for i, p in enumerate(pdf_pages) if norm(p).startswith("List of tables")) + 1


def test_pdf_front_matter_in_order(pdf_pages):
    starts = [norm(p).split(" ")[0] for p in pdf_pages[: body_start(pdf_pages)]]
    assert starts[1:4] == ["Imprint", "Contents", "List"], starts


def test_pdf_contents_lists_chapters_in_order(pdf_pages):
    contents = next(norm(p) for p in pdf_pages if norm(p).startswith("Contents"))
    positions = [
        contents.index(h)
        for h in (
            "Preface",
            "1 Plants",
            "1.1 Growth",
            "2 Soil",
            "2.1 Acidity",
            "Notes",
            "3 Options",
            "Extra tables",
        )
    ]
    assert positions == sorted(positions)


def test_pdf_chapters_open_new_pages_in_order(pdf_pages):
    pages = heading_pages(pdf_pages)
    assert pages == sorted(set(pages))  # strictly increasing: one chapter per opening page


def test_pdf_appendix_heading_has_its_letter(pdf_pages):
    opening = pdf_pages[heading_pages(pdf_pages)[-1]]
    assert re.search(r"\bA\b\W*Extra tables", opening)


@pytest.mark.parametrize(
    "text",
    [
        pytest.param(
            "This book grows tomatoes in beds named Сад и огород.", id="latin-and-cyrillic"
        ),
        pytest.param("Figure 1: A preface figure", id="unnumbered-figure"),
        pytest.param("Figure 1.1: Growth of plants over time", id="figure-caption"),
        pytest.param("Figure 1.2: Root depth", id="second-figure"),
        pytest.param("Table 2.1: Soil acidity by bed", id="table-caption"),
        pytest.param("Figure 3.1: Rain per month", id="figure-after-unnumbered"),
        pytest.param("Table A.1: An appendix table", id="appendix-table"),
        pytest.param("Figure A.1: An appendix figure", id="appendix-figure"),
        pytest.param("See Table 2.1 and Figure 1.1 and 1.1.", id="references"),
        pytest.param("plus Section 2.1 and Chapter 2.", id="section-and-chapter-references"),
        pytest.param(
            "See Figure 3.1, Appendix A, Table A.1 and Figure A.1.", id="appendix-references"
        ),
        pytest.param("Unnumbered chapter referring to Acidity.", id="reference-from-unnumbered"),
        pytest.param("It keeps the soil moist.", id="footnote"),
        pytest.param("We have 12 plants and the ratio is 0.25. A flag: True.", id="inline-values"),
        pytest.param("Literal markdown: *not emphasis*.", id="inline-markdown-literal"),
        pytest.param("First the plants are seedling.", id="inline-order-1"),
        pytest.param("Then they are flowering.", id="inline-order-2"),
        pytest.param("is undefined here: True.", id="chapter-isolation"),
        pytest.param("hello from plants", id="stdout"),
        pytest.param("CHAPTER-ECHO-FALSE-OUTPUT", id="echo-false-output"),
        pytest.param("UserWarning: frost-warning-shown", id="warning-shown"),
        pytest.param('raise RuntimeError("eval-false-never-raised")', id="eval-false-code"),
    ],
)
def test_pdf_text_contains(pdf_pages, text):
    assert norm(text) in norm(" ".join(pdf_pages))


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("OUTPUT-FALSE-VALUE", id="output-false"),
        pytest.param("include-false-value", id="include-false-code"),
        pytest.param("INCLUDE-FALSE-VALUE", id="include-false-output"),
        pytest.param("frost-warning-hidden", id="cell-warning-false"),
        pytest.param("project-default-hides-this-warning", id="project-warning-false"),
        pytest.param('"chapter-echo-false-output"', id="echo-false-code"),
        pytest.param("?@", id="unresolved-reference"),
        pytest.param("LBINLINE", id="inline-token"),
    ],
)
def test_pdf_text_lacks(pdf_pages, text):
    assert text not in " ".join(pdf_pages)


@pytest.mark.parametrize(
    "kind, title, body", [p.values[1:] for p in CALLOUTS], ids=[p.id for p in CALLOUTS]
)
def test_pdf_callouts(pdf_pages, kind, title, body):
    text = norm(" ".join(pdf_pages))
    assert f"{title} {body}" in text


def test_pdf_table_caption_above_its_rows(pdf_pages):
    text = norm(" ".join(pdf_pages[body_start(pdf_pages) :]))
    assert text.index("Table 2.1: Soil acidity by bed") < text.index("Bed pH A 6.5 B 7.1")


def test_pdf_text_follows_book_order(pdf_pages):
    text = norm(" ".join(pdf_pages[body_start(pdf_pages) :]))
    order = [
        "This book grows",
        "hello from plants",
        "Figure 1.1: Growth",
        "Mind the frost",
        "Table 2.1: Soil",
        "A plain note",
        "Water in the morning",
        "CHAPTER-ECHO-FALSE",
        "Figure 3.1: Rain",
        "Table A.1: An appendix table",
    ]
    positions = [text.index(t) for t in order]
    assert positions == sorted(positions)


# -- execute-dir ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "execute_dir, folder, reads",
    [
        pytest.param(None, "chapters", "chapter-folder.txt", id="default-chapter-folder"),
        pytest.param("file", "chapters", "chapter-folder.txt", id="file"),
        pytest.param("project", "proj", "project-root.txt", id="project"),
    ],
)
def test_execute_dir(tmp_path, execute_dir, folder, reads):
    from litbuild.build import build

    project_line = f"  execute-dir: {execute_dir}\n" if execute_dir else ""
    root = write_project(
        tmp_path / "proj",
        {
            "_quarto.yml": "project:\n  type: book\n"
            + project_line
            + "book:\n  title: Dirs\n  chapters:\n    - chapters/one.qmd\n",
            "chapters/one.qmd": """
            # One

            ```{python}
            import os
            print("cwd=" + os.path.basename(os.getcwd()))
            print("read=" + open("where.txt").read().strip())
            ```
            """,
            "where.txt": "project-root.txt\n",
            "chapters/where.txt": "chapter-folder.txt\n",
        },
    )
    build(root, to="html", engine="builtin", progress=quiet)
    html = (root / "_book" / "chapters" / "one.html").read_text(encoding="utf-8")
    assert f"cwd={folder}" in html
    assert f"read={reads}" in html
    assert list((root / "_book").glob("*.pdf")) == []  # --to html makes no PDF


# -- reproducibility --------------------------------------------------------------------------


def test_what_a_cell_prints_is_one_block_however_the_kernel_sends_it(tmp_path):
    """The kernel sends printed text in as many messages as it happens to flush (a timer, an
    explicit flush, load on the machine): the page must not depend on that. Consecutive text
    of one stream is one block; text of another stream in between keeps its place."""
    from bs4 import BeautifulSoup

    from litbuild.build import build

    root = write_project(
        tmp_path / "proj",
        {
            "_quarto.yml": "project:\n  type: book\nbook:\n  title: Streams\n"
            "  chapters:\n    - one.qmd\n",
            "one.qmd": """
            # One

            ```{python}
            import sys
            print("first line", flush=True)
            print("second line", flush=True)
            ```

            ```{python}
            print("before", flush=True)
            print("in between", file=sys.stderr, flush=True)
            print("after", flush=True)
            ```
            """,
        },
    )
    build(root, to="html", engine="builtin", progress=quiet)
    page = BeautifulSoup((root / "_book" / "one.html").read_text(encoding="utf-8"), "html.parser")
    blocks = [
        (" ".join(pre["class"]), pre.get_text())
        for pre in page.select("pre.cell-output-stdout, pre.cell-output-stderr")
    ]
    assert blocks == [
        ("cell-output cell-output-stdout", "first line\nsecond line"),
        ("cell-output cell-output-stdout", "before"),
        ("cell-output cell-output-stderr", "in between"),
        ("cell-output cell-output-stdout", "after"),
    ]


def test_same_sources_elsewhere_give_byte_identical_output(built_book, tmp_path):
    """DESIGN.md: same inputs, byte-identical outputs -- also from another folder (no paths leak)."""
    from helpers import copy_book, tree_digest
    from litbuild.build import build

    project = copy_book(tmp_path / "elsewhere")
    build(project, to="all", engine="builtin", progress=quiet)
    assert tree_digest(project / "_garden_book") == tree_digest(built_book.out)


def test_pdf_page_count_reads_the_page_tree_and_falls_back_to_pypdf():
    import io

    from pypdf import PdfWriter

    from litbuild.pdf import pdf_page_count

    writer = PdfWriter()
    for _ in range(3):
        writer.add_blank_page(width=200, height=200)
    buffer = io.BytesIO()
    writer.write(buffer)
    data = buffer.getvalue()
    assert pdf_page_count(data) == 3
    # A stray "/Type /Page" (in a comment here) makes the quick count disagree: pypdf decides.
    assert pdf_page_count(data + b"\n% /Type /Page\n") == 3
