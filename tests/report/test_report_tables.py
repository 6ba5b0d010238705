"""Each table on the real data (values typed from the source) and the escaping of data text."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pandas as pd
import pypandoc
import pytest

from kzchina import tables
from kzchina.data import load
from kzchina.markdown import escape_markdown, pipe_table
from kzchina.results import PROVENANCE_MIME, TableResult

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def ds():
    return load(root=ROOT)


def _cells(md: str) -> tuple[list[str], list[list[str]]]:
    """Convert a markdown table with pandoc; return header texts and body cell texts."""
    from html.parser import HTMLParser

    html = pypandoc.convert_text(md, "html", format="markdown")

    class Cells(HTMLParser):
        def __init__(self):
            super().__init__()
            self.rows, self.cell, self.tables = [], None, 0

        def handle_starttag(self, tag, attrs):
            if tag == "table":
                self.tables += 1
            if tag == "tr":
                self.rows.append([])
            if tag in ("td", "th"):
                self.cell = ""

        def handle_endtag(self, tag):
            if tag in ("td", "th"):
                self.rows[-1].append(" ".join(self.cell.split()))
                self.cell = None

        def handle_data(self, data):
            if self.cell is not None:
                self.cell += data

    parser = Cells()
    parser.feed(html)
    parser.close()
    assert parser.tables == 1, html
    return parser.rows[0], parser.rows[1:]


NASTY = [
    "a <b>bold</b> & <script>x</script>",
    "pipe | in | cell",
    "*stars* and _under_ and **strong**",
    "# not a heading",
    "$x^2$ and $$ math",
    "`code` and ``double``",
    "[link](http://x.org) and [ref]",
    "back\\slash \\n and \\\\",
    "@fig-trade and @smith2020 citation",
    "~~strike~~ ^sup^ ~sub~ -- --- ...",
    "1. list? {#id .class} :::",
    "line\nbreak\tand tab",
]


def test_escape_round_trips_every_special_character():
    frame = pd.DataFrame({"Topic | name": NASTY, "No.": range(len(NASTY))})
    result = TableResult(frame, "caption", "note", "nasty", [])
    header, body = _cells(result.to_markdown())
    assert header == ["Topic | name", "No."]
    assert len(body) == len(NASTY)
    for row, text in zip(body, NASTY):
        assert len(row) == 2
        assert row[0] == " ".join(text.split())
    assert [row[1] for row in body] == [str(i) for i in range(len(NASTY))]


def test_escape_markdown_basics():
    assert escape_markdown("a|b") == "a\\|b"
    assert escape_markdown("<x>") == "\\<x\\>"
    assert escape_markdown(None) == ""
    assert escape_markdown("two\nlines") == "two lines"


def test_pipe_table_rejects_ragged_rows():
    with pytest.raises(ValueError):
        pipe_table(["a", "b"], [["1"]])


def test_foreign_ministers(ds):
    r = tables.foreign_ministers(ds)
    assert r.frame.shape == (11, 3)
    assert r.frame["Minister"].iloc[0] == "Zhou Enlai"
    assert r.frame["Minister"].iloc[-1] == "Wang Yi"
    assert r.frame["In office"].iloc[0] == "1 October 1949 \u2013 11 February 1958"
    assert r.frame["In office"].iloc[-1].endswith("present")
    assert "6 January 1972" in r.frame["In office"].iloc[1]  # Chen Yi's alternative date
    _header, body = _cells(r.to_markdown())
    assert len(body) == 11 and all(len(row) == 3 for row in body)


def test_leading_investors(ds):
    r = tables.leading_investors(ds)
    assert list(r.frame.columns) == ["Rank", "2017", "2018", "2019", "2020", "2021"]
    assert r.frame.shape == (10, 6)
    china = {y: int(r.frame.loc[r.frame[y] == "China", "Rank"].iloc[0]) for y in
             ("2017", "2018", "2019", "2020", "2021")}  # fmt: skip
    assert china == {"2017": 4, "2018": 4, "2019": 4, "2020": 5, "2021": 6}
    assert r.frame.loc[r.frame["Rank"] == 4, "2021"].iloc[0] == "Russia"
    assert r.frame.loc[r.frame["Rank"] == 1].iloc[0, 1:].tolist() == ["The Netherlands"] * 5
    _header, body = _cells(r.to_markdown())
    assert body[6][3] == "Bermuda Islands (Britain)"


def test_media_topics(ds):
    r = tables.media_topics(ds)
    assert list(r.frame.columns) == ["Period", "No.", "Negative topics", "Positive topics"]
    assert set(r.frame["Period"]) == {"2020", "2021", "2022 (first half)"}
    topics = set(r.frame["Negative topics"]) | set(r.frame["Positive topics"])
    assert "The social situation in the XUAR" in topics
    assert "30th anniversary of diplomatic relations between Kazakhstan and China" in topics
    _header, body = _cells(r.to_markdown())
    assert len(body) == len(r.frame) and all(len(row) == 4 for row in body)


def test_fdi_by_sector_table(ds):
    r = tables.fdi_by_sector(ds)
    assert list(r.frame.columns) == ["Sector", "2015", "2016", "2017", "2018", "2019", "2020",
                                     "2021"]  # fmt: skip
    assert r.frame.shape == (9, 8)
    md = r.to_markdown()
    assert "| Mining | 1,160.86 | 1,283.40 | 2,347.33 |" in md
    assert r.frame.iloc[-1]["2021"] == pytest.approx(5583.43)


@pytest.mark.parametrize("func", [t for t in tables.ALL], ids=lambda f: f.__name__)
def test_table_bundle(ds, func):
    r = func(ds)
    bundle = r._repr_mimebundle_()
    # pandoc reads the markdown as one table with the frame's header and one row per frame row.
    html = pypandoc.convert_text(bundle["text/markdown"], "html", format="markdown")
    assert html.count("<table") == 1
    assert len(re.findall(r"<th[ >]", html)) == r.frame.shape[1]
    assert len(re.findall(r"<tr[ >]", html)) == r.frame.shape[0] + 1
    prov = bundle[PROVENANCE_MIME]
    assert prov["kind"] == "table"
    assert prov["function"] == f"kzchina.tables.{func.__name__}"
    line = (ROOT / "src/kzchina/tables.py").read_text().splitlines()[prov["code"]["line"] - 1]
    assert line.startswith(f"def {func.__name__}(")
    assert prov["inputs"]
    offered = list(csv.reader(io.StringIO(prov["data_csv"])))
    assert offered[0] == [str(c) for c in r.frame.columns]
    assert len(offered) == len(r.frame) + 1


def test_quotes_in_cells_are_typeset_like_the_prose():
    """Data keep straight quotes; the table shows them as pandoc's smart punctuation does."""
    frame = pd.DataFrame({"Topic": ['the "Sing! China" contest', "People's Bank"]})
    _header, body = _cells(TableResult(frame, "caption", "note", "quotes", []).to_markdown())
    assert [row[0] for row in body] == ["the \u201cSing! China\u201d contest", "People\u2019s Bank"]
