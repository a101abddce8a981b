"""Stays in China by event time (model/stays.py) meet the same law as per-step draws.

The per-step process draws, each step, arrest then trafficking then settling then an exit
attempt, each only if none before it happened. The event-time version draws one Exp(1)
threshold per competing event and meets the earliest (ties in the per-step order). Here
both are simulated for the same hazards (and a hazard that changes part-way) with many
stays, and their distributions of (step, kind) are compared: shares of each kind and mean
steps agree within 5 standard errors, and the law of the step passes a two-sample
Kolmogorov-Smirnov test at the 0.1% level.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from nkroutes.model.schedule import BLOCK, StaySchedule
from nkroutes.model.stays import NEVER, first_event, next_event_step, per_step_hazards

BASELINE = Path(__file__).resolve().parent.parent / "scenarios" / "baseline.toml"

N = 50_000
STEPS = 300


def _per_step(rng: np.random.Generator, p_before: np.ndarray, p_after: np.ndarray, change: int):
    """Reference: Bernoulli draws each step in the process's order; (step, kind) per stay."""
    n = p_before.shape[1]
    step = np.full(n, NEVER, dtype=np.int64)
    kind = np.full(n, -1)
    alive = np.arange(n)
    for s in range(STEPS):
        p = p_before if s < change else p_after
        happened = np.zeros(len(alive), bool)
        for k in range(p.shape[0]):
            hit = ~happened & (rng.random(len(alive)) < p[k, alive])
            kind[alive[hit]] = k
            step[alive[hit]] = s
            happened |= hit
        alive = alive[~happened]
    return step, kind


def _event_time(rng: np.random.Generator, p_before: np.ndarray, p_after: np.ndarray, change: int):
    """Event time: one threshold per event; at ``change`` the hazard spent is taken off each."""
    left = rng.exponential(size=p_before.shape)
    h1, h2 = per_step_hazards(p_before), per_step_hazards(p_after)
    step, kind = first_event(0, left, h1, STEPS)
    step = step.astype(np.int64)
    late = step >= change
    rest = np.maximum(left[:, late] - h1[:, late] * change, 0.0)
    step[late], kind[late] = first_event(change, rest, h2[:, late], STEPS)
    kind = np.where(step < STEPS, kind, -1)
    return step, kind


def _probabilities(rng: np.random.Generator) -> np.ndarray:
    """Heterogeneous per-step probabilities: 4 kinds, some stays without some hazards."""
    p = np.vstack(
        [
            rng.choice([0.002, 0.01, 0.03], N),
            rng.choice([0.0, 0.004], N),
            rng.choice([0.0, 0.006], N),
            rng.choice([0.001, 0.02, 0.2], N),
        ]
    )
    p[:, : N // 20] = 0.0  # some stays have no hazard at all
    return p


@pytest.mark.parametrize("change_factor", [1.0, 2.5, 0.3])
def test_event_time_has_the_law_of_per_step_draws(change_factor: float) -> None:
    rng = np.random.default_rng(19)
    p_before = _probabilities(rng)
    p_after = np.minimum(p_before * change_factor, 1.0)
    change = 30
    ref_step, ref_kind = _per_step(np.random.default_rng(1), p_before, p_after, change)
    new_step, new_kind = _event_time(np.random.default_rng(2), p_before, p_after, change)
    for k in (-1, 0, 1, 2, 3):
        a, b = ref_kind == k, new_kind == k
        share_se = np.sqrt(a.mean() * (1 - a.mean()) * 2 / N) + 1e-12
        assert abs(a.mean() - b.mean()) < 5 * share_se + 1e-9, (k, a.mean(), b.mean())
        if k >= 0 and a.sum() > 100:
            sa, sb = ref_step[a].astype(float), new_step[b].astype(float)
            se = np.sqrt(sa.var() / len(sa) + sb.var() / len(sb))
            assert abs(sa.mean() - sb.mean()) < 5 * se, (k, sa.mean(), sb.mean())
    # The whole law of the step: two-sample Kolmogorov-Smirnov at the 0.1% level.
    ref_cdf = np.cumsum(np.bincount(np.minimum(ref_step, STEPS), minlength=STEPS + 1)) / N
    new_cdf = np.cumsum(np.bincount(np.minimum(new_step, STEPS), minlength=STEPS + 1)) / N
    assert np.max(np.abs(ref_cdf - new_cdf)) < 1.95 * np.sqrt(2 / N)


def test_no_hazard_means_no_event_and_certain_hazard_means_now() -> None:
    left = np.array([0.5, 0.5, 0.0, 3.0])
    h = per_step_hazards(np.array([0.0, 1.0, 0.5, 0.5]))
    assert next_event_step(10, left, h, 100).tolist() == [NEVER, 10, 10, 14]
    assert next_event_step(98, left, h, 100).tolist() == [NEVER, 98, 98, NEVER]


def test_an_infinite_hazard_is_met_at_once_even_with_an_infinite_threshold() -> None:
    h = np.array([np.inf, np.inf, 0.0])
    left = np.array([np.inf, 0.0, np.inf])
    with np.errstate(all="raise"):
        assert next_event_step(7, left, h, 100).tolist() == [7, 7, NEVER]
    # The compiled first_event, one row: the same steps.
    wake, kind = first_event(7, left[None, :], h[None, :], 100)
    assert wake.tolist() == [7, 7, NEVER] and kind.tolist() == [0, 0, 0]


def test_a_settling_rate_so_high_it_is_certain_runs_and_files_stays_in_the_run() -> None:
    """Found by tests/test_fuzz_run.py: a per-step probability of 1 gave an infinite hazard,
    and a stay starting at a dated event spent inf x 0 = NaN of its threshold, filed at no step.
    """
    import warnings

    from nkroutes.model import simulate
    from nkroutes.scenario import load_scenario

    scenario = load_scenario(BASELINE).with_overrides(
        {
            "time.start": "2008-01",
            "time.end": "2008-12",
            "enforcement.china.settle_rate_per_year": 5000.0,
            "brokers.arrest_rate_per_year": 0.0,
        }
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        result = simulate(scenario, seed=1)
    assert result.summary()["departures"] > 0


def test_the_earliest_event_comes_first_and_ties_follow_the_per_step_order() -> None:
    # Rows: arrest, trafficking, settling, exit. Per-step chance 0.5 each: h = ln 2.
    h = per_step_hazards(np.full((4, 3), 0.5))
    left = np.array(
        [
            [5.0, 0.1, 9.0],  # arrest: step 7, 0, 12
            [0.1, 0.1, 9.0],  # trafficking: 0, 0, 12
            [9.0, 9.0, 9.0],
            [9.0, 0.1, 2.0],  # exit: 12, 0, 2
        ]
    )
    step, kind = first_event(0, left, h, 100)
    assert step.tolist() == [0, 0, 2]
    assert kind.tolist() == [1, 0, 3]  # the second stay's tie goes to arrest, met first


def test_a_changed_hazard_moves_only_its_own_event() -> None:
    """Common random numbers: raising one event's chance leaves the others' steps unchanged."""
    rng = np.random.default_rng(5)
    left = rng.exponential(size=(4, 1000))
    p = np.vstack([np.full(1000, q) for q in (0.01, 0.004, 0.006, 0.02)])
    raised = p.copy()
    raised[0] *= 1.1
    before = next_event_step(0, left, per_step_hazards(p), 10_000)
    after = next_event_step(0, left, per_step_hazards(raised), 10_000)
    assert (before[1:] == after[1:]).all()
    assert (after[0] <= before[0]).all() and (after[0] < before[0]).any()


@pytest.mark.parametrize("offset", [0, 65_530])  # steps filed as 16 bits, and as 32 past 65,536
def test_schedule_files_and_pops_by_step(offset: int) -> None:
    schedule = StaySchedule(10 + offset)
    schedule.push(np.array([5, 3, 9]), np.array([2, 2, 4], dtype=np.int32) + offset)
    schedule.push(np.array([1, 3]), np.array([4 + offset, NEVER], dtype=np.int32))
    assert sorted(schedule.pop(2 + offset).tolist()) == [3, 5]
    assert schedule.pop(2 + offset).tolist() == []
    assert sorted(schedule.pop(4 + offset).tolist()) == [1, 9]
    assert schedule.pop(12 + offset).tolist() == []


def test_schedule_reuses_entries_and_grows_as_a_list_per_step_would() -> None:
    """Filing and reading over a run, against a plain dict of lists (as multisets)."""
    rng = np.random.default_rng(5)
    n_steps = 60
    schedule = StaySchedule(n_steps)
    reference: dict[int, list[int]] = {}
    filed, most_waiting = 0, 0
    for step in range(n_steps):
        for _ in range(int(rng.integers(0, 4))):
            ids = rng.integers(0, 5_000, int(rng.integers(0, 800)))
            wake = rng.integers(step, n_steps + 20, len(ids)).astype(np.int32)
            schedule.push(ids, wake)
            for i, w in zip(ids.tolist(), wake.tolist(), strict=True):
                if w < n_steps:
                    reference.setdefault(w, []).append(i)
                    filed += 1
            most_waiting = max(most_waiting, sum(len(v) for v in reference.values()))
        got = schedule.pop(step)
        assert got.dtype == np.int32
        assert sorted(got.tolist()) == sorted(reference.pop(step, [])), step
    # Blocks read were reused: fewer were ever taken than the ids filed would fill, and no
    # more than one part-filled block per step beyond what was waiting at once.
    blocks_used = int(schedule._free_and_used[1])
    assert blocks_used < filed // BLOCK
    assert blocks_used <= n_steps + most_waiting // BLOCK


def _reference_next_event_step(start, left, h, n_steps):
    """The formula of next_event_step written plainly, with temporaries."""
    with np.errstate(divide="ignore", invalid="ignore"):
        steps = np.floor(left / h)
    steps = np.where(h > 0, steps, np.inf)
    wake = start + np.minimum(steps, n_steps + 1)
    return np.where(wake >= n_steps, NEVER, wake).astype(np.int32)


@pytest.mark.parametrize("per_migrant_start", [False, True])
def test_next_event_step_and_first_event_equal_the_plain_formula(per_migrant_start: bool) -> None:
    # Hazards of 0 (never), thresholds of 0 (now), events past the run's end, both starts.
    rng = np.random.default_rng(3)
    n, steps = 5_000, 228
    left = rng.exponential(size=(4, n)).astype(np.float32).astype(np.float64)
    left[1, ::9] = 0.0
    h = per_step_hazards(rng.uniform(0, 0.2, size=(4, n)) * (rng.random((4, n)) > 0.2))
    start = rng.integers(0, steps, n) if per_migrant_start else 17
    expected = _reference_next_event_step(start, left, h, steps)
    got = next_event_step(start, left, h, steps)
    assert got.dtype == np.int32
    assert np.array_equal(got, expected)
    assert (got == NEVER).any() and (got < steps).any()
    wake, kind = first_event(start, left, h, steps)
    assert np.array_equal(kind, np.argmin(expected, axis=0))
    assert np.array_equal(wake, expected[kind, np.arange(n)])


def test_per_step_hazards_are_minus_log_of_one_minus_p() -> None:
    p = np.array([[0.0, 0.25, 1.0], [1e-12, 0.5, 0.999]])
    h = per_step_hazards(p)
    assert h.dtype == np.float64 and p[0, 1] == 0.25  # the input is left alone
    with np.errstate(divide="ignore"):
        assert np.array_equal(h, -np.log1p(-p))
    assert h[0, 2] == np.inf


def _run_bits(scenario, seed: int) -> list[bytes]:
    from nkroutes.model import RouteModel

    model = RouteModel(scenario, seed=seed)
    result = model.run()
    arrays = [result.flows[name] for name in sorted(result.flows)]
    arrays += [result.stocks[name] for name in sorted(result.stocks)]
    arrays += [col[: model.table.n] for _, col in sorted(model.table.cols.items())]
    return [np.ascontiguousarray(a).tobytes() for a in arrays]


def test_stays_placed_again_in_blocks_give_the_bits_of_one_call(monkeypatch) -> None:
    """The crackdown of 2008 changes every stay's arrest hazard: about 150,000 stays placed
    again in blocks of 1,000 give the same run as in one call."""
    from nkroutes.model import model as model_module
    from nkroutes.scenario import load_scenario

    scenario = load_scenario(BASELINE).with_overrides({"time.end": "2008-03"})
    whole = _run_bits(scenario, seed=3)
    calls: list[int] = []
    repredict = model_module.stays.repredict

    def counted(model, ids, h_old, saved_old):
        calls.append(len(ids))
        repredict(model, ids, h_old, saved_old)

    monkeypatch.setattr(model_module, "REPREDICT_BLOCK", 1000)
    monkeypatch.setattr(model_module.stays, "repredict", counted)
    assert _run_bits(scenario, seed=3) == whole
    assert len(calls) > 50 and max(calls) <= 1000
