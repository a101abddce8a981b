"""What a calibration fits: free parameters, observed data, the distance, and one evaluation.

A :class:`CalibrationProblem` is built once from a scenario and the observed data. It turns
a parameter set into a task (a plain dict: the scenario's values with the set applied, and
the replicate seeds), and a finished task's outputs into a :class:`Distance`:

    distance = RMS over the fitted years of log(m + 1) - log(o + 1)
               + sum over secondary targets of weight x miss

with ``m`` the median over the replicates of the simulated arrivals in South Korea, ``o``
Table 1, and each target's miss measured on the log scale (counts) or log-odds (shares), 0
inside its range (see :mod:`nkroutes.analysis.targets`). The task runs in
:func:`nkroutes.calibration.evaluation.run_parameter_set`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import Any

import pandas as pd

from nkroutes.analysis.bands import observed_series
from nkroutes.analysis.fit import arrivals_fit, check_target
from nkroutes.analysis.targets import (
    Target,
    TargetError,
    TargetSettings,
    check_arrivals_column,
    secondary_targets,
)
from nkroutes.calibration.smc import FreeParameter
from nkroutes.scenario import Scenario, ScenarioError
from nkroutes.scenario.bounded import Bounded, BoundedForm, bounded_values

#: At most this many free parameters: seventeen years of arrivals and the article's four
#: other figures cannot pin down more, and each must be one a researcher can argue about
#: (never a knob per year). Eight since issue 17 ("keep the number of calibrated parameters
#: at eight or fewer, each meaningful").
MAX_FREE_PARAMETERS = 8


class CalibrationError(ValueError):
    """A calibration cannot start: bad settings, targets or output directory (exit code 2).

    Nothing has been run or overwritten when it is raised.
    """


#: How ``[[calibration.free]]`` writes its free parameters.
FREE = BoundedForm(
    table="calibration.free",
    low="min",
    high="max",
    is_log=lambda item: bool(item.get("log", False)),
    error=CalibrationError,
    missing="found no free parameters, expected [[calibration.free]] tables "
    "(id, path, min, max, log) naming what to calibrate",
)


@dataclass(frozen=True)
class Distance:
    """How far one parameter set's runs are from the observed data.

    Attributes:
        total: The distance calibration minimises (arrivals plus penalties); for a set
            stopped early, a lower bound of it.
        arrivals: The arrivals' part: RMS of log(arrivals + 1) differences over the
            fitted years, or their averaged relative difference with ``arrivals_distance =
            "ard"`` (a lower bound if stopped early).
        penalties: Weight x miss of each secondary target with a weight above 0.
        stopped: Whether its runs were stopped early (see :func:`run_parameter_set`).
    """

    total: float
    arrivals: float
    penalties: dict[str, float] = field(default_factory=dict)
    stopped: bool = False


def free_parameters(scenario: Scenario) -> tuple[FreeParameter, ...]:
    """The scenario's ``[[calibration.free]]`` parameters.

    Raises:
        CalibrationError: If there are none, more than :data:`MAX_FREE_PARAMETERS`, or a
            log-scale parameter has a bound <= 0 or equal bounds.
    """

    def select(items: list[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
        if len(items) > MAX_FREE_PARAMETERS:
            raise CalibrationError(
                f"{FREE.where(scenario)}: found {len(items)} free parameters, expected at most "
                f"{MAX_FREE_PARAMETERS} (seventeen years of arrivals and four other figures cannot "
                "pin down more)"
            )
        return items

    def make(record: Bounded, item: Mapping[str, Any]) -> FreeParameter:
        where = f"{FREE.where(scenario)}.{record.id}"
        low, high = record.low, record.high
        if not low < high:
            raise CalibrationError(
                f"{where}: found min {low:g} and max {high:g}, expected min below max"
            )
        if record.log and low <= 0:
            raise CalibrationError(
                f"{where}.min: found {low:g} with log = true, "
                "expected a bound above 0 (a log scale has no 0)"
            )
        return FreeParameter(**asdict(record), doc=str(item.get("doc", "")))

    return bounded_values(scenario, FREE, make, select)


@dataclass
class CalibrationProblem:
    """A scenario, its free parameters, the observed data and how they are compared.

    Attributes:
        scenario: The scenario calibrated (its other values stay as they are).
        parameters: The free parameters.
        observed: Table 1: observed arrivals by year.
        settings: Target settings (fitted years, compared output, weights).
        targets: Secondary targets.
    """

    scenario: Scenario
    parameters: tuple[FreeParameter, ...]
    observed: pd.Series
    settings: TargetSettings
    targets: list[Target]

    @classmethod
    def build(
        cls,
        scenario: Scenario,
        arrivals: pd.DataFrame | pd.Series,
        other_targets: pd.DataFrame | None,
        fit_years: tuple[int, int] | None = None,
    ) -> CalibrationProblem:
        """Check and assemble everything a calibration needs.

        Args:
            scenario: The scenario, with ``[[calibration.free]]`` and optionally
                ``[calibration.targets]``.
            arrivals: Observed arrivals (``year, arrivals`` or a Series by year).
            other_targets: :func:`nkroutes.observed.other_targets`, or ``None`` for none.
            fit_years: Fitted years replacing ``years_from``/``years_to`` (out of sample).

        Raises:
            CalibrationError: For any setting that cannot be used, with the key named.
        """
        parameters = free_parameters(scenario)
        settings = TargetSettings.from_scenario(scenario.data)
        if fit_years is not None:
            settings = replace(settings, years=fit_years)
        observed = observed_series(arrivals)
        where = f"{scenario.source}: calibration.targets"
        first, last = settings.years
        fitted = [y for y in observed.index if first <= y <= last]
        start, end = int(scenario.get("time.start")[:4]), int(scenario.get("time.end")[:4])
        fitted = [y for y in fitted if start <= y <= end]
        if first > last or not fitted:
            table = f"{min(observed.index)}-{max(observed.index)}"
            if fit_years is not None:  # given as an option, not read from the scenario
                raise CalibrationError(
                    f"--fit-years: found {first}-{last}, expected FIRST-LAST with FIRST <= "
                    f"LAST, overlapping the years of Table 1 ({table}) within the simulated "
                    f"period of {scenario.source} ({start}-{end})"
                )
            raise CalibrationError(
                f"{where}.years_from/years_to: found {first}-{last}, expected years of the "
                f"observed arrivals ({table}) within the simulated period ({start}-{end})"
            )
        try:
            check_arrivals_column(settings, scenario.data)
            targets = [] if other_targets is None else secondary_targets(other_targets, settings)
        except TargetError as error:
            raise CalibrationError(f"{scenario.source}: {error}") from None
        for target in targets:
            outside = [y for y in target.years if not start <= y <= end]
            if outside and target.weight > 0:
                raise CalibrationError(
                    f"{where}: target {target.name} needs year(s) "
                    f"{', '.join(map(str, outside))}, outside the simulated period "
                    f"({start}-{end}); give it weight 0 in [calibration.targets.weights]"
                )
        return cls(scenario, parameters, observed, settings, [t for t in targets if t.weight > 0])

    @property
    def fitted_years(self) -> list[int]:
        """The observed years the arrivals are fitted to."""
        first, last = self.settings.years
        return [int(y) for y in self.observed.index if first <= y <= last]

    def yearly_columns(self) -> list[str]:
        """Yearly outputs an evaluation must keep."""
        columns = [self.settings.arrivals]
        for t in self.targets:
            if t.table == "yearly":
                columns += [c for c in t.columns if c not in columns]
        return columns

    def summary_columns(self) -> list[str]:
        """Summary outputs an evaluation must keep."""
        columns: list[str] = []
        for t in self.targets:
            if t.table == "summary":
                columns += [c for c in t.columns if c not in columns]
        return columns

    def scenario_with(self, values: Sequence[float]) -> Scenario:
        """The scenario with the free parameters set to ``values`` (validated)."""
        return self.scenario.with_overrides(
            {p.path: float(v) for p, v in zip(self.parameters, values, strict=True)}
        )

    def task(
        self,
        index: int,
        values: Sequence[float],
        seeds: Sequence[int],
        full: bool = False,
        stop_above: float = math.inf,
    ) -> dict[str, Any]:
        """The task that runs one parameter set's replicates (plain data, picklable).

        Args:
            index: The evaluation's number.
            values: Values of the free parameters, in order.
            seeds: One seed per replicate.
            full: Keep every yearly and summary output (for the check of the estimate).
            stop_above: Stop the runs as soon as the distance is sure to exceed this.
        """
        try:
            scenario = self.scenario_with(values)
        except ScenarioError as error:
            raise CalibrationError(
                f"parameter set {index} ({self.describe(values)}) is not a valid scenario:\n{error}"
            ) from None
        return {
            "index": int(index),
            "scenario": scenario.to_dict(),
            "seeds": [int(s) for s in seeds],
            "yearly_columns": None if full else self.yearly_columns(),
            "summary_columns": None if full else self.summary_columns(),
            "stop": None
            if not math.isfinite(stop_above)
            else {
                "above": float(stop_above),
                "column": self.settings.arrivals,
                "distance": self.settings.distance,
                "observed": {str(y): float(self.observed[y]) for y in self.fitted_years},
            },
        }

    def describe(self, values: Sequence[float]) -> str:
        """Values in words: ``base_departures=812, famine=12.4``."""
        return ", ".join(f"{p.id}={v:.4g}" for p, v in zip(self.parameters, values, strict=True))

    def distance(self, yearly: pd.DataFrame, summary: pd.DataFrame) -> Distance:
        """Distance of one parameter set's replicates from the observed data.

        Args:
            yearly: Long yearly table of its replicates.
            summary: Its summary table.

        Returns:
            The distance (infinite when nothing was simulated).
        """
        if yearly.empty:
            return Distance(math.inf, math.inf, {})
        fit = arrivals_fit(yearly, self.observed, self.fitted_years, self.settings.arrivals)
        penalties = {}
        for target in self.targets:
            penalties[target.name] = check_target(target, yearly, summary).penalty
        arrivals = fit.ard if self.settings.distance == "ard" else fit.rms_log
        total = arrivals + sum(penalties.values())
        return Distance(float(total), float(arrivals), penalties)

    def record_distance(self, record: Mapping[str, Any]) -> Distance:
        """Distance of a finished evaluation (its lower bound if it was stopped early)."""
        stopped = record.get("stopped")
        if stopped:
            bound = float(stopped["lower_bound"])
            return Distance(bound, bound, {}, stopped=True)
        return self.distance(*tables_of(record))


def tables_of(record: Mapping[str, Any]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The yearly and summary tables of a finished evaluation (empty if it failed or stopped)."""
    if record.get("error") or record.get("stopped"):
        return pd.DataFrame(), pd.DataFrame()
    return pd.DataFrame(record["yearly"]), pd.DataFrame(record["summary"])
