"""The app's levers: the what-ifs users ask about, as sliders and switches on a scenario.

Each lever changes the resolved scenario values (a plain dict, as
:meth:`nkroutes.scenario.Scenario.to_dict` gives) before a model is built. A lever at its
default leaves the scenario exactly as loaded, so the page starts on the scenario's own run.
A switch's default is the scenario's own state (Thailand closed on ``thailand-closes.toml``,
the money kept on ``settlement-money-kept.toml``), events included; a switch set the other
way holds its state for the whole run, and one the scenario gives no way to change (money
kept with no cut to restore) is refused with a :class:`ValueError`, as is a value outside a
lever's range.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from nkroutes.scenario import get_path
from nkroutes.scenario.values import month_after

#: Path of China's repatriation probability (chance an arrested migrant is sent back).
REPATRIATION_PATH = "enforcement.china.repatriation_probability"
#: Event whose values make the northern border porous (1997-1999 in the baseline).
POROUS_EVENT = "porous_border"
#: The place whose settlement money the "kept" switch holds at its starting value.
SETTLEMENT_PLACE = "south_korea"
#: The settlement money's keys (of :data:`SETTLEMENT_PLACE`) the "kept" switch holds.
SETTLEMENT_KEYS = ("settlement_money_usd", "settlement_quarterly_usd", "housing_money_usd")
#: The place the Thailand switch opens or closes.
THAILAND = "thailand"
#: Proactive asylum: capture probability on routes to foreign missions, times this.
ASYLUM_CAPTURE_FACTOR = 0.6 / 0.85
#: Proactive asylum: waits at missions and in transit countries, times this.
ASYLUM_WAIT_FACTOR = 0.5


@dataclass(frozen=True)
class Lever:
    """One control on the page: a slider (``min < max``) or a switch (``kind == "Checkbox"``).

    Attributes:
        name: Keyword of the model's constructor.
        label: What the page shows.
        kind: Mesa's input type: ``"SliderFloat"`` or ``"Checkbox"``.
        minimum: Smallest slider value (unused for switches).
        maximum: Largest slider value.
        step: Slider step.
    """

    name: str
    label: str
    kind: str
    minimum: float = 0.0
    maximum: float = 1.0
    step: float = 0.05


LEVERS: tuple[Lever, ...] = (
    Lever("repatriation_probability", "China: repatriation probability", "SliderFloat"),
    Lever("thailand_open", "Thailand open", "Checkbox"),
    Lever("broker_fee_factor", "Broker fees (x scenario's)", "SliderFloat", 0.25, 3.0, 0.25),
    Lever("settlement_money_kept", "Settlement money kept at its 1990s level", "Checkbox"),
    Lever("border_stays_porous", "Border stays porous after 1999", "Checkbox"),
    Lever(
        "proactive_asylum", "South Korea's proactive asylum, on top of the scenario's", "Checkbox"
    ),
)


def lever_defaults(values: dict[str, Any]) -> dict[str, Any]:
    """Each lever's value that leaves a scenario unchanged: the scenario's own state.

    ``thailand_open`` is ``None`` when the scenario's events open or close Thailand during the
    run (neither switch position leaves it unchanged).
    """
    return {
        "repatriation_probability": float(get_path(values, REPATRIATION_PATH)),
        "thailand_open": _thailand_state(values),
        "broker_fee_factor": 1.0,
        "settlement_money_kept": not _changes(values, _settlement_paths()),
        "border_stays_porous": _border_stays_porous(values),
        "proactive_asylum": False,
    }


def model_params(values: dict[str, Any]) -> dict[str, Any]:
    """Mesa ``SolaraViz`` ``model_params`` for the levers, starting at a scenario's values.

    A switch the scenario gives no way to turn (see :func:`apply_levers`) is a fixed ``None``
    (as in the scenario) instead of a control.
    """
    defaults = lever_defaults(values)
    params: dict[str, Any] = {}
    for lever in LEVERS:
        default = defaults[lever.name]
        if lever.kind == "Checkbox" and not _can_turn(values, lever.name, default):
            params[lever.name] = None
            continue
        entry: dict[str, Any] = {"type": lever.kind, "value": default, "label": lever.label}
        if lever.kind != "Checkbox":
            entry.update(min=lever.minimum, max=lever.maximum, step=lever.step)
        params[lever.name] = entry
    return params


def check_lever(name: str, value: Any) -> None:
    """Refuse a value a lever cannot take: a slider's outside its range, a switch's not a bool.

    Raises:
        ValueError: Naming the lever, what was found and what was expected.
        TypeError: ``name`` is not a lever.
    """
    lever = _LEVER_BY_NAME.get(name)
    if lever is None:
        raise TypeError(f"unknown levers: {name}")
    if lever.kind == "Checkbox":
        if not isinstance(value, bool):
            raise ValueError(f"{name}: found {value!r}, expected true or false")
        return
    expected = f"a number from {lever.minimum:g} to {lever.maximum:g}"
    is_number = isinstance(value, int | float) and not isinstance(value, bool)
    if not is_number or not math.isfinite(value) or not lever.minimum <= value <= lever.maximum:
        raise ValueError(f"{name}: found {value!r}, expected {expected}")


def apply_levers(values: dict[str, Any], **levers: Any) -> dict[str, Any]:
    """A copy of scenario values with the levers applied (levers not given stay as they are).

    A lever given at its default (:func:`lever_defaults`) changes nothing.

    Args:
        values: Resolved scenario values.
        **levers: Any of :data:`LEVERS` by name. ``repatriation_probability`` (0-1) holds for
            the whole run; ``thailand_open`` opens (``True``) or closes (``False``) every
            route into Thailand, and those into transit places that lead only there, for the
            whole run (events that open or close them are dropped); ``broker_fee_factor``
            (0.25-3) multiplies every route's broker fee (US$); ``settlement_money_kept``
            drops events that change the settlement money; ``border_stays_porous`` drops later
            events that undo the porous-border event; ``proactive_asylum`` makes the way to
            foreign missions safer and halves waits there and in transit countries.

    Returns:
        New scenario values (``values`` is not changed).

    Raises:
        TypeError: An unknown lever.
        ValueError: A value outside its lever's range, or a switch the scenario gives no way
            to turn: ``settlement_money_kept=False`` when it has no cut to restore,
            ``border_stays_porous=False`` when nothing ends the porous border,
            ``border_stays_porous=True`` when it has no porous-border event.
    """
    unknown = set(levers) - set(_LEVER_BY_NAME)
    if unknown:
        raise TypeError(f"unknown levers: {', '.join(sorted(unknown))}")
    for name, value in levers.items():
        check_lever(name, value)
    out = copy.deepcopy(values)
    defaults = lever_defaults(values)
    changed = {k: v for k, v in levers.items() if v != defaults[k]}
    if "repatriation_probability" in changed:
        _hold(out, REPATRIATION_PATH, float(changed["repatriation_probability"]))
    if "thailand_open" in changed:
        _set_thailand(out, changed["thailand_open"])
    if "broker_fee_factor" in changed:
        for route in out.get("routes", []):
            if "broker_fee_usd" in route:
                route["broker_fee_usd"] = float(route["broker_fee_usd"]) * float(
                    changed["broker_fee_factor"]
                )
    if "settlement_money_kept" in changed:
        if not changed["settlement_money_kept"]:
            raise ValueError(
                "settlement_money_kept: found false, expected true for this scenario: its "
                f"settlement money ({', '.join(SETTLEMENT_KEYS)} of {SETTLEMENT_PLACE}) "
                "never changes, so there is no cut to restore"
            )
        for path in _settlement_paths():
            _drop_event_paths(out, path)
    if "border_stays_porous" in changed:
        _keep_porous(out, changed["border_stays_porous"])
    if changed.get("proactive_asylum"):
        _proactive_asylum(out)
    return out


_LEVER_BY_NAME = {lever.name: lever for lever in LEVERS}


def _hold(values: dict[str, Any], path: str, value: float) -> None:
    """Set a value for the whole run: its starting value, and no event changes it."""
    *parents, last = path.split(".")
    node = values
    for key in parents:
        node = node[key]
    node[last] = value
    _drop_event_paths(values, path)


def _drop_event_paths(values: dict[str, Any], path: str) -> None:
    for event in values.get("events", []):
        event.get("set", {}).pop(path, None)


def _places_by_kind(values: dict[str, Any]) -> dict[str, str]:
    return {str(p["id"]): str(p.get("kind", "")) for p in values.get("places", [])}


def _timeline(values: dict[str, Any], paths: set[str]) -> Iterator[dict[str, Any]]:
    """The values at ``paths`` at the start, then after each event or its end.

    Events apply in date order and an event with an ``end`` puts back, from the month after
    it, the values it replaced, as :class:`nkroutes.model.RouteModel` does; those after
    ``time.end`` never apply.
    """
    current = {path: get_path(values, path) for path in paths}
    yield dict(current)
    entries = []
    for order, event in enumerate(sorted(values.get("events", []), key=lambda e: e["date"])):
        entries.append((event["date"], order, 0, event))
        if event.get("end"):
            entries.append((month_after(event["end"]), order, 1, event))
    replaced: dict[int, dict[str, Any]] = {}
    last = str(values.get("time", {}).get("end") or "9999-12")
    for month, order, ends, event in sorted(entries, key=lambda e: e[:3]):
        if month > last:
            break
        changes = event.get("set", {})
        if ends:
            current.update(replaced.pop(order, {}))
        else:
            replaced[order] = {p: current[p] for p in changes if p in current}
            current.update({p: v for p, v in changes.items() if p in current})
        yield dict(current)


def _changes(values: dict[str, Any], paths: set[str]) -> bool:
    """Whether any event changes a value at ``paths`` during the run."""
    states = _timeline(values, paths)
    first = next(states)
    return any(state != first for state in states)


def _settlement_paths() -> set[str]:
    return {f"places.{SETTLEMENT_PLACE}.{key}" for key in SETTLEMENT_KEYS}


def _thailand_routes(values: dict[str, Any]) -> tuple[set[str], set[str]]:
    """Ids of the routes into Thailand, and of those into transit places leading only there."""
    routes = values.get("routes", [])
    kinds = _places_by_kind(values)
    leads_only_there = {THAILAND}
    changed = True
    while changed:
        changed = False
        for place, kind in kinds.items():
            outs = [r.get("to") for r in routes if r.get("from") == place]
            if (
                kind == "transit"
                and place not in leads_only_there
                and outs
                and all(to in leads_only_there for to in outs)
            ):
                leads_only_there.add(place)
                changed = True
    into = {str(r["id"]) for r in routes if r.get("to") == THAILAND}
    corridor = {str(r["id"]) for r in routes if r.get("to") in leads_only_there - {THAILAND}}
    return into, corridor


def _thailand_state(values: dict[str, Any]) -> bool | None:
    """Whether a route into Thailand is open all run (``None``: events change that)."""
    into, _ = _thailand_routes(values)
    paths = {f"routes.{rid}.open" for rid in into}
    states = {any(state.values()) for state in _timeline(values, paths)}
    return states.pop() if len(states) == 1 else None


def _set_thailand(values: dict[str, Any], is_open: bool) -> None:
    """Open or close Thailand's routes (and its corridors') for the whole run."""
    into, corridor = _thailand_routes(values)
    for route in values.get("routes", []):
        if route.get("id") in into | corridor:
            route["open"] = is_open
            _drop_event_paths(values, f"routes.{route['id']}.open")


def _porous_event(values: dict[str, Any]) -> dict[str, Any] | None:
    return next((e for e in values.get("events", []) if e.get("id") == POROUS_EVENT), None)


def _border_stays_porous(values: dict[str, Any]) -> bool:
    """Whether the porous-border event's values hold from its date to the end of the run."""
    porous = _porous_event(values)
    if porous is None:
        return False
    held = dict(porous.get("set", {}))
    states = list(_timeline(values, set(held)))
    first = next((i for i, state in enumerate(states) if state == held), None)
    return first is not None and all(state == held for state in states[first:])


def _keep_porous(values: dict[str, Any], stays: bool) -> None:
    porous = _porous_event(values)
    if porous is None:
        raise ValueError(
            f"border_stays_porous: found true, expected false for this scenario: it has no "
            f"{POROUS_EVENT!r} event to keep"
        )
    if not stays:
        raise ValueError(
            "border_stays_porous: found false, expected true for this scenario: no later "
            f"event undoes its {POROUS_EVENT!r} event, so there is no tightening to restore"
        )
    if porous.get("end"):
        porous["end"] = ""
    for event in values.get("events", []):
        if event["date"] > porous["date"]:
            for path in porous.get("set", {}):
                event.get("set", {}).pop(path, None)


def _can_turn(values: dict[str, Any], name: str, default: bool | None) -> bool:
    """Whether the switch ``name`` can be set to both positions on these values."""
    if default is None:
        return False
    try:
        apply_levers(values, **{name: not default})
    except ValueError:
        return False
    return True


def _proactive_asylum(values: dict[str, Any]) -> None:
    kinds = _places_by_kind(values)
    for route in values.get("routes", []):
        if kinds.get(route.get("to")) == "mission" and "capture_probability" in route:
            route["capture_probability"] = float(route["capture_probability"]) * (
                ASYLUM_CAPTURE_FACTOR
            )
    for place in values.get("places", []):
        for key in ("wait_months", "processing_months"):
            if key in place and place.get("kind") in ("mission", "transit"):
                place[key] = float(place[key]) * ASYLUM_WAIT_FACTOR
    for event in values.get("events", []):
        for path, value in list(event.get("set", {}).items()):
            if path.endswith((".wait_months", ".processing_months")):
                event["set"][path] = float(value) * ASYLUM_WAIT_FACTOR
