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

import numpy as np

from nkroutes.model.migrants import State


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
        state = cols["state"][ids]
        hiding = state == State.HIDING
        n_hiding = int(np.count_nonzero(hiding))
        self.hiding += sign * n_hiding
        self.settled += sign * (len(ids) - n_hiding)
        self.hiding_unsponsored += sign * int(np.count_nonzero(hiding & ~cols["sponsored"][ids]))
        entry = cols["china_since"][ids] + 1
        self.by_entry += sign * np.bincount(entry, minlength=len(self.by_entry))

    def started(self, cols: dict[str, np.ndarray], ids: np.ndarray) -> None:
        """Count stays that start now (``ids`` hiding or settled, each once)."""
        self._add(cols, ids, 1)

    def ended(self, cols: dict[str, np.ndarray], ids: np.ndarray) -> None:
        """Take off stays that end now, before their migrants' state changes."""
        self._add(cols, ids, -1)

    def long_stays(self, entered_by: int) -> int:
        """Stays whose migrant entered China at step ``entered_by`` or before."""
        return int(self.by_entry[: max(entered_by + 2, 0)].sum())
