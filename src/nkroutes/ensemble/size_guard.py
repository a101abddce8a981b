"""The size check of the Python API, and the estimate at the largest values a run will take.

A scenario can be valid and still ask for more than a machine can give (see
:mod:`nkroutes.scenario.size`). The commands refuse it with ``--allow-large`` as the way
through (:mod:`nkroutes.commands.size_check`); from Python, ``run_ensemble``, ``compare``,
``compare(..., draws=K)`` and ``sensitivity`` refuse it with :func:`check_replicate_size`
before anything runs, ``allow_large=True`` being the way through. Both estimate a run that
takes other values than the scenario's own (posterior sets, points, ranges) at the largest
value of each varied path: the estimate grows with every value it reads (the departure rate
and the push factors' intensities), so one estimate there bounds every run.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TypeVar

from nkroutes.ensemble.errors import EnsembleSetupError
from nkroutes.scenario import Scenario
from nkroutes.scenario.paths import PathError, get_path, set_path
from nkroutes.scenario.size import (
    SizeEstimate,
    affects_size,
    estimate_size,
    size_problem,
    steps_problem,
)

_V = TypeVar("_V")


def own_value(scenario: Scenario, path: str) -> float | None:
    """The scenario's value at ``path``, or ``None`` where it has none (a later check names it)."""
    try:
        return float(get_path(scenario.data, path))
    except (PathError, TypeError, ValueError):
        return None


def largest_values(values: Iterable[Mapping[str, float]]) -> dict[str, float]:
    """The largest value of each path over several sets of ``{path: value}``."""
    largest: dict[str, float] = {}
    for point in values:
        for path, value in point.items():
            largest[path] = max(float(value), largest.get(path, float(value)))
    return largest


def keeping_levers(scenario: Scenario, base: Scenario, largest: Mapping[str, _V]) -> dict[str, _V]:
    """``largest`` less the paths a what-if changes from its base: there it keeps its own value.

    A what-if run at the base's varied values keeps the value of a path it sets itself (its
    lever), so only the paths it leaves as the base has them take the varied values.
    """
    return {p: v for p, v in largest.items() if own_value(scenario, p) == own_value(base, p)}


def size_at_largest(
    scenario: Scenario, largest: Mapping[str, float] | None = None
) -> tuple[SizeEstimate, dict[str, float]]:
    """One replicate's size with each varied path at its largest value, where above its own.

    Args:
        scenario: The scenario.
        largest: The largest value each varied path will take (``None``: none varied).

    Returns:
        ``(estimate, raised)``: the estimate, and the paths it raised with their values
        (those that enter the estimate, above the scenario's own value).
    """
    raised = {}
    for path, value in (largest or {}).items():
        own = own_value(scenario, path) if affects_size(path) else None
        if own is not None and value > own:
            raised[path] = value
    data = scenario.to_dict()
    for path, value in raised.items():
        set_path(data, path, value)
    return estimate_size(data), raised


def size_refusal(
    scenario: Scenario, allow_large: bool, largest: Mapping[str, float] | None = None
) -> tuple[str, str, dict[str, float]] | None:
    """Why a scenario's replicates may not run at ``largest``, or ``None`` if they may.

    The one decision behind the commands' check (``--allow-large``) and the Python API's
    (``allow_large``); each words its own message.

    Returns:
        ``(what, problem, raised)``: ``"cannot run"`` (more steps than the model can count,
        whatever ``allow_large``) or ``"too large to run"``; the estimate against its limit
        (:func:`nkroutes.scenario.size.size_problem`); the varied values it was estimated at
        (:func:`size_at_largest`).
    """
    size, raised = size_at_largest(scenario, largest)
    steps = steps_problem(size)
    if steps is not None:
        return "cannot run", steps, raised
    problem = None if allow_large else size_problem(size)
    return None if problem is None else ("too large to run", problem, raised)


def at_largest(raised: Mapping[str, float], sources: Mapping[str, str] | None = None) -> str:
    """`` at the largest values it will run (path = value (source); ...)``, or ``""``."""
    if not raised:
        return ""
    named = "; ".join(
        f"{path} = {value:,.10g}" + (f" ({sources[path]})" if sources else "")
        for path, value in raised.items()
    )
    return f" at the largest values it will run ({named})"


def check_replicate_size(
    scenario: Scenario,
    allow_large: bool,
    largest: Mapping[str, float] | None = None,
    label: str | None = None,
) -> None:
    """Refuse, from Python, a scenario whose replicates are above the size limits.

    Args:
        scenario: The scenario.
        allow_large: Run it whatever its size (but not more steps than the model can count).
        largest: The largest value each path a call varies will take (see
            :func:`size_at_largest`).
        label: How the message names the scenario (default: its source).

    Raises:
        EnsembleSetupError: Naming the scenario, the values it was estimated at, the
            estimate and the limit.
    """
    refusal = size_refusal(scenario, allow_large, largest)
    if refusal is None:
        return
    what, problem, raised = refusal
    name = label or scenario.source
    if what == "cannot run":
        raise EnsembleSetupError(f"{name}: cannot run: {problem}")
    raise EnsembleSetupError(
        f"{name}: too large to run{at_largest(raised)}: {problem}; pass allow_large=True to "
        "run it anyway"
    )
