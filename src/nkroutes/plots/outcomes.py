"""Figure 2: the distribution over replicates of each key outcome, scenarios side by side."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import PercentFormatter, StrMethodFormatter

from nkroutes.ensemble.results import Results
from nkroutes.model.outputs import output
from nkroutes.observed import other_target
from nkroutes.plots.style import (
    HATCHES,
    OBSERVED_COLOUR,
    add_source_line,
    count_axis,
    new_figure,
    plot_style,
    scenario_title,
    series_style,
    short_name,
)
from nkroutes.plots.tables import MissingDataError, as_scenarios, spread_offsets

#: File name stem of this figure in ``plots/``.
NAME = "outcomes"
#: Outcomes drawn (``summary.csv`` columns; titles and units from ``nkroutes.model.outputs``).
OUTCOMES: tuple[str, ...] = (
    "arrivals",
    "repatriated",
    "died",
    "median_months_in_china_at_arrival",
    "median_cost_per_arrival_usd",
    "share_in_china_two_years_end",
)
#: Fewer replicates than this: points and a median bar only, no box.
MIN_FOR_BOX = 5


def _period(results: Results) -> str:
    years = results.yearly["year"] if "year" in results.yearly.columns else None
    if years is not None and len(years):
        return f"{int(years.min())}-{int(years.max())}"
    time = results.scenario.get("time", {})
    if time.get("start") and time.get("end"):
        return f"{str(time['start'])[:4]}-{str(time['end'])[:4]}"
    return "whole run"


def _draw_distribution(ax: Axes, k: int, values: np.ndarray) -> None:
    """One scenario's values at x = k: a box (enough replicates) and every replicate as a point."""
    style = series_style(k)
    if len(values) >= MIN_FOR_BOX:
        box = ax.boxplot(
            [values],
            positions=[k],
            widths=0.55,
            patch_artist=True,
            showfliers=False,
            medianprops={"color": OBSERVED_COLOUR, "linewidth": 2.0},
            whiskerprops={"color": "#444444"},
            capprops={"color": "#444444"},
        )
        for patch in box["boxes"]:
            patch.set_facecolor(style["color"])
            patch.set_alpha(0.35)
            patch.set_edgecolor("#444444")
            patch.set_hatch(HATCHES[k % len(HATCHES)] or None)
    else:
        median = float(np.median(values))
        ax.plot([k - 0.25, k + 0.25], [median, median], color=OBSERVED_COLOUR, linewidth=2.0)
    ax.plot(
        k + spread_offsets(len(values), 0.4),
        values,
        linestyle="none",
        marker=style["marker"],
        markersize=4.5,
        markerfacecolor=style["color"],
        markeredgecolor="#222222",
        markeredgewidth=0.5,
        alpha=0.85,
        zorder=4,
    )


def outcome_distributions(results: Results | Mapping[str, Results]) -> Figure:
    """Each key outcome's distribution over replicates, one box with points per scenario.

    Panels: arrivals, repatriations and deaths over the run, median months in China and
    median cost per arrival, and the share of those in China at the end of the run who had
    been there two years or more (with the article's 83%, a survey of people in China).
    With fewer than :data:`MIN_FOR_BOX` replicates only points and the median are drawn.

    Args:
        results: One scenario's results, or several by name.

    Returns:
        The figure (10 x 7.5 in).

    Raises:
        MissingDataError: If no ``summary`` table has any of the outcomes.
    """
    scenarios = as_scenarios(results)
    available = [
        o
        for o in OUTCOMES
        if any(o in r.summary.columns and r.summary[o].notna().any() for r in scenarios.values())
    ]
    if not available:
        where = ", ".join(
            str(r.directory / "summary.csv") if r.directory else f"{n}: summary"
            for n, r in scenarios.items()
        )
        if all(r.summary.empty for r in scenarios.values()):
            raise MissingDataError(f"{where}: not found, or holds no rows")
        raise MissingDataError(f"{where}: none of the outcomes {', '.join(OUTCOMES)}")
    first = next(iter(scenarios.values()))
    period = _period(first)
    names = list(scenarios)
    shown = [short_name(n) for n in names]  # the title has them whole
    target = other_target("stayed_two_years_share")
    with plot_style():
        fig = new_figure(7.5)
        n_cols = 3
        n_rows = -(-len(available) // n_cols)
        axes = np.atleast_1d(fig.subplots(n_rows, n_cols, squeeze=False)).ravel()
        for ax, column in zip(axes, available, strict=False):
            for k, r in enumerate(scenarios.values()):
                if column in r.summary.columns:
                    values = r.summary[column].dropna().to_numpy(dtype=float)
                    if len(values):
                        _draw_distribution(ax, k, values)
            registered = output(column)
            ax.set_title(registered.label)
            ax.set_ylabel(registered.axis_label(period=period))
            ax.set_xticks(range(len(names)), shown, rotation=20 if len(names) > 2 else 0)
            ax.set_xlim(-0.6, len(names) - 0.4)
            ax.grid(axis="x", visible=False)
            if column.startswith("share"):
                # decimals chosen from the axis range: no repeated labels on a narrow one
                ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=None))
                ax.axhline(
                    float(target["value"]),
                    color=OBSERVED_COLOUR,
                    linestyle="--",
                    linewidth=1.3,
                    label=f"article: {target['value']:.0%}",
                )
                ax.legend(loc="best")
            else:
                # people, months and US$ are labelled whole ({x:,.0f}): ticks at whole
                # numbers, or a narrow axis repeats its labels (months 61, 61, 62)
                count_axis(ax)
                ax.yaxis.set_major_formatter(StrMethodFormatter("{x:,.0f}"))
        for ax in axes[len(available) :]:
            ax.set_visible(False)
        boxed = any(r.n_replicates >= MIN_FOR_BOX for r in scenarios.values())
        key = "Dots: one replicate each; thick line: median of replicates"
        if boxed:
            key += "; box: middle 50%; whiskers reach the furthest replicate within 1.5 box lengths"
        fig.suptitle(scenario_title("Outcomes over replicates", scenarios))
        add_source_line(
            fig,
            f"{key}. Observed (dashed line): {target['source']}.",
        )
    return fig
