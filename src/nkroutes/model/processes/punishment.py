"""ODD 7.5 Punishment and release: serving a term in North Korea, and new attempts.

A migrant detained (7.11, :func:`~nkroutes.model.processes.enforcement.detain`) serves its
term a step at a time. In a camp it dies with hazard ``camp_death_rate_per_year``. On
release it decides once, with ``retry_probability``, whether it will leave again; if so it
leaves with hazard ``retry_rate_per_year`` (see the departure process, 7.6).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numba
import numpy as np

from nkroutes.model.migrants import NO_PLACE, State
from nkroutes.model.random import draw, salt_of

_DIED, _HOME, _GAVE_UP = int(State.DIED), int(State.HOME), int(State.GAVE_UP)

if TYPE_CHECKING:
    from nkroutes.model.model import RouteModel


@numba.njit(cache=True, nogil=True)
def _serve(
    ids: np.ndarray,
    columns: tuple[np.ndarray, ...],
    draws: tuple[np.uint64, np.uint64, np.int64],
    p_camp_death: float,
    p_retry: float,
    step: int,
) -> tuple[int, int]:  # pragma: no cover - compiled
    """:func:`serve_sentences` per detained migrant, in one compiled pass.

    Args:
        ids: The detained, ascending.
        columns: ``in_camp``, ``key``, ``remaining``, ``state``, ``outcome_step``, ``place``,
            ``will_retry`` (updated).
        draws: The run's key, the ``release`` stream's key, and the step's counter
            (:meth:`Streams.counter`): a camp death is that stream's slot 0, a decision to
            retry its slot 1.
        p_camp_death: Chance of dying in a camp this step.
        p_retry: ``retry_probability``.
        step: The step now.

    Returns:
        ``(died, released)``.
    """
    in_camp, key, remaining, state, outcome_step, place, will_retry = columns
    run_key, stream_key, counter = draws
    death_salt = salt_of(run_key, np.int64(counter))
    retry_salt = salt_of(run_key, np.int64(counter) + 1)
    died = 0
    released = 0
    for i in range(ids.shape[0]):
        m = ids[i]
        # Only those in a camp can die: only they draw (each draw is its migrant's own).
        if in_camp[m] and draw(key[m], death_salt, stream_key) < p_camp_death:
            state[m] = _DIED
            outcome_step[m] = step
            place[m] = NO_PLACE
            died += 1
            continue
        remaining[m] -= 1
        if remaining[m] <= 0:
            retry = draw(key[m], retry_salt, stream_key) < p_retry
            in_camp[m] = False
            will_retry[m] = retry
            if retry:
                state[m] = _HOME
            else:
                state[m] = _GAVE_UP
                outcome_step[m] = step
            released += 1
    return died, released


def serve_sentences(model: RouteModel) -> None:
    """Detained migrants serve a step of their term; some die in camps; some are released."""
    t = model.table
    ids = t.select_busy((State.DETAINED,))
    if len(ids) == 0:
        return
    nk = model.params.north_korea
    streams = model.streams
    cols = t.cols
    died, released = _serve(
        ids,
        (
            cols["in_camp"],
            cols["key"],
            cols["remaining"],
            cols["state"],
            cols["outcome_step"],
            cols["place"],
            cols["will_retry"],
        ),
        (streams.run_key, streams.key_of("release"), streams.counter(model.step_index)),
        float(model.clock.prob(nk.camp_death_rate_per_year)),
        float(nk.retry_probability),
        model.step_index,
    )
    model.counters["died"] += died
    model.counters["died_in_detention"] += died
    model.counters["released"] += released
