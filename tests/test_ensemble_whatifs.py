"""The shipped what-if scenarios change what their comments say they change, and nothing else."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from nkroutes.scenario import load_scenario

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"


def flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    """Dotted key path -> value; arrays of tables are keyed by their items' ids."""
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, sub in value.items():
            out |= flatten(sub, f"{prefix}{key}.")
        return out
    if isinstance(value, list) and value and all(isinstance(v, dict) and "id" in v for v in value):
        out = {}
        for item in value:
            out |= flatten(item, f"{prefix}{item['id']}.")
        return out
    return {prefix.rstrip("."): value}


def changes(file: str) -> dict[str, Any]:
    """Values of the what-if that differ from the baseline's (meta and event names aside)."""
    base = flatten(load_scenario(SCENARIOS / "baseline.toml").to_dict())
    other = flatten(load_scenario(SCENARIOS / file).to_dict())
    return {
        key: value
        for key, value in other.items()
        if base.get(key, "<absent>") != value
        and not key.startswith("meta.")
        and not (key.startswith("events.") and key.endswith((".name", ".source")))
        and not (key.startswith("events.") and key.endswith(".end") and value == "")
    }


EXPECTED = {
    "thailand-closes.toml": {
        "routes.laos_thailand.open": False,
        "routes.burma_thailand.open": False,
        "routes.kunming_laos.open": False,
        "routes.kunming_burma.open": False,
    },
    "no-vietnam-crackdown.toml": {
        "events.vietnam_tightens.set.routes.kunming_vietnam.capture_probability": 0.15,
        "events.vietnam_tightens.set.places.vietnam.arrest_rate_per_year": 0.5,
        "events.vietnam_tightens.set.places.vietnam.deport_probability": 0.0,
    },
    "settlement-money-kept.toml": {
        "events.settlement_cut.set.places.south_korea.settlement_money_usd": 32000.0,
        "events.settlement_cut.set.places.south_korea.settlement_quarterly_usd": 0.0,
        "events.settlement_cut.set.places.south_korea.housing_money_usd": 0.0,
    },
    "broker-crackdown.toml": {
        "events.broker_crackdown.id": "broker_crackdown",
        "events.broker_crackdown.date": "2002-01",
        "events.broker_crackdown.set.brokers.arrest_rate_per_year": 2.0,
    },
    "porous-border.toml": {
        "events.border_tightens.set.routes.nh_tumen.cost_usd": 13.0,
        "events.border_tightens.set.routes.rg_tumen.cost_usd": 13.0,
        "events.border_tightens.set.routes.nh_tumen.capture_probability": 0.1,
        "events.border_tightens.set.routes.rg_tumen.capture_probability": 0.1,
        "events.tumen_rate_rises.set.routes.nh_tumen.cost_usd": 13.0,
        "events.tumen_rate_rises.set.routes.rg_tumen.cost_usd": 13.0,
    },
    "olympics-crackdown.toml": {
        "events.olympics_crackdown.set.enforcement.china.arrest_rate_per_year": 0.5,
    },
    "south-korea-proactive-asylum.toml": {
        "routes.yanbian_beijing.capture_probability": 0.6,
        "routes.liaoning_beijing.capture_probability": 0.6,
        "routes.heilongjiang_beijing.capture_probability": 0.6,
        "places.beijing_missions.wait_months": 3.0,
        "places.thailand.processing_months": 1.0,
        "places.mongolia.processing_months": 1.5,
        "places.vietnam.processing_months": 6.0,
        "events.vietnam_tightens.set.places.vietnam.processing_months": 6.0,
    },
    "china-non-refoulement.toml": {
        "enforcement.china.repatriation_probability": 0.0,
    },
}


def test_flatten_keys_arrays_of_tables_by_id():
    data = {"a": {"b": 1}, "routes": [{"id": "r", "open": True}], "regions": ["x"]}
    assert flatten(data) == {"a.b": 1, "routes.r.id": "r", "routes.r.open": True, "regions": ["x"]}


@pytest.mark.parametrize("file", sorted(EXPECTED))
def test_what_if_changes_exactly_what_it_says(file):
    assert changes(file) == EXPECTED[file]


@pytest.mark.parametrize("file", sorted(EXPECTED))
def test_what_if_has_its_own_name_a_description_and_a_comment(file):
    scenario = load_scenario(SCENARIOS / file)
    assert scenario.name == file.removesuffix(".toml")
    assert scenario.get("meta.description")
    text = (SCENARIOS / file).read_text(encoding="utf-8")
    assert text.startswith("# What if")
    assert 'extends = "baseline.toml"' in text
