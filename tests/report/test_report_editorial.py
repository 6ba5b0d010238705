"""Editorial rules a fact-check holds the report to (issue 11).

- every figure's "Data shown" CSV holds exactly what the figure draws, read back from the drawn
  matplotlib artists (bars, points, boxes, arrows), not from the data frame the figure returns;
- alt texts name only series, bodies and people the figure really shows;
- labels do not collide, arrows do not cross boxes, and the legend tells every relation apart;
- downloads carry no float noise, table rows are told apart by their labels, Table 1.1 uses one
  date format.
"""

from __future__ import annotations

import io
import math
import re
from collections import Counter
from pathlib import Path

import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.container import BarContainer
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch
from matplotlib.text import Text

from kzchina import figures, tables
from kzchina.results import frame_csv

ROOT = Path(__file__).resolve().parents[2]


# --------------------------------------------------------------------------- what is drawn
def _drawn_bars(ax) -> list[float]:
    values = []
    for container in ax.containers:
        if isinstance(container, BarContainer):
            horizontal = getattr(container, "orientation", "vertical") == "horizontal"
            for rect in container.patches:
                v = rect.get_width() if horizontal else rect.get_height()
                if not math.isnan(v):
                    values.append(round(float(v), 2))
    return values


def _drawn_points(ax, axis: str) -> list[float]:
    values = []
    for line in ax.lines:
        if line.get_marker() in (None, "None", "", " ") or line.get_linestyle() not in ("None", ""):
            continue  # reference lines and legend proxies are not data
        data = line.get_xdata() if axis == "x" else line.get_ydata()
        values += [round(float(v), 2) for v in data]
    return values


def _multiset(values) -> Counter:
    return Counter(round(float(v), 2) for v in values)


def test_investment_position_download_is_what_is_drawn(results):
    r = results["investment_position"]
    ax_pos, ax_share = r.figure.axes[:2]
    data = r.data
    stacked = data[data["measure"].isin(["direct_investment", "other_categories"])]
    assert _multiset(_drawn_bars(ax_pos)) == _multiset(stacked["value"])
    shares = data[data["unit"] == "percent"]
    assert _multiset(_drawn_points(ax_share, "y")) == _multiset(shares["value"])
    totals = data[data["measure"] == "total"]
    labels = [t.get_text() for t in ax_pos.texts if re.fullmatch(r"\d+\.\d\d", t.get_text())]
    assert Counter(labels) == Counter(f"{v:.2f}" for v in totals["value"])
    assert len(data) == len(stacked) + len(shares) + len(totals)


def test_fdi_by_sector_download_is_what_is_drawn(results):
    r = results["fdi_by_sector"]
    assert _multiset(_drawn_bars(r.figure.axes[0])) == _multiset(r.data["position_usd_mn"])


def test_trade_download_is_what_is_drawn(results):
    r = results["trade_with_china"]
    ax_lvl, ax_gr = r.figure.axes[:2]
    data = r.data
    levels = data[data["panel"] == "level"]
    growth = data[data["panel"] == "growth"]
    assert _multiset(_drawn_points(ax_lvl, "y")) == _multiset(levels["value"])
    assert _multiset(_drawn_bars(ax_gr)) == _multiset(growth["value"])
    assert len(data) == len(levels) + len(growth)


def test_perception_index_download_is_what_is_drawn(results):
    r = results["perception_index"]
    drawn = []
    for ax in r.figure.axes[:2]:
        drawn += _drawn_points(ax, "x")
    assert _multiset(drawn) == _multiset(r.data["value"])
    # Regional indicator values are printed in the text but not drawn: not in the download.
    regional = r.data[r.data["region"] != "kazakhstan"]
    assert set(regional["indicator"]) == {"index"}


def _normal(text: str) -> str:
    text = text.replace("\u2022", " ").replace("\u2013", " ")
    return re.sub(r"\s+", " ", text).strip().lower()


def test_org_chart_download_is_what_is_drawn(results):
    r = results["foreign_policy_bodies"]
    ax = r.figure.axes[0]
    boxes = [t for t in ax.texts if t.get_text() and "\n".join(t.get_text().split("\n"))]
    box_texts = {_normal(t.get_text()) for t in boxes}
    bodies = r.data[r.data["element"] == "body"]
    for row in bodies.itertuples():
        if row.shown_as == "box":
            assert _normal(row.name) in box_texts, row.name
    listed_text = " ".join(box_texts)
    for row in bodies[bodies["shown_as"] != "box"].itertuples():
        short = _normal(row.name.replace(" of the CPC Central Committee", ""))
        assert short in listed_text, row.name
    arrows = [p for p in ax.patches if isinstance(p, FancyArrowPatch)]
    links = r.data[r.data["element"] == "link"]
    assert len(arrows) == (links["shown_as"] == "arrow").sum()
    drawn_boxes = [p for p in ax.patches if isinstance(p, FancyBboxPatch)]
    assert len(drawn_boxes) == (bodies["shown_as"] == "box").sum() + 1  # + the list box


def test_every_figure_download_matches_its_csv(results):
    for name, r in results.items():
        back = pd.read_csv(io.StringIO(frame_csv(r.data)))
        assert len(back) == len(r.data), name


# --------------------------------------------------------------------------- alt texts
def _fig_alts() -> dict[str, str]:
    """Map each figure function called in a chapter to the alt text of its cell."""
    alts = {}
    for path in sorted((ROOT / "chapters").glob("*.qmd")) + [ROOT / "index.qmd"]:
        for cell in re.findall(r"```\{python\}\n(.*?)```", path.read_text(), re.S):
            alt = re.search(r'^#\| fig-alt: "(.*)"$', cell, re.M)
            call = re.search(r"figures\.(\w+)\(", cell)
            if call:
                assert alt, f"{path.name}: figure {call.group(1)} has no fig-alt"
                alts[call.group(1)] = alt.group(1)
    return alts


def _vocabulary(ds) -> set[str]:
    """Names of series, bodies, regions and people a figure of this report could show."""
    words = set(ds.table("fdi_sectors")["label"])
    words |= {n.replace(" region", "") for n in ds.table("regions")["name"]}
    words |= {
        n.replace(" of the CPC Central Committee", "") for n in ds.table("policy_bodies")["name"]
    }
    words |= set(ds.table("commission_members")["person"])
    words |= {"Parliament", "National People's Congress", "Russia", "exports", "imports",
              "turnover", "direct investment", "portfolio", "General perception",
              "Centre of influence", "Investor", "Culture and education"}  # fmt: skip
    return words


def test_every_figure_has_an_alt_text():
    assert set(_fig_alts()) == {f.__name__ for f in figures.ALL}


def test_alt_texts_mention_only_what_the_figure_shows(ds, results):
    vocabulary = _vocabulary(ds)
    for name, alt in _fig_alts().items():
        shown = _normal(" ".join(t.get_text() for t in results[name].figure.findobj(Text)))
        named = [w for w in vocabulary if re.search(rf"\b{re.escape(_normal(w))}\b", _normal(alt))]
        missing = [w for w in named if _normal(w) not in shown]
        assert not missing, f"{name}: alt text names {missing}, which the figure does not show"


def test_alt_text_rule_catches_a_series_that_is_not_drawn(ds, results):
    """The rule above is not vacuous: the old Figure 1.1 alt text names a person not drawn."""
    alt = "The Central Foreign Affairs Commission, chaired by Xi Jinping, and Parliament."
    shown = _normal(" ".join(t.get_text() for t in
                             results["foreign_policy_bodies"].figure.findobj(Text)))  # fmt: skip
    named = [w for w in _vocabulary(ds) if re.search(rf"\b{re.escape(_normal(w))}\b", _normal(alt))]
    assert {w for w in named if _normal(w) not in shown} == {"Xi Jinping", "Parliament"}


# --------------------------------------------------------------------------- legibility
def _drawn(fig):
    """Draw the figure on an Agg canvas, as savefig does; return the renderer."""
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    return canvas.get_renderer()


def test_perception_index_labels_do_not_collide(results):
    fig = results["perception_index"].figure
    renderer = _drawn(fig)
    for ax in fig.axes[:2]:
        boxes = [t.get_window_extent(renderer) for t in ax.texts if t.get_text()]
        assert len(boxes) >= 5
        for i, a in enumerate(boxes):
            for b in boxes[i + 1 :]:
                assert not a.overlaps(b), (a, b)
        for legend in [ax.get_legend(), *fig.legends]:
            if legend is not None:
                frame = legend.get_window_extent(renderer)
                assert not any(frame.overlaps(b) for b in boxes)


def test_org_chart_arrows_cross_no_box(results):
    fig = results["foreign_policy_bodies"].figure
    ax = fig.axes[0]
    _drawn(fig)
    boxes = [p.get_window_extent().expanded(0.97, 0.9) for p in ax.patches
             if isinstance(p, FancyBboxPatch)]  # fmt: skip
    arrows = [p for p in ax.patches if isinstance(p, FancyArrowPatch)]
    assert arrows
    for arrow in arrows:
        path = arrow.get_path().transformed(arrow.get_transform())
        points = path.interpolated(20).vertices
        inside = [box for box in boxes if any(box.contains(x, y) for x, y in points[2:-2])]
        assert not inside, f"arrow {arrow} crosses {inside}"


def test_org_chart_names_fit_inside_their_boxes(results):
    fig = results["foreign_policy_bodies"].figure
    ax = fig.axes[0]
    renderer = _drawn(fig)
    boxes = [p.get_window_extent(renderer) for p in ax.patches if isinstance(p, FancyBboxPatch)]
    for text in ax.texts:
        extent = text.get_window_extent(renderer)
        holders = [b for b in boxes if b.x0 <= extent.x0 and extent.x1 <= b.x1
                   and b.y0 <= extent.y0 and extent.y1 <= b.y1]  # fmt: skip
        assert holders, f"{text.get_text()!r} spills out of its box"


def test_router_goes_through_the_gap_of_a_row_in_the_way():
    wall = [(0.0, 0.4, 0.45, 0.6), (0.55, 0.4, 1.0, 0.6)]  # one gap, from x 0.45 to 0.55
    points = figures._route((0.1, 1.0), (0.9, 0.0), [(0.65, 0.35, wall)])
    assert len(points) == 4
    assert all(0.45 < x < 0.55 for x, _y in points[1:3])
    for p, q in zip(points, points[1:]):
        assert not figures._crosses(p, q, wall)
    assert figures._route((0.5, 1.0), (0.5, 0.0), [(0.65, 0.35, wall)]) == [(0.5, 1.0), (0.5, 0.0)]


def test_org_chart_legend_tells_relations_apart(results):
    legend = results["foreign_policy_bodies"].figure.axes[0].get_legend()
    lines = [h for h in legend.legend_handles if hasattr(h, "get_linestyle")
             and not hasattr(h, "get_facecolor")]  # fmt: skip
    # The dash pattern as drawn (get_linestyle() reports any custom pattern as "--").
    styles = [(str(h._unscaled_dash_pattern), h.get_color(), h.get_linewidth()) for h in lines]
    assert len(lines) >= 5
    assert len(set(styles)) == len(styles), styles


# --------------------------------------------------------------------------- tables and CSVs
def test_downloads_carry_no_float_noise(ds, results):
    csvs = {name: frame_csv(r.data) for name, r in results.items()}
    for func in (tables.fdi_by_sector, tables.leading_investors, tables.foreign_ministers):
        csvs[func.__name__] = frame_csv(func(ds).frame)
    for name, text in csvs.items():
        noisy = re.findall(r"\d+\.\d{5,}", text)
        assert not noisy, f"{name}: {noisy[:3]}"


def test_sector_table_total_row_rounds_to_printed_precision(ds):
    frame = tables.fdi_by_sector(ds).frame
    total = frame.iloc[-1]
    assert total["Sector"].startswith("Total")
    assert total["2015"] == 2847.53 and repr(float(total["2015"])) == "2847.53"


def test_data_notes_rows_have_distinct_labels(ds):
    frame = tables.data_notes(ds).frame
    assert not frame.duplicated(["Resource", "Row"]).any(), frame[
        frame.duplicated(["Resource", "Row"], keep=False)
    ]


def test_foreign_ministers_table_uses_one_date_format(ds):
    frame = tables.foreign_ministers(ds).frame
    text = " ".join(frame.astype(str).to_numpy().ravel())
    assert not re.search(r"\b\d{1,2}\.\d{1,2}\.\d{4}\b|\b\d{1,2}\.\d{4}\b", text)
    assert "8 December 1966" in text and "24 April 1969" in text and "August 2013" in text
    assert "Chen Yi (marshal)" in set(frame["Minister"])
