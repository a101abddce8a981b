"""`nkroutes run --posterior`: each replicate at a set drawn from a calibration's posterior."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from nkroutes.ensemble.errors import EnsembleSetupError
from nkroutes.ensemble.posterior import DRAW_KEY, Posterior
from nkroutes.ensemble.runner import run_ensemble
from nkroutes.scenario import load_scenario
from scenario_builder import write_posterior, write_tiny

PATH = "departures.base_rate_per_year"
VALUES = [200.0, 400.0, 800.0]


def write_calibration(folder, values=VALUES, weights=(0.2, 0.3, 0.5), path=PATH):
    """A calibration folder of one parameter, ``departures`` at ``path``."""
    return write_posterior(folder, values, weights, path)


@pytest.fixture
def tiny_file(tmp_path):
    base, _ = write_tiny(tmp_path / "scenarios")
    return base


def test_each_replicate_is_a_plain_run_at_its_drawn_set(tiny_file, tmp_path):
    calibration = write_calibration(tmp_path / "cal")
    results = run_ensemble(tiny_file, replicates=5, seed=3, workers=1, posterior=calibration)
    draws = results.extra["posterior_draws"]
    assert draws["replicate"].tolist() == list(range(5))
    scenario = load_scenario(tiny_file)
    for k, value in enumerate(draws[PATH]):
        assert value in VALUES
        alone = run_ensemble(scenario.with_overrides({PATH: value}), replicates=k + 1, seed=3)
        mine = results.summary[results.summary["replicate"] == k].reset_index(drop=True)
        theirs = alone.summary[alone.summary["replicate"] == k].reset_index(drop=True)
        pd.testing.assert_frame_equal(mine, theirs)
    assert len(set(draws[PATH])) > 1  # five draws of three sets: not all the same here


def test_a_replicate_s_set_depends_on_the_seed_and_its_number_alone(tmp_path):
    posterior = Posterior.load(write_calibration(tmp_path / "cal"))
    shares = np.cumsum([0.2, 0.3, 0.5])
    start = np.random.SeedSequence(9, spawn_key=(DRAW_KEY,)).generate_state(1, np.uint64)[0]
    for k in range(6):
        u = (float(start) / 2.0**64 + k * (5**0.5 - 1) / 2) % 1.0
        assert posterior.row_of(9, k) == int(np.sum(shares <= u))
    pd.testing.assert_frame_equal(posterior.draws_table(9, 6).head(3), posterior.draws_table(9, 3))
    only = Posterior.load(write_calibration(tmp_path / "one", weights=(0.0, 1.0, 0.0)))
    assert set(only.draws_table(9, 50)["evaluation"]) == {22}


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_the_first_n_replicates_take_each_set_about_n_times_its_weight(tmp_path, seed):
    weights = np.array([0.05, 0.2, 0.01, 0.3, 0.14, 0.3])
    values = [100.0 * (i + 1) for i in range(6)]
    posterior = Posterior.load(write_calibration(tmp_path / "cal", values, weights))
    for n in (10, 40, 200):
        counts = posterior.draws_table(seed, n)["evaluation"].value_counts()
        counts = counts.reindex([11, 22, 33, 44, 55, 66], fill_value=0).to_numpy()
        # independent draws would miss n * w by about sqrt(n w (1 - w)): 6 at n = 200
        assert np.all(np.abs(counts - n * weights) <= 2), (n, counts, n * weights)


def test_the_folder_holds_the_draws_and_the_manifest_the_posterior(cli, tiny_file, tmp_path):
    calibration = write_calibration(tmp_path / "cal")
    out = tmp_path / "out"
    args = ["-n", "3", "--seed", "4", "--workers", "1", "--no-plots", "-q", "--out", out]
    result = cli("run", tiny_file, *args, "--posterior", calibration)
    assert result.exit_code == 0, result.output
    assert f"a set drawn from the posterior of {calibration}" in result.stdout
    draws = pd.read_csv(out / "posterior_draws.csv")
    expected = Posterior.load(calibration).draws_table(4, 3)
    pd.testing.assert_frame_equal(draws, expected)
    manifest = json.loads((out / "manifest.json").read_text())
    digest = Posterior.load(calibration).sha256
    assert manifest["posterior"]["posterior_sha256"] == digest
    assert manifest["posterior"]["paths"] == {"departures": PATH}
    fit = cli("fit", out, "--years", "1990-1993")
    assert fit.exit_code == 0, fit.output
    assert f"3 replicates, each at a set drawn from the posterior of {calibration}" in fit.stdout


def test_an_interrupted_run_resumes_to_the_files_of_one_that_was_not(
    cli, tiny_file, tmp_path, fail_replicate
):
    calibration = write_calibration(tmp_path / "cal")
    args = ["-n", "4", "--seed", "3", "--workers", "1", "--no-plots", "-q"]
    args += ["--posterior", calibration]
    whole = tmp_path / "whole"
    assert cli("run", tiny_file, *args, "--out", whole).exit_code == 0
    out = tmp_path / "out"
    restore = fail_replicate(3, 2)
    assert cli("run", tiny_file, *args, "--out", out).exit_code == 1
    assert not (out / "posterior_draws.csv").exists()
    restore()
    # Without the posterior, or with another, the folder is refused and kept.
    alone = cli("run", tiny_file, *args[:-2], "--out", out, "--resume")
    assert alone.exit_code == 2
    assert f"{out}: was run with --posterior {calibration}" in alone.stderr
    other = write_calibration(tmp_path / "other", values=[300.0, 400.0, 500.0])
    again = cli("run", tiny_file, *args[:-2], "--posterior", other, "--out", out, "--resume")
    assert again.exit_code == 2 and "resume it with the same posterior" in again.stderr
    assert sorted(p.name for p in (out / "parts").iterdir()) == ["r000000", "r000001"]
    assert cli("run", tiny_file, *args, "--out", out, "--resume").exit_code == 0
    for name in ("summary.csv", "yearly.csv", "posterior_draws.csv"):
        assert (out / name).read_bytes() == (whole / name).read_bytes(), name


def test_a_plain_run_is_not_resumed_with_a_posterior(cli, tiny_file, tmp_path, fail_replicate):
    calibration = write_calibration(tmp_path / "cal")
    out = tmp_path / "out"
    args = ["-n", "3", "--seed", "3", "--workers", "1", "--no-plots", "-q", "--out", out]
    restore = fail_replicate(3, 1)
    assert cli("run", tiny_file, *args).exit_code == 1
    restore()
    refused = cli("run", tiny_file, *args, "--resume", "--posterior", calibration)
    assert refused.exit_code == 2
    assert f"{out}: was run without --posterior" in refused.stderr


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda f: (f / "posterior.csv").unlink(), "posterior.csv: cannot read it"),
        (lambda f: (f / "calibration.json").write_text("{}"), "calibration.json: cannot use it"),
        (
            lambda f: (
                pd.read_csv(f / "posterior.csv")
                .drop(columns="weight")
                .to_csv(f / "posterior.csv", index=False)
            ),
            "posterior.csv: found no column weight; expected a set per row with evaluation, "
            "weight and departures",
        ),
        (
            lambda f: write_calibration(f, weights=(0.0, 0.0, 0.0)),
            "posterior.csv: weight: expected numbers >= 0 with a positive sum",
        ),
        (
            lambda f: write_calibration(f, weights=("0.5", "lots", "0.5")),
            "posterior.csv: weight: found 'lots', expected a number in every row",
        ),
        (
            lambda f: write_calibration(f, values=[200.0, float("nan"), 400.0]),
            "posterior.csv: departures: found 'nan', expected a number in every row",
        ),
        (
            lambda f: write_calibration(f, path="departures.nope"),
            "posterior.csv: set 1 (evaluation 11) does not fit scenario 'tiny': "
            'departures.nope: found unknown key "nope"',
        ),
        (
            lambda f: write_calibration(f, values=[200.0, -5.0, 400.0]),
            "posterior.csv: set 2 (evaluation 22) does not fit scenario 'tiny': "
            f"{PATH}: found -5.0 (below the minimum 0)",
        ),
    ],
)
def test_a_bad_posterior_is_refused_and_nothing_is_written(
    cli, tiny_file, tmp_path, change, message
):
    calibration = write_calibration(tmp_path / "cal")
    change(calibration)
    out = tmp_path / "out"
    result = cli(
        "run", tiny_file, "-n", "2", "--workers", "1", "--out", out, "--posterior", calibration
    )
    assert result.exit_code == 2, result.output
    assert message in result.stderr
    assert str(calibration) in result.stderr
    assert not out.exists()
    with pytest.raises(EnsembleSetupError, match="--posterior"):
        run_ensemble(tiny_file, replicates=2, workers=1, posterior=calibration)
