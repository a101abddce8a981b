"""The app's levers: the what-ifs users ask about, as sliders and switches on a scenario.

Each lever changes the resolved scenario values (a plain dict, as
:meth:`nkroutes.scenario.Scenario.to_dict` gives) before a model is built. A lever at its
default leaves the scenario exactly as loaded, so the page starts on the scenario's own run.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

#: Path of China's repatriation probability (chance an arrested migrant is sent back).
REPATRIATION_PATH = "enforcement.china.repatriation_probability"
#: Event whose values make the northern border porous (1997-1999 in the baseline).
POROUS_EVENT = "porous_border"
#: The place whose settlement money the "kept" switch holds at its starting value.
SETTLEMENT_PLACE = "south_korea"
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
    Lever("proactive_asylum", "South Korea's proactive asylum", "Checkbox"),
)


def lever_defaults(values: dict[str, Any]) -> dict[str, Any]:
    """Each lever's value that leaves a scenario unchanged."""
    return {
        "repatriation_probability": float(_get(values, REPATRIATION_PATH)),
        "thailand_open": _thailand_is_open(values),
        "broker_fee_factor": 1.0,
        "settlement_money_kept": False,
        "border_stays_porous": False,
        "proactive_asylum": False,
    }


def model_params(values: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Mesa ``SolaraViz`` ``model_params`` for the levers, starting at a scenario's values."""
    defaults = lever_defaults(values)
    params: dict[str, dict[str, Any]] = {}
    for lever in LEVERS:
        entry: dict[str, Any] = {
            "type": lever.kind,
            "value": defaults[lever.name],
            "label": lever.label,
        }
        if lever.kind != "Checkbox":
            entry.update(min=lever.minimum, max=lever.maximum, step=lever.step)
        params[lever.name] = entry
    return params


def apply_levers(values: dict[str, Any], **levers: Any) -> dict[str, Any]:
    """A copy of scenario values with the levers applied (levers not given stay as they are).

    Args:
        values: Resolved scenario values.
        **levers: Any of :data:`LEVERS` by name. ``repatriation_probability`` (0-1) holds for
            the whole run; ``thailand_open=False`` closes every route into Thailand and those
            into places that then lead nowhere; ``broker_fee_factor`` multiplies every route's
            broker fee (US$); ``settlement_money_kept`` drops events that change the
            settlement money; ``border_stays_porous`` drops later events that undo the
            porous-border event; ``proactive_asylum`` makes the way to foreign missions safer
            and halves waits there and in transit countries.

    Returns:
        New scenario values (``values`` is not changed).
    """
    unknown = set(levers) - {lever.name for lever in LEVERS}
    if unknown:
        raise TypeError(f"unknown levers: {', '.join(sorted(unknown))}")
    out = copy.deepcopy(values)
    defaults = lever_defaults(values)
    setting = {**defaults, **levers}
    if setting["repatriation_probability"] != defaults["repatriation_probability"]:
        _hold(out, REPATRIATION_PATH, float(setting["repatriation_probability"]))
    if not setting["thailand_open"] and defaults["thailand_open"]:
        _close_thailand(out)
    if setting["broker_fee_factor"] != 1.0:
        for route in out.get("routes", []):
            if "broker_fee_usd" in route:
                route["broker_fee_usd"] = float(route["broker_fee_usd"]) * float(
                    setting["broker_fee_factor"]
                )
    if setting["settlement_money_kept"]:
        for key in ("settlement_money_usd", "settlement_quarterly_usd", "housing_money_usd"):
            _drop_event_paths(out, f"places.{SETTLEMENT_PLACE}.{key}")
    if setting["border_stays_porous"]:
        _keep_porous(out)
    if setting["proactive_asylum"]:
        _proactive_asylum(out)
    return out


def _get(values: dict[str, Any], path: str) -> Any:
    node: Any = values
    for key in path.split("."):
        node = node[key]
    return node


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


def _thailand_is_open(values: dict[str, Any]) -> bool:
    return any(r.get("to") == "thailand" and r.get("open", True) for r in values.get("routes", []))


def _close_thailand(values: dict[str, Any]) -> None:
    """Close routes into Thailand, then routes into transit places left with no way out."""
    routes = values.get("routes", [])
    for route in routes:
        if route.get("to") == "thailand":
            route["open"] = False
    kinds = _places_by_kind(values)
    changed = True
    while changed:
        changed = False
        leads_on = {r["from"] for r in routes if r.get("open", True)}
        for route in routes:
            target = route.get("to")
            if (
                route.get("open", True)
                and kinds.get(target) == "transit"
                and target not in leads_on
            ):
                route["open"] = False
                changed = True


def _keep_porous(values: dict[str, Any]) -> None:
    events = sorted(values.get("events", []), key=lambda e: e["date"])
    porous = next((e for e in events if e.get("id") == POROUS_EVENT), None)
    if porous is None:
        return
    for event in events:
        if event["date"] > porous["date"]:
            for path in porous.get("set", {}):
                event.get("set", {}).pop(path, None)


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
