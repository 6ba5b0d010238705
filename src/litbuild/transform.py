"""Per-format rewrites of a chapter's AST: figures, callouts, inline values, image paths."""

from __future__ import annotations

import html
import posixpath
import re
from collections.abc import Callable
from typing import Any

from .ast import (
    Div,
    Figure,
    Link,
    Node,
    Plain,
    RawBlock,
    Span,
    Str,
    attr,
    stringify,
    text_inlines,
    walk_blocks,
    walk_inlines,
)
from .crossref import ChapterInfo

TOKEN = re.compile(r"LBINLINE(\d{4})X")
CALLOUT_TITLES = {"note": "Note", "warning": "Warning", "important": "Important", "tip": "Tip",
                  "caution": "Caution"}


def _figure_from_div(block: Node, item: Any, fmt: str,
                     after: Callable[[str], list[Node]] | None = None) -> list[Node]:
    (hid, classes, _), content = block["c"]
    kind = "figure" if "lb-figure" in classes else "table"
    caption_div = next((b for b in content if b["t"] == "Div" and "lb-caption" in b["c"][0][1]), None)
    body = [b for b in content if b is not caption_div]
    caption_inlines: list[Node] = []
    if caption_div:
        for b in caption_div["c"][1]:
            if b["t"] in ("Para", "Plain"):
                caption_inlines.extend(b["c"])
    number = item.number if item is not None else "?"
    prefix = text_inlines(f"{'Figure' if kind == 'figure' else 'Table'} {number}:")
    caption = [Plain(prefix + ([{"t": "Space"}] + caption_inlines if caption_inlines else []))]
    alt = (item.alt if item is not None and item.alt else None) or stringify(caption_inlines)

    def set_alt(inline: Node) -> list[Node] | None:
        if inline["t"] == "Image":
            inline["c"][1] = text_inlines(alt)
            if fmt == "typst":
                inline["c"][0][2] = [kv for kv in inline["c"][0][2] if kv[0] != "width"]
                inline["c"][0][2].append(["width", "100%"])
            return [inline]
        return None

    walk_inlines(body, set_alt)
    extra = after(hid) if after is not None else []
    if fmt == "html" and kind == "table":
        # pandoc's HTML writer always puts a figure's caption last; tables take it above (Quarto).
        return [RawBlock("html", f'<figure id="{html.escape(hid)}" class="lb-table">'),
                RawBlock("html", "<figcaption>"), *caption, RawBlock("html", "</figcaption>"),
                *body, RawBlock("html", "</figure>"), *extra]
    return [Figure(attr(hid, [f"lb-{kind}"]), caption, body), *extra]


def _callout(block: Node, fmt: str) -> list[Node] | None:
    (hid, classes, kv), content = block["c"]
    kind = next((c.split("-", 1)[1] for c in classes if c.startswith("callout-")
                 and c.split("-", 1)[1] in CALLOUT_TITLES), None)
    if kind is None:
        return None
    title = dict(kv).get("title")
    if title is None and content and content[0]["t"] == "Header":
        title = stringify(content[0])
        content = content[1:]
    title = title or CALLOUT_TITLES[kind]
    if fmt == "html":
        return [Div(attr(hid, ["callout", f"callout-{kind}"]), [
            Div(attr("", ["callout-title"]), [Plain(text_inlines(title))]),
            Div(attr("", ["callout-body"]), content),
        ])]
    escaped = title.replace("\\", "\\\\").replace('"', '\\"')
    return ([RawBlock("typst", f'#lbcallout(kind: "{kind}", title: "{escaped}")[')]
            + content + [RawBlock("typst", "]")])


def _inline_values(doc: dict[str, Any], values: dict[int, dict[str, Any]], fmt: str,
                   page: str, facts_page: str | None) -> None:
    def visit(inline: Node) -> list[Node] | None:
        if inline["t"] != "Str" or "LBINLINE" not in inline["c"]:
            return None
        out: list[Node] = []
        pos = 0
        text = inline["c"]
        for match in TOKEN.finditer(text):
            if match.start() > pos:
                out.append(Str(text[pos:match.start()]))
            value = values.get(int(match.group(1)), {"text": "?", "info": None})
            out.append(_value_node(value, fmt, page, facts_page))
            pos = match.end()
        if pos < len(text):
            out.append(Str(text[pos:]))
        return out

    walk_inlines(doc["blocks"], visit)


def _value_node(value: dict[str, Any], fmt: str, page: str, facts_page: str | None) -> Node:
    inlines = text_inlines(value["text"])
    info = value.get("info") or {}
    fact_id = info.get("fact_id")
    if fmt != "html" or not fact_id:
        return Span(attr(), inlines)
    title = f"Fact: {fact_id}"
    # A value the source does not print carries how it was computed ("computed: a / b").
    derivation = (info.get("provenance") or {}).get("derivation")
    if derivation:
        title += f" ({derivation})"
    if facts_page:
        href = posixpath.relpath(facts_page, posixpath.dirname(page) or ".") + f"#fact-{fact_id}"
        return Link(attr("", ["fact"], [["data-fact", fact_id]]), inlines, href, title)
    return Span(attr("", ["fact"], [["data-fact", fact_id], ["title", title]]), inlines)


def _image_paths(doc: dict[str, Any], page: str, fmt: str) -> None:
    if fmt != "html":
        return
    base = posixpath.dirname(page) or "."

    def visit(inline: Node) -> list[Node] | None:
        if inline["t"] == "Image":
            url = inline["c"][2][0]
            if "://" not in url and not url.startswith(("/", "data:")):
                inline["c"][2][0] = posixpath.relpath(url, base)
            return [inline]
        return None

    walk_inlines(doc["blocks"], visit)


def finish_chapter(doc: dict[str, Any], info: ChapterInfo, items_by_label: dict[str, Any],
                   inline_values: dict[int, dict[str, Any]], fmt: str,
                   facts_page: str | None = None,
                   after_item: Callable[[str], list[Node]] | None = None) -> dict[str, Any]:
    """Apply the format's rewrites in place and return the document.

    `after_item(label)` gives blocks to place right after a figure or table (its disclosure).
    """

    def visit(block: Node) -> list[Node] | None:
        t = block["t"]
        if t == "Div":
            classes = block["c"][0][1]
            if "lb-figure" in classes or "lb-table" in classes:
                return _figure_from_div(block, items_by_label.get(block["c"][0][0]), fmt,
                                        after_item)
            if any(c.startswith("callout-") for c in classes):
                block["c"][1] = walk_blocks(block["c"][1], visit)
                return _callout(block, fmt)
        if t == "CodeBlock" and fmt == "html" and "lb-not-html" in block["c"][0][1]:
            return []
        return None

    doc["blocks"] = walk_blocks(doc["blocks"], visit)
    _inline_values(doc, inline_values, fmt, info.page, facts_page)
    _image_paths(doc, info.page, fmt)
    if fmt == "typst":
        _left_align_default_columns(doc["blocks"])
    return doc


def _left_align_default_columns(node: Any) -> None:
    """Typst cells inherit the centring pandoc wraps tables in; text columns read better left."""
    if isinstance(node, list):
        for item in node:
            _left_align_default_columns(item)
    elif isinstance(node, dict):
        if node.get("t") == "Table":
            for colspec in node["c"][2]:
                if colspec[0].get("t") == "AlignDefault":
                    colspec[0] = {"t": "AlignLeft"}
        content = node.get("c")
        if isinstance(content, (list, dict)):
            _left_align_default_columns(content)
