"""The distinct places (routes, kinds) among a step's migrants, for per-place work."""

from __future__ import annotations

import numpy as np


def present(values: np.ndarray, size: int) -> list[int]:
    """The distinct values among ``values``, ascending, as Python ints.

    The same list as ``np.unique(values).tolist()`` for indices (non-negative integers
    below ``size``: places, routes, place kinds), found by counting each index rather than
    by hashing or sorting the values: ``np.unique`` cost 5.7 of 70 profiled seconds at 16
    times the baseline's departures, mostly on the places of every migrant hiding in China.

    Args:
        values: Integer indices, each in ``[0, size)``.
        size: How many indices there are (the number of places, say).

    Returns:
        The indices that occur at least once, ascending.
    """
    if len(values) == 0:
        return []
    return np.flatnonzero(np.bincount(values, minlength=size)).tolist()
