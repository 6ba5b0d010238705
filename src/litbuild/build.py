"""Build a Quarto book: parse, execute, assemble, number, convert, publish atomically."""

from __future__ import annotations

import asyncio
import concurrent.futures
import functools
import hashlib
import json
import os
import re
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from . import forkserver, interrupts, processes, safety, search
from .assemble import AssembledChapter, OutputItem, assemble_chapter, write_assets
from .cache import (
    ExecutionCache,
    build_lock,
    chapter_key,
    engine_files_digest,
    environment_fingerprint,
    sha256_file,
    source_sha256,
)
from .config import BookConfig, load_config
from .crossref import number_book
from .errors import BuildError, ToolMissingError
from .events import BuildEvent, Progress, to_stderr
from .execute import ExecutedChapter, execute_chapter
from .limits import Limits
from .outputs import ParsedBook, writers_for
from .pandoc import markdown_to_ast, prune_ast_cache
from .pdf import source_date_epoch, write_pdf
from .provenance import (
    FACTS_CSV,
    PROVENANCE_FILE,
    collect_facts,
    facts_csv,
    git_state,
    output_manifest,
    provenance_document,
    seal,
    write_downloads,
    write_json,
    write_standalone_figures,
)
from .qmd import Chapter, read_chapter
from .raster import RasterCache, rasterize
from .site import write_html
from .transform import inline_text
from .variant import FailedChecksError, Variant, failed_checks
from .warm import WarmState

ENGINES = ("builtin", "quarto")


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
    facts: int = 0
    up_to_date: bool = False
    phases: dict[str, float] = field(default_factory=dict)  # seconds by build phase

    def to_json(self) -> dict:
        """The summary as plain JSON (for `report build --json`)."""
        return {
            "event": "summary",
            "message": self.summary(),
            "output_dir": str(self.output_dir),
            "chapters": self.chapters,
            "executed": self.executed,
            "figures": self.figures,
            "tables": self.tables,
            "facts": self.facts,
            "pdf_pages": self.pdf_pages,
            "pdf_name": self.pdf_name,
            "up_to_date": self.up_to_date,
            "seconds": round(self.seconds, 4),
            "phases": {k: round(v, 4) for k, v in self.phases.items()},
        }

    def summary(self) -> str:
        pdf = f", PDF {self.pdf_pages} pages" if self.pdf_pages is not None else ""
        verb = "Up to date" if self.up_to_date else "Built"
        return (
            f"{verb}: {self.chapters} chapters ({len(self.executed)} executed), "
            f"{self.figures} figures, {self.tables} tables, {self.facts} facts{pdf} "
            f"in {self.seconds:.1f} s -> {self.output_dir}"
        )


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower().replace("'", "")).strip("-") or "book"


async def _execute_all(
    config: BookConfig,
    chapters: list[Chapter],
    progress: Progress,
    jobs: int,
    cache: ExecutionCache,
    limits: Limits,
    protected: list[str],
    variant: Variant,
    warm: WarmState,
    ready: Callable[[Chapter, ExecutedChapter], None] = lambda chapter, result: None,
) -> dict[str, ExecutedChapter]:
    """Run (or take from the cache) every chapter; `ready` hears of each one as it is done."""
    # One slot per core runs cells; two more kernels may start meanwhile (a small warm pool).
    slots = asyncio.Semaphore(jobs)
    live_kernels = asyncio.Semaphore(jobs + 2)
    done = 0
    pending = {}
    for chapter in chapters:
        defaults = _chapter_defaults(config, chapter)
        key = chapter_key(
            chapter,
            defaults,
            config.execute_dir,
            None if variant.is_default else variant.execution_part(),
        )
        pending[chapter.path] = (key, defaults, cache.load(chapter.path, key))
    must_run = sum(1 for c in chapters if pending[c.path][2] is None and c.needs_kernel)
    # Kernels forked from one process that has imported the heavy libraries once.
    server = (
        warm.fork_server(forkserver.wanted(must_run, jobs), limits.kernel_memory_bytes)
        if must_run
        else None
    )

    async def run(chapter: Chapter) -> ExecutedChapter:
        nonlocal done
        key, defaults, result = pending[chapter.path]
        if result is None:
            cwd = (
                config.root
                if config.execute_dir == "project"
                else (config.root / chapter.path).parent
            )
            async with live_kernels:
                result = await execute_chapter(
                    chapter,
                    config.root,
                    cwd,
                    defaults,
                    limits,
                    fork_server=server,
                    slot=slots,
                    protected=protected,
                    variant=variant,
                )
            cache.store(chapter.path, key, result)
            status = "executed" if chapter.needs_kernel else "no-code"
        else:
            status = "cached"
        ready(chapter, result)
        done += 1
        progress(
            BuildEvent.chapter(
                chapter.path,
                done,
                len(chapters),
                status,
                result.seconds if status == "executed" else None,
            )
        )
        return result

    # Longest first (by the last recorded run), so no long chapter is left to run alone at the end.
    order = sorted(chapters, key=lambda c: -cache.last_seconds(c.path))
    tasks = [asyncio.ensure_future(run(c)) for c in order]
    try:
        with warm.running():
            results = await asyncio.gather(*tasks)
    except BaseException:
        if server is not None and warm.owns_not(server):
            server.kill()  # at once: it may still be importing, and kernels die with it
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        raise
    finally:
        warm.release(server)
    return {r.path: r for r in results}


def _run_async(coroutine):
    """Run a coroutine to completion, also from a thread whose event loop is already running
    (Jupyter, Playwright's sync API), where asyncio.run() refuses."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return interrupts.run_to_completion(coroutine)
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(interrupts.run_to_completion, coroutine).result()


def _chapter_defaults(config: BookConfig, chapter: Chapter) -> dict:
    defaults = dict(config.execute)
    defaults.update(chapter.front_matter.get("execute") or {})
    return defaults


def _publish(
    staging: Path,
    target: Path,
    protected: list[Path],
    remove_old: Callable[[Path], None] | None = None,
) -> None:
    """Swap the finished build into place; the old output survives any earlier failure.
    The target is checked again: it may have changed while the book was built."""
    safety.check_output_target(protected[0], target, protected[1:])
    backup = None
    if target.exists():
        backup = target.with_name(f".{target.name}.old-{os.getpid()}")
        os.replace(target, backup)
    os.replace(staging, target)
    if backup is not None:
        (remove_old or functools.partial(shutil.rmtree, ignore_errors=True))(backup)


def build_builtin(
    config: BookConfig,
    to: str = "all",
    output_dir: Path | None = None,
    progress: Progress = to_stderr,
    jobs: int | None = None,
    use_cache: bool = True,
    write_figures: bool = True,
    limits: Limits | None = None,
    variant: Variant | None = None,
    warm: WarmState | None = None,
) -> BuildResult:
    """Render the book with the builtin engine, one build at a time per project.

    `warm` carries state between builds of a long-lived process (see warm.py).

    Every child process (kernels, fork server, pandoc, Typst) ends with this call, however it
    ends. An exception leaving it carries `output_state`: what became of the previous output
    ("unchanged", "published", "changed" or "absent"). `variant` is what this build sets from
    outside (parameters, metadata, profiles, kernel environment, draft; see litbuild.variant).
    """
    target = (output_dir or config.root / config.output_dir).resolve()
    protected = safety.project_sources(config.root, [c.path for c in config.chapters], config.css)
    safety.check_output_target(config.root, target, protected)
    before = safety.Snapshot.of(target)
    published: list[bool] = []
    try:
        with processes.reaping(), build_lock(config.root, progress):
            safety.remove_stale_staging(target)
            return _build_locked(
                config,
                to,
                target,
                progress,
                jobs,
                use_cache,
                write_figures,
                limits or config.limits,
                [config.root, *protected],
                published,
                variant or Variant(),
                warm or WarmState(config.root),
            )
    except BaseException as exc:
        exc.output_state = _output_state(target, before, published)
        exc.output_dir = str(target)
        raise


def _output_state(target: Path, before: safety.Snapshot, published: list[bool]) -> str:
    if published:
        return "published"
    after = safety.Snapshot.of(target)
    if after == before:
        return "unchanged" if after.entries else "absent"
    return "changed"


def _build_locked(
    config: BookConfig,
    to: str,
    target: Path,
    progress: Progress,
    jobs: int | None,
    use_cache: bool,
    write_figures: bool,
    limits: Limits,
    protected: list[Path],
    published: list[bool],
    variant: Variant,
    warm: WarmState,
) -> BuildResult:
    started = time.perf_counter()
    chapters = [read_chapter(config.root, entry.path) for entry in config.chapters]
    jobs = jobs or max(1, min(len(chapters), os.cpu_count() or 1))
    cache = ExecutionCache(
        config.root, enabled=use_cache, suffix=variant.cache_suffix(), records=warm.cache_records
    )
    ast_cache = config.root / ".litbuild" / "ast" if use_cache else None
    fragments = warm.fragment_store(config.root / ".litbuild" / "fragments" if use_cache else None)
    # Each chapter is assembled and parsed by pandoc as soon as its kernel is done, while the
    # others still run; the PNGs of its figures are drawn meanwhile too (not in the kernels).
    assembling = concurrent.futures.ThreadPoolExecutor(max_workers=1)
    drawing = concurrent.futures.ThreadPoolExecutor(max_workers=1)
    rasters = warm.rasters if use_cache else RasterCache()

    work: list[concurrent.futures.Future] = []  # every parse and drawing, for stopping them

    def assemble_and_parse(chapter: Chapter, done: ExecutedChapter):
        assembled = assemble_chapter(chapter, done, _chapter_defaults(config, chapter))
        pngs = drawing.submit(rasterize, assembled.rasters, rasters)
        work.append(pngs)
        ast = warm.parsed(
            assembled.markdown,
            lambda: markdown_to_ast(
                assembled.markdown, chapter.path, ast_cache, limits.pandoc_timeout
            ),
        )
        return assembled, ast, pngs

    parsing: dict[str, concurrent.futures.Future] = {}

    def ready(chapter: Chapter, done: ExecutedChapter) -> None:
        parsing[chapter.path] = assembling.submit(assemble_and_parse, chapter, done)
        work.append(parsing[chapter.path])

    try:
        executed = _run_async(
            _execute_all(
                config, chapters, progress, jobs, cache, limits, [str(target)], variant, warm, ready
            )
        )
    except BaseException:
        _stop_workers([assembling, drawing], work)
        raise
    phases = {"execute": time.perf_counter() - started}
    for path in cache.damaged:
        progress(BuildEvent.warning(f"damaged cache entry for {path} was ignored and rebuilt"))

    inline_lines = {c.path: {i.index: i.line for i in c.inlines} for c in chapters}
    failed = failed_checks([c.path for c in chapters], executed, inline_lines)
    if failed and not variant.draft:
        _stop_workers([assembling, drawing], work)
        raise FailedChecksError(failed)
    for check in failed:
        progress(BuildEvent.warning(f"draft: {check}"))

    # Nothing changed since the last build and its output is intact: stop before converting.
    run_digests = _run_digests(executed)
    state_key = _output_key(config, to, run_digests, variant)
    up_to_date = _up_to_date(config.root, target, state_key, write_figures) or (
        warm.pdf_follows
        and _up_to_date(
            config.root, target, _output_key(config, "all", run_digests, variant), write_figures
        )
    )
    # A long-lived process that starts on up-to-date output converts once anyway, publishing
    # nothing, so that its first rebuild finds templates, parsed chapters and converted pages
    # in memory (measured on the report: a first prose edit in 0.19 s instead of 0.38 s).
    priming = up_to_date and warm.keep and not warm.primed and to == "html"
    if up_to_date and not priming:
        assembling.shutdown(wait=False, cancel_futures=True)
        drawing.shutdown(wait=False, cancel_futures=True)
        return _up_to_date_result(config.root, target, chapters, started, executed, progress)

    # Only a build that converts moves the memos on: builds that fail or find the output up to
    # date (a fix restoring what was there) use none of them and must not make them forget.
    if warm.keep:
        warm.facts_pages.next_build()
        warm.primed = True
    assembled: dict[str, AssembledChapter] = {}
    asts: dict[str, dict] = {}
    png_parts: list[concurrent.futures.Future] = []
    try:
        for c in chapters:
            assembled[c.path], asts[c.path], pngs = parsing[c.path].result()
            png_parts.append(pngs)
    finally:
        assembling.shutdown(wait=False, cancel_futures=True)
        drawing.shutdown(wait=False)
    prune_ast_cache(ast_cache, [a.markdown for a in assembled.values()])
    warm.keep_parsed([a.markdown for a in assembled.values()])
    items = [item for a in assembled.values() for item in a.items]
    items_by_label = {i.label: i for i in items if i.label}
    targets, infos = number_book(asts, config.chapters, items_by_label)
    for info in infos:  # a heading may hold an inline value: titles show its text
        values = executed[info.path].inline_values
        info.title = inline_text(info.title, values)
        info.toc = [(lvl, hid, no, inline_text(text, values)) for lvl, hid, no, text in info.toc]
    sources = {c.path: c.source_text for c in chapters}
    phases["parse"] = time.perf_counter() - started - phases["execute"]

    facts = collect_facts([c.path for c in chapters], executed, inline_lines)
    result = BuildResult(
        target,
        chapters=len(chapters),
        figures=sum(1 for i in items if i.label and i.kind == "figure"),
        tables=sum(1 for i in items if i.label and i.kind == "table"),
        executed=[p for p, e in executed.items() if e.executed],
        items=items,
    )
    result.facts = len(facts)
    result.phases = phases

    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(
        tempfile.mkdtemp(
            prefix=f".{target.name}{safety.STAGING_INFIX}{os.getpid()}-", dir=target.parent
        )
    )
    try:
        safety.write_marker(staging)
        for a in assembled.values():
            write_assets(staging, a.assets)
        for pngs in png_parts:
            write_assets(staging, pngs.result())
        write_downloads(staging, items, config.root)
        pdf_name = (
            (config.output_file or slug(config.title)) + ".pdf"
            if to in ("all", "pdf") or warm.pdf_follows
            else None
        )
        # An HTML build that another follows (report serve): the last PDF, search index,
        # facts.csv and provenance record stay until that build replaces them.
        follow_up = to == "html" and warm.pdf_follows
        if follow_up and pdf_name:
            warm.carry_file(target / pdf_name, staging / pdf_name)
        if follow_up:
            warm.carry_folder(target / search.BUNDLE_DIR, staging / search.BUNDLE_DIR)

        book = ParsedBook(
            config, infos, asts, targets, sources, executed, items_by_label, facts, staging,
            limits, progress, warm, index_search=not follow_up,
            input_digests={
                p: hashlib.sha256(assembled[p].markdown.encode()).hexdigest() + run_digests[p]
                for p in assembled
            },
            fragments=fragments,
        )  # fmt: skip
        wanted = writers_for(to)
        docx_name = slug(config.title) + ".docx" if "docx" in wanted else None

        def timed(write, *args) -> float:
            began = time.perf_counter()
            write(*args)
            return time.perf_counter() - began

        # The site (pandoc in its own process) is written while Typst compiles the PDF.
        converting = time.perf_counter()
        with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
            site = pool.submit(timed, write_html, book, pdf_name) if "html" in wanted else None
            if "pdf" in wanted:
                began = time.perf_counter()
                result.pdf_pages = write_pdf(book, pdf_name)
                result.pdf_name = pdf_name
                phases["pdf"] = time.perf_counter() - began
            if site is not None:
                phases["html"] = site.result()
        if docx_name:
            from .docx import write_docx

            write_docx(book, docx_name)
        phases["convert"] = time.perf_counter() - converting
        if priming:  # the memos are filled; the output stays as it was
            shutil.rmtree(staging, ignore_errors=True)
            return _up_to_date_result(config.root, target, chapters, started, executed, progress)
        if follow_up:  # the record and facts.csv come with the build that follows
            for name in (FACTS_CSV, PROVENANCE_FILE):
                warm.carry_file(target / name, staging / name)
            _publish(staging, target, protected, warm.remove_later)
            published.append(True)
            return _finish_result(result, started, phases, progress)
        (staging / FACTS_CSV).write_text(facts_csv(facts), encoding="utf-8")
        record = provenance_document(
            config.root,
            staging,
            infos,
            executed,
            items,
            facts,
            pdf_name,
            None if variant == Variant() else variant.key_part(),
        )
        if docx_name:
            record["docx"] = docx_name
        write_json(staging / PROVENANCE_FILE, seal(record))
        # What was published, for the next build's up-to-date check (hashed once, here).
        manifest = {
            **{
                part["@id"]: part["sha256"]
                for part in record["@graph"]
                if part.get("@type") == "File"
            },
            PROVENANCE_FILE: sha256_file(staging / PROVENANCE_FILE),
        }
        _publish(staging, target, protected, warm.remove_later if warm.keep else None)
        published.append(True)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    if write_figures:
        write_standalone_figures(config.root / "figures", items, target, record)
    _remember_output(config.root, target, state_key, result, manifest)
    return _finish_result(result, started, phases, progress)


def _stop_workers(
    pools: list[concurrent.futures.ThreadPoolExecutor], work: list[concurrent.futures.Future]
) -> None:
    """Stop a failed build's parse and drawing workers: what has not started never will, and
    the child (pandoc, resvg) of what runs is killed, again until it is done, since a worker may
    start its child just after a sweep. Else the interpreter would wait for it at exit."""
    for pool in pools:
        pool.shutdown(wait=False, cancel_futures=True)
    running = [future for future in work if not future.done()]
    while running:
        processes.kill_all()
        _done, pending = concurrent.futures.wait(running, timeout=0.05)
        running = list(pending)


def _finish_result(
    result: BuildResult, started: float, phases: dict[str, float], progress: Progress
) -> BuildResult:
    result.seconds = time.perf_counter() - started
    phases["provenance"] = result.seconds - sum(
        v for k, v in phases.items() if k in ("execute", "parse", "convert")
    )
    progress(BuildEvent.phases(phases))
    return result


def _templates_digest() -> str:
    return engine_files_digest("templates")


def _run_digests(executed: dict[str, ExecutedChapter]) -> dict[str, str]:
    """A digest of each chapter's run: its outputs, inline values and what it read."""
    return {path: run.digest() for path, run in executed.items()}


def _output_key(config: BookConfig, to: str, run_digests: dict[str, str], variant: Variant) -> str:
    """Everything the conversion step depends on, once execution results are known."""
    payload = {
        "runs": run_digests,
        "to": to,
        "templates": _templates_digest(),
        "config": (config.root / "_quarto.yml").read_text(encoding="utf-8"),
        "sources": {e.path: source_sha256(config.root / e.path) for e in config.chapters},
        "stylesheets": {s: source_sha256(config.root / s) for s in config.css},
        "profiles": {p: source_sha256(config.root / f"_quarto-{p}.yml") for p in variant.profiles},
        "git": git_state(config.root),
        "env": environment_fingerprint(),
        "source_date_epoch": source_date_epoch(),
        "variant": variant.key_part(),
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


def _state_file(root: Path) -> Path:
    return root / ".litbuild" / "output.json"


def _up_to_date(root: Path, target: Path, key: str, write_figures: bool) -> bool:
    """True when the last build had the same inputs and its output is still intact."""
    try:
        state = json.loads(_state_file(root).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    if state.get("key") != key or state.get("target") != str(target) or not target.is_dir():
        return False
    if write_figures and not state.get("figures"):
        return False
    return output_manifest(target, skip=()) == state.get("manifest")


def _up_to_date_result(
    root: Path,
    target: Path,
    chapters: list[Chapter],
    started: float,
    executed: dict[str, ExecutedChapter],
    progress: Progress,
) -> BuildResult:
    progress(BuildEvent("up-to-date", "outputs are up to date: nothing to convert"))
    result = _result_from_state(root, target, len(chapters), started)
    result.executed = [p for p, e in executed.items() if e.executed]
    return result


def _result_from_state(root: Path, target: Path, chapters: int, started: float) -> BuildResult:
    """The summary of a build that found everything up to date, from the last build's record."""
    state = json.loads(_state_file(root).read_text(encoding="utf-8"))
    counts = state.get("counts", {})
    result = BuildResult(
        target,
        chapters=chapters,
        figures=counts.get("figures", 0),
        tables=counts.get("tables", 0),
        pdf_pages=state.get("pdf_pages"),
        pdf_name=state.get("pdf_name"),
        up_to_date=True,
    )
    result.facts = counts.get("facts", 0)
    result.seconds = time.perf_counter() - started
    return result


def _remember_output(
    root: Path, target: Path, key: str, result: BuildResult, manifest: dict[str, str]
) -> None:
    state_file = _state_file(root)
    tmp = state_file.with_name(state_file.name + ".tmp")
    state = json.dumps(
        {
            "key": key,
            "target": str(target),
            "manifest": dict(sorted(manifest.items())),
            "pdf_name": result.pdf_name,
            "pdf_pages": result.pdf_pages,
            "figures": True,
            "counts": {"figures": result.figures, "tables": result.tables, "facts": result.facts},
        }
    )
    tmp.write_text(state, encoding="utf-8")
    os.replace(tmp, state_file)


def build_with_quarto(
    project_dir: Path,
    to: str,
    output_dir: Path | None,
    progress: Progress = to_stderr,
    variant: Variant | None = None,
) -> BuildResult:
    """Delegate to `quarto render` when Quarto is installed."""
    quarto = shutil.which("quarto")
    if quarto is None:
        raise ToolMissingError(
            "--engine quarto: the quarto command is not on PATH; install "
            "Quarto from https://quarto.org/docs/get-started/ (or use the "
            "conda environment.yml), or build with --engine builtin"
        )
    started = time.perf_counter()
    args = [quarto, "render", str(project_dir)]
    if to != "all":
        args += ["--to", "typst" if to == "pdf" else "html"]
    if output_dir is not None:
        args += ["--output-dir", str(output_dir)]
    variant = variant or Variant()
    if variant.profiles:
        args += ["--profile", ",".join(variant.profiles)]
    for name, value in variant.params.items():
        args += ["-P", f"{name}:{value}"]
    for name, value in variant.metadata.items():
        args += ["-M", f"{name}:{value}"]
    progress(BuildEvent("command", " ".join(args), argv=args))
    # Quarto runs in its own process group, ended with the build whatever way the build ends.
    proc = subprocess.Popen(
        args,
        start_new_session=True,
        preexec_fn=processes.child_setup(),
        env={**os.environ, **variant.env},
    )
    processes.register(proc.pid)
    try:
        proc.wait()
    finally:
        processes.kill_group(proc.pid)
        processes.unregister(proc.pid)
    if proc.returncode != 0:
        raise BuildError(f"quarto render failed with exit code {proc.returncode}")
    config = load_config(project_dir)
    result = BuildResult(
        (output_dir or project_dir / config.output_dir).resolve(), chapters=len(config.chapters)
    )
    result.seconds = time.perf_counter() - started
    return result


def build(
    project_dir: Path | str = ".",
    to: str = "all",
    engine: str = "builtin",
    output_dir: Path | str | None = None,
    progress: Progress = to_stderr,
    limits: dict[str, float | None] | None = None,
    variant: Variant | None = None,
) -> BuildResult:
    """Render a Quarto book project to HTML, PDF (or a Word file) with the chosen engine and
    variant; `limits` overrides the project's limits by field name (see litbuild.limits.Limits).

    The builtin engine is used unless `engine="quarto"` asks for `quarto render`, whatever is on
    PATH: Quarto's output has no provenance.json, facts.csv or figures/.
    """
    if to not in ("all", "html", "pdf", "docx"):
        raise BuildError(f"--to must be html, pdf, docx or all, not '{to}'")
    if engine not in ENGINES:
        raise BuildError(f"--engine must be {' or '.join(ENGINES)}, not '{engine}'")
    project = Path(project_dir).resolve()
    out = Path(output_dir).resolve() if output_dir is not None else None
    if engine == "quarto":
        return build_with_quarto(project, to, out, progress, variant)
    variant = variant or Variant()
    config = load_config(project, variant.metadata, variant.profiles)
    return build_builtin(
        config,
        to,
        out,
        progress,
        limits=config.limits.overridden(**(limits or {})),
        variant=variant,
    )
