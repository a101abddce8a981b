"""The stays' schedule: who may have an event in China at which step (see :mod:`.stays`).

Each step's migrants are a chain of blocks of ids drawn from one pool of blocks, so that
filing a stay and reading a step's list are compiled loops rather than Python lists of
arrays, and a step's ids are read a block at a time (a linked list of single entries was
faster at the baseline's scale but, its entries scattered over the pool, slower at 16
times: a cache miss per entry). Blocks read are reused. A list keeps the order of filing;
readers select and sort the ids they are given anyway.
"""

from __future__ import annotations

import numba
import numpy as np

#: Ids per block.
BLOCK = 128


@numba.njit(cache=True, nogil=True)
def _file_entries(
    ids: np.ndarray,
    wake: np.ndarray,
    lists: tuple[np.ndarray, np.ndarray, np.ndarray],
    blocks: tuple[np.ndarray, np.ndarray, np.ndarray],
    free_and_used: np.ndarray,
) -> None:  # pragma: no cover - compiled
    """Add each id to the list of its wake step (steps outside the run: to none).

    Args:
        ids: Migrant ids.
        wake: The step of each one's next event.
        lists: By step, its first and last block (-1: none) and its number of ids (updated).
        blocks: The pool's ids ``(n_blocks, BLOCK)``, fill and next block (-1: the last)
            (updated; room for the blocks this call may take past ``used``).
        free_and_used: The first free block (-1: none) and the blocks ever used (updated).
    """
    head, tail, count = lists
    block_ids, fill, following = blocks
    free = free_and_used[0]
    used = free_and_used[1]
    n_steps = head.shape[0]
    size = block_ids.shape[1]
    for i in range(ids.shape[0]):
        w = wake[i]
        if w < 0 or w >= n_steps:
            continue
        b = tail[w]
        if b < 0 or fill[b] == size:
            if free >= 0:
                fresh = free
                free = following[fresh]
            else:
                fresh = used
                used += 1
            fill[fresh] = 0
            following[fresh] = -1
            if b < 0:
                head[w] = fresh
            else:
                following[b] = fresh
            tail[w] = fresh
            b = fresh
        block_ids[b, fill[b]] = ids[i]
        fill[b] += 1
        count[w] += 1
    free_and_used[0] = free
    free_and_used[1] = used


@numba.njit(cache=True, nogil=True)
def _take_entries(
    step: int,
    lists: tuple[np.ndarray, np.ndarray, np.ndarray],
    blocks: tuple[np.ndarray, np.ndarray, np.ndarray],
    free_and_used: np.ndarray,
) -> np.ndarray:  # pragma: no cover - compiled
    """The ids of a step's list (``int32``), emptying it and freeing its blocks."""
    head, tail, count = lists
    block_ids, fill, following = blocks
    out = np.empty(count[step], dtype=np.int32)
    free = free_and_used[0]
    b = head[step]
    k = 0
    while b >= 0:
        for j in range(fill[b]):
            out[k + j] = block_ids[b, j]
        k += fill[b]
        after = following[b]
        following[b] = free
        free = b
        b = after
    head[step] = -1
    tail[step] = -1
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
        self._lists = (
            np.full(n_steps, -1, dtype=np.int64),  # first block
            np.full(n_steps, -1, dtype=np.int64),  # last block
            np.zeros(n_steps, dtype=np.int64),  # ids
        )
        self._blocks = self._pool(64)
        self._free_and_used = np.array([-1, 0], dtype=np.int64)

    @staticmethod
    def _pool(n_blocks: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        return (
            np.empty((n_blocks, BLOCK), dtype=np.int32),
            np.zeros(n_blocks, dtype=np.int64),
            np.full(n_blocks, -1, dtype=np.int64),
        )

    def push(self, ids: np.ndarray, wake: np.ndarray) -> None:
        """Place migrants under the step of their next event (after the run: nowhere)."""
        # At most one new block per step filed to, plus one per BLOCK ids, past those used.
        worst = int(self._free_and_used[1]) + min(len(ids), self.n_steps) + len(ids) // BLOCK
        if worst > len(self._blocks[1]):
            grown = self._pool(max(worst, 2 * len(self._blocks[1])))
            used = int(self._free_and_used[1])
            for new, old in zip(grown, self._blocks, strict=True):
                new[:used] = old[:used]
            self._blocks = grown
        _file_entries(
            np.asarray(ids), np.asarray(wake), self._lists, self._blocks, self._free_and_used
        )

    def pop(self, step: int) -> np.ndarray:
        """The ids placed under ``step``, emptying it.

        Returns:
            ``int32`` ids, unchecked (a later stay may have replaced the one filed),
            possibly repeated.
        """
        if not 0 <= step < self.n_steps:
            return np.zeros(0, dtype=np.int32)
        return _take_entries(step, self._lists, self._blocks, self._free_and_used)
