"""Every kind of bad input: exit code 2, and a message naming file, key path and expectation."""

from __future__ import annotations

import pytest

from nkroutes.scenario import ScenarioError, scenario_from_dict
from scenario_builder import BASELINE, SMALL, get_event, get_place, get_route


def _set(path: str, value):
    def mutate(d):
        *parents, last = path.split(".")
        node = d
        for part in parents:
            node = node.setdefault(part, {})
        node[last] = value

    return mutate


def _delete(path: str):
    def mutate(d):
        *parents, last = path.split(".")
        node = d
        for part in parents:
            node = node[part]
        del node[last]

    return mutate


def _misspelled_place_key(d):
    vietnam = get_place(d, "vietnam")
    vietnam["arrest_rate_per_yr"] = vietnam.pop("arrest_rate_per_year")


def _duplicate_id(d):
    get_place(d, "kunming")["id"] = "yanbian"


def _no_fallback(d):
    get_place(d, "south_korea")["fallback"] = False


def _two_fallbacks(d):
    get_place(d, "japan")["fallback"] = True


def _unreachable_japan(d):
    get_route(d, "beijing_japan")["open"] = False


def _japan_reopened_by_event(d):
    get_route(d, "beijing_japan")["open"] = False
    get_event(d, "porous_border")["set"]["routes.beijing_japan.open"] = True


def _weights(kind, key, value):
    def mutate(d):
        for p in d["places"]:
            if p["kind"] == kind:
                p[key] = value

    return mutate


def _event_sets(path, value):
    def mutate(d):
        get_event(d, "crackdown")["set"] = {path: value}

    return mutate


CASES = [
    # (id, mutation, key path, what is found (substring), what is expected (substring), suggestion)
    (
        "unknown key",
        _set("brokers.risk_multipler", 0.3),
        "brokers.risk_multipler",
        'unknown key "risk_multipler"',
        "a key of [brokers]: risk_multiplier, ",
        "risk_multiplier",
    ),
    (
        "unknown top-level table",
        _set("enforcment", {}),
        "enforcment",
        'unknown key "enforcment"',
        "a key of the top level",
        "enforcement",
    ),
    (
        "misspelled key of a place's kind",
        _misspelled_place_key,
        "places.vietnam.arrest_rate_per_yr",
        'unknown key "arrest_rate_per_yr"',
        "unhcr_access, arrest_rate_per_year",
        "arrest_rate_per_year",
    ),
    (
        "key of another kind",
        lambda d: get_place(d, "vietnam").update(fallback=True),
        "places.vietnam.fallback",
        'key "fallback", which only [[places]] items of kind "destination" have',
        'a key of [[places]] items of kind "transit"',
        None,
    ),
    (
        "missing required key",
        _delete("meta.name"),
        "meta.name",
        "nothing (the key is missing)",
        "at most 100 characters (required)",
        None,
    ),
    (
        "missing required key of a kind",
        lambda d: get_place(d, "kunming").pop("initial_brokers"),
        "places.kunming.initial_brokers",
        "nothing (the key is missing)",
        "an integer in [0, 100000] (required)",
        None,
    ),
    (
        "missing required table",
        _delete("departures"),
        "departures",
        "nothing (the table is missing)",
        "a table [departures]",
        None,
    ),
    (
        "bool is not a number",
        _set("population.share_female", True),
        "population.share_female",
        "true",
        "a number in [0, 1]",
        None,
    ),
    (
        "string is not a number",
        lambda d: get_route(d, "nh_tumen").update(cost_usd="25"),
        "routes.nh_tumen.cost_usd",
        '"25"',
        "a number in [0, 1000000000]",
        None,
    ),
    (
        "float is not an integer",
        lambda d: get_place(d, "kunming").update(initial_brokers=2.5),
        "places.kunming.initial_brokers",
        "2.5",
        "an integer in [0, 100000]",
        None,
    ),
    (
        "array element of the wrong type",
        lambda d: get_place(d, "kunming").update(serves=["kunming_laos", 3]),
        "places.kunming.serves[1]",
        "3",
        "a string (each element)",
        None,
    ),
    (
        "table where a value belongs",
        _set("time.start", {"year": 1990}),
        "time.start",
        "a table",
        'a date "YYYY-MM"',
        None,
    ),
    (
        "negative cost",
        lambda d: get_route(d, "nh_tumen").update(cost_usd=-5.0),
        "routes.nh_tumen.cost_usd",
        "-5.0 (below the minimum 0)",
        "a number in [0, 1000000000]",
        None,
    ),
    (
        "probability above 1",
        lambda d: get_route(d, "kunming_laos").update(death_probability=1.5),
        "routes.kunming_laos.death_probability",
        "1.5 (above the maximum 1)",
        "a number in [0, 1]",
        None,
    ),
    (
        "not a finite number",
        _set("enforcement.china.arrest_rate_per_year", float("inf")),
        "enforcement.china.arrest_rate_per_year",
        "inf (not a finite number)",
        "a number in [0, 100000]",
        None,
    ),
    (
        "value not among the choices",
        _set("time.step", "yaer"),
        "time.step",
        '"yaer"',
        'one of "month", "week", "day"',
        None,
    ),
    (
        "kind not among the choices",
        lambda d: get_place(d, "laos").update(kind="tranist"),
        "places.laos.kind",
        '"tranist"',
        'one of "origin", "border"',
        "transit",
    ),
    (
        "malformed date",
        _set("time.start", "1990-1"),
        "time.start",
        '"1990-1"',
        'a date "YYYY-MM"',
        None,
    ),
    (
        "month 13",
        lambda d: d["push_factors"][0].update(start="1993-13"),
        "push_factors.pds.start",
        '"1993-13"',
        'a date "YYYY-MM"',
        None,
    ),
    (
        "end before start",
        _set("time.end", "1989-12"),
        "time.end",
        '"1989-12" (before time.start "1990-01")',
        "a month not before time.start",
        None,
    ),
    (
        "duplicate id",
        _duplicate_id,
        "places[4].id",
        '"yanbian" again (first used by places[3])',
        "an id not used by another item of [[places]]",
        None,
    ),
    (
        "id with a dot",
        lambda d: d["events"][0].update(id="porous.border"),
        "events[0].id",
        '"porous.border"',
        "an id of letters, digits",
        None,
    ),
    (
        "route to an unknown place",
        lambda d: get_route(d, "nh_tumen").update(to="tumenn"),
        "routes.nh_tumen.to",
        '"tumenn" (no such id in [[places]])',
        "the id of one of the [[places]]",
        "tumen",
    ),
    (
        "hub serving an unknown route",
        lambda d: get_place(d, "kunming").update(serves=["kunming_laos", "kunming_loas"]),
        "places.kunming.serves[1]",
        '"kunming_loas" (no such id in [[routes]])',
        "the id of one of the [[routes]]",
        "kunming_laos",
    ),
    (
        "unreachable destination",
        _unreachable_japan,
        "places.japan",
        "a destination that no origin can reach through open routes",
        "reachable from an origin along routes with open = true",
        None,
    ),
    (
        "no fallback destination",
        _no_fallback,
        "places",
        "no destination with fallback = true",
        'exactly one [[places]] item of kind "destination" with fallback = true',
        None,
    ),
    (
        "two fallback destinations",
        _two_fallbacks,
        "places.japan.fallback",
        "true (a second fallback destination after south_korea)",
        "exactly one",
        None,
    ),
    (
        "event sets an unknown key",
        _event_sets("enforcement.china.arrest_rate", 0.3),
        'events.crackdown.set."enforcement.china.arrest_rate"',
        'unknown key "arrest_rate"',
        "a key of [enforcement.china]",
        "enforcement.china.arrest_rate_per_year",
    ),
    (
        "event sets an unknown id",
        _event_sets("places.vietnm.arrest_rate_per_year", 2.0),
        'events.crackdown.set."places.vietnm.arrest_rate_per_year"',
        'unknown id "vietnm" in [[places]]',
        "one of the ids:",
        "places.vietnam.arrest_rate_per_year",
    ),
    (
        "event sets a key of another kind",
        _event_sets("places.south_korea.arrest_rate_per_year", 2.0),
        'events.crackdown.set."places.south_korea.arrest_rate_per_year"',
        'key "arrest_rate_per_year", which only [[places]] items of kind "transit" have',
        'a key of [[places]] items of kind "destination"',
        None,
    ),
    (
        "event sets a value of the wrong type",
        _event_sets("enforcement.china.repatriation_probability", "none"),
        'events.crackdown.set."enforcement.china.repatriation_probability"',
        '"none"',
        "a number in [0, 1], as for enforcement.china.repatriation_probability",
        None,
    ),
    (
        "event sets a value out of range",
        _event_sets("routes.nh_tumen.capture_probability", 2.0),
        'events.crackdown.set."routes.nh_tumen.capture_probability"',
        "2.0 (above the maximum 1)",
        "a number in [0, 1], as for routes.nh_tumen.capture_probability",
        None,
    ),
    (
        "event sets a route to an unknown place",
        _event_sets("routes.nh_tumen.to", "yalu_river"),
        'events.crackdown.set."routes.nh_tumen.to"',
        '"yalu_river" (no such id in [[places]])',
        "the id of one of the [[places]]",
        None,
    ),
    (
        "event sets a fixed value",
        _event_sets("time.end", "2010-12"),
        'events.crackdown.set."time.end"',
        "a value that cannot change",
        "a path outside extends, meta, time, events, calibration",
        None,
    ),
    (
        "event sets a table",
        _event_sets("enforcement.china", 1.0),
        'events.crackdown.set."enforcement.china"',
        "enforcement.china, a table",
        "a path to a value",
        None,
    ),
    (
        "push factor ending before it starts",
        lambda d: next(p for p in d["push_factors"] if p["id"] == "famine").update(end="1994-12"),
        "push_factors.famine.end",
        '"1994-12" (before its start "1995-08")',
        "a month not before start",
        None,
    ),
    (
        "push factor naming an unknown region",
        lambda d: d["push_factors"][0].update(regions=["north_east"]),
        "push_factors.pds.regions[0]",
        '"north_east" (no origin has this region)',
        "the region of some origin: elsewhere, northeast",
        "northeast",
    ),
    (
        "an event's push factor naming an unknown region",
        lambda d: d["events"].append(
            {"id": "e1", "date": "1991-01", "set": {"push_factors.pds.regions": ["north_east"]}}
        ),
        'events.e1.set."push_factors.pds.regions"[0]',
        '"north_east" (no origin has this region)',
        "the region of some origin: elsewhere, northeast",
        "northeast",
    ),
    (
        "detention min above max",
        _set("enforcement.north_korea.detention_months_min", 7.0),
        "enforcement.north_korea.detention_months_min",
        "7.0 (more than detention_months_max = 6.0)",
        "a number <= detention_months_max",
        None,
    ),
    (
        "labour camp min above max",
        _set("enforcement.north_korea.labour_camp_years_max", 1.0),
        "enforcement.north_korea.labour_camp_years_min",
        "2.0 (more than labour_camp_years_max = 1.0)",
        "a number <= labour_camp_years_max",
        None,
    ),
    (
        "calibration min above max",
        lambda d: d["calibration"]["free"][0].update(min=6000.0),
        "calibration.free.base_departures.min",
        "6000.0 (more than max = 5000.0)",
        "a number <= max",
        None,
    ),
    (
        "calibration path that does not exist",
        lambda d: d["calibration"]["free"][0].update(path="departures.base_rate"),
        "calibration.free.base_departures.path",
        '"departures.base_rate" (unknown key "base_rate")',
        "a key of [departures]: base_rate_per_year",
        "departures.base_rate_per_year",
    ),
    (
        "calibration path to a string",
        lambda d: d["calibration"]["free"][0].update(path="places.vietnam.country"),
        "calibration.free.base_departures.path",
        '"places.vietnam.country", a string',
        "the path of a number",
        None,
    ),
    (
        "calibration bound outside the key's range",
        lambda d: d["calibration"]["free"][2].update(max=1.5),
        "calibration.free.chain_share.max",
        "1.5 (above 1, the maximum of chain_defection.share_of_settlement_sent)",
        "a number <= 1",
        None,
    ),
    (
        "calibration on a log scale from 0",
        lambda d: d["calibration"]["free"][2].update(log=True),
        "calibration.free.chain_share.min",
        "0.0 with log = true",
        "a number > 0",
        None,
    ),
    (
        "every origin with departure weight 0",
        _weights("origin", "departure_weight", 0.0),
        "places",
        "departure_weight = 0 for every origin (north_hamgyong, chagang)",
        "at least one origin with departure_weight > 0 throughout the run (departures leave "
        "each origin in proportion to its weight; to stop them all, set "
        "departures.base_rate_per_year = 0)",
        None,
    ),
    (
        "every destination with preference weight 0",
        _weights("destination", "preference_weight", 0),
        "places",
        "preference_weight = 0 for every destination (south_korea, japan)",
        "at least one destination with preference_weight > 0 throughout the run",
        None,
    ),
    (
        "too few places",
        lambda d: d.update(places=d["places"][:1]),
        "places",
        "1 item,",
        "at least 2 items in [[places]]",
        None,
    ),
]


@pytest.mark.parametrize(
    ("mutate", "path", "found", "expected", "suggestion"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_bad_input_is_reported_with_file_path_and_expectation(
    cli, write, small, mutate, path, found, expected, suggestion
):
    mutate(small)
    file = write(small)
    result = cli("validate", file)
    assert result.exit_code == 2, result.output
    prefix = f"{file}: {path}: found "
    lines = [line for line in result.stdout.splitlines() if line.startswith(prefix + found)]
    assert len(lines) == 1, result.stdout
    assert expected in lines[0].split(", expected ", 1)[1]
    if suggestion is None:
        assert "did you mean" not in lines[0]
    else:
        assert lines[0].endswith(f"(did you mean '{suggestion}'?)")
    assert "Traceback" not in result.output


def test_problem_lines_have_the_documented_format(cli, write, small):
    small["brokers"] = {"risk_multipler": 0.3}
    file = write(small)
    result = cli("validate", file)
    assert result.stdout.splitlines() == [
        f'{file}: brokers.risk_multipler: found unknown key "risk_multipler", expected a key of '
        "[brokers]: risk_multiplier, clients_per_broker_per_month, price_spread, "
        "recruits_per_assisted_arrival, quit_rate_per_year, arrest_rate_per_year, "
        "fee_enforcement_elasticity, hire_rounds (did you mean 'risk_multiplier'?)"
    ]


def test_every_problem_is_reported_at_once(small):
    small["brokers"] = {"risk_multipler": 0.3}
    get_route(small, "nh_tumen")["cost_usd"] = -1.0
    get_route(small, "chagang_tumen")["to"] = "nowhere"
    small["time"]["end"] = "1989-01"
    del get_place(small, "tumen")["lat"]
    with pytest.raises(ScenarioError) as error:
        scenario_from_dict(small, source="many.toml")
    paths = [p.path for p in error.value.problems]
    assert paths == [
        "places.tumen.lat",
        "routes.nh_tumen.cost_usd",
        "brokers.risk_multipler",
        "time.end",
        "routes.chagang_tumen.to",
    ]
    assert all(p.file == "many.toml" for p in error.value.problems)
    assert str(error.value).count("\n") == 4


def test_an_event_may_open_a_route_that_makes_a_destination_reachable(small):
    _japan_reopened_by_event(small)
    scenario = scenario_from_dict(small)
    assert scenario.get("routes.beijing_japan.open") is False


def test_int_is_accepted_where_a_number_is_expected_and_stored_as_float(small):
    get_route(small, "nh_tumen")["cost_usd"] = 25
    get_event(small, "crackdown")["set"]["enforcement.china.arrest_rate_per_year"] = 1
    scenario = scenario_from_dict(small)
    assert scenario.get("routes.nh_tumen.cost_usd") == 25.0
    assert isinstance(scenario.get("routes.nh_tumen.cost_usd"), float)
    changes = scenario.get("events.crackdown.set")
    assert isinstance(changes["enforcement.china.arrest_rate_per_year"], float)


def test_an_unquoted_toml_date_is_refused(cli, write):
    text = SMALL.replace('start = "1990-01"', "start = 1990-01-01", 1)
    file = write(text)
    result = cli("validate", file)
    assert result.exit_code == 2
    assert f"{file}: time.start: found an unquoted TOML date/time 1990-01-01, expected a date" in (
        result.stdout
    )


def test_non_table_data_is_a_scenario_error():
    with pytest.raises(ScenarioError) as error:
        scenario_from_dict([1, 2], source="x")  # type: ignore[arg-type]
    assert str(error.value) == "x: found [1, 2], expected a table of scenario keys"


def test_the_small_fixture_scenario_is_valid(small):
    assert scenario_from_dict(small).name == "small"


def test_a_whole_scenario_problem_caused_by_set_names_the_set(cli):
    result = cli("show", BASELINE, "--set", "places.south_korea.fallback=false")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == (
        "--set places.south_korea.fallback=false: places: found no destination with "
        'fallback = true, expected exactly one [[places]] item of kind "destination" with '
        "fallback = true\n"
    )


@pytest.mark.parametrize(
    ("overrides", "line"),
    [
        (
            {"time.start": "2020-01"},
            '--set time.start=2020-01: time.end: found "2008-12" (before time.start "2020-01")',
        ),
        (
            {"routes.beijing_japan.open": False},
            "--set routes.beijing_japan.open=false: places.japan: found a destination that no "
            "origin can reach",
        ),
        (
            {"enforcement.north_korea.detention_months_max": 0.1},
            "--set enforcement.north_korea.detention_months_max=0.1: "
            "enforcement.north_korea.detention_months_min: found 0.5 (more than",
        ),
        (
            {"push_factors.famine.start": "2001-01"},
            "--set push_factors.famine.start=2001-01: push_factors.famine.end: found "
            '"1999-12" (before its start "2001-01")',
        ),
        (
            {"calibration.free.famine.max": 0.5},
            "--set calibration.free.famine.max=0.5: calibration.free.famine.min: found 1.0 "
            "(more than max = 0.5)",
        ),
    ],
    ids=["time", "unreachable", "min and max", "push factor", "calibration bounds"],
)
def test_a_problem_of_several_values_names_the_set_that_changed_one(small, overrides, line):
    with pytest.raises(ScenarioError) as error:
        scenario_from_dict(small, source="small.toml", overrides=overrides)
    assert str(error.value).startswith(line)


def test_a_problem_of_several_values_names_the_file_that_changed_one(cli, write, small):
    write(small, "small.toml")
    what_if = write(
        'extends = "small.toml"\n[[places]]\nid = "south_korea"\nfallback = false\n', "w.toml"
    )
    result = cli("validate", what_if)
    assert result.exit_code == 2
    assert result.stdout.startswith(f"{what_if}: places: found no destination with fallback")


@pytest.mark.parametrize(
    ("key", "place_id"),
    [("departure_weight", "north_hamgyong"), ("preference_weight", "south_korea")],
)
def test_one_weight_of_0_is_allowed(small, key, place_id):
    get_place(small, place_id)[key] = 0.0
    assert scenario_from_dict(small).get(f"places.{place_id}.{key}") == 0.0


def test_every_origin_weight_0_by_set_names_the_set_options(cli):
    origins = [
        "north_hamgyong",
        "ryanggang",
        "chagang",
        "north_pyongan",
        "interior",
        "russian_far_east",
    ]
    options = [a for o in origins for a in ("--set", f"places.{o}.departure_weight=0")]
    result = cli("show", BASELINE, *options)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == (
        "--set places.north_hamgyong.departure_weight=0, --set places.ryanggang.departure_weight=0"
        ", --set places.chagang.departure_weight=0 (and 3 more): places: found departure_weight "
        "= 0 for every origin (north_hamgyong, ryanggang, chagang, north_pyongan, interior, "
        "russian_far_east), expected at least one origin with departure_weight > 0 throughout "
        "the run (departures leave each origin in proportion to its weight; to stop them all, "
        "set departures.base_rate_per_year = 0)\n"
    )


def _weight_event(d, event_id, date, weights):
    d["events"].append(
        {
            "id": event_id,
            "date": date,
            "set": {f"places.{p}.departure_weight": w for p, w in weights.items()},
        }
    )


def test_an_event_that_sets_the_last_origin_weight_to_0_is_refused(cli, write, small):
    get_place(small, "chagang")["departure_weight"] = 0.0
    _weight_event(small, "exodus_ends", "2005-01", {"north_hamgyong": 0.0})
    _weight_event(small, "later", "2006-01", {"north_hamgyong": 1.0})
    file = write(small)
    result = cli("validate", file)
    assert result.exit_code == 2
    assert result.stdout == (
        f"{file}: places: found departure_weight = 0 for every origin (north_hamgyong, chagang) "
        "from 2005-01 on (after events.exodus_ends), expected at least one origin with "
        "departure_weight > 0 throughout the run (departures leave each origin in proportion to "
        "its weight; to stop them all, set departures.base_rate_per_year = 0)\n"
    )


def test_every_origin_weight_0_at_the_start_is_refused_even_if_an_event_restores_one(small):
    _weights("origin", "departure_weight", 0.0)(small)
    _weight_event(small, "later", "2000-01", {"chagang": 1.0})
    with pytest.raises(ScenarioError) as error:
        scenario_from_dict(small, source="s.toml")
    (problem,) = error.value.problems
    assert problem.found == "departure_weight = 0 for every origin (north_hamgyong, chagang)"


@pytest.mark.parametrize(
    ("events", "valid"),
    [
        # An event before the start is in force from the first step, in date order.
        ([("restore", "1980-01", {"chagang": 1.0})], True),
        ([("b", "1985-01", {"chagang": 0.0}), ("a", "1980-01", {"chagang": 1.0})], False),
        # Two events of one month apply together: the weights are checked after both.
        ([("a", "2001-03", {"chagang": 0.0}), ("b", "2001-03", {"north_hamgyong": 1.0})], True),
        # An event after the end never applies.
        ([("after_the_end", "2009-01", {"north_hamgyong": 0.0})], True),
    ],
    ids=["before the start", "before the start in date order", "same month", "after the end"],
)
def test_weights_are_checked_as_events_change_them(small, events, valid):
    get_place(small, "north_hamgyong")["departure_weight"] = 0.0
    for event_id, date, weights in events:
        _weight_event(small, event_id, date, weights)
    if valid:
        scenario_from_dict(small)
    else:
        with pytest.raises(ScenarioError, match="departure_weight = 0 for every origin"):
            scenario_from_dict(small)


def test_two_events_changing_one_value_in_a_month_are_refused(cli, write, small):
    # Which applied was file order alone: swapping two events changed a run's repatriations
    # from 342 to 9 and validate said ok.
    path = "enforcement.china.repatriation_probability"
    small["events"] += [
        {"id": "opens", "date": "1991-06", "set": {path: 0.0}},
        {"id": "closes", "date": "1991-06", "set": {path: 1.0}},
        {"id": "lull", "date": "1992-01", "end": "1992-03", "set": {path: 0.5}},
        {"id": "after", "date": "1992-04", "set": {path: 0.7}},  # the month lull ends
        {"id": "apart", "date": "1992-05", "set": {path: 0.2}},  # a month later: fine
    ]
    file = write(small)
    result = cli("validate", file)
    assert result.exit_code == 2
    expected = "expected one change of a value in a month (the event listed last would win)"
    assert result.stdout.splitlines() == [
        f'{file}: events.closes.set."{path}": found events opens (starts) and closes (starts) '
        f"both changing it in 1991-06, {expected}: merge them into one event, or date them a "
        "month apart",
        f'{file}: events.after.set."{path}": found events lull (ends) and after (starts) '
        f"both changing it in 1992-04, {expected}: merge them into one event, or date them a "
        "month apart",
    ]
