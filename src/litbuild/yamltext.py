"""YAML as the project's files hold it (_quarto.yml, front matter, `#|` cell options)."""

from __future__ import annotations

from typing import Any

import yaml

# PyYAML raises its own errors, but also RecursionError on deep nesting and ValueError on
# impossible timestamps such as 2022-13-45.
YAML_ERRORS = (yaml.YAMLError, RecursionError, ValueError, OverflowError)
# libyaml's parser, when PyYAML was built with it: ten times faster on a book's options.
_FAST_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_yaml(text: str) -> Any:
    """`yaml.safe_load`, parsed by libyaml when it can be. Whatever libyaml makes of a text it
    rejects, the pure-Python parser reads it again: it decides, and its messages are the ones
    users see."""
    try:
        return yaml.load(text, Loader=_FAST_LOADER)  # noqa: S506 (a safe loader)
    except Exception:
        return yaml.safe_load(text)
