"""The vocabulary the scenario schema is written in.

A scenario file is described by a tree of :class:`Table`, :class:`TableArray` and
:class:`Key` objects (see :mod:`nkroutes.scenario.schema`). The loader walks this tree to
fill defaults, check types and ranges and report unknown keys; the documentation generator
walks it to write ``docs/scenarios.md``. Nothing here knows about migration: it only says
what a key is, its unit, its default and its meaning.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


class _Required:
    """Marker for a key that has no default and must be given."""

    def __repr__(self) -> str:
        return "REQUIRED"


REQUIRED: Any = _Required()

#: The value types a :class:`Key` may declare.
#: ``"date"`` is a ``"YYYY-MM"`` string (runs are counted in months); ``"number"`` accepts int or
#: float; ``"list[str]"`` and ``"list[number]"`` are arrays of those; ``"any"`` is any
#: TOML value (checked elsewhere, e.g. against the key path it sets).
VALUE_TYPES = ("str", "int", "number", "bool", "date", "list[str]", "list[number]", "any")


@dataclass(frozen=True)
class Key:
    """One scalar (or simple array) setting.

    Attributes:
        type: One of :data:`VALUE_TYPES`.
        doc: What the setting means, for a migration researcher.
        unit: The unit, written out (``"US$"``, ``"per year"``, ``"months"``), or ``""``.
        default: The value used when the file does not give one; :data:`REQUIRED` if none.
        min: Smallest allowed value (numbers), inclusive.
        max: Largest allowed value (numbers), inclusive.
        choices: The allowed values (strings), or ``None`` for any.
        ref: For ids of other things: the dotted path of the array of tables whose ``id``
            this value must name (``"places"``, ``"routes"``), or ``None``.
        source: Where the default comes from (the article's section and words, or
            ``"assumption: ..."``), shown in the generated docs.
        max_length: Most characters a string may have, or ``None`` for no limit.
        pattern: A regular expression a whole string must match, or ``None``.
        pattern_doc: What ``pattern`` allows, in words (for messages and docs).
    """

    type: str
    doc: str
    unit: str = ""
    default: Any = REQUIRED
    min: float | None = None
    max: float | None = None
    choices: tuple[str, ...] | None = None
    ref: str | None = None
    source: str = ""
    max_length: int | None = None
    pattern: str | None = None
    pattern_doc: str = ""

    @property
    def required(self) -> bool:
        """Whether the file must give this key."""
        return self.default is REQUIRED


@dataclass(frozen=True)
class Table:
    """A TOML table with a fixed set of keys.

    Attributes:
        keys: The keys it may hold, by name.
        doc: What the table is for.
        optional: Whether the whole table may be left out (its keys' defaults then apply;
            a table that is left out and has required keys is an error unless optional).
        dynamic: A :class:`Key`, :class:`Table` or :class:`TableArray` that describes every
            extra key of a table whose keys are names chosen by the user (for example
            ``[destinations.<id>]``); ``None`` means unknown keys are errors.
    """

    keys: dict[str, Key | Table | TableArray]
    doc: str = ""
    optional: bool = False
    dynamic: Key | Table | TableArray | None = None


@dataclass(frozen=True)
class TableArray:
    """An array of tables (``[[places]]``), each item identified by its ``id``.

    Attributes:
        item: The keys every item may hold (always includes ``id``).
        doc: What one item is.
        variant_key: Name of a key (for example ``"kind"``) whose value selects extra keys
            from ``variants``; ``None`` if all items share one set of keys.
        variants: Extra keys allowed (and their defaults) for each value of ``variant_key``.
        min_items: Fewest items allowed.
        max_items: Most items allowed, or ``None`` for no limit.
    """

    item: Table
    doc: str = ""
    variant_key: str | None = None
    variants: dict[str, Table] = field(default_factory=dict)
    min_items: int = 0
    max_items: int | None = None
