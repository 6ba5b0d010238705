"""Live preview: serve the built book on 127.0.0.1, rebuild on every change, reload open pages.

One long-lived process: a watcher notices a changed source, a builder thread rebuilds with warm
state (the fork server and its imports, converted chapters, drawn PNGs: see warm.py), HTML first,
then the PDF in the background. Pages get a small script, added to HTML responses only (never to
the files in the output folder), that listens on a server-sent-events endpoint, reloads when a
new build is published and puts the scroll position back; a failed build is shown as an overlay
(file, line, message) over the last good site, which keeps being served.
"""

from __future__ import annotations

import contextlib
import functools
import html
import http.server
import json
import os
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from .errors import BuildError, CellExecutionError
from .variant import Variant
from .warm import WarmState

ENDPOINT = "/__litbuild"
POLL_SECONDS = 0.03  # how often the watcher looks at the sources (about 1 ms per scan, see README)
SETTLE_SECONDS = 0.02  # changes arriving this close together are one edit (editors save in steps)
KEEPALIVE_SECONDS = 10.0
# Never watched: what builds write, version control, environments, caches.
IGNORED_NAMES = {"__pycache__", "node_modules", "figures"}

Progress = Callable[[str], None]


# ----------------------------------------------------------------------------- build status
@dataclass
class BuildStatus:
    """What the open pages need to know: which build they show and whether the last one failed."""

    generation: int = 0  # bumped whenever a new site is published
    error: dict[str, Any] | None = None  # {"file", "line", "message"} of the last failed build
    pdf: str = "none"  # "building", "ready", "failed" or "none"
    building: bool = True  # a rebuild (HTML or PDF) is under way
    version: int = 0  # bumped on every change, for the event stream
    changed: threading.Condition = field(default_factory=threading.Condition)

    def update(self, **values: Any) -> None:
        with self.changed:
            for name, value in values.items():
                setattr(self, name, value)
            self.version += 1
            self.changed.notify_all()

    def snapshot(self) -> dict[str, Any]:
        with self.changed:
            return {
                "generation": self.generation,
                "error": self.error,
                "pdf": self.pdf,
                "building": self.building,
                "version": self.version,
            }


_LOCATION = re.compile(r"^(?P<file>[^\s:]+\.[A-Za-z0-9]+):(?P<line>\d+)(?:-\d+)?:\s*(?P<rest>.*)")


def describe_error(exc: BaseException) -> dict[str, Any]:
    """File, line and message of a failed build, for the overlay."""
    message = str(exc).strip() or type(exc).__name__
    if not isinstance(exc, BuildError | OSError):  # a bug, not the editor's: say what it was
        message = f"internal error: {type(exc).__name__}: {message}"
    if isinstance(exc, CellExecutionError):
        return {"file": exc.chapter, "line": exc.first_line, "message": message}
    first = message.splitlines()[0]
    match = _LOCATION.match(first)
    if match:
        return {"file": match["file"], "line": int(match["line"]), "message": message}
    path = re.match(r"^(?P<file>/?[^\s:]+\.(?:yml|yaml|qmd|md|csv|json|css|py)):", first)
    return {"file": path["file"] if path else None, "line": None, "message": message}


# ----------------------------------------------------------------------------- watching
def watched_files(root: Path, output_dir: Path) -> dict[str, tuple[int, int]]:
    """(mtime_ns, size) of every source file of the project: chapters, data, code, styles,
    _quarto.yml. Hidden folders, the output folder and what builds write are left out."""
    snapshot: dict[str, tuple[int, int]] = {}
    output = str(output_dir)
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [
            d
            for d in dirnames
            if not d.startswith((".", "_"))
            and d not in IGNORED_NAMES
            and os.path.join(dirpath, d) != output
        ]
        for name in filenames:
            if name.startswith(".") or name.endswith((".pyc", "~", ".swp")):
                continue
            full = os.path.join(dirpath, name)
            try:
                stat = os.stat(full)
            except OSError:  # removed between listing and looking
                continue
            snapshot[os.path.relpath(full, root)] = (stat.st_mtime_ns, stat.st_size)
    return snapshot


class Watcher(threading.Thread):
    """Polls the project's sources and calls `changed(paths)` once per settled edit.

    Polling, not inotify: a scan of a book's hundred-odd files costs a few milliseconds, works on
    every file system (network mounts, containers) and needs no extra package.
    """

    def __init__(
        self,
        root: Path,
        output_dir: Path,
        changed: Callable[[list[str]], None],
        stop: threading.Event,
        interval: float = POLL_SECONDS,
    ):
        super().__init__(name="litbuild-watcher", daemon=True)
        self.root, self.output_dir, self.changed = root, output_dir, changed
        self.stop, self.interval = stop, interval
        self.snapshot = watched_files(root, output_dir)

    def run(self) -> None:
        while not self.stop.wait(self.interval):
            current = watched_files(self.root, self.output_dir)
            if current == self.snapshot:
                continue
            # Let a multi-step save finish, then report everything that changed at once.
            while not self.stop.wait(SETTLE_SECONDS):
                settled = watched_files(self.root, self.output_dir)
                if settled == current:
                    break
                current = settled
            paths = sorted(
                p
                for p in set(current) | set(self.snapshot)
                if current.get(p) != self.snapshot.get(p)
            )
            self.snapshot = current
            self.changed(paths)


# ----------------------------------------------------------------------------- rebuilding
class Rebuilder(threading.Thread):
    """Rebuilds after each change: HTML first (then the pages reload), the PDF afterwards."""

    def __init__(
        self,
        project: Path,
        status: BuildStatus,
        warm: WarmState,
        stop: threading.Event,
        progress: Progress,
        variant: Variant | None = None,
    ):
        super().__init__(name="litbuild-rebuilder", daemon=True)
        self.project, self.status, self.warm = project, status, warm
        self.variant = variant or Variant()
        self.stop, self.progress = stop, progress
        self.pending = threading.Event()
        self.pending.set()  # the first build

    def request(self, paths: list[str]) -> None:
        shown = ", ".join(paths[:3]) + (f" and {len(paths) - 3} more" if len(paths) > 3 else "")
        self.progress(f"changed: {shown}")
        self.pending.set()

    def run(self) -> None:
        while not self.stop.is_set():
            if not self.pending.wait(0.1):
                continue
            self.pending.clear()
            if not self.status.building:
                self.status.update(building=True)
            if self._build("html") and not (self.pending.is_set() or self.stop.is_set()):
                self.status.update(pdf="building")
                self._build("all")
            if not self.pending.is_set():
                self.status.update(building=False)

    def _build(self, to: str) -> bool:
        from .build import build_builtin
        from .config import load_config

        started = time.perf_counter()
        try:
            config = load_config(self.project, self.variant.metadata, self.variant.profiles)
            # figures/ (the standalone copies) is written with the PDF, not on the HTML path
            result = build_builtin(
                config,
                to=to,
                progress=self._quiet,
                warm=self.warm,
                variant=self.variant,
                write_figures=to != "html",
            )
        except Exception as exc:  # shown in the page; the server keeps going
            if self.stop.is_set():
                return False
            error = describe_error(exc)
            if error["file"] and error["file"].startswith(str(self.project) + os.sep):
                error["file"] = os.path.relpath(error["file"], self.project)
            self.progress(f"build failed ({to}): {error['message']}")
            self.status.update(error=error, **({"pdf": "failed"} if to == "all" else {}))
            return False
        except BaseException:  # cancelled by Ctrl-C while kernels ran: they have been stopped
            if self.stop.is_set():
                return False
            raise
        seconds = time.perf_counter() - started
        if to == "html":
            if result.up_to_date and self.status.error is None:
                self.progress(f"up to date ({seconds:.2f} s)")
                return False  # the PDF of these inputs is already there
            self.progress(
                f"site rebuilt in {seconds:.2f} s ({len(result.executed)} chapters "
                f"executed); reloading open pages"
            )
            self.status.update(generation=self.status.generation + 1, error=None)
        else:
            self.progress(f"PDF rebuilt in {seconds:.2f} s")
            self.status.update(pdf="ready", error=None)
        return True

    def _quiet(self, message: str) -> None:
        if message.startswith("warning") or (message.startswith("[") and "cached" not in message):
            self.progress(message)


# ----------------------------------------------------------------------------- HTTP
def reload_script() -> str:
    return resources.files("litbuild").joinpath("templates/serve-reload.js").read_text("utf-8")


def inject(page: bytes, generation: int) -> bytes:
    """Add the reload script to an HTML page, before </body> (or at the end)."""
    tag = (
        f'<script src="{ENDPOINT}/reload.js" data-generation="{generation}" defer></script>'
    ).encode()
    at = page.rfind(b"</body>")
    return page[:at] + tag + page[at:] if at >= 0 else page + tag


def placeholder_page(status: BuildStatus) -> bytes:
    """What is shown before any build succeeded: a notice (and the error overlay, if any)."""
    text = "The book is being built; this page reloads when it is ready."
    if status.error:
        text = "The book could not be built yet; see the error."
    return (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        f"<title>Building…</title></head><body><p>{html.escape(text)}</p>"
        f"</body></html>"
    ).encode()


class PreviewHandler(http.server.SimpleHTTPRequestHandler):
    """Files from the output folder; HTML gets the reload script; /__litbuild/ is ours."""

    server: PreviewServer

    def server_output(self) -> Path:
        return self.server.output_dir  # type: ignore[attr-defined]

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def end_headers(self) -> None:
        # A preview must never show a cached old page after a rebuild.
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def do_GET(self) -> None:
        path = unquote(urlsplit(self.path).path)
        if path == f"{ENDPOINT}/events":
            self._events()
        elif path == f"{ENDPOINT}/state":
            self._send(200, "application/json", json.dumps(self.server.status.snapshot()).encode())
        elif path == f"{ENDPOINT}/reload.js":
            self._send(200, "text/javascript; charset=utf-8", reload_script().encode())
        elif path.endswith("/") or path.endswith(".html"):
            self._page(path)
        else:
            super().do_GET()

    def do_HEAD(self) -> None:
        path = unquote(urlsplit(self.path).path)
        if path.endswith("/") or path.endswith(".html"):
            target = self._file(path)
            self._send(200 if target else 404, "text/html; charset=utf-8", b"", head=True)
        else:
            super().do_HEAD()

    def _file(self, path: str) -> Path | None:
        rel = path.lstrip("/") + ("index.html" if path.endswith("/") else "")
        out = self.server_output().resolve()
        target = (out / rel).resolve()
        if not target.is_relative_to(out) or not target.is_file():
            return None
        return target

    def _page(self, path: str) -> None:
        status = self.server.status.snapshot()
        target = self._file(path)
        if target is None:
            if not self.server_output().is_dir():
                body = placeholder_page(self.server.status)
                self._send(200, "text/html; charset=utf-8", inject(body, status["generation"]))
            else:
                self._send(
                    404,
                    "text/html; charset=utf-8",
                    inject(
                        b"<!DOCTYPE html><title>Not found</title><p>No such page "
                        b"(it may have been removed).</p>",
                        status["generation"],
                    ),
                )
            return
        try:
            page = target.read_bytes()
        except OSError:  # swapped away between the check and the read: the new one is coming
            page = placeholder_page(self.server.status)
        self._send(200, "text/html; charset=utf-8", inject(page, status["generation"]))

    def _send(self, code: int, content_type: str, body: bytes, head: bool = False) -> None:
        self.send_response(code)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if not head:
            self.wfile.write(body)

    def _events(self) -> None:
        """Server-sent events: the build status now, then every time it changes."""
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.end_headers()
        status, stop = self.server.status, self.server.stopping
        seen = -1
        try:
            while not stop.is_set():
                with status.changed:
                    if status.version == seen:
                        status.changed.wait(KEEPALIVE_SECONDS)
                if stop.is_set():
                    break
                snapshot = status.snapshot()
                if snapshot["version"] == seen:
                    self.wfile.write(b": keep-alive\n\n")
                else:
                    seen = snapshot["version"]
                    self.wfile.write(f"event: status\ndata: {json.dumps(snapshot)}\n\n".encode())
                self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            return


class PreviewServer(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, port: int, output_dir: Path, status: BuildStatus, stopping: threading.Event):
        self.output_dir = output_dir
        self.status = status
        self.stopping = stopping
        super().__init__(
            ("127.0.0.1", port), functools.partial(PreviewHandler, directory=str(output_dir))
        )


# ----------------------------------------------------------------------------- the command
def _stderr(message: str) -> None:
    import sys

    print(message, file=sys.stderr, flush=True)


def serve(
    project_dir: Path | str = ".",
    port: int = 4848,
    progress: Progress = _stderr,
    ready: Callable[[str], None] | None = None,
    stop: threading.Event | None = None,
    variant: Variant | None = None,
) -> None:
    """Serve the book with live rebuilds until Ctrl-C (or `stop` is set); clean up everything.
    `variant` is what every rebuild sets from outside (e.g. the report's edition)."""
    from .config import load_config

    project = Path(project_dir).resolve()
    config = (
        load_config(project, variant.metadata, variant.profiles)
        if variant
        else load_config(project)
    )
    output_dir = (project / config.output_dir).resolve()
    stop = stop or threading.Event()
    status = BuildStatus()
    warm = WarmState(project, keep=True)
    warm.pdf_follows = True
    rebuilder = Rebuilder(project, status, warm, stop, progress, variant)
    try:
        server = PreviewServer(port, output_dir, status, stop)
    except OSError as exc:
        raise BuildError(f"cannot listen on 127.0.0.1:{port}: {exc.strerror or exc}") from exc
    url = f"http://127.0.0.1:{server.server_address[1]}/"
    server_thread = threading.Thread(
        target=server.serve_forever,
        kwargs={"poll_interval": 0.1},
        name="litbuild-http",
        daemon=True,
    )
    watcher = Watcher(project, output_dir, rebuilder.request, stop)
    try:
        server_thread.start()
        rebuilder.start()
        watcher.start()
        warm.start_fork_server()
        progress(f"serving {output_dir.name}/ at {url} (Ctrl-C to stop)")
        if ready is not None:
            ready(url)
        while not stop.wait(0.2):
            pass
    except KeyboardInterrupt:
        progress("stopping")
    finally:
        stop.set()
        warm.cancel()  # a build that is running cells stops now; its kernels are shut down
        with status.changed:
            status.changed.notify_all()  # event streams end
        server.shutdown()
        server.server_close()
        for thread in (watcher, rebuilder, server_thread):
            with contextlib.suppress(RuntimeError):
                thread.join()
        warm.close()
        progress("stopped")
