"""Sex-specific crossing (processes/departures.py), alone on the tiny scenario (issue 17).

MPI 2008, North Koreans in China: "Some women sell their bodies instead of paying their way
across, while others are trafficked by marriage brokers and sold as brides to Chinese men."
A would-be migrant whose savings do not cover the bribe of the cheapest crossing goes with
``departures.unpaid_crossing_probability_female`` or ``_male``.
"""

from __future__ import annotations

from nkroutes.model import simulate
from scenario_builder import get_route, tiny_scenario

#: Two years, half of those who want to leave are women; everyone carries US$30.
BASE = {"population.share_female": 0.5, "time.end": "1991-12"}
WOMEN_ONLY = {
    "departures.unpaid_crossing_probability_female": 1.0,
    "departures.unpaid_crossing_probability_male": 0.0,
}


def _bribe(usd: float):
    def edit(data):
        get_route(data, "home_river")["cost_usd"] = usd

    return edit


def _run(overrides, bribe: float):
    return simulate(tiny_scenario({**BASE, **overrides}, edit=_bribe(bribe)), seed=3)


def _female_share(result, column: str) -> float:
    m = result.migrants
    if column == "departed":
        return float(m["female"].mean())
    arrived = result.yearly()
    return float(arrived["arrivals_female"].sum() / arrived["arrivals"].sum())


def test_men_who_cannot_pay_stay_and_women_go():
    before = _run({}, bribe=50.0)  # defaults: everyone goes, paying or not
    after = _run(WOMEN_ONLY, bribe=50.0)  # nobody can pay US$50 with US$30
    assert before.yearly()["stayed_unable_to_pay"].sum() == 0
    assert 0.45 < _female_share(before, "departed") < 0.55
    assert _female_share(after, "departed") == 1.0
    stayed = after.yearly()["stayed_unable_to_pay"].sum()
    departed = after.yearly()["departures"].sum()
    assert 0.8 < stayed / departed < 1.25  # the men, about as many as the women
    # The women are the same people in both runs (their keys and draws do not change).
    assert _female_share(after, "arrivals") == 1.0
    assert abs(departed - before.migrants["female"].sum()) == 0


def test_those_who_can_pay_are_not_held_back():
    cheap = _run(WOMEN_ONLY, bribe=20.0)  # US$30 covers it
    free = _run({}, bribe=20.0)
    assert cheap.yearly()["stayed_unable_to_pay"].sum() == 0
    assert cheap.yearly()["departures"].sum() == free.yearly()["departures"].sum()


def test_the_female_share_of_arrivals_follows_the_price_of_the_crossing():
    # Savings spread out: the dearer the bribe, the more men stay, the more women arrive.
    spread = {**WOMEN_ONLY, "population.savings_usd_log_sd": 1.0}
    shares = [_female_share(_run(spread, bribe=b), "arrivals") for b in (5.0, 30.0, 150.0)]
    assert 0.45 < shares[0] < shares[1] < shares[2]
    assert shares[2] > 0.8
