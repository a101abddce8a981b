"""Drawing a yearly series over replicates: the median line with 50% and 90% bands."""

from __future__ import annotations

import pandas as pd
from matplotlib.axes import Axes
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from nkroutes.plots.style import HATCHES


def draw_bands(
    ax: Axes,
    bands: pd.DataFrame,
    style: dict[str, object],
    label: str,
    k: int = 0,
    outer: bool = True,
) -> Line2D:
    """Draw one series: median line (with markers) over a 50% band and, optionally, a 90% band.

    Args:
        ax: Where to draw.
        bands: Output of :func:`nkroutes.analysis.bands.yearly_bands`.
        style: ``color``, ``linestyle`` and ``marker`` of the series.
        label: Legend label of the median line.
        k: Series number (picks the band hatch so bands differ in grey print too).
        outer: Also draw the 90% band.

    Returns:
        The median line.
    """
    colour = style["color"]
    hatch = HATCHES[k % len(HATCHES)] or None
    if outer:
        ax.fill_between(
            bands["year"], bands["q05"], bands["q95"], color=colour, alpha=0.12, linewidth=0
        )
    ax.fill_between(
        bands["year"],
        bands["q25"],
        bands["q75"],
        facecolor=colour,
        alpha=0.28,
        edgecolor=colour,
        hatch=hatch,
        linewidth=0,
    )
    (line,) = ax.plot(
        bands["year"],
        bands["median"],
        color=colour,
        linestyle=style["linestyle"],
        marker=style["marker"],
        markersize=4,
        linewidth=1.8,
        label=label,
    )
    return line


def band_legend_handles(colour: str = "#555555") -> list[Patch]:
    """Legend entries explaining the two band widths."""
    return [
        Patch(facecolor=colour, alpha=0.28 + 0.12, label="50% of replicates"),
        Patch(facecolor=colour, alpha=0.12, label="90% of replicates"),
    ]
