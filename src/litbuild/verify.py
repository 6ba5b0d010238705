"""Prove a rebuild reproduces the published outputs: rebuild afresh, compare every hash."""

from __future__ import annotations

import csv
import io
import json
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from .build import Progress, _stderr, build_builtin
from .config import load_config
from .errors import BuildError
from .provenance import FACTS_CSV, PROVENANCE_FILE, output_manifest


@dataclass
class VerifyReport:
    """Differences between the recorded build and a fresh one."""

    changed: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # recorded, not produced again
    extra: list[str] = field(default_factory=list)  # produced, not recorded
    items: list[str] = field(default_factory=list)  # figures/tables whose outputs differ
    facts: list[str] = field(default_factory=list)  # facts whose text or value differs
    compared: int = 0

    @property
    def ok(self) -> bool:
        return not (self.changed or self.missing or self.extra or self.items or self.facts)

    def lines(self) -> list[str]:
        out = [f"changed: {p}" for p in self.changed]
        out += [f"missing from rebuild: {p}" for p in self.missing]
        out += [f"new in rebuild: {p}" for p in self.extra]
        out += [f"affected: {i}" for i in self.items]
        out += [f"affected fact: {f}" for f in self.facts]
        return out


def _recorded(book: Path) -> dict:
    path = book / PROVENANCE_FILE
    if not path.is_file():
        raise BuildError(f"{path}: not found; build the book first (report build)")
    return json.loads(path.read_text(encoding="utf-8"))


def _facts(book: Path) -> dict[str, tuple[str, str]]:
    path = book / FACTS_CSV
    if not path.is_file():
        return {}
    rows = csv.DictReader(io.StringIO(path.read_text(encoding="utf-8")))
    return {r["id"]: (r["value"], r["text"]) for r in rows}


def verify(project_dir: Path | str = ".", progress: Progress = _stderr) -> VerifyReport:
    """Rebuild without the cache into a temporary folder and compare with the recorded hashes."""
    config = load_config(project_dir)
    book = config.root / config.output_dir
    record = _recorded(book)
    recorded_files = {g["@id"]: g["sha256"] for g in record["@graph"] if g.get("@type") == "File"}
    scratch = Path(tempfile.mkdtemp(prefix="litbuild-verify-"))
    try:
        fresh = scratch / "book"
        to = "all" if record.get("pdf") else "docx" if record.get("docx") else "html"
        build_builtin(config, to=to, output_dir=fresh, progress=progress, use_cache=False,
                      write_figures=False)
        rebuilt = output_manifest(fresh)
        report = VerifyReport(compared=len(recorded_files))
        report.changed = sorted(p for p in recorded_files.keys() & rebuilt.keys()
                                if recorded_files[p] != rebuilt[p])
        report.missing = sorted(recorded_files.keys() - rebuilt.keys())
        report.extra = sorted(rebuilt.keys() - recorded_files.keys())
        differing = set(report.changed) | set(report.missing)
        for g in record["@graph"]:
            is_item = g.get("additionalType") in ("figure", "table")
            if is_item and any(r["@id"] in differing for r in g.get("result", [])):
                report.items.append(f"{g['name']} ({g['identifier']})")
        old, new = _facts(book), _facts(fresh)
        report.facts = sorted(f for f in old.keys() | new.keys() if old.get(f) != new.get(f))
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
        known = sorted(g["identifier"] for g in record["@graph"] if g.get("identifier"))
        close = [k for k in known if wanted.lower() in k.lower()][:10]
        hint = f"; did you mean: {', '.join(close)}" if close else ""
        raise BuildError(f"no figure, table or fact named '{identifier}' in "
                         f"{config.output_dir}/{PROVENANCE_FILE}{hint}")
    return matches[0]
