"""Turn an executed chapter into pandoc markdown: code shown as asked, outputs inlined, assets saved."""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from .contract import PROVENANCE_MIME, ItemProvenance
from .execute import ExecutedChapter, cell_option
from .pages import ChapterPage
from .qmd import Chapter, CodeCell, MarkdownBlock
from .raster import RASTER_MIME, RasterJob, requested_dpi
from .transform import inline_text


@dataclass
class OutputItem:
    """A labelled (or unlabelled) figure or table: what the AST pass and provenance need."""

    label: str | None
    kind: str  # "figure" or "table"
    chapter: str
    caption: str | None = None
    alt: str | None = None
    assets: list[str] = field(default_factory=list)  # paths relative to the output root
    provenance: ItemProvenance | None = None
    number: str | None = None  # filled in by numbering


@dataclass
class AssembledChapter:
    """A chapter as pandoc markdown plus the figures and tables it contains."""

    path: str
    markdown: str
    items: list[OutputItem]
    assets: dict[str, bytes]  # output-root-relative path -> bytes
    # PNGs still to draw from an SVG (output-root-relative path -> job), outside the kernel
    rasters: dict[str, RasterJob] = field(default_factory=dict)


def _fence(text: str, classes: str) -> str:
    ticks = "`" * max(3, _longest_backtick_run(text) + 1)
    return f"{ticks} {{{classes}}}\n{text.rstrip(chr(10))}\n{ticks}\n"


def _longest_backtick_run(text: str) -> int:
    longest = run = 0
    for ch in text:
        run = run + 1 if ch == "`" else 0
        longest = max(longest, run)
    return longest


def _text(value: Any) -> str:
    return "".join(value) if isinstance(value, list) else str(value)


class _CellRenderer:
    def __init__(self, chapter: Chapter, executed: ExecutedChapter, defaults: dict[str, Any]):
        self.chapter = chapter
        self.executed = executed
        self.defaults = defaults
        self.items: list[OutputItem] = []
        self.assets: dict[str, bytes] = {}
        self.rasters: dict[str, RasterJob] = {}

    def render(self, cell: CodeCell) -> str:
        def opt(name):
            return cell_option(cell, name, self.defaults)

        if opt("include") is False:
            return ""
        parts: list[str] = []
        if opt("echo") is True or opt("echo") == "fenced":
            parts.append(_fence(cell.source, ".python .cell-code"))
        if opt("output") is not False and opt("eval") is not False:
            parts.append(self._outputs(cell, opt))
        return "\n".join(p for p in parts if p)

    def _save(self, cell: CodeCell, label: str | None, data: bytes | RasterJob, ext: str) -> str:
        stem = label or f"cell-{cell.index + 1}"
        n = sum(1 for a in [*self.assets, *self.rasters] if PurePosixPath(a).stem.startswith(stem))
        name = f"{stem}-{n + 1}.{ext}"
        path = str(ChapterPage(self.chapter.path).figures / name)
        if isinstance(data, RasterJob):
            self.rasters[path] = data
        else:
            self.assets[path] = data
        return path

    def _outputs(self, cell: CodeCell, opt) -> str:
        label = cell.options.get("label")
        kind = None
        if isinstance(label, str) and label.startswith("fig-"):
            kind = "figure"
        elif isinstance(label, str) and label.startswith("tbl-"):
            kind = "table"
        # A caption from a figure div may hold inline values: the page gets their tokens (made
        # into linked values later), the item record their text.
        caption = cell.options.get("fig-cap" if kind == "figure" else "tbl-cap")
        item = OutputItem(label if kind else None, kind or "figure", self.chapter.path,
                          caption=inline_text(caption, self.executed.inline_values)
                          if isinstance(caption, str) else caption,
                          alt=cell.options.get("fig-alt"))  # fmt: skip
        body: list[str] = []
        asis = opt("output") == "asis"
        for output in self.executed.cell_outputs.get(cell.index, []):
            otype = output.get("output_type")
            if otype == "stream":
                text = _text(output.get("text", ""))
                if output.get("name") == "stderr":
                    if opt("warning") is not False:
                        body.append(_fence(text, ".cell-output .cell-output-stderr"))
                elif asis:
                    body.append(text)
                else:
                    body.append(_fence(text, ".cell-output .cell-output-stdout"))
            elif otype in ("display_data", "execute_result"):
                body.append(self._rich(cell, output.get("data", {}), item, asis))
        content = "\n".join(b for b in body if b)
        if kind is None:
            if item.assets:  # an unlabelled figure: kept for provenance, shown without number
                self.items.append(item)
            return content
        self.items.append(item)
        caption = caption or ""
        return (
            f"::: {{#{label} .lb-{kind}}}\n{content}\n\n::: {{.lb-caption}}\n{caption}\n:::\n:::\n"
        )

    def _rich(self, cell: CodeCell, data: dict[str, Any], item: OutputItem, asis: bool) -> str:
        if PROVENANCE_MIME in data:
            where = f"{self.chapter.path}:{cell.first_line}: {item.label or 'cell'} provenance"
            item.provenance = ItemProvenance.from_json(data[PROVENANCE_MIME], where)
        if "text/markdown" in data:
            return _text(data["text/markdown"]) + "\n"
        for mime, ext in (("image/svg+xml", "svg"), ("image/png", "png")):
            if mime in data:
                raw = _text(data[mime])
                payload = raw.encode("utf-8") if ext == "svg" else base64.b64decode(raw)
                path = self._save(cell, item.label, payload, ext)
                item.assets.append(path)
                if ext == "svg" and "image/png" in data:  # keep the PNG too, for figures/
                    item.assets.append(
                        self._save(
                            cell, item.label, base64.b64decode(_text(data["image/png"])), "png"
                        )
                    )
                elif ext == "svg" and RASTER_MIME in data:  # a PNG drawn by the engine, later
                    job = RasterJob(payload, requested_dpi(data[RASTER_MIME]))
                    item.assets.append(self._save(cell, item.label, job, "png"))
                return f"![]({path}){{.lb-image}}\n"
        if "text/html" in data:
            html = _text(data["text/html"])
            plain = _text(data.get("text/plain", ""))
            return f"```{{=html}}\n{html}\n```\n\n" + (
                _fence(plain, ".cell-output .lb-not-html") if plain else ""
            )
        if "text/plain" in data:
            text = _text(data["text/plain"])
            return text + "\n" if asis else _fence(text, ".cell-output .cell-output-display")
        return ""


def assemble_chapter(
    chapter: Chapter, executed: ExecutedChapter, defaults: dict[str, Any]
) -> AssembledChapter:
    """Build the chapter's pandoc markdown from its blocks and the outputs of its run."""
    renderer = _CellRenderer(chapter, executed, defaults)
    parts: list[str] = []
    title = chapter.front_matter.get("title")
    if title:
        parts.append(f"# {title}\n")
    for block in chapter.blocks:
        if isinstance(block, MarkdownBlock):
            parts.append(block.text)
        else:
            parts.append(renderer.render(block))
    return AssembledChapter(
        chapter.path, "\n\n".join(parts) + "\n", renderer.items, renderer.assets, renderer.rasters
    )


def write_assets(out_root: Path, assets: dict[str, bytes]) -> None:
    """Write a chapter's figure files under the output root."""
    for rel, data in assets.items():
        target = out_root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
