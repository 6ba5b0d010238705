"""Compile the whole book to one PDF: pandoc's Typst markup in our template, then Typst in-process."""

from __future__ import annotations

import os
import re
from pathlib import Path

import jinja2

from .config import BookConfig

_TYPST_SPECIAL = re.compile(r"([\\#\[\]*_`$<>@~/\"'=+-])")


def typst_str(text: str) -> str:
    """A Typst string literal."""
    return '"' + str(text).replace("\\", "\\\\").replace('"', '\\"') + '"'


def typst_content(text: str) -> str:
    """Text for Typst markup mode with every special character escaped."""
    return _TYPST_SPECIAL.sub(r"\\\1", str(text))


def book_typst(config: BookConfig, body: str) -> str:
    env = jinja2.Environment(loader=jinja2.PackageLoader("litbuild", "templates"),
                             autoescape=False, keep_trailing_newline=True)
    env.filters["typst_str"] = typst_str
    env.filters["typst_content"] = typst_content
    return env.get_template("book.typ").render(
        title=config.title, subtitle=config.subtitle, author=config.author, date=config.date,
        lang="en", body=body)


def source_date_epoch() -> int:
    """Timestamps in outputs come from SOURCE_DATE_EPOCH (default 0), never the clock."""
    try:
        return int(os.environ.get("SOURCE_DATE_EPOCH", "0"))
    except ValueError:
        return 0


def compile_pdf(typ_file: Path, root: Path) -> bytes:
    """Compile a Typst file to PDF bytes, reproducibly."""
    import typst

    return typst.compile(str(typ_file), root=str(root), timestamp=source_date_epoch())


def pdf_page_count(data: bytes) -> int:
    import io

    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(data)).pages)
