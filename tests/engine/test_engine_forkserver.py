"""Kernels forked from a preloaded server behave like fresh kernels, only faster to start.

Checked against the plain way of starting kernels (LITBUILD_FORKSERVER=off): same output bytes, the
same isolation, the chapter's own working directory and import path, and no process left behind.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import copy_book, quiet, tree_digest, write_project
from litbuild.build import build

pytestmark = pytest.mark.slow  # starts kernels, forked and plain

ISOLATION_BOOK = {
    "_quarto.yml": """
        project:
          type: book
        book:
          title: "Preload Isolation"
          chapters:
            - index.qmd
            - chapters/first.qmd
            - chapters/second.qmd
        """,
    "index.qmd": "# Start {.unnumbered}\n\nNo code here.\n",
    # Changes state inside the preloaded libraries; the next chapter must not see it.
    "chapters/first.qmd": """
        # First

        ```{python}
        import pandas as pd
        import matplotlib
        pd.set_option("display.max_rows", 3)
        matplotlib.rcParams["lines.linewidth"] = 9.0
        import localmod
        ```

        ROWS-`{python} pd.get_option("display.max_rows")`-END
        LOCAL-`{python} localmod.WHERE`-END
        """,
    "chapters/second.qmd": """
        # Second

        ```{python}
        import os, sys
        import pandas as pd
        import matplotlib
        ```

        ROWS-`{python} pd.get_option("display.max_rows")`-END
        WIDTH-`{python} matplotlib.rcParams["lines.linewidth"]`-END
        CWD-`{python} os.path.basename(os.getcwd())`-END
        LOCAL-`{python} "localmod" in sys.modules`-END
        FORKED-`{python} b"litbuild.forkserver" in open(f"/proc/{os.getppid()}/cmdline", "rb").read()`-END
        """,
    # Importable from the chapter's folder only: the kernel's import path starts there.
    "chapters/localmod.py": "WHERE = 'chapters-folder'\n",
}


def value(page: Path, marker: str) -> str:
    """The text printed between MARKER- and -END on a rendered page."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
    text = " ".join(soup.get_text().split())
    start = text.index(marker + "-") + len(marker) + 1
    return text[start : text.index("-END", start)].strip()


def forkserver_processes(under: Path) -> list[str]:
    """Command lines of any fork server or forked kernel still alive whose working directory is
    under `under` (this test's projects: other builds on the machine are not ours to count)."""
    found = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
            cwd = Path(os.readlink(f"/proc/{pid}/cwd"))
        except OSError:
            continue
        if "litbuild.forkserver" in cmdline and cwd.is_relative_to(under):
            found.append(f"{pid}: {cmdline}")
    return found


@pytest.fixture(params=["always", "off"], ids=["forked", "plain"])
def kernel_mode(request, monkeypatch) -> str:
    monkeypatch.setenv("LITBUILD_FORKSERVER", request.param)
    return request.param


def test_preloaded_state_does_not_leak_between_chapters(tmp_path, kernel_mode):
    root = write_project(tmp_path / "book", ISOLATION_BOOK)
    build(root, to="html", engine="builtin", progress=quiet)
    first, second = root / "_book/chapters/first.html", root / "_book/chapters/second.html"
    assert value(first, "ROWS") == "3"
    assert value(second, "ROWS") == "60"  # pandas' default, untouched by the first chapter
    assert value(second, "WIDTH") == "1.5"  # matplotlib's default line width
    assert value(first, "LOCAL") == "chapters-folder"
    assert value(second, "CWD") == "chapters"  # Quarto's default: the chapter's own folder
    assert value(second, "LOCAL") == "False"
    # The kernel really came from the fork server, or really did not.
    assert value(second, "FORKED") == ("True" if kernel_mode == "always" else "False")


def test_forked_and_plain_kernels_give_identical_books(tmp_path, monkeypatch):
    outputs = {}
    for mode in ("always", "off"):
        monkeypatch.setenv("LITBUILD_FORKSERVER", mode)
        project = copy_book(tmp_path / f"book-{mode}")
        result = build(
            project, engine="builtin", output_dir=tmp_path / f"out-{mode}", progress=quiet
        )
        assert result.executed, "the build must have run kernels"
        outputs[mode] = tree_digest(tmp_path / f"out-{mode}")
    assert outputs["always"] == outputs["off"]


def test_no_server_or_kernel_outlives_the_build(tmp_path, monkeypatch):
    # Always fork: in `auto` mode a machine with enough cores would start no server at all.
    monkeypatch.setenv("LITBUILD_FORKSERVER", "always")
    root = write_project(tmp_path / "book", ISOLATION_BOOK)
    build(root, to="html", engine="builtin", progress=quiet)
    assert value(root / "_book/chapters/second.html", "FORKED") == "True"  # a server did run
    assert forkserver_processes(tmp_path) == []


def test_a_failing_chapter_leaves_no_kernel_behind(tmp_path):
    root = write_project(
        tmp_path / "book",
        {
            "_quarto.yml": "project:\n  type: book\nbook:\n  title: Fails\n  chapters:\n"
            "    - index.qmd\n    - one.qmd\n    - two.qmd\n",
            "index.qmd": "# Start {.unnumbered}\n",
            "one.qmd": "# One\n\n```{python}\nimport time\ntime.sleep(2)\n```\n",
            "two.qmd": "# Two\n\n```{python}\nraise ValueError('boom')\n```\n",
        },
    )
    proc = subprocess.run(
        [sys.executable, "-m", "kzchina.cli", "build", str(root), "--engine", "builtin"],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "LITBUILD_FORKSERVER": "always"},
    )
    assert proc.returncode != 0 and "ValueError: boom" in proc.stderr
    assert forkserver_processes(tmp_path) == []


@pytest.mark.slow
def test_kernels_start_through_the_fork_provisioner(tmp_path):
    """The build starts kernels through jupyter_client's public provisioner interface (an
    entry point), and with a fork server attached the kernel is the server's child."""
    import asyncio

    from litbuild.forkserver import PROVISIONER, ForkServer, kernel_manager_class

    async def start_and_stop(server):
        km = kernel_manager_class()(kernel_name="python3")
        km.fork_server = server
        await km.start_kernel(cwd=str(tmp_path))
        try:
            assert km.kernel_spec.metadata["kernel_provisioner"]["provisioner_name"] == PROVISIONER
            assert type(km.provisioner).__name__ == "ForkProvisioner"
            return km.provisioner.pid, km.forked_pid
        finally:
            await km.shutdown_kernel(now=True)
            km.kill_forked()

    server = ForkServer(tmp_path)
    try:
        pid, forked = asyncio.run(start_and_stop(server))
        assert forked == pid and pid is not None
    finally:
        server.close()
    # Without a server the same provisioner starts a plain process.
    pid, forked = asyncio.run(start_and_stop(None))
    assert pid is not None and forked is None
