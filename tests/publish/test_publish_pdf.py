"""Issue 12: the PDF a print editor would ship: tagged figures with alt text, unhyphenated
headings, imprint, lists of figures and tables, running heads, measure, rows kept whole, fonts
embedded. Two pages are rendered to PNG into `.screenshots/` (git-ignored) to look at.
"""

from __future__ import annotations

import re
import shutil
import statistics
import subprocess

import pytest

from book_fixtures import ROOT, book_chapters, book_items

pytestmark = pytest.mark.slow

IN_CI = __import__("os").environ.get("CI", "").lower() in ("1", "true", "yes")
FIGURES = [i for i in book_items() if i.kind == "figure"]
TABLES = [i for i in book_items() if i.kind == "table"]
CHAPTERS = book_chapters()


def plain(text: str) -> str:
    """Typeset text as the sources type it: straight quotes, hyphens, single spaces."""
    for curly, straight in (
        ("\u2019", "'"),
        ("\u2018", "'"),
        ("\u201c", '"'),
        ("\u201d", '"'),
        ("\u2013", "-"),
        ("\u00a0", " "),
    ):
        text = text.replace(curly, straight)
    return " ".join(text.split())


@pytest.fixture(scope="module")
def reader(book):
    from pypdf import PdfReader

    return PdfReader(book.pdf_path)


@pytest.fixture(scope="module")
def pages(reader) -> list[str]:
    return [page.extract_text() or "" for page in reader.pages]


def body_start(pages: list[str]) -> int:
    return next(i for i, p in enumerate(pages) if plain(p).startswith("List of tables")) + 1


def poppler(tool: str) -> str:
    path = shutil.which(tool)
    if path is None:
        reason = f"{tool} is missing (apt-get install poppler-utils; .ci/run does it)"
        if IN_CI:
            pytest.fail(reason, pytrace=False)
        pytest.skip(reason)
    return path


def structure(reader) -> list[tuple[str, str | None]]:
    """Every element of the tagged PDF's structure tree: (role, alt text)."""
    found: list[tuple[str, str | None]] = []

    def walk(node) -> None:
        node = node.get_object()
        if isinstance(node, list):
            for child in node:
                walk(child)
            return
        if not hasattr(node, "get"):
            return
        if node.get("/S") is not None:
            alt = node.get("/Alt")
            found.append((str(node["/S"]), None if alt is None else str(alt)))
        kids = node.get("/K")
        if kids is not None:
            walk(kids)

    walk(reader.trailer["/Root"]["/StructTreeRoot"])
    return found


def test_every_figure_carries_its_alt_text_in_the_tagged_pdf(reader):
    figures = [alt for role, alt in structure(reader) if role == "/Figure"]
    assert len(figures) == len(FIGURES)
    assert sorted(plain(a or "") for a in figures) == sorted(
        plain(f.alt or f.caption) for f in FIGURES
    )


def test_pdf_declares_the_language(reader):
    assert str(reader.trailer["/Root"]["/Lang"]).lower().startswith("en")


def test_no_heading_is_hyphenated(pages):
    text = plain(" ".join(pages[body_start(pages) :]))
    for chapter in CHAPTERS:
        number = (
            f"Appendix {chapter.number} \u2014 "
            if chapter.number and chapter.number.isalpha()
            else (f"{chapter.number} " if chapter.number else "")
        )
        assert plain(number + chapter.title) in text, chapter.title
    # No line of the body ends in a hyphenated word fragment followed by a heading's rest.
    assert not re.search(r"Kaza-\s*khstan", " ".join(pages))


def test_imprint_names_edition_version_licence_and_citation(pages):
    imprint = plain(next(p for p in pages if plain(p).startswith("Imprint")))
    for field in ("Edition 2022", "Version", "Licence", "How to cite this edition", "@report{"):
        assert field in imprint, field


def test_lists_of_figures_and_tables_name_every_item(pages):
    front = plain(" ".join(pages[: body_start(pages)]))
    figures = front[front.index("List of figures") : front.index("List of tables")]
    tables = front[front.index("List of tables") :]
    for item in FIGURES:
        assert f"Figure {item.number}:" in figures, item.label
    for item in TABLES:
        assert f"Table {item.number}:" in tables, item.label


def test_running_heads_name_the_chapter(pages):
    start = body_start(pages)
    chapter_2 = next(c for c in CHAPTERS if c.number == "2")
    head = plain(chapter_2.title)[:40]
    # Pages inside chapter 2 that do not open it begin with its title as the running head.
    opening = next(
        i
        for i in range(start, len(pages))
        if plain(pages[i]).startswith("2 " + plain(chapter_2.title)[:30])
    )
    following = plain(pages[opening + 1])
    assert following.startswith("2 " + head), following[:80]


def test_measure_is_70_to_90_characters(pages):
    lines = [line.strip() for page in pages[body_start(pages) :] for line in page.splitlines()]
    # Full lines of running text: long, ending in a word, not a table row or a heading.
    full = [len(line) for line in lines if len(line) > 55 and not line.endswith((".", ":"))]
    assert len(full) > 200
    median = statistics.median(full)
    assert 70 <= median <= 90, median


def test_table_rows_are_kept_whole(book, pages):
    """Each row of the longest-celled table starts and ends on one page."""
    from kzchina import load
    from kzchina.tables import foreign_ministers

    frame = foreign_ministers(load(root=book.project)).frame
    body = [plain(p) for p in pages]
    squeezed = ["".join(p.split()) for p in body]
    start = body_start(pages)
    for row in frame.itertuples(index=False):
        first = "".join(plain(row[1]).split())[:25]  # the term, early in the row
        last = "".join(plain(row[2]).split())[-25:]  # the end of its longest cell
        on = [i for i in range(start, len(pages)) if first in squeezed[i]]
        assert on, row[0]
        assert last in squeezed[on[0]], f"row of {row[0]} breaks across pages"


def test_every_font_is_embedded(book):
    out = subprocess.run(
        [poppler("pdffonts"), str(book.pdf_path)], capture_output=True, text=True, check=True
    ).stdout.splitlines()
    fonts = out[2:]
    assert fonts
    for line in fonts:
        # name, type..., then emb sub uni: the "emb" column must say yes.
        columns = line.split()
        assert columns[-5] == "yes", line


def test_two_pdf_pages_rendered_for_review(book, pages):
    target = ROOT / ".screenshots"
    target.mkdir(exist_ok=True)
    imprint = next(i for i, p in enumerate(pages) if plain(p).startswith("Imprint")) + 1
    chapter_2 = (
        next(i for i, p in enumerate(pages) if i >= body_start(pages) and plain(p).startswith("2 "))
        + 2
    )  # a page inside chapter 2: running head
    for name, number in (("pdf-imprint", imprint), ("pdf-chapter-2", chapter_2)):
        subprocess.run(
            [
                poppler("pdftoppm"),
                "-r",
                "80",
                "-png",
                "-singlefile",
                "-f",
                str(number),
                "-l",
                str(number),
                str(book.pdf_path),
                str(target / name),
            ],
            check=True,
            timeout=120,
        )
        assert (target / f"{name}.png").stat().st_size > 10_000
    print(f"\nPDF pages rendered to {target}")
