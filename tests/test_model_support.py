"""Shared builders for the route-model tests (this module holds no tests).

- :func:`tiny_scenario`: one origin, one border, one hiding place in China, a broker hub, a
  transit country with UNHCR access and a destination, with every process that is not under
  test switched off, so each test sets only the probabilities it checks.
- :func:`baseline` / :func:`baseline_until`: the baseline scenario, whole or cut short.
- :func:`baseline_run`: cached runs of the baseline (several test modules share them).
- :func:`step_through`: run a model step by step, calling a check after every step.
"""

from __future__ import annotations

import copy
import functools
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from nkroutes.model import RouteModel, RunResult, simulate
from nkroutes.scenario import Scenario, load_scenario, scenario_from_dict

BASELINE = Path(__file__).resolve().parents[1] / "scenarios" / "baseline.toml"


def place(pid: str, kind: str, country: str, **values: Any) -> dict[str, Any]:
    """A place table (coordinates do not matter to the model, except to find hiding)."""
    return {"id": pid, "kind": kind, "country": country, "lat": 40.0, "lon": 125.0, **values}


def tiny_dict() -> dict[str, Any]:
    """The tiny scenario as plain data, with everything not under test switched off.

    home (origin) -> river (border) -> hide (hiding, China) -> thai (transit, UNHCR) -> sk
    (destination, fallback). A broker hub ``hub`` exists with no brokers and serves nothing.
    Nobody is caught, dies, settles, is trafficked, saves, retries or is sponsored; every
    migrant hiding tries to leave with hazard 12 a year (p = 1 - exp(-1) a month).
    """
    return {
        "meta": {"name": "tiny"},
        "time": {"start": "1990-01", "end": "1999-12", "step": "month"},
        "population": {"savings_usd_median": 30.0, "savings_usd_log_sd": 0.0},
        "departures": {"base_rate_per_year": 600.0},
        "push_factors": [],
        "places": [
            place("home", "origin", "north_korea", departure_weight=1.0),
            place("river", "border", "north_korea"),
            place("hide", "hiding", "china"),
            place("hub", "broker_hub", "china", initial_brokers=0, serves=[]),
            place("thai", "transit", "thailand", unhcr_access=True, processing_months=1.0),
            place("sk", "destination", "south_korea", fallback=True, settlement_money_usd=0.0),
        ],
        "routes": [
            {"id": "home_river", "from": "home", "to": "river", "captured_by": "north_korea"},
            {"id": "river_hide", "from": "river", "to": "hide"},
            {"id": "hide_thai", "from": "hide", "to": "thai"},
            {"id": "thai_sk", "from": "thai", "to": "sk"},
        ],
        "brokers": {
            "recruits_per_assisted_arrival": 0.0,
            "quit_rate_per_year": 0.0,
            "arrest_rate_per_year": 0.0,
            "fee_enforcement_elasticity": 0.0,
        },
        "chain_defection": {"share_of_settlement_sent": 0.0, "remittance_usd_per_year": 0.0},
        "enforcement": {
            "china": {
                "arrest_rate_per_year": 0.0,
                "savings_usd_per_month": 0.0,
                "exit_attempt_rate_per_year": 12.0,
                "sponsored_exit_attempt_rate_per_year": 12.0,
                "settle_rate_per_year": 0.0,
                "trafficking_rate_per_year": 0.0,
            },
            "north_korea": {"retry_probability": 0.0, "camp_death_rate_per_year": 0.0},
        },
        "route_choice": {"risk_aversion": 0.0, "cost_sensitivity_per_1000_usd": 0.0},
    }


def tiny_scenario(
    overrides: Mapping[str, Any] | None = None,
    edit: Callable[[dict[str, Any]], None] | None = None,
) -> Scenario:
    """The tiny scenario, validated, with dotted-path overrides and/or an edit of its data."""
    data = tiny_dict()
    if edit is not None:
        edit(data)
    return scenario_from_dict(data, source="<tiny>", overrides=overrides)


@functools.cache
def baseline() -> Scenario:
    """The baseline scenario as checked in."""
    return load_scenario(BASELINE)


def baseline_until(end: str, overrides: Mapping[str, Any] | None = None) -> Scenario:
    """The baseline cut at ``end`` (YYYY-MM), without the events and pushes after it."""
    data = copy.deepcopy(baseline().to_dict())
    data["time"]["end"] = end
    data["events"] = [e for e in data["events"] if e["date"] <= end]
    data["push_factors"] = [f for f in data["push_factors"] if f["start"] <= end]
    kept = {f["id"] for f in data["push_factors"]}
    data.setdefault("calibration", {})["free"] = [
        c
        for c in data.get("calibration", {}).get("free", [])
        if not c["path"].startswith("push_factors.") or c["path"].split(".")[1] in kept
    ]
    return scenario_from_dict(data, source=f"<baseline to {end}>", overrides=overrides)


def baseline_without_event(event_id: str) -> Scenario:
    """The baseline with one dated event removed."""
    data = copy.deepcopy(baseline().to_dict())
    before = len(data["events"])
    data["events"] = [e for e in data["events"] if e["id"] != event_id]
    assert len(data["events"]) == before - 1, f"no event {event_id!r} in the baseline"
    return scenario_from_dict(data, source=f"<baseline without {event_id}>")


@functools.cache
def baseline_run(seed: int) -> RunResult:
    """The whole baseline run once per seed and test session (do not modify the result)."""
    return simulate(baseline(), seed=seed)


def step_through(
    scenario: Scenario, seed: int, check: Callable[[RouteModel, int], None]
) -> RouteModel:
    """Run a model step by step; ``check(model, step)`` is called after every step."""
    model = RouteModel(scenario, seed=seed)
    while model.running:
        step = model.step_index
        model.step()
        check(model, step)
    return model
