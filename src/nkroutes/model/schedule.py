"""The stays' schedule: who may have an event in China at which step (see :mod:`.stays`).

Each step's migrants are a linked list threaded through one pool of entries (an id and the
next entry), so that filing a stay and reading a step's list are compiled loops rather
than Python lists of arrays; entries read are reused. A list's order is not kept: readers
select and sort the ids they are given.
"""

from __future__ import annotations

import numba
import numpy as np


@numba.njit(cache=True, nogil=True)
def _file_entries(
    ids: np.ndarray,
    wake: np.ndarray,
    head: np.ndarray,
    count: np.ndarray,
    entries: tuple[np.ndarray, np.ndarray],
    free_and_used: np.ndarray,
) -> None:  # pragma: no cover - compiled
    """Add each id to the list of its wake step (steps outside the run: to none).

    Args:
        ids: Migrant ids.
        wake: The step of each one's next event.
        head: By step, the first entry of its list (-1: empty; updated).
        count: By step, the length of its list (updated).
        entries: The pool's ``id`` and ``next`` (-1: the end) columns (updated; room for
            ``len(ids)`` more entries past ``used``).
        free_and_used: The first free entry (-1: none) and the entries ever used (updated).
    """
    entry_id, entry_next = entries
    free = free_and_used[0]
    used = free_and_used[1]
    n_steps = head.shape[0]
    for i in range(ids.shape[0]):
        w = wake[i]
        if w < 0 or w >= n_steps:
            continue
        if free >= 0:
            e = free
            free = entry_next[e]
        else:
            e = used
            used += 1
        entry_id[e] = ids[i]
        entry_next[e] = head[w]
        head[w] = e
        count[w] += 1
    free_and_used[0] = free
    free_and_used[1] = used


@numba.njit(cache=True, nogil=True)
def _take_entries(
    step: int,
    head: np.ndarray,
    count: np.ndarray,
    entries: tuple[np.ndarray, np.ndarray],
    free_and_used: np.ndarray,
) -> np.ndarray:  # pragma: no cover - compiled
    """The ids of a step's list (``int32``), emptying it and freeing its entries."""
    entry_id, entry_next = entries
    out = np.empty(count[step], dtype=np.int32)
    free = free_and_used[0]
    e = head[step]
    k = 0
    while e >= 0:
        out[k] = entry_id[e]
        k += 1
        following = entry_next[e]
        entry_next[e] = free
        free = e
        e = following
    head[step] = -1
    count[step] = 0
    free_and_used[0] = free
    return out


class StaySchedule:
    """Per-step lists of the migrants whose next event in China may fall at that step.

    Args:
        n_steps: Steps of the run.
    """

    def __init__(self, n_steps: int) -> None:
        self.n_steps = n_steps
        self._head = np.full(n_steps, -1, dtype=np.int64)
        self._count = np.zeros(n_steps, dtype=np.int64)
        self._entry_id = np.empty(1024, dtype=np.int32)
        self._entry_next = np.empty(1024, dtype=np.int64)
        self._free_and_used = np.array([-1, 0], dtype=np.int64)

    def push(self, ids: np.ndarray, wake: np.ndarray) -> None:
        """Place migrants under the step of their next event (after the run: nowhere)."""
        needed = int(self._free_and_used[1]) + len(ids)
        if needed > len(self._entry_id):
            size = max(needed, 2 * len(self._entry_id))
            for name in ("_entry_id", "_entry_next"):
                column = getattr(self, name)
                grown = np.empty(size, dtype=column.dtype)
                grown[: len(column)] = column
                setattr(self, name, grown)
        _file_entries(
            np.asarray(ids),
            np.asarray(wake),
            self._head,
            self._count,
            (self._entry_id, self._entry_next),
            self._free_and_used,
        )

    def pop(self, step: int) -> np.ndarray:
        """The ids placed under ``step``, emptying it.

        Returns:
            ``int32`` ids, unchecked (a later stay may have replaced the one filed),
            possibly repeated, in no particular order.
        """
        if not 0 <= step < self.n_steps:
            return np.zeros(0, dtype=np.int32)
        return _take_entries(
            step,
            self._head,
            self._count,
            (self._entry_id, self._entry_next),
            self._free_and_used,
        )
