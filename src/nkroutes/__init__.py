"""nkroutes: an agent-based simulation of North Korean migration routes.

Example:
    >>> import nkroutes
    >>> scenario = nkroutes.load_scenario("scenarios/baseline.toml")
    >>> scenario.name
    'baseline'
    >>> results = nkroutes.run_ensemble(scenario, replicates=20, seed=7)  # doctest: +SKIP
    >>> results.summary["arrivals"].median()  # doctest: +SKIP
"""

from typing import Any

from nkroutes.scenario import Scenario, ScenarioError, load_scenario

__version__ = "0.1.0"

__all__ = [
    "Comparison",
    "Results",
    "Scenario",
    "ScenarioError",
    "__version__",
    "compare",
    "load_scenario",
    "run_ensemble",
    "sensitivity",
]

#: Imported on first use, so that ``import nkroutes`` (and the command line) stays quick.
_LAZY = {
    "run_ensemble": "nkroutes.ensemble.runner",
    "Results": "nkroutes.ensemble.results",
    "compare": "nkroutes.sensitivity.draws",
    "sensitivity": "nkroutes.sensitivity",
    "Comparison": "nkroutes.analysis.compare",
}


def __getattr__(name: str) -> Any:
    """The ensemble and comparison functions, imported when first used."""
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'nkroutes' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *_LAZY])
