"""Replicate seeds: one integer per replicate, derived from the ensemble's seed.

Replicate ``k`` of an ensemble with seed ``s`` runs the model with the seed
:func:`replicate_seed` ``(s, k)``: the first 63 bits of the state of the ``k``-th child of
``numpy.random.SeedSequence(s)`` (``SeedSequence(s).spawn(n)[k]`` for any ``n > k``).
Children do not depend on how many are spawned, so replicate ``k`` is the same run whether
the ensemble has 20 or 2,000 replicates, whichever worker runs it, and in every scenario of a
comparison (common random numbers).
"""

from __future__ import annotations

import numpy as np


def check_seed(seed: int) -> int:
    """The ensemble seed as a plain int, or ``ValueError`` if it is not a whole number >= 0."""
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise ValueError(f"seed: found {seed!r}, expected a whole number >= 0")
    return int(seed)


def replicate_seed(seed: int, replicate: int) -> int:
    """The model seed of one replicate.

    Args:
        seed: The ensemble's seed (a whole number >= 0).
        replicate: The replicate number (0-based).

    Returns:
        A whole number in ``[0, 2**63)``, passed to :func:`nkroutes.model.simulate`.
    """
    child = np.random.SeedSequence(check_seed(seed), spawn_key=(int(replicate),))
    return int(child.generate_state(1, dtype=np.uint64)[0] >> np.uint64(1))


def replicate_seeds(seed: int, replicates: int) -> list[int]:
    """The model seeds of replicates ``0 .. replicates - 1`` (see :func:`replicate_seed`)."""
    return [replicate_seed(seed, k) for k in range(replicates)]
