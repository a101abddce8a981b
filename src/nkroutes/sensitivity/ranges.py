"""The uncertain values of a scenario: its ``[[uncertainty]]`` ranges, and points in them.

A parameter point is a vector of values in the unit cube (0 = ``low``, 1 = ``high``, on a
log scale for ``scale = "log"``); :func:`values_at` turns it into the scenario's units and
:func:`scenario_at` into a validated scenario. A what-if keeps its own value of a ranged
path it changes (its lever); every other ranged value takes the point's.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from nkroutes.scenario import Scenario, ScenarioError


class SensitivityError(ValueError):
    """A sensitivity analysis or a ``--draws`` comparison cannot start (exit code 2).

    The message names the file, the key path and what was expected; nothing was run.
    """


@dataclass(frozen=True)
class Range:
    """One uncertain value and its plausible range.

    Attributes:
        id: Short name (``[[uncertainty]]`` id), used in tables and figures.
        path: Dotted key path of the value in the scenario.
        low: Lowest plausible value (the value's unit).
        high: Highest plausible value.
        log: Whether points are uniform in the logarithm.
        reason: Why this range.
        integer: Whether the value is a whole number (points are rounded).
    """

    id: str
    path: str
    low: float
    high: float
    log: bool = False
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
    items = list(scenario.data.get("uncertainty") or ())
    where = f"{scenario.source}: uncertainty"
    if not items:
        raise SensitivityError(
            f"{where}: found no ranges, expected [[uncertainty]] tables (id, path, low, high, "
            "scale, reason) naming the values to vary"
        )
    by_id = {str(i["id"]): i for i in items}
    if names:
        unknown = [n for n in names if n not in by_id]
        if unknown:
            raise SensitivityError(
                f"--param: found {', '.join(unknown)}, expected ids of [[uncertainty]] in "
                f"{scenario.source}: {', '.join(by_id)}"
            )
        items = [by_id[n] for n in dict.fromkeys(names)]
    out = []
    for item in items:
        value = scenario.get(item["path"])
        low, high = float(item["low"]), float(item["high"])
        if not low <= float(value) <= high:
            raise SensitivityError(
                f"{where}.{item['id']}.low: found {low:g} to {high:g}, which leaves out "
                f"{value:g}, the value of {item['path']}; expected a range that holds the "
                "scenario's value"
            )
        out.append(
            Range(
                id=str(item["id"]),
                path=str(item["path"]),
                low=low,
                high=high,
                log=item.get("scale") == "log",
                reason=str(item.get("reason", "")),
                integer=isinstance(value, int) and not isinstance(value, bool),
            )
        )
    return tuple(out)


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
