"""The APMC sampling steps: parameter box, Sobol design, proposals, importance weights."""

from __future__ import annotations

import math
import re

import numpy as np
import pytest
from scipy.special import expit
from scipy.stats import multivariate_normal

from nkroutes.calibration import smc
from nkroutes.calibration.journal import Journal, JournalError

LOG = smc.FreeParameter("base", "departures.base_rate_per_year", 100.0, 10000.0, log=True)
LINEAR = smc.FreeParameter("share", "chain_defection.share_of_settlement_sent", 0.0, 0.8)


def test_unit_box_maps_to_bounds_linearly_or_logarithmically():
    z = np.array([0.0, 0.5, 1.0])
    assert LOG.from_unit(z) == pytest.approx([100.0, 1000.0, 10000.0])
    assert LINEAR.from_unit(z) == pytest.approx([0.0, 0.4, 0.8])
    values = smc.to_values((LOG, LINEAR), np.array([[0.25, 0.75]]))
    assert values[0] == pytest.approx([100.0 * 10**0.5, 0.6])
    assert smc.to_unit((LOG, LINEAR), values)[0] == pytest.approx([0.25, 0.75])


def test_sobol_design_is_fixed_by_the_seed_and_inside_the_box():
    a = smc.sobol_design(16, 3, np.random.default_rng(7))
    b = smc.sobol_design(16, 3, np.random.default_rng(7))
    c = smc.sobol_design(16, 3, np.random.default_rng(8))
    assert np.array_equal(a, b) and not np.array_equal(a, c)
    assert a.shape == (16, 3) and np.all((a > 0) & (a < 1))
    # space-filling: each of the 16 strata of each coordinate holds exactly one point
    for j in range(3):
        assert sorted(np.floor(a[:, j] * 16).astype(int)) == list(range(16))


def test_population_sizes_from_the_budget():
    assert smc.population_sizes(300) == (64, 128)
    assert smc.population_sizes(48) == (8, 16)
    assert smc.population_sizes(20) == (4, 8)
    assert smc.population_sizes(100, population=10) == (10, 20)
    with pytest.raises(ValueError, match="budget: found 20, expected at least 21"):
        smc.population_sizes(20, population=10)


def test_log_prior_is_the_density_of_a_uniform_box_on_log_odds():
    y = np.array([[-3.0, 0.0], [0.5, 40.0]])
    z = expit(y[0])
    # far out (y = 40) z (1 - z) underflows; its log is -40 - 2 log(1 + e^-40)
    expected = [
        np.sum(np.log(z * (1 - z))),
        math.log(expit(0.5) * (1 - expit(0.5))) - 40.0 - 2 * math.log1p(math.exp(-40)),
    ]
    assert smc.log_prior(y) == pytest.approx(expected, rel=1e-12)


def test_step_covariance_is_twice_the_weighted_covariance():
    y = np.random.default_rng(1).normal(size=(50, 3))
    cov = smc.step_covariance(y, np.ones(50))
    assert cov == pytest.approx(2 * np.cov(y.T, bias=True), rel=1e-4)
    # a member with all the weight: no spread but the ridge, still positive definite
    weights = np.zeros(50)
    weights[0] = 1.0
    np.linalg.cholesky(smc.step_covariance(y, weights))


def test_importance_weights_are_prior_over_the_mixture_proposal():
    rng = np.random.default_rng(2)
    population = rng.normal(size=(5, 2))
    weights = np.array([1.0, 2.0, 3.0, 0.5, 0.5])
    cov = smc.step_covariance(population, weights)
    new = smc.propose(population, weights, 7, cov, rng)
    mixture = sum(
        w / weights.sum() * multivariate_normal(m, cov).pdf(new)
        for m, w in zip(population, weights, strict=True)
    )
    prior = np.prod(expit(new) * (1 - expit(new)), axis=1)
    expected = prior / mixture
    assert smc.importance_weights(new, population, weights, cov) == pytest.approx(
        expected, rel=1e-9
    )


def test_weighted_proposals_reproduce_the_prior():
    """Self-normalised importance sampling of the uniform prior from a mixture proposal.

    Statistical: 20,000 proposals; the weighted mean of z is within 0.015 of 1/2 and the
    weighted variance within 0.005 of 1/12 (observed errors over seeds 0-5: < 0.007 and
    < 0.002), while the unweighted proposals are not uniform; the raw weights average 1
    within 0.02.
    """
    rng = np.random.default_rng(0)
    population = smc.to_logit(rng.uniform(size=(100, 2)))
    weights = np.ones(100)
    cov = smc.step_covariance(population, weights)
    new = smc.propose(population, weights, 20000, cov, rng)
    w = smc.importance_weights(new, population, weights, cov)
    assert w.mean() == pytest.approx(1.0, abs=0.02)  # prior / proposal averages 1
    w /= w.sum()
    z = smc.from_logit(new)
    mean = w @ z
    assert mean == pytest.approx([0.5, 0.5], abs=0.015)
    assert w @ (z - mean) ** 2 == pytest.approx([1 / 12, 1 / 12], abs=0.005)
    assert w @ (z < 0.25) == pytest.approx([0.25, 0.25], abs=0.015)


def test_nearest_keeps_the_smallest_first_ties_in_order_nan_last():
    d = np.array([0.5, np.nan, 0.2, 0.5, np.inf, 0.1])
    assert smc.nearest(d, 4).tolist() == [5, 2, 0, 3]
    assert smc.nearest(d, 6).tolist()[-2:] == [1, 4]


def test_nearest_ranks_lower_bounds_after_known_distances():
    d = np.array([2.05, 3.5, 2.01, 1.2])
    stopped = np.array([True, False, True, False])
    assert smc.nearest(d, 4, stopped).tolist() == [3, 1, 2, 0]


def test_journal_skips_a_record_cut_off_mid_write(tmp_path):
    journal = Journal(tmp_path / "evaluations.jsonl")
    journal.append({"index": 0, "x": 1.5, "d": float("inf")})
    journal.append({"index": 1, "x": np.float64(2.5), "d": float("nan")})
    with journal.path.open("a", encoding="utf-8") as f:
        f.write('{"index": 2, "x": 3')  # a crash mid-write
    again = Journal(journal.path)
    records = again.read()
    assert [r["index"] for r in records] == [0, 1]
    assert records[0]["d"] == math.inf and math.isnan(records[1]["d"])
    again.append({"index": 2, "x": 3.5})
    assert [r["x"] for r in Journal(journal.path).read()] == [1.5, 2.5, 3.5]


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ('{"garbage": 1}', "expected a JSON object with a whole-number 'index'"),
        ('{"index": "x"}', "expected a JSON object with a whole-number 'index'"),
        ("[1, 2]", "expected a JSON object with a whole-number 'index'"),
        ("not json", "found text that is not JSON"),
    ],
)
def test_a_whole_line_that_is_not_a_record_is_named(tmp_path, line, expected):
    journal = Journal(tmp_path / "evaluations.jsonl")
    journal.append({"index": 0, "x": 1.5})
    with journal.path.open("a", encoding="utf-8") as f:
        f.write(line + "\n")
    with pytest.raises(JournalError, match=f"evaluations.jsonl: line 2: .*{re.escape(expected)}"):
        Journal(journal.path).read()
