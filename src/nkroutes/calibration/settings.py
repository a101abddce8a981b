"""How a calibration is set up, and what its sampling produced.

:class:`CalibrationSettings` says how much to compute and how (budget, replicates, seed,
population, estimate); :class:`CalibrationRun` holds every :class:`Evaluation` and the final
population that :func:`nkroutes.calibration.sampler.run_calibration` produced, one
:class:`Generation` at a time. The names of the files a calibration keeps in its folder are
here too.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from nkroutes.analysis.targets import weighted_quantile
from nkroutes.calibration import smc
from nkroutes.calibration.problem import CalibrationError, CalibrationProblem, Distance

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
            :func:`nkroutes.calibration.smc.population_sizes`).
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
            see :class:`nkroutes.calibration.evaluation.EarlyStop`). ``inf``
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
