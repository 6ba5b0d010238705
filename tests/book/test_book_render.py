"""Issue 4: the real report renders every chapter to HTML and PDF with the builtin engine, and every
figure and table is present, numbered and captioned in both.

Expectations come from the chapter sources (`#| label`, `#| fig-cap`/`tbl-cap`, `#| fig-alt`, the
chapter order in _quarto.yml), never from a previous output.
"""

from __future__ import annotations

import re

import pytest

from book_fixtures import book_chapters, book_items

pytestmark = pytest.mark.slow

ITEMS = book_items()
# What the report itself calls its exhibits (issue 4), by the label the book gives them.
ORIGINAL_EXHIBITS = {
    "tbl-foreign-ministers": "Table 1",
    "tbl-leading-investors": "Table 2",
    "tbl-media-topics": "Table 3",
    "tbl-fdi-by-sector": "Figure 3",  # the data behind the sector chart
    "fig-foreign-policy-bodies": "Figure 1",
    "fig-investment-position": "Figure 2",
    "fig-fdi-by-sector": "Figure 3",
    "fig-trade": "Figure 4",
    "fig-perception-index": "Figure 5",
}
KIND_WORD = {"figure": "Figure", "table": "Table"}


def norm(text: str) -> str:
    """Compare typeset text with source text: straight quotes, single spaces."""
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("\u201c", '"')
    text = text.replace("\u201d", '"').replace("\u00a0", " ")
    return re.sub(r"\s+", " ", text).strip()


def squeeze(text: str) -> str:
    """PDF text extraction breaks lines anywhere: compare without any whitespace."""
    # Typst's text layer maps its one hyphen glyph either to "-" or to the soft hyphen (U+00AD)
    # of the words it hyphenates, whichever it met first: compare without either.
    return re.sub(r"[\s\u00ad-]+", "", norm(text))


@pytest.fixture(scope="module")
def pdf(book):
    from pypdf import PdfReader
    from pypdf.generic import ContentStream

    reader = PdfReader(book.pdf_path)
    pages = []
    for page in reader.pages:
        ops = ContentStream(page.get_contents(), reader).operations
        paths = sum(1 for _, op in ops if op in (b"m", b"l", b"c", b"re"))
        pages.append((page.extract_text() or "", paths))
    return pages


def caption_of(node):
    """A figure's <figcaption>, or the <caption> of a table (issue 12: real table captions)."""
    return node.find("figcaption") or node.find("caption")


def body_pages(pdf: list) -> list:
    """The PDF's pages after its front matter (the lists of figures and tables repeat captions)."""
    start = next(i for i, (text, _) in enumerate(pdf) if norm(text).startswith("List of tables"))
    return pdf[start + 1 :]


def page_of(item) -> str:
    return re.sub(r"\.qmd$", ".html", item.chapter)


def test_the_sources_declare_the_reports_exhibits():
    labels = {i.label: i for i in ITEMS}
    assert set(ORIGINAL_EXHIBITS) <= set(labels), "a figure or table of the report has no label"
    assert len(labels) == len(ITEMS), "a label is used twice"
    for item in ITEMS:
        assert item.caption, f"{item.label} has no caption in {item.chapter}"
        if item.kind == "figure":
            assert item.alt, f"{item.label} has no fig-alt in {item.chapter}"
    figures = [i for i in ITEMS if i.kind == "figure"]
    assert [f.label for f in figures] == [k for k in ORIGINAL_EXHIBITS if k.startswith("fig-")]


def test_every_chapter_has_an_html_page_and_is_in_the_pdf(book, pdf):
    text = squeeze("\n".join(t for t, _ in pdf))
    for chapter in book_chapters(book.project):
        page = book.out / re.sub(r"\.qmd$", ".html", chapter.path)
        assert page.is_file(), f"{chapter.path} was not rendered to HTML"
        assert chapter.anchor, f"{chapter.path}: level-1 heading without an id"
        h1 = book.html(page.relative_to(book.out).as_posix()).find(id=chapter.anchor)
        assert h1 is not None and h1.name == "h1"
        assert norm(chapter.title) in norm(h1.get_text())
        if chapter.number:
            assert norm(h1.get_text()).startswith(chapter.number), h1.get_text()
        assert squeeze(chapter.title) in text, (
            f"chapter title missing from the PDF: {chapter.title}"
        )


@pytest.mark.parametrize("item", ITEMS, ids=lambda i: i.label)
def test_item_numbered_and_captioned_in_html(book, item):
    soup = book.html(page_of(item))
    node = soup.find(id=item.label)
    assert node is not None, f"no element with id {item.label} in {page_of(item)}"
    assert node.name == "figure"
    assert f"lb-{item.kind}" in node.get("class", [])
    caption = caption_of(node)
    assert caption is not None
    wanted = f"{KIND_WORD[item.kind]} {item.number}: {book.resolved(item.caption)}"
    assert norm(caption.get_text()) == norm(wanted)
    if item.kind == "figure":
        images = node.find_all("img")
        assert images, f"{item.label}: no image"
        for img in images:
            assert img.get("alt", "").strip(), f"{item.label}: image without alt text"
            assert norm(img["alt"]) == norm(item.alt)
            assert (book.out / page_of(item)).parent.joinpath(img["src"]).is_file(), img["src"]
    else:
        table = node.find("table")
        assert table is not None, f"{item.label}: no <table>"
        assert table.find("thead") is not None and len(table.find("tbody").find_all("tr")) >= 1
    # Cross-references in the prose point at the same number.
    for ref in soup.select(f'a.quarto-xref[href$="#{item.label}"]'):
        assert norm(ref.get_text()) == f"{KIND_WORD[item.kind]} {item.number}"


def test_items_are_numbered_in_book_order_in_html(book):
    seen = {}
    for item in ITEMS:
        text = norm(caption_of(book.html(page_of(item)).find(id=item.label)).get_text())
        seen[item.label] = text.split(":")[0]
    assert seen == {i.label: f"{KIND_WORD[i.kind]} {i.number}" for i in ITEMS}


@pytest.mark.parametrize("item", ITEMS, ids=lambda i: i.label)
def test_item_numbered_and_captioned_in_pdf(book, pdf, item):
    wanted = squeeze(f"{KIND_WORD[item.kind]} {item.number}: {book.resolved(item.caption)}")
    pages = [
        i
        for i, (text, _) in enumerate(pdf)
        if squeeze(f"{KIND_WORD[item.kind]} {item.number}:") in squeeze(text)
    ]
    text = squeeze("\n".join(t for t, _ in pdf))
    assert wanted in text, f"caption of {item.label} not in the PDF"
    assert pages, f"{item.label}: no page carries its number"
    if item.kind == "figure":
        # Typst draws the SVG as vector paths: the page with the caption is full of them.
        assert max(pdf[i][1] for i in pages) > 1000, f"{item.label}: no drawing on its page"
    else:
        # The table's header and first row, as the HTML shows them, are typeset in the PDF.
        table = book.html(page_of(item)).find(id=item.label).find("table")
        cells = [th.get_text() for th in table.find("thead").find_all("th")]
        cells += [td.get_text() for td in table.find("tbody").find("tr").find_all("td")]
        for cell in cells:
            if squeeze(cell):
                assert squeeze(cell) in text, f"{item.label}: cell {cell!r} not in the PDF"


def test_pdf_numbers_follow_book_order(pdf):
    text = norm("\n".join(t for t, _ in body_pages(pdf)))
    found = re.findall(r"\b(Figure|Table) ([0-9A-Z]+\.\d+):", text)
    captions = [f"{k} {n}" for k, n in found]
    assert captions == [f"{KIND_WORD[i.kind]} {i.number}" for i in ITEMS]
