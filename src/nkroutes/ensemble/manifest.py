"""The manifest of a results directory: what was run, with what, when and how.

``manifest.json`` lets anyone tell how a results directory came about and rerun it: the
nkroutes and dependency versions, the resolved scenario's hash, the seed, the number of
replicates, the executor, the command line, and the start, end and wall time of every
session (a run interrupted and resumed has two). Its keys are documented in
``docs/outputs.md``.
"""

from __future__ import annotations

import datetime as dt
import importlib.metadata
import platform
import socket
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, suppress
from typing import Any

#: Distributions whose versions are recorded (those that can change results or files).
RECORDED_PACKAGES: tuple[str, ...] = (
    "nkroutes",
    "mesa",
    "numpy",
    "pandas",
    "scipy",
    "networkx",
    "distributed",
)

#: The manifest format; bump when keys change meaning.
MANIFEST_VERSION = 1

#: How replicate seeds are derived, written into every manifest.
SEED_RULE = (
    "replicate k runs with int(numpy.random.SeedSequence(seed, spawn_key=(k,))"
    ".generate_state(1, numpy.uint64)[0] >> 1)"
)


def package_versions() -> dict[str, str | None]:
    """Installed versions of :data:`RECORDED_PACKAGES` (``None`` if not installed)."""
    versions: dict[str, str | None] = {"python": platform.python_version()}
    for name in RECORDED_PACKAGES:
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            versions[name] = None
    return versions


def now_iso() -> str:
    """The current local time with its UTC offset, to the second (ISO 8601)."""
    return dt.datetime.now().astimezone().isoformat(timespec="seconds")


def new_manifest(
    *,
    scenario_name: str,
    scenario_hash: str,
    scenario_source: str,
    seed: int,
    replicates: int,
    trace: bool,
) -> dict[str, Any]:
    """The manifest of a new run, before any session is recorded.

    Args:
        scenario_name: ``meta.name``.
        scenario_hash: SHA-256 of the resolved scenario (``Scenario.hash``).
        scenario_source: Where the scenario came from (file as given, or ``"<dict>"``).
        seed: The ensemble seed.
        replicates: Number of replicates.
        trace: Whether ``migrants.csv.gz`` is written.

    Returns:
        A JSON-ready dict with ``status`` ``"running"``.
    """
    return {
        "manifest_version": MANIFEST_VERSION,
        "status": "running",
        "scenario": {"name": scenario_name, "hash": scenario_hash, "source": scenario_source},
        "seed": seed,
        "replicates": replicates,
        "replicate_seeds": SEED_RULE,
        "trace": trace,
        "versions": package_versions(),
        "platform": platform.platform(),
        "started": None,
        "finished": None,
        "wall_time_s": 0.0,
        "sessions": [],
    }


def start_session(
    manifest: dict[str, Any],
    *,
    executor: str,
    workers: int | None,
    scheduler: str | None,
    command: str | None,
    replicates_to_run: int,
    seed: int | None = None,
) -> dict[str, Any]:
    """Record the start of a session (a first run or a resume) in ``manifest``.

    Args:
        manifest: The manifest, changed in place.
        executor: ``"local"``, ``"dask"`` or the class name of an executor passed in.
        workers: Worker processes (local), or ``None``.
        scheduler: The Dask scheduler address, or ``None``.
        command: The command line, or ``None`` when called from Python.
        replicates_to_run: Replicates this session is to run.
        seed: The ensemble seed (default: the manifest's).

    Returns:
        The session record (also appended to ``manifest["sessions"]``).
    """
    session = {
        "started": now_iso(),
        "finished": None,
        "wall_time_s": None,
        "executor": executor,
        "workers": workers,
        "scheduler": scheduler,
        "command": command or "python: nkroutes.run_ensemble(...)",
        "replicates_run": replicates_to_run,
        "replicates_done": 0,
        "replicates_done_list": "",
        "seed": manifest.get("seed") if seed is None else seed,
        "host": socket.gethostname(),
        "exit_status": "running",
        "versions": package_versions(),
    }
    manifest["sessions"].append(session)
    manifest["status"] = "running"
    if manifest["started"] is None:
        manifest["started"] = session["started"]
    # The top-level keys describe the latest session (for a quick look).
    manifest["executor"] = executor
    manifest["workers"] = workers
    manifest["scheduler"] = scheduler
    manifest["command"] = session["command"]
    return session


def replicate_ranges(replicates: Iterable[int]) -> str:
    """Replicate numbers as short ranges: ``"0-11, 14, 16-17"``."""
    ordered = sorted(set(replicates))
    parts: list[str] = []
    i = 0
    while i < len(ordered):
        j = i
        while j + 1 < len(ordered) and ordered[j + 1] == ordered[j] + 1:
            j += 1
        parts.append(str(ordered[i]) if i == j else f"{ordered[i]}-{ordered[j]}")
        i = j + 1
    return ", ".join(parts)


def end_session(
    manifest: dict[str, Any],
    session: dict[str, Any],
    seconds: float,
    status: str,
    done: Iterable[int],
) -> None:
    """Record how a session ended: what it actually ran, and how it stopped.

    Args:
        manifest: The manifest, changed in place (its ``status`` is left as it is).
        session: The record :func:`start_session` returned.
        seconds: The session's wall time in seconds.
        status: ``"complete"``, ``"failed: <reason>"`` or ``"interrupted"``.
        done: The replicates this session finished and saved.
    """
    done = list(done)
    session["finished"] = now_iso()
    session["wall_time_s"] = round(seconds, 3)
    session["replicates_done"] = len(done)
    session["replicates_done_list"] = replicate_ranges(done)
    session["exit_status"] = status


@contextmanager
def recorded_on_failure(
    manifest: dict[str, Any],
    session: dict[str, Any],
    started: float,
    done: list[int],
    write: Callable[[dict[str, Any]], None] | None,
) -> Iterator[None]:
    """On a failure or interruption inside the block, record how the session ended; re-raise.

    Args:
        manifest: The manifest, changed in place.
        session: The record :func:`start_session` returned.
        started: ``time.perf_counter()`` when the session started.
        done: The replicates finished so far (read when the block fails).
        write: Writes the manifest (``None``: nothing on disk). Best effort: a manifest
            that cannot be written (a full disk) must not hide the error.
    """
    try:
        yield
    except BaseException as error:
        if isinstance(error, KeyboardInterrupt | SystemExit):
            status = "interrupted"
        else:
            status = f"failed: {type(error).__name__}: {error}".splitlines()[0][:300]
        end_session(manifest, session, time.perf_counter() - started, status, done)
        if write is not None:
            with suppress(Exception):
                write(manifest)
        raise


def finish_session(
    manifest: dict[str, Any],
    session: dict[str, Any],
    seconds: float,
    done: Iterable[int] | None = None,
) -> None:
    """Record the end of a completed session in ``manifest`` (status ``"complete"``).

    Args:
        manifest: The manifest, changed in place.
        session: The record :func:`start_session` returned.
        seconds: The session's wall time in seconds.
        done: The replicates the session ran (default: none recorded).
    """
    end_session(manifest, session, seconds, "complete", done or ())
    manifest["finished"] = session["finished"]
    manifest["wall_time_s"] = round(
        sum(
            s["wall_time_s"] or 0.0
            for s in manifest["sessions"]
            if s.get("exit_status", "complete") == "complete"
        ),
        3,
    )
    manifest["status"] = "complete"
