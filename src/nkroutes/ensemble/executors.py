"""Where replicates run: in this process, in a local process pool, or on a Dask cluster.

Every ensemble submits its tasks to a :class:`concurrent.futures.Executor`, so the same
code runs on one core, on all cores of a laptop and on a cluster. Tasks must be picklable
top-level functions (``import mesa`` makes worker processes start with "spawn"), and their
results depend only on their arguments, never on the executor.

Example:
    >>> from nkroutes.ensemble.executors import make_executor
    >>> with make_executor("local", workers=2) as pool:
    ...     squares = list(pool.map(abs, [-1, -2]))
"""

from __future__ import annotations

import multiprocessing
import os
import re
import signal
import socket
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from contextlib import contextmanager
from typing import Any, TypeVar

from nkroutes.ensemble.errors import EnsembleSetupError

#: The executor kinds ``make_executor`` accepts.
EXECUTOR_KINDS: tuple[str, ...] = ("local", "dask")

#: Seconds to wait for a Dask scheduler to answer before giving up.
DASK_CONNECT_TIMEOUT_S = 10.0

#: Seconds between a local worker's checks that the process that started it is alive.
PARENT_CHECK_INTERVAL_S = 1.0

_T = TypeVar("_T")


class InProcessExecutor(Executor):
    """Runs each task at once, in the calling process (one worker, no pickling).

    Used for ``workers=1``: no start-up cost, and tracebacks and debuggers work as usual.
    A task's exception is stored in its future, as with any executor; ``KeyboardInterrupt``
    is not caught, so Ctrl-C stops the ensemble.
    """

    def __init__(self) -> None:
        self._shutdown = False

    def submit(self, fn: Callable[..., _T], /, *args: Any, **kwargs: Any) -> Future[_T]:
        """Run ``fn(*args, **kwargs)`` now and return its finished future."""
        if self._shutdown:
            raise RuntimeError("cannot schedule new futures after shutdown")
        future: Future[_T] = Future()
        future.set_running_or_notify_cancel()
        try:
            result = fn(*args, **kwargs)
        except Exception as exc:
            future.set_exception(exc)
        else:
            future.set_result(result)
        return future

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        """Refuse further tasks (there is nothing running to wait for)."""
        self._shutdown = True


def default_workers() -> int:
    """The number of worker processes used when none is given: every usable core."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


@contextmanager
def make_executor(
    kind: str = "local",
    workers: int | None = None,
    scheduler: str | None = None,
) -> Iterator[Executor]:
    """An executor for ensemble tasks, shut down when the ``with`` block ends.

    Args:
        kind: ``"local"`` for processes on this machine, ``"dask"`` for an existing Dask
            cluster (needs the ``nkroutes[dask]`` extra, i.e. the ``distributed`` package).
        workers: Local worker processes; ``None`` uses every core, ``1`` runs tasks
            serially in this process. Ignored for Dask (the cluster has its own workers).
        scheduler: The Dask scheduler's address, e.g. ``"tcp://10.0.0.5:8786"``
            (required for ``"dask"``, not allowed for ``"local"``).

    Yields:
        A :class:`concurrent.futures.Executor`. On leaving the block, pending tasks are
        cancelled if the block raised (for example on Ctrl-C), else waited for.

    Raises:
        EnsembleSetupError: For an unknown kind, a bad worker count, a missing or
            unexpected scheduler address, ``distributed`` not installed, or a scheduler
            that cannot be reached.
    """
    if kind not in EXECUTOR_KINDS:
        raise EnsembleSetupError(
            f"executor: found '{kind}', expected one of {', '.join(EXECUTOR_KINDS)}"
        )
    if workers is not None and workers < 1:
        raise EnsembleSetupError(f"workers: found {workers}, expected a whole number >= 1")
    if kind == "local":
        if scheduler is not None:
            raise EnsembleSetupError(
                "scheduler: a scheduler address is only used with the 'dask' executor"
            )
        with _local_executor(workers or default_workers()) as executor:
            yield executor
    else:
        with _dask_executor(scheduler) as executor:
            yield executor


def _start_worker() -> None:
    """Worker start-up: leave Ctrl-C to the main process, and end with it.

    A terminal sends SIGINT to every process of the command; workers that died of it would
    break the pool before the main process could save what is finished and say how to
    resume. And a worker whose main process is gone (killed on its own, even with SIGKILL)
    would otherwise wait for work for ever, holding its memory: a thread checks every
    :data:`PARENT_CHECK_INTERVAL_S` seconds and ends the worker when it has been orphaned.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(
        target=_exit_when_orphaned,
        args=(os.getppid(), PARENT_CHECK_INTERVAL_S),
        name="nkroutes-parent-watch",
        daemon=True,
    ).start()


def _exit_when_orphaned(parent: int, interval_s: float) -> None:
    """End this process as soon as its parent is no longer ``parent``."""
    while os.getppid() == parent:
        time.sleep(interval_s)
    os._exit(1)


@contextmanager
def _local_executor(workers: int) -> Iterator[Executor]:
    executor: Executor
    if workers == 1:
        executor = InProcessExecutor()
    else:
        # "spawn" everywhere: the start method ``import mesa`` forces, made explicit so
        # that runs behave the same whether or not mesa was imported first.
        context = multiprocessing.get_context("spawn")
        executor = ProcessPoolExecutor(
            max_workers=workers, mp_context=context, initializer=_start_worker
        )
    try:
        yield executor
    except BaseException:
        executor.shutdown(wait=True, cancel_futures=True)
        raise
    else:
        executor.shutdown(wait=True)


def _check_reachable(scheduler: str) -> None:
    """Fail fast when nothing listens at a ``tcp://HOST:PORT`` address."""
    match = re.fullmatch(r"tcp://\[?([^\]]+?)\]?:(\d+)", scheduler)
    if match is None:
        return  # other protocols: let distributed try
    host, port = match.group(1), int(match.group(2))
    try:
        with socket.create_connection((host, port), timeout=DASK_CONNECT_TIMEOUT_S):
            pass
    except OSError as exc:
        raise EnsembleSetupError(
            f"scheduler: cannot reach the Dask scheduler at {scheduler} ({exc.strerror or exc})"
        ) from None


@contextmanager
def _dask_executor(scheduler: str | None) -> Iterator[Executor]:
    if not scheduler:
        raise EnsembleSetupError(
            "scheduler: the 'dask' executor needs the scheduler's address, "
            "e.g. --scheduler tcp://HOST:8786"
        )
    try:
        import distributed
    except ImportError:
        raise EnsembleSetupError(
            "executor 'dask': the 'distributed' package is not installed; "
            "install it with: pip install 'nkroutes[dask]'"
        ) from None
    _check_reachable(scheduler)
    try:
        client = distributed.Client(scheduler, timeout=DASK_CONNECT_TIMEOUT_S, set_as_default=False)
    except (OSError, TimeoutError, ValueError) as exc:
        raise EnsembleSetupError(
            f"scheduler: cannot reach the Dask scheduler at {scheduler} "
            f"within {DASK_CONNECT_TIMEOUT_S:g} s ({type(exc).__name__}: {exc})"
        ) from None
    try:
        # pure=False: every replicate is its own task, even with identical arguments.
        executor = client.get_executor(pure=False)
        try:
            yield executor
        except BaseException:
            executor.shutdown(wait=False)
            raise
        else:
            executor.shutdown(wait=True)
    finally:
        client.close()
