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
turned away asks another, up to ``brokers.hire_rounds`` brokers a step (the matching is
:mod:`nkroutes.model.processes.hiring`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from nkroutes.model.agents import BROKER_KEY_MULTIPLIER
from nkroutes.model.counts import poisson_count

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
