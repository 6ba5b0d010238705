"""Helpers for the fault tests: run `report` as a user would, find the processes a build started.

Every build under test gets a unique token in its environment; kernels, the fork server, pandoc
and Typst inherit it, so the processes a build left behind are found by reading /proc/*/environ,
without confusing them with other builds running on the same machine.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

REPORT = [sys.executable, "-m", "kzchina.cli"]
TOKEN_VAR = "LITBUILD_FAULT_TEST_TOKEN"


def new_token() -> str:
    return uuid.uuid4().hex


def env_with(token: str, **extra: str) -> dict[str, str]:
    return {**os.environ, TOKEN_VAR: token, **extra}


def processes_with(token: str) -> list[str]:
    """'pid: command line' of every live process whose environment carries the token."""
    needle = f"{TOKEN_VAR}={token}".encode()
    found = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            environ = Path(f"/proc/{pid}/environ").read_bytes()
            if needle not in environ.split(b"\0"):
                continue
            status = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if status != "Z":  # a zombie is already dead, waiting only for its parent to read it
            found.append(f"{pid}: {cmdline.strip()}")
    return found


def settle(token: str, seconds: float = 15.0) -> list[str]:
    """The token's processes once they have had time to exit (killed processes take a moment
    to disappear from /proc); not a timing assertion, only a bounded wait."""
    deadline = time.monotonic() + seconds
    left = processes_with(token)
    while left and time.monotonic() < deadline:
        time.sleep(0.1)
        left = processes_with(token)
    return left


def run_report(
    args: list[str], token: str, timeout: float = 600, **extra_env: str
) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*REPORT, *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env_with(token, **extra_env),
        check=False,
    )


def start_report(args: list[str], token: str, **extra_env: str) -> subprocess.Popen:
    return subprocess.Popen(
        [*REPORT, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env_with(token, **extra_env),
    )


def wait_for(predicate, seconds: float = 120.0, what: str = "condition") -> None:
    """Poll until predicate() is true; fail the test when it never becomes true."""
    deadline = time.monotonic() + seconds
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def command_lines(token: str) -> str:
    return "\n".join(processes_with(token))


SIGNALS = {"SIGINT": signal.SIGINT, "SIGTERM": signal.SIGTERM, "SIGKILL": signal.SIGKILL}
