"""The ``nkroutes sensitivity`` command: which assumptions drive the answer."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from nkroutes.commands.common import (
    EXIT_INTERRUPTED,
    BadInput,
    RunFailure,
    allow_large_option,
    command_line,
    examples,
    executor_options,
    force_option,
    held_folder,
    load_all,
    out_option,
    quiet_option,
    resume_command,
    resume_option,
    seed_option,
    show_progress,
)
from nkroutes.commands.out_folder import check_resumable
from nkroutes.commands.size_check import check_size
from nkroutes.ensemble.errors import EnsembleSetupError
from nkroutes.ensemble.folders import RESULTS_ROOT, OutDirError, describe_os_error, safe_name
from nkroutes.ensemble.prepare import MAX_REPLICATES
from nkroutes.ensemble.progress import progress_bar
from nkroutes.ensemble.size_guard import keeping_levers
from nkroutes.plots.sensitivity import draw_sensitivity_figures
from nkroutes.sensitivity.analysis import (
    SensitivityResult,
    run_sensitivity,
    screened_parameters,
)
from nkroutes.sensitivity.design import METHODS
from nkroutes.sensitivity.evaluate import evaluate_point
from nkroutes.sensitivity.execute import EvaluationError
from nkroutes.sensitivity.plan import (
    DEFAULT_REPLICATES,
    DEFAULT_SAMPLES,
    DEFAULT_SEED,
    DEFAULT_TRAJECTORIES,
    MIN_SOBOL_SAMPLES,
    SensitivitySettings,
    design_size,
    make_plan,
)
from nkroutes.sensitivity.ranges import SensitivityError, ranges_of
from nkroutes.sensitivity.report import ranking, sentence
from nkroutes.text import plural


def _summary(result: SensitivityResult) -> str:
    method = result.plan.settings.method
    lines = []
    for label in dict.fromkeys(result.indices["outcome"]):
        ranked = ranking(result.indices, label, method)
        lines.append(sentence(ranked, label, method, len(result.plan.ranges)))
    lines.append(f"Wrote {result.out_dir}/sensitivity.md, sensitivity.csv and figures/.")
    return "\n".join(lines)


@click.command(
    "sensitivity",
    epilog=examples(
        "nkroutes sensitivity scenarios/baseline.toml --method morris",
        "nkroutes sensitivity scenarios/baseline.toml "
        "--whatif scenarios/china-non-refoulement.toml",
        "nkroutes sensitivity scenarios/baseline.toml --method sobol --samples 64 "
        "--screening results/baseline/sensitivity-morris",
    ),
)
@click.argument("file")
@click.option(
    "--method",
    type=click.Choice(METHODS),
    default="morris",
    show_default=True,
    help="morris: screen every ranged value (mu*, sigma); sobol: first-order and total "
    "indices of the values named with --param or kept by --screening; ends: each value alone "
    "at its low and high end (swing, fold from the centre; 2 x ranges + 1 points), to check "
    "ranges against Table 1.",
)
@click.option(
    "--trajectories",
    "-r",
    type=click.IntRange(min=2),
    default=DEFAULT_TRAJECTORIES,
    show_default=True,
    help="Morris trajectories: R x (ranges + 1) points.",
)
@click.option(
    "--samples",
    type=click.IntRange(min=MIN_SOBOL_SAMPLES),
    default=DEFAULT_SAMPLES,
    show_default=True,
    help=f"Sobol base samples, a power of 2 from {MIN_SOBOL_SAMPLES}: N x (ranges + 2) points.",
)
@click.option(
    "--whatif",
    "what_ifs",
    multiple=True,
    metavar="WHATIF.toml",
    help="Also analyse this what-if's paired effect (run at the same points, same seeds).",
)
@click.option(
    "--outcome",
    "outcomes",
    multiple=True,
    help="An outcome to analyse (repeatable): arrivals, log_arrivals, arrivals_south_korea, "
    "table1_ard, repatriated, deaths, in_china, broker_share, months_in_china, "
    "arrivals_<year>, or log_ before a count (log10(1 + count): relative effects) "
    "[default: the nine named before arrivals_<year>].",
)
@click.option(
    "--param",
    "params",
    multiple=True,
    help="An [[uncertainty]] id to vary (repeatable) [default: every range].",
)
@click.option(
    "--screening",
    type=click.Path(path_type=Path, file_okay=False, exists=True),
    default=None,
    metavar="MORRIS_DIR",
    help="Vary the values this Morris screening keeps (each outcome's top five by mu*), "
    "as Sobol needs few.",
)
@click.option(
    "-n",
    "--replicates",
    type=click.IntRange(min=1, max=MAX_REPLICATES),
    default=DEFAULT_REPLICATES,
    show_default=True,
    help="Model runs per scenario and point (averaged).",
)
@seed_option("Seed.", DEFAULT_SEED, click.IntRange(min=0))
@executor_options(executor_help=None, scheduler_help="Dask scheduler.")
@out_option("Results folder [default: results/<name>/sensitivity-<method>].", file_okay=True)
@resume_option("Complete an interrupted analysis in --out.")
@force_option("Delete an earlier analysis in --out first.")
@quiet_option()
@allow_large_option
def sensitivity_command(
    file: str,
    method: str,
    trajectories: int,
    samples: int,
    what_ifs: tuple[str, ...],
    outcomes: tuple[str, ...],
    params: tuple[str, ...],
    screening: Path | None,
    replicates: int,
    seed: int,
    workers: int | None,
    executor: str,
    scheduler: str | None,
    out: Path | None,
    resume: bool,
    force: bool,
    quiet: bool,
    allow_large: bool,
) -> None:
    """Which assumptions drive the answer: Morris screening or Sobol indices of the outcomes.

    Varies the values FILE gives [[uncertainty]] ranges (docs/sensitivity.md) and writes
    sensitivity.csv (outcome, parameter, index, value, ci_low, ci_high), sensitivity.md
    (ranked tables, one sentence per outcome), points.csv and figures/. Exit 2 on bad input,
    1 if a run fails, 130 if interrupted; finished runs are kept for --resume.
    """
    base, *scenarios = load_all([file, *what_ifs])
    out_dir = out or RESULTS_ROOT / safe_name(base.name) / f"sensitivity-{method}"
    if resume and not force:  # with --force too, the folder check says to choose one
        check_resumable(out_dir)
    if screening is not None:
        try:
            params = (*params, *(p for p in screened_parameters(screening) if p not in params))
        except SensitivityError as error:
            raise BadInput(str(error)) from None
    try:  # each run's size is at most that at every varied value's high end
        highs = {r.path: (r.high, f"[[uncertainty]] {r.id}") for r in ranges_of(base, params)}
    except SensitivityError as error:
        raise BadInput(str(error)) from None
    for scenario in (base, *scenarios):
        check_size(scenario, allow_large, keeping_levers(scenario, base, highs))
    settings = SensitivitySettings(
        method=method,
        size=design_size(method, trajectories, samples),
        replicates=replicates,
        seed=seed,
        outcomes=outcomes,
        params=params,
    )
    try:
        plan = make_plan(base, scenarios, settings)
    except SensitivityError as error:
        raise BadInput(str(error)) from None
    click.echo(
        f"{plural(len(plan.ranges), 'ranged value')}, {plural(len(plan.points), 'point')} x "
        f"{plural(len(plan.scenarios), 'scenario')} x {plural(replicates, 'replicate')} = "
        f"{plural(plan.n_tasks * replicates, 'model run')} into {out_dir}",
        err=True,
    )
    hint = resume_command(out_dir, [*sys.argv[1:]])
    bar = None

    def progress(done: int, total: int) -> None:
        nonlocal bar
        if bar is None:
            bar = progress_bar(total, done, base.name, show_progress(quiet), "model run")
        else:
            bar.update(done - bar.n)

    with held_folder(out_dir) as folder:
        try:
            result = run_sensitivity(
                plan,
                folder,
                workers,
                executor,
                scheduler,
                resume,
                force,
                evaluate=evaluate_point,
                progress=progress,
                command=command_line(),
                figures=draw_sensitivity_figures,
            )
        except (SensitivityError, OutDirError, EnsembleSetupError) as error:
            raise BadInput(str(error)) from None
        except EvaluationError as error:
            raise RunFailure(f"{error}; finished runs are kept. To continue: {hint}") from None
        except OSError as error:
            raise RunFailure(f"{describe_os_error(error)}. To continue: {hint}") from None
        except KeyboardInterrupt:
            click.echo(f"\nInterrupted; finished runs are kept. To continue: {hint}", err=True)
            raise SystemExit(EXIT_INTERRUPTED) from None
        finally:
            if bar is not None:
                bar.close()
    click.echo(_summary(result))
