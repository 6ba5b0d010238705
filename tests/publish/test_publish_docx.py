"""Issue 12: `report build --to docx` gives editors and translators one Word file with the
book's headings, tables, captions, images and cross-references (read back with python-docx)."""

from __future__ import annotations

import re

import pytest

from book_fixtures import book_chapters, book_items, build_book, main_book, report_cli

pytestmark = pytest.mark.slow

ITEMS = book_items()
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def plain(text: str) -> str:
    for curly, straight in (("\u2019", "'"), ("\u201c", '"'), ("\u201d", '"'), ("\u00a0", " ")):
        text = text.replace(curly, straight)
    return " ".join(text.split())


@pytest.fixture(scope="module")
def docx_path(tmp_path_factory):
    book = main_book(tmp_path_factory)  # the same sources, executed once for the session
    out = tmp_path_factory.mktemp("docx") / "book"
    built = build_book(book.project, to="docx", output_dir=out)
    files = sorted(built.out.glob("*.docx"))
    assert len(files) == 1, files
    assert not list(built.out.glob("*.pdf")) and not (built.out / "index.html").exists()
    return files[0]


@pytest.fixture(scope="module")
def document(docx_path):
    import docx

    return docx.Document(str(docx_path))


def test_headings_follow_the_chapters(document):
    chapters = [plain(p.text) for p in document.paragraphs if p.style.name == "Heading 1"]
    expected = []
    for c in book_chapters():
        number = (
            f"Appendix {c.number} \u2014 "
            if c.number and c.number.isalpha()
            else (f"{c.number} " if c.number else "")
        )
        expected.append(plain(number + c.title))
    assert chapters == expected


def test_every_table_with_its_caption(document, tmp_path_factory):
    book = main_book(tmp_path_factory)
    tables = [i for i in ITEMS if i.kind == "table"]
    assert len(document.tables) == len(tables)
    captions = [plain(p.text) for p in document.paragraphs if p.style.name == "Table Caption"]
    assert captions == [plain(f"Table {t.number}: {book.resolved(t.caption)}") for t in tables]
    for table in document.tables:
        assert len(table.rows) >= 2 and all(c.text.strip() for c in table.rows[0].cells)


def test_every_figure_as_an_image_with_its_caption(document, docx_path, tmp_path_factory):
    import zipfile

    book = main_book(tmp_path_factory)
    figures = [i for i in ITEMS if i.kind == "figure"]
    assert len(document.inline_shapes) == len(figures)
    captions = [plain(p.text) for p in document.paragraphs if p.style.name == "Image Caption"]
    assert captions == [plain(f"Figure {f.number}: {book.resolved(f.caption)}") for f in figures]
    with zipfile.ZipFile(docx_path) as archive:
        media = [n for n in archive.namelist() if n.startswith("word/media/")]
    assert len(media) == len(figures) and all(n.endswith(".png") for n in media)
    # Each picture keeps its description (the figure's alt text) for screen readers.
    descriptions = [s._inline.docPr.get("descr") for s in document.inline_shapes]
    assert sorted(plain(d) for d in descriptions) == sorted(
        plain(f.alt or f.caption) for f in figures
    )


def test_cross_references_link_to_their_targets(document):
    body = document.element.body
    bookmarks = {b.get(f"{W}name") for b in body.iter(f"{W}bookmarkStart")}
    links = [
        (h.get(f"{W}anchor"), "".join(t.text or "" for t in h.iter(f"{W}t")))
        for h in body.iter(f"{W}hyperlink")
        if h.get(f"{W}anchor")
    ]
    xrefs = [(anchor, text) for anchor, text in links if re.match(r"(fig|tbl|sec)-", anchor)]
    assert len(xrefs) > 10
    for anchor, text in xrefs:
        assert anchor in bookmarks, anchor
        assert re.match(r"(Figure|Table|Section|Chapter|Appendix) [0-9A-Z]", text) or text, text


def test_cli_accepts_docx(tmp_path):
    proc = report_cli("build", "--help")
    assert proc.returncode == 0 and "docx" in proc.stdout
