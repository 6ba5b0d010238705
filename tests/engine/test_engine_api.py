"""litbuild's public API: `__all__`, `python -m litbuild`, build events, and who may import what."""

from __future__ import annotations

import ast
import importlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

import litbuild
from helpers import write_project

SRC = Path(__file__).resolve().parents[2] / "src"

# No code cells: a build starts no kernel, so these run in a second.
PLAIN_BOOK = {
    "_quarto.yml": """
        project:
          type: book
        book:
          title: "Plain Book"
          chapters:
            - index.qmd
            - two.qmd
        """,
    "index.qmd": "# Home {.unnumbered}\n\nWords only.\n",
    "two.qmd": "# Two\n\nMore words.\n",
}


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args], capture_output=True, text=True, cwd=cwd, timeout=300, check=False
    )


def test_public_api_is_what_all_names():
    assert set(litbuild.__all__) >= {"build", "verify", "lineage", "BuildResult", "BuildError"}
    for name in litbuild.__all__:
        assert hasattr(litbuild, name), name
    # `build` and `verify` are also submodule names: the package must keep the functions.
    importlib.import_module("litbuild.build")
    importlib.import_module("litbuild.verify")
    assert callable(litbuild.build) and callable(litbuild.verify)
    assert litbuild.build.__module__ == "litbuild.build"


@pytest.mark.slow  # runs the CLI in a subprocess
def test_python_m_litbuild_builds_and_verifies(tmp_path):
    root = write_project(tmp_path / "book", PLAIN_BOOK)
    proc = run("-m", "litbuild", "build", str(root), "--to", "html")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("Built: 2 chapters")
    assert (root / "_book" / "two.html").is_file()
    proc = run("-m", "litbuild", "verify", str(root))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "verify OK" in proc.stdout
    page = root / "_book" / "two.html"
    page.write_text(page.read_text(encoding="utf-8") + "<!-- edited -->", encoding="utf-8")
    proc = run("-m", "litbuild", "verify", str(root))
    assert proc.returncode == 1
    assert "published file changed since the build: two.html" in proc.stdout
    record_file = root / "_book" / "provenance.json"
    record = json.loads(record_file.read_text(encoding="utf-8"))
    entity = next(g for g in record["@graph"] if g["@id"] == "two.html")
    entity["sha256"] = "0" * 64  # a record edited to match: its own hash no longer does
    record_file.write_text(json.dumps(record), encoding="utf-8")
    proc = run("-m", "litbuild", "verify", str(root))
    assert proc.returncode == 1 and "provenance.json" in proc.stderr


def test_python_m_litbuild_reports_errors_without_traceback(tmp_path):
    proc = run("-m", "litbuild", "build", str(tmp_path / "nowhere"))
    assert proc.returncode == 1
    assert proc.stderr.startswith("error: ") and "Traceback" not in proc.stderr


@pytest.mark.slow
def test_report_build_json_prints_events_then_the_summary(tmp_path):
    """One JSON object per line: a chapter event per chapter, phases, then the summary."""
    from helpers import copy_book

    root = copy_book(tmp_path / "book")
    proc = run("-m", "kzchina.cli", "build", str(root), "--to", "html", "--json")
    assert proc.returncode == 0, proc.stderr
    events = [json.loads(line) for line in proc.stdout.splitlines()]
    chapters = [e for e in events if e["event"] == "chapter"]
    config_chapters = 6  # tests/fixtures/book/_quarto.yml: index, 4 chapters, 1 appendix
    assert len(chapters) == config_chapters
    assert [e["index"] for e in chapters] == list(range(1, config_chapters + 1))
    assert all(e["status"] in ("executed", "no-code") for e in chapters)
    assert all(e["seconds"] > 0 for e in chapters if e["status"] == "executed")
    summary = events[-1]
    assert summary["event"] == "summary" and summary["chapters"] == config_chapters
    assert summary["output_dir"] == str(root / "_garden_book")
    assert summary["figures"] == len(list((root / "_garden_book").rglob("fig-*.svg")))
    assert next(e for e in events if e["event"] == "phases")["seconds"]["execute"] > 0
    # A second build: every chapter cached, the output up to date.
    proc = run("-m", "kzchina.cli", "build", str(root), "--to", "html", "--json")
    events = [json.loads(line) for line in proc.stdout.splitlines()]
    assert {e["status"] for e in events if e["event"] == "chapter"} == {"cached"}
    assert events[-1]["up_to_date"] is True


@pytest.mark.slow  # runs the CLI in a subprocess
def test_report_build_json_reports_a_failure_as_an_error_event(tmp_path):
    proc = run("-m", "kzchina.cli", "build", str(tmp_path / "nowhere"), "--json")
    assert proc.returncode == 1
    last = json.loads(proc.stdout.splitlines()[-1])
    assert last["event"] == "error" and "nowhere" in last["message"]


def imported_modules(path: Path) -> list[tuple[str, list[str]]]:
    """(module, names) of every import in a source file, relative imports resolved."""
    package = path.parent.name
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(alias.name, []) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if node.level:
                module = f"{package}.{module}" if module else package
            found.append((module, [alias.name for alias in node.names]))
    return found


def test_the_report_imports_only_the_engines_public_api_and_contract():
    allowed = {"litbuild", "litbuild.contract"}
    for path in sorted((SRC / "kzchina").glob("*.py")):
        for module, names in imported_modules(path):
            if module.split(".")[0] != "litbuild":
                continue
            assert module in allowed, f"{path.name} imports {module}"
            if module == "litbuild":
                assert set(names) <= set(litbuild.__all__), f"{path.name}: {names}"


def test_engine_modules_import_no_private_names_from_each_other():
    for path in sorted((SRC / "litbuild").glob("*.py")):
        for module, names in imported_modules(path):
            if module.startswith("litbuild"):
                private = [n for n in names if n.startswith("_") and n != "__version__"]
                assert not private, f"{path.name} imports {private} from {module}"


def _module_level_imports(path: Path) -> set[str]:
    """Our modules a file imports at load time (top level, not inside functions)."""
    package = path.parent.name
    found = set()
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if node.level:
                module = f"{package}.{module}" if module else package
            # `from kzchina import words` imports the module kzchina.words
            names = [module] + [f"{module}.{alias.name}" for alias in node.names]
        else:
            continue
        found |= {n for n in names if n.split(".")[0] in ("litbuild", "kzchina")}
    return found


def test_no_import_cycle_among_our_modules():
    modules = {f"{p.parent.name}.{p.stem}": p for pkg in ("litbuild", "kzchina")
               for p in (SRC / pkg).glob("*.py") if p.stem != "__init__"}  # fmt: skip
    graph = {m: {i for i in _module_level_imports(p) if i in modules and i != m}
             for m, p in modules.items()}  # fmt: skip
    assert graph["kzchina.facts"] >= {"kzchina.results"}  # the walk sees real imports

    def cycle_from(start: str) -> list[str] | None:
        stack = [(start, [start])]
        while stack:
            node, path = stack.pop()
            for nxt in graph[node]:
                if nxt == start:
                    return path + [start]
                if nxt not in path:
                    stack.append((nxt, path + [nxt]))
        return None

    cycles = [c for m in sorted(graph) if (c := cycle_from(m))]
    assert not cycles, " -> ".join(cycles[0])
