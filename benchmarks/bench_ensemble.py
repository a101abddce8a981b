"""Throughput of ensembles: replicates per minute with 1 and 2 workers, and the overhead.

Runs the baseline (or ``--scenario``) as ``nkroutes run`` does, once per worker count, and
prints one JSON line per worker count, then a line with the projection for 200 replicates:

    python benchmarks/bench_ensemble.py                  # baseline, -n 40, 1 and 2 workers
    python benchmarks/bench_ensemble.py -n 20 --workers 2 4

Fields (seconds are wall-clock unless named cpu):

- ``workers``, ``replicates``, ``wall_s``: the whole ``run_ensemble`` call (pool start-up,
  every replicate, writing parts, assembling the CSVs);
- ``replicates_per_min``: ``60 * replicates / wall_s``;
- ``task_s_per_replicate``: mean time inside a task (``simulate`` plus turning its result
  into CSV rows), measured in the worker; ``task_cpu_s_per_replicate``: its CPU time (less
  sensitive to other work on the machine);
- ``overhead_s_per_replicate``: ``(wall_s * workers - sum of task times) / replicates``: the
  time a worker slot spends per replicate on anything but the task (starting processes and
  importing nkroutes, sending the scenario, returning and saving results, idle slots at the
  end), i.e. the cost of starting and collecting work;
- ``pool_start_s``: time to start the pool and run one empty task in each worker;
- ``dispatch_s_per_replicate``: the executor's own cost, measured apart from the model: the
  time per task to send the scenario to a worker, get one replicate's rows back (an echo of a
  real replicate's output) and save them as a part, over ``replicates`` tasks on a started pool;
- ``load_1min_before`` / ``load_1min_after``: the machine's load average (timings are only
  comparable on a quiet machine: load below the number of cores).

The last line projects the minutes for 200 replicates from the best measured rate, and also
from CPU time alone (``200 * (task CPU + overhead per replicate) / workers``), which is what a
machine whose cores are free for the run would give.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from nkroutes.ensemble import make_executor, replicate_seed, run_ensemble
from nkroutes.ensemble.rundir import RunDirectory
from nkroutes.ensemble.tasks import ReplicateOutput, run_replicate
from nkroutes.scenario import load_scenario

ROOT = Path(__file__).resolve().parent.parent


def _nothing(_: int) -> int:
    return 0


def pool_start_seconds(workers: int) -> float:
    """Start a pool, run one trivial task per worker, shut it down."""
    start = time.perf_counter()
    with make_executor("local", workers=workers) as pool:
        list(pool.map(_nothing, range(workers)))
    return time.perf_counter() - start


def _echo(scenario: dict, output: ReplicateOutput) -> ReplicateOutput:
    return output


def dispatch_seconds(scenario: dict, output: ReplicateOutput, workers: int, tasks: int) -> float:
    """Per-task time to send the scenario, return a replicate's output and save it."""
    with make_executor("local", workers=workers) as pool, tempfile.TemporaryDirectory() as tmp:
        list(pool.map(_nothing, range(workers)))  # started
        run_dir = RunDirectory(Path(tmp))
        run_dir.create()
        start = time.perf_counter()
        futures = [pool.submit(_echo, scenario, output) for _ in range(tasks)]
        for k, future in enumerate(futures):
            result = future.result()
            run_dir.write_part(replace(result, replicate=k))
        return (time.perf_counter() - start) / tasks


def bench(scenario_path: Path, replicates: int, workers: int, seed: int) -> dict[str, object]:
    scenario = load_scenario(scenario_path)
    load_before = os.getloadavg()[0]
    pool_start = pool_start_seconds(workers)
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        results = run_ensemble(
            scenario, replicates=replicates, seed=seed, workers=workers, out=Path(tmp) / "run"
        )
        wall = time.perf_counter() - start
    session = results.manifest["sessions"][-1]
    task_total = session["worker_seconds"]
    cpu_total = session["worker_cpu_seconds"]
    output = run_replicate(scenario.to_dict(), 0, replicate_seed(seed, 0))
    dispatch = dispatch_seconds(scenario.to_dict(), output, workers, replicates)
    return {
        "scenario": scenario.name,
        "workers": workers,
        "replicates": replicates,
        "wall_s": round(wall, 2),
        "replicates_per_min": round(60 * replicates / wall, 1),
        "task_s_per_replicate": round(task_total / replicates, 3),
        "task_cpu_s_per_replicate": round(cpu_total / replicates, 3),
        "overhead_s_per_replicate": round((wall * workers - task_total) / replicates, 3),
        "pool_start_s": round(pool_start, 2),
        "dispatch_s_per_replicate": round(dispatch, 4),
        "load_1min_before": round(load_before, 2),
        "load_1min_after": round(os.getloadavg()[0], 2),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", type=Path, default=ROOT / "scenarios" / "baseline.toml")
    parser.add_argument("-n", "--replicates", type=int, default=40)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    lines = [bench(args.scenario, args.replicates, w, args.seed) for w in args.workers]
    for line in lines:
        print(json.dumps(line), flush=True)
    best = max(lines, key=lambda line: line["replicates_per_min"])
    minutes_for_200 = 200 / best["replicates_per_min"]
    most = max(lines, key=lambda line: line["workers"])
    dispatch = most["dispatch_s_per_replicate"] + most["pool_start_s"] / most["replicates"]
    cpu_minutes = 200 * (most["task_cpu_s_per_replicate"] + dispatch) / most["workers"] / 60
    print(
        json.dumps(
            {
                "projection": "200 replicates",
                "measured_best_workers": best["workers"],
                "measured_minutes": round(minutes_for_200, 2),
                "cpu_bound_workers": most["workers"],
                "cpu_bound_minutes": round(cpu_minutes, 2),
                "target_minutes": 5,
                "meets_target_measured": minutes_for_200 < 5,
                "meets_target_cpu_bound": cpu_minutes < 5,
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
