"""tools/morris_agreement.py: how often two Morris designs of r trajectories agree."""

from __future__ import annotations

import importlib.util
import sys

import numpy as np
import pandas as pd

import nkroutes
from scenario_builder import ROOT
from test_sensitivity import fake, fake_model  # noqa: F401  (fixture and model)

_SPEC = importlib.util.spec_from_file_location(
    "morris_agreement", ROOT / "tools" / "morris_agreement.py"
)
morris_agreement = importlib.util.module_from_spec(_SPEC)
sys.modules["morris_agreement"] = morris_agreement
_SPEC.loader.exec_module(morris_agreement)


def _analysis(scenario, folder, seed):
    nkroutes.sensitivity(
        scenario,
        trajectories=4,
        outcomes=["arrivals"],
        workers=1,
        out=folder,
        evaluate=fake_model,
        seed=seed,
    )
    return folder


def test_effects_are_read_back_from_a_finished_analysis(fake, tmp_path):  # noqa: F811
    folder = _analysis(fake, tmp_path / "a", seed=1)
    design = morris_agreement.read_design(folder)
    names, effects = design.names, morris_agreement.trajectory_effects(design, "arrivals")
    assert names == ["base", "famine", "pds", "chain", "arrest"]
    # The fake outcome is 4 u_base + 2 u_famine: the same effects in every trajectory.
    np.testing.assert_allclose(effects, np.tile([4.0, 2.0, 0.0, 0.0, 0.0], (4, 1)), atol=1e-9)
    # A log_ outcome missing from points.csv is computed from its count.
    logged = morris_agreement.trajectory_effects(design, "log_arrivals")
    assert logged[:, 0].min() > 0 and not logged[:, 2:].any()


def test_agreement_is_certain_for_clear_leaders_and_rare_for_ties():
    rng = np.random.default_rng(4)
    clear = np.tile([9.0, 8.0, 7.0, 6.0, 5.0, 1.0], (20, 1))
    assert morris_agreement.agreement(clear, 8, 200, rng) == (1.0, 5.0)
    # Ten values with the same law of effects: any five are as likely as any other.
    ties = rng.exponential(size=(40, 10))
    same, shared = morris_agreement.agreement(ties, 10, 500, rng)
    assert same < 0.1
    assert 2.0 < shared < 3.5  # 2.5 expected for two random fives out of ten


def test_two_seeds_pool_and_bad_folders_exit_2(fake, tmp_path, capsys):  # noqa: F811
    a = _analysis(fake, tmp_path / "a", seed=1)
    b = _analysis(fake, tmp_path / "b", seed=2)
    assert morris_agreement.main([str(a), str(b), "--sizes", "4,8", "--pairs", "50"]) == 0
    out = capsys.readouterr().out
    assert "arrivals: 8 trajectories pooled from 2 analyses" in out
    assert "r = 4: same top five in 100% of 50 pairs; 5.00 of 5 shared on average" in out
    assert "r = 8: needs 16 trajectories pooled" in out

    assert morris_agreement.main([str(a), str(tmp_path / "nowhere")]) == 2
    assert "nowhere/sensitivity.json: not found" in capsys.readouterr().err
    points = pd.read_csv(b / "points.csv")
    points.loc[0, "base"] += 1.0
    points.to_csv(b / "points.csv", index=False)
    assert morris_agreement.main([str(a), str(b)]) == 2
    assert "column base is not the design redrawn" in capsys.readouterr().err
    assert morris_agreement.main([str(a), "--outcome", "nothing"]) == 2
    assert "no outcome 'nothing'" in capsys.readouterr().err
