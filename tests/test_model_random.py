"""Helpers of the model's random streams (model/random.py)."""

from __future__ import annotations

import numpy as np

from nkroutes.model.random import smallest


def test_smallest_is_the_set_argpartition_finds() -> None:
    rng = np.random.default_rng(3)
    for n, count in [(1, 1), (10, 3), (1000, 1), (100_000, 3), (100_000, 5_000), (50, 50)]:
        values = rng.random(n)
        expected = set(np.argpartition(values, count - 1)[:count].tolist())
        got = smallest(values, count)
        assert len(got) == count
        assert set(got.tolist()) == expected
