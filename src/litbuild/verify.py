"""Prove the published book is what was built, and that a rebuild reproduces it.

Three comparisons: the provenance record against the sha256 it carries of itself, every published file against the record (changed, added, missing), and a fresh rebuild
against the record (and so against the published files).
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from .build import build_builtin
from .config import load_config
from .errors import BuildError
from .events import Progress, to_stderr
from .provenance import (
    FACTS_CSV,
    PROVENANCE_FILE,
    RECORD_HASH_KEY,
    output_manifest,
    record_digest,
)
from .variant import Variant


class RecordError(BuildError):
    """The provenance record is missing, unreadable or not the one the build wrote."""


@dataclass
class VerifyReport:
    """Differences between the record, the published files and a fresh build."""

    changed: list[str] = field(default_factory=list)  # rebuilt differently from the record
    missing: list[str] = field(default_factory=list)  # recorded, not produced again
    extra: list[str] = field(default_factory=list)  # produced, not recorded
    items: list[str] = field(default_factory=list)  # figures/tables whose outputs differ
    facts: list[str] = field(default_factory=list)  # facts whose text or value differs
    published_changed: list[str] = field(default_factory=list)  # published != record
    published_added: list[str] = field(default_factory=list)  # published, not in the record
    published_missing: list[str] = field(default_factory=list)  # recorded, not published
    rebuilt: bool = True
    compared: int = 0

    @property
    def published_ok(self) -> bool:
        return not (self.published_changed or self.published_added or self.published_missing)

    @property
    def rebuild_ok(self) -> bool:
        return not (self.changed or self.missing or self.extra or self.items or self.facts)

    @property
    def ok(self) -> bool:
        return self.published_ok and self.rebuild_ok

    def lines(self) -> list[str]:
        out = [f"published file changed since the build: {p}" for p in self.published_changed]
        out += [f"published file not in the record (added): {p}" for p in self.published_added]
        out += [f"published file missing: {p}" for p in self.published_missing]
        out += [f"changed: {p}" for p in self.changed]
        out += [f"missing from rebuild: {p}" for p in self.missing]
        out += [f"new in rebuild: {p}" for p in self.extra]
        out += [f"affected: {i}" for i in self.items]
        out += [f"affected fact: {f}" for f in self.facts]
        return out


def _recorded(book: Path) -> dict:
    path = book / PROVENANCE_FILE
    if not path.is_file():
        raise RecordError(f"{path}: not found; build the book first (report build)")
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise RecordError(
            f"{path}: damaged, not a readable JSON record ({exc}); rebuild with report build"
        ) from None
    graph = record.get("@graph") if isinstance(record, dict) else None
    if not isinstance(graph, list) or not all(isinstance(g, dict) for g in graph):
        raise RecordError(
            f"{path}: damaged, expected a JSON-LD object with an @graph list; "
            "rebuild with report build"
        )
    return record


def check_record(book: Path) -> dict:
    """The provenance record, after checking it against the sha256 it carries of itself."""
    record = _recorded(book)
    expected = record.get(RECORD_HASH_KEY)
    if not isinstance(expected, str):
        raise RecordError(
            f"{book / PROVENANCE_FILE}: carries no {RECORD_HASH_KEY}, so it cannot "
            "be trusted (made by an older build?); rebuild with report build"
        )
    actual = record_digest(record)
    if actual != expected and record_digest(record, legacy=True) != expected:
        raise RecordError(
            f"{book / PROVENANCE_FILE}: changed since the build (sha256 {actual[:12]}"
            f", the build wrote {expected[:12]}); its hashes cannot be trusted"
        )
    return record


def _recorded_files(record: dict) -> dict[str, str]:
    return {
        g["@id"]: g.get("sha256")
        for g in record["@graph"]
        if g.get("@type") == "File" and isinstance(g.get("@id"), str)
    }


def _facts(book: Path) -> dict[str, tuple[str, str]]:
    path = book / FACTS_CSV
    if not path.is_file():
        return {}
    try:
        rows = csv.DictReader(io.StringIO(path.read_text(encoding="utf-8")))
        return {r.get("id"): (r.get("value"), r.get("text")) for r in rows}
    except (UnicodeDecodeError, csv.Error):
        return {"(facts.csv unreadable)": ("", "")}


def verify(
    project_dir: Path | str = ".", progress: Progress = to_stderr, rebuild: bool = True
) -> VerifyReport:
    """Check the record and the published files against it; then rebuild without the cache into
    a temporary folder and compare with the recorded hashes."""
    config = load_config(project_dir)
    book = config.root / config.output_dir
    record = check_record(book)
    recorded_files = _recorded_files(record)
    report = VerifyReport(compared=len(recorded_files), rebuilt=rebuild)
    published = output_manifest(book)
    report.published_changed = sorted(
        p for p in recorded_files.keys() & published.keys() if recorded_files[p] != published[p]
    )
    report.published_added = sorted(published.keys() - recorded_files.keys())
    report.published_missing = sorted(recorded_files.keys() - published.keys())
    if not rebuild:
        return report
    # Rebuild the variant that was published (edition, draft, ...), as its record says.
    settings = record["@graph"][0].get("buildSettings") if record.get("@graph") else None
    settings = dict(settings) if isinstance(settings, dict) else {}
    settings["profiles"] = tuple(settings.get("profiles") or ())
    try:
        variant = Variant(**settings)
    except TypeError as exc:
        raise RecordError(
            f"{book / PROVENANCE_FILE}: buildSettings not understood: {exc}"
        ) from None
    if variant.metadata or variant.profiles:
        config = load_config(project_dir, variant.metadata, variant.profiles)
    scratch = Path(tempfile.mkdtemp(prefix="litbuild-verify-"))
    try:
        fresh = scratch / "book"
        to = "all" if record.get("pdf") else "docx" if record.get("docx") else "html"
        build_builtin(
            config,
            to=to,
            output_dir=fresh,
            progress=progress,
            use_cache=False,
            write_figures=False,
            variant=variant,
        )
        rebuilt = output_manifest(fresh)
        report.changed = sorted(
            p for p in recorded_files.keys() & rebuilt.keys() if recorded_files[p] != rebuilt[p]
        )
        report.missing = sorted(recorded_files.keys() - rebuilt.keys())
        report.extra = sorted(rebuilt.keys() - recorded_files.keys())
        differing = set(report.changed) | set(report.missing)
        for g in record["@graph"]:
            is_item = g.get("additionalType") in ("figure", "table")
            results = g.get("result") if isinstance(g.get("result"), list) else []
            if is_item and any(isinstance(r, dict) and r.get("@id") in differing for r in results):
                report.items.append(f"{g.get('name')} ({g.get('identifier')})")
        old, new = _facts(book), _facts(fresh)
        report.facts = sorted(str(f) for f in old.keys() | new.keys() if old.get(f) != new.get(f))
        return report
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def lineage(project_dir: Path | str, identifier: str) -> dict:
    """The provenance record of one figure, table or fact, by label or fact id."""
    config = load_config(project_dir)
    record = _recorded(config.root / config.output_dir)
    wanted = identifier.removeprefix("#").removeprefix("fact-")
    matches = [g for g in record["@graph"] if g.get("identifier") in (identifier, wanted)]
    if not matches:
        known = sorted(str(g["identifier"]) for g in record["@graph"] if g.get("identifier"))
        close = [k for k in known if wanted.lower() in k.lower()][:10]
        hint = f"; did you mean: {', '.join(close)}" if close else ""
        raise BuildError(
            f"no figure, table or fact named '{identifier}' in "
            f"{config.output_dir}/{PROVENANCE_FILE}{hint}"
        )
    return matches[0]
