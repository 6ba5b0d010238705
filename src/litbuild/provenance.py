"""Provenance a reviewer can follow: for each figure, table and fact, its inputs, code and outputs.

The report package describes its own outputs (a `application/vnd.litbuild.provenance+json` entry in
a figure's or table's display bundle, `_litbuild_inline_()` on inline values); the engine adds what
only it knows: which files each chapter opened, output files and their hashes, git state, versions.
The record is JSON-LD with schema.org names: an `@graph` of File, Dataset, SoftwareSourceCode
and CreateAction entities. It is not an RO-Crate (it has no `ro-crate-metadata.json` descriptor,
and inputs, code and outputs are nested in the action that used them, for readers, where an
RO-Crate would flatten them), so it does not use RO-Crate's context or claim to conform.
"""

from __future__ import annotations

import csv
import functools
import hashlib
import io
import json
import os
import posixpath
import re
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .assemble import OutputItem
from .ast import Node, RawBlock
from .cache import copy_source, environment_fingerprint, sha256_file, source_sha256
from .contract import ContractError, FactProvenance, InlineInfo, InputRecord, ItemProvenance
from .crossref import ChapterInfo
from .csvsafe import neutralise_csv, safe_row
from .execute import ExecutedChapter
from .pages import ChapterPage, relative_link

PROVENANCE_FILE = "provenance.json"
FACTS_CSV = "facts.csv"
FACTS_PAGE = "facts.html"
SOURCE_DIR = "_source"
# schema.org terms (schema.org's own name for a file entity is MediaObject).
PROVENANCE_CONTEXT = {
    "@vocab": "https://schema.org/",
    "File": "https://schema.org/MediaObject",
}  # copies of the data and code files that outputs link to


@dataclass
class FactRecord:
    """One headline fact as used in the book, with every place it appears."""

    fact_id: str
    text: str
    info: FactProvenance
    used_in: list[dict[str, Any]] = field(default_factory=list)


def collect_facts(
    order: list[str], executed: dict[str, ExecutedChapter], inline_lines: dict[str, dict[int, int]]
) -> list[FactRecord]:
    """Every inline value that names a fact, in book order, merged by fact id."""
    facts: dict[str, FactRecord] = {}
    for path in order:
        for index, value in sorted(executed[path].inline_values.items()):
            line = inline_lines[path].get(index)
            if value.get("info") is None:
                continue
            info = InlineInfo.from_json(value["info"], f"{path}:{line}: inline value")
            if not info.fact_id:
                continue
            if info.provenance is None:
                raise ContractError(f"{path}:{line}: fact {info.fact_id!r} carries no provenance")
            record = facts.setdefault(
                info.fact_id, FactRecord(info.fact_id, info.text, info.provenance)
            )
            record.used_in.append({"chapter": path, "line": line})
    return list(facts.values())


def _sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def download_path(item: OutputItem) -> str:
    """Where the CSV of exactly the data shown goes, beside the chapter's figures."""
    return ChapterPage(item.chapter).download(item.label)


def write_downloads(out: Path, items: list[OutputItem], root: Path) -> None:
    """Write each item's data CSV and copy the data and code files it names into _source/."""
    for item in items:
        prov = item.provenance
        if not prov or not item.label:
            continue
        if prov.data_csv is not None:
            target = out / download_path(item)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(download_bytes(prov))
        for rel in _linked_files(prov):
            source = root / rel
            if source.is_file():
                copy = out / SOURCE_DIR / rel
                copy.parent.mkdir(parents=True, exist_ok=True)
                copy_source(source, copy)


def download_bytes(prov: ItemProvenance) -> bytes:
    """The 'Data shown' CSV as published: formula-like cells neutralised for spreadsheets."""
    return neutralise_csv(prov.data_csv).encode("utf-8")


def _linked_files(prov: ItemProvenance) -> list[str]:
    files = [i.path for i in prov.inputs if i.path]
    if prov.code is not None:
        files.append(prov.code.file)
    return files


def _short(digest: str | None) -> str:
    return (digest or "missing")[:12]


@functools.cache  # one environment per process: it keeps its compiled templates
def _templates():
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("litbuild", "templates"),
        autoescape=True,
        keep_trailing_newline=False,
    )
    env.filters["breakable"] = breakable
    return env


def breakable(text: str):
    """Escape text and allow a line break after each _ . / (long ids and paths wrap cleanly)."""
    from markupsafe import Markup, escape

    return Markup(re.sub(r"([_./])", r"\1<wbr>", str(escape(text))))


def disclosure_html(item: OutputItem, page: str, out: Path) -> str:
    """The 'Data & code' block shown under a figure or table."""
    prov = item.provenance
    assert prov is not None, "disclosure_html is called only for items with provenance"

    def rel(p: str) -> str:
        return relative_link(p, page)

    entries = []
    if prov.data_csv is not None:
        entries.append(
            {
                "href": rel(download_path(item)),
                "text": "Data shown (CSV)",
                "download": True,
                "sha256": _sha256_bytes(download_bytes(prov)),
            }
        )
    for inp in prov.inputs:
        entries.append(
            {
                "lead": "Input: ",
                "href": rel(SOURCE_DIR + "/" + inp.path),
                "text": inp.path,
                "after": f"({inp.resource or inp.path})",
                "sha256": inp.sha256 or "missing",
            }
        )
    code = prov.code
    if prov.function:
        entries.append(
            {
                "lead": "Code: ",
                "code": prov.function,
                "href": rel(SOURCE_DIR + "/" + code.file) if code else None,
                "text": f"{code.file}, line {code.line}" if code else "",
            }
        )
    for asset in item.assets:
        entries.append(
            {
                "lead": "Output: ",
                "href": rel(asset),
                "text": posixpath.basename(asset),
                "sha256": sha256_file(out / asset),
            }
        )
    return (
        _templates()
        .get_template("disclosure.html")
        .render(label=item.label or "", source_note=prov.source_note, entries=entries)
    )


def disclosure_blocks(
    items_by_label: dict[str, OutputItem], page: str, out: Path
) -> Callable[[str], list[Node]]:
    """For finish_chapter: the disclosure to place after each figure or table with provenance."""

    def after(label: str) -> list[Node]:
        item = items_by_label.get(label)
        if item is None or not item.provenance:
            return []
        return [RawBlock("html", disclosure_html(item, page, out))]

    return after


def facts_csv(facts: list[FactRecord]) -> str:
    """id, value, formatted text, unit, inputs (path@sha256; ...), code location, used in."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(
        [
            "id",
            "value",
            "text",
            "unit",
            "inputs",
            "function",
            "params",
            "code",
            "used_in",
            "derivation",
        ]
    )
    for fact in facts:
        info = fact.info
        code = info.code
        writer.writerow(
            safe_row(
                [
                    fact.fact_id,
                    "" if info.value is None else info.value,
                    fact.text,
                    info.unit,
                    "; ".join(f"{i.path}@{i.sha256}" for i in info.inputs),
                    info.function,
                    json.dumps(info.params, sort_keys=True, ensure_ascii=False)
                    if info.params
                    else "",
                    f"{code.file}:{code.line}" if code else "",
                    "; ".join(f"{u['chapter']}:{u['line']}" for u in fact.used_in),
                    info.derivation or "",
                ]
            )
        )
    return buffer.getvalue()


def facts_page_html(facts: list[FactRecord], infos: list[ChapterInfo] = ()) -> str:
    """The body of the Facts page: one row per fact, anchored by its id, chapters by title."""
    titles = {i.path: (i.page, f"{i.number} {i.title}" if i.number else i.title) for i in infos}
    rows = []
    for fact in facts:
        info = fact.info
        code = info.code
        used = []
        for use in fact.used_in:  # each chapter once, in order of use
            page, title = titles.get(
                use["chapter"], (ChapterPage(use["chapter"]).page, use["chapter"])
            )
            if all(u["href"] != page for u in used):
                used.append({"href": page, "title": title})
        rows.append(
            {
                "id": fact.fact_id,
                "text": fact.text,
                "unit": str(info.unit or ""),
                "derivation": info.derivation or "",
                "inputs": [
                    {
                        "href": SOURCE_DIR + "/" + i.path,
                        "path": i.path,
                        "sha256": i.sha256 or "",
                        "short": _short(i.sha256),
                    }
                    for i in info.inputs
                ],
                "function": info.function,
                "code": f"{code.file}:{code.line}" if code else "",
                "used_in": used,
            }
        )
    return _templates().get_template("facts.html").render(rows=rows, facts=facts, csv=FACTS_CSV)


def facts_page_info() -> ChapterInfo:
    return ChapterInfo(
        path="facts", page=FACTS_PAGE, number=None, title="Facts", appendix=True, part="Provenance"
    )


def git_state(root: Path) -> dict[str, Any]:
    """The commit the build came from and whether the tree had uncommitted changes."""

    def git(*args: str) -> str | None:
        try:
            proc = subprocess.run(
                ["git", "-C", str(root), *args], capture_output=True, text=True, check=False
            )
        except FileNotFoundError:
            return None
        return proc.stdout.strip() if proc.returncode == 0 else None

    # One git process (it is asked several times per build): the commit is the branch.oid header
    # ("(initial)" before the first commit), every other line a change to a tracked file.
    status = git("status", "--porcelain=v2", "--branch", "--untracked-files=no")
    if status is None:
        return {"commit": None, "dirty": None}
    lines = status.splitlines()
    oid = next((line.split()[2] for line in lines if line.startswith("# branch.oid ")), None)
    commit = oid if oid and oid != "(initial)" else None
    return {"commit": commit, "dirty": any(not line.startswith("#") for line in lines)}


def git_blob_hashes(root: Path, files: list[str]) -> dict[str, str]:
    """Git blob ids of the current file contents (what `git hash-object` prints)."""
    files = sorted({f for f in files if (root / f).is_file()})
    if not files:
        return {}
    try:
        proc = subprocess.run(
            ["git", "-C", str(root), "hash-object", "--", *files],
            capture_output=True,
            text=True,
            check=False,
        )
    except FileNotFoundError:
        return {}
    if proc.returncode != 0:
        return {}
    return dict(zip(files, proc.stdout.split()))


def output_manifest(out: Path, skip: tuple[str, ...] = (PROVENANCE_FILE,)) -> dict[str, str]:
    """sha256 of every file in the output folder, by POSIX path relative to it."""
    manifest = {}
    for dirpath, _dirs, files in os.walk(out):
        for name in files:
            full = Path(dirpath) / name
            rel = full.relative_to(out).as_posix()
            if rel not in skip:
                manifest[rel] = sha256_file(full)
    return dict(sorted(manifest.items()))


def provenance_document(
    root: Path,
    out: Path,
    infos: list[ChapterInfo],
    executed: dict[str, ExecutedChapter],
    items: list[OutputItem],
    facts: list[FactRecord],
    pdf_name: str | None,
    settings: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Assemble the JSON-LD record of the whole build (settings: its variant)."""
    code_files = [f for e in executed.values() for f in e.modules]
    for prov in [i.provenance for i in items if i.provenance] + [f.info for f in facts]:
        if prov.code is not None:
            code_files.append(prov.code.file)
    blobs = git_blob_hashes(root, code_files)
    files = output_manifest(out)
    graph: list[dict[str, Any]] = [
        {
            "@id": "./",
            "@type": "Dataset",
            "name": "Rendered book",
            "hasPart": [{"@id": f} for f in files],
            "git": git_state(root),
            "software": environment_fingerprint_portable(),
        }
    ]
    if settings:  # parameters, metadata overrides, environment, draft: `verify` rebuilds with them
        graph[0]["buildSettings"] = settings
    for rel, digest in files.items():
        graph.append({"@id": rel, "@type": "File", "sha256": digest})
    for info in infos:
        run = executed[info.path]
        graph.append(
            {
                "@id": f"#run-{info.path}",
                "@type": "CreateAction",
                "name": f"execute {info.path}",
                "instrument": {"@id": info.path, "sha256": source_sha256(root / info.path)},
                "object": [_read_entity(f, run.read_digests.get(f)) for f in run.files_read],
                "modules": [
                    {"@id": m, "sha256": source_sha256(root / m), "gitBlob": blobs.get(m)}
                    for m in run.modules
                ],
                "result": [{"@id": info.page}],
            }
        )
    for item in items:
        if not item.label:
            continue
        graph.append(_item_action(item, out, blobs))
    for fact in facts:
        graph.append(_fact_action(fact, blobs))
    return {"@context": PROVENANCE_CONTEXT, "@graph": graph, "pdf": pdf_name}


def _read_entity(path: str, digest: str | None) -> dict[str, Any]:
    """A file the chapter read (with its sha256), or a directory it listed (a listing digest)."""
    if digest is not None and digest.startswith("listing:"):
        return {"@id": path, "@type": "Dataset", "listing": digest.removeprefix("listing:")}
    return {"@id": path, "sha256": digest}


def environment_fingerprint_portable() -> dict[str, str]:
    """Versions without machine-specific paths, so records compare across machines."""
    return {k: v for k, v in environment_fingerprint().items() if k != "executable"}


def _code_entity(prov: ItemProvenance | FactProvenance, blobs: dict[str, str]) -> dict[str, Any]:
    code = prov.code
    return {
        "@type": "SoftwareSourceCode",
        "name": prov.function,
        "file": code.file if code else None,
        "line": code.line if code else None,
        "gitBlob": blobs.get(code.file) if code else None,
    }


def _inputs(inputs: list[InputRecord]) -> list[dict[str, Any]]:
    return [{"@id": i.path, "resource": i.resource, "sha256": i.sha256} for i in inputs]


def _item_action(item: OutputItem, out: Path, blobs: dict[str, str]) -> dict[str, Any]:
    prov = item.provenance
    results = [{"@id": a, "sha256": sha256_file(out / a)} for a in item.assets]
    if prov is not None and prov.data_csv is not None:
        path = download_path(item)
        results.append({"@id": path, "sha256": sha256_file(out / path)})
    return {
        "@id": f"#{item.label}",
        "@type": "CreateAction",
        "identifier": item.label,
        "additionalType": item.kind,
        "name": f"{'Figure' if item.kind == 'figure' else 'Table'} {item.number}",
        "caption": item.caption,
        "chapter": item.chapter,
        "page": ChapterPage(item.chapter).page,
        "instrument": _code_entity(prov, blobs) if prov else None,
        "object": _inputs(prov.inputs) if prov else [],
        "result": results,
        "sourceNote": prov.source_note if prov else None,
    }


def _fact_action(fact: FactRecord, blobs: dict[str, str]) -> dict[str, Any]:
    info = fact.info
    return {
        "@id": f"#fact-{fact.fact_id}",
        "@type": "CreateAction",
        "identifier": fact.fact_id,
        "additionalType": info.kind,
        "name": fact.fact_id,
        "value": info.value,
        "text": fact.text,
        "unit": info.unit,
        "usedIn": fact.used_in,
        "params": info.params,
        "instrument": _code_entity(info, blobs),
        "object": _inputs(info.inputs),
        **({"derivation": info.derivation} if info.derivation else {}),
    }


RECORD_HASH_KEY = "recordSha256"  # the record's own sha256, so a changed record is noticed


def _record_text(data: Any) -> str:
    return json.dumps(data, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def record_digest(record: dict[str, Any], legacy: bool = False) -> str:
    """sha256 of the record without its own hash field, in canonical compact JSON (sorted keys;
    json's fast encoder: the indented text the file holds takes the slow one). `legacy`: of the
    indented text, as records written before 2026-12 were sealed."""
    rest = {k: v for k, v in record.items() if k != RECORD_HASH_KEY}
    if legacy:
        text = _record_text(rest)
    else:
        text = json.dumps(rest, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def seal(record: dict[str, Any]) -> dict[str, Any]:
    """The record with its own sha256 added (see record_digest)."""
    return {**record, RECORD_HASH_KEY: record_digest(record)}


def write_json(path: Path, data: Any) -> None:
    """Write JSON deterministically (sorted keys, fixed layout), atomically."""
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(_record_text(data), encoding="utf-8")
    os.replace(tmp, path)


def write_standalone_figures(
    figures_dir: Path, items: list[OutputItem], out: Path, doc: dict[str, Any]
) -> list[str]:
    """Copy every labelled figure to figures/ as SVG and PNG with a JSON provenance sidecar."""
    actions = {g.get("identifier"): g for g in doc["@graph"] if g.get("@type") == "CreateAction"}
    figures_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for item in items:
        if item.kind != "figure" or not item.label or not item.assets:
            continue
        for asset in item.assets:
            ext = posixpath.splitext(asset)[1]
            target = figures_dir / f"{item.label}{ext}"
            shutil.copyfile(out / asset, target)
            written.append(target.name)
        write_json(figures_dir / f"{item.label}.json", actions.get(item.label, {}))
        written.append(f"{item.label}.json")
    return written
