"""Per-format rewrites of a chapter's AST: figures, callouts, inline values, image paths."""

from __future__ import annotations

import html
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
    RawInline,
    Span,
    Str,
    attr,
    stringify,
    text_inlines,
    walk_blocks,
    walk_inlines,
)
from .crossref import ChapterInfo
from .pages import relative_link

TOKEN = re.compile(r"LBINLINE(\d{4})X")
NUMBER_SPACE = re.compile(r"(\d) (?=[^\W\d])")
SIGN_BEFORE = re.compile(r"([\u2212+])(?=[$\u20ac\u00a3\d])")
FACT_TITLE = "Where this number comes from (Facts page)"
CALLOUT_TITLES = {
    "note": "Note",
    "warning": "Warning",
    "important": "Important",
    "tip": "Tip",
    "caution": "Caution",
}


def _figure_from_div(
    block: Node, item: Any, fmt: str, after: Callable[[str], list[Node]] | None = None
) -> list[Node]:
    (hid, classes, _), content = block["c"]
    kind = "figure" if "lb-figure" in classes else "table"
    caption_div = next(
        (b for b in content if b["t"] == "Div" and "lb-caption" in b["c"][0][1]), None
    )
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
        return _html_table(hid, caption, body, extra)
    if fmt == "docx":
        return _docx_item(hid, kind, caption, body)
    return [Figure(attr(hid, [f"lb-{kind}"]), caption, body), *extra]


def _html_table(hid: str, caption: list[Node], body: list[Node], extra: list[Node]) -> list[Node]:
    """A table with its caption as a real <caption> (above it, as Quarto places it), inside a
    focusable, labelled region that scrolls sideways when the table is wider than the page."""
    tables = [b for b in body if b["t"] == "Table"]
    label = html.escape(stringify(caption), quote=True)
    region = f'<div class="table-scroll" role="region" tabindex="0" aria-label="{label}">'
    if len(tables) != 1:  # not a pandoc table (raw HTML output): caption as the figure's
        return [
            RawBlock("html", f'<figure id="{html.escape(hid)}" class="lb-table">'),
            RawBlock("html", "<figcaption>"),
            *caption,
            RawBlock("html", "</figcaption>"),
            RawBlock("html", region),
            *body,
            RawBlock("html", "</div>"),
            RawBlock("html", "</figure>"),
            *extra,
        ]
    tables[0]["c"][1] = [None, caption]
    return [
        RawBlock("html", f'<figure id="{html.escape(hid)}" class="lb-table">'),
        RawBlock("html", region),
        *body,
        RawBlock("html", "</div>"),
        RawBlock("html", "</figure>"),
        *extra,
    ]


def _docx_item(hid: str, kind: str, caption: list[Node], body: list[Node]) -> list[Node]:
    """Word: a table keeps its caption as the table's own (Word's "Table Caption")."""
    tables = [b for b in body if b["t"] == "Table"]
    if kind == "table" and len(tables) == 1:
        tables[0]["c"][1] = [None, caption]
        return [Div(attr(hid), body)]
    return [Figure(attr(hid, [f"lb-{kind}"]), caption, body)]


def _callout(block: Node, fmt: str) -> list[Node] | None:
    (hid, classes, kv), content = block["c"]
    kind = next(
        (
            c.split("-", 1)[1]
            for c in classes
            if c.startswith("callout-") and c.split("-", 1)[1] in CALLOUT_TITLES
        ),
        None,
    )
    if kind is None:
        return None
    title = dict(kv).get("title")
    if title is None and content and content[0]["t"] == "Header":
        title = stringify(content[0])
        content = content[1:]
    title = title or CALLOUT_TITLES[kind]
    if fmt == "html":
        return [
            Div(
                attr(hid, ["callout", f"callout-{kind}"]),
                [
                    Div(attr("", ["callout-title"]), [Plain(text_inlines(title))]),
                    Div(attr("", ["callout-body"]), content),
                ],
            )
        ]
    if fmt == "docx":
        return [
            Div(
                attr(hid, ["callout", f"callout-{kind}"]),
                [{"t": "Para", "c": [{"t": "Strong", "c": text_inlines(title)}]}, *content],
            )
        ]
    escaped = title.replace("\\", "\\\\").replace('"', '\\"')
    return (
        [RawBlock("typst", f'#lbcallout(kind: "{kind}", title: "{escaped}")[')]
        + content
        + [RawBlock("typst", "]")]
    )


def _inline_values(
    doc: dict[str, Any],
    values: dict[int, dict[str, Any]],
    fmt: str,
    page: str,
    facts_page: str | None,
) -> None:
    def visit(inline: Node) -> list[Node] | None:
        if inline["t"] != "Str" or "LBINLINE" not in inline["c"]:
            return None
        out: list[Node] = []
        pos = 0
        text = inline["c"]
        for match in TOKEN.finditer(text):
            if match.start() > pos:
                out.append(Str(text[pos : match.start()]))
            value = values.get(int(match.group(1)), {"text": "?", "info": None})
            out.append(_value_node(value, fmt, page, facts_page))
            pos = match.end()
        if pos < len(text):
            out.append(Str(text[pos:]))
        return out

    walk_inlines(doc["blocks"], visit)


def _failed_check_node(inlines: list[Node], check: dict[str, Any], fmt: str) -> Node:
    """A failed check in a draft: shown, highlighted, with what failed (never silently)."""
    label = text_inlines(f"[check failed: {check.get('id')}: {check.get('message', '')}]")
    if fmt == "html":
        return Span(
            attr("", ["check-failed"], [["data-check", str(check.get("id"))]]),
            inlines + [{"t": "Space"}] + label,
        )
    return Span(
        attr(),
        [RawInline("typst", '#highlight(fill: rgb("#ffd6d6"))[')]
        + inlines
        + [{"t": "Space"}]
        + label
        + [RawInline("typst", "]")],
    )


def inline_text(text: str, values: dict[int, dict[str, Any]]) -> str:
    """Resolve inline-value tokens in plain text (chapter titles, table-of-contents entries)."""
    return TOKEN.sub(lambda m: values.get(int(m.group(1)), {"text": "?"})["text"], text)


def keep_number_with_unit(text: str, fmt: str = "html") -> str:
    """Join a number to the word after it with a no-break space ('$3.51 billion', '16 persons')
    and a sign to its number (browsers and Typst may break after a minus sign)."""
    text = NUMBER_SPACE.sub("\\1\u00a0", text)
    return SIGN_BEFORE.sub("\\1\u2060", text) if fmt in ("html", "typst") else text


def _value_node(value: dict[str, Any], fmt: str, page: str, facts_page: str | None) -> Node:
    inlines = text_inlines(keep_number_with_unit(value["text"], fmt))
    info = value.get("info") or {}
    check = info.get("check")
    if check and check.get("ok") is False:
        return _failed_check_node(inlines, check, fmt)
    if not value["text"]:
        return Span(attr(), [])  # a check that holds, or any empty value: nothing to show
    fact_id = info.get("fact_id")
    if fmt != "html" or not fact_id:
        return Span(attr(), inlines)
    # The tooltip says what the link leads to, not the internal id; a value the source does not
    # print also says how it was computed ("computed: a / b").
    title = FACT_TITLE
    derivation = (info.get("provenance") or {}).get("derivation")
    if derivation:
        title += f" ({derivation})"
    if facts_page:
        href = relative_link(facts_page, page) + f"#fact-{fact_id}"
        return Link(attr("", ["fact"], [["data-fact", fact_id]]), inlines, href, title)
    return Span(attr("", ["fact"], [["data-fact", fact_id]]), inlines)


def _one_tab_stop_per_paragraph(blocks: list[Node]) -> None:
    """Only the first number link of a paragraph is a Tab stop; the arrow keys move between the
    others (site script), so a paragraph full of numbers costs the keyboard one Tab."""

    def visit(block: Node) -> list[Node] | None:
        if block["t"] not in ("Para", "Plain"):
            return None
        seen = 0

        def link(inline: Node) -> list[Node] | None:
            nonlocal seen
            if inline["t"] == "Link" and "fact" in inline["c"][0][1]:
                seen += 1
                if seen > 1:
                    inline["c"][0][2].append(["tabindex", "-1"])
                return [inline]
            return None

        walk_inlines(block["c"], link)
        return [block]

    walk_blocks(blocks, visit)


def _image_paths(doc: dict[str, Any], page: str, fmt: str) -> None:
    if fmt != "html":
        return

    def visit(inline: Node) -> list[Node] | None:
        if inline["t"] == "Image":
            url = inline["c"][2][0]
            if "://" not in url and not url.startswith(("/", "data:")):
                inline["c"][2][0] = relative_link(url, page)
            return [inline]
        return None

    walk_inlines(doc["blocks"], visit)


def finish_chapter(
    doc: dict[str, Any],
    info: ChapterInfo,
    items_by_label: dict[str, Any],
    inline_values: dict[int, dict[str, Any]],
    fmt: str,
    facts_page: str | None = None,
    after_item: Callable[[str], list[Node]] | None = None,
) -> dict[str, Any]:
    """Apply the format's rewrites in place and return the document.

    `after_item(label)` gives blocks to place right after a figure or table (its disclosure).
    """

    def visit(block: Node) -> list[Node] | None:
        t = block["t"]
        if t == "Div":
            classes = block["c"][0][1]
            if "lb-figure" in classes or "lb-table" in classes:
                return _figure_from_div(
                    block, items_by_label.get(block["c"][0][0]), fmt, after_item
                )
            if any(c.startswith("callout-") for c in classes):
                block["c"][1] = walk_blocks(block["c"][1], visit)
                return _callout(block, fmt)
        if t == "CodeBlock" and fmt == "html" and "lb-not-html" in block["c"][0][1]:
            return []
        return None

    doc["blocks"] = walk_blocks(doc["blocks"], visit)
    _inline_values(doc, inline_values, fmt, info.page, facts_page)
    if fmt == "html":
        _one_tab_stop_per_paragraph(doc["blocks"])
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
