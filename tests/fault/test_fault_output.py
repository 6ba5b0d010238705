"""Issue 9: the build replaces only a folder it created. `.`, `data`, `src`, a file, `/`, a parent
of the project and any unmarked folder are refused with nothing touched; chapter code cannot
change the published folder; what the command says about the previous output is true.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from faults import new_token, run_report, settle
from helpers import tree_digest, write_project

pytestmark = pytest.mark.slow

PROJECT = {
    "_quarto.yml": """
        project:
          type: book
          output-dir: {out}
        book:
          title: "Safety"
          chapters:
            - index.qmd
            - chapters/one.qmd
        """,
    "index.qmd": "# Start {.unnumbered}\n\nTwo is `{python} 1 + 1`.\n",
    "chapters/one.qmd": "# One\n\n```{python}\nprint('one')\n```\n",
    "data/2022/values.csv": "year,value\n2022,1\n",
    "src/tool/__init__.py": "VALUE = 1\n",
}


def make_project(root: Path, out: str = "_book") -> Path:
    files = dict(PROJECT)
    files["_quarto.yml"] = files["_quarto.yml"].replace("{out}", out)
    write_project(root, files)
    (root / ".git").mkdir()
    (root / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    return root


def everything(root: Path) -> dict[str, str]:
    """Every file under root, hidden ones included: equal means nothing was touched."""
    return tree_digest(root)


def build(root: Path, *args: str):
    token = new_token()
    proc = run_report(["build", str(root), "--engine", "builtin", *args], token)
    assert settle(token) == []
    return proc


@pytest.mark.parametrize("out", [".", "data", "src", "chapters", ".git"])
def test_output_dir_in_quarto_yml_that_holds_the_project_is_refused(tmp_path, out):
    root = make_project(tmp_path / "book", out)
    before = everything(root)
    proc = build(root)
    assert proc.returncode == 6, proc.stderr
    assert "refusing output folder" in proc.stderr and "Traceback" not in proc.stderr
    assert "nothing was written" in proc.stderr
    assert everything(root) == before


@pytest.mark.parametrize(
    "where",
    [
        "project",
        "parent",
        "data",
        "src",
        "file",
        "root",
        "unmarked-folder",
        "inside-git",
        "symlink-to-data",
    ],
)
def test_output_dir_option_that_is_not_ours_is_refused(tmp_path, where):
    root = make_project(tmp_path / "book")
    (tmp_path / "notes.txt").write_text("my notes\n")
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "thesis.tex").write_text("precious\n")
    os.symlink(root / "data", tmp_path / "link")
    target = {
        "project": root,
        "parent": tmp_path,
        "data": root / "data",
        "src": root / "src",
        "file": tmp_path / "notes.txt",
        "root": Path("/"),
        "unmarked-folder": tmp_path / "mine",
        "inside-git": root / ".git" / "out",
        "symlink-to-data": tmp_path / "link",
    }[where]
    before = everything(tmp_path)
    proc = build(root, "--output-dir", str(target))
    assert proc.returncode == 6, proc.stderr
    assert "refusing output folder" in proc.stderr and "Traceback" not in proc.stderr
    assert everything(tmp_path) == before
    assert (tmp_path / "notes.txt").is_file()


def test_a_marked_output_is_replaced_and_an_unmarked_one_is_not(tmp_path):
    root = make_project(tmp_path / "book")
    assert build(root).returncode == 0
    marker = root / "_book" / ".litbuild-output"
    assert marker.is_file()
    # Our folder, rebuilt after a change: replaced.
    (root / "index.qmd").write_text("# Start {.unnumbered}\n\nThree is `{python} 1 + 2`.\n")
    assert build(root).returncode == 0
    assert "Three is <span>3</span>" in (root / "_book" / "index.html").read_text()
    # The same folder without the marker is somebody else's: refused, left as it is.
    marker.unlink()
    (root / "_book" / "provenance.json").write_text("{}")  # not a record of ours either
    before = everything(root / "_book")
    proc = build(root, "--output-dir", str(root / "_book"))
    assert proc.returncode == 6 and "no .litbuild-output file" in proc.stderr
    assert everything(root / "_book") == before


def test_an_output_without_the_marker_but_with_our_record_is_ours(tmp_path):
    """Books built before the marker existed are recognised by their provenance record."""
    root = make_project(tmp_path / "book")
    assert build(root).returncode == 0
    (root / "_book" / ".litbuild-output").unlink()
    (root / "index.qmd").write_text("# Start {.unnumbered}\n\nFour is `{python} 2 + 2`.\n")
    assert build(root).returncode == 0
    assert (root / "_book" / ".litbuild-output").is_file()


WRITERS = {
    "open-for-writing": "open('_book/evil.html', 'w').write('<script>')",
    "remove": "import os\nos.remove('_book/index.html')",
    "rmtree": "import shutil\nshutil.rmtree('_book')",
    "rename": "import os\nos.rename('_book/index.html', '_book/moved.html')",
}


@pytest.mark.parametrize("how", list(WRITERS))
def test_chapter_code_cannot_change_the_published_folder(tmp_path, how):
    root = make_project(tmp_path / "book")
    assert build(root).returncode == 0
    published = everything(root / "_book")
    (root / "chapters" / "one.qmd").write_text(f"# One\n\n```{{python}}\n{WRITERS[how]}\n```\n")
    # execute-dir is the chapter's folder by default: run from the project root instead.
    quarto = (
        (root / "_quarto.yml")
        .read_text()
        .replace("type: book", "type: book\n  execute-dir: project")
    )
    (root / "_quarto.yml").write_text(quarto)
    proc = build(root)
    assert proc.returncode == 1, proc.stderr
    assert "PermissionError" in proc.stderr and "published output folder" in proc.stderr
    assert "chapters/one.qmd:3-" in proc.stderr
    assert "the previous output in" in proc.stderr and "left unchanged" in proc.stderr
    assert everything(root / "_book") == published


def test_the_message_about_the_previous_output_stays_true(tmp_path):
    """A program the chapter starts is not stopped by the guard; the message then says so."""
    root = make_project(tmp_path / "book")
    assert build(root).returncode == 0
    out = root / "_book"
    (root / "chapters" / "one.qmd").write_text(
        "# One\n\n```{python}\nimport subprocess\n"
        f"subprocess.run(['rm', '{out / 'index.html'}'], check=True)\nraise ValueError('x')\n```\n"
    )
    proc = build(root)
    assert proc.returncode == 1
    assert "left unchanged" not in proc.stderr
    assert "was changed during the build" in proc.stderr


def test_a_staging_folder_left_by_a_killed_build_is_removed_only_when_ours(tmp_path):
    root = make_project(tmp_path / "book")
    ours = root / "._book.tmp-999999999-abc"  # no such process: the build that made it is gone
    ours.mkdir()
    (ours / ".litbuild-output").write_text("x")
    theirs = root / "._book.tmp-999999998-abc"
    theirs.mkdir()
    (theirs / "keep.txt").write_text("not ours")
    assert build(root).returncode == 0
    assert not ours.exists()
    assert (theirs / "keep.txt").read_text() == "not ours"
    shutil.rmtree(theirs)
