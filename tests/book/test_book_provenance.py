"""Issue 5: every figure, table and fact of the real report can be traced, from provenance.json,
facts.csv and the HTML disclosures, to existing inputs and code, and each figure's data download
is exactly what its function computes.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import re
import subprocess
from urllib.parse import unquote, urlsplit

import pandas as pd
import pytest

from book_fixtures import (
    Book,
    book_chapters,
    book_items,
    call,
    claims_in_sources,
    facts_in_sources,
    report_cli,
    sha256_file,
    tree_digest,
)
from kzchina.data import load
from kzchina.results import frame_csv

pytestmark = pytest.mark.slow

ITEMS = book_items()
USED = facts_in_sources()
# Claims are recorded like facts (facts.csv, provenance.json), under their own ids.
RECORDED = {**USED, **claims_in_sources()}


@pytest.fixture(scope="module")
def record(book) -> dict:
    return book.provenance()


@pytest.fixture(scope="module")
def actions(book) -> dict[str, dict]:
    return book.actions()


def resolve(book: Book, page: str, href: str):
    """The file an href on `page` points to, or None for an external or in-page link."""
    parts = urlsplit(href)
    if parts.scheme or parts.netloc or not parts.path:
        return None
    return (book.out / page).parent.joinpath(unquote(parts.path)).resolve()


# --------------------------------------------------------------------------- coverage
def test_every_figure_table_and_fact_is_recorded(actions):
    items = {g: a for g, a in actions.items() if a.get("additionalType") in ("figure", "table")}
    assert {i.label: i.kind for i in ITEMS} == {g: a["additionalType"] for g, a in items.items()}
    facts = {g for g, a in actions.items() if a.get("additionalType") in ("fact", "claim")}
    assert facts == set(RECORDED)
    claims = {g for g, a in actions.items() if a.get("additionalType") == "claim"}
    assert claims == set(RECORDED) - set(USED)
    for item in ITEMS:
        action = actions[item.label]
        assert action["name"] == f"{'Figure' if item.kind == 'figure' else 'Table'} {item.number}"
        assert action["chapter"] == item.chapter
        assert action["object"], f"{item.label} records no input"
        assert action["instrument"]["name"], f"{item.label} records no code"


def test_facts_csv_and_provenance_list_the_same_facts(book, actions):
    rows = book.facts_rows()
    recorded = {g: a for g, a in actions.items() if a.get("additionalType") in ("fact", "claim")}
    assert set(rows) == set(recorded) == set(RECORDED)
    for fact_id, row in rows.items():
        action = recorded[fact_id]
        assert row["text"] == action["text"]
        assert row["value"] == str(action["value"])
        assert row["function"] == action["instrument"]["name"]
        assert row["code"] == f"{action['instrument']['file']}:{action['instrument']['line']}"
        assert row["inputs"] == "; ".join(f"{o['@id']}@{o['sha256']}" for o in action["object"])
        used = [u["chapter"] for u in action["usedIn"]]
        assert sorted(set(used)) == sorted(RECORDED[fact_id])


def test_fact_used_in_lines_point_at_the_fact(book, actions):
    for fact_id in USED:
        for use in actions[fact_id]["usedIn"]:
            lines = (book.project / use["chapter"]).read_text(encoding="utf-8").splitlines()
            assert f'fact("{fact_id}")' in lines[use["line"] - 1], (fact_id, use)


# --------------------------------------------------------------------------- inputs, code, outputs
def test_inputs_exist_and_hashes_match(book, actions):
    for identifier, action in actions.items():
        for item in action["object"]:
            path = book.project / item["@id"]
            assert not item["@id"].startswith("/"), f"{identifier}: absolute input path"
            assert path.is_file(), f"{identifier}: input {item['@id']} does not exist"
            assert item["sha256"] == sha256_file(path), f"{identifier}: {item['@id']}"
            assert item["resource"], identifier


def test_code_locations_are_the_functions(book, actions):
    blobs = {}
    for identifier, action in actions.items():
        code = action["instrument"]
        path = book.project / code["file"]
        assert path.is_file(), f"{identifier}: {code['file']}"
        line = path.read_text(encoding="utf-8").splitlines()[code["line"] - 1]
        assert re.match(rf"\s*(async )?def {code['name'].rpartition('.')[2]}\(", line), (
            f"{identifier}: {code['file']}:{code['line']} is not the def of {code['name']}"
        )
        assert callable(call(code["name"])), code["name"]
        if code["file"] not in blobs:
            blobs[code["file"]] = subprocess.run(
                ["git", "hash-object", str(path)], capture_output=True, text=True, check=True
            ).stdout.strip()
        assert code["gitBlob"] == blobs[code["file"]], identifier


def test_results_exist_with_their_hashes(book, record, actions):
    files = {g["@id"]: g["sha256"] for g in record["@graph"] if g.get("@type") == "File"}
    on_disk = {p: d for p, d in tree_digest(book.out).items() if p != "provenance.json"}
    assert files == on_disk, "File entities differ from the output folder"
    for item in ITEMS:
        results = actions[item.label]["result"]
        assert results, item.label
        for result in results:
            assert (book.out / result["@id"]).is_file(), result["@id"]
            assert result["sha256"] == sha256_file(book.out / result["@id"]), result["@id"]
        kinds = {r["@id"].rsplit(".", 1)[1] for r in results}
        assert kinds == ({"svg", "png", "csv"} if item.kind == "figure" else {"csv"}), item.label


def test_chapter_runs_record_what_they_read(book, record):
    runs = [g for g in record["@graph"] if str(g.get("@id", "")).startswith("#run-")]
    assert [r["instrument"]["@id"] for r in runs] == [c.path for c in book_chapters(book.project)]
    for run in runs:
        assert (book.out / run["result"][0]["@id"]).is_file()
        for item in run["object"]:
            path = book.project / item["@id"]
            if item.get("@type") == "Dataset":  # a folder the chapter listed (e.g. data/ editions)
                names = "\0".join(sorted(os.listdir(path)))
                assert item["listing"] == hashlib.sha256(names.encode()).hexdigest(), item["@id"]
            else:
                assert item["sha256"] == sha256_file(path), item["@id"]


# --------------------------------------------------------------------------- downloads
@pytest.mark.parametrize("item", ITEMS, ids=lambda i: i.label)
def test_download_is_what_the_function_computes(book, actions, item):
    action = actions[item.label]
    result = call(action["instrument"]["name"])(load(root=book.project))
    frame = result.data if item.kind == "figure" else result.frame
    stem = item.chapter.removesuffix(".qmd")
    download = book.out / f"{stem}_files/data/{item.label}.csv"
    assert download.read_text(encoding="utf-8") == frame_csv(frame)
    # Read back by an independent parser (csv), the download holds exactly the frame's data.
    header, *rows = csv.reader(io.StringIO(download.read_text(encoding="utf-8")))
    assert header == [str(c) for c in frame.columns] and len(rows) == len(frame), item.label
    for row, values in zip(rows, frame.itertuples(index=False, name=None)):
        for cell, value in zip(row, values):
            if pd.isna(value):
                assert cell == "", item.label
            elif isinstance(value, (int, float)) and not isinstance(value, bool):
                assert float(cell) == pytest.approx(value), item.label
            else:
                assert cell == str(value), item.label
    # The inputs the function reads now are the ones recorded.
    assert [(i["resource"], i["path"], i["sha256"]) for i in result.inputs] == [
        (o["resource"], o["@id"], o["sha256"]) for o in action["object"]
    ]
    if item.kind == "figure":
        import matplotlib.pyplot as plt

        plt.close(result.figure)


def test_standalone_figures_match_the_book(book, actions):
    for item in (i for i in ITEMS if i.kind == "figure"):
        results = {r["@id"].rsplit(".", 1)[1]: r for r in actions[item.label]["result"]}
        for ext in ("svg", "png"):
            standalone = book.project / "figures" / f"{item.label}.{ext}"
            assert standalone.is_file(), standalone
            assert sha256_file(standalone) == results[ext]["sha256"]
        sidecar = json.loads((book.project / "figures" / f"{item.label}.json").read_text("utf-8"))
        assert sidecar == actions[item.label]


# --------------------------------------------------------------------------- HTML disclosures


@pytest.mark.parametrize("item", [pytest.param(i, id=i.label) for i in ITEMS])
def test_disclosure_links_resolve(book, actions, item):
    page = item.chapter.removesuffix(".qmd") + ".html"
    soup = book.html(page)
    details = soup.find(id=f"prov-{item.label}")
    assert details is not None and details.name == "details" and "provenance" in details["class"]
    # It follows its figure or table.
    assert details.find_previous_sibling("figure")["id"] == item.label
    links = [a["href"] for a in details.find_all("a", href=True)]
    targets = [resolve(book, page, h) for h in links]
    for href, target in zip(links, targets):
        assert target is not None and target.is_file(), f"{item.label}: {href} does not resolve"
    rel = {t.relative_to(book.out.resolve()).as_posix() for t in targets}
    action = actions[item.label]
    assert {r["@id"] for r in action["result"]} <= rel
    for source in [o["@id"] for o in action["object"]] + [action["instrument"]["file"]]:
        assert f"_source/{source}" in rel, f"{item.label}: no link to {source}"
        assert sha256_file(book.out / "_source" / source) == sha256_file(book.project / source)
    text = details.get_text()
    assert action["instrument"]["name"] in text
    assert f"line {action['instrument']['line']}" in text


def test_facts_page_links_resolve(book):
    soup = book.html("facts.html")
    rows = soup.select("table.facts tbody tr")
    assert {r["id"].removeprefix("fact-") for r in rows} == set(RECORDED)
    for a in soup.select("table.facts a[href]"):
        target = resolve(book, "facts.html", a["href"])
        assert target is not None and target.is_file(), a["href"]


# --------------------------------------------------------------------------- the CLI
@pytest.mark.parametrize(
    "identifier",
    ["fig-fdi-by-sector", "tbl-leading-investors", "cn_fdi_share_transport", "fact-cpi_change"],
)
def test_report_provenance_prints_inputs_and_code(book, actions, identifier):
    proc = report_cli("provenance", identifier, "--project-dir", str(book.project))
    assert proc.returncode == 0, proc.stderr
    action = actions[identifier.removeprefix("fact-")]
    out = proc.stdout
    code = action["instrument"]
    # A fact computed by a shared reader shows the parameters it was called with.
    params = action.get("params") or {}
    call = "(" + ", ".join(f"{k}={v!r}" for k, v in sorted(params.items())) + ")" if params else ""
    assert (
        f"code: {code['name']}{call} ({code['file']}:{code['line']}, git blob {code['gitBlob']})"
    ) in out
    for item in action["object"]:
        assert f"input: {item['@id']} [{item['resource']}] sha256 {item['sha256']}" in out
    for item in action.get("result", []):
        assert f"output: {item['@id']} sha256 {item['sha256']}" in out
    if action["additionalType"] == "fact":
        assert f"= {action['text']}" in out.splitlines()[0]
    else:
        assert out.splitlines()[0] == f"{action['identifier']}: {action['name']}"


def test_report_provenance_json_is_the_record(book, actions):
    proc = report_cli("provenance", "fig-trade", "--json", "--project-dir", str(book.project))
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == actions["fig-trade"]


def test_report_provenance_unknown_name_fails_with_suggestions(book):
    proc = report_cli("provenance", "fig-fdi", "--project-dir", str(book.project))
    assert proc.returncode == 1
    assert "no figure, table or fact named 'fig-fdi'" in proc.stderr
    assert "fig-fdi-by-sector" in proc.stderr


# --------------------------------------------------------------------------- recomputing facts
def same(computed, recorded) -> bool:
    """A computed value (numpy scalars included) equals the one recorded in JSON."""
    if hasattr(computed, "item"):
        computed = computed.item()
    if isinstance(computed, float):
        return computed == pytest.approx(recorded, rel=1e-12)
    return computed == recorded


def _needs_params(function) -> bool:
    import inspect

    params = list(inspect.signature(function).parameters.values())[1:]
    return any(p.default is inspect.Parameter.empty for p in params)


def test_facts_of_their_own_function_recompute_from_provenance(book, actions):
    """A fact computed by its own function (@define) is that function of the recorded inputs."""
    ds = load(root=book.project)
    # Readers with defaults (year="latest") record their parameters: those are not "own".
    own = [
        f
        for f in USED
        if not actions[f].get("params")
        and not _needs_params(call(actions[f]["instrument"]["name"]))
    ]
    assert len(own) > 20
    for fact_id in own:
        value = call(actions[fact_id]["instrument"]["name"])(ds)
        assert same(value, actions[fact_id]["value"]), fact_id


def test_every_fact_recomputes_from_provenance(book, actions):
    ds = load(root=book.project)
    for fact_id in USED:
        action = actions[fact_id]
        value = call(action["instrument"]["name"])(ds, **action.get("params", {}))
        assert same(value, action["value"]), fact_id
