"""Write the HTML site: one page per chapter from a jinja2 template, sidebar and page contents."""

from __future__ import annotations

import functools
import hashlib
import html as html_lib
import posixpath
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

import jinja2
from markupsafe import Markup

from . import __version__, search
from .cache import copy_source
from .config import BookConfig
from .crossref import ChapterInfo
from .pages import relative_link
from .pandoc import ast_to_html
from .provenance import FACTS_PAGE, disclosure_blocks, facts_page_html, facts_page_info

if TYPE_CHECKING:
    from .outputs import ParsedBook

STYLESHEET = "site_libs/litbuild.css"
SCRIPT = "site_libs/litbuild.js"


@dataclass
class NavEntry:
    href: str
    number: str | None
    title: str
    part: str | None
    current: bool


@functools.cache  # one environment per process: it keeps its compiled templates
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("litbuild", "templates"),
        autoescape=jinja2.select_autoescape(["html"]),
        keep_trailing_newline=True,
    )


def page_title(info: ChapterInfo, book_title: str) -> str:
    """Quarto's page title: '2 Chapter Title – Book Title'; the index page is the book title."""
    if info.page == "index.html":
        return book_title
    number = (
        f"Appendix {info.number} \u2014 "
        if info.appendix and info.number
        else (f"{info.number} " if info.number else "")
    )
    return f"{number}{info.title} \u2013 {book_title}"


def write_site(
    out: Path,
    config: BookConfig,
    infos: list[ChapterInfo],
    bodies: dict[str, str],
    pdf_name: str | None,
    extra_pages: list[tuple[ChapterInfo, str]] = (),
    index_search: bool = True,
) -> list[str]:
    """Render every page, the stylesheet, script, icon and site files into `out`, then index
    the pages for search (unless `index_search` is off); return the page paths written."""
    from .metadata import citation_for, edition_of, write_site_files
    from .provenance import git_state

    env = _environment()
    template = env.get_template("page.html")
    pages = list(zip(infos, (bodies[i.path] for i in infos))) + list(extra_pages)
    all_infos = [p[0] for p in pages]
    edition = edition_of(config, git_state(config.root))
    citation = citation_for(config, edition)
    searchable = search.available()
    written = []
    for position, (info, body) in enumerate(pages):
        root = relative_link(".", info.page)
        root = "" if root == "." else root + "/"
        nav = []
        last_part = object()
        for other in all_infos:
            href = relative_link(other.page, info.page)
            part = other.part if other.part != last_part else None
            last_part = other.part
            nav.append(NavEntry(href, other.number, other.title, part, other is info))
        prev_entry = nav[position - 1] if position > 0 else None
        next_entry = nav[position + 1] if position + 1 < len(nav) else None
        body = finish_html(body)
        html = template.render(
            lang=config.lang,
            version=__version__,
            root=root,
            book=config,
            nav=nav,
            body=Markup(body),
            page_title=page_title(info, config.title),
            is_index=info.page == "index.html",
            prev=prev_entry,
            next=next_entry,
            toc=info.toc if config.toc else [],
            pdf=pdf_name,
            stylesheets=[project_stylesheet(sheet) for sheet in config.css],
            meta=_page_meta(config, info, body, root, out),
            search=searchable,
            citation=citation,
            edition=edition,
        )
        target = out / info.page
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(html, encoding="utf-8")
        written.append(info.page)
    templates = resources.files("litbuild").joinpath("templates")
    for name, where in (
        (STYLESHEET, "litbuild.css"),
        (SCRIPT, "litbuild.js"),
        ("favicon.svg", "favicon.svg"),
    ):
        (out / name).parent.mkdir(parents=True, exist_ok=True)
        (out / name).write_text(
            templates.joinpath(where).read_text(encoding="utf-8"), encoding="utf-8"
        )
    for sheet in config.css:  # the project's own, loaded after ours so that they win
        target = out / project_stylesheet(sheet)
        target.parent.mkdir(parents=True, exist_ok=True)
        copy_source(config.root / sheet, target)
    write_site_files(out, config, written, edition, citation)
    if searchable and index_search:
        search.index_site(out)
    return written


@dataclass
class PageMeta:
    description: str
    canonical: str | None
    image: str | None
    image_alt: str | None


def _page_meta(config: BookConfig, info: ChapterInfo, body: str, root: str, out: Path) -> PageMeta:
    """Description, canonical address and preview image of one page (absolute with a site-url)."""
    from .metadata import first_image, page_description

    fallback = config.description or config.title
    description = (
        config.description
        if info.page == "index.html" and config.description
        else page_description(body, fallback)
    )
    canonical = config.site_url + info.page if config.site_url else None
    image = first_image(body)
    page_dir = posixpath.dirname(info.page)
    if image and not (out / posixpath.normpath(posixpath.join(page_dir, image))).is_file():
        image = re.search(r'<img src="([^"]+)"', body).group(1)  # no PNG beside it: the SVG
    alt = None
    if image:
        match = re.search(r'<img src="[^"]+"[^>]* alt="([^"]*)"', body)
        alt = html_lib.unescape(match.group(1)) if match else None
        site_path = posixpath.normpath(posixpath.join(page_dir, image))
        image = config.site_url + site_path if config.site_url else root + site_path
    return PageMeta(description, canonical, image, alt)


_HEADING = re.compile(r'<h([2-4]) id="([^"]+)"([^>]*)>(.*?)</h\1>', re.S)
_HEADER_CELL = re.compile(r"<th(?=[ >])(?![^>]*\bscope=)")
_SVG_IMAGE = re.compile(r'<img src="([^"]+\.svg)"[^>]*>')


def finish_html(body: str) -> str:
    """Give headings an anchor link, header cells their scope, charts a full-size link."""

    def anchor(match: re.Match) -> str:
        level, hid, attrs, inner = match.groups()
        return (
            f'<h{level} id="{hid}"{attrs}>{inner}<a class="anchor" href="#{hid}" '
            f'aria-label="Link to this section"></a></h{level}>'
        )

    body = _HEADING.sub(anchor, body)
    # A tap or click opens the chart's SVG full size: small lettering becomes readable on a phone.
    body = _SVG_IMAGE.sub(
        lambda m: (
            f'<a class="enlarge" href="{m.group(1)}" '
            f'title="Open the chart full size">{m.group(0)}</a>'
        ),
        body,
    )
    # pandoc's header cells are column headers (its tables have no row headers here).
    return _HEADER_CELL.sub('<th scope="col"', body)


def project_stylesheet(sheet: str) -> str:
    """Where a project stylesheet (format.html.css) is published, relative to the site root."""
    return f"site_libs/project/{posixpath.normpath(sheet)}"


def write_html(book: ParsedBook, pdf_name: str | None) -> None:
    """The site: every chapter page, the Facts page when there are facts, search, assets."""
    facts_page = FACTS_PAGE if book.facts else None
    bodies = book.converted(
        "html",
        lambda docs: ast_to_html(docs, book.limits.pandoc_timeout),
        facts_page,
        lambda info: disclosure_blocks(book.items_by_label, info.page, book.staging),
    )
    extra = [(facts_page_info(), _facts_page(book))] if book.facts else []
    write_site(book.staging, book.config, book.infos, bodies, pdf_name, extra, book.index_search)


def _facts_page(book: ParsedBook) -> str:
    """The Facts page's body; a long-lived process writes it again only when a fact changed."""
    if not book.warm.keep:
        return facts_page_html(book.facts, book.infos)
    key = hashlib.sha256(repr((book.facts, book.infos)).encode()).hexdigest()
    return book.warm.facts_pages.get(
        "facts-page:" + key, lambda: facts_page_html(book.facts, book.infos)
    )
