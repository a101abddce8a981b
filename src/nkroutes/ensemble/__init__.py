"""Ensembles of replicates: seeds, executors, resumable writers, and their result tables.

Example:
    >>> from nkroutes.ensemble import run_ensemble
    >>> results = run_ensemble("scenarios/baseline.toml", replicates=4, seed=7, workers=2)
"""

from nkroutes.ensemble.errors import EnsembleRunError, EnsembleSetupError
from nkroutes.ensemble.executors import make_executor
from nkroutes.ensemble.results import TABLE_FILES, Results, ResultsError
from nkroutes.ensemble.runner import DEFAULT_REPLICATES, run_ensemble
from nkroutes.ensemble.seeds import replicate_seed, replicate_seeds

__all__ = [
    "DEFAULT_REPLICATES",
    "TABLE_FILES",
    "EnsembleRunError",
    "EnsembleSetupError",
    "Results",
    "ResultsError",
    "make_executor",
    "replicate_seed",
    "replicate_seeds",
    "run_ensemble",
]
