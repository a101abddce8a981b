"""Direction of effects of the users' what-ifs (sanity, not calibration).

Each what-if is compared with the baseline replicate by replicate (same seed: common random
numbers), on two seeds: each seed is a check of its own (what must be zero is zero, what must
be identical is); a third seed took some 10 s more of CI's time for little more assurance.
The model's draws depend only on (decision, migrant, step), so until a what-if changes
something the two runs are identical, which some tests check.
"""

from __future__ import annotations

import pytest

from nkroutes.model import RunResult, simulate
from nkroutes.scenario import load_scenario
from scenario_builder import (
    BASELINE,
    baseline_run,
    baseline_until,
    baseline_without_event,
)

#: Statistical: each what-if against the whole baseline on two seeds (slow: CI runs them).
pytestmark = pytest.mark.slow

SEEDS = (1, 2)


def via_thailand(result: RunResult) -> int:
    """Migrants who left Thailand for a destination (route flows of thailand_* routes)."""
    return sum(
        int(flow)
        for rid, flow in zip(result.route_ids, result.route_flows, strict=True)
        if rid.startswith("thailand_")
    )


@pytest.fixture(scope="module")
def thailand_closed():
    return load_scenario(
        BASELINE, {"routes.laos_thailand.open": False, "routes.burma_thailand.open": False}
    )


@pytest.mark.parametrize("seed", SEEDS)
def test_closing_thailand_lowers_arrivals_via_thailand(thailand_closed, seed: int) -> None:
    base = baseline_run(seed)
    closed = simulate(thailand_closed, seed=seed)
    assert via_thailand(base) > 0
    # Thailand is reached only through Laos and Burma: closed, nobody gets there.
    assert via_thailand(closed) == 0 < via_thailand(base)
    assert closed.place_arrivals[closed.place_ids.index("thailand")] == 0


@pytest.mark.parametrize("seed", SEEDS)
def test_china_not_repatriating_means_no_repatriations(seed: int) -> None:
    base = baseline_until("1998-12")
    stop = baseline_until("1998-12", {"enforcement.china.repatriation_probability": 0.0})
    before = simulate(base, seed=seed).yearly()
    after = simulate(stop, seed=seed).yearly()
    assert before["repatriated"].sum() > 100
    assert (after["repatriated"] == 0).all()
    # The police still arrest; those arrested are released into hiding.
    assert after["arrests_china"].sum() > 0
    assert (after["released_in_china"] == after["arrests_china"]).all()


@pytest.fixture(scope="module")
def without_cut():
    return baseline_without_event("settlement_cut")


@pytest.mark.parametrize("seed", SEEDS)
def test_keeping_the_settlement_money_raises_sponsored_departures_after_2005(
    without_cut,
    seed: int,
) -> None:
    base = baseline_run(seed).yearly().set_index("year")
    kept = simulate(without_cut, seed=seed).yearly().set_index("year")
    # Common random numbers: nothing differs before the cut of January 2005.
    assert base.loc[:2004].equals(kept.loc[:2004])
    after = slice(2005, None)
    assert (
        kept.loc[after, "sponsored_departures"].sum()
        > base.loc[after, "sponsored_departures"].sum()
    )
    assert (
        kept.loc[after, "family_spending_usd"].sum() > base.loc[after, "family_spending_usd"].sum()
    )
