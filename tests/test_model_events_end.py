"""Events with an end put back what they changed; settlement payments after arrival (issue 17)."""

from __future__ import annotations

import pytest

from nkroutes.model import RouteModel, simulate
from nkroutes.scenario import ScenarioError
from scenario_builder import baseline_dict, get_event, scenario_from_dict, tiny_scenario


def _with_event(event):
    return tiny_scenario(edit=lambda d: d.setdefault("events", []).append(event))


def test_an_event_with_an_end_puts_the_old_value_back_the_month_after():
    event = {
        "id": "crackdown",
        "date": "1991-03",
        "end": "1991-05",
        "set": {"enforcement.china.arrest_rate_per_year": 2.0},
    }
    model = RouteModel(_with_event(event), seed=1)
    rates = []
    while model.running:
        model.step()
        rates.append(model.params.china.arrest_rate_per_year)
    start = model.clock.step_of("1991-03")
    assert rates[start - 1] == 0.0
    assert rates[start : start + 3] == [2.0, 2.0, 2.0]
    assert rates[start + 3] == 0.0
    assert set(rates[start + 3 :]) == {0.0}


def test_params_recompiled_at_an_event_reuse_the_record_classes():
    """Each dated event recompiles the params; the typed records' classes are built once."""
    event = {
        "id": "crackdown",
        "date": "1991-03",
        "set": {"enforcement.china.arrest_rate_per_year": 2.0},
    }
    model = RouteModel(_with_event(event), seed=1)
    china_class = type(model.params.china)
    while model.running:
        model.step()
    assert model.params.china.arrest_rate_per_year == 2.0
    assert type(model.params.china) is china_class


def test_the_crackdown_alone_arrests_only_while_it_lasts():
    event = {
        "id": "crackdown",
        "date": "1991-01",
        "end": "1991-12",
        "set": {"enforcement.china.arrest_rate_per_year": 4.0},
    }
    yearly = simulate(_with_event(event), seed=1).yearly().set_index("year")
    assert yearly.loc[1991, "arrests_china"] > 0
    assert yearly.loc[1990, "arrests_china"] == 0
    assert yearly.loc[1993:, "arrests_china"].sum() == 0


def test_an_end_before_the_date_is_refused():
    event = {"id": "x", "date": "1991-03", "end": "1991-01", "set": {}}
    with pytest.raises(ScenarioError, match="on or after its date"):
        _with_event(event)


@pytest.mark.slow
def test_the_baseline_has_no_event_in_force_past_the_articles_dates():
    data = baseline_dict()
    olympics = get_event(data, "olympics_crackdown")
    assert olympics["end"] == "2008-08"
    data["time"]["end"] = "2011-12"
    model = RouteModel(scenario_from_dict(data, source="<long>"), seed=3)
    before = model.params.china.arrest_rate_per_year
    while model.running:
        model.step()
    assert all(e["date"] <= "2008-12" for e in data["events"])
    assert model.params.china.arrest_rate_per_year < 0.25
    assert model.values["enforcement"]["china"]["arrest_rate_per_year"] == before


def _paid(quarterly: float, housing: float) -> float:
    """Money the families received over the run with these payments (tiny scenario)."""
    overrides = {
        "places.sk.settlement_money_usd": 1000.0,
        "places.sk.settlement_quarterly_usd": quarterly,
        "places.sk.housing_money_usd": housing,
        "chain_defection.share_of_settlement_sent": 1.0,
        "chain_defection.spend_rate_per_year": 1e-9,
    }
    model = RouteModel(tiny_scenario(overrides), seed=4)
    model.run()
    return model.family_fund_usd, int(model.arrivals_at_place.sum())


def test_quarterly_payments_and_housing_money_fund_relatives_alone():
    lump, arrivals = _paid(0.0, 0.0)
    assert lump == pytest.approx(1000.0 * arrivals, rel=1e-6)
    housing, _ = _paid(0.0, 500.0)
    # housing money is paid the step after arrival: all but the last step's arrivals
    assert lump < housing <= lump + 500.0 * arrivals
    quarterly, _ = _paid(300.0, 0.0)
    # at most eight quarters each, and those who arrived early got all eight
    assert lump < quarterly <= lump + 8 * 300.0 * arrivals + 1e-6
    assert quarterly > lump + 0.5 * 8 * 300.0 * arrivals
