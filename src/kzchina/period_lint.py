"""Prose lint for words that must follow the data: typed data periods and counts as words.

- A year typed in the prose that is one of the edition's data periods (the latest, previous or
  first year of a series, a peak year: every fact whose unit is "year") goes stale when the data
  move on: "at the end of 2021" must read `` `{python} fact("latest_year")` ``. Dates of
  historical events stay typed: a year next to a month ("October 2013") is a date, and any other
  event year is marked as such with a Quarto span, `[2017]{.event}`, which renders as plain text.
- A count spelled as a word that describes data ("three of the four indicators", "all three
  regions") is a typed quantity too: take it from a fact (kzchina.words.count_of).
"""

from __future__ import annotations

import re
from pathlib import Path

from kzchina.lint import _DAY_MONTH, _MONTHS, chapter_files, prose_lines
from kzchina.problems import Problem

_EVENT = re.compile(r"\[[^\]\n]*\]\{\.event\}")
_YEAR = re.compile(r"(?<![\w.])((?:19|20)\d\d)(?!\w|\.\d)")  # "in 2021." ends a sentence
_MONTH_YEAR = re.compile(rf"\b(?:{_MONTHS})\s+((?:19|20)\d\d)\b")
_COUNT = "one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve"
_COUNT_WORDS = re.compile(
    rf"\b(?:(?:{_COUNT})\s+of\s+the\s+(?:{_COUNT})|all\s+(?:{_COUNT})"
    rf"|both\s+of\s+the)\b",
    re.IGNORECASE,
)


def data_period_years(ds) -> set[int]:
    """Return the years that name the edition's data periods (facts with unit 'year')."""
    from kzchina.facts import REGISTRY, fact

    years = set()
    for fact_id, spec in REGISTRY.items():
        if spec.unit == "year":
            years.add(int(fact(fact_id, ds).value))
    return years


def _mask_events(text: str) -> str:
    return _EVENT.sub(lambda m: " " * len(m.group(0)), text)


# Captions and alt texts written as cell options are prose too, though they sit in a cell. Only
# an alt text must stay an option (Quarto takes it from nowhere else), so it is written without
# data periods; a caption that names them is a figure div's caption paragraph, with inline values.
_CAPTION_OPTION = re.compile(r"^\s*#\|\s*(?:fig-cap|fig-alt|fig-subcap|tbl-cap|tbl-subcap)\s*:")


def _caption_option_lines(text: str) -> list[tuple[int, str]]:
    return [(n, line) for n, line in enumerate(text.splitlines(), start=1)
            if _CAPTION_OPTION.match(line)]  # fmt: skip


def lint_text_periods(text: str, path: str, years: set[int]) -> list[Problem]:
    """Flag typed data-period years and counts written as words in one document, its captions
    and alt texts included."""
    problems = []
    masked = _mask_events(text)
    lines = sorted([*prose_lines(masked), *_caption_option_lines(masked)])
    for row, line in lines:
        dated = {m.start(1) for m in _MONTH_YEAR.finditer(line)}
        dated |= {m.end() + 1 for m in _DAY_MONTH.finditer(line)}
        for m in _YEAR.finditer(line):
            if int(m.group(1)) in years and m.start(1) not in dated:
                problems.append(
                    Problem(
                        path,
                        row,
                        str(m.start(1) + 1),
                        f"typed year '{m.group(1)}' names a data period: use a "
                        "period fact (or mark a historical date [year]{.event})",
                        "typed-period",
                    )
                )
        for m in _COUNT_WORDS.finditer(line):
            problems.append(
                Problem(
                    path,
                    row,
                    str(m.start() + 1),
                    f"count written as words '{m.group(0)}' describes data: use a "
                    "fact (kzchina.words.count_of)",
                    "typed-count",
                )
            )
    return problems


def lint_periods(project_dir: Path | str, edition: str | None = None) -> list[Problem]:
    """Lint every chapter for typed data periods and counts as words, for one edition's data."""
    from kzchina.data import load

    project_dir = Path(project_dir)
    years = data_period_years(load(edition, project_dir))
    problems: list[Problem] = []
    for path in chapter_files(project_dir):
        rel = path.relative_to(project_dir).as_posix()
        problems += lint_text_periods(path.read_text(encoding="utf-8"), rel, years)
    return problems
