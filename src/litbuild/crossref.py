"""Book numbering and cross-references as Quarto does them: chapters, sections, figures, tables."""

from __future__ import annotations

import posixpath
import re
import string
from dataclasses import dataclass, field
from typing import Any

from .ast import Node, Span, Str, attr, stringify, walk_blocks, walk_inlines
from .errors import CrossReferenceError
from .pages import ChapterPage, relative_link

KIND_NAMES = {"fig": "Figure", "tbl": "Table"}


@dataclass
class Target:
    """Something a cross-reference can point to."""

    label: str
    kind: str  # "fig", "tbl", "sec", "chapter"
    number: str | None  # "2.1", "A", None for unnumbered
    page: str  # output page, e.g. "chapters/02-economy.html"
    title: str

    def text(self, from_unnumbered_chapter: bool = False, suppress_prefix: bool = False) -> str:
        if self.kind in KIND_NAMES:
            return self.number if suppress_prefix else f"{KIND_NAMES[self.kind]} {self.number}"
        if self.number is None or (from_unnumbered_chapter and self.kind == "sec"):
            return self.title
        if suppress_prefix:
            return self.number
        if self.kind == "chapter":
            return f"Appendix {self.number}" if self.number.isalpha() else f"Chapter {self.number}"
        return f"Section {self.number}"

    def href(self, from_page: str) -> str:
        page = relative_link(self.page, from_page)
        return page if self.kind == "chapter" else f"{page}#{self.label}"


@dataclass
class ChapterInfo:
    """Numbering facts about one chapter, for navigation, titles and the table of contents."""

    path: str
    page: str
    number: str | None
    title: str
    appendix: bool
    part: str | None
    toc: list[tuple[int, str, str | None, str]] = field(
        default_factory=list
    )  # level, id, no., text


def number_book(
    docs: dict[str, dict[str, Any]], entries: list[Any], items_by_label: dict[str, Any]
) -> tuple[dict[str, Target], list[ChapterInfo]]:
    """Number chapters, sections, figures and tables in book order; collect every target."""
    targets: dict[str, Target] = {}
    infos: list[ChapterInfo] = []
    chapter_no = appendix_no = 0
    for position, entry in enumerate(entries):
        doc = docs[entry.path]
        page = ChapterPage(entry.path).page
        h1 = next((b for b in doc["blocks"] if b["t"] == "Header" and b["c"][0] == 1), None)
        classes = h1["c"][1][1] if h1 else []
        unnumbered = "unnumbered" in classes or (position == 0 and entry.path.endswith("index.qmd"))
        if unnumbered:
            number = None
        elif entry.appendix:
            number = string.ascii_uppercase[appendix_no]
            appendix_no += 1
        else:
            chapter_no += 1
            number = str(chapter_no)
        title = stringify(h1) if h1 else posixpath.splitext(posixpath.basename(entry.path))[0]
        info = ChapterInfo(entry.path, page, number, title, entry.appendix, entry.part)
        infos.append(info)
        _number_chapter(doc, info, targets, items_by_label, h1)
    return targets, infos


def _add_target(targets: dict[str, Target], target: Target, where: str) -> None:
    if target.label in targets:
        raise CrossReferenceError(
            f"{where}: label '{target.label}' is used twice (also in {targets[target.label].page})"
        )
    targets[target.label] = target


def _number_chapter(
    doc: dict[str, Any],
    info: ChapterInfo,
    targets: dict[str, Target],
    items_by_label: dict[str, Any],
    h1: Node | None,
) -> None:
    counters = [0] * 7
    counts = {"fig": 0, "tbl": 0}
    prefix = f"{info.number}." if info.number else ""

    def visit(block: Node) -> list[Node] | None:
        t = block["t"]
        if t == "Header":
            level, (hid, classes, _), inlines = block["c"]
            if block is h1:
                if hid:
                    _add_target(
                        targets,
                        Target(hid, "chapter", info.number, info.page, info.title),
                        info.path,
                    )
                if info.number:
                    inlines[:0] = _number_span(info.number, info.appendix)
                return [block]
            number = None
            if info.number and "unnumbered" not in classes and level >= 2:
                counters[level] += 1
                counters[level + 1 :] = [0] * (6 - level)
                number = info.number + "." + ".".join(str(c) for c in counters[2 : level + 1])
            title = stringify(inlines)
            if number:
                inlines[:0] = _number_span(number, False)
            if level in (2, 3):
                info.toc.append((level, hid, number, title))
            if hid.startswith("sec-"):
                _add_target(targets, Target(hid, "sec", number, info.page, title), info.path)
            return [block]
        if t == "Div":
            hid, classes, _ = block["c"][0]
            if any(c.startswith("callout") for c in classes):
                return [block]  # a callout's heading is its title, never a numbered section
            for kind in ("fig", "tbl"):
                if f"lb-{'figure' if kind == 'fig' else 'table'}" in classes:
                    counts[kind] += 1
                    number = f"{prefix}{counts[kind]}"
                    _add_target(targets, Target(hid, kind, number, info.page, ""), info.path)
                    if hid in items_by_label:
                        items_by_label[hid].number = number
        return None

    doc["blocks"] = walk_blocks(doc["blocks"], visit)


def _number_span(number: str, appendix: bool) -> list[Node]:
    text = f"Appendix {number} \u2014" if appendix else number
    words = text.split(" ")
    inner: list[Node] = []
    for i, w in enumerate(words):
        if i:
            inner.append({"t": "Space"})
        inner.append(Str(w))
    return [Span(attr("", ["header-section-number"]), inner), {"t": "Space"}]


def resolve_references(
    doc: dict[str, Any],
    info: ChapterInfo,
    targets: dict[str, Target],
    source_text: str,
    link_style: str,
) -> None:
    """Replace @fig-/@tbl-/@sec- citations by links; fail on a label nobody carries."""

    def visit(inline: Node) -> list[Node] | None:
        if inline["t"] != "Cite":
            return None
        citations = inline["c"][0]
        out: list[Node] = []
        for i, citation in enumerate(citations):
            label = citation["citationId"]
            target = targets.get(label)
            if target is None:
                line = _line_of(source_text, "@" + label)
                raise CrossReferenceError(
                    f"{info.path}:{line}: cross-reference '@{label}' names no figure, table or "
                    "section (labels must start with fig-, tbl- or sec- and exist in the book)"
                )
            suppress = citation["citationMode"]["t"] == "SuppressAuthor"
            text = target.text(info.number is None, suppress)
            url = target.href(info.page) if link_style == "html" else f"#{label}"
            if i:
                out.extend([Str(","), {"t": "Space"}])
            # "Figure 2.1", "Chapter 5": a no-break space keeps the word with its number.
            if re.search(r" (\d[\d.]*|[A-Z](\.\d+)*)$", text):
                text = text[: text.rindex(" ")] + "\u00a0" + text[text.rindex(" ") + 1 :]
            inlines: list[Node] = []
            for j, word in enumerate(text.split(" ")):
                if j:
                    inlines.append({"t": "Space"})
                if word:
                    inlines.append(Str(word))
            out.append({"t": "Link", "c": [attr("", ["quarto-xref"]), inlines, [url, ""]]})
        return out

    walk_inlines(doc["blocks"], visit)


def _line_of(text: str, needle: str) -> int | str:
    # The whole reference only: '@fig-a' must not match the line of an earlier '@fig-ab'.
    pattern = re.compile(re.escape(needle) + r"(?![\w-]*\w)")
    for n, line in enumerate(text.splitlines(), 1):
        if pattern.search(line):
            return n
    return "?"
