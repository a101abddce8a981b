"""The sampling designs and index estimates, from SALib, on the unit cube.

Points are drawn in ``[0, 1]^k`` (see :mod:`nkroutes.sensitivity.ranges`), so Morris's
elementary effects are the change of an outcome when a value moves across its whole range
(in the outcome's unit), comparable between parameters whatever their units.

The third design, ``ends``, needs no sampling: the scenario's own values (the centre), then
each value alone at its low and at its high end (``2k + 1`` points). Its swing, the change of
an outcome from one end to the other with everything else at its value, is the bar of a
tornado chart; its fold, how many times the outcome at an end is above or below the centre's,
checks a range against observations (history matching: an end that alone puts the model's
arrivals far from Table 1 is not plausible).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from SALib.analyze import morris as morris_analyze
from SALib.analyze import sobol as sobol_analyze
from SALib.sample import morris as morris_sample
from SALib.sample import sobol as sobol_sample

#: The methods ``nkroutes sensitivity`` offers.
METHODS = ("morris", "sobol", "ends")

#: Levels of the Morris grid (SALib's default): each value takes 0, 1/3, 2/3 or 1.
MORRIS_LEVELS = 4

#: Morris candidates drawn per trajectory kept: the design keeps the ``size`` trajectories
#: most spread out of ``MORRIS_CANDIDATES x size`` (Campolongo, Cariboni and Saltelli 2007;
#: SALib's local optimisation, Ruano et al. 2012). Better-spread trajectories cover each
#: value's range more evenly at no cost in model runs, which steadies the ranking.
MORRIS_CANDIDATES = 4

#: Bootstrap resamples of SALib's confidence intervals.
RESAMPLES = 1000

#: Confidence level of the intervals.
CONF_LEVEL = 0.95

#: Columns of the tidy table of indices.
INDEX_COLUMNS = ["outcome", "parameter", "index", "value", "ci_low", "ci_high"]


def problem_of(names: Sequence[str]) -> dict:
    """SALib's problem: every parameter on the unit interval."""
    return {"num_vars": len(names), "names": list(names), "bounds": [[0.0, 1.0]] * len(names)}


def sample(method: str, names: Sequence[str], size: int, seed: int) -> np.ndarray:
    """The design's points in the unit cube, one row per point.

    Args:
        method: ``morris`` (``size`` trajectories, the most spread out of
            :data:`MORRIS_CANDIDATES` times as many: ``size x (k + 1)`` points) or ``sobol``
            (``size`` base samples, a power of 2: ``size x (k + 2)`` points).
        names: Parameter ids (``k`` of them).
        size: Trajectories or base samples.
        seed: Seed of the design.
    """
    problem = problem_of(names)
    if method == "morris":
        return morris_sample.sample(
            problem,
            MORRIS_CANDIDATES * size,
            num_levels=MORRIS_LEVELS,
            optimal_trajectories=size,
            local_optimization=True,
            seed=seed,
        )
    return sobol_sample.sample(problem, size, calc_second_order=False, seed=seed)


def ends_points(centre: np.ndarray) -> np.ndarray:
    """The ``ends`` design: the centre, then each value alone at 0 and at 1 (rows).

    Args:
        centre: The scenario's own values in the unit cube (``k`` of them).

    Returns:
        ``2k + 1`` points: row 0 is ``centre``; rows ``2i + 1`` and ``2i + 2`` are the
        centre with value ``i`` at its low and at its high end.
    """
    centre = np.asarray(centre, dtype=float)
    points = np.tile(centre, (2 * len(centre) + 1, 1))
    for i in range(len(centre)):
        points[2 * i + 1, i] = 0.0
        points[2 * i + 2, i] = 1.0
    return points


def fold(at_low: float, at_high: float, central: float) -> float:
    """How many times the outcome at the farther end is above or below the centre's (>= 1).

    ``nan`` unless all three are positive (a fold of a difference or of zero means nothing).
    """
    values = np.array([at_low, at_high])
    if central <= 0 or not np.all(values > 0):
        return float("nan")
    return float(max(np.max(values / central), np.max(central / values)))


def _ends_rows(names: Sequence[str], y: np.ndarray, outcome: str) -> list[list]:
    central = float(y[0])
    rows = []
    for i, name in enumerate(names):
        low, high = float(y[2 * i + 1]), float(y[2 * i + 2])
        for index, value in (
            ("swing", abs(high - low)),
            ("at_low", low),
            ("at_high", high),
            ("central", central),
            ("fold", fold(low, high, central)),
        ):
            rows.append([outcome, name, index, value, np.nan, np.nan])
    return rows


def analyse(
    method: str, names: Sequence[str], points: np.ndarray, y: np.ndarray, outcome: str, seed: int
) -> pd.DataFrame:
    """The indices of one outcome, as tidy rows (:data:`INDEX_COLUMNS`).

    Morris gives ``mu_star`` (with its bootstrap interval), ``mu`` and ``sigma``; Sobol
    gives ``S1`` and ``ST`` with theirs (value +- SALib's half-width at 95%); ``ends`` gives
    ``swing``, ``at_low``, ``at_high``, ``central`` and ``fold`` (no intervals: one run per
    end; use replicates).
    """
    problem = problem_of(names)
    rows = []
    if method == "ends":
        rows = _ends_rows(names, y, outcome)
    elif method == "morris":
        result = morris_analyze.analyze(
            problem,
            points,
            y,
            num_resamples=RESAMPLES,
            conf_level=CONF_LEVEL,
            num_levels=MORRIS_LEVELS,
            seed=seed,
        )
        for i, name in enumerate(names):
            star, half = float(result["mu_star"][i]), float(result["mu_star_conf"][i])
            rows.append([outcome, name, "mu_star", star, max(star - half, 0.0), star + half])
            rows.append([outcome, name, "mu", float(result["mu"][i]), np.nan, np.nan])
            rows.append([outcome, name, "sigma", float(result["sigma"][i]), np.nan, np.nan])
    else:
        result = sobol_analyze.analyze(
            problem,
            y,
            calc_second_order=False,
            num_resamples=RESAMPLES,
            conf_level=CONF_LEVEL,
            seed=seed,
        )
        for index in ("S1", "ST"):
            for i, name in enumerate(names):
                value, half = float(result[index][i]), float(result[f"{index}_conf"][i])
                rows.append([outcome, name, index, value, value - half, value + half])
    return pd.DataFrame(rows, columns=INDEX_COLUMNS)
