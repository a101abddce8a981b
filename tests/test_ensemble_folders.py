"""The results-folder layer: one atomic writer, one temporary name, one set of folder rules."""

from __future__ import annotations

import datetime as dt
import os
import re
import stat
from pathlib import Path

import pandas as pd
import pytest

from nkroutes.ensemble import folders
from nkroutes.ensemble.folders import (
    OutDirError,
    atomic_folder,
    check_options,
    check_out_dir,
    default_out_dir,
    final_name,
    fresh_dir,
    is_temporary,
    remove_temporaries,
    safe_name,
    temporary_path,
    write_bytes,
    write_csv,
    write_json,
    write_text,
)
from scenario_builder import ROOT

SRC = ROOT / "src" / "nkroutes"

#: What writing through a temporary file looks like in code: renaming into place, making a
#: temporary name, or the standard library's temporary files.
_TEMP_WRITING = re.compile(
    r"os\.replace\(|os\.rename\(|\bimport tempfile\b|\btempfile\.|NamedTemporaryFile|mkstemp"
    r"|getpid\(\)|token_hex\(|TMP_PREFIX|\.tmp\b"
)


def test_no_module_but_folders_writes_through_temporary_files():
    """Every atomic write in src/ goes through nkroutes.ensemble.folders."""
    offenders = []
    for path in sorted(SRC.rglob("*.py")):
        if path == SRC / "ensemble" / "folders.py":
            continue
        if path == SRC / "ensemble" / "lock.py":
            continue  # the lock records its pid; its temporary name comes from folders
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if _TEMP_WRITING.search(line):
                offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert offenders == []


def test_default_output_directory_is_results_name_timestamp():
    now = dt.datetime(2024, 5, 6, 7, 8, 9)
    assert default_out_dir("baseline", now) == Path("results/baseline/20240506T070809")
    assert default_out_dir("a b/../c", now) == Path("results/a-b-..-c/20240506T070809")
    assert default_out_dir("///", now) == Path("results/scenario/20240506T070809")
    assert safe_name("China: non-refoulement") == "China-non-refoulement"


def test_fresh_dir_adds_a_number_when_the_folder_exists(tmp_path):
    assert fresh_dir(tmp_path / "a") == tmp_path / "a"
    (tmp_path / "a").mkdir()
    (tmp_path / "a-2").mkdir()
    assert fresh_dir(tmp_path / "a") == tmp_path / "a-3"


def test_one_temporary_name_pattern(tmp_path):
    tmp = temporary_path(tmp_path / "route_flows_a-b.png")
    assert tmp.parent == tmp_path
    assert re.fullmatch(rf"\.tmp-{os.getpid()}-[0-9a-f]{{8}}-route_flows_a-b\.png", tmp.name)
    assert is_temporary(tmp.name)
    assert final_name(tmp.name) == "route_flows_a-b.png"
    assert final_name("arrivals.png") == "arrivals.png"
    assert temporary_path(tmp_path / "x") != temporary_path(tmp_path / "x")


def test_writers_leave_whole_files_with_the_usual_permissions(tmp_path):
    old = os.umask(0o027)
    try:
        write_text(tmp_path / "a.md", "é\r\n")
        write_bytes(tmp_path / "b.bin", b"\x00\x01")
        write_csv(tmp_path / "c.csv", pd.DataFrame({"x": [1, 2]}))
        write_json(tmp_path / "d.json", {"seed": 0})
    finally:
        os.umask(old)
    assert (tmp_path / "a.md").read_bytes() == "é\r\n".encode()
    assert (tmp_path / "b.bin").read_bytes() == b"\x00\x01"
    assert (tmp_path / "c.csv").read_bytes() == b"x\n1\n2\n"
    assert (tmp_path / "d.json").read_text(encoding="utf-8") == '{\n  "seed": 0\n}\n'
    modes = {stat.S_IMODE(p.stat().st_mode) for p in tmp_path.iterdir()}
    assert modes == {0o640}


def test_a_failed_write_keeps_the_old_file_and_no_temporary(tmp_path):
    write_text(tmp_path / "a.md", "old")
    with pytest.raises(TypeError):
        write_text(tmp_path / "a.md", None)  # type: ignore[arg-type]
    assert (tmp_path / "a.md").read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["a.md"]


def test_a_folder_appears_whole_and_replaces_an_earlier_copy(tmp_path):
    final = tmp_path / "r000001"
    with atomic_folder(final) as tmp:
        (tmp / "a.csv").write_text("1")
        assert not final.exists()
    with atomic_folder(final) as tmp:
        (tmp / "b.csv").write_text("2")
    assert [p.name for p in final.iterdir()] == ["b.csv"]
    with pytest.raises(RuntimeError), atomic_folder(tmp_path / "r000002") as tmp:
        (tmp / "a.csv").write_text("1")
        raise RuntimeError("killed")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r000001"]


def test_remove_temporaries_removes_only_temporaries(tmp_path):
    (tmp_path / ".tmp-1-00000000-x.csv").write_text("half")
    (tmp_path / ".tmp-1-00000000-r000001").mkdir()
    (tmp_path / "mine.txt").write_text("keep")
    remove_temporaries(tmp_path)
    remove_temporaries(tmp_path / "absent")
    assert [p.name for p in tmp_path.iterdir()] == ["mine.txt"]


def test_folder_rules(tmp_path):
    assert check_out_dir(tmp_path / "new") is False
    out = tmp_path / "full"
    out.mkdir()
    assert check_out_dir(out) is False
    (out / "x").write_text("1")
    with pytest.raises(OutDirError, match=r"is not empty; choose another --out \(a new or empty"):
        check_out_dir(out)
    with pytest.raises(OutDirError, match="--resume to complete an interrupted run there"):
        check_out_dir(out, what="run")
    assert check_out_dir(out, resume=True) is True
    assert check_out_dir(out, force=True) is True
    with pytest.raises(OutDirError, match="choose one"):
        check_out_dir(out, resume=True, force=True)
    (tmp_path / "file").write_text("")
    with pytest.raises(OutDirError, match="exists and is not a directory"):
        check_out_dir(tmp_path / "file", force=True)
    with pytest.raises(OutDirError, match="need an output directory"):
        check_options(None, resume=True, force=False)
    check_options(None, resume=False, force=False)


def test_the_folder_layer_imports_nothing_above_the_ensemble():
    text = Path(folders.__file__).read_text(encoding="utf-8")
    imported = re.findall(r"^from (nkroutes\.\S+) import", text, flags=re.MULTILINE)
    assert all(name.startswith("nkroutes.ensemble.") for name in imported)
