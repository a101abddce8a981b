"""Limits on what a scenario file may be, so that hostile input gives an error, not a hang.

A scenario is read whole into memory and walked recursively, and an ``extends`` chain is
followed file by file; these limits keep all of that small, far above anything a real
scenario needs (the baseline is 35 kB, nested 4 deep, and what-ifs extend it directly).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

#: Largest scenario file read, in bytes: 1 MB, about 30 times the baseline.
MAX_FILE_BYTES = 1_000_000

#: Deepest nesting of tables and arrays in a scenario (the baseline's deepest value, in
#: ``[calibration.targets.weights]`` or an event's ``set``, is 4 deep).
MAX_DEPTH = 32

#: Most files in an ``extends`` chain (the loaded file included).
MAX_EXTENDS = 32


def nesting_depth(value: Any, limit: int = MAX_DEPTH) -> int:
    """How deeply tables and arrays nest in ``value``, counted up to ``limit + 1``.

    Walks without recursion, so any depth can be measured; stops as soon as the limit is
    passed.

    Args:
        value: A value read from TOML (tables, arrays and scalars).
        limit: The depth beyond which counting stops.

    Returns:
        0 for a scalar, 1 for a flat table or array, and so on; at most ``limit + 1``.
    """
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, Mapping):
            children = list(item.values())
        elif isinstance(item, list | tuple):
            children = list(item)
        else:
            continue
        deepest = max(deepest, depth + 1)
        if deepest > limit:
            return deepest
        stack.extend((child, depth + 1) for child in children)
    return deepest
