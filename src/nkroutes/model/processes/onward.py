"""ODD 7.7 Life in hiding: word of mouth and NGO help open ways out of China; brides sold at entry.

Two ways out that do not depend on a migrant's own savings (MPI 2008):

- Word of mouth. "The precarious nature of living in China as an unauthorized economic migrant
  has pushed many North Korean defectors and members of their families to hire brokers to
  smuggle them into Southeast Asian countries ... word of mouth about the relative success in
  using brokers to reach Southeast Asia has contributed to the expansion of these lucrative
  underground networks" (*Southeast Asia and Mongolia*). Each step every migrant hiding (not
  yet sponsored) or settled in China, trafficked women included, decides with hazard
  **h = `word_of_mouth_exit_rate_per_year` x S / 1,000** a year to leave with a broker its
  family pays for, S being the broker-assisted arrivals of the last 12 months: the route's
  use grows with its own success. A settled migrant who decides goes back to hiding; both
  are then sponsored (their brokers' fees are paid for them) and try to leave as sponsored
  migrants do (7.7).
- Missionaries and NGOs. "Those who cannot pay a broker often ask missionaries and NGOs for
  smuggling help" (*North Koreans in China*). `ngo_helped_per_year` x dt a step, spread over
  those hiding whose family does not pay: each meets that share by its own threshold
  (``model/thresholds.py``) and is sponsored if its savings are below the cheapest broker
  fee out of its hiding place.

And a sex-specific way into China: "Some women sell their bodies instead of paying their way
across, while others are trafficked by marriage brokers and sold as brides to Chinese men"
(*North Koreans in China*). A woman who entered China for the first time in the previous step
is sold as a bride at once with probability `trafficked_at_entry_probability` (she settles and
is counted in `trafficked`); with the hazard `trafficking_rate_per_year` of the women hiding
(7.7) and word of mouth, which gets settled and trafficked women out again, the share of women
among each year's arrivals is an outcome, not an input.

All run after 7.7's saving, arrests, settling and exit attempts of the step, so a migrant
they sponsor leaves from the next step on.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from nkroutes.model import stays
from nkroutes.model.groups import distinct
from nkroutes.model.migrants import State
from nkroutes.model.processes.journeys import cached_options, option_cache
from nkroutes.model.selection import first_entries
from nkroutes.model.thresholds import draw_again, share_hazard

if TYPE_CHECKING:
    from nkroutes.model.model import RouteModel

#: Months of broker-assisted arrivals that word of mouth counts.
MEMORY_MONTHS = 12.0


def recent_assisted_arrivals(model: RouteModel) -> float:
    """Broker-assisted arrivals over the last :data:`MEMORY_MONTHS` (steps recorded so far)."""
    i = model.step_index
    steps = max(1, round(MEMORY_MONTHS / model.months_per_step))
    flow = model.flows["broker_assisted_arrivals"]
    return float(flow[max(0, i - steps) : i].sum())


def word_of_mouth(model: RouteModel) -> int:
    """Migrants hiding or settled in China who decide to leave with a broker; returns how many.

    The step's hazard is the same for every eligible migrant, so it is met by event time: it
    is added to the run's accrued hazard (``RouteModel.word_of_mouth_queue``), and those
    whose threshold (``word_of_mouth_at``, drawn when their stay began:
    :func:`nkroutes.model.stays.enter`) it reaches now decide. This has the law of a
    Bernoulli per migrant and step with chance ``1 - exp(-h dt)``, without a draw per
    migrant and step; each migrant's threshold is its own (common random numbers).
    """
    rate = model.params.china.word_of_mouth_exit_rate_per_year
    if rate <= 0:
        return 0
    hazard = rate * recent_assisted_arrivals(model) / 1000.0
    if hazard <= 0:
        return 0
    queue = model.word_of_mouth_queue
    queue.accrue(hazard * model.clock.dt_years)
    t = model.table
    chosen = queue.due(t)
    if len(chosen):
        model.stay_counts.ended(t.cols, chosen)  # a new stay starts below
        t.cols["state"][chosen] = State.HIDING
        t.cols["sponsored"][chosen] = True
        model.counters["word_of_mouth_exits"] += len(chosen)
        stays.restart(model, chosen)  # their hazards change from the next step
    return len(chosen)


def _cheapest_fees(model: RouteModel) -> np.ndarray:
    """The cheapest expected broker fee out of each place (US$; ``inf``: no broker option).

    Kept with the travel options (:func:`~nkroutes.model.processes.journeys.option_cache`)
    while the params and the broker market's mean price factor stay the same, instead of
    made again each step.
    """
    cache = option_cache(model)
    key = ("cheapest_broker_fees", model.mean_broker_fee_factor)
    if key in cache:
        return cache[key]
    fees = np.full(model.params.n_places, np.inf)
    for place in range(model.params.n_places):
        _routes, broker, cost, _weights, _keeps = cached_options(model, place)
        if broker.any():
            fees[place] = float(cost[broker].min())
    cache[key] = fees
    return fees


def ngo_help(model: RouteModel) -> int:
    """Migrants hiding who cannot pay a broker and whom NGOs help; returns how many.

    The year's number (``ngo_helped_per_year``) is spread over those hiding whose family
    does not pay now; each meets the step's share by its own
    threshold (:mod:`nkroutes.model.thresholds`), and is helped if its savings are below the
    cheapest broker fee out of its hiding place. One who can pay needs no help: the NGOs
    pass it by this step (it keeps its chance of later steps).
    """
    per_year = model.params.china.ngo_helped_per_year
    if per_year <= 0:
        return 0
    t = model.table
    hiding = model.stay_counts.hiding_unsponsored
    if hiding == 0:
        return 0
    queue = model.ngo_help_queue
    queue.accrue(share_hazard(per_year * model.clock.dt_years, hiding))
    reached = queue.due(t)
    if len(reached) == 0:
        return 0
    fees = _cheapest_fees(model)[t.cols["place"][reached]]
    cannot_pay = stays.balance(model, reached) < fees
    draw_again(model, queue, "ngo_help", reached[~cannot_pay])
    chosen = reached[cannot_pay]
    count = len(chosen)
    if count == 0:
        return 0
    model.stay_counts.ended(t.cols, chosen)  # a new stay starts below
    t.cols["sponsored"][chosen] = True
    model.counters["ngo_helped"] += count
    stays.restart(model, chosen)
    return count


def traffic_at_entry(model: RouteModel) -> int:
    """Women who entered China for the first time in the last step, sold as brides at once.

    Returns:
        How many (counted in ``trafficked`` and ``settlings``).
    """
    probability = model.params.china.trafficked_at_entry_probability
    if probability <= 0 or model.step_index == 0:
        return 0
    cols = model.table.cols
    # Those who entered China in the last step (logged by track_china), not a pass over
    # everyone on their way: only they can have entered then.
    logged = model.china_entries_last
    if not logged:
        return 0
    entered = first_entries(
        distinct(np.concatenate(logged)),
        cols["state"],
        cols["female"],
        cols["china_since"],
        cols["china_steps"],
        cols["trafficked"],
        model.step_index - 1,
    )
    if len(entered) == 0:
        return 0
    u = model.streams.uniform("trafficking", cols["key"][entered], model.step_index, 1)
    sold = entered[u < probability]
    model.stay_counts.ended(cols, sold)  # a new stay starts below
    cols["state"][sold] = State.SETTLED
    cols["trafficked"][sold] = True
    stays.restart(model, sold)
    model.counters["trafficked"] += len(sold)
    model.counters["settlings"] += len(sold)
    return len(sold)


def open_ways_out(model: RouteModel) -> None:
    """Trafficking at entry, word of mouth, then NGO help (see the module's docstring)."""
    traffic_at_entry(model)
    word_of_mouth(model)
    ngo_help(model)
