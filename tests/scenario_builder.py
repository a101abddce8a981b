"""The one place tests get scenarios from (this module holds no tests).

Every scenario here is valid and simulates in a few seconds at most, independent of the shipped
baseline (which others tune). Build from these; do not paste scenario TOML into a test module.

Scenarios built from parts (:func:`place`, :func:`route`):

- :func:`small_dict` / :data:`SMALL`: a small map with every kind of place, push factors, dated
  events and free calibration parameters, 1990-2008: for validation, the command line, extends.
- :func:`ensemble_dict` / :data:`TINY` / :func:`write_tiny`: the same map for 1990-1993 with a
  thousand or so migrants, and a what-if of it: for ensemble, comparison and results-folder tests.
- :func:`tiny_dict` / :func:`tiny_scenario`: one chain home -> river -> hide -> thai -> sk with
  every process not under test switched off: for the model's process and conservation tests.
- :func:`calibration_dict` / :data:`CALIBRATION`: one origin, one way out, five years, one free
  parameter (departures, 400 a year): for calibration tests.

The shipped baseline: :data:`BASELINE`, :func:`baseline_dict`, :func:`baseline`,
:func:`baseline_until`, :func:`baseline_without_event`, :func:`baseline_run`.

Lookups in scenario data: :func:`get_place`, :func:`get_route`, :func:`get_event`. Running:
:func:`step_through`.
"""

from __future__ import annotations

import copy
import functools
import json
import tomllib
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from nkroutes.model import RouteModel, RunResult, simulate
from nkroutes.scenario import Scenario, load_scenario, scenario_from_dict
from nkroutes.scenario.toml_write import dumps

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = ROOT / "scenarios"
BASELINE = SCENARIOS / "baseline.toml"

# --- parts ---------------------------------------------------------------------------------


def place(
    pid: str, kind: str, country: str, lat: float = 40.0, lon: float = 125.0, **values: Any
) -> dict[str, Any]:
    """A [[places]] table (coordinates do not matter to the model, except to find hiding)."""
    return {"id": pid, "kind": kind, "country": country, "lat": lat, "lon": lon, **values}


def route(rid: str, start: str, end: str, **values: Any) -> dict[str, Any]:
    """A [[routes]] table from ``start`` to ``end``."""
    return {"id": rid, "from": start, "to": end, **values}


def _item(data: Mapping[str, Any], table: str, item_id: str) -> dict[str, Any]:
    return next(item for item in data[table] if item["id"] == item_id)


def get_place(data: Mapping[str, Any], place_id: str) -> dict[str, Any]:
    """The [[places]] item with this id (to edit it in place)."""
    return _item(data, "places", place_id)


def get_route(data: Mapping[str, Any], route_id: str) -> dict[str, Any]:
    """The [[routes]] item with this id (to edit it in place)."""
    return _item(data, "routes", route_id)


def get_event(data: Mapping[str, Any], event_id: str) -> dict[str, Any]:
    """The [[events]] item with this id (to edit it in place)."""
    return _item(data, "events", event_id)


# --- the small map -------------------------------------------------------------------------


def _map_places(names: bool) -> list[dict[str, Any]]:
    """The small map's places: two origins, a border, hiding, a hub, a mission, transit, two
    destinations; with display names when ``names``."""
    rows = [
        ("north_hamgyong", "North Hamgyong", "origin", "north_korea", 41.8, 129.7,
         {"departure_weight": 5.0, "region": "northeast"}),
        ("chagang", "Chagang", "origin", "north_korea", 40.9, 126.6, {"departure_weight": 1.0}),
        ("tumen", "Tumen River", "border", "north_korea", 42.4, 129.6, {}),
        ("yanbian", "Yanbian", "hiding", "china", 42.9, 129.5, {}),
        ("kunming", "Kunming", "broker_hub", "china", 25.0, 102.7,
         {"initial_brokers": 5, "serves": ["yanbian_kunming", "kunming_laos"]}),
        ("beijing_missions", "Missions in Beijing", "mission", "china", 39.9, 116.4, {}),
        ("laos", "Laos", "transit", "laos", 20.5, 101.5, {}),
        ("vietnam", "Vietnam", "transit", "vietnam", 21.0, 105.8,
         {"unhcr_access": True, "arrest_rate_per_year": 0.5}),
        ("south_korea", "South Korea", "destination", "south_korea", 37.6, 127.0,
         {"fallback": True, "settlement_money_usd": 32000.0}),
        ("japan", "Japan", "destination", "japan", 35.7, 139.7, {"acceptance_probability": 0.5}),
    ]  # fmt: skip
    return [
        place(pid, kind, country, lat, lon, **({"name": name} if names else {}), **values)
        for pid, name, kind, country, lat, lon, values in rows
    ]


def _map_routes() -> list[dict[str, Any]]:
    """The small map's routes: overland out of China by Laos or Vietnam, or by a mission."""
    return [
        route("nh_tumen", "north_hamgyong", "tumen", cost_usd=25.0, capture_probability=0.25,
              captured_by="north_korea"),
        route("chagang_tumen", "chagang", "tumen", cost_usd=25.0),
        route("tumen_yanbian", "tumen", "yanbian"),
        route("yanbian_kunming", "yanbian", "kunming", broker_fee_usd=300.0),
        route("kunming_laos", "kunming", "laos", broker_fee_usd=100.0),
        route("kunming_vietnam", "kunming", "vietnam"),
        route("laos_south_korea", "laos", "south_korea"),
        route("vietnam_south_korea", "vietnam", "south_korea"),
        route("yanbian_beijing", "yanbian", "beijing_missions"),
        route("beijing_south_korea", "beijing_missions", "south_korea"),
        route("beijing_japan", "beijing_missions", "japan"),
    ]  # fmt: skip


def small_dict() -> dict[str, Any]:
    """The small map 1990-2008 with pushes, events and free parameters (a fresh copy).

    Money sent home by those settled is kept low (2 %), so that sponsored departures do not
    grow without bound: a run has some 25,000 departures and takes a few seconds.
    """
    return {
        "meta": {"name": "small"},
        "time": {"start": "1990-01", "end": "2008-12"},
        "departures": {"base_rate_per_year": 200.0},
        "push_factors": [
            {"id": "pds", "start": "1993-01", "intensity": 2.0, "regions": ["northeast"]},
            {"id": "famine", "start": "1995-08", "end": "1999-12", "intensity": 5.0},
        ],
        "places": _map_places(names=False),
        "routes": _map_routes(),
        "chain_defection": {"share_of_settlement_sent": 0.02},
        "enforcement": {"china": {"arrest_rate_per_year": 0.15}},
        "events": [
            {"id": "porous_border", "date": "1997-01", "set": {"routes.nh_tumen.cost_usd": 13.0}},
            {
                "id": "crackdown",
                "date": "2008-01",
                "set": {"enforcement.china.arrest_rate_per_year": 0.25},
            },
        ],
        "calibration": {
            "free": [
                {
                    "id": "base_departures",
                    "path": "departures.base_rate_per_year",
                    "min": 100.0,
                    "max": 5000.0,
                    "log": True,
                },
                {"id": "famine", "path": "push_factors.famine.intensity", "min": 1.0, "max": 40.0},
                {
                    "id": "chain_share",
                    "path": "chain_defection.share_of_settlement_sent",
                    "min": 0.0,
                    "max": 0.8,
                },
            ]
        },
    }


#: :func:`small_dict` as TOML text.
SMALL = dumps(small_dict())


def ensemble_dict() -> dict[str, Any]:
    """The small map 1990-1993 with a thousand or so migrants, named "tiny" (a fresh copy).

    Four years, the last with the north-east's push factor: a run takes about 0.1 s (seven
    years took 0.3 s; most tests of ensembles, folders and comparisons run a few of these).
    """
    return {
        "meta": {"name": "tiny", "description": "A small network for tests."},
        "time": {"start": "1990-01", "end": "1993-12"},
        "departures": {"base_rate_per_year": 200.0},
        "push_factors": [
            {"id": "pds", "start": "1993-01", "intensity": 2.0, "regions": ["northeast"]}
        ],
        "places": _map_places(names=True),
        "routes": _map_routes(),
        "chain_defection": {"share_of_settlement_sent": 0.02},
        "enforcement": {"china": {"arrest_rate_per_year": 0.15}},
    }


#: :func:`ensemble_dict` as TOML text (written as ``tiny.toml`` by :func:`write_tiny`).
TINY = dumps(ensemble_dict())

#: A what-if of ``tiny.toml``: China releases everyone it arrests.
TINY_NO_REPATRIATION = """
extends = "tiny.toml"

[meta]
name = "tiny-no-repatriation"
description = "China never repatriates."

[enforcement.china]
repatriation_probability = 0.0
"""


#: An end for :func:`write_tiny` that makes each replicate take about 0.3 s: for the tests that
#: interrupt a run between replicates and need time to do it (a signal, a killed worker).
SLOWER_TINY_END = "1996-12"


def write_tiny(folder: Path, end: str | None = None) -> tuple[Path, Path]:
    """Write tiny.toml (:data:`TINY`) and its what-if into ``folder``; return both paths.

    Args:
        folder: Where to write them (created if need be).
        end: Another ``time.end`` (YYYY-MM) for tiny.toml, e.g. :data:`SLOWER_TINY_END`.
    """
    folder.mkdir(parents=True, exist_ok=True)
    base = folder / "tiny.toml"
    if end is None:
        base.write_text(TINY, encoding="utf-8")
    else:
        data = ensemble_dict()
        data["time"]["end"] = end
        base.write_text(dumps(data), encoding="utf-8")
    whatif = folder / "tiny-no-repatriation.toml"
    whatif.write_text(TINY_NO_REPATRIATION, encoding="utf-8")
    return base, whatif


# --- one chain, processes switched off -----------------------------------------------------


def tiny_dict() -> dict[str, Any]:
    """One chain of places with everything not under test switched off (a fresh copy).

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
            route("home_river", "home", "river", captured_by="north_korea"),
            route("river_hide", "river", "hide"),
            route("hide_thai", "hide", "thai"),
            route("thai_sk", "thai", "sk"),
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
    """:func:`tiny_dict`, validated, with dotted-path overrides and/or an edit of its data."""
    data = tiny_dict()
    if edit is not None:
        edit(data)
    return scenario_from_dict(data, source="<tiny>", overrides=overrides)


# --- calibration ---------------------------------------------------------------------------

#: Departures a year in :func:`calibration_dict` (the value a calibration should recover).
CALIBRATION_TRUTH = 400.0
#: Made-up observed arrivals for :func:`calibration_dict`'s five years (1996-2000), near what
#: it simulates at :data:`CALIBRATION_TRUTH`, so that most parameter sets run to the end.
CALIBRATION_OBSERVED = pd.DataFrame(
    {"year": [1996, 1997, 1998, 1999, 2000], "arrivals": [20, 110, 270, 330, 250]}
)


def calibration_dict(free: bool = True, arrivals_distance: str | None = None) -> dict[str, Any]:
    """Five years, one origin, one way out; :data:`CALIBRATION_TRUTH` departures a year.

    Args:
        free: Whether to declare the free parameter (departures) and the targets' years.
        arrivals_distance: ``calibration.targets.arrivals_distance`` if given (with ``free``).
    """
    data: dict[str, Any] = {
        "meta": {"name": "tiny"},
        "time": {"start": "1996-01", "end": "2000-12"},
        "departures": {"base_rate_per_year": CALIBRATION_TRUTH},
        "push_factors": [
            {"id": "famine", "start": "1997-01", "end": "1998-12", "intensity": 2.0}
        ],
        "places": [
            place("home", "origin", "north_korea", 41.8, 129.7, departure_weight=1.0),
            place("river", "border", "north_korea", 42.4, 129.6),
            place("yanbian", "hiding", "china", 42.9, 129.5),
            place("thailand", "transit", "thailand", 18.3, 100.2, unhcr_access=True,
                  processing_months=2.0),
            place("south_korea", "destination", "south_korea", 37.6, 127.0, fallback=True),
        ],
        "routes": [
            route("home_river", "home", "river", cost_usd=10.0, capture_probability=0.2,
                  captured_by="north_korea"),
            route("river_yanbian", "river", "yanbian"),
            route("yanbian_thailand", "yanbian", "thailand", duration_days=20, cost_usd=20.0,
                  capture_probability=0.3),
            route("thailand_south_korea", "thailand", "south_korea"),
        ],
        "enforcement": {"china": {"arrest_rate_per_year": 0.2, "exit_attempt_rate_per_year": 0.5}},
    }  # fmt: skip
    if free:
        data["calibration"] = {
            "free": [
                {
                    "id": "departures",
                    "path": "departures.base_rate_per_year",
                    "min": 50.0,
                    "max": 3000.0,
                    "log": True,
                }
            ],
            "targets": {
                "years_from": 1996,
                "years_to": 2000,
                "stock_years_to": 2000,
                # the stayed-two-years share is compared in 2006, after the run
                "weights": {"broker_assisted_share_2004": 0.0, "stayed_two_years_share": 0.0},
            },
        }
        if arrivals_distance is not None:
            data["calibration"]["targets"]["arrivals_distance"] = arrivals_distance
    return data


def write_posterior(
    folder: Path,
    values: list[float],
    weights: Any,
    path: str = "departures.base_rate_per_year",
) -> Path:
    """A calibration folder with only what a posterior's reader needs, and return it.

    One parameter, ``departures`` at ``path``: ``calibration.json`` names it and
    ``posterior.csv`` holds one set per value (evaluations 11, 22, 33, ...) with its weight.
    """
    folder.mkdir(parents=True, exist_ok=True)
    settings = {"parameters": [{"id": "departures", "path": path, "low": 50, "high": 3000}]}
    (folder / "calibration.json").write_text(json.dumps(settings), encoding="utf-8")
    pd.DataFrame(
        {
            "rank": range(1, len(values) + 1),
            "evaluation": [11 * (i + 1) for i in range(len(values))],
            "departures": values,
            "weight": weights,
        }
    ).to_csv(folder / "posterior.csv", index=False)
    return folder


#: :func:`calibration_dict` as TOML text.
CALIBRATION = dumps(calibration_dict())


# --- the shipped baseline ------------------------------------------------------------------


def baseline_dict() -> dict[str, Any]:
    """The baseline file as parsed TOML (a fresh copy each time)."""
    with BASELINE.open("rb") as f:
        return tomllib.load(f)


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
    data["uncertainty"] = [
        u
        for u in data.get("uncertainty", [])
        if not u["path"].startswith("push_factors.") or u["path"].split(".")[1] in kept
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
