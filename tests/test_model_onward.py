"""Word of mouth and NGO help (processes/onward.py), each alone on the tiny scenario (issue 17)."""

from __future__ import annotations

import numpy as np

from nkroutes.model import RouteModel, State, simulate
from nkroutes.model.processes.onward import ngo_help, word_of_mouth
from scenario_builder import tiny_scenario

#: Everyone who reaches China settles at once and nobody leaves on their own.
STAY = {
    "enforcement.china.settle_rate_per_year": 1e4,
    "enforcement.china.exit_attempt_rate_per_year": 0.0,
}


def _settled_model(rate: float) -> RouteModel:
    model = RouteModel(
        tiny_scenario({**STAY, "enforcement.china.word_of_mouth_exit_rate_per_year": rate}), seed=5
    )
    for _ in range(24):
        model.step()
    return model


def test_word_of_mouth_moves_settled_migrants_only_after_brokers_succeed():
    model = _settled_model(rate=50.0)
    t = model.table
    state = t.cols["state"][: t.n]
    settled = np.flatnonzero(state == State.SETTLED)
    eligible = len(settled) + np.count_nonzero(state == State.HIDING)
    assert len(settled) > 100
    assert word_of_mouth(model) == 0  # no broker-assisted arrival yet: no word to spread
    model.flows["broker_assisted_arrivals"][model.step_index - 1] = 20.0
    moved = word_of_mouth(model)
    # hazard 50 x 20 / 1,000 = 1 a year: about 1 - exp(-1/12) of them in a month
    expected = eligible * (1 - np.exp(-1 / 12))
    assert 0.5 * expected < moved < 1.5 * expected
    now_hiding = t.cols["state"][settled] == State.HIDING
    assert 0 < now_hiding.sum() <= moved  # settled ones among them, trafficked women too
    assert t.cols["sponsored"][settled][now_hiding].all()


def test_word_of_mouth_off_changes_nothing():
    model = _settled_model(rate=0.0)
    model.flows["broker_assisted_arrivals"][model.step_index - 1] = 1000.0
    assert word_of_mouth(model) == 0


def test_ngo_help_alone_gets_out_those_who_cannot_pay():
    # Nobody leaves on their own; a sponsored migrant tries to leave at once (hazard 12/yr).
    stuck = {"enforcement.china.exit_attempt_rate_per_year": 0.0, "time.end": "1994-12"}
    without = simulate(tiny_scenario(stuck), seed=6).yearly()
    helped = simulate(
        tiny_scenario({**stuck, "enforcement.china.ngo_helped_per_year": 120.0}), seed=6
    ).yearly()
    assert without["arrivals"].sum() == 0
    assert without["ngo_helped"].sum() == 0
    total = helped["ngo_helped"].sum()
    assert 0.7 * 120 * 5 < total < 1.3 * 120 * 5  # five years at about 120 a year
    assert helped["arrivals"].sum() > 0.9 * total


def test_ngo_help_skips_those_who_can_pay():
    model = RouteModel(
        tiny_scenario(
            {
                "enforcement.china.exit_attempt_rate_per_year": 0.0,
                "enforcement.china.ngo_helped_per_year": 1e4,
            }
        ),
        seed=2,
    )
    for _ in range(3):
        model.step()
    t = model.table
    hiding = np.flatnonzero((t.cols["state"][: t.n] == State.HIDING) & ~t.cols["sponsored"][: t.n])
    assert len(hiding)
    # the tiny map's way out has no broker: nobody can pay one, so NGOs may help anyone
    assert ngo_help(model) > 0


def test_trafficking_at_entry_alone_takes_only_women_and_changes_the_female_share():
    base = {"population.share_female": 0.5, "time.end": "1993-12"}
    without = simulate(tiny_scenario(base), seed=8)
    sold = simulate(
        tiny_scenario({**base, "enforcement.china.trafficked_at_entry_probability": 0.5}), seed=8
    )
    m = sold.migrants
    assert without.yearly()["trafficked"].sum() == 0
    assert m["trafficked"].any()
    assert not (m["trafficked"] & ~m["female"]).any()
    share = lambda r: r.yearly()["arrivals_female"].sum() / r.yearly()["arrivals"].sum()  # noqa: E731
    assert share(sold) < share(without) - 0.03  # women hiding in the tiny map leave within months
