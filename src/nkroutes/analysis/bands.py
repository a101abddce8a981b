"""Year bands: the median and the 50% and 90% ranges of a yearly output over replicates.

The one place bands are computed, for the fit report (``nkroutes fit``), a calibration's
posterior predictive and the figures alike. Replicates may carry weights (a posterior's
importance weights); by default they count equally, and the quantiles are then numpy's
linear ones. Also here: where an observation falls among the replicates, and how many
observed years the 90% band covers over resamples of the replicates.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from nkroutes.analysis.targets import weighted_quantile

#: Quantiles of the replicates shown for each year: the 90% and 50% bands and the median.
BAND_QUANTILES: dict[str, float] = {
    "q05": 0.05,
    "q25": 0.25,
    "median": 0.5,
    "q75": 0.75,
    "q95": 0.95,
}

#: Resamples of the replicates (drawn with replacement) for the range of the band's coverage.
COVERAGE_RESAMPLES = 1000

#: Seed of that resampling: fixed, so that the same tables always give the same report.
COVERAGE_RESAMPLING_SEED = 2008


def observed_series(observed: pd.DataFrame | pd.Series) -> pd.Series:
    """Observed arrivals as a Series indexed by year (accepts ``year, arrivals`` tables)."""
    if isinstance(observed, pd.DataFrame):
        return observed.set_index("year")["arrivals"].astype(float)
    return observed.astype(float)


def replicate_weights(replicates: pd.Index, weights: Mapping | pd.Series | None) -> np.ndarray:
    """Each replicate's weight, in the order of ``replicates`` (1 each without ``weights``)."""
    if weights is None:
        return np.ones(len(replicates))
    series = pd.Series(weights, dtype=float)
    return series.reindex(replicates).fillna(0.0).to_numpy()


def yearly_bands(
    yearly: pd.DataFrame,
    column: str,
    years: Sequence[int] | None = None,
    weights: Mapping | pd.Series | None = None,
) -> pd.DataFrame:
    """The median and the 50% and 90% bands of a yearly output over replicates.

    Args:
        yearly: Long yearly table (``replicate``, ``year``, ``column``).
        column: The output, e.g. ``arrivals_south_korea``.
        years: Years to keep (default: all simulated).
        weights: Weight of each replicate by replicate id (default: equal).

    Returns:
        One row per year: ``year`` and the columns of :data:`BAND_QUANTILES`.
    """
    wide = wide_table(yearly, column, years)
    return bands_of(wide, replicate_weights(wide.index, weights))


def bands_of(wide: pd.DataFrame, w: np.ndarray) -> pd.DataFrame:
    """The bands of a replicates-by-year table with replicate weights ``w``."""
    rows = []
    for year in wide.columns:
        values = wide[year].to_numpy()
        rows.append(
            {"year": int(year)}
            | {name: weighted_quantile(values, q, w) for name, q in BAND_QUANTILES.items()}
        )
    return pd.DataFrame(rows, columns=["year", *BAND_QUANTILES])


def wide_table(
    yearly: pd.DataFrame, column: str, years: Sequence[int] | None = None
) -> pd.DataFrame:
    """Replicates by year (rows by replicate id) of one yearly output.

    Only the simulated years among ``years`` are kept (all simulated years if None).
    """
    wide = yearly.pivot(index="replicate", columns="year", values=column).astype(float)
    if years is None:
        return wide
    return wide.loc[:, [y for y in wide.columns if y in set(years)]]


def observed_quantile(values: np.ndarray, observed: float, weights: np.ndarray) -> float:
    """Where an observation falls among replicates: the share of them below it.

    Replicates equal to the observation count half, so an observation equal to every
    replicate sits at 0.5. A value under 0.05 or over 0.95 lies outside the 90% band or at
    its edge. Replicates without a value (NaN) are left out, as in the band.

    Args:
        values: One value per replicate.
        observed: The observed value.
        weights: Weight of each replicate (non-negative, not all zero).

    Returns:
        The weighted share, in [0, 1].
    """
    keep = ~np.isnan(values)
    values, weights = values[keep], weights[keep]
    below = weights[values < observed].sum()
    tied = weights[values == observed].sum()
    return float((below + 0.5 * tied) / weights.sum())


def coverage_resampled(
    yearly: pd.DataFrame,
    observed: pd.DataFrame | pd.Series,
    years: Sequence[int],
    column: str = "arrivals_south_korea",
    weights: Mapping | pd.Series | None = None,
    resamples: int = COVERAGE_RESAMPLES,
    seed: int = COVERAGE_RESAMPLING_SEED,
) -> np.ndarray:
    """How many years the 90% band covers, for resamples of the replicates.

    Each resample draws as many replicates as there are, with replacement (with
    probabilities proportional to ``weights`` when given), and counts the observed years
    inside its 5-95% range (numpy's linear quantiles, as :func:`yearly_bands` with equal
    weights; NaN values left out). The spread of these counts says how much the coverage of
    one set of replicates owes to which replicates it happened to have: what another run of
    as many replicates, with other seeds, could give.

    Args:
        yearly: Long yearly table (``replicate``, ``year``, ``column``).
        observed: Observed arrivals by year.
        years: Years compared (those not simulated are left out); each must be observed.
        column: The simulated output.
        weights: Weight of each replicate by id (default: equal).
        resamples: Number of resamples.
        seed: Seed of the resampling's numpy Generator.

    Returns:
        One count per resample (integers).
    """
    wide = wide_table(yearly, column, years)
    obs = observed_series(observed).reindex([int(y) for y in wide.columns]).to_numpy()
    w = replicate_weights(wide.index, weights)
    return coverage_counts(wide.to_numpy(), obs, w, resamples, seed)


def coverage_counts(
    values: np.ndarray, obs: np.ndarray, w: np.ndarray, resamples: int, seed: int
) -> np.ndarray:
    """:func:`coverage_resampled` of a replicates-by-year array, given ``obs`` and ``w``."""
    n = len(values)
    quantile = np.nanquantile if np.isnan(values).any() else np.quantile
    rng = np.random.default_rng(seed)
    counts = np.empty(resamples, dtype=np.int64)
    chunk = max(1, 2_000_000 // max(1, n * values.shape[1]))
    for start in range(0, resamples, chunk):
        size = min(chunk, resamples - start)
        picks = rng.choice(n, size=(size, n), p=w / w.sum())
        low, high = quantile(values[picks], [0.05, 0.95], axis=1)
        counts[start : start + size] = ((obs >= low) & (obs <= high)).sum(axis=1)
    return counts
