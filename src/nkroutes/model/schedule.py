"""The stays' schedule: who may have an event in China at which step (see :mod:`.stays`)."""

from __future__ import annotations

import numpy as np


class StaySchedule:
    """Per-step buckets of the migrants whose next event in China may fall at that step.

    Migrants placed during a step wait in a list and are filed into the buckets in one pass
    when a bucket is next read, so that a step files each bucket's share once.

    Args:
        n_steps: Steps of the run.
    """

    def __init__(self, n_steps: int) -> None:
        self.n_steps = n_steps
        self._buckets: list[list[np.ndarray]] = [[] for _ in range(n_steps)]
        self._pending_ids: list[np.ndarray] = []
        self._pending_wake: list[np.ndarray] = []

    def push(self, ids: np.ndarray, wake: np.ndarray) -> None:
        """Place migrants under the step of their next event (after the run: nowhere)."""
        inside = wake < self.n_steps
        if not inside.all():
            ids, wake = ids[inside], wake[inside]
        if len(ids):
            self._pending_ids.append(ids.astype(np.int32))
            self._pending_wake.append(wake)

    def _file(self) -> None:
        if not self._pending_ids:
            return
        ids = np.concatenate(self._pending_ids)
        wake = np.concatenate(self._pending_wake)
        self._pending_ids, self._pending_wake = [], []
        # Steps fit 16 bits in any run shorter than 65,536 steps, and numpy sorts 16-bit
        # integers stably by radix: 5x faster than its 32-bit merge sort, the same order.
        small = wake.astype(np.uint16) if self.n_steps <= 65_536 else wake
        order = np.argsort(small, kind="stable")
        ids, wake = ids[order], wake[order]
        cuts = np.flatnonzero(wake[1:] != wake[:-1]) + 1
        starts = [0, *cuts.tolist()]
        stops = [*cuts.tolist(), len(ids)]
        buckets = self._buckets
        for step, a, b in zip(wake[starts].tolist(), starts, stops, strict=True):
            buckets[step].append(ids[a:b])

    def pop(self, step: int) -> np.ndarray:
        """The ids placed under ``step`` (``int32``, unchecked, possibly repeated), emptying it."""
        if step >= self.n_steps:
            return np.zeros(0, dtype=np.int32)
        self._file()
        chunks = self._buckets[step]
        self._buckets[step] = []
        if not chunks:
            return np.zeros(0, dtype=np.int32)
        return np.concatenate(chunks)
