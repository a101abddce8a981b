"""Figure 1: arrivals per year in South Korea (with the article's Table 1) and elsewhere."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator, StrMethodFormatter

from nkroutes.analysis.bands import yearly_bands
from nkroutes.ensemble.results import Results
from nkroutes.observed import south_korea_arrivals
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
from nkroutes.plots.tables import as_scenarios, display_name, require_columns

#: File name stem of this figure in ``plots/``.
NAME = "arrivals"
#: The destination Table 1 counts.
SOUTH_KOREA = "south_korea"
#: ``gid`` of the observed points, so callers and tests can find them on the figure.
OBSERVED_GID = "observed_south_korea_arrivals"


def _other_destinations(results: Results) -> list[str]:
    prefix = "arrivals_"
    return [
        c[len(prefix) :]
        for c in results.yearly.columns
        if c.startswith(prefix) and c != f"{prefix}{SOUTH_KOREA}"
    ]


def arrivals_over_time(
    results: Results | Mapping[str, Results], observed: pd.DataFrame | None = None
) -> Figure:
    """Arrivals per year: South Korea against Table 1 (top), other destinations (bottom).

    Each scenario is drawn as the median over replicates with 50% and 90% bands. With one
    scenario the bottom panel has a line per other destination; with several, one line per
    scenario for all other destinations together.

    Args:
        results: One scenario's results, or several by name.
        observed: Observed arrivals in South Korea (``year``, ``arrivals``); defaults to
            MPI (2008) Table 1 from :func:`nkroutes.observed.south_korea_arrivals`.

    Returns:
        The figure (10 x 7.5 in). The observed points are the line with ``gid``
        :data:`OBSERVED_GID`.

    Raises:
        MissingDataError: If a ``yearly`` table lacks ``arrivals_south_korea``.
    """
    scenarios = as_scenarios(results)
    for r in scenarios.values():
        require_columns(r, "yearly", ["year", f"arrivals_{SOUTH_KOREA}"])
    if observed is None:
        observed = south_korea_arrivals()
    several = len(scenarios) > 1
    with plot_style():
        fig = new_figure(7.5)
        top, bottom = fig.subplots(2, 1, sharex=True, height_ratios=(3, 2))
        for k, (name, r) in enumerate(scenarios.items()):
            label = f"{short_name(name)}: median" if several else "model: median of replicates"
            bands = yearly_bands(r.yearly, f"arrivals_{SOUTH_KOREA}")
            draw_bands(top, bands, series_style(k), label, k=k)
        top.plot(
            observed["year"],
            observed["arrivals"],
            linestyle="none",
            marker="D",
            markersize=6,
            markerfacecolor="white",
            markeredgecolor=OBSERVED_COLOUR,
            markeredgewidth=1.6,
            label="observed: MPI 2008, Table 1",
            gid=OBSERVED_GID,
            zorder=5,
        )
        top.set_title("Arrivals in South Korea")
        top.set_ylabel("arrivals (people per year)")
        top.set_ylim(bottom=0)
        handles, _labels = top.get_legend_handles_labels()
        top.legend(handles=handles + band_legend_handles(), loc="upper left", ncols=2)

        first = next(iter(scenarios.values()))
        if several:
            for k, (name, r) in enumerate(scenarios.items()):
                others = [f"arrivals_{d}" for d in _other_destinations(r)]
                yearly = r.yearly.assign(_others=r.yearly[others].sum(axis=1))
                draw_bands(
                    bottom, yearly_bands(yearly, "_others"), series_style(k), short_name(name), k=k
                )
            names = [display_name(first.scenario, d) for d in _other_destinations(first)]
            bottom.set_title(f"Arrivals elsewhere ({', '.join(names)})")
        else:
            for k, dest in enumerate(_other_destinations(first)):
                bands = yearly_bands(first.yearly, f"arrivals_{dest}")
                draw_bands(
                    bottom,
                    bands,
                    series_style(k + 1),
                    display_name(first.scenario, dest),
                    k=k + 1,
                    outer=False,
                )
            bottom.set_title("Arrivals at the other destinations (model: median and 50% band)")
        bottom.set_ylabel("arrivals (people per year)")
        bottom.set_xlabel("year")
        bottom.set_ylim(bottom=0)
        count_axis(top)  # people
        count_axis(bottom)
        bottom.xaxis.set_major_locator(MaxNLocator(integer=True))
        bottom.xaxis.set_major_formatter(StrMethodFormatter("{x:.0f}"))
        for ax in (top, bottom):  # whole numbers of people, with thousands separators
            ax.yaxis.set_major_formatter(StrMethodFormatter("{x:,.0f}"))
        if bottom.get_legend_handles_labels()[0]:
            bottom.legend(loc="upper left", ncols=3)
        fig.suptitle(scenario_title("Arrivals per year", scenarios))
        add_source_line(
            fig,
            "Observed (diamonds): " + str(observed.attrs.get("source", "MPI 2008, Table 1")),
        )
    return fig
