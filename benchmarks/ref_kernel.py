"""A fixed numpy kernel, timed beside the model, so that figures from other machines compare.

The kernel never changes: 20 passes over 2**20 rows of what a model step does to its migrant
table (gather by index, hash a 64-bit key with the SplitMix64 finaliser, turn it into a
uniform, compare it with a probability looked up by place, scatter the result). Its time
depends on the machine (cores, memory, numpy build) and its load, as the model's does; a
benchmark line divides the model's CPU seconds by the kernel's (``model_per_kernel``), a ratio
that another machine reproduces where absolute seconds do not.

    python benchmarks/ref_kernel.py          # prints the kernel's CPU seconds (median of 3)
"""

from __future__ import annotations

import statistics
import sys
import time

import numpy as np

ROWS = 1 << 20
PASSES = 20


def kernel_cpu_s() -> float:
    """CPU seconds of one run of the fixed kernel."""
    rng = np.random.default_rng(12345)
    keys = rng.integers(0, 2**63, ROWS, dtype=np.uint64)
    place = rng.integers(0, 64, ROWS).astype(np.int16)
    prob = rng.random(64)
    idx = np.sort(rng.choice(ROWS, ROWS // 2, replace=False))
    hits = np.zeros(ROWS, dtype=bool)
    start = time.process_time()
    for step in range(PASSES):
        z = keys[idx] ^ np.uint64(step * 0x9E3779B97F4A7C15 % 2**64)
        z ^= z >> np.uint64(30)
        z *= np.uint64(0xBF58476D1CE4E5B9)
        z ^= z >> np.uint64(27)
        z *= np.uint64(0x94D049BB133111EB)
        z ^= z >> np.uint64(31)
        u = (z >> np.uint64(11)).view(np.int64) * (1.0 / 2**53)
        hits[idx] = u < prob[place[idx]]
    return time.process_time() - start


def median_kernel_cpu_s(repeat: int = 3) -> float:
    """Median CPU seconds of ``repeat`` runs of the kernel."""
    return statistics.median(kernel_cpu_s() for _ in range(repeat))


if __name__ == "__main__":
    print(f"{median_kernel_cpu_s():.4f}")
    sys.exit(0)
