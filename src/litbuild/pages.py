"""Where a chapter's outputs live: one object owns a page's paths, as mkdocs' `File` does.

Every path here is relative to the output root and uses '/', whatever the platform. A chapter
`chapters/02-economy.qmd` becomes the page `chapters/02-economy.html`; its figures go to
`chapters/02-economy_files/figure/` and the data behind each figure or table to
`chapters/02-economy_files/data/<label>.csv` (Quarto's `<stem>_files` layout).
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from pathlib import PurePosixPath


@dataclass(frozen=True)
class ChapterPage:
    """The output paths of one chapter, from its source path in the project."""

    source: str  # e.g. "chapters/02-economy.qmd"

    @property
    def stem(self) -> str:
        return posixpath.splitext(self.source)[0]

    @property
    def page(self) -> str:
        """The HTML page: 'chapters/02-economy.html'."""
        return self.stem + ".html"

    @property
    def figures(self) -> PurePosixPath:
        """The folder of the chapter's figure files."""
        return PurePosixPath(f"{self.stem}_files") / "figure"

    def download(self, label: str) -> str:
        """The CSV of exactly the data a figure or table shows."""
        return f"{self.stem}_files/data/{label}.csv"

    def link(self, target: str) -> str:
        """A relative link from this chapter's page to another output path."""
        return relative_link(target, self.page)


def relative_link(target: str, from_page: str) -> str:
    """A relative link from an output page to another output path (both from the output root)."""
    return posixpath.relpath(target, posixpath.dirname(from_page) or ".")
