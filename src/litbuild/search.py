"""Full-text search for the static site: Pagefind indexes the finished pages, offline, no CDN."""

from __future__ import annotations

import subprocess
import sys
from importlib.util import find_spec
from pathlib import Path

from .errors import BuildError

BUNDLE_DIR = "pagefind"  # where the index and its small client land, under the site root
TIMEOUT_S = 300


def available() -> bool:
    """True when the Pagefind package (with its binary) is installed."""
    return find_spec("pagefind") is not None


def index_site(site: Path) -> None:
    """Index every page under `site` into site/pagefind/ (deterministic for the same pages)."""
    try:
        proc = subprocess.run(
            [
                sys.executable,
                "-m",
                "pagefind",
                "--site",
                str(site),
                "--output-subdir",
                BUNDLE_DIR,
                "--silent",
            ],
            capture_output=True,
            text=True,
            timeout=TIMEOUT_S,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise BuildError(f"search indexing (pagefind) did not finish in {TIMEOUT_S} s") from exc
    if proc.returncode != 0:
        raise BuildError(
            "search indexing (pagefind) failed: " + (proc.stderr or proc.stdout).strip()
        )
