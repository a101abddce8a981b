"""The Morris ranking's stability: elementary effects per trajectory and the bootstrap over them."""

from __future__ import annotations

import numpy as np
import pytest
from SALib.analyze import morris as morris_analyze

from nkroutes.sensitivity.design import (
    TOP_PLACES,
    morris_effects,
    problem_of,
    sample,
    top_place_shares,
)


def test_the_effects_per_trajectory_average_to_salibs_mu_star() -> None:
    names = [f"x{i}" for i in range(7)]
    points = sample("morris", names, 6, seed=3)
    y = 3 * points[:, 0] - 2 * points[:, 1] ** 2 + np.sin(5 * points[:, 2]) * points[:, 3]
    effects = morris_effects(points, y)
    assert effects.shape == (6, 7)
    salib = morris_analyze.analyze(problem_of(names), points, y, num_levels=4, seed=1)
    np.testing.assert_allclose(effects.mean(axis=0), salib["mu_star"], rtol=1e-12)
    # A linear term's effect is its slope in every trajectory; unused values have none.
    np.testing.assert_allclose(effects[:, 0], 3.0)
    assert not effects[:, 4:].any()


def test_clear_leaders_hold_their_places_in_every_resample() -> None:
    effects = np.tile([9.0, 8.0, 7.0, 6.0, 5.0, 1.0, 0.5], (4, 1))
    shares, same = top_place_shares(effects, seed=1)
    np.testing.assert_array_equal(shares, [1, 1, 1, 1, 1, 0, 0])
    assert same == 1.0


def test_a_tie_for_the_last_place_shows_in_the_shares() -> None:
    # Two trajectories; the last two values swap the fifth place. Resampled with
    # replacement, both draws are trajectory A with chance 1/4, and only then is value 4
    # in the top five (mean 1 against 0); otherwise value 5 is (mean 2 or 1 against 0.5).
    a = [10.0, 10.0, 10.0, 10.0, 1.0, 0.0]
    b = [10.0, 10.0, 10.0, 10.0, 0.0, 2.0]
    shares, same = top_place_shares(np.array([a, b]), seed=5, resamples=4000)
    assert shares[:4].tolist() == [1, 1, 1, 1]
    # Binomial shares of 4,000 resamples: standard error 0.007; 0.03 is four of them.
    assert shares[4] == pytest.approx(0.25, abs=0.03)
    assert shares[5] == pytest.approx(0.75, abs=0.03)
    assert same == pytest.approx(0.75, abs=0.03)  # the design's own top five holds value 5
    assert shares.sum() == pytest.approx(TOP_PLACES)


def test_the_bootstrap_is_reproducible_and_depends_on_its_seed() -> None:
    rng = np.random.default_rng(0)
    effects = rng.exponential(size=(8, 12))
    first = top_place_shares(effects, seed=2)
    np.testing.assert_array_equal(first[0], top_place_shares(effects, seed=2)[0])
    assert not np.array_equal(first[0], top_place_shares(effects, seed=3)[0])
