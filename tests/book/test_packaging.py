"""The project installs as a plain package (`pip install .`, not editable) and builds the book.

A fresh virtual environment gets the pinned dependencies (requirements.lock) and the project
itself as a built wheel, as a user outside this repository would have it; the report's chapters
and data, without `src/`, are then built with that environment's `report` command.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import copy_sources
from litbuild.cache import KEY_PACKAGES, environment_fingerprint

ROOT = Path(__file__).resolve().parents[2]
BOOK_PARTS = ("_quarto.yml", "index.qmd", "styles.css", "chapters", "data")


def run(*args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess:
    proc = subprocess.run(
        [str(a) for a in args], capture_output=True, text=True, cwd=cwd, timeout=1200, check=False
    )
    assert proc.returncode == 0, f"{args}: {proc.stdout[-2000:]}{proc.stderr[-3000:]}"
    return proc


@pytest.mark.slow
def test_plain_pip_install_builds_the_book(tmp_path):
    venv = tmp_path / "venv"
    run(sys.executable, "-m", "venv", venv)
    python = venv / "bin" / "python"
    run(python, "-m", "pip", "install", "--quiet", "-r", ROOT / "requirements.lock")
    # A wheel built from a copy of the sources: nothing can point back into this checkout.
    source = tmp_path / "source"
    shutil.copytree(
        ROOT,
        source,
        ignore=shutil.ignore_patterns(
            ".venv",
            ".git",
            "_book",
            ".litbuild",
            "figures",
            "__pycache__",
            "*.egg-info",
            "build",
            ".pytest_cache",
            ".ruff_cache",
            "node_modules",
        ),
    )
    run(python, "-m", "pip", "install", "--quiet", "--no-deps", source)
    shutil.rmtree(source)
    run(python, "-m", "ipykernel", "install", "--sys-prefix", "--name", "python3")
    where = run(
        python,
        "-c",
        "import kzchina, litbuild; print(kzchina.__file__, litbuild.__file__)",
        cwd=tmp_path,
    ).stdout
    assert "site-packages" in where and str(ROOT) not in where

    book = copy_sources(ROOT, tmp_path / "book", BOOK_PARTS)
    proc = run(venv / "bin" / "report", "build", "--json", cwd=book)
    summary = json.loads(proc.stdout.splitlines()[-1])
    assert summary["event"] == "summary" and summary["facts"] > 0 and summary["pdf_pages"] > 0
    out = book / "_book"
    assert (out / "index.html").is_file() and (out / "facts.csv").is_file()
    # Code is named inside its package, never by a path that exists only on this machine.
    rows = list(csv.DictReader(io.StringIO((out / "facts.csv").read_text(encoding="utf-8"))))
    assert all(r["code"].startswith("kzchina/") for r in rows), rows[0]["code"]
    assert "site-packages" not in (out / "provenance.json").read_text(encoding="utf-8")


def test_cache_fingerprint_names_every_output_library_installed():
    """A misspelt package name would read as '-' and silently stop invalidating the cache."""
    versions = environment_fingerprint()
    assert {"jupyter_client", "nbclient", "ipykernel", "matplotlib", "typst"} <= set(KEY_PACKAGES)
    assert [name for name in KEY_PACKAGES if versions[name] == "-"] == []
