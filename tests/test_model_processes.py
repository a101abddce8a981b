"""Each process alone, on the tiny scenario, with probabilities whose outcome is known.

The tiny scenario (see ``scenario_builder.tiny_dict``) has one origin, one border, one
hiding place in China, a broker hub, a transit country with UNHCR access and a destination,
with every process not under test switched off. Random outcomes are checked against their
expectation with a stated tolerance: a mean within 4 standard errors (a false alarm about
once in 16,000 runs of a correct model; the seeds are fixed, so the tests are repeatable).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from scipy import stats

from nkroutes.model import RouteModel, State, simulate
from scenario_builder import place, tiny_scenario

Z = 4.0  # tolerance in standard errors


def within(observed: float, expected: float, se: float) -> bool:
    return abs(observed - expected) <= Z * se


def route_flow(result: Any, route_id: str) -> int:
    return int(result.route_flows[result.route_ids.index(route_id)])


def place_index(result: Any, place_id: str) -> int:
    return result.place_ids.index(place_id)


# -- arrests in China ------------------------------------------------------------------------


def test_no_arrest_risk_means_no_repatriation() -> None:
    scenario = tiny_scenario({"enforcement.china.exit_attempt_rate_per_year": 1.0})
    result = simulate(scenario, seed=1)
    assert result.stocks["hiding"][12:].min() > 50  # people do hide, all the time
    for flow in ("arrests_china", "repatriated", "detentions", "caught_at_border"):
        assert result.flows[flow].sum() == 0, flow

    # The same scenario with an arrest risk does repatriate (the test can fail).
    risky = tiny_scenario(
        {
            "enforcement.china.exit_attempt_rate_per_year": 1.0,
            "enforcement.china.arrest_rate_per_year": 1.0,
        }
    )
    assert simulate(risky, seed=1).flows["repatriated"].sum() > 100


@pytest.mark.parametrize("step", ["month", "week"])
def test_certain_arrest_takes_every_migrant_hiding(step: str) -> None:
    scenario = tiny_scenario(
        {
            "time.step": step,
            "time.end": "1991-12",
            "enforcement.china.arrest_rate_per_year": 1.0e4,
            "enforcement.china.exit_attempt_rate_per_year": 0.0,
        }
    )
    model = RouteModel(scenario, seed=2)
    assert model.clock.prob(1.0e4) == 1.0
    arrested = 0
    while model.running:
        t = model.table
        hiding_before = t.in_state(State.HIDING)
        i = model.step_index
        model.step()
        state = t.cols["state"]
        # Everyone hiding at the start of the step is arrested and, as China repatriates
        # everyone (probability 1), detained in North Korea; nobody else is arrested.
        assert (state[hiding_before] == State.DETAINED).all()
        assert model.flows["arrests_china"][i] == len(hiding_before)
        assert model.flows["repatriated"][i] == len(hiding_before)
        # Those hiding at the end of the step arrived during it.
        assert (t.cols["china_since"][t.in_state(State.HIDING)] == i).all()
        arrested += len(hiding_before)
    assert arrested > 100


# -- departures ---------------------------------------------------------------------------------


@pytest.mark.parametrize("step", ["month", "week"])
def test_departure_rate_gives_that_many_departures_a_year(step: str) -> None:
    rate = 240.0
    years = 20
    scenario = tiny_scenario(
        {"time.step": step, "time.end": "2009-12", "departures.base_rate_per_year": rate}
    )
    result = simulate(scenario, seed=3)
    yearly = result.yearly()["departures"].to_numpy()
    assert len(yearly) == years
    # Departures are Poisson: the yearly count has mean and variance `rate`.
    assert within(yearly.mean(), rate, math.sqrt(rate / years)), yearly.mean()
    # Index of dispersion: (n - 1) s^2 / rate is chi-squared with n - 1 degrees of freedom.
    dispersion = (years - 1) * yearly.var(ddof=1) / rate
    assert stats.chi2.ppf(1e-4, years - 1) < dispersion < stats.chi2.ppf(1 - 1e-4, years - 1)


def test_departures_are_shared_between_origins_by_weight() -> None:
    def add_origin(data: dict[str, Any]) -> None:
        data["places"].insert(1, place("coast", "origin", "north_korea", departure_weight=1.0))
        data["places"][0]["departure_weight"] = 3.0
        data["routes"].append({"id": "coast_river", "from": "coast", "to": "river"})

    result = simulate(tiny_scenario({"time.end": "1994-12"}, edit=add_origin), seed=4)
    origin = result.migrant_records()["origin"]
    n = len(origin)
    share = float((origin == "home").mean())
    assert n > 2500
    assert within(share, 0.75, math.sqrt(0.75 * 0.25 / n)), share


def test_push_factor_intensity_one_doubles_departures_while_active() -> None:
    rate = 300.0

    def push(data: dict[str, Any]) -> None:
        data["push_factors"] = [
            {"id": "crisis", "start": "1995-01", "end": "1999-12", "intensity": 1.0}
        ]

    scenario = tiny_scenario(
        {"time.end": "2004-12", "departures.base_rate_per_year": rate}, edit=push
    )
    yearly = simulate(scenario, seed=5).yearly().set_index("year")["departures"]
    active = yearly.loc[1995:1999]
    quiet = yearly.drop(active.index)
    assert within(active.mean(), 2 * rate, math.sqrt(2 * rate / len(active))), active.mean()
    assert within(quiet.mean(), rate, math.sqrt(rate / len(quiet))), quiet.mean()


# -- route risks --------------------------------------------------------------------------------


def test_one_leg_kills_and_catches_with_its_probabilities() -> None:
    # Death first (u < d), then capture (u < d + (1 - d) c): shares d and (1 - d) c.
    d, c = 0.1, 0.3
    scenario = tiny_scenario(
        {
            "time.end": "1994-12",
            "routes.home_river.death_probability": d,
            "routes.home_river.capture_probability": c,
        }
    )
    result = simulate(scenario, seed=6)
    n = route_flow(result, "home_river")
    died = result.place_deaths[place_index(result, "river")] / n
    caught = result.place_captures[place_index(result, "home")] / n
    assert n > 2500
    assert within(died, d, math.sqrt(d * (1 - d) / n)), died
    expected = (1 - d) * c
    assert within(caught, expected, math.sqrt(expected * (1 - expected) / n)), caught


@pytest.mark.parametrize("step", ["month", "week"])
def test_consecutive_legs_in_one_step_meet_independent_risks(step: str) -> None:
    # Two one-day legs, each with capture probability 0.5: those who survive the first must
    # still be caught on the second half the time, whether or not both fall in one step.
    c = 0.5
    scenario = tiny_scenario(
        {
            "time.step": step,
            "time.end": "1994-12",
            "routes.home_river.capture_probability": c,
            "routes.river_hide.capture_probability": c,
        }
    )
    result = simulate(scenario, seed=7)
    first = route_flow(result, "home_river")
    second = route_flow(result, "river_hide")
    caught_first = result.place_captures[place_index(result, "home")] / first
    caught_second = result.place_captures[place_index(result, "hide")] / second
    se = math.sqrt(c * (1 - c) / second)
    assert within(caught_first, c, math.sqrt(c * (1 - c) / first)), caught_first
    assert within(caught_second, c, se), (
        f"{caught_second:.4f} of the {second} migrants on the second leg were caught, "
        f"expected {c} +- {Z * se:.4f}"
    )


# -- closed routes ----------------------------------------------------------------------------


def _second_hiding_place(open_: bool, weight: float = 1.0) -> Any:
    def edit(data: dict[str, Any]) -> None:
        data["places"].append(place("hide2", "hiding", "china"))
        data["routes"] += [
            {
                "id": "river_hide2",
                "from": "river",
                "to": "hide2",
                "open": open_,
                "choice_weight": weight,
            },
            {"id": "hide2_thai", "from": "hide2", "to": "thai"},
        ]

    return edit


def test_closed_route_carries_nobody() -> None:
    # Closed, the route is never taken even though it would be chosen 99 times in 100.
    scenario = tiny_scenario({"time.end": "1994-12"}, edit=_second_hiding_place(False, 99.0))
    result = simulate(scenario, seed=8, trace=True)
    closed = result.route_ids.index("river_hide2")
    assert result.route_flows[closed] == 0
    assert all((routes != closed).all() for _, routes, _ in result.route_log)
    assert (result.migrants["place"] != place_index(result, "hide2")).all()
    assert route_flow(result, "river_hide") > 2500

    opened = tiny_scenario({"time.end": "1994-12"}, edit=_second_hiding_place(True, 99.0))
    assert route_flow(simulate(opened, seed=8), "river_hide2") > 2500


def test_route_closed_by_an_event_carries_nobody_from_that_date() -> None:
    def edit(data: dict[str, Any]) -> None:
        _second_hiding_place(True)(data)
        data["events"] = [
            {"id": "close", "date": "1993-01", "set": {"routes.river_hide2.open": False}}
        ]

    model = RouteModel(tiny_scenario({"time.end": "1995-12"}, edit=edit), seed=9)
    closed = model.params.route_ids.index("river_hide2")
    close_step = model.clock.step_of("1993-01")
    while model.running:
        before = int(model.route_starts[closed])
        i = model.step_index
        model.step()
        started = int(model.route_starts[closed]) - before
        if i >= close_step:
            assert started == 0, f"{started} set off on the closed route at step {i}"
    assert model.route_starts[closed] > 500  # it was used while open


def test_events_outside_the_run_are_in_force_from_its_start_or_never_apply() -> None:
    # Closing the second hiding place before the run starts is the same as its route being
    # closed from the start; closing it after the run ends is the same as never closing it.
    def closing(date: str) -> Any:
        def edit(data: dict[str, Any]) -> None:
            _second_hiding_place(True)(data)
            data["events"] = [
                {"id": "close", "date": date, "set": {"routes.river_hide2.open": False}}
            ]

        return edit

    window = {"time.start": "1991-01", "time.end": "1992-12"}
    before = tiny_scenario(window, edit=closing("1990-06"))
    after = tiny_scenario(window, edit=closing("1993-01"))
    assert [[e["id"] for e in events] for events in before.events_outside_run()] == [["close"], []]
    assert [[e["id"] for e in events] for events in after.events_outside_run()] == [[], ["close"]]
    ended = tiny_scenario(
        window,
        edit=lambda d: closing("1990-06")(d) or d["events"][0].update(end="1990-12"),
    )
    assert ended.events_outside_run() == ([], [])  # over before the run: nothing to note

    def yearly(scenario: Any) -> Any:
        return simulate(scenario, seed=5).yearly()

    closed = yearly(tiny_scenario(window, edit=_second_hiding_place(False)))
    opened = yearly(tiny_scenario(window, edit=_second_hiding_place(True)))
    assert not closed.equals(opened)
    assert yearly(before).equals(closed)
    assert yearly(after).equals(opened)


# -- brokers ----------------------------------------------------------------------------------


def _broker_only_exit(fee: float, sponsors: bool) -> Any:
    """hide -> thai only with a broker (fee ``fee``); hide -> mission -> sk alone for all.

    With ``sponsors``, arrivals in South Korea send settlement money that pays the brokers
    of relatives hiding in China (chain defection).
    """

    def edit(data: dict[str, Any]) -> None:
        data["places"].append(place("mission", "mission", "china", wait_months=1.0))
        data["routes"] += [
            {"id": "hide_mission", "from": "hide", "to": "mission"},
            {"id": "mission_sk", "from": "mission", "to": "sk"},
        ]
        hub = next(p for p in data["places"] if p["id"] == "hub")
        hub.update(initial_brokers=20, serves=["hide_thai"])
        thai = next(r for r in data["routes"] if r["id"] == "hide_thai")
        thai.update(alone_allowed=False, broker_fee_usd=fee)
        data["brokers"].update(clients_per_broker_per_month=100.0, price_spread=1.0)
        if sponsors:
            sk = next(p for p in data["places"] if p["id"] == "sk")
            sk["settlement_money_usd"] = 1.0e9
            data["chain_defection"].update(
                share_of_settlement_sent=1.0, share_for_relatives_in_china=1.0
            )

    return edit


def test_broker_fee_above_all_savings_stops_unsponsored_migrants_hiring() -> None:
    # Savings are US$30 for everyone and never grow; the only broker asks US$1,000,000.
    dear = tiny_scenario({"time.end": "1994-12"}, edit=_broker_only_exit(1.0e6, False))
    result = simulate(dear, seed=10)
    assert route_flow(result, "hide_thai") == 0
    assert not result.migrants["broker_helped"].any()
    assert result.flows["broker_fees_usd"].sum() == 0
    assert route_flow(result, "hide_mission") > 2500  # they leave the other way

    # A fee they can pay: the broker route is used (the test can fail).
    cheap = tiny_scenario({"time.end": "1994-12"}, edit=_broker_only_exit(10.0, False))
    assert route_flow(simulate(cheap, seed=10), "hide_thai") > 1000


def test_only_sponsored_migrants_take_a_broker_route_they_cannot_afford() -> None:
    scenario = tiny_scenario({"time.end": "1994-12"}, edit=_broker_only_exit(1.0e6, True))
    result = simulate(scenario, seed=11, trace=True)
    route = result.route_ids.index("hide_thai")
    took = np.concatenate([ids[routes == route] for ids, routes, _ in result.route_log])
    assert len(took) > 50  # families pay for some
    # Nobody on or after this route is ever detained, so the flag is still what it was.
    assert result.migrants["sponsored"][took].all()
    assert (result.migrants["paid_brokers_usd"][took] >= 1.0e6).all()
    assert (result.migrants["savings_usd"] <= 30.0).all()


def test_share_for_relatives_in_china_follows_the_number_hiding_there() -> None:
    # share = share_for_relatives_in_china * (1 - 2 ** (-in_china / half)); half = 0 keeps
    # the share constant.
    # Each arrival's settlement money pays for two exits at the broker's US$1,000,000, so
    # money not spent on relatives in China buys a bounded number of departures.
    def sponsored_in_china(half: float) -> int:
        scenario = tiny_scenario(
            {
                "time.end": "1994-12",
                "chain_defection.in_china_for_half_share": half,
                "places.sk.settlement_money_usd": 2.0e6,
            },
            edit=_broker_only_exit(1.0e6, True),
        )
        return int(simulate(scenario, seed=11).flows["sponsored_in_china"].sum())

    constant = sponsored_in_china(0.0)
    assert constant > 50
    # A tiny half-share number: 2 ** -(huge) is 0, the share is the constant one, same bits.
    assert sponsored_in_china(1.0e-9) == constant
    # Far more than ever hide (a few thousand): the share is about 0, nobody is paid for.
    assert sponsored_in_china(1.0e12) == 0
    # In between: fewer than with the constant share, but some.
    assert 0 < sponsored_in_china(2000.0) < constant


@pytest.mark.parametrize("step", ["month", "week"])
def test_brokers_with_spare_capacity_take_every_client(step: str) -> None:
    # 10 brokers x 2 clients a month = 20 a month of capacity for about 2 requests a month:
    # a migrant who can pay should not be turned away, whatever the step length.
    def edit(data: dict[str, Any]) -> None:
        hub = next(p for p in data["places"] if p["id"] == "hub")
        hub.update(initial_brokers=10, serves=["hide_thai"])
        thai = next(r for r in data["routes"] if r["id"] == "hide_thai")
        thai.update(alone_allowed=False, broker_fee_usd=10.0)
        data["brokers"].update(clients_per_broker_per_month=2.0, price_spread=1.0)

    scenario = tiny_scenario(
        {"time.step": step, "time.end": "1994-12", "departures.base_rate_per_year": 24.0},
        edit=edit,
    )
    result = simulate(scenario, seed=12)
    attempts = int(result.flows["exit_attempts"].sum())
    hired = route_flow(result, "hide_thai")
    assert attempts > 100
    assert hired / attempts >= 0.95, f"{hired} of {attempts} requests accepted"


def test_migrants_with_nowhere_to_go_try_again_every_step() -> None:
    # From the crossing point "pass" the only way on needs a broker and there is none: all who
    # get there wait, and should try again (and be counted as stuck) at every step.
    def edit(data: dict[str, Any]) -> None:
        data["places"].append(place("pass", "border", "china"))
        data["routes"] = [r for r in data["routes"] if r["id"] != "hide_thai"] + [
            {"id": "hide_pass", "from": "hide", "to": "pass"},
            {
                "id": "pass_thai",
                "from": "pass",
                "to": "thai",
                "alone_allowed": False,
                "broker_fee_usd": 10.0,
            },
        ]
        next(p for p in data["places"] if p["id"] == "hub")["serves"] = ["pass_thai"]

    model = RouteModel(tiny_scenario({"time.end": "1990-12"}, edit=edit), seed=14)
    waiting_before = 0
    while model.running:
        i = model.step_index
        model.step()
        t = model.table
        waiting = np.count_nonzero(
            (t.cols["state"][: t.n] == State.MOVING) & (t.cols["route"][: t.n] == -1)
        )
        # Everyone waiting since the last step tried again (and is stuck again).
        assert model.flows["stuck"][i] >= waiting_before, f"step {i}"
        waiting_before = waiting
    assert waiting_before > 100


# -- resettlement -------------------------------------------------------------------------------


def test_refused_applicants_go_to_the_fallback_destination() -> None:
    def edit(data: dict[str, Any]) -> None:
        data["places"].append(
            place(
                "usa",
                "destination",
                "united_states",
                preference_weight=3.0,
                acceptance_probability=0.0,
            )
        )
        data["routes"].append({"id": "thai_usa", "from": "thai", "to": "usa"})

    result = simulate(tiny_scenario({"time.end": "1994-12"}, edit=edit), seed=13)
    arrivals = int(result.flows["arrivals"].sum())
    refused = int(result.flows["refused_applications"].sum())
    assert result.place_arrivals[place_index(result, "usa")] == 0
    assert result.place_arrivals[place_index(result, "sk")] == arrivals > 2500
    # Three in four ask the United States (preference 3:1) and all of them are refused.
    assert within(refused / arrivals, 0.75, math.sqrt(0.75 * 0.25 / arrivals))
