"""Named random streams with common random numbers.

Every random decision in a run draws from one named stream (departure, crossing, arrest,
broker choice, ...). All streams come from one :class:`numpy.random.SeedSequence`, so the
run's seed fixes every bit.

A migrant's draw for a decision depends only on (stream, migrant, step): it is a
counter-based hash of the stream's key, the migrant's own 64-bit key and the step, not the
next number from a sequential generator. Two scenarios run with the same seed therefore give
the same migrant the same draw for the same decision at the same step, and differ only where
their rules differ (common random numbers; Klein et al. 2024). A sequential numpy
``Generator`` cannot do this: the draw a migrant gets would depend on how many draws other
migrants made before it. The hash is the SplitMix64 finaliser applied twice: once to the
migrant's key with the run's key and the step, once more with the stream's key (64-bit
keys from the ``SeedSequence``, 53-bit uniforms).
"""

from __future__ import annotations

import numba
import numpy as np

#: The decisions that draw random numbers, in a fixed order (append only: inserting a name
#: would change every later stream's key and so every run's results).
STREAM_NAMES: tuple[str, ...] = (
    "departure_count",
    "migrant_attributes",
    "route_choice",
    "broker_choice",
    "broker_rank",
    "route_outcome",
    "hiding",
    "arrest",
    "trafficking",
    "settling",
    "exit_attempt",
    "sponsorship",
    "punishment",
    "release",
    "transit",
    "resettlement",
    "brokers",
    "travel_time",
    "word_of_mouth",
    "family_help",
    "ngo_help",
)

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_S30 = np.uint64(30)
_S27 = np.uint64(27)
_S31 = np.uint64(31)
_S11 = np.uint64(11)
_TO_UNIT = 1.0 / 9007199254740992.0  # 2**-53


@numba.njit(cache=True, inline="always")
def _mix(z: np.uint64) -> np.uint64:  # pragma: no cover - compiled
    """The SplitMix64 finaliser of one 64-bit integer (compiled; see :func:`mix64`)."""
    z ^= z >> _S30
    z *= _M1
    z ^= z >> _S27
    z *= _M2
    z ^= z >> _S31
    return z


@numba.njit(cache=True, nogil=True)
def _mix_all(z: np.ndarray) -> None:  # pragma: no cover - compiled
    for i in range(z.shape[0]):
        z[i] = _mix(z[i])


@numba.njit(cache=True, inline="always")
def salt_of(run_key: np.uint64, counter: int) -> np.uint64:  # pragma: no cover - compiled
    """``run_key + counter * golden`` mod 2**64 (``counter``: :meth:`Streams.counter`)."""
    return run_key + np.uint64(counter) * _GOLDEN


@numba.njit(cache=True, inline="always")
def _to_unit(z: np.uint64) -> float:  # pragma: no cover - compiled
    """The top 53 bits as a double in [0, 1) (below 2**53: exact as int64, then as a double)."""
    return np.int64(z >> _S11) * _TO_UNIT


@numba.njit(cache=True, inline="always")
def draw(key: np.uint64, salt: np.uint64, stream_key: np.uint64) -> float:  # pragma: no cover
    """One key's uniform draw in [0, 1), for compiled code that draws as it goes.

    ``unit(mix64(mix64(key ^ salt) ^ stream_key))``: with ``salt = salt_of(run key,
    Streams.counter(step, slot))`` and the stream's key (:attr:`Streams.run_key`,
    :meth:`Streams.key_of`), the draw :meth:`Streams.uniform` gives for that key.
    """
    return _to_unit(_mix(_mix(key ^ salt) ^ stream_key))


@numba.njit(cache=True, nogil=True)
def _base_hashes(
    keys: np.ndarray, run_key: np.uint64, counter: int, slots: np.ndarray, out: np.ndarray
) -> None:  # pragma: no cover - compiled
    """``out = mix64(keys ^ salt)``, the salt of ``counter + slot`` (one slot, or one per key)."""
    one = slots.shape[0] == 1
    for i in range(keys.shape[0]):
        out[i] = _mix(keys[i] ^ salt_of(run_key, counter + slots[0 if one else i]))


@numba.njit(cache=True, nogil=True)
def _uniforms(
    keys: np.ndarray,
    run_key: np.uint64,
    counter: int,
    slots: np.ndarray,
    stream_key: np.uint64,
    out: np.ndarray,
) -> None:  # pragma: no cover - compiled
    """``out = unit(mix64(mix64(keys ^ salt) ^ stream_key))``, salts as in ``_base_hashes``.

    ``out`` is ``(n_rows, len(keys))``; with one slot and several rows, row ``r`` uses slot
    ``slots[0] + r`` (:meth:`Streams.uniform_slots`).
    """
    n = keys.shape[0]
    one = slots.shape[0] == 1
    for r in range(out.shape[0]):
        for i in range(n):
            salt = salt_of(run_key, counter + r + slots[0 if one else i])
            out[r, i] = draw(keys[i], salt, stream_key)


@numba.njit(cache=True, nogil=True)
def _uniforms_from_base(
    base: np.ndarray, stream_key: np.uint64, out: np.ndarray
) -> None:  # pragma: no cover - compiled
    """``out = unit(mix64(base ^ stream_key))``."""
    for i in range(base.shape[0]):
        out[i] = _to_unit(_mix(base[i] ^ stream_key))


def mix64(z: np.ndarray) -> np.ndarray:
    """Scramble 64-bit integers with the SplitMix64 finaliser (in place).

    Args:
        z: Array of ``uint64``; it is modified and returned.

    Returns:
        The scrambled array: a bijection of the input, with good avalanche.
    """
    _mix_all(z)
    return z


#: The kernels' slots when one slot, folded into the counter, serves every key.
_NO_SLOT = np.zeros(1, dtype=np.int64)
_NO_SLOT.flags.writeable = False


class Streams:
    """The named random streams of one run.

    Args:
        seed: The run's seed (an int, or a ``SeedSequence``).

    Attributes:
        seed_sequence: The run's ``SeedSequence``; each stream's 64-bit key is drawn from
            its own spawned child, in :data:`STREAM_NAMES` order.
    """

    def __init__(self, seed: int | np.random.SeedSequence) -> None:
        self.seed_sequence = (
            seed if isinstance(seed, np.random.SeedSequence) else np.random.SeedSequence(seed)
        )
        # The run's own key first, then one child per stream in STREAM_NAMES order, so that
        # appending a stream name leaves every earlier stream's draws unchanged.
        run_child, *children = self.seed_sequence.spawn(len(STREAM_NAMES) + 1)
        self._run_key = np.uint64(run_child.generate_state(1, dtype=np.uint64)[0])
        self._keys: dict[str, np.uint64] = {
            name: np.uint64(child.generate_state(1, dtype=np.uint64)[0])
            for name, child in zip(STREAM_NAMES, children, strict=True)
        }

    @property
    def run_key(self) -> np.uint64:
        """The run's own 64-bit key (for compiled code that draws: see ``_uniforms``)."""
        return self._run_key

    def key_of(self, stream: str) -> np.uint64:
        """A stream's 64-bit key (for compiled code that draws: see ``_uniforms``)."""
        return self._keys[stream]

    @staticmethod
    def counter(step: int, slot: int = 0) -> np.int64:
        """The counter of a step's draws at ``slot``: ``step * 0x10001 + 1 + slot``.

        Its salt (:func:`salt_of` with :attr:`run_key`) and a stream's key make the draw of
        each key (:func:`draw`): compiled code that draws as it goes passes this, so that its
        draws are :meth:`uniform`'s.
        """
        return np.int64(step * 0x10001 + 1 + slot)

    @classmethod
    def _counter_and_slots(cls, step: int, slot: int | np.ndarray) -> tuple[int, np.ndarray]:
        """The kernels' ``counter`` and ``slots`` for a step and a slot (or one per key).

        A single slot is added to the counter and the slots are one zero (no array made).
        """
        if isinstance(slot, np.ndarray):
            return int(cls.counter(step)), slot.astype(np.int64, copy=False).reshape(-1)
        return int(cls.counter(step, int(slot))), _NO_SLOT

    def base(self, keys: np.ndarray, step: int, slot: int | np.ndarray = 0) -> np.ndarray:
        """The run's hash of (migrant, step, slot), shared by all streams.

        Draws for several decisions of the same migrants at the same step cost one hash
        for this plus one per decision (:meth:`from_base`) instead of two per decision.
        ``slot`` may be an array (one per key, each below 65,536): a migrant that makes the
        same decision several times in one step (one route after another) uses a different
        slot each time, so its draws are independent.
        """
        keys = np.asarray(keys, dtype=np.uint64)
        out = np.empty(len(keys), dtype=np.uint64)
        _base_hashes(keys, self._run_key, *self._counter_and_slots(step, slot), out)
        return out

    def from_base(self, stream: str, base: np.ndarray) -> np.ndarray:
        """Uniform draws in [0, 1) of one stream from :meth:`base` hashes."""
        out = np.empty(len(base))
        _uniforms_from_base(np.asarray(base, dtype=np.uint64), self._keys[stream], out)
        return out

    def uniform(
        self, stream: str, keys: np.ndarray, step: int, slot: int | np.ndarray = 0
    ) -> np.ndarray:
        """Uniform draws in [0, 1), one per key, for a decision at a step.

        Args:
            stream: Name of the stream (one of :data:`STREAM_NAMES`).
            keys: ``uint64`` keys of the migrants (or other units) that decide.
            step: The model step of the decision.
            slot: A small integer to tell apart several draws of one stream for the same
                key and step (for example the second of two decisions); or one per key.

        Returns:
            ``float64`` array of the same length as ``keys``; the same as
            ``from_base(stream, base(keys, step, slot))``.
        """
        keys = np.asarray(keys, dtype=np.uint64)
        out = np.empty((1, len(keys)))
        counter, slots = self._counter_and_slots(step, slot)
        _uniforms(keys, self._run_key, counter, slots, self._keys[stream], out)
        return out[0]

    def uniform_slots(self, stream: str, keys: np.ndarray, step: int, n_slots: int) -> np.ndarray:
        """Draws of slots ``0 .. n_slots - 1`` for every key, in one pass.

        Returns:
            ``(n_slots, len(keys))`` array whose row ``k`` is ``uniform(stream, keys, step, k)``.
        """
        keys = np.asarray(keys, dtype=np.uint64)
        out = np.empty((n_slots, len(keys)))
        _uniforms(keys, self._run_key, int(self.counter(step)), _NO_SLOT, self._keys[stream], out)
        return out

    def uniform_one(self, stream: str, key: int, step: int, slot: int = 0) -> float:
        """A single uniform draw for one key (see :meth:`uniform`)."""
        return float(self.uniform(stream, np.array([key], dtype=np.uint64), step, slot)[0])


def make_keys(step: int, group: int, count: int) -> np.ndarray:
    """Stable 64-bit identities for ``count`` new units created at a step.

    A migrant's key depends on when it was created, in which group (an origin, or the
    sponsored departures) and its rank among those created there and then, never on how many
    migrants exist, so that the k-th person leaving North Hamgyong in March 1997 is the same
    person in every scenario run with the same seed.

    Args:
        step: The step of creation.
        group: A small integer naming the group (< 4096).
        count: How many keys.

    Returns:
        ``uint64`` array of ``count`` keys.
    """
    return make_group_keys(step, np.array([group]), np.array([count]))


def make_group_keys(step: int, groups: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """:func:`make_keys` of several groups created at one step, concatenated, in one pass.

    Args:
        step: The step of creation.
        groups: Each group's number (< 4096).
        counts: How many keys each group gets.

    Returns:
        ``uint64`` keys: ``counts[0]`` of ``groups[0]``, then ``counts[1]`` of
        ``groups[1]``, ... (the same as concatenating ``make_keys`` per group).
    """
    counts = np.asarray(counts, dtype=np.int64)
    group_base = (np.uint64(step) << np.uint64(40)) | (
        np.asarray(groups, dtype=np.uint64) << np.uint64(28)
    )
    total = int(counts.sum())
    # Each key's rank within its group: its position minus where its group starts.
    starts = np.cumsum(counts) - counts
    rank = np.arange(total, dtype=np.int64) - np.repeat(starts, counts)
    z = np.repeat(group_base, counts) + rank.astype(np.uint64)
    return mix64(z)
