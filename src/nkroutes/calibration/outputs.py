"""The files a calibration leaves in its output directory, and the report ``fit.md``.

- ``evaluations.csv``: every parameter set evaluated (generation, values, distance and its
  parts, whether it is in the posterior);
- ``posterior.csv``: the final population, nearest first, with importance weights;
- ``predictive.csv``: per year, Table 1 and the posterior predictive median and bands;
- ``calibrated.toml``: written by :func:`write_calibrated`;
- ``fit.md``: :func:`nkroutes.calibration.report.fit_markdown`.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from nkroutes.analysis.bands import yearly_bands
from nkroutes.calibration.calibrated_toml import calibrated_toml, significant
from nkroutes.calibration.problem import tables_of
from nkroutes.ensemble.folders import write_text
from nkroutes.text import plural

if TYPE_CHECKING:
    from nkroutes.calibration.settings import CalibrationRun

#: What the estimate written to ``calibrated.toml`` is, by ``--estimate``.
ESTIMATE_WORDS = {
    "median": "weighted posterior median of each parameter",
    "best": "the accepted parameter set with the smallest distance",
}
#: The same, in a few words.
ESTIMATE_SHORT = {"median": "posterior medians", "best": "nearest set"}
#: The same, for one parameter (a column heading).
ESTIMATE_COLUMN = {"median": "posterior median", "best": "nearest set"}


def tolerance_words(run: CalibrationRun) -> str:
    """The final tolerance, or why there is none (sets in the population stopped early).

    The tolerance is the largest distance in the population. Sets stopped early have only a
    lower bound of their distance (above the stop distance) and rank after every set that
    ran to the end, so while any is in the population its largest distance is not known.
    """
    stopped = run.n_stopped_in_population
    if not stopped:
        return f"tolerance {run.generations[-1].tolerance:.4f}"
    return (
        f"tolerance unknown: {stopped} of the {len(run.population)} posterior sets "
        f"{'was' if stopped == 1 else 'were'} stopped early (distance above "
        f"{run.settings.stop_distance:g}, only a lower bound)"
    )


def evaluations_table(run: CalibrationRun) -> pd.DataFrame:
    """Every evaluation: generation, parameter values, distance and its parts, acceptance.

    The arrivals' part of the distance is ``arrivals_rms_log``, or ``arrivals_ard`` with
    ``arrivals_distance = "ard"``. ``accepted`` marks the final population,
    ``posterior_weight`` its normalised weights; ``stopped_in`` is the year after which a
    set's runs were stopped (its distance is then a lower bound).
    """
    in_population = dict(zip(run.population, run.weights, strict=True))
    arrivals_column = f"arrivals_{'ard' if run.problem.settings.distance == 'ard' else 'rms_log'}"
    targets = [t.name for t in run.problem.targets]
    rows = []
    for e in run.evaluations.values():
        row: dict[str, Any] = {"evaluation": e.index, "generation": e.generation}
        row |= {p.id: v for p, v in zip(run.problem.parameters, e.values, strict=True)}
        row |= {"distance": e.distance.total, arrivals_column: e.distance.arrivals}
        row |= {f"penalty_{n}": e.distance.penalties.get(n, math.nan) for n in targets}
        stopped = e.record.get("stopped") or {}
        row |= {
            "stopped_in": stopped.get("year", ""),
            "accepted": e.index in in_population,
            "posterior_weight": float(in_population.get(e.index, 0.0)),
            "seconds": e.record.get("seconds", math.nan),
            "error": e.record.get("error") or "",
        }
        rows.append(row)
    return pd.DataFrame(rows)


def posterior_table(run: CalibrationRun) -> pd.DataFrame:
    """The final population, nearest first: weight, parameter values, distance and parts."""
    table = evaluations_table(run).set_index("evaluation").loc[run.population].reset_index()
    table.insert(0, "rank", range(1, len(table) + 1))
    table = table.drop(columns=["accepted", "error", "stopped_in"])
    return table.rename(columns={"posterior_weight": "weight"})


def predictive_tables(run: CalibrationRun) -> tuple[pd.DataFrame, pd.DataFrame, pd.Series]:
    """The posterior predictive: the population's replicates as one weighted ensemble.

    Returns:
        ``(yearly, summary, weights)``: long tables whose ``replicate`` numbers each
        (member, replicate) pair, and each such replicate's weight (the member's weight
        shared equally among its replicates). Members stopped early are left out.

    Raises:
        ValueError: If no member ran to the end.
    """
    yearly_parts, summary_parts, weights = [], [], {}
    offset = 0
    for index, weight in zip(run.population, run.weights, strict=True):
        yearly, summary = tables_of(run.evaluations[index].record)
        if yearly.empty:
            continue
        n = int(yearly["replicate"].max()) + 1
        yearly_parts.append(yearly.assign(replicate=yearly["replicate"] + offset))
        summary_parts.append(summary.assign(replicate=summary["replicate"] + offset))
        weights |= {offset + r: float(weight) / n for r in range(n)}
        offset += n
    if not yearly_parts:
        raise ValueError("no parameter set of the posterior ran to the end")
    return (
        pd.concat(yearly_parts, ignore_index=True),
        pd.concat(summary_parts, ignore_index=True),
        pd.Series(weights, dtype=float),
    )


def predictive_bands(run: CalibrationRun) -> pd.DataFrame:
    """Per simulated year: Table 1 (where observed) and the weighted predictive bands."""
    yearly, _, weights = predictive_tables(run)
    bands = yearly_bands(yearly, run.problem.settings.arrivals, weights=weights)
    observed = run.problem.observed
    bands.insert(1, "observed", observed.reindex(bands["year"]).to_numpy())
    return bands


@dataclass(frozen=True)
class Estimate:
    """The values written to ``calibrated.toml``.

    Attributes:
        kind: ``"median"`` or ``"best"``: which estimate the values are.
        values: The values as written (4 significant digits), in parameter order.
        interval: Weighted 90% posterior interval of each parameter (d x 2).
        best: The nearest accepted set's values.
        check_distances: With ``--estimate auto``, the distance of each candidate's check
            runs (by kind); empty otherwise.
    """

    kind: str
    values: np.ndarray
    interval: np.ndarray
    best: np.ndarray
    check_distances: dict[str, float] = field(default_factory=dict)

    def choice_words(self) -> str:
        """How the estimate was chosen, for ``calibrated.toml`` and ``fit.md``."""
        words = ESTIMATE_WORDS[self.kind]
        if len(self.check_distances) < 2:
            return words
        others = ", ".join(
            f"{d:.4f} for the {ESTIMATE_SHORT[k]}" for k, d in self.check_distances.items()
        )
        return f"{words}, nearer the data in the check runs (distance {others})"


def make_estimate(run: CalibrationRun, kind: str) -> Estimate:
    """A point estimate of a calibration (``"median"`` or ``"best"``), rounded as written."""
    values = np.array([significant(v) for v in run.estimate(kind)])
    return Estimate(kind, values, run.interval(0.9), run.estimate("best"))


def run_header(
    run: CalibrationRun, estimate: Estimate, when: dt.datetime, command: str
) -> list[str]:
    """Comment lines naming a calibration run: date, command, budget, seed, distance."""
    best = run.evaluations[run.population[0]].distance.total
    lines = [
        f"Calibrated by nkroutes on {when:%Y-%m-%d %H:%M}" + (f": {command}" if command else ""),
        f"budget {run.settings.budget} parameter sets x "
        f"{plural(run.settings.replicates, 'replicate')}, "
        f"seed {run.settings.seed}; evaluated {len(run.evaluations)} in "
        f"{len(run.generations)} generations (population {len(run.population)})",
        f"fitted years {run.problem.settings.years[0]}-{run.problem.settings.years[1]}; "
        f"distance: best {best:.4f}, {tolerance_words(run)}",
        f"values: {estimate.choice_words()}; see fit.md and posterior.csv",
        "one set, so its runs show chance alone; from this folder, `nkroutes run "
        "calibrated.toml --posterior .` draws each replicate's values from the posterior",
    ]
    return lines


def interval_comment(value: float, low: float, high: float, nearest: bool = False) -> str:
    """The comment beside a calibrated value: its 90% posterior interval.

    The nearest set (``--estimate best``, or ``auto`` when its check runs come nearer) may lie
    outside the interval of the posterior it belongs to; the comment then says so, so that a
    reader of ``calibrated.toml`` does not take the two for a contradiction.

    Args:
        value: The value as written (4 significant digits).
        low: The interval's lower end.
        high: Its upper end.
        nearest: Whether the values are the nearest set's (a weighted median is never
            outside; rounding to 4 digits, up to 0.05%, does not count as outside).
    """
    comment = f"calibrated: 90% posterior interval {significant(low):g}-{significant(high):g}"
    slack = 5e-4
    if nearest and not low - slack * abs(low) <= value <= high + slack * abs(high):
        comment += " (this value, the nearest set's, lies outside it: see fit.md)"
    return comment


def write_calibrated(
    run: CalibrationRun, estimate: Estimate, out_dir: Path, header: Sequence[str]
) -> Path:
    """Write ``calibrated.toml``: extends the input scenario, sets the estimates."""
    comments = [
        interval_comment(float(v), lo, hi, nearest=estimate.kind == "best")
        for v, (lo, hi) in zip(estimate.values, estimate.interval, strict=True)
    ]
    text = calibrated_toml(
        run.problem.scenario,
        out_dir,
        [p.path for p in run.problem.parameters],
        [float(v) for v in estimate.values],
        comments,
        header,
    )
    return write_text(out_dir / "calibrated.toml", text)
