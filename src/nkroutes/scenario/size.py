"""How big a run a scenario asks for, estimated from its values before anything runs.

A scenario can be valid, every value within its bound, and still ask for more than a machine
can give: a million departures a year for two centuries in daily steps. :func:`estimate_size`
reads the scenario (``--set`` values and events included) and estimates, for one replicate,
the migrants it creates, the steps it takes and the work (migrant-steps) that decides its
running time; :func:`size_problem` says why a size is refused, or ``None``. The commands
that run scenarios (``run``, ``compare``, ``calibrate``, ``sensitivity``) refuse a scenario
above :data:`MAX_MIGRANTS` or :data:`MAX_MIGRANT_STEPS` unless given ``--allow-large``.

The estimate is an upper bound of expected departures: every month it takes the largest
departure multiplier of any origin (``1 +`` the intensities of the push factors active
there), the base rate in force (dated events that set ``departures.base_rate_per_year`` or a
push factor's ``intensity`` are followed; any other event on a push factor makes it count
for every origin from its date), and sums ``rate x multiplier x month length``. Relatives
sponsored by family (chain defection) are not counted (about 2% of departures in the
baseline). For the baseline (1990-2008, as shipped in December 2026) it gives about
371,000 migrants and 4.3 * 10^7 migrant-steps; a run of 1990-1997 creates within a few
percent of its estimate (tests/test_size_estimate.py).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from nkroutes.scenario.values import parse_date

#: Most expected migrants in one replicate: two million, about five times the baseline's
#: 371,000. Each migrant is a row of about 120 bytes in the model's table (more with
#: ``--trace``), so this keeps one replicate's memory near 250 MB per worker.
MAX_MIGRANTS = 2_000_000

#: Most migrant-steps in one replicate (each migrant counted from the step it leaves to the
#: end of the run): 10^10, about 230 times the baseline's monthly run (4.3 * 10^7) and eight
#: times its run in daily steps; at about 5 * 10^-8 s per migrant-step, 8 minutes a replicate.
MAX_MIGRANT_STEPS = 1e10

#: Most steps in one run: 32,767, about 90 years in daily steps (any span in weekly or monthly
#: steps). A migrant can set off at most once a step and the model counts departures per
#: migrant in 16 bits, so no count can wrap; a step costs about a millisecond even when
#: nobody moves.
MAX_STEPS = 32_767

#: Measured cost of the model, for the time shown in messages: seconds per migrant-step,
#: and per step with nobody on the move (one core, December 2026). The cost per migrant-step
#: grows with the size of a run (2.4 * 10^-8 at the baseline's departures and 4 times them,
#: 4.8 * 10^-8 at 64 times: ``benchmarks/README.md``); the limit is about large runs, so this
#: takes the cost at 64 times.
SECONDS_PER_MIGRANT_STEP = 5e-8
SECONDS_PER_STEP = 1e-3

_DAYS_PER_STEP = {"month": None, "week": 7, "day": 1}


def affects_size(path: str) -> bool:
    """Whether the value at ``path`` enters :func:`estimate_size` (and raises it as it grows).

    The departure rate and the push factors' intensities: the estimate grows with each of
    them, so one estimate at the largest values a command will use bounds every run.
    """
    parts = path.split(".")
    if path == "departures.base_rate_per_year":
        return True
    return len(parts) == 3 and parts[0] == "push_factors" and parts[2] == "intensity"


@dataclass(frozen=True)
class SizeEstimate:
    """The estimated size of one replicate of a scenario.

    Attributes:
        migrants: Expected departures (an upper bound, see the module's docstring).
        steps: Model steps from ``time.start`` to ``time.end``.
        migrant_steps: Migrants times the steps each is in the run, summed: the work.
    """

    migrants: float
    steps: int
    migrant_steps: float

    @property
    def seconds(self) -> float:
        """A rough running time of one replicate on one core, in seconds."""
        return self.migrant_steps * SECONDS_PER_MIGRANT_STEP + self.steps * SECONDS_PER_STEP


def _months(start: tuple[int, int], end: tuple[int, int]) -> list[tuple[int, int]]:
    first = start[0] * 12 + start[1] - 1
    last = end[0] * 12 + end[1] - 1
    return [(m // 12, m % 12 + 1) for m in range(first, last + 1)]


def _days_in(month: tuple[int, int]) -> int:
    year, number = month
    following = dt.date(year + number // 12, number % 12 + 1, 1)
    return (following - dt.date(year, number, 1)).days


def _steps_in(month: tuple[int, int], step: str) -> float:
    days = _DAYS_PER_STEP.get(step)
    return 1.0 if days is None else _days_in(month) / days


def _factor_regions(factor: Mapping[str, Any]) -> frozenset[str] | None:
    regions = factor.get("regions") or ()
    return frozenset(regions) if regions else None


def estimate_size(data: Mapping[str, Any]) -> SizeEstimate:
    """Estimate one replicate's migrants, steps and migrant-steps from a scenario's values.

    Args:
        data: A validated scenario's values (``Scenario.data``): dates are valid and every
            number within its schema bound.

    Returns:
        The :class:`SizeEstimate`.
    """
    time = data.get("time", {})
    start = parse_date(str(time.get("start", ""))) or (1990, 1)
    end = parse_date(str(time.get("end", ""))) or start
    step = str(time.get("step", "month"))
    rate = float(data.get("departures", {}).get("base_rate_per_year", 0.0))
    origins = {
        p.get("region", "") for p in data.get("places", ()) if p.get("kind") == "origin"
    } or {""}
    factors = {
        str(f["id"]): {
            "start": parse_date(str(f.get("start", ""))) or start,
            "end": parse_date(str(f.get("end", ""))) or end,
            "intensity": float(f.get("intensity", 0.0)),
            "regions": _factor_regions(f),
        }
        for f in data.get("push_factors", ())
    }
    changes: dict[tuple[int, int], list[tuple[str, Any]]] = {}
    for event in data.get("events", ()):
        date = parse_date(str(event.get("date", ""))) or start
        for key, value in (event.get("set") or {}).items():
            changes.setdefault(max(date, start), []).append((str(key), value))

    months = _months(start, end)
    per_month: list[tuple[float, float]] = []  # (departures, steps) of each month
    for month in months:
        for key, value in changes.get(month, ()):
            rate = _apply_change(key, value, rate, factors, start)
        multiplier = max(
            1.0
            + sum(
                f["intensity"]
                for f in factors.values()
                if f["start"] <= month <= f["end"]
                and (f["regions"] is None or region in f["regions"])
            )
            for region in origins
        )
        per_month.append((rate * multiplier * _days_in(month) / 365.25, _steps_in(month, step)))
    steps = round(sum(s for _, s in per_month))
    migrants = migrant_steps = 0.0
    remaining = float(steps)
    for departures, month_steps in per_month:
        migrants += departures
        migrant_steps += departures * remaining
        remaining -= month_steps
    return SizeEstimate(migrants=migrants, steps=steps, migrant_steps=migrant_steps)


def _apply_change(
    key: str, value: Any, rate: float, factors: dict[str, dict[str, Any]], start: tuple[int, int]
) -> float:
    """Follow one event value that changes departures; return the base rate after it."""
    if key == "departures.base_rate_per_year" and isinstance(value, int | float):
        return float(value)
    parts = key.split(".")
    if len(parts) >= 2 and parts[0] == "push_factors" and parts[1] in factors:
        factor = factors[parts[1]]
        if parts[2:] == ["intensity"] and isinstance(value, int | float):
            factor["intensity"] = float(value)
        else:  # dates or regions changed: count it everywhere, from now on
            factor["regions"] = None
            factor["start"] = start
            factor["end"] = (9999, 12)
    return rate


def size_problem(size: SizeEstimate) -> str | None:
    """Why a replicate of this size is refused, or ``None``.

    Above :data:`MAX_STEPS` a run is refused whatever ``--allow-large`` says (see
    :func:`steps_problem`); above the other limits only without it.
    """
    steps = steps_problem(size)
    if steps is not None:
        return steps
    if size.migrants > MAX_MIGRANTS:
        return (
            f"about {size.migrants:,.0f} migrants per replicate, more than {MAX_MIGRANTS:,}"
            f" (memory: about {size.migrants * 120 / 1e9:,.1f} GB per replicate)"
        )
    if size.migrant_steps > MAX_MIGRANT_STEPS:
        return (
            f"about {size.migrant_steps:,.0f} migrant-steps per replicate "
            f"({size.migrants:,.0f} migrants over {size.steps:,} steps), more than "
            f"{MAX_MIGRANT_STEPS:,.0f} (about {size.seconds / 3600:,.1f} hours per replicate)"
        )
    return None


def steps_problem(size: SizeEstimate) -> str | None:
    """Why a run of this many steps cannot run at all (see :data:`MAX_STEPS`), or ``None``."""
    if size.steps > MAX_STEPS:
        return (
            f"{size.steps:,} steps, more than {MAX_STEPS:,} (a shorter span from time.start to "
            "time.end, or a longer time.step: 'week' or 'month')"
        )
    return None
