"""Write the HTML site: one page per chapter from a jinja2 template, sidebar and page contents."""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import jinja2
from markupsafe import Markup

from . import __version__
from .cache import copy_source
from .config import BookConfig
from .crossref import ChapterInfo

STYLESHEET = "site_libs/litbuild.css"


@dataclass
class NavEntry:
    href: str
    number: str | None
    title: str
    part: str | None
    current: bool


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
    number = f"Appendix {info.number} \u2014 " if info.appendix and info.number else (
        f"{info.number} " if info.number else "")
    return f"{number}{info.title} \u2013 {book_title}"


def write_site(out: Path, config: BookConfig, infos: list[ChapterInfo], bodies: dict[str, str],
               pdf_name: str | None, extra_pages: list[tuple[ChapterInfo, str]] = ()) -> list[str]:
    """Render every page and the stylesheet into `out`; return the page paths written."""
    env = _environment()
    template = env.get_template("page.html")
    pages = list(zip(infos, (bodies[i.path] for i in infos))) + list(extra_pages)
    all_infos = [p[0] for p in pages]
    written = []
    for position, (info, body) in enumerate(pages):
        root = posixpath.relpath(".", posixpath.dirname(info.page) or ".")
        root = "" if root == "." else root + "/"
        nav = []
        last_part = object()
        for other in all_infos:
            href = posixpath.relpath(other.page, posixpath.dirname(info.page) or ".")
            part = other.part if other.part != last_part else None
            last_part = other.part
            nav.append(NavEntry(href, other.number, other.title, part, other is info))
        prev_entry = nav[position - 1] if position > 0 else None
        next_entry = nav[position + 1] if position + 1 < len(nav) else None
        html = template.render(
            lang="en", version=__version__, root=root, book=config, nav=nav, body=Markup(body),
            page_title=page_title(info, config.title), is_index=info.page == "index.html",
            prev=prev_entry, next=next_entry, toc=info.toc if config.toc else [], pdf=pdf_name,
            stylesheets=[project_stylesheet(sheet) for sheet in config.css],
        )
        target = out / info.page
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(html, encoding="utf-8")
        written.append(info.page)
    css = resources.files("litbuild").joinpath("templates/litbuild.css").read_text(encoding="utf-8")
    (out / STYLESHEET).parent.mkdir(parents=True, exist_ok=True)
    (out / STYLESHEET).write_text(css, encoding="utf-8")
    for sheet in config.css:  # the project's own, loaded after ours so that they win
        target = out / project_stylesheet(sheet)
        target.parent.mkdir(parents=True, exist_ok=True)
        copy_source(config.root / sheet, target)
    return written


def project_stylesheet(sheet: str) -> str:
    """Where a project stylesheet (format.html.css) is published, relative to the site root."""
    return f"site_libs/project/{posixpath.normpath(sheet)}"
