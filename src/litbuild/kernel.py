"""Runs inside every build kernel, first and hidden (imported by the set-up cell).

It records the project files the chapter opens (an audit hook), fixes matplotlib's inline output
so figures are byte-reproducible, and gives the two helpers the engine's hidden cells call:
`show_inline(index, value)` for an inline expression and `report_reads()` at the end of the chapter.
Kept free of heavy imports: it is loaded in every kernel before the chapter's first cell.
"""

from __future__ import annotations

import hashlib
import os
import sys
from typing import Any

from .contract import INLINE_MIME, READS_MIME, content_sha256

WATCHED_EVENTS = frozenset({"open", "os.listdir", "os.scandir", "glob.glob"})
# The engine's own files are part of the environment, not something the chapter read.
ENGINE_DIR = os.path.dirname(os.path.abspath(__file__))


def file_digest(full: str) -> str | None:
    """sha256 at first read: what the chapter saw, even if the file changes later in the run."""
    try:
        with open(full, "rb") as handle:
            return content_sha256(handle.read())
    except OSError:
        return None  # missing when read: creating it later must re-execute the chapter


def listing_digest(full: str) -> str | None:
    """A directory listing as a dependency: adding or removing an entry changes it."""
    try:
        names = sorted(os.listdir(full))
    except OSError:
        return None
    return "listing:" + hashlib.sha256("\0".join(names).encode()).hexdigest()


def listed_by_environment(caller: str) -> bool:
    """Listings made by the import system or by installed libraries looking for plugins or
    package metadata: not something the chapter chose to read."""
    return (
        caller.startswith("<frozen importlib")
        or "importlib" + os.sep in caller
        or "site-packages" in caller
    )


WRITE_EVENTS = frozenset(
    {
        "open",
        "os.remove",
        "os.rename",
        "os.rmdir",
        "os.mkdir",
        "shutil.rmtree",
        "os.truncate",
        "os.chmod",
        "os.chown",
        "os.link",
        "os.symlink",
        "os.utime",
        "os.chflags",
        "os.lchmod",
    }
)
WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND


def output_guard(folders: list[str]):
    """An audit hook refusing changes to the published output folders: the build replaces them
    only when it has succeeded, so a chapter writing there would break that promise."""
    real = tuple(os.path.realpath(f) for f in folders)

    def inside(path: Any) -> bool:
        if not isinstance(path, (str, bytes, os.PathLike)):
            return False
        full = os.path.realpath(os.fsdecode(path))
        return any(full == f or full.startswith(f + os.sep) for f in real)

    def guard(event: str, args: tuple) -> None:
        if event not in WRITE_EVENTS or not args:
            return
        if event == "open":
            mode, flags = (args + (None, None))[1:3]
            changes = (isinstance(mode, str) and any(c in mode for c in "wax+")) or (
                isinstance(flags, int) and flags & WRITE_FLAGS
            )
            if not changes or not inside(args[0]):
                return
        elif not any(inside(a) for a in args[:2]):
            return
        raise PermissionError(
            f"chapter code may not change the published output folder "
            f"(refused {event} on {args[0]!r})"
        )

    return guard


class ReadRecorder:
    """The files (with their digest) and directory listings a chapter reads inside `root`."""

    def __init__(self, root: str):
        self.root = root
        self.reads: dict[str, str | None] = {}
        self._busy = False  # hashing opens the file again: do not record that
        self._env_prefixes = {
            os.path.abspath(p) for p in (sys.prefix, sys.base_prefix, sys.exec_prefix)
        }

    def is_project_file(self, full: str) -> bool:
        """Inside the project, but not the installed environment (a .venv may live in the
        project) nor the engine itself."""
        return (
            full.startswith(self.root + os.sep)
            and "__pycache__" not in full
            and not any(full.startswith(p + os.sep) for p in self._env_prefixes)
            and "site-packages" not in full
            and not full.startswith(ENGINE_DIR + os.sep)
        )

    def audit(self, event: str, args: tuple) -> None:
        """The audit hook: note the first read of each project file or directory."""
        if self._busy or event not in WATCHED_EVENTS or not args:
            return
        target = args[0]
        if event == "open":
            if not isinstance(target, (str, bytes, os.PathLike)):
                return
            mode = args[1] if len(args) > 1 and isinstance(args[1], str) else "r"
            if "w" in mode or "a" in mode or "x" in mode:
                return
        elif listed_by_environment(sys._getframe(1).f_code.co_filename):
            return
        elif event == "glob.glob":
            target = os.path.dirname(os.fsdecode(target)) or "."
        elif target is None:
            target = "."
        elif not isinstance(target, (str, bytes, os.PathLike)):
            return
        full = os.path.abspath(os.fsdecode(target))
        if not self.is_project_file(full):
            return
        rel = os.path.relpath(full, self.root)
        if rel in self.reads:
            return
        self._busy = True
        try:
            listing = event != "open" or os.path.isdir(full)
            self.reads[rel] = listing_digest(full) if listing else file_digest(full)
        finally:
            self._busy = False

    def project_modules(self) -> list[str]:
        """The project's own modules imported so far, relative to the root."""
        return sorted(
            os.path.relpath(m.__file__, self.root)
            for m in list(sys.modules.values())
            if getattr(m, "__file__", None) and self.is_project_file(os.path.abspath(m.__file__))
        )


def show_inline(index: int, value: Any) -> None:
    """Show inline value number `index` as Quarto does: str() for strings, repr() otherwise.
    Several run in one cell; the index says which one each output belongs to."""
    from IPython.display import display

    info = None
    if hasattr(type(value), "_litbuild_inline_"):
        info = value._litbuild_inline_()
        text = str(info.get("text", value))
    elif isinstance(value, str):
        text = str(value)
    else:
        text = repr(value)
    display({INLINE_MIME: {"index": index, "text": text, "info": info}}, raw=True)


def install(root: str, protected: list[str] | tuple[str, ...] = ()) -> tuple:
    """Guard the published folders, start recording reads under root, fix matplotlib's output;
    return the two helpers."""
    from IPython import get_ipython
    from IPython.display import display

    if protected:
        sys.addaudithook(output_guard(list(protected)))
    recorder = ReadRecorder(root)
    sys.addaudithook(recorder.audit)
    shell = get_ipython()
    shell.run_line_magic("config", "InlineBackend.figure_formats = ['svg']")
    shell.run_line_magic(
        "config",
        "InlineBackend.print_figure_kwargs = {'bbox_inches': 'tight', 'metadata': {'Date': None}}",
    )
    shell.run_line_magic("config", "InlineBackend.rc = {'svg.hashsalt': 'litbuild'}")

    def report_reads() -> None:
        display(
            {
                READS_MIME: {
                    "files": dict(sorted(recorder.reads.items())),
                    "modules": recorder.project_modules(),
                }
            },
            raw=True,
        )

    return show_inline, report_reads
