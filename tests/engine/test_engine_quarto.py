"""`--engine quarto` delegates to the quarto command; the builtin engine is the default always.

Quarto itself is not installable here, so these tests put a stand-in `quarto` executable on PATH
that records its arguments. They test the delegation (which command runs, with which arguments,
and that failures surface), not Quarto's rendering.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from litbuild.build import build
from litbuild.errors import BuildError

BOOK = """\
project:
  type: book
book:
  title: "Delegation Book"
  chapters:
    - index.qmd
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "book"
    root.mkdir()
    (root / "_quarto.yml").write_text(BOOK, encoding="utf-8")
    (root / "index.qmd").write_text("# Hello {.unnumbered}\n", encoding="utf-8")
    return root


def stand_in_quarto(bin_dir: Path, exit_code: int = 0) -> Path:
    """A `quarto` that writes its argv to quarto-args.json and creates _book/index.html."""
    bin_dir.mkdir(parents=True, exist_ok=True)
    log = bin_dir / "quarto-args.json"
    script = bin_dir / "quarto"
    script.write_text(
        f"#!{sys.executable}\n"
        "import json, sys, pathlib\n"
        f"pathlib.Path({str(log)!r}).write_text(json.dumps(sys.argv[1:]))\n"
        "out = pathlib.Path(sys.argv[2]) / '_book'\n"
        "out.mkdir(exist_ok=True)\n"
        "(out / 'index.html').write_text('<html>quarto</html>')\n"
        f"sys.exit({exit_code})\n",
        encoding="utf-8",
    )
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return log


@pytest.fixture
def quarto_on_path(tmp_path: Path, monkeypatch) -> Path:
    log = stand_in_quarto(tmp_path / "bin")
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}{os.pathsep}{os.environ['PATH']}")
    return log


def test_quarto_on_path_is_used_only_when_asked(project, quarto_on_path):
    result = build(project, engine="quarto", progress=lambda m: None)
    assert json.loads(quarto_on_path.read_text()) == ["render", str(project)]
    assert (project / "_book" / "index.html").read_text() == "<html>quarto</html>"
    assert result.output_dir == project / "_book"


@pytest.mark.parametrize(
    "to, expected",
    [
        pytest.param("pdf", ["--to", "typst"], id="pdf"),
        pytest.param("html", ["--to", "html"], id="html"),
    ],
)
def test_formats_and_output_dir_are_passed_on(project, quarto_on_path, tmp_path, to, expected):
    out = tmp_path / "elsewhere"
    build(project, engine="quarto", to=to, output_dir=out, progress=lambda m: None)
    assert json.loads(quarto_on_path.read_text()) == [
        "render",
        str(project),
        *expected,
        "--output-dir",
        str(out),
    ]


@pytest.mark.parametrize("engine", [{"engine": "builtin"}, {}], ids=["builtin", "default"])
def test_builtin_engine_ignores_quarto_on_path(project, quarto_on_path, engine):
    result = build(project, to="html", progress=lambda m: None, **engine)
    assert not quarto_on_path.exists()
    assert "litbuild" in (result.output_dir / "index.html").read_text()
    assert (result.output_dir / "provenance.json").is_file()


def test_cli_default_is_builtin_with_quarto_on_path(project, quarto_on_path):
    proc = subprocess.run(
        [sys.executable, "-m", "kzchina.cli", "build", str(project), "--to", "html"],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    assert not quarto_on_path.exists()
    assert (project / "_book" / "provenance.json").is_file()


def test_auto_engine_is_gone(project, quarto_on_path):
    with pytest.raises(BuildError, match="--engine must be builtin or quarto"):
        build(project, engine="auto", progress=lambda m: None)
    assert not quarto_on_path.exists()


def test_quarto_failure_is_a_build_error(project, tmp_path, monkeypatch):
    stand_in_quarto(tmp_path / "failing", exit_code=3)
    monkeypatch.setenv("PATH", f"{tmp_path / 'failing'}{os.pathsep}{os.environ['PATH']}")
    with pytest.raises(BuildError, match="exit code 3"):
        build(project, engine="quarto", progress=lambda m: None)


def test_engine_quarto_without_quarto_says_so(project, monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    with pytest.raises(BuildError, match="quarto command is not on PATH"):
        build(project, engine="quarto", progress=lambda m: None)
