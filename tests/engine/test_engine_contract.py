"""The engine↔report contract (litbuild.contract): typed records that fail loudly when broken."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from helpers import quiet, write_project
from litbuild import BuildError, build
from litbuild.contract import (
    PROVENANCE_MIME,
    ContractError,
    FactProvenance,
    InlineInfo,
    ItemProvenance,
)

QUARTO = """
    project:
      type: book
    book:
      title: "Contract Book"
      chapters:
        - index.qmd
    """

# A figure whose display bundle carries a provenance record as the contract defines it.
FIGURE_CELL = """
```{{python}}
#| label: fig-one
#| fig-cap: "One line"
class Plot:
    def _repr_mimebundle_(self, include=None, exclude=None):
        return {{"image/svg+xml": "<svg xmlns='http://www.w3.org/2000/svg'/>",
                "{mime}": {record}}}
Plot()
```
"""

GOOD_ITEM = {
    "function": "demo.plot",
    "code": {"file": "demo.py", "line": 3},
    "inputs": [{"path": "data.csv", "sha256": "0" * 64, "resource": "data"}],
    "kind": "figure",
    "data_csv": "x\n1\n",
}

FACT_CELL = """
```{{python}}
class Number(str):
    def _litbuild_inline_(self):
        return {info}
n = Number("forty-two")
```

The answer is `{{python}} n`.
"""

GOOD_FACT = {
    "id": "answer",
    "value": 42,
    "unit": "count",
    "function": "demo.answer",
    "code": {"file": "demo.py", "line": 9},
    "inputs": [],
    "kind": "fact",
}


def project(root: Path, body: str) -> Path:
    return write_project(root, {"_quarto.yml": QUARTO, "index.qmd": "# Home\n" + body})


def figure_project(root: Path, record: dict) -> Path:
    return project(root, FIGURE_CELL.format(mime=PROVENANCE_MIME, record=repr(record)))


def fact_project(root: Path, info: dict) -> Path:
    return project(root, FACT_CELL.format(info=repr(info)))


def renamed(record: dict, old: str, new: str) -> dict:
    return {(new if k == old else k): v for k, v in record.items()}


@pytest.mark.slow
def test_good_records_reach_provenance_json(tmp_path):
    root = figure_project(tmp_path / "fig", GOOD_ITEM)
    result = build(root, to="html", engine="builtin", progress=quiet)
    record = json.loads((result.output_dir / "provenance.json").read_text("utf-8"))
    # Not an RO-Crate (no metadata descriptor, nested entities): it must not claim to be one.
    assert "ro/crate" not in json.dumps(record)
    graph = record["@graph"]
    action = next(g for g in graph if g.get("identifier") == "fig-one")
    assert action["instrument"]["name"] == "demo.plot"
    assert action["object"] == [{"@id": "data.csv", "resource": "data", "sha256": "0" * 64}]

    root = fact_project(
        tmp_path / "fact", {"text": "forty-two", "fact_id": "answer", "provenance": GOOD_FACT}
    )
    result = build(root, to="html", engine="builtin", progress=quiet)
    csv_text = (result.output_dir / "facts.csv").read_text("utf-8")
    assert "answer,42,forty-two,count" in csv_text


@pytest.mark.slow
def test_renamed_provenance_key_fails_the_build_loudly(tmp_path):
    """A figure's record with 'inputs' renamed: the build stops and names chapter, label, key."""
    root = figure_project(tmp_path / "fig", renamed(GOOD_ITEM, "inputs", "input_files"))
    out = root / "_book"
    with pytest.raises(BuildError) as caught:
        build(root, to="html", engine="builtin", progress=quiet)
    message = str(caught.value)
    assert "index.qmd" in message and "fig-one" in message
    assert "missing key 'inputs'" in message and "unknown key 'input_files'" in message
    assert not out.exists()


@pytest.mark.slow
def test_renamed_fact_key_fails_the_build_at_its_line(tmp_path):
    info = {
        "text": "forty-two",
        "fact_id": "answer",
        "provenance": renamed(GOOD_FACT, "unit", "units"),
    }
    root = fact_project(tmp_path / "fact", info)
    with pytest.raises(ContractError) as caught:
        build(root, to="html", engine="builtin", progress=quiet)
    line = next(
        n
        for n, text in enumerate((root / "index.qmd").read_text().splitlines(), 1)
        if "{python} n" in text
    )
    assert f"index.qmd:{line}" in str(caught.value)
    assert "missing key 'unit'" in str(caught.value)


def test_report_records_round_trip_through_the_contract():
    """What kzchina sends is exactly what the contract reads back."""
    from kzchina import fact
    from kzchina.figures import trade_with_china

    prov = fact("cn_share_foreign_owned").provenance()
    assert FactProvenance.from_json(prov, "test").to_json() == prov
    info = fact("cn_share_foreign_owned")._litbuild_inline_()
    assert InlineInfo.from_json(info, "test").to_json() == info
    figure = trade_with_china().provenance()
    assert ItemProvenance.from_json(figure, "test").to_json() == figure
    assert figure["inputs"] and figure["code"]["file"].endswith(".py")


@pytest.mark.parametrize("key", ["value", "unit", "function", "code", "inputs", "id"])
def test_every_required_fact_key_is_checked(key):
    from kzchina import fact

    prov = fact("cn_share_foreign_owned").provenance()
    broken = renamed(prov, key, key + "_renamed")
    with pytest.raises(ContractError, match=f"missing key '{key}'"):
        FactProvenance.from_json(broken, "chapter.qmd:3")


def test_extension_by_optional_field_keeps_old_records_valid():
    """Records without the newer optional fields (derivation) still read."""
    record = FactProvenance.from_json(GOOD_FACT, "x")
    assert record.derivation is None and record.params == {}
    with_derivation = dict(GOOD_FACT, derivation="sum of the two rows")
    assert FactProvenance.from_json(with_derivation, "x").derivation == "sum of the two rows"
