"""Helpers every test folder imports (`from helpers import ...`): copying and writing projects,
digests of folders, the rendered-book reader. Fixtures live in the conftest.py files."""

from __future__ import annotations

import difflib
import hashlib
import io
import shutil
import textwrap
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
FIXTURE_BOOK = Path(__file__).parent / "fixtures" / "book"
# Left behind by a build or by Python; never part of a copied project.
BUILD_LEFTOVERS = shutil.ignore_patterns(
    ".litbuild", "_book", "_garden_book", "figures", "__pycache__", "*.pyc", "*.egg-info"
)


def copy_sources(source: Path, destination: Path, parts: Iterable[str] | None = None) -> Path:
    """Copy a project's sources (all of it, or only the listed files and folders) to
    `destination`: never an earlier build, cache or bytecode. The one way tests copy projects."""
    if parts is None:
        shutil.copytree(source, destination, ignore=BUILD_LEFTOVERS)
        return destination
    destination.mkdir(parents=True, exist_ok=True)
    for part in parts:
        target = destination / part
        target.parent.mkdir(parents=True, exist_ok=True)
        if (source / part).is_dir():
            shutil.copytree(source / part, target, ignore=BUILD_LEFTOVERS)
        else:
            shutil.copyfile(source / part, target)
    return destination


def copy_built(source: Path, destination: Path) -> Path:
    """Copy a built project (sources, output, figures and cache) to `destination`, as it is."""
    shutil.copytree(source, destination, symlinks=True)
    return destination


def copy_book(destination: Path) -> Path:
    """Copy the fixture book's sources (not any earlier build) to `destination`."""
    return copy_sources(FIXTURE_BOOK, destination)


def tree_digest(root: Path) -> dict[str, str]:
    """sha256 of every file under root, keyed by its relative path: equal iff byte-identical."""
    return {
        path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def tree_difference(left: Path, right: Path) -> str:
    """'' when two folders are byte-identical; else the differing paths and a unified diff of the
    first differing text file, so that a failure in CI says what changed, not only where."""
    one, two = tree_digest(left), tree_digest(right)
    differing = sorted(p for p in one.keys() | two.keys() if one.get(p) != two.get(p))
    if not differing:
        return ""
    report = [f"{len(differing)} files differ: {differing}"]
    for rel in differing:
        try:
            texts = [
                (root / rel).read_text(encoding="utf-8").splitlines() for root in (left, right)
            ]
        except (FileNotFoundError, UnicodeDecodeError):
            continue
        diff = difflib.unified_diff(
            *texts, f"{left.name}/{rel}", f"{right.name}/{rel}", lineterm=""
        )
        report.extend(list(diff)[:60])
        break
    return "\n".join(report)


def write_project(root: Path, files: dict[str, str]) -> Path:
    """Write a small Quarto book project from {relative path: text} (text is dedented)."""
    for rel, text in files.items():
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return root


def quiet(message: str) -> None:
    """Progress callback that keeps the test output clean."""


@dataclass
class RenderedBook:
    """A rendered book: its project folder, its output folder, and readers for both formats."""

    project: Path
    out: Path

    def html(self, page: str):
        from bs4 import BeautifulSoup

        return BeautifulSoup((self.out / page).read_text(encoding="utf-8"), "html.parser")

    @property
    def pdf_path(self) -> Path:
        pdfs = sorted(self.out.glob("*.pdf"))
        assert len(pdfs) == 1, f"expected exactly one PDF in {self.out}, found {pdfs}"
        return pdfs[0]

    def pdf_page_texts(self) -> list[str]:
        from pypdf import PdfReader

        reader = PdfReader(io.BytesIO(self.pdf_path.read_bytes()))
        return [page.extract_text() or "" for page in reader.pages]

    def pdf_text(self) -> str:
        return "\n".join(self.pdf_page_texts())


@dataclass
class BuiltBook(RenderedBook):
    """The fixture book after one full build: where it is and what the build reported."""

    result: object = None
