"""Loading a scenario: read, follow ``extends``, apply overrides, validate, freeze."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from nkroutes.scenario.collect import Collector
from nkroutes.scenario.errors import Problem, ScenarioError
from nkroutes.scenario.extends import label_of, read_with_extends, resolve_extends
from nkroutes.scenario.frozen import thaw
from nkroutes.scenario.input_limits import MAX_DEPTH, nesting_depth
from nkroutes.scenario.overrides import apply_overrides, check_overrides_type
from nkroutes.scenario.rules import check_rules
from nkroutes.scenario.rules_paths import check_path_rules
from nkroutes.scenario.scenario import Scenario
from nkroutes.scenario.schema import SCENARIO
from nkroutes.scenario.structure import check_structure
from nkroutes.scenario.values import describe


def load_scenario(
    path: str | os.PathLike[str] | Scenario, overrides: Mapping[str, Any] | None = None
) -> Scenario:
    """Load and validate a scenario file.

    Args:
        path: The TOML file. A relative ``extends`` in it is relative to its folder. A
            :class:`Scenario` already loaded is taken as it is (so code that takes "a
            scenario or its file" can call this on either): returned unchanged without
            overrides, or as ``path.with_overrides(overrides)`` with them.
        overrides: A mapping of dotted key paths to the values they take, applied after
            ``extends`` and before validation (what ``--set`` does), e.g.
            ``{"enforcement.china.repatriation_probability": 0.0}``.

    Returns:
        The validated scenario, with defaults filled in.

    Raises:
        ScenarioError: With every problem found: syntax errors (with line and column),
            missing files, ``extends`` cycles, unknown keys, wrong types, values out of
            range, broken references, unknown override paths.
        TypeError: If ``path`` is not a file path (or a Scenario), or ``overrides`` is not
            a mapping; a dict of scenario values goes to :func:`scenario_from_dict`.

    Example:
        >>> s = load_scenario("scenarios/baseline.toml", {"time.end": "2004-12"})
        >>> s.get("time.end")
        '2004-12'
    """
    check_overrides_type(overrides)
    if isinstance(path, Scenario):
        return path.with_overrides(overrides) if overrides else path
    if not isinstance(path, str | os.PathLike):
        hint = (
            "; for a dict of scenario values use scenario_from_dict"
            if isinstance(path, Mapping)
            else ""
        )
        raise TypeError(
            f"path: found {path!r:.80} ({type(path).__name__}), expected a scenario file "
            f"(a str or os.PathLike such as 'scenarios/baseline.toml') or a Scenario{hint}"
        )
    path = Path(path)
    collector = Collector(label_of(path))
    data = read_with_extends(path, collector)
    return validate(data, collector, overrides, path)


def scenario_from_dict(
    data: Mapping[str, Any],
    source: str = "<dict>",
    overrides: Mapping[str, Any] | None = None,
) -> Scenario:
    """Validate scenario data given as a mapping (as if read from a TOML file).

    Args:
        data: The scenario's tables; not changed. An ``extends`` in it is relative to the
            current directory.
        source: How the data is named in messages.
        overrides: As for :func:`load_scenario`.

    Returns:
        The validated scenario.

    Raises:
        ScenarioError: As for :func:`load_scenario`.
    """
    if not isinstance(data, Mapping):
        raise ScenarioError([Problem(source, "", describe(data), "a table of scenario keys")])
    if nesting_depth(data) > MAX_DEPTH:
        raise ScenarioError(
            [
                Problem(
                    source,
                    "",
                    f"tables or arrays nested more than {MAX_DEPTH} deep",
                    f"a scenario nested at most {MAX_DEPTH} deep",
                )
            ]
        )
    collector = Collector(source)
    merged = resolve_extends(thaw(data), None, source, collector)
    return validate(merged, collector, overrides, None)


def validate(
    data: dict[str, Any],
    collector: Collector,
    overrides: Mapping[str, Any] | None,
    path: Path | None,
) -> Scenario:
    """Apply overrides, check everything and build the :class:`Scenario`.

    Args:
        data: Merged data (``extends`` resolved); changed in place.
        collector: Knows where each value came from; receives the problems.
        overrides: Dotted key paths and values, or ``None``.
        path: The file loaded, or ``None``.

    Returns:
        The scenario.

    Raises:
        ScenarioError: If any problem was found.
    """
    check_overrides_type(overrides)
    if overrides:
        apply_overrides(data, overrides, collector)
    resolved = check_structure(data, SCENARIO, collector)
    resolved.pop("extends", None)
    check_rules(resolved, collector)
    check_path_rules(resolved, collector)
    collector.raise_if_any()
    return Scenario.from_resolved(resolved, path=path, source=collector.default_file)
