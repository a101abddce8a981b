"""The threshold queues of shared hazards (``model/thresholds.py``) against a pass over everyone.

A queue must give, at every step, exactly the migrants a comparison of every threshold with
the accrued hazard would give: those in a stay who qualify and whose threshold is reached.
The property test drives a queue and that definition through the
same random history of stays starting and ending, families starting to pay and hazards
accruing, including long quiet spells and jumps past the horizon.
"""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from nkroutes.model.migrants import MigrantTable, State
from nkroutes.model.thresholds import (
    MIN_LOOKAHEAD,
    ThresholdQueue,
    exp1,
    qualifies,
    set_thresholds,
)

N = 60
STEP = st.tuples(
    st.one_of(st.floats(0.0, 0.4), st.just(40.0)),  # the step's hazard (40: everyone)
    st.lists(st.integers(0, N - 1), max_size=12),  # stays starting (again)
    st.lists(st.integers(0, N - 1), max_size=6),  # stays ending (moving on)
    st.lists(st.integers(0, N - 1), max_size=3),  # families starting to pay
    st.integers(0, 2**32 - 1),  # the thresholds' seed
)


def _table() -> MigrantTable:
    table = MigrantTable.empty(N)
    table.add(N, state=State.MOVING)
    return table


@settings(max_examples=80, deadline=None)
@given(st.lists(STEP, min_size=1, max_size=40), st.booleans())
def test_a_queue_gives_what_a_pass_over_everyone_gives(steps, settled_qualify) -> None:
    table = _table()
    cols = table.cols
    qualify = qualifies(hiding_unsponsored=True, hiding_sponsored=False, settled=settled_qualify)
    queue = ThresholdQueue("family_help_at", qualify)
    for hazard, starting, ending, paying, seed in steps:
        rng = np.random.default_rng(seed)
        for m in ending:
            cols["state"][m] = State.MOVING
        if starting:
            ids = np.unique(starting)
            cols["state"][ids] = rng.choice([State.HIDING, State.SETTLED], len(ids))
            set_thresholds(queue, table, ids, exp1(rng.random(len(ids))))
        cols["sponsored"][paying] = True
        queue.accrue(hazard)
        got = queue.due(table)
        state, sponsored = cols["state"][:N], cols["sponsored"][:N]
        in_stay = (state == State.HIDING) | (state == State.SETTLED)
        ok = in_stay & qualify[2 * state.clip(0, 1) + sponsored]
        reached = cols["family_help_at"][:N] <= np.float32(queue.accrued)
        expected = np.flatnonzero(ok & reached)
        assert got.tolist() == expected.tolist()
        # Each one returned is dealt with: it leaves, or it draws a new threshold.
        leaves = rng.random(len(got)) < 0.5
        cols["state"][got[leaves]] = State.MOVING
        set_thresholds(queue, table, got[~leaves], exp1(rng.random(int((~leaves).sum()))))


def test_thresholds_are_compared_in_float32_as_stored() -> None:
    """numpy compares a float32 column with a Python float in float32 (NEP 50); so does the queue.

    Found at 16 times the baseline's departures: compared in float64, a threshold just above
    the accrued hazard passed where numpy's comparison did not, and the runs parted in 2002.
    """
    table = _table()
    table.cols["state"][:2] = State.HIDING
    queue = ThresholdQueue("word_of_mouth_at", qualifies(True, False, True))
    table.cols["word_of_mouth_at"][:2] = [np.float32(0.1), np.float32(0.2)]
    queue.accrue(0.1000000005)  # below 0.1f in float64, equal to it in float32
    assert float(np.float32(0.1)) > queue.accrued
    assert queue.due(table).tolist() == [0]


def test_a_quiet_queue_reads_only_those_near_their_threshold() -> None:
    table = MigrantTable.empty(10_000)
    table.add(10_000, state=State.HIDING)
    queue = ThresholdQueue("ngo_help_at", qualifies(True, False, False))
    rng = np.random.default_rng(3)
    set_thresholds(queue, table, np.arange(10_000), exp1(rng.random(10_000)))
    for _ in range(100):
        queue.accrue(1e-4)
        queue.due(table)
    # 0.01 accrued in 100 steps: a pass over everyone each MIN_LOOKAHEAD (0.005) of it, and
    # about that share of everyone queued.
    assert queue.passes == int(np.ceil(0.01 / MIN_LOOKAHEAD))
    assert 0 < queue.queued < 2 * MIN_LOOKAHEAD * 10_000
