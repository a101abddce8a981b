"""Distinct values among a step's migrants (issue 19: counted or sorted, not hashed)."""

from __future__ import annotations

import numpy as np

from nkroutes.model.groups import distinct, present


def test_present_is_np_unique_for_indices() -> None:
    rng = np.random.default_rng(5)
    for size, n in [(1, 1), (40, 3), (40, 10_000), (300, 50)]:
        values = rng.integers(0, size, n).astype(np.int16)
        assert present(values, size) == np.unique(values).tolist()
    assert present(np.zeros(0, dtype=np.int16), 40) == []


def test_distinct_is_np_unique() -> None:
    rng = np.random.default_rng(6)
    for n in [0, 1, 2, 5, 1000]:
        ids = rng.integers(0, 300, n)
        got = distinct(ids)
        np.testing.assert_array_equal(got, np.unique(ids))
        assert got.dtype == ids.dtype
