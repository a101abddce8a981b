"""The app's levers show the scenario's own state and do what they say from any scenario.

Also: a lever outside its range is refused.
"""

from __future__ import annotations

import copy
import math
from pathlib import Path

import pytest

pytest.importorskip("solara", reason="the app extra is part of the test extra")

from nkroutes.app.levers import LEVERS, apply_levers, lever_defaults, model_params
from nkroutes.app.model import AppModel
from nkroutes.app.page import settings_lines
from nkroutes.scenario import load_scenario

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = sorted((ROOT / "scenarios").glob("*.toml"))
THAILAND_ROUTES = ("laos_thailand", "burma_thailand", "kunming_laos", "kunming_burma")
SETTLEMENT = "places.south_korea.settlement_money_usd"
#: 2004-2007 with few departures: the settlement cut of 2005 inside, in a few seconds.
SHORT = {"time.start": "2004-01", "time.end": "2007-12", "departures.base_rate_per_year": 200.0}
SWITCHES = [lever.name for lever in LEVERS if lever.kind == "Checkbox"]

#: What each shipped scenario does that a switch shows (the rest are as in the baseline).
STATES = {
    "thailand-closes": {"thailand_open": False},
    "settlement-money-kept": {"settlement_money_kept": True},
    "porous-border": {"border_stays_porous": True},
}
BASELINE_STATE = {
    "thailand_open": True,
    "settlement_money_kept": False,
    "border_stays_porous": False,
    "proactive_asylum": False,
}


def _opens(values):
    return {r["id"]: r["open"] for r in values["routes"] if r["id"] in THAILAND_ROUTES}


def _money_over_the_run(values):
    """The settlement money (US$) after each month of the run, read from the model itself."""
    model = AppModel(values, seed=0)
    money = []
    for _ in range(model.clock.n_steps):
        model.step()
        place = next(p for p in model.values["places"] if p["id"] == "south_korea")
        money.append(place["settlement_money_usd"])
    return money


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_each_shipped_scenario_shows_its_own_state(path):
    values = load_scenario(path).to_dict()
    expected = {**BASELINE_STATE, **STATES.get(path.stem, {})}
    shown = lever_defaults(values)
    assert {name: shown[name] for name in SWITCHES} == expected
    assert apply_levers(values, **shown) == values  # the defaults leave it as loaded
    routes = _opens(values)
    assert set(routes.values()) == {expected["thailand_open"]}
    lines = settings_lines(AppModel(values))
    for lever in LEVERS:
        if lever.kind == "Checkbox":
            want = "yes" if expected[lever.name] else "no"
            assert f"{lever.label}: {want}" in lines, lever.name


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_each_offered_switch_turns_its_state_the_other_way(path):
    values = load_scenario(path).to_dict()
    params = model_params(values)
    shown = lever_defaults(values)
    for name in ("thailand_open", "settlement_money_kept", "border_stays_porous"):
        if params[name] is None:  # not offered: the scenario gives no way to turn it
            with pytest.raises(ValueError, match=f"^{name}: found false, expected true"):
                apply_levers(values, **{name: not shown[name]})
            continue
        turned = apply_levers(values, **{name: not shown[name]})
        assert lever_defaults(turned)[name] is (not shown[name]), name
        assert params[name]["value"] is shown[name]


def test_thailand_reopens_on_thailand_closes():
    values = load_scenario(ROOT / "scenarios" / "thailand-closes.toml").to_dict()
    assert set(_opens(values).values()) == {False}
    reopened = apply_levers(values, thailand_open=True)
    assert _opens(reopened) == dict.fromkeys(THAILAND_ROUTES, True)
    assert _opens(apply_levers(reopened, thailand_open=False)) == _opens(values)
    short = load_scenario(
        ROOT / "scenarios" / "thailand-closes.toml",
        {"time.end": "1999-12", "departures.base_rate_per_year": 2000.0},
    )
    closed = AppModel(short, seed=1).run()
    opened = AppModel(short, seed=1, thailand_open=True).run()
    ids = [r["id"] for r in values["routes"]]
    into = [ids.index("laos_thailand"), ids.index("burma_thailand")]
    assert closed.route_flows[into].sum() == 0
    assert opened.route_flows[into].sum() > 0


def test_thailand_switch_overrides_events_that_open_or_close_it():
    values = load_scenario(ROOT / "scenarios" / "baseline.toml").to_dict()
    closes = {"routes.laos_thailand.open": False, "routes.burma_thailand.open": False}
    values["events"].append({"id": "thai_door", "date": "2003-01", "end": "", "set": closes})
    assert lever_defaults(values)["thailand_open"] is None  # open, then closed
    assert model_params(values)["thailand_open"] is None  # no switch position leaves it so
    assert "Thailand open: changes during the run, as in the scenario" in settings_lines(
        AppModel(values)
    )
    for is_open in (True, False):
        out = apply_levers(values, thailand_open=is_open)
        assert _opens(out) == dict.fromkeys(THAILAND_ROUTES, is_open)
        thai_door = next(e for e in out["events"] if e["id"] == "thai_door")
        assert thai_door["set"] == {}
        assert lever_defaults(out)["thailand_open"] is is_open
    ends = copy.deepcopy(values)
    ends["events"][-1]["end"] = "2003-06"  # closed for six months only
    assert lever_defaults(ends)["thailand_open"] is None
    ends["events"][-1]["date"] = ends["events"][-1]["end"] = "2100-01"
    assert lever_defaults(ends)["thailand_open"] is True  # never in the run's timeline: open


def test_settlement_switch_follows_the_model_and_keeps_what_it_says():
    base = load_scenario(ROOT / "scenarios" / "baseline.toml", SHORT)
    values = base.to_dict()
    assert set(_money_over_the_run(values)) == {32000.0, 9000.0}
    assert lever_defaults(values)["settlement_money_kept"] is False
    kept = apply_levers(values, settlement_money_kept=True)
    assert set(_money_over_the_run(kept)) == {32000.0}
    assert lever_defaults(kept)["settlement_money_kept"] is True
    shipped = load_scenario(ROOT / "scenarios" / "settlement-money-kept.toml", SHORT).to_dict()
    assert set(_money_over_the_run(shipped)) == {32000.0}
    with pytest.raises(ValueError, match="no cut to restore"):
        AppModel(shipped, settlement_money_kept=False)
    # An event that cuts the money only for a while still changes it.
    brief = copy.deepcopy(kept)
    brief["events"].append(
        {"id": "brief_cut", "date": "2006-01", "end": "2006-12", "set": {SETTLEMENT: 5000.0}}
    )
    assert set(_money_over_the_run(brief)) == {32000.0, 5000.0}
    assert lever_defaults(brief)["settlement_money_kept"] is False
    assert set(_money_over_the_run(apply_levers(brief, settlement_money_kept=True))) == {32000.0}


@pytest.mark.parametrize(
    ("lever", "value", "expected"),
    [
        ("repatriation_probability", 5.0, "a number from 0 to 1"),
        ("repatriation_probability", -1, "a number from 0 to 1"),
        ("repatriation_probability", math.nan, "a number from 0 to 1"),
        ("repatriation_probability", "0.5", "a number from 0 to 1"),
        ("repatriation_probability", True, "a number from 0 to 1"),
        ("broker_fee_factor", -2.0, "a number from 0.25 to 3"),
        ("broker_fee_factor", math.nan, "a number from 0.25 to 3"),
        ("broker_fee_factor", math.inf, "a number from 0.25 to 3"),
        ("broker_fee_factor", 3.5, "a number from 0.25 to 3"),
        ("thailand_open", 1, "true or false"),
        ("proactive_asylum", "yes", "true or false"),
    ],
)
def test_a_lever_outside_its_range_is_refused(lever, value, expected):
    values = load_scenario(ROOT / "scenarios" / "baseline.toml").to_dict()
    message = f"{lever}: found {value!r}, expected {expected}"
    with pytest.raises(ValueError) as raised:
        apply_levers(values, **{lever: value})
    assert str(raised.value) == message
    with pytest.raises(ValueError, match=f"^{lever}: found"):
        AppModel(values, **{lever: value})


def test_a_lever_at_the_ends_of_its_range_is_taken():
    values = load_scenario(ROOT / "scenarios" / "baseline.toml").to_dict()
    for lever in LEVERS:
        if lever.kind != "Checkbox":
            for value in (lever.minimum, lever.maximum):
                apply_levers(values, **{lever.name: value})
