"""Build variants through the real engine: parameters, environment, metadata, profiles, draft.

A small book whose chapter prints a parameter and an environment variable; an inline value
reports a check. Real kernels, pandoc and Typst.
"""

from __future__ import annotations

import json

import pytest

from helpers import quiet, write_project

pytestmark = pytest.mark.slow  # builds books, starts kernels or runs the CLI

BOOK = {
    "_quarto.yml": """
        project:
          type: book
          output-dir: _book
        book:
          title: "Variant Book"
          chapters:
            - index.qmd
            - chapters/one.qmd
    """,
    "_quarto-extra.yml": """
        book:
          appendices:
            - chapters/extra.qmd
    """,
    "index.qmd": """
        # Preface {.unnumbered}

        A preface.
    """,
    "chapters/one.qmd": """
        ```{python}
        #| tags: [parameters]
        flavour = "plain"
        ```

        ```{python}
        #| include: false
        import os

        class Check(str):
            def __new__(cls, ok):
                obj = super().__new__(cls, "")
                obj.ok = ok
                return obj

            def _litbuild_inline_(self):
                return {"text": "", "check": {"id": "sky-is-blue", "ok": self.ok,
                                              "message": "the sky is " + os.environ.get("SKY", "blue")}}

        sky = os.environ.get("SKY", "blue")
        ```

        # One {#sec-one}

        Flavour FLAVOUR-`{python} flavour`-END and sky SKY-`{python} sky`-END.

        The sky is blue.`{python} Check(sky == "blue")`
    """,
    "chapters/extra.qmd": """
        # Extra {#sec-extra}

        Only with the profile.
    """,
}


def _build(project, **variant):
    from litbuild.build import build
    from litbuild.variant import Variant

    return build(project, to="all", engine="builtin", progress=quiet, variant=Variant(**variant))


def _text(project, page="chapters/one.html") -> str:
    from bs4 import BeautifulSoup

    html = (project / "_book" / page).read_text(encoding="utf-8")
    return " ".join(BeautifulSoup(html, "html.parser").get_text(" ").split())


@pytest.fixture
def book(tmp_path):
    return write_project(tmp_path / "book", BOOK)


def test_parameters_and_environment_reach_the_kernel(book):
    _build(book)
    assert "FLAVOUR- plain -END" in _text(book)
    _build(book, params={"flavour": "mint"})
    assert "FLAVOUR- mint -END" in _text(book)


def test_switching_variants_back_and_forth_reuses_each_variants_runs(book):
    first = _build(book, params={"flavour": "mint"}, env={"SKY": "blue"})
    assert "chapters/one.qmd" in first.executed
    second = _build(book, params={"flavour": "lime"}, env={"SKY": "blue"})
    assert "chapters/one.qmd" in second.executed  # another variant runs
    assert "FLAVOUR- lime -END" in _text(book)
    back = _build(book, params={"flavour": "mint"}, env={"SKY": "blue"})
    assert back.executed == []  # its own cached run, never the other variant's output
    assert not back.up_to_date  # the output was the other variant's: converted again
    assert "FLAVOUR- mint -END" in _text(book)
    again = _build(book, params={"flavour": "mint"}, env={"SKY": "blue"})
    assert again.up_to_date and again.executed == []


def test_metadata_overrides_title_and_pdf_name(book):
    result = _build(
        book,
        metadata={"book.title": "Variant Book, 2031 edition", "book.output-file": "variant-2031"},
    )
    assert result.pdf_name == "variant-2031.pdf"
    assert [p.name for p in (book / "_book").glob("*.pdf")] == ["variant-2031.pdf"]
    index = (book / "_book" / "index.html").read_text(encoding="utf-8")
    assert "<title>Variant Book, 2031 edition</title>" in index


def test_profile_appends_a_chapter(book):
    _build(book)
    assert not (book / "_book" / "chapters" / "extra.html").exists()
    _build(book, profiles=("extra",))
    assert "Only with the profile." in _text(book, "chapters/extra.html")


def test_failed_check_stops_the_build_at_its_line_and_keeps_the_old_output(book):
    from litbuild.variant import FailedChecksError

    _build(book, env={"SKY": "blue"})
    before = (book / "_book" / "chapters" / "one.html").read_bytes()
    with pytest.raises(FailedChecksError) as caught:
        _build(book, env={"SKY": "green"})
    message = str(caught.value)
    source = (book / "chapters" / "one.qmd").read_text(encoding="utf-8").splitlines()
    line = next(n for n, text in enumerate(source, start=1) if text.startswith("The sky is blue."))
    assert f"chapters/one.qmd:{line}: check 'sky-is-blue' failed: the sky is green" in message
    assert "--draft" in message
    assert (book / "_book" / "chapters" / "one.html").read_bytes() == before


def test_draft_marks_the_failed_check_in_html_and_pdf(book):
    from pypdf import PdfReader

    _build(book, env={"SKY": "green"}, draft=True)
    html = (book / "_book" / "chapters" / "one.html").read_text(encoding="utf-8")
    assert 'class="check-failed"' in html and "the sky is green" in html
    pdf = next((book / "_book").glob("*.pdf"))
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(pdf).pages).split())
    assert "[check failed: sky-is-blue: the sky is green]" in text
    record = json.loads((book / "_book" / "provenance.json").read_text(encoding="utf-8"))
    assert record["@graph"][0]["buildSettings"]["draft"] is True


def test_a_passing_check_renders_nothing(book):
    _build(book, env={"SKY": "blue"})
    html = (book / "_book" / "chapters" / "one.html").read_text(encoding="utf-8")
    assert "check-failed" not in html and "check failed" not in _text(book)
