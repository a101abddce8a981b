"""Random damage to the baseline gives a Scenario or a ScenarioError, never another exception."""

from __future__ import annotations

import copy
import datetime as dt
import math
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nkroutes.scenario import Scenario, ScenarioError, scenario_from_dict
from scenario_builder import baseline_dict

BASELINE = baseline_dict()

ODD_VALUES = st.sampled_from(
    [
        None,
        True,
        False,
        0,
        -1,
        1.5,
        -0.5,
        2**70,
        math.inf,
        math.nan,
        "",
        "x",
        "1990-13",
        "2000-01",
        "north_hamgyong",
        "nh_tumen",
        "transit",
        "destination",
        [],
        [1, "a"],
        ["nh_tumen"],
        {},
        {"id": "x"},
        [{"id": "x"}],
        dt.date(2000, 1, 1),
        object(),
    ]
)


def _containers(data: Any, depth: int = 0):
    """Every (container, key-or-index) pair in the data, with its depth."""
    if isinstance(data, dict):
        for key, value in data.items():
            yield data, key, depth
            yield from _containers(value, depth + 1)
    elif isinstance(data, list):
        for i, value in enumerate(data):
            yield data, i, depth
            yield from _containers(value, depth + 1)


def _misspell(word: str, draw) -> str:
    if not word:
        return "x"
    i = draw(st.integers(0, len(word) - 1))
    kind = draw(st.sampled_from(["drop", "double", "swap", "upper"]))
    if kind == "drop":
        return word[:i] + word[i + 1 :] or "y"
    if kind == "double":
        return word[:i] + word[i] + word[i:]
    if kind == "swap" and i + 1 < len(word):
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    return word.upper()


@st.composite
def damaged_baselines(draw):
    data = copy.deepcopy(BASELINE)
    for _ in range(draw(st.integers(1, 4))):
        spots = list(_containers(data))
        container, key, _depth = draw(st.sampled_from(spots))
        action = draw(st.sampled_from(["drop", "replace", "misspell", "add", "scale", "copy"]))
        if action == "drop":
            del container[key]
        elif action == "replace":
            container[key] = copy.deepcopy(draw(ODD_VALUES))
        elif action == "misspell" and isinstance(key, str):
            container[_misspell(key, draw)] = container.pop(key)
        elif action == "add" and isinstance(container, dict):
            container[draw(st.sampled_from(["extra", "kind", "fallback", "serves", "open"]))] = (
                copy.deepcopy(draw(ODD_VALUES))
            )
        elif action == "scale" and isinstance(container[key], int | float):
            container[key] = container[key] * draw(st.sampled_from([-1, 0, 10, 1e6]))
        elif action == "copy" and isinstance(container, list):
            container.append(copy.deepcopy(container[key]))
    return data


@pytest.mark.slow  # 200 generated scenarios
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(damaged_baselines())
def test_damaged_scenarios_give_a_scenario_or_a_scenario_error(data):
    try:
        scenario = scenario_from_dict(data, source="fuzz.toml")
    except ScenarioError as error:
        assert error.problems
        for problem in error.problems:
            assert problem.file in ("fuzz.toml",)
            assert problem.found and problem.expected
        assert str(error).count("\n") == len(error.problems) - 1
    else:
        assert isinstance(scenario, Scenario)
        again = scenario_from_dict(scenario.to_dict())
        assert again.hash == scenario.hash


@settings(max_examples=50, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from(
            [
                "time.end",
                "routes.nh_tumen.cost_usd",
                "places.vietnam.kind",
                "places.vietnam.unhcr_access",
                "events.olympics_crackdown.date",
                "push_factors.famine.end",
                "calibration.free.famine.min",
                "meta",
                "x.y",
                "places",
                "places.vietnam",
            ]
        ),
        ODD_VALUES,
        max_size=3,
    )
)
def test_random_overrides_give_a_scenario_or_a_scenario_error(overrides):
    try:
        scenario_from_dict(BASELINE, overrides=overrides)
    except ScenarioError as error:
        assert error.problems
