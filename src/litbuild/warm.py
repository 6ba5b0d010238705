"""What a long-lived build process keeps between builds, so that a rebuild pays only for what changed.

`report build` makes a fresh WarmState for its one build; `report serve` keeps one for its whole
life: the fork server with its imported libraries stays up, chapters whose finished AST did not
change are not finished or converted again (their HTML and Typst are kept in memory as well as
on disk, see fragments.py), and PNGs of unchanged figures are not drawn again.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import marshal
import os
import shutil
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from . import processes
from .forkserver import ForkServer
from .fragments import FragmentStore
from .raster import RasterCache


class WarmState:
    """Reusable state for builds of one project; `keep=True` keeps the fork server between builds."""

    def __init__(self, root: Path, keep: bool = False):
        self.root = root
        self.keep = keep
        self.rasters = RasterCache(root / ".litbuild" / "raster")
        # What the last builds computed, by a digest of their inputs: the Facts page's HTML, and
        # each chapter's HTML and Typst (see fragments.py). An unchanged one is not made again.
        self.facts_pages = Memo()
        self._fragments: FragmentStore | None = None
        # Execution-cache entries as read (see ExecutionCache): one dict per build, or for all.
        self.cache_records: dict | None = {} if keep else None
        self._parsed: dict[str, bytes] = {}  # marshalled chapter ASTs by a digest of their markdown
        self._server: ForkServer | None = None
        self._server_memory: int | None = None
        self._lock = threading.Lock()
        self._running: tuple[asyncio.AbstractEventLoop, asyncio.Task] | None = None
        self.cancelled = False
        # An HTML-only build that a full build follows (report serve): pages link the PDF, and
        # the last PDF, search index, facts.csv and provenance record are kept meanwhile.
        self.pdf_follows = False
        self._removal: threading.Thread | None = None
        self.primed = False  # whether the memos have been filled by a converting build

    # -- parsed chapters ------------------------------------------------------------------------
    def parsed(self, markdown: str, parse: Callable[[], Any]) -> Any:
        """The chapter's AST, parsed (or read from the on-disk cache) by `parse`; a long-lived
        process keeps it in memory and hands out copies, since numbering changes the AST."""
        if not self.keep:
            return parse()
        key = hashlib.sha256(markdown.encode()).hexdigest()
        if key not in self._parsed:
            self._parsed[key] = marshal.dumps(parse())
        return marshal.loads(self._parsed[key])

    def keep_parsed(self, markdowns: list[str]) -> None:
        """Forget the ASTs of markdown no current chapter has."""
        current = {hashlib.sha256(m.encode()).hexdigest() for m in markdowns}
        self._parsed = {k: v for k, v in self._parsed.items() if k in current}

    def fragment_store(self, folder: Path | None) -> FragmentStore | None:
        """Converted chapters on disk in `folder` (None: not kept); a long-lived process also
        keeps them in memory."""
        if folder is None:
            return None
        if not self.keep:
            return FragmentStore(folder)
        if self._fragments is None or self._fragments.folder != folder:
            self._fragments = FragmentStore(folder)
        return self._fragments

    # -- the fork server ---------------------------------------------------------------------
    def fork_server(self, wanted: bool, memory_bytes: int | None = None) -> ForkServer | None:
        """A fork server for this build: the kept one (started if needed), or a fresh one."""
        if not self.keep:
            return ForkServer(self.root, memory_bytes=memory_bytes) if wanted else None
        with self._lock:
            if (
                self._server is None
                or not self._server.alive()
                or self._server_memory != memory_bytes
            ):
                if self._server is not None:
                    self._server.close()
                self._server = ForkServer(self.root, memory_bytes=memory_bytes)
                self._server_memory = memory_bytes
                # Not one of the build's children that end with it: it ends with close().
                processes.unregister(self._server.pid)
            return self._server

    def owns_not(self, server: ForkServer) -> bool:
        """Whether a failed build should kill this server: yes unless it is the kept one,
        which only Ctrl-C (cancel) stops."""
        return server is not self._server or self.cancelled

    def release(self, server: ForkServer | None) -> None:
        """End of a build's execution: close a one-off server, keep a long-lived one."""
        if server is not None and server is not self._server:
            server.close()

    def start_fork_server(self) -> None:
        """Start the kept fork server now, so that the first rebuild does not wait for it."""
        if self.keep:
            from .config import load_config

            self.fork_server(True, load_config(self.root).limits.kernel_memory_bytes)

    # -- cancelling a build from another thread -------------------------------------------------
    @contextlib.contextmanager
    def running(self):
        """Mark the current asyncio task as the build's execution, which cancel() can stop."""
        task = asyncio.current_task()
        with self._lock:
            if self.cancelled and task is not None:
                task.cancel()
            self._running = (asyncio.get_running_loop(), task) if task is not None else None
        try:
            yield
        finally:
            with self._lock:
                self._running = None

    def cancel(self) -> None:
        """Stop a build's execution (its kernels shut down) and every later one."""
        with self._lock:
            self.cancelled = True
            if self._running is not None:
                loop, task = self._running
                with contextlib.suppress(RuntimeError):  # the loop has just finished
                    loop.call_soon_threadsafe(task.cancel)

    def remove_later(self, folder: Path) -> None:
        """Delete a replaced output folder in the background: the new one is already served."""
        self.wait_removals()
        self._removal = threading.Thread(
            target=shutil.rmtree, args=(folder,), kwargs={"ignore_errors": True}, daemon=False
        )
        self._removal.start()

    def wait_removals(self) -> None:
        if self._removal is not None:
            self._removal.join()
            self._removal = None

    @staticmethod
    def carry_file(previous: Path, staging: Path) -> None:
        """Copy a file of the last output (the PDF, say) into the new one, when there is one."""
        with contextlib.suppress(FileNotFoundError):
            shutil.copyfile(previous, staging)

    @staticmethod
    def carry_folder(previous: Path, staging: Path) -> None:
        """Carry a folder of the last output (the search index) into the new one, as hard links
        where the file system allows: it is replaced, never changed in place."""

        def link(source: str, destination: str) -> None:
            try:
                os.link(source, destination)
            except OSError:
                shutil.copy2(source, destination)

        if previous.is_dir() and not previous.is_symlink():
            shutil.copytree(previous, staging, copy_function=link, symlinks=True)

    def close(self) -> None:
        """Stop the kept fork server."""
        with self._lock:
            server, self._server = self._server, None
        if server is not None:
            server.close()
        self.wait_removals()


class Memo:
    """Values by a digest of their inputs, kept for a long-lived process. Only what the last two
    builds used survives `next_build()`: report serve alternates an HTML build and a full one."""

    def __init__(self) -> None:
        self._generations: list[dict[str, Any]] = [{}, {}, {}]  # this build, last, the one before

    def __contains__(self, key: str) -> bool:
        return any(key in generation for generation in self._generations)

    def get(self, key: str, compute: Callable[[], Any]) -> Any:
        current = self._generations[0]
        if key not in current:
            older = next((g for g in self._generations[1:] if key in g), None)
            current[key] = older[key] if older is not None else compute()
        return current[key]

    def next_build(self) -> None:
        self._generations = [{}, *self._generations[:2]]
