"""Fixtures of the tests that read the real report, built once per session."""

from __future__ import annotations

import pytest

from book_fixtures import Book, main_book


@pytest.fixture(scope="module")
def book(tmp_path_factory) -> Book:
    """The report built from a copy of this repository (shared by every module that asks)."""
    return main_book(tmp_path_factory)
