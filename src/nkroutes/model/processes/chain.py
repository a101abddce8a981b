"""ODD 7.4 Chain defection: family in South Korea pays brokers for relatives.

Each defector resettled with settlement money puts ``share_of_settlement_sent`` of it into
its family's savings for brokers (US$32,000 until 2004, US$9,000 from 2005: MPI 2008), and
every defector living in the fallback destination adds ``remittance_usd_per_year``. These
savings are spent at ``spend_rate_per_year``. Of what is spent, a share pays the exit of
relatives already hiding in China (each costs the expected broker fee of a way out), the rest
brings new relatives out of the North (each costs the expected fees of a crossing and a way
out). Quarterly payments and housing money after arrival add to the savings in the same
way (``processes/settlement.py``). The share is ``share_for_relatives_in_china``, times
``1 - 2 ** (-in_china / in_china_for_half_share)`` when that key is set: a family can pay
for a relative in China only if it has one there, likelier the more North Koreans hide or
live there (``in_china`` at the step). Sponsored migrants' fees are paid by their family.

Families are finite ("their remaining relatives": MPI 2008, *Migration to the South*): with
``remaining_relatives_per_family`` > 0, each defector who was not brought out by family adds
that many relatives to ``RouteModel.relatives_remaining``, each relative sponsored takes one
away, and the money spent buys no more relatives than are left (the rest stays in the fund).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from nkroutes.model import stays
from nkroutes.model.params import KIND_CODES
from nkroutes.model.processes.hiding import stay_hazards
from nkroutes.model.processes.settlement import pay_settlement
from nkroutes.model.thresholds import draw_again, share_hazard

if TYPE_CHECKING:
    from nkroutes.model.model import RouteModel


def _mean_fee(model: RouteModel, from_kind: str) -> float:
    p = model.params
    routes = np.flatnonzero(
        (p.kind[p.route_from] == KIND_CODES[from_kind])
        & p.route_open
        & (p.route_broker_fee_usd > 0)
    )
    if len(routes) == 0:
        return 0.0
    return float(p.route_broker_fee_usd[routes].mean()) * model.mean_broker_fee_factor


def sponsor_relatives(model: RouteModel) -> None:
    """Spend families' savings on brokers for relatives in China and in the North."""
    p = model.params
    chain = p.chain
    dt = model.clock.dt_years
    pay_settlement(model)  # quarterly payments and housing money (MPI 2008, Integration)
    fallback = p.fallback_destination
    defectors = model.arrivals_at_place[fallback] if fallback >= 0 else 0
    model.family_fund_usd += defectors * chain.remittance_usd_per_year * dt
    spend = model.family_fund_usd * float(model.clock.prob(chain.spend_rate_per_year))
    if spend <= 0:
        return
    exit_cost = _mean_fee(model, "hiding")
    crossing_cost = _mean_fee(model, "origin")
    share_china = chain.share_for_relatives_in_china
    half = chain.in_china_for_half_share
    if half > 0:
        share_china *= 1.0 - 2.0 ** (-_hiding_or_settled(model) / half)
    from_north, in_china = _relatives_bought(spend, share_china, crossing_cost, exit_cost)
    limited = chain.remaining_relatives_per_family > 0
    wanted = from_north + in_china
    if limited and wanted > model.relatives_remaining:
        # Families pay only for their remaining relatives (7.4, step 6): spend the share
        # of the money that buys those left; the rest stays in the fund.
        spend = spend * model.relatives_remaining / wanted
        if spend <= 0:
            return
        from_north, in_china = _relatives_bought(spend, share_china, crossing_cost, exit_cost)
    model.family_fund_usd -= spend
    model.counters["family_spending_usd"] += spend
    if crossing_cost + exit_cost > 0:
        model.sponsored_departures_due += from_north
        if limited:
            model.relatives_remaining = max(model.relatives_remaining - from_north, 0.0)
    if exit_cost <= 0 or share_china <= 0:
        return
    t = model.table
    hiding = model.stay_counts.hiding_unsponsored
    if hiding == 0:
        return
    # The step's expected number spread over those hiding whose family does not pay, met by
    # each one's own threshold (model/thresholds.py: common random numbers across what-ifs).
    queue = model.family_help_queue
    queue.accrue(share_hazard(in_china, hiding))
    chosen = queue.due(t)
    if limited and len(chosen) > int(model.relatives_remaining):
        # No relative left for the rest: those reached first (lowest thresholds) are paid for.
        first = np.argsort(t.cols[queue.column][chosen], kind="stable")
        left = int(model.relatives_remaining)
        draw_again(model, queue, "family_help", np.sort(chosen[first[left:]]))
        chosen = np.sort(chosen[first[:left]])
    count = len(chosen)
    if limited:
        model.relatives_remaining -= count
    if count == 0:
        return
    h_old = stay_hazards(model, chosen)
    model.stay_counts.hiding_unsponsored -= count  # sponsored, their stays go on
    t.cols["sponsored"][chosen] = True
    t.cols["family_paid"][chosen] = True
    # Their family pays now: they try to leave at the sponsored rate from this step.
    stays.repredict(model, chosen, h_old, stays.savings_per_step(model))
    model.counters["sponsored_in_china"] += count


def _relatives_bought(
    spend: float, share_china: float, crossing_cost: float, exit_cost: float
) -> tuple[float, float]:
    """Expected relatives ``spend`` (US$) buys: out of the North, and out of China.

    ``spend * (1 - s_c) / (C_cross + C_exit)`` new departures and ``spend * s_c / C_exit``
    relatives already hiding in China (each 0 when its cost is 0: nothing to buy).
    """
    from_north = (
        spend * (1 - share_china) / (crossing_cost + exit_cost)
        if crossing_cost + exit_cost > 0
        else 0.0
    )
    in_china = spend * share_china / exit_cost if exit_cost > 0 else 0.0
    return from_north, in_china


def _hiding_or_settled(model: RouteModel) -> int:
    """Migrants hiding or settled in China now, without another pass over the table.

    The stocks recorded at the end of the last step: the processes that run before this
    one in a step (events, brokers) change no migrant's state, and the run starts empty.
    """
    i = model.step_index
    if i == 0:
        return 0
    return int(model.stocks["hiding"][i - 1] + model.stocks["settled"][i - 1])
