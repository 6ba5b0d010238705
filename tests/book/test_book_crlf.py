"""A CRLF checkout (Windows, git's core.autocrlf) records the same hashes as an LF one.

The report is built once; then every text source (chapters, data, configuration, stylesheet,
code) is rewritten with CRLF line endings, as a Windows checkout would have them. Nothing
re-executes, and `report verify` still reproduces every recorded output.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from book_fixtures import copy_built, main_book, quiet, report_cli
from litbuild import build
from litbuild.contract import content_sha256, is_text

pytestmark = pytest.mark.slow

TEXT_SUFFIXES = {".qmd", ".yml", ".csv", ".json", ".css", ".py", ".md"}


def to_crlf(project: Path) -> list[str]:
    """Rewrite every text source under project with CRLF line endings; return what changed."""
    changed = []
    for path in sorted(project.rglob("*")):
        parts = path.relative_to(project).parts
        if (
            not path.is_file()
            or path.suffix not in TEXT_SUFFIXES
            or parts[0] in ("_book", ".litbuild", "figures")
        ):
            continue
        data = path.read_bytes()
        crlf = data.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
        if crlf != data:
            path.write_bytes(crlf)
            changed.append(path.relative_to(project).as_posix())
    return changed


@pytest.fixture(scope="module")
def crlf_project(tmp_path_factory) -> tuple[Path, list[str]]:
    built = main_book(tmp_path_factory)
    project = copy_built(built.project, tmp_path_factory.mktemp("crlf") / "report")
    return project, to_crlf(project)


def test_the_conversion_reaches_chapters_data_and_code(crlf_project):
    _project, changed = crlf_project
    assert "_quarto.yml" in changed
    assert any(p.startswith("chapters/") for p in changed)
    assert any(p.startswith("data/") and p.endswith(".csv") for p in changed)
    assert any(p.startswith("src/kzchina/") for p in changed)


def test_rebuild_of_a_crlf_checkout_executes_nothing(crlf_project):
    project, _changed = crlf_project
    result = build(project, engine="builtin", progress=quiet)
    assert result.chapters > 0
    assert result.executed == [], f"re-executed after CRLF conversion: {result.executed}"


def test_report_verify_passes_on_a_crlf_checkout(crlf_project):
    project, _changed = crlf_project
    proc = report_cli("verify", "--project-dir", str(project), timeout=900)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "verify OK" in proc.stdout


def test_hashes_read_crlf_as_lf_for_text_only():
    text = b"year,value\n2021,1.5\n"
    assert content_sha256(text.replace(b"\n", b"\r\n")) == content_sha256(text)
    png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"
    assert not is_text(png)
    assert content_sha256(png) != content_sha256(png.replace(b"\r\n", b"\n"))


def test_gitattributes_checks_text_out_with_lf(tmp_path):
    """With the repository's .gitattributes, git stores a CRLF file as the LF blob."""
    attributes = (Path(__file__).resolve().parents[2] / ".gitattributes").read_text()
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    (tmp_path / ".gitattributes").write_text(attributes)
    (tmp_path / "lf.csv").write_bytes(b"a,b\n1,2\n")
    (tmp_path / "crlf.csv").write_bytes(b"a,b\r\n1,2\r\n")

    def blob(name: str) -> str:
        return subprocess.run(
            ["git", "-C", str(tmp_path), "hash-object", name],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()

    assert blob("crlf.csv") == blob("lf.csv")
