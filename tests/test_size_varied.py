"""Commands that run a scenario at other values check its size at the largest of them.

``run --posterior``, ``compare --draws``, ``sensitivity`` and ``calibrate`` estimate a run's
size at the largest value each varied path takes (the posterior's sets, the points, the
ranges' or the bounds' upper ends), so a set that would make a run too large for the machine
is refused before anything is written, as the scenario's own values are.
"""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from nkroutes.calibration.problem import free_parameters
from nkroutes.cli import main
from nkroutes.commands.common import BadInput
from nkroutes.commands.size_check import check_size, largest_of
from nkroutes.sensitivity.ranges import ranges_of
from scenario_builder import BASELINE, baseline, write_posterior

RATE = "departures.base_rate_per_year"


EXTENDS = f'extends = "{BASELINE.as_posix()}"\n'


def _refused(args: list[str], *words: str) -> None:
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    for word in ("too large to run at the largest values it will run", *words):
        assert word in result.output, result.output


def test_run_with_a_posterior_set_too_large_is_refused_and_writes_nothing(tmp_path) -> None:
    folder = write_posterior(tmp_path / "cal", [1500.0, 1_000_000.0], [1.0, 1e-9])
    out = tmp_path / "out"
    args = ["run", str(BASELINE), "-n", "1", "--no-plots", "--posterior", str(folder)]
    _refused(
        [*args, "--out", str(out)],
        f"{RATE} = 1,000,000 ({folder / 'posterior.csv'})",
        "narrow the ranges or the posterior",
    )
    assert not out.exists()
    # Every set small enough: it runs.
    small = write_posterior(tmp_path / "cal-small", [1500.0, 2500.0], [1.0, 1.0])
    args = ["run", str(BASELINE), "-n", "1", "--workers", "1", "--no-plots", "--quiet"]
    args += ["--set", "time.end=1990-03", "--posterior", str(small), "--out", str(out)]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output


def test_compare_draws_checks_the_points_it_will_run(tmp_path, write) -> None:
    wide = write(EXTENDS + '[[uncertainty]]\nid = "base_departures"\nhigh = 1e6\n')
    out = tmp_path / "cmp"
    args = ["compare", str(wide), str(wide), "--draws", "2", "-n", "1", "--out", str(out)]
    _refused(args, f"{RATE} = ", "the largest of the 2 --draws points")
    assert not out.exists()


def test_sensitivity_checks_its_ranges_upper_ends(tmp_path, write) -> None:
    wide = write(EXTENDS + '[[uncertainty]]\nid = "base_departures"\nhigh = 1e6\n')
    out = tmp_path / "sens"
    args = ["sensitivity", str(wide), "--method", "morris", "-r", "2"]
    _refused([*args, "--out", str(out)], f"{RATE} = 1,000,000 ([[uncertainty]] base_departures)")
    assert not out.exists()
    # A range left out by --param is not varied, so not counted (a bad --param: exit 2, no
    # size error, shows the ranges were read first).
    result = CliRunner().invoke(main, [*args, "--param", "nonesuch", "--out", str(out)])
    assert result.exit_code == 2 and "too large" not in result.output
    assert "--param: found nonesuch" in result.output


def test_calibrate_checks_its_free_parameters_upper_bounds(tmp_path, write) -> None:
    wide = write(EXTENDS + '[[calibration.free]]\nid = "base_departures"\nmax = 1e6\n')
    out = tmp_path / "cal"
    _refused(
        ["calibrate", str(wide), "--out", str(out)],
        f"{RATE} = 1,000,000 ([[calibration.free]] base_departures)",
    )
    assert not out.exists()


def test_the_shipped_baseline_passes_at_its_ranges_and_bounds_upper_ends() -> None:
    scenario = baseline()
    check_size(scenario, False, {r.path: (r.high, r.id) for r in ranges_of(scenario)})
    check_size(scenario, False, {f.path: (f.high, f.id) for f in free_parameters(scenario)})


def test_only_values_above_the_scenarios_own_and_that_enter_the_size_count(monkeypatch) -> None:
    import nkroutes.scenario.size as size

    scenario = baseline()
    monkeypatch.setattr(size, "MAX_MIGRANTS", 400_000)  # the baseline estimates 371,000
    check_size(scenario, False, {RATE: (100.0, "lower"), "brokers.hire_rounds": (99.0, "x")})
    with pytest.raises(BadInput, match=r"base_rate_per_year = 2,500 \(points\)"):
        check_size(scenario, False, largest_of([{RATE: 2500.0}, {RATE: 1000.0}], "points"))
    check_size(scenario, True, largest_of([{RATE: 2500.0}], "points"))


def test_a_what_ifs_own_value_of_a_varied_path_is_kept(write) -> None:
    from nkroutes.ensemble.size_guard import keeping_levers
    from nkroutes.scenario import load_scenario

    lever = write(EXTENDS + '[meta]\nname = "fewer"\n[departures]\nbase_rate_per_year = 100.0\n')
    largest = {RATE: (3000.0, "r"), "push_factors.famine.intensity": (40.0, "r")}
    kept = keeping_levers(load_scenario(lever), baseline(), largest)
    assert kept == {"push_factors.famine.intensity": (40.0, "r")}
    assert keeping_levers(baseline(), baseline(), largest) == largest


def test_a_posterior_path_the_scenario_lacks_is_left_to_the_posteriors_own_check(
    tmp_path,
) -> None:
    folder = write_posterior(
        tmp_path / "cal", [1.0, 2.0], [1.0, 1.0], path="push_factors.nonesuch.intensity"
    )
    args = ["run", str(BASELINE), "-n", "1", "--no-plots", "--posterior", str(folder)]
    result = CliRunner().invoke(main, [*args, "--out", str(tmp_path / "out")])
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "does not fit scenario" in result.output and "nonesuch" in result.output
