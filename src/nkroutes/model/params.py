"""The scenario compiled into arrays and typed records the processes read.

A :class:`Params` is rebuilt from the scenario's values whenever an ``[[events]]`` entry
changes them, so processes never look values up by name in the hot loop. Place and route
order is the scenario's order; indices are stable for the whole run (events change values,
never the network's shape).

Everything here is built from the schema (:mod:`nkroutes.scenario.schema`): each global
table is a typed record (:mod:`nkroutes.model.records`) named in :data:`SECTIONS`, and a
value a place or route leaves out takes its schema default. No default is repeated here, so
adding a key to one of those tables needs no edit in this module.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from nkroutes.model.clock import Clock
from nkroutes.model.records import record, record_type
from nkroutes.scenario.schema import PLACE_VARIANTS, ROUTES, SCENARIO
from nkroutes.scenario.spec import Table

#: The scenario's global tables the processes read: attribute of :class:`Params` (and the
#: record's class name) by dotted path of the table in the schema.
SECTIONS: dict[str, str] = {
    "population": "population",
    "departures": "departures",
    "brokers": "brokers",
    "chain": "chain_defection",
    "china": "enforcement.china",
    "north_korea": "enforcement.north_korea",
    "route_choice": "route_choice",
}

KIND_CODES = {
    "origin": 0,
    "border": 1,
    "broker_hub": 2,
    "hiding": 3,
    "mission": 4,
    "transit": 5,
    "destination": 6,
}


@dataclass(frozen=True)
class PushFactor:
    """One push episode compiled to steps.

    Attributes:
        id: Its id.
        first_step: First step it is active.
        last_step: Last step it is active (inclusive).
        intensity: Added to the departure multiplier while active.
        origin_mask: Which origins (in origin order) it affects.
    """

    id: str
    first_step: int
    last_step: int
    intensity: float
    origin_mask: np.ndarray


@dataclass(frozen=True)
class Params:
    """Everything the processes need, as arrays and numbers.

    Arrays are indexed by place or route index. ``population``, ``departures``,
    ``brokers``, ``chain``, ``china``, ``north_korea`` and ``route_choice`` are typed records
    of the tables named in :data:`SECTIONS`, with one attribute per schema key
    (``p.china.arrest_rate_per_year``).
    """

    place_ids: tuple[str, ...]
    kind: np.ndarray
    in_china: np.ndarray
    in_north_korea: np.ndarray
    hiding_arrest_multiplier: np.ndarray
    mission_wait_months: np.ndarray
    unhcr_access: np.ndarray
    transit_arrest_rate: np.ndarray
    deport_probability: np.ndarray
    processing_months: np.ndarray
    preference_weight: np.ndarray
    acceptance_probability: np.ndarray
    fallback_destination: int
    settlement_money_usd: np.ndarray
    origins: np.ndarray
    origin_weights: np.ndarray
    push_factors: tuple[PushFactor, ...]
    route_ids: tuple[str, ...]
    route_from: np.ndarray
    route_to: np.ndarray
    route_duration_days: np.ndarray
    route_cost_usd: np.ndarray
    route_broker_fee_usd: np.ndarray
    route_death: np.ndarray
    route_capture: np.ndarray
    route_captured_by_nk: np.ndarray
    route_alone_allowed: np.ndarray
    route_weight: np.ndarray
    route_open: np.ndarray
    out_start: np.ndarray
    out_routes: np.ndarray
    hub_places: np.ndarray
    hub_initial_brokers: np.ndarray
    route_hubs: tuple[tuple[int, ...], ...]
    population: Any
    departures: Any
    brokers: Any
    chain: Any
    china: Any
    north_korea: Any
    route_choice: Any

    @property
    def n_places(self) -> int:
        """Number of places."""
        return len(self.place_ids)

    @property
    def n_routes(self) -> int:
        """Number of routes."""
        return len(self.route_ids)

    def routes_from(self, place: int) -> np.ndarray:
        """Indices of the routes that leave ``place``."""
        return self.out_routes[self.out_start[place] : self.out_start[place + 1]]

    def push_multiplier(self, step: int) -> np.ndarray:
        """Departure multiplier for each origin at ``step`` (1 + active intensities)."""
        multiplier = np.ones(len(self.origins))
        for factor in self.push_factors:
            if factor.first_step <= step <= factor.last_step:
                multiplier += factor.intensity * factor.origin_mask
        return multiplier


def _table(schema: Table, path: str) -> Table:
    node: Any = schema
    for part in path.split("."):
        node = node.keys[part]
    return node


def _values(data: dict[str, Any], path: str) -> dict[str, Any]:
    node: Any = data
    for part in path.split("."):
        node = node.get(part, {})
    return node


def sections(
    data: dict[str, Any], schema: Table = SCENARIO, types: dict[str, type] | None = None
) -> dict[str, Any]:
    """The typed records of the global tables in :data:`SECTIONS`.

    Args:
        data: The scenario's values (a table or key left out takes the schema default).
        schema: The schema to build them from (a copy with more keys in tests).
        types: Record classes by attribute name, built for ``schema`` by an earlier call;
            filled in here with any missing, so that a later call reuses them.

    Returns:
        The records by attribute name of :class:`Params`.
    """
    types = {} if types is None else types
    out = {}
    for name, path in SECTIONS.items():
        table = _table(schema, path)
        if name not in types:
            types[name] = record_type(name.title().replace("_", ""), table)
        out[name] = record(types[name].__name__, table, _values(data, path), types[name])
    return out


def _place_default(kind: str, key: str) -> Any:
    return PLACE_VARIANTS[kind].keys[key].default


def _route_default(key: str) -> Any:
    return ROUTES.item.keys[key].default


def compile_params(
    data: dict[str, Any],
    clock: Clock,
    schema: Table = SCENARIO,
    types: dict[str, type] | None = None,
) -> Params:
    """Compile resolved scenario values (a plain dict) into :class:`Params`.

    Args:
        data: The scenario's resolved values, e.g. ``Scenario.to_dict()`` after events; a
            value left out takes its schema default.
        clock: The run's calendar, to turn dates into steps.
        schema: The schema the typed records are built from.
        types: The record classes of an earlier compile with the same schema, to reuse
            (see :func:`sections`).

    Returns:
        The compiled parameters.
    """
    places = data["places"]
    routes = data["routes"]
    place_index = {p["id"]: i for i, p in enumerate(places)}
    n_places = len(places)

    def per_place(kind: str, key: str, fill: float = 0.0) -> np.ndarray:
        """One value per place: the key's for places of ``kind``, ``fill`` for others."""
        default = _place_default(kind, key)
        return np.array([float(p.get(key, default)) if p["kind"] == kind else fill for p in places])

    kind = np.array([KIND_CODES[p["kind"]] for p in places], dtype=np.int8)
    origins = np.flatnonzero(kind == KIND_CODES["origin"])
    origin_regions = [places[i].get("region", _place_default("origin", "region")) for i in origins]
    push_factors = []
    for factor in data.get("push_factors", []):
        regions = set(factor.get("regions", []))
        mask = np.array([1.0 if not regions or r in regions else 0.0 for r in origin_regions])
        last = clock.step_of(factor["end"]) if factor.get("end") else clock.n_steps
        last_step = clock.n_steps - 1 if not factor.get("end") else _last_step_of(clock, last)
        push_factors.append(
            PushFactor(
                factor["id"],
                clock.step_of(factor["start"]),
                last_step,
                float(factor["intensity"]),
                mask,
            )
        )

    route_from = np.array([place_index[r["from"]] for r in routes], dtype=np.int16)
    order = np.argsort(route_from, kind="stable")
    out_start = np.searchsorted(route_from[order], np.arange(n_places + 1)).astype(np.int32)

    route_index = {r["id"]: i for i, r in enumerate(routes)}
    hubs = [i for i, p in enumerate(places) if p["kind"] == "broker_hub"]
    route_hubs: list[list[int]] = [[] for _ in routes]
    for h in hubs:
        for rid in places[h]["serves"]:
            route_hubs[route_index[rid]].append(h)
    fallback = [
        i
        for i, p in enumerate(places)
        if p["kind"] == "destination"
        and p.get("fallback", _place_default("destination", "fallback"))
    ]

    def route_col(key: str, dtype: Any = float) -> np.ndarray:
        default = _route_default(key)
        return np.array([r.get(key, default) for r in routes], dtype=dtype)

    return Params(
        place_ids=tuple(p["id"] for p in places),
        kind=kind,
        in_china=np.array([p.get("country") == "china" for p in places]),
        in_north_korea=np.array([p.get("country") == "north_korea" for p in places]),
        hiding_arrest_multiplier=per_place("hiding", "arrest_rate_multiplier", 1.0),
        mission_wait_months=per_place("mission", "wait_months"),
        unhcr_access=np.array(
            [
                p["kind"] == "transit"
                and bool(p.get("unhcr_access", _place_default("transit", "unhcr_access")))
                for p in places
            ]
        ),
        transit_arrest_rate=per_place("transit", "arrest_rate_per_year"),
        deport_probability=per_place("transit", "deport_probability"),
        processing_months=per_place("transit", "processing_months"),
        preference_weight=per_place("destination", "preference_weight"),
        acceptance_probability=per_place("destination", "acceptance_probability"),
        fallback_destination=fallback[0] if fallback else -1,
        settlement_money_usd=per_place("destination", "settlement_money_usd"),
        origins=origins,
        origin_weights=np.array([float(places[i]["departure_weight"]) for i in origins]),
        push_factors=tuple(push_factors),
        route_ids=tuple(r["id"] for r in routes),
        route_from=route_from,
        route_to=np.array([place_index[r["to"]] for r in routes], dtype=np.int16),
        route_duration_days=route_col("duration_days"),
        route_cost_usd=route_col("cost_usd"),
        route_broker_fee_usd=route_col("broker_fee_usd"),
        route_death=route_col("death_probability"),
        route_capture=route_col("capture_probability"),
        route_captured_by_nk=np.array(
            [r.get("captured_by", _route_default("captured_by")) == "north_korea" for r in routes]
        ),
        route_alone_allowed=route_col("alone_allowed", bool),
        route_weight=route_col("choice_weight"),
        route_open=route_col("open", bool),
        out_start=out_start,
        out_routes=order.astype(np.int16),
        hub_places=np.array(hubs, dtype=np.int16),
        hub_initial_brokers=np.array(
            [int(places[h]["initial_brokers"]) for h in hubs], dtype=np.int32
        ),
        route_hubs=tuple(tuple(h) for h in route_hubs),
        **sections(data, schema, types),
    )


def _last_step_of(clock: Clock, first_step_after: int) -> int:
    """Last step of the month named by ``end`` (its first step was ``first_step_after``)."""
    # `end` names the last active month: active through every step that starts in it.
    step = first_step_after
    if step >= clock.n_steps:
        return clock.n_steps - 1
    month = (clock.starts[step].year, clock.starts[step].month)
    while (
        step + 1 < clock.n_steps
        and (
            clock.starts[step + 1].year,
            clock.starts[step + 1].month,
        )
        == month
    ):
        step += 1
    return step
