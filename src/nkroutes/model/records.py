"""Typed, read-only records of a schema table's values, built from the schema itself.

A :class:`~nkroutes.scenario.spec.Table` of the schema (``[brokers]``, ``[enforcement.china]``
...) becomes a frozen dataclass with one field per key, typed by the key's declared type, so
processes read ``p.china.arrest_rate_per_year`` rather than ``p.china["..."]``. A key the
values leave out takes the schema's default: no default is written anywhere else, and a key
added to the schema reaches the model without any edit here.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from typing import Any

from nkroutes.scenario.spec import Key, Table

#: Python type and converter for each value type a :class:`Key` may declare.
_TYPES: dict[str, tuple[Any, Callable[[Any], Any]]] = {
    "number": (float, float),
    "int": (int, int),
    "bool": (bool, bool),
    "str": (str, str),
    "date": (str, str),
    "list[str]": (tuple[str, ...], lambda v: tuple(str(x) for x in v)),
    "list[number]": (tuple[float, ...], lambda v: tuple(float(x) for x in v)),
    "any": (Any, lambda v: v),
}


def record_type(name: str, table: Table) -> type:
    """A frozen dataclass with one typed field per key of ``table`` (sub-tables left out).

    Args:
        name: The class name (for ``repr`` and error messages), e.g. ``"China"``.
        table: The schema table.

    Returns:
        The dataclass type.
    """
    fields = [
        (key, _TYPES[spec.type][0]) for key, spec in table.keys.items() if isinstance(spec, Key)
    ]
    doc = f"Values of a scenario's table: {table.doc}" if table.doc else None
    cls = dataclasses.make_dataclass(name, fields, frozen=True)
    cls.__doc__ = doc
    return cls


def record(
    name: str, table: Table, values: Mapping[str, Any] | None, cls: type | None = None
) -> Any:
    """The values of one scenario table as a typed record, defaults from the schema.

    Args:
        name: The record's class name.
        table: The table's schema.
        values: The scenario's values for that table (``None`` or partial: a missing key
            takes its schema default).
        cls: ``record_type(name, table)`` built earlier, to reuse (building one takes
            about 1 ms: a run that recompiles its params at each dated event reuses them).

    Returns:
        An instance of :func:`record_type` for ``table``, each value converted to its
        declared type (``"number"`` to ``float``, ``"int"`` to ``int``, ...).

    Raises:
        KeyError: If a required key (one without a default) is missing.
    """
    values = values or {}
    kwargs: dict[str, Any] = {}
    for key, spec in table.keys.items():
        if not isinstance(spec, Key):
            continue
        if key in values:
            value = values[key]
        elif spec.required:
            raise KeyError(f"{name}: the required key {key!r} is missing")
        else:
            value = spec.default
        kwargs[key] = _TYPES[spec.type][1](value)
    return (cls or record_type(name, table))(**kwargs)
