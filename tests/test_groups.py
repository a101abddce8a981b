"""The distinct indices among a step's migrants (issue 19: counted, not hashed)."""

from __future__ import annotations

import numpy as np

from nkroutes.model.groups import present


def test_present_is_np_unique_for_indices() -> None:
    rng = np.random.default_rng(5)
    for size, n in [(1, 1), (40, 3), (40, 10_000), (300, 50)]:
        values = rng.integers(0, size, n).astype(np.int16)
        assert present(values, size) == np.unique(values).tolist()
    assert present(np.zeros(0, dtype=np.int16), 40) == []
