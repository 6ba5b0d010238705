"""Signals that stop a build cleanly: the running event loop's main task is cancelled, so every
chapter's kernel is shut down by its own clean-up code, then BuildInterrupted is raised.

Raising from a signal handler inside an asyncio task would escape the event loop at once and
skip that clean-up; outside the loop (pandoc, Typst, publishing) raising is what we want.
"""

from __future__ import annotations

import asyncio
import threading

from .errors import BuildInterrupted

_running: dict[str, object] = {}  # "loop" and "task" of the build's event loop, while it runs
_received: list[int] = []


def request_stop(signum: int) -> None:
    """Called from a signal handler (main thread): stop the build at the next safe point."""
    _received.append(signum)
    loop, task = _running.get("loop"), _running.get("task")
    if isinstance(loop, asyncio.AbstractEventLoop) and isinstance(task, asyncio.Task) \
            and not task.done() and not loop.is_closed():
        loop.call_soon_threadsafe(task.cancel)
        return
    raise BuildInterrupted(signum)


def received() -> int | None:
    """The first stop signal received, if any."""
    return _received[0] if _received else None


def watch(loop: asyncio.AbstractEventLoop, task: asyncio.Task) -> None:
    """Let a stop request cancel this task (only for the main thread's loop)."""
    if threading.current_thread() is threading.main_thread():
        _running.update(loop=loop, task=task)


def unwatch() -> None:
    _running.clear()
