"""Writing ``calibrated.toml``: a scenario that extends the calibrated one and sets its estimates.

Each estimate goes where a person would write it: ``departures.base_rate_per_year`` under
``[departures]``, ``push_factors.famine.intensity`` as ``intensity`` of the
``[[push_factors]]`` item with ``id = "famine"`` (arrays of tables merge by id through
``extends``), with a comment giving its posterior interval.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nkroutes.scenario import Scenario
from nkroutes.scenario.paths import split_path
from nkroutes.scenario.schema_paths import resolve_key
from nkroutes.scenario.toml_write import format_key, format_value


@dataclass(frozen=True)
class _Commented:
    value: Any
    comment: str


def _is_items(node: Any) -> bool:
    return isinstance(node, Sequence) and not isinstance(node, str | bytes)


def _place(doc: dict[str, Any], data: Mapping[str, Any], path: str, value: _Commented) -> None:
    parts = resolve_key(split_path(path), data).parts
    node: Any = data
    out: dict[str, Any] = doc
    i = 0
    while i < len(parts) - 1:
        child = node[parts[i]]
        if _is_items(child):
            item_id = parts[i + 1]
            node = next(x for x in child if x.get("id") == item_id)
            items = out.setdefault(parts[i], [])
            entry = next((x for x in items if x["id"] == item_id), None)
            if entry is None:
                entry = {"id": item_id}
                items.append(entry)
            out = entry
            i += 2
        else:
            node, out = child, out.setdefault(parts[i], {})
            i += 1
    out[parts[-1]] = value


def _assign(key: str, value: Any) -> str:
    if isinstance(value, _Commented):
        return f"{format_key(key)} = {format_value(value.value)}  # {value.comment}"
    return f"{format_key(key)} = {format_value(value)}"


def _lines(table: Mapping[str, Any], prefix: list[str]) -> list[str]:
    lines = []
    for key, value in table.items():
        if not isinstance(value, Mapping) and not _is_items(value):
            lines.append(_assign(key, value))
    for key, value in table.items():
        name = ".".join(format_key(p) for p in [*prefix, key])
        if isinstance(value, Mapping):
            scalars = any(not isinstance(v, Mapping) and not _is_items(v) for v in value.values())
            lines += ["", f"[{name}]"] if scalars else []
            lines += _lines(value, [*prefix, key])
        elif _is_items(value):
            for item in value:
                lines += ["", f"[[{name}]]", *_lines(item, [*prefix, key])]
    return lines


def significant(value: float, digits: int = 4) -> float:
    """``value`` rounded to ``digits`` significant digits (what the file shows)."""
    return float(f"{value:.{digits}g}")


def calibrated_toml(
    scenario: Scenario,
    out_dir: Path,
    paths: Sequence[str],
    values: Sequence[float],
    comments: Sequence[str],
    header: Sequence[str],
) -> str:
    """The text of a scenario that extends ``scenario`` and sets calibrated values.

    Args:
        scenario: The calibrated scenario (loaded from a file: its path is extended).
        out_dir: Where the file will be written (the ``extends`` path is relative to it).
        paths: Dotted key paths of the free parameters.
        values: Their estimates, already rounded as they should appear.
        comments: One comment per value (its posterior interval).
        header: Comment lines at the top (the calibration run: date, budget, seed, distance).

    Returns:
        TOML text that :func:`nkroutes.scenario.load_scenario` reads.

    Raises:
        ValueError: If the scenario was not loaded from a file.
    """
    if scenario.path is None:
        raise ValueError("a calibrated scenario extends a file; this scenario has none")
    extends = os.path.relpath(Path(scenario.path).resolve(), Path(out_dir).resolve())
    doc: dict[str, Any] = {
        "extends": Path(extends).as_posix(),
        "meta": {
            "name": f"{scenario.name}_calibrated",
            "description": f"{scenario.name} with its free parameters set by calibration to "
            "the article's arrivals (see fit.md beside this file).",
        },
    }
    for path, value, comment in zip(paths, values, comments, strict=True):
        _place(doc, scenario.data, path, _Commented(value, comment))
    head = [f"# {line}".rstrip() for line in header]
    return "\n".join([*head, "", *_lines(doc, [])]) + "\n"
