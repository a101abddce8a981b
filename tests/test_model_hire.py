"""Hiring's compiled rounds (model/processes/hiring.py) match their numpy formulation.

Each round, every migrant still looking asks a broker with room on its route, picked by its
own draw; the candidates who can pay are ordered by broker, then by their own rank draw
(``np.lexsort``'s order), and each broker takes the first up to its room. The compiled
``_hire_rounds`` must take exactly the same migrants, brokers and fees, so that runs keep
their bits: few and many brokers, little and much room, ties of rank draws.
"""

from __future__ import annotations

import numpy as np
import pytest

from nkroutes.model.processes.hiring import _hire_rounds
from nkroutes.model.random import Streams


def _reference(args: dict, streams: Streams, step: int) -> tuple:
    """hire's rounds as they were written with numpy (the definition)."""
    keys, routes = args["keys"], args["routes"]
    capacity, used = args["capacity"], args["used"]
    n = len(keys)
    accepted = np.zeros(n, bool)
    chosen = np.full(n, -1, dtype=np.int64)
    fee = np.zeros(n)
    pending = np.arange(n)
    for round_ in range(args["rounds"]):
        if len(pending) == 0:
            break
        u_pick = streams.uniform("broker_choice", keys[pending], step, slot=round_)
        pick = np.full(len(pending), -1, dtype=np.int64)
        pending_routes = routes[pending]
        for r in np.unique(pending_routes):
            rows = np.flatnonzero(pending_routes == r)
            serving = args["serving_by_route"][r]
            serving = serving[capacity[serving] > used[serving]]
            if len(serving) == 0:
                continue
            k = np.minimum((u_pick[rows] * len(serving)).astype(np.int64), len(serving) - 1)
            pick[rows] = serving[k]
        has = pick >= 0
        price = np.zeros(len(pending))
        price[has] = (
            args["route_fee_usd"][pending_routes[has]]
            * args["factor"][pick[has]]
            * args["fee_multiplier"]
        )
        can_pay = has & (args["sponsored"][pending] | (args["savings"][pending] >= price))
        cand = np.flatnonzero(can_pay)
        if len(cand):
            order = cand[np.lexsort((args["u_rank"][pending[cand]], pick[cand]))]
            b = pick[order]
            first = np.r_[True, b[1:] != b[:-1]]
            group_start = np.maximum.accumulate(np.where(first, np.arange(len(b)), 0))
            ok = np.arange(len(b)) - group_start < capacity[b] - used[b]
            taken = pending[order[ok]]
            accepted[taken] = True
            chosen[taken] = b[ok]
            fee[taken] = price[order[ok]]
            np.add.at(used, b[ok], 1)
        pending = pending[has & ~accepted[pending]]
    return accepted, chosen, fee, used


@pytest.mark.parametrize(("n_brokers", "room", "rounds"), [(3, 1, 3), (40, 3, 2), (2000, 2, 4)])
def test_compiled_rounds_take_whom_the_numpy_rounds_take(
    n_brokers: int, room: int, rounds: int
) -> None:
    rng = np.random.default_rng(n_brokers)
    streams = Streams(7)
    step, n, n_routes = 31, 3000, 6
    hub_of_route = rng.integers(0, 3, n_routes)
    broker_hub = rng.integers(0, 3, n_brokers)
    serving_by_route = {r: np.flatnonzero(broker_hub == hub_of_route[r]) for r in range(n_routes)}
    u_rank = rng.integers(0, 50, n) / 50.0  # many ties: the order must fall back on position
    args = {
        "keys": rng.integers(0, 2**63, n, dtype=np.uint64),
        "routes": rng.integers(0, n_routes, n).astype(np.int64),
        "sponsored": rng.random(n) < 0.3,
        "savings": (rng.random(n) * 3000).astype(np.float32),
        "u_rank": u_rank,
        "capacity": rng.integers(0, room + 1, n_brokers).astype(np.int64),
        "used": np.zeros(n_brokers, dtype=np.int64),
        "factor": np.exp(rng.random(n_brokers) * np.log(16.0)),
        "route_fee_usd": rng.random(n_routes) * 1500,
        "fee_multiplier": 1.3,
        "rounds": rounds,
        "serving_by_route": serving_by_route,
    }
    expected = _reference({**args, "used": args["used"].copy()}, streams, step)

    needed = np.unique(args["routes"])
    route_slot = np.full(n_routes, -1, dtype=np.int64)
    route_slot[needed] = np.arange(len(needed))
    lists = [serving_by_route[r] for r in needed]
    serving_ptr = np.r_[0, np.cumsum([len(x) for x in lists])].astype(np.int64)
    used = args["used"].copy()
    # The rows' lists of brokers with room, carried from call to call as within a step.
    room_len, room = np.diff(serving_ptr), np.concatenate(lists).astype(np.int64)

    def compiled(asking: dict, step: int) -> tuple:
        return _hire_rounds(
            asking["keys"],
            asking["routes"],
            asking["sponsored"],
            asking["savings"],
            asking["u_rank"],
            route_slot,
            serving_ptr,
            room_len,
            room,
            args["capacity"],
            used,
            args["factor"],
            args["route_fee_usd"],
            args["fee_multiplier"],
            rounds,
            streams.run_key,
            step * 0x10001 + 1,
            streams.key_of("broker_choice"),
        )

    got = compiled(args, step)
    for name, a, b in zip(("accepted", "chosen", "fee"), got, expected[:3], strict=True):
        assert a.tolist() == b.tolist(), name
    assert used.tolist() == expected[3].tolist()
    # Some are taken and some turned away (the case is not trivial).
    assert 0 < got[0].sum() < n
    # A second call in the same step (new askers, the same brokers' room used so far):
    # the lists carried over give what a pass over every serving broker gives.
    later = {**args, "keys": args["keys"][::-1].copy(), "used": used.copy()}
    later |= {k: args[k][::-1].copy() for k in ("routes", "sponsored", "savings", "u_rank")}
    expected = _reference(later, streams, step + 1)
    got = compiled(later, step + 1)
    for name, a, b in zip(("accepted", "chosen", "fee"), got, expected[:3], strict=True):
        assert a.tolist() == b.tolist(), name
    assert used.tolist() == expected[3].tolist()
    # With few brokers the first call fills them all; with many, the second takes some too.
    assert got[0].any() == (n_brokers == 2000)


def test_serving_rows_list_each_routes_brokers_as_a_pass_over_the_roster_would() -> None:
    """A route's row holds the brokers at any of its hubs, ascending; routes share rows."""
    from nkroutes.model.processes.hiring import _serving_rows, route_rows

    rng = np.random.default_rng(3)
    n_places = 9
    route_hubs = ((4,), (4,), (5, 4), (), (6,), (4, 5), (7,), ())
    route_row, place_ptr, place_rows = route_rows(route_hubs, n_places)
    # Routes with the same set of hubs share a row; those with none share the empty row.
    assert route_row[0] == route_row[1] and route_row[2] == route_row[5]
    assert route_row[3] == route_row[7] == route_row.max()
    broker_hub = rng.choice([4, 5, 6, 7, 8], 500).astype(np.int64)
    ptr, serving = _serving_rows(broker_hub, place_ptr, place_rows, int(route_row.max()) + 1)
    for route, hubs in enumerate(route_hubs):
        row = route_row[route]
        expected = np.flatnonzero(np.isin(broker_hub, hubs))
        assert serving[ptr[row] : ptr[row + 1]].tolist() == expected.tolist(), route
