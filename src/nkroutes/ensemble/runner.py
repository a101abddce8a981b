"""Run an ensemble: many replicates of one scenario, on any executor, resumable on disk.

:func:`run_ensemble` is what ``nkroutes run`` does, as a function: it runs replicates
``0 .. replicates - 1`` of a scenario (replicate ``k`` with the seed
:func:`~nkroutes.ensemble.seeds.replicate_seed` ``(seed, k)``), saves each one as soon as
it finishes, assembles the tables and returns them as :class:`Results`.

Example:
    >>> from nkroutes import load_scenario, run_ensemble
    >>> results = run_ensemble(load_scenario("scenarios/baseline.toml"), replicates=4, seed=7)
    >>> results.summary["arrivals"].median()  # doctest: +SKIP
"""

from __future__ import annotations

import gzip
import io
import os
import time
from collections.abc import Callable, Mapping
from concurrent.futures import FIRST_COMPLETED, Executor, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from contextlib import nullcontext
from pathlib import Path
from typing import Any

import pandas as pd

from nkroutes.ensemble.errors import EnsembleRunError, EnsembleSetupError
from nkroutes.ensemble.executors import (
    FaultWatch,
    InProcessExecutor,
    default_workers,
    make_executor,
)
from nkroutes.ensemble.folders import (
    OutDirError,
    check_options,
    check_out_dir,
    describe_os_error,
)
from nkroutes.ensemble.lock import folder_lock
from nkroutes.ensemble.manifest import (
    finish_session,
    new_manifest,
    recorded_on_failure,
    start_session,
)
from nkroutes.ensemble.progress import progress_bar
from nkroutes.ensemble.results import TABLE_FILES, Results
from nkroutes.ensemble.rundir import (
    MANIFEST_FILE,
    SCENARIO_FILE,
    RunDirectory,
    concatenate_csv_texts,
)
from nkroutes.ensemble.seeds import check_seed, replicate_seed
from nkroutes.ensemble.tasks import ReplicateOutput, run_replicate
from nkroutes.scenario import Scenario, load_scenario, scenario_from_dict

#: Replicates when none are asked for: enough for a first look at medians and a rough
#: 90% interval in about a minute on a laptop (use 200 or more for a comparison).
DEFAULT_REPLICATES = 20

#: Tasks kept submitted per worker, so workers never wait while results are being saved.
PENDING_PER_WORKER = 2

#: Tasks kept submitted on an executor of unknown size (a Dask cluster, one passed in).
PENDING_UNKNOWN = 256

#: Seconds between checks of the executor while no replicate finishes (see ``fault_watch``).
WATCH_INTERVAL_S = 1.0


def as_scenario(scenario: Scenario | Mapping[str, Any] | str | os.PathLike[str]) -> Scenario:
    """A validated :class:`Scenario` from a scenario, a file path or a dict of values.

    Raises:
        ScenarioError: If a file or dict is not a valid scenario.
        TypeError: For anything else.
    """
    if isinstance(scenario, Scenario):
        return scenario
    if isinstance(scenario, str | os.PathLike):
        return load_scenario(scenario)
    if isinstance(scenario, Mapping):
        return scenario_from_dict(scenario)
    raise TypeError(f"scenario: found {type(scenario).__name__}, expected a Scenario, path or dict")


def run_ensemble(
    scenario: Scenario | Mapping[str, Any] | str | os.PathLike[str],
    replicates: int | None = None,
    seed: int = 0,
    executor: str | Executor = "local",
    workers: int | None = None,
    scheduler: str | None = None,
    out: str | os.PathLike[str] | None = None,
    resume: bool = False,
    force: bool = False,
    trace: bool = False,
    progress: bool | str = False,
    command: str | None = None,
    max_pending: int | None = None,
) -> Results:
    """Run replicates of a scenario and return (and optionally save) their tables.

    Replicate ``k`` always runs with the same seed for the same ``seed``, so its rows depend
    only on the scenario and ``(seed, k)``: not on the executor, the number of workers, the
    number of replicates or whether the run was interrupted and resumed.

    Args:
        scenario: A :class:`~nkroutes.scenario.Scenario`, a scenario file, or a dict of
            scenario values (validated first).
        replicates: Number of replicates (``>= 1``). ``None`` (the default): with
            ``resume``, the number the run in ``out`` was started with; otherwise
            :data:`DEFAULT_REPLICATES` (20). With ``resume`` a larger number extends an
            unfinished run; a smaller one is refused (finished replicates are never
            dropped), and so is a number other than a complete run's own.
        seed: The ensemble seed (a whole number ``>= 0``).
        executor: ``"local"`` (processes on this machine), ``"dask"`` (a Dask cluster at
            ``scheduler``), or a :class:`concurrent.futures.Executor` you manage.
        workers: Local worker processes (default: every core; ``1`` runs in this process).
        scheduler: Dask scheduler address such as ``"tcp://10.0.0.5:8786"``.
        out: Results directory to write (see ``docs/outputs.md``); ``None`` keeps
            everything in memory and writes nothing.
        resume: With ``out``: complete an interrupted run there (same scenario, seed and
            tracing), running only the replicates it lacks.
        force: With ``out``: delete the results already there and start over.
        trace: Also produce one row per migrant (``migrants.csv.gz``; in memory as
            ``results.extra["migrants"]``). Large: about 20 MB per replicate.
        progress: Show progress on standard error: ``True`` a bar, ``"lines"`` a line
            every few seconds (for logs), ``False`` nothing.
        command: The command line to record in the manifest (the CLI passes it).
        max_pending: Tasks kept submitted at once (default: 2 per local worker, else 256).

    Returns:
        The ensemble's :class:`Results` (with ``directory`` set when ``out`` is given).

    Raises:
        ScenarioError: If the scenario is not valid.
        EnsembleSetupError: For bad options, an unreachable cluster, or an ``out``
            directory that holds other results (without ``resume`` or ``force``) or results
            of another scenario, seed or tracing, or more replicates than asked for (with
            ``resume``).
        EnsembleRunError: If a replicate fails; finished replicates stay saved in ``out``.
        FolderBusyError: If another process is writing ``out`` (an ``EnsembleSetupError``).
        OSError: If a file cannot be written during the run (named in the error); finished
            replicates stay saved. Failing before the run, it is an ``OutDirError``.
    """
    the_scenario = as_scenario(scenario)
    if replicates is not None and (
        isinstance(replicates, bool) or not isinstance(replicates, int) or replicates < 1
    ):
        raise EnsembleSetupError(f"replicates: found {replicates!r}, expected a whole number >= 1")
    try:
        seed = check_seed(seed)
    except ValueError as exc:
        raise EnsembleSetupError(str(exc)) from None
    check_options(None if out is None else Path(out), resume, force)

    # The executor first: an unreachable cluster is reported before anything is written
    # (local worker processes only start with the first task).
    context = (
        make_executor(executor, workers, scheduler)
        if isinstance(executor, str)
        else nullcontext(executor)
    )
    lock = nullcontext() if out is None else folder_lock(out, command)
    with context as pool, lock:
        return _run_on(
            pool,
            the_scenario,
            replicates=replicates,
            seed=seed,
            kind=executor_kind(executor),
            workers=workers,
            scheduler=scheduler,
            out=out,
            resume=resume,
            force=force,
            trace=trace,
            progress=progress,
            command=command,
            max_pending=max_pending,
        )


def _run_on(
    pool: Executor,
    the_scenario: Scenario,
    *,
    replicates: int | None,
    seed: int,
    kind: str,
    workers: int | None,
    scheduler: str | None,
    out: str | os.PathLike[str] | None,
    resume: bool,
    force: bool,
    trace: bool,
    progress: bool | str,
    command: str | None,
    max_pending: int | None,
) -> Results:
    """Prepare the results directory, run the missing replicates on ``pool``, assemble."""
    run_dir = RunDirectory(out) if out is not None else None
    if run_dir is not None:
        try:
            manifest = _prepare_directory(
                run_dir, the_scenario, seed, replicates, trace, resume, force
            )
        except OSError as error:  # nothing has run: a setup error (exit 2)
            raise OutDirError(describe_os_error(error)) from None
        if manifest["status"] == "complete":
            return Results.load(run_dir.path)
        replicates = int(manifest["replicates"])
        done = run_dir.done_replicates()
    else:
        replicates = DEFAULT_REPLICATES if replicates is None else replicates
        manifest = _new_manifest(the_scenario, seed, replicates, trace)
        done = set()
    todo = [k for k in range(replicates) if k not in done]
    local_workers = (workers or default_workers()) if kind == "local" else None
    session = start_session(
        manifest,
        executor=kind,
        workers=local_workers,
        scheduler=scheduler,
        command=command,
        replicates_to_run=len(todo),
        seed=seed,
    )
    if run_dir is not None:
        try:
            run_dir.write_manifest(manifest)
        except OSError as error:
            raise OutDirError(describe_os_error(error)) from None

    in_memory: dict[int, ReplicateOutput] = {}
    session_done: list[int] = []

    def keep(output: ReplicateOutput) -> None:
        if run_dir is not None:
            run_dir.write_part(output)
        else:
            in_memory[output.replicate] = output
        session_done.append(output.replicate)

    if max_pending is None:
        max_pending = PENDING_PER_WORKER * local_workers if local_workers else PENDING_UNKNOWN
    started = time.perf_counter()
    with (
        recorded_on_failure(
            manifest, session, started, session_done, run_dir.write_manifest if run_dir else None
        ),
        progress_bar(replicates, len(done), the_scenario.name, progress) as bar,
    ):
        worker_seconds, worker_cpu_seconds = _run_tasks(
            pool,
            the_scenario.to_dict(),
            seed,
            todo,
            trace,
            keep,
            bar.update,
            max_pending,
            total=replicates,
        )
    session["worker_seconds"] = round(worker_seconds, 3)
    session["worker_cpu_seconds"] = round(worker_cpu_seconds, 3)
    finish_session(manifest, session, time.perf_counter() - started, session_done)

    if run_dir is None:
        return _results_in_memory(the_scenario, manifest, in_memory, trace)
    run_dir.assemble(range(replicates), trace)
    run_dir.write_manifest(manifest)
    run_dir.remove_parts()
    return Results.load(run_dir.path)


def executor_kind(executor: str | Executor) -> str:
    """How an executor is recorded: ``"local"``, ``"dask"`` or the class name of another."""
    if isinstance(executor, str):
        return executor
    if isinstance(executor, InProcessExecutor | ProcessPoolExecutor):
        return "local"
    if type(executor).__module__.startswith("distributed"):
        return "dask"
    return type(executor).__name__


def _new_manifest(scenario: Scenario, seed: int, replicates: int, trace: bool) -> dict[str, Any]:
    return new_manifest(
        scenario_name=scenario.name,
        scenario_hash=scenario.hash,
        scenario_source=scenario.source,
        seed=seed,
        replicates=replicates,
        trace=trace,
    )


def _prepare_directory(
    run_dir: RunDirectory,
    scenario: Scenario,
    seed: int,
    replicates: int | None,
    trace: bool,
    resume: bool,
    force: bool,
) -> dict[str, Any]:
    """Check the results directory against the request; return the manifest to continue.

    The manifest's ``replicates`` is the number to run: ``replicates``, or for a resumed
    run without one, the number it was started with.
    """
    path = run_dir.path
    count = DEFAULT_REPLICATES if replicates is None else replicates
    occupied = check_out_dir(path, resume=resume, force=force, what="run")
    if force and path.exists():
        run_dir.clear()
    elif occupied:
        manifest = run_dir.read_manifest()
        if manifest is None and run_dir.holds_only_run_files():
            # Killed before its manifest was written: nothing to keep, start afresh.
            run_dir.clear()
            return _start_directory(run_dir, scenario, seed, count, trace)
        if manifest is None:
            raise EnsembleSetupError(
                f"{path}: is not an nkroutes results directory (no {MANIFEST_FILE}); "
                "choose another output directory"
            )
        _check_same_run(path, manifest, scenario, seed, trace)
        recorded = _recorded_replicates(path, manifest)
        if manifest.get("status") == "complete":
            if replicates is not None and replicates != recorded:
                raise EnsembleSetupError(
                    f"{path}: holds a complete run of {recorded} replicates, not {replicates}; "
                    "start a new run (another output directory, or --force)"
                )
            return manifest
        if replicates is not None and replicates < recorded:
            raise EnsembleSetupError(
                f"{path}: holds an unfinished run of {recorded} replicates, more than the "
                f"{replicates} asked for; resume it without -n (or with -n {recorded} or more), "
                f"or pass --force to start over with {replicates}"
            )
        run_dir.clean_temporaries()
        run_dir.create()
        if not (path / SCENARIO_FILE).is_file():
            run_dir.write_scenario(scenario.to_toml())
        manifest["replicates"] = recorded if replicates is None else replicates
        return manifest
    return _start_directory(run_dir, scenario, seed, count, trace)


def _recorded_replicates(path: Path, manifest: dict[str, Any]) -> int:
    """The number of replicates a manifest records (refused if it is not a whole number)."""
    recorded = manifest.get("replicates")
    if isinstance(recorded, bool) or not isinstance(recorded, int) or recorded < 1:
        raise EnsembleSetupError(
            f"{path / MANIFEST_FILE}: replicates: found {recorded!r}, expected a whole "
            "number >= 1; start a new run (another output directory, or --force)"
        )
    return recorded


def _start_directory(
    run_dir: RunDirectory, scenario: Scenario, seed: int, replicates: int, trace: bool
) -> dict[str, Any]:
    """Create a new results directory: the scenario, then the manifest, then parts/."""
    manifest = _new_manifest(scenario, seed, replicates, trace)
    run_dir.path.mkdir(parents=True, exist_ok=True)
    run_dir.write_scenario(scenario.to_toml())
    run_dir.write_manifest(manifest)
    run_dir.create()
    return manifest


def _check_same_run(
    path: Path, manifest: dict[str, Any], scenario: Scenario, seed: int, trace: bool
) -> None:
    recorded = manifest.get("scenario", {})
    if recorded.get("hash") != scenario.hash:
        raise EnsembleSetupError(
            f"{path}: holds results of scenario '{recorded.get('name')}' "
            f"(sha256 {str(recorded.get('hash'))[:12]}), but the scenario now resolves to "
            f"'{scenario.name}' (sha256 {scenario.hash[:12]}); resume needs the same file and "
            "--set values. Use --force to start over, or another output directory"
        )
    if manifest.get("seed") != seed:
        raise EnsembleSetupError(
            f"{path}: was run with seed {manifest.get('seed')}, not {seed}; resume with "
            f"--seed {manifest.get('seed')}"
        )
    if bool(manifest.get("trace")) != trace:
        was = "with" if manifest.get("trace") else "without"
        raise EnsembleSetupError(f"{path}: was run {was} --trace; resume it the same way")


def _run_tasks(
    pool: Executor,
    scenario: dict[str, Any],
    seed: int,
    todo: list[int],
    trace: bool,
    keep: Callable[[ReplicateOutput], None],
    advance: Callable[[int], Any],
    max_pending: int,
    total: int | None = None,
) -> tuple[float, float]:
    """Submit the replicates, keep each result as it arrives.

    While nothing finishes, the executor is checked every :data:`WATCH_INTERVAL_S` seconds
    (``fault_watch``): a cluster without workers or scheduler for ``fault_timeout()``
    seconds ends the run with an :class:`EnsembleRunError` saying what is done.

    Returns:
        Wall and CPU seconds spent inside the tasks, summed over replicates.
    """
    pending: dict[Future[ReplicateOutput], int] = {}
    queue = iter(todo)
    worker_seconds = worker_cpu_seconds = 0.0
    faults = FaultWatch(pool)
    kept = 0

    def submit_more() -> None:
        while len(pending) < max(1, max_pending):
            k = next(queue, None)
            if k is None:
                return
            future = pool.submit(run_replicate, scenario, k, replicate_seed(seed, k), trace)
            pending[future] = k

    try:
        submit_more()
        while pending:
            finished, _ = wait(pending, timeout=WATCH_INTERVAL_S, return_when=FIRST_COMPLETED)
            fault = faults.lasting(idle=not finished)
            if fault is not None:
                k = min(pending.values())
                done = f"{(total or 0) - len(todo) + kept}" + (f" of {total}" if total else "")
                raise EnsembleRunError(
                    f"{fault}; stopped with {done} replicates done", k, replicate_seed(seed, k)
                )
            for future in sorted(finished, key=pending.__getitem__):
                k = pending.pop(future)
                try:
                    output = future.result()
                except BrokenProcessPool as exc:
                    raise EnsembleRunError(
                        f"replicate {k}: a worker process died (killed, or out of memory?); "
                        "finished replicates are saved; complete the run with --resume",
                        k,
                        replicate_seed(seed, k),
                    ) from exc
                except Exception as exc:
                    raise EnsembleRunError(
                        f"replicate {k} (model seed {replicate_seed(seed, k)}) failed: "
                        f"{type(exc).__name__}: {exc}",
                        k,
                        replicate_seed(seed, k),
                    ) from exc
                keep(output)
                kept += 1
                worker_seconds += output.seconds
                worker_cpu_seconds += output.cpu_seconds
                advance(1)
            submit_more()
    finally:
        for future in pending:
            future.cancel()
    return worker_seconds, worker_cpu_seconds


def _results_in_memory(
    scenario: Scenario,
    manifest: dict[str, Any],
    outputs: dict[int, ReplicateOutput],
    trace: bool,
) -> Results:
    """The tables parsed from the replicates' CSV text, exactly as if read from files."""
    order = sorted(outputs)
    tables = {
        name: pd.read_csv(
            io.StringIO(concatenate_csv_texts(outputs[k].tables[name] for k in order))
        )
        for name in TABLE_FILES
    }
    results = Results(scenario=scenario.to_dict(), manifest=manifest, **tables)
    if trace:
        header = outputs[order[0]].migrants_header or ""
        body = b"".join(gzip.decompress(outputs[k].migrants_gz or b"") for k in order)
        results.extra["migrants"] = pd.read_csv(io.BytesIO(header.encode("utf-8") + body))
    return results
