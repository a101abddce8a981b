"""ODD 7.9 Travel and arrival: moving along routes and what happens at the place reached.

A migrant on a route whose travel time is over meets the route's risks with one draw ``u``:
it dies if ``u < d``, is caught if ``u < d + (1 - d) c``, and arrives otherwise, where
``d`` and ``c`` are the route's death and capture probabilities (times the broker risk
multiplier with a broker). What happens to the caught is enforcement (7.11,
:func:`~nkroutes.model.processes.enforcement.caught_on_route`).

On arrival, what happens depends on the place: at a border, hub or corridor country it
moves straight on; at a hiding place it hides; at a mission or a country with UNHCR access
it waits for its case; at a destination it is resettled.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from nkroutes.model import stays
from nkroutes.model.groups import present
from nkroutes.model.migrants import State
from nkroutes.model.params import KIND_CODES
from nkroutes.model.processes.china_stay import leave_china, track_china
from nkroutes.model.processes.enforcement import caught_on_route
from nkroutes.model.processes.journeys import start_journeys
from nkroutes.model.selection import left_behind

if TYPE_CHECKING:
    from nkroutes.model.model import RouteModel

_MAX_HOPS = 16


def advance(model: RouteModel) -> None:
    """Move every travelling migrant one step on; resolve arrivals (several hops a step)."""
    t = model.table
    moving = t.select_busy((State.MOVING,))
    remaining = t.cols["remaining"]
    due = moving[remaining[moving] <= 0]
    remaining[moving[remaining[moving] > 0]] -= 1
    for _ in range(_MAX_HOPS):
        if len(due) == 0:
            return
        waiting = t.cols["route"][due] < 0
        started = _resolve(model, due[~waiting])
        if waiting.any():
            w = due[waiting]
            started = np.concatenate(
                [started, _arrive(model, w, t.cols["place"][w].astype(np.int64))]
            )
        due = started[remaining[started] <= 0]
        # Those who set off with travel time left wait for the next steps.
        later = started[remaining[started] > 0]
        remaining[later] -= 1
    # Hop limit reached (a cycle of zero-duration routes): the rest wait for next step.


def _resolve(model: RouteModel, ids: np.ndarray) -> np.ndarray:
    """Apply route risks to migrants at the end of their route; return those who set off again."""
    t = model.table
    p = model.params
    c = model.counters
    routes = t.cols["route"][ids].astype(np.int64)
    risk = np.where(t.cols["with_broker"][ids], p.brokers.risk_multiplier, 1.0)
    d = p.route_death[routes] * risk
    cap = p.route_capture[routes] * risk
    # One draw per migrant, step and route: a second leg in the same step draws afresh.
    u = model.streams.uniform("route_outcome", t.cols["key"][ids], model.step_index, routes + 1)
    died = u < d
    caught = ~died & (u < d + (1 - d) * cap)
    arrived = ~died & ~caught

    dead = ids[died]
    if len(dead):
        leave_china(model, dead)
        t.cols["state"][dead] = State.DIED
        t.cols["outcome_step"][dead] = model.step_index
        t.cols["place"][dead] = p.route_to[routes[died]]
        c["died"] += len(dead)
        c["died_on_route"] += len(dead)
        np.add.at(model.deaths_at_place, p.route_to[routes[died]], 1)

    caught_ids = ids[caught]
    if len(caught_ids):
        caught_on_route(model, caught_ids, routes[caught])

    arr_ids = ids[arrived]
    if len(arr_ids) == 0:
        return ids[:0]
    dest = p.route_to[routes[arrived]].astype(np.int64)
    t.cols["place"][arr_ids] = dest
    track_china(model, arr_ids, dest)
    return _arrive(model, arr_ids, dest)


def _arrive(model: RouteModel, arr_ids: np.ndarray, dest: np.ndarray) -> np.ndarray:
    """What migrants do at the place they reached; returns those who set off again."""
    t = model.table
    p = model.params
    kinds = p.kind[dest]
    started: list[np.ndarray] = []
    for kind_code in present(kinds, len(KIND_CODES)):
        sel = kinds == kind_code
        group, places = arr_ids[sel], dest[sel]
        if kind_code == KIND_CODES["hiding"]:
            t.cols["state"][group] = State.HIDING
            t.cols["with_broker"][group] = False
            stays.enter(model, group)
        elif kind_code == KIND_CODES["destination"]:
            resettle(model, group, places)
        elif kind_code == KIND_CODES["mission"] or (
            kind_code == KIND_CODES["transit"] and np.all(p.unhcr_access[places])
        ):
            _start_processing(model, group, places)
        elif kind_code == KIND_CODES["transit"]:
            protected = p.unhcr_access[places]
            _start_processing(model, group[protected], places[protected])
            started.extend(_move_on(model, group[~protected], places[~protected]))
        else:
            started.extend(_move_on(model, group, places))
    return np.concatenate(started) if started else arr_ids[:0]


def _move_on(model: RouteModel, ids: np.ndarray, places: np.ndarray) -> list[np.ndarray]:
    out = []
    for place in present(places, model.params.n_places):
        group = ids[places == place]
        moved = start_journeys(model, group, place)
        out.append(moved)
        if len(moved) == len(group):
            continue
        # Nowhere to go from here: wait at the place and try again next step.
        stuck = left_behind(group, moved)
        model.table.cols["state"][stuck] = State.MOVING
        model.table.cols["route"][stuck] = -1
        # Not due again in this step's hops (they are not among those who set off), due at
        # the next step's.
        model.table.cols["remaining"][stuck] = 0
        model.counters["stuck"] += len(stuck)
    return out


def _start_processing(model: RouteModel, ids: np.ndarray, places: np.ndarray) -> None:
    if len(ids) == 0:
        return
    model.table.cols["state"][ids] = State.PROCESSING
    model.table.cols["with_broker"][ids] = False


def resettle(model: RouteModel, ids: np.ndarray, places: np.ndarray) -> None:
    """Migrants reach a destination: resettled for good."""
    t = model.table
    t.cols["state"][ids] = State.ARRIVED
    t.cols["outcome_step"][ids] = model.step_index
    t.cols["with_broker"][ids] = False
    np.add.at(model.arrivals_at_place, places, 1)
    model.counters["arrivals"] += len(ids)
    helped = t.cols["broker_helped"][ids]
    model.counters["broker_assisted_arrivals"] += int(helped.sum())
    hubs = t.cols["hub"][ids[helped]]
    hubs = hubs[hubs >= 0]
    if len(hubs):
        np.add.at(model.assisted_arrivals_by_hub, hubs, 1)
    money = model.params.settlement_money_usd[places]
    chain = model.params.chain
    model.family_fund_usd += float(money.sum()) * chain.share_of_settlement_sent
    if chain.remaining_relatives_per_family > 0:
        # A founder's family has relatives left to bring out; a relative brought out by the
        # chain belongs to a family already counted (7.4).
        founders = len(ids) - int(np.count_nonzero(t.cols["family_paid"][ids]))
        model.relatives_remaining += founders * chain.remaining_relatives_per_family
