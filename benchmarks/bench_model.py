"""Throughput and memory of one run of the route model.

Runs a scenario (the baseline by default) at one or more scales, each run in a fresh
subprocess so that its peak resident memory is its own, and prints one JSON line per scale:

    python benchmarks/bench_model.py                       # baseline, scale 1, 1 repeat
    python benchmarks/bench_model.py --scale 1 4 16 --repeat 3
    python benchmarks/bench_model.py --per-person --scale 4 16 64 --repeat 3
    python benchmarks/bench_model.py --scenario scenarios/what-if.toml --seed 7

``--scale K`` multiplies ``departures.base_rate_per_year`` by K and changes nothing else, so
there are about K times as many migrants, but they live in another world: the model has
mechanisms that depend on numbers of people (word of mouth per 1,000 recent arrivals, the
brokers a hub starts with, the NGOs' help per year, the stock in China at which families
look there), so K times the departures bring more than K times the arrivals and more work
per migrant (the broker networks take off). With ``--per-person`` each person is K agents
instead: every number of people in the scenario is multiplied by K and every rate per number
of people divided by K (:func:`per_person`), so the world is the same (each quantity per
person has the same expected value, with less chance in it) and only the count of agents
grows. That measures how the code scales; plain ``--scale`` measures how the model's work
grows with the flow.

Fields of each line (times are wall-clock seconds of ``simulate`` in the child, i.e. building
the model, every step and the :class:`~nkroutes.model.RunResult`; the median of the repeats):

- ``scenario``, ``scale``, ``per_person`` (whether ``--per-person``), ``seed``, ``steps``,
  ``repeat``;
- ``migrants``: migrants created; ``active_migrant_steps``: the sum over steps of migrants in a
  non-final state (hiding, settled, travelling, waiting_for_exit, detained, home_to_retry);
- ``wall_s`` (median), ``wall_s_all`` (every repeat), ``cpu_s`` (median CPU seconds of the
  child: less sensitive than wall time to other work on the machine), ``active_steps_per_s``,
  ``ns_per_active_step``, ``ns_per_migrant_created``;
- ``peak_rss_mb``: the child's peak resident set (VmHWM); ``idle_rss_mb``: the peak of an idle
  interpreter that imported nkroutes and loaded the scenario; ``bytes_per_migrant_rss``:
  (peak - idle) / migrants; ``bytes_per_migrant_table``: bytes the migrant table allocates
  (its capacity) / migrants; ``bytes_per_migrant_row``: bytes of one row of the table;
- ``kernel_cpu_s``: CPU seconds of the fixed numpy kernel of ``ref_kernel.py``, timed in
  each child before its run (median); ``model_per_kernel``: the run's CPU seconds over the
  kernel's, a ratio comparable across machines; ``ns_per_active_step_cpu``: CPU ns per
  active migrant-step;
- ``exit_attempts_per_migrant``: attempts to leave China (flow ``exit_attempts``) per migrant
  created, and ``us_per_exit_attempt_cpu``: CPU us of the run per attempt. The model does more
  per migrant at larger scales (broker networks take off; more attempts are turned away and
  tried again), so the cost per active step can rise while the cost per event falls;
- ``arrivals_per_scale``: arrivals over the run divided by the scale: with ``--per-person``,
  the arrivals per person, which should match scale 1's up to chance;
- ``load_1min``: the machine's load average when the line was written (timings are only
  comparable at similar load).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from nkroutes.scenario import Scenario

REPO = Path(__file__).resolve().parent.parent
DEFAULT_SCENARIO = REPO / "scenarios" / "baseline.toml"
ACTIVE_STOCKS = (
    "hiding",
    "settled",
    "travelling",
    "waiting_for_exit",
    "detained",
    "home_to_retry",
)
RATE_PATH = "departures.base_rate_per_year"
#: Numbers of people (units "migrants per year", "people per year", "people"): multiplied by K
#: when each person is K agents. ``chain_defection.remaining_relatives_per_family`` (people)
#: is per family, and a family is an agent's: it is not a count of the world's people.
PEOPLE_PATHS = (
    RATE_PATH,
    "enforcement.china.ngo_helped_per_year",
    "chain_defection.in_china_for_half_share",
)
#: Rates per number of people (unit "per year per 1,000 arrivals"): divided by K.
PER_PEOPLE_PATHS = ("enforcement.china.word_of_mouth_exit_rate_per_year",)
#: Each broker hub's brokers at the start (people too): multiplied by K, rounded.
BROKERS_KEY = "initial_brokers"


def per_person(scenario: Scenario, agents: float) -> Scenario:
    """The same world with ``agents`` agents for each person.

    Multiplies every number of people by ``agents`` and divides every rate per number of
    people by it, so that each agent stands for ``1 / agents`` of a person and every outcome
    per person has the same expected value (up to the rounding of brokers at the start), with
    less chance in it the more agents there are.

    Args:
        scenario: The scenario at one agent per person.
        agents: Agents per person (K).

    Returns:
        The scaled scenario.

    Raises:
        SystemExit: If an event sets one of those values to other than 0 (its value would
            need scaling too, which this benchmark does not do).
    """
    data = scenario.to_dict()
    brokers = [
        f"places.{place['id']}.{BROKERS_KEY}" for place in data["places"] if BROKERS_KEY in place
    ]
    for event in data.get("events", []):
        for path, value in event.get("set", {}).items():
            if path in (*PEOPLE_PATHS, *PER_PEOPLE_PATHS, *brokers) and value:
                raise SystemExit(
                    f"{scenario.name}: event {event['id']!r} sets {path} = {value}; "
                    "--per-person scales only values of 0 set by events"
                )
    overrides: dict[str, float | int] = {path: scenario.get(path) * agents for path in PEOPLE_PATHS}
    overrides.update({path: scenario.get(path) / agents for path in PER_PEOPLE_PATHS})
    overrides.update({path: round(scenario.get(path) * agents) for path in brokers})
    return scenario.with_overrides(overrides)


def _status_kb(field: str) -> int:
    """A ``kB`` field of ``/proc/self/status`` (``VmHWM``, ``VmRSS``)."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise RuntimeError(f"{field} not in /proc/self/status")


def _load(scenario_file: str, scale: float, per_person_scale: bool = False) -> Scenario:
    from nkroutes.scenario import load_scenario

    scenario = load_scenario(scenario_file)
    if scale != 1 and per_person_scale:
        return per_person(scenario, scale)
    if scale != 1:
        scenario = scenario.with_overrides({RATE_PATH: scenario.get(RATE_PATH) * scale})
    return scenario


def _warm_up(scenario: Scenario) -> float:
    """Run the scenario's first year: loads the model's compiled kernels; returns wall s.

    numba loads each compiled function from its cache at its first call in a process (about
    0.3 s for all of them; the first run after a change compiles them, a few seconds). A
    worker of an ensemble pays this once for all its replicates, so the timed run comes
    after it and the line reports it apart (``warmup_s``).
    """
    from nkroutes.model import RouteModel

    start = time.perf_counter()
    first_year = scenario.with_overrides({"time.end": scenario.get("time.start")[:4] + "-12"})
    RouteModel(first_year, seed=0).run()
    return time.perf_counter() - start


def child_idle(scenario_file: str, scale: float, per_person_scale: bool = False) -> dict:
    """Peak RSS of an interpreter that imported nkroutes, loaded the scenario and warmed up."""
    _warm_up(_load(scenario_file, scale, per_person_scale))
    return {"idle_hwm_kb": _status_kb("VmHWM")}


def child_run(scenario_file: str, scale: float, seed: int, per_person_scale: bool = False) -> dict:
    """One timed run; what a parent needs to make a benchmark line."""
    import numpy as np

    from nkroutes.model import RouteModel
    from ref_kernel import median_kernel_cpu_s

    scenario = _load(scenario_file, scale, per_person_scale)
    warmup = _warm_up(scenario)
    kernel = median_kernel_cpu_s()
    start, cpu_start = time.perf_counter(), time.process_time()
    model = RouteModel(scenario, seed=seed)
    result = model.run()
    wall = time.perf_counter() - start
    cpu = time.process_time() - cpu_start
    active = sum(float(np.sum(result.stocks[name])) for name in ACTIVE_STOCKS)
    table = model.table
    return {
        "scenario": scenario.name,
        "steps": result.n_steps_run,
        "migrants": result.n_migrants,
        "active_migrant_steps": int(active),
        "wall_s": wall,
        "cpu_s": cpu,
        "warmup_s": warmup,
        "peak_hwm_kb": _status_kb("VmHWM"),
        "kernel_cpu_s": kernel,
        "exit_attempts": int(np.sum(result.flows["exit_attempts"])),
        "arrivals": int(np.sum(result.flows["arrivals"])),
        "table_bytes": table.nbytes(),
        "row_bytes": sum(col.itemsize for col in table.cols.values()),
    }


def _in_child(
    kind: str, scenario_file: str, scale: float, seed: int, per_person_scale: bool
) -> dict:
    cmd = [sys.executable, __file__, "--child", kind, "--scenario", scenario_file]
    cmd += ["--scale", repr(scale), "--seed", str(seed)]
    cmd += ["--per-person"] if per_person_scale else []
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        sys.stderr.write(done.stderr)
        raise SystemExit(f"benchmark child failed ({kind}, scale {scale})")
    return json.loads(done.stdout.strip().splitlines()[-1])


def bench(
    scenario_file: str, scale: float, repeat: int, seed: int, per_person_scale: bool = False
) -> dict:
    """Run ``repeat`` fresh children at ``scale`` and summarise them as one line."""
    args = (scenario_file, scale, seed, per_person_scale)
    idle_kb = statistics.median(_in_child("idle", *args)["idle_hwm_kb"] for _ in range(repeat))
    runs = [_in_child("run", *args) for _ in range(repeat)]
    first = runs[0]
    wall = statistics.median(r["wall_s"] for r in runs)
    cpu = statistics.median(r["cpu_s"] for r in runs)
    peak_kb = max(r["peak_hwm_kb"] for r in runs)
    migrants = first["migrants"]
    active = first["active_migrant_steps"]
    return {
        "scenario": first["scenario"],
        "scale": scale,
        "per_person": per_person_scale,
        "seed": seed,
        "steps": first["steps"],
        "repeat": repeat,
        "migrants": migrants,
        "active_migrant_steps": active,
        "wall_s": round(wall, 3),
        "wall_s_all": [round(r["wall_s"], 3) for r in runs],
        "cpu_s": round(cpu, 3),
        "warmup_s": round(statistics.median(r["warmup_s"] for r in runs), 3),
        "active_steps_per_s": round(active / wall),
        "ns_per_active_step": round(wall / active * 1e9, 1),
        "ns_per_migrant_created": round(wall / migrants * 1e9, 1),
        "peak_rss_mb": round(peak_kb / 1024, 1),
        "idle_rss_mb": round(idle_kb / 1024, 1),
        "bytes_per_migrant_rss": round((peak_kb - idle_kb) * 1024 / migrants, 1),
        "bytes_per_migrant_table": round(first["table_bytes"] / migrants, 1),
        "bytes_per_migrant_row": first["row_bytes"],
        "kernel_cpu_s": round(statistics.median(r["kernel_cpu_s"] for r in runs), 4),
        "model_per_kernel": round(
            statistics.median(r["cpu_s"] / r["kernel_cpu_s"] for r in runs), 2
        ),
        "ns_per_active_step_cpu": round(cpu / active * 1e9, 1),
        "exit_attempts_per_migrant": round(first["exit_attempts"] / migrants, 3),
        "us_per_exit_attempt_cpu": round(cpu / max(first["exit_attempts"], 1) * 1e6, 2),
        "arrivals_per_scale": round(first["arrivals"] / scale, 1),
        "load_1min": round(os.getloadavg()[0], 2),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scenario", default=str(DEFAULT_SCENARIO), help="scenario TOML")
    parser.add_argument(
        "--scale", type=float, nargs="+", default=[1.0], help="departure multipliers"
    )
    parser.add_argument("--repeat", type=int, default=1, help="runs per scale (median)")
    parser.add_argument("--seed", type=int, default=1, help="replicate seed")
    parser.add_argument(
        "--per-person",
        action="store_true",
        help="scale as agents per person: the same world, K times the agents (see above)",
    )
    parser.add_argument("--child", choices=("idle", "run"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    scales = [int(s) if float(s).is_integer() else s for s in args.scale]
    if args.child == "idle":
        print(json.dumps(child_idle(args.scenario, scales[0], args.per_person)))
        return 0
    if args.child == "run":
        print(json.dumps(child_run(args.scenario, scales[0], args.seed, args.per_person)))
        return 0
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    for scale in scales:
        line = bench(args.scenario, scale, args.repeat, args.seed, args.per_person)
        print(json.dumps(line), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
