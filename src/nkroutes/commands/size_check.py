"""The size check every command that runs scenarios makes before it writes anything.

:func:`check_size` refuses (exit 2) a scenario whose estimated size (:mod:`nkroutes.scenario.size`)
is above the limits, unless ``--allow-large``. Commands that run a scenario at other values
than its own (``run --posterior``, ``compare --draws``, ``sensitivity``, ``calibrate``) pass the
largest value each varied path will take, so that the estimate bounds every run they make:
the estimate grows with each value it reads (the departure rate and the push factors'
intensities), so one estimate at those largest values bounds them all
(:func:`nkroutes.ensemble.size_guard.size_at_largest`, which the Python API's check shares).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from nkroutes.commands.common import BadInput
from nkroutes.ensemble.errors import EnsembleSetupError
from nkroutes.ensemble.size_guard import at_largest, largest_values, size_refusal
from nkroutes.scenario import Scenario

if TYPE_CHECKING:  # pandas is imported by the posterior only when a command needs it
    from nkroutes.ensemble.posterior import Posterior

#: The largest value of each varied path, and where it comes from (for the message):
#: ``{"departures.base_rate_per_year": (3000.0, "[[uncertainty]] base_departures")}``.
Largest = Mapping[str, tuple[float, str]]


def largest_of(values: Iterable[Mapping[str, float]], source: str) -> dict[str, tuple[float, str]]:
    """The largest value of each path over several sets of values (posterior sets, points).

    Args:
        values: Sets of ``{path: value}``.
        source: Where they come from, for the message (``"posterior.csv"``).

    Returns:
        ``{path: (largest value, source)}``.
    """
    return {path: (value, source) for path, value in largest_values(values).items()}


def load_posterior(folder: Path) -> Posterior:
    """A calibration folder's posterior, for ``--posterior``.

    Raises:
        BadInput: If the folder is not a usable calibration (naming the file).
    """
    from nkroutes.ensemble.posterior import Posterior

    try:
        return Posterior.load(folder)
    except EnsembleSetupError as error:
        raise BadInput(str(error)) from None


def posterior_largest(posterior: Posterior) -> dict[str, tuple[float, str]]:
    """The largest value of each calibrated path over a calibration's posterior sets."""
    from nkroutes.ensemble.posterior import POSTERIOR_FILE

    sets = (posterior.values_of(row) for row in range(len(posterior.table)))
    return largest_of(sets, str(posterior.folder / POSTERIOR_FILE))


def check_size(scenario: Scenario, allow_large: bool, largest: Largest | None = None) -> None:
    """Refuse (exit 2) a scenario too large to run, unless ``allow_large``.

    Args:
        scenario: The loaded scenario (``--set`` values applied).
        allow_large: ``--allow-large``: run it whatever its size (but not more steps than the
            model can count).
        largest: The largest value each path the command varies will take, and where it
            comes from; the size is estimated with those above the scenario's own value.

    Raises:
        BadInput: Naming the file, the values it was estimated at, the estimate, the limit
            and what to change.
    """
    largest = largest or {}
    refusal = size_refusal(scenario, allow_large, {path: v for path, (v, _) in largest.items()})
    if refusal is None:
        return
    what, problem, raised = refusal
    if what == "cannot run":
        raise BadInput(f"{scenario.source}: cannot run: {problem}")
    at = at_largest(raised, {path: largest[path][1] for path in raised})
    lower = (
        "narrow the ranges or the posterior that raise them"
        if raised
        else "lower departures.base_rate_per_year or push intensities"
    )
    raise BadInput(
        f"{scenario.source}: too large to run{at}: {problem}; shorten time.start to time.end, "
        f"{lower}, use a longer time.step, or pass --allow-large"
    )
