"""The report's figures: one function each, from the dataset to a FigureResult.

Each function loads what it needs through the data API, shapes the tidy frame it plots, draws
it in the house style on a `matplotlib.figure.Figure` (never pyplot) and returns figure, frame
and source note. The `traced` decorator records the resources read and the code location.
"""

from __future__ import annotations

import textwrap

import pandas as pd

from kzchina import formulas, style
from kzchina.results import FigureResult, traced

NBK = "National Bank of Kazakhstan (NBK)"


def _result(fig, data: pd.DataFrame, note: str) -> FigureResult:
    return FigureResult(figure=fig, data=data.reset_index(drop=True), source_note=note, name="",
                        inputs=[])  # fmt: skip


# --------------------------------------------------------------------------- Figure 1
_KIND_FILL = {
    "party": "#F9D9C5",  # tint of vermillion
    "state": "#CCE3F0",  # tint of blue
    "regional": "#CCEBE2",  # tint of bluish green
    "association": "#FAECC8",  # tint of orange
}
_KIND_EDGE = {
    "party": style.OKABE_ITO["vermillion"],
    "state": style.OKABE_ITO["blue"],
    "regional": style.OKABE_ITO["green"],
    "association": style.OKABE_ITO["orange"],
}
_KIND_LABEL = {
    "party": "Party body",
    "state": "State body",
    "regional": "Regional body",
    "association": "People's association",
}
# One line style per relation, so the legend tells every relation apart.
_RELATION_STYLE = {
    "communicates_policy": {"linestyle": "-", "label": "passes on policy"},
    "directs": {"linestyle": "-.", "label": "directs in practice"},
    "formally_oversees": {"linestyle": "--", "label": "oversees formally"},
    "coordinates": {"linestyle": ":", "label": "coordinates"},
    "assists": {"linestyle": (0, (4, 1.5, 1, 1.5, 1, 1.5)), "label": "assists"},
}
_PART_OF_STYLE = {"color": "#999999", "linewidth": 1.6, "label": "is part of (grey, no arrow)"}


def _crosses(p, q, boxes, samples: int = 40) -> bool:
    """Tell whether the straight segment p-q passes through any box (x0, y0, x1, y1)."""
    for i in range(1, samples):
        t = i / samples
        x, y = p[0] + t * (q[0] - p[0]), p[1] + t * (q[1] - p[1])
        if any(x0 < x < x1 and y0 < y < y1 for x0, y0, x1, y1 in boxes):
            return True
    return False


def _route(start, end, bands: list[tuple[float, float, list]], min_gap: float = 0.03) -> list:
    """Return the points of a line from start to end that bends only where it must.

    `bands` are the rows of boxes between the two ends, in order from start to end, each as
    (edge nearer start, edge nearer end, boxes). Where the straight line would cross a box, the
    line passes that row through the free gap nearest to where it would have crossed, and the
    two pieces either side are routed the same way; so a line never runs through a box.
    """
    crossed = [i for i, (_near, _far, boxes) in enumerate(bands) if _crosses(start, end, boxes)]
    if not crossed:
        return [start, end]
    i = crossed[0]
    near, far, boxes = bands[i]
    t = (start[1] - (near + far) / 2) / (start[1] - end[1])
    want = start[0] + t * (end[0] - start[0])  # where the straight line meets the row
    gaps, left = [], 0.0
    for x0, x1 in sorted((x0, x1) for x0, _y0, x1, _y1 in boxes):
        if x0 - left >= min_gap:
            gaps.append((left, x0))
        left = max(left, x1)
    if 1.0 - left >= min_gap:
        gaps.append((left, 1.0))
    if not gaps:  # a row wall to wall: nothing to route through
        return [start, end]

    def nearest_in(gap):
        return min(max(want, gap[0] + min_gap / 2), gap[1] - min_gap / 2)

    x = nearest_in(min(gaps, key=lambda gap: abs(nearest_in(gap) - want)))
    return _route(start, (x, near), bands[:i]) + _route((x, far), end, bands[i + 1 :])


def _org_layout(bodies: pd.DataFrame, links: pd.DataFrame) -> tuple[pd.DataFrame, dict]:
    """Place bodies in rows; bodies linked only as parts of the Central Committee become a list.

    Rule (from the data, not hand-placed): a body whose every link is `part_of` a parent that is
    itself such a body or the root is listed inside one "bodies of the Central Committee" box;
    every other body gets its own box, in the row given by its longest chain of links from the
    root (a `part_of` link points from parent to part), in descriptor order within a row.
    """
    root = "cpc_central_committee"
    ids = list(bodies["body_id"])
    other_links = links[links["relation"] != "part_of"]
    linked_otherwise = set(other_links["from_body"]) | set(other_links["to_body"])
    parent_of = {r.from_body: r.to_body for r in links[links["relation"] == "part_of"].itertuples()}

    listed: dict[str, int] = {}  # body -> nesting depth inside the list box

    def depth_under_root(body: str) -> int | None:
        d, node = 0, body
        while node in parent_of:
            if node in linked_otherwise:
                return None
            node, d = parent_of[node], d + 1
            if node == root:
                return d
        return None

    for body in ids:
        d = depth_under_root(body)
        if d is not None:
            listed[body] = d

    # Downward edges among boxed bodies.
    edges = []
    for r in links.itertuples():
        if r.from_body in listed or r.to_body in listed:
            continue
        if r.relation == "part_of":
            edges.append((r.to_body, r.from_body))
        else:
            edges.append((r.from_body, r.to_body))
    layer = {root: 0}
    for _ in range(len(ids)):  # longest path by relaxation (the graph is acyclic)
        for a, b in edges:
            if a in layer and layer.get(b, -1) < layer[a] + 1:
                layer[b] = layer[a] + 1
    connected = {b for e in edges for b in e}
    rows = []
    for body in ids:
        if body in listed:
            continue
        row = layer.get(body)
        isolated = body not in connected and body != root
        if row is None:
            # An isolated body sits in the row of the other bodies of its kind.
            kind = bodies.set_index("body_id").loc[body, "kind"]
            same = [layer[b] for b in ids if b in layer and b != root
                    and bodies.set_index("body_id").loc[b, "kind"] == kind]  # fmt: skip
            row = min(same) if same else max(layer.values()) + 1
        rows.append({"body_id": body, "row": row, "isolated": isolated})
    placed = pd.DataFrame(rows)
    # Order each row by the mean position of its parents (fewer crossings), then by data order.
    rank: dict[str, float] = {}
    for row in sorted(placed["row"].unique()):
        group = placed[placed["row"] == row]
        keys = []
        for i, body in enumerate(group["body_id"]):
            parents = [rank[a] for a, b in edges if b == body and a in rank]
            keys.append((sum(parents) / len(parents) if parents else 99.0, i, body))
        for pos, (_, _, body) in enumerate(sorted(keys)):
            rank[body] = pos / max(len(keys) - 1, 1)
            placed.loc[placed["body_id"] == body, "order"] = pos
    placed["order"] = placed["order"].astype(int)
    return placed, listed


@traced("figure")
def foreign_policy_bodies(ds) -> FigureResult:
    """Draw the organisation chart of the PRC bodies that make and carry out foreign policy."""
    from matplotlib.lines import Line2D
    from matplotlib.patches import FancyArrowPatch, FancyBboxPatch, Patch
    from matplotlib.path import Path

    # Load
    bodies = ds.table("policy_bodies")
    links = ds.table("policy_body_links")
    names = bodies.set_index("body_id")["name"].to_dict()
    kinds = bodies.set_index("body_id")["kind"].to_dict()

    # Shape
    placed, listed = _org_layout(bodies, links)
    n_rows = int(placed["row"].max()) + 1
    row_h, box_h = 1.0, 0.6
    # The list of Central Committee bodies sits left of the root, in a taller first row.
    list_lines = ["Bodies of the Central Committee:"]
    for body, depth in listed.items():
        short = names[body].replace(" of the CPC Central Committee", "")
        prefix = "\u2022 " if depth == 1 else "    \u2013 "
        list_lines += textwrap.wrap(short, 40, initial_indent=prefix,
                                    subsequent_indent="    " * depth)  # fmt: skip
    list_h = 0.16 * len(list_lines) + 0.12 if listed else 0.0
    top_h = max(row_h, list_h + 0.25)
    positions: dict[str, tuple[float, float]] = {}
    for row, group in placed.groupby("row"):
        n = len(group)
        for r in group.itertuples():
            x = (r.order + 0.5) / n
            if row == 0 and listed:
                x = 0.72 + 0.28 * (r.order + 0.5) / n - 0.14
            positions[r.body_id] = (
                x,
                (n_rows - 1 - row) * row_h + (top_h - row_h if row == 0 else 0),
            )
    data_rows = []
    for r in placed.itertuples():
        x, y = positions[r.body_id]
        data_rows.append({"element": "body", "body_id": r.body_id, "name": names[r.body_id],
                          "kind": kinds[r.body_id], "row": int(r.row), "shown_as": "box",
                          "from_body": "", "to_body": "", "relation": ""})  # fmt: skip
    for body, depth in listed.items():
        data_rows.append({"element": "body", "body_id": body, "name": names[body],
                          "kind": kinds[body], "row": 0, "shown_as": f"listed (level {depth})",
                          "from_body": "", "to_body": "", "relation": ""})  # fmt: skip
    for r in links.itertuples():
        data_rows.append({"element": "link", "body_id": "", "name": "", "kind": "", "row": None,
                          "shown_as": "listed" if (r.from_body in listed or r.to_body in listed)
                          else "arrow", "from_body": r.from_body, "to_body": r.to_body,
                          "relation": r.relation})  # fmt: skip
    data = pd.DataFrame(data_rows)

    # Draw
    note = (
        f"Source: {ds.report_citation}, Section I and Figure 1; bodies and links as described in the "
        "report's text. Bodies that the report names only as parts of the CPC Central Committee "
        "are listed in one box."
        + (
            " A dashed box is a body the report names without describing its links to the others."
            if placed["isolated"].any()
            else ""
        )
    )
    with style.house_style():
        fig = style.new_figure(7.8, note)
        ax = fig.add_subplot()
        ax.set_axis_off()
        ax.set_xlim(0, 1)
        ax.set_ylim(-0.55, (n_rows - 1) * row_h + top_h - row_h + max(0.55, list_h / 2 + 0.05))
        box_w = 0.25

        def wrap(text: str, width: int = 26) -> str:
            return "\n".join(textwrap.wrap(text, width))

        for body, (x, y) in positions.items():
            isolated = bool(placed.set_index("body_id").loc[body, "isolated"])
            ax.add_patch(FancyBboxPatch(
                (x - box_w / 2, y - box_h / 2), box_w, box_h,
                boxstyle="round,pad=0.004,rounding_size=0.02",
                facecolor=_KIND_FILL[kinds[body]], edgecolor=_KIND_EDGE[kinds[body]],
                linewidth=1.0, linestyle="--" if isolated else "-", zorder=2,
            ))  # fmt: skip
            ax.text(
                x,
                y,
                wrap(names[body]),
                ha="center",
                va="center",
                fontsize=style.SMALL_SIZE,
                zorder=3,
            )

        if listed:
            cx, cy = positions["cpc_central_committee"]
            list_w, lx = 0.42, 0.0
            ax.add_patch(FancyBboxPatch(
                (lx, cy - list_h / 2), list_w, list_h,
                boxstyle="round,pad=0.004,rounding_size=0.02", facecolor=_KIND_FILL["party"],
                edgecolor=_KIND_EDGE["party"], linewidth=1.0, zorder=2,
            ))  # fmt: skip
            ax.text(lx + 0.012, cy, "\n".join(list_lines), ha="left", va="center",
                    fontsize=style.SMALL_SIZE, zorder=3, linespacing=1.3)  # fmt: skip
            ax.plot([cx - box_w / 2, lx + list_w], [cy, cy], color=_KIND_EDGE["party"],
                    linewidth=1.0, zorder=1)  # fmt: skip

        row_of = placed.set_index("body_id")["row"].to_dict()

        used = [rel for rel in _RELATION_STYLE if rel in set(links["relation"])]
        handles = [Patch(facecolor=_KIND_FILL[k], edgecolor=_KIND_EDGE[k], label=_KIND_LABEL[k])
                   for k in _KIND_FILL if k in set(kinds.values())]  # fmt: skip
        handles += [Line2D([], [], color=style.INK, linewidth=0.8,
                           linestyle=_RELATION_STYLE[rel]["linestyle"],
                           label=_RELATION_STYLE[rel]["label"]) for rel in used]  # fmt: skip
        if "part_of" in set(links["relation"]):
            handles.append(Line2D([], [], **_PART_OF_STYLE))
        ax.legend(handles=handles, loc="lower center", bbox_to_anchor=(0.5, -0.16), ncol=4,
                  fontsize=style.SMALL_SIZE, handlelength=2.6)  # fmt: skip

        # Arrows run straight where they can and bend through the gaps between boxes where a
        # straight line would cross one (rows are bands of boxes; see _route).
        pad = 0.006
        clearance = 0.3 * (row_h - box_h)
        boxes = {b: (x - box_w / 2 - pad, y - box_h / 2 - pad, x + box_w / 2 + pad,
                     y + box_h / 2 + pad) for b, (x, y) in positions.items()}  # fmt: skip
        if listed:
            boxes["_list"] = (lx, cy - list_h / 2, lx + list_w, cy + list_h / 2)
        for r in links.itertuples():
            if r.from_body in listed or r.to_body in listed:
                continue
            if r.relation == "part_of":  # drawn from the whole down to its part
                upper, lower = r.to_body, r.from_body
                ls, head = "-", "-"
                colour, width = _PART_OF_STYLE["color"], _PART_OF_STYLE["linewidth"]
            else:
                upper, lower = r.from_body, r.to_body
                ls, head = _RELATION_STYLE[r.relation]["linestyle"], "-|>"
                colour, width = style.INK, 0.8
            a, b = positions[upper], positions[lower]
            if a[1] == b[1]:  # same row: join the facing sides
                sign = 1 if b[0] > a[0] else -1
                points = [(a[0] + sign * box_w / 2, a[1]), (b[0] - sign * box_w / 2, b[1])]
            else:
                down = 1 if a[1] > b[1] else -1
                start = (a[0], a[1] - down * box_h / 2)
                end = (b[0], b[1] + down * box_h / 2)
                between = sorted({row_of[body] for body in positions}
                                 - {row_of[upper], row_of[lower]})  # fmt: skip
                bands = []
                for row in between:
                    in_row = [body for body in positions if row_of[body] == row]
                    y = positions[in_row[0]][1]
                    if not min(a[1], b[1]) < y < max(a[1], b[1]):
                        continue
                    edge = box_h / 2 + clearance
                    bands.append((y + down * edge, y - down * edge,
                                  [boxes[body] for body in in_row]))  # fmt: skip
                bands.sort(key=lambda band: -down * band[0])  # from start to end
                points = _route(start, end, bands)
            ax.add_patch(FancyArrowPatch(
                path=Path(points), arrowstyle=head, mutation_scale=8, linestyle=ls,
                color=colour, linewidth=width, zorder=1,
            ))  # fmt: skip
    return _result(fig, data, note)


# --------------------------------------------------------------------------- Figure 2
@traced("figure")
def investment_position(ds) -> FigureResult:
    """Draw China's investment position in Kazakhstan (direct, other, total) and China's shares."""
    # Load
    pos = ds.table("china_investment_position")

    # Shape: one row per (year, measure); derive what the printed values imply, and say so.
    rows = []
    for year, group in pos.groupby("year"):
        by_cat = group.set_index("category")
        get = by_cat["position_usd_bn"].to_dict()
        fdi, other, total = (get.get(k) for k in ("direct_investment", "other_categories", "total"))
        status = {k: "published" for k in get}
        if total is None and fdi is not None and other is not None:
            total, status["total"] = formulas.total_from_parts(fdi, other), "derived"
        if fdi is None and total is not None and other is not None:
            fdi, status["direct_investment"] = formulas.fdi_from_total(total, other), "derived"
        for cat, value in (("direct_investment", fdi), ("other_categories", other),
                           ("total", total)):  # fmt: skip
            if value is not None:
                rows.append({"year": int(year), "measure": cat, "value": float(value),
                             "unit": "USD billion", "status": status[cat]})  # fmt: skip
        for cat, share in by_cat["share_of_kz_total_pct"].dropna().items():
            measure = "share_of_kz_fdi" if cat == "direct_investment" else "share_of_kz_total"
            rows.append({"year": int(year), "measure": measure, "value": float(share),
                         "unit": "percent", "status": "published"})  # fmt: skip
    data = pd.DataFrame(rows)
    years = list(range(int(data["year"].min()), int(data["year"].max()) + 1))
    missing = [y for y in years if y not in set(data["year"])]

    # Draw
    note = (
        f"Source: {NBK}, international investment position, as printed in {ds.report_citation}, Section II. "
        f"Values for {_years_text(missing)} are not printed and are left empty. Hatched bars and "
        "italic totals: derived from printed values (total = direct + other; direct = total "
        "\u2212 other). Russia's "
        "position, shown in the original figure, is not printed in the report and is not shown."
    )
    with style.house_style():
        fig = style.new_figure(3.3, note)
        ax_pos, ax_share = fig.subplots(1, 2, width_ratios=[1.5, 1])
        stack = [("direct_investment", "Direct investment", style.PALETTE[0]),
                 ("other_categories", "Portfolio and other", style.PALETTE[1])]  # fmt: skip
        base = {y: 0.0 for y in years}
        for measure, label, colour in stack:
            part = data[data["measure"] == measure]
            for r in part.itertuples():
                derived = r.status == "derived"
                ax_pos.bar(r.year, r.value, bottom=base[r.year], color=colour, width=0.6,
                           hatch="////" if derived else None, edgecolor="white",
                           linewidth=0.5, label=label if r.Index == part.index[0] else None)  # fmt: skip
                base[r.year] += r.value
        for r in data[data["measure"] == "total"].itertuples():
            ax_pos.text(r.year, r.value + 0.3, f"{r.value:.2f}", ha="center", va="bottom",
                        fontsize=style.LABEL_SIZE, style="italic" if r.status == "derived" else "normal")  # fmt: skip
        for y in missing:
            ax_pos.text(y, 0.4, "not\nprinted", ha="center", va="bottom", fontsize=style.SMALL_SIZE,
                        color=style.MUTED)  # fmt: skip
        ax_pos.set_xticks(years)
        ax_pos.set_ylabel("USD billion, end of year")
        ax_pos.set_title("Investment position")
        ax_pos.set_ylim(0, max(data.loc[data["unit"] == "USD billion", "value"]) * 1.18)
        ax_pos.legend(loc="upper right", fontsize=style.SMALL_SIZE)

        shares = [("share_of_kz_fdi", "of all FDI in Kazakhstan", style.PALETTE[0], "o"),
                  ("share_of_kz_total", "of all foreign investment", style.PALETTE[3], "s")]  # fmt: skip
        for measure, label, colour, marker in shares:
            part = data[data["measure"] == measure]
            ax_share.plot(part["year"], part["value"], marker=marker, color=colour,
                          linestyle="none", label=label, markersize=7)  # fmt: skip
            for r in part.itertuples():
                ax_share.annotate(f"{r.value:g}%", (r.year, r.value), textcoords="offset points",
                                  xytext=(0, 7), ha="center", fontsize=style.LABEL_SIZE)  # fmt: skip
        ax_share.set_xticks(years)
        ax_share.set_xlim(years[0] - 0.5, years[-1] + 0.5)
        ax_share.set_ylim(0, max(data.loc[data["unit"] == "percent", "value"]) * 1.35)
        ax_share.set_ylabel("China's share, %")
        ax_share.set_title("China's share (two bases)")
        ax_share.legend(loc="lower right", fontsize=style.SMALL_SIZE)
        for ax in (ax_pos, ax_share):
            ax.tick_params(axis="x", labelsize=style.LABEL_SIZE)
    return _result(fig, data, note)


def _years_text(years: list[int]) -> str:
    if not years:
        return "no year"
    runs, start = [], years[0]
    for prev, cur in zip(years, years[1:] + [None]):
        if cur != prev + 1 if cur is not None else True:
            runs.append(f"{start}" if start == prev else f"{start}\u2013{prev}")
            start = cur
    return ", ".join(runs)


# --------------------------------------------------------------------------- Figure 3
@traced("figure")
def fdi_by_sector(ds) -> FigureResult:
    """Draw Chinese FDI in Kazakhstan by sector and year, as stacked bars."""
    # Load
    fdi = ds.table("fdi_by_sector")
    sectors = ds.table("fdi_sectors").sort_values("display_order")

    # Shape
    data = fdi.merge(sectors[["sector", "label", "display_order"]], on="sector", how="left")
    data = data.sort_values(["year", "display_order"])[["year", "sector", "label",
                                                        "position_usd_mn"]]  # fmt: skip
    years = sorted(data["year"].unique())

    # Draw
    note = (f"Source: {NBK} (printed \u201cNBR\u201d), as printed in {ds.report_citation}, Figure 3. "
            "Position at the end of each year.")  # fmt: skip
    with style.house_style():
        fig = style.new_figure(3.6, note)
        ax = fig.add_subplot()
        bottom = pd.Series(0.0, index=years)
        for colour, s in zip(style.PALETTE, sectors.itertuples()):
            values = data[data["sector"] == s.sector].set_index("year")["position_usd_mn"]
            values = values.reindex(years)
            label = "\n".join(textwrap.wrap(s.label, 34))
            ax.bar([str(y) for y in years], values.values, bottom=bottom.values, color=colour,
                   label=label, width=0.65, edgecolor="white", linewidth=0.4)  # fmt: skip
            bottom += values.fillna(0).values
        for x, total in zip([str(y) for y in years], bottom.values):
            ax.text(
                x, total + 60, f"{total:,.0f}", ha="center", va="bottom", fontsize=style.SMALL_SIZE
            )
        ax.set_ylabel("USD million")
        ax.set_ylim(0, bottom.max() * 1.1)
        style.format_axis_thousands(ax.yaxis)
        handles, labels = ax.get_legend_handles_labels()
        ax.legend(handles[::-1], labels[::-1], loc="upper left", bbox_to_anchor=(1.01, 1.0),
                  fontsize=style.SMALL_SIZE, labelspacing=0.6)  # fmt: skip
    return _result(fig, data.rename(columns={"label": "sector_label"}), note)


# --------------------------------------------------------------------------- Figure 4
_FLOW_LABEL = {"exports": "Exports to China", "imports": "Imports from China",
               "turnover": "Turnover with China"}  # fmt: skip


@traced("figure")
def trade_with_china(ds) -> FigureResult:
    """Draw Kazakhstan's trade with China: turnover in USD billion and growth by flow."""
    # Load
    trade = ds.table("trade_with_china")

    # Shape: levels printed (and the base-year turnover they imply), growth rates printed.
    rows = []
    for r in trade.itertuples():
        if r.partner == "china" and pd.notna(r.value_usd_bn):
            rows.append({"panel": "level", "year": int(r.year), "flow": r.flow, "partner": "china",
                         "value": float(r.value_usd_bn), "unit": "USD billion",
                         "status": "published"})  # fmt: skip
            if pd.notna(r.growth_pct):
                base = formulas.base_from_growth(r.value_usd_bn, r.growth_pct)
                rows.append({"panel": "level", "year": int(r.base_year), "flow": r.flow,
                             "partner": "china", "value": base, "unit": "USD billion",
                             "status": "derived"})  # fmt: skip
    latest = int(trade["year"].max())
    for r in trade[trade["year"] == latest].itertuples():
        if pd.notna(r.growth_pct):
            rows.append({"panel": "growth", "year": int(r.year), "flow": r.flow,
                         "partner": r.partner, "value": float(r.growth_pct),
                         "unit": f"percent, {int(r.year)} over {int(r.base_year)}",
                         "status": "published"})  # fmt: skip
    data = pd.DataFrame(rows).sort_values(["panel", "flow", "partner", "year"], kind="stable")
    levels = data[data["panel"] == "level"]
    base_year = int(trade.loc[trade["year"] == latest, "base_year"].min())
    years = list(range(min(base_year, int(levels["year"].min())), latest + 1))
    missing_years = [y for y in years if y not in set(levels["year"])]
    flows_without_level = [f for f in ("exports", "imports") if f not in set(levels["flow"])]

    # Draw
    note = (
        f"Source: Eurasian Economic Commission (EEC), as printed in {ds.report_citation}, Section II. "
        f"The report prints no values for {_years_text(missing_years)}"
        + (f" and no levels of {' or '.join(flows_without_level)}" if flows_without_level else "")
        + f"; those are not shown. Hollow marker: {base_year} turnover derived from the {latest} "
        "value and the printed growth rate."
    )
    with style.house_style():
        fig = style.new_figure(3.0, note)
        ax_lvl, ax_gr = fig.subplots(1, 2, width_ratios=[1.2, 1])
        for flow, colour in (("turnover", style.PALETTE[0]), ("exports", style.PALETTE[1]),
                             ("imports", style.PALETTE[2])):  # fmt: skip
            part = levels[levels["flow"] == flow]
            for r in part.itertuples():
                derived = r.status == "derived"
                ax_lvl.plot([r.year], [r.value], marker="o", markersize=8, linestyle="none",
                            color=colour, markerfacecolor="white" if derived else colour,
                            markeredgewidth=1.8)  # fmt: skip
                ax_lvl.annotate(f"{r.value:.1f}", (r.year, r.value), textcoords="offset points",
                                xytext=(0, 8), ha="center", fontsize=style.LABEL_SIZE)  # fmt: skip
            if len(part):
                ax_lvl.plot([], [], marker="o", linestyle="none", color=colour,
                            label=_FLOW_LABEL[flow])  # fmt: skip
        for y in missing_years:
            ax_lvl.text(y, 1.0, "not\nprinted", ha="center", va="bottom", fontsize=style.SMALL_SIZE,
                        color=style.MUTED)  # fmt: skip
        ax_lvl.set_xticks(years)
        ax_lvl.set_xlim(years[0] - 0.5, years[-1] + 0.5)
        ax_lvl.set_ylim(0, levels["value"].max() * 1.25)
        ax_lvl.set_ylabel("USD billion")
        ax_lvl.set_title("Trade turnover with China")
        ax_lvl.legend(loc="upper left", fontsize=style.SMALL_SIZE)

        growth = data[data["panel"] == "growth"].copy()
        growth["label"] = [
            _FLOW_LABEL[f] if p == "china" else "Kazakhstan's total turnover"
            for f, p in zip(growth["flow"], growth["partner"])
        ]
        order = ["exports", "imports", "turnover"]
        growth["key"] = [(p != "china", order.index(f)) for f, p in zip(growth["flow"],
                                                                        growth["partner"])]  # fmt: skip
        growth = growth.sort_values("key", kind="stable")
        colours = [style.PALETTE[{"turnover": 0, "exports": 1, "imports": 2}[f]] if p == "china"
                   else "#999999" for f, p in zip(growth["flow"], growth["partner"])]  # fmt: skip
        ypos = list(range(len(growth)))[::-1]
        ax_gr.barh(ypos, growth["value"], color=colours, height=0.6)
        for y, v in zip(ypos, growth["value"]):
            ax_gr.text(v + 1.5, y, f"{v:.2f}%", va="center", fontsize=style.LABEL_SIZE)
        ax_gr.set_yticks(ypos, ["\n".join(textwrap.wrap(t, 16)) for t in growth["label"]],
                         fontsize=style.LABEL_SIZE)  # fmt: skip
        ax_gr.set_xlim(0, growth["value"].max() * 1.3)
        ax_gr.grid(axis="y", visible=False)
        ax_gr.grid(axis="x", visible=True)
        ax_gr.set_xlabel(f"Growth, {latest} over {base_year}, %")
        ax_gr.set_title(f"Growth since {base_year}")
    return _result(fig, data.drop(columns=[c for c in ("key",) if c in data]), note)


# --------------------------------------------------------------------------- Figure 5
_INDICATOR_LABEL = {
    "index": "China Perception Index",
    "indicator_1": "1. General perception",
    "indicator_2": "2. Centre of influence",
    "indicator_3": "3. Investor",
    "indicator_4": "4. Culture and education",
}


@traced("figure")
def perception_index(ds) -> FigureResult:
    """Draw the China Perception Index and its indicators, nationally and by region."""
    # Load
    pi = ds.table("perception_index")
    regions = ds.table("regions").set_index("region")["name"].to_dict()

    # Shape
    data = pi[["measurement", "region", "indicator", "value"]].copy()
    data["region_name"] = data["region"].map(regions)
    data["indicator_label"] = data["indicator"].map(_INDICATOR_LABEL)
    data = data.sort_values(["region", "indicator", "measurement"], kind="stable")
    national = data[data["region"] == "kazakhstan"]
    regional = data[(data["region"] != "kazakhstan") & (data["indicator"] == "index")]
    # The download holds exactly the plotted points (regional indicators are not drawn).
    data = pd.concat([national, regional])
    measurements = sorted(data["measurement"].unique())
    colours = {m: style.PALETTE[i] for i, m in enumerate(measurements)}
    markers = {m: mk for m, mk in zip(measurements, ("s", "o", "D"))}

    # Draw
    note = (
        f"Source: TALAP surveys ({' and '.join(str(m) for m in measurements)} measurements), as "
        f"printed in {ds.report_citation}, Section "
        "IV. The index runs from \u22121 (very negative) to +1 (very positive); the axes show the part "
        "from \u22120.5 to +0.5 that holds every value. The report prints the four "
        "indicators only for the latest measurement, and regional values only for the regions "
        "named in its text; other regions are not shown."
    )
    with style.house_style():
        fig = style.new_figure(3.6, note)
        ax_nat, ax_reg = fig.subplots(1, 2, width_ratios=[1, 1.1])
        for ax, frame, key in ((ax_nat, national, "indicator"), (ax_reg, regional, "region")):
            if key == "indicator":
                cats = [k for k in _INDICATOR_LABEL if k in set(frame["indicator"])]
                labels = [_INDICATOR_LABEL[k] for k in cats]
            else:
                latest = frame[frame["measurement"] == measurements[-1]]
                cats = list(latest.sort_values("value", kind="stable")["region"])
                cats += [r for r in frame["region"].unique() if r not in cats]
                labels = [regions[c].replace(" region", "") for c in cats]
            ypos = {c: i for i, c in enumerate(cats[::-1] if key == "indicator" else cats)}
            ax.axvline(0, color=style.MUTED, linewidth=0.8)
            # Labels sit beside their marker on its own row: the lower value of a row to the
            # left, the higher to the right, so no label meets another row's or point's label.
            row_min = frame.groupby(key)["value"].min()
            row_n = frame.groupby(key)["value"].size()
            for m in measurements:
                part = frame[frame["measurement"] == m]
                ax.plot(part["value"], [ypos[c] for c in part[key]], marker=markers[m],
                        linestyle="none", color=colours[m], markersize=6.5,
                        label=f"{m} measurement")  # fmt: skip
                for v, c in zip(part["value"], part[key]):
                    left = row_n[c] > 1 and v == row_min[c]
                    ax.annotate(f"{v:+.2f}".replace("-", "\u2212"), (v, ypos[c]),
                                textcoords="offset points", xytext=(-6 if left else 6, 0),
                                ha="right" if left else "left", va="center",
                                fontsize=style.SMALL_SIZE, color=colours[m])  # fmt: skip
            ax.set_yticks(list(ypos.values()), [labels[cats.index(c)] for c in ypos],
                          fontsize=style.LABEL_SIZE)  # fmt: skip
            ax.set_xlim(-0.5, 0.55)
            ax.grid(axis="y", visible=False)
            ax.grid(axis="x", visible=True)
            ax.set_ylim(-0.7, len(cats) - 0.3)
        ax_nat.set_title("Kazakhstan: index and indicators")
        ax_reg.set_title("Index by region")
        # Above both panels: inside either it would sit on a point or a label.
        handles, labels = ax_nat.get_legend_handles_labels()
        fig.legend(
            handles,
            labels,
            loc="outside upper center",
            ncol=len(measurements),
            fontsize=style.SMALL_SIZE,
        )
        ax_reg.set_xlabel("Index value")
        ax_nat.set_xlabel("Index value")
    return _result(fig, data, note)


ALL = [foreign_policy_bodies, investment_position, fdi_by_sector, trade_with_china,
       perception_index]  # fmt: skip
