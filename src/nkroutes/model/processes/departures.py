"""ODD 7.6 Departures: leaving North Korea, and setting off on the crossing that follows.

New migrants leave each origin province at the rate

    base_rate_per_year * (1 + sum of active push-factor intensities) * weight / sum(weights)

(a Poisson number per province and step), plus the relatives whose brokers are paid by
family in South Korea (chain defection, see :mod:`chain`), plus released migrants who try
again (hazard ``retry_rate_per_year``). Each would-be migrant is a woman with probability
``share_female`` (the share among those who want to leave), political with
``share_political_motive``, and carries log-normal savings.

Sex-specific crossing (MPI 2008, North Koreans in China: "In 2005, the going rate to cross
the Tumen River increased to between US$25 and US$50. Some women sell their bodies instead of
paying their way across, while others are trafficked by marriage brokers and sold as brides to
Chinese men"): a would-be migrant of a North Korean province whose savings are below the
bribe of the province's cheapest crossing (the lowest positive ``cost_usd`` of its routes
travelled alone; it moves with the dated border prices) goes only with probability
``unpaid_crossing_probability_female`` or ``..._male``; the others stay at home and are not
migrants. Relatives whose family pays (chain defection) always go. So the share of women
among those who cross, and then among arrivals, is an outcome: it rises when the bribe
rises and falls when the border is cheap (1997-1999).

All who go then choose a crossing (alone with a bribe, or with a broker) and set off.
Counts come from the inverse Poisson CDF of the province's own draw, so a what-if with more
departures adds people rather than reshuffling them (common random numbers).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from scipy.special import ndtri

from nkroutes.model.counts import poisson_counts
from nkroutes.model.groups import present
from nkroutes.model.migrants import State
from nkroutes.model.processes.journeys import cached_options, option_cache, start_journeys
from nkroutes.model.random import make_group_keys

if TYPE_CHECKING:
    from nkroutes.model.model import RouteModel

#: Group numbers that make migrant keys: origins use their position, sponsored relatives
#: this offset plus the position.
_SPONSORED_GROUP = 2048


def _poisson_counts(model: RouteModel, expected: np.ndarray, slot: int) -> np.ndarray:
    keys = np.arange(len(expected), dtype=np.uint64) + np.uint64(slot * 4096)
    u = model.streams.uniform("departure_count", keys, model.step_index)
    return poisson_counts(u, expected, "departures")


def crossing_prices(model: RouteModel) -> np.ndarray:
    """The bribe of each origin's cheapest crossing, in US$ (0 where nobody is held back).

    The lowest positive cost of the routes leaving the origin that may be travelled alone
    (a route that costs nothing, like the DMZ, buys no guard's silence); 0 for origins
    outside North Korea (workers abroad), whose escape the rule does not concern.
    """
    p = model.params
    # Kept with the options it is read from: until the params or the brokers' mean fee change.
    cache = option_cache(model)
    key = ("crossing_prices", model.mean_broker_fee_factor)
    cached = cache.get(key)
    if cached is not None:
        return cached
    prices = np.zeros(len(p.origins))
    for i, origin in enumerate(p.origins.tolist()):
        if not p.in_north_korea[origin]:
            continue
        _routes, broker, cost, _weights, _keeps = cached_options(model, origin)
        paid = cost[~broker & (cost > 0)]
        if len(paid):
            prices[i] = float(paid.min())
    prices.flags.writeable = False
    cache[key] = prices
    return prices


def _create(
    model: RouteModel, origin_pos: np.ndarray, sponsored: np.ndarray, counts: np.ndarray
) -> np.ndarray:
    """Create a step's new migrants, group by group in the order given.

    Would-be migrants of a group not sponsored who cannot pay their origin's crossing
    (:func:`crossing_prices`) go with ``unpaid_crossing_probability_female`` or ``_male``;
    those who do not go are not created (keys of those who go do not change).

    Args:
        model: The running model.
        origin_pos: Each group's origin (position among the origins).
        sponsored: Whether each group's migrants are relatives whose family pays.
        counts: How many want to leave in each group.

    Returns:
        The new migrants' ids, group after group.
    """
    p = model.params
    pop = p.population
    step = model.step_index
    groups = origin_pos + np.where(sponsored, _SPONSORED_GROUP, 0)
    keys = make_group_keys(step, groups, counts)
    u, u2, u3 = model.streams.uniform_slots("migrant_attributes", keys, step, 3)
    savings = pop.savings_usd_median * np.exp(pop.savings_usd_log_sd * ndtri(u3))
    female = u < pop.share_female
    is_sponsored = np.repeat(sponsored, counts)
    price = np.repeat(crossing_prices(model)[origin_pos], counts)
    unpaid = ~is_sponsored & (savings < price)
    if unpaid.any():
        dep = p.departures
        u4 = model.streams.uniform("migrant_attributes", keys[unpaid], step, slot=3)
        p_go = np.where(
            female[unpaid],
            dep.unpaid_crossing_probability_female,
            dep.unpaid_crossing_probability_male,
        )
        goes = np.ones(len(keys), bool)
        goes[unpaid] = u4 < p_go
        model.counters["stayed_unable_to_pay"] += int(len(keys) - goes.sum())
        keys, u2, savings, female, is_sponsored = (
            keys[goes],
            u2[goes],
            savings[goes],
            female[goes],
            is_sponsored[goes],
        )
        origin = np.repeat(p.origins[origin_pos], counts)[goes]
    else:
        origin = np.repeat(p.origins[origin_pos], counts)
    return model.table.add(
        len(keys),
        key=keys,
        origin=origin,
        place=origin,
        female=female,
        political=u2 < pop.share_political_motive,
        sponsored=is_sponsored,
        family_paid=is_sponsored,
        state=State.HOME,
        savings_usd=savings.astype(np.float32),
        departure_step=step,
    )


def depart(model: RouteModel) -> None:
    """Create this step's new migrants, add those trying again, and start their crossings."""
    p = model.params
    t = model.table
    dt = model.clock.dt_years
    share = p.origin_weights / p.origin_weights.sum()
    expected = p.departures.base_rate_per_year * dt * p.push_multiplier(model.step_index)
    counts = _poisson_counts(model, expected * share, slot=0)
    sponsored_counts = _poisson_counts(model, model.sponsored_departures_due * share, slot=1)
    model.sponsored_departures_due = 0.0

    # Groups origin by origin, each origin's own departures then its sponsored relatives:
    # the order of the new migrants' ids.
    group_counts = np.stack([counts, sponsored_counts], axis=1).ravel()
    nonempty = np.flatnonzero(group_counts)
    new = np.zeros(0, dtype=np.int64)
    if len(nonempty):
        new = _create(model, nonempty // 2, nonempty % 2 == 1, group_counts[nonempty])
    model.counters["departures"] += len(new)
    model.counters["sponsored_departures"] += int(sponsored_counts.sum())

    home = t.select_busy((State.HOME,))
    home = home[t.cols["attempts"][home] > 0]
    if len(home):
        u = model.streams.uniform("departure_count", t.cols["key"][home], model.step_index, 1)
        p_retry = model.clock.prob(p.north_korea.retry_rate_per_year)
        home = home[u < p_retry]
        model.counters["retries"] += len(home)
    leaving = np.concatenate([new, home])
    if len(leaving) == 0:
        return
    t.cols["attempts"][leaving] += 1
    origins = t.cols["origin"][leaving]
    for origin in present(origins, model.params.n_places):
        # Those who do not set off (no crossing open, no broker found) stay at home, in
        # state HOME, and try again later.
        start_journeys(model, leaving[origins == origin], origin)
