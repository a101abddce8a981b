"""Following ``extends = "other.toml"`` from file to file and merging the chain."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from nkroutes.scenario.collect import Collector
from nkroutes.scenario.errors import Problem, ScenarioError
from nkroutes.scenario.input_limits import MAX_EXTENDS
from nkroutes.scenario.merge import appended_items, merge, new_items
from nkroutes.scenario.schema import SCENARIO
from nkroutes.scenario.toml_read import path_error_text, read_toml
from nkroutes.scenario.values import describe


def label_of(path: Path) -> str:
    """How a file is named in messages: the path as given, tidied (``a/../b`` -> ``b``)."""
    return os.path.normpath(path)


def _resolved(file: Path, label: str) -> Path:
    """The absolute path of a file being read, or a clean error if it has none."""
    try:
        return file.resolve()
    except (OSError, ValueError, RuntimeError) as error:
        raise ScenarioError(
            [
                Problem(
                    label,
                    "",
                    f"a path that cannot be used ({path_error_text(error)})",
                    "a scenario file",
                )
            ]
        ) from None


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
    chain = (*chain, (_resolved(file, label) if file is not None else None, label))
    folder = file.parent if file is not None else Path.cwd()
    extends = data.pop("extends", "")
    if extends == "":
        collector.record(data, label)
        return data
    if not isinstance(extends, str):
        raise ScenarioError(
            [Problem(label, "extends", describe(extends), "the path of a scenario file (a string)")]
        )
    if len(chain) >= MAX_EXTENDS:
        raise ScenarioError(
            [
                Problem(
                    label,
                    "extends",
                    f"{describe(extends)}, file {len(chain) + 1} of the chain from {chain[0][1]}",
                    f"a chain of at most {MAX_EXTENDS} files",
                )
            ]
        )
    base_path = folder / extends
    base_label = label_of(base_path)
    names = " -> ".join([name for _, name in chain] + [base_label])
    try:
        resolved = base_path.resolve()
        is_file, is_dir = base_path.is_file(), base_path.is_dir()
        exists = base_path.exists()
    except (OSError, ValueError, RuntimeError) as error:
        raise ScenarioError(
            [
                Problem(
                    label,
                    "extends",
                    f"{describe(extends)} ({path_error_text(error)})",
                    "the path of an existing scenario file, relative to this file",
                )
            ]
        ) from None
    if resolved in [p for p, _ in chain]:
        raise ScenarioError(
            [Problem(label, "extends", f'"{extends}", a cycle: {names}', "extends without cycles")]
        )
    if not is_file:
        what = "no such file"
        if is_dir:
            what = "a directory, not a scenario file"
        elif exists:
            what = "not a regular file"
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
    for path, item in appended_items(base, data, SCENARIO):
        collector.record(item, label, path)  # where problems with it will be found
    for path, base_ids in new_items(base, data, SCENARIO):
        collector.new_item(path, base_ids, base_label)
    return merge(base, data, SCENARIO)
