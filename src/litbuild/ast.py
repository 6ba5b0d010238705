"""Small helpers for pandoc's JSON AST (constructors, text extraction, traversal)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Node = dict[str, Any]


def attr(
    id_: str = "", classes: list[str] | None = None, kv: list[list[str]] | None = None
) -> list:
    return [id_, classes or [], kv or []]


def Str(text: str) -> Node:
    return {"t": "Str", "c": text}


def text_inlines(text: str) -> list[Node]:
    """Plain text as Str/Space inlines: writers escape it, so markup in it stays literal."""
    out: list[Node] = []
    for i, word in enumerate(text.split(" ")):
        if i:
            out.append({"t": "Space"})
        if word:
            out.append(Str(word))
    return out


def Span(attributes: list, inlines: list[Node]) -> Node:
    return {"t": "Span", "c": [attributes, inlines]}


def Link(attributes: list, inlines: list[Node], url: str, title: str = "") -> Node:
    return {"t": "Link", "c": [attributes, inlines, [url, title]]}


def Plain(inlines: list[Node]) -> Node:
    return {"t": "Plain", "c": inlines}


def Div(attributes: list, blocks: list[Node]) -> Node:
    return {"t": "Div", "c": [attributes, blocks]}


def RawInline(fmt: str, text: str) -> Node:
    return {"t": "RawInline", "c": [fmt, text]}


def RawBlock(fmt: str, text: str) -> Node:
    return {"t": "RawBlock", "c": [fmt, text]}


def Figure(attributes: list, caption: list[Node], blocks: list[Node]) -> Node:
    return {"t": "Figure", "c": [attributes, [None, caption], blocks]}


# Inlines whose content is just a list of inlines, styled.
STYLED_INLINES = (
    "Emph",
    "Strong",
    "Strikeout",
    "Underline",
    "SmallCaps",
    "Superscript",
    "Subscript",
)


def stringify(node: Any) -> str:
    """The plain text of a node or a list of nodes."""
    if isinstance(node, list):
        return "".join(stringify(n) for n in node)
    if not isinstance(node, dict):
        return ""
    t = node.get("t")
    if t == "Str":
        return node["c"]
    if t in ("Space", "SoftBreak", "LineBreak"):
        return " "
    if t in ("Code", "Math"):
        return node["c"][1]
    if t in ("Span", "Link", "Image"):
        return stringify(node["c"][1])
    if t in STYLED_INLINES or t in ("Plain", "Para"):
        return stringify(node["c"])
    if t == "Quoted":
        return "\u201c" + stringify(node["c"][1]) + "\u201d"
    if t == "Header":
        return stringify(node["c"][2])
    if t == "Cite":
        return stringify(node["c"][1])
    return ""


def walk_blocks(blocks: list[Node], fn: Callable[[Node], list[Node] | None]) -> list[Node]:
    """Rewrite a block list depth-first: fn returns replacement blocks, or None to keep and recurse."""
    out: list[Node] = []
    for block in blocks:
        replaced = fn(block)
        if replaced is not None:
            out.extend(replaced)
            continue
        t = block.get("t")
        if t == "Div":
            block["c"][1] = walk_blocks(block["c"][1], fn)
        elif t in ("BlockQuote",):
            block["c"] = walk_blocks(block["c"], fn)
        elif t in ("BulletList",):
            block["c"] = [walk_blocks(item, fn) for item in block["c"]]
        elif t == "OrderedList":
            block["c"][1] = [walk_blocks(item, fn) for item in block["c"][1]]
        elif t == "Figure":  # its caption's blocks, then its content
            block["c"][1][1] = walk_blocks(block["c"][1][1], fn)
            block["c"][2] = walk_blocks(block["c"][2], fn)
        out.append(block)
    return out


def walk_inlines(node: Any, fn: Callable[[Node], list[Node] | None]) -> Any:
    """Rewrite every inline list inside node (blocks, tables, captions included)."""
    if isinstance(node, list):
        if node and all(isinstance(x, dict) and "t" in x for x in node) and _is_inline_list(node):
            out: list[Node] = []
            for inline in node:
                replaced = fn(inline)
                if replaced is None:
                    walk_inlines(inline, fn)
                    out.append(inline)
                else:
                    out.extend(replaced)
            node[:] = out
            return node
        for item in node:
            walk_inlines(item, fn)
    elif isinstance(node, dict):
        c = node.get("c")
        if isinstance(c, (list, dict)):
            walk_inlines(c, fn)
    return node


INLINE_TYPES = {
    "Str",
    "Space",
    "SoftBreak",
    "LineBreak",
    *STYLED_INLINES,
    "Quoted",
    "Cite",
    "Code",
    "Math",
    "RawInline",
    "Link",
    "Image",
    "Note",
    "Span",
}


def _is_inline_list(items: list[Node]) -> bool:
    return all(x["t"] in INLINE_TYPES for x in items)
