"""ODD 7.10 Choosing and starting a route: where to go next, how, and paying for it.

Used by every process that sends migrants onto a route (departure from a province,
leaving a hiding place, moving on from a border, hub or corridor, resettlement). A migrant
at a place weighs each open route leaving it, alone or with a broker where brokers serve it:

    weight = choice_weight * success ** risk_aversion * exp(-cost_sensitivity * cost / 1000)

with ``success = (1 - death) * (1 - capture)`` for that mode (risks times
``brokers.risk_multiplier`` with a broker) and ``cost`` the bribe or fare alone, or the
expected broker fee. It picks one option with probability proportional to its weight, using
its own draw. Options it cannot pay for are left out (a sponsored migrant's family pays
broker fees). A migrant who picks a broker is matched with one by
:func:`nkroutes.model.processes.hiring.hire`; if no broker takes it, it travels alone where
it is already on its way, or stays where it hides.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numba
import numpy as np

from nkroutes.model.params import KIND_CODES
from nkroutes.model.processes.hiring import hire
from nkroutes.model.processes.setting_off import go_after_hiring
from nkroutes.model.random import draw, salt_of

if TYPE_CHECKING:
    from nkroutes.model.model import RouteModel

HIDING = KIND_CODES["hiding"]


def option_table(model: RouteModel, place: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The travel options leaving ``place``.

    Returns:
        ``(routes, with_broker, expected_cost)``: one entry per option, for open routes only.
        A route gives an "alone" option if migrants may travel it alone and a "broker"
        option if a hub serves it and its broker fee is positive.
    """
    p = model.params
    routes = p.routes_from(place)
    routes = routes[p.route_open[routes]]
    opt_route: list[int] = []
    opt_broker: list[bool] = []
    opt_cost: list[float] = []
    for r in routes.tolist():
        if p.route_alone_allowed[r]:
            opt_route.append(r)
            opt_broker.append(False)
            opt_cost.append(float(p.route_cost_usd[r]))
        if p.route_hubs[r] and p.route_broker_fee_usd[r] > 0:
            opt_route.append(r)
            opt_broker.append(True)
            opt_cost.append(float(p.route_broker_fee_usd[r]) * model.mean_broker_fee_factor)
    return np.array(opt_route, dtype=np.int64), np.array(opt_broker, bool), np.array(opt_cost)


def _option_log_weights(
    model: RouteModel, routes: np.ndarray, broker: np.ndarray, cost: np.ndarray
) -> np.ndarray:
    p = model.params
    risk = np.where(broker, p.brokers.risk_multiplier, 1.0)
    success = (1 - p.route_death[routes] * risk) * (1 - p.route_capture[routes] * risk)
    with np.errstate(divide="ignore"):
        return (
            np.log(p.route_weight[routes])
            + p.route_choice.risk_aversion * np.log(np.maximum(success, 1e-12))
            - p.route_choice.cost_sensitivity_per_1000_usd * cost / 1000.0
        )


def option_cache(model: RouteModel) -> dict[Any, Any]:
    """What is worked out from the options, kept while the params stay the same.

    Emptied when a dated event compiles new params; entries that also depend on the
    brokers' mean fee have it in their key.
    """
    cache = model.journey_options
    if cache.get("params") is not model.params:
        cache.clear()
        cache["params"] = model.params
    return cache


def cached_options(model: RouteModel, place: int) -> tuple[np.ndarray, ...]:
    """The options leaving ``place`` with their weights, kept until the params or fees change.

    Returns:
        ``(routes, with_broker, expected_cost, weights, keeps_broker)``: as
        :func:`option_table`, the options' weights relative to the largest, and whether a
        migrant with a broker may take the option (the broker option of a route that has
        one, else the route's alone option, with the broker's protection).
    """
    cache = option_cache(model)
    key = (place, model.mean_broker_fee_factor)
    cached = cache.get(key)
    if cached is not None:
        return cached
    routes, broker, cost = option_table(model, place)
    logw = _option_log_weights(model, routes, broker, cost)
    weights = np.exp(logw - logw.max()) if len(routes) else logw
    has_broker_option = np.zeros(len(routes), bool)
    for i, r in enumerate(routes):
        has_broker_option[i] = broker[i] or not np.any(broker[routes == r])
    cached = (routes, broker, cost, weights, has_broker_option)
    cache[key] = cached
    return cached


@numba.njit(cache=True, inline="always")
def _pairwise_sum(a: np.ndarray, n: int) -> float:  # pragma: no cover - compiled
    """The sum of ``a[:n]`` in numpy's pairwise order (``np.sum``'s additions, so its bits)."""
    if n < 8:
        res = 0.0
        for i in range(n):
            res += a[i]
        return res
    r = a[:8].copy()
    i = 8
    while i < n - n % 8:
        for j in range(8):
            r[j] += a[i + j]
        i += 8
    res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]))
    while i < n:
        res += a[i]
        i += 1
    return res


@numba.njit(cache=True, nogil=True)
def _choose_options(
    ids: np.ndarray,
    continuing: np.ndarray,
    sponsored: np.ndarray,
    savings_usd: np.ndarray,
    cost: np.ndarray,
    broker: np.ndarray,
    has_broker_option: np.ndarray,
    base_weights: np.ndarray,
    leaving_hiding: bool,
    u: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:  # pragma: no cover - compiled
    """Each migrant's option at a place: the weights of those it may take, then its draw.

    Who may take which option: alone, if not already with a broker (leaving a hiding
    place, only if it can pay the fare); with a new broker, if it (or its family) can pay
    the expected fee; with its broker, an option its broker may take. On the way, a migrant
    who can take none takes the cheapest alone option (or any, if there is none alone).
    It picks option ``k`` with probability proportional to the weights (``u`` its draw).

    Args:
        ids: The migrants at the place.
        continuing: Whether each travels with a broker already (per migrant).
        sponsored: The ``sponsored`` column (by id).
        savings_usd: The ``savings_usd`` column (by id, US$).
        cost: Each option's expected cost (US$).
        broker: Whether each option is with a broker.
        has_broker_option: Whether a migrant with a broker may take each option.
        base_weights: Each option's weight.
        leaving_hiding: Whether the place is a hiding place.
        u: Each migrant's ``route_choice`` draw.

    Returns:
        ``(choice, movers)``: the option picked (an index into the options) and whether the
        migrant had any weight to pick from; the same bits as the numpy formulation
        (weights times feasibility, ``sum``, ``cumsum``, count below ``u * total``).
    """
    n_opt = cost.shape[0]
    cheapest_alone = -1
    for k in range(n_opt):
        if not broker[k] and (cheapest_alone < 0 or cost[k] < cost[cheapest_alone]):
            cheapest_alone = k
    choice = np.empty(ids.shape[0], dtype=np.int64)
    movers = np.empty(ids.shape[0], dtype=np.bool_)
    feasible = np.empty(n_opt, dtype=np.bool_)
    weights = np.empty(n_opt)
    for i in range(ids.shape[0]):
        m = ids[i]
        cont = continuing[i]
        any_feasible = False
        for k in range(n_opt):
            affords = savings_usd[m] >= cost[k]
            alone_ok = (not broker[k]) and (not cont) and (affords or not leaving_hiding)
            broker_ok = broker[k] and (sponsored[m] or affords)
            feasible[k] = alone_ok or broker_ok or (cont and has_broker_option[k])
            any_feasible = any_feasible or feasible[k]
        if not leaving_hiding and not any_feasible:
            if cheapest_alone >= 0:
                feasible[cheapest_alone] = True
            else:
                feasible[:] = True
        for k in range(n_opt):
            weights[k] = base_weights[k] * (1.0 if feasible[k] else 0.0)
        total = _pairwise_sum(weights, n_opt)
        target = u[i] * total
        below = 0
        running = 0.0
        for k in range(n_opt):
            running += weights[k]
            below += running < target
        choice[i] = min(below, n_opt - 1)
        movers[i] = total > 0
    return choice, movers


@numba.njit(cache=True, nogil=True)
def _draw_and_choose(
    ids: np.ndarray,
    columns: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray],
    options: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray],
    leaving_hiding: bool,
    draws: tuple[np.uint64, np.uint64, np.int64],
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:  # pragma: no cover - compiled
    """Each migrant's draw and option (:func:`_choose_options`), and who asks for a broker.

    Args:
        ids: The migrants at the place.
        columns: ``with_broker``, ``key``, ``sponsored``, ``savings_usd``.
        options: The place's :func:`cached_options`: routes, with a broker, cost, weights,
            whether a migrant with a broker may take each.
        leaving_hiding: Whether the place is a hiding place.
        draws: The run's key, the ``route_choice`` stream's key and the counter of the
            place's slot ``2 * place + 1`` (:meth:`Streams.counter`): ``Streams.uniform``'s
            draws.

    Returns:
        ``(continuing, chosen_route, movers, hire_idx)``: whether each travels with a broker
        already, the route of its option, whether it had an option, and the positions of
        those who chose a broker they do not have yet.
    """
    with_broker, key, sponsored, savings_usd = columns
    routes, broker, cost, base_weights, has_broker_option = options
    run_key, stream_key, counter = draws
    n = ids.shape[0]
    continuing = np.empty(n, dtype=np.bool_)
    u = np.empty(n)
    salt = salt_of(run_key, counter)
    for i in range(n):
        continuing[i] = with_broker[ids[i]]
        u[i] = draw(key[ids[i]], salt, stream_key)
    choice, movers = _choose_options(
        ids,
        continuing,
        sponsored,
        savings_usd,
        cost,
        broker,
        has_broker_option,
        base_weights,
        leaving_hiding,
        u,
    )
    chosen_route = np.empty(n, dtype=np.int64)
    hire_idx = np.empty(n, dtype=np.int64)
    n_hire = 0
    for i in range(n):
        chosen_route[i] = routes[choice[i]]
        if broker[choice[i]] and not continuing[i] and movers[i]:
            hire_idx[n_hire] = i
            n_hire += 1
    return continuing, chosen_route, movers, hire_idx[:n_hire].copy()


def start_journeys(model: RouteModel, ids: np.ndarray, place: int) -> np.ndarray:
    """Send migrants standing at ``place`` onto a route leaving it.

    Migrants already travelling with a broker keep their broker (and pay its fee on each
    leg that has one); others choose among the options. Migrants leaving a hiding place who
    can pay for no option, or whose chosen broker turns them away, stay where they are.

    The per-migrant work is two compiled calls around hiring (:func:`_draw_and_choose`,
    then :func:`~nkroutes.model.processes.setting_off.go_after_hiring`), the same
    arithmetic in the same order as the numpy it replaced.

    Args:
        model: The running model.
        ids: Migrant ids, all at ``place``.
        place: Place index.

    Returns:
        The ids that set off (state MOVING), in the order of ``ids`` (a subsequence of it).
    """
    if len(ids) == 0:
        return ids
    p = model.params
    options = cached_options(model, place)
    if len(options[0]) == 0:
        return ids[:0]
    leaving_hiding = bool(p.kind[place] == HIDING)
    cols = model.table.cols
    streams = model.streams
    step = model.step_index
    # Slot by place: a migrant choosing again further on in the same step draws afresh.
    continuing, chosen_route, movers, hire_idx = _draw_and_choose(
        ids,
        (cols["with_broker"], cols["key"], cols["sponsored"], cols["savings_usd"]),
        options,
        leaving_hiding,
        (streams.run_key, streams.key_of("route_choice"), streams.counter(step, 2 * place + 1)),
    )
    if len(hire_idx):
        hired_ok = hire(model, ids[hire_idx], chosen_route[hire_idx])
    else:
        hired_ok = np.zeros(0, dtype=bool)
    return go_after_hiring(
        model, ids, chosen_route, movers, continuing, (hire_idx, hired_ok), leaving_hiding
    )
