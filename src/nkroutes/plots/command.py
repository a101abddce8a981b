"""The ``nkroutes plot`` command: draw the figures of a results or comparison directory."""

from __future__ import annotations

from pathlib import Path

import click
import pandas as pd

from nkroutes.cli import BadInput, examples
from nkroutes.commands.common import check_results_dir
from nkroutes.ensemble.results import TABLE_FILES, Results
from nkroutes.plots.render import (
    FORMATS,
    PLOTS_DIR,
    FigureReport,
    comparison_figures,
    results_figures,
)

#: File a comparison directory holds (written by ``nkroutes compare``).
COMPARISON_FILE = "comparison.csv"


def _is_results_dir(path: Path) -> bool:
    return path.is_dir() and any(
        (path / f).is_file() for f in (*TABLE_FILES.values(), "scenario.toml")
    )


def _load(directory: Path) -> Results:
    try:
        return Results.load(directory)
    except (OSError, ValueError) as error:
        raise BadInput(f"{_culprit(directory)}: cannot read the results ({error})") from None


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
        BadInput: If the table or a scenario's results cannot be read.
    """
    path = directory / COMPARISON_FILE
    try:
        table = pd.read_csv(path)
    except (OSError, ValueError) as error:
        raise BadInput(f"{path}: cannot read the comparison table ({error})") from None
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

    Raises:
        BadInput: If the directory does not exist, holds no results at all, or holds an
            unfinished run or comparison.
    """
    check_results_dir(directory, "plot", comparisons=True)
    out = directory / PLOTS_DIR
    if (directory / COMPARISON_FILE).is_file():
        table, scenarios = load_comparison(directory)
        baseline = next(iter(scenarios), "baseline")
        return comparison_figures(table, scenarios, out, fmt, baseline=baseline)
    if not _is_results_dir(directory):
        expected = ", ".join([*TABLE_FILES.values(), COMPARISON_FILE])
        raise BadInput(
            f"{directory}: found none of {expected}; expected the output directory of "
            "`nkroutes run` or `nkroutes compare`"
        )
    return results_figures(_load(directory), out, fmt)


@click.command(
    "plot",
    epilog=examples(
        "nkroutes plot results/baseline/20250101T120000",
        "nkroutes plot results/baseline/20250101T120000 --format svg",
    ),
)
@click.argument("results_dir", type=click.Path(path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS, case_sensitive=False),
    default="png",
    show_default=True,
    help="Image format of the figures.",
)
def plot_command(results_dir: Path, fmt: str) -> None:
    """Draw the figures of a run or a comparison into RESULTS_DIR/plots/.

    A run gets arrivals over time (against the article's Table 1), outcome distributions,
    route flows on a map, time in China and stocks and flows (arrivals.png, outcomes.png,
    route_flows.png, time_in_china.png, stocks_and_flows.png); a comparison also gets the
    paired effects of each what-if (effects.png) and one route map per scenario
    (route_flows_<name>.png). docs/outputs.md says what each shows. A figure whose data is
    missing is skipped with the reason; exits with 2 if no figure could be drawn, or if
    RESULTS_DIR holds an unfinished run.
    """
    try:
        report = draw_directory(results_dir, fmt.lower())
    except (KeyError, TypeError, ValueError) as error:
        raise BadInput(f"{results_dir}: cannot draw figures from these tables ({error})") from None
    for path in report.written:
        click.echo(f"wrote {path}")
    for name, reason in report.skipped:
        click.echo(f"skipped {name}: {reason}", err=True)
    if not report.written:
        raise BadInput(f"{results_dir}: no figure could be drawn (see the reasons above)")
