"""The contract between the engine and the code its chapters run, in one place.

Chapter code describes its own outputs; the engine records them. Three channels carry that:

- a figure's or table's display bundle holds a `PROVENANCE_MIME` entry: an `ItemProvenance`;
- a value shown inline whose type has `_litbuild_inline_()` returns an `InlineInfo`, whose
  `provenance` is a `FactProvenance` when the value is a named fact (or a `ClaimProvenance`);
- the engine's own hidden last cell sends `READS_MIME` (the files and modules a chapter read).

Each record travels as JSON (`to_json()`) and is read back with `from_json()`, which fails loudly,
naming the chapter and the record, on a missing required key or a key the contract does not know:
a renamed key is an error, never a silently empty field. To extend a record, add an optional
field with a default here; old producers stay valid.

Kept free of heavy imports: chapter kernels import it.
"""

from __future__ import annotations

import dataclasses
import hashlib
from dataclasses import dataclass, field
from typing import Any, ClassVar, Self

from .errors import BuildError

# A figure's or table's provenance, in its display bundle beside the image or markdown.
PROVENANCE_MIME = "application/vnd.litbuild.provenance+json"
# An inline expression's value: {"text": ..., "info": what `_litbuild_inline_()` returned}.
INLINE_MIME = "application/vnd.litbuild.inline+json"
# The files and project modules a chapter read, sent by the last hidden cell.
READS_MIME = "application/vnd.litbuild.reads+json"
# Asks the engine for a PNG copy of a figure's SVG, {"dpi": N}: drawn by the build process
# (litbuild.raster), not in the kernel, where it cost as much as the SVG itself.
RASTER_MIME = "application/vnd.litbuild.raster+json"


def is_text(data: bytes) -> bool:
    """Git's test: a file with no NUL byte in its first 8000 bytes is text."""
    return b"\0" not in data[:8000]


def content_sha256(data: bytes) -> str:
    """The sha256 every input, source and code file is recorded with, by engine and report alike.

    Text is hashed with CRLF read as LF (as Quarto's freeze does), so a Windows checkout or git's
    autocrlf records the same hashes and re-executes nothing; binary files hash as they are.
    """
    if is_text(data):
        data = data.replace(b"\r\n", b"\n")
    return hashlib.sha256(data).hexdigest()


class ContractError(BuildError):
    """A record from chapter code does not have the shape this module defines."""


def _check_keys(cls: type, data: Any, where: str) -> dict[str, Any]:
    """The record as a dict, after checking it has every required key and no unknown one."""
    if not isinstance(data, dict):
        raise ContractError(
            f"{where}: expected a JSON object for {cls.__name__}, got {type(data).__name__}"
        )
    fields = {f.name: f for f in dataclasses.fields(cls) if f.init}
    required = [
        n
        for n, f in fields.items()
        if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
    ]
    missing = [n for n in required if n not in data]
    unknown = sorted(set(data) - set(fields))
    if missing or unknown:
        problems = [f"missing key {n!r}" for n in missing]
        problems += [f"unknown key {n!r}" for n in unknown]
        raise ContractError(
            f"{where}: {cls.__name__} record: {', '.join(problems)} "
            f"(expected keys: {', '.join(fields)}; see litbuild.contract)"
        )
    return data


def _drop_none(record: dict[str, Any], optional: tuple[str, ...]) -> dict[str, Any]:
    return {k: v for k, v in record.items() if not (k in optional and v is None)}


@dataclass(frozen=True)
class CodeLocation:
    """Where the code that made an output is: a path relative to the project, the `def` line."""

    file: str
    line: int | None = None

    @classmethod
    def from_json(cls, data: Any, where: str) -> Self:
        return cls(**_check_keys(cls, data, where))

    def to_json(self) -> dict[str, Any]:
        return {"file": self.file, "line": self.line}


@dataclass(frozen=True)
class InputRecord:
    """A data file an output was computed from, with its sha256 (and the resource name)."""

    path: str
    sha256: str | None
    resource: str | None = None

    @classmethod
    def from_json(cls, data: Any, where: str) -> Self:
        return cls(**_check_keys(cls, data, where))

    def to_json(self) -> dict[str, Any]:
        return {"path": self.path, "sha256": self.sha256, "resource": self.resource}


def _inputs(data: Any, where: str) -> list[InputRecord]:
    if not isinstance(data, list):
        raise ContractError(f"{where}: 'inputs' must be a list")
    return [InputRecord.from_json(i, f"{where}, input {n + 1}") for n, i in enumerate(data)]


def _code(data: Any, where: str) -> CodeLocation | None:
    return None if data is None else CodeLocation.from_json(data, f"{where}, code")


@dataclass(frozen=True)
class ItemProvenance:
    """What a figure or table says about itself (the `PROVENANCE_MIME` bundle entry)."""

    function: str  # dotted name of the function that made it
    code: CodeLocation | None
    inputs: list[InputRecord]
    kind: str | None = None  # "figure" or "table"; the engine takes the kind from the label
    name: str | None = None
    data_csv: str | None = None  # exactly the data shown, offered for download
    source_note: str | None = None
    caption: str | None = None

    OPTIONAL: ClassVar[tuple[str, ...]] = ("kind", "name", "data_csv", "source_note", "caption")

    @classmethod
    def from_json(cls, data: Any, where: str) -> Self:
        data = dict(_check_keys(cls, data, where))
        data["code"] = _code(data.get("code"), where)
        data["inputs"] = _inputs(data["inputs"], where)
        return cls(**data)

    def to_json(self) -> dict[str, Any]:
        record = dataclasses.asdict(self)
        record["code"] = self.code.to_json() if self.code else None
        record["inputs"] = [i.to_json() for i in self.inputs]
        return _drop_none(record, self.OPTIONAL)


@dataclass(frozen=True)
class FactProvenance:
    """What a named fact says about itself: value, unit, the code and data that computed it."""

    id: str
    value: Any
    unit: str
    function: str
    code: CodeLocation | None
    inputs: list[InputRecord]
    kind: str = "fact"
    params: dict[str, Any] = field(default_factory=dict)  # of a generic reader, if any
    derivation: str | None = None  # how the value is derived, in words, for reviewers

    OPTIONAL: ClassVar[tuple[str, ...]] = ("derivation",)

    @classmethod
    def from_json(cls, data: Any, where: str) -> Self:
        data = dict(_check_keys(cls, data, where))
        data["code"] = _code(data.get("code"), where)
        data["inputs"] = _inputs(data["inputs"], where)
        if not isinstance(data.get("params", {}), dict):
            raise ContractError(f"{where}: 'params' must be an object")
        return cls(**data)

    def to_json(self) -> dict[str, Any]:
        record = dataclasses.asdict(self)
        record["code"] = self.code.to_json() if self.code else None
        record["inputs"] = [i.to_json() for i in self.inputs]
        if not self.params:
            del record["params"]
        return _drop_none(record, self.OPTIONAL)


@dataclass(frozen=True)
class ClaimProvenance(FactProvenance):
    """A named statement the data must keep true: a fact whose value is whether it holds."""

    kind: str = "claim"
    statement: str | None = None  # the sentence's claim, in words
    evidence: str | None = None  # what the data showed when it was checked

    OPTIONAL: ClassVar[tuple[str, ...]] = ("derivation", "statement", "evidence")


def value_provenance(data: Any, where: str) -> FactProvenance:
    """A fact's or a claim's record, by its `kind`."""
    kind = data.get("kind", "fact") if isinstance(data, dict) else None
    cls = ClaimProvenance if kind == "claim" else FactProvenance
    return cls.from_json(data, where)


@dataclass(frozen=True)
class InlineCheck:
    """A check an inline value carries: a failing one stops the build unless it is a draft."""

    id: str
    ok: bool
    message: str = ""

    @classmethod
    def from_json(cls, data: Any, where: str) -> Self:
        return cls(**_check_keys(cls, data, where))

    def to_json(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


@dataclass(frozen=True)
class InlineInfo:
    """What `_litbuild_inline_()` returns: the text to show and, for a named fact, its record
    (and, for a claim, the check it carries)."""

    text: str
    fact_id: str | None = None
    provenance: FactProvenance | None = None
    check: InlineCheck | None = None

    @classmethod
    def from_json(cls, data: Any, where: str) -> Self:
        data = dict(_check_keys(cls, data, where))
        if data.get("provenance") is not None:
            data["provenance"] = value_provenance(data["provenance"], where)
        if data.get("check") is not None:
            data["check"] = InlineCheck.from_json(data["check"], where)
        return cls(**data)

    def to_json(self) -> dict[str, Any]:
        record: dict[str, Any] = {"text": self.text}
        if self.fact_id is not None:
            record["fact_id"] = self.fact_id
        if self.provenance is not None:
            record["provenance"] = self.provenance.to_json()
        if self.check is not None:
            record["check"] = self.check.to_json()
        return record


@dataclass(frozen=True)
class ChapterReads:
    """What the hidden last cell reports: files read (sha256 or "listing:…"), project modules."""

    files: dict[str, str | None]
    modules: list[str]

    @classmethod
    def from_json(cls, data: Any, where: str) -> Self:
        return cls(**_check_keys(cls, data, where))
