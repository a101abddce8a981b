"""Where a run writes its results: ``results/<scenario name>/<YYYYmmddTHHMMSS>/`` by default."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

#: Folder that default output directories are made in (relative to the working directory).
RESULTS_ROOT = Path("results")

_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]+")


class OutDirError(ValueError):
    """An output directory that cannot be used (not empty, or not a directory)."""


def default_out_dir(
    scenario_name: str, now: dt.datetime | None = None, root: Path = RESULTS_ROOT
) -> Path:
    """The default output directory of a run.

    Args:
        scenario_name: ``meta.name``; characters unsafe in a folder name become ``-``.
        now: The time stamp to use (default: the current local time).
        root: The results folder.

    Returns:
        ``root/<name>/<YYYYmmddTHHMMSS>``.
    """
    name = _UNSAFE.sub("-", scenario_name).strip("-.") or "scenario"
    stamp = (now or dt.datetime.now()).strftime("%Y%m%dT%H%M%S")
    return root / name / stamp


def check_out_dir(path: Path, overwrite: bool = False) -> None:
    """Refuse an output directory a run must not write into; create nothing.

    Args:
        path: The directory.
        overwrite: Whether an existing non-empty directory may be written into.

    Raises:
        OutDirError: If ``path`` is a file, or a non-empty directory and ``overwrite`` is
            false.
    """
    if path.exists() and not path.is_dir():
        raise OutDirError(f"{path} exists and is not a directory")
    if path.is_dir() and any(path.iterdir()) and not overwrite:
        raise OutDirError(f"{path} is not empty; choose another --out (a new or empty folder)")


def make_out_dir(path: Path, overwrite: bool = False) -> Path:
    """Check the output directory (see :func:`check_out_dir`) and create it.

    Args:
        path: The directory.
        overwrite: Whether an existing non-empty directory may be written into.

    Returns:
        ``path``, which now exists.

    Raises:
        OutDirError: As :func:`check_out_dir`.
    """
    check_out_dir(path, overwrite)
    path.mkdir(parents=True, exist_ok=True)
    return path
