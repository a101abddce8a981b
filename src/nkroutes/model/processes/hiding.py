"""ODD 7.7 Life in hiding: saving, arrests, trafficking, settling and exit attempts in China.

Each step every migrant hiding or settled in China saves ``savings_usd_per_month`` (few
find work: MPI 2008) and may be arrested (7.11,
:func:`~nkroutes.model.processes.enforcement.arrests_in_hiding`). Those still free and
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
from nkroutes.model.processes.enforcement import arrests_in_hiding
from nkroutes.model.processes.journeys import start_journeys

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

    base = streams.base(t.cols["key"][hiding], step)
    hiding_arrested = arrests_in_hiding(model, hiding, settled, base)

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
