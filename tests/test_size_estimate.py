"""The size estimate: scenarios too large to run are refused before anything runs (issue 21)."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from nkroutes.cli import main
from nkroutes.model import simulate
from nkroutes.scenario import scenario_from_dict
from nkroutes.scenario.size import MAX_MIGRANTS, estimate_size, size_problem
from scenario_builder import BASELINE, baseline, baseline_dict, baseline_until


def _size(**changes: object):
    data = baseline_dict()
    for path, value in changes.items():
        table, key = path.split("__")
        data[table][key] = value
    return estimate_size(scenario_from_dict(data).data)


def test_baseline_estimate_is_close_to_what_a_run_creates() -> None:
    scenario = baseline_until("1997-12")
    size = estimate_size(scenario.data)
    departures = float(simulate(scenario, seed=1).flows["departures"].sum())
    # An upper bound of expected departures, within a few percent of what a run creates.
    assert 0.98 * departures <= size.migrants <= 1.3 * departures
    assert size.steps == 96
    assert size_problem(estimate_size(baseline().data)) is None


def test_estimate_follows_rate_span_and_step() -> None:
    base = estimate_size(baseline().data)
    rate = baseline_dict()["departures"]["base_rate_per_year"]
    assert _size(departures__base_rate_per_year=2 * rate).migrants == pytest.approx(
        2 * base.migrants
    )
    daily = _size(time__step="day")
    assert daily.steps == 6940
    assert daily.migrants == pytest.approx(base.migrants)
    assert daily.migrant_steps > 25 * base.migrant_steps
    assert _size(time__start="2000-01").migrants < base.migrants / 3


def test_events_that_raise_departures_are_counted() -> None:
    data = baseline_dict()
    data["events"] = [
        {"id": "surge", "date": "2005-01", "set": {"departures.base_rate_per_year": 1e6}},
        {"id": "push", "date": "2006-01", "set": {"push_factors.famine.intensity": 500.0}},
    ]
    size = estimate_size(scenario_from_dict(data).data)
    assert size.migrants > 4 * 1e6
    assert "migrants per replicate" in size_problem(size)


def test_a_long_daily_run_is_refused_for_its_work() -> None:
    size = _size(time__step="day", time__start="1920-01", departures__base_rate_per_year=6000.0)
    assert size.migrants < MAX_MIGRANTS
    assert "migrant-steps" in size_problem(size)


@pytest.mark.parametrize(
    "sets",
    [
        ["departures.base_rate_per_year=1e6"],
        ["departures.base_rate_per_year=1e5", "time.start=1900-01"],
        ["push_factors.famine.intensity=1000"],
        ["time.step=day", "time.start=1920-01", "departures.base_rate_per_year=2e4"],
    ],
)
def test_run_refuses_a_scenario_too_large_with_exit_2(sets: list[str], tmp_path) -> None:
    args = ["run", str(BASELINE), "-n", "1", "--no-plots", "--out", str(tmp_path / "out")]
    for text in sets:
        args += ["--set", text]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2, result.output
    assert "too large to run" in result.output
    assert "--allow-large" in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert not (tmp_path / "out").exists()


def test_compare_and_calibrate_refuse_too(tmp_path) -> None:
    big = ["--set", "departures.base_rate_per_year=1e6"]
    result = CliRunner().invoke(
        main, ["compare", str(BASELINE), str(BASELINE), "-n", "1", *big, "--out", str(tmp_path)]
    )
    assert result.exit_code == 2 and "too large to run" in result.output
    path = tmp_path / "big.toml"
    path.write_text(
        f'extends = "{BASELINE.as_posix()}"\n[departures]\nbase_rate_per_year = 1e6\n',
        encoding="utf-8",
    )
    result = CliRunner().invoke(main, ["calibrate", str(path), "--out", str(tmp_path / "cal")])
    assert result.exit_code == 2 and "too large to run" in result.output


def test_allow_large_lets_it_through(monkeypatch, tmp_path) -> None:
    import nkroutes.scenario.size as size

    monkeypatch.setattr(size, "MAX_MIGRANTS", 10)  # the baseline is "too large"
    args = ["run", str(BASELINE), "-n", "1", "--workers", "1", "--no-plots"]
    args += ["--set", "time.end=1990-03", "--out", str(tmp_path / "o")]
    assert CliRunner().invoke(main, args).exit_code == 2
    result = CliRunner().invoke(main, [*args, "--allow-large"])
    assert result.exit_code == 0, result.output
    assert MAX_MIGRANTS == 2_000_000


def test_more_steps_than_a_16_bit_count_is_refused_even_with_allow_large(tmp_path) -> None:
    args = ["run", str(BASELINE), "-n", "1", "--no-plots", "--out", str(tmp_path / "o")]
    args += ["--set", "time.step=day", "--set", "time.start=1900-01", "--allow-large"]
    args += ["--set", "departures.base_rate_per_year=1"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2, result.output
    assert "cannot run: 39,812 steps, more than 32,767" in result.output
    assert not (tmp_path / "o").exists()
