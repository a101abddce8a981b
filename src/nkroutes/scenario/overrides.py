"""Overrides: ``--set key.path=value`` on the command line, or a mapping in Python.

An override names one value by its dotted key path and replaces it after ``extends`` is
resolved and before the scenario is validated, so an overridden value is checked like any
other. A path that names nothing is an error.
"""

from __future__ import annotations

import copy
import datetime as dt
import tomllib
from collections.abc import Mapping
from typing import Any

from nkroutes.scenario.collect import OVERRIDE_FILE, Collector
from nkroutes.scenario.input_limits import MAX_DEPTH, nesting_depth
from nkroutes.scenario.paths import PathError, set_path
from nkroutes.scenario.schema_paths import UnknownPathError, resolve_key
from nkroutes.scenario.toml_write import format_value
from nkroutes.scenario.values import describe


def parse_value(text: str) -> Any:
    """Read an override value as TOML, or keep it as a string if it is not TOML.

    ``0.5`` is a number, ``true`` a boolean, ``["a", "b"]`` an array, ``"x"`` a string;
    ``2011-12`` or ``vietnam`` (not TOML values) stay strings, and so do TOML dates, which
    scenarios write as strings.

    Args:
        text: What follows ``=`` in ``--set key.path=value``.

    Returns:
        The value.
    """
    try:
        value = tomllib.loads("v = " + text)["v"]
    except tomllib.TOMLDecodeError:
        return text
    except RecursionError:
        # Nested too deeply to parse: kept as text, it is then refused as the wrong type.
        return text
    return text if isinstance(value, dt.date | dt.time) else value


def parse_override(text: str) -> tuple[str, Any]:
    """Split ``key.path=value`` into the path and the parsed value.

    Args:
        text: The option's argument.

    Returns:
        The dotted path (stripped of spaces) and the value (see :func:`parse_value`).

    Raises:
        ValueError: If there is no ``=`` or nothing before it.
    """
    path, sep, value = text.partition("=")
    path = path.strip()
    if not sep or not path:
        raise ValueError(f"expected key.path=value, got {text!r}")
    return path, parse_value(value.strip())


def override_text(path: str, value: Any) -> str:
    """An override as it could be written on the command line: ``--set a.b=0.5``.

    Args:
        path: The dotted path, as given.
        value: The value (a string that :func:`parse_value` keeps as it is is shown bare).

    Returns:
        The text.
    """
    if isinstance(value, str) and parse_value(value) == value:
        shown = value
    else:
        try:
            shown = format_value(value)
        except TypeError:
            shown = describe(value)
    return f"{OVERRIDE_FILE} {path}={shown}"


def check_overrides_type(overrides: object) -> None:
    """Refuse overrides that are not a mapping (or ``None``) with a ``TypeError``.

    A ``"path=value"`` string or a list of ``(path, value)`` pairs is a mistake a caller
    from Python makes easily; the message shows the form expected.

    Raises:
        TypeError: Naming ``overrides``, what was found and what was expected.
    """
    if overrides is not None and not isinstance(overrides, Mapping):
        raise TypeError(
            f"overrides: found {overrides!r:.80} ({type(overrides).__name__}), expected a "
            'mapping of dotted key path -> value, e.g. {"time.end": "1995-12"}'
        )


def apply_overrides(data: dict[str, Any], overrides: Mapping[str, Any], col: Collector) -> None:
    """Set each overridden value in the (merged, not yet validated) data.

    Args:
        data: The scenario data, changed in place.
        overrides: Dotted key paths and their new values.
        col: Receives a problem for each path that names no value (as file ``--set``),
            and is told that the values set come from ``--set`` (and which one).
    """
    for text, value in overrides.items():
        if not isinstance(text, str):
            col.add((), f"the key path {describe(text)}", "a dotted key path", file=OVERRIDE_FILE)
            continue
        parts = text.split(".")
        if "" in parts or parts[0] == "extends":
            col.add(
                (text,),
                "a path that names no value",
                "a dotted key path like a.b.c",
                file=OVERRIDE_FILE,
            )
            continue
        if nesting_depth(value) > MAX_DEPTH:
            col.add(
                tuple(parts),
                f"a value with arrays or tables nested more than {MAX_DEPTH} deep",
                f"a value nested at most {MAX_DEPTH} deep",
                file=OVERRIDE_FILE,
            )
            continue
        try:
            resolved = resolve_key(parts, data)
            set_path(data, resolved.parts, copy.deepcopy(value), create=True)
        except UnknownPathError as problem:
            suggestion = problem.suggested_path(parts)
            col.add(tuple(parts), problem.found, problem.expected, suggestion, file=OVERRIDE_FILE)
            continue
        except PathError as error:
            col.add(tuple(parts), str(error), "a path through tables", file=OVERRIDE_FILE)
            continue
        col.record_override(value, OVERRIDE_FILE, resolved.parts, override_text(text, value))
