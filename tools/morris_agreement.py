"""How many Morris trajectories would two seeds need to agree on the top five?

Usage::

    python tools/morris_agreement.py MORRIS_DIR [MORRIS_DIR ...] [--outcome NAME ...]
        [--sizes 8,12,16,24] [--pairs 2000] [--seed 0]

Pools the trajectories of finished Morris analyses of the same scenario and ranges
(``nkroutes sensitivity ... --method morris --out MORRIS_DIR``, e.g. one per ``--seed``),
then draws pairs of disjoint sets of ``r`` trajectories many times and prints, for each ``r``
and outcome, how often the two sets' top five by mu* are the same five and how many of the
five they share on average. That is the chance that two runs of ``-r r`` with different seeds
agree, estimated from the runs already made (an independent estimate for each ``r`` up to
half the pooled trajectories).

Each trajectory's elementary effects come from the design's points in the unit cube (redrawn
from ``sensitivity.json``'s method, size and seed, as ``nkroutes sensitivity`` drew them) and
the outcome in ``points.csv`` (a ``log_`` outcome missing there is computed from its count).

Exit 2 with a message naming the folder when one is not a finished Morris analysis of the
same ranges as the first.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from nkroutes.sensitivity.design import TOP_PLACES, morris_effects, sample, top_places
from nkroutes.sensitivity.ranges import Range


class AgreementError(ValueError):
    """A folder that cannot be pooled (exit 2)."""


@dataclass(frozen=True)
class Design:
    """A finished Morris analysis, read once: its parameter ids, unit points and outcomes."""

    folder: Path
    names: list[str]
    unit: np.ndarray
    points: pd.DataFrame  # the scenario's rows of points.csv, in design order


def read_design(folder: Path) -> Design:
    """Read a Morris folder and check its points are the design redrawn from its settings."""
    spec_path, points_path = folder / "sensitivity.json", folder / "points.csv"
    for path in (spec_path, points_path):
        if not path.is_file():
            raise AgreementError(f"{path}: not found; expected a finished Morris analysis")
    spec = json.loads(spec_path.read_text())
    settings = spec["settings"]
    if settings["method"] != "morris":
        raise AgreementError(
            f"{spec_path}: settings.method is {settings['method']!r}; expected 'morris'"
        )
    names = [p["id"] for p in spec["parameters"]]
    unit = sample("morris", names, int(settings["size"]), int(settings["seed"]))
    points = pd.read_csv(points_path)
    baseline = points[points["scenario"] == points["scenario"].iloc[0]]
    if len(baseline) != len(unit):
        raise AgreementError(
            f"{points_path}: {len(baseline)} points of the scenario; expected {len(unit)} "
            "(an unfinished analysis?)"
        )
    for i, param in enumerate(spec["parameters"]):
        values = Range(**param).value
        expected = np.array([values(float(u)) for u in unit[:, i]])
        if not np.allclose(baseline[param["id"]].to_numpy(dtype=float), expected, rtol=1e-9):
            raise AgreementError(
                f"{points_path}: column {param['id']} is not the design redrawn from "
                f"{spec_path.name} (drawn by another version of nkroutes?); expected the same "
                "design"
            )
    return Design(folder, names, unit, baseline)


def trajectory_effects(design: Design, outcome: str) -> np.ndarray:
    """Each trajectory's absolute elementary effects on ``outcome`` (trajectories x values)."""
    points = design.points
    if outcome in points:
        y = points[outcome].to_numpy(dtype=float)
    elif outcome.startswith("log_") and outcome[4:] in points:
        y = np.log10(1.0 + points[outcome[4:]].to_numpy(dtype=float))
    else:
        raise AgreementError(
            f"{design.folder / 'points.csv'}: no outcome {outcome!r}; expected a column of it"
        )
    if not np.all(np.isfinite(y)):
        raise AgreementError(
            f"{design.folder / 'points.csv'}: {outcome} is not finite at every point"
        )
    return morris_effects(design.unit, y)


def agreement(
    effects: np.ndarray, size: int, pairs: int, rng: np.random.Generator
) -> tuple[float, float]:
    """Share of pairs of disjoint ``size``-trajectory sets with the same top five, mean shared."""
    n, k = effects.shape
    places = min(TOP_PLACES, k)
    same = shared = 0
    for _ in range(pairs):
        order = rng.permutation(n)
        a = set(top_places(effects[order[:size]].mean(axis=0), places).tolist())
        b = set(top_places(effects[order[size : 2 * size]].mean(axis=0), places).tolist())
        same += a == b
        shared += len(a & b)
    return same / pairs, shared / pairs


def main(argv: list[str] | None = None) -> int:
    """Print the agreement table; returns the exit code."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folders", nargs="+", type=Path)
    parser.add_argument("--outcome", action="append", default=None)
    parser.add_argument("--sizes", default="8,12,16,24")
    parser.add_argument("--pairs", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    outcomes = args.outcome or ["arrivals", "log_arrivals"]
    try:
        sizes = [int(s) for s in args.sizes.split(",")]
    except ValueError:
        print(
            f"--sizes: {args.sizes!r}; expected whole numbers separated by commas", file=sys.stderr
        )
        return 2
    rng = np.random.default_rng(args.seed)
    try:
        designs = [read_design(folder) for folder in args.folders]
        ids = designs[0].names
        for design in designs[1:]:
            if design.names != ids:
                raise AgreementError(
                    f"{design.folder}: its ranges differ from {args.folders[0]}'s; expected "
                    "the same [[uncertainty]] ids in the same order"
                )
        for outcome in outcomes:
            effects = np.concatenate([trajectory_effects(d, outcome) for d in designs])
            n = len(effects)
            mu = effects.mean(axis=0)
            top = top_places(mu, 7)
            print(f"{outcome}: {n} trajectories pooled from {len(args.folders)} analyses")
            print("  pooled mu*: " + ", ".join(f"{ids[i]} {mu[i]:.3g}" for i in top))
            for size in sizes:
                if 2 * size > n:
                    print(f"  r = {size}: needs {2 * size} trajectories pooled")
                    continue
                same, shared = agreement(effects, size, args.pairs, rng)
                print(
                    f"  r = {size}: same top five in {same:.0%} of {args.pairs} pairs; "
                    f"{shared:.2f} of 5 shared on average"
                )
    except AgreementError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
