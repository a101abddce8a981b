"""A scenario's time axis: the simulated months and the step length, defaults filled in.

Two runs share a time axis when they simulate the same months with the same step; the
model builds its clock from it and comparisons check it before pairing replicates. The
defaults are those of the ``[time]`` table of the schema, read from there.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

from nkroutes.scenario.schema import TIME


class TimeAxis(NamedTuple):
    """The ``[time]`` keys that make a run's time axis.

    Attributes:
        start: First simulated month (``"YYYY-MM"``).
        end: Last simulated month (``"YYYY-MM"``), included.
        step: Length of one step (``"month"``, ``"week"`` or ``"day"``).
    """

    start: str
    end: str
    step: str


#: The ``[time]`` keys of the time axis, in order.
TIME_AXIS: tuple[str, ...] = TimeAxis._fields


def time_axis(values: Mapping[str, Any]) -> TimeAxis:
    """The time axis of a scenario's values, with the schema's default for a key left out.

    Args:
        values: A scenario's values (a ``Scenario``'s ``data`` or a plain dict), whose
            ``time`` table may be missing or partial.

    Returns:
        The scenario's :class:`TimeAxis`.
    """
    time = values.get("time", {})
    return TimeAxis(*(time.get(key, TIME.keys[key].default) for key in TIME_AXIS))
