"""Compiled passes over the migrants on their way (the live list of ``migrants.py``).

Each step selects migrants by state several times (those detained, those moving, those
hiding whose family does not pay, ...) and, once, lets go of those in a final state. With
numpy each selection is a gather of the states, a comparison, and an index: three passes
and two temporary arrays over about 100,000 ids at the baseline's scale. Compiled with
numba, each is one call that writes only the ids it keeps (issue 19). The results are the
same ids in the same (ascending) order.
"""

from __future__ import annotations

import numba
import numpy as np


@numba.njit(cache=True, nogil=True, inline="always")
def _chosen(m: int, s: int, sponsored: np.ndarray, wanted: np.ndarray, only: np.ndarray) -> int:
    """1 if migrant ``m`` in state ``s`` is selected, else 0 (no branch)."""
    return np.uint8(wanted[s]) & (np.uint8(1) - (np.uint8(only[s]) & np.uint8(sponsored[m])))


@numba.njit(cache=True, nogil=True)
def select_ids(
    live: np.ndarray,
    state: np.ndarray,
    sponsored: np.ndarray,
    wanted: np.ndarray,
    unsponsored_only: np.ndarray,
) -> np.ndarray:  # pragma: no cover - compiled
    """Ids of ``live`` whose state is wanted (and, where asked, whose family does not pay).

    Args:
        live: Ids to look at, ascending.
        state: The ``state`` column (``int8``, indexed by id).
        sponsored: The ``sponsored`` column (``bool``, indexed by id).
        wanted: ``bool`` by state value: select migrants in this state.
        unsponsored_only: ``bool`` by state value: in this state, select only the unsponsored.

    Returns:
        The selected ids, in the order of ``live``.
    """
    size = live.shape[0]
    out = np.empty(size, dtype=live.dtype)
    # A selection that keeps most or few ids runs fastest with a branch (it is predicted
    # well); one that keeps a mix (those hiding and unsponsored: 0.89 ms for 160,000 ids
    # with a branch) runs fastest without one (0.39 ms). 1,024 ids spread over the list
    # tell which (its first ids, the oldest migrants, are not like the rest).
    probe = min(size, 1024)
    hits = 0
    for j in range(probe):
        m = live[j * size // probe]
        hits += _chosen(m, state[m], sponsored, wanted, unsponsored_only)
    n = 0
    if 0.2 * probe < hits < 0.8 * probe:
        for i in range(size):
            m = live[i]
            out[n] = m
            n += _chosen(m, state[m], sponsored, wanted, unsponsored_only)
    else:
        for i in range(size):
            m = live[i]
            if _chosen(m, state[m], sponsored, wanted, unsponsored_only):
                out[n] = m
                n += 1
    return out[:n].copy()


@numba.njit(cache=True, nogil=True)
def compact_live(
    live: np.ndarray,
    state: np.ndarray,
    is_final: np.ndarray,
    is_busy: np.ndarray,
    place: np.ndarray,
    china_since: np.ndarray,
    place_in_china: np.ndarray,
    entered_by: int,
) -> tuple[int, np.ndarray, np.ndarray, int, int]:  # pragma: no cover - compiled
    """Keep the ids of ``live`` not in a final state, in place, and count the stocks.

    Args:
        live: Ids, ascending; its first ``kept`` entries are overwritten with the kept.
        state: The ``state`` column.
        is_final: ``bool`` by state value.
        is_busy: ``bool`` by state value: the states of :meth:`MigrantTable.select_busy`.
        place: The ``place`` column (a route's start while moving).
        china_since: The ``china_since`` column (step of entry into China on this stay).
        place_in_china: ``bool`` by place: the place is in China.
        entered_by: The last step of entry that makes a stay of two years or more.

    Returns:
        ``(kept, busy, counts, travelling_in_china, long_stays)``: how many were kept; the
        kept ids in a busy state, ascending; the number in each state (by its value); of
        those travelling (moving or waiting for an exit), how many are at a place in China;
        and of those in China (hiding, settled, or travelling from a place in China), how
        many entered by ``entered_by``.
    """
    busy = np.empty(live.shape[0], dtype=live.dtype)
    counts = np.zeros(is_final.shape[0], dtype=np.int64)
    n = 0
    n_busy = 0
    travelling_in_china = 0
    long_stays = 0
    for i in range(live.shape[0]):
        m = live[i]
        s = state[m]
        counts[s] += 1
        if is_final[s]:  # few are final: a branch predicted well
            continue
        live[n] = m  # n <= i: never overwrites an id not yet read
        n += 1
        if s == 0 or s == 1:  # hiding, settled
            long_stays += china_since[m] <= entered_by
        elif is_busy[s]:  # few are busy: predicted well too
            busy[n_busy] = m
            n_busy += 1
            if (s == 2 or s == 3) and place_in_china[place[m]]:  # travelling, from China
                travelling_in_china += 1
                long_stays += china_since[m] <= entered_by
    return n, busy[:n_busy].copy(), counts, travelling_in_china, long_stays


@numba.njit(cache=True, inline="always")
def _next_candidate(
    busy: np.ndarray, first_new: int, n_fixed: int, logged: np.ndarray, i: int, j: int
) -> tuple[int, int, int]:  # pragma: no cover - compiled
    """The next of the merged candidate lists of :func:`select_busy_ids`, and the positions.

    ``i`` is the position among ``busy ++ range(first_new, n)`` (``n_fixed`` long), ``j`` the
    position in ``logged``; the smaller head is taken (repeats are the caller's to skip).
    """
    a = (busy[i] if i < busy.shape[0] else first_new + i - busy.shape[0]) if i < n_fixed else -1
    b = logged[j] if j < logged.shape[0] else -1
    if b < 0 or (a >= 0 and a <= b):
        return a, i + 1, j
    return b, i, j + 1


@numba.njit(cache=True, nogil=True)
def busy_stocks(
    busy: np.ndarray,
    first_new: int,
    n: int,
    logged: np.ndarray,
    state: np.ndarray,
    is_busy: np.ndarray,
    place: np.ndarray,
    china_since: np.ndarray,
    place_in_china: np.ndarray,
    entered_by: int,
) -> tuple[np.ndarray, np.ndarray, int, int]:  # pragma: no cover - compiled
    """Those in a busy state among the candidates of :func:`select_busy_ids`, and their stocks.

    The candidates are the three ascending lists :func:`select_busy_ids` takes (those busy
    before, those created since, those logged since), each distinct candidate read once.

    Returns:
        ``(busy, counts, travelling_in_china, long_stays)``: the candidates now in a busy
        state, ascending; how many in each state (busy states only: by its value); of those
        travelling (moving or waiting for an exit), how many are at a place in China, and of
        these how many entered China by ``entered_by``.
    """
    n_fixed = busy.shape[0] + (n - first_new)
    out = np.empty(n_fixed + logged.shape[0], dtype=np.int64)
    counts = np.zeros(is_busy.shape[0], dtype=np.int64)
    travelling_in_china = 0
    long_stays = 0
    k = 0
    i = 0  # position among busy ++ range(first_new, n)
    j = 0  # position in logged
    last = -1
    while i < n_fixed or j < logged.shape[0]:
        m, i, j = _next_candidate(busy, first_new, n_fixed, logged, i, j)
        if m == last:
            continue
        last = m
        s = state[m]
        if is_busy[s]:
            out[k] = m
            k += 1
            counts[s] += 1
            if (s == 2 or s == 3) and place_in_china[place[m]]:  # travelling, from China
                travelling_in_china += 1
                long_stays += china_since[m] <= entered_by
    return out[:k].copy(), counts, travelling_in_china, long_stays


@numba.njit(cache=True, nogil=True)
def select_busy_ids(
    busy: np.ndarray,
    first_new: int,
    n: int,
    logged: np.ndarray,
    state: np.ndarray,
    wanted: np.ndarray,
) -> np.ndarray:  # pragma: no cover - compiled
    """Ids in a wanted state among three ascending candidate lists, ascending, once each.

    Args:
        busy: Ids, ascending (those busy at the last :meth:`MigrantTable.drop_final`).
        first_new: ``n`` at that drop: ids ``first_new .. n - 1`` were created since (all
            above every id in ``busy``).
        n: Migrants created so far.
        logged: Ids, ascending, possibly repeated and possibly among the others (those set
            off since the drop).
        state: The ``state`` column.
        wanted: ``bool`` by state value.

    Returns:
        The distinct candidates in a wanted state, ascending.
    """
    n_fixed = busy.shape[0] + (n - first_new)
    out = np.empty(n_fixed + logged.shape[0], dtype=np.int64)
    k = 0
    i = 0  # position among busy ++ range(first_new, n)
    j = 0  # position in logged
    last = -1
    while i < n_fixed or j < logged.shape[0]:
        m, i, j = _next_candidate(busy, first_new, n_fixed, logged, i, j)
        if m != last and wanted[state[m]]:
            out[k] = m
            k += 1
        last = m
    return out[:k].copy()


@numba.njit(cache=True, nogil=True)
def first_entries(
    candidates: np.ndarray,
    state: np.ndarray,
    female: np.ndarray,
    china_since: np.ndarray,
    china_steps: np.ndarray,
    trafficked: np.ndarray,
    entered_at: int,
) -> np.ndarray:  # pragma: no cover - compiled
    """Ids of the women hiding who entered China for the first time at step ``entered_at``.

    Those not trafficked before, whose stay began then and who spent no earlier step in
    China; of ``candidates`` (ascending, distinct: those who entered China at that step, or
    any superset), in their order.
    """
    out = np.empty(candidates.shape[0], dtype=candidates.dtype)
    n = 0
    for i in range(candidates.shape[0]):
        m = candidates[i]
        if (
            china_since[m] == entered_at
            and state[m] == 0
            and female[m]
            and china_steps[m] == 0
            and not trafficked[m]
        ):
            out[n] = m
            n += 1
    return out[:n].copy()


@numba.njit(cache=True, nogil=True)
def left_behind(group: np.ndarray, moved: np.ndarray) -> np.ndarray:  # pragma: no cover
    """The ids of ``group`` not in ``moved``, in ``group``'s order.

    ``np.setdiff1d(group, moved, assume_unique=True)`` where ``moved`` is a subsequence of
    ``group`` (those of a group who set off, as :func:`start_journeys` returns them), in one
    walk over both instead of a sort.
    """
    out = np.empty(group.shape[0] - moved.shape[0], dtype=group.dtype)
    j = 0
    n = 0
    for i in range(group.shape[0]):
        if j < moved.shape[0] and moved[j] == group[i]:
            j += 1
        else:
            out[n] = group[i]
            n += 1
    return out
