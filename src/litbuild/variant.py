"""Build variants: what one build of a book sets from outside its sources.

A variant is Quarto's command-line surface: parameters (`quarto render -P name:value`, injected
after a cell tagged `parameters`), metadata overrides (`-M key:value`), project profiles
(`--profile name`: `_quarto-<name>.yml` merged over `_quarto.yml`, lists appended) and
environment variables the kernels see. Every piece is part of the chapter cache key and of the output key, so building
one variant never serves another one's output; the draft flag lets a build finish although inline
checks failed, marking them in the output instead.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from .errors import BuildError


@dataclass(frozen=True)
class Variant:
    """Parameters, metadata overrides, kernel environment and draft mode of one build."""

    params: dict[str, Any] = field(default_factory=dict)
    metadata: dict[str, Any] = field(default_factory=dict)
    env: dict[str, str] = field(default_factory=dict)
    draft: bool = False
    profiles: tuple[str, ...] = ()

    @property
    def is_default(self) -> bool:
        """Tell whether this build sets nothing from outside (the plain `render`)."""
        return not (self.params or self.env)

    def execution_part(self) -> dict[str, Any]:
        """What changes a chapter's run: parameters and kernel environment."""
        return {"params": self.params, "env": self.env}

    def key_part(self) -> dict[str, Any]:
        """Everything about the variant, for the output key."""
        return {
            "params": self.params,
            "metadata": self.metadata,
            "env": self.env,
            "draft": self.draft,
            "profiles": list(self.profiles),
        }

    def cache_suffix(self) -> str:
        """A short name for this variant's cache entries ('' for the plain build)."""
        if self.is_default:
            return ""
        text = json.dumps(self.execution_part(), sort_keys=True, default=str)
        return "@" + hashlib.sha256(text.encode()).hexdigest()[:12]


def apply_metadata(raw: dict[str, Any], overrides: dict[str, Any]) -> dict[str, Any]:
    """Set dotted keys (`book.subtitle`) in a parsed _quarto.yml, as `quarto render -M` does."""
    for dotted, value in overrides.items():
        node = raw
        parts = dotted.split(".")
        for part in parts[:-1]:
            child = node.get(part)
            if child is None:
                child = node[part] = {}
            if not isinstance(child, dict):
                raise BuildError(f"metadata override {dotted!r}: '{part}' is not a mapping")
            node = child
        node[parts[-1]] = value
    return raw


def merge_profile(base: dict[str, Any], overlay: dict[str, Any]) -> dict[str, Any]:
    """Merge a profile's config over the project's as Quarto does: maps deep, lists appended."""
    merged = dict(base)
    for key, value in overlay.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = merge_profile(merged[key], value)
        elif isinstance(value, list) and isinstance(merged.get(key), list):
            merged[key] = merged[key] + value
        else:
            merged[key] = value
    return merged


def parameter_source(params: dict[str, Any]) -> str:
    """The cell injected after a `parameters` cell: one assignment per parameter, as Quarto does."""
    return "\n".join(f"{name} = {value!r}" for name, value in params.items())


def environment_source(env: dict[str, str]) -> str:
    """Kernel code that sets the variant's environment variables before any chapter code."""
    if not env:
        return ""
    return f'__import__("os").environ.update({dict(env)!r})\n'


@dataclass(frozen=True)
class FailedCheck:
    """An inline value that reported a failed check: where it is and what it says."""

    chapter: str
    line: int | None
    check_id: str
    message: str

    def __str__(self) -> str:
        return f"{self.chapter}:{self.line}: check '{self.check_id}' failed: {self.message}"


def failed_checks(
    order: list[str], executed: dict, inline_lines: dict[str, dict[int, int]]
) -> list[FailedCheck]:
    """Every inline value whose `check` says it failed, in book order."""
    failed = []
    for path in order:
        for index, value in sorted(executed[path].inline_values.items()):
            check = (value.get("info") or {}).get("check")
            if check and check.get("ok") is False:
                failed.append(
                    FailedCheck(
                        path,
                        inline_lines[path].get(index),
                        str(check.get("id")),
                        str(check.get("message", "")),
                    )
                )
    return failed


class FailedChecksError(BuildError):
    """Inline checks failed and the build is not a draft."""

    def __init__(self, failed: list[FailedCheck]):
        self.failed = failed
        lines = "\n".join(f"  {f}" for f in failed)
        super().__init__(
            f"{len(failed)} check(s) in the text no longer hold:\n{lines}\n"
            "rewrite those sentences, or build with --draft to mark them in the output"
        )
