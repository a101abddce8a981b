"""ODD 7.8 Transit countries and missions: waiting for a case, admission and resettlement.

A migrant waiting in a transit country may be arrested and deported to China (7.11,
:func:`~nkroutes.model.processes.enforcement.transit_arrests`). Its case ends with hazard
``1 / processing_months`` (``1 / wait_months`` in a mission). It then applies to one of the
destinations reachable from there, chosen with probability proportional to
``preference_weight``; the destination accepts it with ``acceptance_probability``, and a
refused migrant goes to the fallback destination (South Korea, whose constitution makes it a
citizen) if a route leads there, else waits and applies again.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from nkroutes.model.clock import DAYS_PER_MONTH
from nkroutes.model.groups import present
from nkroutes.model.migrants import State
from nkroutes.model.params import KIND_CODES
from nkroutes.model.processes.enforcement import transit_arrests
from nkroutes.model.processes.journeys import set_off

if TYPE_CHECKING:
    from nkroutes.model.model import RouteModel

_DESTINATION = KIND_CODES["destination"]
_MISSION = KIND_CODES["mission"]


def process_cases(model: RouteModel) -> None:
    """Arrests in transit countries, end of cases, and departures to destinations."""
    t = model.table
    p = model.params
    ids = t.select_busy((State.PROCESSING,))
    if len(ids) == 0:
        return
    step = model.step_index
    keys = t.cols["key"][ids]
    places = t.cols["place"][ids].astype(np.int64)

    keep = transit_arrests(model, ids, keys, places)
    if not keep.all():
        ids, keys, places = ids[keep], keys[keep], places[keep]

    months = np.where(
        p.kind[places] == _MISSION, p.mission_wait_months[places], p.processing_months[places]
    )
    step_months = model.clock.mean_step_days / DAYS_PER_MONTH
    p_done = np.where(months > 0, -np.expm1(-step_months / np.maximum(months, 1e-9)), 1.0)
    u = model.streams.uniform("resettlement", keys, step)
    done = u < p_done
    ids, keys, places = ids[done], keys[done], places[done]
    if len(ids) == 0:
        return
    u_pick = model.streams.uniform("resettlement", keys, step, slot=1)
    u_accept = model.streams.uniform("resettlement", keys, step, slot=2)
    for place in present(places, p.n_places):
        rows = np.flatnonzero(places == place)
        routes = p.routes_from(place)
        routes = routes[p.route_open[routes] & (p.kind[p.route_to[routes]] == _DESTINATION)]
        if len(routes) == 0:
            continue
        to = p.route_to[routes]
        weight = p.preference_weight[to]
        if weight.sum() <= 0:
            continue
        cum = np.cumsum(weight) / weight.sum()
        pick = np.minimum(np.searchsorted(cum, u_pick[rows], side="right"), len(routes) - 1)
        accepted = u_accept[rows] < p.acceptance_probability[to[pick]]
        chosen = routes[pick]
        fallback = routes[to == p.fallback_destination]
        if len(fallback):
            chosen = np.where(accepted, chosen, fallback[0])
            go = np.ones(len(rows), bool)
        else:
            go = accepted
        model.counters["refused_applications"] += int((~accepted).sum())
        set_off(model, ids[rows[go]], chosen[go], np.zeros(int(go.sum()), bool))
