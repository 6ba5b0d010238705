"""Run a chapter's cells and inline expressions in a fresh Jupyter kernel (nbclient)."""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import hashlib
import json
import os
import re
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .contract import INLINE_MIME, READS_MIME, ChapterReads
from .errors import BuildError, CellExecutionError, LimitError
from .limits import Limits, cell_timeout

if TYPE_CHECKING:  # nbclient and nbformat load only when a chapter must run
    import nbformat
    from nbclient import NotebookClient
from .qmd import Chapter, CodeCell, MarkdownBlock
from .variant import Variant, environment_source, parameter_source

# A build's kernels keep no IPython history: nobody reads it, and its SQLite file costs start-up.
KERNEL_ARGUMENTS = ["--HistoryManager.enabled=False"]

# Runs first in every kernel, hidden: the engine's kernel-side module (litbuild.kernel) records
# the files the chapter opens, fixes matplotlib's output and defines the inline-value helper.
KERNEL_SETUP = """\
from litbuild.kernel import install as _lb_install
_lb_inline, _lb_report_reads = _lb_install({root!r}, {protected!r})
del _lb_install
"""


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
    # sha256 of the run (to_json without the time): recorded with a cache entry, so that a
    # cached chapter is not serialised again to be compared.
    recorded_digest: str | None = field(default=None, repr=False, compare=False)

    def digest(self) -> str:
        """A digest of the run: its outputs, inline values and what it read."""
        if self.recorded_digest is None:
            run = {k: v for k, v in self.to_json().items() if k != "seconds"}
            self.recorded_digest = hashlib.sha256(
                json.dumps(run, sort_keys=True, default=str).encode()
            ).hexdigest()
        return self.recorded_digest

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


def _is_parameters_cell(cell: CodeCell) -> bool:
    tags = cell.options.get("tags") or []
    return "parameters" in (tags if isinstance(tags, list) else [tags])


def _notebook_for(
    chapter: Chapter,
    root: Path,
    defaults: dict[str, Any],
    protected: list[str],
    variant: Variant | None = None,
) -> nbformat.NotebookNode:
    import nbformat

    variant = variant or Variant()
    setup = KERNEL_SETUP.format(root=str(root), protected=protected)
    setup += environment_source(variant.env)
    cells = [nbformat.v4.new_code_cell(setup, metadata={"litbuild": {"kind": "setup"}})]
    # The inline expressions between two code cells run as one cell, in order: a cell costs a
    # round trip to the kernel, and chapters have many more inline values than cells.
    inlines: list[dict[str, Any]] = []

    def flush_inlines() -> None:
        if inlines:
            source = "\n".join(f"_lb_inline({i['index']}, ({i['expr']}\n))" for i in inlines)
            cells.append(
                nbformat.v4.new_code_cell(
                    source, metadata={"litbuild": {"kind": "inlines", "items": list(inlines)}}
                )
            )
            inlines.clear()

    for block in chapter.blocks:
        if isinstance(block, CodeCell):
            if cell_option(block, "eval", defaults) is False:
                continue
            flush_inlines()
            cells.append(
                nbformat.v4.new_code_cell(
                    block.source, metadata={"litbuild": {"kind": "cell", "index": block.index}}
                )
            )
            if variant.params and _is_parameters_cell(block):
                # Quarto (like papermill) injects the given values right after the defaults.
                cells.append(
                    nbformat.v4.new_code_cell(
                        parameter_source(variant.params),
                        metadata={"litbuild": {"kind": "parameters"}},
                    )
                )
        elif isinstance(block, MarkdownBlock):
            inlines.extend(
                {"index": i.index, "line": i.line, "expr": i.expr} for i in block.inlines
            )
    flush_inlines()
    cells.append(
        nbformat.v4.new_code_cell("_lb_report_reads()", metadata={"litbuild": {"kind": "reads"}})
    )
    nb = nbformat.v4.new_notebook()
    nb.cells = cells
    return nb


def _failed_cell(nb: nbformat.NotebookNode) -> nbformat.NotebookNode | None:
    for cell in nb.cells:
        if any(o.get("output_type") == "error" for o in cell.get("outputs", [])):
            return cell
    return None


def _failed_inline(
    items: list[dict[str, Any]], cell: nbformat.NotebookNode, ename: str
) -> dict[str, Any]:
    """Which inline expression of a batch failed: the first that does not compile, for a
    syntax error; else the first whose value was not shown."""
    if ename in ("SyntaxError", "IndentationError"):
        for item in items:
            try:
                compile(f"({item['expr']}\n)", "<inline>", "eval")
            except SyntaxError:
                return item
    shown = {
        o["data"][INLINE_MIME]["index"]
        for o in cell.get("outputs", [])
        if INLINE_MIME in o.get("data", {})
    }
    return next((i for i in items if i["index"] not in shown), items[-1])


def _raise_for_failure(
    chapter: Chapter, nb: nbformat.NotebookNode, exc: Exception, limits: Limits | None = None
) -> None:
    cell = _failed_cell(nb)
    if cell is None:
        raise BuildError(f"{chapter.path}: execution failed: {exc}") from exc
    error = next(o for o in cell.outputs if o.get("output_type") == "error")
    out_of_memory = (
        error.get("ename") == "MemoryError" and limits is not None and limits.kernel_memory_bytes
    )
    if out_of_memory:
        error["evalue"] = (
            f"{error.get('evalue') or ''} (each kernel may use at most "
            f"{limits.kernel_memory_mb:g} MB: litbuild: kernel-memory-mb in "
            "_quarto.yml or --kernel-memory-mb)"
        ).strip()
    meta = cell.metadata["litbuild"]
    traceback = "\n".join(error.get("traceback", []))
    if meta["kind"] == "inlines":
        failed = _failed_inline(meta["items"], cell, error["ename"])
        line = failed["line"]
        raise CellExecutionError(
            chapter.path,
            line,
            line,
            error["ename"],
            error["evalue"],
            traceback,
            f"`{{python}} {failed['expr']}`",
            what="inline expression",
        ) from None
    if meta["kind"] == "cell":
        code_cell = chapter.cells[meta["index"]]
        failure = CellExecutionError(
            chapter.path,
            code_cell.first_line,
            code_cell.last_line,
            error["ename"],
            error["evalue"],
            traceback,
            code_cell.source,
        )
        if out_of_memory:
            raise LimitError(str(failure)) from None
        raise failure from None
    raise BuildError(
        f"{chapter.path}: the engine's own kernel code failed: {error['ename']}: {error['evalue']}"
    ) from None


# ipykernel names cells <tmp>/ipykernel_<pid>/<hash>.py; the pid would make warnings differ per run.
# Anchored on the literal temp dir: a leading character class would backtrack quadratically over
# the long unbroken strings (SVG) that outputs carry.
KERNEL_CELL_FILE = re.compile(
    re.escape(tempfile.gettempdir() + os.sep) + r"ipykernel_\d+[/\\](\d+\.py)"
)


def _stable_text(text: str) -> str:
    return KERNEL_CELL_FILE.sub(r"<cell-\1>", text)


def _plain_outputs(outputs: list[Any]) -> list[dict[str, Any]]:
    """Outputs as plain JSON, with run-specific temporary cell file names made stable.

    Consecutive stream messages of one stream are one output: how the kernel splits what a
    cell prints into messages depends on timing (its flush timer, an explicit flush, the load
    on the machine), and a rebuild must give the same page whatever it was.
    """
    plain: list[dict[str, Any]] = []
    for output in json.loads(json.dumps(outputs)):
        if output.get("output_type") == "stream":
            text = output.get("text", "")
            output["text"] = "".join(text) if isinstance(text, list) else text
            last = plain[-1] if plain else None
            if last and last.get("output_type") == "stream" and last["name"] == output.get("name"):
                last["text"] += output["text"]
                continue
        elif output.get("output_type") == "error":
            output["traceback"] = [_stable_text(line) for line in output.get("traceback", [])]
        plain.append(output)
    for output in plain:
        if output.get("output_type") == "stream":
            output["text"] = _stable_text(output["text"])
    return plain


async def _run_cells(
    client: NotebookClient,
    nb: nbformat.NotebookNode,
    slot: asyncio.Semaphore | None,
    running: list[int],
) -> None:
    """nbclient's execute loop, split so that only running cells holds a slot; `running` holds
    the index of the cell being executed, for messages about limits and dead kernels."""
    client.reset_execution_trackers()
    # The kernel's own stderr is noise (transport warnings); cell stderr still reaches us.
    async with client.async_setup_kernel(stderr=subprocess.DEVNULL):
        async with slot if slot is not None else contextlib.nullcontext():
            for index, cell in enumerate(nb.cells):
                running[:] = [index]
                await client.async_execute_cell(
                    cell, index, execution_count=client.code_cells_executed + 1
                )
            running.clear()


def _output_size(msg: dict[str, Any]) -> int:
    """Roughly how many characters an output message carries (text, data, traceback)."""
    content = msg.get("content") or {}
    size = len(content.get("text") or "")
    for value in (content.get("data") or {}).values():
        size += len(value) if isinstance(value, str) else len(json.dumps(value))
    size += sum(len(line) for line in content.get("traceback") or [])
    return size


OUTPUT_LIMIT_GRACE = 3.0  # seconds a cell past its output limit has to stop after an interrupt


def _client_class():
    """NotebookClient that caps the output one cell may produce: past the cap it drops the
    outputs and interrupts the kernel, and the build then fails naming the cell."""
    from nbclient import NotebookClient

    class LimitedClient(NotebookClient):
        output_limit: int = 0
        over_limit: int | None = None  # notebook index of the cell that went over
        _sizes: dict[int, int]

        def output(self, outs, msg, display_id, cell_index):
            sizes = self.__dict__.setdefault("_sizes", {})
            sizes[cell_index] = sizes.get(cell_index, 0) + _output_size(msg)
            if self.output_limit and sizes[cell_index] > self.output_limit:
                if self.over_limit is None:
                    self.over_limit = cell_index
                    if self.km is not None:
                        self.__dict__["_stopping"] = asyncio.ensure_future(self._stop_kernel())
                return None
            return super().output(outs, msg, display_id, cell_index)

        async def _stop_kernel(self) -> None:
            """Interrupt the cell; a kernel still busy after a grace period is killed (a cell
            may catch KeyboardInterrupt, or be stuck where an interrupt does not reach)."""
            await self.km.interrupt_kernel()
            await asyncio.sleep(OUTPUT_LIMIT_GRACE)
            await self.km._async_kill_kernel()

        def stop_escalation(self) -> None:
            """The cell stopped (or the run ended): no kill is needed any more."""
            stopping = self.__dict__.pop("_stopping", None)
            if stopping is not None:
                stopping.cancel()

    return LimitedClient


def _over_limit_message(
    chapter: Chapter, nb: nbformat.NotebookNode, index: int, limits: Limits
) -> str:
    return (
        f"{_where(chapter, nb, index)}: the cell's output exceeded "
        f"{limits.cell_output_mb:g} MB and was stopped (raise the limit with "
        "litbuild: cell-output-mb in _quarto.yml or --max-output-mb)"
    )


def _where(chapter: Chapter, nb: nbformat.NotebookNode, index: int | None) -> str:
    """'chapter:lines (cell N)' for a notebook cell, as far as it maps to the chapter."""
    if index is None or index >= len(nb.cells):
        return chapter.path
    meta = nb.cells[index].metadata["litbuild"]
    if meta["kind"] == "cell":
        cell = chapter.cells[meta["index"]]
        return f"{chapter.path}:{cell.first_line}-{cell.last_line} (cell {meta['index'] + 1})"
    if meta["kind"] == "inlines":
        first, last = meta["items"][0]["line"], meta["items"][-1]["line"]
        lines = f"{first}" if first == last else f"{first}-{last}"
        return f"{chapter.path}:{lines} (inline expressions)"
    return f"{chapter.path} (the engine's set-up code)"


def _exit_note(client: NotebookClient) -> str:
    """What is known of how a dead kernel ended: its exit code or the signal that killed it."""
    try:
        code = client.km.provisioner.process.poll()
    except AttributeError:
        return ""
    if code is None:
        return ""
    if code < 0:
        import signal

        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = f"signal {-code}"
        hint = " (out of memory?)" if name == "SIGKILL" else ""
        return f" (killed by {name}{hint})"
    return f" (exit code {code})"


def _new_client(
    nb: nbformat.NotebookNode,
    kernel_name: str,
    fork_server: Any,
    limits: Limits,
    timeout: float,
    cwd: Path,
) -> NotebookClient:
    """A notebook client whose kernel is forked when a server is given, capped by the limits."""
    from .forkserver import kernel_manager_class

    km = kernel_manager_class()(kernel_name=kernel_name)
    km.fork_server = fork_server
    km.memory_bytes = limits.kernel_memory_bytes
    client = _client_class()(
        nb,
        km=km,
        kernel_name=kernel_name,
        timeout=timeout,
        extra_arguments=KERNEL_ARGUMENTS,
        allow_errors=False,
        resources={"metadata": {"path": str(cwd)}},
    )
    client.output_limit = limits.cell_output_bytes
    return client


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


async def execute_chapter(
    chapter: Chapter,
    root: Path,
    cwd: Path,
    defaults: dict[str, Any],
    limits: Limits | None = None,
    kernel_name: str = "python3",
    fork_server: Any = None,
    slot: asyncio.Semaphore | None = None,
    protected: list[str] | None = None,
    variant: Variant | None = None,
) -> ExecutedChapter:
    """Execute one chapter in its own fresh kernel; raise CellExecutionError on a failing cell.

    `slot` bounds how many chapters run cells at once (one per core); the kernel starts before a
    slot is taken, so start-up and its idle waits overlap other chapters' work. `protected` lists
    folders (the published output) that the chapter's code may not change.
    """
    started = time.perf_counter()
    result = ExecutedChapter(chapter.path)
    if not chapter.needs_kernel:
        return result
    from nbclient.exceptions import CellExecutionError as NbCellExecutionError
    from nbclient.exceptions import CellTimeoutError, DeadKernelError

    limits = limits or Limits()
    timeout = cell_timeout(defaults, limits)
    # A kernel that dies before it answers (two kernels started at once may race for the same
    # free port) is replaced once; a kernel that dies later is the chapter's doing.
    for attempt in (1, 2):
        nb = _notebook_for(chapter, root, defaults, list(protected or []), variant)
        client = _new_client(nb, kernel_name, fork_server, limits, timeout, cwd)
        running: list[int] = []
        try:
            await _run_cells(client, nb, slot, running)
            if client.over_limit is not None:
                raise NbCellExecutionError("output limit", "", "")
            break
        except NbCellExecutionError as exc:
            if client.over_limit is not None:
                raise LimitError(
                    _over_limit_message(chapter, nb, client.over_limit, limits)
                ) from None
            _raise_for_failure(chapter, nb, exc, limits)
        except CellTimeoutError:
            where = _where(chapter, nb, running[0] if running else None)
            raise LimitError(
                f"{where}: the cell ran longer than {timeout:g} s and was stopped "
                "(raise the limit with execute: timeout in _quarto.yml or the "
                "chapter's front matter, or --timeout)"
            ) from None
        except DeadKernelError:
            if client.over_limit is not None:  # killed by us, past the output limit
                raise LimitError(
                    _over_limit_message(chapter, nb, client.over_limit, limits)
                ) from None
            where = _where(chapter, nb, running[0] if running else None)
            memory = (
                f"; each kernel may use at most {limits.kernel_memory_mb:g} MB"
                if limits.kernel_memory_bytes
                else ""
            )
            raise BuildError(
                f"{where}: the kernel died while running this cell{_exit_note(client)}{memory}"
            ) from None
        except Exception as exc:  # kernel failed to start, and the like: say which chapter
            if _failed_cell(nb) is not None:
                _raise_for_failure(chapter, nb, exc, limits)
            if attempt == 1 and not running and isinstance(exc, RuntimeError):
                continue
            raise BuildError(
                f"{chapter.path}: kernel failed: {type(exc).__name__}: {exc}{_exit_note(client)}"
            ) from exc
        finally:
            client.stop_escalation()
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
            shown = next(o for o in cell.outputs if READS_MIME in o.get("data", {}))
            reads = ChapterReads.from_json(shown["data"][READS_MIME], f"{chapter.path}: reads")
            result.read_digests = reads.files
            result.files_read = sorted(reads.files)
            result.modules = reads.modules
    result.seconds = time.perf_counter() - started
    return result
