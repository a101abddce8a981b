"""nkroutes: an agent-based simulation of North Korean migration routes.

Example:
    >>> import nkroutes
    >>> scenario = nkroutes.load_scenario("scenarios/baseline.toml")
    >>> scenario.name
    'baseline'
"""

from nkroutes.scenario import Scenario, ScenarioError, load_scenario

__version__ = "0.1.0"

__all__ = ["Scenario", "ScenarioError", "__version__", "load_scenario"]
