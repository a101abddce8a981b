"""A command never writes into, or with --force deletes from, another command's folder.

Each command's folder is known by the file it writes first (``FOLDER_KINDS``). Before these
checks, ``sensitivity --force`` into a calibration's folder replaced its journal (the
calibration could no longer resume), and ``run --force`` into a sensitivity analysis's
folder replaced its manifest.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from nkroutes.ensemble.folders import FOLDER_KINDS, OutDirError, check_out_dir, folder_kind
from nkroutes.sensitivity.draws import DRAWS_KIND

KINDS = sorted({kind for _, kind, _ in FOLDER_KINDS} | {DRAWS_KIND})


def _files(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def _folder_of(tmp_path: Path, marker: str) -> Path:
    folder = tmp_path / marker.replace(".", "-")
    folder.mkdir()
    (folder / marker).write_text("{}\n", encoding="utf-8")
    (folder / "evaluations.jsonl").write_text('{"index": 0}\n', encoding="utf-8")
    return folder


@pytest.mark.parametrize(("marker", "kind", "command"), FOLDER_KINDS)
def test_each_kind_is_known_by_its_file(tmp_path, marker, kind, command):
    assert folder_kind(_folder_of(tmp_path, marker)) == (kind, command)


def test_a_sensitivity_analysis_is_not_taken_for_a_run_by_its_manifest(tmp_path):
    folder = _folder_of(tmp_path, "sensitivity.json")
    (folder / "manifest.json").write_text("{}\n", encoding="utf-8")
    assert folder_kind(folder) == ("sensitivity analysis", "nkroutes sensitivity")
    assert folder_kind(tmp_path / "none") is None
    assert folder_kind(tmp_path) is None  # holds folders, no marking file


@pytest.mark.parametrize(("marker", "held", "command"), FOLDER_KINDS)
@pytest.mark.parametrize("what", KINDS)
@pytest.mark.parametrize("option", ["resume", "force"])
def test_another_commands_folder_is_refused_and_kept(tmp_path, marker, held, command, what, option):
    folder = _folder_of(tmp_path, marker)
    before = _files(folder)
    if held == what:
        assert check_out_dir(folder, what=what, **{option: True}) is True
        return
    message = f"holds a {held} ({command}), not a {what}; choose another --out"
    with pytest.raises(OutDirError, match=message.replace("(", r"\(").replace(")", r"\)")):
        check_out_dir(folder, what=what, **{option: True})
    assert _files(folder) == before
