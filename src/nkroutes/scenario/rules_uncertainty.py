"""Checks of ``[[uncertainty]]``: each range names a number and holds its value.

A range must name a number the model reads (a path as for ``[events.set]``, through arrays
of tables by id), have ``low < high`` within the key's allowed range, and start above 0 on a
log scale. Each path may be ranged once. Whether a range holds the scenario's value is
checked where ranges are used (:func:`nkroutes.sensitivity.ranges.ranges_of`): a what-if,
``--set`` or the app may move a value outside an inherited range (that value is then the
scenario's lever, which sensitivity analysis keeps as it is).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from nkroutes.scenario.collect import Collector, Parts
from nkroutes.scenario.paths import PathError, get_path, join_path
from nkroutes.scenario.rules import items
from nkroutes.scenario.schema_paths import UnknownPathError
from nkroutes.scenario.values import TYPE_WORDS, is_number, number_text

#: Top-level tables an uncertain value may not be in (fixed for a run, or not a value).
NOT_RANGED = ("extends", "meta", "time", "events", "calibration", "uncertainty")


def check_uncertainty(data: Mapping[str, Any], col: Collector) -> None:
    """Report every ``[[uncertainty]]`` item that is not a usable range.

    Args:
        data: Output of :func:`~nkroutes.scenario.structure.check_structure`.
        col: Receives every problem found (file, key path, what was expected).
    """
    from nkroutes.scenario.rules_paths import resolve_changeable

    first_use: dict[str, Any] = {}
    for path, item in items(data, "uncertainty"):
        low, high = item.get("low"), item.get("high")
        if is_number(low) and is_number(high) and not low < high:
            col.add(
                (*path, "low"),
                f"{number_text(low)} (not below high = {number_text(high)})",
                "a number below high",
                because=[(*path, "low"), (*path, "high")],
            )
        if item.get("scale") == "log" and is_number(low) and low <= 0:
            col.add((*path, "low"), f"{low} with scale = log", "a number > 0 (a log scale)")
        text = item.get("path")
        if not isinstance(text, str):
            continue
        try:
            resolved = resolve_changeable(text, data, NOT_RANGED)
        except UnknownPathError as problem:
            if col.has_problem_at((text.split(".")[0],)):
                continue  # through a table or array itself wrong (reported)
            col.add(
                (*path, "path"),
                f'"{text}" ({problem.found})',
                problem.expected,
                problem.suggested_path(text.split(".")),
            )
            continue
        try:
            current = get_path(data, resolved.parts)
        except PathError:
            current = None
        if not is_number(current) or isinstance(current, bool):
            if resolved.key.type not in ("number", "int"):  # else the value's own problem
                col.add(
                    (*path, "path"),
                    f'"{text}", {TYPE_WORDS[resolved.key.type]}',
                    "the path of a number (type number or int) to give a range",
                )
            continue
        canonical = join_path(resolved.parts)
        check_used_once(col, path, text, canonical, first_use, "ranged")
        key = resolved.key
        check_key_limits(col, path, key, canonical, (("low", low), ("high", high)))


def check_key_limits(
    col: Collector, path: Parts, key: Any, canonical: str, bounds: tuple[tuple[str, Any], ...]
) -> None:
    """Report each bound of a range (``(name, value)``) outside the limits of its key.

    Shared by ``[[uncertainty]]`` ranges and calibration's free parameters.

    Args:
        col: Where problems are collected.
        path: Key path of the range's table (the bound's name is appended).
        key: The schema key the range is for (its ``min`` and ``max``).
        canonical: The key's path as text, for the message.
        bounds: The range's bounds, e.g. ``(("low", 0.1), ("high", 2.0))``.
    """
    for bound, value in bounds:
        if not is_number(value):
            continue
        if key.min is not None and value < key.min:
            col.add(
                (*path, bound),
                f"{value} (below {number_text(key.min)}, the minimum of {canonical})",
                f"a number >= {number_text(key.min)}",
            )
        if key.max is not None and value > key.max:
            col.add(
                (*path, bound),
                f"{value} (above {number_text(key.max)}, the maximum of {canonical})",
                f"a number <= {number_text(key.max)}",
            )


def check_used_once(
    col: Collector, path: Parts, text: str, canonical: str, first_use: dict, role: str
) -> None:
    """Report a key path given a second time, and remember its first use.

    Shared by ``[[uncertainty]]`` ranges (``role="ranged"``) and calibration's free
    parameters (``role="free"``).

    Args:
        col: Where problems are collected.
        path: Key path of the item naming the path (``"path"`` is appended).
        text: The path as the file wrote it.
        canonical: The path in canonical form (the key of ``first_use``).
        first_use: Canonical path -> the item that named it first (updated).
        role: What the path is, for the message.
    """
    if canonical in first_use:
        col.add(
            (*path, "path"),
            f'"{text}" again (also {role} as {first_use[canonical]})',
            f"each path {role} once",
        )
    first_use.setdefault(canonical, path[-1])
