"""Limits that keep one bad chapter from taking the machine down: time, output size, memory.

Set in _quarto.yml (`execute: timeout:` as in Quarto, in seconds; the others under `litbuild:`)
or with `report build` options, which win:

    execute:
      timeout: 600            # seconds per cell (Quarto's key; chapter front matter may override)
    litbuild:
      cell-output-mb: 64      # output one cell may produce (text, images, data), in MB
      kernel-memory-mb: 4096  # address space of each kernel process, in MB (0: no limit)
      pandoc-timeout: 300     # seconds for each pandoc call
      typst-timeout: 300      # seconds to compile the PDF
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

MB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """The limits one build runs under; every one has a sane default."""

    cell_timeout: float = 600.0
    cell_output_mb: float = 64.0
    kernel_memory_mb: float = 4096.0
    pandoc_timeout: float = 300.0
    typst_timeout: float = 300.0
    from_flags: frozenset[str] = field(default_factory=frozenset)  # set on the command line

    @property
    def cell_output_bytes(self) -> int:
        return int(self.cell_output_mb * MB)

    @property
    def kernel_memory_bytes(self) -> int | None:
        return int(self.kernel_memory_mb * MB) if self.kernel_memory_mb > 0 else None

    def overridden(self, **values: float | None) -> Limits:
        """These limits with the given values (None: keep)."""
        given = {k: float(v) for k, v in values.items() if v is not None}
        return replace(self, **given, from_flags=self.from_flags | set(given))


# _quarto.yml key under `litbuild:` -> Limits field
CONFIG_KEYS = {
    "cell-output-mb": "cell_output_mb",
    "kernel-memory-mb": "kernel_memory_mb",
    "pandoc-timeout": "pandoc_timeout",
    "typst-timeout": "typst_timeout",
}


def _positive(
    value: Any, key: str, source: str, problems: list[str], zero_ok: bool = False
) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        problems.append(f"{source}: {key} must be a number, not {type(value).__name__} {value!r}")
        return None
    if value < 0 or (value == 0 and not zero_ok) or value != value or value == float("inf"):
        problems.append(f"{source}: {key} must be a positive number, not {value!r}")
        return None
    return float(value)


def limits_from_config(raw: dict[str, Any], source: str, problems: list[str]) -> Limits:
    """Read the limits from a parsed _quarto.yml; append a problem per bad key."""
    values: dict[str, float] = {}
    execute = raw.get("execute")
    if isinstance(execute, dict) and "timeout" in execute:
        got = _positive(execute["timeout"], "execute.timeout", source, problems)
        if got is not None:
            values["cell_timeout"] = got
    section = raw.get("litbuild")
    if section is not None and not isinstance(section, dict):
        problems.append(
            f"{source}: litbuild must be a mapping of limits, not {type(section).__name__}"
        )
        section = None
    for key, value in (section or {}).items():
        name = CONFIG_KEYS.get(str(key))
        if name is None:
            problems.append(
                f"{source}: litbuild.{key} is not a known key "
                f"(known: {', '.join(sorted(CONFIG_KEYS))})"
            )
            continue
        got = _positive(
            value, f"litbuild.{key}", source, problems, zero_ok=name == "kernel_memory_mb"
        )
        if got is not None:
            values[name] = got
    return Limits(**values)


def cell_timeout(defaults: dict[str, Any], limits: Limits) -> float:
    """One place decides a chapter's cell timeout: a command-line limit, else the chapter's or
    project's `execute: timeout`, else the default."""
    if "cell_timeout" in limits.from_flags:
        return limits.cell_timeout
    value = defaults.get("timeout")
    if isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0:
        return float(value)
    return limits.cell_timeout


__all__ = ["CONFIG_KEYS", "MB", "Limits", "cell_timeout", "limits_from_config"]
