"""How much chance there is in a small change of one value, under common random numbers.

A Morris elementary effect is the difference of two runs that differ in one value. With the
same seed (common random numbers) the two runs meet the same draws, so the difference is
the value's effect plus whatever chance the change sets off. This runs the scenario and
the scenario with one value times ``--factor`` on the same seeds and prints, per seed, the
change of log10(1 + arrivals) over the whole run (the sensitivity analysis's
``log_arrivals``), then the spread of that between the seeds themselves: a change whose sign
and size hold from seed to seed is the value's, not chance's (``docs/sensitivity.md``, "Is
the near tie the replicates' noise?").

    python tools/crn_noise.py push_factors.famine.intensity
    python tools/crn_noise.py brokers.risk_multiplier --factor 1.01 --seeds 1-6

Exits 2 with a message if the path is not a number in the scenario or the seeds are not a
range like ``1-6``.
"""

from __future__ import annotations

import argparse
import math
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def arrivals(scenario: object, seed: int) -> float:
    """Arrivals over the whole run of one replicate (all destinations)."""
    from nkroutes.model import simulate

    return float(simulate(scenario, seed=seed).flows["arrivals"].sum())


def seeds_of(text: str) -> list[int]:
    """``1-6`` -> [1, ..., 6]; ``3`` -> [3]."""
    first, _, last = text.partition("-")
    low, high = int(first), int(last or first)
    if low < 0 or high < low:
        raise ValueError(text)
    return list(range(low, high + 1))


def main(argv: list[str] | None = None) -> int:
    """Print the per-seed changes and the spread between seeds; return the exit code."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", help="dotted path of a number in the scenario")
    parser.add_argument("--factor", type=float, default=1.01, help="multiplier [1.01]")
    parser.add_argument("--seeds", default="1-6", help="seeds, FIRST-LAST [1-6]")
    parser.add_argument(
        "--scenario", type=Path, default=ROOT / "scenarios" / "baseline.toml", help="TOML file"
    )
    args = parser.parse_args(argv)
    from nkroutes.scenario import ScenarioError, load_scenario

    try:
        seeds = seeds_of(args.seeds)
    except ValueError:
        print(f"--seeds {args.seeds}: expected FIRST-LAST, e.g. 1-6", file=sys.stderr)
        return 2
    try:
        base = load_scenario(args.scenario)
        value = base.get(args.path)
        if isinstance(value, bool) or not isinstance(value, int | float):
            print(f"{args.scenario}: {args.path} is {value!r}, expected a number", file=sys.stderr)
            return 2
        changed = base.with_overrides({args.path: value * args.factor})
    except (ScenarioError, KeyError) as error:
        print(f"{args.scenario}: {args.path}: {error}", file=sys.stderr)
        return 2
    print(f"{args.path} = {value} times {args.factor}, seeds {args.seeds}")
    print("seed  arrivals  changed  change of log10")
    logs, changes = [], []
    for seed in seeds:
        a, b = arrivals(base, seed), arrivals(changed, seed)
        logs.append(math.log10(1 + a))
        changes.append(math.log10(1 + b) - math.log10(1 + a))
        print(f"{seed:>4}  {a:>8,.0f}  {b:>7,.0f}  {changes[-1]:+.4f}", flush=True)
    spread = statistics.stdev(logs) if len(logs) > 1 else float("nan")
    print(
        f"changes {min(changes):+.4f} to {max(changes):+.4f} (mean size "
        f"{statistics.fmean(abs(c) for c in changes):.4f}); spread of log10 arrivals between "
        f"the seeds (standard deviation) {spread:.4f}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
