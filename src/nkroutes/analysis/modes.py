"""Replicates that fall into two separate groups: a median between them describes neither.

A stochastic run can end in two different ways (a route that opens or does not, a broker
network that takes off or dies out); the median and a 90% interval then hide that most
replicates are near one of two values and few near the median. :func:`two_groups` finds
that with a simple rule:

Sort the replicates' values and cut at the widest gap between neighbours. The values fall
into two groups if each side holds at least :data:`MIN_GROUP` replicates and at least
:data:`MIN_SHARE` of them, and the gap is more than :data:`GAP_FACTOR` times the larger of
the two sides' spreads (their ranges, each at least 1% of the gap so ties do not count
as no spread at all).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import numpy as np

#: The gap between the groups must exceed this many times the larger group's range.
GAP_FACTOR = 3.0

#: Each group must hold at least this many replicates...
MIN_GROUP = 2

#: ...and at least this share of them.
MIN_SHARE = 0.1


class TwoGroups(NamedTuple):
    """Two separate groups of replicate values.

    Attributes:
        low_count: Replicates in the lower group.
        low_median: Its median.
        high_count: Replicates in the upper group.
        high_median: Its median.
    """

    low_count: int
    low_median: float
    high_count: int
    high_median: float


def two_groups(values: Sequence[float] | np.ndarray) -> TwoGroups | None:
    """The two groups the values fall into, or ``None`` if they do not (see the module).

    Args:
        values: One value per replicate; NaN values are left out.

    Returns:
        The groups, or ``None``.
    """
    x = np.sort(np.asarray(values, dtype=float))
    x = x[~np.isnan(x)]
    n = len(x)
    smallest = max(MIN_GROUP, int(np.ceil(MIN_SHARE * n)))
    if n < 2 * smallest:
        return None
    gaps = np.diff(x)
    # Cuts that leave enough replicates on each side: after position i (0-based).
    candidates = np.arange(smallest - 1, n - smallest)
    cut = int(candidates[np.argmax(gaps[candidates])])
    gap = gaps[cut]
    if not gap > 0:
        return None
    low, high = x[: cut + 1], x[cut + 1 :]
    spread = max(np.ptp(low), np.ptp(high), 0.01 * gap)
    if gap <= GAP_FACTOR * spread:
        return None
    return TwoGroups(len(low), float(np.median(low)), len(high), float(np.median(high)))
