"""The execution cache: a chapter re-runs only when its source, the files it read or its environment change.

Quarto's freeze keys on the .qmd text alone and misses data changes. Here each entry also records every
project file the chapter opened while it ran (an audit hook in the kernel) and the project modules it
imported, each with its sha256; an entry is valid only while all of them still hash the same.
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import hashlib
import json
import marshal
import os
import platform
import sys
import time
from collections.abc import Iterator
from importlib import metadata
from pathlib import Path
from typing import Any

from . import __version__
from .contract import content_sha256, is_text
from .execute import ExecutedChapter
from .qmd import Chapter

# Bump to invalidate every cache entry after a change in how outputs are produced.
CACHE_EPOCH = 3  # 2: inline values batched per cell, PNGs drawn by the engine; 3: streams merged
# Every library whose behaviour shows in the outputs: kernels and their protocol (what a cell's
# outputs are), the plotting stack (figure bytes), pandoc and Typst, the HTML templating, YAML,
# and resvg (the PNG copies of figures).
KEY_PACKAGES = (
    "ipykernel",
    "ipython",
    "jupyter_client",
    "jupyter_core",
    "nbclient",
    "nbformat",
    "traitlets",
    "matplotlib",
    "matplotlib-inline",
    "pillow",
    "numpy",
    "pandas",
    "pypandoc-binary",
    "typst",
    "jinja2",
    "markupsafe",
    "pyyaml",
    "resvg-py",
)


def sha256_file(path: Path) -> str | None:
    """The file's sha256 byte for byte (outputs), or None when it does not exist."""
    try:
        with open(path, "rb") as handle:
            return hashlib.file_digest(handle, "sha256").hexdigest()
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
        return None


def source_sha256(path: Path) -> str | None:
    """An input's or source's sha256 as recorded (text with CRLF read as LF), or None if absent."""
    try:
        return content_sha256(path.read_bytes())
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
        return None


def copy_source(source: Path, target: Path) -> None:
    """Publish a copy of a source file: text with LF line endings, so the copy is the same
    whatever the checkout's line endings; binary as it is."""
    data = source.read_bytes()
    target.write_bytes(data.replace(b"\r\n", b"\n") if is_text(data) else data)


def listing_digest(path: Path) -> str | None:
    """Digest of a directory's entry names, as the kernel records it for listdir/scandir/glob."""
    try:
        names = sorted(os.listdir(path))
    except OSError:
        return None
    return "listing:" + hashlib.sha256("\0".join(names).encode()).hexdigest()


def current_digest(path: Path, recorded: str | None) -> str | None:
    """The digest to compare with a recorded one: a listing for listings, else the file's."""
    if recorded is not None and recorded.startswith("listing:"):
        return listing_digest(path)
    return source_sha256(path)


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@functools.cache
def engine_files_digest(folder: str = "") -> str:
    """sha256 of the files directly in one folder of the installed engine ("" for its code,
    "templates"), read once per process: they change only with the engine."""
    from importlib import resources

    digest = hashlib.sha256()
    where = resources.files("litbuild").joinpath(folder) if folder else resources.files("litbuild")
    for entry in sorted(where.iterdir(), key=lambda e: e.name):
        if entry.is_file():
            digest.update(entry.name.encode() + b"\0" + entry.read_bytes())
    return digest.hexdigest()


@functools.lru_cache(maxsize=1)
def environment_fingerprint() -> dict[str, str]:
    """Versions that change what a kernel computes or how outputs look.

    The environment is named by sys.prefix, not sys.executable: `python` and `python3` of one
    virtual environment are the same interpreter and must share the cache.
    """
    versions = {
        "litbuild": __version__,
        "epoch": str(CACHE_EPOCH),
        "python": platform.python_version(),
        "environment": sys.prefix,
    }
    for name in KEY_PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "-"
    return versions


def chapter_key(
    chapter: Chapter,
    defaults: dict[str, Any],
    execute_dir: str,
    variant: dict[str, Any] | None = None,
) -> str:
    """What must match before the recorded dependencies are even looked at.

    Only what can change a run counts: the cells with their options and the inline expressions,
    in order. Editing the prose around them converts the chapter again but runs nothing.
    """
    code = {
        "cells": [[c.source, c.options] for c in chapter.cells],
        "inlines": [i.expr for i in chapter.inlines],
        "execute": chapter.front_matter.get("execute"),
    }
    payload = {
        "code": code,
        "defaults": defaults,
        "execute_dir": execute_dir,
        "env": environment_fingerprint(),
    }
    if variant:  # parameters and kernel environment of this build (see litbuild.variant)
        payload["variant"] = variant
    return sha256_text(json.dumps(payload, sort_keys=True, default=str))


class ExecutionCache:
    """Entries in `<project>/.litbuild/cache/`, one JSON file per chapter."""

    def __init__(
        self,
        root: Path,
        enabled: bool = True,
        suffix: str = "",
        records: dict[Path, tuple[tuple[int, int, int], bytes]] | None = None,
    ):
        self.root = root
        self.dir = root / ".litbuild" / "cache"
        self.enabled = enabled
        # Each build variant (e.g. another edition) keeps its own entries, so switching back
        # and forth re-runs only what differs.
        self.suffix = suffix
        self.damaged: list[str] = []
        # Entries as read and checked, by the file's (mtime, size, inode): a build reads each
        # once, and a long-lived process (report serve) passes one dict for all its builds.
        self._records = {} if records is None else records

    def _record(self, entry: Path) -> Any:
        """The entry's JSON record, checksum verified; OSError or ValueError when unreadable."""
        stat = entry.stat()
        identity = (stat.st_mtime_ns, stat.st_size, stat.st_ino)
        known = self._records.get(entry)
        if known is not None and known[0] == identity:
            return marshal.loads(known[1])  # a copy: the caller's outputs are its own
        record = json.loads(entry.read_text(encoding="utf-8"))
        if sha256_text(json.dumps(record["body"], sort_keys=True)) != record["checksum"]:
            raise ValueError("checksum mismatch")
        self._records[entry] = (identity, marshal.dumps(record))
        return record

    def _entry_path(self, chapter_path: str) -> Path:
        return self.dir / (chapter_path.replace("/", "__") + self.suffix + ".json")

    def load(self, chapter_path: str, key: str) -> ExecutedChapter | None:
        """The cached run, or None when missing, stale or damaged (a damaged entry is noted)."""
        if not self.enabled:
            return None
        entry = self._entry_path(chapter_path)
        if not entry.exists():
            return None
        try:
            body = self._record(entry)["body"]
            if body["key"] != key:
                return None
            for rel, digest in body["dependencies"].items():
                if current_digest(self.root / rel, digest) != digest:
                    return None
            executed = ExecutedChapter.from_json(body["executed"])
            executed.recorded_digest = body.get("run_digest")
            return executed
        except (OSError, ValueError, KeyError, TypeError, AttributeError, UnicodeDecodeError):
            self.damaged.append(chapter_path)
            return None

    def last_seconds(self, chapter_path: str) -> float:
        """How long the chapter's last recorded run took (valid or not); for scheduling only."""
        try:
            return float(
                self._record(self._entry_path(chapter_path))["body"]["executed"]["seconds"]
            )
        except (OSError, ValueError, KeyError, TypeError):
            return 0.0

    def store(self, chapter_path: str, key: str, executed: ExecutedChapter) -> None:
        """Record a fresh run with the digests of what it read, as it read them; atomically.

        Data digests come from the kernel, taken when the chapter first opened each file: a file
        edited while the chapter ran then no longer matches, and the next build re-executes.
        """
        if not self.enabled:
            return
        deps = {rel: source_sha256(self.root / rel) for rel in executed.modules}
        deps.update(executed.read_digests)
        deps = dict(sorted(deps.items()))
        body = {
            "key": key,
            "dependencies": deps,
            "executed": executed.to_json(),
            "run_digest": executed.digest(),
            "stored": time.time(),
        }
        record = {"checksum": sha256_text(json.dumps(body, sort_keys=True)), "body": body}
        self.dir.mkdir(parents=True, exist_ok=True)
        entry = self._entry_path(chapter_path)
        tmp = entry.with_suffix(f".tmp-{os.getpid()}")
        tmp.write_text(json.dumps(record), encoding="utf-8")
        os.replace(tmp, entry)


@contextlib.contextmanager
def build_lock(root: Path, progress=None) -> Iterator[None]:
    """One build at a time per project: a second one waits instead of corrupting the first."""
    lock_dir = root / ".litbuild"
    lock_dir.mkdir(parents=True, exist_ok=True)
    with open(lock_dir / "lock", "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if progress:
                from .events import BuildEvent

                progress(
                    BuildEvent(
                        "waiting",
                        "another build of this project is running; waiting for it to finish",
                    )
                )
            fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
