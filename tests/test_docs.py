"""docs/scenarios.md and the ODD's parameter tables are generated from the schema.

One test adds a key to a copy of the schema and shows that the docs and the model's typed
parameters pick it up with no other edit.
"""

from __future__ import annotations

import dataclasses

from nkroutes.scenario.docs import generated, render
from nkroutes.scenario.schema import SCENARIO
from nkroutes.scenario.spec import Key, Table, TableArray
from scenario_builder import ROOT


def _keys(node, prefix=""):
    """(table path, key name, Key) for every key in the schema."""
    if isinstance(node, TableArray):
        yield from _keys(node.item, prefix)
        for table in node.variants.values():
            yield from _keys(table, prefix)
        return
    for name, child in node.keys.items():
        if isinstance(child, Key):
            yield prefix, name, child
        else:
            yield from _keys(child, f"{prefix}.{name}" if prefix else name)


def test_committed_docs_are_up_to_date():
    for path, text in generated(ROOT).items():
        assert path.read_text(encoding="utf-8") == text, (
            f"{path.relative_to(ROOT)} is stale: run python -m nkroutes.scenario.docs --update"
        )


def _with_new_broker_key(key: Key) -> Table:
    """A copy of the schema whose [brokers] table has one more key, ``test_knob``."""
    brokers = SCENARIO.keys["brokers"]
    assert isinstance(brokers, Table)
    new_brokers = dataclasses.replace(brokers, keys={**brokers.keys, "test_knob": key})
    return dataclasses.replace(SCENARIO, keys={**SCENARIO.keys, "brokers": new_brokers})


def test_a_parameter_added_to_the_schema_reaches_the_docs_and_the_model():
    """Adding a key to the schema is all it takes for the docs and the model to have it."""
    from nkroutes.model.clock import Clock
    from nkroutes.model.params import compile_params
    from nkroutes.scenario import load_scenario
    from nkroutes.scenario.odd_tables import parameter_tables
    from nkroutes.scenario.time_axis import time_axis

    key = Key(
        "int",
        "Times a broker checks the road.",
        unit="checks per step",
        default=4,
        min=0,
        source="assumption: a test",
    )
    schema = _with_new_broker_key(key)
    scenarios_md = render(schema)
    assert "| `test_knob` | int | checks per step | `4` | ≥ 0 | Times a broker checks" in (
        scenarios_md
    )
    assert "`test_knob`" not in render()
    baseline = ROOT / "scenarios" / "baseline.toml"
    odd = parameter_tables(baseline, schema)
    assert "| `brokers.test_knob` | 4 | checks per step | default; assumption: a test |" in odd
    data = load_scenario(baseline).to_dict()
    params = compile_params(data, Clock.from_time_table(*time_axis(data)), schema)
    assert params.brokers.test_knob == 4 and isinstance(params.brokers.test_knob, int)
    assert params.brokers.price_spread == data["brokers"]["price_spread"]
    data["brokers"]["test_knob"] = 7.0  # given in the file: converted to the declared type
    params = compile_params(data, Clock.from_time_table(*time_axis(data)), schema)
    assert params.brokers.test_knob == 7 and isinstance(params.brokers.test_knob, int)


def test_every_key_has_a_row_with_its_type_and_meaning():
    text = render()
    keys = list(_keys(SCENARIO))
    assert len(keys) >= 90
    for _, name, key in keys:
        rows = [line for line in text.splitlines() if line.startswith(f"| `{name}` | {key.type} |")]
        assert rows, name
        assert any(key.doc.replace("|", "\\|") in row for row in rows), name


def test_docs_explain_extends_set_events_and_paths():
    text = render()
    for phrase in (
        'extends = "baseline.toml"',
        "merge by `id`",
        "--set time.end=2011-12",
        "[events.set]",
        "places.vietnam.arrest_rate_per_year",
        "both months are simulated",
    ):
        assert phrase in text, phrase


def test_tables_are_headed_by_their_toml_header():
    text = render()
    for header in (
        "### `[meta]`",
        "### `[[places]]`",
        "#### `[enforcement.china]`",
        "#### `[[calibration.free]]`",
        '#### `[[places]]` with `kind = "transit"`',
    ):
        assert f"\n{header}" in text, header
    assert isinstance(SCENARIO, Table)


def test_update_runs_from_the_repository_root_only(tmp_path, monkeypatch, capsys):
    from nkroutes.scenario.docs import main

    assert main(["--updat"]) == 2
    monkeypatch.chdir(tmp_path)
    assert main(["--update"]) == 2
    assert "repository's root" in capsys.readouterr().err
    monkeypatch.chdir(ROOT)
    assert main(["--update"]) == 0  # the committed files are up to date: nothing to write
    assert capsys.readouterr().err == ""
