"""Issue 9: every kernel, the fork server and every pandoc or Typst child end with the build, on
success, failure, SIGINT, SIGTERM and SIGKILL; the previous output stays intact and the next
build is byte-identical to a clean one. Processes are counted before and after each case.
"""

from __future__ import annotations

import shutil
import signal
from pathlib import Path

import pytest

from faults import (
    command_lines,
    new_token,
    processes_with,
    run_report,
    settle,
    start_report,
    wait_for,
)
from helpers import copy_built, tree_digest, write_project

pytestmark = pytest.mark.slow

CHAPTERS = {
    "_quarto.yml": """
        project:
          type: book
          output-dir: _book
        book:
          title: "Signals"
          chapters:
            - index.qmd
            - one.qmd
            - two.qmd
            - three.qmd
        """,
    "index.qmd": "# Start {.unnumbered}\n\nTwo and two make `{python} 2 + 2`.\n",
    "one.qmd": "# One\n\n```{python}\nprint('one')\n```\n",
    "two.qmd": "# Two\n\n```{python}\n#| label: fig-line\n#| fig-cap: A line\n"
    "import matplotlib.pyplot as plt\nplt.plot([1, 2])\nplt.show()\n```\n",
    "three.qmd": "# Three\n\nThree is `{python} 1 + 2`.\n",
}
# Prose that keeps pandoc's markdown reader busy for minutes: a deep bracket nest.
PANDOC_BOMB = "[" * 3000 + "x" + "]" * 3000
# Leftovers a build may create next to its output: staging and backup folders.
LEFTOVER_MARKS = (".tmp-", ".old-")


def leftovers(root: Path) -> list[str]:
    return sorted(p.name for p in root.iterdir() if any(m in p.name for m in LEFTOVER_MARKS))


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[Path, dict[str, str]]:
    """The small book, built once: the previous output every case starts from."""
    root = write_project(tmp_path_factory.mktemp("signals") / "book", CHAPTERS)
    token = new_token()
    proc = run_report(["build", str(root), "--engine", "builtin"], token)
    assert proc.returncode == 0, proc.stderr
    assert settle(token) == []
    return root, tree_digest(root / "_book")


def fresh_copy(built, tmp_path: Path) -> Path:
    """A copy of the built book without its cache, so that every chapter runs again."""
    root = copy_built(built[0], tmp_path / "book")
    shutil.rmtree(root / ".litbuild", ignore_errors=True)
    return root


def test_a_successful_build_leaves_no_process(built, tmp_path):
    root = fresh_copy(built, tmp_path)
    token = new_token()
    proc = run_report(
        ["build", str(root), "--engine", "builtin"], token, LITBUILD_FORKSERVER="always"
    )
    assert proc.returncode == 0, proc.stderr
    assert settle(token) == []
    assert tree_digest(root / "_book") == built[1]


@pytest.mark.parametrize("forkserver", ["always", "off"])
def test_a_failing_multi_chapter_build_leaves_no_process(built, tmp_path, forkserver):
    root = fresh_copy(built, tmp_path)
    (root / "one.qmd").write_text("# One\n\n```{python}\nimport time\ntime.sleep(3)\n```\n")
    (root / "three.qmd").write_text("# Three\n\n```{python}\nraise ValueError('boom')\n```\n")
    token = new_token()
    proc = run_report(
        ["build", str(root), "--engine", "builtin"], token, LITBUILD_FORKSERVER=forkserver
    )
    assert proc.returncode == 1, proc.stderr
    assert "three.qmd:3-5" in proc.stderr and "ValueError: boom" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert "previous output" in proc.stderr and "left unchanged" in proc.stderr
    assert settle(token) == [], "processes left behind"
    assert tree_digest(root / "_book") == built[1]
    assert leftovers(root) == []


def _kernel_started(token: str) -> bool:
    return any("ipykernel" in p or "litbuild.forkserver" in p for p in processes_with(token))


def _pandoc_running(token: str) -> bool:
    return any("pandoc" in p.split(":", 1)[1].split()[0] for p in processes_with(token))


MOMENTS = {
    # as soon as the first kernel (or the fork server) exists: kernels are still starting
    "kernels-starting": (None, _kernel_started),
    # a cell is running (it wrote the flag file, then sleeps)
    "cell-running": (
        "# Two\n\n```{python}\nimport os, time\nopen(os.environ['FLAG'], 'w')"
        ".close()\ntime.sleep(120)\n```\n",
        None,
    ),
    # pandoc is parsing the chapters (a nest of brackets keeps it busy)
    "pandoc-running": (f"# Two\n\n{PANDOC_BOMB}\n", _pandoc_running),
}


@pytest.mark.parametrize("signame", ["SIGINT", "SIGTERM", "SIGKILL"])
@pytest.mark.parametrize("moment", list(MOMENTS))
def test_a_signal_stops_the_build_and_every_child(built, tmp_path, signame, moment):
    root = fresh_copy(built, tmp_path)
    flag = tmp_path / "cell-started"
    chapter, ready = MOMENTS[moment]
    if chapter is not None:
        (root / "two.qmd").write_text(chapter, encoding="utf-8")
    token = new_token()
    proc = start_report(
        ["build", str(root), "--engine", "builtin"],
        token,
        FLAG=str(flag),
        LITBUILD_FORKSERVER="always",
    )
    try:
        if ready is None:
            wait_for(flag.exists, what="the cell to start")
        else:
            wait_for(lambda: ready(token), what=moment)
        assert processes_with(token), "the build should have children at this moment"
        proc.send_signal(getattr(signal, signame))
        _out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert settle(token) == [], f"left behind after {signame}:\n{command_lines(token)}"
    if signame == "SIGKILL":
        assert proc.returncode == -signal.SIGKILL
    else:
        assert proc.returncode == 128 + getattr(signal, signame), err
        assert "Traceback" not in err and "Error" not in err, err
        last = err.strip().splitlines()[-1]
        assert last.startswith(f"interrupted ({signame})"), err
        assert "left unchanged" in last, err
        assert sum("interrupted" in line for line in err.splitlines()) == 1, err
    assert tree_digest(root / "_book") == built[1], "the previous output changed"
    if signame != "SIGKILL":
        assert leftovers(root) == []

    # The next build (sources restored) is byte-identical to a clean one; it also removes any
    # staging folder a killed build left.
    (root / "two.qmd").write_text(CHAPTERS["two.qmd"], encoding="utf-8")
    token = new_token()
    again = run_report(["build", str(root), "--engine", "builtin"], token)
    assert again.returncode == 0, again.stderr
    assert settle(token) == []
    assert tree_digest(root / "_book") == built[1]
    assert leftovers(root) == []


@pytest.mark.parametrize(
    "how, words",
    [
        ("import os\nos._exit(3)", "(exit code 3)"),
        ("import os, signal\nos.kill(os.getpid(), signal.SIGKILL)", "(killed by SIGKILL"),
    ],
)
@pytest.mark.parametrize("forkserver", ["always", "off"])
def test_a_kernel_that_dies_is_reported_with_how_it_ended(built, tmp_path, how, words, forkserver):
    """A forked kernel's exit status comes from the fork server, not a guessed 0 (issue 10)."""
    root = fresh_copy(built, tmp_path)
    (root / "two.qmd").write_text(f"# Two\n\n```{{python}}\n{how}\n```\n")
    token = new_token()
    proc = run_report(
        ["build", str(root), "--engine", "builtin"], token, LITBUILD_FORKSERVER=forkserver
    )
    assert proc.returncode == 1, proc.stderr
    assert "two.qmd:3-" in proc.stderr and "the kernel died while running this cell" in proc.stderr
    assert words in proc.stderr
    assert settle(token) == []
    assert tree_digest(root / "_book") == built[1]
