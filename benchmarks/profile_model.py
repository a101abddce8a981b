"""Where one run of the route model spends its time.

Profiles one run of a scenario (the baseline by default) and prints the time of each model
process (the calls in ``RouteModel.step``) and the functions with the most time of their own:

    python benchmarks/profile_model.py                 # baseline, scale 1, cProfile
    python benchmarks/profile_model.py --scale 16 --top 25
    python benchmarks/profile_model.py --pyinstrument  # call tree (pip install pyinstrument)
    python benchmarks/profile_model.py --scale 16 --per-person --kernels  # passes, no profiler

``--scale K`` multiplies ``departures.base_rate_per_year`` by K, as in ``bench_model.py``;
with ``--per-person`` it makes each person K agents instead (``bench_model.per_person``).
cProfile (timed in CPU seconds) adds overhead to every Python call, so its times are larger
than the benchmark's; use them for shares, not totals. The sampling profiler pyinstrument
(wall time) adds almost none.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from nkroutes.scenario import Scenario

REPO = Path(__file__).resolve().parent.parent
DEFAULT_SCENARIO = REPO / "scenarios" / "baseline.toml"
RATE_PATH = "departures.base_rate_per_year"

#: The processes called by RouteModel.step, in order (function names as cProfile sees them).
PROCESSES = (
    "_apply_events",
    "update_brokers",
    "sponsor_relatives",
    "serve_sentences",
    "depart",
    "live_in_hiding",
    "process_cases",
    "advance",
    "_record",
    "result",
)


def _scenario(path: str, scale: float, per_person: bool = False) -> Scenario:
    from nkroutes.scenario import load_scenario

    scenario = load_scenario(path)
    if scale != 1 and per_person:
        sys.path.insert(0, str(Path(__file__).resolve().parent))
        from bench_model import per_person as agents_per_person

        return agents_per_person(scenario, scale)
    if scale != 1:
        scenario = scenario.with_overrides({RATE_PATH: scenario.get(RATE_PATH) * scale})
    return scenario


def profile_cprofile(scenario: Scenario, seed: int, top: int) -> None:
    """Print per-process and per-function times from cProfile."""
    from nkroutes.model import simulate

    # CPU time, so that other work on the machine does not blur the shares.
    profiler = cProfile.Profile(time.process_time)
    start = time.process_time()
    profiler.enable()
    simulate(scenario, seed)
    profiler.disable()
    total = time.process_time() - start
    stats = pstats.Stats(profiler)
    by_name: dict[str, float] = {}
    for (filename, _line, name), row in stats.stats.items():  # type: ignore[attr-defined]
        if "nkroutes/model" in filename and name in PROCESSES:
            by_name[name] = by_name.get(name, 0.0) + row[3]  # cumulative seconds
    print(f"profiled run: {total:.2f} CPU seconds (with cProfile overhead)\n")
    print("process              cumulative s   share")
    for name in PROCESSES:
        seconds = by_name.get(name, 0.0)
        print(f"{name:<20} {seconds:12.2f}   {seconds / total:6.1%}")
    print(f"\nfunctions with the most time of their own (top {top}):")
    stats.sort_stats("tottime").print_stats(top)


def profile_pyinstrument(scenario: Scenario, seed: int) -> None:
    """Print pyinstrument's call tree of the run."""
    try:
        from pyinstrument import Profiler
    except ImportError:
        raise SystemExit("pyinstrument is not installed: pip install pyinstrument") from None
    from nkroutes.model import simulate

    profiler = Profiler(interval=0.002)
    profiler.start()
    simulate(scenario, seed)
    profiler.stop()
    print(profiler.output_text(unicode=False, color=False))


#: The compiled passes over those on their way, timed by ``--kernels``: (module, name).
KERNELS = (
    ("nkroutes.model.migrants", "compact_live"),
    ("nkroutes.model.migrants", "busy_stocks"),
    ("nkroutes.model.migrants", "select_busy_ids"),
    ("nkroutes.model.migrants", "select_ids"),
    ("nkroutes.model.thresholds", "_below"),
    ("nkroutes.model.thresholds", "_take_reached"),
    ("nkroutes.model.processes.punishment", "_end_terms"),
)


def time_kernels(scenario: Scenario, seed: int) -> None:
    """Print the wall time of each compiled pass of :data:`KERNELS` in one run, no profiler.

    Each is wrapped where the model calls it (a few thousand calls: the wrapper's cost is
    negligible), after a warm-up run at scale 1 that compiles them. cProfile's shares of
    these calls are close, but it slows the Python around them; this does not.
    """
    import importlib

    from nkroutes.model import simulate
    from nkroutes.scenario import load_scenario

    totals = dict.fromkeys((name for _, name in KERNELS), 0.0)
    calls = dict.fromkeys(totals, 0)

    def wrap(module: object, name: str) -> None:
        kernel = getattr(module, name)

        def timed(*args: object) -> object:
            start = time.perf_counter()
            try:
                return kernel(*args)
            finally:
                totals[name] += time.perf_counter() - start
                calls[name] += 1

        setattr(module, name, timed)

    simulate(load_scenario(DEFAULT_SCENARIO), seed)  # compiled and warm
    for module, name in KERNELS:
        wrap(importlib.import_module(module), name)
    start, cpu = time.perf_counter(), time.process_time()
    simulate(scenario, seed)
    wall = time.perf_counter() - start
    print(f"run: {wall:.2f} s wall, {time.process_time() - cpu:.2f} s CPU\n")
    print("pass                      wall s   share   calls")
    for name, seconds in sorted(totals.items(), key=lambda kv: -kv[1]):
        print(f"{name:<24} {seconds:7.3f}  {seconds / wall:6.1%}  {calls[name]:6d}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scenario", default=str(DEFAULT_SCENARIO), help="scenario TOML")
    parser.add_argument("--scale", type=float, default=1.0, help="departure multiplier")
    parser.add_argument("--seed", type=int, default=1, help="replicate seed")
    parser.add_argument("--per-person", action="store_true", help="scale as agents per person")
    parser.add_argument("--top", type=int, default=20, help="functions to list")
    parser.add_argument("--pyinstrument", action="store_true", help="call tree instead")
    parser.add_argument(
        "--kernels", action="store_true", help="wall time of the compiled passes, no profiler"
    )
    args = parser.parse_args(argv)
    scenario = _scenario(args.scenario, args.scale, args.per_person)
    if args.kernels:
        time_kernels(scenario, args.seed)
    elif args.pyinstrument:
        profile_pyinstrument(scenario, args.seed)
    else:
        profile_cprofile(scenario, args.seed, args.top)
    return 0


if __name__ == "__main__":
    sys.exit(main())
