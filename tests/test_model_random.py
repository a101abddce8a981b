"""Helpers of the model's random streams (model/random.py)."""

from __future__ import annotations

import numpy as np

from nkroutes.model.random import make_group_keys, make_keys


def _splitmix_finaliser(z: int) -> int:
    mask = (1 << 64) - 1
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & mask
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & mask
    return z ^ (z >> 31)


def test_group_keys_follow_step_group_and_rank() -> None:
    """Key of the i-th unit of group g created at step s: the finaliser of s<<40 | g<<28, + i."""

    step, groups, counts = 137, np.array([0, 5, 2048 + 3, 7]), np.array([3, 0, 2, 4])
    expected = [
        _splitmix_finaliser(((step << 40) | (g << 28)) + i)
        for g, n in zip(groups.tolist(), counts.tolist(), strict=True)
        for i in range(n)
    ]
    assert make_group_keys(step, groups, counts).tolist() == expected
    assert make_keys(step, 2048 + 3, 2).tolist() == expected[3:5]


def test_uniform_slots_row_k_is_the_draw_of_slot_k() -> None:
    from nkroutes.model.random import Streams

    streams = Streams(11)
    keys = make_keys(5, 3, 40)
    rows = streams.uniform_slots("hiding", keys, 9, 4)
    assert rows.shape == (4, 40)
    for k in range(4):
        assert rows[k].tolist() == streams.uniform("hiding", keys, 9, k).tolist()


def test_compiled_code_drawing_at_streams_counter_gets_uniforms_draws() -> None:
    """Kernels draw as they go with draw(key, salt_of(run_key, Streams.counter(step, slot)),
    key_of(stream)): the draws Streams.uniform gives for the same keys, step and slot."""
    import numba

    from nkroutes.model.random import Streams, draw, salt_of

    @numba.njit
    def draws(keys, run_key, counter, stream_key):
        salt = salt_of(run_key, counter)
        return np.array([draw(k, salt, stream_key) for k in keys])

    streams = Streams(6)
    keys = np.random.default_rng(1).integers(0, 2**63, 500, dtype=np.uint64)
    for step, slot in [(0, 0), (7, 0), (213, 3), (40, 77)]:
        counter = Streams.counter(step, slot)
        got = draws(keys, streams.run_key, counter, streams.key_of("arrest"))
        assert got.tolist() == streams.uniform("arrest", keys, step, slot).tolist()
    assert Streams.counter(3, 2) == 3 * 0x10001 + 3
