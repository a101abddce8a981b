"""The Python API refuses arguments of the wrong kind with errors that name them.

``compare``'s numeric options (``resamples``, ``draws``, ``replicates``, ``seed``) are
checked before anything runs or is deleted; ``sensitivity`` takes a single string or path
as one item of a list-like argument, as ``compare`` does; ``load_scenario``,
``Scenario.with_overrides`` and ``Scenario.get`` say what they expected instead of passing
a wrong type on to pathlib or a dict method.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pytest

import nkroutes
from nkroutes.analysis.compare_options import MIN_RESAMPLES, check_resamples
from nkroutes.ensemble import EnsembleSetupError
from nkroutes.scenario.paths import get_path
from nkroutes.sensitivity import SensitivityError
from scenario_builder import write_tiny

RESAMPLES_EXPECTED = (
    "expected a whole number of bootstrap resamples from 40 (a 95% interval's 2.5% tails "
    "need one each) to 1,000,000"
)


@pytest.fixture(scope="module")
def tiny_files(tmp_path_factory):
    return write_tiny(tmp_path_factory.mktemp("scenarios"))


@pytest.fixture
def earlier(tmp_path):
    """A folder holding an earlier comparison's report (what ``force`` would delete)."""
    out = tmp_path / "cmp"
    out.mkdir()
    (out / "comparison.md").write_text("earlier", encoding="utf-8")
    return out


# -- compare: resamples, replicates, seed, draws --------------------------------------------


@pytest.mark.parametrize(
    ("option", "message"),
    [
        ({"resamples": 0}, f"resamples: found 0, {RESAMPLES_EXPECTED}"),
        ({"resamples": -5}, f"resamples: found -5, {RESAMPLES_EXPECTED}"),
        ({"resamples": 1.5}, f"resamples: found 1.5, {RESAMPLES_EXPECTED}"),
        ({"resamples": "10"}, f"resamples: found '10', {RESAMPLES_EXPECTED}"),
        ({"resamples": True}, f"resamples: found True, {RESAMPLES_EXPECTED}"),
        ({"resamples": 39}, f"resamples: found 39, {RESAMPLES_EXPECTED}"),
        ({"resamples": 10**7}, f"resamples: found 10000000, {RESAMPLES_EXPECTED}"),
        (
            {"replicates": 0},
            "replicates: found 0, expected a whole number from 1 to 1,000,000",
        ),
        (
            {"replicates": 2.0},
            "replicates: found 2.0, expected a whole number from 1 to 1,000,000",
        ),
        ({"seed": -1}, "seed: found -1, expected a whole number >= 0"),
        ({"seed": "7"}, "seed: found '7', expected a whole number >= 0"),
    ],
)
def test_compare_refuses_a_bad_number_before_running_or_deleting(
    tiny_files, earlier, option, message
):
    base, whatif = tiny_files
    arguments: dict[str, Any] = {"replicates": 2, "workers": 1} | option
    with pytest.raises(EnsembleSetupError) as error:
        nkroutes.compare(base, [whatif], out=earlier, force=True, **arguments)
    assert str(error.value) == message
    # force deleted nothing: the options are checked before the folder
    assert sorted(p.name for p in earlier.iterdir()) == ["comparison.md"]


def test_resamples_from_the_least_a_95_percent_interval_needs():
    assert check_resamples(MIN_RESAMPLES) == MIN_RESAMPLES == 40
    assert check_resamples(np.int64(2000)) == 2000
    assert type(check_resamples(np.int64(2000))) is int


@pytest.mark.parametrize("draws", [2.5, "2", True, 1, 0, -3])
def test_compare_draws_refuses_what_is_not_a_whole_number_of_points(tiny_files, tmp_path, draws):
    base, whatif = tiny_files
    out = tmp_path / "draws"
    with pytest.raises(SensitivityError) as error:
        nkroutes.compare(base, [whatif], replicates=2, workers=1, draws=draws, out=out)
    assert str(error.value) == (
        f"draws: found {draws!r}, expected a whole number of parameter points, at least 2"
    )
    assert not out.exists()


def test_compare_draws_refuses_bad_resamples_before_drawing_points(tiny_files, tmp_path):
    base, whatif = tiny_files
    out = tmp_path / "draws"
    with pytest.raises(EnsembleSetupError) as error:
        nkroutes.compare(base, whatif, replicates=2, workers=1, draws=2, resamples=0, out=out)
    assert str(error.value) == f"resamples: found 0, {RESAMPLES_EXPECTED}"
    assert not out.exists()


# -- sensitivity: a single string is one item ------------------------------------------------


@pytest.fixture
def ranged(write, small):
    """A scenario file with two ranges and a what-if of it, in tmp_path."""
    small["meta"]["name"] = "ranged"
    small["uncertainty"] = [
        {"id": "base", "path": "departures.base_rate_per_year", "low": 100.0, "high": 400.0,
         "scale": "linear", "reason": "test"},
        {"id": "famine", "path": "push_factors.famine.intensity", "low": 2.0, "high": 8.0,
         "scale": "log", "reason": "test"},
    ]  # fmt: skip
    base = write(small, "ranged.toml")
    whatif = write('extends = "ranged.toml"\n[meta]\nname = "ranged-whatif"\n', "whatif.toml")
    return base, whatif


def constant_model(task: Mapping[str, Any]) -> dict[str, Any]:
    """Each outcome is the departures' base rate, in every replicate (no model run)."""
    value = get_path(task["scenario"], "departures.base_rate_per_year")
    outcomes = {o: [value] * len(task["seeds"]) for o in task["outcomes"]}
    return {"index": task["index"], "outcomes": outcomes, "error": None}


def test_a_single_param_is_one_id_not_its_letters(ranged, tmp_path):
    base, _ = ranged
    out = tmp_path / "sens"
    with pytest.raises(SensitivityError) as error:
        nkroutes.sensitivity(base, method="ends", params="base", out=out, workers=1)
    assert str(error.value) == "--param: found 1 range to vary (base), expected at least 2"
    assert not out.exists()


@pytest.mark.parametrize("as_path", [True, False])
def test_a_single_outcome_and_what_if_are_one_item_each(ranged, tmp_path, as_path):
    base, whatif = ranged
    result = nkroutes.sensitivity(
        base,
        method="ends",
        params=("base", "famine"),
        outcomes="arrivals",
        what_ifs=whatif if as_path else str(whatif),
        out=tmp_path / "sens",
        workers=1,
        evaluate=constant_model,
    )
    assert result.plan.outcomes == ("arrivals",)
    assert [w.name for w in result.plan.what_ifs] == ["ranged-whatif"]
    assert sorted(result.indices["outcome"].unique()) == ["arrivals", "ranged-whatif: arrivals"]


@pytest.mark.parametrize(
    ("option", "message"),
    [
        ({"params": 5}, "params: found 5, expected a list of names (strings)"),
        (
            {"params": [5, "base"]},
            "params: found 5 among [5, 'base'], expected names (strings)",
        ),
        (
            {"outcomes": [None]},
            "outcomes: found None among [None], expected names (strings)",
        ),
        (
            {"what_ifs": 5},
            "what_ifs: found 5, expected a list of scenarios (Scenario objects or .toml files)",
        ),
        ({"replicates": 1.5}, "replicates: found 1.5, expected a whole number from 1 to 1,000,000"),
        (
            {"replicates": True},
            "replicates: found True, expected a whole number from 1 to 1,000,000",
        ),
        ({"seed": "3"}, "seed: found '3', expected a whole number >= 0"),
        ({"trajectories": 2.5}, "trajectories: found 2.5, expected a whole number >= 1"),
        ({"samples": 16.0}, "samples: found 16.0, expected a whole number >= 1"),
    ],
)
def test_sensitivity_names_an_argument_of_the_wrong_kind(ranged, tmp_path, option, message):
    base, _ = ranged
    out = tmp_path / "sens"
    arguments: dict[str, Any] = {"method": "ends", "params": ["base", "famine"]} | option
    with pytest.raises(SensitivityError) as error:
        nkroutes.sensitivity(base, out=out, workers=1, **arguments)
    assert str(error.value) == message
    assert not out.exists()


# -- scenarios: load_scenario, with_overrides, get --------------------------------------------


def test_load_scenario_takes_a_scenario_as_it_is_or_with_overrides(tiny_files):
    base, _ = tiny_files
    scenario = nkroutes.load_scenario(base)
    assert nkroutes.load_scenario(scenario) is scenario
    assert nkroutes.load_scenario(scenario, {}) is scenario
    shorter = nkroutes.load_scenario(scenario, {"time.end": "1991-12"})
    assert shorter.get("time.end") == "1991-12"
    assert shorter == scenario.with_overrides({"time.end": "1991-12"})
    assert scenario.get("time.end") == "1993-12"  # unchanged


@pytest.mark.parametrize(
    ("path", "found", "hint"),
    [
        (5, "5 (int)", ""),
        (None, "None (NoneType)", ""),
        (
            {"meta": {}},
            "{'meta': {}} (dict)",
            "; for a dict of scenario values use scenario_from_dict",
        ),
    ],
)
def test_load_scenario_refuses_what_is_not_a_file(path, found, hint):
    with pytest.raises(TypeError) as error:
        nkroutes.load_scenario(path)
    assert str(error.value) == (
        f"path: found {found}, expected a scenario file (a str or os.PathLike such as "
        f"'scenarios/baseline.toml') or a Scenario{hint}"
    )


OVERRIDES_EXPECTED = 'expected a mapping of dotted key path -> value, e.g. {"time.end": "1995-12"}'


def test_overrides_that_are_not_a_mapping_are_refused(tiny_files):
    base, _ = tiny_files
    scenario = nkroutes.load_scenario(base)
    with pytest.raises(TypeError) as error:
        scenario.with_overrides("time.end=1991-12")  # type: ignore[arg-type]
    assert str(error.value) == f"overrides: found 'time.end=1991-12' (str), {OVERRIDES_EXPECTED}"
    with pytest.raises(TypeError) as error:
        nkroutes.load_scenario(base, [("time.end", "1991-12")])  # type: ignore[arg-type]
    assert str(error.value) == (
        f"overrides: found [('time.end', '1991-12')] (list), {OVERRIDES_EXPECTED}"
    )


def test_get_names_the_key_path_it_expected(tiny_files):
    scenario = nkroutes.load_scenario(tiny_files[0])
    with pytest.raises(TypeError) as error:
        scenario.get(5)  # type: ignore[arg-type]
    assert str(error.value) == (
        "key path: found 5 (int), expected a dotted key path (a string such as 'time.end') or "
        "a sequence of its parts"
    )
    assert scenario.get(("time", "end")) == scenario.get("time.end")
