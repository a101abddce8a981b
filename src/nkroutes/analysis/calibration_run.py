"""The sampling of a calibration: APMC generations through an executor, journalled.

:func:`run_calibration` runs adaptive population Monte Carlo ABC
(:mod:`nkroutes.analysis.smc`) over a :class:`CalibrationProblem`, one task per parameter
set, through any :class:`concurrent.futures.Executor`. Every finished evaluation is
appended to the journal (``evaluations.jsonl``); started again on the same journal, it
proposes exactly the same parameter sets (generation ``t`` draws from
``SeedSequence(seed, spawn_key=(0, t))``, evaluation ``i``'s replicate seeds come from
``SeedSequence(seed, spawn_key=(1, i))``) and skips those already there. Results do not
depend on the executor, the number of workers or the order tasks finish in.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import time
from collections.abc import Callable, Mapping
from concurrent.futures import Executor, Future, as_completed
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from nkroutes import __version__
from nkroutes.analysis import smc
from nkroutes.analysis.calibration_problem import (
    CalibrationError,
    CalibrationProblem,
    Distance,
    run_parameter_set,
)
from nkroutes.analysis.journal import Journal
from nkroutes.analysis.targets import weighted_quantile
from nkroutes.ensemble.folders import write_json

#: Parameter sets evaluated by default: with 3 replicates, 900 runs of about 3.5 s (the
#: baseline of 2026-11-26), which fit in under 30 minutes on two cores.
DEFAULT_BUDGET = 300
#: Replicates per parameter set (the distance uses their median).
DEFAULT_REPLICATES = 3
#: Replicates of the final check of the calibrated scenario.
DEFAULT_CHECK_REPLICATES = 10
#: The choices of ``CalibrationSettings.estimate`` (``--estimate``).
ESTIMATES = ("auto", "median", "best")
#: Two batches that add fewer than this share of their sets to the population end the
#: calibration (the tolerance no longer moves).
DEFAULT_MIN_ACCEPTANCE = 0.05
#: Runs of the first generation stop once their distance is sure to exceed this (an RMS
#: error of log arrivals of 2 is a factor of about 7 every year).
DEFAULT_STOP_DISTANCE = 2.0

JOURNAL_FILE = "evaluations.jsonl"
SETTINGS_FILE = "calibration.json"

#: Settings that must match for a calibration to be resumed (the budget may grow).
_RESUME_KEYS = (
    "scenario_hash",
    "parameters",
    "targets",
    "target_settings",
    "observed",
    "seed",
    "replicates",
    "population",
    "min_acceptance",
    "stop_distance",
)


@dataclass(frozen=True)
class CalibrationSettings:
    """How much to compute and how.

    Attributes:
        budget: Parameter sets to evaluate at most.
        replicates: Replicates per parameter set.
        seed: The calibration's seed (fixes every proposal and every replicate seed).
        population: Population size (``None``: from the budget, see
            :func:`nkroutes.analysis.smc.population_sizes`).
        fit_years: Fitted years replacing the scenario's ``years_from``/``years_to``.
        estimate: What ``calibrated.toml`` gets: ``"median"`` (weighted posterior median of
            each parameter), ``"best"`` (the accepted set with the smallest distance) or
            ``"auto"`` (both are run ``check_replicates`` times and the one whose check runs
            come nearer the data is kept; the median without check runs).
        check_replicates: Replicates run at the estimate to check the fit (at each
            candidate with ``"auto"``; 0: none).
        min_acceptance: Stop when two batches in a row add fewer than this share of their
            sets to the population.
        stop_distance: Runs of the first generation stop as soon as their distance is sure
            to exceed this (later generations stop runs that cannot enter the population;
            see :func:`nkroutes.analysis.calibration_problem.run_replicates`). ``inf``
            never stops them.
    """

    budget: int = DEFAULT_BUDGET
    replicates: int = DEFAULT_REPLICATES
    seed: int = 0
    population: int | None = None
    fit_years: tuple[int, int] | None = None
    estimate: str = "auto"
    check_replicates: int = DEFAULT_CHECK_REPLICATES
    min_acceptance: float = DEFAULT_MIN_ACCEPTANCE
    stop_distance: float = DEFAULT_STOP_DISTANCE

    def check(self) -> None:
        """Raise :class:`CalibrationError` for a setting out of range."""
        if self.replicates < 1:
            raise CalibrationError(f"replicates: found {self.replicates}, expected >= 1")
        if self.seed < 0:
            raise CalibrationError(f"seed: found {self.seed}, expected a whole number >= 0")
        if self.estimate not in ESTIMATES:
            raise CalibrationError(
                f"estimate: found {self.estimate!r}, expected one of {', '.join(ESTIMATES)}"
            )
        if not self.stop_distance > 0:
            raise CalibrationError(f"stop distance: found {self.stop_distance}, expected > 0")
        if self.check_replicates < 0:
            raise CalibrationError(
                f"check replicates: found {self.check_replicates}, expected >= 0"
            )
        try:
            smc.population_sizes(self.budget, self.population)
        except ValueError as error:
            raise CalibrationError(str(error)) from None


@dataclass
class Evaluation:
    """One parameter set, evaluated.

    Attributes:
        index: Its number (the order of proposal).
        generation: The generation that proposed it (0: the Sobol design).
        values: Values of the free parameters, in order.
        weight: Its importance weight when proposed.
        distance: Its distance from the observed data.
        record: The journal record (outputs of its replicates).
    """

    index: int
    generation: int
    values: np.ndarray
    weight: float
    distance: Distance
    record: dict[str, Any]


@dataclass(frozen=True)
class Generation:
    """What one generation did.

    Attributes:
        number: 0 for the Sobol design.
        proposed: Parameter sets evaluated.
        accepted: Of those, how many entered the population.
        tolerance: The largest distance in the population afterwards.
        best: The smallest distance in the population afterwards.
        stopped: Of those evaluated, how many were stopped early.
        stop_above: The distance above which its runs were stopped.
    """

    number: int
    proposed: int
    accepted: int
    tolerance: float
    best: float
    stopped: int = 0
    stop_above: float = math.inf

    @property
    def acceptance(self) -> float:
        """Share of the generation's sets that entered the population."""
        return self.accepted / self.proposed if self.proposed else 0.0


@dataclass(frozen=True)
class Progress:
    """Where a calibration stands, for a progress display.

    Attributes:
        evaluated: Parameter sets finished (including those found in the journal).
        budget: Parameter sets planned at most.
        generation: The generation being evaluated.
        run_now: Parameter sets evaluated by this process so far.
        elapsed_s: Seconds since this process started evaluating.
        tolerance: The population's largest distance (infinite before the first).
    """

    evaluated: int
    budget: int
    generation: int
    run_now: int
    elapsed_s: float
    tolerance: float


@dataclass
class CalibrationRun:
    """The result of the sampling: every evaluation and the final population.

    Attributes:
        problem: What was fitted.
        settings: How.
        evaluations: Every evaluation, by index.
        population: Indices of the final population (nearest first).
        weights: Their normalised importance weights (sum 1).
        generations: One entry per generation.
        reused: Evaluations read from the journal rather than run.
        seconds: Wall time of the sampling in this process.
    """

    problem: CalibrationProblem
    settings: CalibrationSettings
    evaluations: dict[int, Evaluation]
    population: list[int]
    weights: np.ndarray
    generations: list[Generation] = field(default_factory=list)
    reused: int = 0
    seconds: float = 0.0

    def posterior_values(self) -> np.ndarray:
        """The population's parameter values (P x d), nearest first."""
        return np.array([self.evaluations[i].values for i in self.population])

    def estimate(self, kind: str = "median") -> np.ndarray:
        """A point estimate: weighted posterior medians, or the nearest set (``"best"``)."""
        values = self.posterior_values()
        if kind == "best":
            return values[0]
        return np.array(
            [weighted_quantile(values[:, j], 0.5, self.weights) for j in range(values.shape[1])]
        )

    def interval(self, level: float = 0.9) -> np.ndarray:
        """Weighted posterior interval of each parameter (d x 2), ``level`` central mass."""
        values = self.posterior_values()
        tail = (1.0 - level) / 2.0
        return np.array(
            [
                [weighted_quantile(values[:, j], q, self.weights) for q in (tail, 1.0 - tail)]
                for j in range(values.shape[1])
            ]
        )

    @property
    def n_failed(self) -> int:
        """Evaluations whose runs failed (infinite distance)."""
        return sum(1 for e in self.evaluations.values() if e.record.get("error"))

    @property
    def n_stopped(self) -> int:
        """Evaluations whose runs were stopped early (distance a lower bound)."""
        return sum(1 for e in self.evaluations.values() if e.distance.stopped)

    @property
    def n_stopped_in_population(self) -> int:
        """Members of the final population that were stopped early (ideally none)."""
        return sum(1 for i in self.population if self.evaluations[i].distance.stopped)


def settings_record(problem: CalibrationProblem, settings: CalibrationSettings) -> dict[str, Any]:
    """What identifies a calibration, written to ``calibration.json`` and checked on resume."""
    population, first = smc.population_sizes(settings.budget, settings.population)
    return {
        "nkroutes_version": __version__,
        "scenario": problem.scenario.source,
        "scenario_name": problem.scenario.name,
        "scenario_hash": problem.scenario.hash,
        "parameters": [asdict(p) for p in problem.parameters],
        "targets": [
            {"name": t.name, "low": t.low, "high": t.high, "years": list(t.years), "w": t.weight}
            for t in problem.targets
        ],
        "target_settings": problem.settings.to_dict(),
        "observed": {str(int(y)): float(v) for y, v in problem.observed.items()},
        "seed": settings.seed,
        "replicates": settings.replicates,
        "population": population,
        "first_generation": first,
        "budget": settings.budget,
        "min_acceptance": settings.min_acceptance,
        "stop_distance": settings.stop_distance,
        "estimate": settings.estimate,
        "check_replicates": settings.check_replicates,
    }


def read_settings(out_dir: Path) -> dict[str, Any]:
    """The settings recorded in ``out_dir/calibration.json`` (a calibration to resume).

    Raises:
        CalibrationError: If there is no such file, or it cannot be read.
    """
    settings_path = out_dir / SETTINGS_FILE
    if out_dir.exists() and not out_dir.is_dir():
        raise CalibrationError(f"{out_dir} exists and is not a directory")
    if not settings_path.is_file():
        raise CalibrationError(
            f"{out_dir}: nothing to resume (no {SETTINGS_FILE}); "
            "start a new calibration without --resume"
        )
    try:
        record = json.loads(settings_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise CalibrationError(f"{settings_path}: cannot be read ({error})") from None
    if not isinstance(record, dict):
        raise CalibrationError(f"{settings_path}: found no calibration settings in it")
    return record


def refuse_calibration_in(out_dir: Path) -> None:
    """Refuse to start a new calibration where one already is.

    Raises:
        CalibrationError: If ``out_dir`` holds ``calibration.json`` or the journal.
    """
    if (out_dir / SETTINGS_FILE).exists() or (out_dir / JOURNAL_FILE).exists():
        raise CalibrationError(
            f"{out_dir} already holds a calibration ({SETTINGS_FILE}); pass --resume to "
            "continue it, or choose another --out"
        )


def _differences(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[str]:
    """The resume keys on which two records differ, with both values where they are short."""
    differ = []
    for key in _RESUME_KEYS:
        was, now = old.get(key), new.get(key)
        if was == now:
            continue
        if key == "scenario_hash":
            differ.append(f"scenario (sha256 {str(was)[:12]} there, {str(now)[:12]} now)")
        elif isinstance(was, int | float | str | None) and isinstance(now, int | float | str):
            differ.append(f"{key} ({was} there, {now} now)")
        else:
            differ.append(key)
    return differ


def check_calibration_dir(
    out_dir: Path, problem: CalibrationProblem, settings: CalibrationSettings, resume: bool
) -> tuple[CalibrationSettings, dict[str, Any]]:
    """Check that a calibration can start (or continue) in ``out_dir``; write nothing.

    A new calibration needs a directory without a calibration in it; a resumed one needs
    the same scenario, parameters, targets, seed, replicates and population (the budget may
    change; a population derived from the old budget is kept).

    Returns:
        The settings to use (the recorded population on resume) and the record to write
        to ``calibration.json``.

    Raises:
        CalibrationError: If the directory cannot be used.
    """
    if out_dir.exists() and not out_dir.is_dir():
        raise CalibrationError(f"{out_dir} exists and is not a directory")
    if not resume:
        refuse_calibration_in(out_dir)
        return settings, settings_record(problem, settings)
    old = read_settings(out_dir)
    if settings.population is None:
        settings = CalibrationSettings(**{**asdict(settings), "population": old["population"]})
        settings.check()
    new = settings_record(problem, settings)
    differ = _differences(old, new)
    if differ:
        raise CalibrationError(
            f"{out_dir / SETTINGS_FILE}: the calibration there differs in "
            f"{', '.join(differ)}; resume it with the same scenario and options, or choose "
            "another --out"
        )
    return settings, new


def prepare_out_dir(
    out_dir: Path, problem: CalibrationProblem, settings: CalibrationSettings, resume: bool
) -> CalibrationSettings:
    """Check the output directory (:func:`check_calibration_dir`), create it, record the settings.

    Returns:
        The settings to use (the recorded population on resume).

    Raises:
        CalibrationError: If the directory cannot be used; nothing is changed then.
    """
    settings, new = check_calibration_dir(out_dir, problem, settings, resume)
    out_dir.mkdir(parents=True, exist_ok=True)
    new["written"] = dt.datetime.now().isoformat(timespec="seconds")
    write_json(out_dir / SETTINGS_FILE, new)
    return settings


def seeds_for(seed: int, key: tuple[int, ...], n: int) -> list[int]:
    """``n`` run seeds from ``SeedSequence(seed, spawn_key=key)`` (32-bit integers)."""
    state = np.random.SeedSequence(seed, spawn_key=key).generate_state(n, dtype=np.uint32)
    return [int(s) for s in state]


def _rng(seed: int, generation: int) -> np.random.Generator:
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(0, generation)))


class _Sampler:
    """Evaluates batches through the executor, journalling each, reusing journalled ones."""

    def __init__(
        self,
        problem: CalibrationProblem,
        settings: CalibrationSettings,
        executor: Executor,
        journal: Journal,
        progress: Callable[[Progress], None] | None,
    ) -> None:
        self.problem = problem
        self.settings = settings
        self.executor = executor
        self.journal = journal
        self.progress = progress
        self.done = {int(r["index"]): r for r in journal.read()}
        self.evaluations: dict[int, Evaluation] = {}
        self.reused = 0
        self.run_now = 0
        self.start = time.perf_counter()
        self.tolerance = math.inf

    def _report(self, generation: int) -> None:
        if self.progress is not None:
            self.progress(
                Progress(
                    evaluated=len(self.evaluations),
                    budget=self.settings.budget,
                    generation=generation,
                    run_now=self.run_now,
                    elapsed_s=time.perf_counter() - self.start,
                    tolerance=self.tolerance,
                )
            )

    def _finish(self, record: dict[str, Any], weight: float) -> Evaluation:
        distance = self.problem.record_distance(record)
        evaluation = Evaluation(
            index=int(record["index"]),
            generation=int(record["generation"]),
            values=np.asarray(record["values"], dtype=float),
            weight=weight,
            distance=distance,
            record=record,
        )
        self.evaluations[evaluation.index] = evaluation
        return evaluation

    def evaluate(
        self,
        first_index: int,
        generation: int,
        values: np.ndarray,
        weights: np.ndarray,
        stop_above: float,
    ) -> list[Evaluation]:
        """Evaluate a batch of parameter sets numbered from ``first_index``."""
        pending = {}
        for k, row in enumerate(values):
            index = first_index + k
            old = self.done.get(index)
            if old is not None:
                if not np.allclose(old["values"], row, rtol=1e-9, atol=0.0):
                    raise CalibrationError(
                        f"{self.journal.path}: evaluation {index} was run with other values "
                        f"({old['values']} instead of {row.tolist()}); the journal belongs to "
                        "another calibration"
                    )
                self._finish(old, float(weights[k]))
                self.reused += 1
                continue
            seeds = seeds_for(self.settings.seed, (1, index), self.settings.replicates)
            task = self.problem.task(index, row, seeds, stop_above=stop_above)
            meta = {"generation": generation, "values": row.tolist(), "seeds": seeds}
            future = self.executor.submit(run_parameter_set, task)
            if future.done():  # an in-process executor ran it already: save it now
                self._save(future, meta, float(weights[k]), generation)
            else:
                pending[future] = (meta, float(weights[k]))
        self._report(generation)
        for future in as_completed(pending):
            self._save(future, *pending[future], generation)
        return [self.evaluations[first_index + k] for k in range(len(values))]

    def _save(self, future: Future, meta: dict[str, Any], weight: float, generation: int) -> None:
        record = {**future.result(), **meta}
        self.journal.append(record)
        self._finish(record, weight)
        self.run_now += 1
        self._report(generation)


def _nearest(evaluations: list[Evaluation], keep: int) -> np.ndarray:
    """Positions of the ``keep`` nearest evaluations; those stopped early rank last."""
    distances = np.array([e.distance.total for e in evaluations])
    stopped = np.array([e.distance.stopped for e in evaluations])
    return smc.nearest(distances, keep, stopped)


def _stop_above(members: list[Evaluation], settings: CalibrationSettings) -> float:
    """The distance above which the next batch's runs stop.

    A set farther than the population's farthest member cannot enter it, so its runs can
    stop. While members stopped early remain (the first generation had too few sets
    within ``stop_distance``), any set that runs to the end enters, so only sets beyond
    ``stop_distance`` stop.
    """
    if any(m.distance.stopped for m in members):
        return settings.stop_distance
    return members[-1].distance.total


def _settled(generations: list[Generation], min_acceptance: float) -> bool:
    """Whether the last two batches together added too few sets to go on.

    Two batches, not one: with small batches a single one can add none by chance.
    """
    if len(generations) < 3:
        return False
    last = generations[-2:]
    added = sum(g.accepted for g in last)
    return added < min_acceptance * sum(g.proposed for g in last)


def run_calibration(
    problem: CalibrationProblem,
    settings: CalibrationSettings,
    executor: Executor,
    journal: Journal,
    progress: Callable[[Progress], None] | None = None,
) -> CalibrationRun:
    """Sample the posterior of the free parameters (APMC ABC), journalling every evaluation.

    Args:
        problem: What to fit.
        settings: Budget, replicates, seed, population.
        executor: Where tasks run.
        journal: Finished evaluations (read to resume, appended to).
        progress: Called after each finished evaluation.

    Returns:
        The evaluations and the final population.

    Raises:
        CalibrationError: If the journal does not belong to this calibration.
        RuntimeError: If every evaluation of the first generation failed.
    """
    settings.check()
    population_size, first = smc.population_sizes(settings.budget, settings.population)
    parameters = problem.parameters
    sampler = _Sampler(problem, settings, executor, journal, progress)

    z0 = smc.sobol_design(first, len(parameters), _rng(settings.seed, 0))
    stop_above = settings.stop_distance
    batch = sampler.evaluate(0, 0, smc.to_values(parameters, z0), np.ones(first), stop_above)
    if all(math.isinf(e.distance.total) for e in batch):
        errors = {e.record.get("error") for e in batch}
        raise RuntimeError(
            f"every run of the first {first} parameter sets failed: {'; '.join(map(str, errors))}"
        )
    order = _nearest(batch, population_size)
    members = [batch[k] for k in order]
    sampler.tolerance = members[-1].distance.total
    generations = [
        Generation(
            0,
            first,
            population_size,
            members[-1].distance.total,
            members[0].distance.total,
            sum(e.distance.stopped for e in batch),
            stop_above,
        )
    ]

    next_index, t = first, 1
    while next_index < settings.budget:
        size = min(population_size, settings.budget - next_index)
        y = smc.to_logit(smc.to_unit(parameters, np.array([m.values for m in members])))
        w = np.array([m.weight for m in members])
        cov = smc.step_covariance(y, w)
        new_y = smc.propose(y, w, size, cov, _rng(settings.seed, t))
        new_w = smc.importance_weights(new_y, y, w, cov)
        new_values = smc.to_values(parameters, smc.from_logit(new_y))
        stop_above = _stop_above(members, settings)
        batch = sampler.evaluate(next_index, t, new_values, new_w, stop_above)
        merged = members + batch
        order = _nearest(merged, population_size)
        members = [merged[k] for k in order]
        accepted = sum(1 for k in order if k >= population_size)
        sampler.tolerance = members[-1].distance.total
        generations.append(
            Generation(
                t,
                size,
                accepted,
                members[-1].distance.total,
                members[0].distance.total,
                sum(e.distance.stopped for e in batch),
                stop_above,
            )
        )
        next_index += size
        t += 1
        if _settled(generations, settings.min_acceptance):
            break

    weights = np.array([m.weight for m in members], dtype=float)
    return CalibrationRun(
        problem=problem,
        settings=settings,
        evaluations=dict(sorted(sampler.evaluations.items())),
        population=[m.index for m in members],
        weights=weights / weights.sum(),
        generations=generations,
        reused=sampler.reused,
        seconds=time.perf_counter() - sampler.start,
    )
