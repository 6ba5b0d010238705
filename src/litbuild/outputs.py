"""The one interface every output writer shares: a parsed, numbered, executed book.

A writer is a function `write_<format>(book: ParsedBook, name: str | None)` in its own module
(`site.write_html`, `pdf.write_pdf`, `docx.write_docx`) that writes into `book.staging`. Each
asks the book for its chapters finished for its format (`book.chapter_docs(fmt)`): references
resolved, inline values placed. A new format is one such module, one line in `writers_for` and its call in build.py.
"""

from __future__ import annotations

import marshal
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .crossref import ChapterInfo, Target, resolve_references
from .transform import finish_chapter

if TYPE_CHECKING:
    from .assemble import OutputItem
    from .config import BookConfig
    from .events import Progress
    from .execute import ExecutedChapter
    from .limits import Limits
    from .provenance import FactRecord
    from .warm import WarmState


@dataclass
class ParsedBook:
    """What every writer reads; it writes only into `staging`."""

    config: BookConfig
    infos: list[ChapterInfo]
    asts: dict[str, Any]  # chapter path -> pandoc AST (shared: writers take copies)
    targets: dict[str, Target]
    sources: dict[str, str]  # chapter path -> .qmd text
    executed: dict[str, ExecutedChapter]
    items_by_label: dict[str, OutputItem]
    facts: list[FactRecord]
    staging: Path
    limits: Limits
    progress: Progress
    warm: WarmState

    def chapter_doc(
        self,
        info: ChapterInfo,
        fmt: str,
        facts_page: str | None = None,
        after_item: Callable[[str], list] | None = None,
    ) -> dict[str, Any]:
        """A copy of one chapter's AST, finished for `fmt` ("html", "typst", "docx")."""
        # A fresh copy (marshal: ten times faster than deepcopy for plain JSON-like data).
        doc = marshal.loads(marshal.dumps(self.asts[info.path]))
        resolve_references(doc, info, self.targets, self.sources[info.path], fmt)
        inline_values = self.executed[info.path].inline_values
        return finish_chapter(
            doc, info, self.items_by_label, inline_values, fmt, facts_page, after_item
        )

    def chapter_docs(self, fmt: str) -> list[dict[str, Any]]:
        """Every chapter, in book order, finished for `fmt`."""
        return [self.chapter_doc(info, fmt) for info in self.infos]

    def whole_doc(self, fmt: str) -> dict[str, Any]:
        """The book as one pandoc document (chapters in order, finished for `fmt`, no meta)."""
        docs = self.chapter_docs(fmt)
        return {
            "pandoc-api-version": docs[0]["pandoc-api-version"],
            "meta": {},
            "blocks": [block for doc in docs for block in doc["blocks"]],
        }


def writers_for(to: str) -> list[str]:
    """The writers a `--to` value runs ("all" is the site and the PDF)."""
    return {"all": ["html", "pdf"], "html": ["html"], "pdf": ["pdf"], "docx": ["docx"]}[to]
