"""The checks of :func:`nkroutes.compare`'s numeric options, made before anything runs.

A comparison refuses a bad ``replicates``, ``seed`` or ``resamples`` with an
:class:`~nkroutes.ensemble.errors.EnsembleSetupError` that names the argument, before it
runs a replicate or touches its folder (``force`` deletes nothing then).
"""

from __future__ import annotations

import numpy as np

from nkroutes.ensemble.errors import EnsembleSetupError
from nkroutes.ensemble.prepare import check_run_options

#: Fewest bootstrap resamples of a comparison: a 95% interval cuts 2.5% off each end, so
#: with fewer than 1 / 0.025 = 40 resamples a tail holds less than one resample and the
#: interval's ends are the extreme resamples (or between them), not 2.5% quantiles.
MIN_RESAMPLES = 40

#: Most bootstrap resamples: each interval draws ``resamples x pairs`` indices, so 10^7
#: resamples of 200 pairs is already 16 GB; 10^6 is 500 times the default.
MAX_RESAMPLES = 1_000_000


def check_resamples(resamples: object) -> int:
    """The number of bootstrap resamples as a plain int.

    Args:
        resamples: A whole number from :data:`MIN_RESAMPLES` to :data:`MAX_RESAMPLES` (a
            NumPy integer is accepted; a bool is not).

    Returns:
        ``resamples`` as an int.

    Raises:
        EnsembleSetupError: Naming ``resamples``, what was found and what was expected.
    """
    if (
        isinstance(resamples, bool)
        or not isinstance(resamples, int | np.integer)
        or not MIN_RESAMPLES <= resamples <= MAX_RESAMPLES
    ):
        raise EnsembleSetupError(
            f"resamples: found {resamples!r}, expected a whole number of bootstrap resamples "
            f"from {MIN_RESAMPLES} (a 95% interval's 2.5% tails need one each) to "
            f"{MAX_RESAMPLES:,}"
        )
    return int(resamples)


def check_compare_options(
    replicates: object, seed: object, resamples: object
) -> tuple[int | None, int, int]:
    """``replicates``, ``seed`` and ``resamples`` checked, as plain ints.

    Args:
        replicates: ``None`` or a whole number from 1 to the most replicates of a run.
        seed: A whole number >= 0.
        resamples: See :func:`check_resamples`.

    Returns:
        The three values (``replicates`` stays ``None`` if it is).

    Raises:
        EnsembleSetupError: For the first bad value, naming its argument.
    """
    checked_replicates, checked_seed = check_run_options(replicates, seed)
    return checked_replicates, checked_seed, check_resamples(resamples)
