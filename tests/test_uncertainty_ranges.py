"""``[[uncertainty]]``: ranges are checked like every key, inherited and overridden by id."""

from __future__ import annotations

import pytest

from nkroutes.scenario import ScenarioError, load_scenario
from scenario_builder import BASELINE

RATE = "enforcement.china.arrest_rate_per_year"  # 0.15 in the small scenario


def _ranged(small, **item):
    small["uncertainty"] = [
        {"id": "arrest", "path": RATE, "low": 0.1, "high": 0.3, "reason": "r"} | item
    ]
    return small


def _problems(path) -> str:
    with pytest.raises(ScenarioError) as error:
        load_scenario(path)
    return str(error.value)


def test_a_range_loads_with_its_defaults(write, small):
    scenario = load_scenario(write(_ranged(small)))
    (item,) = scenario.data["uncertainty"]
    assert (item["path"], item["low"], item["high"], item["scale"]) == (RATE, 0.1, 0.3, "linear")


@pytest.mark.parametrize(
    ("item", "where", "expected"),
    [
        ({"low": 0.3, "high": 0.1}, "uncertainty.arrest.low", "a number below high"),
        ({"low": 0.0, "scale": "log"}, "uncertainty.arrest.low", "a number > 0 (a log scale)"),
        ({"path": "brokers.nope"}, "uncertainty.arrest.path", "a key of [brokers]"),
        ({"path": "meta.name"}, "uncertainty.arrest.path", "a path outside"),
        (
            {"high": 2.0, "path": "enforcement.china.repatriation_probability", "low": 0.5},
            "uncertainty.arrest.high",
            "a number <= 1",
        ),
        ({"scale": "cubic"}, "uncertainty.arrest.scale", "one of"),
    ],
)
def test_a_bad_range_names_file_key_path_and_expectation(write, small, item, where, expected):
    path = write(_ranged(small, **item))
    text = _problems(path)
    assert f"{path.name}: {where}: found" in text or f"{path}: {where}: found" in text
    assert expected in text


def test_a_what_if_inherits_extends_and_may_move_the_value_outside(write, small):
    write(_ranged(small), "base.toml")
    child = write(
        'extends = "base.toml"\n[meta]\nname = "child"\n'
        "[enforcement.china]\narrest_rate_per_year = 0.9\n"
        '[[uncertainty]]\nid = "camp"\npath = "enforcement.north_korea.camp_death_rate_per_year"\n'
        'low = 0.01\nhigh = 0.5\nreason = "r"\n',
        "child.toml",
    )
    scenario = load_scenario(child)
    assert [u["id"] for u in scenario.data["uncertainty"]] == ["arrest", "camp"]
    assert scenario.get(RATE) == 0.9  # the what-if's lever, outside the inherited range


def test_the_shipped_baseline_ranges_every_calibrated_value():
    scenario = load_scenario(BASELINE)
    ranged = {u["path"] for u in scenario.data["uncertainty"]}
    free = {f["path"] for f in scenario.data["calibration"]["free"]}
    assert free <= ranged
    for u in scenario.data["uncertainty"]:
        assert u["low"] <= scenario.get(u["path"]) <= u["high"], u["id"]
    assert all(len(u["reason"]) > 20 for u in scenario.data["uncertainty"])
