"""Merging a scenario into the one it ``extends``.

Rules: tables merge key by key; arrays of tables (``[[places]]``, ``[[routes]]``,
``[[push_factors]]``, ``[[events]]``, ``[[calibration.free]]``) merge by ``id`` (an item
with an id already present is merged into that item key by key, a new id is appended);
every other value, arrays included, replaces the base value.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from nkroutes.scenario.frozen import thaw
from nkroutes.scenario.schema_paths import union_item_table
from nkroutes.scenario.spec import Key, Table, TableArray

Node = Key | Table | TableArray | None


def merge(base: Any, override: Any, schema: Node) -> Any:
    """Merge ``override`` into ``base`` following the schema (neither is changed).

    Args:
        base: The extended scenario's data (or part of it).
        override: The extending scenario's data at the same place.
        schema: The schema of that place; ``None`` where the schema says nothing (unknown
            keys, which validation reports later): the override then replaces.

    Returns:
        The merged data, sharing nothing with either input.
    """
    if isinstance(schema, Table) and isinstance(base, Mapping) and isinstance(override, Mapping):
        merged = thaw(base)
        for key, value in override.items():
            if key in base:
                merged[key] = merge(base[key], value, _child(schema, key))
            else:
                merged[key] = thaw(value)
        return merged
    if isinstance(schema, TableArray) and isinstance(base, list) and isinstance(override, list):
        return _merge_items(base, override, schema)
    return thaw(override)


def merged_arrays(
    base: Any, override: Any, schema: Node, prefix: tuple[str, ...] = ()
) -> Iterator[tuple[tuple[str, ...], list[Any], list[Any]]]:
    """The arrays of tables that :func:`merge` merges by id, in the order it meets them.

    The one walk of the merge that :func:`new_items` and :func:`appended_items` share: it
    follows :func:`merge` into every table both sides have.

    Args:
        base: As for :func:`merge`.
        override: As for :func:`merge`.
        schema: As for :func:`merge`.
        prefix: The key path of ``base`` and ``override``.

    Yields:
        For each array both sides have: its key path, the base's items and the override's.
    """
    if isinstance(schema, Table) and isinstance(base, Mapping) and isinstance(override, Mapping):
        for key, value in override.items():
            if isinstance(key, str) and key in base:
                yield from merged_arrays(base[key], value, _child(schema, key), (*prefix, key))
    elif isinstance(schema, TableArray) and isinstance(base, list) and isinstance(override, list):
        yield prefix, base, override


def new_items(
    base: Any, override: Any, schema: Node, prefix: tuple[str, ...] = ()
) -> list[tuple[tuple[str, ...], list[str]]]:
    """The items that merging ``override`` into ``base`` appends, with the ids they missed.

    Args:
        base: As for :func:`merge`.
        override: As for :func:`merge`.
        schema: As for :func:`merge`.
        prefix: The key path of ``base`` and ``override``.

    Returns:
        For each item of ``override`` whose id no item of ``base`` has: its path (the
        array's path and the id) and the ids of the base's items in that array.
    """
    found: list[tuple[tuple[str, ...], list[str]]] = []
    for path, base_items, items in merged_arrays(base, override, schema, prefix):
        base_ids = [i for i in map(_item_id, base_items) if isinstance(i, str)]
        for item_id in map(_item_id, items):
            if isinstance(item_id, str) and item_id not in base_ids:
                found.append(((*path, item_id), base_ids))
    return found


def appended_items(
    base: Any, override: Any, schema: Node, prefix: tuple[str, ...] = ()
) -> list[tuple[tuple[str | int, ...], Any]]:
    """The items that merging ``override`` into ``base`` appends, at their merged positions.

    An item of an extending file without an id of the base's (a new id, a duplicate, or
    no string id at all) lands after the base's items: problems with it are found at that
    position (``routes[38]``), which must name the extending file, not the base.

    Args:
        base: As for :func:`merge`.
        override: As for :func:`merge`.
        schema: As for :func:`merge`.
        prefix: The key path of ``base`` and ``override``.

    Returns:
        For each appended item: its path in the merged data (the array's path and its
        position there) and the item.
    """
    found: list[tuple[tuple[str | int, ...], Any]] = []
    for path, base_items, items in merged_arrays(base, override, schema, prefix):
        base_ids = {i for i in map(_item_id, base_items) if isinstance(i, str)}
        position = len(base_items)
        for item in items:
            if not (isinstance(_item_id(item), str) and _item_id(item) in base_ids):
                found.append(((*path, position), item))
                position += 1
    return found


def _child(table: Table, key: str) -> Node:
    child = table.keys.get(key)
    return child if child is not None else table.dynamic


def _item_id(item: Any) -> Any:
    return item.get("id") if isinstance(item, Mapping) else None


def _merge_items(base: list[Any], override: list[Any], array: TableArray) -> list[Any]:
    merged = thaw(base)
    position = {}
    for i, item in enumerate(merged):
        item_id = _item_id(item)
        if isinstance(item_id, str):
            position.setdefault(item_id, i)
    schema = union_item_table(array)
    for item in override:
        item_id = _item_id(item)
        if isinstance(item_id, str) and item_id in position:
            i = position[item_id]
            merged[i] = merge(merged[i], item, schema)
        else:
            merged.append(thaw(item))
    return merged
