import pytest

from nkroutes.scenario import PathError, get_path, set_path
from nkroutes.scenario.frozen import freeze
from nkroutes.scenario.paths import join_path, split_path


def _data():
    return {
        "time": {"start": "1990-01"},
        "routes": [{"id": "a", "cost_usd": 5.0}, {"id": "b", "cost_usd": 7.0}],
        "events": [{"id": "e", "set": {"routes.a.cost_usd": 13.0}}],
    }


def test_get_path_walks_tables_and_items_by_id():
    data = _data()
    assert get_path(data, "time.start") == "1990-01"
    assert get_path(data, "routes.b.cost_usd") == 7.0
    assert get_path(data, ("routes", "a")) == {"id": "a", "cost_usd": 5.0}


def test_get_path_finds_a_key_that_contains_dots():
    assert get_path(_data(), "events.e.set.routes.a.cost_usd") == 13.0


def test_get_path_reads_frozen_data():
    assert get_path(freeze(_data()), "routes.a.cost_usd") == 5.0


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("time.end", "no key 'end' at time"),
        ("routes.c.cost_usd", "no item with id 'c' in routes"),
        ("time.start.year", "time.start is a value, not a table"),
        ("", "malformed key path"),
        ("time..start", "malformed key path"),
    ],
)
def test_get_path_errors_say_what_is_missing(path, message):
    with pytest.raises(PathError) as error:
        get_path(_data(), path)
    assert message in str(error.value)
    assert isinstance(error.value, KeyError)


def test_set_path_changes_one_value_in_place():
    data = _data()
    set_path(data, "routes.b.cost_usd", 9.0)
    assert data["routes"] == [{"id": "a", "cost_usd": 5.0}, {"id": "b", "cost_usd": 9.0}]


def test_set_path_sets_an_existing_dotted_key():
    data = _data()
    set_path(data, "events.e.set.routes.a.cost_usd", 20.0)
    assert data["events"][0]["set"] == {"routes.a.cost_usd": 20.0}


def test_set_path_adds_a_missing_last_key_but_not_missing_tables():
    data = _data()
    set_path(data, "time.end", "2000-01")
    assert data["time"] == {"start": "1990-01", "end": "2000-01"}
    with pytest.raises(PathError, match="no key 'brokers'"):
        set_path(data, "brokers.risk_multiplier", 0.5)
    assert "brokers" not in data


def test_set_path_create_makes_tables_but_never_items():
    data = _data()
    set_path(data, "brokers.risk_multiplier", 0.5, create=True)
    assert data["brokers"] == {"risk_multiplier": 0.5}
    with pytest.raises(PathError, match="no item with id 'z'"):
        set_path(data, "routes.z.cost_usd", 1.0, create=True)


def test_set_path_with_parts_creates_a_dotted_key():
    data = _data()
    set_path(data, ("events", "e", "set", "routes.b.cost_usd"), 1.0)
    assert data["events"][0]["set"] == {"routes.a.cost_usd": 13.0, "routes.b.cost_usd": 1.0}


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("time.start.year", "time.start is a value, not a table"),
        ("routes.a", "names an item of an array"),
        ("routes.a.cost_usd.x", "routes.a.cost_usd is a value, not a table"),
    ],
)
def test_set_path_refuses_paths_through_values_or_onto_items(path, message):
    data = _data()
    with pytest.raises(PathError, match=message):
        set_path(data, path, 1.0)
    assert data == _data()


def test_split_and_join_paths():
    assert split_path("a.b.c") == ("a", "b", "c")
    assert join_path(["events", "e", "set", "routes.a.cost_usd"]) == (
        'events.e.set."routes.a.cost_usd"'
    )
    assert join_path(["places", 3, "id"]) == "places[3].id"
