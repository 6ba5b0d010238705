"""Read a Quarto book project's _quarto.yml into a typed, validated configuration."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .errors import ConfigError

# Quarto's cell-option defaults; _quarto.yml `execute:` and chapter front matter override them.
DEFAULT_EXECUTE = {"echo": True, "eval": True, "output": True, "warning": True, "include": True}


@dataclass(frozen=True)
class ChapterEntry:
    """One chapter file as listed in _quarto.yml, with the part it belongs to."""

    path: str  # relative to the project root, POSIX separators
    part: str | None = None
    appendix: bool = False


@dataclass(frozen=True)
class BookConfig:
    """What the builtin engine needs from _quarto.yml."""

    root: Path
    title: str
    subtitle: str | None
    author: list[str]
    date: str | None
    chapters: list[ChapterEntry]
    output_dir: str = "_book"
    execute_dir: str = "file"  # "file" (the chapter's folder) or "project" (the root)
    execute: dict[str, Any] = field(default_factory=lambda: dict(DEFAULT_EXECUTE))
    toc: bool = True
    css: list[str] = field(default_factory=list)  # format.html.css: project stylesheets
    # Quarto's own keys: book.site-url, book.description, top-level license and citation.
    site_url: str | None = None
    description: str | None = None
    license: str | None = None
    citation: dict[str, Any] = field(default_factory=dict)
    lang: str = "en"  # Quarto's `lang`: BCP 47, e.g. en-GB for British spelling


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, list):
        return [str(v) for v in value]
    return [str(value)]


def _chapter_entries(items: Any, source: str, appendix: bool, problems: list[str]) -> list[ChapterEntry]:
    entries: list[ChapterEntry] = []
    for item in items or []:
        if isinstance(item, str):
            entries.append(ChapterEntry(item, None, appendix))
        elif isinstance(item, dict) and "part" in item:
            part = str(item["part"])
            for sub in item.get("chapters") or []:
                if not isinstance(sub, str):
                    problems.append(f"{source}: part '{part}': chapter entries must be file paths")
                    continue
                entries.append(ChapterEntry(sub, part, appendix))
        else:
            problems.append(f"{source}: unexpected chapter entry {item!r} (expected a path or a part)")
    return entries


def load_config(project_dir: Path | str) -> BookConfig:
    """Parse and validate _quarto.yml; report every problem at once."""
    root = Path(project_dir).resolve()
    path = root / "_quarto.yml"
    if not path.is_file():
        raise ConfigError(f"{path}: not found (a Quarto book project needs _quarto.yml)")
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: invalid YAML: {exc}") from exc

    problems: list[str] = []
    project = raw.get("project") or {}
    book = raw.get("book") or {}
    if project.get("type", "book") != "book":
        problems.append(f"{path}: project type '{project.get('type')}' is not supported (only 'book')")
    if not book.get("title"):
        problems.append(f"{path}: book.title is required")

    chapters = _chapter_entries(book.get("chapters"), str(path), False, problems)
    # Quarto lists appendices under their own heading in the sidebar.
    chapters += [ChapterEntry(e.path, "Appendices", True)
                 for e in _chapter_entries(book.get("appendices"), str(path), True, problems)]
    if not chapters:
        problems.append(f"{path}: book.chapters lists no chapter")
    for entry in chapters:
        if not (root / entry.path).is_file():
            problems.append(f"{path}: chapter '{entry.path}' does not exist")
        elif not entry.path.endswith((".qmd", ".md")):
            problems.append(f"{path}: chapter '{entry.path}' is not a .qmd or .md file")

    execute_dir = project.get("execute-dir", "file")
    if execute_dir not in ("file", "project"):
        problems.append(f"{path}: project.execute-dir must be 'file' or 'project', not '{execute_dir}'")

    execute = dict(DEFAULT_EXECUTE)
    execute.update({k: v for k, v in (raw.get("execute") or {}).items()})

    formats = raw.get("format") or {}
    toc = True
    css: list[str] = []
    if isinstance(formats, dict) and isinstance(formats.get("html"), dict):
        toc = bool(formats["html"].get("toc", True))
        css = _as_list(formats["html"].get("css"))
        for sheet in css:
            if not (root / sheet).is_file():
                problems.append(f"{path}: format.html.css '{sheet}' does not exist")

    citation = raw.get("citation") or {}
    if citation is True:
        citation = {}
    if not isinstance(citation, dict):
        problems.append(f"{path}: citation must be a mapping of CSL fields or true")
        citation = {}

    if problems:
        raise ConfigError("\n".join(problems))
    return BookConfig(
        root=root,
        title=str(book["title"]),
        subtitle=book.get("subtitle"),
        author=_as_list(book.get("author")),
        date=None if book.get("date") is None else str(book.get("date")),
        chapters=chapters,
        output_dir=str(project.get("output-dir", "_book")),
        execute_dir=execute_dir,
        execute=execute,
        toc=toc,
        css=css,
        site_url=str(book["site-url"]).rstrip("/") + "/" if book.get("site-url") else None,
        description=None if book.get("description") is None else str(book["description"]),
        license=None if raw.get("license") is None else str(raw["license"]),
        citation=citation,
        lang=str(raw.get("lang") or "en"),
    )
