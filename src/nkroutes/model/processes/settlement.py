"""ODD 7.4 Chain defection: settlement payments after arrival (quarterly payments, housing).

MPI 2008, Integration of North Koreans in South Korea: "Until the end of 2004, a typical
defector received US$32,000 in 'settlement money,' but that amount was cut to US$9,000 in
January 2005. South Korea offers additional quarterly payments over the first two years of
settlement as well as extra money for renting an apartment."

The lump sum (``settlement_money_usd``) is paid on arrival (``processes/travel.py``). Here,
at the start of each step, every destination pays

- ``settlement_quarterly_usd`` a quarter (a third of it a month) to each defector who arrived
  there within the last ``settlement_payment_years``, and
- ``housing_money_usd`` once to each defector who arrived there in the previous step,

at the values in force now. The same share of it as of the lump sum
(``chain_defection.share_of_settlement_sent``) goes into the families' fund for relatives'
brokers (``processes/chain.py``). With both keys 0 (the default) nothing changes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from nkroutes.model.clock import DAYS_PER_MONTH

if TYPE_CHECKING:
    from nkroutes.model.model import RouteModel

_KEYS = ("settlement_quarterly_usd", "settlement_payment_years", "housing_money_usd")


def _terms(model: RouteModel) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Destination indices and their quarterly payment, payment years and housing money."""
    places = model.values["places"]
    index, quarterly, years, housing = [], [], [], []
    for i, place in enumerate(places):
        if place["kind"] != "destination":
            continue
        q = float(place.get("settlement_quarterly_usd", 0.0))
        h = float(place.get("housing_money_usd", 0.0))
        if q <= 0 and h <= 0:
            continue
        index.append(i)
        quarterly.append(q)
        years.append(float(place.get("settlement_payment_years", 2.0)))
        housing.append(h)
    return (
        np.array(index, dtype=np.int64),
        np.array(quarterly),
        np.array(years),
        np.array(housing),
    )


def pay_settlement(model: RouteModel) -> float:
    """Add this step's quarterly payments and housing money to the families' fund.

    Returns:
        The money paid to defectors this step (US$), before the share sent to families (also
        kept as ``model.settlement_paid_usd``).
    """
    model.settlement_paid_usd = 0.0
    i = model.step_index
    if i == 0:
        return 0.0
    index, quarterly, years, housing = _terms(model)
    if len(index) == 0:
        return 0.0
    arrived = model.arrivals_by_step  # cumulative arrivals at each place, end of each step
    now = arrived[i - 1, index].astype(float)
    paid = 0.0
    months_per_step = model.clock.mean_step_days / DAYS_PER_MONTH
    for k in range(len(index)):
        window = round(float(years[k]) * 12.0 / months_per_step)
        before = arrived[i - 1 - window, index[k]] if i - 1 - window >= 0 else 0
        recent = now[k] - float(before)
        paid += recent * quarterly[k] / 3.0 * months_per_step
        previous = arrived[i - 2, index[k]] if i >= 2 else 0
        paid += (now[k] - float(previous)) * housing[k]
    model.family_fund_usd += paid * model.params.chain.share_of_settlement_sent
    model.settlement_paid_usd = paid
    return paid
