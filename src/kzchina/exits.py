"""The one place where failures become a message and an exit code (the CLI layer only).

Library code raises; `run()` turns what it raised into a few plain lines on stderr and an exit
code from the table below, with the traceback only under `--debug`. SIGINT and SIGTERM become an
exception too, so every clean-up path (kernels, pandoc, Typst, staging folders) runs.
"""

from __future__ import annotations

import asyncio
import errno
import re
import signal
import sys
import traceback
from collections.abc import Callable
from typing import Any, NoReturn

import click

OK = 0
FAILED = 1  # the input is wrong: configuration, chapter, data, a failing cell
USAGE = 2  # bad command-line options (click's own code)
TOOL_MISSING = 3  # pandoc, Typst or Quarto missing or broken
SYSTEM = 4  # disk full, permission denied, other operating-system errors
LIMIT = 5  # a time, output-size or memory limit was exceeded
UNSAFE_OUTPUT = 6  # the output folder was refused
PUBLISHED_CHANGED = 10  # verify: published files differ from the record
RECORD_DAMAGED = 11  # verify: the provenance record is missing, damaged or changed
NOT_REPRODUCED = 12  # verify: a rebuild differs from the record
INTERNAL = 70  # a bug: please report it with the --debug output
INTERRUPTED = 130  # SIGINT (Ctrl-C); SIGTERM gives 143

EXIT_CODES = {
    OK: "success",
    FAILED: "invalid input (configuration, chapter, data, failing cell)",
    USAGE: "bad command-line usage",
    TOOL_MISSING: "a required tool is missing or broken",
    SYSTEM: "disk full, permission denied or another system error",
    LIMIT: "a time, output-size or memory limit was exceeded",
    UNSAFE_OUTPUT: "the output folder was refused",
    PUBLISHED_CHANGED: "verify: published files differ from the record",
    RECORD_DAMAGED: "verify: the provenance record is missing, damaged or changed",
    NOT_REPRODUCED: "verify: a rebuild differs from the record",
    INTERNAL: "internal error (a bug)",
    INTERRUPTED: "interrupted (128 + signal number: 130 for SIGINT, 143 for SIGTERM)",
}
MAX_PROBLEMS = 50  # problems listed before the rest are only counted


def _interrupt(signum: int, _frame: Any) -> None:
    from litbuild import request_stop

    # Clean-up takes well under a second; a second signal must not cut it short.
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, signal.SIG_IGN)
    request_stop(signum)


def install_signal_handlers() -> None:
    """SIGINT and SIGTERM raise an exception in the main thread, so clean-up runs."""
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, _interrupt)


def problem_lines(problems: list, limit: int = MAX_PROBLEMS) -> list[str]:
    """Each problem on its own line, the first `limit` of them, then how many there are
    (counting those a file had past its own cap, which are only counted)."""
    lines = [str(p) for p in problems[:limit]]
    if len(problems) > limit:
        lines.append(f"... and {len(problems) - limit} more (first {limit} shown)")
    total = 0
    for p in problems:
        more = re.match(r"\.\.\. and (\d+) more", p.message) if p.type == "too-many" else None
        total += int(more[1]) if more else 1
    lines.append(f"{total} problem(s) found")
    return lines


def _os_error(exc: OSError) -> tuple[int, list[str]]:
    where = exc.filename or "(unknown path)"
    if exc.errno == errno.ENOSPC:
        return SYSTEM, [f"error: disk full while writing {where}; free some space and retry"]
    if exc.errno == errno.EDQUOT:
        return SYSTEM, [f"error: disk quota exceeded while writing {where}"]
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return SYSTEM, [
            f"error: permission denied: {where} ({exc.strerror}); check that you "
            "may write there (a read-only folder or file system?)"
        ]
    return SYSTEM, [f"error: {exc.strerror or exc}: {where}"]


def describe(exc: BaseException) -> tuple[int, list[str]]:
    """The exit code and the lines to print for an exception that ended a command."""
    from kzchina.problems import ProblemsError
    from litbuild import (
        BuildError,
        BuildInterrupted,
        LimitError,
        RecordError,
        ToolMissingError,
        UnsafeOutputError,
        stop_signal_received,
    )

    # A stop signal wins over whatever the clean-up it started made fail (a kernel it killed).
    if (
        isinstance(exc, (KeyboardInterrupt, asyncio.CancelledError))
        or stop_signal_received() is not None
    ):
        signum = (
            exc.signum
            if isinstance(exc, BuildInterrupted)
            else stop_signal_received() or signal.SIGINT
        )
        name = signal.Signals(signum).name
        return 128 + signum, [f"interrupted ({name}): stopped, every child process ended"]
    if isinstance(exc, ProblemsError):
        return FAILED, problem_lines(exc.problems)
    for kind, code in (
        (UnsafeOutputError, UNSAFE_OUTPUT),
        (LimitError, LIMIT),
        (ToolMissingError, TOOL_MISSING),
        (RecordError, RECORD_DAMAGED),
        (BuildError, FAILED),
    ):
        if isinstance(exc, kind):
            return code, [f"error: {exc}"]
    if isinstance(exc, MemoryError):
        return LIMIT, ["error: out of memory"]
    if isinstance(exc, OSError):
        return _os_error(exc)
    return INTERNAL, [
        f"internal error: {type(exc).__name__}: {exc}",
        "this is a bug; run again with --debug and report the traceback",
    ]


OUTPUT_NOTES = {
    "unchanged": "the previous output in {out} was left unchanged",
    "absent": "no output was written",
    "published": "the new output was published to {out}, but a later step failed",
    "changed": "WARNING: the output folder {out} was changed during the build by something "
    "other than the builder (chapter code or another program); it may be incomplete",
}


def run(
    action: Callable[[], Any],
    debug: bool = False,
    output: str | None = None,
    on_error: Callable[[BaseException], None] | None = None,
) -> Any:
    """Run a command's action; on failure print what happened and exit with its code
    (`on_error` sees the exception first, e.g. to report it as JSON)."""
    try:
        return action()
    except (click.exceptions.Exit, click.ClickException, SystemExit):
        raise
    except BaseException as exc:  # noqa: BLE001 - this is the one place that maps them all
        if on_error is not None:
            on_error(exc)
        fail(exc, debug, output)


def fail(exc: BaseException, debug: bool, output: str | None) -> NoReturn:
    """Print what happened (one line for an interrupt) and exit with the matching code."""
    code, lines = describe(exc)
    if debug:
        traceback.print_exception(exc, file=sys.stderr)
    if output is not None:
        state = getattr(exc, "output_state", None)
        output = getattr(exc, "output_dir", output)
        note = (
            OUTPUT_NOTES[state].format(out=output)
            if state in OUTPUT_NOTES
            else "nothing was written"
        )
        if isinstance(exc, (KeyboardInterrupt, asyncio.CancelledError)) or lines[0].startswith(
            "interrupted"
        ):
            lines = [f"{lines[0]}; {note}"]
        else:
            lines.append(f"build failed; {note}")
    for line in lines:
        click.echo(line, err=True)
    sys.exit(code)
