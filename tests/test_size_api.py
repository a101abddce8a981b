"""The Python API refuses scenarios above the size limits before anything runs, as the commands do.

``run_ensemble``, ``compare``, ``compare(..., draws=K)`` and ``sensitivity`` take
``allow_large`` (the commands' ``--allow-large``). The limits are lowered here so that tiny
scenarios cross them.
"""

from __future__ import annotations

import re

import pytest

from nkroutes.analysis.compare import compare
from nkroutes.ensemble import EnsembleSetupError, run_ensemble
from nkroutes.scenario import load_scenario, size
from nkroutes.sensitivity.draws import compare_draws
from scenario_builder import BASELINE, write_posterior, write_tiny

RATE = "departures.base_rate_per_year"


@pytest.fixture
def tiny(tmp_path):
    return write_tiny(tmp_path / "scenarios")


def _migrants(path) -> float:
    return size.estimate_size(load_scenario(path).data).migrants


def test_a_scenario_above_the_limit_is_refused_and_nothing_is_written(
    tiny, tmp_path, monkeypatch
) -> None:
    base, _ = tiny
    monkeypatch.setattr(size, "MAX_MIGRANTS", int(_migrants(base) / 2))
    out = tmp_path / "out"
    with pytest.raises(EnsembleSetupError) as error:
        run_ensemble(base, replicates=1, workers=1, out=out)
    message = str(error.value)
    assert message.startswith(f"{base}: too large to run: about ")
    assert "migrants per replicate" in message and "pass allow_large=True" in message
    assert not out.exists()
    # allow_large runs it, as --allow-large does.
    results = run_ensemble(base, replicates=1, workers=1, out=out, allow_large=True)
    assert results.n_replicates == 1


def test_too_many_steps_are_refused_even_with_allow_large(tmp_path) -> None:
    scenario = load_scenario(BASELINE).with_overrides(
        {"time.start": "1900-01", "time.end": "1999-12", "time.step": "day"}
    )
    with pytest.raises(EnsembleSetupError, match="cannot run: 36,524 steps, more than 32,767"):
        run_ensemble(scenario, replicates=1, workers=1, allow_large=True)


def test_a_posterior_set_above_the_limit_is_refused(tmp_path) -> None:
    folder = write_posterior(tmp_path / "cal", [1500.0, 1_000_000.0], [1.0, 1e-9])
    with pytest.raises(EnsembleSetupError, match=r"with the posterior of .* too large to run"):
        run_ensemble(BASELINE, replicates=1, workers=1, posterior=folder)


def test_compare_checks_every_scenario_before_running_any(tiny, tmp_path, monkeypatch) -> None:
    base, whatif = tiny
    # A what-if with four times the departures: over the limit where the others are not.
    big = tmp_path / "big.toml"
    big.write_text(
        f'extends = "{base.as_posix()}"\n[meta]\nname = "big"\n'
        f"[departures]\nbase_rate_per_year = {load_scenario(base).get(RATE) * 4}\n",
        encoding="utf-8",
    )
    monkeypatch.setattr(size, "MAX_MIGRANTS", int(_migrants(base) * 2))
    out = tmp_path / "cmp"
    with pytest.raises(EnsembleSetupError, match=re.escape(f"{big}: too large to run")):
        compare(base, [whatif, big], replicates=1, workers=1, out=out)
    assert not out.exists()  # the baseline did not run either
    comparison = compare(base, [big], replicates=1, workers=1, allow_large=True)
    assert comparison.whatifs == ["big"]


def test_compare_draws_checks_every_point_before_running_any(write, tmp_path) -> None:
    wide = write(
        f'extends = "{BASELINE.as_posix()}"\n[[uncertainty]]\nid = "base_departures"\nhigh = 1e6\n'
    )
    out = tmp_path / "draws"
    with pytest.raises(EnsembleSetupError) as error:
        compare_draws(wide, [wide], draws=4, replicates=1, workers=1, out=out, seed=2)
    assert f"{wide} at the largest of the 4 points: too large to run at the largest " in str(
        error.value
    )
    assert f"{RATE} = " in str(error.value)
    assert not out.exists()


def test_sensitivity_checks_the_ranges_upper_ends_before_running(write, tmp_path) -> None:
    from nkroutes.sensitivity import sensitivity

    wide = write(
        f'extends = "{BASELINE.as_posix()}"\n[[uncertainty]]\nid = "base_departures"\nhigh = 1e6\n'
    )
    out = tmp_path / "sens"
    with pytest.raises(EnsembleSetupError, match=re.escape(f"{RATE} = 1,000,000")):
        sensitivity(wide, trajectories=2, replicates=1, out=out, workers=1)
    assert not out.exists()
