"""ODD 7.3 Brokers: the smuggling market, its brokers, fees and capacity.

Each step, brokers may quit or be arrested (:meth:`Broker.step`), and new brokers join the
hubs whose clients reached a destination in the previous step ("word of mouth about the
relative success in using brokers ... has contributed to the expansion of these lucrative
underground networks", MPI 2008). A broker's fee for a route is the route's base fee times
the broker's own price factor (log-uniform between 1 and ``price_spread``: the article's
US$1,250-19,950) times the enforcement multiplier ``(arrest rate / arrest rate at the
start) ** fee_enforcement_elasticity``: fees rise with crackdowns.

Capacity is rationed. Each broker's capacity is a balance that grows by its clients per
step and is used by each client it takes. A migrant asks a broker with room serving its
route, picked by its own draw; each broker takes the migrants who can pay its fee in the
order of their own rank draws (never a shuffle), so common random numbers hold; a migrant
turned away asks another, up to ``brokers.hire_rounds`` brokers a step.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numba
import numpy as np

from nkroutes.model.agents import BROKER_KEY_MULTIPLIER
from nkroutes.model.counts import poisson_count
from nkroutes.model.random import draw, salt_of

if TYPE_CHECKING:
    from nkroutes.model.model import RouteModel


def price_factors(spread: float, u: np.ndarray) -> np.ndarray:
    """Brokers' price factors: log-uniform in [1, spread] at quantiles ``u``."""
    return np.exp(u * np.log(spread))


def mean_price_factor(spread: float) -> float:
    """Mean of the log-uniform price factor on [1, spread]."""
    if spread <= 1:
        return 1.0
    return float((spread - 1) / np.log(spread))


def recruit(model: RouteModel, hub: int, count: int) -> None:
    """Add ``count`` new brokers at hub place ``hub`` (they join the roster next refresh)."""
    spread = model.params.brokers.price_spread
    first = model.next_broker_serial
    model.next_broker_serial += count
    serials = np.arange(first, first + count, dtype=np.uint64)
    u = model.streams.uniform("brokers", serials, -1, slot=1)
    hubs = np.full(count, hub, dtype=np.int64)
    model.recruits.append((serials.astype(np.int64), hubs, price_factors(spread, u)))
    _open_books(model, first + count)


def _open_books(model: RouteModel, n_serials: int) -> None:
    """Make room in the brokers' books (clients, revenue by serial) for ``n_serials``."""
    books = model.broker_books
    if len(books["clients"]) >= n_serials:
        return
    size = max(n_serials, 2 * len(books["clients"]), 64)
    for name, column in books.items():
        grown = np.zeros(size, dtype=column.dtype)
        grown[: len(column)] = column
        books[name] = grown


def update_brokers(model: RouteModel) -> None:
    """Brokers quit or are arrested, recruits join, fees follow enforcement."""
    p = model.params
    leaving = None
    if len(model.broker_serial):
        # Each broker's own draw: below p_arrest it is arrested, else below
        # p_arrest + p_quit it quits the trade.
        draws = model.streams.uniform("brokers", model.broker_keys, model.step_index)
        p_arrest = float(model.clock.prob(p.brokers.arrest_rate_per_year))
        p_quit = float(model.clock.prob(p.brokers.quit_rate_per_year))
        leaving = draws < p_arrest + p_quit
        model.counters["brokers_arrested"] += int(np.count_nonzero(draws < p_arrest))
    rate = p.brokers.recruits_per_assisted_arrival
    for h, hub in enumerate(p.hub_places.tolist()):
        expected = rate * model.assisted_arrivals_by_hub[h]
        if expected > 0:
            u = model.streams.uniform_one("brokers", 1_000_003 + h, model.step_index, slot=2)
            count = poisson_count(u, expected, "recruited brokers")
            if count:
                recruit(model, hub, count)
                model.counters["brokers_recruited"] += count
    model.assisted_arrivals_by_hub[:] = 0
    china = p.china.arrest_rate_per_year
    base = model.initial_china_arrest_rate
    ratio = china / base if base > 0 else 1.0
    model.fee_multiplier = float(ratio**p.brokers.fee_enforcement_elasticity)
    model.mean_broker_fee_factor = mean_price_factor(p.brokers.price_spread) * (
        model.fee_multiplier
    )
    _refresh_roster(model, leaving)


def _refresh_roster(model: RouteModel, leaving: np.ndarray | None) -> None:
    """Arrays of the active brokers for this step's rationing.

    The brokers stay in serial order: those that did not leave (``leaving`` is a mask over
    the previous ones), then the recruits waiting to join, whose serials are all higher.
    """
    hub, factor, keys = model.broker_hub, model.broker_factor, model.broker_keys
    serial = model.broker_serial
    if leaving is not None and leaving.any():
        stay = ~leaving
        hub, factor, keys, serial = hub[stay], factor[stay], keys[stay], serial[stay]
    if model.recruits:
        new_serial, new_hub, new_factor = (
            np.concatenate(c) for c in zip(*model.recruits, strict=True)
        )
        hub = np.concatenate([hub, new_hub])
        factor = np.concatenate([factor, new_factor])
        keys = np.concatenate([keys, broker_keys(new_serial)])
        serial = np.concatenate([serial, new_serial])
        model.recruits = []
    # Capacity is a balance carried from step to step: each step adds the broker's
    # clients per step, a client uses one, and unused capacity keeps for at most one
    # client more than a step's worth. So a broker taking 2 clients a month can take one
    # in any week, and the capacity per month does not depend on the step length.
    balance = model.broker_balance
    if len(balance):
        balance = balance - model.broker_used
        if leaving is not None and leaving.any():
            balance = balance[~leaving]
    balance = np.concatenate([balance, np.zeros(len(serial) - len(balance))])
    per_step = model.params.brokers.clients_per_broker_per_month * model.months_per_step
    model.broker_balance = np.minimum(balance + per_step, per_step + max(per_step, 1.0))
    model.broker_keys = keys
    model.broker_serial = serial
    model.broker_hub = hub
    model.broker_factor = factor
    model.broker_capacity = np.floor(model.broker_balance + 1e-9).astype(np.int64)
    model.broker_used = np.zeros(len(serial), dtype=np.int64)
    model.broker_serving = None


def broker_keys(serials: np.ndarray) -> np.ndarray:
    """Brokers' 64-bit random identities for an array of serials (:attr:`Broker.key`)."""
    return (serials.astype(np.uint64) + np.uint64(1)) * np.uint64(BROKER_KEY_MULTIPLIER)


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
    kept until the next :func:`update_brokers`; hiring drops the brokers whose room is
    used up as it goes (:func:`_hire_rounds`), since within a step no broker gains room.
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
        counter: ``step * 0x10001 + 1``: round ``k`` draws the ``broker_choice`` stream's
            slot ``k`` at the step, as :meth:`Streams.uniform` would.
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
        draws: The run's key, ``step * 0x10001 + 1``, and the ``broker_rank`` and
            ``broker_choice`` streams' keys.

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
            np.int64(model.step_index * 0x10001 + 1),
            streams.key_of("broker_rank"),
            streams.key_of("broker_choice"),
        ),
    )
    if len(fees):
        # Summed by numpy (its float32 pairwise order), as before.
        model.counters["broker_fees_usd"] += float(fees.sum())
    return accepted
