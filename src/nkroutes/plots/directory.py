"""Drawing every figure of a folder ``nkroutes run`` or ``nkroutes compare`` wrote."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from nkroutes.ensemble.results import TABLE_FILES, Results
from nkroutes.plots.render import PLOTS_DIR, FigureReport, comparison_figures, results_figures

#: File a comparison directory holds (written by ``nkroutes compare``).
COMPARISON_FILE = "comparison.csv"


class ResultsReadError(Exception):
    """A results or comparison directory whose tables cannot be read (nothing drawn)."""


def _is_results_dir(path: Path) -> bool:
    return path.is_dir() and any(
        (path / f).is_file() for f in (*TABLE_FILES.values(), "scenario.toml")
    )


def _load(directory: Path) -> Results:
    try:
        return Results.load(directory)
    except (OSError, ValueError) as error:
        raise ResultsReadError(
            f"{_culprit(directory)}: cannot read the results ({error})"
        ) from None


def _culprit(directory: Path) -> Path:
    """The first table file in ``directory`` that pandas cannot read (else the directory)."""
    for file in TABLE_FILES.values():
        path = directory / file
        if path.is_file():
            try:
                pd.read_csv(path)
            except (OSError, ValueError):
                return path
    return directory


def load_comparison(directory: Path) -> tuple[pd.DataFrame, dict[str, Results]]:
    """Read a comparison directory: its table and each scenario's results, baseline first.

    Each sub-directory holding results tables is one scenario, named by its scenario's
    ``meta.name`` (or the sub-directory's name).

    Raises:
        ResultsReadError: If the table or a scenario's results cannot be read.
    """
    path = directory / COMPARISON_FILE
    try:
        table = pd.read_csv(path)
    except (OSError, ValueError) as error:
        raise ResultsReadError(f"{path}: cannot read the comparison table ({error})") from None
    scenarios: dict[str, Results] = {}
    for sub in sorted(p for p in directory.iterdir() if p.name != PLOTS_DIR):
        if _is_results_dir(sub):
            results = _load(sub)
            scenarios[results.name or sub.name] = results
    baseline = "baseline"
    if "baseline" in table.columns and table["baseline"].notna().any():
        baseline = str(table["baseline"].dropna().iloc[0])
    if baseline in scenarios:
        scenarios = {baseline: scenarios[baseline]} | {
            k: v for k, v in scenarios.items() if k != baseline
        }
    return table, scenarios


def draw_directory(directory: Path, fmt: str) -> FigureReport:
    """Draw every figure a results or comparison directory has data for, into its plots/.

    Args:
        directory: A finished run's or comparison's output directory.
        fmt: Image format (one of :data:`nkroutes.plots.render.FORMATS`).

    Raises:
        ResultsReadError: If the directory holds no results, or they cannot be read.
    """
    out = directory / PLOTS_DIR
    if (directory / COMPARISON_FILE).is_file():
        table, scenarios = load_comparison(directory)
        baseline = next(iter(scenarios), "baseline")
        return comparison_figures(table, scenarios, out, fmt, baseline=baseline)
    if not _is_results_dir(directory):
        expected = ", ".join([*TABLE_FILES.values(), COMPARISON_FILE])
        raise ResultsReadError(
            f"{directory}: found none of {expected}; expected the output directory of "
            "`nkroutes run` or `nkroutes compare`"
        )
    return results_figures(_load(directory), out, fmt)
