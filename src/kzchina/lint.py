"""Prose lint: every quantity in a chapter's prose must come from an inline fact, not be typed.

What is scanned: the prose of every `.qmd` file in the project (the index and `chapters/`).

What is skipped (never prose):
- YAML front matter at the top of a file;
- fenced blocks (```` ``` ```` or `~~~`), which includes every ```` ```{python} ```` cell and its
  `#|` options;
- inline code spans (`` `...` ``), which includes every `` `{python} fact(...)` ``;
- names that carry a number after a hyphen ("Covid-19");
- HTML comments, URLs (`http://…`, `https://…`, `www.…`), attribute blocks `{#sec-x .class}`
  (heading ids, callout classes), cross-references `@fig-x`, `@tbl-x`, `@sec-x`, and the `:::` of
  fenced divs.

What is allowed in prose:
- years 1900–2100 standing alone ("in 2017", "2012–2021", "the 2020s"): dates of events may be
  typed; a year that is itself a finding (e.g. "the peak year") should still be a fact;
- the day of a date next to a month name ("25 January 2022", "November 23");
- numeric ordinals naming an institution or an event, not measuring anything: "19th convocation",
  "30th anniversary", "21st century", "21st-Century Maritime Silk Road", "3rd generation" (see `_NAMING_ORDINAL_NOUNS`);
- bare whole numbers below 10 ("Indicator 4", "two panels" is a word anyway), because they label
  things (indicators, sections, stages) far more often than they count; a count below 10 that is
  a finding must still be a fact, which this lint cannot detect.

What is flagged (a "typed quantity"):
- percentages ("17.9%", "17.9 %", "17.9 per cent", "17.9 percent");
- decimals ("0.17", "0,30": the source uses decimal commas too);
- thousands separators ("16,061", "28 573");
- money: "$" or "USD"/"US$"/"KZT"/"tenge" next to a number, or a number followed by
  billion/bn/million/mln/m/trillion/thousand;
- negative numbers ("-0.18", "−0.18");
- any other bare number ≥ 10 that is not an allowed year/day/naming ordinal (counts, ranks);
- numeric ordinals other than naming ones ("6th place").

Two slips that a reader trips over are flagged as well:
- a doubled sign: a word of direction before a signed number ("up +0.04", "fell by −5"), whether
  the number is typed or comes from an inline fact whose text carries a sign;
- a duplicated cross-reference word: "Appendix @sec-x" renders "Appendix Appendix A", because a
  reference already prints its kind ("Figure 2.1", "Table 1.1", "Chapter 2", "Appendix A"); so
  do doubled words such as "Figure Figure" typed in full.

Spelled-out quantities ("sixth place", "four indicators") cannot be told from ordinary words;
by convention the chapters take every data-determined rank or count from a fact, and
`_RANK_WORDS` catches the common "<ordinal word> place/largest" pattern.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path

from kzchina.problems import Problem

_MONTHS = (
    "January|February|March|April|May|June|July|August|September|October|November|December"
    "|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec"
)
_NAMING_ORDINAL_NOUNS = (
    "convocation|convocations|congress|anniversary|century|centuries|session|plenum|meeting"
    "|generation|generations|edition|summit|festival|chairman|president|plenary|party congress"
)
_ORDINAL_WORDS = "first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth"

# Spans removed from a prose line before looking for numbers (replaced by spaces so that
# columns stay where they were).
_MASKS = [
    re.compile(r"<!--.*?-->"),
    re.compile(r"(`+)(?:(?!\1).)+?\1"),  # inline code, any number of backticks
    re.compile(r"(?:https?://|www\.)\S+"),
    re.compile(r"\{[^{}]*\}"),  # attribute blocks: {#sec-x}, {.callout-note}, {.unnumbered}
    re.compile(r"@(?:fig|tbl|sec|eq|lst)-[\w-]+"),
    re.compile(r"\]\([^)]*\)"),  # link targets
    re.compile(r"\b[A-Za-z]+-\d+\b"),  # names with a number: Covid-19, CIIE-2020
]

_NUM = r"\d+(?:[.,]\d+)*"
_CHECKS: list[tuple[re.Pattern, str]] = [
    (re.compile(rf"(?:US\$|\$|USD\s?|KZT\s?|€|£)\s?{_NUM}", re.IGNORECASE), "money"),
    (
        re.compile(
            rf"{_NUM}\s?(?:%|per\s?cent\b|percent\b|pct\b|p\.p\.|percentage points?\b)",
            re.IGNORECASE,
        ),
        "percentage",
    ),
    (
        re.compile(
            rf"{_NUM}\s?(?:billion|bn|million|mln|mn|m|trillion|tn|thousand|k|tenge|KZT)\b",
            re.IGNORECASE,
        ),
        "money or magnitude",
    ),
    (re.compile(r"[-\u2212\u2013]\s?\d+(?:[.,]\d+)?(?![\d\u2013-])"), "negative number"),
    (re.compile(r"\d+[.,]\d+"), "decimal or thousands separator"),
    (re.compile(r"\d{1,3}(?:[ \u00a0\u202f]\d{3})+\b"), "thousands separator"),
    (
        re.compile(rf"\b(?:{_ORDINAL_WORDS})[- ](?:place|largest|biggest|rank)", re.IGNORECASE),
        "rank",
    ),
    (re.compile(r"\b\d+(?:st|nd|rd|th)\b"), "ordinal"),
    (re.compile(r"\b\d+\b"), "number"),
]
_YEAR = re.compile(r"(?:19|20)\d\d|2100")
_DAY_MONTH = re.compile(rf"\b\d{{1,2}}\s+(?:{_MONTHS})\b|\b(?:{_MONTHS})\s+\d{{1,2}}\b")
_NAMING_ORDINAL = re.compile(
    rf"\b\d+(?:st|nd|rd|th)(?:[-\u2013]\d+(?:st|nd|rd|th))?[\s-]+(?:{_NAMING_ORDINAL_NOUNS})\b",
    re.IGNORECASE,
)
_YEAR_RANGE = re.compile(r"\b(?:19|20)\d\d\s?[-\u2013\u2014/]\s?(?:(?:19|20)\d\d|\d\d)\b")
_YEAR_DECADE = re.compile(r"\b(?:19|20)\d0s\b")


def _mask(line: str, pattern: re.Pattern) -> str:
    return pattern.sub(lambda m: " " * len(m.group(0)), line)


def prose_lines(text: str, masks: list[re.Pattern] | None = None) -> Iterator[tuple[int, str]]:
    """Yield (1-based line number, prose text) with non-prose lines and spans blanked out."""
    masks = _MASKS if masks is None else masks
    lines = text.splitlines()
    i = 0
    if lines and lines[0].strip() == "---":
        for j in range(1, len(lines)):
            if lines[j].strip() in ("---", "..."):
                i = j + 1
                break
    fence: str | None = None
    in_comment = False
    for n in range(i, len(lines)):
        line = lines[n]
        stripped = line.lstrip()
        if fence is not None:
            if stripped.startswith(fence) and stripped.strip() == fence[0] * len(stripped.strip()):
                fence = None
            continue
        m = re.match(r"(`{3,}|~{3,})", stripped)
        if m:
            fence = m.group(1)
            continue
        if in_comment:
            if "-->" in line:
                in_comment = False
                line = " " * (line.index("-->") + 3) + line[line.index("-->") + 3 :]
            else:
                continue
        if "<!--" in line and "-->" not in line[line.index("<!--") :]:
            in_comment = True
            line = line[: line.index("<!--")]
        if stripped.startswith(":::"):
            line = _mask(line, re.compile(r":::+.*"))
        for pattern in masks:
            line = _mask(line, pattern)
        yield n + 1, line


def _allowed_spans(line: str) -> list[tuple[int, int]]:
    spans = []
    for pattern in (_YEAR_RANGE, _YEAR_DECADE, _DAY_MONTH, _NAMING_ORDINAL):
        spans += [m.span() for m in pattern.finditer(line)]
    return spans


def find_quantities(line: str) -> list[tuple[int, str, str]]:
    """Return (0-based column, matched text, kind) for each typed quantity in a prose line."""
    allowed = _allowed_spans(line)
    taken: list[tuple[int, int]] = []
    found = []

    def overlaps(span, spans):
        return any(span[0] < e and s < span[1] for s, e in spans)

    for pattern, kind in _CHECKS:
        for m in pattern.finditer(line):
            span = m.span()
            if overlaps(span, taken):
                continue
            if kind in ("number", "ordinal") and overlaps(span, allowed):
                continue
            if kind == "number":
                token = m.group(0)
                if _YEAR.fullmatch(token) or int(token) < 10:
                    continue
            if kind == "negative number":
                # A hyphen between words or a year range ("2012-2021") is not a minus sign.
                before = line[span[0] - 1] if span[0] else " "
                if before.isalnum() or before in ")]":
                    continue
                if overlaps(span, allowed):
                    continue
            taken.append(span)
            found.append((span[0], m.group(0).strip(), kind))
    return sorted(found)


# Prose with inline code and cross-references kept (only comments, URLs and link targets go).
_SLIP_MASKS = [_MASKS[0], _MASKS[2], _MASKS[5]]
_REF_KINDS = (
    "figures?|figs?\\.|tables?|tbls?\\.|sections?|secs?\\.|chapters?|appendix|appendices|parts?"
)
_DUPLICATED_REF_WORD = re.compile(rf"\b({_REF_KINDS})\s+\[?-?@(?:fig|tbl|sec)-", re.IGNORECASE)
_DOUBLED_WORD = re.compile(r"\b(Figure|Table|Section|Chapter|Appendix|Part)\s+\1\b", re.IGNORECASE)
_DIRECTION = (
    r"up|down|rose|rise|risen|rising|fell|fall|fallen|falling|grew|grow|grown|growth|gain(?:ed)?"
    r"|los[st]|dropped|drop|increased?|decreased?|declined?|climbed|slipped|jumped"
)
_SIGNED_TYPED = re.compile(rf"\b(?:{_DIRECTION})(?:\s+by)?\s+([+\-\u2212]\s?\d)", re.IGNORECASE)
_SIGNED_FACT = re.compile(
    rf"\b(?:{_DIRECTION})(?:\s+by)?\s+`\{{python\}}\s*fact\(\s*[\"']([\w.-]+)[\"']", re.IGNORECASE
)
FactText = Callable[[str], "str | None"]


def find_slips(line: str, fact_text: FactText | None = None) -> list[tuple[int, str, str]]:
    """Return (0-based column, text, message) for doubled signs and duplicated reference words."""
    found = []
    for m in _DUPLICATED_REF_WORD.finditer(line):
        found.append((m.start(), m.group(0), f"duplicated cross-reference word '{m.group(1)}': "
                      "the reference prints its own kind (\"Figure 2.1\", \"Appendix A\")"))  # fmt: skip
    for m in _DOUBLED_WORD.finditer(line):
        found.append((m.start(), m.group(0), f"duplicated word '{m.group(1)}'"))
    for m in _SIGNED_TYPED.finditer(line):
        found.append((m.start(), m.group(0), "doubled sign: a word of direction before a signed "
                      "number; drop one of them"))  # fmt: skip
    if fact_text is not None:
        for m in _SIGNED_FACT.finditer(line):
            text = fact_text(m.group(1))
            if text and text.lstrip()[:1] in ("+", "-", "\u2212"):
                found.append((m.start(), m.group(0), f"doubled sign: fact '{m.group(1)}' prints "
                              f"'{text}' after a word of direction; drop one of them"))  # fmt: skip
    return sorted(found)


def lint_text(text: str, path: str, fact_text: FactText | None = None) -> list[Problem]:
    """Lint one document's text; path is how problems name the file.

    `fact_text(fact_id)` returns a fact's printed text (or None); with it, a direction word before
    an inline fact that prints its own sign is flagged too.
    """
    problems = []
    for row, line in prose_lines(text):
        for col, token, kind in find_quantities(line):
            problems.append(
                Problem(
                    path=path,
                    row=row,
                    column=str(col + 1),
                    message=f"typed quantity '{token}' in prose ({kind}): use an inline fact",
                )
            )
    tail = ""  # the last words of the previous prose line: a slip may straddle a line break
    for row, line in prose_lines(text, _SLIP_MASKS):
        for col, token, message in find_slips(line, fact_text):
            problems.append(Problem(path=path, row=row, column=str(col + 1),
                                    message=f"{message} (at '{token}')"))  # fmt: skip
        if tail and line.strip():
            joined = f"{tail} {line.lstrip()}"
            for col, token, message in find_slips(joined, fact_text):
                if col < len(tail) < col + len(token):
                    problems.append(Problem(path=path, row=row, column="1",
                                            message=f"{message} (at '{token}')"))  # fmt: skip
        tail = " ".join(line.split()[-2:])
    return sorted(problems, key=lambda p: (p.row or 0, int(p.column or 0)))


def chapter_files(project_dir: Path) -> list[Path]:
    """Return the .qmd files of the project: index and chapters, in a stable order."""
    project_dir = Path(project_dir)
    files = sorted(project_dir.glob("*.qmd")) + sorted(project_dir.glob("chapters/**/*.qmd"))
    return files


def project_fact_text(project_dir: Path, edition: str | None = None) -> FactText:
    """Return a reader of facts' printed texts from the project's data (None where it fails)."""
    from kzchina.data import load
    from kzchina.facts import fact

    try:
        ds = load(edition, project_dir)
    except Exception:  # broken data is reported by the data checks, not by the lint
        return lambda fact_id: None

    def text(fact_id: str) -> str | None:
        try:
            return str(fact(fact_id, ds))
        except Exception:  # an unknown or failing fact is reported by the build
            return None

    return text


def lint_chapters(project_dir: str | Path, edition: str | None = None) -> list[Problem]:
    """Lint every chapter of the project; return all problems found (empty when clean)."""
    project_dir = Path(project_dir)
    fact_text = project_fact_text(project_dir, edition)
    problems: list[Problem] = []
    for path in chapter_files(project_dir):
        rel = path.relative_to(project_dir).as_posix()
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError as exc:
            line = exc.object.count(b"\n", 0, exc.start) + 1
            problems.append(
                Problem(
                    rel,
                    line,
                    None,
                    f"expected UTF-8, got byte 0x{exc.object[exc.start]:02x}",
                    "encoding-error",
                )
            )
            continue
        except OSError as exc:
            problems.append(
                Problem(rel, None, None, f"cannot be read: {exc.strerror}", "missing-file")
            )
            continue
        problems += lint_text(text, rel, fact_text)
    return problems
