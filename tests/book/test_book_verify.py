"""Issue 5: `report verify` passes twice in a row on a clean tree, and after one data cell changes it
fails, naming exactly the figures, tables and facts whose outputs changed.
"""

from __future__ import annotations

import csv
import io
import re

import pytest

from book_fixtures import Book, call, copy_built, report_cli, shared, tree_digest
from kzchina.claims import evaluate
from kzchina.data import load
from kzchina.facts import fact
from kzchina.results import frame_csv

pytestmark = pytest.mark.slow

CHANGED_FILE = "data/2022/fdi_by_sector.csv"
CHANGED_ROW = {"year": "2021", "sector": "mining"}
CHANGED_COLUMN = "position_usd_mn"


def verify(project) -> tuple[int, list[str], str]:
    proc = report_cli("verify", "--project-dir", str(project), timeout=600)
    return proc.returncode, proc.stdout.splitlines(), proc.stderr


def test_verify_passes_twice_on_a_clean_tree(book):
    before = tree_digest(book.out)
    for attempt in (1, 2):
        code, lines, err = verify(book.project)
        assert code == 0, f"verify run {attempt} failed:\n" + "\n".join(lines) + err[-2000:]
        assert len(lines) == 1 and re.fullmatch(
            r"verify OK: \d+ recorded outputs reproduced byte for byte", lines[0]
        ), lines
        assert int(lines[0].split()[2]) == len(before) - 1  # every output but provenance.json
    assert tree_digest(book.out) == before, "verify changed the published outputs"


def change_one_cell(project) -> tuple[str, str]:
    """Add 100 to one FDI sector value (mining, 2021) in the copy, touching nothing else."""
    path = project / CHANGED_FILE
    text = path.read_text(encoding="utf-8")
    header = next(csv.reader(io.StringIO(text)))
    assert header[:3] == ["year", "sector", CHANGED_COLUMN]
    pattern = re.compile(
        rf"^{CHANGED_ROW['year']},{CHANGED_ROW['sector']},([0-9.]+),", re.MULTILINE
    )
    (old,) = pattern.findall(text)
    new = f"{float(old) + 100:.2f}"
    path.write_text(pattern.sub(lambda m: m[0].replace(old, new), text), encoding="utf-8")
    return old, new


@pytest.fixture(scope="module")
def changed(book, tmp_path_factory):
    """A built copy with one data cell changed afterwards, and what verify says about it."""

    def make():
        project = copy_built(book.project, tmp_path_factory.mktemp("verify") / "report")
        published = tree_digest(project / "_book")
        change_one_cell(project)
        code, lines, err = verify(project)
        return project, published, code, lines, err

    return shared("verify-changed", make)


def test_verify_fails_after_one_cell_changes(changed):
    project, published, code, lines, err = changed
    assert code == 12, lines  # 12: the rebuild differs from the record (issue 9)
    assert "verify FAILED" in err
    assert tree_digest(project / "_book") == published, "verify changed the published outputs"


def expected_effects(book: Book, project) -> tuple[set[str], set[str], set[str]]:
    """From provenance.json: items and facts that read the file; of them, those whose outputs a
    fresh computation on the changed copy really changes (data shown; fact value or text)."""
    actions = book.actions()
    readers = {i for i, a in actions.items() if any(o["@id"] == CHANGED_FILE for o in a["object"])}
    old_ds, new_ds = load(root=book.project), load(root=project)
    items, facts = set(), set()
    for identifier in readers:
        action = actions[identifier]
        if action["additionalType"] == "claim":
            if evaluate(identifier, old_ds).status != evaluate(identifier, new_ds).status:
                facts.add(identifier)
        elif action["additionalType"] == "fact":
            a, b = fact(identifier, old_ds), fact(identifier, new_ds)
            if (str(a.value), a.text) != (str(b.value), b.text):
                facts.add(identifier)
        else:
            function = call(action["instrument"]["name"])
            a, b = function(old_ds), function(new_ds)
            shown = (
                (lambda r: r.data) if action["additionalType"] == "figure" else (lambda r: r.frame)
            )
            if frame_csv(shown(a)) != frame_csv(shown(b)):
                items.add(f"{action['name']} ({identifier})")
    return readers, items, facts


def test_verify_names_exactly_the_affected_figures_tables_and_facts(book, changed):
    project, _, _, lines, _ = changed
    readers, items, facts = expected_effects(book, project)
    # The FDI chart, its data table and the sector-total fact at least (the sector shares in the
    # prose are the printed ones, read from printed_values; a cross-check ties them to Figure 3).
    assert {"Figure 2.2 (fig-fdi-by-sector)", "Table 2.2 (tbl-fdi-by-sector)"} <= items
    assert {"cn_fdi_sectors_total_latest"} <= facts
    # Facts that read the file but do not change (the transport peak) are not named.
    assert {"cn_fdi_transport_peak", "cn_fdi_transport_peak_year"} <= readers - facts
    named_items = {
        line.removeprefix("affected: ") for line in lines if line.startswith("affected: ")
    }
    named_facts = {
        line.removeprefix("affected fact: ") for line in lines if line.startswith("affected fact: ")
    }
    assert named_items == items
    assert named_facts == facts


def test_verify_lists_exactly_the_changed_files(book, changed):
    project, _, _, lines, _ = changed
    actions = book.actions()
    _, items, facts = expected_effects(book, project)
    labels = {re.search(r"\((.*)\)$", i)[1] for i in items}
    expected = {r["@id"] for label in labels for r in actions[label]["result"]}
    expected |= {f"_source/{CHANGED_FILE}", "facts.csv", "facts.html", book.pdf_path.name}
    # Pages showing a changed fact or item (their text, or a disclosure's hashes, change).
    expected |= {
        u["chapter"].removesuffix(".qmd") + ".html" for f in facts for u in actions[f]["usedIn"]
    }
    expected |= {actions[label]["page"] for label in labels}
    changed_files = {
        line.removeprefix("changed: ") for line in lines if line.startswith("changed: ")
    }
    # The search index follows the pages: its files change, and those named by their content's
    # hash (fragments, index chunks, metadata) are replaced by others. Nothing else may come or go.
    search = {f for f in changed_files if f.startswith("pagefind/")}
    assert changed_files - search == expected
    replaced = [line for line in lines if line.startswith(("missing", "new in"))]
    assert search or replaced, "the search index did not follow the changed pages"
    assert all(line.split(": ", 1)[1].startswith("pagefind/") for line in replaced), replaced
