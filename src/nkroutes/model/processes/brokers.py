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
from nkroutes.model.groups import present
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
    model.brokers_for_route = {}


def broker_keys(serials: np.ndarray) -> np.ndarray:
    """Brokers' 64-bit random identities for an array of serials (:attr:`Broker.key`)."""
    return (serials.astype(np.uint64) + np.uint64(1)) * np.uint64(BROKER_KEY_MULTIPLIER)


def _brokers_serving(model: RouteModel, route: int) -> np.ndarray:
    cached = model.brokers_for_route.get(route)
    if cached is None:
        serves = np.zeros(model.params.n_places, dtype=bool)
        serves[list(model.params.route_hubs[route])] = True
        cached = np.flatnonzero(serves[model.broker_hub])
        model.brokers_for_route[route] = cached
    return cached


@numba.njit(cache=True, nogil=True)
def _hire_rounds(
    keys: np.ndarray,
    routes: np.ndarray,
    sponsored: np.ndarray,
    savings_usd: np.ndarray,
    u_rank: np.ndarray,
    route_slot: np.ndarray,
    serving_ptr: np.ndarray,
    serving: np.ndarray,
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
        route_slot: By route, its row in the serving lists (-1: none is needed).
        serving_ptr: Row ``r``'s brokers are ``serving[serving_ptr[r]:serving_ptr[r + 1]]``.
        serving: Brokers (positions on the roster) serving each needed route, ascending.
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
    with_room = np.empty(serving.shape[0], dtype=np.int64)
    room_ptr = np.empty(serving_ptr.shape[0], dtype=np.int64)
    for round_ in range(rounds):
        n_pending = pending.shape[0]
        if n_pending == 0:
            break
        # The brokers with room left, per route, as the round starts.
        room_ptr[0] = 0
        k = 0
        for r in range(serving_ptr.shape[0] - 1):
            for j in range(serving_ptr[r], serving_ptr[r + 1]):
                b = serving[j]
                if capacity[b] > used[b]:
                    with_room[k] = b
                    k += 1
            room_ptr[r + 1] = k
        pick = np.full(n_pending, -1, dtype=np.int64)
        price = np.zeros(n_pending)
        can_pay = np.zeros(n_pending, dtype=np.bool_)
        n_cand = 0
        for i in range(n_pending):
            m = pending[i]
            slot = route_slot[routes[m]]
            lo = room_ptr[slot]
            count = room_ptr[slot + 1] - lo
            if count == 0:
                continue
            salt = salt_of(run_key, counter + round_)
            u = draw(keys[m], salt, choice_key)
            b = with_room[lo + min(np.int64(u * count), count - 1)]
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
    t = model.table
    keys = t.cols["key"][ids]
    step = model.step_index
    u_rank = model.streams.uniform("broker_rank", keys, step)
    sponsored = t.cols["sponsored"][ids]
    savings = t.cols["savings_usd"][ids]
    # The brokers serving each route asked for, as rows of one array.
    needed = present(routes, model.params.n_routes)
    route_slot = np.full(model.params.n_routes, -1, dtype=np.int64)
    route_slot[needed] = np.arange(len(needed))
    lists = [_brokers_serving(model, r) for r in needed]
    serving_ptr = np.zeros(len(needed) + 1, dtype=np.int64)
    serving_ptr[1:] = np.cumsum([len(x) for x in lists])
    serving = np.concatenate(lists).astype(np.int64) if lists else np.zeros(0, np.int64)
    streams = model.streams
    accepted, chosen, fee = _hire_rounds(
        keys,
        np.asarray(routes, dtype=np.int64),
        sponsored,
        savings,
        u_rank,
        route_slot,
        serving_ptr,
        serving,
        model.broker_capacity,
        model.broker_used,
        model.broker_factor,
        model.params.route_broker_fee_usd,
        float(model.fee_multiplier),
        int(model.params.brokers.hire_rounds),
        streams.run_key,
        step * 0x10001 + 1,
        streams.key_of("broker_choice"),
    )
    acc_ids = ids[accepted]
    if len(acc_ids):
        f = fee[accepted].astype(np.float32)
        own = np.where(sponsored[accepted], np.float32(0), f)
        t.cols["savings_usd"][acc_ids] -= own
        t.cols["paid_brokers_usd"][acc_ids] += f
        model.counters["broker_fees_usd"] += float(f.sum())
        t.cols["hub"][acc_ids] = model.hub_slot[model.broker_hub[chosen[accepted]]]
        # The brokers' books, by serial; fees are added in the order clients were taken.
        serials = model.broker_serial[chosen[accepted]]
        np.add.at(model.broker_books["clients"], serials, 1)
        np.add.at(model.broker_books["revenue_usd"], serials, f.astype(float))
    return accepted
