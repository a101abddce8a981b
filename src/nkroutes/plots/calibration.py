"""Figures of a calibration: posterior marginals, pairs, and the posterior predictive arrivals.

:func:`draw_calibration_figures` draws them into a calibration's folder; ``nkroutes
calibrate`` hands it to :func:`nkroutes.calibration.calibrate.calibrate`.

Built on :class:`matplotlib.figure.Figure` with the Agg canvas (no pyplot, no screen).
Colours are the Okabe-Ito colour-blind-safe palette; posterior and all evaluations also differ
in marker and size, bands in shade, so the figures read in grey print too.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter, LogLocator, MaxNLocator, NullFormatter

from nkroutes.calibration.outputs import Estimate, evaluations_table, posterior_table
from nkroutes.calibration.settings import CalibrationRun
from nkroutes.calibration.smc import FreeParameter
from nkroutes.plots.style import DPI, save_figure
from nkroutes.text import plural

#: Okabe & Ito (2008): blue (posterior), vermillion (the estimate), grey (all
#: evaluations), black (observed data; a faint black shade marks the fitted years).
POSTERIOR = "#0072B2"
ESTIMATE = "#D55E00"
EVALUATED = "#999999"
OBSERVED = "#000000"
FITTED = "#000000"


def _figure(width: float, height: float) -> Figure:
    fig = Figure(figsize=(width, height), dpi=DPI, layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def _bins(p: FreeParameter, n: int = 20) -> np.ndarray:
    if p.log:
        return np.geomspace(p.low, p.high, n + 1)
    return np.linspace(p.low, p.high, n + 1)


def _axis(ax: Axes, p: FreeParameter, which: str = "x") -> None:
    axis = ax.xaxis if which == "x" else ax.yaxis
    if p.log:
        (ax.set_xscale if which == "x" else ax.set_yscale)("log")
        # ticks at 1, 2 and 5 times powers of ten, written as plain numbers
        axis.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
        axis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
        axis.set_minor_formatter(NullFormatter())
    (ax.set_xlim if which == "x" else ax.set_ylim)(p.low, p.high)


def _grid(n: int) -> tuple[int, int]:
    cols = min(n, 3)
    return math.ceil(n / cols), cols


def marginals_figure(
    parameters: Sequence[FreeParameter],
    evaluations: pd.DataFrame,
    posterior: pd.DataFrame,
    estimate: Sequence[float],
    interval: np.ndarray,
    title: str,
) -> Figure:
    """Weighted histogram of each parameter's posterior over its bounds.

    Args:
        parameters: The free parameters.
        evaluations: ``evaluations.csv`` (the first generation is the prior design).
        posterior: ``posterior.csv`` (with ``weight``).
        estimate: The values written to ``calibrated.toml``.
        interval: 90% posterior intervals (d x 2).
        title: Figure title.
    """
    rows, cols = _grid(len(parameters))
    fig = _figure(max(3.6 * cols, 8.0), 2.9 * rows + 0.6)
    axes = fig.subplots(rows, cols, squeeze=False).ravel()
    prior = evaluations[evaluations["generation"] == 0]
    n_bins = int(min(20, max(6, len(posterior) // 3)))
    for j, p in enumerate(parameters):
        ax = axes[j]
        bins = _bins(p, n_bins)
        ax.hist(
            prior[p.id],
            bins=bins,
            weights=np.full(len(prior), 1.0 / max(len(prior), 1)),
            histtype="step",
            color=EVALUATED,
            linestyle="--",
            linewidth=1.2,
        )
        ax.hist(
            posterior[p.id], bins=bins, weights=posterior["weight"], color=POSTERIOR, alpha=0.75
        )
        ax.axvline(estimate[j], color=ESTIMATE, linewidth=2)
        for bound in interval[j]:
            ax.axvline(bound, color=ESTIMATE, linewidth=1, linestyle=":")
        _axis(ax, p)
        ax.set_xlabel(f"{p.id}\n({p.path})", fontsize=8)
        ax.set_ylabel("share of weight")
        ax.grid(True, color="#dddddd", linewidth=0.6)
    for ax in axes[len(parameters) :]:
        ax.set_visible(False)
    handles = [
        Patch(color=POSTERIOR, alpha=0.75, label="posterior (weighted)"),
        Line2D([], [], color=EVALUATED, linestyle="--", label="first generation (prior design)"),
        Line2D([], [], color=ESTIMATE, linewidth=2, label="estimate"),
        Line2D([], [], color=ESTIMATE, linestyle=":", label="90% interval"),
    ]
    fig.legend(handles=handles, loc="outside lower center", ncols=2, fontsize=8, frameon=False)
    fig.suptitle(title)
    return fig


def pairs_figure(
    parameters: Sequence[FreeParameter],
    evaluations: pd.DataFrame,
    posterior: pd.DataFrame,
    estimate: Sequence[float],
    title: str,
) -> Figure:
    """Distance against each parameter (diagonal) and the parameters in pairs (below it).

    All evaluations are small grey dots, the posterior larger blue circles (area by weight),
    the estimate a vermillion cross; ridges show parameters that trade off.
    """
    d = len(parameters)
    fig = _figure(max(2.6 * d + 1.2, 8.0), 2.4 * d + 1.0)
    axes = fig.subplots(d, d, squeeze=False)
    ok = np.isfinite(evaluations["distance"])
    stopped = ok & (evaluations["stopped_in"].astype(str) != "")
    full = ok & ~stopped
    area = 10 + 200 * posterior["weight"] / max(float(posterior["weight"].max()), 1e-12)
    for i, py in enumerate(parameters):
        for j, px in enumerate(parameters):
            ax = axes[i, j]
            if j > i:
                ax.set_visible(False)
                continue
            if i == j:
                ax.scatter(
                    evaluations.loc[full, px.id],
                    evaluations.loc[full, "distance"],
                    s=6,
                    color=EVALUATED,
                    marker=".",
                )
                ax.scatter(
                    evaluations.loc[stopped, px.id],
                    evaluations.loc[stopped, "distance"],
                    s=8,
                    color=EVALUATED,
                    marker="^",
                    linewidth=0,
                )
                ax.scatter(
                    posterior[px.id],
                    posterior["distance"],
                    s=14,
                    facecolor="none",
                    edgecolor=POSTERIOR,
                    marker="o",
                )
                ax.axvline(estimate[j], color=ESTIMATE, linewidth=1.2)
                ax.set_yscale("log")
                ax.set_ylabel("distance", fontsize=8)
            else:
                ax.scatter(evaluations[px.id], evaluations[py.id], s=6, color=EVALUATED, marker=".")
                ax.scatter(
                    posterior[px.id],
                    posterior[py.id],
                    s=area,
                    facecolor="none",
                    edgecolor=POSTERIOR,
                    marker="o",
                    linewidth=0.8,
                )
                ax.scatter([estimate[j]], [estimate[i]], s=60, color=ESTIMATE, marker="X")
                _axis(ax, py, "y")
                if j == 0:
                    ax.set_ylabel(py.id, fontsize=8)
            _axis(ax, px, "x")
            if i == d - 1:
                ax.set_xlabel(px.id, fontsize=8)
            ax.tick_params(labelsize=7)
            ax.grid(True, color="#eeeeee", linewidth=0.5)
    handles = [
        Line2D([], [], color=EVALUATED, marker=".", linestyle="", label="every evaluation"),
        Line2D(
            [],
            [],
            color=EVALUATED,
            marker="^",
            linestyle="",
            label="stopped early (distance at least)",
        ),
        Line2D(
            [],
            [],
            color=POSTERIOR,
            marker="o",
            markerfacecolor="none",
            linestyle="",
            label="posterior (size: weight)",
        ),
        Line2D([], [], color=ESTIMATE, marker="X", linestyle="", label="estimate"),
    ]
    fig.legend(handles=handles, loc="outside lower center", ncols=2, fontsize=8, frameon=False)
    fig.suptitle(title)
    return fig


def predictive_figure(
    bands: pd.DataFrame,
    fitted_years: tuple[int, int],
    title: str,
    check: pd.DataFrame | None = None,
    source: str = "",
    ylabel: str = "arrivals in South Korea per year",
) -> Figure:
    """Posterior predictive arrivals per year with 50% and 90% bands, against Table 1.

    Args:
        bands: :func:`nkroutes.calibration.outputs.predictive_bands`.
        fitted_years: First and last fitted year (observed points outside are open).
        title: Figure title.
        check: Bands of the check runs of the estimate (its median is drawn dashed), if any.
        source: Source line of the observed data.
        ylabel: Label of the y axis.
    """
    fig = _figure(9.0, 5.4)
    fig.get_layout_engine().set(rect=(0.0, 0.04, 1.0, 0.96))
    ax = fig.subplots()
    years = bands["year"]
    ax.fill_between(years, bands["q05"], bands["q95"], color=POSTERIOR, alpha=0.15, linewidth=0)
    ax.fill_between(years, bands["q25"], bands["q75"], color=POSTERIOR, alpha=0.35, linewidth=0)
    ax.plot(years, bands["median"], color=POSTERIOR, linewidth=2)
    handles = [
        Patch(color=POSTERIOR, alpha=0.15, label="posterior predictive 90%"),
        Patch(color=POSTERIOR, alpha=0.35, label="posterior predictive 50%"),
        Line2D([], [], color=POSTERIOR, linewidth=2, label="posterior predictive median"),
    ]
    if check is not None:
        ax.plot(check["year"], check["median"], color=ESTIMATE, linewidth=1.6, linestyle="--")
        handles.append(
            Line2D([], [], color=ESTIMATE, linestyle="--", label="calibrated.toml, median")
        )
    obs = bands.dropna(subset=["observed"])
    fitted = obs["year"].between(*fitted_years)
    ax.plot(obs.loc[fitted, "year"], obs.loc[fitted, "observed"], "o", color=OBSERVED)
    handles.append(
        Line2D([], [], color=OBSERVED, marker="o", linestyle="", label="Table 1, fitted")
    )
    if (~fitted).any():
        ax.plot(
            obs.loc[~fitted, "year"],
            obs.loc[~fitted, "observed"],
            "o",
            markerfacecolor="white",
            color=OBSERVED,
        )
        handles.append(
            Line2D(
                [],
                [],
                color=OBSERVED,
                marker="o",
                markerfacecolor="white",
                linestyle="",
                label="Table 1, not fitted",
            )
        )
    if (~fitted).any():
        ax.axvspan(fitted_years[0] - 0.5, fitted_years[1] + 0.5, color=FITTED, alpha=0.08)
        handles.append(Patch(color=FITTED, alpha=0.08, label="fitted years"))
    ax.set_yscale("symlog", linthresh=10)
    ax.set_ylim(bottom=0)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("year")
    ax.set_ylabel(ylabel)
    ax.grid(True, color="#dddddd", linewidth=0.6)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.legend(handles=handles, loc="upper left", fontsize=8, frameon=False)
    ax.set_title(title)
    if source:
        fig.text(
            0.01, 0.005, source, fontsize=6.5, color="#333333", ha="left", va="bottom", wrap=True
        )
    return fig


def draw_calibration_figures(
    run: CalibrationRun,
    estimate: Estimate,
    bands: pd.DataFrame | None,
    check_bands: pd.DataFrame | None,
    out_dir: Path,
) -> list[str]:
    """Draw a calibration's figures into ``out_dir`` (PNG, through the shared save function).

    Args:
        run: The sampling.
        estimate: The values written to ``calibrated.toml``.
        bands: Posterior predictive bands per year (``None``: no predictive figure).
        check_bands: Bands of the check runs of ``calibrated.toml``, or ``None``.
        out_dir: The calibration's folder.

    Returns:
        The names of the files written.
    """
    name = run.problem.scenario.name
    evaluations, posterior = evaluations_table(run), posterior_table(run)
    params = run.problem.parameters
    n, p = len(run.evaluations), len(run.population)
    figures = {}
    if bands is not None:
        figures["posterior_predictive.png"] = predictive_figure(
            bands,
            run.problem.settings.years,
            f"Arrivals in South Korea: {name}, posterior predictive against Table 1",
            check_bands,
            source="Observed: MPI (2008), Table 1 (South Korean Ministry of Unification). "
            f"Simulated: {p} posterior parameter sets x "
            f"{plural(run.settings.replicates, 'replicate')}.",
        )
    figures["posterior_marginals.png"] = marginals_figure(
        params,
        evaluations,
        posterior,
        estimate.values,
        estimate.interval,
        f"Posterior of the free parameters: {name} ({p} kept of {n} evaluated)",
    )
    figures["posterior_pairs.png"] = pairs_figure(
        params,
        evaluations,
        posterior,
        estimate.values,
        f"Distance and parameter pairs: {name} ({n} evaluated)",
    )
    for file, fig in figures.items():
        save_figure(fig, out_dir / file, "png")
    return list(figures)
