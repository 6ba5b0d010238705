"""Read a Quarto book project's _quarto.yml into a typed, validated configuration."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .errors import ConfigError
from .limits import Limits, limits_from_config
from .yamltext import load_yaml

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
    output_file: str | None = None  # book.output-file: the PDF's name without extension
    # Quarto's own keys: book.site-url, book.description, top-level license and citation.
    site_url: str | None = None
    description: str | None = None
    license: str | None = None
    citation: dict[str, Any] = field(default_factory=dict)
    lang: str = "en"  # Quarto's `lang`: BCP 47, e.g. en-GB for British spelling
    limits: Limits = field(default_factory=Limits)


def confined_path(
    root: Path, value: Any, where: str, problems: list[str], must_exist: bool = True
) -> str | None:
    """A project-relative POSIX path that stays inside the project, symlinks resolved; else a
    problem naming `where` (file and key) and None."""
    if not isinstance(value, str) or not value.strip():
        problems.append(f"{where}: expected a relative file path (text), got {value!r}")
        return None
    if "\0" in value:
        problems.append(f"{where}: path {value!r} contains a NUL character")
        return None
    candidate = Path(value)
    if candidate.is_absolute():
        problems.append(
            f"{where}: '{value}' is an absolute path; expected a path inside the project ({root})"
        )
        return None
    try:
        resolved = (root / candidate).resolve()
    except (OSError, RuntimeError) as exc:  # a symlink loop
        problems.append(f"{where}: '{value}' cannot be resolved: {exc}")
        return None
    if resolved != root and not resolved.is_relative_to(root):
        problems.append(
            f"{where}: '{value}' points outside the project ({resolved}); expected a "
            f"path inside {root}"
        )
        return None
    if must_exist and not resolved.is_file():
        return value  # the caller reports a missing file in its own words
    return value


def _expect_mapping(value: Any, key: str, source: str, problems: list[str]) -> dict:
    if value is None:
        return {}
    if not isinstance(value, dict):
        problems.append(
            f"{source}: {key} must be a mapping (key: value lines), not "
            f"{type(value).__name__} {_short(value)}"
        )
        return {}
    return value


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, list):
        return [str(v) for v in value]
    return [str(value)]


def _text(value: Any, key: str, source: str, problems: list[str]) -> str | None:
    """A scalar as text (YAML reads `2022` as a number); mappings and lists are problems."""
    if value is None:
        return None
    if isinstance(value, (dict, list)):
        problems.append(f"{source}: {key} must be text, not {type(value).__name__} {_short(value)}")
        return None
    return str(value)


def _chapter_entries(
    items: Any, source: str, appendix: bool, problems: list[str]
) -> list[ChapterEntry]:
    entries: list[ChapterEntry] = []
    if items is not None and not isinstance(items, list):
        problems.append(
            f"{source}: {'book.appendices' if appendix else 'book.chapters'} must be a "
            f"list of chapter files, not {type(items).__name__} {_short(items)}"
        )
        return entries
    for item in items or []:
        if isinstance(item, str):
            entries.append(ChapterEntry(item, None, appendix))
        elif isinstance(item, dict) and "part" in item:
            part = str(item["part"])
            subs = item.get("chapters") or []
            if not isinstance(subs, list):
                problems.append(f"{source}: part '{part}': chapters must be a list of files")
                continue
            for sub in subs:
                if not isinstance(sub, str):
                    problems.append(f"{source}: part '{part}': chapter entries must be file paths")
                    continue
                entries.append(ChapterEntry(sub, part, appendix))
        else:
            problems.append(
                f"{source}: unexpected chapter entry {item!r} (expected a path or a part)"
            )
    return entries


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        return load_yaml(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: invalid YAML: {exc}") from exc


def load_config(
    project_dir: Path | str,
    metadata: dict[str, Any] | None = None,
    profiles: tuple[str, ...] | list[str] = (),
) -> BookConfig:
    """Parse and validate _quarto.yml (with profiles and `-M` overrides); report every problem."""
    root = Path(project_dir).resolve()
    path = root / "_quarto.yml"
    if not path.is_file():
        raise ConfigError(f"{path}: not found (a Quarto book project needs _quarto.yml)")
    try:
        raw = load_yaml(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as exc:
        raise ConfigError(
            f"{path}: expected UTF-8 text, got byte 0x{exc.object[exc.start]:02x} "
            f"at offset {exc.start}"
        ) from None
    except (yaml.YAMLError, RecursionError, ValueError) as exc:
        raise ConfigError(f"{path}: invalid YAML: {exc}") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot be read: {exc.strerror}") from None
    from .variant import apply_metadata, merge_profile

    # Profiles and `-M` overrides of this build, as Quarto applies them.
    for profile in profiles:
        overlay = root / f"_quarto-{profile}.yml"
        if not overlay.is_file():
            raise ConfigError(f"{overlay}: not found (profile '{profile}' was asked for)")
        if isinstance(raw, dict):
            raw = merge_profile(raw, _read_yaml(overlay))
    if metadata and isinstance(raw, dict):
        raw = apply_metadata(raw, metadata)
    problems: list[str] = []
    source = str(path)
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise ConfigError(
            f"{path}: expected a mapping of keys (project:, book:, ...), not "
            f"{type(raw).__name__} {_short(raw)}"
        )
    project = _expect_mapping(raw.get("project"), "project", source, problems)
    book = _expect_mapping(raw.get("book"), "book", source, problems)
    if project.get("type", "book") != "book":
        problems.append(
            f"{path}: project type '{project.get('type')}' is not supported (only 'book')"
        )
    title = _text(book.get("title"), "book.title", source, problems)
    if not title:
        problems.append(f"{path}: book.title is required")

    chapters = _chapter_entries(book.get("chapters"), source, False, problems)
    # Quarto lists appendices under their own heading in the sidebar.
    chapters += [
        ChapterEntry(e.path, "Appendices", True)
        for e in _chapter_entries(book.get("appendices"), source, True, problems)
    ]
    if not chapters:
        problems.append(f"{path}: book.chapters lists no chapter")
    confined = []
    for entry in chapters:
        key = f"{path}: book.{'appendices' if entry.appendix else 'chapters'}"
        if confined_path(root, entry.path, key, problems) is None:
            continue
        confined.append(entry)
        if not (root / entry.path).is_file():
            problems.append(f"{path}: chapter '{entry.path}' does not exist")
        elif not entry.path.endswith((".qmd", ".md")):
            problems.append(f"{path}: chapter '{entry.path}' is not a .qmd or .md file")
    chapters = confined

    execute_dir = project.get("execute-dir", "file")
    if execute_dir not in ("file", "project"):
        problems.append(
            f"{path}: project.execute-dir must be 'file' or 'project', not '{execute_dir}'"
        )
    output_dir = (
        _text(project.get("output-dir", "_book"), "project.output-dir", source, problems) or "_book"
    )
    # Inside the project; the root itself and existing folders are refused by the build's
    # output safety check, which also covers --output-dir.
    confined_path(root, output_dir, f"{path}: project.output-dir", problems, must_exist=False)

    execute = dict(DEFAULT_EXECUTE)
    execute.update(_expect_mapping(raw.get("execute"), "execute", source, problems))
    limits = limits_from_config(raw, source, problems)

    formats = _expect_mapping(raw.get("format"), "format", source, problems)
    toc = True
    css: list[str] = []
    if isinstance(formats.get("html"), dict):
        toc = bool(formats["html"].get("toc", True))
        for sheet in _as_list(formats["html"].get("css")):
            if confined_path(root, sheet, f"{path}: format.html.css", problems) is None:
                continue
            if not (root / sheet).is_file():
                problems.append(f"{path}: format.html.css '{sheet}' does not exist")
            css.append(sheet)

    citation = raw.get("citation") or {}
    if citation is True:
        citation = {}
    if not isinstance(citation, dict):
        problems.append(f"{path}: citation must be a mapping of CSL fields or true")
        citation = {}

    subtitle = _text(book.get("subtitle"), "book.subtitle", source, problems)
    date = _text(book.get("date"), "book.date", source, problems)
    if problems:
        raise ConfigError("\n".join(problems))
    return BookConfig(
        root=root,
        title=str(title),
        subtitle=subtitle,
        author=_as_list(book.get("author")),
        date=date,
        chapters=chapters,
        output_dir=output_dir,
        execute_dir=execute_dir,
        execute=execute,
        toc=toc,
        css=css,
        output_file=None if book.get("output-file") is None else str(book["output-file"]),
        site_url=str(book["site-url"]).rstrip("/") + "/" if book.get("site-url") else None,
        description=None if book.get("description") is None else str(book["description"]),
        license=None if raw.get("license") is None else str(raw["license"]),
        citation=citation,
        lang=str(raw.get("lang") or "en"),
        limits=limits,
    )
