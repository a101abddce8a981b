"""Figure 3: each what-if's paired effect on each outcome, with its 95% interval (forest plot)."""

from __future__ import annotations

import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import Formatter

from nkroutes.analysis.outcomes import Outcome, format_difference
from nkroutes.ensemble.results import Results
from nkroutes.model.outputs import UnknownOutputError
from nkroutes.plots.style import (
    DPI,
    add_source_line,
    new_figure,
    plot_style,
    series_style,
    short_name,
)
from nkroutes.plots.tables import MissingDataError

#: File name stem of this figure in ``plots/``.
NAME = "effects"
#: Columns of the comparison table this figure reads: role -> column name.
COLUMNS: dict[str, str] = {
    "whatif": "whatif",
    "outcome": "outcome",
    "estimate": "median_difference",
    "low": "ci_low",
    "high": "ci_high",
}
#: Height of the figure: fixed part and per row (one what-if in one outcome), inches.
BASE_HEIGHT_IN = 1.3
ROW_HEIGHT_IN = 0.3
PANEL_HEIGHT_IN = 0.5


def figure_height(n_outcomes: int, n_whatifs: int) -> float:
    """Figure height in inches for a table of ``n_outcomes`` x ``n_whatifs`` rows.

    Rounded to whole pixels at :data:`~nkroutes.plots.style.DPI`.
    """
    height = BASE_HEIGHT_IN + n_outcomes * (PANEL_HEIGHT_IN + ROW_HEIGHT_IN * max(n_whatifs, 1))
    return round(height * DPI) / DPI


#: ``unit`` column of ``comparison.csv`` (the outcome's kind) -> unit of a difference.
KIND_UNITS: dict[str, str] = {
    "people": "people",
    "people_at_end": "people",
    "share": "share",
    "months": "months",
    "usd": "US$",
}
#: Unit of a difference -> the kind whose formatting ``comparison.md`` uses for it, so the
#: numbers beside each row read as in the report's table ("+1,234", "+0.8 pp", "+4.5").
UNIT_KINDS: dict[str, str] = {
    "people": "people",
    "share": "share",
    "months": "months",
    "US$": "usd",
}


def outcome_label(outcome: str, rows: pd.DataFrame) -> tuple[str, str]:
    """Readable name and unit of an outcome.

    From the comparison table's ``label`` and ``unit`` columns when it has them, else from
    the registry of outputs (``nkroutes.model.outputs``); an unknown outcome keeps its name.
    """
    title, unit = outcome.replace("_", " "), ""
    place = outcome.removeprefix("arrivals_").replace("_", " ").title()
    try:
        known = Outcome.of(outcome, place if outcome.startswith("arrivals_") else "")
        title, unit = known.label, KIND_UNITS[known.kind]
    except UnknownOutputError:
        pass
    if "label" in rows.columns and rows["label"].notna().any():
        title = str(rows["label"].dropna().iloc[0])
    if "unit" in rows.columns and rows["unit"].notna().any():
        kind = str(rows["unit"].dropna().iloc[0])
        unit = KIND_UNITS.get(kind, kind)
    return title, unit


def check_comparison(comparison: pd.DataFrame, columns: Mapping[str, str] = COLUMNS) -> None:
    """Raise :class:`MissingDataError` if the comparison table cannot be drawn.

    Raises:
        MissingDataError: Naming the missing columns, or saying the table is empty.
    """
    if comparison is None or comparison.empty:
        raise MissingDataError("the comparison table (comparison.csv) is missing or empty")
    missing = [c for c in columns.values() if c not in comparison.columns]
    if missing:
        raise MissingDataError(f"comparison.csv has no column(s) {', '.join(missing)}")


@dataclass(frozen=True)
class PanelScale:
    """How one outcome's differences are written: a multiplier, a unit, decimals.

    Attributes:
        factor: Multiplier from the table's values to the numbers shown (100 for shares,
            shown in percentage points; 1e-6 for millions).
        unit: The axis unit, e.g. ``"people"``, ``"US$, millions"``, ``"percentage points"``.
        decimals: Decimals of the numbers printed beside each row.
    """

    factor: float
    unit: str
    decimals: int


def panel_scale(values: pd.Series, unit: str) -> PanelScale:
    """Choose how to write a panel's differences from their size and unit."""
    finite = values.to_numpy(dtype=float)
    finite = finite[np.isfinite(finite)]
    biggest = float(np.max(np.abs(finite))) if len(finite) else 0.0
    if unit == "share":
        factor, text = 100.0, "percentage points"
    elif biggest >= 1e6:
        factor, text = 1e-6, f"{unit or 'units'}, millions"
    else:
        factor, text = 1.0, unit or "units of the outcome"
    shown = biggest * factor
    decimals = 0 if shown >= 100 else 1 if shown >= 10 else 2
    return PanelScale(factor, text, decimals)


def signed(value: float, decimals: int) -> str:
    """A difference with its sign (``+1,234``, ``-0.5``); zero without one."""
    if not np.isfinite(value):
        return "n/a"
    if round(value, decimals) == 0:
        return f"{0.0:.{decimals}f}"
    return f"{value:+,.{decimals}f}"


class SignedTickFormatter(Formatter):
    """Axis ticks as signed differences, scaled, with as many decimals as the tick step needs."""

    def __init__(self, factor: float) -> None:
        self.factor = factor
        self.decimals = 0

    def set_locs(self, locs: Sequence[float]) -> None:
        """Choose the decimals from the spacing of the ticks about to be labelled."""
        super().set_locs(locs)
        scaled = np.asarray(locs, dtype=float) * abs(self.factor)
        self.decimals = 0
        while self.decimals < 4 and not np.allclose(
            scaled, np.round(scaled, self.decimals), rtol=0.0, atol=1e-9 * max(1.0, *abs(scaled))
        ):
            self.decimals += 1

    def __call__(self, x: float, pos: int | None = None) -> str:
        """The label of the tick at ``x`` (table units)."""
        return signed(x * self.factor, self.decimals)


def paired_effects(
    comparison: pd.DataFrame,
    results_by_scenario: Mapping[str, Results] | None = None,
    baseline: str = "baseline",
    columns: Mapping[str, str] = COLUMNS,
) -> Figure:
    """Forest plot: each what-if's median paired difference from the baseline, with 95% CI.

    One panel per outcome (each in its own unit), one row per what-if; zero is marked, and
    a marker is filled when its interval excludes zero. The estimate and interval are
    printed at the right of each row.

    Args:
        comparison: One row per what-if and outcome (see :data:`COLUMNS`).
        results_by_scenario: The scenarios' results, for the title's replicate counts.
        baseline: Name of the scenario the differences are taken from.
        columns: Role -> column name in ``comparison``, if they differ from :data:`COLUMNS`.

    Returns:
        The figure (10 in wide, :func:`figure_height` tall).

    Raises:
        MissingDataError: If the table is empty or lacks a column.
    """
    check_comparison(comparison, columns)
    table = comparison.rename(columns={v: k for k, v in columns.items()})
    whatifs = list(dict.fromkeys(table["whatif"]))
    outcomes = list(dict.fromkeys(table["outcome"]))
    with plot_style():
        fig = new_figure(figure_height(len(outcomes), len(whatifs)))
        axes = np.atleast_1d(
            fig.subplots(
                len(outcomes),
                1,
                squeeze=False,
                height_ratios=[PANEL_HEIGHT_IN + ROW_HEIGHT_IN * len(whatifs)] * len(outcomes),
            )
        ).ravel()
        rows = np.arange(len(whatifs))[::-1]
        for ax, outcome in zip(axes, outcomes, strict=True):
            part = table[table["outcome"] == outcome].set_index("whatif")
            title, unit = outcome_label(outcome, part)
            scale = panel_scale(part[["estimate", "low", "high"]].stack(), unit)
            kind = UNIT_KINDS.get(unit)

            def number(value: float, kind: str | None = kind, scale: PanelScale = scale) -> str:
                if kind is None:  # an outcome the report does not know: scaled, as the axis
                    return signed(value * scale.factor, scale.decimals)
                return format_difference(value, kind)

            numbers: dict[int, str] = {}
            for k, (whatif, y) in enumerate(zip(whatifs, rows, strict=True)):
                if whatif not in part.index:
                    continue
                row = part.loc[whatif]
                estimate, low, high = (float(row[c]) for c in ("estimate", "low", "high"))
                style = series_style(k + 1)
                excludes_zero = low > 0 or high < 0
                ax.plot([low, high], [y, y], color=style["color"], linewidth=2.2, zorder=3)
                ax.plot(
                    [estimate],
                    [y],
                    linestyle="none",
                    marker=style["marker"],
                    markersize=8,
                    markerfacecolor=style["color"] if excludes_zero else "white",
                    markeredgecolor=style["color"],
                    markeredgewidth=1.8,
                    zorder=4,
                    gid=f"effect:{whatif}:{outcome}",
                )
                numbers[y] = f"{number(estimate)}  [{number(low)} to {number(high)}]"
            ax.axvline(0.0, color="#000000", linewidth=1.2, linestyle="--", zorder=2)
            # The numbers as tick labels of a right-hand axis, so the layout makes room for them.
            right = ax.secondary_yaxis("right")
            right.set_yticks(list(numbers), list(numbers.values()), fontsize=8.5)
            right.tick_params(length=0)
            right.spines["right"].set_visible(False)
            right.set_gid(f"numbers:{outcome}")
            ax.set_yticks(rows, [short_name(w) for w in whatifs])
            ax.set_ylim(-0.7, len(whatifs) - 0.3)
            ax.grid(axis="y", visible=False)
            ax.set_title(title, loc="left", fontsize=10.5)
            ax.set_xlabel(f"difference from {short_name(baseline)} ({scale.unit})", fontsize=9)
            ax.xaxis.set_major_formatter(SignedTickFormatter(scale.factor))
            lo, hi = ax.get_xlim()
            span = max(abs(lo), abs(hi))
            ax.set_xlim(min(lo, -0.05 * span), max(hi, 0.05 * span))
        scenarios = dict(results_by_scenario or {})
        pairs = {r.n_replicates for name, r in scenarios.items() if name in whatifs}
        if "pairs" in table.columns and table["pairs"].notna().any():
            pairs = {int(p) for p in table["pairs"].dropna()}
        title = f"Effects of what-ifs against {baseline}: {', '.join(whatifs)}"
        if len(pairs) == 1:
            n = next(iter(pairs))
            each = " each" if len(whatifs) > 1 else ""
            title += f" ({n} paired replicate{'s' if n != 1 else ''}{each})"
        title = textwrap.fill(title, width=95)
        fig.suptitle(title)
        add_source_line(
            fig,
            "Median over replicates of the paired difference (what-if minus baseline, same "
            "seed), with its bootstrap 95% interval; filled markers: the interval excludes zero. "
            "Numbers at right: estimate [interval], as in comparison.md (pp: percentage points).",
        )
    return fig
