"""The unit of work of an ensemble: run one replicate and turn it into table rows.

:func:`run_replicate` is a top-level function with plain arguments (the resolved scenario
as a dict, the replicate number and its seed), so any executor can pickle it and send it to
a worker process or a cluster node. It returns the replicate's rows already written as CSV
text: the worker does the formatting (and, with tracing, the compression), the main process
only writes bytes, and every executor produces byte-identical files.
"""

from __future__ import annotations

import gzip
import time
from dataclasses import dataclass
from typing import Any

from nkroutes.ensemble.results import TABLE_FILES, run_tables
from nkroutes.model import simulate

#: gzip level of ``migrants.csv.gz`` parts (6: the usual size/speed trade-off).
GZIP_LEVEL = 6


@dataclass(frozen=True)
class ReplicateOutput:
    """What one replicate contributes to the results directory.

    Attributes:
        replicate: Replicate number (0-based).
        seed: The model seed it ran with.
        tables: Table name (see :data:`~nkroutes.ensemble.results.TABLE_FILES`) -> CSV text
            with a header line.
        migrants_header: With tracing, the header line of ``migrants.csv.gz``; else ``None``.
        migrants_gz: With tracing, the replicate's migrant rows (no header) as one gzip
            member; else ``None``.
        seconds: Time the worker spent, in seconds (simulation and formatting).
        cpu_seconds: CPU time of the worker process for the same, in seconds (less
            sensitive than ``seconds`` to other work on the machine).
    """

    replicate: int
    seed: int
    tables: dict[str, str]
    migrants_header: str | None = None
    migrants_gz: bytes | None = None
    seconds: float = 0.0
    cpu_seconds: float = 0.0


def run_replicate(
    scenario: dict[str, Any], replicate: int, seed: int, trace: bool = False
) -> ReplicateOutput:
    """Run one replicate of a scenario and format its rows.

    Args:
        scenario: The resolved scenario values (``Scenario.to_dict()``).
        replicate: Replicate number, written in every row.
        seed: The replicate's model seed (see :mod:`nkroutes.ensemble.seeds`).
        trace: Also produce one row per migrant (with the route path each took).

    Returns:
        The replicate's :class:`ReplicateOutput`.
    """
    start = time.perf_counter()
    cpu_start = time.process_time()
    run = simulate(scenario, seed=seed, trace=trace)
    frames = run_tables(replicate, run, scenario["places"])
    tables = {name: frames[name].to_csv(index=False, lineterminator="\n") for name in TABLE_FILES}
    header = body = None
    if trace:
        migrants = run.migrant_records()
        migrants.insert(0, "replicate", replicate)
        text = migrants.to_csv(index=False, lineterminator="\n")
        header, _, rows = text.partition("\n")
        body = gzip.compress(rows.encode("utf-8"), compresslevel=GZIP_LEVEL, mtime=0)
        header += "\n"
    return ReplicateOutput(
        replicate=replicate,
        seed=seed,
        tables=tables,
        migrants_header=header,
        migrants_gz=body,
        seconds=time.perf_counter() - start,
        cpu_seconds=time.process_time() - cpu_start,
    )
