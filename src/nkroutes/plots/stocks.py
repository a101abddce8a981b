"""Figure 6: migrants hiding in China, repatriations and deaths per year, with bands."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator, StrMethodFormatter

from nkroutes.analysis.bands import yearly_bands
from nkroutes.ensemble.results import Results
from nkroutes.model.outputs import output
from nkroutes.observed import other_target
from nkroutes.plots.bands import band_legend_handles, draw_bands
from nkroutes.plots.style import (
    OBSERVED_COLOUR,
    add_source_line,
    count_axis,
    new_figure,
    plot_style,
    scenario_title,
    series_style,
    short_name,
)
from nkroutes.plots.tables import as_scenarios, require_columns

#: File name stem of this figure in ``plots/``.
NAME = "stocks_and_flows"
#: Panels: ``yearly.csv`` columns (titles and units from ``nkroutes.model.outputs``).
PANELS: tuple[str, ...] = ("in_china", "repatriated", "died")
#: ``gid`` of the observed marks, so tests can find them.
OBSERVED_IN_CHINA_GID = "observed_in_china"
OBSERVED_REPATRIATED_GID = "observed_repatriated"


def _mark_in_china_range(ax: Axes, target: pd.Series) -> str:
    """Shade the article's range of North Koreans in China (undated) across the panel.

    The axis keeps the model's scale, so the range's top (300,000) is usually off the axis.
    """
    low, high = float(target["low"]), float(target["high"])
    top = max(ax.get_ylim()[1], low * 1.3)
    ax.set_ylim(0, top)
    ax.axhspan(
        low,
        high,
        facecolor="#f2f2f2",
        edgecolor="#bbbbbb",
        hatch="//",
        linewidth=0,
        gid=OBSERVED_IN_CHINA_GID,
        zorder=0,
    )
    ax.axhline(low, color=OBSERVED_COLOUR, linestyle=(0, (2, 2)), linewidth=1.2, zorder=1)
    ax.annotate(
        f"observed (MPI 2008, undated): {low:,.0f} to {high:,.0f}, above this line",
        xy=(0.01, low),
        xycoords=("axes fraction", "data"),
        xytext=(0, 4),
        textcoords="offset points",
        fontsize=9,
        ha="left",
        va="bottom",
        bbox={"boxstyle": "round,pad=0.2", "facecolor": "white", "edgecolor": "none"},
    )
    return f"in China: {target['source']}"


def _mark_repatriated(ax: Axes, target: pd.Series) -> str:
    """Mark "at least 6,000 repatriated by China in 2000" as a point with an upward arrow."""
    year, low = int(target["year"]), float(target["low"])
    ax.plot(
        [year],
        [low],
        linestyle="none",
        marker="D",
        markersize=6,
        markerfacecolor="white",
        markeredgecolor=OBSERVED_COLOUR,
        markeredgewidth=1.6,
        label=f"observed: at least {low:,.0f} in {year} (MPI 2008)",
        gid=OBSERVED_REPATRIATED_GID,
        zorder=6,
    )
    ax.annotate(
        "",
        xy=(year, low),
        xytext=(0, 30),
        textcoords="offset points",
        arrowprops={"arrowstyle": "<|-", "color": OBSERVED_COLOUR, "linewidth": 1.4},
        zorder=6,
    )
    ax.annotate(
        "at least",
        xy=(year, low),
        xytext=(6, 12),
        textcoords="offset points",
        fontsize=9,
        ha="left",
    )
    return f"repatriated: {target['source']}"


def stocks_and_flows(results: Results | Mapping[str, Results]) -> Figure:
    """North Koreans in China at year end, repatriations and deaths per year, with bands.

    Each scenario is drawn as the median over replicates with 50% and 90% bands; the article's
    estimates are marked: 30,000-300,000 in China (undated) and at least 6,000 repatriated by
    China in 2000.

    Args:
        results: One scenario's results, or several by name.

    Returns:
        The figure (10 x 9 in).

    Raises:
        MissingDataError: If a ``yearly`` table lacks ``in_china``, ``repatriated`` or ``died``.
    """
    scenarios = as_scenarios(results)
    for r in scenarios.values():
        require_columns(r, "yearly", ["year", *PANELS])
    several = len(scenarios) > 1
    sources = []
    with plot_style():
        fig = new_figure(9.0)
        axes = fig.subplots(len(PANELS), 1, sharex=True)
        for ax, column in zip(axes, PANELS, strict=True):
            for k, (name, r) in enumerate(scenarios.items()):
                label = f"{short_name(name)}: median" if several else "model: median of replicates"
                draw_bands(ax, yearly_bands(r.yearly, column), series_style(k), label, k=k)
            registered = output(column)
            ax.set_title(registered.label)
            ax.set_ylabel(registered.axis_label(per_year=True))
            ax.set_ylim(bottom=0)
            ax.yaxis.set_major_formatter(StrMethodFormatter("{x:,.0f}"))
        in_china, repatriated = axes[0], axes[1]
        sources.append(_mark_in_china_range(in_china, other_target("in_china")))
        sources.append(_mark_repatriated(repatriated, other_target("repatriated_by_china_2000")))
        for ax in axes:
            count_axis(ax)  # people: no 0, 0, 1, 1 on a short run's axis
            handles, _ = ax.get_legend_handles_labels()
            if ax is axes[0]:
                handles = handles + band_legend_handles()
            ax.legend(handles=handles, loc="best", ncols=3)
        axes[-1].set_xlabel("year")
        axes[-1].xaxis.set_major_locator(MaxNLocator(integer=True))
        axes[-1].xaxis.set_major_formatter(StrMethodFormatter("{x:.0f}"))
        fig.suptitle(scenario_title("Migrants in China, repatriations and deaths", scenarios))
        add_source_line(fig, "Observed: " + "; ".join(sources) + ".")
    return fig
