"""Checking scenario data against the schema, key by key, and filling in defaults.

This is the first pass of validation: every key known, every value of the right type and
within range, every required key given, every id unique. Checks that need several keys at
once (routes naming places, time.end not before time.start, ...) are in
:mod:`nkroutes.scenario.rules`.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Mapping
from typing import Any

from nkroutes.scenario.collect import Collector, Parts
from nkroutes.scenario.paths import join_path
from nkroutes.scenario.schema_paths import (
    UnknownPathError,
    all_item_keys,
    item_table,
    table_label,
    unknown_key,
    wrong_variant,
)
from nkroutes.scenario.spec import Key, Table, TableArray
from nkroutes.scenario.suggest import closest
from nkroutes.scenario.values import check_value, describe, expected_text, normalise

#: What an id may be made of, so that it can be used in a dotted key path.
ID_PATTERN = re.compile(r"[A-Za-z0-9_-]+")

Node = Key | Table | TableArray
UnknownHandler = Callable[[str], UnknownPathError | None]


def check_structure(data: Any, schema: Table, collector: Collector) -> dict[str, Any]:
    """Check data against a schema table and return it with defaults filled in.

    Args:
        data: The merged scenario data (``extends`` already resolved).
        schema: The schema of the whole scenario.
        collector: Receives every problem found.

    Returns:
        A new dict in schema order, with defaults for missing keys, numbers as floats and
        unknown keys left out. Values with problems are kept as found, so that later checks
        can still look at the rest.
    """
    return _table(schema, data, (), [], collector)


def has_required(node: Node) -> bool:
    """Whether a key, or any key inside a table, must be given."""
    if isinstance(node, Key):
        return node.required
    if isinstance(node, Table):
        return any(has_required(child) for child in node.keys.values())
    return node.min_items > 0


def item_parts(items: Any) -> list[str | int]:
    """The path part of each item of an array of tables.

    An item is named by its id when the id is well formed and not used by an earlier item;
    otherwise by its position (``places[3]``), so that a path never names two items.

    Args:
        items: The array (anything that is not a list or tuple has no items).

    Returns:
        One part per item.
    """
    if not isinstance(items, list | tuple):
        return []
    seen: set[str] = set()
    parts: list[str | int] = []
    for i, item in enumerate(items):
        item_id = item.get("id") if isinstance(item, Mapping) else None
        if isinstance(item_id, str) and ID_PATTERN.fullmatch(item_id) and item_id not in seen:
            seen.add(item_id)
            parts.append(item_id)
        else:
            parts.append(i)
    return parts


def _items(n: int) -> str:
    return f"{n} item" if n == 1 else f"{n} items"


def _node(spec: Node, value: Any, path: Parts, label: list[str], col: Collector) -> Any:
    if isinstance(spec, Key):
        return _key(spec, value, path, col)
    if isinstance(spec, Table):
        return _table(spec, value, path, label, col)
    return _array(spec, value, path, label, col)


def _key(key: Key, value: Any, path: Parts, col: Collector) -> Any:
    mismatch = check_value(key, value)
    if mismatch is None:
        return normalise(key, value)
    where = path if mismatch.index is None else (*path, mismatch.index)
    suggestion = None
    if key.choices is not None and isinstance(value, str):
        suggestion = closest(value, key.choices)
    col.add(where, mismatch.found, mismatch.expected, suggestion)
    return value


def _missing(spec: Node, path: Parts, label: list[str], col: Collector) -> Any:
    """The value of a key the file leaves out (its default), or report it missing."""
    if isinstance(spec, Key):
        if spec.required:
            col.missing(path, "nothing (the key is missing)", f"{expected_text(spec)} (required)")
            return None
        return normalise(spec, copy.deepcopy(spec.default))
    if isinstance(spec, Table):
        if spec.optional or not has_required(spec):
            return _table(spec, {}, path, label, col)
        col.missing(path, "nothing (the table is missing)", f"a table {table_label(label)}")
        return {}
    if spec.min_items > 0:
        col.missing(
            path,
            "nothing (the array is missing)",
            f"at least {_items(spec.min_items)} in {table_label(label, array=True)}",
        )
    return []


def _table(
    table: Table,
    value: Any,
    path: Parts,
    label: list[str],
    col: Collector,
    unknown: UnknownHandler | None = None,
) -> dict[str, Any]:
    if not isinstance(value, Mapping):
        col.add(path, describe(value), f"a table {table_label(label)}")
        return {}
    out: dict[str, Any] = {}
    for name, spec in table.keys.items():
        child_label = [*label, name]
        if name in value:
            out[name] = _node(spec, value[name], (*path, name), child_label, col)
        else:
            out[name] = _missing(spec, (*path, name), child_label, col)
    for name, child in value.items():
        if name in table.keys:
            continue
        if not isinstance(name, str):
            col.add(path, f"the key {describe(name)}", "keys that are strings")
        elif table.dynamic is not None:
            out[name] = _node(table.dynamic, child, (*path, name), [*label, name], col)
        else:
            problem = unknown(name) if unknown else unknown_key(name, table, table_label(label))
            if problem is not None:
                col.add((*path, name), problem.found, problem.expected, problem.suggestion)
    return out


def _array(
    array: TableArray, value: Any, path: Parts, label: list[str], col: Collector
) -> list[Any]:
    array_label = table_label(label, array=True)
    if not isinstance(value, list | tuple):
        col.add(path, describe(value), f"an array of tables {array_label}")
        return []
    parts = item_parts(value)
    first_index: dict[str, int] = {}
    out = []
    for i, (item, part) in enumerate(zip(value, parts, strict=True)):
        item_id = item.get("id") if isinstance(item, Mapping) else None
        if isinstance(item_id, str) and not ID_PATTERN.fullmatch(item_id):
            col.add((*path, i, "id"), describe(item_id), "an id of letters, digits, '_' or '-'")
        elif isinstance(item_id, str) and part != item_id:
            col.add(
                (*path, i, "id"),
                f'"{item_id}" again (first used by {join_path((*path, first_index[item_id]))})',
                f"an id not used by another item of {array_label}",
            )
        elif isinstance(item_id, str):
            first_index[item_id] = i
        out.append(_item(array, item, (*path, part), label, col))
    if len(value) < array.min_items:
        col.add(path, _items(len(value)), f"at least {_items(array.min_items)} in {array_label}")
    if array.max_items is not None and len(value) > array.max_items:
        # Named after the file read last among those the items come from (a what-if that
        # adds them to its base's), not the file that started the array.
        col.add(
            path,
            _items(len(value)),
            f"at most {_items(array.max_items)} in {array_label}",
            because=[(*path, part) for part in parts],
        )
    return out


def _item(array: TableArray, item: Any, path: Parts, label: list[str], col: Collector) -> Any:
    array_label = table_label(label, array=True)
    if not isinstance(item, Mapping):
        col.add(path, describe(item), f"a table {array_label}")
        return item
    table = item_table(array, item)
    if table is not None:
        return _table(
            table,
            item,
            path,
            label,
            col,
            lambda name: wrong_variant(name, array, item, array_label),
        )
    # The variant (kind) is missing or unknown: it is reported as a bad value of its key;
    # check the common keys and accept the keys of any variant.
    known = set(all_item_keys(array))
    return _table(
        array.item,
        item,
        path,
        label,
        col,
        lambda name: None if name in known else unknown_key(name, array.item, array_label),
    )
