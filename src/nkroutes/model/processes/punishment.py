"""Repatriation and punishment in North Korea, release and new attempts (process 7).

A detained migrant is sent to a labour camp with probability
``labour_camp_probability_political`` or ``..._economic`` by its motive ("Those who admit
to defecting on political grounds are given harsher punishments", MPI 2008), for a term
uniform between ``labour_camp_years_min`` and ``_max`` (two to seven years); otherwise it is
held for a term uniform between ``detention_months_min`` and ``_max`` (two weeks to months).
In a camp it dies with hazard ``camp_death_rate_per_year``. On release it decides once, with
``retry_probability``, whether it will leave again; if so it leaves with hazard
``retry_rate_per_year`` (see the departure process).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from nkroutes.model.clock import DAYS_PER_MONTH
from nkroutes.model.migrants import NO_PLACE, State
from nkroutes.model.processes.china_stay import leave_china

if TYPE_CHECKING:
    from nkroutes.model.model import RouteModel


def detain(model: RouteModel, ids: np.ndarray) -> None:
    """Put migrants in North Korean detention and set their sentence."""
    if len(ids) == 0:
        return
    leave_china(model, ids)
    t = model.table
    nk = model.params.north_korea
    keys = t.cols["key"][ids]
    step = model.step_index
    u_camp = model.streams.uniform("punishment", keys, step)
    u_term = model.streams.uniform("punishment", keys, step, slot=1)
    p_camp = np.where(
        t.cols["political"][ids],
        nk.labour_camp_probability_political,
        nk.labour_camp_probability_economic,
    )
    camp = u_camp < p_camp
    months = np.where(
        camp,
        12
        * (
            nk.labour_camp_years_min
            + u_term * (nk.labour_camp_years_max - nk.labour_camp_years_min)
        ),
        nk.detention_months_min + u_term * (nk.detention_months_max - nk.detention_months_min),
    )
    steps = months * DAYS_PER_MONTH / model.clock.mean_step_days
    u_round = model.streams.uniform("punishment", keys, step, slot=2)
    t.cols["remaining"][ids] = np.floor(steps + u_round).astype(np.int32)
    t.cols["in_camp"][ids] = camp
    t.cols["state"][ids] = State.DETAINED
    t.cols["place"][ids] = t.cols["origin"][ids]
    t.cols["with_broker"][ids] = False
    t.cols["sponsored"][ids] = False
    model.counters["detentions"] += len(ids)
    model.counters["sent_to_camp"] += int(camp.sum())


def serve_sentences(model: RouteModel) -> None:
    """Detained migrants serve a step of their term; some die in camps; some are released."""
    t = model.table
    ids = t.in_state(State.DETAINED)
    if len(ids) == 0:
        return
    nk = model.params.north_korea
    keys = t.cols["key"][ids]
    step = model.step_index
    in_camp = t.cols["in_camp"][ids]
    u = model.streams.uniform("release", keys, step)
    dies = in_camp & (u < model.clock.prob(nk.camp_death_rate_per_year))
    dead = ids[dies]
    if len(dead):
        t.cols["state"][dead] = State.DIED
        t.cols["outcome_step"][dead] = step
        t.cols["place"][dead] = NO_PLACE
        model.counters["died"] += len(dead)
        model.counters["died_in_detention"] += len(dead)
    alive = ids[~dies]
    rem = t.cols["remaining"]
    rem[alive] -= 1
    out = alive[rem[alive] <= 0]
    if len(out):
        u_retry = model.streams.uniform("release", t.cols["key"][out], step, slot=1)
        retry = u_retry < nk.retry_probability
        t.cols["in_camp"][out] = False
        t.cols["will_retry"][out] = retry
        t.cols["state"][out] = np.where(retry, State.HOME, State.GAVE_UP)
        gave_up = out[~retry]
        t.cols["outcome_step"][gave_up] = step
        model.counters["released"] += len(out)
