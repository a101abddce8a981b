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


def _keys_with_units(table, prefix=""):
    """Every key of the schema below ``table`` as (dotted path, Key); arrays as ``name.*``."""
    from nkroutes.scenario.spec import Key, Table, TableArray

    for name, spec in table.keys.items():
        path = f"{prefix}{name}"
        if isinstance(spec, Key):
            yield path, spec
        elif isinstance(spec, Table):
            yield from _keys_with_units(spec, path + ".")
        elif isinstance(spec, TableArray):
            yield from _keys_with_units(spec.item, path + ".*.")
            for variant in spec.variants.values():
                yield from _keys_with_units(variant, path + ".*.")
        if isinstance(spec, Table) and spec.dynamic is not None:
            dynamic = spec.dynamic
            if isinstance(dynamic, Key):
                yield path + ".*", dynamic
            else:
                inner = dynamic.item if isinstance(dynamic, TableArray) else dynamic
                yield from _keys_with_units(inner, path + ".*.")


def test_per_person_covers_every_count_of_people_in_the_schema():
    """A new key counted in people must be scaled by --per-person, or said not to be."""
    from nkroutes.scenario.schema import SCENARIO

    bench = _bench_module()
    counts = {
        path
        for path, key in _keys_with_units(SCENARIO)
        if any(word in key.unit for word in ("people", "migrants", "1,000"))
    }
    per_family = {"chain_defection.remaining_relatives_per_family"}
    assert counts == {*bench.PEOPLE_PATHS, *bench.PER_PEOPLE_PATHS} | per_family
    hubs = [path for path, _ in _keys_with_units(SCENARIO) if path.endswith(bench.BROKERS_KEY)]
    assert hubs == ["places.*.initial_brokers"]


def test_per_person_scales_counts_of_people_and_nothing_else():
    bench = _bench_module()
    base = bench._load(str(ROOT / "scenarios/baseline.toml"), 1)
    scaled = bench._load(str(ROOT / "scenarios/baseline.toml"), 4, per_person_scale=True)
    for path in bench.PEOPLE_PATHS:
        assert scaled.get(path) == 4 * base.get(path)
    for path in bench.PER_PEOPLE_PATHS:
        assert scaled.get(path) == base.get(path) / 4
    a, b = base.to_dict(), scaled.to_dict()
    hubs = [(p, q) for p, q in zip(a["places"], b["places"], strict=True) if "initial_brokers" in p]
    assert [q["initial_brokers"] for _, q in hubs] == [4 * p["initial_brokers"] for p, _ in hubs]
    assert len(hubs) == 3
    for p, q in hubs:
        p.pop("initial_brokers"), q.pop("initial_brokers")
    for path in (*bench.PEOPLE_PATHS, *bench.PER_PEOPLE_PATHS):
        section, key = path.rsplit(".", 1)
        for data in (a, b):
            node = data
            for part in section.split("."):
                node = node[part]
            node.pop(key)
    assert a == b


def test_per_person_refuses_an_event_that_sets_a_count(write):
    from nkroutes.scenario import load_scenario

    bench = _bench_module()
    what_if = write(
        f'extends = "{ROOT / "scenarios/baseline.toml"}"\n'
        '[meta]\nname = "more-ngo"\n'
        '[[events]]\nid = "ngo_surge"\ndate = "2000-01"\nname = "More NGO help"\n'
        'source = "test"\n[events.set]\n"enforcement.china.ngo_helped_per_year" = 60.0\n',
        "more-ngo.toml",
    )
    scenario = load_scenario(what_if)
    with pytest.raises(SystemExit, match=r"ngo_surge.*ngo_helped_per_year"):
        bench.per_person(scenario, 4)
