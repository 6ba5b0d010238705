"""How `report build` passes the edition to the engine: one keyed variant, both engines.

The engine (litbuild) knows nothing of editions; it builds a *variant*: parameters (Quarto's
`-P`, injected after a cell tagged `parameters`), metadata overrides (`-M`: the edition in the
title and the PDF's file name) and an environment variable the report's loader reads. All are
part of every cache and output key, so switching editions never serves the other one's output.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from kzchina.locate import EDITION_ENV, editions, resolve_edition


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower().replace("'", "")).strip("-") or "book"


def edition_variant(project_dir: Path, edition: str | None, draft: bool):
    """Return the engine variant for a build of one edition (plain draft flag if no data/)."""
    from litbuild import Variant

    root = Path(project_dir).resolve()
    if not editions(root):  # not a report project (any Quarto book): nothing to set
        return Variant(draft=draft), None
    chosen = resolve_edition(edition, root)
    known = editions(root)
    if chosen not in known:
        from kzchina.problems import Problem, ProblemsError

        raise ProblemsError(
            [
                Problem(
                    f"data/{chosen}",
                    None,
                    None,
                    f"no edition {chosen!r}: expected data/{chosen}/datapackage.json "
                    f"(known: {', '.join(known)})",
                    "missing-edition",
                )
            ]
        )
    # An edition with a predecessor gets the "What changed" appendix (profile `changes`).
    has_previous = any(e < chosen for e in known)
    profiles = ("changes",) if has_previous and (root / "_quarto-changes.yml").is_file() else ()
    raw = yaml.safe_load((root / "_quarto.yml").read_text(encoding="utf-8")) or {}
    title = str((raw.get("book") or {}).get("title") or "book")
    metadata = {
        "book.title": f"{title}, {chosen} edition",
        "book.subtitle": "Rebuilt from data",
        "book.output-file": f"{_slug(title)}-{chosen}-edition",
    }
    return Variant(
        params={"edition": chosen},
        metadata=metadata,
        env={EDITION_ENV: chosen},
        draft=draft,
        profiles=profiles,
    ), chosen
