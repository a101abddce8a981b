"""How much common random numbers reduce the noise of a paired what-if difference.

Runs the baseline and a small what-if (China's arrest rate 10% higher) with the same
replicate seeds (common random numbers) and the what-if again with other seeds
(independent), and prints, for a few outcomes, the standard deviation over replicates of
the paired difference in each case and their ratio. The square of the ratio is how many
times more replicates independent runs would need for the same precision.

    python benchmarks/crn_gain.py                 # 40 replicates per arm, 2 workers
    python benchmarks/crn_gain.py -n 20 --workers 1
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

from nkroutes.ensemble import make_executor, run_ensemble
from nkroutes.scenario import load_scenario

ROOT = Path(__file__).resolve().parent.parent
ARREST_RATE = "enforcement.china.arrest_rate_per_year"
OUTCOMES = ("arrivals", "arrivals_south_korea", "repatriated", "died", "in_china_end")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", type=Path, default=ROOT / "scenarios" / "baseline.toml")
    parser.add_argument("-n", "--replicates", type=int, default=40)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--factor", type=float, default=1.1, help="Multiplier of the arrest rate.")
    args = parser.parse_args(argv)
    baseline = load_scenario(args.scenario)
    whatif = baseline.with_overrides({ARREST_RATE: baseline.get(ARREST_RATE) * args.factor})
    start = time.perf_counter()
    with make_executor("local", workers=args.workers) as pool:
        base = run_ensemble(baseline, args.replicates, seed=args.seed, executor=pool)
        paired = run_ensemble(whatif, args.replicates, seed=args.seed, executor=pool)
        independent = run_ensemble(whatif, args.replicates, seed=args.seed + 1, executor=pool)
    for outcome in OUTCOMES:
        b = base.summary[outcome].to_numpy(dtype=float)
        crn = paired.summary[outcome].to_numpy(dtype=float) - b
        ind = independent.summary[outcome].to_numpy(dtype=float) - b
        sd_crn, sd_ind = np.std(crn, ddof=1), np.std(ind, ddof=1)
        print(
            json.dumps(
                {
                    "scenario": baseline.name,
                    "what_if": f"{ARREST_RATE} x {args.factor}",
                    "outcome": outcome,
                    "replicates": args.replicates,
                    "mean_difference_crn": round(float(crn.mean()), 1),
                    "mean_difference_independent": round(float(ind.mean()), 1),
                    "sd_difference_crn": round(float(sd_crn), 1),
                    "sd_difference_independent": round(float(sd_ind), 1),
                    "sd_ratio": round(float(sd_ind / sd_crn), 2) if sd_crn > 0 else None,
                    "replicates_saved_factor": round(float((sd_ind / sd_crn) ** 2), 1)
                    if sd_crn > 0
                    else None,
                }
            ),
            flush=True,
        )
    print(json.dumps({"wall_s": round(time.perf_counter() - start, 1)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
