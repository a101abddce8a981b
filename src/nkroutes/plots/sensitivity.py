"""Sensitivity figures: a labelled mu*-sigma plot per outcome (Morris), Sobol bars, tornadoes.

Each outcome gets one file in ``figures/``: ``morris-<outcome>.png`` (every ranged value as
a point at its mu* and sigma, the most influential labelled, mu*'s interval as a bar),
``sobol-<outcome>.png`` (S1 and ST of each value with their intervals, largest first) or
``ends-<outcome>.png`` (a tornado: each value's outcome at its low and its high end around
the centre's, widest swing first).
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from nkroutes.plots.style import add_source_line, new_figure, plot_style, save_figure

#: Values labelled by name in a mu*-sigma plot (the largest mu*).
LABELLED = 8

#: Bars in a Sobol chart (the largest ST).
BARS = 15


def file_stem(method: str, outcome: str) -> str:
    """The figure's file name without suffix: ``morris-arrivals``, ``sobol-w-arrivals``."""
    return f"{method}-" + re.sub(r"[^A-Za-z0-9_-]+", "-", outcome).strip("-")


def _wide(indices: pd.DataFrame, outcome: str) -> pd.DataFrame:
    rows = indices[indices["outcome"] == outcome]
    wide = rows.pivot(index="parameter", columns="index", values="value")
    for index in rows["index"].unique():
        part = rows[rows["index"] == index].set_index("parameter")
        wide[f"{index}_low"], wide[f"{index}_high"] = part["ci_low"], part["ci_high"]
    return wide


def morris_figure(indices: pd.DataFrame, outcome: str, path: Path) -> Path:
    """The mu*-sigma plot of one outcome (units of the outcome on both axes)."""
    wide = _wide(indices, outcome).sort_values("mu_star", ascending=False)
    with plot_style():
        fig = new_figure(7.0)
        ax = fig.add_subplot()
        err = np.vstack(
            [wide["mu_star"] - wide["mu_star_low"], wide["mu_star_high"] - wide["mu_star"]]
        )
        ax.errorbar(
            wide["mu_star"], wide["sigma"], xerr=err, fmt="o", color="#1f77b4", ecolor="#9ecae1"
        )
        for name, row in wide.head(LABELLED).iterrows():
            ax.annotate(
                str(name), (row["mu_star"], row["sigma"]), xytext=(4, 4), textcoords="offset points"
            )
        top = float(max(wide["mu_star"].max(), wide["sigma"].max(), 0) or 1)
        ax.plot([0, top], [0, top], color="#999999", linestyle=":", linewidth=1)
        ax.set_xlabel("mu*: mean absolute change across the range (outcome's unit)")
        ax.set_ylabel("sigma: spread of the change")
        ax.set_title(f"Morris screening: {outcome}")
        add_source_line(
            fig,
            "Each point is one [[uncertainty]] range; bars: mu*'s 95% bootstrap interval. "
            "Points above the dotted line act non-linearly or through interactions.",
        )
        return save_figure(fig, path, "png")


def sobol_figure(indices: pd.DataFrame, outcome: str, path: Path) -> Path:
    """The Sobol bar chart of one outcome: S1 and ST with their 95% intervals."""
    wide = _wide(indices, outcome).sort_values("ST", ascending=False).head(BARS)
    with plot_style():
        fig = new_figure(1.5 + 0.35 * len(wide))
        ax = fig.add_subplot()
        y = np.arange(len(wide))
        for offset, index, colour in ((-0.18, "S1", "#1f77b4"), (0.18, "ST", "#ff7f0e")):
            err = np.vstack(
                [
                    (wide[index] - wide[f"{index}_low"]).clip(lower=0),
                    (wide[f"{index}_high"] - wide[index]).clip(lower=0),
                ]
            )
            ax.barh(y + offset, wide[index], height=0.34, xerr=err, color=colour, label=index)
        ax.set_yticks(y, list(wide.index))
        ax.invert_yaxis()
        ax.set_xlabel("share of the outcome's variance")
        ax.set_title(f"Sobol indices: {outcome}")
        ax.legend(loc="lower right")
        add_source_line(
            fig, "S1: the value alone; ST: with its interactions. Bars: 95% bootstrap intervals."
        )
        return save_figure(fig, path, "png")


def tornado_figure(indices: pd.DataFrame, outcome: str, path: Path) -> Path:
    """The tornado chart of one outcome (``ends``): low and high end of each value.

    Each value's two ends are drawn as two thin bars, the low end's above the high end's,
    so that both show when they move the outcome the same way (one would hide the other).
    """
    wide = _wide(indices, outcome).sort_values("swing", ascending=False).head(BARS)
    central = float(wide["central"].iloc[0])
    with plot_style():
        fig = new_figure(1.5 + 0.35 * len(wide))
        ax = fig.add_subplot()
        y = np.arange(len(wide))
        for end, colour, offset in (("at_low", "#1f77b4", -0.17), ("at_high", "#ff7f0e", 0.17)):
            ax.barh(
                y + offset,
                wide[end] - central,
                left=central,
                height=0.32,
                color=colour,
                alpha=0.85,
                label="value at its " + end.removeprefix("at_") + " end",
            )
        ax.axvline(central, color="black", linewidth=1)
        ax.set_yticks(y, list(wide.index))
        ax.invert_yaxis()
        ax.set_xlabel(f"{outcome} (the line: at the scenario's own values, {central:.4g})")
        ax.set_title(f"Each value alone at its ends: {outcome}")
        ax.legend(loc="lower right")
        add_source_line(
            fig, "Every other value at its own; one run set per bar end (no interactions)."
        )
        return save_figure(fig, path, "png")


#: The figure of each method.
DRAWERS = {"morris": morris_figure, "sobol": sobol_figure, "ends": tornado_figure}


def draw_sensitivity_figures(indices: pd.DataFrame, method: str, folder: Path) -> list[str]:
    """Draw every outcome's figure into ``folder``; return the file names written."""
    names = []
    draw = DRAWERS[method]
    for outcome in dict.fromkeys(indices["outcome"]):
        path = folder / f"{file_stem(method, outcome)}.png"
        draw(indices, outcome, path)
        names.append(path.name)
    return names


def draws_forest(table: pd.DataFrame, folder: Path) -> list[str]:
    """The forest plot of ``compare --draws``: both 90% intervals of every effect.

    One row per what-if and outcome, each with its own scale (outcomes have different
    units): a thick bar over replicates alone at the scenarios' values, a thin bar over
    parameter points and replicates together, a dot at the median over both.

    Returns:
        The file name written in ``folder`` (none for an empty table).
    """
    if table.empty:
        return []
    n = len(table)
    with plot_style():
        fig = new_figure(1.2 + 0.45 * n)
        axes = fig.subplots(n, 1, squeeze=False)[:, 0]
        for ax, (_, row) in zip(axes, table.iterrows(), strict=True):
            ax.hlines(0, row["draws_q05"], row["draws_q95"], color="#ff7f0e", linewidth=2)
            ax.hlines(0, row["replicate_q05"], row["replicate_q95"], color="#1f77b4", linewidth=7)
            ax.plot([row["draws_median"]], [0], "o", color="black", markersize=4)
            ax.axvline(0, color="#999999", linewidth=0.8)
            ax.set_yticks([0], [f"{row['whatif']}: {row['label']}"])
            ax.tick_params(axis="x", labelsize=7)
            ax.grid(False, axis="y")
        axes[0].set_title(
            "Paired effects: 90% over replicates (thick) and over parameters too (thin)"
        )
        add_source_line(
            fig,
            f"Thick: 90% of paired differences at the scenarios' own values; thin: 90% over "
            f"{int(table['points'].iloc[0])} parameter points and their replicates; dot: median.",
        )
        path = save_figure(fig, folder / "effects-draws.png", "png")
    return [path.name]
