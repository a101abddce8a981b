"""Writing all figures of a run or a comparison into a ``plots/`` folder.

Each figure that lacks data is skipped with the reason (which file or column is missing);
nothing else stops the others from being written.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from matplotlib.figure import Figure

from nkroutes.ensemble.results import Results
from nkroutes.plots import arrivals, effects, outcomes, route_map, stocks, time_in_china
from nkroutes.plots.style import save_figure
from nkroutes.plots.tables import MissingDataError

#: Formats a figure can be written in.
FORMATS: tuple[str, ...] = ("png", "svg", "pdf")
#: Folder, inside a results directory, that figures are written to.
PLOTS_DIR = "plots"


@dataclass
class FigureReport:
    """What a plotting call wrote and what it skipped.

    Attributes:
        written: Files written, in figure order.
        skipped: (figure name, reason) for each figure that lacked data.
    """

    written: list[Path] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)

    def extend(self, other: FigureReport) -> None:
        """Add another report's files and skips to this one."""
        self.written.extend(other.written)
        self.skipped.extend(other.skipped)

    def lines(self) -> list[str]:
        """Human-readable lines: one per file written, one per figure skipped."""
        out = [f"wrote {path}" for path in self.written]
        out += [f"skipped {name}: {reason}" for name, reason in self.skipped]
        return out


def check_format(fmt: str) -> str:
    """Return ``fmt`` in lower case if it is one of :data:`FORMATS`.

    Raises:
        ValueError: Naming the accepted formats.
    """
    lowered = fmt.lower()
    if lowered not in FORMATS:
        raise ValueError(f"figure format {fmt!r}; expected one of {', '.join(FORMATS)}")
    return lowered


def _draw(
    report: FigureReport, name: str, out_dir: Path, fmt: str, make: Callable[[], Figure]
) -> None:
    try:
        fig = make()
    except MissingDataError as error:
        report.skipped.append((name, str(error)))
        return
    report.written.append(save_figure(fig, out_dir / f"{name}.{fmt}", fmt))


def results_figures(results: Results, out_dir: str | Path, fmt: str = "png") -> FigureReport:
    """Write the figures of one scenario's ensemble: figures 1, 2, 4, 5 and 6.

    Args:
        results: The ensemble's tables (fresh or from :meth:`Results.load`).
        out_dir: Folder to write into (created if needed), usually ``RESULTS_DIR/plots``.
        fmt: ``"png"``, ``"svg"`` or ``"pdf"``.

    Returns:
        The files written and the figures skipped with their reasons.

    Raises:
        ValueError: If ``fmt`` is not a known format.
    """
    fmt = check_format(fmt)
    out = Path(out_dir)
    report = FigureReport()
    _draw(report, arrivals.NAME, out, fmt, lambda: arrivals.arrivals_over_time(results))
    _draw(report, outcomes.NAME, out, fmt, lambda: outcomes.outcome_distributions(results))
    _draw(report, route_map.NAME, out, fmt, lambda: route_map.route_flows(results))
    _draw(
        report, time_in_china.NAME, out, fmt, lambda: time_in_china.time_in_china_histogram(results)
    )
    _draw(report, stocks.NAME, out, fmt, lambda: stocks.stocks_and_flows(results))
    return report


def plot_results(results: Results, out_dir: str | Path, fmt: str = "png") -> list[Path]:
    """Write figures 1, 2, 4, 5 and 6 of one scenario; see :func:`results_figures`.

    Returns:
        The files written (figures lacking data are left out; use :func:`results_figures`
        to learn why).
    """
    return results_figures(results, out_dir, fmt).written


def comparison_figures(
    comparison: pd.DataFrame | None,
    results_by_scenario: Mapping[str, Results],
    out_dir: str | Path,
    fmt: str = "png",
    baseline: str | None = None,
) -> FigureReport:
    """Write the figures of a comparison: the paired effects, and the scenarios side by side.

    Figure 3 (effects) from the comparison table; figures 1, 2, 5 and 6 with every scenario
    drawn together; figure 4 (route flows) once per scenario, named
    ``route_flows_<scenario>``.

    Args:
        comparison: One row per what-if and outcome (see :data:`effects.COLUMNS`).
        results_by_scenario: Scenario name -> its results, baseline first.
        out_dir: Folder to write into.
        fmt: ``"png"``, ``"svg"`` or ``"pdf"``.
        baseline: Name of the baseline (default: the first scenario).

    Returns:
        The files written and the figures skipped with their reasons.

    Raises:
        ValueError: If ``fmt`` is not a known format.
    """
    fmt = check_format(fmt)
    out = Path(out_dir)
    scenarios = dict(results_by_scenario)
    base = baseline or next(iter(scenarios), "baseline")
    report = FigureReport()
    _draw(
        report,
        effects.NAME,
        out,
        fmt,
        lambda: effects.paired_effects(
            comparison if comparison is not None else pd.DataFrame(), scenarios, baseline=base
        ),
    )
    if not scenarios:
        report.skipped.append(("scenario figures", "no scenario results to draw"))
        return report
    _draw(report, arrivals.NAME, out, fmt, lambda: arrivals.arrivals_over_time(scenarios))
    _draw(report, outcomes.NAME, out, fmt, lambda: outcomes.outcome_distributions(scenarios))
    _draw(
        report,
        time_in_china.NAME,
        out,
        fmt,
        lambda: time_in_china.time_in_china_histogram(scenarios),
    )
    _draw(report, stocks.NAME, out, fmt, lambda: stocks.stocks_and_flows(scenarios))
    for name, results in scenarios.items():
        _draw(
            report,
            f"{route_map.NAME}_{name}",
            out,
            fmt,
            lambda results=results: route_map.route_flows(results),
        )
    return report


def plot_comparison(
    comparison_table: pd.DataFrame | None,
    results_by_scenario: Mapping[str, Results],
    out_dir: str | Path,
    fmt: str = "png",
) -> list[Path]:
    """Write the figures of a comparison; see :func:`comparison_figures`.

    Returns:
        The files written.
    """
    return comparison_figures(comparison_table, results_by_scenario, out_dir, fmt).written
