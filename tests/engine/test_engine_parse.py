"""Unit tests of .qmd and _quarto.yml parsing: no kernel, no pandoc."""

from __future__ import annotations

import textwrap

import pytest

from helpers import FIXTURE_BOOK, write_project
from litbuild.config import DEFAULT_EXECUTE, ChapterEntry, load_config
from litbuild.errors import ConfigError
from litbuild.qmd import CodeCell, MarkdownBlock, inline_token, parse_chapter


def qmd(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


# -- chapters ---------------------------------------------------------------------------------


CHAPTER = qmd("""
    ---
    title: "Beds"
    execute:
      echo: false
    ---

    Intro with `{python} n_beds` beds.

    ```{python}
    #| label: fig-beds
    #| fig-cap: "Beds: a figure"
    #| echo: true
    x = 1
    ```

    Between `{python} "a"` and `{python} x + 1`.

    ```{python}
    y = 2
    ```
    """)


def test_front_matter_is_parsed():
    chapter = parse_chapter(CHAPTER, "chapters/beds.qmd")
    assert chapter.front_matter == {"title": "Beds", "execute": {"echo": False}}


def test_cells_keep_options_source_and_fence_lines():
    chapter = parse_chapter(CHAPTER, "chapters/beds.qmd")
    lines = CHAPTER.splitlines()
    first, second = chapter.cells
    assert (first.index, second.index) == (0, 1)
    assert first.options == {"label": "fig-beds", "fig-cap": "Beds: a figure", "echo": True}
    assert first.source == "x = 1"  # the #| lines are options, not code
    assert second.options == {} and second.source == "y = 2"
    # first_line/last_line are the 1-based lines of the opening and closing fences.
    for cell in (first, second):
        assert lines[cell.first_line - 1] == "```{python}"
        assert lines[cell.last_line - 1] == "```"
        assert cell.source.splitlines()[-1] == lines[cell.last_line - 2]


def test_inline_expressions_numbered_in_order_with_their_lines():
    chapter = parse_chapter(CHAPTER, "chapters/beds.qmd")
    lines = CHAPTER.splitlines()
    assert [(i.index, i.expr) for i in chapter.inlines] == [(0, "n_beds"), (1, '"a"'), (2, "x + 1")]
    for inline in chapter.inlines:
        assert f"`{{python}} {inline.expr}`" in lines[inline.line - 1]
    # The markdown keeps a placeholder token in place of each expression.
    text = "\n".join(b.text for b in chapter.blocks if isinstance(b, MarkdownBlock))
    assert "{python}" not in text
    assert all(inline_token(i) in text for i in range(3))


def test_blocks_alternate_in_document_order():
    chapter = parse_chapter(CHAPTER, "chapters/beds.qmd")
    kinds = [type(b).__name__ for b in chapter.blocks]
    assert kinds == ["MarkdownBlock", "CodeCell", "MarkdownBlock", "CodeCell"]
    assert chapter.needs_kernel


def test_no_inline_code_inside_plain_fenced_blocks_or_other_backticks():
    text = qmd("""
        Plain `code` and `{r} not_python`.

        ```
        `{python} inside_a_fence`
        ```

        ~~~markdown
        `{python} inside_tildes`
        ~~~
        """)
    chapter = parse_chapter(text, "c.qmd")
    assert chapter.inlines == []
    assert not chapter.needs_kernel
    assert "`{python} inside_a_fence`" in chapter.blocks[0].text


def test_chapter_without_code_needs_no_kernel():
    chapter = parse_chapter("# Notes {.unnumbered}\n\nJust prose.\n", "notes.qmd")
    assert chapter.front_matter == {}
    assert chapter.cells == [] and not chapter.needs_kernel


def test_longer_fences_may_contain_shorter_ones():
    text = qmd('''
        ````{python}
        s = """
        ```
        """
        ````
        ''')
    (cell,) = parse_chapter(text, "c.qmd").cells
    assert cell.source == 's = """\n```\n"""'
    assert (cell.first_line, cell.last_line) == (1, 5)


FIGURE_DIV = qmd("""
    Before.

    ::: {#fig-beds}

    ```{python}
    #| fig-alt: "A bar chart"
    x = 1
    ```

    Beds in `{python} year`, by ward
    (all wards).

    :::

    After `{python} x`.
    """)


def test_a_figure_div_gives_its_cell_label_and_caption_and_keeps_line_numbers():
    chapter = parse_chapter(FIGURE_DIV, "c.qmd")
    (cell,) = chapter.cells
    assert cell.options == {
        "fig-alt": "A bar chart",
        "label": "fig-beds",
        "fig-cap": f"Beds in {inline_token(0)}, by ward (all wards).",
    }
    before, _cell, after = chapter.blocks
    assert ":::" not in before.text + after.text and "by ward" not in after.text
    # The div's lines became blank lines: what follows keeps its line number.
    assert [(i.expr, i.line) for i in chapter.inlines] == [("year", 10), ("x", 15)]
    assert after.text.split("\n")[15 - after.first_line] == f"After {inline_token(1)}."


@pytest.mark.parametrize(
    "text, words",
    [
        pytest.param(
            "::: {#fig-a}\n```{python}\n#| label: fig-b\nx = 1\n```\n\nCap\n:::\n",
            "label the div or the cell, not both",
            id="two-labels",
        ),
        pytest.param(
            "::: {#fig-a}\n```{python}\nx = 1\n```\n\n:::\n", "no caption", id="no-caption"
        ),
        pytest.param("::: {#tbl-a}\n```{python}\nx = 1\n```\n\nCap\n", "not closed", id="unclosed"),
        pytest.param(
            "::: {#fig-a}\n```{python}\nx = 1\n```\n\nOne\n\nTwo\n:::\n",
            "one caption paragraph",
            id="two-paragraphs",
        ),
        pytest.param(
            "::: {#fig-a}\n```{python}\n#| fig-cap: C\nx = 1\n```\n\nCap\n:::\n",
            "keep one",
            id="two-captions",
        ),
    ],
)
def test_malformed_figure_divs_name_file_and_line(text: str, words: str):
    with pytest.raises(ConfigError) as caught:
        parse_chapter(text, "chapters/bad.qmd")
    assert str(caught.value).startswith("chapters/bad.qmd:1:")
    assert words in str(caught.value)


def test_a_div_that_is_not_a_float_is_left_alone():
    text = "::: {.callout-note}\n```{python}\nx = 1\n```\n\nText\n:::\n"
    chapter = parse_chapter(text, "c.qmd")
    assert chapter.cells[0].options == {}
    assert "callout-note" in chapter.blocks[0].text


@pytest.mark.parametrize(
    "text, line, words",
    [
        pytest.param(
            "---\ntitle: [unclosed\n---\n", 1, "invalid YAML front matter", id="bad-front-matter"
        ),
        pytest.param(
            "---\ntitle: x\n\nNo closing line\n", 1, "not closed", id="unclosed-front-matter"
        ),
        pytest.param("---\n- a list\n---\n", 1, "mapping", id="front-matter-not-mapping"),
        pytest.param("Text\n\n```{python}\nx = 1\n", 3, "not closed", id="unclosed-cell"),
        pytest.param(
            "Text\n```{python}\n#| echo: [\nx = 1\n```\n",
            2,
            "invalid '#|' cell options",
            id="bad-cell-options",
        ),
        pytest.param(
            "```{python}\n#| just words\n```\n", 1, "key: value", id="options-not-mapping"
        ),
        pytest.param("One\nTwo\n```{r}\n1\n```\n", 3, "unsupported cell language 'r'", id="r-cell"),
    ],
)
def test_malformed_chapters_name_file_and_line(text: str, line: int, words: str):
    with pytest.raises(ConfigError) as caught:
        parse_chapter(text, "chapters/bad.qmd")
    message = str(caught.value)
    assert message.startswith(f"chapters/bad.qmd:{line}:")
    assert words in message


def test_fixture_cells_line_ranges_match_the_files():
    """Every cell of the fixture book: its fences are where the parser says."""
    for path in sorted(FIXTURE_BOOK.rglob("*.qmd")):
        text = path.read_text(encoding="utf-8")
        lines = text.splitlines()
        for cell in parse_chapter(text, path.name).cells:
            assert isinstance(cell, CodeCell)
            assert lines[cell.first_line - 1].startswith("```{python}"), (path, cell.first_line)
            assert lines[cell.last_line - 1].strip() == "```", (path, cell.last_line)


# -- _quarto.yml ------------------------------------------------------------------------------


def test_fixture_config():
    config = load_config(FIXTURE_BOOK)
    assert config.title == "Fixture Book of Gardens"
    assert config.author == ["Ada Gardener", "Ben Planter"]
    assert config.date == "2024-05-01"
    assert config.output_dir == "_garden_book"
    assert config.execute_dir == "file"
    assert config.execute == {**DEFAULT_EXECUTE, "warning": False}
    assert config.chapters == [
        ChapterEntry("index.qmd", None, False),
        ChapterEntry("chapters/plants.qmd", "Growing", False),
        ChapterEntry("chapters/soil.qmd", "Growing", False),
        ChapterEntry("chapters/notes.qmd", None, False),
        ChapterEntry("chapters/options.qmd", "Tending", False),
        ChapterEntry("chapters/appendix.qmd", "Appendices", True),
    ]


def test_config_defaults(tmp_path):
    write_project(
        tmp_path,
        {
            "_quarto.yml": """
            book:
              title: Minimal
              author: Solo Author
              chapters: [index.qmd]
            """,
            "index.qmd": "# Hello\n",
        },
    )
    config = load_config(tmp_path)
    assert config.author == ["Solo Author"]  # a single author becomes a one-item list
    assert config.date is None and config.subtitle is None
    assert config.output_dir == "_book"
    assert config.execute_dir == "file"
    assert config.execute == DEFAULT_EXECUTE
    assert DEFAULT_EXECUTE == {
        "echo": True,
        "eval": True,
        "output": True,
        "warning": True,
        "include": True,
    }


def test_config_execute_dir_project(tmp_path):
    write_project(
        tmp_path,
        {
            "_quarto.yml": """
            project:
              type: book
              execute-dir: project
            book:
              title: T
              chapters: [index.qmd]
            execute:
              echo: false
            """,
            "index.qmd": "# Hello\n",
        },
    )
    config = load_config(tmp_path)
    assert config.execute_dir == "project"
    assert config.execute["echo"] is False and config.execute["eval"] is True


def test_config_reports_every_problem_at_once(tmp_path):
    write_project(
        tmp_path,
        {
            "_quarto.yml": """
            project:
              type: website
              execute-dir: elsewhere
            book:
              chapters:
                - index.qmd
                - chapters/missing.qmd
                - notes.txt
                - {unexpected: entry}
            """,
            "index.qmd": "# Hello\n",
            "notes.txt": "not a chapter\n",
        },
    )
    with pytest.raises(ConfigError) as caught:
        load_config(tmp_path)
    message = str(caught.value)
    for words in (
        "project type 'website'",
        "book.title is required",
        "chapter 'chapters/missing.qmd' does not exist",
        "chapter 'notes.txt' is not a .qmd",
        "unexpected chapter entry",
        "execute-dir must be 'file' or 'project'",
    ):
        assert words in message
    assert len(message.splitlines()) == 6


def test_config_missing_file(tmp_path):
    with pytest.raises(ConfigError, match="_quarto.yml: not found"):
        load_config(tmp_path)


def test_config_without_chapters(tmp_path):
    write_project(tmp_path, {"_quarto.yml": "book:\n  title: Empty\n"})
    with pytest.raises(ConfigError, match="lists no chapter"):
        load_config(tmp_path)


def test_config_project_stylesheets(tmp_path):
    write_project(
        tmp_path,
        {
            "_quarto.yml": """
            book:
              title: Styled
              chapters:
                - index.qmd
            format:
              html:
                css: [theme.css, extra/more.css]
            """,
            "index.qmd": "# Hello\n",
            "theme.css": "body {}\n",
            "extra/more.css": "p {}\n",
        },
    )
    assert load_config(tmp_path).css == ["theme.css", "extra/more.css"]
    (tmp_path / "extra/more.css").unlink()
    with pytest.raises(ConfigError, match="format.html.css 'extra/more.css' does not exist"):
        load_config(tmp_path)


# -- output paths -------------------------------------------------------------------------------


def test_a_chapter_page_owns_its_output_paths():
    from litbuild.pages import ChapterPage

    page = ChapterPage("chapters/02-economy.qmd")
    assert page.page == "chapters/02-economy.html"
    assert str(page.figures) == "chapters/02-economy_files/figure"
    assert page.download("fig-trade") == "chapters/02-economy_files/data/fig-trade.csv"
    assert page.link("facts.html") == "../facts.html"
    assert page.link("chapters/03-media.html") == "03-media.html"
    home = ChapterPage("index.qmd")
    assert home.page == "index.html" and home.link("chapters/01-a.html") == "chapters/01-a.html"
