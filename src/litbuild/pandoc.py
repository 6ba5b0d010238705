"""Pandoc: each chapter parsed on its own, and the whole book written in one process per format,
since start-up dominates."""

from __future__ import annotations

import hashlib
import json
import os
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from . import processes
from .errors import BuildError, ToolMissingError

SPLIT = "LITBUILDCHAPTERSPLIT"
# The custom writer (in templates/) that writes each chapter of a batch as if it were alone.
PAGES_WRITER = "chapter-pages.lua"
# Quarto reads with smart punctuation on: curly quotes, en and em dashes from -- and ---, ellipses.
READ_FORMAT = "markdown+smart"


PANDOC_HINT = (
    "pandoc comes with the pinned pypandoc-binary package: run `make report` (or "
    "`.venv/bin/pip install -r requirements.lock`) to install it"
)
DEFAULT_TIMEOUT = 300.0
# pandoc's runtime starts with a 64 MB heap (its built-in -H64m) and touches all of it: about
# 20,000 page faults, half the time of parsing one chapter. A 16 MB start heap grows as needed;
# measured on this book: a chapter parses in 0.06 s instead of 0.10 s, the whole book writes in
# the same time, and the output is identical.
RTS_OPTIONS = ["+RTS", "-H16m", "-RTS"]
# Reading the whole book's AST (600 KB of JSON) is mostly minor garbage collections: a 64 MB
# allocation area halves them. Measured here: the Typst of the book in 0.15 s instead of 0.21 s,
# while one chapter's parse is slower with it (0.10 s instead of 0.07 s).
WHOLE_BOOK_RTS_OPTIONS = ["+RTS", "-H16m", "-A64m", "-RTS"]


@lru_cache(maxsize=1)
def pandoc_path() -> str:
    try:
        import pypandoc

        return pypandoc.get_pandoc_path()
    except (ImportError, OSError) as exc:
        raise ToolMissingError(f"pandoc was not found ({exc}); {PANDOC_HINT}") from None


def run_pandoc(
    args: list[str],
    text: str,
    timeout: float | None = DEFAULT_TIMEOUT,
    what: str = "converting the book",
    env: dict[str, str] | None = None,
    whole_book: bool = False,
) -> str:
    """Run pandoc with text on stdin, in its own process group and with a time limit; raise
    BuildError with pandoc's message on failure. `whole_book`: the input is the whole book."""
    rts = WHOLE_BOOK_RTS_OPTIONS if whole_book else RTS_OPTIONS
    proc = processes.run(
        [pandoc_path(), *rts, *args],
        text.encode("utf-8"),
        timeout,
        what,
        "pandoc",
        PANDOC_HINT,
        env,
    )
    if proc.returncode != 0:
        message = proc.stderr.decode("utf-8", "replace").strip()
        if proc.returncode < 0 or proc.returncode == 127 or not message:
            raise ToolMissingError(
                f"pandoc {' '.join(args)} ended with exit code "
                f"{proc.returncode} and no message; is it broken? "
                f"{PANDOC_HINT}"
            )
        raise BuildError(f"pandoc {' '.join(args)} failed while {what}: {message}")
    return proc.stdout.decode("utf-8")


def markdown_to_ast(
    markdown: str, name: str, cache_dir: Path | None = None, timeout: float | None = DEFAULT_TIMEOUT
) -> dict[str, Any]:
    """Parse one chapter's markdown, reusing the AST parsed before from the same text (by
    content hash, in cache_dir). One chapter per call, as Quarto does: the build parses each
    chapter as soon as its kernel is done, while the others still run."""
    doc = _cached_ast(cache_dir, markdown)
    if doc is None:
        doc = _one(markdown, name, timeout)
        _store_ast(cache_dir, markdown, doc)
    return doc


def prune_ast_cache(cache_dir: Path | None, markdowns: list[str]) -> None:
    """Keep only the current chapters' parsed ASTs."""
    if cache_dir is None:
        return
    current = {_ast_file(cache_dir, markdown).name for markdown in markdowns}
    for stale in cache_dir.glob("*.json"):
        if stale.name not in current:
            stale.unlink(missing_ok=True)


def _ast_file(cache_dir: Path, markdown: str) -> Path:
    from .cache import environment_fingerprint

    pandoc = environment_fingerprint()["pypandoc-binary"]
    digest = hashlib.sha256(f"{pandoc}\0{READ_FORMAT}\0{markdown}".encode()).hexdigest()
    return cache_dir / f"{digest}.json"


def _cached_ast(cache_dir: Path | None, markdown: str) -> dict[str, Any] | None:
    if cache_dir is None:
        return None
    try:
        doc = json.loads(_ast_file(cache_dir, markdown).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None  # missing or damaged: parse again
    if not (
        isinstance(doc, dict)
        and isinstance(doc.get("blocks"), list)
        and "pandoc-api-version" in doc
    ):
        return None
    return doc


def _store_ast(cache_dir: Path | None, markdown: str, doc: dict[str, Any]) -> None:
    if cache_dir is None:
        return
    cache_dir.mkdir(parents=True, exist_ok=True)
    target = _ast_file(cache_dir, markdown)
    tmp = target.with_name(f"{target.name}.tmp-{os.getpid()}")
    tmp.write_text(json.dumps(doc), encoding="utf-8")
    os.replace(tmp, target)


def _one(markdown: str, name: str, timeout: float | None) -> dict[str, Any]:
    return json.loads(
        run_pandoc(["-f", READ_FORMAT, "-t", "json"], markdown, timeout, f"parsing {name}")
    )


def ast_to_html(
    docs: dict[str, dict[str, Any]], timeout: float | None = DEFAULT_TIMEOUT
) -> dict[str, str]:
    """Write every chapter's AST as an HTML fragment, in one pandoc call; each fragment is the
    same as if its chapter were written alone (its own code-block ids and footnotes)."""
    names = list(docs)
    if not names:
        return {}
    what = "writing the HTML of " + ", ".join(names)
    if len(names) == 1:  # pandoc's own writer: the custom one costs about 25 ms more
        # As in a batch, a fragment shows no metadata.
        html = _write_html({**docs[names[0]], "meta": {}}, "html5", what, timeout)
    else:
        doc = _batch(docs, ["html", f"<!--{SPLIT}-->"], after_last=False)
        doc["meta"] = {"litbuild-split": {"t": "MetaString", "c": SPLIT}}
        templates = resources.files("litbuild") / "templates"
        with resources.as_file(templates / PAGES_WRITER) as writer:
            html = _write_html(doc, str(writer), what, timeout)
    parts = html.split(f"<!--{SPLIT}-->")
    if len(parts) != len(names):
        raise BuildError("internal: HTML chapter split failed")
    return dict(zip(names, (p.strip("\n") + "\n" for p in parts)))


def _batch(docs: dict[str, dict[str, Any]], marker: list[str], after_last: bool) -> dict[str, Any]:
    """One document of the chapters' blocks in order, a raw `marker` block between them (and
    after the last one when `after_last`), to be split apart again after writing."""
    blocks: list[Any] = []
    for doc in docs.values():
        blocks.extend(doc["blocks"])
        blocks.append({"t": "RawBlock", "c": marker})
    if not after_last:
        blocks.pop()
    first = next(iter(docs.values()))
    return {"pandoc-api-version": first["pandoc-api-version"], "meta": {}, "blocks": blocks}


def _write_html(doc: dict[str, Any], writer: str, what: str, timeout: float | None) -> str:
    return run_pandoc(["-f", "json", "-t", writer, "--wrap=none"], json.dumps(doc), timeout, what)


def ast_to_typst(
    docs: dict[str, dict[str, Any]], timeout: float | None = DEFAULT_TIMEOUT
) -> dict[str, str]:
    """Write chapters as Typst markup, in one pandoc call; `join_typst` makes them the markup
    pandoc writes for the whole book as one document. Each part is the same in any batch."""
    names = list(docs)
    if not names:
        return {}
    # A marker after every chapter, the last too: each ends as it does before another one.
    doc = _batch(docs, ["typst", f"// {SPLIT}"], after_last=True)
    typst = run_pandoc(
        ["-f", "json", "-t", "typst", "--wrap=none"],
        json.dumps(doc),
        timeout,
        "writing the Typst markup of " + ", ".join(names),
        whole_book=len(names) > 1,
    )
    # pandoc writes a raw block on a line of its own, after the blank line that ends a block
    *parts, rest = typst.split(f"\n// {SPLIT}\n")
    if len(parts) != len(names) or rest.strip():
        raise BuildError("internal: Typst chapter split failed")
    return dict(zip(names, parts))


def join_typst(parts: list[str]) -> str:
    """Chapters' Typst markup (from `ast_to_typst`), in book order, as one document's."""
    text = "\n".join(parts)
    return text if text.endswith("\n") else text + "\n"  # a document ends its last line
