"""The ``nkroutes calibrate`` command: parse, estimate the run time, calibrate, print."""

from __future__ import annotations

import math
import shlex
import sys
from pathlib import Path

import click

from nkroutes.analysis.calibrate import (
    CalibrationOutcome,
    calibrate,
    check_runs,
    estimate_seconds,
    pilot,
)
from nkroutes.analysis.calibration_problem import CalibrationError, CalibrationProblem
from nkroutes.analysis.calibration_run import (
    DEFAULT_BUDGET,
    DEFAULT_CHECK_REPLICATES,
    DEFAULT_REPLICATES,
    ESTIMATES,
    JOURNAL_FILE,
    CalibrationSettings,
    Progress,
)
from nkroutes.analysis.fit import parse_years
from nkroutes.analysis.journal import Journal
from nkroutes.analysis.smc import population_sizes
from nkroutes.cli import BadInput, RunFailure, examples, load
from nkroutes.ensemble.errors import EnsembleSetupError
from nkroutes.ensemble.executors import default_workers, make_executor
from nkroutes.outdir import OutDirError, check_out_dir, default_out_dir


def _minutes(seconds: float) -> str:
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 5400:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


class ProgressLine:
    """One line on stderr, rewritten after each evaluation (only on a terminal)."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.shown = False

    def __call__(self, p: Progress) -> None:
        """Show where the calibration stands."""
        if not self.enabled:
            return
        left = ""
        if p.run_now:
            remaining = max(p.budget - p.evaluated, 0)
            left = f", ~{_minutes(p.elapsed_s / p.run_now * remaining)} left at most"
        tolerance = f", tolerance {p.tolerance:.3f}" if math.isfinite(p.tolerance) else ""
        text = (
            f"generation {p.generation}: {p.evaluated}/{p.budget} parameter sets, "
            f"{_minutes(p.elapsed_s)}{left}{tolerance}"
        )
        click.echo(f"\r{text:<100}", nl=False, err=True)
        self.shown = True

    def close(self) -> None:
        """End the line."""
        if self.shown:
            click.echo("", err=True)
            self.shown = False


def _summary(outcome: CalibrationOutcome) -> str:
    run, estimate = outcome.run, outcome.estimate
    best = run.evaluations[run.population[0]].distance.total
    lines = [
        f"Calibrated {run.problem.scenario.name}: {len(run.evaluations)} parameter sets x "
        f"{run.settings.replicates} replicates in {len(run.generations)} generations, "
        f"{_minutes(run.seconds)} ({run.reused} read back, {run.n_stopped} stopped early, "
        f"{run.n_failed} failed); "
        f"best distance {best:.4f}, tolerance {run.generations[-1].tolerance:.4f}",
        "",
        f"{'parameter':<22} {'estimate':>10}  90% interval",
    ]
    for j, p in enumerate(run.problem.parameters):
        lo, hi = estimate.interval[j]
        lines.append(f"{p.id:<22} {estimate.values[j]:>10.4g}  {lo:.4g}-{hi:.4g}")
    lines += [f"estimate: {estimate.choice_words()}"]
    if run.n_stopped_in_population:
        lines += [
            "",
            f"Warning: {run.n_stopped_in_population} posterior sets were stopped early: the "
            "population never came near the data (see fit.md).",
        ]
    report = outcome.check or outcome.predictive
    if report is not None:
        lines += ["", report.title, report.metrics_table().to_string(index=False)]
        if report.checks:
            lines += [report.targets_table().to_string(index=False)]
    lines += ["", f"Wrote {outcome.out_dir}/: fit.md, calibrated.toml, posterior.csv, ..."]
    return "\n".join(lines)


@click.command(
    "calibrate",
    epilog=examples(
        "nkroutes calibrate scenarios/baseline.toml",
        "nkroutes calibrate scenarios/baseline.toml --budget 60 --replicates 2 --out results/try",
        "nkroutes calibrate scenarios/baseline.toml --fit-years 1990-2002 --out results/oos",
        "nkroutes calibrate scenarios/baseline.toml --out results/try --resume",
    ),
)
@click.argument("file")
@click.option(
    "--budget",
    type=click.IntRange(min=5),
    default=DEFAULT_BUDGET,
    show_default=True,
    help="Parameter sets to evaluate at most.",
)
@click.option(
    "--replicates",
    type=click.IntRange(min=1),
    default=DEFAULT_REPLICATES,
    show_default=True,
    help="Replicates per parameter set (the distance uses their median).",
)
@click.option(
    "--population",
    type=click.IntRange(min=2),
    default=None,
    help="Parameter sets kept per generation [default: the largest power of two up to a "
    "quarter of the budget; the first generation is twice as large].",
)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=None,
    help="Local worker processes [default: every core; 1 runs in this process].",
)
@click.option(
    "--executor",
    "executor_kind",
    type=click.Choice(["local", "dask"]),
    default="local",
    show_default=True,
    help="Where runs go: local processes or a Dask cluster (with --scheduler).",
)
@click.option("--scheduler", default=None, help="Dask scheduler address, tcp://HOST:8786.")
@click.option(
    "--seed",
    type=click.IntRange(min=0),
    default=0,
    show_default=True,
    help="Seed of the calibration (proposals and replicate seeds).",
)
@click.option(
    "--out",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Output directory [default: results/<scenario name>-calibration/<YYYYmmddTHHMMSS>/].",
)
@click.option(
    "--resume", is_flag=True, help="Continue the calibration in --out, skipping finished sets."
)
@click.option(
    "--fit-years",
    default=None,
    metavar="FIRST-LAST",
    help="Years of Table 1 to fit, e.g. 1990-2002; the others are reported out of sample "
    "[default: years_from-years_to of [calibration.targets], 1994-2006].",
)
@click.option(
    "--estimate",
    type=click.Choice(ESTIMATES),
    default="auto",
    show_default=True,
    help="Values written to calibrated.toml: weighted posterior medians, the nearest set, or "
    "(auto) whichever of the two fits better in the check runs.",
)
@click.option(
    "--check-replicates",
    type=click.IntRange(min=0),
    default=DEFAULT_CHECK_REPLICATES,
    show_default=True,
    help="Replicates run to check the fit of calibrated.toml (of each candidate with "
    "--estimate auto; 0: none).",
)
@click.option("--quiet", "-q", is_flag=True, help="Print no estimate or progress on stderr.")
def calibrate_command(
    file: str,
    budget: int,
    replicates: int,
    population: int | None,
    workers: int | None,
    executor_kind: str,
    scheduler: str | None,
    seed: int,
    out: Path | None,
    resume: bool,
    fit_years: str | None,
    estimate: str,
    check_replicates: int,
    quiet: bool,
) -> None:
    """Calibrate a scenario's free parameters to the article's arrivals and check the fit.

    Free parameters and bounds come from the scenario's [[calibration.free]]; what is
    compared from [calibration.targets] and the observed data (Table 1 and the article's
    other figures). The method is adaptive population Monte Carlo ABC (see
    docs/calibration.md). Every finished parameter set is saved at once, so an interrupted
    calibration continues with --resume.
    """
    scenario = load(file)
    try:
        from nkroutes.observed import other_targets, south_korea_arrivals

        arrivals, others = south_korea_arrivals(), other_targets()
    except (FileNotFoundError, ValueError) as error:
        raise BadInput(f"observed data: {error}") from None
    years = None
    if fit_years is not None:
        try:
            years = parse_years(fit_years)
        except ValueError as error:
            raise BadInput(f"--fit-years: {error}") from None
    settings = CalibrationSettings(
        budget=budget,
        replicates=replicates,
        seed=seed,
        population=population,
        fit_years=years,
        estimate=estimate,
        check_replicates=check_replicates,
    )
    if resume and out is None:
        raise BadInput("--resume needs --out: the directory of the calibration to continue")
    out_dir = out if out is not None else default_out_dir(f"{scenario.name}-calibration")
    try:
        problem = CalibrationProblem.build(scenario, arrivals, others, years)
        settings.check()
        if not resume:
            check_out_dir(out_dir)
        seconds = pilot(problem, seed)
    except (CalibrationError, OutDirError) as error:
        raise BadInput(str(error)) from None
    except RuntimeError as error:
        raise RunFailure(str(error)) from None

    if not quiet:
        done = len(Journal(out_dir / JOURNAL_FILE).read()) if resume else 0
        n_workers = (workers or default_workers()) if executor_kind == "local" else None
        pop, first = population_sizes(budget, population)
        left = estimate_seconds(seconds, settings, n_workers, done)
        where = f"{n_workers} worker(s)" if n_workers else "one worker (divide by the cluster's)"
        click.echo(
            f"Calibrating {scenario.name}: {len(problem.parameters)} free parameters, budget "
            f"{budget} parameter sets x {replicates} replicates (first generation {first}, "
            f"population {pop}) + {check_runs(settings)} check runs.\n"
            f"One run takes {seconds:.1f} s, so expect about {_minutes(left)} on {where}"
            + (f" ({done} sets already done)" if done else "")
            + f".\nOutput: {out_dir}",
            err=True,
        )
    progress = ProgressLine(enabled=not quiet and sys.stderr.isatty())
    command = " ".join(
        shlex.quote(str(part))
        for part in [
            "nkroutes",
            "calibrate",
            file,
            *(["--budget", budget, "--replicates", replicates, "--seed", seed]),
            *(["--population", population] if population else []),
            *(["--fit-years", fit_years] if fit_years else []),
            *(["--estimate", estimate] if estimate != "auto" else []),
        ]
    )
    try:
        with make_executor(executor_kind, workers, scheduler) as executor:
            outcome = calibrate(problem, settings, executor, out_dir, resume, progress, command)
    except (CalibrationError, EnsembleSetupError) as error:
        raise BadInput(str(error)) from None
    except RuntimeError as error:
        raise RunFailure(f"{error}; finished sets are in {out_dir / JOURNAL_FILE}") from None
    except KeyboardInterrupt:
        progress.close()
        raise RunFailure(
            f"interrupted; finished parameter sets are saved in {out_dir / JOURNAL_FILE}: "
            f"continue with --out {out_dir} --resume"
        ) from None
    finally:
        progress.close()
    click.echo(_summary(outcome))
