"""Migrants stored column-wise: one numpy array per attribute.

Each migrant is an individual agent with its own state, money and history, but the
attributes of all migrants live in parallel arrays so that each process updates every
migrant it concerns at once (see ``docs/ODD.md``). Arrays grow by doubling and are never
compacted during a run, so a migrant's row number (its ``id``) never changes.

Most rows, late in a run, belong to migrants who have arrived, died or given up. The table
also keeps the ids of the others (:meth:`MigrantTable.live`, in ascending order) so that the
passes a step makes over "everyone in state s" cost the migrants still on their way, not
everyone ever created (issue 19: at 64 times the baseline's departures, 22.5 million rows
against about 2.4 million on their way at any one time).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any

import numpy as np

from nkroutes.model.selection import busy_stocks, compact_live, select_busy_ids, select_ids


class State(IntEnum):
    """Where a migrant is in its journey. Every migrant is in exactly one state."""

    HIDING = 0
    """In China, hiding, possibly looking for a way out."""
    SETTLED = 1
    """In China and staying (family, dependants, or sold as a bride)."""
    MOVING = 2
    """On a route between two places."""
    PROCESSING = 3
    """In a transit country with UNHCR access, or sheltering in a mission, awaiting exit."""
    ARRIVED = 4
    """Resettled in a destination (final)."""
    DETAINED = 5
    """Held in North Korea after capture or repatriation."""
    HOME = 6
    """Released in North Korea and going to try again."""
    GAVE_UP = 7
    """Released in North Korea and not trying again (final for the run)."""
    DIED = 8
    """Died on the way or in detention (final)."""


#: States no migrant leaves: once in one, a migrant drops out of :meth:`MigrantTable.live`.
FINAL_STATES: tuple[State, ...] = (State.ARRIVED, State.GAVE_UP, State.DIED)


@functools.cache
def _by_state(states: tuple[State, ...]) -> np.ndarray:
    """``bool`` by state value: True for ``states`` (one lookup per migrant in a kernel).

    Kept per tuple of states (read-only): a step asks for the same few masks again and
    again, and building one cost more than the selection it served at small scales.
    """
    mask = np.zeros(len(State), dtype=bool)
    mask[list(states)] = True
    mask.flags.writeable = False
    return mask


#: Whether each state (by value) is final, for one lookup per migrant.
_IS_FINAL = _by_state(FINAL_STATES)

#: The states few migrants are in at once (not hiding or settled in China, not detained, not
#: final), which :meth:`MigrantTable.select_busy` finds without a pass over everyone on their
#: way (the detained are filed by the step their term ends: ``processes/punishment.py``).
BUSY_STATES: tuple[State, ...] = (State.MOVING, State.PROCESSING, State.HOME)
_IS_BUSY = _by_state(BUSY_STATES)


NO_PLACE = -1

#: Column name -> dtype. ``place`` is the current place (the route's start while moving).
COLUMNS: dict[str, Any] = {
    "key": np.uint64,  # stable random identity (see random.make_keys)
    "origin": np.int16,  # origin place index
    "female": np.bool_,
    "political": np.bool_,  # political rather than economic motive
    "sponsored": np.bool_,  # family abroad pays its brokers
    "family_paid": np.bool_,  # a relative brought out by chain defection (7.4), not a founder
    "state": np.int8,
    "place": np.int16,
    "route": np.int16,  # route being travelled (MOVING) or last route taken
    "remaining": np.int32,  # steps left on the route / in detention / in processing
    "with_broker": np.bool_,  # travelling with a broker on the current journey
    "broker_helped": np.bool_,  # ever helped by a broker
    "hub": np.int16,  # position among the hubs (not a place index) of the last broker hired
    "trafficked": np.bool_,
    "in_camp": np.bool_,  # detained in a labour camp rather than a detention centre
    "will_retry": np.bool_,
    "attempts": np.int16,  # number of departures from North Korea
    "savings_usd": np.float32,
    "paid_brokers_usd": np.float32,
    "paid_other_usd": np.float32,  # bribes and fares
    "departure_step": np.int32,  # first departure
    "china_since": np.int32,  # step of entry into China on the current stay (-1: not there)
    "china_steps": np.int32,  # completed steps spent in China on earlier stays
    "outcome_step": np.int32,  # step of arrival, death or giving up (-1: none yet)
    # A stay in China by event time (model/stays.py): the first step not yet accounted for
    # (savings_usd holds the balance then), the Exp(1) threshold left then, the next event.
    "stay_from": np.int32,
    "left_arrest": np.float32,  # one Exp(1) threshold left per competing hazard (stays.py)
    "left_trafficking": np.float32,
    "left_settling": np.float32,
    "left_exit": np.float32,
    "wake": np.int32,
    # Word of mouth (processes/onward.py): the run's accrued word-of-mouth hazard at which
    # this stay's migrant decides to leave (accrued when the stay began + an Exp(1) threshold).
    "word_of_mouth_at": np.float32,
    # Families' and NGOs' help (processes/chain.py, onward.py) the same way, for a stay
    # hiding whose family does not pay (model/thresholds.py); not updated for other stays.
    "family_help_at": np.float32,
    "ngo_help_at": np.float32,
}


#: Columns whose value at creation is not 0 (or False).
_DEFAULTS: dict[str, int] = {
    "place": NO_PLACE,
    "route": -1,
    "hub": -1,
    "china_since": -1,
    "outcome_step": -1,
}


def appended(buffer: np.ndarray, n: int, values: np.ndarray) -> np.ndarray:
    """``values`` written after the first ``n`` entries of ``buffer``, grown if need be.

    Returns:
        ``buffer`` itself if it had room, else a new one of at least twice its length (the
        first ``n`` entries copied); either way with ``values`` at ``n .. n + len(values)``.
    """
    needed = n + len(values)
    if needed > len(buffer):
        grown = np.empty(max(needed, 2 * len(buffer)), dtype=buffer.dtype)
        grown[:n] = buffer[:n]
        buffer = grown
    buffer[n:needed] = values
    return buffer


@dataclass
class MigrantTable:
    """The columnar store of all migrants created in a run.

    Attributes:
        n: Number of migrants created so far (rows ``0..n-1`` are valid).
        cols: Column name -> array (capacity >= n).
    """

    n: int
    cols: dict[str, np.ndarray]
    # Ids of migrants not known to be in a final state, ascending: the first _live_n of _live.
    _live: np.ndarray = field(init=False, repr=False)
    _live_n: int = field(init=False, repr=False)
    # At the last drop_final: the ids then in a busy state, ascending, and n; and the ids
    # set off (made MOVING) since, as logged by note_set_off.
    _busy: np.ndarray = field(init=False, repr=False)
    _n_at_drop: int = field(init=False, repr=False)
    _set_off: list[np.ndarray] = field(init=False, repr=False)
    # Rows from here on are known to hold zeros (allocated by np.zeros, never written), so
    # that add need not write the columns whose default is 0. A table made from given
    # columns knows nothing of its spare rows: add writes every column there.
    _zeros_from: int = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._zeros_from = self.capacity
        self._live = np.arange(max(self.n, 1024), dtype=np.intp)
        self._live_n = self.n
        self.drop_final()

    @classmethod
    def empty(cls, capacity: int = 1024) -> MigrantTable:
        """A table with room for ``capacity`` migrants and none created."""
        table = cls(0, {name: np.zeros(capacity, dtype=dt) for name, dt in COLUMNS.items()})
        table._zeros_from = 0
        return table

    @property
    def capacity(self) -> int:
        """Rows allocated."""
        return len(self.cols["key"])

    def __getattr__(self, name: str) -> np.ndarray:
        cols = self.__dict__.get("cols")
        if cols is not None and name in cols:
            return cols[name]
        raise AttributeError(name)

    def _grow(self, needed: int) -> None:
        capacity = self.capacity
        while capacity < needed:
            capacity *= 2
        for name, col in self.cols.items():
            grown = np.zeros(capacity, dtype=col.dtype)
            grown[: self.n] = col[: self.n]
            self.cols[name] = grown
        self._zeros_from = self.n

    def add(self, count: int, **values: np.ndarray | float | int | bool) -> np.ndarray:
        """Create ``count`` migrants and return their ids.

        Args:
            count: How many.
            **values: Initial values by column (arrays of length ``count`` or scalars);
                columns not given start at their defaults.

        Returns:
            The new migrants' ids (row numbers).
        """
        if self.n + count > self.capacity:
            self._grow(self.n + count)
        first, stop = self.n, self.n + count
        ids = np.arange(first, stop)
        zeroed = first >= self._zeros_from
        for name, col in self.cols.items():
            # A slice of new rows, not an index array: a fill rather than a scatter.
            if name in values:
                col[first:stop] = values[name]
            elif name in _DEFAULTS or not zeroed:
                col[first:stop] = _DEFAULTS.get(name, 0)
        self._zeros_from = max(self._zeros_from, stop)
        self.n += count
        self._append_live(ids)
        return ids

    def _append_live(self, ids: np.ndarray) -> None:
        self._live = appended(self._live, self._live_n, ids)
        self._live_n += len(ids)

    def live(self) -> np.ndarray:
        """Ids, ascending, of every migrant not in a final state (and perhaps a few that are).

        Holds every migrant created since the last :meth:`drop_final` and every one not
        final then; those who reached a final state since are still listed, so callers
        select by state. Selecting from these gives the same ids in the same order as a
        pass over the whole table.
        """
        return self._live[: self._live_n]

    def drop_final(
        self, place_in_china: np.ndarray | None = None, entered_by: int = -1
    ) -> tuple[np.ndarray, int, int]:
        """Let go of the listed migrants now in a final state, and count the stocks.

        One pass over :meth:`live`; afterwards it lists only migrants not in a final state.

        Args:
            place_in_china: ``bool`` by place: the place is in China (none: no places).
            entered_by: The last step of entry into China that counts as a long stay.

        Returns:
            ``(counts, travelling_in_china, long_stays)``: the number listed before the drop
            in each :class:`State` (by its value; those in a final state only if they
            reached it since the last drop); of those travelling (moving or waiting for an
            exit), how many are at a place in China; of those in China, how many entered by
            ``entered_by``.
        """
        if place_in_china is None:
            place_in_china = np.zeros(max(int(self.cols["place"].max(initial=0)) + 1, 1), bool)
        kept, self._busy, counts, travelling_in_china, long_stays = compact_live(
            self.live(),
            self.cols["state"],
            _IS_FINAL,
            _IS_BUSY,
            self.cols["place"],
            self.cols["china_since"],
            place_in_china,
            entered_by,
        )
        self._live_n = kept
        self._n_at_drop = self.n
        self._set_off = []
        return counts, travelling_in_china, long_stays

    def in_state(self, state: State) -> np.ndarray:
        """Ids of migrants currently in ``state``, ascending."""
        if state in FINAL_STATES:
            return np.flatnonzero(self.cols["state"][: self.n] == state)
        return self.select((state,))

    def select(self, states: tuple[State, ...], unsponsored: tuple[State, ...] = ()) -> np.ndarray:
        """Ids, ascending, of the migrants on their way in one of ``states``.

        Args:
            states: The non-final states to select.
            unsponsored: Of these, the states in which only migrants whose family does not
                pay their way (``sponsored`` false) are selected.
        """
        wanted, only = _by_state(states), _by_state(unsponsored)
        cols = self.cols
        return select_ids(self.live(), cols["state"], cols["sponsored"], wanted, only)

    def note_set_off(self, ids: np.ndarray) -> None:
        """Log migrants that may have become busy since the last drop or refresh.

        Those made MOVING (set off on a route), and those out of a stay in China (for
        :meth:`refresh_busy`, which reads only the busy and those logged).
        """
        if len(ids):
            self._set_off.append(ids)

    def refresh_busy(
        self, place_in_china: np.ndarray, entered_by: int
    ) -> tuple[np.ndarray, int, int]:
        """:meth:`drop_final`'s busy list and counts of busy states, from the busy only.

        Reads those busy at the last drop or refresh, those created since and those logged
        (:meth:`note_set_off`), not everyone on their way: correct wherever every migrant now
        busy is among them (the model logs those whose stay in China ends, who may be
        detained). :meth:`live` is not compacted.

        Returns:
            ``(counts, travelling_in_china, long_stays)`` as :meth:`drop_final` gives them,
            for busy states only: ``counts`` of other states are 0, and ``long_stays``
            counts those travelling from China only.
        """
        self._busy, counts, travelling_in_china, long_stays = busy_stocks(
            self._busy,
            self._n_at_drop,
            self.n,
            self._logged(),
            self.cols["state"],
            _IS_BUSY,
            self.cols["place"],
            self.cols["china_since"],
            place_in_china,
            entered_by,
        )
        self._n_at_drop = self.n
        self._set_off = []
        return counts, travelling_in_china, long_stays

    def _logged(self) -> np.ndarray:
        """Those logged since the last drop or refresh, ascending (repeats possible)."""
        logged = self._busy[:0]
        if self._set_off:
            # Kept sorted between calls: the sorted log and the few chunks logged since are
            # sorted runs, which a stable sort (timsort) merges in about one pass.
            logged = np.sort(np.concatenate(self._set_off), kind="stable")
            self._set_off = [logged]
        return logged

    def select_busy(self, states: tuple[State, ...]) -> np.ndarray:
        """:meth:`select` of busy states, from the few who can be in them.

        The candidates are those in a busy state (:data:`BUSY_STATES`) at the last
        :meth:`drop_final`, those created since, and those set off since
        (:meth:`note_set_off`). The result is the same as :meth:`select`'s wherever every
        migrant now in one of ``states`` is among them: true in the model's step for
        detention (7.5: no state has changed since the last step's drop), those at home
        (7.6: only released detainees and new migrants become so), those waiting in a transit
        country (7.8: only arrivals, later in the step, start to wait) and those moving
        (7.9: only set_off makes a migrant move). ``tests/test_model_compiled.py`` checks
        this at every call of whole runs.

        Args:
            states: Busy states to select.

        Returns:
            Ids, ascending.
        """
        wanted = _by_state(states)
        if (wanted & ~_IS_BUSY).any():
            raise ValueError(f"select_busy takes busy states only, not {states}")
        return select_busy_ids(
            self._busy, self._n_at_drop, self.n, self._logged(), self.cols["state"], wanted
        )

    def counts_by_state(self) -> np.ndarray:
        """Number of migrants in each :class:`State` (indexed by its value)."""
        return np.bincount(self.cols["state"][: self.n], minlength=len(State))

    def view(self, migrant_id: int) -> dict[str, Any]:
        """One migrant's attributes, as plain Python values, for inspection."""
        if not 0 <= migrant_id < self.n:
            raise IndexError(f"no migrant {migrant_id}: {self.n} created")
        record = {name: col[migrant_id].item() for name, col in self.cols.items()}
        record["state"] = State(record["state"]).name.lower()
        return record

    def nbytes(self) -> int:
        """Bytes held by the columns (allocated capacity)."""
        return sum(col.nbytes for col in self.cols.values())
