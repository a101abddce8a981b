"""The arrivals' distance of a calibration: RMS of log differences, or ARD, by the scenario."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from nkroutes.analysis.targets import TargetSettings
from nkroutes.calibration.calibrate import calibrate
from nkroutes.calibration.evaluation import run_parameter_set
from nkroutes.calibration.problem import CalibrationProblem
from nkroutes.calibration.settings import CalibrationSettings
from nkroutes.ensemble.executors import InProcessExecutor
from nkroutes.scenario import ScenarioError, load_scenario, scenario_from_dict
from scenario_builder import CALIBRATION_OBSERVED as OBSERVED
from scenario_builder import calibration_dict, dumps


def problem_with(distance: str | None) -> CalibrationProblem:
    data = calibration_dict(arrivals_distance=distance)
    return CalibrationProblem.build(scenario_from_dict(data, "tiny.toml"), OBSERVED, None)


def medians(record) -> np.ndarray:
    yearly = pd.DataFrame(record["yearly"])
    by_year = yearly.groupby("year")["arrivals_south_korea"].median()
    return by_year.reindex(OBSERVED["year"]).to_numpy(float)


def test_the_default_is_the_rms_of_log_differences_and_ard_is_chosen_by_the_scenario():
    values, seeds = [400.0], [1, 2, 3]
    log, ard = problem_with(None), problem_with("ard")
    assert log.settings.distance == "log" and ard.settings.distance == "ard"
    record = run_parameter_set(log.task(0, values, seeds))
    # the same runs either way: the distance does not change what is simulated
    assert medians(run_parameter_set(ard.task(0, values, seeds))).tolist() == (
        medians(record).tolist()
    )
    m, o = medians(record), OBSERVED["arrivals"].to_numpy(float)
    rms_log = math.sqrt(np.mean((np.log1p(m) - np.log1p(o)) ** 2))
    averaged_relative = np.sum(np.abs(m - o)) / np.sum(o)
    assert log.record_distance(record).arrivals == pytest.approx(rms_log, rel=1e-12)
    assert ard.record_distance(record).arrivals == pytest.approx(averaged_relative, rel=1e-12)
    assert rms_log != pytest.approx(averaged_relative)


def test_ard_runs_that_cannot_fit_stop_at_a_lower_bound_of_their_distance():
    problem = problem_with("ard")
    values, seeds = [2500.0], [7, 8]
    full = run_parameter_set(problem.task(0, values, seeds))
    distance = problem.record_distance(full).total
    assert distance > 1.0  # 2,500 departures a year overshoot the made-up arrivals
    stopped = run_parameter_set(problem.task(0, values, seeds, stop_above=distance / 2))
    assert stopped["stopped"]["year"] < 2000
    bound = problem.record_distance(stopped)
    assert bound.stopped and distance / 2 < bound.total <= distance
    # the bound after the years so far is their absolute error over all years' arrivals
    m, o = medians(full), OBSERVED["arrivals"].to_numpy(float)
    upto = OBSERVED["year"].to_numpy() <= stopped["stopped"]["year"]
    assert bound.total == pytest.approx(np.sum(np.abs(m - o)[upto]) / np.sum(o), rel=1e-12)
    # never stopped at the threshold itself: a set that could enter the population runs on
    again = run_parameter_set(problem.task(0, values, seeds, stop_above=distance))
    assert again["stopped"] is None and problem.record_distance(again).total == distance


def test_the_choice_is_recorded_with_the_calibration():
    # calibration.json keeps it, so a calibration is resumed with the distance it began with
    assert TargetSettings().to_dict()["arrivals_distance"] == "log"
    assert TargetSettings(distance="ard").to_dict()["arrivals_distance"] == "ard"
    assert problem_with("log").settings.to_dict() == problem_with(None).settings.to_dict()


def test_an_unknown_distance_names_the_key_and_the_choices():
    data = calibration_dict(arrivals_distance="rmse")
    with pytest.raises(ScenarioError) as error:
        scenario_from_dict(data, "tiny.toml")
    message = str(error.value)
    assert "tiny.toml" in message and "calibration.targets.arrivals_distance" in message
    assert '"log"' in message and '"ard"' in message


def test_an_ard_calibration_writes_its_distance_and_says_which(tmp_path):
    (tmp_path / "tiny.toml").write_text(
        dumps(calibration_dict(arrivals_distance="ard")), encoding="utf-8"
    )
    problem = CalibrationProblem.build(load_scenario(tmp_path / "tiny.toml"), OBSERVED, None)
    settings = CalibrationSettings(budget=6, population=2, replicates=1, check_replicates=0)
    out = tmp_path / "calibration"
    calibrate(problem, settings, InProcessExecutor(), out, figures=None)
    table = pd.read_csv(out / "evaluations.csv")
    assert "arrivals_ard" in table.columns and "arrivals_rms_log" not in table.columns
    assert len(table) == 6 and table["stopped_in"].isna().sum() >= 3
    np.testing.assert_allclose(table["distance"], table["arrivals_ard"], rtol=1e-12)
    report = (out / "fit.md").read_text(encoding="utf-8")
    assert "1996-2000, by their averaged relative difference (ARD)" in report
