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

import numba
import numpy as np

from nkroutes.model.clock import DAYS_PER_MONTH
from nkroutes.model.migrants import State
from nkroutes.model.params import KIND_CODES
from nkroutes.model.processes.enforcement import transit_arrests
from nkroutes.model.processes.journeys import option_cache
from nkroutes.model.processes.setting_off import set_off
from nkroutes.model.random import draw, salt_of

if TYPE_CHECKING:
    from nkroutes.model.model import RouteModel

_DESTINATION = KIND_CODES["destination"]
_MISSION = KIND_CODES["mission"]


def _case_table(model: RouteModel) -> tuple[np.ndarray, ...]:
    """What ends a case at each place, kept with the travel options while the params hold.

    Returns:
        ``(p_done, usable, ptr, routes, to, cum, fallback)``: by place, the chance a case
        ends this step; whether it has a destination to apply to; its destination routes
        ``routes[ptr[place]:ptr[place + 1]]``, where each leads and their cumulative
        preference shares; and its route to the fallback destination (-1: none). The same
        numpy arithmetic, value for value, as per migrant before.
    """
    cache = option_cache(model)
    table = cache.get("cases")
    if table is not None:
        return table
    p = model.params
    places = np.arange(p.n_places)
    months = np.where(
        p.kind[places] == _MISSION, p.mission_wait_months[places], p.processing_months[places]
    )
    step_months = model.clock.mean_step_days / DAYS_PER_MONTH
    p_done = np.where(months > 0, -np.expm1(-step_months / np.maximum(months, 1e-9)), 1.0)
    usable = np.zeros(p.n_places, dtype=bool)
    fallback = np.full(p.n_places, -1, dtype=np.int64)
    ptr = np.zeros(p.n_places + 1, dtype=np.int64)
    parts: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
    for place in range(p.n_places):
        routes = p.routes_from(place)
        routes = routes[p.route_open[routes] & (p.kind[p.route_to[routes]] == _DESTINATION)]
        to = p.route_to[routes]
        weight = p.preference_weight[to]
        if len(routes) and weight.sum() > 0:
            usable[place] = True
            parts.append((routes, to, np.cumsum(weight) / weight.sum()))
            to_fallback = routes[to == p.fallback_destination]
            if len(to_fallback):
                fallback[place] = to_fallback[0]
        ptr[place + 1] = ptr[place] + (len(routes) if usable[place] else 0)
    routes, to, cum = (
        (np.concatenate([part[k] for part in parts]) for k in range(3))
        if parts
        else (np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0))
    )
    table = (p_done, usable, ptr, routes.astype(np.int64), to.astype(np.int64), cum, fallback)
    cache["cases"] = table
    return table


@numba.njit(cache=True, nogil=True)
def _end_cases(
    ids: np.ndarray,
    places: np.ndarray,
    key: np.ndarray,
    table: tuple[np.ndarray, ...],
    acceptance_probability: np.ndarray,
    draws: tuple[np.uint64, np.int64, np.uint64],
) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:  # pragma: no cover - compiled
    """Whose case ends, where each applies and where it goes, per migrant in one pass.

    The ``resettlement`` stream's slots 0 (the case ends), 1 (the destination, by
    ``np.searchsorted(cum, u, side="right")``) and 2 (acceptance), as ``Streams.uniform``.

    Args:
        ids: The migrants waiting for their case (after the step's arrests).
        places: Where each waits.
        key: The ``key`` column.
        table: :func:`_case_table`.
        acceptance_probability: By destination place.
        draws: The run's key, the step's counter (:meth:`Streams.counter`) and the
            ``resettlement`` stream's key.

    Returns:
        ``(ids, routes, place_ptr, refused)``: those who set off, grouped by place in
        ascending order and in the order of ``ids`` within a place; their routes; place
        ``k``'s are ``[place_ptr[k]:place_ptr[k + 1]]``; and how many were refused.
    """
    p_done, usable, ptr, routes, to, cum, fallback = table
    run_key, counter, stream_key = draws
    salt_done = salt_of(run_key, counter)
    salt_pick = salt_of(run_key, counter + 1)
    salt_accept = salt_of(run_key, counter + 2)
    n = ids.shape[0]
    go = np.empty(n, dtype=np.int64)  # positions in ids
    go_route = np.empty(n, dtype=np.int64)
    n_go = 0
    refused = 0
    for i in range(n):
        m = ids[i]
        place = places[i]
        if not draw(key[m], salt_done, stream_key) < p_done[place]:
            continue
        if not usable[place]:
            continue  # nowhere to apply: the case waits
        lo = ptr[place]
        k = ptr[place + 1] - lo
        u_pick = draw(key[m], salt_pick, stream_key)
        pick = 0
        while pick < k and cum[lo + pick] <= u_pick:
            pick += 1
        pick = min(pick, k - 1)
        if draw(key[m], salt_accept, stream_key) < acceptance_probability[to[lo + pick]]:
            route = routes[lo + pick]
        else:
            refused += 1
            route = fallback[place]  # -1: refused with nowhere else to go, waits again
        if route >= 0:
            go[n_go] = i
            go_route[n_go] = route
            n_go += 1
    # Grouped by place, stably (a counting sort).
    place_ptr = np.zeros(p_done.shape[0] + 1, dtype=np.int64)
    for j in range(n_go):
        place_ptr[places[go[j]] + 1] += 1
    for k in range(p_done.shape[0]):
        place_ptr[k + 1] += place_ptr[k]
    fill = place_ptr[:-1].copy()
    out_ids = np.empty(n_go, dtype=ids.dtype)
    out_routes = np.empty(n_go, dtype=np.int64)
    for j in range(n_go):
        place = places[go[j]]
        out_ids[fill[place]] = ids[go[j]]
        out_routes[fill[place]] = go_route[j]
        fill[place] += 1
    return out_ids, out_routes, place_ptr, refused


def process_cases(model: RouteModel) -> None:
    """Arrests in transit countries, end of cases, and departures to destinations."""
    t = model.table
    ids = t.select_busy((State.PROCESSING,))
    if len(ids) == 0:
        return
    keys = t.cols["key"][ids]
    places = t.cols["place"][ids].astype(np.int64)

    keep = transit_arrests(model, ids, keys, places)
    if not keep.all():
        ids, places = ids[keep], places[keep]
    streams = model.streams
    go_ids, go_routes, place_ptr, refused = _end_cases(
        ids,
        places,
        t.cols["key"],
        _case_table(model),
        model.params.acceptance_probability,
        (
            streams.run_key,
            streams.counter(model.step_index),
            streams.key_of("resettlement"),
        ),
    )
    model.counters["refused_applications"] += refused
    # Place by place, as each place's cases were settled before.
    for place in np.flatnonzero(np.diff(place_ptr)).tolist():
        a, b = place_ptr[place], place_ptr[place + 1]
        set_off(model, go_ids[a:b], go_routes[a:b], np.zeros(b - a, bool))
