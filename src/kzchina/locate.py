"""Where a project's data editions are and which one a build uses.

Kept apart from kzchina.data, which imports pandas: `report build` only needs to know the
edition, and pandas would add about half a second before the first kernel could start.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from kzchina.problems import Problem, ProblemsError

EDITION_ENV = "REPORT_EDITION"
PROJECT_MARKER = "_quarto.yml"


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
    chosen = edition or os.environ.get(EDITION_ENV) or configured_edition(root)
    if chosen:
        chosen = str(chosen)
        if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", chosen) or ".." in chosen:
            raise ProblemsError(
                [
                    Problem(
                        "data",
                        None,
                        None,
                        f"edition {chosen!r}: expected a "
                        "folder name under data/ (letters, digits, . _ -)",
                        "missing-edition",
                    )
                ]
            )
        return chosen
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
