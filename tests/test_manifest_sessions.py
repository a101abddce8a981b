"""Manifest sessions record what each session actually ran, and how it ended (issue 21)."""

from __future__ import annotations

import json
import socket

import pytest

import nkroutes.ensemble.runner as runner
from nkroutes.ensemble.errors import EnsembleRunError
from nkroutes.ensemble.manifest import replicate_ranges
from scenario_builder import write_tiny


def test_replicate_ranges():
    assert replicate_ranges([]) == ""
    assert replicate_ranges([3, 0, 1, 2, 7, 9, 10]) == "0-3, 7, 9-10"


def test_a_failed_session_and_its_resume_are_both_recorded(tmp_path, monkeypatch):
    base, _ = write_tiny(tmp_path / "s")
    out = tmp_path / "out"
    real = runner.run_replicate

    def failing(scenario, k, seed, trace):
        if k == 2:
            raise RuntimeError("injected")
        return real(scenario, k, seed, trace)

    monkeypatch.setattr(runner, "run_replicate", failing)
    with pytest.raises(EnsembleRunError):
        runner.run_ensemble(str(base), replicates=4, seed=5, workers=1, out=out, command="first")
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["status"] == "running"
    (first,) = manifest["sessions"]
    assert first["exit_status"].startswith("failed: ")
    assert "injected" in first["exit_status"]
    assert first["replicates_run"] == 4
    assert first["replicates_done"] == 2 and first["replicates_done_list"] == "0-1"
    assert first["seed"] == 5 and first["host"] == socket.gethostname()
    assert first["started"] and first["finished"] and first["versions"]["nkroutes"]

    monkeypatch.setattr(runner, "run_replicate", real)
    runner.run_ensemble(str(base), seed=5, workers=1, out=out, resume=True, command="second")
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["status"] == "complete"
    first, second = manifest["sessions"]
    assert second["command"] == "second" and second["exit_status"] == "complete"
    assert second["replicates_done"] == 2 and second["replicates_done_list"] == "2-3"
    assert manifest["wall_time_s"] == second["wall_time_s"]
