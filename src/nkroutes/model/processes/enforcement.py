"""ODD 7.11 Enforcement: arrests, repatriation and detention.

Every enforcement decision of the model is made here, for the processes that meet it:

- :func:`arrests_in_china` (7.7): a migrant hiding in China is arrested with hazard
  ``enforcement.china.arrest_rate_per_year`` times the hiding place's
  ``arrest_rate_multiplier`` (times ``settled_arrest_multiplier`` if settled);
- :func:`transit_arrests` (7.8): a migrant waiting in a transit country is arrested with the
  country's ``arrest_rate_per_year``, and the arrest ends in deportation to China with
  ``deport_probability`` (0 for Thailand, where "even if arrested ... [they] still have access
  to UNHCR's refugee-status determination process", MPI 2008);
- :func:`caught_on_route` (7.9): a migrant caught on a route is detained at once by North
  Korean guards, or arrested by Chinese police, by the route's ``captured_by``;
- :func:`arrested_in_china`: China repatriates an arrested migrant under the 1986 protocol
  with ``repatriation_probability``, or releases it back into hiding, its savings confiscated;
- :func:`detain`: North Korea sends a repatriated or captured migrant to a labour camp with
  ``labour_camp_probability_political`` or ``..._economic`` by its motive ("Those who admit
  to defecting on political grounds are given harsher punishments", MPI 2008), for a term
  uniform between ``labour_camp_years_min`` and ``_max`` (two to seven years); otherwise it
  is held for a term uniform between ``detention_months_min`` and ``_max`` (two weeks to
  months). Serving the term is 7.5 (:mod:`.punishment`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numba
import numpy as np

from nkroutes.model import stays
from nkroutes.model.clock import DAYS_PER_MONTH
from nkroutes.model.migrants import State
from nkroutes.model.processes.china_stay import leave_china, track_china
from nkroutes.model.processes.punishment import start_terms
from nkroutes.model.random import draw, salt_of

if TYPE_CHECKING:
    from nkroutes.model.model import RouteModel

_DETAINED = int(State.DETAINED)


def arrests_in_china(model: RouteModel, ids: np.ndarray) -> None:
    """Migrants hiding or settled in China are arrested; China deals with them.

    Their hazard (``enforcement.china.arrest_rate_per_year`` times the hiding place's
    ``arrest_rate_multiplier``, times ``settled_arrest_multiplier`` if settled) is met by
    event time (:func:`nkroutes.model.processes.hiding.stay_probabilities`).

    Args:
        model: The running model.
        ids: The arrested migrants, in id order.
    """
    places = model.table.cols["place"][ids]
    np.add.at(model.captures_at_place, places, 1)
    arrested_in_china(model, ids, places)


def transit_arrests(
    model: RouteModel, ids: np.ndarray, keys: np.ndarray, places: np.ndarray
) -> np.ndarray:
    """Arrest migrants waiting in transit countries; deport some to China.

    Args:
        model: The running model.
        ids: Migrants waiting for their case (in a transit country or a mission).
        keys: Their keys.
        places: Where each waits (place index).

    Returns:
        Boolean array over ``ids``: True where the migrant keeps waiting (not deported).
    """
    p = model.params
    step = model.step_index
    keep = np.ones(len(ids), bool)
    u = model.streams.uniform("transit", keys, step)
    arrested = u < model.clock.prob(p.transit_arrest_rate[places])
    if arrested.any():
        model.counters["arrests_transit"] += int(arrested.sum())
        u_dep = model.streams.uniform("transit", keys[arrested], step, slot=1)
        deported = u_dep < p.deport_probability[places[arrested]]
        dep_ids = ids[arrested][deported]
        if len(dep_ids):
            model.counters["deported_to_china"] += len(dep_ids)
            arrested_in_china(model, dep_ids, places[arrested][deported])
        keep[np.flatnonzero(arrested)[deported]] = False
    return keep


def caught_on_route(model: RouteModel, ids: np.ndarray, routes: np.ndarray) -> None:
    """Migrants caught at the end of their route: detained (North Korea) or arrested (China).

    Args:
        model: The running model.
        ids: The caught migrants.
        routes: The route each was caught on.
    """
    p = model.params
    c = model.counters
    by_nk = p.route_captured_by_nk[routes]
    nk = ids[by_nk]
    if len(nk):
        c["caught_at_border"] += len(nk)
        np.add.at(model.captures_at_place, p.route_from[routes[by_nk]], 1)
        detain(model, nk)
    cn = ids[~by_nk]
    if len(cn):
        c["arrests_china_en_route"] += len(cn)
        np.add.at(model.captures_at_place, p.route_to[routes[~by_nk]], 1)
        arrested_in_china(model, cn, p.route_from[routes[~by_nk]])


def arrested_in_china(model: RouteModel, ids: np.ndarray, near: np.ndarray) -> None:
    """Chinese police hold migrants: repatriated, or released into hiding (non-refoulement).

    Args:
        model: The running model.
        ids: The arrested migrants.
        near: A place index for each (where it was caught); released migrants hide at the
            hiding place nearest to it by latitude and longitude (the place itself if it is
            a hiding place).
    """
    t = model.table
    p = model.params
    model.counters["arrests_china"] += len(ids)
    u = model.streams.uniform("arrest", t.cols["key"][ids], model.step_index, slot=1)
    sent_back = u < p.china.repatriation_probability
    back = ids[sent_back]
    if len(back):
        model.counters["repatriated"] += len(back)
        leave_china(model, back)
        detain(model, back)
    freed = ids[~sent_back]
    if len(freed):
        model.counters["released_in_china"] += len(freed)
        t.cols["savings_usd"][freed] = 0  # confiscated
        hiding = model.hiding_place_for[near[~sent_back]]
        t.cols["place"][freed] = hiding
        t.cols["with_broker"][freed] = False
        t.cols["state"][freed] = np.where(
            t.cols["state"][freed] == State.SETTLED, State.SETTLED, State.HIDING
        )
        track_china(model, freed, hiding)
        stays.enter(model, freed)


@numba.njit(cache=True, nogil=True)
def _detain_kernel(
    ids: np.ndarray,
    columns: tuple[np.ndarray, ...],
    draws: tuple[np.uint64, np.int64, np.uint64],
    terms: tuple[float, float, float, float, float, float, float, float],
) -> int:  # pragma: no cover - compiled
    """:func:`detain` per migrant, in the float64 arithmetic of the numpy it replaced.

    Args:
        ids: The migrants detained.
        columns: ``key``, ``political``, ``remaining``, ``in_camp``, ``state``, ``place``,
            ``origin``, ``with_broker``, ``sponsored``.
        draws: The run's key, the step's counter (:meth:`Streams.counter`) and the
            ``punishment`` stream's key: slots 0 (camp), 1 (term) and 2 (rounding) as
            ``Streams.uniform`` draws them.
        terms: Camp probabilities (political, economic), camp years (minimum, maximum less
            minimum), detention months (the same), days per month and days per step.

    Returns:
        How many were sent to a labour camp.
    """
    key, political, remaining, in_camp, state, place, origin, with_broker, sponsored = columns
    run_key, counter, stream_key = draws
    p_political, p_economic, years_min, years_span, months_min, months_span, dpm, dps = terms
    salt_camp = salt_of(run_key, counter)
    salt_term = salt_of(run_key, counter + 1)
    salt_round = salt_of(run_key, counter + 2)
    n_camp = 0
    for i in range(ids.shape[0]):
        m = ids[i]
        u_camp = draw(key[m], salt_camp, stream_key)
        u_term = draw(key[m], salt_term, stream_key)
        u_round = draw(key[m], salt_round, stream_key)
        camp = u_camp < (p_political if political[m] else p_economic)
        if camp:
            months = 12.0 * (years_min + u_term * years_span)
        else:
            months = months_min + u_term * months_span
        steps = months * dpm / dps
        remaining[m] = np.int32(np.floor(steps + u_round))
        in_camp[m] = camp
        state[m] = _DETAINED
        place[m] = origin[m]
        with_broker[m] = False
        sponsored[m] = False
        n_camp += camp
    return n_camp


def detain(model: RouteModel, ids: np.ndarray) -> None:
    """Put migrants in North Korean detention and set their sentence."""
    if len(ids) == 0:
        return
    leave_china(model, ids)
    cols = model.table.cols
    nk = model.params.north_korea
    streams = model.streams
    # The spans as the numpy formulation computed them (max - min, then times the draw).
    n_camp = _detain_kernel(
        ids,
        tuple(
            cols[name]
            for name in (
                "key",
                "political",
                "remaining",
                "in_camp",
                "state",
                "place",
                "origin",
                "with_broker",
                "sponsored",
            )
        ),
        (streams.run_key, streams.counter(model.step_index), streams.key_of("punishment")),
        (
            float(nk.labour_camp_probability_political),
            float(nk.labour_camp_probability_economic),
            float(nk.labour_camp_years_min),
            float(nk.labour_camp_years_max - nk.labour_camp_years_min),
            float(nk.detention_months_min),
            float(nk.detention_months_max - nk.detention_months_min),
            float(DAYS_PER_MONTH),
            float(model.clock.mean_step_days),
        ),
    )
    start_terms(model, ids)
    model.counters["detentions"] += len(ids)
    model.counters["sent_to_camp"] += n_camp
