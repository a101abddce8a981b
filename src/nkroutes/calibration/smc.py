"""Adaptive population Monte Carlo ABC: the sampling steps, free of the model.

The algorithm is APMC (Lenormand, Jabot & Deffuant 2013, "Adaptive approximate Bayesian
computation for complex models", Computational Statistics 28: 2777-2796), written for
batches that run in parallel and a fixed budget of parameter sets:

1. Draw ``2 P`` parameter sets from the prior as a scrambled Sobol design (space-filling,
   so a small budget still covers the box), evaluate them, keep the ``P`` nearest (the
   population; weights equal).
2. Repeat while the budget lasts: draw a batch of ``P`` new sets, each from a population
   member chosen by weight and moved by a Gaussian step whose covariance is twice the
   population's weighted covariance (Beaumont et al. 2009); weight each by prior density
   over proposal density; evaluate; keep the ``P`` nearest of the old population and the
   batch. The tolerance is the largest kept distance, so it shrinks adaptively (the
   alpha = 0.5 quantile of the merged sets).
3. Stop early when fewer than ``min_acceptance`` of two batches in a row enter the
   population: the tolerance no longer moves.

Parameters live in the unit box (``z`` in (0, 1), linear or logarithmic between the bounds,
so the prior is uniform or log-uniform) and the steps are taken on the log-odds of ``z``
(``y = logit z``): the Gaussian steps then never leave the box, and the proposal density
needs no truncation correction, so the importance weights are exact. The prior density of
``y`` is ``prod z (1 - z)``.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import numpy as np
from scipy.special import expit, logit, logsumexp
from scipy.stats import qmc

from nkroutes.scenario.bounded import Bounded

#: Smallest and largest ``z`` used, so that ``logit z`` stays finite.
_Z_EDGE = 1e-12


@dataclass(frozen=True)
class FreeParameter(Bounded):
    """A parameter calibration may change, within its bounds: a :class:`Bounded`.

    Attributes:
        id: Short name (``base_departures``).
        path: Dotted key path in the scenario (``departures.base_rate_per_year``).
        low: Lower bound.
        high: Upper bound.
        log: Whether the prior is log-uniform (uniform on log scale) rather than uniform.
        doc: What the parameter means.
    """

    doc: str = ""

    def from_unit(self, z: np.ndarray) -> np.ndarray:
        """Values for positions ``z`` in [0, 1] of the (log-)box."""
        z = np.asarray(z, dtype=float)
        if self.log:
            return np.exp(math.log(self.low) + z * (math.log(self.high) - math.log(self.low)))
        return self.low + z * (self.high - self.low)

    def to_unit(self, value: np.ndarray) -> np.ndarray:
        """Positions in [0, 1] of the (log-)box for values."""
        value = np.asarray(value, dtype=float)
        if self.log:
            return (np.log(value) - math.log(self.low)) / (math.log(self.high) - math.log(self.low))
        return (value - self.low) / (self.high - self.low)


def to_values(parameters: tuple[FreeParameter, ...], z: np.ndarray) -> np.ndarray:
    """Parameter values (n x d) for unit-box positions ``z`` (n x d)."""
    z = np.atleast_2d(z)
    return np.column_stack([p.from_unit(z[:, j]) for j, p in enumerate(parameters)])


def to_unit(parameters: tuple[FreeParameter, ...], values: np.ndarray) -> np.ndarray:
    """Unit-box positions (n x d) of parameter values (n x d)."""
    values = np.atleast_2d(values)
    return np.column_stack([p.to_unit(values[:, j]) for j, p in enumerate(parameters)])


def sobol_design(n: int, d: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` scrambled Sobol points in the unit box (n x d), strictly inside it.

    A power of two keeps the Sobol balance; other sizes are allowed (scipy then warns,
    which is silenced here: the points are still space-filling).
    """
    sampler = qmc.Sobol(d, scramble=True, rng=rng)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        z = sampler.random(n)
    return np.clip(z, _Z_EDGE, 1.0 - _Z_EDGE)


def to_logit(z: np.ndarray) -> np.ndarray:
    """Log-odds of unit-box positions (the space the steps are taken in)."""
    return logit(np.clip(z, _Z_EDGE, 1.0 - _Z_EDGE))


def from_logit(y: np.ndarray) -> np.ndarray:
    """Unit-box positions of log-odds."""
    return np.clip(expit(y), _Z_EDGE, 1.0 - _Z_EDGE)


def log_prior(y: np.ndarray) -> np.ndarray:
    """Log density of a uniform unit-box prior at log-odds ``y`` (n x d): sum log z(1-z)."""
    y = np.atleast_2d(y)
    # log z + log(1 - z) = -(log(1 + e^-y) + log(1 + e^y)), stable for any y
    return -np.sum(np.logaddexp(0.0, -y) + np.logaddexp(0.0, y), axis=1)


def step_covariance(y: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Twice the weighted covariance of the population (d x d), kept positive definite."""
    y = np.atleast_2d(y)
    d = y.shape[1]
    w = np.asarray(weights, dtype=float) / np.sum(weights)
    mean = w @ y
    centred = y - mean
    cov = 2.0 * (centred * w[:, None]).T @ centred
    ridge = 1e-6 * max(float(np.trace(cov)) / d, 1e-6)
    return cov + ridge * np.eye(d)


def propose(
    y: np.ndarray, weights: np.ndarray, n: int, cov: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """New log-odds positions: a population member chosen by weight, plus a Gaussian step.

    Args:
        y: The population (P x d).
        weights: Its weights (P).
        n: How many to draw.
        cov: Covariance of the step (d x d).
        rng: The generator of this generation.

    Returns:
        ``n`` x d positions.
    """
    w = np.asarray(weights, dtype=float) / np.sum(weights)
    parents = rng.choice(len(y), size=n, p=w)
    chol = np.linalg.cholesky(cov)
    steps = rng.standard_normal((n, y.shape[1])) @ chol.T
    return y[parents] + steps


def importance_weights(
    new: np.ndarray, y: np.ndarray, weights: np.ndarray, cov: np.ndarray
) -> np.ndarray:
    """Prior density over proposal density for each new position.

    Not renormalised: its expectation under the proposal is 1, as is the weight of a
    first-generation set (drawn from the prior), so sets kept from different generations
    are weighted on one scale (as in Lenormand et al. 2013).

    Args:
        new: Proposed positions (n x d), log-odds.
        y: The population they were proposed from (P x d).
        weights: Its weights (P).
        cov: The step covariance used.

    Returns:
        The weights (n).
    """
    d = y.shape[1]
    w = np.asarray(weights, dtype=float) / np.sum(weights)
    chol = np.linalg.cholesky(cov)
    diff = new[:, None, :] - y[None, :, :]
    solved = np.linalg.solve(chol, diff.reshape(-1, d).T).T.reshape(diff.shape)
    log_kernel = (
        -0.5 * np.sum(solved**2, axis=2)
        - np.sum(np.log(np.diag(chol)))
        - 0.5 * d * math.log(2 * math.pi)
    )
    log_proposal = logsumexp(log_kernel, axis=1, b=w[None, :])
    return np.exp(log_prior(new) - log_proposal)


def nearest(distances: np.ndarray, keep: int, bounds_only: np.ndarray | None = None) -> np.ndarray:
    """Positions of the ``keep`` nearest sets.

    Args:
        distances: The distances (NaN counts as infinite).
        keep: How many to keep.
        bounds_only: Which distances are only lower bounds (runs stopped early); those
            sets rank after every set whose distance is known.

    Returns:
        Positions, nearest first; ties keep their order.
    """
    d = np.where(np.isnan(distances), np.inf, np.asarray(distances, dtype=float))
    known_first = np.zeros(len(d)) if bounds_only is None else np.asarray(bounds_only, float)
    return np.lexsort((np.arange(len(d)), d, known_first))[:keep]


def population_sizes(budget: int, population: int | None = None) -> tuple[int, int]:
    """The population size and the size of the first (Sobol) generation for a budget.

    Args:
        budget: Parameter sets to evaluate in all.
        population: Population size, or ``None`` for the largest power of two with at
            most a quarter of the budget (so that the Sobol design, twice as large, and at
            least two more generations fit).

    Returns:
        ``(population, first generation size)``.

    Raises:
        ValueError: If the budget is smaller than the first generation plus one batch.
    """
    if population is None:
        population = 2 ** max(1, math.floor(math.log2(max(budget, 8) / 4)))
    if population < 2:
        raise ValueError(f"population: found {population}, expected at least 2")
    first = 2 * population
    if budget < first + 1:
        raise ValueError(
            f"budget: found {budget}, expected at least {first + 1} parameter sets "
            f"(a first generation of {first} and one more batch) for a population of "
            f"{population}"
        )
    return population, first
