"""Load one edition of the report's data package, lazily and with schema checks.

Usage::

    from kzchina.data import load
    ds = load()                                  # newest edition under <root>/data/
    fdi = ds.table("fdi_by_sector")              # pandas DataFrame, typed from the schema
    ds.resource_meta("fdi_by_sector").units      # {"position_usd_mn": "USD million"}
    with ds.recording() as used:
        ds.table("trade_with_china")
    used[0].path, used[0].sha256                 # provenance of what the block read

Design notes (why it looks like this):

- ``datapackage.json`` is read when the Dataset is created; each CSV is opened only on the first
  ``table(name)`` call. The build engine re-executes a chapter when a file it opened changes, so a
  chapter must open exactly the CSVs it uses.
- The fast path validates with a hand-rolled checker driven by the Table Schema (types, required,
  enum, minimum/maximum, pattern, unique, primary key, header, encoding/BOM, empty file) instead of
  frictionless-py: one small CSV loads in a few milliseconds this way, while frictionless adds tens
  of milliseconds per resource and a heavy import to every chapter kernel. Foreign keys need a
  second file, so they are checked only by ``kzchina.validate.check_edition`` (which also runs
  frictionless-py on the whole package).
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import hashlib
import io
import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from kzchina.problems import Problem, ProblemsError

EDITION_ENV = "REPORT_EDITION"
PROJECT_MARKER = "_quarto.yml"
STATUSES = ("published", "derived", "external")
CARRIED_OVER = "carried-over"  # a row copied by `report new-edition`, not yet updated


# --------------------------------------------------------------------------- locating data
def find_root(start: Path | str | None = None) -> Path:
    """Return the nearest folder at or above start holding _quarto.yml (else start itself)."""
    here = Path(start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / PROJECT_MARKER).is_file():
            return folder
    return here


def editions(root: Path | str | None = None) -> list[str]:
    """List edition folders (those holding datapackage.json) under root/data, oldest first."""
    data = find_root(root) / "data" if root is None else Path(root) / "data"
    if not data.is_dir():
        return []
    return sorted(p.name for p in data.iterdir() if (p / "datapackage.json").is_file())


def configured_edition(root: Path) -> str | None:
    """Return the edition _quarto.yml names under `params: edition:`, if any."""
    import yaml

    try:
        raw = yaml.safe_load((Path(root) / PROJECT_MARKER).read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError):
        return None
    params = raw.get("params") if isinstance(raw, dict) else None
    value = params.get("edition") if isinstance(params, dict) else None
    return None if value in (None, "") else str(value)


def resolve_edition(edition: str | None, root: Path) -> str:
    """Pick the edition: the argument, $REPORT_EDITION, _quarto.yml's params, the newest folder."""
    if edition:
        return str(edition)
    if os.environ.get(EDITION_ENV):
        return os.environ[EDITION_ENV]
    named = configured_edition(root)
    if named:
        return named
    found = editions(root)
    if not found:
        raise ProblemsError(
            [
                Problem(
                    _rel(root / "data", root),
                    None,
                    None,
                    "no edition found: expected data/<edition>/datapackage.json",
                    "missing-edition",
                )
            ]
        )
    return found[-1]


def _rel(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.as_posix()


# --------------------------------------------------------------------------- metadata
@dataclass(frozen=True)
class ResourceMeta:
    """What the descriptor says about one resource."""

    name: str
    title: str
    description: str
    path: Path
    schema: dict[str, Any]
    sources: list[dict[str, Any]]
    units: dict[str, str]
    primary_key: list[str]
    foreign_keys: list[dict[str, Any]]

    @property
    def fields(self) -> list[dict[str, Any]]:
        """Return the Table Schema field descriptors, in column order."""
        return list(self.schema.get("fields", []))

    def field(self, name: str) -> dict[str, Any]:
        """Return one field's descriptor."""
        for f in self.fields:
            if f["name"] == name:
                return f
        raise KeyError(f"resource {self.name!r} has no field {name!r}")


@dataclass(frozen=True)
class Access:
    """One resource read: its name, file path (relative to the project root) and content hash."""

    name: str
    path: str
    sha256: str


# --------------------------------------------------------------------------- the dataset
class Dataset:
    """One edition of the data package; CSVs are read and validated on first use."""

    def __init__(self, root: Path, edition: str):
        self.root = Path(root)
        self.edition = edition
        self.folder = self.root / "data" / edition
        self.descriptor_path = self.folder / "datapackage.json"
        self.descriptor = _read_descriptor(self.descriptor_path, self.root)
        self.version: str = str(self.descriptor.get("version", ""))
        self.name: str = str(self.descriptor.get("name", ""))
        self.title: str = str(self.descriptor.get("title", ""))
        self.sources: list[dict[str, Any]] = list(self.descriptor.get("sources", []))
        self._resources = {r["name"]: r for r in self.descriptor.get("resources", [])}
        self._frames: dict[str, pd.DataFrame] = {}
        self._hashes: dict[str, str] = {}
        self._accessed: dict[str, None] = {}  # insertion-ordered set
        self._recorders: list[list[Access]] = []

    def __repr__(self) -> str:
        return f"Dataset(edition={self.edition!r}, version={self.version!r}, resources={len(self._resources)})"

    # -- discovery
    @property
    def resource_names(self) -> list[str]:
        """Return resource names in descriptor order."""
        return list(self._resources)

    @property
    def accessed(self) -> list[str]:
        """Return names of resources read so far, in first-read order."""
        return list(self._accessed)

    def resource_path(self, name: str) -> Path:
        """Return the absolute path of a resource's CSV file."""
        return self.folder / self._resource(name)["path"]

    def resource_relpath(self, name: str) -> str:
        """Return a resource's path relative to the project root (as used in Problems)."""
        return _rel(self.resource_path(name), self.root)

    def resource_meta(self, name: str) -> ResourceMeta:
        """Return the descriptor's view of a resource (schema, sources, units, keys)."""
        r = self._resource(name)
        schema = r.get("schema", {})
        pk = schema.get("primaryKey", [])
        return ResourceMeta(
            name=name,
            title=r.get("title", name),
            description=r.get("description", ""),
            path=self.resource_path(name),
            schema=schema,
            sources=list(r.get("sources", self.sources)),
            units={f["name"]: f["unit"] for f in schema.get("fields", []) if "unit" in f},
            primary_key=[pk] if isinstance(pk, str) else list(pk),
            foreign_keys=list(schema.get("foreignKeys", [])),
        )

    def unit(self, name: str, field_name: str) -> str | None:
        """Return the unit of one field, or None if it has none."""
        return self.resource_meta(name).units.get(field_name)

    # -- reading
    def table(self, name: str) -> pd.DataFrame:
        """Return a resource as a typed DataFrame (a copy), validating it on first read."""
        meta = self.resource_meta(name)
        if name not in self._frames:
            raw = _read_bytes(meta.path, self.resource_relpath(name))
            frame, problems = parse_resource(raw, meta, self.resource_relpath(name))
            if problems:
                raise ProblemsError(problems)
            self._frames[name] = frame
            self._hashes[name] = hashlib.sha256(raw).hexdigest()
        self._accessed.setdefault(name, None)
        access = Access(name, self.resource_relpath(name), self._hashes[name])
        for used in self._recorders:
            if access not in used:
                used.append(access)
        return self._frames[name].copy()

    def sha256(self, name: str) -> str:
        """Return the sha256 of a resource's file as read (reads it if needed)."""
        if name not in self._hashes:
            self.table(name)
        return self._hashes[name]

    @contextlib.contextmanager
    def recording(self) -> Iterator[list[Access]]:
        """Collect, in order, the resources read inside the block (name, path, sha256)."""
        used: list[Access] = []
        self._recorders.append(used)
        try:
            yield used
        finally:
            # By identity: two nested recordings that read the same resources hold equal lists.
            self._recorders = [r for r in self._recorders if r is not used]

    def _resource(self, name: str) -> dict[str, Any]:
        try:
            return self._resources[name]
        except KeyError:
            known = ", ".join(sorted(self._resources))
            raise KeyError(
                f"no resource {name!r} in edition {self.edition}; known: {known}"
            ) from None


def load(edition: str | None = None, root: Path | str | None = None) -> Dataset:
    """Open one edition of the data package (descriptor now, CSVs on first use)."""
    root_path = find_root() if root is None else Path(root).resolve()
    return Dataset(root_path, resolve_edition(edition, root_path))


# --------------------------------------------------------------------------- reading files
def _read_descriptor(path: Path, root: Path) -> dict[str, Any]:
    rel = _rel(path, root)
    if not path.is_file():
        raise ProblemsError([Problem(rel, None, None, "missing file", "missing-file")])
    try:
        descriptor = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ProblemsError(
            [Problem(rel, None, None, f"invalid JSON: {exc}", "descriptor-error")]
        ) from None
    if not isinstance(descriptor, dict) or not isinstance(descriptor.get("resources"), list):
        raise ProblemsError(
            [
                Problem(
                    rel,
                    None,
                    None,
                    "expected an object with a 'resources' list",
                    "descriptor-error",
                )
            ]
        )
    return descriptor


def _read_bytes(path: Path, rel: str) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise ProblemsError([Problem(rel, None, None, "missing file", "missing-file")]) from None


# --------------------------------------------------------------------------- fast schema check
_INT = re.compile(r"[+-]?\d+")
_NUM = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _cast(value: str, type_: str) -> Any:
    """Cast one non-empty cell; raise ValueError with what was expected."""
    if type_ == "string":
        return value
    if type_ == "integer":
        if not _INT.fullmatch(value):
            raise ValueError("expected integer")
        return int(value)
    if type_ == "number":
        if not _NUM.fullmatch(value):
            raise ValueError("expected number with '.' as decimal point")
        return float(value)
    if type_ == "date":
        if not _DATE.fullmatch(value):
            raise ValueError("expected date YYYY-MM-DD")
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            raise ValueError("expected a real calendar date YYYY-MM-DD") from None
    if type_ == "boolean":
        if value in ("true", "True", "TRUE", "1"):
            return True
        if value in ("false", "False", "FALSE", "0"):
            return False
        raise ValueError("expected boolean true/false")
    if type_ == "year":
        if not re.fullmatch(r"\d{4}", value):
            raise ValueError("expected year YYYY")
        return int(value)
    raise ValueError(f"unsupported field type {type_!r}")


def _constraint_value(bound: Any, type_: str) -> Any:
    if type_ == "date" and isinstance(bound, str):
        return dt.date.fromisoformat(bound)
    return bound


def _line_of(raw: bytes, offset: int) -> int:
    return raw.count(b"\n", 0, offset) + 1


def parse_resource(
    raw: bytes, meta: ResourceMeta, rel: str
) -> tuple[pd.DataFrame | None, list[Problem]]:
    """Check raw CSV bytes against the schema; return (typed frame or None, every problem)."""
    problems: list[Problem] = []

    def problem(row: int | None, column: str | None, message: str, type_: str) -> None:
        problems.append(Problem(rel, row, column, message, type_))

    # -- bytes: empty, BOM, encoding
    if not raw.strip():
        problem(None, None, "empty file: expected a header row and data", "empty-file")
        return None, problems
    if raw.startswith(b"\xef\xbb\xbf"):
        problem(1, None, "expected UTF-8 without byte-order mark, got a BOM", "encoding-error")
        raw = raw[3:]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = _line_of(raw, exc.start)
        # Locate the column too: decode the header and the bad line leniently.
        lines = raw.decode("utf-8", errors="replace").split("\n")
        column = None
        if line >= 2:
            header = next(csv.reader([lines[0]]))
            cells = next(csv.reader([lines[line - 1]]), [])
            for name, cell in zip(header, cells):
                if "\ufffd" in cell:
                    column = name
                    break
        problem(
            line,
            column,
            f"expected UTF-8, got byte 0x{raw[exc.start]:02x} (wrong encoding?)",
            "encoding-error",
        )
        return None, problems

    rows = list(csv.reader(io.StringIO(text, newline="")))
    if not rows or not any(c.strip() for c in rows[0]):
        problem(None, None, "empty file: expected a header row", "empty-file")
        return None, problems

    # -- header
    fields = meta.fields
    expected = [f["name"] for f in fields]
    header = rows[0]
    for name in expected:
        if name not in header:
            problem(1, name, f"missing column: expected {name!r} in the header", "missing-label")
    for name in header:
        if name not in expected:
            problem(1, name, f"unexpected column {name!r}: not in the schema", "extra-label")
    if len(set(header)) != len(header):
        dupes = sorted({h for h in header if header.count(h) > 1})
        problem(1, dupes[0], f"duplicate column {dupes[0]!r}", "duplicate-label")
    if problems:
        return None, problems
    if header != expected:
        problem(
            1, None, f"columns out of order: expected {expected}, got {header}", "incorrect-label"
        )
        return None, problems

    data = rows[1:]
    if not data:
        problem(None, None, "empty file: header but no data rows", "empty-file")
        return None, problems

    # -- cells
    columns: dict[str, list[Any]] = {n: [] for n in expected}
    unique_seen: dict[str, dict[Any, int]] = {
        f["name"]: {} for f in fields if f.get("constraints", {}).get("unique")
    }
    for i, cells in enumerate(data):
        rownum = i + 2  # header is row 1, as a spreadsheet shows it
        if len(cells) != len(expected):
            if not any(c.strip() for c in cells):
                problem(rownum, None, "blank row", "blank-row")
            else:
                problem(
                    rownum,
                    None,
                    f"expected {len(expected)} cells, got {len(cells)}",
                    "extra-cell" if len(cells) > len(expected) else "missing-cell",
                )
            for name in expected:
                columns[name].append(None)
            continue
        for f, cell in zip(fields, cells):
            name, type_ = f["name"], f.get("type", "string")
            c = f.get("constraints", {})
            value: Any = None
            if cell == "":
                if c.get("required"):
                    problem(
                        rownum,
                        name,
                        "expected a value (required), got an empty cell",
                        "constraint-error",
                    )
            else:
                try:
                    value = _cast(cell, type_)
                except ValueError as exc:
                    problem(rownum, name, f"{exc}, got {cell!r}", "type-error")
                else:
                    _check_constraints(value, cell, f, rownum, problem)
                    if name in unique_seen:
                        first = unique_seen[name].setdefault(value, rownum)
                        if first != rownum:
                            problem(
                                rownum,
                                name,
                                f"expected unique values, got {cell!r} again "
                                f"(first in row {first})",
                                "unique-error",
                            )
            columns[name].append(value)

    # -- primary key
    pk = meta.primary_key
    if pk and all(k in expected for k in pk):
        seen: dict[tuple, int] = {}
        for i in range(len(data)):
            key = tuple(columns[k][i] for k in pk)
            if any(v is None for v in key):
                continue
            first = seen.setdefault(key, i + 2)
            if first != i + 2:
                shown = ", ".join(f"{k}={v}" for k, v in zip(pk, key))
                problem(
                    i + 2,
                    pk[0] if len(pk) == 1 else ",".join(pk),
                    f"expected a unique primary key, got ({shown}) again (first in row {first})",
                    "primary-key-error",
                )
    if problems:
        return None, problems
    return _frame(columns, fields), problems


def _check_constraints(value: Any, cell: str, f: dict[str, Any], rownum: int, problem) -> None:
    name, type_ = f["name"], f.get("type", "string")
    c = f.get("constraints", {})
    if "enum" in c:
        allowed = [
            _cast(str(a), type_) if not isinstance(a, str) or type_ != "string" else a
            for a in c["enum"]
        ]
        if value not in allowed:
            problem(rownum, name, f"expected one of {c['enum']}, got {cell!r}", "constraint-error")
    if "minimum" in c and value < _constraint_value(c["minimum"], type_):
        problem(rownum, name, f"expected at least {c['minimum']}, got {cell}", "constraint-error")
    if "maximum" in c and value > _constraint_value(c["maximum"], type_):
        problem(rownum, name, f"expected at most {c['maximum']}, got {cell}", "constraint-error")
    if "pattern" in c and type_ == "string" and not re.fullmatch(c["pattern"], value):
        problem(
            rownum,
            name,
            f"expected text matching {c['pattern']!r}, got {cell!r}",
            "constraint-error",
        )
    if "minLength" in c and len(cell) < c["minLength"]:
        problem(
            rownum,
            name,
            f"expected at least {c['minLength']} characters, got {cell!r}",
            "constraint-error",
        )
    if "maxLength" in c and len(cell) > c["maxLength"]:
        problem(
            rownum,
            name,
            f"expected at most {c['maxLength']} characters, got {cell!r}",
            "constraint-error",
        )


def _frame(columns: dict[str, list[Any]], fields: list[dict[str, Any]]) -> pd.DataFrame:
    """Build the DataFrame with dtypes fixed by the schema (not by the data)."""
    out: dict[str, pd.Series] = {}
    for f in fields:
        name, type_ = f["name"], f.get("type", "string")
        values = columns[name]
        required = f.get("constraints", {}).get("required", False)
        if type_ in ("integer", "year"):
            # Required integers are int64; optional ones nullable Int64 so gaps stay gaps.
            out[name] = pd.Series(values, dtype="int64" if required else "Int64")
        elif type_ == "number":
            out[name] = pd.Series(
                [float("nan") if v is None else v for v in values], dtype="float64"
            )
        elif type_ == "date":
            out[name] = pd.to_datetime(pd.Series(values, dtype="object"))
        elif type_ == "boolean":
            out[name] = pd.Series(values, dtype="boolean")
        else:
            out[name] = pd.Series(values, dtype="str")
    return pd.DataFrame(out)


__all__ = [
    "CARRIED_OVER",
    "STATUSES",
    "Access",
    "Dataset",
    "ResourceMeta",
    "editions",
    "find_root",
    "load",
    "parse_resource",
    "resolve_edition",
]
