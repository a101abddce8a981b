"""Shaping ensemble tables for figures: scenarios by name, place names.

Year bands are computed in :mod:`nkroutes.analysis.bands`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from nkroutes.ensemble.results import Results


class MissingDataError(LookupError):
    """A figure cannot be drawn because the results lack a table or column it needs."""


def as_scenarios(results: Results | Mapping[str, Results]) -> dict[str, Results]:
    """One results object, or several by name, as ``{scenario name: Results}``."""
    if isinstance(results, Results):
        return {results.name or "scenario": results}
    return dict(results)


def require_columns(results: Results, table: str, columns: list[str] | tuple[str, ...]) -> None:
    """Raise :class:`MissingDataError` naming the file and columns if a table lacks them."""
    frame = getattr(results, table)
    where = f"{table}.csv"
    if results.directory is not None:
        where = str(results.directory / where)
    if frame is None or frame.empty:
        raise MissingDataError(f"{where} is missing or empty")
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise MissingDataError(f"{where} has no column(s) {', '.join(missing)}")


def place_names(scenario: dict[str, Any]) -> dict[str, str]:
    """Place id -> the scenario's display name (falls back to the id, prettified)."""
    names = {}
    for place in scenario.get("places", []) or []:
        pid = str(place.get("id", ""))
        names[pid] = str(place.get("name") or pid.replace("_", " ").title())
    return names


def display_name(scenario: dict[str, Any], place_id: str) -> str:
    """The display name of one place id."""
    return place_names(scenario).get(place_id, place_id.replace("_", " ").title())


def spread_offsets(n: int, width: float) -> np.ndarray:
    """Deterministic horizontal offsets for n points in a strip plot (no random numbers).

    Uses the golden-ratio sequence, which spreads points evenly without a visible pattern.
    """
    golden = (np.sqrt(5.0) - 1.0) / 2.0
    return ((np.arange(n) * golden) % 1.0 - 0.5) * width
