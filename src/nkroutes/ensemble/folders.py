"""Results folders on disk: the one atomic writer and the one set of folder rules.

Everything nkroutes writes into a results folder goes through this module:

* **Atomic writes.** A file is written under a temporary name in its own folder
  (:func:`temporary_path`, always ``.tmp-<pid>-<random>-<name>``), flushed to disk
  (``fsync``) and renamed into place with ``os.replace``: it is whole or absent, whenever the
  program is killed. :func:`write_text`, :func:`write_bytes`, :func:`write_csv` and
  :func:`write_json` write a value; :func:`atomic_path` lends the temporary path to code that
  writes a file itself (a figure's ``savefig``), :func:`atomic_file` an open file, and
  :func:`atomic_folder` a temporary folder renamed as a whole.
* **Temporaries** left by a killed program are recognised by :func:`is_temporary` and
  removed by :func:`remove_temporaries`.
* **Folder rules** for ``--out``, ``--force`` and ``--resume`` (:func:`check_out_dir`): a
  file is refused, a folder that holds something is refused unless the command resumes or
  starts over, and ``--force`` with ``--resume`` is refused.
* **A lock**: ``.lock`` (:data:`LOCK_FILE`) in the folder, held by one writer for the whole
  command (:func:`nkroutes.ensemble.lock.folder_lock`); folder checks ignore it.
* **File-system failures** (:func:`describe_os_error`) become one line naming the path.
* **Default places**: ``results/<safe name>/<YYYYmmddTHHMMSS>/`` (:func:`default_out_dir`,
  :func:`fresh_dir`, :func:`safe_name`) and the ``latest`` link beside them
  (:func:`link_latest`).

Nothing here deletes a file nkroutes did not write: removal is of temporaries only, and the
callers decide which of their own files ``--force`` removes.
"""

from __future__ import annotations

import datetime as dt
import errno
import json
import os
import re
import secrets
import shutil
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

import pandas as pd

from nkroutes.ensemble.errors import EnsembleSetupError

#: Folder that default output directories are made in (relative to the working directory).
RESULTS_ROOT = Path("results")

#: How the name of every temporary file or folder starts (see :func:`temporary_path`).
TMP_PREFIX = ".tmp-"

#: The lock file a writer holds in a results folder (see :func:`folder_lock`).
LOCK_FILE = ".lock"

_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]+")


class OutDirError(EnsembleSetupError):
    """An output folder that cannot be used (a file, or a folder holding other results).

    Nothing has been written or deleted when it is raised; the command line prints the
    message and exits with code 2.
    """


# -- names ---------------------------------------------------------------------------------


def safe_name(name: str) -> str:
    """A folder name for a scenario: unsafe characters become ``-`` (``"scenario"`` if none)."""
    return _UNSAFE.sub("-", name).strip("-.") or "scenario"


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
    stamp = (now or dt.datetime.now()).strftime("%Y%m%dT%H%M%S")
    return root / safe_name(scenario_name) / stamp


def fresh_dir(folder: Path) -> Path:
    """``folder``, or ``folder-2``, ``folder-3``... if it already exists (two runs in a second)."""
    candidate, k = folder, 1
    while candidate.exists():
        k += 1
        candidate = folder.with_name(f"{folder.name}-{k}")
    return candidate


def temporary_path(path: Path) -> Path:
    """A new temporary name beside ``path``: ``.tmp-<pid>-<8 hex digits>-<name>``."""
    return path.with_name(f"{TMP_PREFIX}{os.getpid()}-{secrets.token_hex(4)}-{path.name}")


def is_temporary(name: str) -> bool:
    """Whether a file or folder name is one :func:`temporary_path` makes."""
    return name.startswith(TMP_PREFIX)


def is_lock_entry(name: str) -> bool:
    """Whether a folder entry is the lock or a lock being made (another command's, maybe).

    Folder checks ignore both: a command that is taking the lock writes it under a
    temporary name first (:func:`nkroutes.ensemble.lock.folder_lock`), and that is not a
    result.
    """
    return name == LOCK_FILE or (is_temporary(name) and final_name(name) == LOCK_FILE)


def final_name(name: str) -> str:
    """The name a temporary file will have once renamed (``name`` itself if not temporary)."""
    if not is_temporary(name):
        return name
    parts = name[len(TMP_PREFIX) :].split("-", 2)
    return parts[2] if len(parts) == 3 else name


# -- atomic writing ------------------------------------------------------------------------


def _fsync(path: Path) -> None:
    """Flush a file (or each file in a folder) to disk; a symbolic link needs nothing."""
    if path.is_symlink():
        return
    if path.is_dir():
        for entry in path.iterdir():
            _fsync(entry)
        return
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
    """A temporary path beside ``path``, renamed to ``path`` if the block ends normally.

    The block creates the file (or folder) there. Files get the usual permissions
    (``0o666`` less the umask), and ``path`` is whole or absent: a failure or an interrupt
    leaves the old ``path`` (if any) and removes the temporary one.

    Args:
        path: The final path; its folder must exist.

    Yields:
        The temporary path (it does not exist yet).
    """
    tmp = temporary_path(path)
    try:
        yield tmp
        _fsync(tmp)
        if tmp.is_dir() and path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)  # a folder replaces only an empty one
        os.replace(tmp, path)
    except OSError as error:
        # Name the file being written, not its temporary name (or none: ENOSPC in write()).
        raise OSError(error.errno, error.strerror or str(error), str(path)) from error
    finally:
        remove_quietly(tmp)


def remove_quietly(tmp: Path) -> None:
    """Remove a temporary file or folder if it is there; a failure here hides no other.

    Args:
        tmp: The temporary path.
    """
    try:
        if tmp.is_dir() and not tmp.is_symlink():
            shutil.rmtree(tmp, ignore_errors=True)
        elif tmp.exists() or tmp.is_symlink():
            tmp.unlink()
    except OSError:
        pass


@contextmanager
def atomic_file(path: Path, binary: bool = False) -> Iterator[IO[Any]]:
    """An open file that becomes ``path`` when the block ends normally (see :func:`atomic_path`).

    Args:
        path: The final path; its folder must exist.
        binary: Open in ``"xb"`` mode rather than text (UTF-8, no newline translation).

    Yields:
        The open file.
    """
    with atomic_path(path) as tmp:
        if binary:
            with open(tmp, "xb") as sink:
                yield sink
        else:
            with open(tmp, "x", encoding="utf-8", newline="") as sink:
                yield sink


@contextmanager
def atomic_folder(path: Path) -> Iterator[Path]:
    """A new temporary folder that replaces ``path`` (a folder) when the block ends normally.

    Args:
        path: The final folder; its parent must exist. An existing folder there is replaced.

    Yields:
        The temporary folder (created, empty).
    """
    with atomic_path(path) as tmp:
        tmp.mkdir()
        yield tmp


def write_text(path: Path, text: str) -> Path:
    """Write ``text`` (UTF-8, newlines as given) to ``path`` atomically; return ``path``."""
    with atomic_file(path) as sink:
        sink.write(text)
    return path


def write_bytes(path: Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically; return ``path``."""
    with atomic_file(path, binary=True) as sink:
        sink.write(data)
    return path


def ends_with_line_break(path: Path) -> bool:
    """Whether a file's last byte is a line break, as every table nkroutes writes ends.

    A table that does not (or is empty) was cut short or emptied since it was written.

    Raises:
        OSError: If the file cannot be read (missing, say).
    """
    with path.open("rb") as handle:
        if handle.seek(0, os.SEEK_END) == 0:
            return False
        handle.seek(-1, os.SEEK_END)
        return handle.read(1) == b"\n"


def write_csv(path: Path, frame: pd.DataFrame) -> Path:
    """Write a table as CSV (no index, Unix line ends) to ``path`` atomically."""
    return write_text(path, frame.to_csv(index=False, lineterminator="\n"))


def write_json(path: Path, data: Mapping[str, Any]) -> Path:
    """Write JSON (indented by 2, no NaN, other values as ``str``) to ``path`` atomically."""
    return write_text(path, json.dumps(data, indent=2, allow_nan=False, default=str) + "\n")


def remove_temporaries(folder: Path) -> None:
    """Remove the temporary files and folders a killed program left in ``folder``."""
    if not folder.is_dir():
        return
    for entry in folder.iterdir():
        if not is_temporary(entry.name):
            continue
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry)
        else:
            entry.unlink()


def link_latest(run_dir: Path, name: str = "latest") -> Path | None:
    """Point ``<parent>/latest`` at ``run_dir`` (a relative symlink, replaced atomically).

    Args:
        run_dir: A results directory, e.g. ``results/baseline/20250101T120000``.
        name: The link's name.

    Returns:
        The link, or ``None`` if it could not be made (no symlinks on this file system, or
        a real file or folder of that name is in the way: it is left alone).
    """
    link = run_dir.parent / name
    if link.exists() and not link.is_symlink():
        return None
    try:
        with atomic_path(link) as tmp:
            os.symlink(run_dir.name, tmp, target_is_directory=True)
    except OSError:
        return None
    return link


# -- folder rules --------------------------------------------------------------------------


def check_options(out: Path | None, resume: bool, force: bool) -> None:
    """Refuse ``--resume`` with ``--force``, and either without an output folder.

    Raises:
        OutDirError: For such a combination.
    """
    if resume and force:
        raise OutDirError("resume and force: choose one (complete a run, or start over)")
    if out is None and (resume or force):
        raise OutDirError("resume and force need an output directory (out)")


#: What each command writes, by the file that marks its folder (the first that a folder holds
#: names it): ``sensitivity.json`` and ``calibration.json`` are written before anything else,
#: and a sensitivity analysis writes a ``manifest.json`` as a run does.
FOLDER_KINDS: tuple[tuple[str, str, str], ...] = (
    ("calibration.json", "calibration", "nkroutes calibrate"),
    ("sensitivity.json", "sensitivity analysis", "nkroutes sensitivity"),
    ("draws.csv", "comparison over parameter draws", "nkroutes compare --draws"),
    ("comparison.json", "comparison", "nkroutes compare"),
    ("comparison.csv", "comparison", "nkroutes compare"),
    ("manifest.json", "run", "nkroutes run"),
)


def folder_kind(path: Path) -> tuple[str, str] | None:
    """What a results folder holds, by its marking file: ``(kind, command)`` or ``None``.

    ``("run", "nkroutes run")``, ``("comparison", "nkroutes compare")``, ... (see
    :data:`FOLDER_KINDS`); ``None`` for a folder that holds none of those files.
    """
    if not path.is_dir():
        return None
    for name, kind, command in FOLDER_KINDS:
        if (path / name).is_file():
            return kind, command
    return None


def check_out_dir(
    path: Path, resume: bool = False, force: bool = False, what: str | None = None
) -> bool:
    """Check an output folder against ``--resume`` and ``--force``; change nothing.

    Args:
        path: The folder (it need not exist).
        resume: The command completes what is in the folder.
        force: The command deletes its earlier results in the folder and starts over.
        what: What the command writes (a kind of :data:`FOLDER_KINDS`: ``"run"``,
            ``"comparison"``, ...), to say in the message that ``--force`` and ``--resume``
            are possible, and to refuse a folder that holds another kind of results (which
            ``--force`` would partly delete and the command mix with its own); ``None`` for
            a command that takes neither for a folder that holds something.

    Returns:
        Whether the folder holds something (to resume or, with ``force``, to clear).

    Raises:
        OutDirError: If ``path`` is a file, or a folder holding something and neither
            ``resume`` nor ``force`` is given, or both are, or a folder holding another
            command's results.
    """
    if resume and force:
        raise OutDirError("resume and force: choose one (complete a run, or start over)")
    if path.exists() and not path.is_dir():
        raise OutDirError(f"{path}: exists and is not a directory")
    occupied = path.is_dir() and any(not is_lock_entry(e.name) for e in path.iterdir())
    if occupied and not (resume or force):
        if what is None:
            hint = "choose another --out (a new or empty folder)"
        else:
            hint = (
                "choose another --out, or pass --force to delete its results and start over, "
                f"or --resume to complete an interrupted {what} there"
            )
        raise OutDirError(f"{path} is not empty; {hint}")
    held = folder_kind(path) if occupied and what is not None else None
    if held is not None and held[0] != what:
        raise OutDirError(
            f"{path}: holds a {held[0]} ({held[1]}), not a {what}; choose another --out"
            + (f" (--force deletes only a {what}'s own results)" if force else "")
        )
    return occupied


# -- file-system failures ------------------------------------------------------------------


def describe_os_error(
    error: OSError, path: str | os.PathLike[str] | None = None, advice: str | None = None
) -> str:
    """One line for a file-system failure: the path and the cause, as a user reads it.

    Args:
        error: The failure (its ``filename`` is used when ``path`` is not given).
        path: The file or folder to name.
        advice: What to do, after the cause (default: for a command's ``--out``).

    Returns:
        ``"PATH: cannot write (No space left on device)"`` and the like.
    """
    where = path if path is not None else error.filename
    cause = error.strerror or str(error) or type(error).__name__
    if advice is not None:
        cause += f"; {advice}" if advice else ""
    elif error.errno == errno.ENAMETOOLONG:
        cause += "; choose a shorter --out or meta.name"
    elif error.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        cause += "; choose another --out"
    elif error.errno == errno.ENOSPC:
        cause += "; free some space"
    return f"{where}: cannot write ({cause})" if where is not None else f"cannot write ({cause})"
