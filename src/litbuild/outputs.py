"""The one interface every output writer shares: a parsed, numbered, executed book.

A writer is a function `write_<format>(book: ParsedBook, name: str | None)` in its own module
(`site.write_html`, `pdf.write_pdf`, `docx.write_docx`) that writes into `book.staging`. Each
asks the book for its chapters finished for its format (`book.chapter_docs(fmt)`): references
resolved, inline values placed. A new format is one such module, one line in `writers_for` and its call in build.py.
"""

from __future__ import annotations

import functools
import hashlib
import marshal
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .crossref import ChapterInfo, Target, resolve_references
from .transform import finish_chapter

if TYPE_CHECKING:
    from .assemble import OutputItem
    from .config import BookConfig
    from .events import Progress
    from .execute import ExecutedChapter
    from .fragments import FragmentStore
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
    index_search: bool = True  # False when a build that follows indexes the site (report serve)
    # sha256 of what each chapter's AST was parsed from and of its run (outputs, inline values):
    # with the book's numbering and items they decide a finished chapter (see `doc_key`).
    input_digests: dict[str, str] = field(default_factory=dict)
    fragments: FragmentStore | None = None  # converted chapters kept between builds

    @functools.cached_property
    def _targets_digest(self) -> str:
        """What finishing any chapter reads from the whole book: the numbered targets."""
        return _sha256(repr(sorted(self.targets.items())))

    def _items_digest(self, path: str) -> str:
        """The chapter's own figures and tables (captions, assets, provenance): a chapter's
        AST names only its own; other chapters' are reached through the targets."""
        own = sorted((label, i) for label, i in self.items_by_label.items() if i.chapter == path)
        return _sha256(repr(own))

    def doc_key(self, info: ChapterInfo, fmt: str, facts_page: str | None, after: bool) -> str:
        """A digest of everything `chapter_doc` reads for one chapter; `after` tells whether an
        `after_item` callback is given (the site's: disclosures, from items and output bytes)."""
        return _sha256(
            fmt,
            repr(facts_page),
            repr(after),
            repr(info),
            self.input_digests[info.path],
            self.sources[info.path],
            self._targets_digest,
            self._items_digest(info.path),
        )

    def chapter_doc(
        self,
        info: ChapterInfo,
        fmt: str,
        facts_page: str | None = None,
        after_item: Callable[[str], list] | None = None,
    ) -> dict[str, Any]:
        """A copy of one chapter's AST, finished for `fmt` ("html", "typst", "docx"). Writers
        that convert chapters ask `converted`, which finishes only the chapters that changed."""
        # A fresh copy (marshal: ten times faster than deepcopy for plain JSON-like data).
        doc = marshal.loads(marshal.dumps(self.asts[info.path]))
        resolve_references(doc, info, self.targets, self.sources[info.path], fmt)
        inline_values = self.executed[info.path].inline_values
        return finish_chapter(
            doc, info, self.items_by_label, inline_values, fmt, facts_page, after_item
        )

    def converted(
        self,
        fmt: str,
        convert: Callable[[dict[str, dict[str, Any]]], dict[str, str]],
        facts_page: str | None = None,
        after_item: Callable[[ChapterInfo], Callable[[str], list]] | None = None,
    ) -> dict[str, str]:
        """Every chapter, in book order, finished for `fmt` and written by `convert` (one
        pandoc call for all that need it). A chapter whose `doc_key` matches a text kept by
        the fragment store is neither finished nor converted again."""
        store = self.fragments if self.input_digests else None
        keys: dict[str, str] = {}
        texts: dict[str, str] = {}
        if store is not None:
            keys = {
                i.path: self.doc_key(i, fmt, facts_page, after_item is not None) for i in self.infos
            }
            texts = {p: t for p, k in keys.items() if (t := store.get(fmt, k)) is not None}
        docs = {
            i.path: self.chapter_doc(i, fmt, facts_page, after_item(i) if after_item else None)
            for i in self.infos
            if i.path not in texts
        }
        fresh = convert(docs) if docs else {}
        if store is not None:
            for path, text in fresh.items():
                store.put(fmt, keys[path], text)
            store.keep_only(fmt, set(keys.values()))
        texts.update(fresh)
        return {i.path: texts[i.path] for i in self.infos}

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


def _sha256(*parts: str) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode("utf-8", "surrogatepass") + b"\0")
    return digest.hexdigest()


def writers_for(to: str) -> list[str]:
    """The writers a `--to` value runs ("all" is the site and the PDF)."""
    return {"all": ["html", "pdf"], "html": ["html"], "pdf": ["pdf"], "docx": ["docx"]}[to]
