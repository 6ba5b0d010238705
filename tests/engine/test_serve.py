"""`report serve` driven for real: a temporary project, the CLI process serving on 127.0.0.1, Debian
chromium through Playwright watching the page reload, the error overlay appear and clear, and
Ctrl-C (SIGINT) leaving no process and no temporary folder behind."""

from __future__ import annotations

import hashlib
import io
import json
import os
import queue
import re
import signal
import subprocess
import sys
import textwrap
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import psutil
import pytest

from browser_support import launched_chromium, offline_context
from helpers import write_project

pytestmark = [pytest.mark.browser, pytest.mark.slow]

WAIT = 120_000  # ms: a generous bound for a rebuild on a busy machine (not a speed assertion)
FILLER = "\n\n".join(
    f"Filler paragraph {i} about rivers, lakes and the sea, long enough to "
    f"make the page scroll well past one screen."
    for i in range(60)
)
PROJECT = {
    "_quarto.yml": """
        project:
          type: book
          execute-dir: project
        book:
          title: "Preview Book"
          chapters:
            - index.qmd
            - chapters/rivers.qmd
            - chapters/lakes.qmd
        execute:
          echo: false
        """,
    "index.qmd": "# Preface {.unnumbered}\n\nA book to preview.\n",
    "chapters/rivers.qmd": textwrap.dedent("""
        # Rivers {#sec-rivers}

        ```{python}
        import csv
        with open("data/rivers.csv", encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle))
        longest = max(rows, key=lambda row: int(row["km"]))
        ```

        The longest river here is `{python} longest["name"]`, `{python} longest["km"]` km long.

        """)
    + FILLER
    + "\n\nThe last paragraph of the rivers chapter.\n",
    "chapters/lakes.qmd": "# Lakes {#sec-lakes}\n\nLakes have no code.\n",
    "data/rivers.csv": "name,km\nAmazon,6400\nNile,6650\n",
}
CELL_LINE = 3  # first line of the rivers chapter's cell


class Serve:
    """A running `report serve` process and what it printed."""

    def __init__(self, project: Path, *options: str):
        self.project = project
        report = Path(sys.executable).with_name("report")
        self.proc = subprocess.Popen(
            [str(report), "serve", str(project), "--port", "0", *options],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.log: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()
        self.url = self._wait_for_url()
        self.seen_pids: set[int] = set()

    def _read(self) -> None:
        for line in self.proc.stdout:
            self.log.append(line.rstrip("\n"))
            self.lines.put(line)

    def _wait_for_url(self) -> str:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=1)
            except queue.Empty:
                assert self.proc.poll() is None, "report serve exited:\n" + "\n".join(self.log)
                continue
            match = re.search(r"at (http://127\.0\.0\.1:\d+/)", line)
            if match:
                return match.group(1)
        raise AssertionError("report serve printed no URL:\n" + "\n".join(self.log))

    def note_processes(self) -> None:
        """Remember the serve process's descendants (fork server, kernels, pandoc)."""
        with_children = psutil.Process(self.proc.pid).children(recursive=True)
        self.seen_pids |= {p.pid for p in with_children}

    def state(self) -> dict:
        with urllib.request.urlopen(self.url + "__litbuild/state", timeout=10) as response:
            return json.loads(response.read())

    def get(self, path: str) -> tuple[int, str]:
        try:
            with urllib.request.urlopen(self.url + path, timeout=10) as response:
                return response.status, response.read().decode("utf-8")
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode("utf-8")

    def wait_state(self, check, what: str, errors_allowed: bool = False) -> dict:
        deadline = time.monotonic() + WAIT / 1000
        while time.monotonic() < deadline:
            self.note_processes()
            state = self.state()
            if check(state):
                return state
            if state["error"] and not errors_allowed:
                raise AssertionError(f"build failed while waiting for {what}: {state['error']}")
            time.sleep(0.1)
        raise AssertionError(
            f"timed out waiting for {what}; last state {state}\n" + "\n".join(self.log[-30:])
        )


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    project = write_project(tmp_path_factory.mktemp("serve") / "book", PROJECT)
    serve = Serve(project)
    try:
        serve.wait_state(lambda s: s["generation"] >= 1 and s["pdf"] == "ready", "first build")
        yield serve
    finally:
        if serve.proc.poll() is None:
            serve.proc.kill()
            serve.proc.wait()


@pytest.fixture(scope="module")
def browser(served):
    with launched_chromium() as chromium:
        yield chromium


@pytest.fixture
def page(browser, served):
    # Nothing leaves 127.0.0.1: the reload script must need no CDN.
    context = offline_context(browser, served.url, 1100, 700)
    page = context.new_page()
    page.errors = []
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    try:
        yield page
    finally:
        context.close()


def open_chapter(page, served, path="chapters/rivers.html"):
    page.goto(served.url + path)
    page.wait_for_function(
        "window.EventSource && document.querySelector('script[data-generation]')"
    )
    # The event stream is connected once the first status event arrived.
    page.wait_for_timeout(300)


def text_of(page) -> str:
    """The page's main text, once it is there (a reload may be under way)."""
    from playwright.sync_api import Error

    deadline = time.monotonic() + WAIT / 1000
    while True:
        try:
            page.wait_for_load_state("load")
            return page.evaluate("document.querySelector('main').innerText")
        except Error:  # the page navigated (reloaded) while we looked: look again
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


# ----------------------------------------------------------------------------- the tests
def test_script_is_added_to_served_pages_only(served):
    status, body = served.get("chapters/rivers.html")
    assert status == 200
    assert '<script src="/__litbuild/reload.js"' in body
    on_disk = (served.project / "_book" / "chapters" / "rivers.html").read_text(encoding="utf-8")
    assert "__litbuild" not in on_disk
    status, script = served.get("__litbuild/reload.js")
    assert status == 200 and "EventSource" in script
    # Other files are served as they are.
    assert served.get("site_libs/litbuild.css")[0] == 200
    assert served.get("no-such-page.html")[0] == 404


def test_prose_edit_reloads_the_page_where_the_reader_was(served, page):
    open_chapter(page, served)
    page.evaluate("window.scrollTo(0, 1500)")
    page.wait_for_function("window.scrollY >= 1400")
    before = served.state()["generation"]
    edit(
        served.project / "chapters" / "rivers.qmd",
        "The last paragraph of the rivers chapter.",
        "The last paragraph of the rivers chapter, edited while previewing.",
    )
    page.wait_for_function(
        "document.querySelector('main').innerText.includes('edited while previewing')", timeout=WAIT
    )
    page.wait_for_load_state("load")
    assert served.state()["generation"] > before
    # The reader is back where they were, not at the top.
    page.wait_for_function("window.scrollY >= 1400", timeout=10_000)
    assert page.errors == []
    # The PDF follows in the background, with the same edit.
    served.wait_state(lambda s: s["pdf"] == "ready" and s["generation"] > before, "the PDF")
    from pypdf import PdfReader

    pdfs = list((served.project / "_book").glob("*.pdf"))
    assert len(pdfs) == 1
    pdf_text = " ".join(
        (p.extract_text() or "") for p in PdfReader(io.BytesIO(pdfs[0].read_bytes())).pages
    )
    assert "edited while" in pdf_text


def test_data_edit_reruns_the_chapter_and_reloads(served, page):
    open_chapter(page, served)
    assert "Nile, 6650 km long" in text_of(page)
    edit(served.project / "data" / "rivers.csv", "Nile,6650", "Nile,6651")
    page.wait_for_function(
        "document.querySelector('main').innerText.includes('6651 km')", timeout=WAIT
    )
    # Once in the page's text (its description meta tags may quote the same sentence).
    main = re.search(r"<main.*?</main>", served.get("chapters/rivers.html")[1], re.S)
    assert main and main.group(0).count("6651") == 1
    # The HTML build keeps the last record and search index; the build that follows replaces
    # them: once the PDF is ready, the published folder is again exactly what its record says,
    # and the record names the edited data file's new contents.
    served.wait_state(lambda s: s["pdf"] == "ready" and not s["building"], "the PDF")
    from litbuild import verify

    report = verify(served.project, progress=lambda _message: None, rebuild=False)
    assert report.published_ok, report.lines()
    data = (served.project / "data" / "rivers.csv").read_bytes().replace(b"\r\n", b"\n")
    record = (served.project / "_book" / "provenance.json").read_text(encoding="utf-8")
    assert hashlib.sha256(data).hexdigest() in record


def test_broken_cell_shows_an_overlay_and_the_fix_clears_it(served, page):
    open_chapter(page, served)
    chapter = served.project / "chapters" / "rivers.qmd"
    good = chapter.read_text(encoding="utf-8")
    edit(
        chapter,
        "longest = max(",
        "raise ValueError('river data broken on purpose')\nlongest = max(",
    )
    overlay = page.locator("#litbuild-error")
    overlay.wait_for(state="visible", timeout=WAIT)
    where = overlay.locator(".litbuild-error-where").inner_text()
    assert "chapters/rivers.qmd" in where and f"line {CELL_LINE}" in where
    assert "river data broken on purpose" in overlay.locator(".litbuild-error-message").inner_text()
    # The last good site is still served, under the overlay.
    status, body = served.get("chapters/rivers.html")
    assert status == 200 and "The longest river here is" in body
    state = served.state()
    assert state["error"]["file"] == "chapters/rivers.qmd" and state["error"]["line"] == CELL_LINE

    chapter.write_text(good, encoding="utf-8")
    overlay.wait_for(state="detached", timeout=WAIT)
    served.wait_state(lambda s: s["error"] is None, "the error to clear", errors_allowed=True)
    assert "The longest river here is" in text_of(page)


def test_deleted_chapter(served, page):
    open_chapter(page, served, "chapters/lakes.html")
    lakes = served.project / "chapters" / "lakes.qmd"
    source = lakes.read_text(encoding="utf-8")
    lakes.unlink()
    # Still listed in _quarto.yml: the overlay names it, the last good site stays.
    overlay = page.locator("#litbuild-error")
    overlay.wait_for(state="visible", timeout=WAIT)
    assert "lakes.qmd" in overlay.inner_text() and "_quarto.yml" in overlay.inner_text()
    assert served.get("chapters/lakes.html")[0] == 200
    # Taken out of the book too: the page goes, and the open tab moves to the book's start.
    edit(served.project / "_quarto.yml", "    - chapters/lakes.qmd\n", "")
    page.wait_for_url(served.url, timeout=WAIT)
    served.wait_state(lambda s: s["error"] is None, "the error to clear", errors_allowed=True)
    assert served.get("chapters/lakes.html")[0] == 404
    assert "Lakes" not in served.get("index.html")[1]
    # Put back for the tests that follow.
    lakes.write_text(source, encoding="utf-8")
    edit(
        served.project / "_quarto.yml",
        "    - chapters/rivers.qmd\n",
        "    - chapters/rivers.qmd\n    - chapters/lakes.qmd\n",
    )
    served.wait_state(lambda s: s["error"] is None and s["pdf"] == "ready", "the chapter back")


def test_ctrl_c_stops_cleanly(served):
    served.note_processes()
    assert served.seen_pids, "serve started no child process (fork server) to check"
    served.proc.send_signal(signal.SIGINT)
    assert served.proc.wait(timeout=60) == 0, "\n".join(served.log)
    time.sleep(0.5)  # let the reader thread collect the last lines
    assert any(line == "stopped" for line in served.log)
    alive = [
        pid
        for pid in served.seen_pids
        if psutil.pid_exists(pid) and psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    ]
    assert alive == [], f"processes left behind: {alive}"
    leftovers = [p.name for p in served.project.iterdir() if ".tmp-" in p.name or ".old-" in p.name]
    assert leftovers == []
    assert not any(".tmp" in p.name for p in (served.project / ".litbuild").rglob("*"))


# ----------------------------------------------------------------------------- pieces
def test_error_description_names_file_and_line():
    from litbuild.errors import BuildError, CellExecutionError
    from litbuild.serve import describe_error

    cell = CellExecutionError("chapters/a.qmd", 7, 9, "KeyError", "'x'", "", "d['x']")
    assert describe_error(cell)["file"] == "chapters/a.qmd"
    assert describe_error(cell)["line"] == 7
    ref = describe_error(BuildError("chapters/b.qmd:12: unknown reference @fig-nope"))
    assert (ref["file"], ref["line"]) == ("chapters/b.qmd", 12)
    config = describe_error(BuildError("/p/_quarto.yml: chapter 'c.qmd' does not exist"))
    assert (config["file"], config["line"]) == ("/p/_quarto.yml", None)
    bug = describe_error(KeyError("pages"))
    assert bug["message"].startswith("internal error: KeyError")


def test_edition_reaches_the_chapters(tmp_path):
    project = write_project(
        tmp_path / "book",
        {
            "_quarto.yml": "project:\n  type: book\nbook:\n  title: Editions\n  chapters:\n"
            "    - index.qmd\n",
            "index.qmd": "# Start {.unnumbered}\n\n```{python}\n#| echo: false\nimport os\n```\n\n"
            "Edition `{python} os.environ.get('REPORT_EDITION', 'none')` shown.\n",
            "data/2030/datapackage.json": "{}",
            "data/2031/datapackage.json": "{}",
        },
    )
    serve = Serve(project, "--edition", "2030")
    try:
        serve.wait_state(lambda s: not s["building"] and s["generation"] >= 1, "the build")
        assert "Edition 2030 shown." in re.sub(r"<[^>]+>", "", serve.get("index.html")[1])
    finally:
        serve.proc.send_signal(signal.SIGINT)
        assert serve.proc.wait(timeout=60) == 0


def test_watcher_ignores_what_builds_write(tmp_path):
    from litbuild.serve import watched_files

    project = write_project(
        tmp_path,
        {
            "_quarto.yml": "x",
            "chapters/a.qmd": "a",
            "data/d.csv": "a",
            "src/pkg/m.py": "",
            "_book/index.html": "",
            ".litbuild/cache/x": "",
            "figures/f.svg": "",
            "src/pkg/__pycache__/m.pyc": "",
        },
    )
    assert sorted(watched_files(project, project / "_book")) == sorted(
        [
            "_quarto.yml",
            os.path.join("chapters", "a.qmd"),
            os.path.join("data", "d.csv"),
            os.path.join("src", "pkg", "m.py"),
        ]
    )


def test_ctrl_c_while_a_cell_runs_stops_its_kernel(tmp_path):
    project = write_project(
        tmp_path / "book",
        {
            "_quarto.yml": "project:\n  type: book\nbook:\n  title: Slow\n  chapters:\n"
            "    - index.qmd\n",
            "index.qmd": "# Start {.unnumbered}\n\n```{python}\nimport time\ntime.sleep(600)\n```\n",
        },
    )
    serve = Serve(project)
    try:
        deadline = time.monotonic() + WAIT / 1000
        # The fork server plus a kernel forked from it: the cell is running.
        while len(psutil.Process(serve.proc.pid).children(recursive=True)) < 2:
            assert time.monotonic() < deadline, "no kernel started:\n" + "\n".join(serve.log)
            time.sleep(0.2)
        time.sleep(1)
        serve.note_processes()
    finally:
        serve.proc.send_signal(signal.SIGINT)
    assert serve.proc.wait(timeout=60) == 0, "\n".join(serve.log)
    time.sleep(0.5)
    alive = [
        pid
        for pid in serve.seen_pids
        if psutil.pid_exists(pid) and psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    ]
    assert alive == [], f"processes left behind: {alive}"
    assert not (project / "_book").exists()
    assert [
        p.name for p in project.iterdir() if p.name.startswith(".") and p.name != ".litbuild"
    ] == []
