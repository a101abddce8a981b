"""Dotted key paths into scenario data: ``places.vietnam.arrest_rate_per_year``.

A path walks tables key by key. Through an array of tables (``[[places]]``, ``[[routes]]``,
...) the next part is the ``id`` of an item: ``routes.nh_tumen.cost_usd`` is the
``cost_usd`` of the route whose ``id`` is ``"nh_tumen"``. A table key that itself contains
dots (the keys of ``[events.set]``) is found by joining the remaining parts:
``events.famine_aid.set.routes.nh_tumen.cost_usd`` works.

These functions work on plain data (``dict`` and ``list``, or any mapping and sequence for
reading) and know nothing about the schema; :mod:`nkroutes.scenario.schema_paths` checks a
path against the schema.
"""

from __future__ import annotations

from collections.abc import Mapping, MutableMapping, Sequence
from typing import Any

#: A path as a string (``"a.b.c"``) or already split into parts (``("a", "b", "c")``).
PathLike = str | Sequence[str]


class PathError(KeyError):
    """A key path does not lead to a value in the data."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


def split_path(path: PathLike) -> tuple[str, ...]:
    """Split a dotted path into its parts.

    Args:
        path: ``"a.b.c"`` or a sequence of parts (returned as a tuple unchanged).

    Returns:
        The parts.

    Raises:
        PathError: If the path is empty or has an empty part (``"a..b"``).
        TypeError: If the path is neither a string nor a sequence of parts (a number, say).
    """
    if not isinstance(path, str | Sequence) or isinstance(path, bytes):
        raise TypeError(
            f"key path: found {path!r} ({type(path).__name__}), expected a dotted key path "
            "(a string such as 'time.end') or a sequence of its parts"
        )
    parts = tuple(path.split(".")) if isinstance(path, str) else tuple(path)
    if not parts or any(not isinstance(p, str) or p == "" for p in parts):
        raise PathError(f"malformed key path {join_path(parts) if parts else repr(path)}")
    return parts


def join_path(parts: Sequence[str | int]) -> str:
    """Write path parts as one dotted path, quoting parts that contain dots.

    Args:
        parts: Keys and ids (strings) or positions in an array (ints, written ``[3]``).

    Returns:
        The path as text, e.g. ``events.porous_border.set."routes.nh_tumen.cost_usd"``.
    """
    text = ""
    for part in parts:
        if isinstance(part, int):
            text += f"[{part}]"
            continue
        word = f'"{part}"' if ("." in part or part == "" or " " in part) else part
        text += f".{word}" if text else word
    return text


def _is_array_of_tables(node: Any) -> bool:
    return isinstance(node, Sequence) and not isinstance(node, str | bytes)


def is_table_list(value: Any) -> bool:
    """Whether ``value`` is a non-empty array whose elements are all tables."""
    return (
        _is_array_of_tables(value) and len(value) > 0 and all(isinstance(v, Mapping) for v in value)
    )


def _find_item(items: Sequence[Any], item_id: str) -> Any:
    for item in items:
        if isinstance(item, Mapping) and item.get("id") == item_id:
            return item
    return None


def _step(node: Any, parts: tuple[str, ...], i: int) -> tuple[Any, int]:
    """Go one step down from ``node``; return the child and how many parts it used."""
    part = parts[i]
    if isinstance(node, Mapping):
        if part in node:
            return node[part], 1
        for j in range(i + 2, len(parts) + 1):
            joined = ".".join(parts[i:j])
            if joined in node:
                return node[joined], j - i
        raise PathError(f"no key {part!r} at {join_path(parts[:i]) or 'the top level'}")
    if _is_array_of_tables(node):
        item = _find_item(node, part)
        if item is None:
            raise PathError(f"no item with id {part!r} in {join_path(parts[:i])}")
        return item, 1
    raise PathError(f"{join_path(parts[:i])} is a value, not a table")


def get_path(data: Any, path: PathLike) -> Any:
    """The value at a dotted key path.

    Args:
        data: Scenario data (tables as mappings, arrays of tables as sequences).
        path: E.g. ``"places.vietnam.arrest_rate_per_year"``.

    Returns:
        The value found there (a table, an array or a scalar).

    Raises:
        PathError: If the path does not exist in ``data``.

    Example:
        >>> get_path({"routes": [{"id": "a", "cost_usd": 5.0}]}, "routes.a.cost_usd")
        5.0
    """
    parts = split_path(path)
    node, i = data, 0
    while i < len(parts):
        node, used = _step(node, parts, i)
        i += used
    return node


def set_path(
    data: MutableMapping[str, Any], path: PathLike, value: Any, *, create: bool = False
) -> None:
    """Set the value at a dotted key path, in place.

    The last part names a key of a table; it is added if absent. Items of arrays of tables
    are found by id and never created.

    Args:
        data: Plain scenario data (dicts and lists), changed in place.
        path: E.g. ``"enforcement.china.arrest_rate_per_year"``. A key containing dots can
            be set (or created) by passing the parts as a tuple.
        value: The new value.
        create: Whether to create missing tables on the way (``{}``).

    Raises:
        PathError: If a table or item on the way does not exist (and ``create`` is false or
            the missing thing is an array item), or the path runs through a value.

    Example:
        >>> d = {"enforcement": {"china": {"arrest_rate_per_year": 0.15}}}
        >>> set_path(d, "enforcement.china.arrest_rate_per_year", 0.4)
        >>> d["enforcement"]["china"]["arrest_rate_per_year"]
        0.4
    """
    parts = split_path(path)
    node: Any = data
    i = 0
    while True:
        if isinstance(node, MutableMapping):
            rest = ".".join(parts[i:])
            if i == len(parts) - 1 or rest in node:
                node[rest] = value
                return
        elif isinstance(node, Mapping):
            raise PathError(f"{join_path(parts[:i])} cannot be changed")
        if i == len(parts) - 1:
            if _is_array_of_tables(node):
                raise PathError(f"{join_path(parts)} names an item of an array, not a value")
            raise PathError(f"{join_path(parts[:i])} is a value, not a table")
        try:
            node, used = _step(node, parts[: len(parts) - 1], i)
        except PathError:
            if not (create and isinstance(node, MutableMapping)):
                raise
            node[parts[i]] = {}
            node, used = node[parts[i]], 1
        i += used
