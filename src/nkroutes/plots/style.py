"""The look shared by every figure: size, fonts, a colour-blind-safe palette, titles, source lines.

Figures are built on :class:`matplotlib.figure.Figure` with the Agg canvas (no pyplot, no
screen, no global state). Colours come from the Okabe-Ito palette, and every series also gets
its own line style, marker or hatch so the figures still read when printed in grey.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import matplotlib as mpl
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from nkroutes.ensemble.folders import atomic_path
from nkroutes.ensemble.results import Results

#: Okabe & Ito (2008) colour-blind-safe palette, in the order series use it.
OKABE_ITO: tuple[str, ...] = (
    "#0072B2",  # blue
    "#D55E00",  # vermillion
    "#009E73",  # bluish green
    "#CC79A7",  # reddish purple
    "#E69F00",  # orange
    "#56B4E9",  # sky blue
    "#F0E442",  # yellow
    "#000000",  # black
)
#: Line styles, markers and hatches paired with :data:`OKABE_ITO` (series k uses entry k).
LINE_STYLES: tuple[str | tuple[int, tuple[int, ...]], ...] = (
    "-",
    "--",
    "-.",
    ":",
    (0, (5, 1, 1, 1, 1, 1)),
    (0, (1, 3)),
    (0, (8, 3)),
    (0, (3, 1, 3, 3)),
)
MARKERS: tuple[str, ...] = ("o", "s", "^", "D", "v", "P", "X", "h")
HATCHES: tuple[str, ...] = ("", "//", "\\\\", "xx", "..", "++", "--", "oo")
#: Colour of observed data (drawn in black, with its own marker, on top of model series).
OBSERVED_COLOUR = "#000000"

#: Resolution of raster figures, dots per inch; 10 inches wide makes 1600 pixels.
DPI = 160
WIDTH_IN = 10.0

_RC = {
    "font.size": 10,
    "axes.titlesize": 11,
    "axes.labelsize": 10,
    "xtick.labelsize": 9,
    "ytick.labelsize": 9,
    "legend.fontsize": 9,
    "figure.titlesize": 13,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.color": "#dddddd",
    "grid.linewidth": 0.6,
    "hatch.linewidth": 0.8,
    "svg.fonttype": "none",
    "pdf.fonttype": 42,
    "svg.hashsalt": "nkroutes",
}

#: Metadata that would change from one save to the next; left out so files are reproducible.
_NO_DATES = {"png": {"Software": None}, "svg": {"Date": None}, "pdf": {"CreationDate": None}}

#: Font size of source lines, points.
SOURCE_FONT_SIZE = 7.5


def series_style(k: int) -> dict[str, object]:
    """Colour, line style and marker of the k-th series (cycled)."""
    return {
        "color": OKABE_ITO[k % len(OKABE_ITO)],
        "linestyle": LINE_STYLES[k % len(LINE_STYLES)],
        "marker": MARKERS[k % len(MARKERS)],
    }


@contextmanager
def plot_style() -> Iterator[None]:
    """Apply the shared fonts and grid while a figure is being built (restored afterwards)."""
    with mpl.rc_context(_RC):
        yield


def new_figure(height_in: float) -> Figure:
    """An empty figure, 1600 pixels wide at :data:`DPI`, with constrained layout.

    Args:
        height_in: Height in inches (times :data:`DPI` gives pixels).
    """
    fig = Figure(figsize=(WIDTH_IN, height_in), dpi=DPI)
    FigureCanvasAgg(fig)
    fig.set_layout_engine("constrained")
    return fig


#: Longest scenario name a tick or axis label shows whole (longer ones end in an ellipsis):
#: a label as wide as its panel collapses the layout; figure titles give names whole.
LABEL_NAME_CHARS = 24


def count_axis(ax: Axes) -> None:
    """Whole-number y ticks for an axis labelled in whole numbers (people, months, US$).

    Matplotlib's default locator ticks an axis from 0 to 1 at 0, 0.2, ..., 1.0, which a
    ``{x:,.0f}`` label writes 0, 0, 0, 1, 1, 1 (a one-month run's deaths). This is that
    locator (``MaxNLocator`` with its steps) with ``integer=True``, and ``min_n_ticks=1``:
    whole numbers even on an axis spanning fewer than two of them. An axis from 0 whose data
    stay below 1 (no one, or a median of half a person) is drawn up to 1, so it has a tick
    at 0 and at 1. Call it once everything on the axis is drawn.

    Args:
        ax: The axes whose y axis counts.
    """
    ax.yaxis.set_major_locator(
        MaxNLocator(nbins="auto", steps=[1, 2, 2.5, 5, 10], integer=True, min_n_ticks=1)
    )
    low, high = ax.get_ylim()
    if low >= 0 and high < 1:
        ax.set_ylim(low, 1)


def short_name(name: str) -> str:
    """A scenario's name for a tick or axis label: whole, or cut to fit with an ellipsis."""
    return name if len(name) <= LABEL_NAME_CHARS else f"{name[: LABEL_NAME_CHARS - 1]}…"


def scenario_title(what: str, scenarios: Mapping[str, Results], width: int = 80) -> str:
    """A figure title naming what is shown, the scenario(s) and the number of replicates.

    Example: ``"Arrivals per year: baseline (20 replicates)"``. Long titles are wrapped onto
    a second line at ``width`` characters.
    """
    counts = {name: r.n_replicates for name, r in scenarios.items()}
    if len(set(counts.values())) <= 1:
        n = next(iter(counts.values()), 0)
        names = ", ".join(counts)
        each = " each" if len(counts) > 1 else ""
        title = f"{what}: {names} ({n} replicate{'s' if n != 1 else ''}{each})"
    else:
        parts = ", ".join(f"{name} ({n})" for name, n in counts.items())
        title = f"{what}: {parts} replicates"
    return textwrap.fill(title, width=width)


def add_source_line(fig: Figure, text: str) -> None:
    """Write a small source line across the bottom of the figure, wrapped to its width.

    It is the figure's ``supxlabel``, so the constrained layout keeps the axes above it.
    """
    width_chars = int(fig.get_figwidth() * 18)
    wrapped = textwrap.fill(text, width=width_chars)
    fig.supxlabel(
        wrapped,
        x=0.01,
        ha="left",
        multialignment="left",
        fontsize=SOURCE_FONT_SIZE,
        color="#333333",
    )


def save_figure(fig: Figure, path: Path, fmt: str) -> Path:
    """Write a figure to ``path`` without leaving a half-written file if writing fails.

    Args:
        fig: The figure.
        path: Target file (its suffix should match ``fmt``).
        fmt: ``"png"``, ``"svg"`` or ``"pdf"``.

    Returns:
        ``path``.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(path) as tmp, plot_style():
        fig.savefig(tmp, format=fmt, dpi=DPI, metadata=_NO_DATES.get(fmt))
    return path
