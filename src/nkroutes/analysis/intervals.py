"""Medians and quantile intervals of outcomes over an ensemble's replicates."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

#: The quantiles of the usual 90% interval.
LOW, HIGH = 0.05, 0.95


def outcome_intervals(
    summary: pd.DataFrame, columns: Sequence[str], low: float = LOW, high: float = HIGH
) -> pd.DataFrame:
    """Median and a quantile interval of each outcome over replicates.

    Replicates where an outcome is undefined (NaN, e.g. a share of zero arrivals) are left
    out for that outcome.

    Args:
        summary: One row per replicate (``summary.csv``).
        columns: The outcomes (columns of ``summary``).
        low: Lower quantile (0.05 for a 90% interval).
        high: Upper quantile.

    Returns:
        One row per outcome (indexed by column name) with ``median``, ``low``, ``high``
        and ``replicates`` (the number of replicates with a value).

    Raises:
        KeyError: If a column is missing from ``summary``.
    """
    rows = {}
    for column in columns:
        values = summary[column].to_numpy(dtype=float)
        values = values[~np.isnan(values)]
        if len(values):
            median, lo, hi = np.quantile(values, [0.5, low, high])
        else:
            median = lo = hi = np.nan
        rows[column] = {
            "median": float(median),
            "low": float(lo),
            "high": float(hi),
            "replicates": len(values),
        }
    return pd.DataFrame.from_dict(rows, orient="index")
