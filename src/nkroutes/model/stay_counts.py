"""Counts of the stays in China, kept as stays start and end, so that a step needs no pass.

Most migrants on their way are hiding or settled in China, and a step meets only those whose
event falls then (``model/stays.py``). The stocks of a step (those hiding, those settled, of
those in China the ones there two years or more) and the families' and NGOs' help (spread
over those hiding whose family does not pay) need counts of all of them: rather than a pass
over everyone each step, :class:`StayCounts` adds a stay when it starts
(:func:`nkroutes.model.stays.enter`) and takes it off when it ends (an event, word of mouth,
NGO help, a bride sold at entry: :meth:`StayCounts.ended`, called before the migrant's state
changes). A stay's ``china_since`` does not change while it lasts. Every twelfth step the
model counts everyone again (``MigrantTable.drop_final``) and checks these counts against
that pass (``RouteModel._record``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numba
import numpy as np

from nkroutes.model.migrants import State

_HIDING = int(State.HIDING)


@numba.njit(cache=True, nogil=True)
def _count(
    ids: np.ndarray,
    state: np.ndarray,
    sponsored: np.ndarray,
    china_since: np.ndarray,
    by_entry: np.ndarray,
    sign: int,
) -> tuple[int, int]:  # pragma: no cover - compiled
    """Add ``sign`` to ``by_entry`` at each stay's ``china_since + 1``; count the hiding.

    Returns:
        ``(hiding, hiding_unsponsored)`` among ``ids``.
    """
    hiding = 0
    unsponsored = 0
    for i in range(ids.shape[0]):
        m = ids[i]
        if state[m] == _HIDING:
            hiding += 1
            unsponsored += not sponsored[m]
        by_entry[china_since[m] + 1] += sign
    return hiding, unsponsored


@dataclass
class StayCounts:
    """Stays in China now, by state and by step of entry into China.

    Args:
        n_steps: Steps of the run (``china_since`` lies in ``-1 .. n_steps - 1``).

    Attributes:
        hiding: Migrants hiding.
        settled: Migrants settled.
        hiding_unsponsored: Migrants hiding whose family does not pay (families' and NGOs'
            help; a family starting to pay takes one off without ending the stay).
        by_entry: Stays by ``china_since + 1``.
    """

    n_steps: int
    hiding: int = 0
    settled: int = 0
    hiding_unsponsored: int = 0
    by_entry: np.ndarray = field(init=False)

    def __post_init__(self) -> None:
        self.by_entry = np.zeros(self.n_steps + 1, dtype=np.int64)

    def _add(self, cols: dict[str, np.ndarray], ids: np.ndarray, sign: int) -> None:
        if len(ids) == 0:
            return
        hiding, unsponsored = _count(
            ids, cols["state"], cols["sponsored"], cols["china_since"], self.by_entry, sign
        )
        self.hiding += sign * hiding
        self.settled += sign * (len(ids) - hiding)
        self.hiding_unsponsored += sign * unsponsored

    def started(self, cols: dict[str, np.ndarray], ids: np.ndarray) -> None:
        """Count stays that start now (``ids`` hiding or settled, each once)."""
        self._add(cols, ids, 1)

    def ended(self, cols: dict[str, np.ndarray], ids: np.ndarray) -> None:
        """Take off stays that end now, before their migrants' state changes."""
        self._add(cols, ids, -1)

    def long_stays(self, entered_by: int) -> int:
        """Stays whose migrant entered China at step ``entered_by`` or before."""
        return int(self.by_entry[: max(entered_by + 2, 0)].sum())
