"""The test scenarios of scenario_builder are valid, and small enough to simulate in tests."""

from __future__ import annotations

import tomllib

import pytest

from nkroutes.model import simulate
from nkroutes.scenario import load_scenario, scenario_from_dict
from scenario_builder import (
    CALIBRATION,
    SMALL,
    TINY,
    calibration_dict,
    ensemble_dict,
    small_dict,
    tiny_dict,
    tiny_scenario,
    write_tiny,
)


@pytest.mark.parametrize(
    ("build", "text"),
    [
        (small_dict, SMALL),
        (ensemble_dict, TINY),
        (calibration_dict, CALIBRATION),
        (tiny_dict, None),
    ],
)
def test_each_scenario_is_valid_fresh_and_its_text_says_the_same(build, text):
    scenario_from_dict(build())
    data = build()
    data["places"].clear()
    assert build()["places"], "each call builds a fresh copy"
    if text is not None:
        assert tomllib.loads(text) == build()


@pytest.mark.parametrize(
    ("build", "most"), [(small_dict, 40_000), (ensemble_dict, 10_000), (calibration_dict, 5_000)]
)
def test_each_scenario_simulates_without_running_away(build, most):
    yearly = simulate(scenario_from_dict(build()), seed=1).yearly()
    assert 0 < yearly["departures"].sum() < most


def test_write_tiny_writes_a_scenario_and_a_what_if_of_it(tmp_path):
    base, whatif = write_tiny(tmp_path / "s")
    assert load_scenario(base).name == "tiny"
    assert load_scenario(whatif).get("enforcement.china.repatriation_probability") == 0.0


def test_tiny_scenario_takes_overrides_and_edits():
    scenario = tiny_scenario({"time.end": "1990-12"}, edit=lambda d: d["meta"].update(name="x"))
    assert (scenario.name, scenario.get("time.end")) == ("x", "1990-12")
