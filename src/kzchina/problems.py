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


class ProblemsError(Exception):
    """Raised when input is invalid; carries every problem found, not just the first."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))
