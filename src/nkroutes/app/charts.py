"""The app's live figures, drawn from a model part-way through its run.

Each function takes the running :class:`nkroutes.model.RouteModel` (and, for arrivals, an
optional ensemble run for the same settings) and returns a matplotlib figure, built like every
figure of the package (Agg canvas, no pyplot).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator, StrMethodFormatter

from nkroutes.analysis.bands import yearly_bands
from nkroutes.ensemble.results import Results
from nkroutes.model import RouteModel
from nkroutes.observed import south_korea_arrivals
from nkroutes.plots.bands import band_legend_handles, draw_bands
from nkroutes.plots.route_map import route_flows
from nkroutes.plots.style import OBSERVED_COLOUR, new_figure, plot_style, series_style

#: Destination whose arrivals are compared with Table 1.
SOUTH_KOREA = "south_korea"
#: Height of the app's charts, inches (they are 10 in wide, like every figure).
CHART_HEIGHT_IN = 5.0
#: ``gid`` of the live run's arrivals line (for tests).
LIVE_GID = "live-arrivals"


def live_yearly(model: RouteModel) -> pd.DataFrame:
    """Yearly totals of the steps run so far.

    Returns:
        One row per year begun: ``year``, ``arrivals_south_korea`` (people), ``repatriated``
        and ``died`` (people in the year), ``in_china`` (people at the last step run).
    """
    n = model.step_index
    place_ids = list(model.params.place_ids)
    if SOUTH_KOREA in place_ids:
        cumulative = model.arrivals_by_step[:n, place_ids.index(SOUTH_KOREA)]
        arrivals = np.diff(cumulative, prepend=0)
    else:
        arrivals = np.zeros(n)
    steps = pd.DataFrame(
        {
            "year": model.clock.years[:n],
            "arrivals_south_korea": arrivals,
            "repatriated": model.flows["repatriated"][:n],
            "died": model.flows["died"][:n],
            "in_china": model.stocks["in_china"][:n],
        }
    )
    return (
        steps.groupby("year", sort=True)
        .agg(
            arrivals_south_korea=("arrivals_south_korea", "sum"),
            repatriated=("repatriated", "sum"),
            died=("died", "sum"),
            in_china=("in_china", "last"),
        )
        .reset_index()
    )


def arrivals_chart(model: RouteModel, ensemble: Results | None = None) -> Figure:
    """Arrivals in South Korea per year: this run so far, Table 1, and an ensemble's bands.

    Args:
        model: The running model.
        ensemble: Replicates run for the same settings, drawn as median, 50% and 90% bands.

    Returns:
        The figure; the live run's line has ``gid`` :data:`LIVE_GID`.
    """
    observed = south_korea_arrivals()
    yearly = live_yearly(model)
    years = model.clock.year_list
    with plot_style():
        fig = new_figure(CHART_HEIGHT_IN)
        ax = fig.subplots()
        if ensemble is not None and len(ensemble.yearly):
            bands = yearly_bands(ensemble.yearly, f"arrivals_{SOUTH_KOREA}")
            label = f"{ensemble.n_replicates} replicates: median"
            draw_bands(ax, bands, series_style(1), label, k=1)
        (line,) = ax.plot(
            yearly["year"],
            yearly["arrivals_south_korea"],
            marker="o",
            color=series_style(0)["color"],
            label=f"this run (seed {model.seed}), to {_month(model)}",
        )
        line.set_gid(LIVE_GID)
        ax.plot(
            observed["year"],
            observed["arrivals"],
            linestyle="none",
            marker="D",
            markerfacecolor="white",
            markeredgecolor=OBSERVED_COLOUR,
            markeredgewidth=1.4,
            label="observed: MPI 2008, Table 1",
            zorder=5,
        )
        ax.set_xlim(years[0] - 0.5, years[-1] + 0.5)
        ax.set_ylim(bottom=0)
        ax.set_title("Arrivals in South Korea per year")
        ax.set_ylabel("people per year")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.yaxis.set_major_formatter(StrMethodFormatter("{x:,.0f}"))
        handles, _labels = ax.get_legend_handles_labels()
        extra = band_legend_handles() if ensemble is not None else []
        ax.legend(handles=handles + extra, loc="upper left", fontsize=8)
    return fig


def outcomes_chart(model: RouteModel) -> Figure:
    """North Koreans in China (year end), repatriations and deaths per year, this run so far."""
    yearly = live_yearly(model)
    years = model.clock.year_list
    with plot_style():
        fig = new_figure(CHART_HEIGHT_IN)
        left, right = fig.subplots(1, 2)
        left.plot(yearly["year"], yearly["in_china"], marker="o", **_style(0))
        left.set_title("North Koreans in China")
        left.set_ylabel("people (at year end)")
        right.plot(yearly["year"], yearly["repatriated"], marker="s", label="repatriated")
        right.plot(yearly["year"], yearly["died"], marker="^", label="died", **_style(3))
        right.set_title("Repatriations and deaths")
        right.set_ylabel("people per year")
        right.legend(loc="upper left", fontsize=8)
        for ax in (left, right):
            ax.set_xlim(years[0] - 0.5, years[-1] + 0.5)
            ax.set_ylim(bottom=0)
            ax.xaxis.set_major_locator(MaxNLocator(integer=True, nbins=6))
            ax.yaxis.set_major_formatter(StrMethodFormatter("{x:,.0f}"))
            ax.set_xlabel("year")
        fig.suptitle(f"This run to {_month(model)}")
    return fig


def map_chart(model: RouteModel) -> Figure:
    """The route-flow map (:func:`nkroutes.plots.route_map.route_flows`) of this run so far."""
    return route_flows(live_results(model))


def live_results(model: RouteModel) -> Results:
    """The ``routes`` and ``places`` tables of the steps run so far, as one replicate."""
    p = model.params
    routes = pd.DataFrame(
        {
            "replicate": 0,
            "route": list(p.route_ids),
            "from": [p.place_ids[i] for i in p.route_from],
            "to": [p.place_ids[i] for i in p.route_to],
            "migrants": model.route_starts.copy(),
        }
    )
    specs = model.values["places"]
    places = pd.DataFrame(
        {
            "replicate": 0,
            "place": [str(q["id"]) for q in specs],
            "kind": [str(q["kind"]) for q in specs],
            "lat": [float(q["lat"]) for q in specs],
            "lon": [float(q["lon"]) for q in specs],
            "arrivals": model.arrivals_at_place.copy(),
            "captured": model.captures_at_place.copy(),
            "deaths": model.deaths_at_place.copy(),
        }
    )
    empty = pd.DataFrame()
    return Results(
        scenario=model.values,
        manifest={},
        yearly=empty,
        summary=pd.DataFrame({"replicate": [0]}),
        routes=routes,
        places=places,
        time_in_china=empty,
    )


def _style(k: int) -> dict[str, object]:
    style = series_style(k)
    return {"color": style["color"], "linestyle": style["linestyle"]}


def _month(model: RouteModel) -> str:
    """The last month run, like ``1997-03`` (or the start, before the first step)."""
    index = max(model.step_index - 1, 0)
    return model.clock.starts[index].strftime("%Y-%m")
