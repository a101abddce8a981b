"""A tiny, fast scenario (1990-1996, a few thousand migrants) for ensemble and comparison tests.

Self-contained (independent of the shipped baseline, which is being tuned), so that the
ensemble tests stay fast and their logic does not depend on calibration.
"""

from __future__ import annotations

from pathlib import Path

TINY = """
[meta]
name = "tiny"
description = "A small network for tests."

[time]
start = "1990-01"
end = "1996-12"

[departures]
base_rate_per_year = 200.0

[[push_factors]]
id = "pds"
start = "1993-01"
intensity = 2.0
regions = ["northeast"]

[[places]]
id = "north_hamgyong"
name = "North Hamgyong"
kind = "origin"
country = "north_korea"
lat = 41.8
lon = 129.7
departure_weight = 5.0
region = "northeast"

[[places]]
id = "chagang"
name = "Chagang"
kind = "origin"
country = "north_korea"
lat = 40.9
lon = 126.6
departure_weight = 1.0

[[places]]
id = "tumen"
name = "Tumen River"
kind = "border"
country = "north_korea"
lat = 42.4
lon = 129.6

[[places]]
id = "yanbian"
name = "Yanbian"
kind = "hiding"
country = "china"
lat = 42.9
lon = 129.5

[[places]]
id = "kunming"
name = "Kunming"
kind = "broker_hub"
country = "china"
lat = 25.0
lon = 102.7
initial_brokers = 5
serves = ["yanbian_kunming", "kunming_laos"]

[[places]]
id = "beijing_missions"
name = "Missions in Beijing"
kind = "mission"
country = "china"
lat = 39.9
lon = 116.4

[[places]]
id = "laos"
name = "Laos"
kind = "transit"
country = "laos"
lat = 20.5
lon = 101.5

[[places]]
id = "thailand"
name = "Thailand"
kind = "transit"
country = "thailand"
lat = 18.3
lon = 100.2
unhcr_access = true
arrest_rate_per_year = 0.5

[[places]]
id = "south_korea"
name = "South Korea"
kind = "destination"
country = "south_korea"
lat = 37.6
lon = 127.0
fallback = true
settlement_money_usd = 32000.0

[[places]]
id = "japan"
name = "Japan"
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
id = "laos_thailand"
from = "laos"
to = "thailand"
capture_probability = 0.1

[[routes]]
id = "thailand_south_korea"
from = "thailand"
to = "south_korea"

[[routes]]
id = "yanbian_beijing"
from = "yanbian"
to = "beijing_missions"
capture_probability = 0.5

[[routes]]
id = "beijing_south_korea"
from = "beijing_missions"
to = "south_korea"

[[routes]]
id = "beijing_japan"
from = "beijing_missions"
to = "japan"

[chain_defection]
share_of_settlement_sent = 0.02

[enforcement.china]
arrest_rate_per_year = 0.15
"""

#: A what-if of the tiny scenario: China releases everyone it arrests.
TINY_NO_REPATRIATION = """
extends = "tiny.toml"

[meta]
name = "tiny-no-repatriation"
description = "China never repatriates."

[enforcement.china]
repatriation_probability = 0.0
"""


def write_tiny(folder: Path) -> tuple[Path, Path]:
    """Write tiny.toml and its what-if into ``folder``; return both paths."""
    folder.mkdir(parents=True, exist_ok=True)
    base = folder / "tiny.toml"
    base.write_text(TINY, encoding="utf-8")
    whatif = folder / "tiny-no-repatriation.toml"
    whatif.write_text(TINY_NO_REPATRIATION, encoding="utf-8")
    return base, whatif
