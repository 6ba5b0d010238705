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
    if (
        isinstance(loop, asyncio.AbstractEventLoop)
        and isinstance(task, asyncio.Task)
        and not task.done()
        and not loop.is_closed()
    ):
        loop.call_soon_threadsafe(task.cancel)
        return
    raise BuildInterrupted(signum)


def stop_signal_received() -> int | None:
    """The first stop signal received, if any."""
    return _received[0] if _received else None


def watch(loop: asyncio.AbstractEventLoop, task: asyncio.Task) -> None:
    """Let a stop request cancel this task (only for the main thread's loop)."""
    if threading.current_thread() is threading.main_thread():
        _running.update(loop=loop, task=task)


def unwatch() -> None:
    _running.clear()


class _BuildLoop(asyncio.SelectorEventLoop):
    """An event loop on which libraries cannot take over SIGINT and SIGTERM: nbclient would
    install handlers that only stop its own kernel, then reset them to the defaults (so a later
    SIGTERM would kill the build with no clean-up). The command's handlers stay in charge."""

    def add_signal_handler(self, sig, callback, *args):
        raise RuntimeError("signals are handled by the build command")

    def remove_signal_handler(self, sig) -> bool:
        return False


def run_to_completion(coroutine):
    """asyncio.run(), except that an interrupt (Ctrl-C, or SIGTERM raised as one) also lets every
    task finish its clean-up (kernels shut down) and leaves no unretrieved task error to be
    logged at exit."""
    loop = _BuildLoop()
    main = loop.create_task(coroutine)
    watch(loop, main)
    try:
        return loop.run_until_complete(main)
    except asyncio.CancelledError:
        if stop_signal_received() is not None:
            raise BuildInterrupted(stop_signal_received()) from None
        raise
    finally:
        unwatch()
        pending = [t for t in asyncio.all_tasks(loop) if not t.done()]
        for task in pending:
            task.cancel()
        if pending:
            loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
        for task in [main, *pending]:
            if task.done() and not task.cancelled():
                task.exception()  # retrieved: the exception itself propagates from here
        loop.run_until_complete(loop.shutdown_asyncgens())
        loop.close()
