"""Generated scenarios that validate also run: briefly, or refused by the size estimate.

The property test of ``test_fuzz.py`` checks that damage gives a clean error. Here values are
stretched within their bounds (rates, intensities, brokers, sensitivities, money, the step
length), so most scenarios validate; each one that does either is refused by the size
estimate (``nkroutes.scenario.size``) or runs one replicate of one year within a time limit.
"""

from __future__ import annotations

import copy
import signal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nkroutes.model import simulate
from nkroutes.scenario import ScenarioError, scenario_from_dict
from nkroutes.scenario.size import estimate_size, size_problem
from scenario_builder import baseline_dict

BASELINE = baseline_dict()

#: Seconds one generated replicate of one year may take (the baseline's takes well under 1).
TIME_LIMIT_S = 60


def _numbers(data: Any, path: tuple = ()):
    """Every numeric leaf: (container, key, path)."""
    items = data.items() if isinstance(data, dict) else enumerate(data)
    for key, value in items:
        if isinstance(value, dict | list):
            yield from _numbers(value, (*path, key))
        elif isinstance(value, int | float) and not isinstance(value, bool):
            yield data, key, (*path, key)


NUMBERS = list(_numbers(BASELINE))


@st.composite
def stretched_scenarios(draw) -> dict[str, Any]:
    data = copy.deepcopy(BASELINE)
    spots = {path: (container, key) for container, key, path in _numbers(data)}
    for _ in range(draw(st.integers(1, 5))):
        path = draw(st.sampled_from(sorted(spots, key=str)))
        container, key = spots[path]
        factor = draw(st.sampled_from([0, 0.5, 2, 10, 100, 1000, 1e5, 1e300]))
        container[key] = container[key] * factor
    year = draw(st.integers(1990, 2008))
    data["time"]["start"] = f"{year}-01"
    data["time"]["end"] = f"{year}-12"
    data["time"]["step"] = draw(st.sampled_from(["month", "month", "week", "day"]))
    return data


class _TooSlowError(Exception):
    pass


def _alarm(signum, frame):
    raise _TooSlowError


@pytest.mark.slow  # 15 generated scenarios, each validated and run for a year
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(stretched_scenarios())
def test_scenarios_that_validate_run_within_the_limit_or_are_refused_by_size(data):
    try:
        scenario = scenario_from_dict(data, source="fuzz.toml")
    except ScenarioError:
        return
    if size_problem(estimate_size(scenario.data)) is not None:
        return
    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(TIME_LIMIT_S)
    try:
        result = simulate(scenario, seed=1)
    except _TooSlowError:
        pytest.fail(f"one year took more than {TIME_LIMIT_S} s and the size estimate let it run")
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    assert result is not None
