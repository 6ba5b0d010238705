"""The data API: locating editions, lazy typed loading, access recording, metadata."""

from __future__ import annotations

import time
from pathlib import Path

import pandas as pd
import pytest

from data_support import DATA, EDITION, REPO, copy_project, csv_path, folder_hashes
from kzchina.data import find_root, load
from kzchina.problems import ProblemsError
from kzchina.validate import check_edition, summarize_edition


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A throwaway copy of the project's 2022 data."""
    return copy_project(tmp_path)


@pytest.fixture(scope="module")
def ds():
    return load(EDITION, REPO)


def test_find_root_walks_up_to_quarto_yml(tmp_path: Path):
    nested = REPO / "data" / EDITION
    assert find_root(nested) == REPO
    assert find_root(tmp_path) == tmp_path.resolve()  # no _quarto.yml: falls back to start


def test_default_edition_is_newest_folder_or_env(project: Path, monkeypatch):
    newer = project / "data" / "2023"
    newer.mkdir()
    (newer / "datapackage.json").write_text((DATA / "datapackage.json").read_text())
    monkeypatch.delenv("REPORT_EDITION", raising=False)
    assert load(root=project).edition == "2023"
    monkeypatch.setenv("REPORT_EDITION", "2022")
    assert load(root=project).edition == "2022"
    monkeypatch.chdir(project / "data")
    assert load().root == project.resolve()


def test_descriptor_metadata(ds):
    assert ds.edition == EDITION and ds.version == "1.0.0"
    meta = ds.resource_meta("fdi_by_sector")
    assert meta.units == {"position_usd_mn": "USD million"}
    assert meta.primary_key == ["year", "sector"]
    assert ds.resource_path("fdi_by_sector") == DATA / "fdi_by_sector.csv"
    assert ds.unit("trade_with_china", "value_usd_bn") == "USD billion"
    with pytest.raises(KeyError, match="no resource 'nope'"):
        ds.resource_meta("nope")


@pytest.mark.parametrize("name", [r.stem for r in sorted(DATA.glob("*.csv"))])
def test_every_resource_loads_with_schema_dtypes(ds, name):
    frame = ds.table(name)
    assert len(frame) > 0
    meta = ds.resource_meta(name)
    assert list(frame.columns) == [f["name"] for f in meta.fields]
    for f in meta.fields:
        dtype = frame[f["name"]].dtype
        if f["type"] == "integer":
            assert pd.api.types.is_integer_dtype(dtype), (f["name"], dtype)
        elif f["type"] == "number":
            assert dtype == "float64"
        elif f["type"] == "date":
            assert pd.api.types.is_datetime64_any_dtype(dtype)
        else:
            assert pd.api.types.is_string_dtype(dtype)
    assert set(frame["status"]) <= {"published", "derived", "external"}
    assert frame["source"].str.len().min() > 0


def test_csv_files_are_clean_utf8_without_bom():
    for path in DATA.glob("*.csv"):
        raw = path.read_bytes()
        assert not raw.startswith(b"\xef\xbb\xbf"), path
        raw.decode("utf-8")
        assert b"\r\n" not in raw, path


def test_reading_is_lazy_and_recorded(project: Path):
    ds = load(EDITION, project)
    assert ds.accessed == []
    csv_path(project, "media_topics").unlink()  # never opened below, so never missed
    with ds.recording() as used:
        ds.table("trade_with_china")
        ds.table("fdi_by_sector")
        ds.table("trade_with_china")
    assert [a.name for a in used] == ["trade_with_china", "fdi_by_sector"]
    assert used[0].path == "data/2022/trade_with_china.csv"
    assert used[0].sha256 == folder_hashes(project / "data" / EDITION)["trade_with_china.csv"]
    with ds.recording() as again:
        ds.table("fdi_by_sector")  # cached, but still recorded for this block
    assert [a.name for a in again] == ["fdi_by_sector"]
    assert ds.accessed == ["trade_with_china", "fdi_by_sector"]


def test_nested_recordings_each_see_their_reads(ds):
    with ds.recording() as outer:
        ds.table("regions")
        with ds.recording() as inner:
            ds.table("regions")
        ds.table("fdi_sectors")
    assert [a.name for a in inner] == ["regions"]
    assert [a.name for a in outer] == ["regions", "fdi_sectors"]


def test_table_returns_a_copy(ds):
    regions = ds.table("regions")
    regions.loc[0, "name"] = "changed"
    assert ds.table("regions").loc[0, "name"] == "Kazakhstan"


def test_optional_values_stay_missing(ds):
    trade = ds.table("trade_with_china").set_index(["partner", "flow"])
    assert pd.isna(trade.loc[("china", "exports"), "value_usd_bn"])  # not printed: absent
    ministers = ds.table("foreign_ministers")
    assert pd.isna(ministers.iloc[-1]["end_date"])  # incumbent


def test_load_is_fast_per_resource():
    ds = load(EDITION, REPO)
    start = time.perf_counter()
    ds.table("fdi_by_sector")
    elapsed = time.perf_counter() - start
    assert elapsed < 0.05, f"fdi_by_sector took {elapsed * 1000:.1f} ms"


def test_real_edition_is_valid():
    assert [str(p) for p in check_edition(EDITION, REPO)] == []


def test_summary():
    summary = summarize_edition(EDITION, REPO)
    assert len(summary.resources) == len(list(DATA.glob("*.csv")))
    assert summary.rows == sum(r.rows for r in summary.resources)
    assert "fdi_by_sector" in str(summary) and summary.version == "1.0.0"


def test_missing_descriptor_is_a_problem(tmp_path: Path):
    (tmp_path / "_quarto.yml").write_text("")
    (tmp_path / "data" / "2022").mkdir(parents=True)
    with pytest.raises(ProblemsError) as info:
        load("2022", tmp_path)
    assert [(p.path, p.message) for p in info.value.problems] == [
        ("data/2022/datapackage.json", "missing file")
    ]
