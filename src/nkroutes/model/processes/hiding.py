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
    hiding = np.flatnonzero(state == State.HIDING)
    settled = np.flatnonzero(state == State.SETTLED)
    if len(hiding) + len(settled) == 0:
        return
    step = model.step_index
    streams = model.streams
    saved = np.float32(china.savings_usd_per_month * model.months_per_step)
    t.cols["savings_usd"][hiding] += saved
    t.cols["savings_usd"][settled] += saved

    # Arrests: the settled draw only this, so they are handled apart from those hiding
    # (each migrant's draws depend on its key alone, not on who else draws with it).
    rate = china.arrest_rate_per_year * p.hiding_arrest_multiplier
    p_hiding = model.clock.prob(rate)
    p_settled = model.clock.prob(rate * china.settled_arrest_multiplier)
    keys = t.cols["key"]
    settled_places = t.cols["place"][settled]
    u = streams.from_base("arrest", streams.base(keys[settled], step))
    settled_arrested = u < p_settled[settled_places]
    hiding_places = t.cols["place"][hiding]
    base = streams.base(keys[hiding], step)
    u = streams.from_base("arrest", base)
    hiding_arrested = u < p_hiding[hiding_places]
    if settled_arrested.any() or hiding_arrested.any():
        ids = np.concatenate([settled[settled_arrested], hiding[hiding_arrested]])
        places = np.concatenate([settled_places[settled_arrested], hiding_places[hiding_arrested]])
        order = np.argsort(ids)  # in id order, as one pass over the table would give
        ids, places = ids[order], places[order]
        np.add.at(model.captures_at_place, places, 1)
        arrested_in_china(model, ids, places)

    # Those hiding and not arrested: positions found once, for both arrays.
    free = np.flatnonzero(~hiding_arrested)
    ids, base = hiding[free], base[free]
    if len(ids) == 0:
        return
    female = t.cols["female"][ids]
    u = streams.from_base("trafficking", base)
    trafficked = female & (u < model.clock.prob(china.trafficking_rate_per_year))
    u = streams.from_base("settling", base)
    settles = trafficked | (u < model.clock.prob(china.settle_rate_per_year))
    if settles.any():
        t.cols["state"][ids[settles]] = State.SETTLED
        t.cols["trafficked"][ids[trafficked]] = True
        model.counters["trafficked"] += int(trafficked.sum())
        model.counters["settlings"] += int(settles.sum())
        stay = np.flatnonzero(~settles)
        ids, base = ids[stay], base[stay]
    if len(ids) == 0:
        return
    sponsored = t.cols["sponsored"][ids]
    p_exit = np.where(
        sponsored,
        model.clock.prob(china.sponsored_exit_attempt_rate_per_year),
        model.clock.prob(china.exit_attempt_rate_per_year),
    )
    u = streams.from_base("exit_attempt", base)
    leaving = ids[u < p_exit]
    if len(leaving) == 0:
        return
    model.counters["exit_attempts"] += len(leaving)
    places = t.cols["place"][leaving]
    for place in np.unique(places).tolist():
        start_journeys(model, leaving[places == place], place)
