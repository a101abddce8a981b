"""Shared fixtures: the baseline as data, scenario files in tmp_path, the CLI runner."""

from __future__ import annotations

import copy
import sys
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from nkroutes.cli import main
from nkroutes.scenario.toml_write import dumps

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = ROOT / "scenarios"
BASELINE = SCENARIOS / "baseline.toml"


def baseline_dict() -> dict[str, Any]:
    """The baseline file as parsed TOML (a fresh copy each time)."""
    with BASELINE.open("rb") as f:
        return tomllib.load(f)


_BASELINE = baseline_dict()

#: A small valid scenario, independent of the shipped baseline (which others tune).
SMALL = """
[meta]
name = "small"

[time]
start = "1990-01"
end = "2008-12"

[departures]
base_rate_per_year = 1000.0

[[push_factors]]
id = "pds"
start = "1993-01"
intensity = 2.0
regions = ["northeast"]

[[push_factors]]
id = "famine"
start = "1995-08"
end = "1999-12"
intensity = 15.0

[[places]]
id = "north_hamgyong"
kind = "origin"
country = "north_korea"
lat = 41.8
lon = 129.7
departure_weight = 5.0
region = "northeast"

[[places]]
id = "chagang"
kind = "origin"
country = "north_korea"
lat = 40.9
lon = 126.6
departure_weight = 1.0

[[places]]
id = "tumen"
kind = "border"
country = "north_korea"
lat = 42.4
lon = 129.6

[[places]]
id = "yanbian"
kind = "hiding"
country = "china"
lat = 42.9
lon = 129.5

[[places]]
id = "kunming"
kind = "broker_hub"
country = "china"
lat = 25.0
lon = 102.7
initial_brokers = 5
serves = ["yanbian_kunming", "kunming_laos"]

[[places]]
id = "beijing_missions"
kind = "mission"
country = "china"
lat = 39.9
lon = 116.4

[[places]]
id = "laos"
kind = "transit"
country = "laos"
lat = 20.5
lon = 101.5

[[places]]
id = "vietnam"
kind = "transit"
country = "vietnam"
lat = 21.0
lon = 105.8
unhcr_access = true
arrest_rate_per_year = 0.5

[[places]]
id = "south_korea"
kind = "destination"
country = "south_korea"
lat = 37.6
lon = 127.0
fallback = true
settlement_money_usd = 32000.0

[[places]]
id = "japan"
kind = "destination"
country = "japan"
lat = 35.7
lon = 139.7
acceptance_probability = 0.5

[[routes]]
id = "nh_tumen"
from = "north_hamgyong"
to = "tumen"
cost_usd = 25.0
capture_probability = 0.25
captured_by = "north_korea"

[[routes]]
id = "chagang_tumen"
from = "chagang"
to = "tumen"
cost_usd = 25.0

[[routes]]
id = "tumen_yanbian"
from = "tumen"
to = "yanbian"

[[routes]]
id = "yanbian_kunming"
from = "yanbian"
to = "kunming"
broker_fee_usd = 300.0

[[routes]]
id = "kunming_laos"
from = "kunming"
to = "laos"
broker_fee_usd = 100.0

[[routes]]
id = "kunming_vietnam"
from = "kunming"
to = "vietnam"

[[routes]]
id = "laos_south_korea"
from = "laos"
to = "south_korea"

[[routes]]
id = "vietnam_south_korea"
from = "vietnam"
to = "south_korea"

[[routes]]
id = "yanbian_beijing"
from = "yanbian"
to = "beijing_missions"

[[routes]]
id = "beijing_south_korea"
from = "beijing_missions"
to = "south_korea"

[[routes]]
id = "beijing_japan"
from = "beijing_missions"
to = "japan"

[enforcement.china]
arrest_rate_per_year = 0.15

[[events]]
id = "porous_border"
date = "1997-01"
[events.set]
"routes.nh_tumen.cost_usd" = 13.0

[[events]]
id = "crackdown"
date = "2008-01"
[events.set]
"enforcement.china.arrest_rate_per_year" = 0.25

[[calibration.free]]
id = "base_departures"
path = "departures.base_rate_per_year"
min = 100.0
max = 5000.0
log = true

[[calibration.free]]
id = "famine"
path = "push_factors.famine.intensity"
min = 1.0
max = 40.0

[[calibration.free]]
id = "chain_share"
path = "chain_defection.share_of_settlement_sent"
min = 0.0
max = 0.8
"""

_SMALL = tomllib.loads(SMALL)


@pytest.fixture
def small() -> dict[str, Any]:
    """A fresh, mutable copy of the small test scenario's data."""
    return copy.deepcopy(_SMALL)


@pytest.fixture
def baseline() -> dict[str, Any]:
    """A fresh, mutable copy of the baseline file's data."""
    return copy.deepcopy(_BASELINE)


@pytest.fixture
def write(tmp_path: Path) -> Callable[..., Path]:
    """write(data, name="s.toml") -> path: write data (dict or TOML text) to tmp_path."""

    def _write(data: dict[str, Any] | str, name: str = "s.toml") -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(data if isinstance(data, str) else dumps(data), encoding="utf-8")
        return path

    return _write


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch) -> Callable[..., Result]:
    """cli(*args) -> click Result of running ``nkroutes args``.

    ``sys.argv`` is set as the shell would set it, so commands that record their own
    command line (the manifest) see ``nkroutes args`` and not pytest's arguments.
    """
    runner = CliRunner()

    def _invoke(*args: Any) -> Result:
        argv = [str(a) for a in args]
        monkeypatch.setattr(sys, "argv", ["nkroutes", *argv])
        return runner.invoke(main, argv, catch_exceptions=False)

    return _invoke


def place(data: dict[str, Any], place_id: str) -> dict[str, Any]:
    """The [[places]] item with this id."""
    return next(p for p in data["places"] if p["id"] == place_id)


def route(data: dict[str, Any], route_id: str) -> dict[str, Any]:
    """The [[routes]] item with this id."""
    return next(r for r in data["routes"] if r["id"] == route_id)


def event(data: dict[str, Any], event_id: str) -> dict[str, Any]:
    """The [[events]] item with this id."""
    return next(e for e in data["events"] if e["id"] == event_id)
