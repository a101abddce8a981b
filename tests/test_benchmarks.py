"""The throughput benchmark's script runs and its numbers agree with each other."""

import importlib.util
from pathlib import Path

import numpy as np
import pytest

from nkroutes.model.migrants import COLUMNS

ROOT = Path(__file__).resolve().parent.parent


def _bench_module():
    spec = importlib.util.spec_from_file_location("bench_model", ROOT / "benchmarks/bench_model.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
def test_bench_line_is_consistent_at_a_small_scale():
    bench = _bench_module()
    line = bench.bench(str(ROOT / "scenarios/baseline.toml"), 0.05, repeat=1, seed=3)
    assert line["scale"] == 0.05 and line["repeat"] == 1 and line["steps"] > 0
    assert line["migrants"] > 0
    # Every migrant is active at least the step it is created.
    assert line["active_migrant_steps"] >= line["migrants"]
    expected_ns = line["wall_s"] / line["active_migrant_steps"] * 1e9
    assert line["ns_per_active_step"] == pytest.approx(expected_ns, rel=1e-2)
    row = sum(np.dtype(dt).itemsize for dt in COLUMNS.values())
    assert line["bytes_per_migrant_row"] == row
    # The table holds a row per migrant and at most what doubling from 4096 rows allows.
    table_bytes = line["bytes_per_migrant_table"] * line["migrants"]
    assert row * line["migrants"] * 0.999 <= table_bytes <= row * max(2 * line["migrants"], 4096)
    assert line["peak_rss_mb"] >= line["idle_rss_mb"] > 0
    # The fixed reference kernel is timed in the same child: the ratio is the model's CPU.
    assert line["kernel_cpu_s"] > 0
    assert line["model_per_kernel"] == pytest.approx(line["cpu_s"] / line["kernel_cpu_s"], rel=0.2)
    # Cost per event: the run's CPU over its exit attempts.
    attempts = line["exit_attempts_per_migrant"] * line["migrants"]
    assert attempts > 0
    assert line["us_per_exit_attempt_cpu"] == pytest.approx(
        line["cpu_s"] / attempts * 1e6, rel=1e-2
    )


def test_scale_multiplies_only_the_departure_rate():
    bench = _bench_module()
    base = bench._load(str(ROOT / "scenarios/baseline.toml"), 1)
    scaled = bench._load(str(ROOT / "scenarios/baseline.toml"), 4)
    assert scaled.get(bench.RATE_PATH) == 4 * base.get(bench.RATE_PATH)
    a, b = base.to_dict(), scaled.to_dict()
    a["departures"].pop("base_rate_per_year")
    b["departures"].pop("base_rate_per_year")
    assert a == b
