"""``nkroutes sensitivity`` as a function: plan, run, estimate the indices, write the files.

Example:
    >>> import nkroutes
    >>> result = nkroutes.sensitivity("scenarios/baseline.toml", trajectories=8)  # doctest: +SKIP
    >>> result.indices.query("index == 'mu_star'")  # doctest: +SKIP
"""

from __future__ import annotations

import datetime as dt
import os
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from nkroutes import __version__
from nkroutes.ensemble.executors import make_executor
from nkroutes.ensemble.folders import write_csv, write_json, write_text
from nkroutes.ensemble.prepare import MAX_REPLICATES
from nkroutes.ensemble.size_guard import check_replicate_size
from nkroutes.scenario import Scenario, load_scenario
from nkroutes.sensitivity.design import INDEX_COLUMNS, TOP_PLACES, analyse
from nkroutes.sensitivity.evaluate import evaluate_point
from nkroutes.sensitivity.execute import Evaluate, prepare_folder, run_plan
from nkroutes.sensitivity.plan import (
    DEFAULT_REPLICATES,
    DEFAULT_SAMPLES,
    DEFAULT_SEED,
    DEFAULT_TRAJECTORIES,
    Plan,
    SensitivitySettings,
    design_size,
    make_plan,
)
from nkroutes.sensitivity.ranges import SensitivityError
from nkroutes.sensitivity.report import report_markdown

#: Draws the figures into ``figures/`` and returns the names written:
#: ``(indices, method, folder) -> names`` (:func:`nkroutes.plots.sensitivity.draw`).
FigureDrawer = Callable[[pd.DataFrame, str, Path], list[str]]


@dataclass
class SensitivityResult:
    """What a sensitivity analysis found.

    Attributes:
        indices: Tidy indices: ``outcome, parameter, index, value, ci_low, ci_high``.
        points: One row per point and scenario: the values varied and the outcomes (means
            over the replicates).
        plan: The plan that was run.
        skipped: Outcomes left out, and why (undefined at some points).
        out_dir: The folder written, or ``None``.
        files: The files written.
    """

    indices: pd.DataFrame
    points: pd.DataFrame
    plan: Plan
    skipped: dict[str, str] = field(default_factory=dict)
    out_dir: Path | None = None
    files: list[Path] = field(default_factory=list)


#: Parameters a Morris screening keeps for Sobol: the most influential this many per outcome
#: (the top places whose stability the Morris report gives).
SCREENING_KEEPS = TOP_PLACES


def screened_parameters(folder: Path, keep: int = SCREENING_KEEPS) -> list[str]:
    """The parameters a Morris screening in ``folder`` keeps: each outcome's top ``keep`` by mu*.

    Raises:
        SensitivityError: If ``folder`` holds no Morris ``sensitivity.csv``.
    """
    try:
        table = pd.read_csv(Path(folder) / "sensitivity.csv")
        mu = table[table["index"] == "mu_star"]
        if mu.empty:
            raise ValueError("no mu_star rows (not a Morris screening)")
    except (OSError, ValueError, KeyError) as error:
        raise SensitivityError(
            f"--screening {folder}: found no Morris screening ({error}), expected the folder "
            "of `nkroutes sensitivity --method morris`"
        ) from None
    kept: list[str] = []
    for _, rows in mu.groupby("outcome", sort=False):
        top = rows.sort_values(["value", "parameter"], ascending=[False, True]).head(keep)
        kept += [p for p in top["parameter"] if p not in kept]
    return kept


def outcome_labels(plan: Plan) -> list[str]:
    """The analysed outcomes: the baseline's, then each what-if's effect on each."""
    labels = list(plan.outcomes)
    for w in plan.what_ifs:
        labels += [f"{w.name}: {o}" for o in plan.outcomes]
    return labels


def tables(plan: Plan, records: Sequence[dict]) -> tuple[pd.DataFrame, dict[str, np.ndarray]]:
    """The points table and each analysed outcome's value at every point.

    A what-if's effect at a point is its outcome minus the baseline's (means over the same
    replicate seeds: a paired difference).
    """
    n = len(plan.scenarios)
    rows = []
    means = np.full((len(plan.points), n, len(plan.outcomes)), np.nan)
    for record in records:
        point, which = divmod(int(record["index"]), n)
        for j, name in enumerate(plan.outcomes):
            values = np.asarray(record["outcomes"][name], dtype=float)
            means[point, which, j] = float(np.mean(values)) if values.size else np.nan
    for point in range(len(plan.points)):
        values = {
            r.id: r.value(float(u)) for r, u in zip(plan.ranges, plan.points[point], strict=True)
        }
        for which, scenario in enumerate(plan.scenarios):
            outcomes = dict(zip(plan.outcomes, means[point, which], strict=True))
            rows.append({"point": point, "scenario": scenario.name} | values | outcomes)
    y: dict[str, np.ndarray] = {}
    for j, name in enumerate(plan.outcomes):
        y[name] = means[:, 0, j]
    for w, scenario in enumerate(plan.what_ifs, start=1):
        for j, name in enumerate(plan.outcomes):
            y[f"{scenario.name}: {name}"] = means[:, w, j] - means[:, 0, j]
    return pd.DataFrame(rows), y


def estimate(plan: Plan, y: dict[str, np.ndarray]) -> tuple[pd.DataFrame, dict[str, str]]:
    """Every outcome's indices (tidy), and the outcomes skipped with the reason."""
    parts, skipped = [], {}
    names = [r.id for r in plan.ranges]
    for label in outcome_labels(plan):
        values = y[label]
        bad = int(np.sum(~np.isfinite(values)))
        if bad:
            skipped[label] = f"undefined at {bad} of {len(values)} points"
            continue
        parts.append(
            analyse(plan.settings.method, names, plan.points, values, label, plan.settings.seed)
        )
    frame = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=INDEX_COLUMNS)
    return frame, skipped


def run_sensitivity(
    plan: Plan,
    out_dir: Path,
    workers: int | None = None,
    executor: str = "local",
    scheduler: str | None = None,
    resume: bool = False,
    force: bool = False,
    evaluate: Evaluate = evaluate_point,
    progress: Callable[[int, int], None] | None = None,
    command: str = "",
    figures: FigureDrawer | None = None,
) -> SensitivityResult:
    """Run a plan into ``out_dir`` and write every output (what the command does).

    Args:
        plan: From :func:`nkroutes.sensitivity.plan.make_plan`.
        out_dir: The results folder.
        workers: Local worker processes (``None``: every core; 1: this process).
        executor: ``local`` or ``dask``.
        scheduler: The Dask scheduler's address (with ``dask``).
        resume: Complete an interrupted analysis in ``out_dir``.
        force: Delete an earlier analysis in ``out_dir`` and start over.
        evaluate: The task function (a fake model in tests).
        progress: Called with ``(finished, total)`` evaluations.
        command: The command line, for the report and manifest.
        figures: Draws the figures (``None``: none).

    Raises:
        SensitivityError, OutDirError: Bad input (nothing run).
        EvaluationError: A model run failed (finished evaluations are kept).
    """
    out_dir = Path(out_dir)
    started = time.perf_counter()
    when = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    done = prepare_folder(out_dir, plan, resume, force)
    if progress is not None:
        progress(len(done), plan.n_tasks)
    with make_executor(executor, workers, scheduler) as pool:
        records = run_plan(plan, pool, out_dir, done, evaluate, progress)
    points, y = tables(plan, records)
    indices, skipped = estimate(plan, y)
    files = [
        write_csv(out_dir / "points.csv", points),
        write_csv(out_dir / "sensitivity.csv", indices),
    ]
    names: list[str] = []
    if figures is not None and not indices.empty:
        names = figures(indices, plan.settings.method, out_dir / "figures")
        files += [out_dir / "figures" / n for n in names]
    files.append(
        write_text(
            out_dir / "sensitivity.md", report_markdown(plan, indices, skipped, command, names)
        )
    )
    files.append(
        write_json(
            out_dir / "manifest.json",
            {
                "command": command,
                "nkroutes_version": __version__,
                "started": when,
                "seconds": round(time.perf_counter() - started, 1),
                "evaluations": plan.n_tasks,
                "evaluations_this_session": plan.n_tasks - len(done),
                "model_runs_this_session": (plan.n_tasks - len(done)) * plan.settings.replicates,
                "executor": executor,
                "workers": workers or (os.cpu_count() if executor == "local" else None),
            },
        )
    )
    return SensitivityResult(indices, points, plan, skipped, out_dir, files)


def _items(name: str, value: Any, expected: str) -> tuple[Any, ...]:
    """A list-like argument as a tuple; a single string, path or scenario is one item.

    Raises:
        SensitivityError: If ``value`` is neither one item nor an iterable of items.
    """
    if isinstance(value, str | os.PathLike | Scenario):
        return (value,)
    if isinstance(value, Iterable) and not isinstance(value, Mapping | bytes):
        return tuple(value)
    raise SensitivityError(f"{name}: found {value!r}, expected a list of {expected}")


def _names(name: str, value: Any) -> tuple[str, ...]:
    """A list of names (``params``, ``outcomes``) as a tuple; a single string is one name.

    Raises:
        SensitivityError: If an item is not a string.
    """
    items = _items(name, value, "names (strings)")
    for item in items:
        if not isinstance(item, str):
            raise SensitivityError(
                f"{name}: found {item!r} among {list(items)!r}, expected names (strings)"
            )
    return items


def _check_whole(name: str, value: Any, low: int, high: int | None) -> None:
    """Refuse a number that is not a whole number from ``low`` (to ``high``); bools too.

    Raises:
        SensitivityError: Naming the argument, what was found and what was expected.
    """
    if (
        isinstance(value, bool)
        or not isinstance(value, int | np.integer)
        or value < low
        or (high is not None and value > high)
    ):
        within = f"from {low} to {high:,}" if high is not None else f">= {low}"
        raise SensitivityError(f"{name}: found {value!r}, expected a whole number {within}")


def sensitivity(
    scenario: str | os.PathLike[str] | Scenario,
    method: str = "morris",
    trajectories: int = DEFAULT_TRAJECTORIES,
    samples: int = DEFAULT_SAMPLES,
    what_ifs: str | os.PathLike[str] | Scenario | Sequence[str | os.PathLike[str] | Scenario] = (),
    outcomes: Sequence[str] = (),
    params: Sequence[str] = (),
    replicates: int = DEFAULT_REPLICATES,
    seed: int = DEFAULT_SEED,
    out: str | os.PathLike[str] = "results/sensitivity",
    allow_large: bool = False,
    **options: Any,
) -> SensitivityResult:
    """Screen (Morris) or decompose (Sobol) outcomes over a scenario's ``[[uncertainty]]``.

    Args:
        scenario: The scenario (or its file) whose ranges are varied.
        method: ``morris``, ``sobol`` or ``ends`` (each value alone at its two ends).
        trajectories: Morris trajectories (``trajectories x (k + 1)`` points).
        samples: Sobol base samples, a power of 2 (``samples x (k + 2)`` points).
        what_ifs: What-ifs run at the same points; their paired effects are analysed too.
            A single scenario or file is one what-if.
        outcomes: Outcome names (default: all of
            :data:`nkroutes.sensitivity.outcomes.DEFAULT_OUTCOMES`); a single string is one
            name.
        params: ``[[uncertainty]]`` ids to vary (default: every range); a single string is
            one id.
        replicates: Model runs per scenario and point (a whole number from 1 to 1,000,000).
        seed: Seed of the design, the bootstrap and the replicates (a whole number >= 0).
        out: The results folder.
        allow_large: Run scenarios whose replicates are estimated above the size limits at
            the ranges' upper ends (see :func:`~nkroutes.ensemble.run_ensemble`); without it
            they are refused before anything runs.
        **options: How and where it runs, passed on to :func:`run_sensitivity`:
            ``workers``, ``executor``, ``scheduler``, ``resume``, ``force``, ``evaluate``...

    Returns:
        The indices and points as DataFrames (the files are written too).

    Raises:
        SensitivityError: A bad argument (a number that is not a whole number, a list
            whose items are not names...), method, range, outcome or what-if; nothing is
            run or written then.
        EnsembleSetupError: A scenario too large at the ranges' upper ends (without
            ``allow_large``); nothing is written then.
    """

    def _load(s: str | os.PathLike[str] | Scenario) -> Scenario:
        return s if isinstance(s, Scenario) else load_scenario(s)

    for name, value, low in (
        ("trajectories", trajectories, 1),  # their method's least: SensitivitySettings.check
        ("samples", samples, 1),
        ("replicates", replicates, 1),
        ("seed", seed, 0),
    ):
        _check_whole(name, value, low, MAX_REPLICATES if name == "replicates" else None)
    settings = SensitivitySettings(
        method=method,
        size=int(design_size(method, trajectories, samples)),
        replicates=int(replicates),
        seed=int(seed),
        outcomes=_names("outcomes", outcomes),
        params=_names("params", params),
    )
    files = _items("what_ifs", what_ifs, "scenarios (Scenario objects or .toml files)")
    plan = make_plan(_load(scenario), [_load(w) for w in files], settings)
    highs = {r.path: r.high for r in plan.ranges}  # no run is larger than at these
    check_replicate_size(plan.base, allow_large, highs)
    for what_if, own in zip(plan.what_ifs, plan.levers, strict=True):  # levers keep theirs
        check_replicate_size(what_if, allow_large, {p: v for p, v in highs.items() if p not in own})
    return run_sensitivity(plan, Path(out), **options)
