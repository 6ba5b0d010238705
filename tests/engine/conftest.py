"""Fixtures of the engine tests: the fixture book (tests/fixtures/book), built once per session."""

from __future__ import annotations

import os

import pytest

from helpers import BuiltBook, copy_book, quiet


@pytest.fixture(scope="session")
def built_book(tmp_path_factory: pytest.TempPathFactory) -> BuiltBook:
    """Build the fixture book once (HTML and PDF) with real kernels, pandoc and Typst."""
    from litbuild.build import build

    project = copy_book(tmp_path_factory.mktemp("fixture") / "book")
    # No --output-dir: the build must honour project.output-dir from _quarto.yml.
    result = build(project, to="all", engine="builtin", progress=quiet)
    return BuiltBook(project, project / "_garden_book", result)


@pytest.fixture(scope="session")
def pdf_pages(built_book: BuiltBook) -> list[str]:
    """The PDF's text, one string per page (pypdf)."""
    return built_book.pdf_page_texts()


@pytest.fixture
def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")
