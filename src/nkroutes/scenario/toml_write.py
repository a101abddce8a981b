"""Writing scenario data as TOML text, with arrays of tables as ``[[...]]`` blocks.

Only what scenario data holds is supported: tables, arrays of tables, strings, booleans,
integers, finite or infinite floats and arrays of those. The output reads back with
``tomllib`` to the same data.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping, Sequence
from typing import Any

from nkroutes.scenario.paths import is_table_list

_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
_WIDTH = 92


def format_key(key: str) -> str:
    """A key as TOML writes it: bare if it can be, quoted otherwise."""
    return key if _BARE_KEY.fullmatch(key) else format_value(key)


def format_value(value: Any) -> str:
    """One value as inline TOML.

    Args:
        value: A string, bool, int, float, array or table.

    Returns:
        The TOML text.

    Raises:
        TypeError: For values TOML cannot hold (``None``, objects).
    """
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False).replace("\x7f", "\\u007f")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, Mapping):
        inner = ", ".join(f"{format_key(k)} = {format_value(v)}" for k, v in value.items())
        return "{ " + inner + " }" if inner else "{}"
    if isinstance(value, Sequence):
        return "[" + ", ".join(format_value(v) for v in value) + "]"
    raise TypeError(f"cannot write a {type(value).__name__} as TOML")


def _assignment(key: str, value: Any) -> list[str]:
    text = f"{format_key(key)} = {format_value(value)}"
    if len(text) <= _WIDTH or not isinstance(value, Sequence) or isinstance(value, str):
        return [text]
    return [f"{format_key(key)} = ["] + [f"  {format_value(v)}," for v in value] + ["]"]


def _table_lines(table: Mapping[str, Any], prefix: list[str], header: str | None) -> list[str]:
    scalars = [
        (k, v) for k, v in table.items() if not isinstance(v, Mapping) and not is_table_list(v)
    ]
    children = [(k, v) for k, v in table.items() if isinstance(v, Mapping) or is_table_list(v)]
    lines: list[str] = []
    if header is not None and (scalars or not children or header.startswith("[[")):
        lines += ["", header]
    for key, value in scalars:
        lines += _assignment(key, value)
    for key, value in children:
        path = [*prefix, key]
        name = ".".join(map(format_key, path))
        if isinstance(value, Mapping):
            lines += _table_lines(value, path, f"[{name}]")
        else:
            for item in value:
                lines += _table_lines(item, path, f"[[{name}]]")
    return lines


def dumps(data: Mapping[str, Any], comment: str = "") -> str:
    """The data as a TOML document.

    Args:
        data: A table (mapping) of scenario data.
        comment: Lines to put first, each written as a ``#`` comment.

    Returns:
        TOML text ending in a newline.
    """
    head = [f"# {line}".rstrip() for line in comment.splitlines()]
    body = _table_lines(data, [], None)
    while body and body[0] == "":
        body.pop(0)
    if head and body:
        head.append("")
    return "\n".join(head + body) + "\n"
