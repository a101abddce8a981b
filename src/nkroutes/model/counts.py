"""Poisson counts drawn by inverse CDF, checked so that no count can wrap or be lost.

``scipy.stats.poisson.ppf`` returns floats: an infinite or huge mean gives ``inf`` or a
value beyond what an integer count can hold, which a plain ``astype(np.int64)`` turns into
a negative number without a word. Every count the processes draw goes through here instead.
The schema's upper bounds (:mod:`nkroutes.scenario.schema.limits`) keep means far below the
limit; this check is the guard behind them.
"""

from __future__ import annotations

import numpy as np
from scipy import special

#: The largest count one draw may give: 2**53, up to which a float64 holds every integer.
MAX_COUNT = float(2**53)


class CountOverflowError(OverflowError):
    """A count drawn by the model is not finite or too large to hold exactly."""


def poisson_counts(u: np.ndarray, mean: np.ndarray, what: str) -> np.ndarray:
    """Poisson counts by inverse CDF, as int64, refusing any that would not fit.

    Args:
        u: Uniform draws in [0, 1), one per count.
        mean: The expected counts (negative means count as 0).
        what: What is counted, for the error message (``"departures"``).

    Returns:
        The counts (0 where the mean is 0 or less).

    Raises:
        CountOverflowError: If a count is infinite or above :data:`MAX_COUNT`.
    """
    mean = np.maximum(mean, 0.0)
    counts = poisson_ppf(np.asarray(u, dtype=float), mean)
    # scipy gives NaN for a mean of about 1e15 or more (and for an infinite one): that is
    # an overflow, not the "no count" of a zero mean.
    nan = np.isnan(counts)
    if (nan & (mean > 0)).any() or (counts > MAX_COUNT).any():
        raise CountOverflowError(
            f"a count of {what} with an expected value of {float(np.max(mean)):g} is not "
            f"finite or above the limit of {MAX_COUNT:g}"
        )
    # No infinite count is left here, so this is np.nan_to_num(counts, nan=0.0).
    counts[nan] = 0.0
    return counts.astype(np.int64)


def poisson_ppf(q: np.ndarray, mu: np.ndarray) -> np.ndarray:
    """``scipy.stats.poisson.ppf(q, mu)``, value for value, without its per-call overhead.

    The same formula as scipy's ``poisson_gen._ppf`` and the same conventions as
    ``rv_discrete.ppf`` (-1 at ``q == 0``, ``inf`` at ``q == 1``, NaN for a negative or NaN
    mean or ``q`` outside [0, 1]); the generic wrapper costs about 0.3 ms a call, which the
    model paid several times a step.

    Args:
        q: Lower-tail probabilities.
        mu: Poisson means (broadcast with ``q``).

    Returns:
        ``float64`` quantiles: the least ``k`` with ``P(X <= k) >= q``.
    """
    q, mu = np.asarray(q, dtype=float), np.asarray(mu, dtype=float)
    if q.shape != mu.shape:  # (broadcast_arrays costs more than the rest when they match)
        q, mu = np.broadcast_arrays(q, mu)
    valid = mu >= 0
    out = np.full(q.shape, np.nan)
    out[(q == 0) & valid] = -1.0
    out[(q == 1) & valid] = np.inf
    inside = valid & (q > 0) & (q < 1)
    if inside.any():
        qq, mm = q[inside], mu[inside]
        vals = np.ceil(special.pdtrik(qq, mm))
        vals1 = np.maximum(vals - 1, 0)
        out[inside] = np.where(special.pdtr(vals1, mm) >= qq, vals1, vals)
    return out


def poisson_count(u: float, mean: float, what: str) -> int:
    """One Poisson count by inverse CDF, as :func:`poisson_counts`.

    Args:
        u: A uniform draw in [0, 1).
        mean: The expected count.
        what: What is counted, for the error message.

    Returns:
        The count.

    Raises:
        CountOverflowError: If the count is infinite or above :data:`MAX_COUNT`.
    """
    # poisson_counts and poisson_ppf for one value, on numpy scalars: the same ufuncs on
    # the same values, without the array bookkeeping (about 30 numpy calls; this is called
    # several times a step).
    q = np.float64(u)
    mu = np.maximum(np.float64(mean), 0.0)
    if not mu >= 0:  # NaN
        count = np.float64(np.nan)
    elif q == 0:
        count = np.float64(-1.0)
    elif q == 1:
        count = np.float64(np.inf)
    elif 0 < q < 1:
        vals = np.ceil(special.pdtrik(q, mu))
        vals1 = np.maximum(vals - 1, 0)
        count = vals1 if special.pdtr(vals1, mu) >= q else vals
    else:
        count = np.float64(np.nan)
    if (np.isnan(count) and mu > 0) or count > MAX_COUNT:
        raise CountOverflowError(
            f"a count of {what} with an expected value of {float(mu):g} is not "
            f"finite or above the limit of {MAX_COUNT:g}"
        )
    return 0 if np.isnan(count) else int(count)
