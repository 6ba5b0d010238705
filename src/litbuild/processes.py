"""Child processes that end with the build: their own process groups, a registry, a reaper.

Every child (kernel, fork server, pandoc, Typst) starts in its own session, so that killing its
group also ends whatever it started. On Linux each also asks the kernel to kill it when its parent
dies (PR_SET_PDEATHSIG), which covers a build that is itself killed with SIGKILL, where no clean-up
code of ours can run. The registry lets the build kill every group still alive when it ends, on
success, failure, exception or signal.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import os
import resource  # imported here: a child must not import anything between fork and exec
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator

from .errors import LimitError, ToolMissingError

_PR_SET_PDEATHSIG = 1
_live: set[int] = set()  # process group ids of running children
_lock = threading.Lock()


def _load_prctl() -> Callable[..., int] | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True).prctl
    except (OSError, AttributeError):
        return None


_prctl = _load_prctl()


def die_with_parent() -> None:
    """In a child: be killed when the parent dies (Linux), even by SIGKILL."""
    if _prctl is not None:
        _prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)


def limit_memory(max_bytes: int | None) -> None:
    """In a child: cap its address space, so a runaway allocation fails there, not the machine."""
    if not max_bytes:
        return
    _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        max_bytes = min(max_bytes, hard)
    resource.setrlimit(resource.RLIMIT_AS, (max_bytes, hard))


def child_setup(max_bytes: int | None = None) -> Callable[[], None]:
    """A preexec function for Popen: die with the parent, optionally cap memory."""

    def setup() -> None:
        die_with_parent()
        limit_memory(max_bytes)

    return setup


def register(pgid: int) -> None:
    """Remember a child's process group, to be killed if the build ends while it runs."""
    with _lock:
        _live.add(pgid)


def unregister(pgid: int) -> None:
    with _lock:
        _live.discard(pgid)


def kill_group(pgid: int) -> None:
    """Kill a process group (or the single process, when it leads no group)."""
    try:
        os.killpg(pgid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    except PermissionError:
        with contextlib.suppress(OSError):
            os.kill(pgid, signal.SIGKILL)


def kill_all() -> None:
    """Kill every registered child process group still alive."""
    with _lock:
        groups = list(_live)
        _live.clear()
    for pgid in groups:
        kill_group(pgid)


@contextlib.contextmanager
def reaping() -> Iterator[None]:
    """Kill every child started inside the block that is still alive when it ends, however."""
    try:
        yield
    finally:
        kill_all()


def run(
    args: list[str],
    input_bytes: bytes,
    timeout: float | None,
    what: str,
    tool: str,
    hint: str,
    env: dict[str, str] | None = None,
) -> subprocess.CompletedProcess:
    """Run a tool in its own process group with a time limit; kill the group on any way out."""
    try:
        proc = subprocess.Popen(
            args,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,
            preexec_fn=child_setup(),
        )
    except OSError as exc:
        raise ToolMissingError(
            f"{tool} could not be started ({exc.strerror}: {args[0]}); {hint}"
        ) from exc
    register(proc.pid)
    try:
        out, err = proc.communicate(input_bytes, timeout=timeout)
    except subprocess.TimeoutExpired:
        kill_group(proc.pid)
        proc.communicate()
        raise LimitError(
            f"{what}: {tool} took longer than {timeout:g} s and was stopped "
            "(raise the limit with the matching option or _quarto.yml key)"
        ) from None
    except BaseException:
        kill_group(proc.pid)
        with contextlib.suppress(Exception):
            proc.wait(timeout=5)
        raise
    finally:
        unregister(proc.pid)
    return subprocess.CompletedProcess(args, proc.returncode, out, err)
