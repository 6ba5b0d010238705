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
import io
import json
import math
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from kzchina.locate import (  # noqa: F401 (where they used to live: kept importable from here)
    EDITION_ENV,
    PROJECT_MARKER,
    _rel,
    configured_edition,
    editions,
    find_root,
    resolve_edition,
)
from kzchina.problems import Problem, ProblemsError
from litbuild.contract import content_sha256

STATUSES = ("published", "derived", "external")
CARRIED_OVER = "carried-over"  # a row copied by `report new-edition`, not yet updated
MAX_FILE_MB_ENV = "REPORT_MAX_DATA_MB"
MAX_FILE_MB = 50  # a data file larger than this is refused, not read into memory
MAX_PROBLEMS_PER_FILE = 1000  # beyond this a file's problems are only counted
# C0 and C1 control characters (tab and newline excepted), and the invisible direction overrides
# that can make a cell display differently from what it holds.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_INT64 = (-(2**63), 2**63 - 1)


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
        self._relpaths: dict[str, str] = {}
        self._texts: dict[str, dict[str, Any]] = {}  # resource -> column -> values as text
        self._hashes: dict[str, str] = {}
        self._accessed: dict[str, None] = {}  # insertion-ordered set
        self._recorders: list[list[Access]] = []

    def __repr__(self) -> str:
        return f"Dataset(edition={self.edition!r}, version={self.version!r}, resources={len(self._resources)})"

    # -- discovery
    @property
    def report_citation(self) -> str:
        """Return the short citation of the report the edition's data come from ("TALAP (2022)"):
        the `citation` of the first package source that has one; notes cite it, so a new edition
        cites its own report once the editor updates the data package."""
        for source in self.sources:
            if isinstance(source, dict) and source.get("citation"):
                return str(source["citation"])
        raise ProblemsError(
            [
                Problem(
                    _rel(self.descriptor_path, self.root),
                    None,
                    "sources",
                    "no source has a 'citation' (the short citation of the "
                    'report, e.g. "TALAP (2022)")',
                    "missing-citation",
                )
            ]
        )

    @property
    def resource_names(self) -> list[str]:
        """Return resource names in descriptor order."""
        return list(self._resources)

    @property
    def accessed(self) -> list[str]:
        """Return names of resources read so far, in first-read order."""
        return list(self._accessed)

    def resource_path(self, name: str) -> Path:
        """Return the absolute path of a resource's CSV file, which must lie inside the edition
        folder (symlinks resolved); else raise ProblemsError naming the descriptor and key."""
        return confined_resource_path(
            self.folder, self._resource(name), self.root, self.descriptor_path
        )

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
        return self._shared_frame(name).copy()

    def _shared_frame(self, name: str) -> pd.DataFrame:
        """The resource's frame itself (read and validated once), recording the read."""
        if name not in self._frames:
            # The path is checked (confined, symlinks resolved) once, when the file is read:
            # later calls reuse the frame, and a chapter calls this hundreds of times.
            meta, relpath = self.resource_meta(name), self.resource_relpath(name)
            raw = read_data_file(meta.path, relpath)
            frame, problems = parse_resource(raw, meta, relpath)
            if problems:
                raise ProblemsError(problems)
            self._frames[name] = frame
            self._hashes[name] = content_sha256(raw)  # the engine's hash: CRLF read as LF
            self._relpaths[name] = relpath
        self.note_reads([Access(name, self._relpaths[name], self._hashes[name])])
        return self._frames[name]

    def rows_where(self, name: str, **where: Any) -> tuple[pd.DataFrame, Any]:
        """The resource's frame (shared: do not change it) and the positions of its rows whose
        columns equal `where` as text (`str(value)`, as in the report's lookups); the read is
        recorded as by table(). Lookups are the bulk of computing facts, so each column's text
        is made once."""
        frame = self._shared_frame(name)
        texts = self._texts.setdefault(name, {})
        mask = np.ones(len(frame), dtype=bool)
        for column, wanted in where.items():
            if column not in texts:
                texts[column] = frame[column].astype(str).to_numpy(dtype=object)
            mask &= texts[column] == str(wanted)
        return frame, np.flatnonzero(mask)

    def note_reads(self, accesses: list[Access]) -> None:
        """Count these reads as made now, for every open recording (also used when a result
        computed earlier from them is reused)."""
        for access in accesses:
            self._accessed.setdefault(access.name, None)
            for used in self._recorders:
                if access not in used:
                    used.append(access)

    def sha256(self, name: str) -> str:
        """Return the sha256 of a resource's file as read (reads it if needed)."""
        if name not in self._hashes:
            self._shared_frame(name)
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


def confined_resource_path(
    folder: Path, resource: dict[str, Any], root: Path, descriptor: Path
) -> Path:
    """The resource's file inside `folder`; a ProblemsError for any other path."""
    name = resource.get("name", "?")
    value = resource.get("path")
    rel = _rel(descriptor, root)

    def refuse(message: str) -> ProblemsError:
        return ProblemsError([Problem(rel, None, f"resources[{name}].path", message, "path-error")])

    if not isinstance(value, str) or not value or "\0" in value:
        raise refuse(f"expected a relative file path, got {value!r}")
    candidate = Path(value)
    if candidate.is_absolute():
        raise refuse(
            f"expected a path inside {_rel(folder, root)}, got the absolute path {value!r}"
        )
    try:
        resolved = (folder / candidate).resolve()
    except (OSError, RuntimeError) as exc:
        raise refuse(f"path {value!r} cannot be resolved: {exc}") from None
    if not resolved.is_relative_to(folder.resolve()):
        raise refuse(
            f"expected a path inside {_rel(folder, root)}, got {value!r}, which "
            f"points to {resolved}"
        )
    return folder / candidate


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
        descriptor = json.loads(read_data_file(path, rel).decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise ProblemsError(
            [
                Problem(
                    rel,
                    None,
                    None,
                    f"expected UTF-8, got byte 0x{exc.object[exc.start]:02x} at offset {exc.start}",
                    "descriptor-error",
                )
            ]
        ) from None
    except json.JSONDecodeError as exc:
        raise ProblemsError(
            [Problem(rel, exc.lineno, None, f"invalid JSON: {exc}", "descriptor-error")]
        ) from None
    except RecursionError:
        raise ProblemsError(
            [Problem(rel, None, None, "invalid JSON: nested too deeply", "descriptor-error")]
        ) from None
    if (
        not isinstance(descriptor, dict)
        or not isinstance(descriptor.get("resources"), list)
        or not all(
            isinstance(r, dict) and isinstance(r.get("name"), str) for r in descriptor["resources"]
        )
    ):
        raise ProblemsError(
            [
                Problem(
                    rel,
                    None,
                    None,
                    "expected an object with a 'resources' list of objects with a 'name'",
                    "descriptor-error",
                )
            ]
        )
    return descriptor


def max_file_bytes() -> int:
    """The largest data file read, in bytes ($REPORT_MAX_DATA_MB, default 50 MB)."""
    try:
        mb = float(os.environ.get(MAX_FILE_MB_ENV, MAX_FILE_MB))
    except ValueError:
        mb = MAX_FILE_MB
    return int(mb * 1024 * 1024)


def read_data_file(path: Path, rel: str) -> bytes:
    """A data file's bytes; missing, unreadable and oversized files are Problems."""
    try:
        size = path.stat().st_size
        if size > max_file_bytes():
            raise ProblemsError(
                [
                    Problem(
                        rel,
                        None,
                        None,
                        f"file too large: {size / 1048576:.1f} MB, expected at most "
                        f"{max_file_bytes() / 1048576:g} MB (${MAX_FILE_MB_ENV})",
                        "file-too-large",
                    )
                ]
            )
        return path.read_bytes()
    except FileNotFoundError:
        raise ProblemsError([Problem(rel, None, None, "missing file", "missing-file")]) from None
    except IsADirectoryError:
        raise ProblemsError(
            [Problem(rel, None, None, "expected a file, found a folder", "missing-file")]
        ) from None
    except OSError as exc:
        raise ProblemsError(
            [Problem(rel, None, None, f"cannot be read: {exc.strerror}", "missing-file")]
        ) from None


# --------------------------------------------------------------------------- fast schema check
_INT = re.compile(r"[+-]?\d+")
_NUM = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _cast(value: str, type_: str) -> Any:
    """Cast one non-empty cell; raise ValueError with what was expected."""
    if type_ == "string":
        return value
    if type_ == "integer":
        if not _INT.fullmatch(value) or len(value) > 20:
            raise ValueError("expected integer")
        number = int(value)
        if not _INT64[0] <= number <= _INT64[1]:
            raise ValueError("expected an integer between -2^63 and 2^63-1")
        if number == 0 and value.startswith("-"):
            raise ValueError("expected 0 without a minus sign (negative zero)")
        return number
    if type_ == "number":
        if not _NUM.fullmatch(value):
            raise ValueError("expected number with '.' as decimal point")
        number = float(value)
        if not math.isfinite(number):
            raise ValueError("expected a finite number (this one overflows to infinity)")
        if number == 0 and value.startswith("-"):
            raise ValueError(
                "expected 0 without a minus sign (negative zero, or a value too "
                "small to be represented)"
            )
        return number
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
        if not re.fullmatch(r"\d{4}", value) or value == "0000":
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
    untold = [0]  # problems past MAX_PROBLEMS_PER_FILE: counted, not kept

    def problem(row: int | None, column: str | None, message: str, type_: str) -> None:
        if len(problems) < MAX_PROBLEMS_PER_FILE:
            problems.append(Problem(rel, row, column, message, type_))
        else:
            untold[0] += 1

    frame = _parse_checked(raw, meta, problem)
    if untold[0]:
        problems.append(
            Problem(
                rel,
                None,
                None,
                f"... and {untold[0]} more problem(s) in this "
                f"file (first {MAX_PROBLEMS_PER_FILE} listed)",
                "too-many",
            )
        )
    return (None if problems else frame), problems


def _shown(cell: str, width: int = 40) -> str:
    """A cell quoted for a message, cut short so one huge cell cannot flood the output."""
    text = repr(cell)
    return text if len(text) <= width else text[: width - 4] + "...'"


def _parse_checked(raw: bytes, meta: ResourceMeta, problem) -> pd.DataFrame | None:
    """parse_resource's body: report through `problem`, return the frame when all is well."""
    if len(raw) > max_file_bytes():
        problem(
            None,
            None,
            f"file too large: {len(raw) / 1048576:.1f} MB, expected at most "
            f"{max_file_bytes() / 1048576:g} MB (${MAX_FILE_MB_ENV})",
            "file-too-large",
        )
        return None
    found = [0]

    def counted(*args) -> None:
        found[0] += 1
        problem(*args)

    # -- bytes: empty, BOM, encoding
    if not raw.strip():
        counted(None, None, "empty file: expected a header row and data", "empty-file")
        return None
    if raw.startswith(b"\xef\xbb\xbf"):
        counted(1, None, "expected UTF-8 without byte-order mark, got a BOM", "encoding-error")
        raw = raw[3:]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = _line_of(raw, exc.start)
        # Locate the column too: decode the header and the bad line leniently.
        lines = raw.decode("utf-8", errors="replace").split("\n")
        column = None
        if line >= 2:
            try:
                header = next(csv.reader([lines[0].rstrip("\r")]), [])
                cells = next(csv.reader([lines[line - 1].rstrip("\r")]), [])
            except csv.Error:  # a stray carriage return inside a line: name no column
                header = cells = []
            for name, cell in zip(header, cells):
                if "\ufffd" in cell:
                    column = name
                    break
        counted(
            line,
            column,
            f"expected UTF-8, got byte 0x{raw[exc.start]:02x} (wrong encoding?)",
            "encoding-error",
        )
        return None

    try:
        rows = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as exc:  # e.g. a field larger than the csv module's limit
        counted(None, None, f"not readable as CSV: {exc}", "format-error")
        return None
    if not rows or not any(c.strip() for c in rows[0]):
        counted(None, None, "empty file: expected a header row", "empty-file")
        return None

    # -- header
    fields = meta.fields
    expected = [f["name"] for f in fields]
    header = rows[0]
    for name in expected:
        if name not in header:
            counted(1, name, f"missing column: expected {name!r} in the header", "missing-label")
    for name in header:
        if name not in expected:
            counted(1, name, f"unexpected column {name!r}: not in the schema", "extra-label")
    if len(set(header)) != len(header):
        dupes = sorted({h for h in header if header.count(h) > 1})
        counted(1, dupes[0], f"duplicate column {dupes[0]!r}", "duplicate-label")
    if found[0]:
        return None
    if header != expected:
        counted(
            1, None, f"columns out of order: expected {expected}, got {header}", "incorrect-label"
        )
        return None

    data = rows[1:]
    if not data:
        counted(None, None, "empty file: header but no data rows", "empty-file")
        return None

    # -- cells
    columns: dict[str, list[Any]] = {n: [] for n in expected}
    unique_seen: dict[str, dict[Any, int]] = {
        f["name"]: {} for f in fields if f.get("constraints", {}).get("unique")
    }
    for i, cells in enumerate(data):
        rownum = i + 2  # header is row 1, as a spreadsheet shows it
        if len(cells) != len(expected):
            if not any(c.strip() for c in cells):
                counted(rownum, None, "blank row", "blank-row")
            else:
                counted(
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
            bad = _CONTROL.search(cell)
            if bad:
                counted(
                    rownum,
                    name,
                    f"expected text without control characters, got "
                    f"U+{ord(bad.group()):04X} at position {bad.start() + 1} in "
                    f"{_shown(cell)}",
                    "control-character",
                )
                columns[name].append(None)
                continue
            c = f.get("constraints", {})
            value: Any = None
            if cell == "":
                if c.get("required"):
                    counted(
                        rownum,
                        name,
                        "expected a value (required), got an empty cell",
                        "constraint-error",
                    )
            else:
                try:
                    value = _cast(cell, type_)
                except ValueError as exc:
                    counted(rownum, name, f"{exc}, got {_shown(cell)}", "type-error")
                else:
                    _check_constraints(value, cell, f, rownum, problem)
                    if name in unique_seen:
                        first = unique_seen[name].setdefault(value, rownum)
                        if first != rownum:
                            counted(
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
                counted(
                    i + 2,
                    pk[0] if len(pk) == 1 else ",".join(pk),
                    f"expected a unique primary key, got ({shown}) again (first in row {first})",
                    "primary-key-error",
                )
    if found[0]:
        return None
    return _frame(columns, fields)


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
    "read_data_file",
    "resolve_edition",
]
