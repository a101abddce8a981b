"""The migrant table's list of those still on their way (issue 19: passes per step cost the
migrants on their way, not all ever created)."""

from __future__ import annotations

import numpy as np

from nkroutes.model.migrants import FINAL_STATES, MigrantTable, State


def _table_with_states(states: list[State]) -> MigrantTable:
    t = MigrantTable.empty(4)  # small, so that adding grows both the columns and the list
    t.add(len(states), state=np.array(states, dtype=np.int8))
    return t


def test_in_state_matches_a_pass_over_the_whole_table_after_drops_and_adds() -> None:
    rng = np.random.default_rng(3)
    t = MigrantTable.empty(8)
    for step in range(30):
        t.add(int(rng.integers(0, 50)), state=rng.integers(0, len(State), 1).astype(np.int8))
        # Some of those not yet final change state, to a final one or not, as processes
        # would (no one leaves a final state).
        unfinished = np.flatnonzero(~np.isin(t.cols["state"][: t.n], FINAL_STATES))
        changed = rng.choice(unfinished, size=min(len(unfinished), 20), replace=False)
        t.cols["state"][changed] = rng.integers(0, len(State), len(changed))
        if step % 3 == 0:
            t.drop_final()
        for s in State:
            whole = np.flatnonzero(t.cols["state"][: t.n] == s)
            np.testing.assert_array_equal(t.in_state(s), whole)
    live = t.live()
    assert np.all(np.diff(live) > 0)


def test_drop_final_lets_go_of_exactly_the_final_states() -> None:
    states = [State.HIDING, State.ARRIVED, State.DIED, State.MOVING, State.GAVE_UP, State.HOME]
    t = _table_with_states(states)
    np.testing.assert_array_equal(t.live(), np.arange(6))
    counts, _, _ = t.drop_final()
    np.testing.assert_array_equal(t.live(), [0, 3, 5])
    # Counted before the drop: one in each of the six states.
    assert [counts[s] for s in states] == [1] * 6 and counts.sum() == 6
    counts, _, _ = t.drop_final()  # nothing more to drop
    np.testing.assert_array_equal(t.live(), [0, 3, 5])
    assert counts.sum() == 3 and [counts[s] for s in (State.HIDING, State.MOVING)] == [1, 1]
    # Newcomers join at the end, in id order.
    t.add(2, state=State.SETTLED)
    np.testing.assert_array_equal(t.live(), [0, 3, 5, 6, 7])
    assert {State.ARRIVED, State.GAVE_UP, State.DIED} == set(FINAL_STATES)


def test_a_table_built_from_columns_lists_only_the_unfinished() -> None:
    states = np.array([State.ARRIVED, State.HIDING, State.DIED], dtype=np.int8)
    cols = {name: np.zeros(3, dtype=col.dtype) for name, col in MigrantTable.empty(1).cols.items()}
    cols["state"][:] = states
    t = MigrantTable(3, cols)
    np.testing.assert_array_equal(t.live(), [1])


def test_new_rows_start_at_their_defaults_whatever_the_spare_rows_held() -> None:
    """add skips the zero columns only where the rows are known to be zeros."""
    fresh = MigrantTable.empty(4)
    fresh.add(3, state=State.HOME)  # then grows: the copied columns' spare rows are zeros
    fresh.add(5, state=State.HOME)
    # A table made from given columns whose spare rows hold other values.
    cols = {name: np.full(8, 7, dtype=col.dtype) for name, col in fresh.cols.items()}
    given = MigrantTable(0, cols)
    given.add(3, state=State.HOME)
    given.add(5, state=State.HOME)
    for table in (fresh, given):
        assert table.n == 8
        for name, col in table.cols.items():
            row = table.view(0)
            expected = {"place": -1, "route": -1, "hub": -1, "china_since": -1}
            expected |= {"outcome_step": -1, "state": "home"}
            assert np.all(col[:8] == col[0]), name
            assert row[name] == expected.get(name, 0), name
