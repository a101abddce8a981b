"""The ``nkroutes calibrate`` command: parse, estimate the run time, calibrate, print."""

from __future__ import annotations

import math
import shlex
import sys
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any, NoReturn

import click
from click.core import ParameterSource

from nkroutes.analysis.fit import parse_years
from nkroutes.analysis.targets import TargetSettings
from nkroutes.calibration.calibrate import (
    CalibrationOutcome,
    calibrate,
    check_runs,
    estimate_seconds,
    pilot,
)
from nkroutes.calibration.folder import check_calibration_dir, read_settings
from nkroutes.calibration.journal import Journal, JournalError
from nkroutes.calibration.outputs import ESTIMATE_COLUMN, tolerance_words
from nkroutes.calibration.problem import CalibrationError, CalibrationProblem, free_parameters
from nkroutes.calibration.settings import (
    DEFAULT_BUDGET,
    DEFAULT_CHECK_REPLICATES,
    DEFAULT_REPLICATES,
    ESTIMATES,
    JOURNAL_FILE,
    SETTINGS_FILE,
    CalibrationSettings,
    Progress,
)
from nkroutes.calibration.smc import population_sizes
from nkroutes.commands.common import (
    EXIT_INTERRUPTED,
    BadInput,
    RunFailure,
    allow_large_option,
    command_line,
    examples,
    executor_options,
    held_folder,
    load,
    out_option,
    quiet_option,
    resume_command,
    resume_option,
    seed_option,
)
from nkroutes.commands.size_check import check_size
from nkroutes.ensemble.errors import EnsembleSetupError
from nkroutes.ensemble.executors import default_workers, make_executor
from nkroutes.ensemble.folders import (
    OutDirError,
    check_out_dir,
    default_out_dir,
    describe_os_error,
)
from nkroutes.plots.calibration import draw_calibration_figures
from nkroutes.text import plural


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
    column = ESTIMATE_COLUMN[estimate.kind]
    lines = [
        f"Calibrated {run.problem.scenario.name}: {len(run.evaluations)} parameter sets x "
        f"{plural(run.settings.replicates, 'replicate')} in "
        f"{plural(len(run.generations), 'generation')}, "
        f"{_minutes(run.seconds)} ({run.reused} read back, {run.n_stopped} stopped early, "
        f"{run.n_failed} failed); best distance {best:.4f}, {tolerance_words(run)}",
        "",
        f"{'parameter':<22} {column:>16}  90% posterior interval",
    ]
    for j, p in enumerate(run.problem.parameters):
        lo, hi = estimate.interval[j]
        lines.append(f"{p.id:<22} {estimate.values[j]:>16.4g}  {lo:.4g}-{hi:.4g}")
    lines += [f"estimate: {estimate.choice_words()}"]
    if run.n_stopped_in_population:
        lines += [
            "",
            "Warning: the population never came near the data: give a larger --budget, or "
            "rethink the bounds (see fit.md).",
        ]
    report = outcome.check or outcome.predictive
    if report is not None:
        lines += ["", report.title, report.metrics_table().to_string(index=False)]
        if report.checks:
            lines += [report.targets_table().to_string(index=False)]
    lines += ["", f"Wrote {outcome.out_dir}/: fit.md, calibrated.toml, posterior.csv, ..."]
    return "\n".join(lines)


#: Options that change the result, in the order the reproducing command gives them.
RESULT_OPTIONS = (
    "budget",
    "replicates",
    "population",
    "seed",
    "fit_years",
    "estimate",
    "check_replicates",
)


def _option(name: str) -> str:
    return "--" + name.replace("_", "-")


def _show(name: str, value: object) -> str:
    if name == "fit_years" and isinstance(value, tuple | list):
        return f"{value[0]}-{value[1]}"
    return str(value)


def _recorded(record: dict[str, Any]) -> dict[str, Any]:
    """The options a calibration was run with, from its ``calibration.json``."""
    years = (record.get("target_settings") or {}).get("years")
    values = {name: record.get(name) for name in RESULT_OPTIONS if name != "fit_years"}
    values["fit_years"] = tuple(years) if years else None
    return {name: value for name, value in values.items() if value is not None}


def _resumed_options(ctx: click.Context, out_dir: Path, options: dict[str, Any]) -> dict[str, Any]:
    """The options of a resumed calibration: those not given come from ``calibration.json``.

    Raises:
        BadInput: If an option given differs from the recorded one (the budget may grow).
    """
    try:
        recorded = _recorded(read_settings(out_dir))
    except CalibrationError as error:
        raise BadInput(str(error)) from None
    values, differ = dict(options), []
    for name, value in options.items():
        if name not in recorded:  # not recorded by an older version: as given
            continue
        old = recorded[name]
        given = value is not None and ctx.get_parameter_source(name) not in (
            ParameterSource.DEFAULT,
            ParameterSource.DEFAULT_MAP,
        )
        if not given:
            values[name] = old
        elif name == "budget" and value < old:
            differ.append(f"--budget {old}, not {value} (the budget may only be raised)")
        elif name != "budget" and value != old:
            differ.append(f"{_option(name)} {_show(name, old)}, not {_show(name, value)}")
    if differ:
        raise BadInput(
            f"{out_dir / SETTINGS_FILE}: the calibration there was run with "
            f"{'; '.join(differ)}; leave those options out to resume it with its own "
            "settings, or choose another --out"
        )
    return values


def reproducing_command(file: str, settings: CalibrationSettings, years: tuple[int, int]) -> str:
    """The command that gives this calibration's results: every option that changes them.

    Args:
        file: The scenario file as given.
        settings: The settings used (the population resolved).
        years: The fitted years.
    """
    values = {
        "budget": settings.budget,
        "replicates": settings.replicates,
        "population": population_sizes(settings.budget, settings.population)[0],
        "seed": settings.seed,
        "fit_years": years,
        "estimate": settings.estimate,
        "check_replicates": settings.check_replicates,
    }
    args = ["nkroutes", "calibrate", file]
    for name in RESULT_OPTIONS:
        args += [_option(name), _show(name, values[name])]
    return shlex.join(args)


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
    help="Parameter sets to evaluate at most, at least twice the population plus one (with "
    "--resume, a larger budget continues the calibration further).",
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
    "quarter of the budget, at least 2; the first generation is twice as large].",
)
@executor_options("Where runs go: local processes or a Dask cluster (with --scheduler).")
@seed_option("Seed of the calibration (proposals and replicate seeds).", 0, click.IntRange(min=0))
@out_option("Output directory [default: results/<scenario name>-calibration/<YYYYmmddTHHMMSS>/].")
@resume_option(
    "Continue the calibration in --out, skipping finished sets. Options left out are those it "
    "was run with (its calibration.json); an option given must match them, except --budget, "
    "which may be raised."
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
@quiet_option("Print no estimate or progress on stderr.")
@allow_large_option
@click.pass_context
def calibrate_command(
    ctx: click.Context,
    file: str,
    budget: int,
    replicates: int,
    population: int | None,
    workers: int | None,
    executor: str,
    scheduler: str | None,
    seed: int,
    out: Path | None,
    resume: bool,
    fit_years: str | None,
    estimate: str,
    check_replicates: int,
    quiet: bool,
    allow_large: bool,
) -> None:
    """Calibrate a scenario's free parameters to the article's arrivals and check the fit.

    Free parameters and bounds come from the scenario's [[calibration.free]]; what is
    compared from [calibration.targets] and the observed data (Table 1 and the article's
    other figures). The method is adaptive population Monte Carlo ABC (see
    docs/calibration.md). Every finished parameter set is saved at once, so an interrupted
    calibration continues with --out DIR --resume.
    """
    with _nothing_written_if_interrupted(), ExitStack() as stack:
        scenario = load(file)
        try:  # each set's size is at most that at every free value's upper bound
            highs = {
                f.path: (f.high, f"[[calibration.free]] {f.id}") for f in free_parameters(scenario)
            }
        except CalibrationError as error:
            raise BadInput(str(error)) from None
        check_size(scenario, allow_large, highs)
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
        if resume and out is None:
            raise BadInput("--resume needs --out: the directory of the calibration to continue")
        out_dir = out if out is not None else default_out_dir(f"{scenario.name}-calibration")
        options = {
            "budget": budget,
            "replicates": replicates,
            "population": population,
            "seed": seed,
            "fit_years": years,
            "estimate": estimate,
            "check_replicates": check_replicates,
        }
        if resume:
            options = _resumed_options(ctx, out_dir, options)
            years = options["fit_years"]
            if years == TargetSettings.from_scenario(scenario.data).years:
                years = None  # the scenario's own: errors then name its keys
        settings = CalibrationSettings(
            budget=options["budget"],
            replicates=options["replicates"],
            seed=options["seed"],
            population=options["population"],
            fit_years=years,
            estimate=options["estimate"],
            check_replicates=options["check_replicates"],
        )
        hint = resume_command(out_dir)
        stack.enter_context(held_folder(out_dir))  # one writer, the calibration long
        try:
            problem = CalibrationProblem.build(scenario, arrivals, others, years)
            settings.check()
            settings, _ = check_calibration_dir(out_dir, problem, settings, resume)
            if resume:  # every finished record readable before anything runs
                Journal(out_dir / JOURNAL_FILE).read()
            else:
                check_out_dir(out_dir)
            settings = replace(
                settings, population=population_sizes(settings.budget, settings.population)[0]
            )
            seconds = pilot(problem, settings.seed)
        except (CalibrationError, OutDirError, JournalError) as error:
            raise BadInput(str(error)) from None
        except RuntimeError as error:
            raise RunFailure(str(error)) from None

        if not quiet:
            done = len(Journal(out_dir / JOURNAL_FILE).read()) if resume else 0
            n_workers = (workers or default_workers()) if executor == "local" else None
            pop, first = population_sizes(settings.budget, settings.population)
            left = estimate_seconds(seconds, settings, n_workers, done)
            where = (
                plural(n_workers, "worker") if n_workers else "one worker (divide by the cluster's)"
            )
            click.echo(
                f"Calibrating {scenario.name}: "
                f"{plural(len(problem.parameters), 'free parameter')}, budget "
                f"{settings.budget} parameter sets x {plural(settings.replicates, 'replicate')} "
                f"(first generation {first}, population {pop}) + "
                f"{plural(check_runs(settings), 'check run')}.\n"
                f"One run takes {seconds:.1f} s, so expect about {_minutes(left)} on {where}"
                + (f" ({plural(done, 'set')} already done)" if done else "")
                + f".\nOutput: {out_dir}",
                err=True,
            )
        progress = ProgressLine(enabled=not quiet and sys.stderr.isatty())
        command = reproducing_command(file, settings, problem.settings.years)
        saved = f"finished parameter sets are saved in {out_dir / JOURNAL_FILE}"
        try:
            with make_executor(executor, workers, scheduler) as pool:
                outcome = calibrate(
                    problem,
                    settings,
                    pool,
                    out_dir,
                    resume,
                    progress,
                    command,
                    figures=draw_calibration_figures,
                )
        except (CalibrationError, EnsembleSetupError) as error:
            raise BadInput(str(error)) from None
        except RuntimeError as error:
            raise RunFailure(f"{error}; {saved}. To continue: {hint}") from None
        except OSError as error:  # a file that cannot be written: one line
            raise RunFailure(f"{describe_os_error(error)}; {saved}. To continue: {hint}") from None
        except KeyboardInterrupt:
            progress.close()
            _interrupted(f"{saved[0].upper()}{saved[1:]}.", f"To continue: {hint}")
        finally:
            progress.close()
        click.echo(_summary(outcome))


@contextmanager
def _nothing_written_if_interrupted() -> Iterator[None]:
    """Ctrl-C or SIGTERM before the calibration started: say so, exit 130."""
    try:
        yield
    except KeyboardInterrupt:
        _interrupted("Nothing was written.", f"To start again: {command_line()}")


def _interrupted(saved: str, hint: str) -> NoReturn:
    """End as ``run`` and ``compare`` do after Ctrl-C or SIGTERM: a message, exit 130."""
    click.echo(f"\nInterrupted. {saved} {hint}", err=True)
    raise SystemExit(EXIT_INTERRUPTED)
