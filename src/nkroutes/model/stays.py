"""Stays in China by event time: when the next event of a migrant hiding or settled falls.

Most of a run's migrant-steps are people hiding or settled in China for years, who meet the
same hazards (arrest, trafficking, settling, an exit attempt) every step until one of them
happens. Rather than drawing a Bernoulli per hazard per migrant and step, each stay draws
when each of its competing events would fall (ODD 7.1, 7.7; ``docs/design.md``, "Event
time"):

- when a migrant starts (or restarts) a stay at step ``s``, it draws one Exp(1) threshold
  ``E_k`` per competing hazard ``k`` from its own ``hiding`` stream (keyed by migrant, step
  and hazard: common random numbers); hazard ``k``'s per-step hazard is
  ``h_k = -log(1 - p_k)``; the stay's hazards accrue from step ``s + 1`` (``stay_from``),
  event ``k`` would fall at ``stay_from + floor(E_k / h_k)``, and the next event is the
  earliest of them, ties going to the hazard met first in the per-step order (arrest,
  trafficking, settling, exit). Each ``floor(E_k / h_k)`` is geometric with the per-step
  chance ``p_k``, independent of the others, so the first event and its step have exactly
  the law of the per-step draws;
- one threshold per hazard keeps common random numbers local: a what-if that raises the
  arrest rate moves only the arrests (as a per-step draw per hazard did), not the step of
  every stay's trafficking, settling or exit;
- when a migrant's hazards change without an event (a dated event changes a rate, its family
  starts to pay), :func:`repredict` spends the hazard accrued so far from each threshold
  (``E_k - h_k * k`` after ``k`` steps) and places the next event again with the new
  hazards. No new draw is needed;
- word of mouth, whose hazard is the same for every migrant in China but changes every step
  with the broker-assisted arrivals of the last year, is met on the run's accrued hazard
  ``H`` (the sum of its per-step hazards so far): a stay starting when ``H`` is ``H_0`` draws
  an Exp(1) threshold ``E`` (``word_of_mouth`` stream) and its migrant decides at the first
  step at which ``H >= H_0 + E`` (``word_of_mouth_at``), the law of a Bernoulli per step with
  that step's hazard (:func:`nkroutes.model.processes.onward.word_of_mouth`);
- savings accrue by the same clock: ``savings_usd`` holds the balance at ``stay_from`` and a
  stay adds ``savings_per_step`` for each step since (:func:`credit_savings`,
  :func:`savings_now`).

Migrants due at a step are kept in per-step lists of ids (``model/schedule.py``); an entry
whose migrant has left the stay, or whose ``wake`` has moved, is dropped when its step comes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numba
import numpy as np

from nkroutes.model.groups import distinct
from nkroutes.model.migrants import State
from nkroutes.model.random import draw, salt_of
from nkroutes.model.thresholds import exp1, set_thresholds

if TYPE_CHECKING:
    from nkroutes.model.model import RouteModel

#: ``wake`` of a stay whose next event falls after the run's last step.
NEVER = np.iinfo(np.int32).max

#: The threshold left of each competing hazard, in the per-step order of
#: :func:`nkroutes.model.processes.hiding.stay_probabilities`' rows.
LEFT_COLUMNS = ("left_arrest", "left_trafficking", "left_settling", "left_exit")
_N_EVENTS = len(LEFT_COLUMNS)


def savings_per_step(model: RouteModel) -> float:
    """US$ a migrant in China saves each step (``china.savings_usd_per_month``)."""
    return float(np.float32(model.params.china.savings_usd_per_month * model.months_per_step))


def staying(model: RouteModel) -> np.ndarray:
    """Ids of the migrants hiding or settled in China, ascending."""
    return model.table.select((State.HIDING, State.SETTLED))


def per_step_hazards(probabilities: np.ndarray) -> np.ndarray:
    """``-log(1 - p)`` elementwise: each competing event's hazard per step."""
    h = np.negative(probabilities)
    with np.errstate(divide="ignore"):
        np.log1p(h, out=h)
    return np.negative(h, out=h)


def next_event_step(
    start: np.ndarray | int, left: np.ndarray, h: np.ndarray, n_steps: int
) -> np.ndarray:
    """Step of an event: ``start + floor(left / h)``; :data:`NEVER` from ``n_steps`` on.

    Args:
        start: First step whose hazard counts.
        left: The Exp(1) threshold left at ``start``.
        h: Per-step hazard (:func:`per_step_hazards`); 0 means no event.
        n_steps: Steps of the run.

    Returns:
        ``int32`` steps (any shape that broadcasts).
    """
    # Each element by event_step, the arithmetic first_event uses (one definition).
    shape = np.broadcast_shapes(np.shape(left), np.shape(h), np.shape(start))
    start, left, h = (
        np.ascontiguousarray(np.broadcast_to(np.asarray(x, dtype=np.float64), shape)).ravel()
        for x in (start, left, h)
    )
    return _event_steps(start, left, h, n_steps).reshape(shape)


@numba.njit(cache=True, nogil=True)
def _event_steps(
    start: np.ndarray, left: np.ndarray, h: np.ndarray, n_steps: int
) -> np.ndarray:  # pragma: no cover - compiled
    """:func:`event_step` of each element of three flat arrays, as ``int32``."""
    out = np.empty(h.shape[0], dtype=np.int32)
    for i in range(h.shape[0]):
        out[i] = event_step(start[i], left[i], h[i], n_steps)
    return out


@numba.njit(cache=True, inline="always")
def event_step(start: float, left: float, hk: float, n_steps: int) -> int:  # pragma: no cover
    """One hazard's step in float64, as :func:`next_event_step` documents it.

    ``start + floor(left / h)`` (``start`` at an infinite hazard, never at none);
    :data:`NEVER` from ``n_steps`` on.
    """
    # No hazard: never; an infinite one: at once, whatever is left.
    w = np.inf
    if hk > 0:
        w = 0.0 if np.isinf(hk) else np.floor(left / hk)
    w = min(w, n_steps + 1.0) + start
    return NEVER if w >= n_steps else np.int64(w)


@numba.njit(cache=True, nogil=True)
def _first_event_kernel(
    start: np.ndarray, left: np.ndarray, h: np.ndarray, n_steps: int
) -> tuple[np.ndarray, np.ndarray]:  # pragma: no cover - compiled
    """:func:`first_event` in one compiled pass.

    Per stay, each row's step as in :func:`next_event_step`, then the earliest (ties: the
    lowest row).
    """
    n_rows, n = h.shape
    wake = np.empty(n, dtype=np.int32)
    kind = np.empty(n, dtype=np.int64)
    for j in range(n):
        best = NEVER
        best_row = 0
        for k in range(n_rows):
            step = event_step(start[j], left[k, j], h[k, j], n_steps)
            if step < best:
                best = step
                best_row = k
        wake[j] = best
        kind[j] = best_row
    return wake, kind


@numba.njit(cache=True, nogil=True)
def _store_and_wake(
    ids: np.ndarray,
    left: np.ndarray,
    h: np.ndarray,
    start: int,
    n_steps: int,
    columns: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray],
    stay_from: np.ndarray,
    wake_column: np.ndarray,
) -> np.ndarray:  # pragma: no cover - compiled
    """Store stays' thresholds (``float32``), place their next event from what was stored.

    Args:
        ids: The migrants.
        left: ``(4, n)`` thresholds left at ``start``.
        h: ``(4, n)`` per-step hazards.
        start: First step whose hazards count.
        n_steps: Steps of the run.
        columns: The four threshold columns (:data:`LEFT_COLUMNS`).
        stay_from: The ``stay_from`` column (set to ``start``).
        wake_column: The ``wake`` column (set to each stay's next event).

    Returns:
        Each stay's next event, as :func:`first_event` gives it on the stored values.
    """
    wake = np.empty(ids.shape[0], dtype=np.int32)
    for j in range(ids.shape[0]):
        m = ids[j]
        best = NEVER
        for k in range(_N_EVENTS):
            stored = np.float32(left[k, j])
            columns[k][m] = stored
            step = event_step(float(start), np.float64(stored), h[k, j], n_steps)
            best = min(best, step)
        stay_from[m] = start
        wake_column[m] = best
        wake[j] = best
    return wake


@numba.njit(cache=True, nogil=True)
def _stored_next_event(
    ids: np.ndarray,
    h: np.ndarray,
    n_steps: int,
    columns: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray],
    stay_from: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:  # pragma: no cover - compiled
    """:func:`first_event` of stays from their stored thresholds and ``stay_from``."""
    n = ids.shape[0]
    start = np.empty(n)
    left = np.empty((_N_EVENTS, n))
    for j in range(n):
        m = ids[j]
        start[j] = stay_from[m]
        for k in range(_N_EVENTS):
            left[k, j] = columns[k][m]
    return _first_event_kernel(start, left, h, n_steps)


def first_event(
    start: np.ndarray | int, left: np.ndarray, h: np.ndarray, n_steps: int
) -> tuple[np.ndarray, np.ndarray]:
    """The next of several competing events: its step and which one it is.

    The same as each row's :func:`next_event_step`, then the minimum over the rows and its
    row, in one compiled pass (issue 19).

    Args:
        start: First step whose hazards count (per migrant, or one for all).
        left: ``(K, n)`` Exp(1) thresholds left at ``start``, one row per hazard.
        h: ``(K, n)`` per-step hazards (:func:`per_step_hazards`).
        n_steps: Steps of the run.

    Returns:
        ``(wake, kind)``: the earliest step (:data:`NEVER` if none falls in the run) and the
        row of the event falling then; ties go to the lowest row (the per-step order).
    """
    h = np.asarray(h, dtype=np.float64)
    left = np.broadcast_to(np.asarray(left, dtype=np.float64), h.shape)
    starts = np.broadcast_to(np.asarray(start, dtype=np.float64), h.shape[1:])
    return _first_event_kernel(np.ascontiguousarray(starts), np.ascontiguousarray(left), h, n_steps)


def _thresholds(model: RouteModel, ids: np.ndarray) -> np.ndarray:
    """``(K, n)`` thresholds left as stored (float32, read as float64)."""
    t = model.table
    return np.vstack([t.cols[c][ids] for c in LEFT_COLUMNS]).astype(np.float64)


def _columns(model: RouteModel) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The four threshold columns, in :data:`LEFT_COLUMNS` order."""
    cols = model.table.cols
    return (cols["left_arrest"], cols["left_trafficking"], cols["left_settling"], cols["left_exit"])


def _place(model: RouteModel, ids: np.ndarray, left: np.ndarray, h: np.ndarray, start: int) -> None:
    """Store thresholds, set ``stay_from`` and ``wake``, and file the stays by their wake."""
    cols = model.table.cols
    wake = _store_and_wake(
        np.asarray(ids),
        left,
        h,
        start,
        model.clock.n_steps,
        _columns(model),
        cols["stay_from"],
        cols["wake"],
    )
    model.stay_schedule.push(ids, wake)


def next_event(model: RouteModel, ids: np.ndarray, h: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Step and kind of the next event of stays, from their stored thresholds and ``stay_from``.

    The same arithmetic on the same stored values as when the event was placed, so at the
    step of a stay's ``wake`` this gives that step and the event falling then.
    """
    cols = model.table.cols
    return _stored_next_event(
        np.asarray(ids), h, model.clock.n_steps, _columns(model), cols["stay_from"]
    )


@numba.njit(cache=True, nogil=True)
def _entry_draws(
    ids: np.ndarray, key: np.ndarray, draws: tuple[np.uint64, np.int64, np.uint64, np.uint64]
) -> np.ndarray:  # pragma: no cover - compiled
    """A stay's draws: ``Streams.uniform_slots("hiding", ..., 4)`` and word of mouth's.

    Args:
        ids: The migrants starting a stay.
        key: The ``key`` column.
        draws: The run's key, the step's counter (:meth:`Streams.counter`) and the
            ``hiding`` and ``word_of_mouth`` streams' keys.

    Returns:
        ``(5, len(ids))``: row ``k < 4`` the hiding stream's slot ``k``; row 4 the
        word-of-mouth stream's slot 0.
    """
    run_key, counter, hiding_key, word_key = draws
    n_events = _N_EVENTS
    out = np.empty((n_events + 1, ids.shape[0]))
    for r in range(n_events):
        salt = salt_of(run_key, counter + r)
        for i in range(ids.shape[0]):
            out[r, i] = draw(key[ids[i]], salt, hiding_key)
    salt = salt_of(run_key, counter)
    for i in range(ids.shape[0]):
        out[n_events, i] = draw(key[ids[i]], salt, word_key)
    return out


def enter(model: RouteModel, ids: np.ndarray) -> None:
    """Start a stay (hiding or settled) for migrants who begin one at this step.

    Called wherever a migrant becomes, or again is, hiding or settled at this step after its
    hazards for the step were met (arrival at a hiding place, release after an arrest,
    settling, a failed exit attempt). Its hazards and savings run from the next step.
    """
    if len(ids) == 0:
        return
    from nkroutes.model.processes.hiding import stay_hazards

    step = model.step_index
    streams = model.streams
    # Rows 0-3: the hiding stream's slot k for event k; row 4: word of mouth's own draw.
    u = _entry_draws(
        np.asarray(ids),
        model.table.cols["key"],
        (
            streams.run_key,
            streams.counter(step),
            streams.key_of("hiding"),
            streams.key_of("word_of_mouth"),
        ),
    )
    # Exp(1) thresholds (u < 1, so finite), by numpy's log1p (position-independent: one
    # call for the five rows gives each element the bits of five calls); hazards and
    # savings run from the next step.
    left = np.negative(np.log1p(np.negative(u)))
    _place(model, ids, left[: len(LEFT_COLUMNS)], stay_hazards(model, ids), step + 1)
    table = model.table
    set_thresholds(model.word_of_mouth_queue, table, ids, left[-1])
    # Families' and NGOs' help: only a stay hiding whose family does not pay can have it.
    cols = table.cols
    helped = ids[(cols["state"][ids] == State.HIDING) & ~cols["sponsored"][ids]]
    model.stay_counts.started(cols, ids)
    if len(helped):
        keys = cols["key"][helped]
        for queue, stream in (
            (model.family_help_queue, "family_help"),
            (model.ngo_help_queue, "ngo_help"),
        ):
            set_thresholds(queue, table, helped, exp1(streams.uniform(stream, keys, step)))


def repredict(model: RouteModel, ids: np.ndarray, h_old: np.ndarray, saved_old: float) -> None:
    """Place the next event again for migrants whose hazards (or savings rate) change now.

    Called at a step before the step's hazards are met (a dated event, chain defection),
    with each migrant's per-step hazard and the savings per step as they were. The hazard
    accrued since ``stay_from`` is spent from each threshold, savings accrued are credited,
    and the remaining threshold meets the new hazard from this step on.

    Args:
        model: The running model.
        ids: Migrants hiding or settled.
        h_old: ``(K, n)`` their per-step hazards until now (:func:`per_step_hazards`).
        saved_old: Savings per step until now (US$).
    """
    if len(ids) == 0:
        return
    from nkroutes.model.processes.hiding import stay_hazards

    t = model.table
    step = model.step_index
    k = step - t.cols["stay_from"][ids]
    t.cols["savings_usd"][ids] += (saved_old * k).astype(np.float32)
    # Nothing is spent in a stay that starts now (k = 0), even at an infinite hazard.
    with np.errstate(invalid="ignore"):
        spent = np.where((h_old > 0) & (k > 0), h_old * k, 0.0)
    left = np.maximum(_thresholds(model, ids) - spent, 0.0)
    _place(model, ids, left, stay_hazards(model, ids), step)


def due(model: RouteModel) -> np.ndarray:
    """Migrants whose next event in China falls at this step, in id order."""
    t = model.table
    ids = model.stay_schedule.pop(model.step_index)
    if len(ids) == 0:
        return ids.astype(np.int64)
    state = t.cols["state"][ids]
    ok = ((state == State.HIDING) | (state == State.SETTLED)) & (
        t.cols["wake"][ids] == model.step_index
    )
    return distinct(ids[ok]).astype(np.int64)  # sorted as int32: fewer bytes to move


def credit_savings(model: RouteModel, ids: np.ndarray, through: int) -> None:
    """Add the savings of the steps from ``stay_from`` to ``through`` (inclusive) to the balance."""
    t = model.table
    k = through + 1 - t.cols["stay_from"][ids]
    t.cols["savings_usd"][ids] += (savings_per_step(model) * k).astype(np.float32)
    t.cols["stay_from"][ids] = through + 1


def restart(model: RouteModel, ids: np.ndarray) -> None:
    """Start the stay again for migrants in China whose hazards change after this step's 7.7.

    For changes made after the step's hazards were met (a bride sold at entry, word of mouth,
    NGO help): savings are credited through this step, and a new stay starts from the next.
    """
    if len(ids) == 0:
        return
    credit_savings(model, ids, through=model.step_index)
    enter(model, ids)


def balance(model: RouteModel, ids: np.ndarray) -> np.ndarray:
    """Savings of migrants in China after this step's 7.7, with what accrued not yet credited."""
    t = model.table
    k = model.step_index + 1 - t.cols["stay_from"][ids]
    return t.cols["savings_usd"][ids] + (savings_per_step(model) * k).astype(np.float32)


def savings_now(model: RouteModel, savings: np.ndarray, state: np.ndarray) -> np.ndarray:
    """Balances with the savings not yet credited to those in China added (a new array).

    Args:
        model: The model (after its last completed step).
        savings: ``savings_usd`` of the first ``len(savings)`` migrants.
        state: Their states.
    """
    t = model.table
    out = savings.copy()
    inside = np.flatnonzero((state == State.HIDING) | (state == State.SETTLED))
    k = model.step_index - t.cols["stay_from"][inside]
    out[inside] += (savings_per_step(model) * k).astype(np.float32)
    return out
