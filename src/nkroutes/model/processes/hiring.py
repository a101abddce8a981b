"""ODD 7.3 Brokers: hiring, the matching of migrants with brokers who have room.

In up to ``brokers.hire_rounds`` rounds, each migrant still looking asks one broker with
room left among those serving its route, picked by its own draw; each broker takes the
migrants who can pay its fee in the order of their own rank draws, up to its room (never a
shuffle, so common random numbers hold). The market itself (recruits, arrests, fees,
capacity) is :mod:`nkroutes.model.processes.brokers`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numba
import numpy as np

from nkroutes.model.random import draw, salt_of

if TYPE_CHECKING:
    from nkroutes.model.model import RouteModel


def route_rows(route_hubs: tuple[tuple[int, ...], ...], n_places: int) -> tuple[np.ndarray, ...]:
    """Routes grouped by the set of hubs that serve them: one row of brokers per set.

    Routes served from the same hubs are served by the same brokers, so the brokers serving
    each route are kept once per set of hubs (a row), not once per route. The last row is
    the empty set (routes no hub serves).

    Args:
        route_hubs: Each route's hub places.
        n_places: Number of places.

    Returns:
        ``(route_row, place_ptr, place_rows)``: each route's row, and the rows each place
        belongs to (place ``h``'s are ``place_rows[place_ptr[h]:place_ptr[h + 1]]``).
    """
    sets = sorted({tuple(sorted(set(hubs))) for hubs in route_hubs if hubs})
    row_of = {hubs: i for i, hubs in enumerate(sets)}
    empty = len(sets)
    route_row = np.array(
        [row_of[tuple(sorted(set(hubs)))] if hubs else empty for hubs in route_hubs],
        dtype=np.int64,
    )
    rows_of_place: list[list[int]] = [[] for _ in range(n_places)]
    for i, hubs in enumerate(sets):
        for h in hubs:
            rows_of_place[h].append(i)
    place_ptr = np.zeros(n_places + 1, dtype=np.int64)
    place_ptr[1:] = np.cumsum([len(r) for r in rows_of_place])
    place_rows = np.array([i for r in rows_of_place for i in r], dtype=np.int64)
    return route_row, place_ptr, place_rows


@numba.njit(cache=True, nogil=True)
def _serving_rows(
    broker_hub: np.ndarray, place_ptr: np.ndarray, place_rows: np.ndarray, n_rows: int
) -> tuple[np.ndarray, np.ndarray]:  # pragma: no cover - compiled
    """Each row's brokers (positions on the roster, ascending), as ``(ptr, brokers)``."""
    count = np.zeros(n_rows + 1, dtype=np.int64)
    for b in range(broker_hub.shape[0]):
        h = broker_hub[b]
        for j in range(place_ptr[h], place_ptr[h + 1]):
            count[place_rows[j] + 1] += 1
    ptr = np.cumsum(count)
    fill = ptr[:-1].copy()
    serving = np.empty(ptr[-1], dtype=np.int64)
    for b in range(broker_hub.shape[0]):
        h = broker_hub[b]
        for j in range(place_ptr[h], place_ptr[h + 1]):
            row = place_rows[j]
            serving[fill[row]] = b
            fill[row] += 1
    return ptr, serving


def _serving_table(model: RouteModel) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """``(route_row, serving_ptr, room_len, room)``: the brokers serving each route.

    Row ``r`` of the routes' rows (:func:`route_rows`) lists its brokers with room left as
    ``room[serving_ptr[r] : serving_ptr[r] + room_len[r]]``, ascending. Made at the step's
    first hiring from every broker serving the row (the roster is fixed within a step) and
    kept until the next :func:`~nkroutes.model.processes.brokers.update_brokers`; hiring
    drops the brokers whose room is used up as it goes (:func:`_hire_rounds`), since within
    a step no broker gains room.
    """
    p = model.params
    rows = model.broker_route_rows
    if rows is None or rows[0] is not p:
        rows = (p, *route_rows(p.route_hubs, p.n_places))
        model.broker_route_rows = rows
        model.broker_serving = None
    _, route_row, place_ptr, place_rows = rows
    if model.broker_serving is None:
        n_rows = int(route_row.max()) + 1 if len(route_row) else 1
        ptr, serving = _serving_rows(model.broker_hub, place_ptr, place_rows, n_rows)
        model.broker_serving = (ptr, np.diff(ptr), serving)
    return (route_row, *model.broker_serving)


@numba.njit(cache=True, nogil=True)
def _hire_rounds(
    keys: np.ndarray,
    routes: np.ndarray,
    sponsored: np.ndarray,
    savings_usd: np.ndarray,
    u_rank: np.ndarray,
    route_slot: np.ndarray,
    serving_ptr: np.ndarray,
    room_len: np.ndarray,
    room: np.ndarray,
    capacity: np.ndarray,
    used: np.ndarray,
    factor: np.ndarray,
    route_fee_usd: np.ndarray,
    fee_multiplier: float,
    rounds: int,
    run_key: np.uint64,
    counter: int,
    choice_key: np.uint64,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:  # pragma: no cover - compiled
    """The rounds of :func:`hire` in one compiled call (see there for the rules).

    Args:
        keys: The migrants' random keys.
        routes: The route each wants.
        sponsored: Whether each one's family pays.
        savings_usd: Each one's savings (US$, ``float32``).
        u_rank: Each one's ``broker_rank`` draw.
        route_slot: By route, its row in the serving lists (-1: none is needed); rows
            no needed route points to are skipped.
        serving_ptr: Where each row's brokers start in ``room``.
        room_len: How many of each row's brokers may have room left (updated).
        room: Row ``r``'s brokers that may have room left (positions on the roster,
            ascending) are ``room[serving_ptr[r]:serving_ptr[r] + room_len[r]]``; each round
            drops from the needed rows those whose room is used up (updated in place).
        capacity: Each broker's capacity this step.
        used: Each broker's clients taken this step (updated).
        factor: Each broker's price factor.
        route_fee_usd: Each route's base broker fee (US$).
        fee_multiplier: The enforcement multiplier of fees.
        rounds: ``brokers.hire_rounds``.
        run_key: The run's key (:attr:`Streams.run_key`).
        counter: The step's counter (:meth:`Streams.counter`): round ``k`` draws the
            ``broker_choice`` stream's slot ``k`` at the step, as :meth:`Streams.uniform` would.
        choice_key: The ``broker_choice`` stream's key.

    Returns:
        ``(accepted, chosen, fee)``: per migrant, whether a broker took it, which (-1: none)
        and at what fee (US$).
    """
    n = keys.shape[0]
    accepted = np.zeros(n, dtype=np.bool_)
    chosen = np.full(n, -1, dtype=np.int64)
    fee = np.zeros(n)
    pending = np.arange(n)
    row_needed = np.zeros(serving_ptr.shape[0] - 1, dtype=np.bool_)
    for r in range(route_slot.shape[0]):
        if route_slot[r] >= 0:
            row_needed[route_slot[r]] = True
    for round_ in range(rounds):
        n_pending = pending.shape[0]
        if n_pending == 0:
            break
        # The brokers with room left, per needed row, as the round starts: the row's list
        # less those whose room has been used up since (kept in order).
        for r in range(serving_ptr.shape[0] - 1):
            if row_needed[r]:
                lo = serving_ptr[r]
                k = lo
                for j in range(lo, lo + room_len[r]):
                    b = room[j]
                    if capacity[b] > used[b]:
                        room[k] = b
                        k += 1
                room_len[r] = k - lo
        pick = np.full(n_pending, -1, dtype=np.int64)
        price = np.zeros(n_pending)
        can_pay = np.zeros(n_pending, dtype=np.bool_)
        n_cand = 0
        for i in range(n_pending):
            m = pending[i]
            slot = route_slot[routes[m]]
            lo = serving_ptr[slot]
            count = room_len[slot]
            if count == 0:
                continue
            salt = salt_of(run_key, counter + round_)
            u = draw(keys[m], salt, choice_key)
            b = room[lo + min(np.int64(u * count), count - 1)]
            pick[i] = b
            price[i] = route_fee_usd[routes[m]] * factor[b] * fee_multiplier
            if sponsored[m] or savings_usd[m] >= price[i]:
                can_pay[i] = True
                n_cand += 1
        # Candidates by broker, then by their rank draws, ties by position (np.lexsort's
        # order): each broker takes the first of them up to its room.
        cand = np.flatnonzero(can_pay)
        draws = np.empty(n_cand)
        for c in range(n_cand):
            draws[c] = u_rank[pending[cand[c]]]
        by_draw = np.argsort(draws, kind="mergesort")
        brokers = np.empty(n_cand, dtype=np.int64)
        for c in range(n_cand):
            brokers[c] = pick[cand[by_draw[c]]]
        order = by_draw[np.argsort(brokers, kind="mergesort")]
        taken_by = np.empty(n_cand, dtype=np.int64)
        n_taken = 0
        previous = -1
        rank = 0
        for c in range(n_cand):
            i = cand[order[c]]
            b = pick[i]
            rank = rank + 1 if b == previous else 0
            previous = b
            if rank < capacity[b] - used[b]:
                m = pending[i]
                accepted[m] = True
                chosen[m] = b
                fee[m] = price[i]
                taken_by[n_taken] = b
                n_taken += 1
        for c in range(n_taken):
            used[taken_by[c]] += 1
        # Those with no broker with room on their route stop looking this step.
        still = 0
        for i in range(n_pending):
            if pick[i] >= 0 and not accepted[pending[i]]:
                pending[still] = pending[i]
                still += 1
        pending = pending[:still].copy()
    return accepted, chosen, fee


@numba.njit(cache=True, nogil=True)
def _hire_kernel(
    ids: np.ndarray,
    routes: np.ndarray,
    columns: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray],
    route_row: np.ndarray,
    serving_ptr: np.ndarray,
    room_len: np.ndarray,
    room: np.ndarray,
    roster: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray],
    books: tuple[np.ndarray, np.ndarray],
    hub_slot: np.ndarray,
    route_fee_usd: np.ndarray,
    fee_multiplier: float,
    rounds: int,
    draws: tuple[np.uint64, np.int64, np.uint64, np.uint64],
) -> tuple[np.ndarray, np.ndarray]:  # pragma: no cover - compiled
    """:func:`hire` in one compiled call: the draws, :func:`_hire_rounds`, the books.

    Args:
        ids: Migrants asking for a broker.
        routes: The route each wants.
        columns: ``key``, ``sponsored``, ``savings_usd``, ``paid_brokers_usd``, ``hub``.
        route_row: Each route's row of the serving lists (:func:`route_rows`).
        serving_ptr: Where each row's brokers start in ``room``.
        room_len: How many of each row's brokers may have room left (updated).
        room: The rows' brokers that may have room left (updated; :func:`_hire_rounds`).
        roster: The brokers' ``capacity``, ``used`` (updated), price ``factor``, hub place
            and serial.
        books: The brokers' ``clients`` and ``revenue_usd`` by serial (updated).
        hub_slot: By place, its position among the hubs.
        route_fee_usd: Each route's base broker fee (US$).
        fee_multiplier: The enforcement multiplier of fees.
        rounds: ``brokers.hire_rounds``.
        draws: The run's key, the step's counter (:meth:`Streams.counter`), and the
            ``broker_rank`` and ``broker_choice`` streams' keys.

    Returns:
        ``(accepted, fees)``: per migrant whether a broker took it; the fees (US$,
        ``float32``) of those taken, in the order of ``ids``.
    """
    key, sponsored_col, savings_col, paid_brokers, hub = columns
    capacity, used, factor, broker_hub, broker_serial = roster
    clients, revenue = books
    run_key, counter, rank_key, choice_key = draws
    n = ids.shape[0]
    keys = np.empty(n, dtype=np.uint64)
    sponsored = np.empty(n, dtype=np.bool_)
    savings = np.empty(n, dtype=np.float32)
    u_rank = np.empty(n)
    salt = salt_of(run_key, counter)
    route_slot = np.full(route_row.shape[0], -1, dtype=np.int64)
    for i in range(n):
        m = ids[i]
        keys[i] = key[m]
        sponsored[i] = sponsored_col[m]
        savings[i] = savings_col[m]
        u_rank[i] = draw(keys[i], salt, rank_key)
        route_slot[routes[i]] = route_row[routes[i]]
    accepted, chosen, fee = _hire_rounds(
        keys,
        routes,
        sponsored,
        savings,
        u_rank,
        route_slot,
        serving_ptr,
        room_len,
        room,
        capacity,
        used,
        factor,
        route_fee_usd,
        fee_multiplier,
        rounds,
        run_key,
        counter,
        choice_key,
    )
    # What those taken pay, and the brokers' books by serial, in the order of ids (as the
    # numpy it replaced: float32 columns, fees added to the books as float64).
    n_acc = 0
    for i in range(n):
        n_acc += accepted[i]
    fees = np.empty(n_acc, dtype=np.float32)
    k = 0
    for i in range(n):
        if not accepted[i]:
            continue
        m = ids[i]
        f = np.float32(fee[i])
        fees[k] = f
        k += 1
        savings_col[m] -= np.float32(0.0) if sponsored[i] else f
        paid_brokers[m] += f
        b = chosen[i]
        hub[m] = hub_slot[broker_hub[b]]
        clients[broker_serial[b]] += 1
        revenue[broker_serial[b]] += np.float64(f)
    return accepted, fees


def hire(model: RouteModel, ids: np.ndarray, routes: np.ndarray) -> np.ndarray:
    """Match migrants with brokers for the routes they chose.

    In up to ``brokers.hire_rounds`` rounds, each migrant still looking asks one broker with
    room left among those serving its route, picked by its own draw; each broker takes the
    migrants who can pay its fee in the order of their own rank draws, up to its room.
    A migrant turned away (no room, or a fee it cannot pay) asks another in the next round.

    Args:
        model: The running model.
        ids: Migrants asking for a broker.
        routes: The route each one wants to travel.

    Returns:
        Boolean array: True where a broker took the migrant (its fee is charged).
    """
    cols = model.table.cols
    streams = model.streams
    route_row, serving_ptr, room_len, room = _serving_table(model)
    books = model.broker_books
    accepted, fees = _hire_kernel(
        ids,
        np.asarray(routes, dtype=np.int64),
        (
            cols["key"],
            cols["sponsored"],
            cols["savings_usd"],
            cols["paid_brokers_usd"],
            cols["hub"],
        ),
        route_row,
        serving_ptr,
        room_len,
        room,
        (
            model.broker_capacity,
            model.broker_used,
            model.broker_factor,
            model.broker_hub,
            model.broker_serial,
        ),
        (books["clients"], books["revenue_usd"]),
        model.hub_slot,
        model.params.route_broker_fee_usd,
        float(model.fee_multiplier),
        int(model.params.brokers.hire_rounds),
        (
            streams.run_key,
            streams.counter(model.step_index),
            streams.key_of("broker_rank"),
            streams.key_of("broker_choice"),
        ),
    )
    if len(fees):
        # Summed by numpy (its float32 pairwise order), as before.
        model.counters["broker_fees_usd"] += float(fees.sum())
    return accepted
