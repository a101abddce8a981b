"""The sampling of a calibration: APMC generations through an executor, journalled.

:func:`run_calibration` runs adaptive population Monte Carlo ABC
(:mod:`nkroutes.calibration.smc`) over a :class:`CalibrationProblem`, one task per parameter
set, through any :class:`concurrent.futures.Executor`. Every finished evaluation is
appended to the journal (``evaluations.jsonl``); started again on the same journal, it
proposes exactly the same parameter sets (generation ``t`` draws from
``SeedSequence(seed, spawn_key=(0, t))``, evaluation ``i``'s replicate seeds come from
``SeedSequence(seed, spawn_key=(1, i))``) and skips those already there. Results do not
depend on the executor, the number of workers or the order tasks finish in.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Executor
from typing import Any

import numpy as np

from nkroutes.calibration import smc
from nkroutes.calibration.evaluation import run_parameter_set
from nkroutes.calibration.journal import Journal
from nkroutes.calibration.problem import CalibrationError, CalibrationProblem
from nkroutes.calibration.settings import (
    CalibrationRun,
    CalibrationSettings,
    Evaluation,
    Generation,
    Progress,
)
from nkroutes.ensemble.batch import run_batch


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
        meta: list[tuple[dict[str, Any], float]] = []  # of each task run, in order

        def tasks() -> Iterator[dict[str, Any]]:
            for k, row in enumerate(values):
                index = first_index + k
                old = self.done.get(index)
                if old is not None:
                    if not np.allclose(old["values"], row, rtol=1e-9, atol=0.0):
                        raise CalibrationError(
                            f"{self.journal.path}: evaluation {index} was run with other "
                            f"values ({old['values']} instead of {row.tolist()}); the journal "
                            "belongs to another calibration, or to one made before nkroutes "
                            "drew a generation cut short by the budget as the start of a full "
                            "one (commit of 2026-12-04): resume it with its own --budget, or "
                            "start again in another --out"
                        )
                    self._finish(old, float(weights[k]))
                    self.reused += 1
                    continue
                seeds = seeds_for(self.settings.seed, (1, index), self.settings.replicates)
                meta.append(
                    ({"generation": generation, "values": row.tolist(), "seeds": seeds}, weights[k])
                )
                yield self.problem.task(index, row, seeds, stop_above=stop_above)
            self._report(generation)

        for position, result in run_batch(self.executor, run_parameter_set, tasks()):
            self._save(result, *meta[position], generation)
        return [self.evaluations[first_index + k] for k in range(len(values))]

    def _save(
        self, result: dict[str, Any], meta: dict[str, Any], weight: float, generation: int
    ) -> None:
        record = {**result, **meta}
        self.journal.append(record)
        self._finish(record, float(weight))
        self.run_now += 1
        self._report(generation)


def _nearest(evaluations: list[Evaluation], keep: int) -> np.ndarray:
    """Positions of the ``keep`` nearest evaluations; those stopped early rank last."""
    distances = np.array([e.distance.total for e in evaluations])
    stopped = np.array([e.distance.stopped for e in evaluations])
    return smc.nearest(distances, keep, stopped)


def _generation(
    index: int,
    evaluated: int,
    accepted: int,
    members: list[Evaluation],
    batch: list[Evaluation],
    stop_above: float,
) -> Generation:
    """One generation's line of the journal: the population (nearest first) after ``batch``."""
    return Generation(
        index,
        evaluated,
        accepted,
        members[-1].distance.total,
        members[0].distance.total,
        sum(e.distance.stopped for e in batch),
        stop_above,
    )


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
    generations = [_generation(0, first, population_size, members, batch, stop_above)]

    next_index, t = first, 1
    while next_index < settings.budget:
        size = min(population_size, settings.budget - next_index)
        y = smc.to_logit(smc.to_unit(parameters, np.array([m.values for m in members])))
        w = np.array([m.weight for m in members])
        cov = smc.step_covariance(y, w)
        # A full population's proposals, of which the budget takes the first ``size``: so a
        # generation cut short by the budget is the start of the same generation under a
        # larger one, and a calibration resumed with a larger budget continues it.
        new_y = smc.propose(y, w, population_size, cov, _rng(settings.seed, t))[:size]
        new_w = smc.importance_weights(new_y, y, w, cov)
        new_values = smc.to_values(parameters, smc.from_logit(new_y))
        stop_above = _stop_above(members, settings)
        batch = sampler.evaluate(next_index, t, new_values, new_w, stop_above)
        merged = members + batch
        order = _nearest(merged, population_size)
        members = [merged[k] for k in order]
        accepted = sum(1 for k in order if k >= population_size)
        sampler.tolerance = members[-1].distance.total
        generations.append(_generation(t, size, accepted, members, batch, stop_above))
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
