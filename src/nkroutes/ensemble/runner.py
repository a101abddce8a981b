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

from nkroutes.ensemble.errors import EnsembleRunError
from nkroutes.ensemble.executors import (
    FaultWatch,
    InProcessExecutor,
    default_workers,
    make_executor,
)
from nkroutes.ensemble.folders import (
    OutDirError,
    check_options,
    describe_os_error,
    write_csv,
)
from nkroutes.ensemble.lock import folder_lock
from nkroutes.ensemble.manifest import (
    finish_session,
    recorded_on_failure,
    start_session,
)
from nkroutes.ensemble.posterior import Posterior
from nkroutes.ensemble.prepare import (
    DEFAULT_REPLICATES,
    check_run_options,
    new_run_manifest,
    prepare_directory,
)
from nkroutes.ensemble.progress import progress_bar
from nkroutes.ensemble.results import TABLE_FILES, Results
from nkroutes.ensemble.rundir import DRAWS_FILE, RunDirectory, concatenate_csv_texts
from nkroutes.ensemble.seeds import replicate_seed
from nkroutes.ensemble.size_guard import check_replicate_size, largest_values
from nkroutes.ensemble.tasks import ReplicateOutput, run_replicate
from nkroutes.scenario import Scenario, load_scenario, scenario_from_dict

__all__ = ["DEFAULT_REPLICATES", "as_scenario", "run_ensemble"]

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
    posterior: str | os.PathLike[str] | Posterior | None = None,
    allow_large: bool = False,
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
        posterior: A calibration folder (``nkroutes calibrate --out``): replicate ``k`` takes
            the calibrated values of a set drawn by weight from its ``posterior.csv``
            (:mod:`nkroutes.ensemble.posterior`), so the replicates carry the calibration's
            uncertainty; ``posterior_draws.csv`` lists each replicate's set. A
            :class:`~nkroutes.ensemble.posterior.Posterior` already read is used as it is.
        allow_large: Run a scenario whose replicates are estimated above the size limits
            (:mod:`nkroutes.scenario.size`: 2,000,000 migrants or 10^10 migrant-steps), as
            ``--allow-large`` does on the command line. Without it such a scenario (or, with
            ``posterior``, any of its sets) is refused before anything runs.

    Returns:
        The ensemble's :class:`Results` (with ``directory`` set when ``out`` is given).

    Raises:
        ScenarioError: If the scenario is not valid.
        EnsembleSetupError: For bad options, a scenario above the size limits (without
            ``allow_large``), an unreachable cluster, or an ``out``
            directory that holds other results (without ``resume`` or ``force``) or results
            of another scenario, seed or tracing, or more replicates than asked for (with
            ``resume``).
        EnsembleRunError: If a replicate fails; finished replicates stay saved in ``out``.
        FolderBusyError: If another process is writing ``out`` (an ``EnsembleSetupError``).
        OSError: If a file cannot be written during the run (named in the error); finished
            replicates stay saved. Failing before the run, it is an ``OutDirError``.
    """
    the_scenario = as_scenario(scenario)
    replicates, seed = check_run_options(replicates, seed)
    check_options(None if out is None else Path(out), resume, force)
    if posterior is None:
        the_posterior, sets = None, [the_scenario.to_dict()]
    else:  # every set validated once, before anything runs
        the_posterior = posterior if isinstance(posterior, Posterior) else Posterior.load(posterior)
        sets = the_posterior.scenarios(the_scenario)
    if the_posterior is None:
        check_replicate_size(the_scenario, allow_large)
    else:  # at each calibrated value's largest over the sets
        sets_values = (the_posterior.values_of(r) for r in range(len(the_posterior.table)))
        label = f"{the_scenario.source} with the posterior of {the_posterior.folder}"
        check_replicate_size(the_scenario, allow_large, largest_values(sets_values), label)

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
            posterior=the_posterior,
            sets=sets,
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
    posterior: Posterior | None,
    sets: list[dict[str, Any]],
) -> Results:
    """Prepare the results directory, run the missing replicates on ``pool``, assemble.

    ``sets`` are the resolved values to run: the scenario's alone, or with a ``posterior``
    the scenario at each of its sets (replicate ``k`` runs the set it draws).
    """
    run_dir = RunDirectory(out) if out is not None else None
    if run_dir is not None:
        try:
            manifest = prepare_directory(
                run_dir, the_scenario, seed, replicates, trace, resume, force, posterior
            )
        except OSError as error:  # nothing has run: a setup error (exit 2)
            raise OutDirError(describe_os_error(error)) from None
        if manifest["status"] == "complete":
            return Results.load(run_dir.path)
        replicates = int(manifest["replicates"])
        done = run_dir.done_replicates()
    else:
        replicates = DEFAULT_REPLICATES if replicates is None else replicates
        manifest = new_run_manifest(the_scenario, seed, replicates, trace, posterior)
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
            (lambda k: sets[0])
            if posterior is None
            else (lambda k: sets[posterior.row_of(seed, k)]),
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

    draws = None if posterior is None else posterior.draws_table(seed, replicates)
    if run_dir is None:
        results = _results_in_memory(the_scenario, manifest, in_memory, trace)
        if draws is not None:
            results.extra["posterior_draws"] = draws
        return results
    if draws is not None:
        write_csv(run_dir.path / DRAWS_FILE, draws)
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


def _run_tasks(
    pool: Executor,
    scenario_of: Callable[[int], dict[str, Any]],
    seed: int,
    todo: list[int],
    trace: bool,
    keep: Callable[[ReplicateOutput], None],
    advance: Callable[[int], Any],
    max_pending: int,
    total: int | None = None,
) -> tuple[float, float]:
    """Submit the replicates (``k`` with the values ``scenario_of(k)``), keep each result.

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
            future = pool.submit(run_replicate, scenario_of(k), k, replicate_seed(seed, k), trace)
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
