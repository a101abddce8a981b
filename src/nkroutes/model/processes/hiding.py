"""ODD 7.7 Life in hiding: saving, arrests, trafficking, settling and exit attempts in China.

Each step every migrant hiding or settled in China saves ``savings_usd_per_month`` (few
find work: MPI 2008) and may be arrested (7.11,
:func:`~nkroutes.model.processes.enforcement.arrests_in_china`). Those still free and
hiding then: a woman is trafficked and sold as a bride with hazard
``trafficking_rate_per_year`` (she settles); a migrant settles for good with hazard
``settle_rate_per_year``; a migrant tries to leave China with hazard
``exit_attempt_rate_per_year`` (``sponsored_exit_attempt_rate_per_year`` if its family
pays), choosing a route and perhaps a broker (see journeys).

These hazards are met by event time (:mod:`nkroutes.model.stays`): a stay draws one
threshold per competing hazard of :func:`stay_probabilities`, its next event is the earliest
of them, and only the migrants whose event falls at this step are handled here. A new hazard of a
stay is a new row of :func:`stay_probabilities`, the same case in :func:`stay_hazards` (its
compiled twin, which the model uses; a test checks they agree) and a branch below.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numba
import numpy as np

from nkroutes.model import stays
from nkroutes.model.groups import present
from nkroutes.model.migrants import State
from nkroutes.model.processes.enforcement import arrests_in_china
from nkroutes.model.processes.journeys import start_journeys
from nkroutes.model.selection import left_behind

if TYPE_CHECKING:
    from nkroutes.model.model import RouteModel

#: Rows of :func:`stay_probabilities`, in the order the per-step process meets them.
ARREST, TRAFFICKING, SETTLING, EXIT = range(4)


def stay_probabilities(model: RouteModel, ids: np.ndarray) -> np.ndarray:
    """Per-step probabilities of each event of a stay in China, for migrants hiding or settled.

    Returns:
        Array ``(4, len(ids))``: arrest, trafficking, settling, exit attempt (rows
        :data:`ARREST` ...). The settled meet only arrest (times ``settled_arrest_multiplier``);
        only women are trafficked; the sponsored try to leave at their own rate.
    """
    t = model.table
    p = model.params
    china = p.china
    prob = model.clock.prob
    places = t.cols["place"][ids]
    settled = t.cols["state"][ids] == State.SETTLED
    rate = china.arrest_rate_per_year * p.hiding_arrest_multiplier
    out = np.zeros((4, len(ids)))
    out[ARREST] = np.where(
        settled,
        prob(rate * china.settled_arrest_multiplier)[places],
        prob(rate)[places],
    )
    hiding = ~settled
    out[TRAFFICKING] = np.where(
        hiding & t.cols["female"][ids], prob(china.trafficking_rate_per_year), 0.0
    )
    out[SETTLING] = np.where(hiding, prob(china.settle_rate_per_year), 0.0)
    exit_p = np.where(
        t.cols["sponsored"][ids],
        prob(china.sponsored_exit_attempt_rate_per_year),
        prob(china.exit_attempt_rate_per_year),
    )
    out[EXIT] = np.where(hiding, exit_p, 0.0)
    return out


@numba.njit(cache=True, nogil=True)
def _stay_hazards_kernel(
    ids: np.ndarray,
    place: np.ndarray,
    state: np.ndarray,
    female: np.ndarray,
    sponsored: np.ndarray,
    by_place: np.ndarray,
    values: np.ndarray,
) -> np.ndarray:  # pragma: no cover - compiled
    """:func:`stay_hazards` per migrant, from the hazards of each case (see there)."""
    n = ids.shape[0]
    out = np.empty((4, n))
    traffic, settle, leave, leave_sponsored, none = values
    for i in range(n):
        m = ids[i]
        if state[m] == 1:  # settled: only arrest, at the settled rate
            out[0, i] = by_place[1, place[m]]
            out[1, i] = none
            out[2, i] = none
            out[3, i] = none
        else:
            out[0, i] = by_place[0, place[m]]
            out[1, i] = traffic if female[m] else none
            out[2, i] = settle
            out[3, i] = leave_sponsored if sponsored[m] else leave
    return out


def stay_hazards(model: RouteModel, ids: np.ndarray) -> np.ndarray:
    """Per-step hazards of each event of a stay: ``per_step_hazards(stay_probabilities(.))``.

    The same values, found without computing a logarithm per migrant: a stay's probabilities
    take few values (two arrest probabilities per place, four others and zero), whose
    hazards are computed once per params (:func:`nkroutes.model.stays.per_step_hazards`, the
    same numpy function on the same values), then picked per migrant in one compiled pass.

    Returns:
        Array ``(4, len(ids))``, rows as in :func:`stay_probabilities`.
    """
    p = model.params
    table = model.stay_hazard_table
    if table is None or table[0] is not p:
        china = p.china
        prob = model.clock.prob
        rate = china.arrest_rate_per_year * p.hiding_arrest_multiplier
        by_place = stays.per_step_hazards(
            np.stack([prob(rate), prob(rate * china.settled_arrest_multiplier)])
        )
        values = stays.per_step_hazards(
            np.array(
                [
                    prob(china.trafficking_rate_per_year),
                    prob(china.settle_rate_per_year),
                    prob(china.exit_attempt_rate_per_year),
                    prob(china.sponsored_exit_attempt_rate_per_year),
                    0.0,
                ]
            )
        )
        table = model.stay_hazard_table = (p, by_place, values)
    cols = model.table.cols
    return _stay_hazards_kernel(
        np.asarray(ids),
        cols["place"],
        cols["state"],
        cols["female"],
        cols["sponsored"],
        table[1],
        table[2],
    )


def stay_rates(model: RouteModel) -> tuple[Any, ...]:
    """Everything :func:`stay_probabilities` and the savings of a stay depend on in the params.

    Compared before and after a dated event: the stays in China are placed again only if
    it changed (``RouteModel._apply_events``).
    """
    p = model.params
    china = p.china
    return (
        china.arrest_rate_per_year,
        tuple(p.hiding_arrest_multiplier.tolist()),
        china.settled_arrest_multiplier,
        china.trafficking_rate_per_year,
        china.settle_rate_per_year,
        china.exit_attempt_rate_per_year,
        china.sponsored_exit_attempt_rate_per_year,
        stays.savings_per_step(model),
    )


def live_in_hiding(model: RouteModel) -> None:
    """Arrests, trafficking, settling and exit attempts of the migrants whose event is due."""
    due = stays.due(model)
    if len(due) == 0:
        return
    t = model.table
    # Every stay due ends here (a new one starts, stays.enter, for those who hide on); some
    # become busy (detained, moving): the table's busy list must read them.
    model.stay_counts.ended(t.cols, due)
    t.note_set_off(due)
    step = model.step_index
    # Which event: the one whose own threshold falls now (ties: the per-step order).
    _, event = stays.next_event(model, due, stay_hazards(model, due))
    stays.credit_savings(model, due, through=step)

    arrested = event == ARREST
    if arrested.any():
        arrests_in_china(model, due[arrested])
    trafficked = due[event == TRAFFICKING]
    settles = due[(event == TRAFFICKING) | (event == SETTLING)]
    if len(settles):
        t.cols["state"][settles] = State.SETTLED
        t.cols["trafficked"][trafficked] = True
        model.counters["trafficked"] += len(trafficked)
        model.counters["settlings"] += len(settles)
        stays.enter(model, settles)
    leaving = due[event == EXIT]
    if len(leaving) == 0:
        return
    model.counters["exit_attempts"] += len(leaving)
    places = t.cols["place"][leaving]
    for place in present(places, model.params.n_places):
        group = leaving[places == place]
        moved = start_journeys(model, group, place)
        if len(moved) < len(group):
            # No way out this time (no option, no broker): hide on, from the next step.
            stays.enter(model, left_behind(group, moved))
