"""Warm state (what `report serve` keeps between builds) changes how fast a rebuild is, never what
it makes: a warm rebuild after an edit is byte-identical to a cold build of the same sources."""

from __future__ import annotations

import io
import shutil

import pytest

from helpers import copy_book, quiet, tree_difference, tree_digest

pytestmark = pytest.mark.slow

SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="72pt" height="36pt" '
    'viewBox="0 0 72 36"><rect width="72" height="36" fill="#0072B2"/></svg>'
)
HINTED_FIGURE = f"""

```{{python}}
#| label: fig-hinted
#| fig-cap: "A blue rectangle whose PNG the engine draws"
from IPython.display import display
display({{"image/svg+xml": {SVG!r},
         "application/vnd.litbuild.raster+json": {{"dpi": 144}}}}, raw=True)
```
"""


def test_warm_rebuild_equals_a_cold_build(tmp_path):
    from litbuild.build import build_builtin
    from litbuild.config import load_config
    from litbuild.warm import WarmState

    project = copy_book(tmp_path / "book")
    # A figure that asks the engine for its PNG (drawn from the SVG outside the kernel).
    appendix = project / "chapters" / "appendix.qmd"
    appendix.write_text(appendix.read_text(encoding="utf-8") + HINTED_FIGURE, encoding="utf-8")
    warm = WarmState(project, keep=True)
    try:
        build_builtin(load_config(project), output_dir=tmp_path / "warm", progress=quiet, warm=warm)
        server = warm._server
        assert server is not None and server.alive(), "the fork server was not kept"
        chapter = project / "chapters" / "soil.qmd"
        chapter.write_text(
            chapter.read_text(encoding="utf-8") + "\nA sentence added while previewing.\n",
            encoding="utf-8",
        )
        result = build_builtin(
            load_config(project), output_dir=tmp_path / "warm", progress=quiet, warm=warm
        )
        assert result.executed == []  # prose only: nothing re-ran
        assert warm._server is server, "a second fork server was started"
    finally:
        warm.close()
    assert not server.alive()
    warm_figures = tree_digest(project / "figures")

    shutil.rmtree(project / ".litbuild")
    shutil.rmtree(project / "figures")
    build_builtin(load_config(project), output_dir=tmp_path / "cold", progress=quiet)
    cold_digest = tree_digest(tmp_path / "cold")
    assert [p for p in cold_digest if p.endswith(".png")] == [
        "chapters/appendix_files/figure/fig-hinted-2.png"
    ]
    assert (project / "figures" / "fig-hinted.png").read_bytes().startswith(b"\x89PNG")
    assert not tree_difference(tmp_path / "warm", tmp_path / "cold")
    assert tree_digest(project / "figures") == warm_figures


def test_raster_cache_draws_each_figure_once(tmp_path):
    from PIL import Image

    from litbuild.raster import RasterCache, RasterJob

    svg = SVG.encode()
    cache = RasterCache(tmp_path / "raster")
    png = cache.png(RasterJob(svg, 144.0))
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    assert Image.open(io.BytesIO(png)).size == (144, 72)  # 1 in x 0.5 in at 144 dpi
    (entry,) = (tmp_path / "raster").iterdir()
    # A second cache (a later build) reads the stored PNG; a damaged one is drawn again.
    assert RasterCache(tmp_path / "raster").png(RasterJob(svg, 144.0)) == png
    entry.write_bytes(b"damaged")
    assert RasterCache(tmp_path / "raster").png(RasterJob(svg, 144.0)) == png
    assert entry.read_bytes() == png


def test_pngs_are_drawn_outside_the_build_process():
    """resvg holds the interpreter lock while it draws; in the build process it would stall the
    event loop that drives the kernels. The PNGs come from a child process, byte for byte what
    resvg draws, and the build process never loads resvg."""
    import subprocess
    import sys

    import resvg_py

    script = (
        "import sys\n"
        "from litbuild.raster import RasterCache, RasterJob, rasterize\n"
        "svg = sys.stdin.buffer.read()\n"
        "pngs = rasterize({'a.png': RasterJob(svg, 144.0), 'b.png': RasterJob(svg, 72.0)},"
        " RasterCache())\n"
        "assert 'resvg_py' not in sys.modules\n"
        "sys.stdout.buffer.write(pngs['a.png'])\n"
    )
    drawn = subprocess.run(
        [sys.executable, "-c", script], input=SVG.encode(), capture_output=True, check=True
    ).stdout
    expected = resvg_py.svg_to_bytes(svg_string=SVG, dpi=144.0, skip_system_fonts=True)
    assert drawn == expected


def _edit(path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{path.name} no longer holds {old!r}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_warm_rebuilds_after_each_kind_of_edit_equal_cold_builds(tmp_path):
    """A long-lived process reuses finished chapters and their HTML by a digest of what they
    read. Each edit below changes a page whose own source did not change (numbering, a
    cross-reference's target, the navigation) or an inline value; after serve's two builds
    (HTML first, then the PDF and the search index) the output must be byte-identical to a
    cold build of the same sources."""
    from litbuild.build import build_builtin
    from litbuild.config import load_config
    from litbuild.warm import WarmState

    project = copy_book(tmp_path / "book")
    chapters = project / "chapters"
    edits = [
        # a new section before #sec-ph: "Section 2.1" becomes 2.2 in plants and notes
        lambda: _edit(
            chapters / "soil.qmd", "## Acidity", "## Compost {#sec-compost}\n\nRich.\n\n## Acidity"
        ),
        # prose only, in a chapter that others do not refer to
        lambda: _edit(chapters / "notes.qmd", "Water in the morning.", "Water at dawn."),
        # a figure caption, shown where the figure is and nowhere else
        lambda: _edit(chapters / "plants.qmd", "Root depth", "Depth of roots"),
        # an inline value: the chapter runs again
        lambda: _edit(chapters / "soil.qmd", "`{python} isolated`", "`{python} not isolated`"),
        # chapter order: every page's navigation and numbers change
        lambda: _edit(
            project / "_quarto.yml",
            "        - chapters/plants.qmd\n        - chapters/soil.qmd\n",
            "        - chapters/soil.qmd\n        - chapters/plants.qmd\n",
        ),
    ]
    warm = WarmState(project, keep=True)
    warm.pdf_follows = True
    try:
        for step, edit in enumerate([lambda: None, *edits]):
            edit()
            for to in ("html", "all"):  # as report serve does
                build_builtin(
                    load_config(project),
                    to=to,
                    output_dir=tmp_path / "warm",
                    progress=quiet,
                    warm=warm,
                    write_figures=to == "all",
                )
            cold = tmp_path / f"cold-{step}"
            build_builtin(load_config(project), output_dir=cold, progress=quiet, use_cache=False)
            difference = tree_difference(tmp_path / "warm", cold)
            assert not difference, f"after edit {step}: {difference}"
    finally:
        warm.close()


def test_memo_keeps_what_the_last_two_builds_used():
    from litbuild.warm import Memo

    memo, computed = Memo(), []

    def value(key):
        return memo.get(key, lambda: computed.append(key) or key.upper())

    assert value("a") == "A" and value("b") == "B"
    memo.next_build()  # serve's HTML build, then the full build: both find what the last made
    assert value("a") == "A"
    memo.next_build()
    assert value("a") == "A" and value("b") == "B"  # "b" was last used two builds back
    memo.next_build()
    memo.next_build()
    memo.next_build()  # three builds that used nothing: everything is forgotten
    assert value("a") == "A"
    assert computed == ["a", "b", "a"]


def test_a_long_lived_process_on_up_to_date_output_primes_its_memos(tmp_path, monkeypatch):
    """report serve often starts on a book built before. Its first build finds the output up
    to date and publishes nothing (every file stays as it was), yet converts once (here with no
    converted chapters kept on disk) so that the first edit writes only the page that changed,
    with templates, parsed chapters and cache entries already in memory."""
    import os

    from litbuild import site
    from litbuild.build import build_builtin
    from litbuild.config import load_config
    from litbuild.warm import WarmState

    project = copy_book(tmp_path / "book")
    out = tmp_path / "out"
    build_builtin(load_config(project), output_dir=out, progress=quiet)
    # As if built by an engine that kept no converted chapters (see fragments.py).
    shutil.rmtree(project / ".litbuild" / "fragments")
    before = {p: (p.stat().st_ino, p.stat().st_mtime_ns) for p in out.rglob("*")}
    digest = tree_digest(out)

    written: list[list[str]] = []
    real_ast_to_html = site.ast_to_html

    def recording_ast_to_html(docs, *args, **kwargs):
        written.append(sorted(docs))
        return real_ast_to_html(docs, *args, **kwargs)

    monkeypatch.setattr(site, "ast_to_html", recording_ast_to_html)
    warm = WarmState(project, keep=True)
    warm.pdf_follows = True
    try:

        def build(to: str):
            return build_builtin(
                load_config(project),
                to=to,
                output_dir=out,
                progress=quiet,
                warm=warm,
                write_figures=to == "all",
            )

        assert build("html").up_to_date
        assert written and len(written[-1]) > 1, "the first build did not convert"
        assert {p: (p.stat().st_ino, p.stat().st_mtime_ns) for p in out.rglob("*")} == before
        assert sorted(os.listdir(tmp_path)) == ["book", "out"], "a staging folder was left"
        written.clear()

        notes = project / "chapters" / "notes.qmd"
        _edit(notes, "Water in the morning.", "Water at dawn.")
        result = build("html")
        assert not result.up_to_date and result.executed == []
        assert written == [["chapters/notes.qmd"]]
        assert tree_digest(out) != digest
        assert "Water at dawn." in (out / "chapters" / "notes.html").read_text(encoding="utf-8")
    finally:
        warm.close()
