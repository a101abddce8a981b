"""The body of ``nkroutes compare``: run a baseline and what-ifs with common random numbers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from nkroutes.analysis.compare import COMPARISON_MD, Comparison
from nkroutes.analysis.compare import compare as compare_scenarios
from nkroutes.analysis.compare_report import few_pairs_note, headline_effects
from nkroutes.commands.common import (
    BadInput,
    allow_large_option,
    check_seed,
    ensemble_arguments,
    ensemble_errors,
    ensemble_options,
    examples,
    force_option,
    held_folder,
    load_all,
    note_events_outside_run,
    out_option,
    resume_command,
    seed_option,
    set_option,
)
from nkroutes.commands.out_folder import latest_unfinished, point_latest, results_dir
from nkroutes.commands.run import (
    PLOTS_FOLDER,
    drawing_figures,
    posterior_option,
    report_plots,
)
from nkroutes.commands.size_check import check_size
from nkroutes.text import plural


def compare_command(
    base_file: str,
    whatif_files: tuple[str, ...],
    overrides: dict[str, Any],
    out: Path | None,
    seed: int,
    force: bool,
    plots: bool = True,
    allow_large: bool = False,
    **options: Any,
) -> Comparison:
    """Compare what-ifs with a baseline for the command line and print the report's path.

    ``--set`` values apply to every scenario. Without ``--out`` the comparison goes to a
    new ``results/compare-<baseline>/<YYYYmmddTHHMMSS>/`` with a ``latest`` link beside it.
    ``replicates`` ``None`` runs 20, or on ``--resume`` the number the comparison was
    started with. Resuming a complete comparison draws no figures and says so. ``options``
    are the other ensemble options (``replicates`` to ``quiet``), as
    :func:`~nkroutes.commands.common.ensemble_arguments` takes them.

    Raises:
        BadInput: For bad options or an output directory that must not be written (exit 2).
        RunFailure: If a replicate fails (exit 1).
    """
    scenarios = load_all([base_file, *whatif_files], overrides)
    for scenario in scenarios:
        check_size(scenario, allow_large)
    for scenario in scenarios:
        note_events_outside_run(scenario)
    check_seed(seed)
    resume = options["resume"]
    out, default = results_dir(
        out,
        f"compare-{scenarios[0].name}",
        resume,
        _latest_unfinished_comparison,
        "comparison",
        force,
    )
    # One writer: the comparison and its figures.
    with held_folder(out, fresh=default and not resume) as out:
        already_complete = resume and (out / COMPARISON_MD).is_file()
        with ensemble_errors(out, resume_command(out)):
            comparison = compare_scenarios(
                scenarios[0],
                scenarios[1:],
                **ensemble_arguments(out, seed, force, **options),
            )
        if default:
            point_latest(out)
        if already_complete:
            click.echo(f"{out}: the comparison was already complete; no replicate was run.")
        click.echo(
            f"Compared {', '.join(comparison.whatifs)} with {comparison.baseline}: "
            f"{plural(comparison.replicates, 'paired replicate')} each (seed {seed}), "
            f"{comparison.period}."
        )
        click.echo(f"\n{headline_effects(comparison)}\n")
        note = few_pairs_note(comparison)
        if note:
            click.echo(f"warning: {note}", err=True)
        click.echo(f"Report: {out / COMPARISON_MD}")
        click.echo(f"Table:  {out / 'comparison.csv'}; each scenario's results in {out}/<name>/")
        if plots and not already_complete:
            with drawing_figures(out):
                report_plots(make_comparison_plots(comparison, out))
    return comparison


def _latest_unfinished_comparison(parent: Path) -> Path | None:
    """The newest comparison under ``parent`` without a report but with an unfinished run."""
    if not parent.is_dir():
        return None
    found = [
        d
        for d in parent.iterdir()
        if d.is_dir()
        and not d.is_symlink()
        and not (d / COMPARISON_MD).exists()
        and latest_unfinished(d) is not None
    ]
    return max(found, key=lambda p: p.name) if found else None


def make_comparison_plots(comparison: Comparison, out: Path) -> list[Path]:
    """Hook for figures after a comparison: ``nkroutes.plots.plot_comparison``, if it exists.

    Draws into ``<out>/plots``; a missing plotting module draws nothing, and an error
    becomes a warning (the comparison is already written).
    """
    try:
        from nkroutes.plots import plot_comparison
    except ImportError:
        return []
    try:
        return list(plot_comparison(comparison.table, comparison.results, out / PLOTS_FOLDER))
    except Exception as error:  # figures are optional; the results are safe on disk
        click.echo(f"warning: figures not drawn ({type(error).__name__}: {error})", err=True)
        return []


@click.command(
    "compare",
    epilog=examples(
        "nkroutes compare scenarios/baseline.toml scenarios/china-non-refoulement.toml -n 50",
        "nkroutes compare scenarios/baseline.toml scenarios/thailand-closes.toml "
        "scenarios/porous-border.toml -n 200 --seed 7 --out results/my-comparison",
    ),
)
@click.argument("base_file", metavar="BASE")
@click.argument("whatif_files", metavar="WHATIF...", nargs=-1, required=True)
@set_option
@seed_option()
@out_option(
    "Output directory [default: results/compare-<baseline name>/<YYYYmmddTHHMMSS>/, "
    "and results/compare-<baseline name>/latest points to it]."
)
@force_option(
    "Delete the comparison already in --out (its report, figures and each scenario's "
    "results; other files are kept) and start over."
)
@ensemble_options
@allow_large_option
@click.option("--no-plots", is_flag=True, help="Do not draw figures after the comparison.")
@click.option(
    "--draws",
    type=click.IntRange(min=2),
    default=None,
    metavar="K",
    help="Also run every scenario at K parameter points drawn from the baseline's "
    "[[uncertainty]] ranges (or --posterior), so effects include parameter uncertainty "
    "(docs/sensitivity.md).",
)
@posterior_option("With --draws: take the calibrated values from this calibration's posterior.")
def compare(
    base_file: str,
    whatif_files: tuple[str, ...],
    overrides: dict[str, Any],
    seed: int,
    out: Path | None,
    force: bool,
    no_plots: bool,
    allow_large: bool,
    draws: int | None = None,
    posterior: Path | None = None,
    **options: Any,
) -> None:
    """Compare what-if scenarios with a baseline over paired replicates.

    Every scenario runs the same replicate seeds (common random numbers), so each
    replicate gives a paired difference. Writes each scenario's results to OUT/<name>/, and
    comparison.csv and comparison.md (a short report with one sentence per outcome) to OUT.
    --set values apply to every scenario. With --draws K, the comparison runs at the
    scenarios' values (OUT/central/) and at K parameter points (OUT/draw-NN/), and
    comparison.md reports each effect over parameters and replicates together.
    """
    if posterior is not None and draws is None:
        raise BadInput("--posterior: needs --draws K (the number of posterior draws)")
    common = (base_file, whatif_files, overrides, out, seed, force)
    if draws is not None:
        from nkroutes.commands.compare_draws import compare_draws_command

        options["plots"] = not no_plots
        compare_draws_command(*common, draws, posterior, options, allow_large=allow_large)
        return
    compare_command(*common, plots=not no_plots, allow_large=allow_large, **options)
