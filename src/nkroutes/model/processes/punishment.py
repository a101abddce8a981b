"""ODD 7.5 Punishment and release: serving a term in North Korea, and new attempts.

A migrant detained (7.11, :func:`~nkroutes.model.processes.enforcement.detain`) at step ``s``
serves its term of ``R`` steps (``remaining``) from step ``s + 1``: it is released at step
``s + max(R, 1)``. In a camp it dies with hazard ``camp_death_rate_per_year``. On release it
decides once, with ``retry_probability``, whether it will leave again; if so it leaves with
hazard ``retry_rate_per_year`` (see the departure process, 7.6).

The term is met by event time, as stays in China are (``model/stays.py``): at detention a
migrant sent to a camp draws one Exp(1) threshold ``E`` (``punishment`` stream, slot 3) and
would die ``floor(E / h)`` steps after its first step served, ``h = -ln(1 - p)`` with ``p``
the per-step chance of dying: a geometric time with chance ``p`` a step, the law of a draw
per step. The migrant is filed under the earlier of its death and its release
(``model/schedule.py``), and no step reads it until then. While detained, ``stay_from`` is
the first step served since the term was last placed, ``left_arrest`` the threshold left
then, ``remaining`` the steps of the term from ``stay_from``, ``wake`` the step of the death
or release. A dated event that changes the camps' death rate places the terms again
(:func:`repredict_terms`), spending the hazard met so far.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numba
import numpy as np

from nkroutes.model.groups import distinct
from nkroutes.model.migrants import NO_PLACE, State
from nkroutes.model.random import draw, salt_of
from nkroutes.model.stays import NEVER, event_step
from nkroutes.model.thresholds import exp1

_DIED, _HOME, _GAVE_UP = int(State.DIED), int(State.HOME), int(State.GAVE_UP)

if TYPE_CHECKING:
    from nkroutes.model.model import RouteModel


@numba.njit(cache=True, inline="always")
def _term_end(
    m: int,
    remaining: np.ndarray,
    in_camp: np.ndarray,
    left: np.ndarray,
    start: int,
    h: float,
    n_steps: int,
) -> tuple[int, bool]:  # pragma: no cover - compiled
    """The step a term ends from ``start`` (no cap), and whether by death in a camp.

    Release at ``start - 1 + max(R, 1)``; in a camp, death at the step
    :func:`nkroutes.model.stays.event_step` gives (``start + floor(left / h)``, never after
    the run) if that is not later (the death is met before the release at the same step).
    """
    release = start - 1 + max(np.int64(remaining[m]), 1)
    if in_camp[m]:
        death = event_step(float(start), np.float64(left[m]), h, n_steps)
        if death <= release:
            return np.int64(death), True
    return release, False


@numba.njit(cache=True, nogil=True)
def _place_terms(
    ids: np.ndarray,
    columns: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray],
    start: int,
    h: float,
    n_steps: int,
) -> np.ndarray:  # pragma: no cover - compiled
    """Set ``stay_from`` and ``wake`` of terms served from ``start``; return the wakes.

    Args:
        ids: The detained.
        columns: ``remaining``, ``in_camp``, ``left_arrest``, ``stay_from``, ``wake``.
        start: First step served from now.
        h: Per-step hazard of dying in a camp.
        n_steps: Steps of the run (a term ending later wakes :data:`NEVER`).
    """
    remaining, in_camp, left, stay_from, wake = columns
    out = np.empty(ids.shape[0], dtype=np.int32)
    for i in range(ids.shape[0]):
        m = ids[i]
        end, _ = _term_end(m, remaining, in_camp, left, start, h, n_steps)
        w = NEVER if end >= n_steps else end
        stay_from[m] = start
        wake[m] = w
        out[i] = w
    return out


@numba.njit(cache=True, nogil=True)
def _end_terms(
    ids: np.ndarray,
    columns: tuple[np.ndarray, ...],
    draws: tuple[np.uint64, np.uint64, np.int64],
    h: float,
    p_retry: float,
    step: int,
    n_steps: int,
) -> tuple[int, np.ndarray]:  # pragma: no cover - compiled
    """End the terms due now: deaths in camps and releases.

    Args:
        ids: The detained whose term ends now (``wake`` is this step), ascending.
        columns: ``remaining``, ``in_camp``, ``left_arrest``, ``stay_from``, ``key``,
            ``state``, ``outcome_step``, ``place``, ``will_retry`` (updated).
        draws: The run's key, the ``release`` stream's key, and the step's counter
            (:meth:`Streams.counter`): a decision to retry is that stream's slot 1.
        h: Per-step hazard of dying in a camp.
        p_retry: ``retry_probability``.
        step: The step now.
        n_steps: Steps of the run.

    Returns:
        ``(died, released)``: how many died, and the ids released, ascending.
    """
    remaining, in_camp, left, stay_from, key, state, outcome_step, place, will_retry = columns
    run_key, stream_key, counter = draws
    retry_salt = salt_of(run_key, np.int64(counter) + 1)
    released = np.empty(ids.shape[0], dtype=np.int64)
    n_released = 0
    died = 0
    for i in range(ids.shape[0]):
        m = ids[i]
        _, dies = _term_end(m, remaining, in_camp, left, stay_from[m], h, n_steps)
        # The term left as a count a step at a time would leave it: the steps before this
        # one served, and this one too on release.
        remaining[m] -= step - stay_from[m] + (0 if dies else 1)
        if dies:
            state[m] = _DIED
            outcome_step[m] = step
            place[m] = NO_PLACE
            died += 1
            continue
        retry = draw(key[m], retry_salt, stream_key) < p_retry
        in_camp[m] = False
        will_retry[m] = retry
        if retry:
            state[m] = _HOME
        else:
            state[m] = _GAVE_UP
            outcome_step[m] = step
        released[n_released] = m
        n_released += 1
    return died, released[:n_released].copy()


def camp_death_hazard(model: RouteModel) -> float:
    """Per-step hazard of dying in a camp: ``-ln(1 - p)``."""
    p = float(model.clock.prob(model.params.north_korea.camp_death_rate_per_year))
    with np.errstate(divide="ignore"):
        return float(-np.log1p(-p))


def _columns(model: RouteModel) -> tuple[np.ndarray, ...]:
    cols = model.table.cols
    return tuple(cols[c] for c in ("remaining", "in_camp", "left_arrest", "stay_from", "wake"))


def start_terms(model: RouteModel, ids: np.ndarray) -> None:
    """File the terms of migrants just detained (``remaining`` and ``in_camp`` set)."""
    cols = model.table.cols
    camp = ids[cols["in_camp"][ids]]
    u = model.streams.uniform("punishment", cols["key"][camp], model.step_index, slot=3)
    cols["left_arrest"][camp] = exp1(u)
    wake = _place_terms(
        ids,
        _columns(model),
        model.step_index + 1,
        camp_death_hazard(model),
        model.clock.n_steps,
    )
    model.detention_schedule.push(ids, wake)
    model.detained += len(ids)


def repredict_terms(model: RouteModel, h_old: float) -> None:
    """Place the terms again after an event changed the camps' death rate (before 7.5).

    Each term keeps its release step; the hazard of dying met since ``stay_from`` is spent
    from its threshold, and the rest meets the new hazard from this step.
    """
    t = model.table
    ids = t.select((State.DETAINED,))
    if len(ids) == 0:
        return
    cols = t.cols
    step = model.step_index
    served = step - cols["stay_from"][ids]
    cols["remaining"][ids] = np.where(
        served > 0, cols["remaining"][ids] - served, cols["remaining"][ids]
    )
    camp = cols["in_camp"][ids] & (served > 0)
    with np.errstate(invalid="ignore"):
        spent = np.where(camp & (h_old > 0), h_old * served, 0.0)
    cols["left_arrest"][ids] = np.maximum(cols["left_arrest"][ids] - spent, 0.0)
    wake = _place_terms(ids, _columns(model), step, camp_death_hazard(model), model.clock.n_steps)
    model.detention_schedule.push(ids, wake)


def remaining_now(model: RouteModel, remaining: np.ndarray, state: np.ndarray) -> np.ndarray:
    """``remaining`` with the steps served since ``stay_from`` taken off the detained's terms.

    As a step-by-step count of the term left would have it after the last step run.
    """
    out = remaining.copy()
    held = np.flatnonzero(state == State.DETAINED)
    served = model.step_index - model.table.cols["stay_from"][held]
    out[held] -= np.maximum(served, 0).astype(out.dtype)
    return out


def serve_sentences(model: RouteModel) -> None:
    """Terms ending now: some die in camps; the others are released."""
    t = model.table
    step = model.step_index
    ids = model.detention_schedule.pop(step)
    if len(ids) == 0:
        return
    cols = t.cols
    ids = distinct(ids[(cols["state"][ids] == State.DETAINED) & (cols["wake"][ids] == step)])
    if len(ids) == 0:
        return
    nk = model.params.north_korea
    streams = model.streams
    died, released = _end_terms(
        ids.astype(np.int64),
        (
            *(cols[c] for c in ("remaining", "in_camp", "left_arrest", "stay_from")),
            *(cols[c] for c in ("key", "state", "outcome_step", "place", "will_retry")),
        ),
        (streams.run_key, streams.key_of("release"), streams.counter(step)),
        camp_death_hazard(model),
        float(nk.retry_probability),
        step,
        model.clock.n_steps,
    )
    model.detained -= len(ids)
    t.note_set_off(released)  # those going home again are busy (7.6 reads them)
    model.counters["died"] += died
    model.counters["died_in_detention"] += died
    model.counters["released"] += len(released)
