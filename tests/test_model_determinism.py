"""Determinism: the same scenario and seed give identical outputs; another seed gives others."""

from __future__ import annotations

import gc
import hashlib
import os
import subprocess
import sys
import weakref
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from nkroutes.ensemble.results import TABLE_FILES, run_tables
from nkroutes.model import RouteModel, RunResult, simulate
from scenario_builder import baseline, baseline_run, baseline_until

HERE = Path(__file__).resolve().parent


def all_tables(result: RunResult, places: Any) -> dict[str, pd.DataFrame]:
    """Every table a run produces: the ensemble tables, yearly and per-migrant records."""
    tables = run_tables(0, result, list(places))
    tables["migrants"] = result.migrant_records()
    return tables


def assert_identical(a: RunResult, b: RunResult, places: Any) -> None:
    ta, tb = all_tables(a, places), all_tables(b, places)
    assert set(ta) == set(TABLE_FILES) | {"migrants"}
    for name in ta:
        pd.testing.assert_frame_equal(ta[name], tb[name], check_exact=True, obj=name)
    for name in a.flows:
        assert np.array_equal(a.flows[name], b.flows[name]), name
    for name in a.stocks:
        assert np.array_equal(a.stocks[name], b.stocks[name]), name
    for name in a.migrants:
        assert a.migrants[name].tobytes() == b.migrants[name].tobytes(), name
    assert np.array_equal(a.arrivals_by_destination, b.arrivals_by_destination)
    assert np.array_equal(a.route_flows, b.route_flows)
    assert np.array_equal(a.place_captures, b.place_captures)
    assert np.array_equal(a.place_deaths, b.place_deaths)


@pytest.mark.slow  # a second whole baseline run; the fast loop has stepping_by_hand below
def test_same_scenario_and_seed_give_identical_outputs() -> None:
    scenario = baseline()
    assert_identical(baseline_run(1), simulate(scenario, seed=1), scenario.data["places"])


def test_stepping_by_hand_gives_what_simulate_gives() -> None:
    scenario = baseline_until("1996-12")
    model = RouteModel(scenario, seed=5)
    while model.running:
        model.step()
    assert_identical(model.result(), simulate(scenario, seed=5), scenario.data["places"])


def test_another_seed_gives_other_outputs() -> None:
    scenario = baseline_until("1996-12")  # some 100,000 migrants: enough, and fast
    one, two = simulate(scenario, seed=1), simulate(scenario, seed=2)
    yearly_one, yearly_two = one.yearly(), two.yearly()
    for column in ("departures", "arrivals", "repatriated", "in_china"):
        assert not yearly_one[column].equals(yearly_two[column]), column
    # Keys name migrants by creation step, origin and rank there, so both runs share many
    # migrants; the same migrant draws other numbers (here the savings it leaves with).
    common, i, j = np.intersect1d(
        one.migrants["key"], two.migrants["key"], assume_unique=True, return_indices=True
    )
    assert len(common) > 1000
    assert (one.migrants["savings_usd"][i] != two.migrants["savings_usd"][j]).mean() > 0.9


def digest(result: RunResult, places: Any) -> str:
    h = hashlib.sha256()
    for name, table in sorted(all_tables(result, places).items()):
        h.update(name.encode())
        h.update(table.to_csv(index=False).encode())
    return h.hexdigest()


@pytest.mark.slow  # a second interpreter
def test_same_seed_gives_the_same_bits_in_a_fresh_process() -> None:
    # Another interpreter with another string-hash seed: nothing may depend on set or dict
    # order of strings, on the process, or on state left by earlier runs.
    scenario = baseline_until("1994-12")
    expected = digest(simulate(scenario, seed=7), scenario.data["places"])
    code = (
        "import sys; sys.path.insert(0, sys.argv[1]);"
        "from scenario_builder import baseline_until;"
        "from test_model_determinism import digest;"
        "from nkroutes.model import simulate;"
        "s = baseline_until('1994-12');"
        "print(digest(simulate(s, seed=7), s.data['places']))"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    out = subprocess.run(
        [sys.executable, "-c", code, str(HERE)],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    assert out.stdout.strip() == expected


def test_a_finished_model_is_freed_and_the_next_numbers_its_agents_afresh() -> None:
    """Nothing outside a model keeps it alive once its run is done (mesa issue #3179).

    Mesa 3.3's class-level ``Agent._ids`` held every model built in the process, so a
    calibration worker grew by its migrant tables set after set. Agent ids still count
    from 1 per model, as Mesa numbers them; the places are the model's only Mesa agents
    (brokers are columns).
    """
    scenario = baseline_until("1992-12")
    first = RouteModel(scenario, seed=1)
    first.run()
    freed = weakref.ref(first)
    place_ids = [p.unique_id for p in first.places]
    assert len(first.agents) == len(first.places)
    del first
    gc.collect()
    assert freed() is None

    second = RouteModel(scenario, seed=1)
    second.run()
    assert [p.unique_id for p in second.places] == place_ids == list(range(1, len(place_ids) + 1))
