"""The prose lint: typed quantities are flagged with their position; allowed forms are not."""

from __future__ import annotations

from pathlib import Path

import pytest

from kzchina.lint import lint_chapters, lint_text
from kzchina.problems import Problem

ROOT = Path(__file__).resolve().parents[2]

FLAGGED = [
    ("China's share was 17.9% in 2021.", "17.9%", 19),
    ("It rose by 73.16 per cent.", "73.16 per cent", 12),
    ("Trade reached $18.2 billion.", "$18.2", 15),
    ("Imports fell by USD 420 million.", "USD 420", 17),
    ("Some 3 million people.", "3 million", 6),
    ("Workers: 16,061 in total.", "16,061", 10),
    ("The index was 0.17 overall.", "0.17", 15),
    ("Printed with a comma: 0,30.", "0,30", 23),
    ("Indicator four was -0.18.", "-0.18", 20),
    ("Indicator four was \u22120.18.", "\u22120.18", 20),
    ("A count of 458 organisations.", "458", 12),
    ("China took 6th place.", "6th", 12),
    ("China took sixth place.", "sixth place", 12),
    ("The fourth-largest investor.", "fourth-largest", 5),
]


@pytest.mark.parametrize(("line", "token", "column"), FLAGGED, ids=[f[1] for f in FLAGGED])
def test_flags_typed_quantity(line, token, column):
    problems = lint_text(f"---\ntitle: x\n---\n\n{line}\n", "chapters/x.qmd")
    assert len(problems) == 1, problems
    p = problems[0]
    assert isinstance(p, Problem)
    assert (p.path, p.row, p.column) == ("chapters/x.qmd", 5, str(column))
    assert line.index(token) + 1 == column
    assert f"typed quantity '{token}' in prose" in p.message
    assert "use an inline fact" in p.message


ALLOWED = [
    "In 2017 and over 2012\u20132021, and in 2012-2021, and the 1990s.",
    "On 25 January 2022 and on November 23, 1999.",
    "The 19th convocation, the 30th anniversary, the 21st century, the 3rd generation.",
    "The 21st-Century Maritime Silk Road.",
    "Indicator 4 and the first of 3 stages.",
    "The Covid-19 pandemic.",
    "See @fig-trade-2021 and @tbl-investors-10 and @sec-2022.",
    "Read https://example.org/2021/17.9 for more.",
    'A share of `{python} fact("cn_share_trade_turnover")` in 2021.',
    "# Heading {#sec-x-12}",
    "Kazakh-Chinese relations.",
    "<!-- a comment with 17.9% -->",
]


@pytest.mark.parametrize("line", ALLOWED)
def test_allows(line):
    assert lint_text(line + "\n", "x.qmd") == []


def test_skips_front_matter_code_cells_and_fences():
    text = """---
title: "Report 2022: 17.9%"
---

```{python}
#| label: fig-x
#| fig-cap: "Share 17.9%"
x = 12345
```

~~~
17.9%
~~~

::: {.callout-note}
## Editor's note
:::
"""
    assert lint_text(text, "x.qmd") == []


def test_reports_every_problem_with_line_numbers():
    text = "first 12 line\n\n```\n99\n```\nthen 0.5 and 10%\n"
    problems = lint_text(text, "a.qmd")
    assert [(p.row, p.column) for p in problems] == [(1, "7"), (6, "6"), (6, "14")]


def test_real_chapters_pass():
    problems = lint_chapters(ROOT)
    assert problems == [], "\n".join(map(str, problems))


# --------------------------------------------------------------------------- slips (issue 11)
SIGNED = {"cpi_change": "+0.04", "cn_fall": "\u22125.40", "cpi_latest": "0.17"}.get

SLIPS = [
    pytest.param("The index rose, up `{python} fact(\"cpi_change\")` from 0.13.", "doubled sign",
                 id="up-signed-fact"),
    pytest.param("It stood at 0.17,\nup `{python} fact(\"cpi_change\")` on 2020.", "doubled sign",
                 id="across-a-line-break"),
    pytest.param("Investment fell by `{python} fact(\"cn_fall\")` in a year.", "doubled sign",
                 id="fell-by-minus"),
    pytest.param("Imports rose by +5 in one year.", "doubled sign", id="typed-plus"),
    pytest.param("Appendix @sec-data-and-methods lists the sources.",
                 "duplicated cross-reference word 'Appendix'", id="appendix-appendix"),
    pytest.param("as shown in Figure @fig-trade above.", "duplicated cross-reference word 'Figure'",
                 id="figure-figure-ref"),
    pytest.param("See Table Table 2.1 for the ranks.", "duplicated word 'Table'", id="table-table"),
    pytest.param("(see Chapter @sec-foreign-policy)", "duplicated cross-reference word 'Chapter'",
                 id="chapter-ref"),
]  # fmt: skip


@pytest.mark.parametrize(("text", "message"), SLIPS)
def test_flags_slips(text, message):
    problems = lint_text(f"\n{text}\n", "chapters/x.qmd", SIGNED)
    assert any(message in p.message for p in problems), problems


CLEAN_SLIPS = [
    'For the country the index was `{python} fact("cpi_latest")`, up from 2020.',
    'A change of `{python} fact("cpi_change")` since 2020.',
    "@sec-data-and-methods lists the sources; @fig-trade shows trade.",
    "The sources are listed in the appendix (@sec-data-and-methods).",
    'It rose to `{python} fact("cpi_latest")` in 2022.',
    "```{python}\n# Appendix @sec-x in code is not prose\n```",
]


@pytest.mark.parametrize("text", CLEAN_SLIPS)
def test_allows_clean_wording(text):
    problems = lint_text(f"\n{text}\n", "chapters/x.qmd", SIGNED)
    assert not [p for p in problems if "doubled" in p.message or "duplicated" in p.message], (
        problems
    )


def test_signed_fact_is_read_from_the_real_data():
    """Without a resolver the lint cannot see the fact's sign; with the project's data it does."""
    from kzchina.lint import project_fact_text

    text = '\nThe index stood higher, up `{python} fact("cpi_change")` on 2020.\n'
    assert not [p for p in lint_text(text, "x.qmd") if "doubled" in p.message]
    found = lint_text(text, "x.qmd", project_fact_text(ROOT))
    assert [p.message for p in found if "doubled sign" in p.message]


# --------------------------------------------------------------------------- data periods
PERIODS = {2017, 2021}


@pytest.mark.parametrize(
    "text, flagged",
    [
        pytest.param("At the end of 2021 China held more.", ["2021"], id="typed-period"),
        pytest.param("In October 2017 Xi spoke.", [], id="a-date-stays-typed"),
        pytest.param("The reform of [2017]{.event} mattered.", [], id="an-event-year"),
        pytest.param("Back in 2008 it began.", [], id="not-a-data-period"),
        pytest.param(
            "Three of the four indicators rose.", ["Three of the four"], id="count-in-words"
        ),
        pytest.param(
            '```{python}\n#| fig-alt: "Bars for 2017 to 2021."\nf()\n```\n',
            ["2017", "2021"],
            id="alt-text",
        ),
        pytest.param(
            '```{python}\n#| tbl-cap: "Ranks, 2021."\nf()\n```\n', ["2021"], id="table-caption"
        ),
        pytest.param(
            '```{python}\n#| fig-alt: "All three regions are shown."\nf()\n```\n',
            ["All three"],
            id="alt-text-count",
        ),
        pytest.param("```{python}\nx = 2021  # code is not prose\n```\n", [], id="code"),
    ],
)
def test_period_lint_flags_typed_data_periods_in_prose_captions_and_alt_texts(text, flagged):
    from kzchina.period_lint import lint_text_periods

    problems = lint_text_periods(text, "c.qmd", PERIODS)
    shown = [p.message.split("'")[1] for p in problems]
    assert shown == flagged


def test_the_2022_chapters_name_no_data_period_by_hand():
    from kzchina.period_lint import lint_periods

    assert lint_periods(ROOT, "2022") == []
