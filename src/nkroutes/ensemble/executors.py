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
from contextlib import contextmanager, suppress
from typing import Any, TypeVar

from nkroutes.ensemble.errors import EnsembleSetupError, caused_by_interrupt

#: The executor kinds ``make_executor`` accepts.
EXECUTOR_KINDS: tuple[str, ...] = ("local", "dask")

#: Seconds to wait for a Dask scheduler to answer before giving up.
DASK_CONNECT_TIMEOUT_S = 10.0

#: Seconds a Dask cluster may go without a worker, or the client without its scheduler,
#: before an ensemble stops with what is done and how to resume (exit 1 on the command
#: line). Change it with the Dask configuration key ``nkroutes.fault-timeout`` (e.g. the
#: environment variable ``DASK_NKROUTES__FAULT_TIMEOUT=20``).
DASK_FAULT_TIMEOUT_S = 60.0

#: Protocols a Dask scheduler address may use (``inproc`` is a cluster in this process).
DASK_PROTOCOLS: tuple[str, ...] = ("tcp", "tls", "ws", "wss", "ucx", "inproc")

#: ``HOST:PORT`` of a scheduler address (``[v6]:PORT`` for IPv6).
_HOST_PORT = re.compile(r"(\[[0-9A-Fa-f:.]+\]|[^\s:/\[\]]+):\d{1,5}")

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
            if caused_by_interrupt(exc):  # Ctrl-C in compiled code: stop, not fail
                raise KeyboardInterrupt from exc
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


def fault_timeout() -> float:
    """Seconds a cluster fault may last before an ensemble stops (see DASK_FAULT_TIMEOUT_S)."""
    try:
        import dask.config

        value = float(dask.config.get("nkroutes.fault-timeout", default=DASK_FAULT_TIMEOUT_S))
    except (ImportError, TypeError, ValueError):
        return DASK_FAULT_TIMEOUT_S
    return value if value > 0 else DASK_FAULT_TIMEOUT_S


def fault_watch(executor: Executor) -> Callable[[], str | None]:
    """A check of whether ``executor`` can still run tasks: a fault's description, or ``None``.

    A Dask cluster that lost its only worker, or whose scheduler died, leaves submitted
    tasks waiting for ever without an error; the ensemble calls this while it waits and
    stops once a fault has lasted :func:`fault_timeout` seconds. Other executors report
    their own faults (a dead local worker breaks the pool), so their check finds none.
    """
    client = getattr(executor, "_client", None)
    if client is None or not type(executor).__module__.startswith("distributed"):
        return lambda: None

    def check() -> str | None:
        status = str(getattr(client, "status", "running"))
        if status != "running":
            return f"lost the connection to the Dask scheduler (client {status})"
        try:
            workers = client.scheduler_info().get("workers", {})
        except Exception as exc:  # a scheduler that cannot answer is a fault like any other
            return f"the Dask scheduler does not answer ({type(exc).__name__})"
        return None if workers else "the Dask cluster has no workers"

    return check


class FaultWatch:
    """Tells when an executor's fault (see :func:`fault_watch`) has lasted too long.

    Args:
        executor: The executor the ensemble waits on.
        limit: Seconds a fault may last (default: :func:`fault_timeout`).
    """

    def __init__(self, executor: Executor, limit: float | None = None) -> None:
        self._check = fault_watch(executor)
        self.limit = fault_timeout() if limit is None else limit
        self._since: float | None = None

    def lasting(self, idle: bool) -> str | None:
        """The fault, once it has lasted more than ``limit`` seconds; else ``None``.

        Args:
            idle: Whether nothing finished since the last call (only then is the
                executor checked: a finished task shows it works).
        """
        fault = self._check() if idle else None
        if fault is None:
            self._since = None
            return None
        now = time.monotonic()
        if self._since is None:
            self._since = now
        if now - self._since > self.limit:
            return f"{fault} for {self.limit:g} s"
        return None


def _check_address(scheduler: str) -> None:
    """Refuse an address that is not ``PROTOCOL://HOST:PORT`` before distributed tries it.

    ``distributed.Client`` given a malformed address fails only after its timeout and then
    prints an ignored exception while it is collected.
    """
    protocol, sep, rest = scheduler.partition("://")
    if not sep or protocol not in DASK_PROTOCOLS or not rest:
        raise EnsembleSetupError(
            f"scheduler: found '{scheduler}', expected a Dask scheduler address such as "
            "tcp://HOST:8786"
        )
    if protocol != "inproc" and _HOST_PORT.fullmatch(rest) is None:
        raise EnsembleSetupError(
            f"scheduler: found '{scheduler}', expected {protocol}://HOST:PORT "
            "(e.g. tcp://10.0.0.5:8786)"
        )


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
    _check_address(scheduler)
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
        with suppress(Exception):  # a cluster already gone: nothing left to close
            client.close(timeout=DASK_CONNECT_TIMEOUT_S)
