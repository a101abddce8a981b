"""Terms in North Korea by event time (``processes/punishment.py``) keep the per-step law.

A migrant in a camp dies each step with the chance ``p`` of ``camp_death_rate_per_year``,
before its release if both fall at one step; the event-time version draws one threshold at
detention. On the tiny chain with every crossing caught and every detainee sent to a camp
for two to seven years, the deaths each step over those in camps at its start must have that
chance, before and after a dated event raises the rate (the terms are placed again with the
hazard met so far spent): binomial, checked within 4 standard errors. Releases must fall
exactly at the end of each term.
"""

from __future__ import annotations

import math

import numpy as np

from nkroutes.model import RouteModel
from nkroutes.model.migrants import State
from scenario_builder import tiny_scenario

RATE_BEFORE, RATE_AFTER = 0.5, 3.0


def _camps() -> RouteModel:
    def edit(data: dict) -> None:
        data["events"] = [
            {
                "id": "harsher_camps",
                "date": "1994-01",
                "set": {"enforcement.north_korea.camp_death_rate_per_year": RATE_AFTER},
            }
        ]

    scenario = tiny_scenario(
        {
            "time.end": "1997-12",
            "routes.home_river.capture_probability": 1.0,
            "enforcement.north_korea.camp_death_rate_per_year": RATE_BEFORE,
            "enforcement.north_korea.labour_camp_probability_economic": 1.0,
            "enforcement.north_korea.labour_camp_probability_political": 1.0,
        },
        edit=edit,
    )
    return RouteModel(scenario, seed=4)


def test_camp_deaths_each_step_have_the_per_step_chance_before_and_after_a_change() -> None:
    model = _camps()
    deaths = {RATE_BEFORE: [0, 0], RATE_AFTER: [0, 0]}  # rate -> [deaths, exposed]
    released_early = 0
    while model.running:
        cols = model.table.cols
        live = model.table.live()
        in_camp = live[(cols["state"][live] == State.DETAINED) & cols["in_camp"][live]]
        ends = cols["stay_from"][in_camp] - 1 + np.maximum(cols["remaining"][in_camp], 1)
        i = model.step_index
        model.step()
        rate = RATE_AFTER if model.clock.starts[i].year >= 1994 else RATE_BEFORE
        state = cols["state"][in_camp]
        died = state == State.DIED
        deaths[rate][0] += int(np.count_nonzero(died))
        deaths[rate][1] += len(in_camp)
        # Whoever was not due to be released now and did not die is still detained.
        released_early += int(np.count_nonzero(~died & (state != State.DETAINED) & (ends != i)))
    assert released_early == 0
    for rate, (died, exposed) in deaths.items():
        p = float(model.clock.prob(rate))
        assert exposed > 10_000, (rate, exposed)
        se = math.sqrt(p * (1 - p) / exposed)
        assert abs(died / exposed - p) < 4 * se, (rate, died / exposed, p, se)
