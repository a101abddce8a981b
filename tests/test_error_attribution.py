"""Problems with items a what-if adds name the what-if, not the file it extends (issue 21)."""

from __future__ import annotations

import pytest

from nkroutes.scenario.merge import appended_items, merged_arrays, new_items
from nkroutes.scenario.schema import SCENARIO
from scenario_builder import BASELINE


def _what_if(write, body: str):
    return write(f'extends = "{BASELINE.as_posix()}"\n{body}', "what-if.toml")


def test_a_route_with_a_number_as_id_names_the_what_if(cli, write):
    what_if = _what_if(write, '[[routes]]\nid = 7\nfrom = "tumen"\nto = "yanbian"\n')
    result = cli("validate", what_if)
    assert result.exit_code == 2
    lines = result.stdout.splitlines()
    assert any(line.startswith(f"{what_if}: routes[") and "found 7" in line for line in lines)
    assert "baseline.toml" not in result.stdout


def test_a_duplicate_new_place_names_the_what_if(cli, write):
    place = (
        '[[places]]\nid = "new_hide"\nkind = "hiding"\ncountry = "china"\nlat = 1.0\nlon = 1.0\n'
    )
    what_if = _what_if(write, place + place)
    result = cli("validate", what_if)
    assert result.exit_code == 2
    assert result.stdout.startswith(f"{what_if}: places[") and "again" in result.stdout
    assert "baseline.toml" not in result.stdout


def test_a_problem_in_the_base_still_names_the_base(cli, write, tmp_path):
    base = write(BASELINE.read_text(encoding="utf-8") + "\n[x]\ny = 1\n", "base.toml")
    what_if = write('extends = "base.toml"\n[[routes]]\nid = 7\n', "w.toml")
    result = cli("validate", what_if)
    assert f"{base}: x: found unknown key" in result.stdout
    assert f"{what_if}: routes[" in result.stdout


def test_appended_items_are_at_their_merged_positions():
    base = {"routes": [{"id": "a"}, {"id": "b"}]}
    override = {"routes": [{"id": "b"}, {"id": 7}, {"id": "c"}]}
    assert appended_items(base, override, SCENARIO) == [
        (("routes", 2), {"id": 7}),
        (("routes", 3), {"id": "c"}),
    ]


def test_the_merge_walk_meets_the_arrays_both_sides_have_nested_ones_too():
    base = {
        "routes": [{"id": "a"}],
        "calibration": {"free": [{"id": "p"}]},
        "places": [{"id": "x"}],
    }
    override = {"calibration": {"free": [{"id": "q"}]}, "routes": [{"id": "b"}], "events": []}
    walked = [
        (path, [i["id"] for i in b], [i["id"] for i in o])
        for path, b, o in merged_arrays(base, override, SCENARIO)
    ]
    assert walked == [(("calibration", "free"), ["p"], ["q"]), (("routes",), ["a"], ["b"])]
    assert new_items(base, override, SCENARIO) == [
        (("calibration", "free", "q"), ["p"]),
        (("routes", "b"), ["a"]),
    ]
    assert appended_items(base, override, SCENARIO) == [
        (("calibration", "free", 1), {"id": "q"}),
        (("routes", 1), {"id": "b"}),
    ]


def test_a_ranged_value_of_the_wrong_type_is_one_problem_not_two(cli, write):
    # The baseline ranges departures.base_rate_per_year: the range's path is a number's path,
    # so only the value is wrong, and only the value is reported (with its source).
    path = _what_if(write, '[departures]\nbase_rate_per_year = "1960"\n')
    result = cli("validate", path)
    assert result.exit_code == 2
    assert result.stdout.splitlines() == [
        f'{path}: departures.base_rate_per_year: found "1960", expected a number in [0, 1000000]'
    ]
    result = cli("show", BASELINE, "--set", "departures.base_rate_per_year=abc")
    assert result.exit_code == 2
    assert "uncertainty" not in result.stderr and "--set: departures.base_rate" in result.stderr


def test_a_number_given_with_set_for_a_text_key_is_told_how_to_quote_it(cli):
    result = cli("show", BASELINE, "--set", "meta.name=2025")
    assert result.exit_code == 2
    assert result.stderr.strip().endswith("(did you mean 'meta.name=\"2025\"'?)")
    assert cli("show", BASELINE, "--set", 'meta.name="2025"').exit_code == 0


def test_too_many_items_added_by_a_what_if_names_the_what_if(cli, write):
    # The base has events of its own: 1,000 more take the array past its limit.
    events = "".join(f'[[events]]\nid = "e{i}"\ndate = "1995-01"\n' for i in range(1000))
    what_if = _what_if(write, events)
    result = cli("validate", what_if)
    assert result.exit_code == 2
    assert f"{what_if}: events: found " in result.stdout
    assert "expected at most 1000 items in [[events]]" in result.stdout


@pytest.mark.parametrize(
    ("body", "found"), [('[places]\nid = "x"\n', "a table"), ("places = 3\n", "3")]
)
def test_an_array_made_another_kind_of_value_is_one_problem_of_the_what_if(cli, write, body, found):
    # It was blamed on the base, with some 98 follow-on problems about the routes, events
    # and ranges that name places.
    what_if = _what_if(write, body)
    result = cli("validate", what_if)
    assert result.exit_code == 2
    assert result.stdout.splitlines() == [
        f"{what_if}: places: found {found}, expected an array of tables [[places]]"
    ]


def test_a_table_given_with_set_for_a_value_names_set(cli):
    result = cli("show", BASELINE, "--set", "departures.base_rate_per_year={a=1}")
    assert result.exit_code == 2
    assert result.stderr.startswith("--set: departures.base_rate_per_year: found a table")
