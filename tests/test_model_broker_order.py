"""by_broker_then_rank (model/processes/brokers.py) gives exactly np.lexsort's order.

Hiring sorts the candidates of a round by the broker they asked, then by their own rank draw.
The one-key sort must give the same order as ``np.lexsort((u, broker))`` in every case, so
that runs keep the same bits: few or many brokers (the key then keeps fewer of the draw's
bits), draws that are equal or agree in their leading bits (it falls back to lexsort).
"""

from __future__ import annotations

import numpy as np
import pytest

from nkroutes.model.processes.brokers import by_broker_then_rank


def _draws(rng: np.random.Generator, n: int) -> np.ndarray:
    """Multiples of 2**-53 in [0, 1), as Streams.uniform gives."""
    return rng.integers(0, 2**53, n).astype(np.float64) * 2.0**-53


@pytest.mark.parametrize("brokers", [1, 7, 2048, 2049, 1_500_000, 2**40])
def test_the_order_is_lexsorts(brokers: int) -> None:
    rng = np.random.default_rng(brokers)
    n = 20_000
    broker = rng.integers(0, brokers, n)
    u = _draws(rng, n)
    assert np.array_equal(by_broker_then_rank(broker, u), np.lexsort((u, broker)))


def test_equal_and_nearly_equal_draws_keep_lexsorts_order() -> None:
    rng = np.random.default_rng(5)
    broker = rng.integers(0, 3_000_000, 1_000)  # 22 bits: the key keeps 42 of the draw's 53
    u = _draws(rng, 1_000)
    u[10:20] = u[0]  # equal draws: lexsort keeps them in their positions' order
    broker[10:20] = broker[0]
    u[30] = u[40] + 2.0**-53  # differ only in a bit the key drops
    broker[30] = broker[40]
    assert np.array_equal(by_broker_then_rank(broker, u), np.lexsort((u, broker)))


def test_no_and_one_candidate() -> None:
    empty = np.array([], dtype=np.int64)
    assert by_broker_then_rank(empty, np.array([])).tolist() == []
    assert by_broker_then_rank(np.array([4]), np.array([0.5])).tolist() == [0]
