"""``extends``: merge rules, problems named in the right file, cycles and missing files."""

from __future__ import annotations

import pytest

from nkroutes.scenario import ScenarioError, load_scenario, scenario_from_dict
from nkroutes.scenario.merge import merge
from nkroutes.scenario.schema import SCENARIO


def _write_small(write, small):
    return write(small, "base/small.toml")


def test_tables_merge_key_by_key(write, small):
    _write_small(write, small)
    child = write(
        'extends = "base/small.toml"\n[meta]\nname = "child"\n'
        "[enforcement.china]\nrepatriation_probability = 0.0\n",
        "child.toml",
    )
    scenario = load_scenario(child)
    assert scenario.name == "child"
    assert scenario.get("enforcement.china.repatriation_probability") == 0.0
    assert scenario.get("enforcement.china.arrest_rate_per_year") == 0.15
    assert "extends" not in scenario.data


def test_arrays_of_tables_merge_by_id_and_append_new_ids(write, small):
    _write_small(write, small)
    child = write(
        'extends = "base/small.toml"\n'
        '[[routes]]\nid = "kunming_laos"\ncost_usd = 500.0\n'
        '[[routes]]\nid = "yanbian_south_korea"\nfrom = "yanbian"\nto = "south_korea"\n'
        '[[events]]\nid = "crackdown"\n[events.set]\n"routes.nh_tumen.cost_usd" = 50.0\n',
        "child.toml",
    )
    scenario = load_scenario(child)
    routes = scenario.data["routes"]
    assert [r["id"] for r in routes] == [r["id"] for r in small["routes"]] + ["yanbian_south_korea"]
    laos = scenario.data["routes"][4]
    assert (laos["id"], laos["cost_usd"], laos["broker_fee_usd"]) == ("kunming_laos", 500.0, 100.0)
    assert dict(scenario.get("events.crackdown.set")) == {
        "enforcement.china.arrest_rate_per_year": 0.25,
        "routes.nh_tumen.cost_usd": 50.0,
    }
    assert scenario.get("events.crackdown.date") == "2008-01"


def test_other_arrays_replace(write, small):
    _write_small(write, small)
    child = write(
        'extends = "base/small.toml"\n[[places]]\nid = "kunming"\nserves = ["kunming_laos"]\n',
        "child.toml",
    )
    assert load_scenario(child).get("places.kunming.serves") == ("kunming_laos",)


def test_merge_leaves_its_inputs_unchanged():
    base = {"routes": [{"id": "a", "cost_usd": 1.0}], "meta": {"name": "a"}}
    over = {"routes": [{"id": "a", "cost_usd": 2.0}, {"id": "b"}], "meta": {"name": "b"}}
    merged = merge(base, over, SCENARIO)
    assert merged == {"routes": [{"id": "a", "cost_usd": 2.0}, {"id": "b"}], "meta": {"name": "b"}}
    assert base == {"routes": [{"id": "a", "cost_usd": 1.0}], "meta": {"name": "a"}}
    merged["routes"][1]["id"] = "c"
    assert over["routes"][1] == {"id": "b"}


def test_extends_chains_of_three_files(write, small):
    _write_small(write, small)
    write('extends = "small.toml"\n[departures]\nbase_rate_per_year = 10.0\n', "base/mid.toml")
    top = write('extends = "base/mid.toml"\n[meta]\nname = "top"\n', "top.toml")
    scenario = load_scenario(top)
    assert (scenario.name, scenario.get("departures.base_rate_per_year")) == ("top", 10.0)


def test_a_problem_names_the_file_that_gave_the_value(cli, write, small):
    _write_small(write, small)
    child = write(
        'extends = "base/small.toml"\n[[routes]]\nid = "kunming_laos"\ncost_usd = -1.0\n',
        "child.toml",
    )
    base = child.parent / "base" / "small.toml"
    small_bad = dict(small)
    small_bad["brokers"] = {"risk_multipler": 0.3}
    write(small_bad, "base/small.toml")
    result = cli("validate", child)
    assert result.exit_code == 2
    assert result.stdout.splitlines()[0].startswith(
        f"{child}: routes.kunming_laos.cost_usd: found -1.0 (below the minimum 0)"
    )
    assert f'{base}: brokers.risk_multipler: found unknown key "risk_multipler"' in result.stdout


def test_extends_cycle_is_an_error_naming_the_chain(cli, tmp_path, write):
    a = write('extends = "b.toml"\n[meta]\nname = "a"\n', "a.toml")
    b = write('extends = "a.toml"\n', "b.toml")
    result = cli("validate", a)
    assert result.exit_code == 2
    assert result.stdout == (
        f'{b}: extends: found "a.toml", a cycle: {a} -> {b} -> {a}, expected extends without '
        "cycles\n"
    )


def test_a_file_extending_itself_is_a_cycle(write):
    a = write('extends = "a.toml"\n', "a.toml")
    with pytest.raises(ScenarioError) as error:
        load_scenario(a)
    assert str(error.value) == (
        f'{a}: extends: found "a.toml", a cycle: {a} -> {a}, expected extends without cycles'
    )


def test_extends_of_a_missing_file_names_the_chain(cli, write, tmp_path):
    write('extends = "missing.toml"\n', "mid.toml")
    top = write('extends = "mid.toml"\n', "top.toml")
    result = cli("validate", top)
    assert result.exit_code == 2
    mid, missing = tmp_path / "mid.toml", tmp_path / "missing.toml"
    assert result.stdout == (
        f'{mid}: extends: found "missing.toml" (no such file: {missing}; chain: {top} -> {mid} '
        f"-> {missing}), expected the path of an existing scenario file, relative to this file\n"
    )


def test_extends_must_be_a_string(write):
    a = write("extends = 3\n", "a.toml")
    with pytest.raises(ScenarioError) as error:
        load_scenario(a)
    assert (
        str(error.value)
        == f"{a}: extends: found 3, expected the path of a scenario file (a string)"
    )


def test_syntax_error_in_an_extended_file_names_that_file(write):
    write("[meta\nname = 1\n", "base.toml")
    top = write('extends = "base.toml"\n', "top.toml")
    with pytest.raises(ScenarioError) as error:
        load_scenario(top)
    (problem,) = error.value.problems
    assert (problem.file, problem.line, problem.column) == (str(top.parent / "base.toml"), 1, 6)


def test_extends_in_a_dict_is_relative_to_the_current_directory(write, small, monkeypatch):
    base = _write_small(write, small)
    monkeypatch.chdir(base.parent.parent)
    scenario = scenario_from_dict({"extends": "base/small.toml", "meta": {"name": "from-dict"}})
    assert (scenario.name, scenario.path, scenario.source) == ("from-dict", None, "<dict>")
    assert scenario.get("routes.nh_tumen.cost_usd") == 25.0


@pytest.mark.parametrize("extends", [".", "base"])
def test_extends_of_a_directory_says_it_is_a_directory(write, tmp_path, extends):
    (tmp_path / "base").mkdir()
    top = write(f'extends = "{extends}"\n', "top.toml")
    folder = tmp_path / extends if extends != "." else tmp_path
    with pytest.raises(ScenarioError) as error:
        load_scenario(top)
    assert str(error.value) == (
        f'{top}: extends: found "{extends}" (a directory, not a scenario file: {folder}; '
        f"chain: {top} -> {folder}), expected the path of an existing scenario file, relative "
        "to this file"
    )


@pytest.mark.parametrize(
    ("text", "line"),
    [
        (
            '[[routes]]\nid = "nh_tumn"\ncost_usd = 5.0\n',
            'routes.nh_tumn.id: found "nh_tumn", an id that {base} does not have, so a new '
            "[[routes]] item, which lacks from, to, expected the id of an existing item (to "
            "change it), or a new item with all its required keys (did you mean 'nh_tumen'?)",
        ),
        (
            '[[calibration.free]]\nid = "famin"\nmax = 30.0\n',
            'calibration.free.famin.id: found "famin", an id that {base} does not have, so a new '
            "[[calibration.free]] item, which lacks path, min, expected the id of an existing "
            "item (to change it), or a new item with all its required keys (did you mean "
            "'famine'?)",
        ),
    ],
    ids=["route", "calibration parameter"],
)
def test_a_misspelt_id_in_a_what_if_suggests_the_base_id(cli, write, small, text, line):
    base = _write_small(write, small)
    child = write('extends = "base/small.toml"\n' + text, "child.toml")
    result = cli("validate", child)
    assert result.exit_code == 2
    assert result.stdout == f"{child}: " + line.format(base=base) + "\n"


def test_a_new_incomplete_item_unlike_any_base_id_reports_its_missing_keys(write, small):
    _write_small(write, small)
    child = write('extends = "base/small.toml"\n[[routes]]\nid = "ferry"\n', "child.toml")
    with pytest.raises(ScenarioError) as error:
        load_scenario(child)
    assert [(p.path, p.found, p.suggestion) for p in error.value.problems] == [
        ("routes.ferry.from", "nothing (the key is missing)", None),
        ("routes.ferry.to", "nothing (the key is missing)", None),
    ]


def test_a_complete_new_item_with_an_id_like_a_base_id_is_added(write, small):
    _write_small(write, small)
    child = write(
        'extends = "base/small.toml"\n'
        '[[routes]]\nid = "nh_tumen_2"\nfrom = "north_hamgyong"\nto = "tumen"\n',
        "child.toml",
    )
    scenario = load_scenario(child)
    assert scenario.get("routes.nh_tumen_2.from") == "north_hamgyong"
