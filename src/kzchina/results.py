"""What figure and table functions return: the output, the data behind it, and its provenance.

Both result types display themselves in Jupyter (`_repr_mimebundle_`) and carry a
`application/vnd.litbuild.provenance+json` entry that the build engine records.
"""

from __future__ import annotations

import functools
import inspect
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from kzchina.markdown import pipe_table

PROVENANCE_MIME = "application/vnd.litbuild.provenance+json"
# Asks the build engine for a PNG copy drawn from the SVG, outside the kernel: the pages and the
# PDF use the SVG, and drawing a PNG here cost as much as the SVG itself.
RASTER_MIME = "application/vnd.litbuild.raster+json"
_PROJECT_ROOT = Path(__file__).resolve().parent.parent.parent


def code_location(func: Callable) -> dict:
    """Return {"file": path relative to the project, "line": line of the `def`} for func."""
    func = inspect.unwrap(func)
    path = Path(inspect.getsourcefile(func)).resolve()
    try:
        rel = path.relative_to(_PROJECT_ROOT).as_posix()
    except ValueError:
        rel = path.as_posix()
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
        return {
            "kind": "figure",
            "name": self.name,
            "function": self.function,
            "code": dict(self.code),
            "inputs": [dict(i) for i in self.inputs],
            "data_csv": frame_csv(self.data),
            "source_note": self.source_note,
        }

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
        return {
            "kind": "table",
            "name": self.name,
            "function": self.function,
            "code": dict(self.code),
            "inputs": [dict(i) for i in self.inputs],
            "data_csv": frame_csv(self.frame),
            "source_note": self.source_note,
            "caption": self.caption,
        }

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
