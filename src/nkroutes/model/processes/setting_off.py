"""ODD 7.10 Choosing and starting a route: setting off, paying for a leg and starting along it.

Used by :func:`nkroutes.model.processes.journeys.start_journeys` once migrants have chosen
(and hired), and by transit countries' departures to destinations. A migrant alone pays the
route's bribes and fares (as far as its savings go); one who keeps its broker pays the
leg's fee; its travel time in steps is the route's duration, stochastically rounded.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numba
import numpy as np

from nkroutes.model.migrants import State
from nkroutes.model.random import draw, salt_of

if TYPE_CHECKING:
    from nkroutes.model.model import RouteModel

_MOVING = int(State.MOVING)


@numba.njit(cache=True, nogil=True)
def _go(
    ids: np.ndarray,
    chosen_route: np.ndarray,
    movers: np.ndarray,
    continuing: np.ndarray,
    hire_idx: np.ndarray,
    hired_ok: np.ndarray,
    leaving_hiding: bool,
    route_alone_allowed: np.ndarray,
    pay: tuple[tuple[np.ndarray, ...], np.ndarray, np.ndarray, float],
    set_off_args: tuple[np.ndarray, tuple[np.ndarray, ...], tuple[np.uint64, ...], np.ndarray],
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:  # pragma: no cover - compiled
    """After hiring: who goes, what they pay and their setting off, in one pass.

    Those a broker turned away stay (leaving a hiding place) or go alone where the route
    allows it; the rest pay (:func:`_pay_kernel`) and set off (:func:`_set_off_kernel`).

    Args:
        ids: The migrants at the place.
        chosen_route: The route of each one's option.
        movers: Whether each had an option (updated: False for those who stay).
        continuing: Whether each travels with a broker already.
        hire_idx: Positions of those who asked for a broker.
        hired_ok: For each of those, whether a broker took it.
        leaving_hiding: Whether the place is a hiding place.
        route_alone_allowed: By route, whether it may be travelled alone.
        pay: :func:`_pay_kernel`'s columns, route costs, route fees and fee factor.
        set_off_args: :func:`_set_off_kernel`'s travel steps by route, columns, draws and
            route starts (updated).

    Returns:
        ``(ids_m, route_m, bribes, fees)``: those who set off, in the order of ``ids``, their
        routes, and what they paid (as :func:`_pay_kernel`).
    """
    n = ids.shape[0]
    hired = np.zeros(n, dtype=np.bool_)
    for j in range(hire_idx.shape[0]):
        i = hire_idx[j]
        if hired_ok[j]:
            hired[i] = True
        elif leaving_hiding or not route_alone_allowed[chosen_route[i]]:
            # Turned away: stay in hiding; on the way, go alone if the route allows it.
            movers[i] = False
    n_m = 0
    for i in range(n):
        n_m += movers[i]
    ids_m = np.empty(n_m, dtype=ids.dtype)
    route_m = np.empty(n_m, dtype=np.int64)
    with_broker_m = np.empty(n_m, dtype=np.bool_)
    hired_m = np.empty(n_m, dtype=np.bool_)
    k = 0
    for i in range(n):
        if movers[i]:
            ids_m[k] = ids[i]
            route_m[k] = chosen_route[i]
            hired_m[k] = hired[i]
            with_broker_m[k] = hired[i] or continuing[i]
            k += 1
    columns, route_cost_usd, route_fee_usd, fee_factor = pay
    bribes, fees = _pay_kernel(
        ids_m, route_m, with_broker_m, hired_m, columns, route_cost_usd, route_fee_usd, fee_factor
    )
    steps_by_route, set_off_columns, draws, route_starts = set_off_args
    _set_off_kernel(
        ids_m, route_m, with_broker_m, steps_by_route, set_off_columns, draws, route_starts
    )
    return ids_m, route_m, bribes, fees


@numba.njit(cache=True, nogil=True)
def _pay_kernel(
    ids: np.ndarray,
    routes: np.ndarray,
    with_broker: np.ndarray,
    just_hired: np.ndarray,
    columns: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray],
    route_cost_usd: np.ndarray,
    route_fee_usd: np.ndarray,
    fee_factor: float,
) -> tuple[np.ndarray, np.ndarray]:  # pragma: no cover - compiled
    """Charge bribes and fares (alone) or the broker's fee for the leg (with a broker).

    The fee of a freshly hired broker was charged by hiring
    (:func:`~nkroutes.model.processes.hiring.hire`); a migrant who keeps its broker pays the
    leg's base fee times the broker market's mean factor. Per migrant, in the float32
    arithmetic of the numpy it replaced; returns what was paid.

    Args:
        ids: The migrants setting off.
        routes: The route each takes.
        with_broker: Whether each travels with a broker.
        just_hired: Whether its broker was hired now (its fee is already charged).
        columns: ``savings_usd``, ``paid_other_usd``, ``paid_brokers_usd``, ``sponsored``.
        route_cost_usd: Each route's bribes and fares (US$).
        route_fee_usd: Each route's base broker fee (US$).
        fee_factor: The broker market's mean price factor.

    Returns:
        ``(bribes, fees)``: ``float32`` amounts paid alone and fees charged to those who
        keep their broker, each in the order of ``ids``.
    """
    savings, paid_other, paid_brokers, sponsored = columns
    bribes = np.empty(ids.shape[0], dtype=np.float32)
    fees = np.empty(ids.shape[0], dtype=np.float32)
    n_bribes = 0
    n_fees = 0
    for i in range(ids.shape[0]):
        m = ids[i]
        if not with_broker[i]:
            paid = min(np.float32(route_cost_usd[routes[i]]), savings[m])
            savings[m] -= paid
            paid_other[m] += paid
            bribes[n_bribes] = paid
            n_bribes += 1
        elif not just_hired[i]:
            fee = np.float32(route_fee_usd[routes[i]] * fee_factor)
            own = np.float32(0.0) if sponsored[m] else min(fee, savings[m])
            savings[m] -= own
            paid_brokers[m] += fee if sponsored[m] else own
            fees[n_fees] = fee if sponsored[m] else own
            n_fees += 1
    return bribes[:n_bribes], fees[:n_fees]


def go_after_hiring(
    model: RouteModel,
    ids: np.ndarray,
    chosen_route: np.ndarray,
    movers: np.ndarray,
    continuing: np.ndarray,
    hiring: tuple[np.ndarray, np.ndarray],
    leaving_hiding: bool,
) -> np.ndarray:
    """Those who chose an option pay and set off (:func:`_go`); returns who set off.

    Args:
        model: The running model.
        ids: Migrants at one place.
        chosen_route: The route of each one's option.
        movers: Whether each had an option (updated).
        continuing: Whether each travels with a broker already.
        hiring: The positions of those who asked for a broker, and whether one took each.
        leaving_hiding: Whether the place is a hiding place.

    Returns:
        The ids that set off, in the order of ``ids``.
    """
    p = model.params
    cols = model.table.cols
    hire_idx, hired_ok = hiring
    ids_m, route_m, bribes, fees = _go(
        ids,
        chosen_route,
        movers,
        continuing,
        hire_idx,
        hired_ok,
        leaving_hiding,
        p.route_alone_allowed,
        (
            (
                cols["savings_usd"],
                cols["paid_other_usd"],
                cols["paid_brokers_usd"],
                cols["sponsored"],
            ),
            p.route_cost_usd,
            p.route_broker_fee_usd,
            float(model.mean_broker_fee_factor),
        ),
        _set_off_args(model),
    )
    _count_payments(model, bribes, fees)
    _log_set_off(model, ids_m, route_m)
    return ids_m


def _count_payments(model: RouteModel, bribes: np.ndarray, fees: np.ndarray) -> None:
    """Add what was paid on setting off to the step's counters."""
    # Summed by numpy (its float32 pairwise order), as before.
    if len(bribes):
        model.counters["bribes_and_fares_usd"] += float(bribes.sum())
    if len(fees):
        model.counters["broker_fees_usd"] += float(fees.sum())


@numba.njit(cache=True, nogil=True)
def _set_off_kernel(
    ids: np.ndarray,
    routes: np.ndarray,
    broker: np.ndarray,
    steps_by_route: np.ndarray,
    columns: tuple[np.ndarray, ...],
    draws: tuple[np.uint64, np.uint64, np.int64],
    route_starts: np.ndarray,
) -> None:  # pragma: no cover - compiled
    """:func:`set_off` per migrant: travel time by stochastic rounding, state, route.

    ``columns`` are ``key``, ``remaining``, ``state``, ``route``, ``with_broker`` and
    ``broker_helped``; ``draws`` the run's key, the ``travel_time`` stream's key and the
    step's counter (:meth:`Streams.counter`; the draw of route ``r`` is the stream's slot
    ``r + 1``).
    """
    key, remaining, state, route, with_broker, broker_helped = columns
    run_key, stream_key, counter = draws
    for i in range(ids.shape[0]):
        m = ids[i]
        r = routes[i]
        salt = salt_of(run_key, np.int64(counter) + r + 1)
        u = draw(key[m], salt, stream_key)
        # Stochastic rounding: the expected number of steps equals the exact duration.
        remaining[m] = np.int32(np.floor(steps_by_route[r] + u))
        state[m] = _MOVING
        route[m] = r
        with_broker[m] = broker[i]
        broker_helped[m] |= broker[i]
        route_starts[r] += 1


def _set_off_args(
    model: RouteModel,
) -> tuple[np.ndarray, tuple[np.ndarray, ...], tuple[np.uint64, np.uint64, np.uint64], np.ndarray]:
    """:func:`_set_off_kernel`'s arguments after ids, routes and brokers, at this step."""
    cols = model.table.cols
    streams = model.streams
    return (
        model.params.route_duration_days / model.clock.mean_step_days,
        (
            cols["key"],
            cols["remaining"],
            cols["state"],
            cols["route"],
            cols["with_broker"],
            cols["broker_helped"],
        ),
        (streams.run_key, streams.key_of("travel_time"), streams.counter(model.step_index)),
        model.route_starts,
    )


def _log_set_off(model: RouteModel, ids: np.ndarray, routes: np.ndarray) -> None:
    """Tell the table who set off (:meth:`MigrantTable.note_set_off`) and trace their routes."""
    if len(ids) == 0:
        return
    model.table.note_set_off(ids)
    if model.trace:
        model.route_log.append((ids.copy(), routes.astype(np.int16), model.step_index))


def set_off(model: RouteModel, ids: np.ndarray, routes: np.ndarray, broker: np.ndarray) -> None:
    """Put migrants on their routes (state MOVING) with their travel time in steps.

    Args:
        model: The running model.
        ids: The migrants setting off.
        routes: The route each takes.
        broker: Whether each travels with a broker.
    """
    if len(ids) == 0:
        return
    routes = np.asarray(routes, dtype=np.int64)
    _set_off_kernel(ids, routes, broker, *_set_off_args(model))
    _log_set_off(model, ids, routes)
