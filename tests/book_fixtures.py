"""Helpers for the tests on the real report (tests/test_book_*.py): copy, build, read, perturb.

Imported explicitly by those test files (tests/conftest.py belongs to the engine tests). The
project is copied with its sources only (`_quarto.yml`, `index.qmd`, `styles.css`, `chapters/`,
`data/`, `src/`):
`src/` is needed because provenance names code files relative to the project root, while the
kernels import `kzchina` from the editable install (this repository's `src/`). Data is read from
the copy: `kzchina.data.load()` walks up from the kernel's cwd (the copy's root) to `_quarto.yml`.
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import importlib
import io
import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import yaml

from helpers import (  # noqa: F401  (copy_built, tree_digest: used by the book tests)
    RenderedBook,
    copy_built,
    copy_sources,
    tree_digest,
)

ROOT = Path(__file__).resolve().parent.parent
REPORT = [sys.executable, "-m", "kzchina.cli"]
PROJECT_PARTS = (
    "_quarto.yml",
    "_quarto-changes.yml",
    "index.qmd",
    "styles.css",
    "chapters",
    "data",
    "src",
)
IGNORED = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info", ".litbuild", "_book")


# --------------------------------------------------------------------------- copying, building
def copy_project(destination: Path) -> Path:
    """Copy the report's sources (never an earlier build or cache) into `destination`."""
    return copy_sources(ROOT, destination, PROJECT_PARTS)


def quiet(message: str) -> None:
    """Progress callback that keeps test output clean."""


def clean_env(**extra: str) -> dict[str, str]:
    """The environment for a CLI subprocess: this one, without SOURCE_DATE_EPOCH unless given."""
    env = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
    env.update(extra)
    return env


def report_cli(
    *args: str, cwd: Path | None = None, env: dict | None = None, timeout: float = 300
) -> subprocess.CompletedProcess:
    """Run the `report` command (as `python -m kzchina.cli`), capturing its output."""
    return subprocess.run(
        [*REPORT, *args],
        cwd=cwd,
        env=env or clean_env(),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def call(name: str):
    """The function a provenance record names ('kzchina.figures.trade_with_china')."""
    module, _, attr = name.rpartition(".")
    return getattr(importlib.import_module(module), attr)


def sha256_file(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# --------------------------------------------------------------------------- the built book
@dataclass
class Book(RenderedBook):
    """A built copy of the report, with readers for its provenance and facts too."""

    def provenance(self) -> dict:
        return json.loads((self.out / "provenance.json").read_text(encoding="utf-8"))

    def actions(self) -> dict[str, dict]:
        """CreateAction entities of figures, tables and facts, by identifier."""
        return {
            g["identifier"]: g
            for g in self.provenance()["@graph"]
            if g.get("@type") == "CreateAction" and g.get("identifier")
        }

    def facts_rows(self) -> dict[str, dict]:
        text = (self.out / "facts.csv").read_text(encoding="utf-8")
        return {row["id"]: row for row in csv.DictReader(io.StringIO(text))}

    def resolved(self, source_text: str) -> str:
        """Source text with each inline `{python} fact("id")` replaced by the fact's text as
        this book's facts.csv records it (how a caption written with inline values reads)."""
        rows = self.facts_rows()
        return re.sub(inline_call("fact"), lambda m: rows[m.group(1)]["text"], source_text)

    def chapter_pages(self) -> list[str]:
        return [re.sub(r"\.qmd$", ".html", c.path) for c in book_chapters(self.project)]

    def fact_texts(self) -> dict[str, set[str]]:
        """Every `<a class="fact">` in the chapters: fact id -> the set of texts it shows."""
        found: dict[str, set[str]] = {}
        for page in self.chapter_pages():
            for a in self.html(page).select("a.fact[data-fact]"):
                found.setdefault(a["data-fact"], set()).add(as_typed(a.get_text()))
        return found


def as_typed(text: str) -> str:
    """A fact's text as the registry gives it, without the typesetting the page adds (no-break
    space between a number and its unit, word joiner after a sign)."""
    return text.replace("\u00a0", " ").replace("\u2060", "")


@contextlib.contextmanager
def source_date_epoch(value: str | None):
    """Set (or, with None, unset) SOURCE_DATE_EPOCH for an in-process build."""
    old = os.environ.pop("SOURCE_DATE_EPOCH", None)
    if value is not None:
        os.environ["SOURCE_DATE_EPOCH"] = value
    try:
        yield
    finally:
        os.environ.pop("SOURCE_DATE_EPOCH", None)
        if old is not None:
            os.environ["SOURCE_DATE_EPOCH"] = old


def build_book(
    project: Path,
    *,
    to: str = "all",
    output_dir: Path | None = None,
    epoch: str | None = None,
    draft: bool = False,
) -> Book:
    """Build in-process with the builtin engine (SOURCE_DATE_EPOCH = epoch, unset by default,
    as for the CLI subprocesses of clean_env); return where it went. `draft` builds even when
    claims in the text fail (as on perturbed data), marking them."""
    from litbuild.build import build
    from litbuild.variant import Variant

    with source_date_epoch(epoch):
        result = build(
            project,
            to=to,
            engine="builtin",
            output_dir=output_dir,
            progress=quiet,
            variant=Variant(draft=draft),
        )
    return Book(project, Path(result.output_dir))


# --------------------------------------------------------------------------- expectations
@dataclass
class ChapterSource:
    path: str
    number: str | None  # "1", "A", None
    title: str
    anchor: str  # the id of its level-1 heading ({#sec-...})


@dataclass
class ItemSource:
    """A labelled figure or table cell as the chapter source declares it."""

    label: str
    kind: str  # "figure" | "table"
    chapter: str
    number: str  # e.g. "2.3", "A.1"
    caption: str
    alt: str | None


def _outside_code(text: str) -> list[str]:
    lines, fenced = [], False
    for line in text.splitlines():
        if line.startswith("```"):
            fenced = not fenced
            continue
        if not fenced:
            lines.append(line)
    return lines


def book_chapters(project: Path = ROOT) -> list[ChapterSource]:
    """Chapters in book order with the number Quarto gives them (index and .unnumbered: none)."""
    config = yaml.safe_load((project / "_quarto.yml").read_text(encoding="utf-8"))
    entries = [(p, False) for p in config["book"]["chapters"]]
    entries += [(p, True) for p in config["book"].get("appendices", [])]
    chapters, number, letter = [], 0, 0
    for position, (path, appendix) in enumerate(entries):
        text = (project / path).read_text(encoding="utf-8")
        h1 = next(line for line in _outside_code(text) if re.match(r"# \S", line))
        title = re.sub(r"\s*\{[^}]*\}\s*$", "", h1[2:]).strip()
        anchor = (re.search(r"#([\w-]+)", h1[len(title) + 2 :]) or [None, ""])[1]
        unnumbered = ".unnumbered" in h1 or (position == 0 and path.endswith("index.qmd"))
        if unnumbered:
            chapters.append(ChapterSource(path, None, title, anchor))
        elif appendix:
            chapters.append(ChapterSource(path, "ABCDEFGHIJ"[letter], title, anchor))
            letter += 1
        else:
            number += 1
            chapters.append(ChapterSource(path, str(number), title, anchor))
    return chapters


def _cell_options(text: str) -> list[dict[str, str]]:
    """Each cell's `#|` options; a cell inside a `::: {#fig-x}` div gets the div's label and
    the div's caption paragraph (as written, inline code and all) as its caption."""
    cells, current, div_label, in_div = [], None, None, None
    for line in text.splitlines():
        div = re.match(r":::+\s*\{#((fig|tbl)-[\w.:-]+)\}\s*$", line.strip())
        if div:
            div_label = div.group(1)
            continue
        if re.match(r"```\{python", line):
            current = {}
            continue
        if current is not None:
            m = re.match(r"#\|\s*([\w-]+):\s*(.*)$", line)
            if m:
                value = m.group(2).strip()
                current[m.group(1)] = yaml.safe_load(value) if value else ""
                continue
            if line.startswith("```"):
                cells.append(current)
                if div_label:
                    current["label"] = div_label
                    in_div = current
                current, div_label = None, None
            continue
        if in_div is not None:
            if line.strip() == ":::":
                in_div = None
            elif line.strip():
                kind = in_div["label"].split("-", 1)[0]
                caption = in_div.get(f"{kind}-cap", "")
                in_div[f"{kind}-cap"] = f"{caption} {line.strip()}".strip()
    return cells


def book_items(project: Path = ROOT) -> list[ItemSource]:
    """Every labelled figure and table cell, numbered per chapter, from the .qmd sources."""
    items = []
    for chapter in book_chapters(project):
        text = (project / chapter.path).read_text(encoding="utf-8")
        counts = {"fig": 0, "tbl": 0}
        for options in _cell_options(text):
            label = str(options.get("label", ""))
            kind = label.split("-", 1)[0]
            if kind not in counts:
                continue
            counts[kind] += 1
            prefix = f"{chapter.number}." if chapter.number else ""
            items.append(
                ItemSource(
                    label,
                    "figure" if kind == "fig" else "table",
                    chapter.path,
                    f"{prefix}{counts[kind]}",
                    str(options.get(f"{kind}-cap", "")),
                    options.get("fig-alt"),
                )
            )
    return items


def inline_call(function: str) -> str:
    """The pattern of an inline `{python} function("id")`, the id as its group."""
    return rf"`\{{python\}}\s*{function}\(\"([^\"]+)\"\)\s*`"


def _inline_calls(project: Path, function: str) -> dict[str, list[str]]:
    """Ids passed to an inline `{python} function("id")` in the chapters: id -> chapters."""
    found: dict[str, list[str]] = {}
    pattern = inline_call(function)
    for chapter in book_chapters(project):
        text = (project / chapter.path).read_text(encoding="utf-8")
        for item_id in re.findall(pattern, text):
            chapters = found.setdefault(item_id, [])
            if chapter.path not in chapters:
                chapters.append(chapter.path)
    return found


def facts_in_sources(project: Path = ROOT) -> dict[str, list[str]]:
    """Fact ids used inline in the chapters: id -> chapters using it (from the .qmd text)."""
    return _inline_calls(project, "fact")


def claims_in_sources(project: Path = ROOT) -> dict[str, list[str]]:
    """Claim ids declared inline in the chapters: id -> chapters declaring it."""
    return _inline_calls(project, "claim")


# --------------------------------------------------------------------------- data perturbation
KEY_LIKE = {
    "year",
    "month",
    "order",
    "display_order",
    "topic_order",
    "measurement",
    "period_start",
    "period_end",
}


def _descriptor(project: Path, edition: str = "2022") -> dict:
    return json.loads((project / "data" / edition / "datapackage.json").read_text("utf-8"))


def _read_csv(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    text = path.read_text(encoding="utf-8")
    reader = csv.DictReader(io.StringIO(text, newline=""))
    return list(reader.fieldnames or []), list(reader)


def _write_csv(path: Path, header: list[str], rows: list[dict[str, str]]) -> None:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=header, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")


def _scaled(cell: str, factor: float, field: dict) -> str:
    """Scale one numeric cell, keeping its type, its printed precision and its constraints."""
    if cell == "":
        return cell
    c = field.get("constraints", {})
    low, high = c.get("minimum"), c.get("maximum")
    decimals = len(cell.split(".")[1]) if "." in cell else 0
    value = float(cell) * factor
    unit = 10.0**-decimals
    new = round(value, decimals)
    if round(new, decimals) == round(float(cell), decimals):  # too small to show a change
        new = (
            float(cell) + unit if high is None or float(cell) + unit <= high else float(cell) - unit
        )
    if low is not None:
        new = max(new, low)
    if high is not None:
        new = min(new, high)
    return f"{new:.{decimals}f}" if decimals else str(round(new))


def perturb_edition(project: Path, edition: str = "2022") -> dict[str, str]:
    """Change every value a fact can read, in the copy's data, keeping the schema valid.

    - every numeric value column (not keys such as years, orders or ranks) is scaled by a factor
      that differs per row and per column (so shares and ratios change too), keeping its printed
      precision and its minimum/maximum; perception index values also change sign (so the count
      of regions with a negative index changes);
    - series over years (investment position, FDI by sector) are reversed in time first, so the
      peak and the year of the peak move;
    - investor ranks rotate by one place and every country but China is renamed;
    - one foreign minister (the first, who sat on the Standing Committee) and the last topic of
      every period and tone are dropped, so counted rows change.
    Returns {resource: what was done} for messages.
    """
    descriptor = _descriptor(project, edition)
    folder = project / "data" / edition
    done = {}
    for resource in descriptor["resources"]:
        name, schema = resource["name"], resource["schema"]
        path = folder / resource["path"]
        header, rows = _read_csv(path)
        pk = schema.get("primaryKey", [])
        pk = [pk] if isinstance(pk, str) else list(pk)
        fields = {f["name"]: f for f in schema["fields"]}
        value_columns = [
            f["name"]
            for f in schema["fields"]
            if f.get("type") in ("number", "integer")
            and f["name"] not in pk
            and f["name"] not in KEY_LIKE
        ]
        if name in ("china_investment_position", "fdi_by_sector"):
            series_key = "category" if name == "china_investment_position" else "sector"
            for key in {r[series_key] for r in rows}:
                series = sorted((r for r in rows if r[series_key] == key), key=lambda r: r["year"])
                for column in value_columns:
                    filled = [r for r in series if r[column] != ""]
                    for r, v in zip(filled, reversed([r[column] for r in filled])):
                        r[column] = v
        if name == "investor_ranks":
            top = max(int(r["rank"]) for r in rows)
            for r in rows:
                r["rank"] = str(int(r["rank"]) % top + 1)
                if r["country"] != "China":
                    r["country"] = "Renamed " + r["country"]
        if name == "foreign_ministers":
            rows = rows[1:]
        if name == "media_topics":
            last = {}
            for r in rows:
                key = (r["period"], r["tone"])
                if key not in last or int(r["topic_order"]) > int(last[key]["topic_order"]):
                    last[key] = r
            rows = [r for r in rows if r not in last.values()]
        for i, r in enumerate(rows):
            for j, column in enumerate(value_columns):
                factor = 0.8 - 0.015 * ((7 * i) % 19) - 0.05 * j
                if name == "perception_index":
                    factor = -factor
                r[column] = _scaled(r[column], factor, fields[column])
        _write_csv(path, header, rows)
        done[name] = f"scaled {value_columns}" if value_columns else "rows/keys changed"
    return done


# --------------------------------------------------------------------------- shared builds
# Several test files need the same built copy; pytest would run an imported session fixture once
# per module, so the builds are memoised here, once per test process.
_SHARED: dict[str, object] = {}


def shared(key: str, make):
    """Return the memoised value for key, making it on first use."""
    if key not in _SHARED:
        _SHARED[key] = make()
    return _SHARED[key]


def main_book(tmp_path_factory) -> Book:
    """The report copied once and built once (HTML and PDF) for the whole session."""

    def make() -> Book:
        project = copy_project(tmp_path_factory.mktemp("book") / "report")
        return build_book(project, to="all")

    return shared("main", make)
