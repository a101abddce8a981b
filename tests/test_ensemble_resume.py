"""An interrupted `nkroutes run` (a real signal to a real process) completes with --resume.

The completed run's files must be byte for byte those of a run that was never interrupted.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest

from nkroutes.ensemble import run_ensemble
from nkroutes.ensemble.rundir import RunDirectory
from nkroutes.scenario import load_scenario
from scenario_builder import SLOWER_TINY_END, write_tiny

REPLICATES = 8
SEED = 3
FILES = (
    "scenario.toml",
    "yearly.csv",
    "summary.csv",
    "routes.csv",
    "places.csv",
    "time_in_china.csv",
)


@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    folder = tmp_path_factory.mktemp("resume")
    # Longer replicates (about 0.3 s) leave time to interrupt a run between its 2nd and 8th.
    base, _ = write_tiny(folder / "scenarios", end=SLOWER_TINY_END)
    reference = folder / "reference"
    run_ensemble(load_scenario(base), replicates=REPLICATES, seed=SEED, workers=1, out=reference)
    return base, reference


def command(base, out, *extra):
    return [
        sys.executable, "-m", "nkroutes", "run", str(base), "-n", str(REPLICATES),
        "--seed", str(SEED), "--workers", "2", "--out", str(out), "--no-plots", "-q", *extra,
    ]  # fmt: skip


def _default_sigint():
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def start_and_interrupt(base, out, sig, *, group=True):
    """Start a run in its own process group; once 2 parts exist, send ``sig`` to the group
    (as a terminal does), or to the main process alone if not ``group`` (as ``kill PID``)."""
    process = subprocess.Popen(
        command(base, out),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        # A suite started in the background by a non-interactive shell inherits SIGINT
        # ignored, and Python then never raises KeyboardInterrupt: give the run the default
        # disposition, as a terminal would.
        preexec_fn=_default_sigint,
    )
    run_dir = RunDirectory(out)
    deadline = time.monotonic() + 300
    try:
        while len(run_dir.done_replicates()) < 2:
            assert process.poll() is None, process.communicate()
            assert time.monotonic() < deadline, "no replicate finished in time"
            time.sleep(0.02)
        if group:
            os.killpg(process.pid, sig)
        else:
            os.kill(process.pid, sig)
        stdout, stderr = process.communicate(timeout=120)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    return process.returncode, stdout, stderr


def resume_and_compare(base, out, reference):
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["status"] == "running"
    done = RunDirectory(out).done_replicates()
    assert 2 <= len(done) < REPLICATES
    assert not (out / "summary.csv").exists()
    result = subprocess.run(command(base, out, "--resume"), capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    for name in FILES:
        assert (out / name).read_bytes() == (reference / name).read_bytes(), name
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["status"] == "complete"
    assert [s["replicates_run"] for s in manifest["sessions"]] == [
        REPLICATES,
        REPLICATES - len(done),
    ]
    assert not (out / "parts").exists()
    assert not [p for p in out.iterdir() if p.name.startswith(".tmp-")]


@pytest.mark.slow
def test_resume_after_sigkill_gives_the_files_of_an_uninterrupted_run(setup, tmp_path):
    base, reference = setup
    out = tmp_path / "killed"
    code, _, _ = start_and_interrupt(base, out, signal.SIGKILL)
    assert code == -signal.SIGKILL
    resume_and_compare(base, out, reference)


@pytest.mark.slow
def test_ctrl_c_saves_finished_replicates_and_says_how_to_resume(setup, tmp_path):
    base, reference = setup
    out = tmp_path / "interrupted"
    code, _, stderr = start_and_interrupt(base, out, signal.SIGINT)
    assert code == 130
    assert f"Interrupted. Finished replicates are saved in {out}." in stderr
    assert "--resume" in stderr
    assert "Traceback" not in stderr
    resume_and_compare(base, out, reference)


@pytest.mark.slow
def test_sigterm_to_the_main_process_stops_the_run_as_ctrl_c_does(setup, tmp_path):
    base, reference = setup
    out = tmp_path / "terminated"
    code, _, stderr = start_and_interrupt(base, out, signal.SIGTERM, group=False)
    assert code == 130
    assert f"Interrupted. Finished replicates are saved in {out}." in stderr
    assert "Traceback" not in stderr
    resume_and_compare(base, out, reference)
