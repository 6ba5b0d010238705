"""Compile the whole book to one PDF: pandoc's Typst markup in our template, then Typst in-process."""

from __future__ import annotations

import functools
import os
import re
import shutil
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import jinja2

from . import processes
from .config import BookConfig
from .errors import BuildError, LimitError, ToolMissingError
from .events import BuildEvent
from .pandoc import ast_to_typst, join_typst

if TYPE_CHECKING:
    from .outputs import ParsedBook

_TYPST_SPECIAL = re.compile(r"([\\#\[\]*_`$<>@~/\"'=+-])")


def typst_str(text: str) -> str:
    """A Typst string literal."""
    return '"' + str(text).replace("\\", "\\\\").replace('"', '\\"') + '"'


def typst_content(text: str) -> str:
    """Text for Typst markup mode with every special character escaped."""
    return _TYPST_SPECIAL.sub(r"\\\1", str(text))


@functools.cache  # one environment per process: it keeps its compiled templates
def _typst_environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("litbuild", "templates"),
        autoescape=False,
        keep_trailing_newline=True,
    )
    env.filters["typst_str"] = typst_str
    env.filters["typst_content"] = typst_content
    return env


def book_typst(config: BookConfig, body: str, figure_alts: dict[str, str] | None = None) -> str:
    """The whole book's Typst source: our template around pandoc's markup, figures with alt."""
    from . import __version__
    from .metadata import citation_for, edition_of
    from .provenance import git_state

    env = _typst_environment()
    edition = edition_of(config, git_state(config.root))
    language, _, region = config.lang.partition("-")
    return env.get_template("book.typ").render(
        title=config.title,
        subtitle=config.subtitle,
        author=config.author,
        date=config.date,
        lang=language.lower(),
        region=region.upper() or None,
        description=config.description,
        license=config.license,
        edition=edition,
        citation=citation_for(config, edition),
        version=__version__,
        body=with_figure_alts(body, figure_alts or {}),
    )


FIGURE_BLEED = "1.5cm"  # figures reach this far into each margin: larger lettering in print


def with_figure_alts(body: str, alts: dict[str, str]) -> str:
    """Give each figure its alt text (pandoc's Typst writer drops it; it reaches the tagged
    PDF) and let its image run a little into the margins, as charts do in print."""

    def add(match: re.Match) -> str:
        path = match.group(1)
        alt = alts.get(path)
        alt_arg = f", alt: {typst_str(alt)}" if alt else ""
        return (
            f"#figure({alt_arg.removeprefix(', ')}{', ' if alt else ''}"
            f"move(dx: -{FIGURE_BLEED}, image({typst_str(path)}{alt_arg}, "
            f"width: 100% + 2 * {FIGURE_BLEED})),"
        )

    return re.sub(r'#figure\(image\("((?:[^"\\]|\\.)*)", width: 100(?:\.0)?%\),', add, body)


def source_date_epoch() -> int:
    """Timestamps in outputs come from SOURCE_DATE_EPOCH (default 0), never the clock."""
    try:
        return int(os.environ.get("SOURCE_DATE_EPOCH", "0"))
    except ValueError:
        return 0


# Typst runs in a child process: it can then be stopped at its time limit or on Ctrl-C, which an
# in-process compile (native code holding the interpreter) cannot.
_COMPILE = """
import sys
try:
    import typst
except ImportError as exc:
    sys.stderr.write(f"litbuild-typst-missing: {exc}")
    sys.exit(3)
try:
    pdf = typst.compile(sys.argv[1], root=sys.argv[2], timestamp=int(sys.argv[3]))
except Exception as exc:
    sys.stderr.write(str(exc))
    sys.exit(1)
sys.stdout.buffer.write(pdf)
sys.stdout.buffer.flush()
import os
os._exit(0)  # skip tearing down the interpreter: the build is waiting
"""
TYPST_HINT = (
    "Typst comes with the pinned `typst` package: run `make report` (or "
    "`.venv/bin/pip install -r requirements.lock`) to install it"
)


def compile_pdf(typ_file: Path, root: Path, timeout: float | None = 300.0) -> bytes:
    """Compile a Typst file to PDF bytes, reproducibly, in a child process with a time limit."""
    proc = processes.run(
        [sys.executable, "-c", _COMPILE, str(typ_file), str(root), str(source_date_epoch())],
        b"",
        timeout,
        "compiling the PDF",
        "Typst",
        TYPST_HINT,
    )
    message = proc.stderr.decode("utf-8", "replace").strip()
    if proc.returncode == 3 and message.startswith("litbuild-typst-missing"):
        raise ToolMissingError(
            f"Typst is not installed ({message.split(': ', 1)[-1]}); {TYPST_HINT}"
        )
    if proc.returncode != 0:
        raise BuildError(message or f"Typst ended with exit code {proc.returncode}")
    return proc.stdout


_PAGE_TREE = re.compile(rb"/Type\s*/Pages\b[^>]*?/Count\s+(\d+)")
_PAGE = re.compile(rb"/Type\s*/Page(?![A-Za-z])")


def pdf_page_count(data: bytes) -> int:
    """Pages of a PDF. Typst writes its objects uncompressed, one page tree: when the tree's
    page count and the number of page objects agree, that is the answer, without reading the
    file with pypdf (whose import alone costs a tenth of a second or more); else pypdf reads it."""
    trees = [int(n) for n in _PAGE_TREE.findall(data)]
    if trees and max(trees) == len(_PAGE.findall(data)):
        return max(trees)
    import io

    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(data)).pages)


def write_pdf(book: ParsedBook, name: str) -> int:
    """The whole book as one Typst document, compiled in a child process; returns the page
    count."""
    config, limits, staging = book.config, book.limits, book.staging
    # Each chapter's markup, joined: what pandoc writes for the whole book as one document.
    chapters = book.converted("typst", lambda docs: ast_to_typst(docs, limits.pandoc_timeout))
    typ_file = staging / "book.typ"
    alts = {
        a: i.alt or i.caption
        for i in book.items_by_label.values()
        if i.kind == "figure"
        for a in i.assets
        if i.alt or i.caption
    }
    typ_file.write_text(
        book_typst(config, join_typst(list(chapters.values())), alts), encoding="utf-8"
    )
    book.progress(BuildEvent("pdf", "compiling PDF with Typst"))
    try:
        pdf = compile_pdf(typ_file, staging, limits.typst_timeout)
    except (LimitError, ToolMissingError):
        raise
    except BuildError as exc:  # Typst's own diagnostics
        kept = config.root / ".litbuild" / "failed-book.typ"
        kept.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(typ_file, kept)
        raise BuildError(
            f"Typst failed to compile the book: {exc}\n"
            f"the Typst source is kept for inspection in {kept}"
        ) from exc
    typ_file.unlink()
    (staging / name).write_bytes(pdf)
    return pdf_page_count(pdf)
