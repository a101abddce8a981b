"""Checks of the key paths a scenario names: ``[events.set]``, ``[[calibration.free]]``, ranges.

An event may change any value the model reads while it runs (a route's cost, a place's
arrest rate, China's repatriation probability); a free calibration parameter may be any
number, including one an event sets. Paths go through arrays of tables by id, so they are
checked against this scenario's ids.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from nkroutes.scenario.collect import Collector, Parts
from nkroutes.scenario.paths import PathError, get_path, join_path
from nkroutes.scenario.rules import check_regions, items, min_max_problem, reference_problem
from nkroutes.scenario.rules_uncertainty import (
    check_key_limits,
    check_uncertainty,
    check_used_once,
)
from nkroutes.scenario.schema import SCENARIO
from nkroutes.scenario.schema_paths import Resolved, UnknownPathError, resolve_key
from nkroutes.scenario.spec import TableArray
from nkroutes.scenario.values import (
    TYPE_WORDS,
    check_value,
    is_number,
    normalise,
)

#: Top-level tables whose values are fixed for the whole run.
FIXED_TABLES = ("extends", "meta", "time", "events", "calibration", "uncertainty")
#: Keys of array items that identify them and cannot change.
FIXED_KEYS = (
    "id",
    *(a.variant_key for a in SCENARIO.keys.values() if isinstance(a, TableArray) and a.variant_key),
)


def check_path_rules(data: dict[str, Any], col: Collector) -> None:
    """Check the events and the calibration parameters.

    Event values are also made canonical (numbers as floats) in place.

    Args:
        data: Output of :func:`~nkroutes.scenario.structure.check_structure`.
        col: Receives every problem found.
    """
    check_events(data, col)
    check_calibration(data, col)
    check_uncertainty(data, col)


def resolve_changeable(
    text: str, data: Mapping[str, Any], fixed_tables: tuple[str, ...]
) -> Resolved:
    """Resolve a dotted path to a value that may be changed during or between runs.

    Args:
        text: The dotted path.
        data: The scenario data.
        fixed_tables: Top-level tables the path may not go into.

    Returns:
        The resolved key.

    Raises:
        UnknownPathError: If the path names no value, or one that cannot be changed.
    """
    parts = text.split(".")
    if "" in parts:
        raise UnknownPathError("an empty part between dots", "a dotted key path like a.b.c")
    resolved = resolve_key(parts, data)
    if resolved.parts[0] in fixed_tables or resolved.parts[-1] in FIXED_KEYS:
        raise UnknownPathError(
            "a value that cannot change",
            f"a path outside {', '.join(fixed_tables)} and not an item's {' or '.join(FIXED_KEYS)}",
        )
    return resolved


def check_events(data: dict[str, Any], col: Collector) -> None:
    """Each event must set existing keys to allowed values.

    Its date may fall outside the run: an event dated before ``time.start`` is in force from
    the first step, one dated after ``time.end`` never applies (so ``--set time.end=...``
    can shorten a scenario whose timeline goes on). Its ``end``, if given, is not before
    its date.
    """
    for path, event in items(data, "events"):
        start, end = event.get("date"), event.get("end")
        if isinstance(start, str) and isinstance(end, str) and end and end < start:
            col.add((*path, "end"), f'"{end}"', f'a month on or after its date "{start}"')
        changes = event.get("set")
        if isinstance(changes, dict):
            for key, value in changes.items():
                if isinstance(key, str):
                    changes[key] = _check_change(key, value, (*path, "set", key), data, col)


def _check_change(key: str, value: Any, where: Parts, data: dict[str, Any], col: Collector) -> Any:
    try:
        resolved = resolve_changeable(key, data, FIXED_TABLES)
    except UnknownPathError as problem:
        if col.has_problem_at((key.split(".")[0],)):
            return value  # through a table or array itself wrong (reported)
        suggestion = problem.suggested_path(key.split("."))
        col.add(where, problem.found, problem.expected, suggestion)
        return value
    mismatch = check_value(resolved.key, value)
    if mismatch is not None:
        found = mismatch.found
        if mismatch.index is not None:
            found += f" at position {mismatch.index}"
        col.add(where, found, f"{mismatch.expected}, as for {join_path(resolved.parts)}")
        return value
    reference_problem(resolved.key, value, where, data, col)
    if resolved.parts[0] == "push_factors" and resolved.parts[-1] == "regions":
        check_regions(value, where, data, col)  # as the factor's own regions are checked
    return normalise(resolved.key, value)


def check_calibration(data: Mapping[str, Any], col: Collector) -> None:
    """Each free parameter must name a number, with bounds in order and within its range."""
    calibration = data.get("calibration")
    if not isinstance(calibration, Mapping):
        return
    first_use: dict[str, Any] = {}
    for path, item in items(calibration, "free"):
        path = ("calibration", *path)
        low, high = item.get("min"), item.get("max")
        min_max_problem(col, (*path, "min"), low, high, "max", (*path, "max"))
        text = item.get("path")
        if not isinstance(text, str):
            continue
        try:
            resolved = resolve_changeable(
                text, data, ("extends", "meta", "time", "calibration", "uncertainty")
            )
        except UnknownPathError as problem:
            if col.has_problem_at((text.split(".")[0],)):
                continue  # through a table or array itself wrong (reported)
            found = f'"{text}" ({problem.found})'
            col.add(
                (*path, "path"), found, problem.expected, problem.suggested_path(text.split("."))
            )
            continue
        key = resolved.key
        if key.type == "any":
            try:
                current = get_path(data, resolved.parts)
            except PathError:
                current = None
            numeric = is_number(current)
        else:
            numeric = key.type == "number"
        if not numeric:
            col.add(
                (*path, "path"),
                f'"{text}", {TYPE_WORDS[key.type]}',
                "the path of a number (type number) to calibrate",
            )
            continue
        canonical = join_path(resolved.parts)
        check_used_once(col, path, text, canonical, first_use, "free")
        check_key_limits(col, path, key, canonical, (("min", low), ("max", high)))
        if item.get("log") is True and is_number(low) and low <= 0:
            col.add(
                (*path, "min"),
                f"{low} with log = true",
                "a number > 0 (a log scale starts above 0)",
            )
