"""``compare --draws``: what-if effects over parameter uncertainty as well as replicates.

Each scenario runs at ``K`` parameter points, each point a whole paired comparison (the
same replicate seeds for every scenario and every point: common random numbers), in
``OUT/draw-01`` ... ``OUT/draw-K``; ``OUT/central`` holds the usual comparison at the
scenarios' own values (the replicate-only intervals). Points are a Latin hypercube over the
baseline's ``[[uncertainty]]`` ranges or, with a calibration folder, the calibrated values
drawn from its posterior (by weight) and the other ranged values from the hypercube. A
what-if keeps its own value of a ranged path it changes (its lever).

``OUT/draws.csv`` and ``OUT/comparison.md`` report each effect's median and 90% interval
over points and replicates together, how much wider that is than the replicate-only
interval, and the share of points where the effect keeps its sign.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import qmc

from nkroutes.analysis.compare import Comparison
from nkroutes.analysis.compare import compare as compare_once
from nkroutes.analysis.compare_options import check_compare_options
from nkroutes.analysis.paired import BOOTSTRAP_RESAMPLES as RESAMPLES
from nkroutes.ensemble.errors import EnsembleSetupError
from nkroutes.ensemble.executors import make_executor
from nkroutes.ensemble.folders import check_out_dir, write_csv, write_text
from nkroutes.ensemble.posterior import Posterior
from nkroutes.ensemble.runner import as_scenario
from nkroutes.ensemble.size_guard import check_replicate_size, largest_values
from nkroutes.scenario import Scenario
from nkroutes.sensitivity.draws_report import draws_markdown
from nkroutes.sensitivity.ranges import (
    Range,
    SensitivityError,
    levers,
    ranges_of,
    scenario_at,
)

#: The folder of the comparison at the scenarios' own values.
CENTRAL = "central"
#: What ``compare --draws`` writes, as :data:`nkroutes.ensemble.folders.FOLDER_KINDS` names it.
DRAWS_KIND = "comparison over parameter draws"

#: Quantiles of the 90% intervals.
LOW, HIGH = 0.05, 0.95

#: Draws ``(table, folder) -> file names`` (:func:`nkroutes.plots.sensitivity.draws_forest`).
DrawsFigure = Callable[[pd.DataFrame, Path], list[str]]


@dataclass
class DrawsComparison:
    """What-ifs compared with a baseline at K parameter points.

    Attributes:
        central: The comparison at the scenarios' own values.
        draws: The comparison at each point.
        values: The values of each point (one row per point, by range id).
        table: One row per what-if and outcome (see :func:`draws_table`).
        source: ``ranges`` (Latin hypercube) or the calibration folder of the posterior.
        directory: Where it was written, if anywhere.
    """

    central: Comparison
    draws: list[Comparison]
    values: pd.DataFrame
    table: pd.DataFrame
    source: str
    directory: Path | None = None
    files: list[Path] = field(default_factory=list)


def posterior_values(folder: Path, k: int, seed: int) -> pd.DataFrame:
    """``k`` parameter sets drawn by weight from a calibration's posterior.

    Point ``i`` takes the set that replicate ``i`` of ``nkroutes run --posterior`` takes with
    the same seed (:class:`~nkroutes.ensemble.posterior.Posterior`: a quasi-random sequence,
    so any first ``k`` points take each set about ``k`` times its weight).

    Returns:
        One row per draw, a column per calibrated path.

    Raises:
        SensitivityError: If the folder is not a usable calibration (the message names the
            file and what was expected).
    """
    try:
        posterior = Posterior.load(folder)
    except EnsembleSetupError as error:
        raise SensitivityError(str(error)) from None
    return pd.DataFrame([posterior.values_of(posterior.row_of(seed, i)) for i in range(k)])


def draw_points(
    ranges: Sequence[Range], k: int, seed: int, posterior: Path | None
) -> list[dict[str, float]]:
    """The values of each of ``k`` points: ``{path: value}``."""
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(11,)))
    unit = qmc.LatinHypercube(d=len(ranges), seed=rng).random(k)
    points = [{r.path: r.value(float(u)) for r, u in zip(ranges, row, strict=True)} for row in unit]
    if posterior is not None:
        drawn = posterior_values(Path(posterior), k, seed)
        for point, (_, row) in zip(points, drawn.iterrows(), strict=True):
            point.update({str(p): float(v) for p, v in row.items()})
    return points


def _differences(comparison: Comparison, what_if: str, outcome: str) -> np.ndarray | None:
    base = comparison.results[comparison.baseline].summary.sort_values("replicate")
    other = comparison.results[what_if].summary.sort_values("replicate")
    if outcome not in base.columns or outcome not in other.columns:
        return None
    return other[outcome].to_numpy(dtype=float) - base[outcome].to_numpy(dtype=float)


def draws_table(central: Comparison, draws: Sequence[Comparison]) -> pd.DataFrame:
    """Each effect over replicates only, and over points and replicates together.

    Columns: ``whatif, outcome, label, unit, median_difference, ci_low, ci_high`` (the
    central comparison's median paired difference and its bootstrap interval),
    ``replicate_q05, replicate_q95`` (90% of the central pairs), ``draws_median,
    draws_q05, draws_q95`` (all pairs of all points), ``widening`` (the ratio of the two
    90% widths), ``robust_share`` (points whose median effect has the sign of
    ``draws_median``) and ``points``.
    """
    rows = []
    for _, row in central.table.iterrows():
        what_if, outcome = row["whatif"], row["outcome"]
        at_centre = _differences(central, what_if, outcome)
        per_point = [_differences(d, what_if, outcome) for d in draws]
        if at_centre is None or any(p is None for p in per_point):
            continue
        pooled = np.concatenate(per_point)
        pooled = pooled[np.isfinite(pooled)]
        at_centre = at_centre[np.isfinite(at_centre)]
        if not len(pooled) or not len(at_centre):
            continue
        r_low, r_high = np.quantile(at_centre, [LOW, HIGH])
        d_median, d_low, d_high = np.quantile(pooled, [0.5, LOW, HIGH])
        medians = np.array([np.nanmedian(p) for p in per_point])
        sign = np.sign(d_median)
        robust = float(np.mean(np.sign(medians) == sign)) if sign != 0 else float("nan")
        width = r_high - r_low
        rows.append(
            {
                "whatif": what_if,
                "outcome": outcome,
                "label": row["label"],
                "unit": row["unit"],
                "median_difference": row["median_difference"],
                "ci_low": row["ci_low"],
                "ci_high": row["ci_high"],
                "replicate_q05": float(r_low),
                "replicate_q95": float(r_high),
                "draws_median": float(d_median),
                "draws_q05": float(d_low),
                "draws_q95": float(d_high),
                "widening": float((d_high - d_low) / width) if width > 0 else float("nan"),
                "robust_share": robust,
                "points": len(draws),
            }
        )
    return pd.DataFrame(rows)


def compare_draws(
    baseline: Scenario | str | os.PathLike[str],
    whatifs: Sequence[Scenario | str | os.PathLike[str]],
    draws: int,
    posterior: str | os.PathLike[str] | None = None,
    out: str | os.PathLike[str] | None = None,
    figures: DrawsFigure | None = None,
    **options: Any,
) -> DrawsComparison:
    """Compare what-ifs with a baseline at ``draws`` parameter points (and at its values).

    Args:
        baseline: The baseline (its ``[[uncertainty]]`` ranges are drawn from).
        whatifs: The what-ifs (a single scenario or file is one what-if).
        draws: Parameter points, a whole number of at least 2.
        posterior: A calibration folder whose posterior the calibrated values come from.
        out: The folder (each comparison in a subfolder), or ``None`` to write nothing.
        figures: Draws the forest plot of both intervals.
        **options: Passed to every :func:`nkroutes.analysis.compare.compare` (replicates,
            seed, executor, workers, scheduler, resume, force, progress, command,
            allow_large). Without ``allow_large`` every scenario is checked against the
            size limits at the points' largest values before any runs.

    Raises:
        SensitivityError: Bad ranges, posterior or number of draws (exit 2).
        EnsembleSetupError: A bad ``replicates``, ``seed`` or ``resamples``, or a scenario
            too large at a point (without ``allow_large``); nothing has run then.
    """
    if isinstance(draws, bool) or not isinstance(draws, int | np.integer) or draws < 2:
        raise SensitivityError(
            f"draws: found {draws!r}, expected a whole number of parameter points, at least 2"
        )
    draws = int(draws)
    # replicates, seed and resamples refused before the points are drawn or anything runs
    checked = check_compare_options(
        options.get("replicates"), options.get("seed", 0), options.get("resamples", RESAMPLES)
    )
    seed = checked[1]
    if isinstance(whatifs, str | os.PathLike | Scenario | Mapping):
        whatifs = [whatifs]  # one what-if, as compare takes it
    base = as_scenario(baseline)
    others = [as_scenario(w) for w in whatifs]
    ranges = ranges_of(base)
    points = draw_points(ranges, draws, seed, None if posterior is None else Path(posterior))
    kept = [levers(base, w, ranges) for w in others]
    at_points = [
        (
            scenario_at(base, p),
            [scenario_at(w, p, keep) for w, keep in zip(others, kept, strict=True)],
        )
        for p in points
    ]
    largest = largest_values(points)  # every point's run is at most this large
    for scenario, keep in zip((base, *others), (frozenset(), *kept), strict=True):
        check_replicate_size(
            scenario,
            bool(options.get("allow_large", False)),
            {path: value for path, value in largest.items() if path not in keep},
            f"{scenario.source} at the largest of the {draws} points",
        )
    directory = None if out is None else Path(out)
    if directory is not None:  # a run's or another command's folder is refused, not mixed
        resume, force = bool(options.get("resume")), bool(options.get("force"))
        check_out_dir(directory, resume=resume, force=force, what=DRAWS_KIND)

    def _sub(name: str) -> Path | None:
        return None if directory is None else directory / name

    executor = options.pop("executor", "local")
    context = (
        make_executor(executor, options.get("workers"), options.get("scheduler"))
        if isinstance(executor, str)
        else nullcontext(executor)
    )
    with context as pool:  # one pool for every comparison: workers start once
        central = compare_once(base, others, out=_sub(CENTRAL), executor=pool, **options)
        results = [
            compare_once(b, ws, out=_sub(f"draw-{i + 1:02d}"), executor=pool, **options)
            for i, (b, ws) in enumerate(at_points)
        ]
    values = pd.DataFrame(points).rename(columns={r.path: r.id for r in ranges})
    values.insert(0, "point", range(1, len(points) + 1))
    table = draws_table(central, results)
    source = "ranges" if posterior is None else str(posterior)
    outcome = DrawsComparison(central, results, values, table, source, directory)
    if directory is not None:
        outcome.files.append(write_csv(directory / "draws.csv", table))
        outcome.files.append(write_csv(directory / "points.csv", values))
        names = figures(table, directory / "plots") if figures is not None else []
        outcome.files += [directory / "plots" / n for n in names]
        text = draws_markdown(outcome, names)
        outcome.files.append(write_text(directory / "comparison.md", text))
    return outcome


def compare(*args: Any, draws: int | None = None, **kwargs: Any) -> Comparison | DrawsComparison:
    """:func:`nkroutes.analysis.compare.compare`, or with ``draws=K`` :func:`compare_draws`.

    This is ``nkroutes.compare``: ``compare(base, whatifs, draws=20)`` reports effects over
    parameter uncertainty; without ``draws``, the usual paired comparison.
    """
    if draws is None:
        return compare_once(*args, **kwargs)
    return compare_draws(*args, draws=draws, **kwargs)
