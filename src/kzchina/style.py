"""House style for every figure: palette, fonts, sizes, source note, deterministic output.

matplotlib is imported inside functions so that chapters without figures never pay for it.
"""

from __future__ import annotations

import contextlib
import textwrap
from collections.abc import Iterator

# Okabe & Ito (2008), "Color Universal Design": distinguishable with every common form of
# colour-vision deficiency, and still distinct in greyscale print for the first four.
OKABE_ITO = {
    "blue": "#0072B2",
    "orange": "#E69F00",
    "green": "#009E73",
    "vermillion": "#D55E00",
    "sky": "#56B4E9",
    "purple": "#CC79A7",
    "yellow": "#F0E442",
    "black": "#000000",
}
# Order in which series take colours.
PALETTE = [
    OKABE_ITO[k] for k in ("blue", "orange", "green", "vermillion", "sky", "purple", "yellow")
]
PALETTE.append("#999999")  # a neutral grey for "other"
INK = "#222222"
GRID = "#DDDDDD"
MUTED = "#666666"

FONT_FAMILY = "DejaVu Sans"  # ships with matplotlib: same glyphs on every machine
# Sizes in points at the figure's own width (7 in): shown about 6.1 in wide in the PDF, the
# smallest text is still 7 pt there; on a phone the chart opens full size on a tap.
BASE_SIZE = 9.5
MIN_TEXT_PT = 8.0  # nothing in a figure is set smaller (tests check every text artist)
SMALL_SIZE = MIN_TEXT_PT  # labels inside diagrams, value labels, legends of busy charts
LABEL_SIZE = 8.5  # value labels and tick labels where space is tight
NOTE_SIZE = MIN_TEXT_PT
WIDTH_IN = 7.0  # fits the text block of the HTML page and of the A4 PDF
DPI = 150  # PNG resolution; SVG is resolution-free
NOTE_WRAP = 104  # characters per source-note line at NOTE_SIZE across WIDTH_IN

HOUSE_RC = {
    "font.family": "sans-serif",
    "font.sans-serif": [FONT_FAMILY],
    "font.size": BASE_SIZE,
    "axes.titlesize": BASE_SIZE + 1,
    "axes.titleweight": "bold",
    "axes.titlelocation": "left",
    "axes.labelsize": BASE_SIZE,
    "axes.edgecolor": MUTED,
    "axes.labelcolor": INK,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "axes.grid.axis": "y",
    "axes.axisbelow": True,
    "grid.color": GRID,
    "grid.linewidth": 0.6,
    "xtick.color": MUTED,
    "ytick.color": MUTED,
    "xtick.labelcolor": INK,
    "ytick.labelcolor": INK,
    "legend.frameon": False,
    "legend.fontsize": BASE_SIZE - 0.5,
    "lines.linewidth": 2.0,
    "lines.markersize": 6.0,
    "text.color": INK,
    "figure.facecolor": "white",
    "savefig.facecolor": "white",
    # Byte-for-byte reproducible output: fixed ids in SVG, glyphs as paths (no font lookup
    # by the viewer), no timestamps (set per save, see FigureResult).
    "svg.hashsalt": "kzchina-2022",
    "svg.fonttype": "path",
    "path.simplify": True,
}


@contextlib.contextmanager
def house_style() -> Iterator[None]:
    """Apply the house rcParams for drawing and saving, restoring the caller's afterwards."""
    import matplotlib

    with matplotlib.rc_context(HOUSE_RC):
        yield


def wrap_note(note: str) -> str:
    """Wrap a source note to the figure width."""
    return "\n".join(textwrap.wrap(note, NOTE_WRAP))


def new_figure(height_in: float, source_note: str, width_in: float = WIDTH_IN):
    """Create a Figure (no pyplot) with room at the bottom for the wrapped source note."""
    from matplotlib.figure import Figure

    note = wrap_note(source_note)
    n_lines = note.count("\n") + 1
    note_h_in = 0.12 + n_lines * NOTE_SIZE * 1.35 / 72
    fig = Figure(figsize=(width_in, height_in + note_h_in), dpi=DPI, layout="constrained")
    bottom = note_h_in / (height_in + note_h_in)
    fig.get_layout_engine().set(rect=(0.0, bottom, 1.0, 1.0 - bottom))
    fig.text(
        0.01,
        0.06 / (height_in + note_h_in),
        note,
        ha="left",
        va="bottom",
        fontsize=NOTE_SIZE,
        color=MUTED,
        linespacing=1.35,
    )
    return fig


def format_axis_thousands(axis) -> None:
    """Show tick labels with thousands separators."""
    from matplotlib.ticker import FuncFormatter

    axis.set_major_formatter(FuncFormatter(lambda v, _pos: f"{v:,.0f}"))
