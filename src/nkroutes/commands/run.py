"""The body of ``nkroutes run``: run an ensemble, write it, print where and a short summary."""

from __future__ import annotations

import shlex
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from nkroutes.analysis.intervals import outcome_intervals
from nkroutes.analysis.modes import two_groups
from nkroutes.analysis.outcomes import RUN_OUTCOMES, format_number, period_of
from nkroutes.commands.common import (
    EXIT_INTERRUPTED,
    F,
    allow_large_option,
    check_seed,
    ensemble_arguments,
    ensemble_errors,
    ensemble_options,
    examples,
    force_option,
    held_folder,
    load,
    note_events_outside_run,
    out_option,
    read_manifest,
    resume_command,
    seed_option,
    set_option,
)
from nkroutes.commands.out_folder import latest_unfinished, point_latest, results_dir
from nkroutes.commands.size_check import check_size, load_posterior, posterior_largest
from nkroutes.ensemble.posterior import Posterior
from nkroutes.ensemble.results import Results
from nkroutes.ensemble.runner import run_ensemble
from nkroutes.scenario import Scenario
from nkroutes.text import plural

#: Folder of figures inside a results directory.
PLOTS_FOLDER = "plots"


def posterior_option(text: str) -> Callable[[F], F]:
    """Add ``--posterior CALIBRATION_DIR`` (``run`` and ``compare``): a calibration folder.

    Args:
        text: Its help, saying what the command takes from the posterior.
    """
    return click.option(
        "--posterior",
        type=click.Path(path_type=Path, file_okay=False, exists=True),
        default=None,
        metavar="CALIBRATION_DIR",
        help=text,
    )


def run_command(
    scenario: Scenario,
    out: Path | None,
    seed: int,
    force: bool,
    plots: bool = True,
    posterior: Posterior | Path | None = None,
    **options: Any,
) -> Results:
    """Run ``scenario``'s ensemble for the command line and report it.

    Without ``--out`` the results go to a new ``results/<name>/<YYYYmmddTHHMMSS>/`` and
    ``results/<name>/latest`` points there once the run is complete; ``--resume`` without
    ``--out`` completes the newest unfinished run of the scenario there. ``replicates``
    ``None`` runs 20, or on ``--resume`` the number the run was started with. Resuming a
    complete run runs nothing and draws nothing: it says so and prints the run's summary.
    ``options`` are the other ensemble options (``replicates`` to ``quiet``), as
    :func:`~nkroutes.commands.common.ensemble_arguments` takes them. With ``posterior`` (a
    calibration folder, or its posterior read) each replicate draws its calibrated values from
    that posterior.

    Raises:
        BadInput: For bad options or an output directory that must not be written (exit 2).
        RunFailure: If a replicate fails (exit 1).
    """
    check_seed(seed)
    resume = options["resume"]
    out, default = results_dir(
        out, scenario.name, resume, latest_unfinished, f"run of '{scenario.name}'", force
    )
    # One writer: the run and its figures.
    with held_folder(out, fresh=default and not resume) as out:
        already_complete = resume and is_complete(out)
        with ensemble_errors(out, resume_command(out)):
            results = run_ensemble(
                scenario,
                posterior=posterior,
                **ensemble_arguments(out, seed, force, **options),
            )
        if default:
            point_latest(out)
        if already_complete:
            click.echo(f"{out}: the run was already complete; nothing was run.")
        click.echo(run_report(results))
        if plots and not already_complete:
            with drawing_figures(out):
                report_plots(make_plots(results))
    return results


@contextmanager
def drawing_figures(out: Path) -> Iterator[None]:
    """Ctrl-C while the figures are drawn: exit 130, saying the results are whole.

    Without this, click said "Aborted!" with exit 1, and ``--resume`` of the complete run
    drew nothing: the way to the figures is ``nkroutes plot``.
    """
    try:
        yield
    except KeyboardInterrupt:
        click.echo(
            f"\nInterrupted while drawing the figures. The results in {out} are complete; "
            f"draw the figures with: nkroutes plot {shlex.quote(str(out))}",
            err=True,
        )
        raise SystemExit(EXIT_INTERRUPTED) from None


def is_complete(directory: Path) -> bool:
    """Whether ``directory``'s manifest says its run is complete."""
    manifest = read_manifest(directory)
    return manifest is not None and manifest.get("status") == "complete"


def run_report(results: Results) -> str:
    """Where the results are and a short table: median and 90% interval of key outcomes.

    Below the table, a note for each outcome whose replicates fall into two separate
    groups (``nkroutes.analysis.modes``), with each group's size and median.
    """
    manifest = results.manifest
    period, _ = period_of(results.scenario)
    wall = float(manifest.get("wall_time_s") or 0.0)
    lines = [
        f"{plural(results.n_replicates, 'replicate')} of '{results.name}' "
        f"(seed {manifest.get('seed')}), {period}, in {_duration(wall)}.",
        f"Results: {results.directory}",
        "",
    ]
    if manifest.get("posterior"):
        lines[1:1] = [
            "The calibrated values of each replicate are a set drawn from the posterior of "
            f"{manifest['posterior'].get('folder')} (posterior_draws.csv): the spread "
            "carries the calibration's uncertainty as well as chance."
        ]
    columns = [o.column for o in RUN_OUTCOMES if o.column in results.summary.columns]
    if not columns:
        return "\n".join(lines)
    stats = outcome_intervals(results.summary, columns)
    width = max(len(o.label) for o in RUN_OUTCOMES) + 2
    lines.append(f"{'Outcome, ' + period:<{width}}{'median':>10}   90% interval")
    for outcome in RUN_OUTCOMES:
        if outcome.column not in stats.index:
            continue
        row = stats.loc[outcome.column]
        median = format_number(row["median"], outcome.kind)
        interval = (
            f"{format_number(row['low'], outcome.kind)} to "
            f"{format_number(row['high'], outcome.kind)}"
        )
        lines.append(f"{outcome.label:<{width}}{median:>10}   {interval}")
    for outcome in RUN_OUTCOMES:
        if outcome.column in stats.index:
            groups = two_groups(results.summary[outcome.column].to_numpy(dtype=float))
            if groups is not None:
                lines.append(
                    f"Note: {outcome.label.lower()}: the replicates fall into two separate "
                    f"groups, {groups.low_count} near "
                    f"{format_number(groups.low_median, outcome.kind)} and "
                    f"{groups.high_count} near {format_number(groups.high_median, outcome.kind)}"
                    "; the median describes neither."
                )
    return "\n".join(lines)


def _duration(seconds: float) -> str:
    if seconds < 90:
        return f"{seconds:.0f} s"
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes} min {rest:02d} s"


def make_plots(results: Results) -> list[Path]:
    """Hook for figures after a run: ``nkroutes.plots.plot_results``, if it exists.

    Draws into ``<results directory>/plots``. Figures never fail a run whose results are
    written: a missing plotting module draws nothing, and an error becomes a warning.

    Returns:
        The figure files written.
    """
    try:
        from nkroutes.plots import plot_results
    except ImportError:
        return []
    if results.directory is None:
        return []
    try:
        return list(plot_results(results, results.directory / PLOTS_FOLDER))
    except Exception as error:  # figures are optional; the results are safe on disk
        click.echo(f"warning: figures not drawn ({type(error).__name__}: {error})", err=True)
        return []


def report_plots(paths: list[Path]) -> None:
    """Say where the figures are, if any were drawn."""
    if paths:
        click.echo(f"Figures: {paths[0].parent} ({plural(len(paths), 'file')})")


@click.command(
    "run",
    epilog=examples(
        "nkroutes run scenarios/baseline.toml",
        "nkroutes run scenarios/baseline.toml -n 200 --seed 7 --workers 2",
        "nkroutes run scenarios/baseline.toml --seed 1 --out results/try --set time.end=2011-12",
        "nkroutes run scenarios/baseline.toml --out results/try --resume",
        "nkroutes run CAL/calibrated.toml -n 40 --posterior CAL --out CAL/posterior40",
        "nkroutes run scenarios/baseline.toml -n 1000 --executor dask "
        "--scheduler tcp://10.0.0.5:8786",
    ),
)
@click.argument("file")
@set_option
@seed_option()
@out_option(
    "Output directory [default: results/<scenario name>/<YYYYmmddTHHMMSS>/, and "
    "results/<scenario name>/latest points to it]."
)
@force_option("Delete the results already in --out and start over.")
@ensemble_options
@allow_large_option
@click.option("--no-plots", is_flag=True, help="Do not draw figures after the run.")
@posterior_option(
    "Draw each replicate's calibrated values (by weight) from this calibration's "
    "posterior, so the spread carries the calibration's uncertainty too "
    "(posterior_draws.csv lists each replicate's set)."
)
def run(
    file: str,
    overrides: dict[str, Any],
    seed: int,
    out: Path | None,
    force: bool,
    no_plots: bool,
    allow_large: bool,
    posterior: Path | None,
    **options: Any,
) -> None:
    """Run replicates of a scenario and write their results.

    Replicate k always runs with the same random numbers for the same --seed, whatever the
    number of replicates, workers or machines. Each replicate is saved as it finishes: an
    interrupted run is completed with --resume. Nothing is written if the scenario has a
    problem. The files are described in docs/outputs.md.
    """
    scenario = load(file, overrides)
    sets = None if posterior is None else load_posterior(posterior)  # read once
    check_size(scenario, allow_large, None if sets is None else posterior_largest(sets))
    note_events_outside_run(scenario)
    run_command(scenario, out, seed, force, plots=not no_plots, posterior=sets, **options)
