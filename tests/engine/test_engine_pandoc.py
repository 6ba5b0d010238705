"""Writing HTML with real pandoc: a batch of chapters, written in one process, gives each chapter
exactly the HTML pandoc's own writer gives it alone (as Quarto writes each page)."""

from __future__ import annotations

import json
import subprocess

from litbuild.pandoc import RTS_OPTIONS, ast_to_html, markdown_to_ast, pandoc_path

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
