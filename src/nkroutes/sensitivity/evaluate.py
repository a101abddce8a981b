"""One evaluation: a scenario at one parameter point, its replicates run, outcomes measured.

:func:`evaluate_point` is the task function executors run (top level, plain data in and
out), like a calibration's :func:`nkroutes.calibration.evaluation.run_parameter_set`, whose
replicate runs it uses. A test may give :func:`nkroutes.sensitivity.analysis.sensitivity`
another function of the same form (a fake model with known indices).
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

import pandas as pd

from nkroutes.calibration.evaluation import run_parameter_set
from nkroutes.sensitivity.outcomes import YEARLY_COLUMN, replicate_outcomes, summary_columns


def evaluate_point(task: Mapping[str, Any]) -> dict[str, Any]:
    """Run one scenario's replicates at one point and measure the outcomes.

    Args:
        task: ``index`` (the evaluation's number), ``scenario`` (resolved values),
            ``seeds`` (one per replicate), ``outcomes`` (names) and ``observed``
            (Table 1: year as text -> arrivals).

    Returns:
        ``index``, ``outcomes`` (name -> one value per replicate), ``seconds`` and
        ``error`` (``None``, or the failure's type and message).
    """
    start = time.perf_counter()
    result = run_parameter_set(
        {
            "index": task["index"],
            "scenario": task["scenario"],
            "seeds": task["seeds"],
            "yearly_columns": [YEARLY_COLUMN],
            "summary_columns": summary_columns(task["outcomes"]),
            "stop": None,
        }
    )
    if result["error"]:
        return {"index": task["index"], "outcomes": {}, "seconds": 0.0, "error": result["error"]}
    observed = {int(y): float(v) for y, v in task["observed"].items()}
    outcomes = replicate_outcomes(
        task["outcomes"],
        pd.DataFrame(result["yearly"]),
        pd.DataFrame(result["summary"]),
        observed,
    )
    return {
        "index": task["index"],
        "outcomes": outcomes,
        "seconds": time.perf_counter() - start,
        "error": None,
    }
