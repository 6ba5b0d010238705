"""Build a Quarto book: parse, execute, assemble, number, convert, publish atomically."""

from __future__ import annotations

import asyncio
import copy
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from .assemble import AssembledChapter, OutputItem, assemble_chapter, write_assets
from .config import BookConfig, load_config
from .crossref import ChapterInfo, number_book, resolve_references
from .errors import BuildError
from .execute import ExecutedChapter, execute_chapter
from .pandoc import ast_to_html, ast_to_typst, markdown_to_ast
from .pdf import book_typst, compile_pdf, pdf_page_count
from .qmd import Chapter, read_chapter
from .site import write_site
from .transform import finish_chapter

Progress = Callable[[str], None]


@dataclass
class BuildResult:
    """What a build made, for the one-line summary and for provenance."""

    output_dir: Path
    chapters: int = 0
    figures: int = 0
    tables: int = 0
    pdf_pages: int | None = None
    pdf_name: str | None = None
    seconds: float = 0.0
    executed: list[str] = field(default_factory=list)
    items: list[OutputItem] = field(default_factory=list)

    def summary(self) -> str:
        pdf = f", PDF {self.pdf_pages} pages" if self.pdf_pages is not None else ""
        return (f"Built {self.chapters} chapters, {self.figures} figures, {self.tables} tables"
                f"{pdf} in {self.seconds:.1f} s -> {self.output_dir}")


def _stderr(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower().replace("'", "")).strip("-") or "book"


async def _execute_all(config: BookConfig, chapters: list[Chapter], progress: Progress,
                       jobs: int) -> dict[str, ExecutedChapter]:
    semaphore = asyncio.Semaphore(jobs)
    done = 0

    async def run(chapter: Chapter) -> ExecutedChapter:
        nonlocal done
        defaults = dict(config.execute)
        defaults.update(chapter.front_matter.get("execute") or {})
        cwd = config.root if config.execute_dir == "project" else (config.root / chapter.path).parent
        async with semaphore:
            result = await execute_chapter(chapter, config.root, cwd, defaults)
        done += 1
        what = f"executed in {result.seconds:.1f} s" if chapter.needs_kernel else "no code"
        progress(f"[{done}/{len(chapters)}] {chapter.path}: {what}")
        return result

    tasks = [asyncio.ensure_future(run(c)) for c in chapters]
    try:
        results = await asyncio.gather(*tasks)
    except BaseException:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        raise
    return {r.path: r for r in results}


def _chapter_defaults(config: BookConfig, chapter: Chapter) -> dict:
    defaults = dict(config.execute)
    defaults.update(chapter.front_matter.get("execute") or {})
    return defaults


def _publish(staging: Path, target: Path) -> None:
    """Swap the finished build into place; the old output survives any earlier failure."""
    backup = None
    if target.exists():
        backup = target.with_name(f".{target.name}.old-{os.getpid()}")
        os.replace(target, backup)
    os.replace(staging, target)
    if backup is not None:
        shutil.rmtree(backup, ignore_errors=True)


def build_builtin(config: BookConfig, to: str = "all", output_dir: Path | None = None,
                  progress: Progress = _stderr, jobs: int | None = None) -> BuildResult:
    """Render the book with the builtin engine."""
    started = time.perf_counter()
    target = (output_dir or config.root / config.output_dir).resolve()
    chapters = [read_chapter(config.root, entry.path) for entry in config.chapters]
    jobs = jobs or max(1, min(len(chapters), os.cpu_count() or 1))
    executed = asyncio.run(_execute_all(config, chapters, progress, jobs))

    assembled: dict[str, AssembledChapter] = {
        c.path: assemble_chapter(c, executed[c.path], _chapter_defaults(config, c)) for c in chapters
    }
    asts = markdown_to_ast({p: a.markdown for p, a in assembled.items()})
    items = [item for a in assembled.values() for item in a.items]
    items_by_label = {i.label: i for i in items if i.label}
    targets, infos = number_book(asts, config.chapters, items_by_label)
    sources = {c.path: c.source_text for c in chapters}

    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.tmp-", dir=target.parent))
    try:
        for a in assembled.values():
            write_assets(staging, a.assets)
        result = BuildResult(target, chapters=len(chapters),
                             figures=sum(1 for i in items if i.label and i.kind == "figure"),
                             tables=sum(1 for i in items if i.label and i.kind == "table"),
                             executed=[p for p, e in executed.items() if e.executed], items=items)
        pdf_name = slug(config.title) + ".pdf" if to in ("all", "pdf") else None
        if to in ("all", "pdf"):
            docs = []
            for info in infos:
                doc = copy.deepcopy(asts[info.path])
                resolve_references(doc, info, targets, sources[info.path], "typst")
                finish_chapter(doc, info, items_by_label, executed[info.path].inline_values, "typst")
                docs.append(doc)
            api = docs[0]["pandoc-api-version"]
            book = {"pandoc-api-version": api, "meta": {},
                    "blocks": [b for d in docs for b in d["blocks"]]}
            typ_file = staging / "book.typ"
            typ_file.write_text(book_typst(config, ast_to_typst(book)), encoding="utf-8")
            progress("compiling PDF with Typst")
            try:
                pdf = compile_pdf(typ_file, staging)
            except Exception as exc:  # typst raises its own error type with the diagnostics
                raise BuildError(f"Typst failed to compile the book: {exc}") from exc
            typ_file.unlink()
            (staging / pdf_name).write_bytes(pdf)
            result.pdf_pages = pdf_page_count(pdf)
            result.pdf_name = pdf_name
        if to in ("all", "html"):
            html_docs = {}
            for info in infos:
                doc = copy.deepcopy(asts[info.path])
                resolve_references(doc, info, targets, sources[info.path], "html")
                finish_chapter(doc, info, items_by_label, executed[info.path].inline_values, "html")
                html_docs[info.path] = doc
            bodies = ast_to_html(html_docs)
            write_site(staging, config, infos, bodies, pdf_name)
        _publish(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    result.seconds = time.perf_counter() - started
    return result


def build_with_quarto(project_dir: Path, to: str, output_dir: Path | None,
                      progress: Progress = _stderr) -> BuildResult:
    """Delegate to `quarto render` when Quarto is installed."""
    quarto = shutil.which("quarto")
    if quarto is None:
        raise BuildError("--engine quarto: the quarto command is not on PATH")
    started = time.perf_counter()
    args = [quarto, "render", str(project_dir)]
    if to != "all":
        args += ["--to", "typst" if to == "pdf" else "html"]
    if output_dir is not None:
        args += ["--output-dir", str(output_dir)]
    progress(" ".join(args))
    proc = subprocess.run(args, check=False)
    if proc.returncode != 0:
        raise BuildError(f"quarto render failed with exit code {proc.returncode}")
    config = load_config(project_dir)
    result = BuildResult((output_dir or project_dir / config.output_dir).resolve(),
                         chapters=len(config.chapters))
    result.seconds = time.perf_counter() - started
    return result


def build(project_dir: Path | str = ".", to: str = "all", engine: str = "auto",
          output_dir: Path | str | None = None, progress: Progress = _stderr) -> BuildResult:
    """Render a Quarto book project to HTML and/or PDF with the chosen engine."""
    if to not in ("all", "html", "pdf"):
        raise BuildError(f"--to must be html, pdf or all, not '{to}'")
    project = Path(project_dir).resolve()
    out = Path(output_dir).resolve() if output_dir is not None else None
    if engine == "quarto" or (engine == "auto" and shutil.which("quarto")):
        return build_with_quarto(project, to, out, progress)
    if engine not in ("auto", "builtin"):
        raise BuildError(f"--engine must be auto, builtin or quarto, not '{engine}'")
    return build_builtin(load_config(project), to, out, progress)
