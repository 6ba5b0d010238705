"""Start Jupyter kernels by forking a process that has already imported the heavy libraries.

A fresh kernel costs about 0.7 s to start plus about 0.8 s to import pandas and matplotlib, for
every chapter; on two cores that dominates a book build. A fork server pays both once: it imports
ipykernel and the preloaded libraries, then forks one child per kernel. Each child is still a
separate process that has run no chapter code, so chapters stay as isolated as with Quarto's fresh
kernels: nothing a chapter defines or changes is visible to another. Project modules are never
preloaded, so the files a chapter imports are still recorded as its inputs.

LITBUILD_FORKSERVER=off starts plain kernels, =always forks even a single kernel (default `auto`);
LITBUILD_PRELOAD lists the modules to preload.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

from . import processes

DEFAULT_PRELOAD = (
    "numpy",
    "pandas",
    "matplotlib",
    "matplotlib.figure",
    "matplotlib.backends.backend_svg",
    "matplotlib.backends.backend_agg",
    # What every kernel imports as it starts, after the fork: without these, each one loads
    # the debugger (debugpy: 130 modules) and IPython's inspection tools again, about 0.07 s.
    "ipykernel.debugger",
    "IPython.core.debugger",
    "IPython.core.completerlib",
    "IPython.core.oinspect",
    "IPython.extensions.storemagic",
    "psutil",
)
INLINE_BACKEND = "module://matplotlib_inline.backend_inline"
# Not `-m litbuild.forkserver`: the package imports this module first, and runpy would run a
# second copy of it as __main__.
SERVER_MAIN = "import sys; from litbuild.forkserver import _serve; _serve(sys.argv[1:])"


def wanted(chapters_to_run: int, slots: int) -> bool:
    """Whether to start a fork server for this many chapters: LITBUILD_FORKSERVER is `auto`
    (default: only when more chapters must run than there are slots, since starting the server
    costs about one plain kernel), `always`, or `0`/`off`."""
    mode = os.environ.get("LITBUILD_FORKSERVER", "auto").lower()
    if mode in ("0", "false", "no", "off") or chapters_to_run == 0:
        return False
    return mode == "always" or chapters_to_run > slots


def preload_modules() -> list[str]:
    configured = os.environ.get("LITBUILD_PRELOAD")
    if configured is None:
        return list(DEFAULT_PRELOAD)
    return [m.strip() for m in configured.split(",") if m.strip()]


class ForkedProcess:
    """The slice of subprocess.Popen that jupyter_client's provisioner uses, for a forked kernel.

    The fork server reaps its children and keeps their exit statuses; `poll()` asks it, so a
    crashed kernel reads as crashed (a negative signal number or its non-zero code), not as 0.
    """

    def __init__(self, pid: int, server: ForkServer | None = None):
        self.pid = pid
        self.returncode: int | None = None
        self.stdin = self.stdout = self.stderr = None
        self._server = server

    def poll(self) -> int | None:
        if self.returncode is None:
            status = self._server.status(self.pid) if self._server is not None else None
            if status is not None:
                self.returncode = status
            elif not _exists(self.pid):
                # The server is gone and so is the kernel (it dies with the server): killed.
                self.returncode = -signal.SIGKILL
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            if deadline is not None and time.monotonic() > deadline:
                raise subprocess.TimeoutExpired(str(self.pid), timeout)
            time.sleep(0.01)
        return self.returncode

    def send_signal(self, signum: int) -> None:
        if self.returncode is None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.pid, signum)  # the kernel leads its own group (setsid)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)


def _exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # the pid was reused by someone else's process
        return False
    return True


class ForkServer:
    """The parent side: starts the server process and asks it for kernels."""

    def __init__(self, cwd: Path, python: str = sys.executable, memory_bytes: int | None = None):
        env = dict(os.environ)
        env.setdefault("MPLBACKEND", INLINE_BACKEND)
        # Its own session (killing the group ends it), and it dies with the build, even by SIGKILL;
        # its kernels die with it in turn.
        self._proc = subprocess.Popen(
            [python, "-c", SERVER_MAIN, *preload_modules()],
            cwd=str(cwd),
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            bufsize=1,
            start_new_session=True,
            preexec_fn=processes.child_setup(),
        )
        processes.register(self._proc.pid)
        self._memory_bytes = memory_bytes
        self._lock = threading.Lock()
        self._ready: bool | None = None

    def _wait_ready(self) -> bool:
        if self._ready is None:
            line = self._proc.stdout.readline()
            self._ready = line.strip() == "ready"
        return self._ready

    def _ask(self, request: dict[str, Any]) -> dict[str, Any] | None:
        """One request and its reply; None when the server is not (or no longer) there."""
        with self._lock:
            if not self._wait_ready() or self._proc.poll() is not None:
                return None
            try:
                self._proc.stdin.write(json.dumps(request) + "\n")
                self._proc.stdin.flush()
                reply = self._proc.stdout.readline()
                return json.loads(reply)
            except (OSError, ValueError):
                return None

    def _spawn_blocking(self, argv: list[str], cwd: str, env: dict[str, str]) -> int | None:
        reply = self._ask({"argv": argv, "cwd": cwd, "env": env, "memory": self._memory_bytes})
        try:
            pid = int(reply["pid"])
        except (KeyError, TypeError, ValueError):
            return None
        processes.register(pid)
        return pid

    def status(self, pid: int) -> int | None:
        """A forked kernel's exit code (negative: killed by that signal), None while it runs."""
        reply = self._ask({"status": pid})
        if reply is None:
            return None
        return reply.get("exit")

    async def spawn(self, argv: list[str], cwd: str, env: dict[str, str]) -> int | None:
        """Fork a kernel; None when the server cannot (the caller then starts a plain one)."""
        return await asyncio.to_thread(self._spawn_blocking, argv, cwd, env)

    @property
    def pid(self) -> int:
        return self._proc.pid

    def alive(self) -> bool:
        """Whether the server process still runs (it may have been killed since it started)."""
        return self._proc.poll() is None

    def kill(self) -> None:
        """Stop the server now (a failed or interrupted build); its kernels die with it."""
        processes.kill_group(self._proc.pid)

    def close(self) -> None:
        """Stop the server; kernels it forked live on until their managers shut them down."""
        with contextlib.suppress(OSError):
            self._proc.stdin.close()
        try:
            self._proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            processes.kill_group(self._proc.pid)
            self._proc.wait()
        processes.unregister(self._proc.pid)
        self._proc.stdout.close()


class _QuickStartClient:
    """Mixin for AsyncKernelClient: ready as soon as the kernel answers kernel_info on shell and
    IOPub carries its status. jupyter_client then also waits for 0.2 s of IOPub silence, a pure
    delay on every kernel; nbclient ignores IOPub messages that answer other requests anyway."""

    async def _async_wait_for_ready(self, timeout: float | None = None) -> None:
        from queue import Empty

        deadline = time.monotonic() + (timeout if timeout is not None else 60.0)
        while True:
            self.kernel_info()
            try:
                reply = await self.shell_channel.get_msg(timeout=1)
            except Empty:
                reply = None
            if reply is not None and reply["msg_type"] == "kernel_info_reply":
                try:  # the busy/idle status of that request: IOPub is connected
                    await self.iopub_channel.get_msg(timeout=0.2)
                except Empty:
                    pass
                else:
                    self._handle_kernel_info_reply(reply)
                    return
            if not await self._async_is_alive():
                raise RuntimeError("Kernel died before replying to kernel_info")
            if time.monotonic() > deadline:
                raise RuntimeError(f"Kernel didn't respond in {timeout} seconds")

    # AsyncKernelClient binds wait_for_ready to the base method itself, not to an override.
    async def wait_for_ready(self, timeout: float | None = None) -> None:
        await self._async_wait_for_ready(timeout)


PROVISIONER = "litbuild-fork-provisioner"  # the entry point's name in pyproject.toml


@functools.cache
def _provisioner_class() -> type:
    from jupyter_client.provisioning import LocalProvisioner

    class ForkProvisioner(LocalProvisioner):
        """Start a build kernel through jupyter_client's provisioner interface: forked from the
        manager's fork server when it has one (imports already done), else as a process that
        dies with the build and whose memory is capped by the build's limit."""

        async def launch_kernel(self, cmd: list[str], **kwargs: Any):
            manager = self.parent
            server = getattr(manager, "fork_server", None)
            pid = None
            if server is not None and _kernel_arguments(cmd) is not None:
                cwd = str(kwargs.get("cwd") or os.getcwd())
                pid = await server.spawn(cmd, cwd, dict(kwargs.get("env") or os.environ))
            if pid is None:
                memory = getattr(manager, "memory_bytes", None)
                kwargs["preexec_fn"] = processes.child_setup(memory)
                info = await super().launch_kernel(cmd, **kwargs)
                processes.register(self.pid)
                return info
            if manager is not None:
                manager.forked_pid = pid
            self.process = ForkedProcess(pid, server)
            self.pid = pid
            self.pgid = pid  # the child calls setsid(): it leads its own process group
            self.cwd = kwargs.get("cwd")
            return self.connection_info

    return ForkProvisioner


def __getattr__(name: str) -> Any:
    # The entry point names `litbuild.forkserver:ForkProvisioner`; jupyter_client is imported
    # only when a kernel is started, not whenever this module is.
    if name == "ForkProvisioner":
        return _provisioner_class()
    raise AttributeError(name)


def kernel_manager_class():
    """The AsyncKernelManager for build kernels: started by the fork provisioner (named in the
    kernel spec they are given) and ready without jupyter_client's fixed waits."""
    from jupyter_client.asynchronous import AsyncKernelClient
    from jupyter_client.kernelspec import KernelSpecManager
    from jupyter_client.manager import AsyncKernelManager
    from traitlets import default

    class QuickStartClient(_QuickStartClient, AsyncKernelClient):
        pass

    class ForkKernelSpecs(KernelSpecManager):
        """The installed kernel specs, each naming the fork provisioner."""

        def get_kernel_spec(self, kernel_name: str):
            spec = super().get_kernel_spec(kernel_name)
            spec.metadata = {
                **spec.metadata,
                "kernel_provisioner": {"provisioner_name": PROVISIONER},
            }
            return spec

    class BuildKernelManager(AsyncKernelManager):
        fork_server: ForkServer | None = None
        forked_pid: int | None = None
        memory_bytes: int | None = None

        def kill_forked(self) -> None:
            """Kill the forked kernel's process group, whatever jupyter_client believes: under
            heavy load its start-up check can report a live kernel as dead and forget it."""
            if self.forked_pid is not None:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.killpg(self.forked_pid, signal.SIGKILL)
                self.forked_pid = None

        @default("kernel_spec_manager")
        def _fork_kernel_specs(self) -> KernelSpecManager:
            return ForkKernelSpecs(parent=self)

        @default("client_factory")
        def _quick_start_client(self) -> type:
            return QuickStartClient

        async def _async_wait(self, pollinterval: float = 0.01) -> None:
            # A killed kernel is gone within milliseconds; jupyter_client looks every 0.1 s.
            await super()._async_wait(pollinterval=pollinterval)

    return BuildKernelManager


def _kernel_arguments(kernel_cmd: list[str]) -> list[str] | None:
    """The arguments after `-m ipykernel_launcher` (interpreter flags before it vary), or None
    for a kernel command the server cannot stand in for."""
    for i in range(1, len(kernel_cmd) - 1):
        if kernel_cmd[i] == "-m" and kernel_cmd[i + 1] == "ipykernel_launcher":
            return kernel_cmd[i + 2 :]
    return None


# ------------------------------------------------------------------ the server process itself
def _serve(preload: list[str]) -> None:
    os.environ.setdefault("MPLBACKEND", INLINE_BACKEND)
    import ipykernel.kernelapp  # noqa: F401  (the kernel itself, the largest import)

    for name in preload:
        try:
            __import__(name)
        except ImportError:  # a module that is not installed is simply not preloaded
            continue
    # Children are reaped as they exit and their exit codes kept for the build to ask about.
    exits: dict[int, int] = {}

    def reap(_signum: int, _frame: Any) -> None:
        while True:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            exits[pid] = os.waitstatus_to_exitcode(status)

    signal.signal(signal.SIGCHLD, reap)
    server_cwd = os.getcwd()
    print("ready", flush=True)
    for line in sys.stdin:
        request = json.loads(line)
        if "status" in request:
            reap(0, None)
            print(json.dumps({"exit": exits.get(int(request["status"]))}), flush=True)
            continue
        pid = os.fork()
        if pid == 0:
            _become_kernel(request, server_cwd)  # never returns
        print(json.dumps({"pid": pid}), flush=True)
    # The build closed our stdin: leave at once. A normal exit would tear down every module
    # the server imported (pandas, matplotlib...), about 0.3-0.5 s the build would wait for.
    os._exit(0)


def _become_kernel(request: dict[str, Any], server_cwd: str) -> None:
    code = 0
    try:
        os.setsid()
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)  # chapter code may wait for subprocesses
        processes.die_with_parent()
        processes.limit_memory(request.get("memory"))
        devnull = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):
            os.dup2(devnull, fd)
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        # `python -m` puts the start directory first on sys.path; the chapter's, not the server's.
        sys.path[:] = [request["cwd"] if p in ("", server_cwd) else p for p in sys.path]
        argv = _kernel_arguments(request["argv"])
        from ipykernel.kernelapp import launch_new_instance

        launch_new_instance(argv=argv)
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 0
    except BaseException:
        code = 1
    finally:
        os._exit(code)


if __name__ == "__main__":
    _serve(sys.argv[1:])
