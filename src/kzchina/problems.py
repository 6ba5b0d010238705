"""One error model for data validation and prose lint: problems are data, raised together."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Problem:
    """One finding, located as precisely as the input allows (row and column may be unknown)."""

    path: str
    row: int | None
    column: str | None
    message: str
    type: str = "error"

    def __str__(self) -> str:
        row = "" if self.row is None else str(self.row)
        column = self.column or ""
        return f"{self.path}:{row}:{column}: {self.message}"


SHOWN_IN_MESSAGE = 20  # problems in an exception's message; the rest are counted


class ProblemsError(Exception):
    """Raised when input is invalid; carries every problem found, not just the first.
    Its message lists the first few and counts the rest, so a broken file cannot flood it."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        lines = [str(p) for p in self.problems[:SHOWN_IN_MESSAGE]]
        if len(self.problems) > SHOWN_IN_MESSAGE:
            lines.append(f"... and {len(self.problems) - SHOWN_IN_MESSAGE} more problem(s)")
        super().__init__("\n".join(lines))
