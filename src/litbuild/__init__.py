"""litbuild: render a Quarto book project to an HTML site and a PDF without Quarto.

The public API is what `__all__` names; everything else is internal and may change. The shapes
of the records chapter code hands to the engine are in `litbuild.contract`.

    import litbuild
    result = litbuild.build("path/to/book", to="all")
    report = litbuild.verify("path/to/book")
"""

from __future__ import annotations

import sys
import types
from importlib import import_module
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

__all__ = [
    "BuildError",
    "BuildEvent",
    "BuildInterrupted",
    "BuildResult",
    "CellExecutionError",
    "ConfigError",
    "LimitError",
    "RecordError",
    "ToolMissingError",
    "UnsafeOutputError",
    "Variant",
    "VerifyReport",
    "__version__",
    "build",
    "event_json",
    "lineage",
    "request_stop",
    "serve",
    "stop_signal_received",
    "to_stderr",
    "verify",
]

# Where each public name lives. Loaded on first use, so that chapter kernels, which import
# litbuild.kernel and litbuild.contract, do not pay for the build machinery (jinja2, pandoc...).
_API = {
    "BuildError": "errors",
    "CellExecutionError": "errors",
    "ConfigError": "errors",
    "BuildInterrupted": "errors",
    "LimitError": "errors",
    "ToolMissingError": "errors",
    "UnsafeOutputError": "errors",
    "RecordError": "verify",
    "Variant": "variant",
    "request_stop": "interrupts",
    "stop_signal_received": "interrupts",
    "serve": "serve",
    "BuildEvent": "events",
    "event_json": "events",
    "to_stderr": "events",
    "BuildResult": "build",
    "build": "build",
    "VerifyReport": "verify",
    "verify": "verify",
    "lineage": "verify",
}


class _Package(types.ModuleType):
    """`litbuild.build`, `.verify` and `.serve` are the functions, whatever was imported first.

    Both names are also submodules, and importing a submodule sets the package attribute of that
    name to the module; looking the public names up here, before the module's own attributes,
    keeps them the functions. The submodules stay reachable via sys.modules / import_module.
    """

    def __getattribute__(self, name: str) -> Any:
        if name in _API:
            return getattr(import_module(f"{__name__}.{_API[name]}"), name)
        return super().__getattribute__(name)


def __dir__() -> list[str]:
    return sorted(__all__)


sys.modules[__name__].__class__ = _Package

if TYPE_CHECKING:
    from .build import BuildResult, build
    from .errors import (
        BuildError,
        BuildInterrupted,
        CellExecutionError,
        ConfigError,
        LimitError,
        ToolMissingError,
        UnsafeOutputError,
    )
    from .events import BuildEvent, event_json, to_stderr
    from .interrupts import request_stop, stop_signal_received
    from .serve import serve
    from .variant import Variant
    from .verify import RecordError, VerifyReport, lineage, verify
