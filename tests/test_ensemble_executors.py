import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from nkroutes.ensemble.errors import EnsembleSetupError
from nkroutes.ensemble.executors import (
    PARENT_CHECK_INTERVAL_S,
    InProcessExecutor,
    make_executor,
)


def _pid_and_square(x: int) -> tuple[int, int]:
    return os.getpid(), x * x


def _fail(x: int) -> int:
    raise ValueError(f"bad {x}")


def test_one_worker_runs_in_this_process():
    with make_executor("local", workers=1) as pool:
        assert isinstance(pool, InProcessExecutor)
        results = list(pool.map(_pid_and_square, [1, 2, 3]))
    assert results == [(os.getpid(), 1), (os.getpid(), 4), (os.getpid(), 9)]


def test_in_process_executor_keeps_task_errors_in_the_future():
    with make_executor("local", workers=1) as pool:
        future = pool.submit(_fail, 3)
    with pytest.raises(ValueError, match="bad 3"):
        future.result()


def _interrupted_in_compiled_code(*_):
    """How numba reports Ctrl-C during a call back into Python: SystemError, interrupt chained."""
    try:
        raise KeyboardInterrupt
    except KeyboardInterrupt as interrupt:
        raise SystemError("CPUDispatcher(...) returned a result with an exception set") from (
            interrupt
        )


def test_an_interrupt_inside_a_task_stops_rather_than_fails():
    from nkroutes.calibration.evaluation import run_parameter_set
    from nkroutes.ensemble.errors import caused_by_interrupt

    pool = InProcessExecutor()
    with pytest.raises(KeyboardInterrupt):
        pool.submit(_interrupted_in_compiled_code, 1)
    assert not caused_by_interrupt(ValueError("bad"))
    # A calibration's evaluation reports other errors with the evaluation, but not this one.
    import nkroutes.calibration.evaluation as evaluation

    task = {"index": 0, "scenario": {}, "seeds": [1], "stop": None}
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(evaluation, "run_replicates", lambda *a: (_ for _ in ()).throw(ValueError()))
        assert run_parameter_set(task)["error"] == "ValueError: "  # reported, not raised
        patch.setattr(evaluation, "run_replicates", _interrupted_in_compiled_code)
        with pytest.raises(KeyboardInterrupt):
            run_parameter_set(task)


def test_in_process_executor_refuses_work_after_shutdown():
    pool = InProcessExecutor()
    pool.shutdown()
    with pytest.raises(RuntimeError):
        pool.submit(_pid_and_square, 1)


@pytest.mark.slow
def test_two_workers_run_in_other_processes():
    with make_executor("local", workers=2) as pool:
        results = list(pool.map(_pid_and_square, range(6)))
    assert [r[1] for r in results] == [x * x for x in range(6)]
    assert os.getpid() not in {r[0] for r in results}


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"kind": "slurm"}, "expected one of local, dask"),
        ({"kind": "local", "workers": 0}, "expected a whole number >= 1"),
        ({"kind": "local", "scheduler": "tcp://127.0.0.1:1"}, "only used with the 'dask'"),
        ({"kind": "dask"}, "needs the scheduler's address"),
    ],
)
def test_bad_options_are_setup_errors(kwargs, message):
    with pytest.raises(EnsembleSetupError, match=message), make_executor(**kwargs):
        pass


def test_unreachable_dask_scheduler_is_a_setup_error():
    pytest.importorskip("distributed")
    import socket

    # A port nobody listens on: bind, read the number, close.
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with (
        pytest.raises(
            EnsembleSetupError, match=f"cannot reach the Dask scheduler at tcp://127.0.0.1:{port}"
        ),
        make_executor("dask", scheduler=f"tcp://127.0.0.1:{port}"),
    ):
        pass


def test_missing_distributed_is_a_setup_error(monkeypatch):
    import builtins

    real_import = builtins.__import__

    def no_distributed(name, *args, **kwargs):
        if name == "distributed":
            raise ImportError("No module named 'distributed'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_distributed)
    with (
        pytest.raises(EnsembleSetupError, match=r"pip install 'nkroutes\[dask\]'"),
        make_executor("dask", scheduler="tcp://127.0.0.1:8786"),
    ):
        pass


@pytest.mark.slow
def test_dask_executor_runs_tasks_on_a_local_cluster():
    distributed = pytest.importorskip("distributed")
    with (
        distributed.LocalCluster(
            n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None
        ) as cluster,
        make_executor("dask", scheduler=cluster.scheduler_address) as pool,
    ):
        results = [f.result() for f in [pool.submit(_pid_and_square, x) for x in range(4)]]
    assert [r[1] for r in results] == [0, 1, 4, 9]


_ORPHAN_SCRIPT = """
import time
from nkroutes.ensemble.executors import make_executor
with make_executor("local", workers=2) as pool:
    list(pool.map(time.sleep, [0.5, 0.5]))
    print("ready", flush=True)
    time.sleep(600)
"""


def _spawned_workers(pid: int) -> list[int]:
    """Pool workers started by process ``pid`` (Linux: from /proc)."""
    children: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        children += [int(c) for c in (task / "children").read_text().split()]
    return [c for c in children if b"spawn_main" in Path(f"/proc/{c}/cmdline").read_bytes()]


def _running(pid: int) -> bool:
    """Whether ``pid`` is a live process (not gone, not a zombie waiting to be reaped)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="finds workers in /proc")
def test_local_workers_end_when_the_main_process_is_killed():
    process = subprocess.Popen(
        [sys.executable, "-c", _ORPHAN_SCRIPT],
        stdout=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        assert process.stdout.readline().strip() == "ready"
        workers = _spawned_workers(process.pid)
        assert workers
        os.kill(process.pid, signal.SIGKILL)  # the main process alone
        process.wait()
        deadline = time.monotonic() + 10 * PARENT_CHECK_INTERVAL_S
        while any(_running(w) for w in workers) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not [w for w in workers if _running(w)]
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        process.stdout.close()
