"""Full-text search for the static site: Pagefind indexes the finished pages, offline, no CDN."""

from __future__ import annotations

import sys
from importlib.util import find_spec
from pathlib import Path

from . import processes
from .errors import BuildError

BUNDLE_DIR = "pagefind"  # where the index and its small client land, under the site root
TIMEOUT_S = 300
HINT = "install it with pip install pagefind[extended] (requirements.lock pins it)"


def available() -> bool:
    """True when the Pagefind package (with its binary) is installed."""
    return find_spec("pagefind") is not None


def _command() -> list[str]:
    """The pagefind binary itself when its wheel says where it is (`python -m pagefind` only
    looks it up and execs it, after an interpreter start of about 0.08 s)."""
    try:
        from pagefind_bin_extended import get_executable
    except ImportError:
        return [sys.executable, "-m", "pagefind"]
    try:
        return [str(get_executable())]
    except Exception:  # the wheel lacks a binary for this platform: let pagefind look
        return [sys.executable, "-m", "pagefind"]


def index_site(site: Path) -> None:
    """Index every page under `site` into site/pagefind/ (deterministic for the same pages)."""
    args = [*_command(), "--site", str(site)]
    args += ["--output-subdir", BUNDLE_DIR, "--silent"]
    proc = processes.run(args, b"", TIMEOUT_S, "indexing the site for search", "pagefind", HINT)
    if proc.returncode != 0:
        message = (proc.stderr or proc.stdout).decode("utf-8", "replace").strip()
        raise BuildError("search indexing (pagefind) failed: " + message)
