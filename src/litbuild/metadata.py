"""What a published site needs beside its pages: citation, page descriptions, sitemap, robots."""

from __future__ import annotations

import json
import re
import subprocess
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from .config import BookConfig

CITATION_JSON = "citation.json"
CITATION_BIB = "citation.bib"
DESCRIPTION_CHARS = 200


@dataclass(frozen=True)
class Edition:
    """Which edition this build is: the book's date, the commit it came from, and that commit's date."""

    date: str | None
    commit: str | None
    commit_date: str | None  # ISO date of the commit: fixed for a given commit, unlike the clock
    dirty: bool

    @property
    def version(self) -> str:
        if not self.commit:
            return "unversioned"
        return self.commit[:12] + ("-dirty" if self.dirty else "")


def edition_of(config: BookConfig, git: dict[str, Any]) -> Edition:
    """The edition record for a build from `git` (as provenance.git_state gives it)."""
    commit_date = None
    if git.get("commit"):
        try:
            proc = subprocess.run(
                ["git", "-C", str(config.root), "show", "-s", "--format=%cs", git["commit"]],
                capture_output=True,
                text=True,
                check=False,
            )
            commit_date = proc.stdout.strip() or None if proc.returncode == 0 else None
        except FileNotFoundError:
            commit_date = None
    return Edition(config.date, git.get("commit"), commit_date, bool(git.get("dirty")))


@dataclass(frozen=True)
class Citation:
    """How to cite this edition, as text, BibTeX and CSL-JSON."""

    text: str
    bibtex: str
    csl: dict[str, Any]

    def csl_json(self) -> str:
        return json.dumps([self.csl], indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def citation_for(config: BookConfig, edition: Edition) -> Citation:
    """Build the citation from the book's metadata and Quarto's `citation:` CSL fields."""
    fields = dict(config.citation)
    title = config.title + (f": {config.subtitle}" if config.subtitle else "")
    authors = config.author
    csl: dict[str, Any] = {
        "id": fields.get("id") or _citation_key(authors, config.date),
        "type": fields.get("type", "report"),
        "title": fields.get("title", title),
        "author": [{"literal": a} for a in authors],
        "version": edition.version,
    }
    if config.date:
        csl["edition"] = fields.get("edition", config.date)
        csl["issued"] = (
            {"date-parts": [[int(config.date)]]}
            if config.date.isdigit()
            else {"literal": config.date}
        )
    if edition.commit_date:
        csl["note"] = (
            f"Built from git commit {edition.commit}"
            + (" with uncommitted changes" if edition.dirty else "")
            + f" of {edition.commit_date}"
        )
    if config.site_url:
        csl["URL"] = fields.get("url", config.site_url)
    if config.license:
        csl["license"] = config.license
    for key in ("publisher", "publisher-place", "container-title", "DOI", "ISBN"):
        if fields.get(key.lower()) or fields.get(key):
            csl[key] = fields.get(key.lower()) or fields.get(key)

    who = ", ".join(authors) or "Anonymous"
    parts = [
        f"{who} ({config.date or 'n.d.'}).",
        f"{csl['title']}.",
        f"Version {edition.version}"
        + (f" of {edition.commit_date}." if edition.commit_date else "."),
    ]
    if csl.get("publisher"):
        parts.append(f"{csl['publisher']}.")
    if csl.get("URL"):
        parts.append(csl["URL"])
    if config.license:
        parts.append(f"Licence: {config.license}.")
    text = " ".join(parts)

    bib = {
        "title": "{" + csl["title"] + "}",
        "author": " and ".join("{" + a + "}" for a in authors),
        "year": config.date or "",
        "edition": csl.get("edition", ""),
        "version": edition.version,
        "date": edition.commit_date or "",
        "url": csl.get("URL", ""),
        "institution": csl.get("publisher", ""),
        "note": csl.get("note", ""),
        "license": config.license or "",
    }
    lines = [f"@report{{{csl['id']},"]
    lines += [f"  {k} = {{{v}}}," for k, v in bib.items() if v]
    bibtex = "\n".join(lines).rstrip(",") + "\n}\n"
    return Citation(text, bibtex, csl)


def _citation_key(authors: list[str], date: str | None) -> str:
    """A short BibTeX key: first word of the first author and the year ('talap2022')."""
    first = re.sub(r"[^a-z0-9]", "", (authors[0].split()[0] if authors else "anon").lower())
    return f"{first or 'anon'}{date or ''}"


class _TextOfFirstParagraph(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.depth = 0
        self.parts: list[str] = []
        self.done = False

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag == "p" and not self.done:
            self.depth += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "p" and self.depth:
            self.depth -= 1
            if not self.depth and " ".join(self.parts).strip():
                self.done = True

    def handle_data(self, data: str) -> None:
        if self.depth and not self.done:
            self.parts.append(data)


def page_description(body_html: str, fallback: str | None) -> str:
    """The page's first paragraph as plain text, cut at a word near 200 characters."""
    parser = _TextOfFirstParagraph()
    for piece in re.split(r"(?<=</p>)", body_html):  # stop reading once it is found
        parser.feed(piece)
        if parser.done:
            break
    text = " ".join(" ".join(parser.parts).split()) or (fallback or "")
    if len(text) <= DESCRIPTION_CHARS:
        return text
    cut = text[:DESCRIPTION_CHARS].rsplit(" ", 1)[0]
    return cut.rstrip(",;:") + "\u2026"


def first_image(body_html: str) -> str | None:
    """The PNG saved beside the page's first SVG figure (social sites do not show SVG), or its
    first image; the caller checks the PNG exists."""
    match = re.search(r'<img src="([^"]+)"', body_html)
    if not match:
        return None
    src = match.group(1)
    return re.sub(r"-(\d+)\.svg$", lambda m: f"-{int(m.group(1)) + 1}.png", src)


def sitemap_xml(site_url: str, pages: list[str], lastmod: str | None) -> str:
    """A sitemap of every page, as Quarto writes one when site-url is set."""
    from xml.sax.saxutils import escape

    entries = []
    for page in pages:
        mod = f"<lastmod>{lastmod}</lastmod>" if lastmod else ""
        entries.append(f"  <url><loc>{escape(site_url + page)}</loc>{mod}</url>")
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
        + "\n".join(entries)
        + "\n</urlset>\n"
    )


def robots_txt(site_url: str | None) -> str:
    """Allow every crawler; name the sitemap when the site's address is known."""
    lines = ["User-agent: *", "Allow: /"]
    if site_url:
        lines.append(f"Sitemap: {site_url}sitemap.xml")
    return "\n".join(lines) + "\n"


def write_site_files(
    out: Path, config: BookConfig, pages: list[str], edition: Edition, citation: Citation
) -> None:
    """Write robots.txt, the citation downloads and, with a site-url, sitemap.xml."""
    (out / "robots.txt").write_text(robots_txt(config.site_url), encoding="utf-8")
    (out / CITATION_JSON).write_text(citation.csl_json(), encoding="utf-8")
    (out / CITATION_BIB).write_text(citation.bibtex, encoding="utf-8")
    if config.site_url:
        (out / "sitemap.xml").write_text(
            sitemap_xml(config.site_url, pages, edition.commit_date), encoding="utf-8"
        )
