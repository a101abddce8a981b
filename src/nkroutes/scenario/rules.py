"""Checks that look at several keys at once: dates, references between ids, the network.

They run on the data after :func:`~nkroutes.scenario.structure.check_structure`, which
may still hold values of the wrong type (already reported): every check here skips what
it cannot read instead of failing on it. A problem that several values cause together
passes their paths (``because=``), so that it names the source that changed one of them
last (a ``--set``, or the what-if rather than the baseline it extends).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator, Mapping
from typing import Any

from nkroutes.scenario.collect import Collector, Parts
from nkroutes.scenario.paths import PathError, get_path, join_path
from nkroutes.scenario.rules_events import check_event_collisions
from nkroutes.scenario.schema import SCENARIO
from nkroutes.scenario.schema_paths import item_table
from nkroutes.scenario.spec import Key, TableArray
from nkroutes.scenario.structure import item_parts
from nkroutes.scenario.suggest import closest, listing
from nkroutes.scenario.values import is_number, parse_date

#: (min, max) key pairs where min must not exceed max.
MIN_MAX_PAIRS = (
    (
        "enforcement.north_korea.detention_months_min",
        "enforcement.north_korea.detention_months_max",
    ),
    (
        "enforcement.north_korea.labour_camp_years_min",
        "enforcement.north_korea.labour_camp_years_max",
    ),
)


def check_rules(data: dict[str, Any], col: Collector) -> None:
    """Run every cross-key check on structurally checked data.

    Args:
        data: Output of :func:`~nkroutes.scenario.structure.check_structure`.
        col: Receives every problem found.
    """
    check_time(data, col)
    check_references(data, col)
    check_fallback(data, col)
    check_reachable(data, col)
    check_push_factors(data, col)
    check_min_max(data, col)
    check_share_weights(data, col)
    check_event_collisions(data, col)


def items(data: Mapping[str, Any], name: str) -> Iterator[tuple[Parts, Mapping[str, Any]]]:
    """The tables of a top-level array of tables, each with its key path."""
    value = data.get(name)
    for item, part in zip(value or (), item_parts(value), strict=False):
        if isinstance(item, Mapping):
            yield (name, part), item


def ids(data: Mapping[str, Any], name: str) -> list[str]:
    """The ids of a top-level array of tables."""
    return [p[1] for p, _ in items(data, name) if isinstance(p[1], str)]


def run_months(data: Mapping[str, Any]) -> tuple[tuple[int, int], tuple[int, int]] | None:
    """The first and last simulated (year, month), or ``None`` if unreadable."""
    time = data.get("time")
    if not isinstance(time, Mapping):
        return None
    start, end = _date(time.get("start")), _date(time.get("end"))
    return (start, end) if start is not None and end is not None else None


def _date(value: Any) -> tuple[int, int] | None:
    return parse_date(value) if isinstance(value, str) else None


def check_time(data: Mapping[str, Any], col: Collector) -> None:
    """``time.end`` must not come before ``time.start``."""
    months = run_months(data)
    if months is not None and months[1] < months[0]:
        start, end = data["time"]["start"], data["time"]["end"]
        col.add(
            ("time", "end"),
            f'"{end}" (before time.start "{start}")',
            "a month not before time.start",
            because=[("time", "start"), ("time", "end")],
        )


def reference_problem(
    key: Key, value: Any, path: Parts, data: Mapping[str, Any], col: Collector
) -> None:
    """Report the ids in ``value`` that name no item of the array ``key.ref``.

    Args:
        key: A key whose values are ids of ``key.ref`` (``"places"``, ``"routes"``).
        value: One id or an array of ids.
        path: The key path of ``value``.
        data: The scenario data.
        col: Receives the problems.
    """
    if key.ref is None or col.has_problem_at((key.ref,)):
        return  # the array itself is wrong (reported): its ids cannot be told
    known = ids(data, key.ref)
    values = value if isinstance(value, list | tuple) else [value]
    for i, one in enumerate(values):
        if isinstance(one, str) and one not in known:
            where = (*path, i) if isinstance(value, list | tuple) else path
            col.add(
                where,
                f'"{one}" (no such id in [[{key.ref}]])',
                f"the id of one of the [[{key.ref}]]",
                closest(one, known),
            )


def check_references(data: Mapping[str, Any], col: Collector) -> None:
    """Routes must name known places, broker hubs known routes (every ``Key.ref``)."""
    for name, spec in SCENARIO.keys.items():
        if not isinstance(spec, TableArray):
            continue
        for path, item in items(data, name):
            table = item_table(spec, item)
            for key_name, key in table.keys.items() if table else ():
                if isinstance(key, Key) and key.ref is not None and key_name in item:
                    reference_problem(key, item[key_name], (*path, key_name), data, col)


def _places_of_kind(data: Mapping[str, Any], kind: str) -> list[tuple[Parts, Mapping[str, Any]]]:
    return [(p, item) for p, item in items(data, "places") if item.get("kind") == kind]


def check_fallback(data: Mapping[str, Any], col: Collector) -> None:
    """Exactly one destination must take everyone refused elsewhere."""
    if not any(True for _ in items(data, "places")):
        return  # no places at all: reported as a missing array
    destinations = _places_of_kind(data, "destination")
    fallbacks = [p for p, item in destinations if item.get("fallback") is True]
    expected = 'exactly one [[places]] item of kind "destination" with fallback = true'
    if not fallbacks:
        col.add(
            ("places",),
            "no destination with fallback = true",
            expected,
            because=[(*p, "fallback") for p, _ in destinations],
        )
    for path in fallbacks[1:]:
        col.add(
            (*path, "fallback"),
            f"true (a second fallback destination after {fallbacks[0][1]})",
            expected,
        )


def _opened_by_events(data: Mapping[str, Any]) -> set[str]:
    """Routes that some ``[[events]]`` entry opens (``routes.<id>.open = true``)."""
    opened = set()
    for _, event in items(data, "events"):
        changes = event.get("set")
        for path, value in changes.items() if isinstance(changes, Mapping) else ():
            parts = path.split(".") if isinstance(path, str) else []
            if len(parts) == 3 and parts[0] == "routes" and parts[2] == "open" and value is True:
                opened.add(parts[1])
    return opened


def check_reachable(data: Mapping[str, Any], col: Collector) -> None:
    """Every destination must be reachable from some origin along open routes.

    A route counts as open if it is open at the start or an event opens it later.
    """
    origin_places = _places_of_kind(data, "origin")
    if not any(True for _ in items(data, "places")):
        return  # no places at all: reported as a missing array
    if not origin_places:
        col.add(
            ("places",),
            'no place of kind "origin"',
            'at least one [[places]] item of kind "origin"',
            because=[(*p, "kind") for p, _ in items(data, "places")],
        )
        return
    opened = _opened_by_events(data)
    onward: dict[str, list[str]] = {}
    closed: list[tuple[Parts, Any]] = []
    for path, route in items(data, "routes"):
        start, end = route.get("from"), route.get("to")
        usable = route.get("open") is True or path[1] in opened
        if usable and isinstance(start, str) and isinstance(end, str):
            onward.setdefault(start, []).append(end)
        elif not usable:
            closed.append(((*path, "open"), end))
    reached = {path[1] for path, _ in origin_places if isinstance(path[1], str)}
    queue = deque(reached)
    while queue:
        for nxt in onward.get(queue.popleft(), []):
            if nxt not in reached:
                reached.add(nxt)
                queue.append(nxt)
    # Blamed: the destination itself and the closed routes into places not reached.
    closing = [open_path for open_path, end in closed if end not in reached]
    for path, _ in _places_of_kind(data, "destination"):
        if isinstance(path[1], str) and path[1] not in reached:
            col.add(
                path,
                "a destination that no origin can reach through open routes",
                "a destination reachable from an origin along routes with open = true",
                because=[path, *closing],
            )


def check_regions(named: Any, where: Parts, data: Mapping[str, Any], col: Collector) -> None:
    """Each region a push factor names (``where``: its ``regions``) is some origin's region."""
    if col.has_problem_at(("places",)):
        return  # [[places]] itself is wrong (reported): its origins cannot be told
    regions = sorted(
        {r for _, p in _places_of_kind(data, "origin") if isinstance(r := p.get("region"), str)}
    )
    for i, region in enumerate(named if isinstance(named, list | tuple) else ()):
        if isinstance(region, str) and region not in regions:
            col.add(
                (*where, i),
                f'"{region}" (no origin has this region)',
                f"the region of some origin: {listing(regions)}",
                closest(region, regions),
            )


def check_push_factors(data: Mapping[str, Any], col: Collector) -> None:
    """A push factor must not end before it starts, and must name known origin regions."""
    for path, factor in items(data, "push_factors"):
        start, end = _date(factor.get("start")), _date(factor.get("end"))
        if start is not None and end is not None and end < start:
            col.add(
                (*path, "end"),
                f'"{factor["end"]}" (before its start "{factor["start"]}")',
                'a month not before start, or "" (to the end of the run)',
                because=[(*path, "start"), (*path, "end")],
            )
        check_regions(factor.get("regions"), (*path, "regions"), data, col)


def _number_at(data: Mapping[str, Any], dotted: str) -> float | None:
    try:
        value = get_path(data, dotted)
    except PathError:
        return None
    return value if is_number(value) else None


def min_max_problem(
    col: Collector, path: Parts, low: Any, high: Any, high_name: str, high_path: Parts
) -> None:
    """Report ``low`` at ``path`` if both are numbers and it exceeds ``high`` (at ``high_path``)."""
    if is_number(low) and is_number(high) and low > high:
        col.add(
            path,
            f"{low} (more than {high_name} = {high})",
            f"a number <= {high_name}",
            because=[path, high_path],
        )


def check_min_max(data: Mapping[str, Any], col: Collector) -> None:
    """The smallest value of a range must not exceed the largest."""
    for low, high in MIN_MAX_PAIRS:
        min_max_problem(
            col,
            tuple(low.split(".")),
            _number_at(data, low),
            _number_at(data, high),
            high.split(".")[-1],
            tuple(high.split(".")),
        )


#: Weights the model shares something out by (weight / sum of the weights): the kind of place
#: that has the weight, its key, and what is expected of it (see :func:`check_share_weights`).
SHARE_WEIGHTS = (
    (
        "origin",
        "departure_weight",
        "at least one origin with departure_weight > 0 throughout the run (departures leave "
        "each origin in proportion to its weight; to stop them all, set "
        "departures.base_rate_per_year = 0)",
    ),
    (
        "destination",
        "preference_weight",
        "at least one destination with preference_weight > 0 throughout the run (migrants in a "
        "transit country or mission apply to a destination in proportion to its weight, and "
        "with every weight 0 none of them ever leaves)",
    ),
)


def check_share_weights(data: Mapping[str, Any], col: Collector) -> None:
    """Some origin must have a departure weight, and some destination a preference weight, > 0.

    What a weight of 0 does in the model:

    - Departures (:mod:`nkroutes.model.processes.departures`) leave each origin at the rate
      ``... * weight / sum of the origins' weights``. One origin at 0 sends nobody, which is
      fine. With every origin at 0 the share is 0 / 0: NaN, a ``RuntimeWarning``, and no
      departures at all, not even the relatives whose family pays; a run then "succeeds"
      with nothing in it. Refused: ``departures.base_rate_per_year = 0`` says "nobody
      leaves" without dividing by 0.
    - A migrant whose case ends in a transit country or a mission
      (:mod:`nkroutes.model.processes.transit`) applies to one of the destinations that open
      routes lead to from there, with probability ``preference_weight / sum of their
      weights``. One destination at 0 is fine: nobody asks for it, and the fallback
      destination still takes everyone refused elsewhere whatever its own weight. With every
      destination at 0 nobody applies anywhere, so nobody ever leaves a transit country or a
      mission (arrivals then come only from routes straight to a destination). Refused.

    Only "every weight 0" is refused. A transit country whose own destinations all have
    weight 0 (others not) is not checked: it depends on which routes are open when.

    Events may change weights: they are checked as they stand at the first step (with the
    events dated up to ``time.start`` applied) and after the events of each later month of
    the run. Weights of the wrong type were reported already; the check is then skipped.
    """
    for kind, key, expected in SHARE_WEIGHTS:
        places = [(p, item) for p, item in _places_of_kind(data, kind) if isinstance(p[1], str)]
        weights = {p[1]: item.get(key) for p, item in places}
        if not weights or not all(is_number(w) for w in weights.values()):
            continue
        sources: dict[str, Parts] = {p[1]: (*p, key) for p, _ in places}
        for date, changes in _weight_changes(data, key, set(weights)):
            for place_id, value, where in changes:
                weights[place_id], sources[place_id] = value, where
            if all(w == 0 for w in weights.values()):
                named = sorted({join_path(where[:2]) for _, _, where in changes})
                when = "" if date is None else f" from {date} on (after {', '.join(named)})"
                col.add(
                    ("places",),
                    f"{key} = 0 for every {kind} ({listing(list(weights))}){when}",
                    expected,
                    because=list(sources.values()),
                )
                break


WeightChange = tuple[str, float, Parts]


def _weight_changes(
    data: Mapping[str, Any], key: str, place_ids: set[str]
) -> list[tuple[str | None, list[WeightChange]]]:
    """How events change the places' ``key`` during the run, month by month.

    Args:
        data: The scenario data.
        key: The weight's key.
        place_ids: The places that have it.

    Returns:
        ``(None, changes in force at the first step)`` (none if the run's months cannot be
        read), then ``(month, changes)`` for each later month of the run in which an event
        changes a weight. Each change is ``(place id, new weight, path of the event's
        value)``; values that are not numbers (reported elsewhere) are left out.
    """
    moments: list[tuple[str | None, list[WeightChange]]] = [(None, [])]
    months = run_months(data)
    if months is None:
        return moments
    dated = []
    for path, event in items(data, "events"):
        date, changes = event.get("date"), event.get("set")
        month = _date(date)
        if month is None or month > months[1] or not isinstance(changes, Mapping):
            continue
        for text, value in changes.items():
            parts = text.split(".") if isinstance(text, str) else []
            names_weight = len(parts) == 3 and parts[0] == "places" and parts[2] == key
            if names_weight and parts[1] in place_ids and is_number(value):
                dated.append((month, date, (parts[1], float(value), (*path, "set", text))))
    dated.sort(key=lambda d: d[0])  # stable: events of a month in file order, as the model
    for month, date, change in dated:
        if month <= months[0]:
            moments[0][1].append(change)
        elif moments[-1][0] == date:
            moments[-1][1].append(change)
        else:
            moments.append((date, [change]))
    return moments
