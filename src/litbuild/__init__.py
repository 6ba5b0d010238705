"""litbuild: render a Quarto book project to an HTML site and a PDF without Quarto.

The public API is what `__all__` names; everything else is internal and may change. The shapes
of the records chapter code hands to the engine are in `litbuild.contract`.

    import litbuild
    result = litbuild.build("path/to/book", to="all")
    report = litbuild.verify("path/to/book")
"""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = [
    "BuildError",
    "BuildEvent",
    "BuildResult",
    "CellExecutionError",
    "ConfigError",
    "VerifyReport",
    "__version__",
    "build",
    "event_json",
    "lineage",
    "to_stderr",
    "verify",
]

# `build` and `verify` are both submodules and functions: importing them here binds the names to
# the functions for good (a lazy __getattr__ would lose to the submodules once they are imported).
from .build import BuildResult, build  # noqa: E402
from .errors import BuildError, CellExecutionError, ConfigError  # noqa: E402
from .events import BuildEvent, event_json, to_stderr  # noqa: E402
from .verify import VerifyReport, lineage, verify  # noqa: E402
