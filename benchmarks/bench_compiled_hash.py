"""What a compiled kernel would gain: the streams' hash in numba against numpy.

The counter-based hash of :mod:`nkroutes.model.random` is the model's largest single cost
(about a sixth of a run at scale 1). This script measures, without changing the model:

- the share of one run's CPU time spent in ``Streams._hash``, and in which process;
- the same hash compiled with numba (not a dependency of nkroutes: ``pip install numba``),
  checked bit for bit against numpy's, per call at several sizes.

    python benchmarks/bench_compiled_hash.py [--scenario FILE] [--seed S] [--repeat R]

A whole run would gain at most the hash's share less the compiled kernel's own time; the
figures decide whether compiled kernels are worth a dependency (``benchmarks/README.md``).
"""

from __future__ import annotations

import argparse
import collections
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent

#: Keys per call measured (the run's calls range from a few to about 150,000 keys).
SIZES = (100, 2_000, 16_384, 200_000)


def hash_share(scenario_path: str, seed: int) -> tuple[float, float, dict[str, tuple[int, float]]]:
    """CPU seconds of a run, of its hash, and keys and seconds of the hash per calling process."""
    from nkroutes.model import random as streams_module
    from nkroutes.model import simulate
    from nkroutes.scenario import load_scenario

    keys_by: collections.Counter[str] = collections.Counter()
    seconds_by: collections.Counter[str] = collections.Counter()
    original = streams_module.Streams._hash

    def timed(self, keys, *args, **kwargs):
        frame = sys._getframe(1)
        while frame.f_code.co_filename.endswith("random.py"):
            frame = frame.f_back
        where = f"{Path(frame.f_code.co_filename).stem}.{frame.f_code.co_name}"
        start = time.process_time()
        out = original(self, keys, *args, **kwargs)
        seconds_by[where] += time.process_time() - start
        keys_by[where] += len(keys)
        return out

    scenario = load_scenario(scenario_path)
    streams_module.Streams._hash = timed
    try:
        start = time.process_time()
        simulate(scenario, seed=seed)
        run = time.process_time() - start
    finally:
        streams_module.Streams._hash = original
    by = {w: (keys_by[w], seconds_by[w]) for w, _ in keys_by.most_common()}
    return run, sum(seconds_by.values()), by


def compiled_kernels():
    """The hash in numba: ``(uniform, hash_method)``.

    ``uniform(keys, salt, salt2)`` is ``Streams.uniform``'s hash (two SplitMix64 finalisers,
    53-bit uniforms); ``hash_method`` stands in for ``Streams._hash`` in every case (array
    salts, one finaliser, no conversion to [0, 1)).
    """
    import numba

    m1 = np.uint64(0xBF58476D1CE4E5B9)
    m2 = np.uint64(0x94D049BB133111EB)

    @numba.njit
    def mix(z):  # the SplitMix64 finaliser, as random.mix64
        z ^= z >> np.uint64(30)
        z *= m1
        z ^= z >> np.uint64(27)
        z *= m2
        return z ^ (z >> np.uint64(31))

    @numba.njit
    def uniform(keys, salt, salt2):
        out = np.empty(keys.size, np.float64)
        for i in range(keys.size):
            z = mix(mix(keys[i] ^ salt) ^ salt2)
            out[i] = np.int64(z >> np.uint64(11)) * (1.0 / 9007199254740992.0)
        return out

    @numba.njit
    def hashed(keys, salts, twice, salt2):
        out = np.empty(keys.size, np.uint64)
        one = salts.size == 1
        for i in range(keys.size):
            z = mix(keys[i] ^ (salts[0] if one else salts[i]))
            out[i] = mix(z ^ salt2) if twice else z
        return out

    @numba.njit
    def to_unit(z):
        out = np.empty(z.size, np.float64)
        for i in range(z.size):
            out[i] = np.int64(z[i] >> np.uint64(11)) * (1.0 / 9007199254740992.0)
        return out

    def hash_method(self, keys, salt, salt2, unit=False):
        salts = np.atleast_1d(np.asarray(salt, dtype=np.uint64))
        twice = salt2 is not None
        z = hashed(np.asarray(keys, dtype=np.uint64), salts, twice, np.uint64(salt2 or 0))
        return to_unit(z) if unit else z

    return uniform, hash_method


def whole_runs(scenario_path: str, seed: int, repeat: int) -> None:
    """Alternate runs with numpy's hash and the compiled one; CPU seconds and same bits."""
    from nkroutes.model import random as streams_module
    from nkroutes.model import simulate
    from nkroutes.scenario import load_scenario

    scenario = load_scenario(scenario_path)
    original, compiled = streams_module.Streams._hash, compiled_kernels()[1]
    seconds: dict[str, list[float]] = {"numpy": [], "numba": []}
    summaries = {}
    for _ in range(repeat):
        for name, method in (("numpy", original), ("numba", compiled)):
            streams_module.Streams._hash = method
            try:
                start = time.process_time()
                result = simulate(scenario, seed=seed)
                seconds[name].append(time.process_time() - start)
            finally:
                streams_module.Streams._hash = original
            summaries[name] = repr(result.summary())  # repr: NaN equals NaN
    same = summaries["numpy"] == summaries["numba"]
    for name, values in seconds.items():
        shown = ", ".join(f"{v:.2f}" for v in values)
        print(f"whole run with {name}'s hash: median {np.median(values):.2f} CPU s ({shown})")
    print(f"same summary: {same}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", default=str(REPO / "scenarios" / "baseline.toml"))
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=3, help="whole runs of each hash")
    args = parser.parse_args()

    run, hashed, by = hash_share(args.scenario, args.seed)
    print(f"run: {run:.2f} CPU s; Streams._hash: {hashed:.2f} CPU s ({hashed / run:.0%})")
    for where, (keys, seconds) in list(by.items())[:8]:
        print(f"  {where:34s} {keys:>12,d} keys {seconds:6.3f} s")

    try:
        uniform = compiled_kernels()[0]
    except ImportError:
        print("numba is not installed (pip install numba): no compiled comparison")
        return
    from nkroutes.model.random import Streams

    streams = Streams(args.seed)
    start = time.process_time()
    uniform(np.arange(3, dtype=np.uint64), np.uint64(1), np.uint64(2))
    print(f"numba compile: {time.process_time() - start:.2f} CPU s")
    salt, salt2 = np.uint64(streams._salt(5, 0)), streams._keys["hiding"]
    for n in SIZES:
        keys = np.random.default_rng(0).integers(0, 2**63, n, dtype=np.uint64)
        ours = streams.uniform("hiding", keys, 5).view(np.uint64)
        same = np.array_equal(ours, uniform(keys, salt, salt2).view(np.uint64))
        reps = max(20, 2_000_000 // n)
        start = time.perf_counter()
        for _ in range(reps):
            streams.uniform("hiding", keys, 5)
        numpy_s = (time.perf_counter() - start) / reps
        start = time.perf_counter()
        for _ in range(reps):
            uniform(keys, salt, salt2)
        numba_s = (time.perf_counter() - start) / reps
        print(
            f"{n:>7,d} keys: numpy {numpy_s * 1e6:8.1f} us, numba {numba_s * 1e6:7.1f} us "
            f"({numpy_s / numba_s:4.1f}x), same bits: {same}"
        )
    whole_runs(args.scenario, args.seed, args.repeat)


if __name__ == "__main__":
    main()
