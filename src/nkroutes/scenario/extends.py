"""Following ``extends = "other.toml"`` from file to file and merging the chain."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from nkroutes.scenario.collect import Collector
from nkroutes.scenario.errors import Problem, ScenarioError
from nkroutes.scenario.merge import merge, new_items
from nkroutes.scenario.schema import SCENARIO
from nkroutes.scenario.toml_read import read_toml
from nkroutes.scenario.values import describe


def label_of(path: Path) -> str:
    """How a file is named in messages: the path as given, tidied (``a/../b`` -> ``b``)."""
    return os.path.normpath(path)


def read_with_extends(path: Path, collector: Collector) -> dict[str, Any]:
    """Read a scenario file and everything it extends, merged into one document.

    Args:
        path: The scenario file.
        collector: Told which file each value comes from.

    Returns:
        The merged data, without ``extends``.

    Raises:
        ScenarioError: If a file in the chain is missing, unreadable, not TOML, or the
            chain has a cycle.
    """
    label = label_of(path)
    return resolve_extends(read_toml(path, label), path, label, collector)


def resolve_extends(
    data: dict[str, Any],
    file: Path | None,
    label: str,
    collector: Collector,
    chain: tuple[tuple[Path | None, str], ...] = (),
) -> dict[str, Any]:
    """Merge ``data`` into the scenario it extends, if any (recursively).

    Args:
        data: One file's data (its ``extends`` key is removed).
        file: The file it was read from; ``None`` for data given directly, whose
            ``extends`` is then relative to the current directory.
        label: The file's label, for messages.
        collector: Told which file each value comes from.
        chain: The files already being read (resolved path and label), to find cycles.

    Returns:
        The merged data.

    Raises:
        ScenarioError: As :func:`read_with_extends`.
    """
    chain = (*chain, (file.resolve() if file is not None else None, label))
    folder = file.parent if file is not None else Path.cwd()
    extends = data.pop("extends", "")
    if extends == "":
        collector.record(data, label)
        return data
    if not isinstance(extends, str):
        raise ScenarioError(
            [Problem(label, "extends", describe(extends), "the path of a scenario file (a string)")]
        )
    base_path = folder / extends
    base_label = label_of(base_path)
    names = " -> ".join([name for _, name in chain] + [base_label])
    if base_path.resolve() in [p for p, _ in chain]:
        raise ScenarioError(
            [Problem(label, "extends", f'"{extends}", a cycle: {names}', "extends without cycles")]
        )
    if not base_path.is_file():
        what = "a directory, not a scenario file" if base_path.is_dir() else "no such file"
        raise ScenarioError(
            [
                Problem(
                    label,
                    "extends",
                    f'"{extends}" ({what}: {base_label}; chain: {names})',
                    "the path of an existing scenario file, relative to this file",
                )
            ]
        )
    base = resolve_extends(
        read_toml(base_path, base_label), base_path, base_label, collector, chain
    )
    collector.record(data, label)
    for path, base_ids in new_items(base, data, SCENARIO):
        collector.new_item(path, base_ids, base_label)
    return merge(base, data, SCENARIO)
