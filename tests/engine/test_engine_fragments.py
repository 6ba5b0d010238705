"""Converted chapters kept between builds (.litbuild/fragments): a rebuild converts only the
chapters whose finished text changed, and its output is byte for byte a cold build's."""

from __future__ import annotations

import shutil

import pytest

from helpers import copy_book, quiet, tree_difference

pytestmark = pytest.mark.slow


@pytest.fixture
def conversions(monkeypatch):
    """The chapters each pandoc conversion was given, by format (real pandoc still runs)."""
    from litbuild import pdf, site

    seen: dict[str, list[list[str]]] = {"html": [], "typst": []}
    for module, name, fmt in ((site, "ast_to_html", "html"), (pdf, "ast_to_typst", "typst")):
        real = getattr(module, name)

        def recording(docs, *args, real=real, fmt=fmt, **kwargs):
            seen[fmt].append(sorted(docs))
            return real(docs, *args, **kwargs)

        monkeypatch.setattr(module, name, recording)
    return seen


def _build(project, out, **kwargs):
    from litbuild.build import build_builtin
    from litbuild.config import load_config

    return build_builtin(load_config(project), output_dir=out, progress=quiet, **kwargs)


def test_a_rebuild_converts_only_the_chapter_that_changed(tmp_path, conversions):
    project = copy_book(tmp_path / "book")
    _build(project, tmp_path / "out")
    assert len(conversions["typst"][-1]) > 1 and len(conversions["html"][-1]) > 1
    fragments = project / ".litbuild" / "fragments"
    first = sorted(p.name for p in fragments.iterdir())
    assert first and not [n for n in first if ".tmp-" in n]

    notes = project / "chapters" / "notes.qmd"
    notes.write_text(
        notes.read_text(encoding="utf-8").replace("Water in the morning.", "Water at dawn."),
        encoding="utf-8",
    )
    for seen in conversions.values():
        seen.clear()
    _build(project, tmp_path / "out")
    assert conversions == {"html": [["chapters/notes.qmd"]], "typst": [["chapters/notes.qmd"]]}
    # The replaced chapter's old texts are gone; the others are the same files.
    second = sorted(p.name for p in fragments.iterdir())
    assert len(second) == len(first) and len(set(first) - set(second)) == 2

    _build(project, tmp_path / "cold", use_cache=False)
    assert not tree_difference(tmp_path / "out", tmp_path / "cold")


def test_a_damaged_fragment_is_converted_again(tmp_path, conversions):
    project = copy_book(tmp_path / "book")
    _build(project, tmp_path / "out")
    typst = sorted((project / ".litbuild" / "fragments").glob("*.typ"))
    html = sorted((project / ".litbuild" / "fragments").glob("*.html"))
    # A changed letter (the length stays) and a cut file: neither may reach the output.
    text = typst[0].read_text(encoding="utf-8")
    typst[0].write_text(text[:-3] + ("X" if text[-3] != "X" else "Y") + text[-2:], "utf-8")
    html[0].write_bytes(html[0].read_bytes()[:40])
    # What a build killed while writing a fragment leaves behind.
    leftover = typst[0].with_name(typst[0].name + ".tmp-99999-1")
    leftover.write_text("half", encoding="utf-8")
    for seen in conversions.values():
        seen.clear()
    (project / ".litbuild" / "output.json").unlink()  # convert again, nothing re-runs
    _build(project, tmp_path / "out")
    assert [len(c) for c in conversions["typst"]] == [1]
    assert [len(c) for c in conversions["html"]] == [1]
    assert not leftover.exists()

    shutil.rmtree(project / ".litbuild")
    _build(project, tmp_path / "cold", use_cache=False)
    assert not tree_difference(tmp_path / "out", tmp_path / "cold")


def test_a_build_without_the_cache_keeps_no_fragments(tmp_path, conversions):
    project = copy_book(tmp_path / "book")
    _build(project, tmp_path / "out", use_cache=False)
    assert not (project / ".litbuild" / "fragments").exists()
