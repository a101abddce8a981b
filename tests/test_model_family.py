"""Chain defection with finite families (ODD 7.4): the remaining relatives limit the chain.

MPI 2008, *Migration to the South*: "Family members in South Korea and successful defectors
pay brokers to smuggle out their remaining relatives". With
``chain_defection.remaining_relatives_per_family`` = F > 0, each arrival who was not brought
out by family (a founder) adds F relatives to those families can still pay for; each relative
sponsored takes one away. Each test below sets the mechanism alone on the tiny scenario,
where the families' money is plentiful (the settlement money pays for two exits at the
broker's fee), so the limit, not the money, decides.
"""

from __future__ import annotations

import numpy as np
import pytest

from nkroutes.model import State, simulate
from scenario_builder import tiny_scenario
from test_model_processes import _broker_only_exit


def _run(relatives: float, seed: int = 11, share_in_china: float = 1.0):
    scenario = tiny_scenario(
        {
            "time.end": "1994-12",
            "chain_defection.remaining_relatives_per_family": relatives,
            "chain_defection.share_for_relatives_in_china": share_in_china,
            "places.sk.settlement_money_usd": 2.0e6,
        },
        edit=_broker_only_exit(1.0e6, True),
    )
    return simulate(scenario, seed=seed)


def _relatives_sponsored(result) -> int:
    return int(result.flows["sponsored_in_china"].sum())


def test_no_limit_and_a_limit_never_reached_give_the_same_bits() -> None:
    unlimited = _run(0.0)
    never_reached = _run(1.0e9)
    for name, flow in unlimited.flows.items():
        np.testing.assert_array_equal(flow, never_reached.flows[name], err_msg=name)
    assert not unlimited.stocks["relatives_remaining"].any()  # 0 throughout without a limit
    assert never_reached.stocks["relatives_remaining"][-1] > 1.0e9


def test_families_pay_for_no_more_relatives_than_they_have() -> None:
    unlimited = _run(0.0)
    assert _relatives_sponsored(unlimited) > 50  # money enough for many without a limit
    for relatives in (0.5, 1.0, 2.0):
        result = _run(relatives)
        m = result.migrants
        arrived = m["state"] == State.ARRIVED
        founders = int(np.count_nonzero(arrived & ~m["family_paid"]))
        sponsored = _relatives_sponsored(result)
        # Every relative sponsored in China was counted against a founder's family.
        assert sponsored <= relatives * founders, (relatives, sponsored, founders)
        assert sponsored < _relatives_sponsored(unlimited)
        # Those sponsored carry the flag; founders never do.
        assert np.count_nonzero(m["family_paid"]) == sponsored
        assert (result.stocks["relatives_remaining"] >= 0).all()


def test_more_remaining_relatives_bring_more_out() -> None:
    # The mean over seeds rises with F while the limit binds (and money is plentiful).
    seeds = range(20, 26)
    means = [
        float(np.mean([_relatives_sponsored(_run(f, seed=s)) for s in seeds]))
        for f in (0.25, 0.5, 1.0)
    ]
    assert means[0] < means[1] < means[2], means


@pytest.mark.parametrize("relatives", [0.5, 2.0])
def test_relatives_from_the_north_also_count_against_the_limit(relatives: float) -> None:
    # All the money goes to new departures from the North (none to relatives in China):
    # the expected departures bought never exceed F per founder arrived so far.
    unlimited = int(_run(0.0, share_in_china=0.0).flows["sponsored_departures"].sum())
    result = _run(relatives, share_in_china=0.0)
    m = result.migrants
    founders = int(np.count_nonzero((m["state"] == State.ARRIVED) & ~m["family_paid"]))
    bought = int(result.flows["sponsored_departures"].sum())
    assert unlimited > bought
    # Sponsored departures are Poisson draws around the expected numbers bought: allow a
    # generous 5 standard deviations over the bound.
    bound = relatives * founders
    assert bought <= bound + 5 * np.sqrt(bound) + 5, (bought, bound)
    # The sponsored departures are the relatives flagged as brought out by family.
    sponsored_created = np.count_nonzero(m["family_paid"])
    assert sponsored_created == bought
