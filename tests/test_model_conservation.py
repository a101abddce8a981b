"""Conservation: every migrant is in exactly one state, and the flows add up to the stocks.

The model is stepped by hand (``RouteModel.step``) and the accounting identities below are
checked after every step. They follow from the code of ``nkroutes.model``:

- creation: migrants created = sum over the states; created this step = ``departures``;
- final states: the ARRIVED count grows by ``arrivals``, the DIED count by ``died`` (=
  ``died_on_route`` + ``died_in_detention``); arrivals by destination sum to ``arrivals``;
  the ARRIVED migrants at each destination are that destination's arrivals;
- detention: the DETAINED count grows by ``detained`` - ``released`` - ``died_in_detention``,
  and ``detained`` = ``caught_at_border`` + ``repatriated``;
- arrests in China: ``arrests_china`` = ``repatriated`` + ``released_in_china`` and includes
  the arrests en route and the deportations from transit countries; the captures counted at
  places are ``caught_at_border`` + ``arrests_china`` - ``deported_to_china``;
- North Korea: HOME + GAVE_UP grows by ``released`` + ``departures`` - the migrants who set
  off along a route leaving an origin (who are at most ``departures`` + ``retries``);
- China: a migrant is in China (``china_since`` >= 0) exactly when it hides or has settled
  there, or travels or waits at a place in China; ``in_china`` counts them,
  ``in_china_two_years`` those whose stay has lasted 24 months or more; cumulative
  ``first_entries_china`` counts the migrants ever in China;
- money: the US$ the migrants paid brokers and in bribes and fares grow by
  ``broker_fees_usd`` and ``bribes_and_fares_usd``; nobody's savings go negative; the
  families' fund grows by remittances and settlement money and shrinks by their spending;
- routes into destinations without risk: everyone who set off along one has arrived or is
  still on it;
- brokers: the brokers stock is the number of active brokers; new brokers =
  ``brokers_recruited``; at least ``brokers_arrested`` left; no broker takes more clients
  than its capacity;
- yearly table: flows are the sums of the step flows, stocks the values at year end, and the
  cumulative yearly flows equal the counts in the final states at each year's end.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from nkroutes.model import FLOW_NAMES, STOCK_NAMES, RouteModel, State, simulate
from nkroutes.model.params import KIND_CODES
from scenario_builder import baseline, baseline_until, step_through, tiny_scenario

N_STATES = len(State)
# Money columns are float32 per migrant; the flows sum them in float64.
MONEY_RTOL = 1e-5


class Ledger:
    """Checks the identities after each step against what the previous step left."""

    def __init__(self) -> None:
        self.counts = np.zeros(N_STATES, dtype=np.int64)
        self.n = 0
        self.route_starts: np.ndarray | None = None
        self.paid_brokers = 0.0
        self.paid_other = 0.0
        self.fund = 0.0
        self.arrivals_at_place: np.ndarray | None = None
        self.broker_serials: set[int] = set()
        self.year_end: dict[int, dict[str, Any]] = {}
        self.steps_checked = 0

    def __call__(self, model: RouteModel, i: int) -> None:
        p = model.params
        t = model.table
        f = {name: series[i] for name, series in model.flows.items()}
        state = t.cols["state"][: t.n].astype(np.int64)
        if self.route_starts is None:
            self.route_starts = np.zeros_like(model.route_starts)
            self.arrivals_at_place = np.zeros_like(model.arrivals_at_place)
            self.broker_serials = set()

        # Every migrant ever created is in exactly one valid state.
        assert state.min(initial=0) >= 0 and state.max(initial=0) < N_STATES
        counts = np.bincount(state, minlength=N_STATES)
        assert counts.sum() == t.n
        assert t.n - self.n == f["departures"]
        assert f["sponsored_departures"] <= f["departures"]
        delta = counts - self.counts

        # Final states.
        assert delta[State.ARRIVED] == f["arrivals"]
        assert delta[State.DIED] == f["died"]
        assert f["died"] == f["died_on_route"] + f["died_in_detention"]
        assert (delta >= 0)[[State.ARRIVED, State.DIED]].all()

        # Destinations.
        dests = np.flatnonzero(p.kind == KIND_CODES["destination"])
        step_arrivals = model.arrivals_at_place - self.arrivals_at_place
        assert step_arrivals.sum() == f["arrivals"]
        assert step_arrivals[p.kind != KIND_CODES["destination"]].sum() == 0
        prev_row = model.arrivals_by_step[i - 1] if i > 0 else 0
        assert np.array_equal(model.arrivals_by_step[i] - prev_row, step_arrivals)
        arrived_place = t.cols["place"][: t.n][state == State.ARRIVED]
        by_place = np.bincount(arrived_place, minlength=p.n_places)
        assert np.array_equal(by_place[dests], model.arrivals_at_place[dests])
        helped = np.count_nonzero((state == State.ARRIVED) & t.cols["broker_helped"][: t.n])
        assert model.flows["broker_assisted_arrivals"][: i + 1].sum() == helped

        # Detention in North Korea.
        assert delta[State.DETAINED] == f["detentions"] - f["released"] - f["died_in_detention"]
        assert f["detentions"] == f["caught_at_border"] + f["repatriated"]
        assert f["sent_to_camp"] <= f["detentions"]

        # Arrests in China.
        assert f["arrests_china"] == f["repatriated"] + f["released_in_china"]
        assert f["arrests_china"] >= f["arrests_china_en_route"] + f["deported_to_china"]
        assert f["deported_to_china"] <= f["arrests_transit"]

        # Home in North Korea: created there, released there, or set off from there.
        starts = model.route_starts - self.route_starts
        from_kind = p.kind[p.route_from]
        from_origin = int(starts[from_kind == KIND_CODES["origin"]].sum())
        home = delta[State.HOME] + delta[State.GAVE_UP]
        assert home == f["released"] + f["departures"] - from_origin
        assert from_origin <= f["departures"] + f["retries"]
        assert starts[from_kind == KIND_CODES["hiding"]].sum() <= f["exit_attempts"]

        # In China.
        since = t.cols["china_since"][: t.n]
        place = t.cols["place"][: t.n]
        hiding = (state == State.HIDING) | (state == State.SETTLED)
        on_the_way = (state == State.MOVING) | (state == State.PROCESSING)
        at_china_place = np.zeros(t.n, bool)
        known = place >= 0
        at_china_place[known] = p.in_china[place[known]]
        should_be_in_china = hiding | (on_the_way & at_china_place)
        wrong = np.flatnonzero((since >= 0) != should_be_in_china)
        assert len(wrong) == 0, (
            f"step {i}: {len(wrong)} migrants with china_since inconsistent with their state "
            f"and place, e.g. {t.view(int(wrong[0]))}"
        )
        assert model.stocks["in_china"][i] == np.count_nonzero(since >= 0)
        # Two years or more in China: at the end of step i a stay begun at step `since`
        # has lasted i + 1 - since steps, in months by the step's length.
        months_here = (i + 1 - since[since >= 0]) * model.months_per_step
        long_stays = np.count_nonzero(months_here >= 24 - 1e-9)
        assert model.stocks["in_china_two_years"][i] == long_stays
        ever = np.count_nonzero((since >= 0) | (t.cols["china_steps"][: t.n] > 0))
        assert model.flows["first_entries_china"][: i + 1].sum() == ever
        assert f["first_entries_china"] <= f["entered_china"]
        assert model.flows["trafficked"][: i + 1].sum() >= t.cols["trafficked"][: t.n].sum()

        # Routes into destinations carry no risk (as in the baseline): everyone who set off
        # along one has arrived or is still on it.
        into_dest = np.flatnonzero(p.kind[p.route_to] == KIND_CODES["destination"])
        if not (p.route_death[into_dest].any() or p.route_capture[into_dest].any()):
            on_route = (state == State.MOVING) & np.isin(t.cols["route"][: t.n], into_dest)
            assert model.route_starts[into_dest].sum() == counts[State.ARRIVED] + np.count_nonzero(
                on_route
            )

        # Captures and deaths by place: captures count those caught by North Korean guards
        # and every arrest in China except deportations from transit countries (arrests in
        # hiding and on routes).
        assert model.captures_at_place.sum() == (
            model.flows["caught_at_border"][: i + 1].sum()
            + model.flows["arrests_china"][: i + 1].sum()
            - model.flows["deported_to_china"][: i + 1].sum()
        )
        assert model.deaths_at_place.sum() == model.flows["died_on_route"][: i + 1].sum()

        # Stocks recorded for the step are the counts in the table.
        recorded = {
            "hiding": counts[State.HIDING],
            "settled": counts[State.SETTLED],
            "travelling": counts[State.MOVING],
            "waiting_for_exit": counts[State.PROCESSING],
            "detained": counts[State.DETAINED],
            "home_to_retry": counts[State.HOME],
        }
        for name, value in recorded.items():
            assert model.stocks[name][i] == value, name

        # Money.
        paid_brokers = float(t.cols["paid_brokers_usd"][: t.n].astype(float).sum())
        paid_other = float(t.cols["paid_other_usd"][: t.n].astype(float).sum())
        assert paid_brokers - self.paid_brokers == pytest.approx(
            f["broker_fees_usd"], rel=MONEY_RTOL, abs=1e-2
        )
        assert paid_other - self.paid_other == pytest.approx(
            f["bribes_and_fares_usd"], rel=MONEY_RTOL, abs=1e-2
        )
        assert (t.cols["savings_usd"][: t.n] >= 0).all()
        fallback = p.fallback_destination
        remittances = (
            self.arrivals_at_place[fallback]
            * p.chain.remittance_usd_per_year
            * model.clock.dt_years
            if fallback >= 0
            else 0.0
        )
        settlement = float((step_arrivals * p.settlement_money_usd).sum())
        settlement += model.settlement_paid_usd  # quarterly payments and housing money
        expected_fund = (
            self.fund
            + remittances
            - f["family_spending_usd"]
            + settlement * p.chain.share_of_settlement_sent
        )
        assert model.family_fund_usd == pytest.approx(expected_fund, rel=1e-9, abs=1e-6)
        assert model.stocks["family_fund_usd"][i] == model.family_fund_usd
        assert f["family_spending_usd"] >= 0 and model.family_fund_usd >= -1e-6

        # Brokers.
        serials = set(model.broker_serial.tolist())
        assert len(serials) == len(model.broker_serial)  # one entry per broker
        assert [b.serial for b in model.brokers] == sorted(serials)
        assert model.stocks["brokers"][i] == len(serials)
        if i > 0:
            assert len(serials - self.broker_serials) == f["brokers_recruited"]
        assert len(self.broker_serials - serials) >= f["brokers_arrested"]
        assert (model.broker_used <= model.broker_capacity).all()

        # Remember the year-end state for the yearly table.
        self.year_end[int(model.clock.years[i])] = {
            "step": i,
            "created": t.n,
            "arrived": int(counts[State.ARRIVED]),
            "died": int(counts[State.DIED]),
        }

        self.counts = counts
        self.n = t.n
        self.route_starts = model.route_starts.copy()
        self.paid_brokers = paid_brokers
        self.paid_other = paid_other
        self.fund = model.family_fund_usd
        self.arrivals_at_place = model.arrivals_at_place.copy()
        self.broker_serials = serials
        self.steps_checked += 1


def check_yearly_table(model: RouteModel, ledger: Ledger) -> None:
    """The yearly table sums the step flows and its cumulative flows meet the stocks."""
    result = model.result()
    yearly = result.yearly().set_index("year")
    years = model.clock.years
    assert list(yearly.index) == sorted(ledger.year_end)
    for name, series in model.flows.items():
        sums = [series[years == y].sum() for y in yearly.index]
        if name.endswith("_usd"):
            np.testing.assert_allclose(yearly[name], sums, rtol=1e-12)
        else:
            assert list(yearly[name]) == [round(s) for s in sums], name
    for name, series in model.stocks.items():
        last = [ledger.year_end[y]["step"] for y in yearly.index]
        expected = series[last] if name.endswith("_usd") else series[last].round()
        np.testing.assert_array_equal(yearly[name], expected, err_msg=name)
    dest_cols = [f"arrivals_{d}" for d in result.destination_ids]
    assert (yearly[dest_cols].sum(axis=1) == yearly["arrivals"]).all()
    cumulative = yearly[["departures", "arrivals", "died"]].cumsum()
    for y in yearly.index:
        end = ledger.year_end[y]
        assert cumulative.loc[y, "departures"] == end["created"]
        assert cumulative.loc[y, "arrivals"] == end["arrived"]
        assert cumulative.loc[y, "died"] == end["died"]
    summary = result.summary()
    assert summary["migrants_created"] == summary["departures"] == model.table.n
    assert summary["arrivals"] == sum(summary[c] for c in dest_cols)
    assert summary["in_china_end"] == model.stocks["in_china"][-1]
    if model.stocks["in_china"][-1]:
        assert summary["share_in_china_two_years_end"] == pytest.approx(
            model.stocks["in_china_two_years"][-1] / model.stocks["in_china"][-1], abs=1e-15
        )
    else:  # nobody in China at the end: no share to take
        assert np.isnan(summary["share_in_china_two_years_end"])


def test_yearly_table_has_a_column_for_every_flow_and_every_stock() -> None:
    # yearly() puts flows and stocks in one table: a name used for both loses one of them.
    result = simulate(tiny_scenario({"time.end": "1990-12"}), seed=1)
    columns = list(result.yearly().columns)
    assert len(columns) == len(set(columns))
    shared = sorted(set(FLOW_NAMES) & set(STOCK_NAMES))
    assert shared == [], f"flows and stocks share names {shared}: yearly() keeps only the stock"
    # ... then 2 by sex, 1 per place of a last leg (the tiny map: thai) and 4 of months in China
    per_arrival = 2 + 1 + 4
    assert len(columns) == (
        1 + len(FLOW_NAMES) + len(STOCK_NAMES) + len(result.destination_ids) + per_arrival
    )


def run_and_check(scenario: Any, seed: int) -> tuple[RouteModel, Ledger]:
    ledger = Ledger()
    model = step_through(scenario, seed, ledger)
    assert ledger.steps_checked == model.clock.n_steps
    check_yearly_table(model, ledger)
    return model, ledger


@pytest.mark.slow  # the whole baseline; tiny scenarios cover each process in the fast loop
def test_baseline_conserves_migrants_at_every_step() -> None:
    model, _ = run_and_check(baseline(), seed=1)
    counts = model.table.counts_by_state()
    # Every state is visited, so no identity above holds vacuously.
    assert (counts > 0).all(), dict(zip([s.name for s in State], counts.tolist(), strict=True))
    # Some in China have been there two years, some not: that identity is not vacuous either.
    assert 0 < model.stocks["in_china_two_years"][-1] < model.stocks["in_china"][-1]


def test_every_process_at_once_conserves_migrants() -> None:
    # The tiny scenario with every process switched on, so that the paths the baseline may
    # not take (deportation from a transit country, release in China, broker recruitment,
    # trafficking, sponsorship of relatives in China) are all taken. Sponsorship makes the
    # numbers grow fast: four years take a second, five take five.
    def edit(data: dict[str, Any]) -> None:
        hub = next(p for p in data["places"] if p["id"] == "hub")
        hub.update(initial_brokers=10, serves=["hide_thai"])
        thai = next(r for r in data["routes"] if r["id"] == "hide_thai")
        thai.update(broker_fee_usd=20.0, capture_probability=0.2, death_probability=0.02)

    scenario = tiny_scenario(
        {
            "time.end": "1993-12",
            "routes.home_river.capture_probability": 0.2,
            "routes.home_river.death_probability": 0.01,
            "routes.river_hide.capture_probability": 0.1,
            "places.thai.arrest_rate_per_year": 2.0,
            "places.thai.deport_probability": 0.5,
            "places.sk.settlement_money_usd": 5000.0,
            "chain_defection.share_of_settlement_sent": 0.5,
            "chain_defection.remittance_usd_per_year": 100.0,
            "chain_defection.share_for_relatives_in_china": 0.5,
            "brokers.recruits_per_assisted_arrival": 0.2,
            "brokers.quit_rate_per_year": 0.5,
            "brokers.arrest_rate_per_year": 0.5,
            "enforcement.china.arrest_rate_per_year": 1.0,
            "enforcement.china.repatriation_probability": 0.5,
            "enforcement.china.exit_attempt_rate_per_year": 2.0,
            "enforcement.china.savings_usd_per_month": 5.0,
            "enforcement.china.settle_rate_per_year": 0.2,
            "enforcement.china.trafficking_rate_per_year": 0.2,
            "enforcement.north_korea.retry_probability": 0.5,
            "enforcement.north_korea.camp_death_rate_per_year": 0.3,
        },
        edit=edit,
    )
    model, _ = run_and_check(scenario, seed=5)
    counts = model.table.counts_by_state()
    assert (counts > 0).all(), dict(zip([s.name for s in State], counts.tolist(), strict=True))
    for flow in (
        "deported_to_china",
        "released_in_china",
        "brokers_recruited",
        "brokers_arrested",
        "trafficked",
        "sponsored_in_china",
        "sponsored_departures",
        "died_in_detention",
        "retries",
    ):
        assert model.flows[flow].sum() > 0, flow


@pytest.mark.slow
def test_weekly_steps_and_releases_in_china_conserve_migrants() -> None:
    scenario = baseline_until(
        "1996-12", {"time.step": "week", "enforcement.china.repatriation_probability": 0.5}
    )
    model, _ = run_and_check(scenario, seed=2)
    assert model.flows["released_in_china"].sum() > 0
    assert model.flows["repatriated"].sum() > 0


def test_capture_by_north_korea_on_a_route_out_of_china_ends_the_stay_in_china() -> None:
    # A route leaving China whose migrants North Korean agents catch (captured_by =
    # "north_korea"): the caught are detained in North Korea, so they are no longer in China.
    scenario = tiny_scenario(
        {
            "routes.hide_thai.captured_by": "north_korea",
            "routes.hide_thai.capture_probability": 0.3,
            "time.end": "1992-12",
        }
    )
    model, _ = run_and_check(scenario, seed=4)
    assert model.flows["caught_at_border"].sum() > 0


def test_nobody_in_china_leaves_the_two_year_share_undefined() -> None:
    # No departures: nobody ever reaches China, so the share of those in China who have been
    # there two years has no denominator (NaN, not 0 or an error).
    model, _ = run_and_check(
        tiny_scenario({"departures.base_rate_per_year": 0.0, "time.end": "1991-12"}), seed=1
    )
    assert model.stocks["in_china"].max() == 0
    assert model.stocks["in_china_two_years"].max() == 0
    assert np.isnan(model.result().summary()["share_in_china_two_years_end"])
