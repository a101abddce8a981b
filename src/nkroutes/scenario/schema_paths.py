"""Finding the schema entry behind a dotted key path.

Used to check the paths of ``--set`` overrides, of ``[events.set]`` and of
``[[calibration.free]]`` before they are applied. The ids and kinds of array items come
from the scenario data, so the same path can be valid in one scenario and not in another.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from nkroutes.scenario.paths import join_path
from nkroutes.scenario.schema import SCENARIO
from nkroutes.scenario.spec import Key, Table, TableArray
from nkroutes.scenario.suggest import closest, listing


class UnknownPathError(Exception):
    """A key path that names nothing in the schema or the scenario.

    Attributes:
        found: What is wrong, for the message.
        expected: What would have been allowed at that point.
        suggestion: A likely intended name for the part that is wrong, or ``None``.
        index: Position of the part that is wrong in the path, or ``None``.
    """

    def __init__(self, found: str, expected: str, suggestion: str | None = None) -> None:
        super().__init__(found)
        self.found = found
        self.expected = expected
        self.suggestion = suggestion
        self.index: int | None = None

    def at(self, index: int) -> UnknownPathError:
        """Set :attr:`index` and return the error (for ``raise error.at(i)``)."""
        self.index = index
        return self

    def suggested_path(self, parts: Sequence[str]) -> str | None:
        """The whole path with the wrong part replaced by the suggestion, if there is one."""
        if self.suggestion is None or self.index is None or self.index >= len(parts):
            return None
        return ".".join([*parts[: self.index], self.suggestion, *parts[self.index + 1 :]])


@dataclass(frozen=True)
class Resolved:
    """A key path that names one value.

    Attributes:
        key: The definition of the value.
        parts: The path's parts, with a dotted key of a dynamic table kept as one part.
    """

    key: Key
    parts: tuple[str, ...]


def _variant_table(array: TableArray, kind: str) -> Table:
    return Table({**array.item.keys, **array.variants[kind].keys}, doc=array.item.doc)


def item_table(array: TableArray, item: Any) -> Table | None:
    """The keys allowed in one item of an array of tables.

    Args:
        array: The array's definition.
        item: The item (its variant key, e.g. ``kind``, selects extra keys).

    Returns:
        The common keys plus those of the item's variant; ``None`` if the array has
        variants and the item's variant is missing or unknown.
    """
    if array.variant_key is None:
        return array.item
    kind = item.get(array.variant_key) if isinstance(item, Mapping) else None
    if not isinstance(kind, str) or kind not in array.variants:
        return None
    return _variant_table(array, kind)


def variants_with_key(array: TableArray, key: str) -> list[str]:
    """The variants (e.g. place kinds) whose items may hold ``key``."""
    return [name for name, table in array.variants.items() if key in table.keys]


def all_item_keys(array: TableArray) -> list[str]:
    """Every key any item may hold, whatever its variant."""
    names = list(array.item.keys)
    for table in array.variants.values():
        names += [k for k in table.keys if k not in names]
    return names


def union_item_table(array: TableArray) -> Table:
    """Every key any item may hold, whatever its variant, as one table."""
    keys = dict(array.item.keys)
    for table in array.variants.values():
        keys.update({k: v for k, v in table.keys.items() if k not in keys})
    return Table(keys, doc=array.item.doc)


def table_label(parts: Sequence[str], array: bool = False) -> str:
    """How a table is named in messages: ``[enforcement.china]`` or ``[[places]]``."""
    if not parts:
        return "the top level"
    name = ".".join(parts)
    return f"[[{name}]]" if array else f"[{name}]"


def unknown_key(part: str, table: Table, label: str) -> UnknownPathError:
    """The problem of a key the table does not have, with the closest allowed name."""
    return UnknownPathError(
        f'unknown key "{part}"',
        f"a key of {label}: {listing(table.keys)}",
        closest(part, table.keys),
    )


def wrong_variant(
    part: str, array: TableArray, item: Mapping[str, Any], label: str
) -> UnknownPathError:
    """The problem of a key an array item may not hold.

    If items of another variant (another place ``kind``) may hold it, the message says
    which; otherwise it is an unknown key, with the closest allowed name.
    """
    kinds = variants_with_key(array, part)
    var = array.variant_key
    table = item_table(array, item)
    names = list(table.keys) if table is not None else all_item_keys(array)
    if kinds and table is not None:
        owners = " or ".join(f'"{k}"' for k in kinds)
        return UnknownPathError(
            f'key "{part}", which only {label} items of {var} {owners} have',
            f'a key of {label} items of {var} "{item.get(var)}": {listing(names)}',
        )
    return UnknownPathError(
        f'unknown key "{part}"', f"a key of {label}: {listing(names)}", closest(part, names)
    )


def resolve_key(path: Sequence[str], data: Any, schema: Table = SCENARIO) -> Resolved:
    """Find the key a dotted path names, using the data for array ids and kinds.

    Args:
        path: The path's parts (``("places", "vietnam", "arrest_rate_per_year")``).
        data: Scenario data the ids are looked up in (resolved or not).
        schema: The table the path starts from.

    Returns:
        The key and the path's parts.

    Raises:
        UnknownPathError: If the path does not name one value.
    """
    node: Key | Table | TableArray = schema
    value: Any = data
    label: list[str] = []
    done: list[str] = []
    i = 0
    while i < len(path):
        part = path[i]
        if isinstance(node, Key):
            raise UnknownPathError(
                f"a value at {join_path(done)}, not a table", "a path that ends at a value"
            ).at(i)
        if isinstance(node, Table):
            if part in node.keys:
                child = node.keys[part]
            elif node.dynamic is not None:
                child = node.dynamic
                if isinstance(child, Key):
                    part = ".".join(path[i:])
                    i = len(path) - 1
            else:
                raise unknown_key(part, node, table_label(label)).at(i)
            label.append(part)
            value = value.get(part) if isinstance(value, Mapping) else None
            node = child
        else:
            items = value if isinstance(value, list | tuple) else []
            ids = [x.get("id") for x in items if isinstance(x, Mapping)]
            ids = [x for x in ids if isinstance(x, str)]
            item = next((x for x in items if isinstance(x, Mapping) and x.get("id") == part), None)
            if item is None:
                raise UnknownPathError(
                    f'unknown id "{part}" in {table_label(label, array=True)}',
                    f"one of the ids: {listing(ids)}",
                    closest(part, ids),
                ).at(i)
            table = item_table(node, item)
            if i + 1 < len(path) and table is not None and path[i + 1] not in table.keys:
                error = wrong_variant(path[i + 1], node, item, table_label(label, array=True))
                raise error.at(i + 1)
            if table is None:
                table = union_item_table(node)
            node, value = table, item
        done.append(part)
        i += 1
    if not isinstance(node, Key):
        what = "an array of tables" if isinstance(node, TableArray) else "a table"
        raise UnknownPathError(f"{join_path(done) or 'the top level'}, {what}", "a path to a value")
    return Resolved(node, tuple(done))
