"""Shared hazards met on accrued thresholds: word of mouth, families' and NGOs' help.

Three ways out of hiding in China have a hazard that is the same for every migrant who
qualifies and changes every step: word of mouth (with the broker-assisted arrivals of the
last year), families paying for a relative in China, and missionaries and NGOs (each the
step's expected number spread over those hiding whose family does not pay). Each is met by
event time (``docs/design.md``, "Event time"): the run sums the hazard's per-step values
into its accrued hazard ``H``; a migrant starting a stay when ``H`` is ``H_0`` draws an
Exp(1) threshold ``E`` of its own and meets the hazard at the first step at which
``H >= H_0 + E`` (its column, e.g. ``word_of_mouth_at``). That is the law of a Bernoulli per
step with chance ``1 - exp(-h)``, ``h`` the step's hazard, without a draw per migrant and
step.

Rather than comparing every migrant's threshold with ``H`` at every step (a pass over all
those on their way), a :class:`ThresholdQueue` keeps the ids of those whose threshold lies
below a horizon a little above ``H``: a step reads only them. When ``H`` passes the horizon,
one pass over those on their way (:meth:`ThresholdQueue.due`) lists them again up to a new
horizon. Stays starting between passes are filed as they start
(:meth:`ThresholdQueue.file`). Which migrants reach their threshold at a step is exactly
what the pass at every step would give: the queue changes the cost, not the result.

Who qualifies is a table by state (hiding, settled) and ``sponsored``
(:func:`qualifies`). Every migrant a queue returns must be dealt with at the same step: given
a new threshold (:func:`set_thresholds`: its stay starts again, or the hazard passed it by,
:func:`draw_again`) or made one who no longer qualifies (its family now pays); the queue then
forgets it until a new threshold is filed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numba
import numpy as np

from nkroutes.model.groups import distinct
from nkroutes.model.migrants import MigrantTable, State, appended

if TYPE_CHECKING:
    from nkroutes.model.model import RouteModel

#: A new horizon lies this much accrued hazard above the accrued hazard at least ...
MIN_LOOKAHEAD = 0.005
#: ... and at least this many times the last step's hazard above it ...
LOOKAHEAD_STEPS = 12.0
#: ... but at most this much (after a step that reached everyone, :data:`CERTAIN`, the
#: queue would otherwise hold everyone who qualifies until the hazard had accrued 480).
MAX_LOOKAHEAD = 1.0


def qualifies(hiding_unsponsored: bool, hiding_sponsored: bool, settled: bool) -> np.ndarray:
    """The table of who qualifies for a hazard, by ``2 * state + sponsored``.

    Args:
        hiding_unsponsored: Those hiding whose family does not pay.
        hiding_sponsored: Those hiding whose family pays.
        settled: Those settled (sponsored or not).
    """
    table = np.zeros(2 * (int(State.SETTLED) + 1), dtype=np.bool_)
    table[2 * State.HIDING] = hiding_unsponsored
    table[2 * State.HIDING + 1] = hiding_sponsored
    table[2 * State.SETTLED] = settled
    table[2 * State.SETTLED + 1] = settled
    return table


@numba.njit(cache=True, nogil=True, inline="always")
def _listed(m: int, state: np.ndarray, sponsored: np.ndarray, qualify: np.ndarray) -> bool:
    """Whether migrant ``m`` is in a stay and qualifies (see :func:`qualifies`)."""
    s = state[m]
    return s <= 1 and qualify[2 * s + np.int64(sponsored[m])]


@numba.njit(cache=True, nogil=True)
def _below(
    ids: np.ndarray,
    state: np.ndarray,
    sponsored: np.ndarray,
    column: np.ndarray,
    qualify: np.ndarray,
    horizon: np.float32,
) -> np.ndarray:  # pragma: no cover - compiled
    """The ids that qualify and whose threshold is at most ``horizon``, in their order."""
    out = np.empty(ids.shape[0], dtype=np.int64)
    n = 0
    for i in range(ids.shape[0]):
        m = ids[i]
        # The threshold first: few are below the horizon, so the branch is predicted well.
        if column[m] <= horizon and _listed(m, state, sponsored, qualify):
            out[n] = m
            n += 1
    return out[:n].copy()


@numba.njit(cache=True, nogil=True)
def _take_reached(
    ids: np.ndarray,
    n: int,
    state: np.ndarray,
    sponsored: np.ndarray,
    column: np.ndarray,
    qualify: np.ndarray,
    reached: np.float32,
    horizon: np.float32,
) -> tuple[int, np.ndarray]:  # pragma: no cover - compiled
    """Split the first ``n`` of ``ids``: those who reach ``reached`` now, and those kept.

    An entry is kept (moved to the front of ``ids``) if its migrant qualifies and its
    threshold lies above ``reached`` and at most at ``horizon``; it is returned if the
    threshold is at most ``reached``; it is dropped otherwise (the migrant left its stay,
    stopped qualifying, or drew a threshold beyond the horizon, where the next pass finds it).

    Returns:
        ``(kept, reached_ids)``: how many entries were kept, and the entries that reach
        their threshold, in the queue's order (a migrant filed twice is there twice).
    """
    out = np.empty(n, dtype=np.int64)
    k = 0
    kept = 0
    for i in range(n):
        m = ids[i]
        if not _listed(m, state, sponsored, qualify):
            continue
        v = column[m]
        if v <= reached:
            out[k] = m
            k += 1
        elif v <= horizon:
            ids[kept] = m
            kept += 1
    return kept, out[:k].copy()


class ThresholdQueue:
    """The accrued value of one shared hazard and those whose threshold it may reach soon.

    Args:
        column: The migrant column holding each stay's threshold (``float32``, accrued
            hazard at which its migrant meets the hazard).
        qualify: Who qualifies, by ``2 * state + sponsored`` (:func:`qualifies`).

    Attributes:
        accrued: The hazard accrued over the steps run so far (sum of per-step hazards).
    """

    def __init__(self, column: str, qualify: np.ndarray) -> None:
        self.column = column
        self.qualify = np.asarray(qualify, dtype=np.bool_)
        self.accrued = 0.0
        self._last_hazard = 0.0
        # Below the first threshold that can be filed: the first due() lists everyone.
        self._horizon = np.float32(-np.inf)
        self._ids = np.empty(256, dtype=np.int64)
        self._n = 0
        #: Passes over those on their way so far (for the benchmarks).
        self.passes = 0

    def accrue(self, hazard: float) -> None:
        """Add a step's hazard (per qualifying migrant, for the step) to the accrued hazard."""
        self.accrued += hazard
        self._last_hazard = hazard

    def file(self, ids: np.ndarray, thresholds: np.ndarray) -> None:
        """Note stays whose threshold was just set (``thresholds``: as stored, ``float32``)."""
        near = ids[thresholds <= self._horizon]
        self._ids = appended(self._ids, self._n, near)
        self._n += len(near)

    def due(self, table: MigrantTable) -> np.ndarray:
        """Migrants who qualify and whose threshold the accrued hazard reaches now.

        The same ids as comparing every migrant's threshold with the accrued hazard (in
        ``float32``, as the column is stored), ascending. The caller must give each a new
        threshold or make it no longer qualify at this step (see the module's docstring).
        """
        cols = table.cols
        state, sponsored, column = cols["state"], cols["sponsored"], cols[self.column]
        reached = np.float32(self.accrued)
        if reached > self._horizon:
            lookahead = min(max(MIN_LOOKAHEAD, LOOKAHEAD_STEPS * self._last_hazard), MAX_LOOKAHEAD)
            self._horizon = np.float32(self.accrued + lookahead)
            self._ids = _below(table.live(), state, sponsored, column, self.qualify, self._horizon)
            self._n = len(self._ids)
            self.passes += 1
        self._n, reached_ids = _take_reached(
            self._ids, self._n, state, sponsored, column, self.qualify, reached, self._horizon
        )
        return distinct(reached_ids)

    @property
    def queued(self) -> int:
        """Entries in the queue (some may be stale until their step comes)."""
        return self._n


def exp1(u: np.ndarray) -> np.ndarray:
    """Exp(1) thresholds from uniform draws in [0, 1): ``-log(1 - u)`` (finite)."""
    return np.negative(np.log1p(np.negative(u)))


def set_thresholds(
    queue: ThresholdQueue, table: MigrantTable, ids: np.ndarray, e: np.ndarray
) -> None:
    """Set the thresholds of ``ids`` to the accrued hazard plus ``e`` and file them.

    Args:
        queue: The hazard's queue.
        table: The migrants.
        ids: Those whose stay (or chance) starts now.
        e: Their Exp(1) draws.
    """
    column = table.cols[queue.column]
    column[ids] = queue.accrued + e
    queue.file(ids, column[ids])


def draw_again(model: RouteModel, queue: ThresholdQueue, stream: str, ids: np.ndarray) -> None:
    """New thresholds for those who reached theirs now without meeting the hazard.

    For migrants who still qualify but whom the hazard passes by this step (an NGO finds
    them able to pay a broker; no relative is left for their family to pay for): by the
    exponential's lack of memory, a fresh Exp(1) threshold from the accrued hazard now gives
    them, from the next step, the chance of any step they qualify in. Drawn from ``stream``
    at this step, slot 1 (slot 0 is a stay's first threshold).
    """
    if len(ids) == 0:
        return
    u = model.streams.uniform(stream, model.table.cols["key"][ids], model.step_index, slot=1)
    set_thresholds(queue, model.table, ids, exp1(u))


#: The hazard of a step in which every qualifying migrant meets it (a chance of 1 - e^-40).
CERTAIN = 40.0


def share_hazard(expected: float, qualifying: int) -> float:
    """The hazard that gives each of ``qualifying`` migrants the chance ``expected / qualifying``.

    So that ``expected`` of them meet it in expectation (all of them, if ``expected`` is at
    least ``qualifying``): ``-log(1 - expected / qualifying)``, at most :data:`CERTAIN`.

    Args:
        expected: The step's expected number (people).
        qualifying: Those who qualify (more than 0).
    """
    chance = expected / qualifying
    if chance >= 1.0:
        return CERTAIN
    return min(-np.log1p(-chance), CERTAIN) if chance > 0 else 0.0
