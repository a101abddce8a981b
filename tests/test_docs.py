"""docs/scenarios.md is generated from the schema and documents every key."""

from __future__ import annotations

from nkroutes.scenario.docs import render
from nkroutes.scenario.schema import SCENARIO
from nkroutes.scenario.spec import Key, Table, TableArray
from scenario_builder import ROOT

DOC = ROOT / "docs" / "scenarios.md"


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
    assert DOC.read_text(encoding="utf-8") == render(), (
        "docs/scenarios.md is stale: run python -m nkroutes.scenario.docs > docs/scenarios.md"
    )


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
