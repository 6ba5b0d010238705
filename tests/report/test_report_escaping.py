"""Text from data with markup characters lands literally in both formats, through the real engine.

A tiny book displays a TableResult whose cells hold every markup character pandoc, HTML or Typst
care about, and prints the same strings as inline values; the HTML (BeautifulSoup) and the PDF
(pypdf) must show them as written, with the table's shape intact.
"""

from __future__ import annotations

import pytest

from helpers import RenderedBook, quiet, write_project
from litbuild.build import build

# What must come through as written (whitespace is folded by both formats).
TEXTS = [
    "a <b>bold</b> & <script>x</script>",
    "pipe | in | cell",
    "*stars* and _under_ and **strong**",
    "# not a heading",
    "$x^2$ and $$ math",
    "`code` and [ref](http://x.org)",
    "back\\slash and \\\\",
    "@fig-trade and @smith2020",
    "#set text(red) and <label>",
]


@pytest.fixture(scope="module")
def book(tmp_path_factory) -> RenderedBook:
    root = write_project(
        tmp_path_factory.mktemp("escaping") / "book",
        {
            "_quarto.yml": """
            project:
              type: book
            book:
              title: Escaping
              chapters:
                - index.qmd
                - data.qmd
            execute:
              echo: false
            """,
            "index.qmd": "# Start {.unnumbered}\n",
            "data.qmd": """
            # Data

            ```{python}
            import json
            import pandas as pd
            from kzchina.results import TableResult
            texts = json.loads(open("texts.json", encoding="utf-8").read())
            ```

            ```{python}
            #| label: tbl-nasty
            #| tbl-cap: "Markup in data"
            TableResult(pd.DataFrame({"Text": texts, "No.": range(len(texts))}), "Markup in data",
                        "note", "nasty", [])
            ```

            INLINE-START `{python} " ~~ ".join(texts)` INLINE-END
            """,
        },
    )
    import json

    (root / "texts.json").write_text(json.dumps(TEXTS), encoding="utf-8")
    build(root, engine="builtin", progress=quiet)
    return RenderedBook(root, root / "_book")


def fold(text: str) -> str:
    return " ".join(text.split())


def squeeze(text: str) -> str:
    return "".join(text.split())


def test_html_table_cells_hold_the_text_as_written(book):
    table = book.html("data.html").select_one("#tbl-nasty table")
    rows = table.select("tbody tr")
    assert len(rows) == len(TEXTS)
    for row, text in zip(rows, TEXTS):
        cells = row.find_all("td")
        assert len(cells) == 2
        assert fold(cells[0].get_text()) == fold(text)


def test_html_inline_values_hold_the_text_as_written(book):
    page = fold(book.html("data.html").get_text())
    inline = page[page.index("INLINE-START") + len("INLINE-START") : page.index("INLINE-END")]
    assert inline.strip() == fold(" ~~ ".join(TEXTS))


def test_pdf_shows_the_text_as_written(book):
    text = fold(book.pdf_text())
    for item in TEXTS:
        assert fold(item) in text, item
    # Lines may break anywhere in the joined string (after "]", before "("): compare the
    # characters, not the spaces a line break leaves in the extracted text.
    assert squeeze(" ~~ ".join(TEXTS)) in squeeze(text)
