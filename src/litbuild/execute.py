"""Run a chapter's cells and inline expressions in a fresh Jupyter kernel (nbclient)."""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import json
import os
import re
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import BuildError, CellExecutionError

if TYPE_CHECKING:  # nbclient and nbformat load only when a chapter must run
    import nbformat
    from nbclient import NotebookClient
from .qmd import Chapter, CodeCell, MarkdownBlock

# A build's kernels keep no IPython history: nobody reads it, and its SQLite file costs start-up.
KERNEL_ARGUMENTS = ["--HistoryManager.enabled=False"]

INLINE_MIME = "application/vnd.litbuild.inline+json"
READS_MIME = "application/vnd.litbuild.reads+json"
PROVENANCE_MIME = "application/vnd.litbuild.provenance+json"

# Runs first in every kernel, hidden: records the files the chapter opens (an audit hook), fixes
# matplotlib's output so figures are byte-reproducible, and defines the inline-value helper.
KERNEL_SETUP = r'''
import os as _lb_os, sys as _lb_sys, json as _lb_json
_lb_root = {root!r}
_lb_reads = {{}}
_lb_env_prefixes = {{_lb_os.path.abspath(p) for p in (_lb_sys.prefix, _lb_sys.base_prefix,
                                                     _lb_sys.exec_prefix)}}

def _lb_digest(full):
    """sha256 at first read: what the chapter saw, even if the file changes later in the run."""
    import hashlib
    try:
        with open(full, "rb") as handle:
            return hashlib.file_digest(handle, "sha256").hexdigest()
    except OSError:
        return None  # missing when read: creating it later must re-execute the chapter

def _lb_listing(full):
    """A directory listing as a dependency: adding or removing an entry changes it."""
    import hashlib
    try:
        names = sorted(_lb_os.listdir(full))
    except OSError:
        return None
    return "listing:" + hashlib.sha256("\0".join(names).encode()).hexdigest()

_lb_busy = False

def _lb_listed_by_environment(caller):
    """Listings made by the import system or by installed libraries looking for plugins or
    package metadata: not something the chapter chose to read."""
    return (caller.startswith("<frozen importlib") or "importlib" + _lb_os.sep in caller
            or "site-packages" in caller)

def _lb_audit(event, args):
    global _lb_busy
    if _lb_busy or event not in _lb_watched or not args:
        return
    target = args[0]
    if event == "open":
        if not isinstance(target, (str, bytes, _lb_os.PathLike)):
            return
        mode = args[1] if len(args) > 1 and isinstance(args[1], str) else "r"
        if "w" in mode or "a" in mode or "x" in mode:
            return
    elif _lb_listed_by_environment(_lb_sys._getframe(1).f_code.co_filename):
        return
    elif event == "glob.glob":
        target = _lb_os.path.dirname(_lb_os.fsdecode(target)) or "."
    elif target is None:
        target = "."
    elif not isinstance(target, (str, bytes, _lb_os.PathLike)):
        return
    full = _lb_os.path.abspath(_lb_os.fsdecode(target))
    if not _lb_is_project_file(full):
        return
    rel = _lb_os.path.relpath(full, _lb_root)
    if rel in _lb_reads:
        return
    _lb_busy = True  # hashing opens the file again: do not record that
    try:
        listing = event != "open" or _lb_os.path.isdir(full)
        _lb_reads[rel] = _lb_listing(full) if listing else _lb_digest(full)
    finally:
        _lb_busy = False

def _lb_listed_by_environment(caller):
    """Listings made by the import system or by installed libraries looking for plugins or
    package metadata: not something the chapter chose to read."""
    return (caller.startswith("<frozen importlib") or "importlib" + _lb_os.sep in caller
            or "site-packages" in caller)

_lb_watched = {{"open", "os.listdir", "os.scandir", "glob.glob"}}

def _lb_is_project_file(full):
    """Inside the project, but not the installed environment (a .venv may live in the project)."""
    return (full.startswith(_lb_root + _lb_os.sep) and "__pycache__" not in full
            and not any(full.startswith(p + _lb_os.sep) for p in _lb_env_prefixes)
            and "site-packages" not in full)

_lb_sys.addaudithook(_lb_audit)
_lb_ip = get_ipython()
_lb_ip.run_line_magic("config", "InlineBackend.figure_formats = ['svg']")
_lb_ip.run_line_magic("config", "InlineBackend.print_figure_kwargs = "
                      "{{'bbox_inches': 'tight', 'metadata': {{'Date': None}}}}")
_lb_ip.run_line_magic("config", "InlineBackend.rc = {{'svg.hashsalt': 'litbuild'}}")

def _lb_inline(index, value):
    """Show an inline value as Quarto does: str() for strings, repr() otherwise."""
    from IPython.display import display
    info = None
    if hasattr(type(value), "_litbuild_inline_"):
        info = value._litbuild_inline_()
        text = str(info.get("text", value))
    elif isinstance(value, str):
        text = str(value)
    else:
        text = repr(value)
    display({{{inline_mime!r}: {{"index": index, "text": text, "info": info}}}}, raw=True)

def _lb_report_reads():
    from IPython.display import display
    modules = sorted(
        _lb_os.path.relpath(m.__file__, _lb_root)
        for m in list(_lb_sys.modules.values())
        if getattr(m, "__file__", None) and _lb_is_project_file(_lb_os.path.abspath(m.__file__))
    )
    display({{{reads_mime!r}: {{"files": dict(sorted(_lb_reads.items())), "modules": modules}}}},
            raw=True)
'''


@dataclass
class ExecutedChapter:
    """What running a chapter produced: outputs per cell, inline values, files it read."""

    path: str
    cell_outputs: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    inline_values: dict[int, dict[str, Any]] = field(default_factory=dict)
    files_read: list[str] = field(default_factory=list)
    # digest of each file as the chapter first read it ("listing:…" for a directory listing)
    read_digests: dict[str, str | None] = field(default_factory=dict)
    modules: list[str] = field(default_factory=list)
    seconds: float = 0.0
    executed: bool = True

    def to_json(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "cell_outputs": {str(k): v for k, v in self.cell_outputs.items()},
            "inline_values": {str(k): v for k, v in self.inline_values.items()},
            "files_read": self.files_read,
            "read_digests": self.read_digests,
            "modules": self.modules,
            "seconds": self.seconds,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ExecutedChapter:
        return cls(
            path=data["path"],
            cell_outputs={int(k): v for k, v in data["cell_outputs"].items()},
            inline_values={int(k): v for k, v in data["inline_values"].items()},
            files_read=list(data["files_read"]),
            read_digests=dict(data.get("read_digests", {})),
            modules=list(data["modules"]),
            seconds=float(data.get("seconds", 0.0)),
            executed=False,
        )


def cell_option(cell: CodeCell, name: str, defaults: dict[str, Any]) -> Any:
    """One place decides an option's value: the cell's #|, else chapter/project defaults."""
    if name in cell.options:
        return cell.options[name]
    return defaults.get(name)


def _notebook_for(chapter: Chapter, root: Path, defaults: dict[str, Any]) -> nbformat.NotebookNode:
    import nbformat

    setup = KERNEL_SETUP.format(root=str(root), inline_mime=INLINE_MIME, reads_mime=READS_MIME)
    cells = [nbformat.v4.new_code_cell(setup, metadata={"litbuild": {"kind": "setup"}})]
    # The inline expressions between two code cells run as one cell, in order: a cell costs a
    # round trip to the kernel, and chapters have many more inline values than cells.
    inlines: list[dict[str, Any]] = []

    def flush_inlines() -> None:
        if inlines:
            source = "\n".join(f"_lb_inline({i['index']}, ({i['expr']}\n))" for i in inlines)
            cells.append(nbformat.v4.new_code_cell(
                source, metadata={"litbuild": {"kind": "inlines", "items": list(inlines)}}))
            inlines.clear()

    for block in chapter.blocks:
        if isinstance(block, CodeCell):
            if cell_option(block, "eval", defaults) is False:
                continue
            flush_inlines()
            cells.append(nbformat.v4.new_code_cell(
                block.source, metadata={"litbuild": {"kind": "cell", "index": block.index}}))
        elif isinstance(block, MarkdownBlock):
            inlines.extend({"index": i.index, "line": i.line, "expr": i.expr}
                           for i in block.inlines)
    flush_inlines()
    cells.append(nbformat.v4.new_code_cell("_lb_report_reads()",
                                           metadata={"litbuild": {"kind": "reads"}}))
    nb = nbformat.v4.new_notebook()
    nb.cells = cells
    return nb


def _failed_cell(nb: nbformat.NotebookNode) -> nbformat.NotebookNode | None:
    for cell in nb.cells:
        if any(o.get("output_type") == "error" for o in cell.get("outputs", [])):
            return cell
    return None


def _failed_inline(items: list[dict[str, Any]], cell: nbformat.NotebookNode,
                   ename: str) -> dict[str, Any]:
    """Which inline expression of a batch failed: the first that does not compile, for a
    syntax error; else the first whose value was not shown."""
    if ename in ("SyntaxError", "IndentationError"):
        for item in items:
            try:
                compile(f"({item['expr']}\n)", "<inline>", "eval")
            except SyntaxError:
                return item
    shown = {o["data"][INLINE_MIME]["index"] for o in cell.get("outputs", [])
             if INLINE_MIME in o.get("data", {})}
    return next((i for i in items if i["index"] not in shown), items[-1])


def _raise_for_failure(chapter: Chapter, nb: nbformat.NotebookNode, exc: Exception) -> None:
    cell = _failed_cell(nb)
    if cell is None:
        raise BuildError(f"{chapter.path}: execution failed: {exc}") from exc
    error = next(o for o in cell.outputs if o.get("output_type") == "error")
    meta = cell.metadata["litbuild"]
    traceback = "\n".join(error.get("traceback", []))
    if meta["kind"] == "inlines":
        failed = _failed_inline(meta["items"], cell, error["ename"])
        line = failed["line"]
        raise CellExecutionError(chapter.path, line, line, error["ename"], error["evalue"],
                                 traceback, f"`{{python}} {failed['expr']}`",
                                 what="inline expression") from None
    if meta["kind"] == "cell":
        code_cell = chapter.cells[meta["index"]]
        raise CellExecutionError(chapter.path, code_cell.first_line, code_cell.last_line,
                                 error["ename"], error["evalue"], traceback,
                                 code_cell.source) from None
    raise BuildError(f"{chapter.path}: the engine's own kernel code failed: "
                     f"{error['ename']}: {error['evalue']}") from None


# ipykernel names cells <tmp>/ipykernel_<pid>/<hash>.py; the pid would make warnings differ per run.
# Anchored on the literal temp dir: a leading character class would backtrack quadratically over
# the long unbroken strings (SVG) that outputs carry.
KERNEL_CELL_FILE = re.compile(re.escape(tempfile.gettempdir() + os.sep)
                              + r"ipykernel_\d+[/\\](\d+\.py)")


def _stable_text(text: str) -> str:
    return KERNEL_CELL_FILE.sub(r"<cell-\1>", text)


def _plain_outputs(outputs: list[Any]) -> list[dict[str, Any]]:
    """Outputs as plain JSON, with run-specific temporary cell file names made stable."""
    plain = json.loads(json.dumps(outputs))
    for output in plain:
        if output.get("output_type") == "stream":
            text = output.get("text", "")
            output["text"] = _stable_text("".join(text) if isinstance(text, list) else text)
        elif output.get("output_type") == "error":
            output["traceback"] = [_stable_text(line) for line in output.get("traceback", [])]
    return plain


async def _run_cells(client: NotebookClient, nb: nbformat.NotebookNode,
                     slot: asyncio.Semaphore | None) -> None:
    """nbclient's execute loop, split so that only running cells holds a slot."""
    client.reset_execution_trackers()
    # The kernel's own stderr is noise (transport warnings); cell stderr still reaches us.
    async with client.async_setup_kernel(stderr=subprocess.DEVNULL):
        async with slot if slot is not None else contextlib.nullcontext():
            for index, cell in enumerate(nb.cells):
                await client.async_execute_cell(cell, index,
                                                execution_count=client.code_cells_executed + 1)


async def _shutdown(client: NotebookClient) -> None:
    """Never leave a kernel behind, even when the run was cancelled while the kernel started
    (nbclient then also leaves an atexit hook that fails noisily at interpreter exit)."""
    from jupyter_core.utils import ensure_async

    atexit.unregister(client._cleanup_kernel)
    km = client.km
    if km is not None and km.has_kernel:
        with contextlib.suppress(Exception):
            await ensure_async(km.shutdown_kernel(now=True))
    if km is not None and hasattr(km, "kill_forked"):
        km.kill_forked()  # also when jupyter_client already took the kernel for dead


async def execute_chapter(chapter: Chapter, root: Path, cwd: Path, defaults: dict[str, Any],
                          timeout: int = 600, kernel_name: str = "python3",
                          fork_server: Any = None,
                          slot: asyncio.Semaphore | None = None) -> ExecutedChapter:
    """Execute one chapter in its own fresh kernel; raise CellExecutionError on a failing cell.

    `slot` bounds how many chapters run cells at once (one per core); the kernel starts before a
    slot is taken, so start-up and its idle waits overlap other chapters' work.
    """
    started = time.perf_counter()
    result = ExecutedChapter(chapter.path)
    if not chapter.needs_kernel:
        return result
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError as NbCellExecutionError

    from .forkserver import kernel_manager_class

    nb = _notebook_for(chapter, root, defaults)
    km = kernel_manager_class()(kernel_name=kernel_name)
    km.fork_server = fork_server
    client = NotebookClient(nb, km=km, kernel_name=kernel_name, timeout=timeout,
                            extra_arguments=KERNEL_ARGUMENTS,
                            allow_errors=False, resources={"metadata": {"path": str(cwd)}})
    try:
        await _run_cells(client, nb, slot)
    except NbCellExecutionError as exc:
        _raise_for_failure(chapter, nb, exc)
    except Exception as exc:  # kernel died, timeout: say which chapter
        if _failed_cell(nb) is not None:
            _raise_for_failure(chapter, nb, exc)
        raise BuildError(f"{chapter.path}: kernel failed: {type(exc).__name__}: {exc}") from exc
    finally:
        await _shutdown(client)

    for cell in nb.cells:
        meta = cell.metadata["litbuild"]
        if meta["kind"] == "cell":
            result.cell_outputs[meta["index"]] = _plain_outputs(cell.outputs)
        elif meta["kind"] == "inlines":
            for output in cell.outputs:
                value = output.get("data", {}).get(INLINE_MIME)
                if value is not None:
                    index = value.pop("index")
                    result.inline_values[index] = dict(value)
        elif meta["kind"] == "reads":
            reads = next(o for o in cell.outputs if READS_MIME in o.get("data", {}))
            result.read_digests = reads["data"][READS_MIME]["files"]
            result.files_read = sorted(result.read_digests)
            result.modules = reads["data"][READS_MIME]["modules"]
    result.seconds = time.perf_counter() - started
    return result
