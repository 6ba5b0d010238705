"""Build events: what a build reports as it goes, as structured records.

A build calls its `progress` callback with `BuildEvent`s. Each event is its own human-readable
line (a `str`, so a callback that prints or collects text keeps working) and also carries a
`kind` and the fields behind the text in `data`, for tools: `report build --json` prints
`to_json()` of each, one JSON object per line, and the benchmark reads those instead of text.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any, Self

# What each kind of event carries in `data`.
KINDS = {
    "chapter": "path, index, total, status (executed | cached | no-code), seconds",
    "warning": "message",
    "waiting": "(another build of the project holds the lock)",
    "up-to-date": "(nothing to convert)",
    "pdf": "(Typst compilation starts)",
    "phases": "seconds by phase: execute, parse, pdf, html, convert, provenance",
    "command": "argv of an external command the build runs (quarto render)",
}
# Two more appear in `report build --json` only: "message" (a progress line without a kind) and
# "summary" (BuildResult.to_json(), last), or "error" when the build fails.


class BuildEvent(str):
    """One thing a build reports: a human line with a kind and machine-readable fields."""

    kind: str
    data: dict[str, Any]

    def __new__(cls, kind: str, text: str, **data: Any) -> Self:
        if kind not in KINDS:
            raise ValueError(f"unknown build event kind {kind!r}")
        event = super().__new__(cls, text)
        event.kind = kind
        event.data = data
        return event

    def to_json(self) -> dict[str, Any]:
        return {"event": self.kind, "message": str(self), **self.data}

    @classmethod
    def chapter(
        cls, path: str, index: int, total: int, status: str, seconds: float | None = None
    ) -> Self:
        what = {
            "executed": f"executed in {seconds or 0.0:.1f} s",
            "cached": "unchanged (cached)",
            "no-code": "no code",
        }[status]
        return cls(
            "chapter",
            f"[{index}/{total}] {path}: {what}",
            path=path,
            index=index,
            total=total,
            status=status,
            seconds=seconds,
        )

    @classmethod
    def phases(cls, seconds: dict[str, float]) -> Self:
        text = (
            "time by phase: "
            + ", ".join(f"{k} {v:.2f} s" for k, v in seconds.items())
            + " (pdf and html overlap; convert is their wall time)"
        )
        return cls("phases", text, seconds={k: round(v, 4) for k, v in seconds.items()})

    @classmethod
    def warning(cls, message: str) -> Self:
        return cls("warning", f"warning: {message}")


Progress = Callable[[str], None]  # receives BuildEvents; any callable taking a str will do


def event_json(event: str) -> dict[str, Any]:
    """An event as JSON; a plain progress line (not yet given a kind) is a "message"."""
    if isinstance(event, BuildEvent):
        return event.to_json()
    return {"event": "message", "message": str(event)}


def to_stderr(event: str) -> None:
    """The default progress: each event's line on stderr."""
    print(event, file=sys.stderr, flush=True)
