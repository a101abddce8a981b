"""Figures of runs and comparisons, made with matplotlib's Agg canvas (no screen needed).

One function per figure, each taking a :class:`~nkroutes.ensemble.results.Results` (or several
by scenario name) and returning a :class:`matplotlib.figure.Figure`:

1. :func:`arrivals_over_time`: yearly arrivals in South Korea against the article's Table 1,
   and at the other destinations.
2. :func:`outcome_distributions`: key outcomes over replicates, scenarios side by side.
3. :func:`paired_effects`: forest plot of each what-if's paired difference from the baseline.
4. :func:`route_flows`: the route network on a map, edges by flow, places by outcome.
5. :func:`time_in_china_histogram`: months in China of arrivals, against "83% stayed two years".
6. :func:`stocks_and_flows`: migrants in China, repatriations and deaths per year.

:func:`plot_results` and :func:`plot_comparison` write them all into a folder.

Example:
    >>> from nkroutes.ensemble.results import Results
    >>> from nkroutes.plots import plot_results
    >>> results = Results.load("results/baseline/20250101T000000")  # doctest: +SKIP
    >>> plot_results(results, results.directory / "plots")  # doctest: +SKIP
"""

from nkroutes.plots.arrivals import arrivals_over_time
from nkroutes.plots.effects import paired_effects
from nkroutes.plots.outcomes import outcome_distributions
from nkroutes.plots.render import (
    FORMATS,
    PLOTS_DIR,
    FigureReport,
    comparison_figures,
    plot_comparison,
    plot_results,
    results_figures,
)
from nkroutes.plots.route_map import route_flows
from nkroutes.plots.stocks import stocks_and_flows
from nkroutes.plots.tables import MissingDataError
from nkroutes.plots.time_in_china import time_in_china_histogram

__all__ = [
    "FORMATS",
    "PLOTS_DIR",
    "FigureReport",
    "MissingDataError",
    "arrivals_over_time",
    "comparison_figures",
    "outcome_distributions",
    "paired_effects",
    "plot_comparison",
    "plot_results",
    "results_figures",
    "route_flows",
    "stocks_and_flows",
    "time_in_china_histogram",
]
