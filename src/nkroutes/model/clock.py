"""Simulated time: step dates, step length and unit conversions.

The run covers every day from the first day of ``time.start`` to the last day of
``time.end`` (both months included). Steps are calendar months, or weeks or days counted
from the start date; the last step may run past the end date by up to six days (weeks).
Each step belongs to the calendar year of its first day. Rates per year become per-step
probabilities ``p = 1 - exp(-rate * dt)`` with ``dt`` the step length in years.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np

DAYS_PER_YEAR = 365.25
DAYS_PER_MONTH = DAYS_PER_YEAR / 12


def parse_month(text: str) -> dt.date:
    """The first day of a ``YYYY-MM`` month."""
    year, month = text.split("-")[:2]
    return dt.date(int(year), int(month), 1)


def _month_after(day: dt.date) -> dt.date:
    return dt.date(day.year + (day.month == 12), day.month % 12 + 1, 1)


@dataclass(frozen=True)
class Clock:
    """The step calendar of a run.

    Attributes:
        step_name: ``"month"``, ``"week"`` or ``"day"``.
        starts: First day of each step.
        years: Calendar year of each step.
        step_days: Length of each step in days (months vary).
        mean_step_days: Average step length in days (used to turn durations into steps).
        dt_years: Average step length in years (used to turn rates into probabilities).
    """

    step_name: str
    starts: tuple[dt.date, ...]
    years: np.ndarray
    step_days: np.ndarray
    mean_step_days: float = field(init=False)
    dt_years: float = field(init=False)

    def __post_init__(self) -> None:
        mean = float(np.mean(self.step_days))
        object.__setattr__(self, "mean_step_days", mean)
        object.__setattr__(self, "dt_years", mean / DAYS_PER_YEAR)

    @classmethod
    def from_time_table(cls, start: str, end: str, step: str) -> Clock:
        """Build the calendar from the scenario's ``[time]`` values."""
        first = parse_month(start)
        stop = _month_after(parse_month(end))
        starts: list[dt.date] = []
        day = first
        while day < stop:
            starts.append(day)
            if step == "month":
                day = _month_after(day)
            elif step == "week":
                day = day + dt.timedelta(days=7)
            else:
                day = day + dt.timedelta(days=1)
        ends = [*starts[1:], _month_after(starts[-1]) if step == "month" else None]
        if step != "month":
            width = 7 if step == "week" else 1
            ends[-1] = starts[-1] + dt.timedelta(days=width)
        step_days = np.array([(e - s).days for s, e in zip(starts, ends, strict=True)], float)
        years = np.array([s.year for s in starts], dtype=np.int32)
        return cls(step, tuple(starts), years, step_days)

    @property
    def n_steps(self) -> int:
        """Number of steps in the run."""
        return len(self.starts)

    @property
    def year_list(self) -> list[int]:
        """The calendar years the run covers, in order."""
        return sorted(set(self.years.tolist()))

    def step_of(self, month: str) -> int:
        """The first step that starts on or after the first day of a ``YYYY-MM`` month."""
        day = parse_month(month)
        for i, s in enumerate(self.starts):
            if s >= day:
                return i
        return self.n_steps

    def prob(self, rate_per_year: float | np.ndarray) -> float | np.ndarray:
        """Per-step probability of an event with the given yearly hazard."""
        return -np.expm1(-np.asarray(rate_per_year, dtype=float) * self.dt_years)

    def steps_for_days(self, days: float | np.ndarray) -> np.ndarray:
        """Whole steps a duration in days takes (rounded to nearest; 0 means this step)."""
        return np.rint(np.asarray(days, dtype=float) / self.mean_step_days).astype(np.int32)

    def steps_for_months(self, months: float | np.ndarray) -> np.ndarray:
        """Whole steps a duration in months takes (rounded to nearest, at least 1)."""
        steps = np.rint(np.asarray(months, dtype=float) * DAYS_PER_MONTH / self.mean_step_days)
        return np.maximum(steps, 1).astype(np.int32)

    def months(self, steps: np.ndarray | float) -> np.ndarray:
        """Convert a number of steps to months."""
        return np.asarray(steps, dtype=float) * self.mean_step_days / DAYS_PER_MONTH
