"""The keys of a scenario file: type, unit, default, range, meaning and source of each.

This tree is the single definition of the scenario language and of the model's parameters.
The loader checks files against it, :mod:`nkroutes.model.params` builds the model's typed
parameters from it, and :mod:`nkroutes.scenario.docs` writes ``docs/scenarios.md`` and the
parameter tables of ``docs/ODD.md`` from it, so a key is documented and reaches the model
exactly when it is declared here. Each section lives in its own module:

- :mod:`.run`: ``[meta]``, ``[time]`` and ``[calibration]``;
- :mod:`.network`: ``[[places]]`` and ``[[routes]]``;
- :mod:`.behaviour`: ``[population]``, ``[departures]``, ``[brokers]``,
  ``[chain_defection]`` and ``[route_choice]``;
- :mod:`.enforcement`: ``[enforcement.china]`` and ``[enforcement.north_korea]``;
- :mod:`.timeline`: ``[[push_factors]]`` and ``[[events]]``;
- :mod:`.uncertainty`: ``[[uncertainty]]``, plausible ranges for sensitivity analysis.

Rates are per year and turned into a per-step probability ``p = 1 - exp(-rate * dt)``;
probabilities are per event (one crossing, one arrest); money is in US dollars of the day.
"""

from __future__ import annotations

from nkroutes.scenario.schema.behaviour import (
    BROKERS,
    CHAIN,
    DEPARTURES,
    POPULATION,
    ROUTE_CHOICE,
)
from nkroutes.scenario.schema.enforcement import CHINA, ENFORCEMENT, NORTH_KOREA
from nkroutes.scenario.schema.limits import MAX_TIMELINE_ITEMS
from nkroutes.scenario.schema.network import PLACE_KINDS, PLACE_VARIANTS, PLACES, ROUTES
from nkroutes.scenario.schema.run import CALIBRATION, META, STEP_LENGTHS, TIME
from nkroutes.scenario.schema.timeline import EVENT, PUSH_FACTOR
from nkroutes.scenario.schema.uncertainty import UNCERTAINTY
from nkroutes.scenario.spec import REQUIRED, Key, Table, TableArray

SCENARIO = Table(
    {
        "extends": Key(
            "str", "Path (relative to this file) of a scenario this one overrides.", default=""
        ),
        "meta": META,
        "time": TIME,
        "population": POPULATION,
        "departures": DEPARTURES,
        "push_factors": TableArray(
            item=PUSH_FACTOR,
            doc="Dated episodes that push people to leave.",
            max_items=MAX_TIMELINE_ITEMS,
        ),
        "places": PLACES,
        "routes": ROUTES,
        "brokers": BROKERS,
        "chain_defection": CHAIN,
        "enforcement": ENFORCEMENT,
        "route_choice": ROUTE_CHOICE,
        "events": TableArray(item=EVENT, doc="Dated policy changes.", max_items=MAX_TIMELINE_ITEMS),
        "calibration": CALIBRATION,
        "uncertainty": UNCERTAINTY,
    },
    doc="A whole scenario.",
)

__all__ = [
    "CHINA",
    "NORTH_KOREA",
    "PLACES",
    "PLACE_KINDS",
    "PLACE_VARIANTS",
    "REQUIRED",
    "ROUTES",
    "SCENARIO",
    "STEP_LENGTHS",
    "TIME",
]
