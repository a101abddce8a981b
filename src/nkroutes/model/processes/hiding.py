"""Life in hiding in China (process 3) and the decision to leave it (process 5 begins).

Each step every migrant hiding or settled in China saves ``savings_usd_per_month`` (few
find work: MPI 2008) and is arrested with hazard ``arrest_rate_per_year`` times the hiding
place's multiplier (times ``settled_arrest_multiplier`` if settled). Those still free and
hiding then, each with its own draw: a woman is trafficked and sold as a bride with hazard
``trafficking_rate_per_year`` (she settles); a migrant settles for good with hazard
``settle_rate_per_year``; a migrant tries to leave China with hazard
``exit_attempt_rate_per_year`` (``sponsored_exit_attempt_rate_per_year`` if its family
pays), choosing a route and perhaps a broker (see journeys).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from nkroutes.model.migrants import State
from nkroutes.model.processes.journeys import start_journeys
from nkroutes.model.processes.movement import arrested_in_china

if TYPE_CHECKING:
    from nkroutes.model.model import RouteModel


def live_in_hiding(model: RouteModel) -> None:
    """Savings, arrests, trafficking, settling and exit attempts of migrants in China."""
    t = model.table
    p = model.params
    china = p.china
    state = t.cols["state"][: t.n]
    ids = np.flatnonzero((state == State.HIDING) | (state == State.SETTLED))
    if len(ids) == 0:
        return
    step = model.step_index
    keys = t.cols["key"][ids]
    t.cols["savings_usd"][ids] += np.float32(china["savings_usd_per_month"] * model.months_per_step)

    settled = state[ids] == State.SETTLED
    places = t.cols["place"][ids]
    # Arrest probabilities per place (hiding, settled), looked up rather than recomputed
    # for every migrant.
    rate = china["arrest_rate_per_year"] * p.hiding_arrest_multiplier
    p_arrest = model.clock.prob(rate)[places]
    settled_ids = np.flatnonzero(settled)
    p_settled = model.clock.prob(rate * china["settled_arrest_multiplier"])
    p_arrest[settled_ids] = p_settled[places[settled_ids]]
    streams = model.streams
    base = streams.base(keys, step)
    del keys
    u = streams.from_base("arrest", base)
    arrested = u < p_arrest
    if arrested.any():
        np.add.at(model.captures_at_place, places[arrested], 1)
        arrested_in_china(model, ids[arrested], places[arrested])

    free = ~arrested & ~settled
    ids, base = ids[free], base[free]
    if len(ids) == 0:
        return
    female = t.cols["female"][ids]
    u = streams.from_base("trafficking", base)
    trafficked = female & (u < model.clock.prob(china["trafficking_rate_per_year"]))
    u = streams.from_base("settling", base)
    settles = trafficked | (u < model.clock.prob(china["settle_rate_per_year"]))
    if settles.any():
        t.cols["state"][ids[settles]] = State.SETTLED
        t.cols["trafficked"][ids[trafficked]] = True
        model.counters["trafficked"] += int(trafficked.sum())
        model.counters["settlings"] += int(settles.sum())
    ids, base = ids[~settles], base[~settles]
    if len(ids) == 0:
        return
    sponsored = t.cols["sponsored"][ids]
    p_exit = np.where(
        sponsored,
        model.clock.prob(china["sponsored_exit_attempt_rate_per_year"]),
        model.clock.prob(china["exit_attempt_rate_per_year"]),
    )
    u = streams.from_base("exit_attempt", base)
    leaving = ids[u < p_exit]
    if len(leaving) == 0:
        return
    model.counters["exit_attempts"] += len(leaving)
    places = t.cols["place"][leaving]
    for place in np.unique(places).tolist():
        start_journeys(model, leaving[places == place], place)
