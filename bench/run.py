#!/usr/bin/env python3
"""Benchmark the builtin engine on the real report, a synthetic book and the fixture book.

Every scenario is the wall time of one CLI subprocess, `report build DIR --engine builtin`
(what an editor waits for), measured with time.perf_counter, repeated --runs times in a
temporary copy; the table shows median, min and max. Peak memory is the sum of the RSS of the
build process and all its descendants (the Jupyter kernels), sampled every 50 ms with psutil;
without psutil it falls back to getrusage(RUSAGE_CHILDREN).ru_maxrss, the largest single
process, which is labelled as such. See bench/README.md.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import queue
import re
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

try:
    import psutil
except ImportError:  # pragma: no cover - the fallback is reported in the output
    psutil = None

REPO = Path(__file__).resolve().parent.parent
REPORT_FILES = ("_quarto.yml", "index.qmd", "styles.css", "chapters", "data")
FIXTURE_BOOK = REPO / "tests" / "fixtures" / "book"
LEFTOVERS = shutil.ignore_patterns(".litbuild", "_book", "_garden_book", "figures", "__pycache__")

# A CSV value that only the media chapter (and the data appendix, which reads every table) uses.
DATA_FILE = "data/2022/media_topics.csv"
DATA_VALUE = "Fake that contraband from China may contain COVID-19 viruses"
PROSE_CHAPTER = "chapters/03-media-coverage.qmd"

# For `report serve`: a data file only the data appendix reads, and a cell to break.
SERVE_DATA_FILE = "data/2022/bilateral_events.csv"
BROKEN_LINE = "raise ValueError('bench: a broken cell')"

TARGETS = {  # scenario key -> (text, check(value, context) -> bool)
    "cold": ("<= 4 s", lambda v, c: v <= 4.0),
    "noop": ("<= 0.5 s", lambda v, c: v <= 0.5),
    "data": ("<= 40% of cold", lambda v, c: v <= 0.4 * c["cold"]),
    "prose": ("<= 3 s", lambda v, c: v <= 3.0),
    "synthetic-max": ("<= 0.2 s/chapter", lambda v, c: v / c["chapters"] <= 0.2),
    "memory": ("<= 1.5 GB", lambda v, c: v <= 1.5 * 1024),
    "every-data-median": ("<= 40% of cold", lambda v, c: v <= 0.4 * c["cold"]),
    "every-data-worst": ("<= 55% of cold", lambda v, c: v <= 0.55 * c["cold"]),
    "serve-prose": ("<= 0.3 s", lambda v, c: v <= 0.3),
    "serve-data": ("<= 1.5 s", lambda v, c: v <= 1.5),
    "serve-error": ("<= 1.5 s", lambda v, c: v <= 1.5),
}

PHASES = ("execute", "parse", "pdf", "html", "convert", "provenance")


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# -- running one build -------------------------------------------------------------------------


@dataclass
class Run:
    seconds: float
    peak_mb: float
    executed: list[str]
    chapter_seconds: dict[str, float]
    phases: dict[str, float]
    engine_seconds: float | None


def report_command() -> list[str]:
    local = REPO / ".venv" / "bin" / "report"
    found = str(local) if local.exists() else shutil.which("report")
    if not found:
        sys.exit("bench: no `report` command (run `make` first to create .venv)")
    return [found, "build", "--json"]  # events and summary as JSON lines on stdout


def memory_method() -> str:
    if psutil is not None:
        return "psutil: sum of RSS of the build process and its descendants, sampled every 50 ms"
    return (
        "getrusage(RUSAGE_CHILDREN).ru_maxrss: the largest single process, NOT a sum "
        "(install psutil for the sum over the build and its kernels)"
    )


class PeakSampler(threading.Thread):
    """Sum of RSS over a process tree, sampled until stopped."""

    def __init__(self, pid: int, interval: float = 0.05):
        super().__init__(daemon=True)
        self.pid, self.interval, self.peak = pid, interval, 0
        self.stopped = threading.Event()

    def run(self) -> None:
        try:
            root = psutil.Process(self.pid)
        except psutil.NoSuchProcess:
            return
        while not self.stopped.is_set():
            total = 0
            try:
                procs = [root] + root.children(recursive=True)
            except psutil.NoSuchProcess:
                break
            for proc in procs:
                with contextlib.suppress(psutil.NoSuchProcess, psutil.AccessDenied):
                    total += proc.memory_info().rss
            self.peak = max(self.peak, total)
            self.stopped.wait(self.interval)


class BuildFailed(Exception):
    """The CLI exited non-zero; the message is the tail of its error output."""


def build_once(project: Path, env: dict[str, str] | None = None) -> Run:
    cmd = report_command() + [str(project), "--engine", "builtin"]
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    sampler = None
    if psutil is not None:
        sampler = PeakSampler(proc.pid)
        sampler.start()
    stdout, stderr = proc.communicate()
    seconds = time.perf_counter() - started
    if sampler is not None:
        sampler.stopped.set()
        sampler.join()
        peak_mb = sampler.peak / 2**20
    else:  # ru_maxrss is in KiB on Linux; a max over children, not a sum
        peak_mb = max(before, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) / 1024
    if proc.returncode != 0:
        errors = [line for line in stderr.splitlines() if line.startswith("error:")]
        say(f"bench: build failed in {project}:\n{stderr[-2000:]}")
        raise BuildFailed(errors[-1] if errors else f"exit code {proc.returncode}")
    executed, chapter_seconds, phases, summary = [], {}, {}, {}
    for line in stdout.splitlines():
        event = json.loads(line)
        if event["event"] == "chapter" and event["status"] in ("executed", "no-code"):
            executed.append(event["path"])
            if event["status"] == "executed":
                chapter_seconds[event["path"]] = event["seconds"]
        elif event["event"] == "phases":
            phases = event["seconds"]
        elif event["event"] == "summary":
            summary = event
    return Run(seconds, peak_mb, executed, chapter_seconds, phases, summary.get("seconds"))


# -- projects ----------------------------------------------------------------------------------


def copy_report(destination: Path) -> Path:
    destination.mkdir(parents=True)
    for name in REPORT_FILES:
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, destination / name, ignore=LEFTOVERS)
        else:
            shutil.copy2(source, destination / name)
    return destination


def copy_fixture(destination: Path) -> Path:
    shutil.copytree(FIXTURE_BOOK, destination, ignore=LEFTOVERS)
    return destination


def synthetic_book(destination: Path, chapters: int) -> Path:
    """N chapters, each importing pandas and matplotlib, one small figure, a few inline values."""
    destination.mkdir(parents=True)
    names = [f"chapters/c{i:03d}.qmd" for i in range(1, chapters + 1)]
    (destination / "_quarto.yml").write_text(
        "project:\n  type: book\n  execute-dir: project\n"
        f"book:\n  title: Synthetic book of {chapters} chapters\n  chapters:\n    - index.qmd\n"
        + "".join(f"    - {n}\n" for n in names)
        + "execute:\n  echo: false\n  warning: false\n",
        encoding="utf-8",
    )
    (destination / "index.qmd").write_text(
        "# Preface {.unnumbered}\n\nA synthetic book.\n", encoding="utf-8"
    )
    (destination / "chapters").mkdir()
    for i, name in enumerate(names, start=1):
        (destination / name).write_text(
            textwrap.dedent(f"""\
            # Chapter {i}

            ```{{python}}
            import pandas as pd
            import matplotlib.pyplot as plt
            frame = pd.DataFrame({{"x": range(12), "y": [(v * {i}) % 7 for v in range(12)]}})
            total = int(frame["y"].sum())
            peak = int(frame["y"].max())
            ```

            This chapter's total is `{{python}} total`, its peak `{{python}} peak` and its
            mean `{{python}} round(frame["y"].mean(), 2)`.

            ```{{python}}
            #| label: fig-c{i:03d}
            #| fig-cap: "Values of chapter {i}"
            fig, ax = plt.subplots(figsize=(4, 2.5))
            ax.plot(frame["x"], frame["y"])
            plt.show()
            ```

            See @fig-c{i:03d}.
            """),
            encoding="utf-8",
        )
    return destination


# -- edits -------------------------------------------------------------------------------------


def edit_data(project: Path, run: int) -> None:
    """Change one topic's text (a value only the media chapter and the data appendix read)."""
    data = project / DATA_FILE
    text = data.read_text(encoding="utf-8")
    previous = DATA_VALUE if run == 0 else f"{DATA_VALUE} (bench edit {run})"
    assert previous in text, f"bench: {previous!r} not found in {DATA_FILE}"
    data.write_text(
        text.replace(previous, f"{DATA_VALUE} (bench edit {run + 1})", 1), encoding="utf-8"
    )


def retag_data_value(project: Path, tag: str) -> None:
    """Give the media topic of edit_data a new suffix, whatever suffix it has now."""
    data = project / DATA_FILE
    pattern = re.escape(DATA_VALUE) + r"( \(bench edit [^)]*\))?"
    text, count = re.subn(
        pattern, f"{DATA_VALUE} (bench edit {tag})", data.read_text(encoding="utf-8"), count=1
    )
    assert count == 1, f"bench: {DATA_VALUE!r} not found in {DATA_FILE}"
    data.write_text(text, encoding="utf-8")


def edit_stylesheet(project: Path, run: int) -> None:
    """Append to the report's own stylesheet (format.html.css), as the web team would edit it."""
    css = project / "styles.css"
    css.write_text(
        css.read_text(encoding="utf-8") + f"\n/* bench edit {run} */\n", encoding="utf-8"
    )


def edit_prose(project: Path, run: int) -> None:
    chapter = project / PROSE_CHAPTER
    letters = "abcdefghijklmnopqrstuvwxyz"
    chapter.write_text(
        chapter.read_text(encoding="utf-8") + f"\nA benchmark edit, version {letters[run % 26]}.\n",
        encoding="utf-8",
    )


def edit_first_note(path: Path, run: int) -> None:
    """Change one cell: the `note` (last column) of the first data row gets a different suffix."""
    import csv
    import io

    text = path.read_text(encoding="utf-8")
    before = list(csv.reader(io.StringIO(text)))
    header_end = text.index("\n") + 1
    row_end = text.index("\n", header_end)
    row = text[header_end:row_end]
    suffix = f" (bench edit {run})"
    previous = re.search(r" \(bench edit \d+\)(?=\"?$)", row)
    if previous:
        row = row[: previous.start()] + row[previous.end() :]
    row = row[:-1] + suffix + '"' if row.endswith('"') else row + suffix
    edited = text[:header_end] + row + text[row_end:]
    after = list(csv.reader(io.StringIO(edited)))
    changed = [
        (r, c)
        for r in range(len(before))
        for c in range(len(before[r]))
        if before[r][c] != after[r][c]
    ]
    assert changed == [(1, len(before[0]) - 1)], f"bench: edit of {path} changed {changed}"
    path.write_text(edited, encoding="utf-8")


# -- scenarios ---------------------------------------------------------------------------------


@dataclass
class Row:
    key: str
    label: str
    runs: list[Run] = field(default_factory=list)
    note: str = ""
    failures: list[str] = field(default_factory=list)

    def attempt(self, project: Path, env: dict[str, str] | None = None) -> None:
        """One timed build; a failed one is recorded (not timed) and the benchmark goes on."""
        try:
            self.runs.append(build_once(project, env))
        except BuildFailed as exc:
            self.failures.append(str(exc))

    @property
    def times(self) -> list[float]:
        return [r.seconds for r in self.runs]

    @property
    def median(self) -> float:
        return statistics.median(self.times)

    @property
    def peak_mb(self) -> float:
        return max(r.peak_mb for r in self.runs)

    def note_executed(self) -> None:
        chapters = sorted({c for r in self.runs for c in r.executed})
        self.note = "re-executed: " + (", ".join(chapters) or "none")


def real_report_rows(workdir: Path, runs: int) -> list[Row]:
    rows = []
    cold = Row("cold", "real report: cold (no cache, fresh output)")
    for i in range(runs):
        say(f"cold {i + 1}/{runs}")
        cold.attempt(copy_report(workdir / f"cold-{i}"))
    rows.append(cold)
    if not cold.runs:
        sys.exit("bench: every cold build failed: " + "; ".join(cold.failures))
    # A successfully built copy: cache and output in place.
    project = next(
        workdir / f"cold-{i}"
        for i in range(runs)
        if (workdir / f"cold-{i}" / ".litbuild" / "output.json").exists()
    )
    # Each incremental scenario: an edit before every run, then the same build command.
    scenarios = [
        ("noop", "real report: no-op", lambda project, i: None),
        ("data", f"real report: one value changed in {DATA_FILE}", edit_data),
        ("prose", f"real report: prose changed in {PROSE_CHAPTER}", edit_prose),
        ("style", "real report: stylesheet changed (styles.css)", edit_stylesheet),
        (
            "output",
            "real report: output-only rebuild (.litbuild/output.json deleted)",
            lambda project, i: (project / ".litbuild" / "output.json").unlink(),
        ),
    ]
    for key, label, edit in scenarios:
        row = Row(key, label)
        for i in range(runs):
            say(f"{key} {i + 1}/{runs}")
            edit(project, i)
            row.attempt(project)
        row.note_executed()
        rows.append(row)
    return rows


def every_data_file_rows(project: Path, runs: int, cold: float) -> list[Row]:
    """One cell changed in each data file in turn, `report build` after each; per file the
    median of `runs` passes; then the median over files and the worst file (never the best)."""
    per_file: dict[str, list[Run]] = {}
    files = sorted((project / "data").glob("*/*.csv"))
    for i in range(runs):
        for path in files:
            rel = path.relative_to(project).as_posix()
            say(f"every data file, pass {i + 1}/{runs}: {rel}")
            edit_first_note(path, i + 1)
            try:
                per_file.setdefault(rel, []).append(build_once(project))
            except BuildFailed as exc:
                say(f"bench: {rel}: {exc}")
    if not per_file:
        return []
    medians = {rel: statistics.median(r.seconds for r in got) for rel, got in per_file.items()}
    order = sorted(medians, key=medians.get)
    middle = order[len(order) // 2]
    worst = order[-1]
    ratios = sorted(m / cold for m in medians.values())
    median_row = Row(
        "every-data-median",
        f"real report: one cell changed, each of the "
        f"{len(files)} data files in turn (median over files)",
    )
    median_row.runs = [
        Run(statistics.median(medians.values()), max(r.peak_mb for r in got), [], {}, {}, None)
        for got in [sum(per_file.values(), [])]
    ]
    median_row.note = (
        f"median {statistics.median(ratios):.0%} of cold (e.g. {middle}); "
        f"re-executes the chapters that read the file"
    )
    worst_row = Row(
        "every-data-worst", f"real report: one cell changed, the worst data file ({worst})"
    )
    worst_row.runs = per_file[worst]
    worst_row.note = f"{medians[worst] / cold:.0%} of cold; re-executed: " + ", ".join(
        sorted({c for r in per_file[worst] for c in r.executed})
    )
    return [median_row, worst_row]


class ServeProcess:
    """`report serve` on a project, with its status endpoint."""

    def __init__(self, project: Path):
        command = [report_command()[0], "serve", str(project), "--port", "0"]
        self.proc = subprocess.Popen(
            command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
        )
        self.url = None
        for line in self.proc.stderr:
            match = re.search(r"at (http://127\.0\.0\.1:\d+/)", line)
            if match:
                self.url = match.group(1)
                break
        if self.url is None:
            raise BuildFailed("report serve printed no URL")
        threading.Thread(target=self.proc.stderr.read, daemon=True).start()  # keep draining
        # The status stream the open pages listen to: waiting on it, as a browser does, instead
        # of polling, keeps the bench from taking the server's time while it rebuilds.
        self.events: queue.Queue[dict] = queue.Queue()
        threading.Thread(target=self._listen, daemon=True).start()

    def _listen(self) -> None:
        import http.client

        host, port = self.url.removeprefix("http://").rstrip("/").split(":")
        connection = http.client.HTTPConnection(host, int(port))
        connection.request("GET", "/__litbuild/events")
        for raw in connection.getresponse():
            line = raw.decode("utf-8").strip()
            if line.startswith("data: "):
                self.events.put(json.loads(line.removeprefix("data: ")))

    def state(self) -> dict:
        import urllib.request

        with urllib.request.urlopen(self.url + "__litbuild/state", timeout=30) as response:
            return json.loads(response.read())

    def page(self, path: str) -> str:
        import urllib.request

        with urllib.request.urlopen(self.url + path, timeout=30) as response:
            return response.read().decode("utf-8")

    def wait(self, check, limit: float = 300.0) -> float:
        """Seconds until a status event satisfies check(status), as the open page hears it."""
        started = time.perf_counter()
        if check(self.state()):
            return 0.0
        while (left := limit - (time.perf_counter() - started)) > 0:
            try:
                status = self.events.get(timeout=left)
            except queue.Empty:
                break
            if check(status):
                return time.perf_counter() - started
        raise BuildFailed("report serve: timed out")

    def drain(self) -> None:
        """Forget the status events so far (the next wait hears only what follows)."""
        while not self.events.empty():
            self.events.get_nowait()

    def idle(self) -> dict:
        self.wait(lambda s: not s["building"])
        return self.state()

    def stop(self) -> None:
        self.proc.send_signal(signal.SIGINT)
        try:
            self.proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def break_first_cell(text: str) -> str:
    """Make the chapter's first python cell (after the parameters cell) raise, right after
    its `#|` option lines."""
    lines = text.split("\n")
    for start, line in enumerate(lines):
        if not line.startswith("```{python}"):
            continue
        body = start + 1
        while lines[body].startswith("#|"):
            body += 1
        if any("parameters" in option for option in lines[start + 1 : body]):
            continue
        return "\n".join(lines[:body] + [BROKEN_LINE] + lines[body:])
    raise BuildFailed("bench: the prose chapter has no python cell to break")


def serve_rows(project: Path, runs: int) -> list[Row]:
    """Edit → served: a prose edit (until the new text is in the served page), a data edit
    (until the rebuilt site is published) and a broken cell (until the error is reported)."""
    prose = Row("serve-prose", f"serve: prose edit in {PROSE_CHAPTER} until the text is served")
    data = Row(
        "serve-data",
        f"serve: one cell of {SERVE_DATA_FILE} (read by the data appendix "
        "only) until the new site is served",
    )
    data_two = Row(
        "serve-data-2",
        f"serve: one value of {DATA_FILE} (media chapter + data "
        "appendix) until the new site is served",
    )
    error = Row("serve-error", "serve: a cell raises, until the error overlay is reported")
    page = PROSE_CHAPTER.removesuffix(".qmd") + ".html"
    server = ServeProcess(project)
    try:
        server.idle()
        for i in range(runs):
            say(f"serve {i + 1}/{runs}")
            marker = f"A preview edit, number {i + 1}."
            chapter = project / PROSE_CHAPTER
            generation = server.idle()["generation"]
            server.drain()
            chapter.write_text(
                chapter.read_text(encoding="utf-8") + f"\n{marker}\n", encoding="utf-8"
            )
            started = time.perf_counter()
            # The page reloads on the event for a new site; it then shows the edit.
            while True:
                server.wait(lambda s, g=generation: s["generation"] > g)
                if marker in server.page(page):
                    break
                generation = server.state()["generation"]
            prose.runs.append(Run(time.perf_counter() - started, 0.0, [], {}, {}, None))
            for row, edit in (
                (data, lambda i=i: edit_first_note(project / SERVE_DATA_FILE, 100 + i)),
                (data_two, lambda i=i: retag_data_value(project, f"serve {i}")),
            ):
                generation = server.idle()["generation"]
                server.drain()
                edit()
                seconds = server.wait(lambda s, g=generation: s["generation"] > g or s["error"])
                if server.state()["error"]:
                    raise BuildFailed(f"report serve: {server.state()['error']['message']}")
                row.runs.append(Run(seconds, 0.0, [], {}, {}, None))
            server.idle()
            good = chapter.read_text(encoding="utf-8")
            server.drain()
            chapter.write_text(break_first_cell(good), encoding="utf-8")
            error.runs.append(
                Run(server.wait(lambda s: s["error"] is not None), 0.0, [], {}, {}, None)
            )
            chapter.write_text(good, encoding="utf-8")
            server.wait(lambda s: s["error"] is None and not s["building"])
    except BuildFailed as exc:
        for row in (prose, data, data_two, error):
            row.failures.append(str(exc))
    finally:
        server.stop()
    return [prose, data, data_two, error]


def synthetic_rows(workdir: Path, runs: int, sizes: list[int]) -> list[Row]:
    rows = []
    for size in sizes:
        row = Row(f"synthetic-{size}", f"synthetic book, {size} chapters: cold")
        for i in range(runs):
            say(f"synthetic {size} chapters {i + 1}/{runs}")
            row.attempt(synthetic_book(workdir / f"synthetic-{size}-{i}", size))
        row.note = f"{row.median / size:.2f} s/chapter" if row.runs else ""
        rows.append(row)
    return rows


def fixture_row(workdir: Path, runs: int) -> Row:
    row = Row("fixture", "fixture book (tests/fixtures/book): cold")
    for i in range(runs):
        say(f"fixture book {i + 1}/{runs}")
        row.attempt(copy_fixture(workdir / f"fixture-{i}"))
    return row


def quarto_row(workdir: Path, runs: int, builtin_cold: float) -> Row:
    row = Row("quarto", "real report: `quarto render --to html` cold (HTML only)")
    quarto = shutil.which("quarto")
    if quarto is None:
        row.note = "quarto is not on PATH: not timed"
        return row
    for i in range(runs):
        say(f"quarto render {i + 1}/{runs}")
        project = copy_report(workdir / f"quarto-{i}")
        started = time.perf_counter()
        proc = subprocess.run(
            [quarto, "render", str(project), "--to", "html"],
            capture_output=True,
            text=True,
            check=False,
        )
        seconds = time.perf_counter() - started
        if proc.returncode != 0:
            row.runs = []
            row.note = "quarto render failed: " + " ".join(proc.stderr.strip().splitlines()[-1:])
            return row
        row.runs.append(Run(seconds, 0.0, [], {}, {}, None))
    row.note = (
        f"builtin cold HTML + PDF / quarto HTML = {builtin_cold / row.median:.2f} "
        f"(goal <= 1/8 = 0.125); quarto / builtin = {row.median / builtin_cold:.1f}x"
    )
    return row


# -- where the time goes -----------------------------------------------------------------------


def kernel_start_seconds(samples: int = 3) -> float | None:
    """Median time to start a python3 kernel, run `pass` and shut it down."""
    try:
        from jupyter_client.manager import start_new_kernel
    except ImportError:
        return None
    times = []
    for _ in range(samples):
        started = time.perf_counter()
        manager, client = start_new_kernel(kernel_name="python3")
        client.execute_interactive("pass", timeout=60)
        client.stop_channels()
        manager.shutdown_kernel(now=True)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def import_seconds(code: str, samples: int = 3) -> float:
    python = REPO / ".venv" / "bin" / "python"
    times = []
    for _ in range(samples):
        started = time.perf_counter()
        subprocess.run([str(python if python.exists() else sys.executable), "-c", code], check=True)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def median_or_none(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


def breakdown(rows: list[Row]) -> list[str]:
    header = (
        "| scenario | wall s | engine s | process overhead s | execute | "
        "parse (pandoc md->AST, numbering) | pdf (pandoc + Typst) | html (pandoc + site) | "
        "convert (pdf and html side by side) | provenance + publish |"
    )
    lines = [header, "|---|---|---|---|---|---|---|---|---|---|"]
    for row in rows:
        engine = median_or_none(
            [r.engine_seconds for r in row.runs if r.engine_seconds is not None]
        )
        if engine is None:
            continue
        phases = [median_or_none([r.phases[n] for r in row.runs if n in r.phases]) for n in PHASES]
        cells = " | ".join(f"{p:.2f}" if p is not None else "-" for p in phases)
        lines.append(
            f"| {row.key} | {row.median:.2f} | {engine:.2f} | {row.median - engine:.2f} | {cells} |"
        )
    return lines


def table(rows: list[Row], context: dict) -> list[str]:
    header = (
        "| scenario | median s | min s | max s | runs | peak RSS MB | notes | target | result |"
    )
    lines = [header, "|---|---|---|---|---|---|---|---|---|"]
    for row in rows:
        if not row.runs:
            note = "; ".join([row.note] + row.failures)
            lines.append(f"| {row.label} | - | - | - | 0 | - | {note} | - | skipped |")
            continue
        key = "synthetic-max" if row.key == f"synthetic-{context['chapters']}" else row.key
        target, verdict = "-", "-"
        if key in TARGETS:
            target = TARGETS[key][0]
            verdict = "PASS" if TARGETS[key][1](row.median, context) else "MISS"
        peak = f"{row.peak_mb:.0f}" if row.peak_mb else "-"
        note = row.note + (
            f"; {len(row.failures)} failed run(s): {row.failures[0]}" if row.failures else ""
        )
        lines.append(
            f"| {row.label} | {row.median:.2f} | {min(row.times):.2f} | "
            f"{max(row.times):.2f} | {len(row.runs)} | {peak} | {note} | "
            f"{target} | {verdict} |"
        )
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Benchmark `report build --engine builtin` (wall time of the CLI process) on "
        "a temporary copy of the real report (cold, no-op, data change, prose change, "
        "stylesheet change), synthetic books and the fixture book; prints a markdown "
        "table of medians with PASS/MISS against the targets."
    )
    parser.add_argument("--runs", type=int, default=3, help="runs per scenario (default 3)")
    parser.add_argument(
        "--chapters",
        type=int,
        default=40,
        help="chapters of the largest synthetic book; books of 10 and 20 are "
        "built too, to show growth (default 40)",
    )
    parser.add_argument("--skip-synthetic", action="store_true", help="no synthetic books")
    parser.add_argument("--skip-fixture", action="store_true", help="no fixture book")
    parser.add_argument("--skip-serve", action="store_true", help="no `report serve` scenarios")
    parser.add_argument(
        "--skip-every-data-file",
        action="store_true",
        help="no one-cell edit of every data file in turn",
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary projects")
    parser.add_argument("--json", type=Path, help="also write the raw measurements to this file")
    args = parser.parse_args(argv)
    if args.runs < 1 or args.chapters < 1:
        parser.error("--runs and --chapters must be at least 1")

    workdir = Path(tempfile.mkdtemp(prefix="litbuild-bench-"))
    say(f"working in {workdir}")
    try:
        rows = real_report_rows(workdir, args.runs)
        cold = rows[0].median
        if not (args.skip_serve and args.skip_every_data_file):
            edited = copy_report(workdir / "edited")
            say("cold build of the copy for the serve and every-data-file scenarios")
            build_once(edited)
            rows += (
                [] if args.skip_every_data_file else every_data_file_rows(edited, args.runs, cold)
            )
            rows += [] if args.skip_serve else serve_rows(edited, args.runs)
        sizes = sorted({s for s in (10, 20) if s < args.chapters} | {args.chapters})
        rows += [] if args.skip_synthetic else synthetic_rows(workdir, args.runs, sizes)
        rows += [] if args.skip_fixture else [fixture_row(workdir, args.runs)]
        rows.append(quarto_row(workdir, args.runs, cold))
        say("measuring kernel start and import times")
        kernel = kernel_start_seconds()
        cli_import = import_seconds("import kzchina.cli, litbuild.build")
        bare = import_seconds("pass")
    finally:
        if args.keep:
            say(f"kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)

    context = {"cold": cold, "chapters": args.chapters}
    print(
        f"## litbuild benchmark ({os.cpu_count()} CPUs, {args.runs} run(s) per scenario, "
        f"Python {sys.version.split()[0]})\n"
    )
    print("\n".join(table(rows, context)))
    report_rows = [
        r for r in rows if r.key in ("cold", "noop", "data", "prose", "style", "output") and r.runs
    ]
    peak = max(r.peak_mb for r in report_rows)
    verdict = "PASS" if TARGETS["memory"][1](peak, context) else "MISS"
    print(
        f"| peak memory, max over all real-report builds | - | - | - | - | {peak:.0f} | "
        f"{memory_method()} | {TARGETS['memory'][0]} | {verdict} |"
    )

    print("\n### Where the time goes (medians, s; phases from the engine's `time by phase` line)\n")
    print("\n".join(breakdown(rows)))
    print(
        "\nprocess overhead = CLI wall time - the seconds the engine reports in its summary "
        "(interpreter start, imports, config, exit). A no-op prints no phase line.\n"
    )
    print(
        f"- `python -c 'import kzchina.cli, litbuild.build'`: {cli_import:.2f} s "
        f"(bare interpreter: {bare:.2f} s)"
    )
    if kernel is not None:
        print(f"- start a python3 kernel, run `pass`, shut it down: {kernel:.2f} s")
    chapter_times: dict[str, list[float]] = {}
    for run in rows[0].runs:
        for chapter, seconds in run.chapter_seconds.items():
            chapter_times.setdefault(chapter, []).append(seconds)
    if chapter_times:
        total = sum(statistics.median(v) for v in chapter_times.values())
        print(
            f"\nPer-chapter execution in the cold real-report builds (median s, kernel start "
            f"included, {os.cpu_count()} chapters at a time; sum {total:.1f} s):\n"
        )
        for chapter, values in sorted(
            chapter_times.items(), key=lambda kv: -statistics.median(kv[1])
        ):
            print(f"- {chapter}: {statistics.median(values):.2f}")
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "rows": [
                        {
                            "key": r.key,
                            "label": r.label,
                            "note": r.note,
                            "times": r.times,
                            "peak_mb": [x.peak_mb for x in r.runs],
                            "phases": [x.phases for x in r.runs],
                            "engine_seconds": [x.engine_seconds for x in r.runs],
                            "chapter_seconds": [x.chapter_seconds for x in r.runs],
                            "executed": [x.executed for x in r.runs],
                        }
                        for r in rows
                    ],
                    "kernel_start": kernel,
                    "cli_import": cli_import,
                    "bare_python": bare,
                    "memory_method": memory_method(),
                    "cpus": os.cpu_count(),
                },
                indent=2,
            ),
            encoding="utf-8",
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
