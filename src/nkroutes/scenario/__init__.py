"""Scenario files: loading, ``extends``, overrides, validation and the schema.

Example:
    >>> from nkroutes.scenario import load_scenario
    >>> baseline = load_scenario("scenarios/baseline.toml")
    >>> what_if = baseline.with_overrides({"enforcement.china.repatriation_probability": 0.0})
"""

from nkroutes.scenario.errors import Problem, ScenarioError
from nkroutes.scenario.loader import load_scenario, scenario_from_dict
from nkroutes.scenario.overrides import parse_override, parse_value
from nkroutes.scenario.paths import PathError, get_path, set_path
from nkroutes.scenario.scenario import Scenario

__all__ = [
    "PathError",
    "Problem",
    "Scenario",
    "ScenarioError",
    "get_path",
    "load_scenario",
    "parse_override",
    "parse_value",
    "scenario_from_dict",
    "set_path",
]
