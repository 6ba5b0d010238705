"""Issue 9: `report verify` checks the published files against the record, the record against
its own sha256, and a rebuild against both, with one exit code per outcome.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from faults import new_token, run_report, settle
from helpers import copy_book, copy_built, tree_digest

pytestmark = pytest.mark.slow

OUT = "_garden_book"  # the fixture book's project.output-dir


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    root = copy_book(tmp_path_factory.mktemp("verify") / "book")
    proc = run_report(["build", str(root), "--engine", "builtin"], new_token())
    assert proc.returncode == 0, proc.stderr
    return root


@pytest.fixture
def project(built, tmp_path) -> Path:
    return copy_built(built, tmp_path / "book")


def verify(root: Path, *args: str):
    token = new_token()
    proc = run_report(["verify", "--project-dir", str(root), *args], token)
    assert settle(token) == []
    return proc


def a_published_svg(root: Path) -> Path:
    return sorted((root / OUT).rglob("*.svg"))[0]


def test_an_untouched_book_verifies_with_a_rebuild(project):
    before = tree_digest(project / OUT)
    proc = verify(project)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.startswith("verify OK:")
    assert tree_digest(project / OUT) == before


def tamper_svg(root: Path) -> str:
    svg = a_published_svg(root)
    data = bytearray(svg.read_bytes())
    data[len(data) // 2] ^= 0x01  # one bit of one byte
    svg.write_bytes(bytes(data))
    return svg.relative_to(root / OUT).as_posix()


def add_page(root: Path) -> str:
    (root / OUT / "evil.html").write_text("<script>alert(1)</script>")
    return "evil.html"


def delete_pdf(root: Path) -> str:
    pdf = sorted((root / OUT).glob("*.pdf"))[0]
    pdf.unlink()
    return pdf.name


@pytest.mark.parametrize(
    "tamper, wording",
    [
        pytest.param(tamper_svg, "published file changed since the build", id="changed-svg"),
        pytest.param(add_page, "published file not in the record (added)", id="added-html"),
        pytest.param(delete_pdf, "published file missing", id="deleted-pdf"),
    ],
)
@pytest.mark.parametrize("rebuild", [True, False], ids=["rebuild", "no-rebuild"])
def test_a_tampered_published_file_is_found(project, tamper, wording, rebuild):
    path = tamper(project)
    proc = verify(project, *([] if rebuild else ["--no-rebuild"]))
    assert proc.returncode == 10, proc.stdout + proc.stderr
    assert f"{wording}: {path}" in proc.stdout.splitlines()
    assert "verify FAILED: the published files differ from the record" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_a_changed_record_is_found(project):
    record = project / OUT / "provenance.json"
    doc = json.loads(record.read_text())
    svg = a_published_svg(project).relative_to(project / OUT).as_posix()
    tamper_svg(project)
    # Someone "fixes" the record to match the tampered file: the record's own hash catches it.
    from litbuild.cache import sha256_file

    for g in doc["@graph"]:
        if g.get("@id") == svg:
            g["sha256"] = sha256_file(project / OUT / svg)
    record.write_text(json.dumps(doc))
    proc = verify(project, "--no-rebuild")
    assert proc.returncode == 11, proc.stdout + proc.stderr
    assert "provenance.json: changed since the build" in proc.stderr
    assert "Traceback" not in proc.stderr


@pytest.mark.parametrize(
    "damage", [b"{not json", b"\xff\xfe\x00", b"[]", b'{"@graph": 3}', b"[" * 100000]
)
@pytest.mark.parametrize("command", ["verify", "provenance"])
def test_a_damaged_record_is_a_clear_error(project, damage, command):
    (project / OUT / "provenance.json").write_bytes(damage)
    args = (
        ["verify", "--project-dir", str(project)]
        if command == "verify"
        else ["provenance", "fig-bloom", "--project-dir", str(project)]
    )
    proc = run_report(args, new_token())
    assert proc.returncode == 11, proc.stderr
    assert "provenance.json" in proc.stderr and "damaged" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_a_missing_record_is_a_clear_error(project):
    (project / OUT / "provenance.json").unlink()
    proc = verify(project)
    assert proc.returncode == 11 and "not found" in proc.stderr


def test_a_rebuild_that_differs_is_its_own_outcome(project):
    chapter = sorted((project / "chapters").glob("*.qmd"))[0]
    chapter.write_text(chapter.read_text() + "\n\nA sentence added after the build.\n")
    proc = verify(project)
    assert proc.returncode == 12, proc.stdout + proc.stderr
    assert "verify FAILED: the rebuild differs from the recorded outputs" in proc.stderr


def test_debug_shows_the_traceback(project):
    (project / OUT / "provenance.json").write_bytes(b"{not json")
    proc = run_report(["--debug", "verify", "--project-dir", str(project)], new_token())
    assert proc.returncode == 11 and "Traceback" in proc.stderr
