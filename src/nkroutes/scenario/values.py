"""Checking one value against its :class:`~nkroutes.scenario.spec.Key`.

Also the words used in error messages: how a found value is shown and how a key's allowed
values are described.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from nkroutes.scenario.schema.limits import FIRST_YEAR, LAST_YEAR
from nkroutes.scenario.spec import Key

# ASCII digits only: ``\d`` would also read full-width and other Unicode digits as a date.
_DATE = re.compile(r"([0-9]{4})-([0-9]{2})")

#: The dates allowed, as written in messages.
DATE_RANGE = f"{FIRST_YEAR}-01 to {LAST_YEAR}-12"

TYPE_WORDS = {
    "str": "a string",
    "int": "an integer",
    "number": "a number",
    "bool": "true or false",
    "date": 'a date "YYYY-MM"',
    "list[str]": "an array of strings",
    "list[number]": "an array of numbers",
    "any": "a value",
}


@dataclass(frozen=True)
class Mismatch:
    """Why a value does not fit its key.

    Attributes:
        found: The value as shown to the user, with what is wrong about it.
        expected: What the key allows.
        index: Position of the offending element, for arrays.
    """

    found: str
    expected: str
    index: int | None = None


def describe(value: Any) -> str:
    """Show a value as a reader of the TOML file would write it.

    Args:
        value: Anything found in scenario data.

    Returns:
        E.g. ``'"abc"'``, ``"-5.0"``, ``"true"``, ``"a table"``, ``"[1, 2]"``.
    """
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        text = json.dumps(value, ensure_ascii=False)
        return text if len(text) <= 60 else text[:56] + '..."'
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, Mapping):
        return "a table"
    if isinstance(value, list | tuple):
        text = "[" + ", ".join(describe(v) for v in value) + "]"
        return text if len(text) <= 60 else text[:56] + "...]"
    if isinstance(value, dt.date | dt.time):
        return f"an unquoted TOML date/time {value.isoformat()}"
    return f"a {type(value).__name__} value"


def number_text(x: float) -> str:
    """A bound written briefly: ``0`` rather than ``0.0``."""
    return str(int(x)) if float(x).is_integer() and abs(x) < 1e15 else repr(x)


def expected_text(key: Key) -> str:
    """Describe what a key allows, e.g. ``"a number in [0, 1]"``."""
    text = TYPE_WORDS[key.type]
    if key.choices is not None:
        return "one of " + ", ".join(f'"{c}"' for c in key.choices)
    if key.pattern is not None:
        text += f" of {key.pattern_doc}"
    if key.max_length is not None:
        text += f", at most {key.max_length} characters"
    if key.type == "date":
        text += f" from {DATE_RANGE}"
        if key.default == "":
            text += ' or "" (none)'
    if key.min is not None and key.max is not None:
        text += f" in [{number_text(key.min)}, {number_text(key.max)}]"
    elif key.min is not None:
        text += f" >= {number_text(key.min)}"
    elif key.max is not None:
        text += f" <= {number_text(key.max)}"
    return text


def is_number(value: Any) -> bool:
    """Whether ``value`` is an int or float (bool is not a number)."""
    return isinstance(value, int | float) and not isinstance(value, bool)


def parse_date(text: str) -> tuple[int, int] | None:
    """The (year, month) of a ``"YYYY-MM"`` string, or ``None`` if it is not one.

    Only ASCII digits are read, and only years from ``FIRST_YEAR`` to ``LAST_YEAR`` of
    :mod:`nkroutes.scenario.schema.limits` (1900 to 2100) are dates.
    """
    match = _DATE.fullmatch(text)
    if match is None:
        return None
    year, month = int(match.group(1)), int(match.group(2))
    return (year, month) if 1 <= month <= 12 and FIRST_YEAR <= year <= LAST_YEAR else None


def month_after(month: str) -> str:
    """The ``YYYY-MM`` month after ``month`` (``"2008-12"`` -> ``"2009-01"``)."""
    year, mon = (int(x) for x in month[:7].split("-"))
    year, mon = (year + 1, 1) if mon == 12 else (year, mon + 1)
    return f"{year:04d}-{mon:02d}"


def _date_mismatch(value: str) -> str:
    """Why a string is not an allowed date."""
    match = _DATE.fullmatch(value)
    if match is not None and 1 <= int(match.group(2)) <= 12:
        return f"{describe(value)} (outside {DATE_RANGE})"
    return describe(value)


def _finite(value: Any) -> bool:
    try:
        return math.isfinite(float(value))
    except OverflowError:
        return False


def _scalar_mismatch(key: Key, kind: str, value: Any) -> str | None:
    """What is wrong with one scalar (``kind`` is the scalar type), or ``None``."""
    if kind == "bool":
        ok = isinstance(value, bool)
    elif kind == "int":
        ok = isinstance(value, int) and not isinstance(value, bool)
    elif kind == "number":
        if is_number(value) and not _finite(value):
            return f"{describe(value)} (not a finite number)"
        ok = is_number(value)
    elif kind == "date":
        if not isinstance(value, str):
            ok = False
        elif parse_date(value) is None and not (value == "" and key.default == ""):
            return _date_mismatch(value)
        else:
            ok = True
    else:
        ok = isinstance(value, str)
    if not ok:
        return describe(value)
    if isinstance(value, str):
        found = _string_mismatch(key, value)
        if found is not None:
            return found
    if key.choices is not None and value not in key.choices:
        return describe(value)
    if kind in ("int", "number"):
        if key.min is not None and value < key.min:
            return f"{describe(value)} (below the minimum {number_text(key.min)})"
        if key.max is not None and value > key.max:
            return f"{describe(value)} (above the maximum {number_text(key.max)})"
    return None


def control_character(text: str) -> int | None:
    """Position of the first control character in ``text`` (tab and newline allowed)."""
    return next(
        (i for i, c in enumerate(text) if c not in "\t\n" and unicodedata.category(c) == "Cc"),
        None,
    )


def _string_mismatch(key: Key, value: str) -> str | None:
    """What is wrong with a string of the right type: characters, length, pattern."""
    where = control_character(value)
    if where is not None:
        return f"{describe(value)} (control character U+{ord(value[where]):04X} at {where + 1})"
    if key.max_length is not None and len(value) > key.max_length:
        return f"{describe(value)} ({len(value)} characters, more than {key.max_length})"
    if key.pattern is not None and not re.fullmatch(key.pattern, value):
        return f"{describe(value)} (a character that is not allowed)"
    return None


def check_value(key: Key, value: Any) -> Mismatch | None:
    """Check a value against its key: type, range, choices, date format.

    References to ids (``Key.ref``) are checked elsewhere, once all ids are known.

    Args:
        key: The key's definition.
        value: The value found.

    Returns:
        ``None`` if the value is allowed, else what is wrong.
    """
    if key.type == "any":
        return None
    if key.type.startswith("list["):
        inner = key.type[5:-1]
        if not isinstance(value, list | tuple):
            return Mismatch(describe(value), expected_text(key))
        for i, element in enumerate(value):
            found = _scalar_mismatch(key, inner, element)
            if found is not None:
                return Mismatch(found, _element_expected(key, inner), i)
        return None
    found = _scalar_mismatch(key, key.type, value)
    return None if found is None else Mismatch(found, expected_text(key))


def _element_expected(key: Key, inner: str) -> str:
    single = Key(inner, key.doc, min=key.min, max=key.max, choices=key.choices)
    return expected_text(single) + " (each element)"


def normalise(key: Key, value: Any) -> Any:
    """The canonical form of an allowed value: numbers become floats, arrays lists.

    Args:
        key: The key's definition.
        value: A value that passed :func:`check_value`.

    Returns:
        The value to store in the resolved scenario.
    """
    if key.type == "number":
        return float(value)
    if key.type == "list[number]":
        return [float(v) for v in value]
    if key.type == "list[str]":
        return list(value)
    return value
