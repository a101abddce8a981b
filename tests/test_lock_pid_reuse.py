"""A lock whose pid was reused (by this process or another) is stale, not held (issue 21)."""

from __future__ import annotations

import json
import os
import socket

from nkroutes.ensemble.folders import LOCK_FILE
from nkroutes.ensemble.lock import folder_lock, process_start


def _old_lock(pid: int) -> str:
    return json.dumps(
        {
            "pid": pid,
            "pid_start": "1",  # started at boot: not the process that has this pid now
            "host": socket.gethostname(),
            "started": "2026-01-01T00:00:00+00:00",
            "command": "nkroutes run old.toml",
        }
    )


def test_a_stale_lock_with_our_own_pid_is_taken_over_and_released(tmp_path):
    (tmp_path / LOCK_FILE).write_text(_old_lock(os.getpid()), encoding="utf-8")
    notes: list[str] = []
    with folder_lock(tmp_path, "mine", notes):
        record = json.loads((tmp_path / LOCK_FILE).read_text())
        assert record["command"] == "mine"
        assert record["pid_start"] == process_start(os.getpid())
    assert len(notes) == 1 and "no longer running" in notes[0]
    assert not (tmp_path / LOCK_FILE).exists()


def test_a_lock_of_a_reused_live_pid_is_stale(tmp_path):
    (tmp_path / LOCK_FILE).write_text(_old_lock(os.getppid()), encoding="utf-8")
    with folder_lock(tmp_path, "mine", []):
        assert json.loads((tmp_path / LOCK_FILE).read_text())["command"] == "mine"


def test_our_own_lock_may_still_be_entered_again(tmp_path):
    with folder_lock(tmp_path, "outer"), folder_lock(tmp_path, "inner"):
        assert json.loads((tmp_path / LOCK_FILE).read_text())["command"] == "outer"
    assert not (tmp_path / LOCK_FILE).exists()
