"""Word output for editors and translators: the whole book through pandoc's docx writer."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .ast import Node, text_inlines, walk_inlines
from .config import BookConfig
from .pandoc import run_pandoc
from .pdf import source_date_epoch

if TYPE_CHECKING:
    from .outputs import ParsedBook


def _meta_inlines(text: str) -> dict[str, Any]:
    return {"t": "MetaInlines", "c": text_inlines(text)}


def _book_meta(config: BookConfig) -> dict[str, Any]:
    meta: dict[str, Any] = {
        "title": _meta_inlines(config.title),
        "lang": _meta_inlines(config.lang),
    }
    if config.subtitle:
        meta["subtitle"] = _meta_inlines(config.subtitle)
    if config.author:
        meta["author"] = {"t": "MetaList", "c": [_meta_inlines(a) for a in config.author]}
    if config.date:
        meta["date"] = _meta_inlines(config.date)
    return meta


def _png_for_svg(blocks: list[Node], staging: Path) -> None:
    """Use each figure's PNG (saved right after its SVG) where one exists: Word reads PNG."""

    def visit(inline: Node) -> list[Node] | None:
        if inline["t"] != "Image":
            return None
        url = inline["c"][2][0]
        match = re.search(r"-(\d+)\.svg$", url)
        if match:
            png = url[: match.start()] + f"-{int(match.group(1)) + 1}.png"
            if (staging / png).is_file():
                inline["c"][2][0] = png
        inline["c"][0][2] = [kv for kv in inline["c"][0][2] if kv[0] != "width"]
        inline["c"][0][2].append(["width", "100%"])
        return [inline]

    walk_inlines(blocks, visit)


def write_docx(book: ParsedBook, name: str) -> Path:
    """Write the whole book as one Word file in `staging`; figures, tables, captions, links."""
    config, staging = book.config, book.staging
    whole = book.whole_doc("docx")
    _png_for_svg(whole["blocks"], staging)
    whole["meta"] = _book_meta(config)
    target = staging / name
    # pandoc dates the document from SOURCE_DATE_EPOCH: the same sources give the same bytes.
    env = dict(os.environ, SOURCE_DATE_EPOCH=str(source_date_epoch()))
    run_pandoc(
        [
            "-f",
            "json",
            "-t",
            "docx",
            "--toc",
            "--toc-depth=2",
            f"--resource-path={staging}",
            "-o",
            str(target),
        ],
        json.dumps(whole),
        book.limits.pandoc_timeout,
        "writing the Word file",
        env,
        whole_book=True,
    )
    return target
