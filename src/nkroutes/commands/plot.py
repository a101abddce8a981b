"""The ``nkroutes plot`` command: draw the figures of a results or comparison directory."""

from __future__ import annotations

from pathlib import Path

import click
import pandas as pd

from nkroutes.commands.common import BadInput, RunFailure, examples, held_folder
from nkroutes.commands.results_check import check_results_dir
from nkroutes.ensemble.folders import describe_os_error, ends_with_line_break
from nkroutes.ensemble.rundir import PLOTS_DIR
from nkroutes.plots.directory import ResultsReadError, draw_directory
from nkroutes.plots.render import FORMATS


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
    (route_flows_<name>.png); a comparison over parameter draws (compare --draws) gets its
    forest plot of both intervals (effects-draws.png, always PNG). docs/outputs.md says what
    each shows. A figure whose data is missing is skipped with the reason; exits with 2 if
    no figure could be drawn, or if RESULTS_DIR holds an unfinished run.
    """
    if (results_dir / "draws.csv").is_file():  # compare --draws: its forest plot
        with held_folder(results_dir):
            _draw_draws(results_dir)
        return
    check_results_dir(results_dir, "plot", comparisons=True)
    # One writer: a run, comparison or other plot started meanwhile must not replace the
    # tables under the figures (or these figures under its own).
    with held_folder(results_dir):
        _draw(results_dir, fmt)


def _draw_draws(folder: Path) -> None:
    """Draw the forest plot of a ``compare --draws`` folder from its ``draws.csv``."""
    from nkroutes.plots.sensitivity import draws_forest

    table_file = folder / "draws.csv"
    if not ends_with_line_break(table_file):
        raise BadInput(f"{table_file}: ends within a row (cut short?); run the comparison again")
    plots = folder / PLOTS_DIR
    try:
        plots.mkdir(exist_ok=True)
        names = draws_forest(pd.read_csv(table_file), plots)
    except (KeyError, TypeError, ValueError) as error:
        raise BadInput(f"{table_file}: cannot draw the forest plot from it ({error})") from None
    except OSError as error:
        raise RunFailure(describe_os_error(error, plots)) from None
    if not names:
        raise BadInput(f"{table_file}: holds no effect to draw")
    for name in names:
        click.echo(f"wrote {plots / name}")


def _draw(results_dir: Path, fmt: str) -> None:
    """Draw the figures of a checked results folder and say what was written or skipped."""
    try:
        report = draw_directory(results_dir, fmt.lower())
    except ResultsReadError as error:
        raise BadInput(str(error)) from None
    except OSError as error:  # a figure that cannot be written: one line
        advice = f"the figures go into {results_dir / 'plots'}: copy the folder somewhere writable"
        raise RunFailure(describe_os_error(error, advice=advice)) from None
    except (KeyError, TypeError, ValueError) as error:
        raise BadInput(f"{results_dir}: cannot draw figures from these tables ({error})") from None
    for path in report.written:
        click.echo(f"wrote {path}")
    for name, reason in report.skipped:
        click.echo(f"skipped {name}: {reason}", err=True)
    if not report.written:
        raise BadInput(f"{results_dir}: no figure could be drawn (see the reasons above)")
