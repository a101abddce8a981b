"""The uncertain values of a scenario: its ``[[uncertainty]]`` ranges, and points in them.

A parameter point is a vector of values in the unit cube (0 = ``low``, 1 = ``high``, on a
log scale for ``scale = "log"``); :func:`values_at` turns it into the scenario's units and
:func:`scenario_at` into a validated scenario. A what-if keeps its own value of a ranged
path it changes (its lever); every other ranged value takes the point's.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from nkroutes.scenario import Scenario, ScenarioError
from nkroutes.scenario.bounded import Bounded, BoundedForm, bounded_values


class SensitivityError(ValueError):
    """A sensitivity analysis or a ``--draws`` comparison cannot start (exit code 2).

    The message names the file, the key path and what was expected; nothing was run.
    """


#: How ``[[uncertainty]]`` writes its ranges.
UNCERTAINTY = BoundedForm(
    table="uncertainty",
    low="low",
    high="high",
    is_log=lambda item: item.get("scale") == "log",
    error=SensitivityError,
    missing="found no ranges, expected [[uncertainty]] tables (id, path, low, high, scale, "
    "reason) naming the values to vary",
)


@dataclass(frozen=True)
class Range(Bounded):
    """One uncertain value and its plausible range: a :class:`~nkroutes.scenario.bounded.Bounded`.

    Attributes:
        id: Short name (``[[uncertainty]]`` id), used in tables and figures.
        path: Dotted key path of the value in the scenario.
        low: Lowest plausible value (the value's unit).
        high: Highest plausible value.
        log: Whether points are uniform in the logarithm.
        reason: Why this range.
        integer: Whether the value is a whole number (points are rounded).
    """

    reason: str = ""
    integer: bool = False

    def value(self, unit: float) -> float:
        """The value at ``unit`` (0 = low, 1 = high) of the range."""
        if self.log:
            value = math.exp(math.log(self.low) + unit * (math.log(self.high) - math.log(self.low)))
        else:
            value = self.low + unit * (self.high - self.low)
        value = min(max(value, self.low), self.high)
        return float(round(value)) if self.integer else value

    def unit(self, value: float) -> float:
        """Where ``value`` lies in the range (0 = low, 1 = high), the inverse of :meth:`value`."""
        if self.log:
            return (math.log(value) - math.log(self.low)) / (
                math.log(self.high) - math.log(self.low)
            )
        return (value - self.low) / (self.high - self.low)


def ranges_of(scenario: Scenario, names: Sequence[str] | None = None) -> tuple[Range, ...]:
    """The scenario's ranges (all, or those named), checked to hold the scenario's values.

    Args:
        scenario: A scenario with ``[[uncertainty]]`` items.
        names: Ids to keep (``--param``), in the order given; ``None`` keeps every range.

    Raises:
        SensitivityError: If there is no range, a name is unknown, or a range leaves out
            the scenario's value (with the file, the key path and what was expected).
    """

    def select(items: list[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
        if not names:
            return items
        by_id = {str(i["id"]): i for i in items}
        unknown = [n for n in names if n not in by_id]
        if unknown:
            raise SensitivityError(
                f"--param: found {', '.join(unknown)}, expected ids of [[uncertainty]] in "
                f"{scenario.source}: {', '.join(by_id)}"
            )
        return [by_id[n] for n in dict.fromkeys(names)]

    def make(record: Bounded, item: Mapping[str, Any]) -> Range:
        value = scenario.get(record.path)
        if not record.low <= float(value) <= record.high:
            raise SensitivityError(
                f"{UNCERTAINTY.where(scenario)}.{record.id}.low: found {record.low:g} to "
                f"{record.high:g}, which leaves out {value:g}, the value of {record.path}; "
                "expected a range that holds the scenario's value"
            )
        return Range(
            **asdict(record),
            reason=str(item.get("reason", "")),
            integer=isinstance(value, int) and not isinstance(value, bool),
        )

    return bounded_values(scenario, UNCERTAINTY, make, select)


def values_at(ranges: Sequence[Range], unit_point: Sequence[float]) -> dict[str, float]:
    """The values of a point of the unit cube: ``{path: value}``."""
    return {r.path: r.value(float(u)) for r, u in zip(ranges, unit_point, strict=True)}


def levers(base: Scenario, what_if: Scenario, ranges: Sequence[Range]) -> frozenset[str]:
    """The ranged paths whose value the what-if changes: they keep the what-if's value."""
    out = set()
    for r in ranges:
        try:
            if what_if.get(r.path) != base.get(r.path):
                out.add(r.path)
        except KeyError:
            continue
    return frozenset(out)


def scenario_at(
    scenario: Scenario, values: dict[str, float], keep: frozenset[str] = frozenset()
) -> Scenario:
    """The scenario with the point's values, except the paths in ``keep`` (its levers).

    Raises:
        SensitivityError: If the values make an invalid scenario (a range beyond what
            another key allows, e.g. a minimum above a maximum).
    """
    overrides = {p: v for p, v in values.items() if p not in keep}
    try:
        return scenario.with_overrides(overrides)
    except ScenarioError as error:
        shown = ", ".join(f"{p}={v:.4g}" for p, v in overrides.items())
        raise SensitivityError(
            f"{scenario.source}: a point of the [[uncertainty]] ranges is not a valid "
            f"scenario ({shown}):\n{error}"
        ) from None


def unit_of(ranges: Sequence[Range], values: dict[str, float]) -> np.ndarray:
    """A point in the unit cube from values by path (the inverse of :func:`values_at`)."""
    return np.array([r.unit(float(values[r.path])) for r in ranges])
