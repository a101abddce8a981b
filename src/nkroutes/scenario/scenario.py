"""The validated, read-only scenario that the model, the runner and the analysis share."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from nkroutes.scenario.frozen import freeze, thaw
from nkroutes.scenario.paths import PathLike, get_path
from nkroutes.scenario.toml_write import dumps
from nkroutes.scenario.values import parse_date


@dataclass(frozen=True, eq=False)
class Scenario:
    """A scenario after ``extends``, overrides and validation: every value known and allowed.

    Build one with :func:`~nkroutes.scenario.load_scenario` or
    :func:`~nkroutes.scenario.scenario_from_dict`, never directly from unchecked data.

    Attributes:
        data: The resolved values, read-only: tables are mappings, arrays of tables are
            tuples of mappings in file order, numbers are floats, defaults are filled in
            and ``extends`` is gone.
        path: The file it was loaded from, or ``None``.
        source: How it is named in messages (the file as given, or ``"<dict>"``).
    """

    data: Mapping[str, Any]
    path: Path | None = None
    source: str = "<dict>"
    _canonical: str = field(default="", repr=False)

    @classmethod
    def from_resolved(
        cls, resolved: Mapping[str, Any], path: Path | None = None, source: str = "<dict>"
    ) -> Scenario:
        """Wrap data that has already been validated (used by the loader).

        Args:
            resolved: Validated data with defaults filled in (plain dicts and lists).
            path: The file it came from, if any.
            source: Its label.

        Returns:
            The scenario, holding a deeply frozen copy of ``resolved``.
        """
        canonical = json.dumps(resolved, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        return cls(freeze(resolved), path, source, canonical)

    @property
    def name(self) -> str:
        """The scenario's name (``meta.name``)."""
        return self.data["meta"]["name"]

    @cached_property
    def hash(self) -> str:
        """SHA-256 (hex) of the resolved values as canonical JSON (sorted keys).

        Two scenarios with the same values have the same hash, whatever files, comments,
        ``extends`` chains or overrides they were written with. The ``[[uncertainty]]``
        ranges are left out: they say how uncertain values are and change no run.
        """
        canonical = self._canonical
        if "uncertainty" in self.data:
            values = {k: v for k, v in thaw(self.data).items() if k != "uncertainty"}
            canonical = json.dumps(
                values, sort_keys=True, separators=(",", ":"), ensure_ascii=False
            )
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Scenario):
            return NotImplemented
        return self._canonical == other._canonical

    def __hash__(self) -> int:
        return hash(self._canonical)

    def get(self, path: PathLike) -> Any:
        """The value at a dotted key path, e.g. ``"places.vietnam.arrest_rate_per_year"``.

        Raises:
            PathError: If the path names nothing (a ``KeyError``).
            TypeError: If ``path`` is not a string (or a sequence of its parts).
        """
        return get_path(self.data, path)

    def events_outside_run(self) -> tuple[list[Mapping[str, Any]], list[Mapping[str, Any]]]:
        """The events dated outside the run, each list in date order.

        Returns:
            ``(before, after)``: events dated before ``time.start`` and not ended by then,
            which are in force from the first step (applied in date order), and events dated
            after ``time.end``, which never apply. (An event that ended before the start
            changes nothing in the run and is in neither.)
        """
        start = parse_date(self.data["time"]["start"])
        end = parse_date(self.data["time"]["end"])
        events = sorted(self.data.get("events", ()), key=lambda e: parse_date(e["date"]))
        before = [
            e
            for e in events
            if parse_date(e["date"]) < start and not (e.get("end") and parse_date(e["end"]) < start)
        ]
        after = [e for e in events if parse_date(e["date"]) > end]
        return before, after

    def to_dict(self) -> dict[str, Any]:
        """A deep mutable copy of the resolved values (plain dicts and lists)."""
        return thaw(self.data)

    def to_toml(self) -> str:
        """The resolved scenario as TOML text, which loads back to the same scenario."""
        comment = (
            f"nkroutes scenario '{self.name}', resolved from {self.source}\nsha256 {self.hash}"
        )
        return dumps(self.data, comment)

    def with_overrides(self, overrides: Mapping[str, Any]) -> Scenario:
        """A new scenario with some values changed, validated again.

        Args:
            overrides: A mapping of dotted key paths to their new values, e.g.
                ``{"time.end": "1995-12"}``.

        Returns:
            The new scenario (this one is unchanged).

        Raises:
            ScenarioError: If a path names nothing or a value is not allowed.
            TypeError: If ``overrides`` is not a mapping (a ``"path=value"`` string, a list
                of pairs...).
        """
        from nkroutes.scenario.collect import Collector
        from nkroutes.scenario.loader import validate

        collector = Collector(self.source)
        data = self.to_dict()
        collector.record(data, self.source)
        return validate(data, collector, overrides, self.path)
