"""One evaluation of a calibration: a parameter set's replicates, run through the ensemble.

:func:`run_parameter_set` is the task function executors run: top level, picklable, given
and returning plain data. Its replicates run side by side
(:func:`nkroutes.ensemble.batch.run_side_by_side`), and :class:`EarlyStop` stops them as soon
as the set is sure to be too far from the observed data to matter.
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from nkroutes.ensemble.batch import run_side_by_side, year_output
from nkroutes.ensemble.errors import caused_by_interrupt


class EarlyStop:
    """Stops a parameter set's runs once their distance is sure to exceed a bound.

    After each fitted year, the arrivals' distance of the years so far (the median over
    replicates against the observed) is a lower bound of the whole distance (later years
    and penalties only add to it): the RMS of the log differences taken over all fitted
    years, or, with ``distance = "ard"``, the absolute differences so far over the sum of
    all fitted years' observed arrivals. Once it exceeds ``above`` the runs stop: the
    parameter set cannot enter the population, so the time its runs would take is saved.

    Args:
        stop: ``above``, ``column``, ``observed`` (year -> arrivals) and ``distance``
            (``"log"`` if absent), as in
            :meth:`nkroutes.calibration.problem.CalibrationProblem.task`.
    """

    def __init__(self, stop: Mapping[str, Any]) -> None:
        self.above = float(stop["above"])
        self.column = str(stop["column"])
        self.observed = {int(y): v for y, v in stop.get("observed", {}).items()}
        self.relative = stop.get("distance", "log") == "ard"
        self.total_observed = float(sum(self.observed.values()))
        self.squares = 0.0
        self.absolute = 0.0

    def __call__(self, year: int, steps: np.ndarray, models: Sequence[Any]) -> dict | None:
        """After a simulated year: ``None`` to go on, or ``{"year", "lower_bound"}`` to stop."""
        if year not in self.observed:
            return None
        values = [year_output(m, self.column, steps) for m in models]
        median = float(np.median(values))
        if self.relative:
            self.absolute += abs(median - self.observed[year])
            bound = self.absolute / self.total_observed
        else:
            diff = math.log1p(median) - math.log1p(self.observed[year])
            self.squares += diff * diff
            bound = math.sqrt(self.squares / len(self.observed))
        # Relative slack of 1e-9: at the last fitted year the bound is the distance itself,
        # summed in another order, and must not stop a set whose distance equals `above`.
        if bound > self.above * (1.0 + 1e-9):
            return {"year": year, "lower_bound": bound}
        return None


def run_replicates(
    scenario: Mapping[str, Any], seeds: Sequence[int], stop: Mapping[str, Any] | None
) -> tuple[list[Any], dict[str, Any] | None]:
    """Run replicates side by side, month by month, and stop them when they cannot fit.

    Args:
        scenario: The scenario's values.
        seeds: One per replicate.
        stop: ``above``, ``column`` and ``observed`` (see :class:`EarlyStop`), or ``None``
            to run to the end.

    Returns:
        The runs' results (:class:`nkroutes.model.RunResult`) and ``None``, or ``[]`` and
        ``{"year", "lower_bound"}``.
    """
    return run_side_by_side(scenario, seeds, None if stop is None else EarlyStop(stop))


def run_parameter_set(task: Mapping[str, Any]) -> dict[str, Any]:
    """Run one parameter set's replicates and keep the outputs the distance needs.

    The task function given to executors: plain data in, plain data out. A run that fails
    is reported in ``error`` (its type and message) rather than raised, so one bad corner
    of the parameter box does not stop a calibration.

    Args:
        task: From :meth:`CalibrationProblem.task`.

    Returns:
        ``index``, ``yearly`` and ``summary`` (columns as lists, one row per replicate
        and year / per replicate), ``seconds`` (wall time), ``error`` (``None`` or text)
        and ``stopped`` (``None``, or the year and distance lower bound at which the runs
        were stopped, see :class:`EarlyStop`; the tables are then empty).
    """
    start = time.perf_counter()
    yearly_parts, summary_rows = [], []
    try:
        runs, stopped = run_replicates(task["scenario"], task["seeds"], task.get("stop"))
        for replicate, (seed, run) in enumerate(zip(task["seeds"], runs, strict=False)):
            yearly = run.yearly()
            columns = task["yearly_columns"] or [c for c in yearly.columns if c != "year"]
            part = yearly[["year", *columns]].copy()
            part.insert(0, "replicate", replicate)
            yearly_parts.append(part)
            summary = run.summary()
            keys = task["summary_columns"]
            keys = list(summary) if keys is None else keys
            summary_rows.append(
                {"replicate": replicate, "seed": int(seed)} | {k: summary[k] for k in keys}
            )
    except Exception as error:  # reported with the evaluation, see the docstring
        if caused_by_interrupt(error):  # Ctrl-C in compiled code: stop, not fail
            raise KeyboardInterrupt from error
        return {
            "index": task["index"],
            "yearly": {},
            "summary": {},
            "seconds": time.perf_counter() - start,
            "error": f"{type(error).__name__}: {error}",
            "stopped": None,
        }
    if stopped:
        return {
            "index": task["index"],
            "yearly": {},
            "summary": {},
            "seconds": time.perf_counter() - start,
            "error": None,
            "stopped": stopped,
        }
    yearly_all = pd.concat(yearly_parts, ignore_index=True)
    return {
        "index": task["index"],
        "yearly": {c: _plain_list(yearly_all[c]) for c in yearly_all.columns},
        "summary": {k: [_plain(r[k]) for r in summary_rows] for k in summary_rows[0]},
        "seconds": time.perf_counter() - start,
        "error": None,
        "stopped": None,
    }


def _plain(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    return value


def _plain_list(series: pd.Series) -> list[Any]:
    return [_plain(v) for v in series.tolist()]
