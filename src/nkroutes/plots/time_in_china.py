"""Figure 5: months arrivals spent in China, against the article's "83% stayed two years"."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import MultipleLocator, PercentFormatter

from nkroutes.ensemble.results import Results
from nkroutes.model.result import TWO_YEARS_MONTHS
from nkroutes.observed import other_target
from nkroutes.plots.style import (
    HATCHES,
    OBSERVED_COLOUR,
    add_source_line,
    new_figure,
    plot_style,
    scenario_title,
    series_style,
    short_name,
)
from nkroutes.plots.tables import as_scenarios, require_columns

#: File name stem of this figure in ``plots/``.
NAME = "time_in_china"
#: Width of the histogram bins, months.
BIN_MONTHS = 3
#: ``gid`` of the line marking two years, so tests can find it.
TWO_YEARS_GID = "two_years"


def month_shares(time_in_china: pd.DataFrame, bin_months: int = BIN_MONTHS) -> pd.DataFrame:
    """Share of all arrivals (pooled over replicates) by time spent in China.

    Args:
        time_in_china: The ``time_in_china`` table (``replicate, months, arrivals``), whole
            months completed in China per arrival.
        bin_months: Bin width, months.

    Returns:
        One row per bin: ``start`` (months, inclusive), ``share`` (fraction of arrivals).
    """
    counts = time_in_china.groupby("months")["arrivals"].sum()
    total = float(counts.sum())
    starts = (counts.index.to_numpy() // bin_months) * bin_months
    binned = pd.Series(counts.to_numpy(), index=starts).groupby(level=0).sum()
    full = np.arange(0, int(binned.index.max()) + bin_months, bin_months)
    binned = binned.reindex(full, fill_value=0)
    share = binned.to_numpy() / total if total else np.zeros(len(binned))
    return pd.DataFrame({"start": full, "share": share})


def model_two_year_share(results: Results) -> tuple[float, float, float, str]:
    """The model's share of arrivals who stayed two years or more in China.

    Uses the summary's ``share_stayed_two_years`` (arrivals who passed through China) when
    present, else the ``time_in_china`` table (all arrivals).

    Returns:
        Median over replicates, 5% and 95% quantiles (fractions), and which arrivals it counts.
    """
    summary = results.summary
    if (
        "share_stayed_two_years" in summary.columns
        and summary["share_stayed_two_years"].notna().any()
    ):
        values = summary["share_stayed_two_years"].dropna().to_numpy(dtype=float)
        who = "arrivals who passed through China"
    else:
        table = results.time_in_china
        long = table.assign(long=table["months"] >= TWO_YEARS_MONTHS)
        per = long.groupby("replicate").apply(
            lambda g: g.loc[g["long"], "arrivals"].sum() / g["arrivals"].sum(),
            include_groups=False,
        )
        values = per.to_numpy(dtype=float)
        who = "all arrivals"
    q05, q50, q95 = np.quantile(values, [0.05, 0.5, 0.95])
    return float(q50), float(q05), float(q95), who


def model_in_china_share(results: Results) -> tuple[float, float, float] | None:
    """Of those in China at the end of the run, the share there two years or more.

    The population the article's figure describes (a survey of people in China). Uses the
    summary's ``share_in_china_two_years_end``.

    Returns:
        Median over replicates, 5% and 95% quantiles (fractions), or ``None`` if the summary
        does not have it (results of an older version).
    """
    column = "share_in_china_two_years_end"
    summary = results.summary
    if column not in summary.columns or not summary[column].notna().any():
        return None
    values = summary[column].dropna().to_numpy(dtype=float)
    q05, q50, q95 = np.quantile(values, [0.05, 0.5, 0.95])
    return float(q50), float(q05), float(q95)


def time_in_china_histogram(results: Results | Mapping[str, Results]) -> Figure:
    """Histogram of months spent in China by arrivals, with the two-year mark.

    The article's figure (83% of defectors in China had stayed at least two years, USCHRNK
    survey) is printed on the figure with the model's share among those in China at the end
    of the run (the survey's population) and among arrivals (the histogram's).

    Args:
        results: One scenario's results, or several by name.

    Returns:
        The figure (10 x 6.25 in).

    Raises:
        MissingDataError: If a ``time_in_china`` table is missing or empty.
    """
    scenarios = as_scenarios(results)
    for r in scenarios.values():
        require_columns(r, "time_in_china", ["replicate", "months", "arrivals"])
    target = other_target("stayed_two_years_share")
    several = len(scenarios) > 1
    with plot_style():
        fig = new_figure(6.25)
        ax = fig.subplots()
        upper = 0
        peak = 0.0
        for k, (name, r) in enumerate(scenarios.items()):
            shares = month_shares(r.time_in_china)
            style = series_style(k)
            peak = max(peak, float(shares["share"].max()))
            cumulative = np.cumsum(shares["share"].to_numpy())
            cut = int(np.searchsorted(cumulative, 0.995)) + 1
            upper = max(upper, int(shares["start"].iloc[min(cut, len(shares) - 1)]) + BIN_MONTHS)
            if several:
                ax.stairs(
                    shares["share"],
                    np.append(shares["start"], shares["start"].iloc[-1] + BIN_MONTHS),
                    color=style["color"],
                    linestyle=style["linestyle"],
                    linewidth=2.0,
                    label=short_name(name),
                )
            else:
                ax.bar(
                    shares["start"],
                    shares["share"],
                    width=BIN_MONTHS,
                    align="edge",
                    color=style["color"],
                    alpha=0.8,
                    edgecolor="white",
                    linewidth=0.5,
                    hatch=HATCHES[k % len(HATCHES)] or None,
                    label=f"model: arrivals per {BIN_MONTHS}-month bin (all replicates pooled)",
                )
        ax.axvspan(
            TWO_YEARS_MONTHS, upper, color="#eeeeee", zorder=0, label="stayed two years or more"
        )
        ax.axvline(
            TWO_YEARS_MONTHS,
            color=OBSERVED_COLOUR,
            linestyle="--",
            linewidth=1.5,
            gid=TWO_YEARS_GID,
            label="two years (24 months)",
        )
        ax.set_xlim(0, upper)
        ax.xaxis.set_major_locator(MultipleLocator(12))
        ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=1))
        ax.set_xlabel("time spent in China before arriving (months; 12 = one year)")
        ax.set_ylabel(f"share of arrivals (% per {BIN_MONTHS}-month bin)")
        lines = [
            f"Article: {target['value']:.0%} of defectors in China had stayed two years or more",
            "(USCHRNK survey, cited by MPI 2008).",
        ]
        stocks = {name: model_in_china_share(r) for name, r in scenarios.items()}
        if any(v is not None for v in stocks.values()):
            lines.append("Model, of those in China at the end of the run (median, 90%):")
            for name, stock in stocks.items():
                if stock is not None:
                    label = f"{short_name(name)}: " if several else ""
                    lines.append(f"  {label}{stock[0]:.0%} ({stock[1]:.0%} to {stock[2]:.0%})")
        shares = {name: model_two_year_share(r) for name, r in scenarios.items()}
        whos = {who for *_, who in shares.values()}
        counts = {r.n_replicates for r in scenarios.values()}
        n_text = f"{next(iter(counts))} replicates" if len(counts) == 1 else "replicates"
        lines.append(f"Model: share of {' / '.join(sorted(whos))} who stayed two years")
        lines.append(f"or more, median of {n_text} (90% of replicates between):")
        for name, (median, low, high, _who) in shares.items():
            label = f"{short_name(name)}: " if several else ""
            lines.append(f"  {label}{median:.0%} ({low:.0%} to {high:.0%})")
        box = ax.text(
            0.99,
            0.97,
            "\n".join(lines),
            transform=ax.transAxes,
            ha="right",
            va="top",
            multialignment="left",
            fontsize=9.5,
            bbox={"boxstyle": "round,pad=0.4", "facecolor": "white", "edgecolor": "#999999"},
            gid="two_year_shares",
        )
        box.set_in_layout(False)
        ax.set_ylim(0, peak * 1.08 if peak > 0 else 1.0)
        ax.legend(loc="center right")
        fig.suptitle(scenario_title("Time in China of those who arrived", scenarios))
        add_source_line(
            fig,
            f"Observed: {target['source']}. Months are whole months completed in China; "
            "arrivals who crossed the DMZ directly count as 0.",
        )
    return fig
