"""Determinism: two builds of the real report from scratch give byte-identical outputs (HTML, SVG,
PNG, CSV, provenance.json, PDF, standalone figures), and SOURCE_DATE_EPOCH sets the PDF's dates.
"""

from __future__ import annotations

import datetime as dt
import shutil

import pytest

from book_fixtures import Book, build_book, copy_project, main_book, shared, tree_digest
from helpers import tree_difference

pytestmark = pytest.mark.slow

EPOCH = "1700000000"  # 2023-11-14 22:13:20 UTC


def pdf_dates(book: Book) -> tuple[str, str]:
    from pypdf import PdfReader

    meta = PdfReader(book.pdf_path).metadata
    return meta.get("/CreationDate"), meta.get("/ModDate")


def pdf_date(epoch: int) -> str:
    return dt.datetime.fromtimestamp(epoch, dt.UTC).strftime("D:%Y%m%d%H%M%SZ")


@pytest.fixture(scope="module")
def twice(tmp_path_factory):
    """One copy built twice from scratch (cache deleted between) into two output folders."""

    def make():
        base = tmp_path_factory.mktemp("determinism")
        project = copy_project(base / "report")
        runs = []
        for n in (1, 2):
            shutil.rmtree(project / ".litbuild", ignore_errors=True)
            shutil.rmtree(project / "figures", ignore_errors=True)
            book = build_book(project, to="all", output_dir=base / f"out{n}")
            runs.append((book, tree_digest(book.out), tree_digest(project / "figures")))
        return project, runs

    return shared("determinism", make)


def test_two_builds_from_scratch_are_byte_identical(twice):
    _, [(one, out1, _), (two, _, _)] = twice
    assert one.out != two.out
    kinds = {p.rsplit(".", 1)[-1] for p in out1}
    assert {"html", "svg", "png", "csv", "json", "pdf"} <= kinds
    assert "provenance.json" in out1
    difference = tree_difference(one.out, two.out)
    assert not difference, f"outputs differ between two builds: {difference}"


def test_standalone_figures_are_byte_identical(twice):
    _, [(_, _, figs1), (_, _, figs2)] = twice
    assert {p.rsplit(".", 1)[-1] for p in figs1} == {"svg", "png", "json"}
    assert figs1 == figs2


def test_outputs_do_not_depend_on_the_project_folder(twice, tmp_path_factory):
    """The session's build (another copy, default output folder) matches byte for byte."""
    _, [(_, out1, figs1), _] = twice
    main = main_book(tmp_path_factory)
    assert tree_digest(main.out) == out1
    assert tree_digest(main.project / "figures") == figs1


def test_pdf_dates_default_to_the_epoch(twice):
    _, [(one, _, _), _] = twice
    assert pdf_dates(one) == (pdf_date(0), pdf_date(0))


@pytest.fixture(scope="module")
def dated(twice, tmp_path_factory):
    """Two PDF builds with SOURCE_DATE_EPOCH set (the execution cache is warm: conversion only)."""
    project, _ = twice
    base = tmp_path_factory.mktemp("epoch")
    return [build_book(project, to="pdf", output_dir=base / f"pdf{n}", epoch=EPOCH) for n in (1, 2)]


def test_pdf_with_source_date_epoch_is_deterministic(dated, twice):
    _, [(one, _, _), _] = twice
    a, b = dated
    assert a.pdf_path.read_bytes() == b.pdf_path.read_bytes()
    assert pdf_dates(a) == (pdf_date(int(EPOCH)), pdf_date(int(EPOCH)))
    # Only the timestamp differs from a build without SOURCE_DATE_EPOCH.
    assert a.pdf_path.read_bytes() != one.pdf_path.read_bytes()
    assert a.pdf_text() == one.pdf_text()


def test_changing_source_date_epoch_rebuilds_the_pdf(twice, tmp_path_factory):
    project, [(one, _, _), _] = twice
    out = tmp_path_factory.mktemp("epoch-change") / "pdf"
    build_book(project, to="pdf", output_dir=out, epoch=EPOCH)
    again = build_book(project, to="pdf", output_dir=out, epoch=None)
    assert pdf_dates(again) == (pdf_date(0), pdf_date(0))
    assert again.pdf_path.read_bytes() == one.pdf_path.read_bytes()
