"""What figure and table functions return: the output, the data behind it, and its provenance.

Both result types display themselves in Jupyter (`_repr_mimebundle_`) and carry a
`application/vnd.litbuild.provenance+json` entry that the build engine records.
"""

from __future__ import annotations

import functools
import inspect
import io
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from kzchina.markdown import pipe_table
from litbuild.contract import (
    PROVENANCE_MIME,
    RASTER_MIME,
    CodeLocation,
    InputRecord,
    ItemProvenance,
    content_sha256,
)


def same_content(a: Path, b: Path) -> bool:
    """Whether two source files hold the same text, whatever their line endings."""
    return content_sha256(a.read_bytes()) == content_sha256(b.read_bytes())


@functools.cache
def source_path(path: Path, module: str) -> str:
    """Name a source file as the project does, however the package was installed.

    Inside the project (an editable install) it is its path relative to the project root. An
    installed copy (`pip install .`) is named by the project's own `src/` file when that holds
    the same bytes, else by its path inside the package ('kzchina/facts.py'): never a path that
    only exists on this machine.
    """
    from kzchina.data import find_root

    root = find_root()
    if path.is_relative_to(root):
        return path.relative_to(root).as_posix()
    package = sys.modules[module.split(".")[0]]
    in_package = path.relative_to(Path(package.__file__).resolve().parent.parent)
    for candidate in (root / "src" / in_package, root / in_package):
        if candidate.is_file() and same_content(candidate, path):
            return candidate.relative_to(root).as_posix()
    return in_package.as_posix()


def code_location(func: Callable) -> dict:
    """Return {"file": path relative to the project, "line": line of the `def`} for func."""
    func = inspect.unwrap(func)
    path = Path(inspect.getsourcefile(func)).resolve()
    rel = source_path(path, func.__module__)
    lines, first = inspect.getsourcelines(func)
    for offset, line in enumerate(lines):
        if line.lstrip().startswith(("def ", "async def ")):
            return {"file": rel, "line": first + offset}
    return {"file": rel, "line": first}


def function_name(func: Callable) -> str:
    """Return 'module.qualname' of func."""
    func = inspect.unwrap(func)
    return f"{func.__module__}.{func.__qualname__}"


def frame_csv(frame: pd.DataFrame) -> str:
    """Serialise a frame as CSV with '\\n' line endings, the form offered for download."""
    return frame.to_csv(index=False, lineterminator="\n")


def code_record(code: dict) -> CodeLocation | None:
    """The engine's code location from `code_location()`'s dict (None before tracing)."""
    return CodeLocation(code["file"], code.get("line")) if code else None


def input_records(inputs: list[dict]) -> list[InputRecord]:
    """The engine's input records from `recorded_inputs()`'s dicts."""
    return [InputRecord(i["path"], i["sha256"], i.get("resource")) for i in inputs]


def item_provenance(
    result: FigureResult | TableResult, kind: str, data: pd.DataFrame, caption: str | None = None
) -> ItemProvenance:
    """The engine's provenance record of a figure or table result."""
    return ItemProvenance(
        kind=kind,
        name=result.name,
        function=result.function,
        code=code_record(result.code),
        inputs=input_records(result.inputs),
        data_csv=frame_csv(data),
        source_note=result.source_note,
        caption=caption,
    )


@dataclass
class FigureResult:
    """A drawn figure, the tidy data it plots, its source note and provenance."""

    figure: Any  # matplotlib.figure.Figure
    data: pd.DataFrame
    source_note: str
    name: str
    inputs: list[dict]
    function: str = ""
    code: dict = field(default_factory=dict)
    _svg: str | None = field(default=None, repr=False, compare=False)
    _png: bytes | None = field(default=None, repr=False, compare=False)

    def __repr__(self) -> str:
        return f"<FigureResult {self.name}: {len(self.data)} data rows>"

    def svg(self) -> str:
        """Render the figure as SVG text, byte-identical on every run."""
        if self._svg is None:
            self._svg = self._render("svg", {"Date": None}).decode("utf-8")
        return self._svg

    def png(self) -> bytes:
        """Render the figure as PNG bytes, byte-identical on every run."""
        if self._png is None:
            self._png = self._render("png", {"Software": None})
        return self._png

    def _render(self, fmt: str, metadata: dict) -> bytes:
        """Save in the house style, without the metadata that would differ between runs."""
        from kzchina.style import house_style

        buf = io.BytesIO()
        with house_style():
            self.figure.savefig(buf, format=fmt, metadata=metadata)
        return buf.getvalue()

    def provenance(self) -> dict:
        """Describe where this figure comes from: code, inputs, plotted data and note."""
        return item_provenance(self, "figure", self.data).to_json()

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict:
        from kzchina.style import DPI

        return {
            "image/svg+xml": self.svg(),
            RASTER_MIME: {"dpi": DPI},
            PROVENANCE_MIME: self.provenance(),
        }


@dataclass
class TableResult:
    """A table: the frame shown, its caption and source note, provenance, display formats."""

    frame: pd.DataFrame
    caption: str
    source_note: str
    name: str
    inputs: list[dict]
    function: str = ""
    code: dict = field(default_factory=dict)
    formats: dict[str, Callable[[Any], str]] = field(default_factory=dict, repr=False)
    align: Sequence[str] | None = None

    def __repr__(self) -> str:
        return f"<TableResult {self.name}: {self.frame.shape[0]} rows x {self.frame.shape[1]} cols>"

    def _cell(self, column: str, value: Any) -> str:
        if value is None or (not isinstance(value, str) and pd.isna(value)):
            return ""
        fmt = self.formats.get(column)
        return fmt(value) if fmt else str(value)

    def to_markdown(self) -> str:
        """Render the frame as an escaped pandoc pipe table (and nothing else)."""
        columns = [str(c) for c in self.frame.columns]
        align = self.align
        if align is None:
            align = [
                "r" if pd.api.types.is_numeric_dtype(self.frame[c]) else "l"
                for c in self.frame.columns
            ]
        rows = [
            [self._cell(c, v) for c, v in zip(columns, row)]
            for row in self.frame.itertuples(index=False, name=None)
        ]
        return pipe_table(columns, rows, align)

    def provenance(self) -> dict:
        """Describe where this table comes from: code, inputs, data and note."""
        return item_provenance(self, "table", self.frame, caption=self.caption).to_json()

    def _repr_markdown_(self) -> str:
        return self.to_markdown()

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict:
        return {"text/markdown": self.to_markdown(), PROVENANCE_MIME: self.provenance()}


def traced(kind: str) -> Callable:
    """Decorate a figure/table function: record the resources it reads and its code location.

    The wrapped function receives the dataset and returns a result whose `inputs`, `function`
    and `code` are filled in here, so each function body only loads, shapes and draws.
    """

    def decorate(func: Callable) -> Callable:
        @functools.wraps(func)
        def wrapper(ds=None, *args, **kwargs):
            from kzchina.facts import default_dataset, recorded_inputs

            ds = default_dataset() if ds is None else ds
            with ds.recording() as rec:
                result = func(ds, *args, **kwargs)
            result.inputs = recorded_inputs(rec)
            result.function = function_name(func)
            result.code = code_location(func)
            if not result.name:
                result.name = func.__name__
            return result

        wrapper.kind = kind
        return wrapper

    return decorate
