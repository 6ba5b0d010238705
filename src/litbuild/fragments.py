"""Chapters already converted by pandoc, kept between builds (in .litbuild/fragments/).

A chapter's HTML or Typst depends only on what finishing it reads (`ParsedBook.doc_key`: its
parsed text, its run, the book's numbering, its own figures and tables) and on the converter
(pandoc, the templates, this engine's code). When none of that changed, the text written last
time is used as it is: the chapter is neither finished nor given to pandoc again. A data edit
that re-runs one chapter then converts one chapter, not the book.

Each file starts with the sha256 of its text, so a damaged file is converted again, never used.
A long-lived process (report serve) also keeps the texts in memory.
"""

from __future__ import annotations

import functools
import hashlib
import os
import threading
from pathlib import Path

EXTENSIONS = {"html": ".html", "typst": ".typ"}


@functools.cache
def converter_digest() -> str:
    """What converts a finished chapter: the pinned versions (pandoc's among them), the
    templates (the custom HTML writer) and this engine's own code."""
    from .cache import engine_files_digest, environment_fingerprint

    versions = repr(sorted(environment_fingerprint().items()))
    return hashlib.sha256(
        f"{versions}\0{engine_files_digest()}\0{engine_files_digest('templates')}".encode()
    ).hexdigest()


class FragmentStore:
    """Converted chapter texts by key, on disk in `folder` (None: memory only)."""

    def __init__(self, folder: Path | None):
        self.folder = folder
        self._memory: dict[str, dict[str, str]] = {fmt: {} for fmt in EXTENSIONS}
        self._lock = threading.Lock()

    def _file(self, fmt: str, key: str) -> Path:
        name = hashlib.sha256(f"{converter_digest()}\0{key}".encode()).hexdigest()
        return self.folder / f"{name}{EXTENSIONS[fmt]}"

    def get(self, fmt: str, key: str) -> str | None:
        text = self._memory[fmt].get(key)
        if text is not None or self.folder is None:
            return text
        try:
            checksum, _, text = self._file(fmt, key).read_text(encoding="utf-8").partition("\n")
        except (OSError, UnicodeDecodeError):
            return None
        if hashlib.sha256(text.encode("utf-8")).hexdigest() != checksum:
            return None  # damaged: convert again
        self._memory[fmt][key] = text
        return text

    def put(self, fmt: str, key: str, text: str) -> None:
        self._memory[fmt][key] = text
        if self.folder is None:
            return
        with self._lock:
            self.folder.mkdir(parents=True, exist_ok=True)
        target = self._file(fmt, key)
        tmp = target.with_name(f"{target.name}.tmp-{os.getpid()}-{threading.get_ident()}")
        checksum = hashlib.sha256(text.encode("utf-8")).hexdigest()
        tmp.write_text(f"{checksum}\n{text}", encoding="utf-8")
        os.replace(tmp, target)

    def keep_only(self, fmt: str, keys: set[str]) -> None:
        """Forget the texts of this format that the current chapters no longer have."""
        self._memory[fmt] = {k: v for k, v in self._memory[fmt].items() if k in keys}
        if self.folder is None or not self.folder.is_dir():
            return
        current = {self._file(fmt, k).name for k in keys}
        for stale in self.folder.glob(f"*{EXTENSIONS[fmt]}"):
            if stale.name not in current:
                stale.unlink(missing_ok=True)
        # Half-written files of a build that was killed (this format is written by one thread
        # of one build at a time: the others hold the project's lock).
        for leftover in self.folder.glob(f"*{EXTENSIONS[fmt]}.tmp-*"):
            leftover.unlink(missing_ok=True)
