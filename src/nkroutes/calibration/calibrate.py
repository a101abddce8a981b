"""Calibrating a scenario's free parameters to the article's arrivals, and checking the fit.

:func:`calibrate` does everything ``nkroutes calibrate`` does: it prepares the output
directory, samples the posterior (:func:`nkroutes.calibration.sampler.run_calibration`,
adaptive population Monte Carlo ABC, resumable), writes the tables and ``calibrated.toml``
(:mod:`nkroutes.calibration.outputs`), runs the calibrated scenario again to check its fit
(by default two candidate estimates, keeping the one nearer the data), and writes ``fit.md``
and the figures (drawn by the function it is given: plots are a layer above calibration).
:func:`pilot` and :func:`estimate_seconds` give the run-time estimate printed before it
starts. Every model run goes through the ensemble layer (:mod:`nkroutes.ensemble.batch`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd

from nkroutes.analysis.bands import yearly_bands
from nkroutes.analysis.fit import FitReport, fit_report
from nkroutes.analysis.targets import TargetError
from nkroutes.calibration.evaluation import run_parameter_set
from nkroutes.calibration.folder import prepare_out_dir
from nkroutes.calibration.journal import Journal
from nkroutes.calibration.outputs import (
    Estimate,
    evaluations_table,
    make_estimate,
    posterior_table,
    predictive_bands,
    predictive_tables,
    run_header,
    write_calibrated,
)
from nkroutes.calibration.problem import CalibrationError, CalibrationProblem, tables_of
from nkroutes.calibration.report import fit_markdown
from nkroutes.calibration.sampler import run_calibration, seeds_for
from nkroutes.calibration.settings import (
    JOURNAL_FILE,
    CalibrationRun,
    CalibrationSettings,
    Progress,
)
from nkroutes.ensemble.batch import run_batch
from nkroutes.ensemble.folders import write_csv, write_text
from nkroutes.scenario import Scenario, load_scenario
from nkroutes.text import plural

#: Draws a calibration's figures into its folder and returns the file names written:
#: ``(run, estimate, predictive bands or None, check bands or None, folder) -> names``
#: (:func:`nkroutes.plots.calibration.draw_calibration_figures`).
FigureDrawer = Callable[
    [CalibrationRun, Estimate, pd.DataFrame | None, pd.DataFrame | None, Path], list[str]
]


def run_check(
    scenario: Scenario, settings: CalibrationSettings, executor: Executor
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Run a scenario ``check_replicates`` times (one task per replicate), keeping everything.

    Returns:
        Its full yearly and summary tables (every output), replicates numbered from 0.

    Raises:
        RuntimeError: If a run fails.
    """
    seeds = seeds_for(settings.seed, (2,), settings.check_replicates)
    data = scenario.to_dict()
    tasks = [
        {
            "index": r,
            "scenario": data,
            "seeds": [s],
            "yearly_columns": None,
            "summary_columns": None,
        }
        for r, s in enumerate(seeds)
    ]
    results = dict(run_batch(executor, run_parameter_set, tasks))
    yearly_parts, summary_parts = [], []
    for r in range(len(tasks)):
        result = results[r]
        if result["error"]:
            raise RuntimeError(f"check run {r} of {scenario.source} failed: {result['error']}")
        yearly, summary = tables_of(result)
        yearly_parts.append(yearly.assign(replicate=r))
        summary_parts.append(summary.assign(replicate=r))
    return pd.concat(yearly_parts, ignore_index=True), pd.concat(summary_parts, ignore_index=True)


def pilot(problem: CalibrationProblem, seed: int) -> float:
    """Run the scenario as it is, check the outputs the targets need, time a run.

    The first run in a process loads the model's compiled kernels (and compiles them after
    an install or an update: some seconds), which the calibration's workers pay once for all
    their runs; so a second run is timed for the estimate (issue 19: the first run's 13.5 s
    once promised 1.7 hours for a calibration of 6.6 minutes).

    Returns:
        Seconds one replicate took (for the run-time estimate).

    Raises:
        CalibrationError: If an output the targets compare is missing.
        RuntimeError: If the run fails.
    """
    values = [problem.scenario.get(p.path) for p in problem.parameters]
    values = [
        min(max(float(v), p.low), p.high) for v, p in zip(values, problem.parameters, strict=True)
    ]
    task = problem.task(0, values, seeds_for(seed, (3,), 1), full=True)
    result = run_parameter_set(task)
    if result["error"]:
        raise RuntimeError(f"the scenario fails to run: {result['error']}")
    yearly, summary = tables_of(result)
    try:
        problem.distance(yearly, summary)
    except (TargetError, ValueError, KeyError) as error:
        raise CalibrationError(f"{problem.scenario.source}: calibration.targets: {error}") from None
    return float(min(result["seconds"], run_parameter_set(task)["seconds"]))


def check_runs(settings: CalibrationSettings) -> int:
    """Runs of the final check: two candidates' with ``estimate="auto"``, else one's."""
    return settings.check_replicates * (2 if settings.estimate == "auto" else 1)


def estimate_seconds(
    seconds_per_run: float, settings: CalibrationSettings, workers: int | None, done: int = 0
) -> float:
    """Expected wall time: the replicate runs left (sampling and checks) over the workers.

    Args:
        seconds_per_run: Seconds one replicate takes (:func:`pilot`).
        settings: Budget, replicates and check runs.
        workers: Processes running at once (``None``: one).
        done: Parameter sets already evaluated (a resumed calibration).
    """
    sets_left = max(settings.budget - done, 0)
    runs = sets_left * settings.replicates + check_runs(settings)
    return seconds_per_run * runs / max(workers or 1, 1)


@dataclass
class CalibrationOutcome:
    """What :func:`calibrate` produced.

    Attributes:
        run: The sampling (evaluations, population, generations).
        estimate: The values written to ``calibrated.toml`` and their intervals.
        check: Fit of the calibrated scenario's check runs (``None`` without check runs).
        predictive: Fit of the posterior predictive (``None`` if no posterior set ran to the
            end).
        out_dir: The output directory.
        files: The files written (besides the journal and settings).
    """

    run: CalibrationRun
    estimate: Estimate
    check: FitReport | None
    predictive: FitReport | None
    out_dir: Path
    files: list[Path]


def _check_notes(run: CalibrationRun, n: int) -> list[str]:
    return [
        f"{plural(n, 'replicate')} of `calibrated.toml` (seeds from the calibration seed "
        f"{run.settings.seed}); the check directory beside this file holds their tables "
        "(`nkroutes fit` reads it)."
    ]


def calibrate(
    problem: CalibrationProblem,
    settings: CalibrationSettings,
    executor: Executor,
    out_dir: Path,
    resume: bool = False,
    progress: Callable[[Progress], None] | None = None,
    command: str = "",
    figures: FigureDrawer | None = None,
) -> CalibrationOutcome:
    """Calibrate, check the estimate and write every output into ``out_dir``.

    Args:
        problem: What to fit (:meth:`CalibrationProblem.build`).
        settings: Budget, replicates, seed, ...
        executor: Where the runs go (see :func:`nkroutes.ensemble.executors.make_executor`).
        out_dir: The output directory (created; must not hold another calibration unless
            ``resume``).
        resume: Continue the calibration in ``out_dir``, skipping finished evaluations.
        progress: Called after each finished evaluation.
        command: The command line, for the report and ``calibrated.toml``.
        figures: Draws the figures (``None``: none are drawn).

    Returns:
        The outcome; the files are written.

    Raises:
        CalibrationError: Bad settings or output directory (nothing written).
        RuntimeError: If the runs fail.
    """
    settings.check()
    out_dir = Path(out_dir)
    settings = prepare_out_dir(out_dir, problem, settings, resume)
    run = run_calibration(problem, settings, executor, Journal(out_dir / JOURNAL_FILE), progress)
    when = dt.datetime.now()
    files = [
        write_csv(out_dir / "evaluations.csv", evaluations_table(run)),
        write_csv(out_dir / "posterior.csv", posterior_table(run)),
    ]
    estimate, calibrated, checked = _choose_estimate(
        run, settings, executor, out_dir, when, command
    )
    files.append(out_dir / "calibrated.toml")
    arrivals, targets = problem.settings.arrivals, problem.targets
    years = problem.settings.years
    check = None
    check_bands = None
    if checked is not None:
        yearly, summary = checked
        check_dir = out_dir / "check"
        check_dir.mkdir(exist_ok=True)
        files.append(write_csv(check_dir / "yearly.csv", yearly))
        files.append(write_csv(check_dir / "summary.csv", summary))
        files.append(write_text(check_dir / "scenario.toml", calibrated.to_toml()))
        check = fit_report(
            yearly,
            summary,
            problem.observed,
            years,
            targets,
            arrivals,
            title=f"Fit of calibrated.toml ({plural(settings.check_replicates, 'replicate')})",
            notes=_check_notes(run, settings.check_replicates),
        )
        check_bands = yearly_bands(yearly, arrivals)
    predictive, bands = None, None
    try:
        p_yearly, p_summary, p_weights = predictive_tables(run)
    except ValueError:
        pass  # the report warns that the posterior sets were stopped early
    else:
        predictive = fit_report(
            p_yearly,
            p_summary,
            problem.observed,
            years,
            targets,
            arrivals,
            weights=p_weights,
            title=f"Fit of the posterior predictive ({len(run.population)} parameter sets x "
            f"{plural(settings.replicates, 'replicate')}, weighted)",
        )
        bands = predictive_bands(run)
        files.append(write_csv(out_dir / "predictive.csv", bands))
    names: list[str] = []
    if figures is not None:
        names = figures(run, estimate, bands, check_bands, out_dir)
        files += [out_dir / n for n in names]
    text = fit_markdown(run, estimate, check, predictive, when, command, names)
    files.append(write_text(out_dir / "fit.md", text))
    return CalibrationOutcome(run, estimate, check, predictive, out_dir, files)


def _choose_estimate(
    run: CalibrationRun,
    settings: CalibrationSettings,
    executor: Executor,
    out_dir: Path,
    when: dt.datetime,
    command: str,
) -> tuple[Estimate, Scenario, tuple[pd.DataFrame, pd.DataFrame] | None]:
    """Write ``calibrated.toml`` for the estimate asked for and run its check.

    With ``estimate="auto"`` and check runs, both the posterior medians and the nearest set
    are written and checked in turn (the same replicate seeds, so the comparison is paired)
    and the one whose check runs have the smaller distance is kept (the medians on a tie):
    medians taken one parameter at a time can fall off a ridge of parameters that trade off,
    while the nearest set is partly nearest by the luck of its few replicates.

    Returns:
        The estimate kept, ``calibrated.toml`` loaded, and its check runs' yearly and summary
        tables (``None`` without check runs).
    """
    kinds = [settings.estimate]
    if settings.estimate == "auto":
        kinds = ["median", "best"] if settings.check_replicates else ["median"]
    candidates = {kind: make_estimate(run, kind) for kind in kinds}
    if len(candidates) == 2 and np.array_equal(
        candidates["median"].values, candidates["best"].values
    ):
        del candidates["best"]  # one population member, or the medians are that set
    checks: dict[str, tuple[pd.DataFrame, pd.DataFrame]] = {}
    distances: dict[str, float] = {}
    path = out_dir / "calibrated.toml"
    scenarios: dict[str, Scenario] = {}
    for kind, estimate in candidates.items():
        write_calibrated(run, estimate, out_dir, run_header(run, estimate, when, command))
        scenarios[kind] = load_scenario(path)
        if settings.check_replicates:
            checks[kind] = run_check(scenarios[kind], settings, executor)
            distances[kind] = run.problem.distance(*checks[kind]).total
    if len(distances) < 2:  # one candidate: calibrated.toml already holds it
        kind = next(iter(candidates))
        return candidates[kind], scenarios[kind], checks.get(kind)
    kind = min(distances, key=lambda k: (distances[k], k != "median"))
    estimate = replace(candidates[kind], check_distances=distances)
    write_calibrated(run, estimate, out_dir, run_header(run, estimate, when, command))
    return estimate, load_scenario(path), checks[kind]
