"""ODD 7.5 Punishment and release: serving a term in North Korea, and new attempts.

A migrant detained (7.11, :func:`~nkroutes.model.processes.enforcement.detain`) serves its
term a step at a time. In a camp it dies with hazard ``camp_death_rate_per_year``. On
release it decides once, with ``retry_probability``, whether it will leave again; if so it
leaves with hazard ``retry_rate_per_year`` (see the departure process, 7.6).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from nkroutes.model.migrants import NO_PLACE, State

if TYPE_CHECKING:
    from nkroutes.model.model import RouteModel


def serve_sentences(model: RouteModel) -> None:
    """Detained migrants serve a step of their term; some die in camps; some are released."""
    t = model.table
    ids = t.select_busy((State.DETAINED,))
    if len(ids) == 0:
        return
    nk = model.params.north_korea
    step = model.step_index
    # Only those in a camp can die: only they draw (each draw depends on its migrant alone).
    camp = np.flatnonzero(t.cols["in_camp"][ids])
    u = model.streams.uniform("release", t.cols["key"][ids[camp]], step)
    dies = np.zeros(len(ids), dtype=bool)
    dies[camp] = u < model.clock.prob(nk.camp_death_rate_per_year)
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
