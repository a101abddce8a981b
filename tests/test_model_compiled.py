"""The compiled passes (numba) give exactly what their plain definitions give."""

from __future__ import annotations

import collections

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nkroutes.model.migrants import BUSY_STATES, FINAL_STATES, MigrantTable, State
from nkroutes.model.random import Streams, mix64
from nkroutes.model.selection import compact_live, select_busy_ids, select_ids

MASK = (1 << 64) - 1


def splitmix_finaliser(z: int) -> int:
    """SplitMix64's finaliser in Python integers (the published constants)."""
    z ^= z >> 30
    z = (z * 0xBF58476D1CE4E5B9) & MASK
    z ^= z >> 27
    z = (z * 0x94D049BB133111EB) & MASK
    return z ^ (z >> 31)


@settings(deadline=None)  # the first example may compile the kernel
@given(st.lists(st.integers(0, MASK), min_size=0, max_size=40))
def test_mix64_is_the_splitmix64_finaliser(values: list[int]) -> None:
    z = np.array(values, dtype=np.uint64)
    assert mix64(z).tolist() == [splitmix_finaliser(v) for v in values]


def test_uniform_is_two_finalisers_then_the_top_53_bits() -> None:
    streams = Streams(11)
    keys = np.array([0, 1, 2**40 + 7, MASK], dtype=np.uint64)
    step, slot = 37, 2
    salt = (int(streams._run_key) + (step * 0x10001 + slot + 1) * 0x9E3779B97F4A7C15) & MASK
    stream_key = int(streams._keys["arrest"])
    expected = [
        (splitmix_finaliser(splitmix_finaliser(k ^ salt) ^ stream_key) >> 11) / 2.0**53
        for k in keys.tolist()
    ]
    assert streams.uniform("arrest", keys, step, slot).tolist() == expected
    # The base hash and a stream's draw from it are the same two finalisers.
    base = streams.base(keys, step, slot)
    assert base.tolist() == [splitmix_finaliser(k ^ salt) for k in keys.tolist()]
    assert streams.from_base("arrest", base).tolist() == expected


def test_a_negative_step_wraps_as_python_integers_do() -> None:
    # The brokers' price draws use step -1: the salt is taken mod 2**64.
    streams = Streams(5)
    keys = np.array([3, 2**63 + 1], dtype=np.uint64)
    salt = (int(streams._run_key) + (-1 * 0x10001 + 1 + 1) * 0x9E3779B97F4A7C15) & MASK
    stream_key = int(streams._keys["brokers"])
    expected = [
        (splitmix_finaliser(splitmix_finaliser(k ^ salt) ^ stream_key) >> 11) / 2.0**53
        for k in keys.tolist()
    ]
    assert streams.uniform("brokers", keys, -1, slot=1).tolist() == expected


def test_uniform_with_slots_per_key_matches_one_slot_at_a_time() -> None:
    streams = Streams(3)
    keys = np.arange(5, dtype=np.uint64) * np.uint64(977)
    slots = np.array([0, 4, 1, 1, 9])
    together = streams.uniform("hiding", keys, 12, slots)
    alone = [
        streams.uniform_one("hiding", int(k), 12, int(s)) for k, s in zip(keys, slots, strict=True)
    ]
    assert together.tolist() == alone
    rows = streams.uniform_slots("hiding", keys, 12, 3)
    assert [row.tolist() for row in rows] == [
        streams.uniform("hiding", keys, 12, k).tolist() for k in range(3)
    ]


def _table(states: list[int], sponsored: list[bool]) -> MigrantTable:
    table = MigrantTable.empty(8)
    table.add(len(states), state=np.array(states, dtype=np.int8), sponsored=np.array(sponsored))
    return table


STATE_LISTS = st.lists(st.tuples(st.integers(0, len(State) - 1), st.booleans()), max_size=3000)


@settings(max_examples=60, deadline=None)
@given(STATE_LISTS, st.sets(st.sampled_from(list(State)), min_size=1))
def test_select_is_a_numpy_mask_in_id_order(rows: list[tuple[int, bool]], wanted: set) -> None:
    table = _table([s for s, _ in rows], [p for _, p in rows])
    live = table.live()
    state = table.cols["state"][live]
    sponsored = table.cols["sponsored"][live]
    in_wanted = np.isin(state, list(wanted))
    assert table.select(tuple(wanted)).tolist() == live[in_wanted].tolist()
    only = in_wanted & ((state != State.HIDING) | ~sponsored)
    assert table.select(tuple(wanted), unsponsored=(State.HIDING,)).tolist() == (
        live[only].tolist()
    )


@settings(max_examples=60, deadline=None)
@given(STATE_LISTS)
def test_compact_live_keeps_the_non_final_in_order(rows: list[tuple[int, bool]]) -> None:
    state = np.array([s for s, _ in rows], dtype=np.int8)
    live = np.arange(len(rows), dtype=np.intp)
    is_final = np.isin(np.arange(len(State)), FINAL_STATES)
    is_busy = np.isin(np.arange(len(State)), BUSY_STATES)
    place = np.zeros(len(rows), dtype=np.int16)
    since = np.zeros(len(rows), dtype=np.int32)
    kept, busy, counts, _, _ = compact_live(
        live, state, is_final, is_busy, place, since, np.array([False]), 0
    )
    expected = np.flatnonzero(~is_final[state])
    assert live[:kept].tolist() == expected.tolist()
    assert busy.tolist() == np.flatnonzero(is_busy[state]).tolist()
    assert counts.tolist() == np.bincount(state, minlength=len(State)).tolist()


def test_select_ids_agrees_for_dense_and_sparse_selections() -> None:
    # Both of the kernel's loops (chosen from the first 1,024 ids) against the numpy mask.
    rng = np.random.default_rng(5)
    n = 20_000
    state = rng.integers(0, len(State), n).astype(np.int8)
    sponsored = rng.random(n) < 0.4
    live = np.sort(rng.choice(n, 15_000, replace=False)).astype(np.intp)
    for dense in (True, False):
        wanted = np.ones(len(State), bool) if dense else np.eye(len(State), dtype=bool)[5]
        only = np.zeros(len(State), bool)
        only[0] = True
        got = select_ids(live, state, sponsored, wanted, only)
        s = state[live]
        assert got.tolist() == live[wanted[s] & ~(only[s] & sponsored[live])].tolist()


def test_compact_live_counts_the_stocks_by_hand() -> None:
    # place 0 in China, place 1 not; entered_by 10.
    live = np.array([0, 1, 2, 3, 4, 5, 6], dtype=np.intp)
    state = np.array([0, 1, 2, 2, 3, 5, 4], dtype=np.int8)
    place = np.array([0, 0, 0, 1, 0, 1, 0], dtype=np.int16)
    since = np.array([10, 11, 3, 3, 12, 0, 0], dtype=np.int32)
    is_final = np.isin(np.arange(len(State)), FINAL_STATES)
    is_busy = np.isin(np.arange(len(State)), BUSY_STATES)
    kept, busy, counts, travelling_in_china, long_stays = compact_live(
        live, state, is_final, is_busy, place, since, np.array([True, False]), 10
    )
    assert kept == 6 and live[:kept].tolist() == [0, 1, 2, 3, 4, 5]  # the arrival (6) goes
    assert busy.tolist() == [2, 3, 4]  # the detained (5) are filed by the end of their term
    assert counts.tolist() == [1, 1, 2, 1, 1, 1, 0, 0, 0]
    # Moving from place 0 (id 2) and waiting at place 0 (id 4) are in China; id 3 is not.
    assert travelling_in_china == 2
    # Hiding since 10 (id 0) and moving from China since 3 (id 2).
    assert long_stays == 2


def test_fused_selections_match_their_numpy_definitions() -> None:
    from nkroutes.model.selection import first_entries

    rng = np.random.default_rng(9)
    n = 5_000
    state = rng.integers(0, len(State), n).astype(np.int8)
    female = rng.random(n) < 0.5
    trafficked = rng.random(n) < 0.2
    since = rng.integers(-1, 6, n).astype(np.int32)
    china_steps = rng.integers(0, 2, n).astype(np.int32)
    live = np.sort(rng.choice(n, 4_000, replace=False)).astype(np.intp)
    s = state[live]

    got = first_entries(live, state, female, since, china_steps, trafficked, 3)
    mask = (
        (since[live] == 3)
        & (s == State.HIDING)
        & female[live]
        & (china_steps[live] == 0)
        & ~trafficked[live]
    )
    assert got.tolist() == live[mask].tolist()


def test_brides_at_entry_come_from_the_entry_log_as_from_a_pass_over_everyone(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """traffic_at_entry reads last step's entries into China (china_stay.track_china's log)
    instead of everyone on their way: the same women at every call of a whole run."""
    from nkroutes.model import simulate
    from nkroutes.model.processes import onward
    from nkroutes.model.selection import first_entries
    from nkroutes.scenario import load_scenario
    from scenario_builder import SCENARIOS

    calls, found = [0], [0]

    def checked(candidates, state, female, since, china_steps, trafficked, entered_at):
        fast = first_entries(candidates, state, female, since, china_steps, trafficked, entered_at)
        # Every row: those never created or final are not hiding (state 0 with female set).
        everyone = np.arange(len(state), dtype=candidates.dtype)
        full = first_entries(everyone, state, female, since, china_steps, trafficked, entered_at)
        assert fast.tolist() == full.tolist(), entered_at
        calls[0] += 1
        found[0] += len(fast)
        return fast

    monkeypatch.setattr(onward, "first_entries", checked)
    result = simulate(load_scenario(SCENARIOS / "baseline.toml"), seed=3)
    assert calls[0] > result.n_steps_run // 2
    assert found[0] > 100


def test_pairwise_sum_is_numpys_sum_to_the_bit() -> None:
    from nkroutes.model.processes.journeys import _pairwise_sum

    rng = np.random.default_rng(2)
    for n in range(0, 40):
        rows = rng.random((200, n)) * 10.0 ** rng.integers(-8, 4, (200, n))
        rows *= rng.random((200, n)) > 0.3
        expected = rows.sum(axis=1)
        got = [_pairwise_sum(np.ascontiguousarray(row), n) for row in rows]
        assert got == expected.tolist(), n


def _choose_with_numpy(
    ids, continuing, sponsored, savings, cost, broker, keeps, weights, hiding, u
):
    """start_journeys' choice as it was written with numpy (the definition)."""
    sponsored, savings = sponsored[ids], savings[ids]
    w = weights[None, :].repeat(len(ids), axis=0)
    can_pay = sponsored[:, None] | (savings[:, None] >= cost[None, :])
    alone_ok = ~broker[None, :] & ~continuing[:, None]
    if hiding:
        alone_ok &= savings[:, None] >= cost[None, :]
    feasible = alone_ok | (broker[None, :] & can_pay) | (continuing[:, None] & keeps[None, :])
    if not hiding:
        stuck = ~feasible.any(axis=1)
        if (~broker).any():
            alone = np.flatnonzero(~broker)
            feasible[stuck, alone[np.argmin(cost[~broker])]] = True
        else:
            feasible[stuck] = True
    w *= feasible
    total = w.sum(axis=1)
    choice = (np.cumsum(w, axis=1) < (u * total)[:, None]).sum(axis=1)
    return np.minimum(choice, len(cost) - 1), total > 0


def test_choose_options_matches_the_numpy_formulation() -> None:
    from nkroutes.model.processes.journeys import _choose_options

    rng = np.random.default_rng(4)
    for trial in range(60):
        n_opt = int(rng.integers(1, 11))
        n = 300
        ids = np.sort(rng.choice(1000, n, replace=False))
        sponsored = rng.random(1000) < 0.3
        savings = (rng.random(1000) * 2000).astype(np.float32)
        continuing = rng.random(n) < 0.3
        cost = rng.random(n_opt) * 2500
        broker = rng.random(n_opt) < 0.5
        keeps = rng.random(n_opt) < 0.6
        weights = rng.random(n_opt) * (rng.random(n_opt) > 0.1)
        u = rng.random(n)
        hiding = bool(trial % 2)
        args = (ids, continuing, sponsored, savings, cost, broker, keeps, weights, hiding, u)
        choice, movers = _choose_options(*args)
        expected_choice, expected_movers = _choose_with_numpy(*args)
        assert choice.tolist() == expected_choice.tolist()
        assert movers.tolist() == expected_movers.tolist()


def test_select_busy_ids_merges_three_candidate_lists() -> None:
    state = np.array([2, 0, 5, 2, 6, 2, 3, 2, 2, 0], dtype=np.int8)
    wanted = np.zeros(len(State), bool)
    wanted[State.MOVING] = True
    busy = np.array([0, 2, 4], dtype=np.intp)  # busy at the drop; ids 7..9 created since
    logged = np.array([3, 3, 5, 8], dtype=np.int64)  # set off since (one twice, one new)
    got = select_busy_ids(busy, 7, 10, logged, state, wanted)
    assert got.tolist() == [0, 3, 5, 7, 8]
    assert select_busy_ids(busy, 7, 7, logged[:0], state, wanted).tolist() == [0]


@pytest.mark.parametrize("scenario_file", ["baseline.toml", "china-non-refoulement.toml"])
def test_select_busy_is_the_full_selection_at_every_call_of_a_run(
    scenario_file: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The invariant select_busy rests on holds in the model's step, call by call."""
    from nkroutes.model import simulate
    from nkroutes.scenario import load_scenario
    from scenario_builder import SCENARIOS

    calls: collections.Counter[State] = collections.Counter()
    original = MigrantTable.select_busy

    def checked(self: MigrantTable, states: tuple[State, ...]) -> np.ndarray:
        fast = original(self, states)
        assert fast.tolist() == self.select(states).tolist(), states
        calls[states[0]] += 1
        return fast

    monkeypatch.setattr(MigrantTable, "select_busy", checked)
    result = simulate(load_scenario(SCENARIOS / scenario_file), seed=3)
    steps = result.n_steps_run
    # Home, transit and travel: once a step each (transit and travel return early on no one,
    # after the selection).
    assert calls == {s: steps for s in (State.HOME, State.PROCESSING, State.MOVING)}


def test_stay_hazards_are_the_hazards_of_the_stay_probabilities() -> None:
    from nkroutes.model import RouteModel
    from nkroutes.model.processes.hiding import stay_hazards, stay_probabilities
    from nkroutes.model.stays import per_step_hazards
    from scenario_builder import baseline_until

    model = RouteModel(baseline_until("1999-06"), seed=2)
    model.run()
    live = model.table.live()
    assert len(live) > 1000
    expected = per_step_hazards(stay_probabilities(model, live))
    got = stay_hazards(model, live)
    assert got.tolist() == expected.tolist()
    # Settled and hiding, women and men, sponsored and not are all there.
    cols = model.table.cols
    assert len(np.unique(cols["state"][live])) > 2 and cols["sponsored"][live].any()


@settings(deadline=None)  # the first example may compile the kernel
@given(st.lists(st.tuples(st.integers(0, 10**6), st.booleans()), unique_by=lambda r: r[0]))
def test_left_behind_is_setdiff1d_of_a_subsequence(rows: list[tuple[int, bool]]) -> None:
    from nkroutes.model.selection import left_behind

    group = np.array([g for g, _ in rows], dtype=np.int64)
    moved = np.array([g for g, m in rows if m], dtype=np.int64)
    expected = np.setdiff1d(group, moved, assume_unique=True)
    assert left_behind(group, moved).tolist() == expected.tolist()


def test_poisson_count_is_poisson_counts_for_one_value() -> None:
    from nkroutes.model.counts import CountOverflowError, poisson_count, poisson_counts

    rng = np.random.default_rng(8)
    us = [0.0, 1e-300, 0.5, 0.999999, *rng.random(200).tolist()]
    means = [0.0, -3.0, 1e-9, 0.3, 2.5, 40.0, 1e6, *(10.0 ** rng.uniform(-4, 9, 50)).tolist()]
    for u in us:
        for mean in means:
            expected = int(poisson_counts(np.array([u]), np.array([mean]), "x")[0])
            assert poisson_count(u, mean, "x") == expected, (u, mean)
    for bad_u, bad_mean in [(0.5, np.inf), (1.5, 3.0), (0.5, 1e300)]:
        with pytest.raises(CountOverflowError):
            poisson_counts(np.array([bad_u]), np.array([bad_mean]), "x")
        with pytest.raises(CountOverflowError):
            poisson_count(bad_u, bad_mean, "x")
    assert poisson_count(0.5, float("nan"), "x") == 0


def _pay_with_numpy(ids, routes, with_broker, just_hired, cols, cost_usd, fee_usd, factor):
    """journeys._pay as it was written with numpy (the definition), on plain columns."""
    savings, paid_other, paid_brokers, sponsored = cols
    alone = ~with_broker
    a_ids = ids[alone]
    paid = np.minimum(cost_usd[routes[alone]].astype(np.float32), savings[a_ids])
    savings[a_ids] -= paid
    paid_other[a_ids] += paid
    cont = with_broker & ~just_hired
    c_ids = ids[cont]
    fee = (fee_usd[routes[cont]] * factor).astype(np.float32)
    own = np.where(sponsored[c_ids], 0, np.minimum(fee, savings[c_ids]))
    charged = np.where(sponsored[c_ids], fee, own).astype(np.float32)
    savings[c_ids] -= own.astype(np.float32)
    paid_brokers[c_ids] += charged
    return paid, charged


def test_pay_kernel_matches_the_numpy_formulation() -> None:
    from nkroutes.model.processes.setting_off import _pay_kernel

    rng = np.random.default_rng(12)
    n = 2_000
    ids = np.sort(rng.choice(5_000, n, replace=False))
    routes = rng.integers(0, 7, n)
    with_broker = rng.random(n) < 0.5
    just_hired = rng.random(n) < 0.5
    cost_usd = rng.random(7) * 300
    fee_usd = rng.random(7) * 2000
    columns = [
        (rng.random(5_000) * 1500).astype(np.float32),
        (rng.random(5_000) * 100).astype(np.float32),
        (rng.random(5_000) * 100).astype(np.float32),
        rng.random(5_000) < 0.3,
    ]
    mine = [c.copy() for c in columns]
    theirs = [c.copy() for c in columns]
    bribes, fees = _pay_kernel(
        ids, routes, with_broker, just_hired, tuple(mine), cost_usd, fee_usd, 1.7
    )
    paid, charged = _pay_with_numpy(
        ids, routes, with_broker, just_hired, theirs, cost_usd, fee_usd, 1.7
    )
    assert bribes.tolist() == paid.tolist() and fees.tolist() == charged.tolist()
    for a, b in zip(mine, theirs, strict=True):
        assert a.tolist() == b.tolist()


def _end_cases_with_numpy(ids, places, keys, streams, step, p_done, dest, acceptance):
    """process_cases' settling of cases as it was written with numpy (the definition)."""
    u = streams.uniform("resettlement", keys, step)
    done = u < p_done[places]
    ids, keys, places = ids[done], keys[done], places[done]
    u_pick = streams.uniform("resettlement", keys, step, slot=1)
    u_accept = streams.uniform("resettlement", keys, step, slot=2)
    out_ids, out_routes, refused = [], [], 0
    for place in np.unique(places).tolist():
        if place not in dest:
            continue
        routes, to, weight, fallback_route = dest[place]
        rows = np.flatnonzero(places == place)
        cum = np.cumsum(weight) / weight.sum()
        pick = np.minimum(np.searchsorted(cum, u_pick[rows], side="right"), len(routes) - 1)
        accepted = u_accept[rows] < acceptance[to[pick]]
        chosen = routes[pick]
        if fallback_route >= 0:
            chosen = np.where(accepted, chosen, fallback_route)
            go = np.ones(len(rows), bool)
        else:
            go = accepted
        refused += int((~accepted).sum())
        out_ids += ids[rows[go]].tolist()
        out_routes += chosen[go].tolist()
    return out_ids, out_routes, refused


def test_end_cases_matches_the_numpy_formulation() -> None:
    from nkroutes.model.processes.transit import _end_cases
    from nkroutes.model.random import Streams

    rng = np.random.default_rng(12)
    streams = Streams(5)
    n_places, step = 7, 40
    # Places 0-3 have destinations (place 2 no fallback), 4-6 none.
    dest = {}
    for place in range(4):
        k = int(rng.integers(1, 5))
        routes = rng.choice(50, k, replace=False).astype(np.int64)
        to = rng.integers(0, n_places, k).astype(np.int64)
        weight = rng.random(k) + 0.1
        dest[place] = (routes, to, weight, -1 if place == 2 else int(routes[0]))
    p_done = rng.random(n_places)
    usable = np.array([p in dest for p in range(n_places)])
    ptr = np.zeros(n_places + 1, dtype=np.int64)
    for place in range(n_places):
        ptr[place + 1] = ptr[place] + (len(dest[place][0]) if place in dest else 0)
    parts = [dest[p] for p in range(4)]
    table = (
        p_done,
        usable,
        ptr,
        np.concatenate([x[0] for x in parts]),
        np.concatenate([x[1] for x in parts]),
        np.concatenate([np.cumsum(x[2]) / x[2].sum() for x in parts]),
        np.array([dest[p][3] if p in dest else -1 for p in range(n_places)], dtype=np.int64),
    )
    acceptance = rng.random(n_places)
    key = rng.integers(0, 2**63, 3000, dtype=np.uint64)
    ids = np.sort(rng.choice(3000, 1200, replace=False)).astype(np.int64)
    places = rng.integers(0, n_places, len(ids)).astype(np.int64)
    draws = (streams.run_key, np.int64(step * 0x10001 + 1), streams.key_of("resettlement"))
    got_ids, got_routes, place_ptr, refused = _end_cases(ids, places, key, table, acceptance, draws)
    expected = _end_cases_with_numpy(ids, places, key[ids], streams, step, p_done, dest, acceptance)
    assert got_ids.tolist() == expected[0]
    assert got_routes.tolist() == expected[1]
    assert refused == expected[2] > 0
    assert place_ptr[-1] == len(got_ids) and np.all(np.diff(place_ptr)[4:] == 0)


@pytest.mark.parametrize("function", [np.log1p, np.expm1])
def test_numpys_vectorised_functions_give_each_element_the_same_bits_wherever_it_stands(
    function: np.ufunc,
) -> None:
    """stays.enter takes the log of a stay's five draws in one call (four thresholds and word
    of mouth's), and transit's case table takes expm1 per place rather than per migrant:
    numpy's vectorised log1p and expm1 must not depend on an element's position (a change of
    numpy that broke this would change runs' bits)."""
    rng = np.random.default_rng(8)
    u = -rng.random((5, 1_001))
    whole = function(u)
    for row in range(5):
        assert np.array_equal(function(u[row]), whole[row])
        for start in range(9):
            part = slice(start, start + 13)
            assert np.array_equal(function(u[row, part]), whole[row, part])
    assert np.array_equal(np.array([function(x) for x in u[0, :50]]), whole[0, :50])


def test_detain_kernel_matches_the_numpy_formulation() -> None:
    """detain's sentences as they were written with numpy (the definition), to the bit."""
    from nkroutes.model.clock import DAYS_PER_MONTH
    from nkroutes.model.processes.enforcement import _detain_kernel
    from nkroutes.model.random import Streams

    rng = np.random.default_rng(21)
    streams = Streams(11)
    n, step, step_days = 2_000, 57, 30.4375
    key = rng.integers(0, 2**63, n, dtype=np.uint64)
    political = rng.random(n) < 0.3
    origin = rng.integers(0, 9, n).astype(np.int16)
    ids = np.sort(rng.choice(n, 700, replace=False)).astype(np.int64)
    p_pol, p_econ, y_min, y_max, m_min, m_max = 0.6, 0.1, 2.0, 7.0, 0.5, 6.0

    u_camp = streams.uniform("punishment", key[ids], step)
    u_term = streams.uniform("punishment", key[ids], step, slot=1)
    u_round = streams.uniform("punishment", key[ids], step, slot=2)
    camp = u_camp < np.where(political[ids], p_pol, p_econ)
    months = np.where(
        camp,
        12 * (y_min + u_term * (y_max - y_min)),
        m_min + u_term * (m_max - m_min),
    )
    expected = np.floor(months * DAYS_PER_MONTH / step_days + u_round).astype(np.int32)

    remaining = np.zeros(n, np.int32)
    in_camp = np.zeros(n, bool)
    state = np.zeros(n, np.int8)
    place = np.full(n, -1, np.int16)
    with_broker = np.ones(n, bool)
    sponsored = np.ones(n, bool)
    columns = (key, political, remaining, in_camp, state, place, origin, with_broker, sponsored)
    draws = (streams.run_key, np.int64(step * 0x10001 + 1), streams.key_of("punishment"))
    terms = (p_pol, p_econ, y_min, y_max - y_min, m_min, m_max - m_min, DAYS_PER_MONTH, step_days)
    n_camp = _detain_kernel(ids, columns, draws, terms)
    assert remaining[ids].tolist() == expected.tolist()
    assert in_camp[ids].tolist() == camp.tolist() and n_camp == int(camp.sum()) > 0
    assert (state[ids] == State.DETAINED).all() and (place[ids] == origin[ids]).all()
    assert not with_broker[ids].any() and not sponsored[ids].any()
