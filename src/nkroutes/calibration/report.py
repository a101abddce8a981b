"""The report of a calibration, ``fit.md``: settings, free parameters, generations, fit."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from nkroutes.analysis.fit import FitReport
from nkroutes.calibration.outputs import ESTIMATE_COLUMN, Estimate
from nkroutes.calibration.settings import CalibrationRun
from nkroutes.text import plural


def _table(frame: pd.DataFrame) -> str:
    header = "| " + " | ".join(map(str, frame.columns)) + " |"
    rule = "|" + "|".join("---" for _ in frame.columns) + "|"
    body = ["| " + " | ".join(str(v) for v in row) + " |" for row in frame.itertuples(index=False)]
    return "\n".join([header, rule, *body])


def _number(value: float) -> str:
    return f"{value:.4g}"


def parameters_table(run: CalibrationRun, estimate: Estimate) -> pd.DataFrame:
    """One row per free parameter: path, prior, estimate, 90% interval, nearest set."""
    rows = []
    for j, p in enumerate(run.problem.parameters):
        rows.append(
            {
                "parameter": p.id,
                "path": f"`{p.path}`",
                "prior": f"{'log-uniform' if p.log else 'uniform'} {_number(p.low)}-"
                f"{_number(p.high)}",
                f"estimate ({ESTIMATE_COLUMN[estimate.kind]})": _number(estimate.values[j]),
                "90% posterior interval": f"{_number(estimate.interval[j, 0])}-"
                f"{_number(estimate.interval[j, 1])}",
                "nearest set": _number(estimate.best[j]),
            }
        )
    return pd.DataFrame(rows)


def generations_table(run: CalibrationRun) -> pd.DataFrame:
    """One row per generation: evaluated, entered the population, tolerance, best distance."""
    return pd.DataFrame(
        [
            {
                "generation": g.number,
                "evaluated": g.proposed,
                "entered population": f"{g.accepted} ({100 * g.acceptance:.0f}%)",
                "stopped early": f"{g.stopped} (above {g.stop_above:.3g})",
                "tolerance": f"{g.tolerance:.4f}",
                "best distance": f"{g.best:.4f}",
            }
            for g in run.generations
        ]
    )


HOW_TO_READ = """\
## How to read this

- **Posterior**: the parameter sets kept in the last generation (`posterior.csv`), each with
  an importance weight. Together they say which values reproduce the article about as well
  as each other; a narrow interval means the data pin the parameter down, an interval as
  wide as the bounds means they do not (the parameter then rests on its prior, and the
  posterior marginals figure shows a flat histogram).
- **Estimate**: the value written to `calibrated.toml`. With `--estimate auto` (the
  default) the posterior medians and the nearest set are both run for the check and the one
  nearer the data is kept: medians taken one parameter at a time can miss a ridge of
  parameters that trade off (the pairs figure shows such ridges), and the nearest set is
  partly nearest by luck. Check its fit under "Fit of calibrated.toml": a point estimate
  can fit worse than the posterior predictive.
- **Distance**: RMS of log(arrivals + 1) differences over the fitted years (0.1 is about
  10% off each year), plus weight x miss of each secondary target that is outside its range
  (miss on the log scale for counts, log-odds for shares). `evaluations.csv` has the parts.
- **Out of sample**: with fitted years short of Table 1, the "other years" rows say how well
  the calibration predicts years it never saw.
- **Tolerance**: the largest distance in the population; it falls from generation to
  generation. If the last generations barely lower it, more budget would not help much.
- **Stopped early**: runs stop as soon as their distance is sure to exceed the tolerance
  (the first generation: a fixed distance), since such a set cannot enter the population;
  their distance in `evaluations.csv` is the lower bound reached (`stopped_in` says when).
"""


def fit_markdown(
    run: CalibrationRun,
    estimate: Estimate,
    check: FitReport | None,
    predictive: FitReport | None,
    when: dt.datetime,
    command: str,
    figures: Sequence[str],
) -> str:
    """The calibration report ``fit.md``."""
    problem, settings = run.problem, run.settings
    minutes = run.seconds / 60.0
    lines = [
        f"# Calibration of {problem.scenario.name}",
        "",
        f"- run: {when:%Y-%m-%d %H:%M}" + (f", `{command}`" if command else ""),
        f"- scenario: `{problem.scenario.source}` (sha256 {problem.scenario.hash[:12]})",
        f"- budget: {settings.budget} parameter sets x {plural(settings.replicates, 'replicate')}"
        f", seed {settings.seed}; population {len(run.population)}",
        f"- evaluated: {len(run.evaluations)} parameter sets in {len(run.generations)} "
        f"generations ({run.reused} read back from evaluations.jsonl, {run.n_stopped} stopped "
        f"early, {run.n_failed} failed); sampling took {minutes:.1f} min",
        f"- fitted: yearly `{problem.settings.arrivals}` against Table 1, "
        f"{problem.settings.years[0]}-{problem.settings.years[1]}, by "
        + (
            "their averaged relative difference (ARD)"
            if problem.settings.distance == "ard"
            else "the RMS of log(arrivals + 1) differences"
        )
        + "; secondary targets: "
        + (", ".join(f"{t.name} (weight {t.weight:g})" for t in problem.targets) or "none"),
        f"- estimate in `calibrated.toml`: {estimate.choice_words()}",
        "",
        "## Free parameters",
        "",
        _table(parameters_table(run, estimate)),
        "",
        "## Generations",
        "",
        _table(generations_table(run)),
        "",
    ]
    if run.n_stopped_in_population:
        lines += [
            f"**Warning**: {run.n_stopped_in_population} of the {len(run.population)} posterior "
            "sets were stopped early (their distance is only a lower bound, and so is the "
            "tolerance of the generations where they remained): the population "
            "never came near the data. Give a larger budget, or rethink the bounds.",
            "",
        ]
    if check is not None:
        lines += [check.to_markdown(level=2), ""]
    if predictive is not None:
        lines += [predictive.to_markdown(level=2), ""]
    if figures:
        lines += ["## Figures", ""]
        lines += [f"![{Path(f).stem.replace('_', ' ')}]({f})" for f in figures]
        lines += [""]
    lines += [HOW_TO_READ]
    return "\n".join(lines)
