"""Each figure on the real data: plotted values (typed from the source), provenance, determinism."""

from __future__ import annotations

from pathlib import Path

import pytest

from kzchina import figures
from kzchina.results import PROVENANCE_MIME, RASTER_MIME
from kzchina.style import DPI

ROOT = Path(__file__).resolve().parents[2]


def _value(data, **where):
    rows = data
    for k, v in where.items():
        rows = rows[rows[k] == v]
    assert len(rows) == 1, where
    return rows["value"].iloc[0]


def test_org_chart_draws_every_body_and_link(results):
    data = results["foreign_policy_bodies"].data
    bodies = data[data["element"] == "body"]
    links = data[data["element"] == "link"]
    # 18 bodies: the report never names a PRC parliament body, so none is drawn.
    assert len(bodies) == 18 and len(links) == 22
    assert not any("Parliament" in n for n in bodies["name"])
    names = set(bodies["name"])
    for expected in ("CPC Central Committee", "State Council", "Ministry of Foreign Affairs",
                     "China Association for International Friendly Contact (CAIFC)"):  # fmt: skip
        assert expected in names
    root = bodies[bodies["body_id"] == "cpc_central_committee"]
    assert root["row"].iloc[0] == 0 and root["shown_as"].iloc[0] == "box"
    # The commission that sets foreign policy is listed under the Central Committee.
    commission = bodies[bodies["body_id"] == "central_foreign_affairs_commission"]
    assert commission["shown_as"].iloc[0].startswith("listed")


def test_investment_position_only_printed_points(results):
    r = results["investment_position"]
    data = r.data
    assert sorted(data["year"].unique()) == [2016, 2017, 2021]
    assert _value(data, year=2016, measure="direct_investment") == 3.51
    assert _value(data, year=2017, measure="direct_investment") == 9.59
    assert _value(data, year=2016, measure="other_categories") == 11.65
    assert _value(data, year=2017, measure="other_categories") == 6.25
    assert _value(data, year=2017, measure="total") == 15.84
    assert _value(data, year=2021, measure="total") == 12.67
    assert _value(data, year=2021, measure="other_categories") == 7.09
    assert _value(data, year=2021, measure="direct_investment") == pytest.approx(5.58)
    assert _value(data, year=2016, measure="share_of_kz_fdi") == 2.4
    assert _value(data, year=2017, measure="share_of_kz_fdi") == 5.9
    assert _value(data, year=2021, measure="share_of_kz_total") == 5.18
    derived = data[data["status"] == "derived"]
    assert set(zip(derived["year"], derived["measure"])) == {
        (2016, "total"), (2021, "direct_investment")}  # fmt: skip
    assert "2018\u20132020" in r.source_note and "Russia" in r.source_note


def test_fdi_by_sector_values(results):
    data = results["fdi_by_sector"].data
    assert data.shape == (56, 4)
    assert sorted(data["year"].unique()) == list(range(2015, 2022))
    get = data.set_index(["year", "sector"])["position_usd_mn"]
    assert get[(2015, "mining")] == 1160.86
    assert get[(2017, "transport")] == 5185.24
    assert get[(2021, "other")] == 273.10
    assert data[data["year"] == 2021]["position_usd_mn"].sum() == pytest.approx(5583.43)


def test_trade_with_china_points_and_note(results):
    r = results["trade_with_china"]
    levels = r.data[r.data["panel"] == "level"]
    assert list(zip(levels["year"], levels["value"], levels["status"])) == [
        (2017, pytest.approx(18.2 / 1.7316, abs=0.01), "derived"), (2021, 18.2, "published")]  # fmt: skip
    growth = r.data[r.data["panel"] == "growth"].set_index(["partner", "flow"])["value"]
    assert growth[("china", "exports")] == 70.29
    assert growth[("china", "imports")] == 76.70
    assert growth[("china", "turnover")] == 73.16
    assert growth[("all", "turnover")] == 29.97
    assert "2018\u20132020" in r.source_note
    assert "exports or imports" in r.source_note


def test_perception_index_both_measurements_and_regions(results):
    data = results["perception_index"].data
    nat = data[data["region"] == "kazakhstan"].set_index(["measurement", "indicator"])["value"]
    assert nat[(2022, "index")] == 0.17 and nat[(2020, "index")] == 0.13
    assert [nat[(2022, f"indicator_{i}")] for i in (1, 2, 3, 4)] == [0.30, 0.29, 0.28, -0.18]
    regional = data[(data["region"] != "kazakhstan") & (data["indicator"] == "index")]
    assert len(regional) == 10  # nine regions, Mangystau measured twice
    assert set(regional["region_name"]) >= {"Kyzylorda region", "Zhambyl region"}


@pytest.mark.parametrize("func", figures.ALL, ids=lambda f: f.__name__)
def test_mimebundle_and_provenance(results, func):
    r = results[func.__name__]
    bundle = r._repr_mimebundle_()
    assert bundle["image/svg+xml"].lstrip().startswith("<?xml")
    # No PNG drawn in the kernel: the engine rasterises the SVG at the house resolution.
    assert "image/png" not in bundle
    assert bundle[RASTER_MIME] == {"dpi": DPI}
    prov = bundle[PROVENANCE_MIME]
    assert prov["kind"] == "figure"
    assert prov["function"] == f"kzchina.figures.{func.__name__}"
    assert prov["code"]["file"] == "src/kzchina/figures.py"
    line = (ROOT / "src/kzchina/figures.py").read_text().splitlines()[prov["code"]["line"] - 1]
    assert line.startswith(f"def {func.__name__}(")
    assert prov["inputs"] and all(i["path"].startswith("data/2022/") for i in prov["inputs"])
    assert prov["data_csv"] == r.data.to_csv(index=False, lineterminator="\n")
    assert "\r" not in prov["data_csv"]
    assert prov["source_note"].startswith("Source:")
    # The source note is drawn under the figure.
    texts = [t.get_text() for t in r.figure.texts]
    assert any(t.startswith("Source:") for t in texts)


@pytest.mark.parametrize("func", figures.ALL, ids=lambda f: f.__name__)
def test_rendering_is_byte_deterministic(ds, func):
    first, second = func(ds), func(ds)
    assert first.svg() == second.svg()
    assert first.png() == second.png()
    assert "<dc:date>" not in first.svg()


def _run(code: str) -> None:
    import subprocess
    import sys

    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True,
                   env={"PYTHONPATH": str(ROOT / "src"), "PATH": "/usr/bin:/bin"})  # fmt: skip


def test_figures_do_not_touch_pyplot():
    _run("import sys; from kzchina import figures, load; figures.trade_with_china(load()).svg(); "
         "assert 'matplotlib.pyplot' not in sys.modules")  # fmt: skip


def test_chapter_imports_are_light():
    _run("import sys; from kzchina import load, fact, figures, tables; ds = load(); "
         "fact('cpi_latest'); heavy = [m for m in ('matplotlib', 'frictionless', 'jinja2') "
         "if m in sys.modules]; assert not heavy, heavy")  # fmt: skip


@pytest.mark.parametrize("name", [f.__name__ for f in figures.ALL])
def test_no_text_smaller_than_the_house_minimum(results, name):
    """Lettering stays legible in print and, enlarged, on a phone: nothing under MIN_TEXT_PT."""
    from matplotlib.text import Text

    from kzchina import style

    figure = results[name].figure
    figure.draw_without_rendering()  # tick labels exist only once the figure is laid out
    sizes = {round(t.get_fontsize(), 2) for t in figure.findobj(Text) if t.get_text().strip()}
    assert sizes and min(sizes) >= style.MIN_TEXT_PT, sorted(sizes)
