"""A probe of the migrant table's layout: one column per array, or a migrant's row together.

The model keeps each of a migrant's 31 values in its own array (columns). An event reads a
dozen of them for one migrant, each from a different array, so a step's events scatter their
reads over a dozen places in memory; passes over everyone on their way read one or two
columns densely. This probe times both patterns over 4.7 million rows (the table at 16 agents
a person) with 12 float32 values a row, kept as 12 arrays or as one row-major array:

    python benchmarks/layout_probe.py

and prints, for ascending ids making up 0.1% to 20% of the rows, the ns per migrant read.
It is a rough guide to what a change of layout could give (issue 19), not a model benchmark.
"""

from __future__ import annotations

import time

import numba
import numpy as np

ROWS = 4_700_000
VALUES = 12
SHARES = (0.001, 0.005, 0.02, 0.05, 0.2)


@numba.njit(cache=False)
def read_columns(ids, c0, c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11):  # pragma: no cover
    """Sum the 12 values of each migrant in ``ids``, one array per value."""
    total = 0.0
    for m in ids:
        total += c0[m] + c1[m] + c2[m] + c3[m] + c4[m] + c5[m]
        total += c6[m] + c7[m] + c8[m] + c9[m] + c10[m] + c11[m]
    return total


@numba.njit(cache=False)
def read_rows(ids, rows):  # pragma: no cover
    """Sum the 12 values of each migrant in ``ids``, a migrant's values side by side."""
    total = 0.0
    for m in ids:
        r = rows[m]
        total += r[0] + r[1] + r[2] + r[3] + r[4] + r[5]
        total += r[6] + r[7] + r[8] + r[9] + r[10] + r[11]
    return total


def best_ns(call, n: int, repeat: int = 7) -> float:
    """Fastest of ``repeat`` calls, in ns per migrant read."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return min(times) / n * 1e9


def main() -> None:
    rng = np.random.default_rng(1)
    columns = tuple(rng.random(ROWS).astype(np.float32) for _ in range(VALUES))
    rows = np.ascontiguousarray(np.stack(columns, axis=1))
    print("share of rows   ns a migrant: columns   rows")
    for share in SHARES:
        ids = np.sort(rng.choice(ROWS, int(ROWS * share), replace=False))
        assert np.isclose(read_columns(ids, *columns), read_rows(ids, rows), rtol=1e-6)
        by_column = best_ns(lambda ids=ids: read_columns(ids, *columns), len(ids))
        by_row = best_ns(lambda ids=ids: read_rows(ids, rows), len(ids))
        print(f"{share:>13.1%}   {by_column:>20.1f}   {by_row:>4.1f}")


if __name__ == "__main__":
    main()
