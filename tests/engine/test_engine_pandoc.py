"""Writing HTML and Typst with real pandoc: a batch of chapters, written in one process, gives each chapter
exactly the HTML pandoc's own writer gives it alone (as Quarto writes each page)."""

from __future__ import annotations

import json
import subprocess

from litbuild.pandoc import (
    RTS_OPTIONS,
    ast_to_html,
    ast_to_typst,
    join_typst,
    markdown_to_ast,
    pandoc_path,
)

CHAPTERS = {
    "one.qmd": "# One\n\nText.[^a]\n\n[^a]: First note.\n\n```python\nx = 1\n```\n",
    "two.qmd": (
        "# Two\n\n```\nplain output\n```\n\n```python\ny = 2\n```\n\n"
        "```{.r .numberLines}\nz <- 3\n```\n\nMore.[^b]\n\n[^b]: Second note.\n"
    ),
    "three.qmd": "# Three\n\n```yaml\nkey: value\n```\n\nEnd.[^c]\n\n[^c]: Third note.\n",
}


def alone(doc: dict) -> str:
    """What pandoc's built-in HTML writer gives for one chapter converted by itself."""
    proc = subprocess.run(
        [pandoc_path(), *RTS_OPTIONS, "-f", "json", "-t", "html5", "--wrap=none"],
        input=json.dumps(doc).encode(),
        capture_output=True,
        check=True,
    )
    return proc.stdout.decode().strip("\n") + "\n"


def test_each_chapter_of_a_batch_is_written_as_if_alone():
    docs = {name: markdown_to_ast(text, name) for name, text in CHAPTERS.items()}
    written = ast_to_html(docs)
    assert list(written) == list(CHAPTERS)
    for name, doc in docs.items():
        assert written[name] == alone(doc), name
    # Each page holds its own footnote and starts its code-block ids at cb1 (the batch as one
    # document would number three's block cb5 and put every footnote at the end of three).
    assert [name for name, html in written.items() if "Second note." in html] == ["two.qmd"]
    assert 'id="cb1"' in written["three.qmd"]


def test_a_chapter_is_written_the_same_whatever_its_batch():
    docs = {name: markdown_to_ast(text, name) for name, text in CHAPTERS.items()}
    assert ast_to_html({"three.qmd": docs["three.qmd"]}) == {
        "three.qmd": ast_to_html(docs)["three.qmd"]
    }


# Chapters that end and begin in every way a chapter can: with a list, a table, a code block,
# a raw Typst block, a footnote, a labelled heading.
TYPST_CHAPTERS = {
    **CHAPTERS,
    "list.qmd": "# Lists {#sec-lists}\n\n- one\n- two\n\n1. first\n2. second\n",
    "table.qmd": "| a | b |\n|---|---|\n| 1 | 2 |\n\n: A table {#tbl-x}\n",
    "raw.qmd": "```{=typst}\n#pagebreak()\n```\n\n## Raw {.unnumbered}\n\n> quoted\n\n```{=typst}\n#v(1em)\n```\n",
    "code.qmd": "Text with `code` and $x^2$.\n\n```\nlast block\n```\n",
}


def whole_book_typst(docs: dict) -> str:
    """What pandoc's Typst writer gives for all chapters as one document."""
    first = next(iter(docs.values()))
    doc = {
        "pandoc-api-version": first["pandoc-api-version"],
        "meta": {},
        "blocks": [block for d in docs.values() for block in d["blocks"]],
    }
    proc = subprocess.run(
        [pandoc_path(), *RTS_OPTIONS, "-f", "json", "-t", "typst", "--wrap=none"],
        input=json.dumps(doc).encode(),
        capture_output=True,
        check=True,
    )
    return proc.stdout.decode()


def test_typst_parts_joined_are_the_whole_books_markup():
    docs = {name: markdown_to_ast(text, name) for name, text in TYPST_CHAPTERS.items()}
    parts = ast_to_typst(docs)
    assert list(parts) == list(TYPST_CHAPTERS)
    assert join_typst(list(parts.values())) == whole_book_typst(docs)
    # a book that ends with a raw block too
    last = {**{n: d for n, d in docs.items() if n != "raw.qmd"}, "raw.qmd": docs["raw.qmd"]}
    assert join_typst(list(ast_to_typst(last).values())) == whole_book_typst(last)


def test_a_chapters_typst_is_the_same_whatever_its_batch():
    """Kept parts from one build are joined with parts written in a later, smaller batch."""
    docs = {name: markdown_to_ast(text, name) for name, text in TYPST_CHAPTERS.items()}
    together = ast_to_typst(docs)
    for name, doc in docs.items():
        assert ast_to_typst({name: doc}) == {name: together[name]}, name
