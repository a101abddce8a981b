"""The Scenario object: read-only data, copies, TOML, hash, overrides, pickling."""

from __future__ import annotations

import copy
import pickle
import tomllib

import pytest

import nkroutes
from nkroutes.scenario import PathError, ScenarioError, load_scenario, scenario_from_dict
from scenario_builder import BASELINE


def test_the_package_exports_the_loader():
    assert nkroutes.load_scenario is load_scenario
    assert nkroutes.__version__ == "0.1.0"
    assert issubclass(nkroutes.ScenarioError, ValueError)


def test_baseline_loads_with_defaults_filled_in():
    scenario = load_scenario(BASELINE)
    assert scenario.name == "baseline"
    assert scenario.path == BASELINE
    assert scenario.source == str(BASELINE)
    dmz = scenario.get("routes.dmz_south_korea")
    assert (dmz["cost_usd"], dmz["open"], dmz["captured_by"]) == (0.0, True, "china")
    border = scenario.get("places.tumen")
    assert set(border) == {"id", "name", "kind", "country", "lat", "lon", "source"}


def test_places_get_the_keys_of_their_kind_only(small):
    scenario = scenario_from_dict(small)
    assert set(scenario.get("places.laos")) == {
        "id", "name", "kind", "country", "lat", "lon", "source",
        "unhcr_access", "arrest_rate_per_year", "deport_probability", "processing_months",
    }  # fmt: skip
    assert scenario.get("places.laos.processing_months") == 3.0
    assert scenario.get("places.chagang.region") == "elsewhere"


def test_data_is_read_only_and_arrays_keep_file_order(small):
    scenario = scenario_from_dict(small)
    with pytest.raises(TypeError):
        scenario.data["meta"]["name"] = "x"  # type: ignore[index]
    with pytest.raises(AttributeError):
        scenario.data["routes"].append({})  # type: ignore[attr-defined]
    with pytest.raises(AttributeError):
        scenario.name = "x"  # type: ignore[misc]
    assert [r["id"] for r in scenario.data["routes"]] == [r["id"] for r in small["routes"]]


def test_to_dict_is_a_deep_mutable_copy(small):
    scenario = scenario_from_dict(small)
    data = scenario.to_dict()
    assert type(data["routes"]) is list and type(data["routes"][0]) is dict
    data["routes"][0]["cost_usd"] = 99.0
    assert scenario.get("routes.nh_tumen.cost_usd") == 25.0


def test_input_data_is_not_changed(small):
    before = copy.deepcopy(small)
    scenario_from_dict(small, overrides={"routes.nh_tumen.cost_usd": 1.0})
    assert small == before


def test_to_toml_reads_back_to_the_same_scenario(write):
    scenario = load_scenario(BASELINE)
    text = scenario.to_toml()
    assert tomllib.loads(text) == scenario.to_dict()
    again = load_scenario(write(text))
    assert again.hash == scenario.hash
    assert again == scenario
    assert text.startswith("# nkroutes scenario 'baseline', resolved from ")
    assert "\n[[places]]\nid = " in text
    assert '\n[events.set]\n"routes.' in text


def test_hash_depends_on_values_not_on_spelling(small):
    a = scenario_from_dict(small)
    small["routes"][0]["cost_usd"] = 25  # int instead of float: same value
    b = scenario_from_dict(small, source="other")
    small["routes"][0]["cost_usd"] = 26.0
    c = scenario_from_dict(small)
    assert len(a.hash) == 64 and int(a.hash, 16) >= 0
    assert a.hash == b.hash and a == b and hash(a) == hash(b)
    assert c.hash != a.hash and c != a


def test_get_raises_path_error_for_unknown_paths(small):
    scenario = scenario_from_dict(small)
    with pytest.raises(PathError, match="no item with id 'atlantis' in places"):
        scenario.get("places.atlantis.lat")


def test_with_overrides_returns_a_new_validated_scenario(small):
    scenario = scenario_from_dict(small)
    changed = scenario.with_overrides(
        {"places.vietnam.arrest_rate_per_year": 1.0, "routes.nh_tumen.open": False}
    )
    assert changed.get("places.vietnam.arrest_rate_per_year") == 1.0
    assert changed.get("routes.nh_tumen.open") is False
    assert scenario.get("places.vietnam.arrest_rate_per_year") == 0.5
    diff = {
        (k, r["id"])
        for a, r in zip(scenario.data["routes"], changed.data["routes"], strict=True)
        for k in r
        if a[k] != r[k]
    }
    assert diff == {("open", "nh_tumen")}


def test_with_overrides_checks_paths_and_values(small):
    scenario = scenario_from_dict(small)
    with pytest.raises(ScenarioError) as error:
        scenario.with_overrides({"places.vietnam.arrest_rate": 1.0, "time.step": "year"})
    assert [str(p) for p in error.value.problems] == [
        '--set: places.vietnam.arrest_rate: found unknown key "arrest_rate", expected a key of '
        "[[places]]: id, name, kind, country, lat, lon, source, unhcr_access, "
        "arrest_rate_per_year, deport_probability, processing_months "
        "(did you mean 'places.vietnam.arrest_rate_per_year'?)",
        '--set: time.step: found "year", expected one of "month", "week", "day"',
    ]


def test_scenarios_survive_pickling_for_worker_processes(small):
    scenario = scenario_from_dict(small)
    scenario.hash  # noqa: B018 - computed before pickling, and must survive it
    copy = pickle.loads(pickle.dumps(scenario))
    assert copy == scenario and copy.hash == scenario.hash
    assert copy.get("places.kunming.serves") == ("yanbian_kunming", "kunming_laos")


@pytest.mark.parametrize("command", ["run", "compare", "show"])
def test_set_help_shows_its_example_on_one_line(cli, command):
    result = cli(command, "--help")
    assert result.exit_code == 0
    lines = [line.strip() for line in result.stdout.splitlines()]
    assert "--set enforcement.china.repatriation_probability=0.5" in lines
