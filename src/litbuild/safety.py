"""Output safety: the build replaces only folders it created, and never a project's own files.

Every folder the builtin engine publishes carries a marker file. Before anything runs, the target
is checked: `/`, the project root or any folder above it, a folder holding the project's sources,
data or `.git`, a file, and any existing folder without the marker are refused. While chapters
run, the published folder is watched (a snapshot of names, sizes and times), so that what the
command says about the previous output after a failure is true.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from .errors import UnsafeOutputError

MARKER = ".litbuild-output"
MARKER_TEXT = (
    "This folder was written by litbuild and is replaced by every build.\n"
    "Do not keep your own files here.\n"
)
# A folder that holds one of these is somebody's repository, never a build output. (Copies of
# _quarto.yml or data descriptors may be published under _source/ for reviewers.)
PROTECTED_NAMES = (".git", ".hg", ".svn")
# Written by builds made before the marker existed: such a folder is recognised as ours by its
# provenance record (JSON-LD with the engine's "Rendered book" dataset).
LEGACY_RECORD = "provenance.json"
STAGING_INFIX = ".tmp-"


def write_marker(folder: Path) -> None:
    """Mark a folder as written by the build (done in staging, before it is published)."""
    (folder / MARKER).write_text(MARKER_TEXT, encoding="utf-8")


def is_marked(folder: Path) -> bool:
    """True when the folder carries the build's marker file."""
    return (folder / MARKER).is_file()


def _is_legacy_output(folder: Path) -> bool:
    try:
        text = (folder / LEGACY_RECORD).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False
    return '"@graph"' in text and '"name": "Rendered book"' in text


def _holds_protected(folder: Path, protected: list[Path]) -> str | None:
    """The first project file or folder found at or under `folder`, if any."""
    for path in protected:
        with contextlib.suppress(ValueError, OSError):
            path.resolve().relative_to(folder)
            return str(path)
    for dirpath, dirnames, filenames in os.walk(folder):
        for name in PROTECTED_NAMES:
            if name in dirnames or name in filenames:
                return os.path.join(dirpath, name)
    return None


def check_output_target(root: Path, target: Path, protected: list[Path]) -> None:
    """Refuse an output folder the build must not replace; say which rule and what to do."""
    root = root.resolve()
    target = target.resolve()
    advice = "choose a new folder name (e.g. _book) or remove it yourself"
    if target == Path(target.anchor):
        raise UnsafeOutputError(f"refusing output folder {target}: it is the file system root")
    if target == root:
        raise UnsafeOutputError(
            f"refusing output folder {target}: it is the project folder "
            "itself; the build would replace your sources"
        )
    if root.is_relative_to(target):
        raise UnsafeOutputError(
            f"refusing output folder {target}: it contains the project "
            f"folder {root}; the build would replace your sources"
        )
    if target == Path.home().resolve():
        raise UnsafeOutputError(f"refusing output folder {target}: it is your home folder")
    for path in protected:
        with contextlib.suppress(ValueError, OSError):
            target.relative_to(path.resolve())
            raise UnsafeOutputError(
                f"refusing output folder {target}: it is inside {path}, "
                "which belongs to the project's sources"
            )
    if target.is_symlink() or (target.exists() and not target.is_dir()):
        raise UnsafeOutputError(
            f"refusing output folder {target}: it exists and is not a folder; {advice}"
        )
    if not target.exists():
        return
    if not (is_marked(target) or _is_legacy_output(target)):
        raise UnsafeOutputError(
            f"refusing output folder {target}: it exists and was not written by this builder "
            f"(no {MARKER} file in it), so replacing it could destroy your files; {advice}"
        )
    found = _holds_protected(target, protected)
    if found is not None:
        raise UnsafeOutputError(
            f"refusing output folder {target}: it holds {found}, part of a "
            f"project's sources or version control; {advice}"
        )


def project_sources(root: Path, chapters: list[str], stylesheets: list[str]) -> list[Path]:
    """The project's own files and folders, which no output folder may hold or sit inside."""
    paths = [root / name for name in (".git", "_quarto.yml", "data", "src", ".litbuild")]
    paths += [root / c for c in chapters] + [root / s for s in stylesheets]
    return [p for p in paths if p.exists() or p.name in (".git",)]


# --------------------------------------------------------------------------- watching
@dataclass(frozen=True)
class Snapshot:
    """Names, sizes, inodes and modification times of every entry under a folder."""

    entries: frozenset

    @classmethod
    def of(cls, folder: Path) -> Snapshot:
        found = set()
        if folder.is_dir():
            for dirpath, dirnames, filenames in os.walk(folder):
                for name in dirnames + filenames:
                    full = os.path.join(dirpath, name)
                    with contextlib.suppress(OSError):
                        st = os.lstat(full)
                        found.add(
                            (os.path.relpath(full, folder), st.st_size, st.st_ino, st.st_mtime_ns)
                        )
        elif folder.exists():
            st = os.lstat(folder)
            found.add((".", st.st_size, st.st_ino, st.st_mtime_ns))
        return cls(frozenset(found))


def remove_stale_staging(target: Path) -> None:
    """Remove staging folders left by builds that were killed, when they carry the marker."""
    parent = target.parent
    if not parent.is_dir():
        return
    prefix = f".{target.name}{STAGING_INFIX}"
    for entry in parent.iterdir():
        if not entry.name.startswith(prefix) or not entry.is_dir() or entry.is_symlink():
            continue
        pid = entry.name[len(prefix) :].split("-", 1)[0]
        if pid.isdigit() and _alive(int(pid)):
            continue
        if is_marked(entry):
            shutil.rmtree(entry, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
