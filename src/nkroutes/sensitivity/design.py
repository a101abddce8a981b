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

#: How many places at the top of a Morris ranking its stability is reported for: the top
#: five, as issue 18 asks and as a screening keeps for Sobol.
TOP_PLACES = 5

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


def morris_effects(points: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Each trajectory's absolute elementary effects, one row per trajectory.

    Args:
        points: A Morris design in the unit cube, ``r x (k + 1)`` rows of ``k`` values, each
            trajectory's rows one after the other (each row changes one value of the last).
        y: The outcome at each point.

    Returns:
        ``r x k``: ``|dy / dx|`` of the value each step of a trajectory changed (``dx`` is
        the step on the unit interval, 2/3 on SALib's 4-level grid). Their column means are
        SALib's mu*.
    """
    points = np.asarray(points, dtype=float)
    k = points.shape[1]
    steps = points.reshape(-1, k + 1, k)
    dx = np.diff(steps, axis=1)  # r x k x k: one non-zero value per row
    changed = np.argmax(np.abs(dx) > 0, axis=2)
    dy = np.diff(np.asarray(y, dtype=float).reshape(-1, k + 1), axis=1)
    step = np.take_along_axis(dx, changed[:, :, None], axis=2)[:, :, 0]
    effects = np.zeros((steps.shape[0], k))
    np.put_along_axis(effects, changed, np.abs(dy / step), axis=1)
    return effects


def top_places(mu_star: np.ndarray, places: int = TOP_PLACES) -> np.ndarray:
    """Indices of the ``places`` largest mu* along the last axis, largest first.

    Ties keep the parameters' order (a stable sort), so the same values always give the
    same places.
    """
    return np.argsort(-np.asarray(mu_star), axis=-1, kind="stable")[..., :places]


def top_place_shares(
    effects: np.ndarray, seed: int, resamples: int = RESAMPLES, places: int = TOP_PLACES
) -> tuple[np.ndarray, float]:
    """How settled a Morris ranking's top places are: a bootstrap over its trajectories.

    Each resample draws the trajectories with replacement and ranks the values by the mean of
    their effects (mu*), as the analysis does.

    Args:
        effects: :func:`morris_effects` (``r x k``).
        seed: Seed of the resampling.
        resamples: Bootstrap resamples.
        places: The top places looked at (``min(places, k)``).

    Returns:
        Each value's share of resamples that put it in the top ``places`` (0-1), and the
        share of resamples whose top ``places`` are the same set as the full design's: an
        estimate of how often another design of as many trajectories would agree.
    """
    r, k = effects.shape
    places = min(places, k)
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(13,)))
    picks = rng.integers(0, r, size=(resamples, r))
    mu_star = effects[picks].mean(axis=1)  # resamples x k
    in_top = np.zeros((resamples, k), dtype=bool)
    np.put_along_axis(in_top, top_places(mu_star, places), True, axis=1)
    full = np.zeros(k, dtype=bool)
    full[top_places(effects.mean(axis=0), places)] = True
    same = float(np.mean(np.all(in_top == full, axis=1)))
    return in_top.mean(axis=0), same


def analyse(
    method: str, names: Sequence[str], points: np.ndarray, y: np.ndarray, outcome: str, seed: int
) -> pd.DataFrame:
    """The indices of one outcome, as tidy rows (:data:`INDEX_COLUMNS`).

    Morris gives ``mu_star`` (with its bootstrap interval), ``mu`` and ``sigma``, and the
    ranking's stability (:func:`top_place_shares`): ``top_share``, the share of bootstrap
    resamples of the trajectories that put the value in the top :data:`TOP_PLACES`, and
    ``top_set_share`` (the same on every row of the outcome), the share whose top places are
    the same set as the design's; Sobol
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
        shares, same = top_place_shares(morris_effects(points, y), seed)
        for i, name in enumerate(names):
            star, half = float(result["mu_star"][i]), float(result["mu_star_conf"][i])
            rows.append([outcome, name, "mu_star", star, max(star - half, 0.0), star + half])
            rows.append([outcome, name, "mu", float(result["mu"][i]), np.nan, np.nan])
            rows.append([outcome, name, "sigma", float(result["sigma"][i]), np.nan, np.nan])
            rows.append([outcome, name, "top_share", float(shares[i]), np.nan, np.nan])
            rows.append([outcome, name, "top_set_share", same, np.nan, np.nan])
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
