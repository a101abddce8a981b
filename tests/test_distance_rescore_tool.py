"""tools/distance_rescore.py: a calibration's sets scored by each distance, and its refusals."""

from __future__ import annotations

import importlib.util
import shutil
import sys

import numpy as np
import pandas as pd
import pytest

from nkroutes.calibration.calibrate import calibrate
from nkroutes.calibration.problem import CalibrationProblem
from nkroutes.calibration.settings import CalibrationSettings
from nkroutes.ensemble.executors import InProcessExecutor
from nkroutes.scenario import load_scenario
from scenario_builder import CALIBRATION_OBSERVED as OBSERVED
from scenario_builder import ROOT, calibration_dict, dumps

_SPEC = importlib.util.spec_from_file_location(
    "distance_rescore", ROOT / "tools" / "distance_rescore.py"
)
distance_rescore = importlib.util.module_from_spec(_SPEC)
sys.modules["distance_rescore"] = distance_rescore
_SPEC.loader.exec_module(distance_rescore)


@pytest.fixture(scope="module")
def folders(tmp_path_factory):
    """A log and an ARD calibration of the tiny scenario on 1996-1998 (6 sets each)."""
    root = tmp_path_factory.mktemp("rescore")
    out = {}
    for distance in ("log", "ard"):
        path = root / f"tiny-{distance}.toml"
        path.write_text(dumps(calibration_dict(arrivals_distance=distance)), encoding="utf-8")
        problem = CalibrationProblem.build(
            load_scenario(path), OBSERVED, None, fit_years=(1996, 1998)
        )
        settings = CalibrationSettings(budget=6, population=2, replicates=2, check_replicates=0)
        out[distance] = root / distance
        calibrate(problem, settings, InProcessExecutor(), out[distance], figures=None)
    return out


def test_each_distance_is_the_one_the_calibration_recorded(folders, tmp_path, capsys):
    sets = tmp_path / "sets.csv"
    assert (
        distance_rescore.main([str(folders["log"]), str(folders["ard"]), "--csv", str(sets)]) == 0
    )
    out = capsys.readouterr().out
    assert "with the ARD of the other years (1999-2000)" in out
    scored = pd.read_csv(sets)
    for distance in ("log", "ard"):
        recorded = pd.read_csv(folders[distance] / "evaluations.csv")
        whole = recorded[recorded["stopped_in"].isna()].set_index("evaluation")["distance"]
        mine = scored[scored["folder"] == str(folders[distance])].set_index("evaluation")
        assert len(whole) >= 3 and sorted(mine.index) == sorted(whole.index)
        np.testing.assert_allclose(mine.loc[whole.index, distance], whole, rtol=1e-12)
    # the other years' ARD of one set, by hand
    row = scored.iloc[0]
    by_hand = (abs(row["1999"] - 330) + abs(row["2000"] - 250)) / 580
    assert row["other_ard"] == pytest.approx(by_hand, rel=1e-12)
    # each folder's nearest set by each distance is named
    for distance in ("log", "ard"):
        mine = scored[scored["folder"] == str(folders[distance])]
        nearest = int(mine.loc[mine[distance].idxmin(), "evaluation"])
        line = [
            s
            for s in out.splitlines()
            if s.startswith(str(folders[distance])[-28:]) and s.split()[1] == distance
        ]
        assert len(line) == 1 and int(line[0].split()[2]) == nearest


def test_growth_from_year_to_year_by_hand(folders, tmp_path, capsys):
    sets = tmp_path / "sets.csv"
    assert distance_rescore.main([str(folders["log"]), "--csv", str(sets)]) == 0
    out = capsys.readouterr().out
    scored = pd.read_csv(sets)
    observed = OBSERVED.set_index("year")["arrivals"]
    lines = out[out.index("Growth from one year") :].splitlines()
    # the turn: from the year before the last fitted one (1998) to the last other year
    rows = [s for s in lines if s[:9] in ("1997-1998", "1998-1999", "1999-2000")]
    assert [s[:9] for s in rows[:3]] == ["1997-1998", "1998-1999", "1999-2000"]
    ratio = scored["1999"] / scored["1998"]
    ratio = ratio[np.isfinite(ratio)]
    low, mid, high = np.percentile(ratio, [5, 50, 95])
    assert rows[1].split() == [
        "1998-1999",
        f"{observed[1999] / observed[1998]:.2f}",
        f"{low:.2f}",
        f"{mid:.2f}",
        f"{high:.2f}",
        str(len(ratio)),
    ]
    near = (scored["1998"] / observed[1998] - 1).abs() <= distance_rescore.NEAR_LAST_FITTED
    assert f"and over the {int(near.sum())} sets whose 1998 is within 15%" in out


def test_refusals_name_the_folder_or_option(folders, tmp_path, capsys):
    assert distance_rescore.main([str(tmp_path)]) == 2
    assert f"{tmp_path}: expected a calibration folder" in capsys.readouterr().err
    other = tmp_path / "other"
    shutil.copytree(folders["log"], other)
    settings = (other / "calibration.json").read_text(encoding="utf-8")
    (other / "calibration.json").write_text(
        settings.replace(
            '"years": [\n      1996,\n      1998\n    ]', '"years": [1996, 1997]'
        ).replace('"years": [1996, 1998]', '"years": [1996, 1997]'),
        encoding="utf-8",
    )
    assert distance_rescore.main([str(folders["log"]), str(other)]) == 2
    assert "fitted 1996-1997, expected 1996-1998" in capsys.readouterr().err
    assert distance_rescore.main([str(folders["log"]), "--other-years", "soon"]) == 2
    assert "--other-years: found 'soon', expected FIRST-LAST" in capsys.readouterr().err
    assert distance_rescore.main([str(folders["log"]), "--other-years", "2003-2006"]) == 2
    assert "no observed year outside the fitted 1996-1998" in capsys.readouterr().err
