"""Errors the engine raises; only the CLI turns them into exit codes."""

from __future__ import annotations


class BuildError(Exception):
    """A build failed; the message says where (file and line) and why."""


class ConfigError(BuildError):
    """_quarto.yml or a chapter's front matter is invalid."""


class CellExecutionError(BuildError):
    """A code cell raised: carries the chapter, the cell's line range and the exception."""

    def __init__(
        self,
        chapter: str,
        first_line: int,
        last_line: int,
        ename: str,
        evalue: str,
        traceback: str,
        source: str,
        what: str = "cell",
    ):
        self.chapter = chapter
        self.first_line = first_line
        self.last_line = last_line
        self.ename = ename
        self.evalue = evalue
        self.traceback = traceback
        self.source = source
        where = f"{first_line}" if what == "inline expression" else f"{first_line}-{last_line}"
        super().__init__(
            f"{chapter}:{where}: {what} raised {ename}: {evalue}\n"
            + "".join(f"    | {line}\n" for line in source.splitlines())
        )


class CrossReferenceError(BuildError):
    """A cross-reference names a label that no figure, table or section carries."""


class UnsafeOutputError(BuildError):
    """The output folder is one the build must not replace (not its own, or holding sources)."""


class LimitError(BuildError):
    """A configured limit (time, output size, memory) was exceeded; the message says where."""


class ToolMissingError(BuildError):
    """An external tool the build needs (pandoc, Typst, Quarto) is missing or broken."""


class BuildInterrupted(KeyboardInterrupt):
    """The build was stopped by a signal (SIGINT or SIGTERM); carries the signal number.
    A KeyboardInterrupt, so that asyncio and every clean-up path treat it as Ctrl-C."""

    def __init__(self, signum: int):
        self.signum = signum
        super().__init__(f"interrupted by signal {signum}")
