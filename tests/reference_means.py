"""Compare a few seeds' means with reference means recorded from an earlier algorithm.

Used where an algorithm changed its draws but must keep their law (event time in China,
word of mouth by accrued hazard): the reference is the mean and standard deviation over
``reference_seeds`` runs of the old code, checked in by the test.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np


def totals(result: Any, flows: Iterable[str], stocks: Iterable[str]) -> dict[str, float]:
    """Each of ``flows`` summed over a run and each of ``stocks`` at its end, by name."""
    out = {name: float(result.flows[name].sum()) for name in flows}
    out.update({name: float(result.stocks[name][-1]) for name in stocks})
    return out


def far_from_reference(
    runs: Sequence[Mapping[str, float]],
    reference: Mapping[str, tuple[float, float]],
    reference_seeds: int = 30,
    z: float = 4.0,
) -> list[str]:
    """The outputs whose mean over ``runs`` is more than ``z`` standard errors from the reference.

    Args:
        runs: One mapping of output -> value per seed run now.
        reference: Output -> (mean, standard deviation) over ``reference_seeds`` old runs.
        reference_seeds: How many runs the reference was taken from.
        z: Standard errors of the difference of the two means that count as far.

    Returns:
        One line per far output (empty if none): its mean now, the reference and the error.
    """
    far = []
    for name, (mean, sd) in reference.items():
        values = np.array([run[name] for run in runs])
        se = np.sqrt(sd**2 / reference_seeds + values.var(ddof=1) / len(values))
        if abs(values.mean() - mean) > z * se:
            far.append(f"{name}: {values.mean():.1f} against {mean:.1f} (se {se:.1f})")
    return far
