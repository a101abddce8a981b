"""The lock on a results folder: one writer at a time, a second one refused naming the holder.

:func:`folder_lock` holds ``DIR/.lock`` (:data:`~nkroutes.ensemble.folders.LOCK_FILE`) for a
whole ``run``, ``compare`` or ``calibrate``. The file is created whole under a temporary name
and hard-linked into place (atomic, and refused if a lock is there), records the holder's
pid, host, start time and command, and is removed when the command ends, by an error or
Ctrl-C too. A lock whose holder no longer runs on this host is taken over with a note.

A process is known by its pid and, where the system tells it (Linux), the time it started
(``process_start``): a pid reused by a later process, this one included (containers restart
with the same small pids), does not make an old lock look alive or look like our own.
"""

from __future__ import annotations

import datetime as dt
import errno
import json
import os
import socket
import warnings
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

from nkroutes.ensemble.folders import (
    LOCK_FILE,
    OutDirError,
    describe_os_error,
    remove_quietly,
    temporary_path,
)


class FolderBusyError(OutDirError):
    """A results folder another live process is writing (its lock file is held); exit 2."""


def _holder(lock: Path) -> dict[str, Any]:
    """What a lock file says about its holder (empty if it cannot be read)."""
    try:
        record = json.loads(lock.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return record if isinstance(record, dict) else {}


def _describe_holder(holder: Mapping[str, Any]) -> str:
    command = str(holder.get("command") or "nkroutes")
    if len(command) > 100:  # whole up to there: cut at an option, "-n" was left hanging
        command = command[:97] + "..."
    return (
        f"{command} (pid {holder.get('pid', '?')} on {holder.get('host', '?')}, "
        f"since {holder.get('started', '?')})"
    )


def process_start(pid: int) -> str | None:
    """When process ``pid`` started, in clock ticks after boot (Linux), or ``None``."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="utf-8", errors="replace")
        # Fields after the command name (which may hold spaces) in parentheses.
        return stat.rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        return None


def _same_process(holder: Mapping[str, Any], pid: int) -> bool:
    """Whether a lock's holder is the process now running as ``pid`` (not an earlier one)."""
    recorded = holder.get("pid_start")
    return recorded is None or recorded == process_start(pid)


def _alive(pid: object, holder: Mapping[str, Any] | None = None) -> bool:
    """Whether process ``pid`` exists on this machine (and is the lock's ``holder``)."""
    if isinstance(pid, bool) or not isinstance(pid, int) or pid <= 0:
        return False
    if holder is not None and not _same_process(holder, pid):
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # it exists, owned by someone else
    return True


def writer_of(folder: Path) -> str | None:
    """Who else is writing ``folder`` now (its lock's live holder, described), or ``None``.

    ``None`` when the folder has no lock, or its holder is this process or no longer runs
    on this host, or the file is not an nkroutes lock (ours are written whole, as JSON with
    a pid: pytest, for one, keeps a ``.lock`` of its own in its temporary folders). A lock
    of another host counts as held, as :func:`folder_lock` counts it.
    """
    lock = folder / LOCK_FILE
    try:
        if not lock.is_file():
            return None
    except OSError:
        return None
    holder = _holder(lock)
    pid = holder.get("pid")
    if not isinstance(pid, int) or "host" not in holder:
        return None
    if holder.get("host") != socket.gethostname():
        return _describe_holder(holder)
    if pid == os.getpid() and _same_process(holder, os.getpid()):
        return None
    return _describe_holder(holder) if _alive(pid, holder) else None


def _check_parents(folder: Path) -> None:
    """Refuse a folder inside one another process is writing (a comparison's scenarios).

    Raises:
        FolderBusyError: Naming the folder being written and its writer.
    """
    for parent in folder.absolute().parents:
        writer = writer_of(parent)
        if writer is not None:
            raise FolderBusyError(
                f"{folder}: is inside {parent}, which {writer} is writing; wait for it to "
                "finish, or choose another --out"
            )


def _lock_record(command: str | None) -> bytes:
    record = {
        "pid": os.getpid(),
        "pid_start": process_start(os.getpid()),
        "host": socket.gethostname(),
        "started": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "command": command or "python",
    }
    return (json.dumps(record) + "\n").encode("utf-8")


def _make_folder(path: Path) -> bool:
    """Create ``path`` (and parents) unless it exists; return whether this call created it."""
    if path.exists() and not path.is_dir():
        raise OutDirError(f"{path}: exists and is not a directory")
    try:
        path.mkdir(parents=True)
    except FileExistsError:
        if not path.is_dir():
            raise OutDirError(f"{path}: exists and is not a directory") from None
        return False
    return True


def _try_create_lock(lock: Path, record: bytes) -> bool:
    """Create the lock file whole (written under a temporary name, then linked), or not.

    Returns:
        Whether this call created it (``False``: it exists already).
    """
    tmp = temporary_path(lock)
    try:
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        except FileNotFoundError:
            # The folder is gone: a command refused there removed it, having created it
            # empty. Look again (folder_lock makes it anew).
            return False
        try:
            os.write(fd, record)
        finally:
            os.close(fd)
        try:
            os.link(tmp, lock)  # atomic, and fails if the lock exists
        except (FileExistsError, FileNotFoundError):
            return False  # a lock is there (or the holder cleared our temporary): look again
        except OSError as error:
            if error.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP):
                raise
            # No hard links here: create the lock itself exclusively.
            try:
                fd = os.open(lock, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
            except FileExistsError:
                return False
            try:
                os.write(fd, record)
            finally:
                os.close(fd)
        return True
    except OSError as error:
        raise OutDirError(describe_os_error(error, lock.parent)) from None
    finally:
        remove_quietly(tmp)


def _take_over_stale(lock: Path, record: bytes, notes: list[str]) -> bool:
    """Take over ``lock`` if its holder is a dead process on this host.

    Returns:
        Whether the lock is now this process's (``False``: it vanished meanwhile, retry).

    Raises:
        FolderBusyError: If its holder is alive, or on another host.
    """
    holder = _holder(lock)
    if not lock.exists():
        return False
    folder = lock.parent
    if not holder:
        # Being written this very moment, or unreadable: treat as held.
        raise FolderBusyError(
            f"{folder}: in use by another process (its {LOCK_FILE} cannot be read); "
            f"wait for it, or delete {lock} if no nkroutes command is writing there"
        )
    if holder.get("host") != socket.gethostname() or _alive(holder.get("pid"), holder):
        raise FolderBusyError(
            f"{folder}: in use by {_describe_holder(holder)}; wait for it to finish, or "
            f"choose another --out (if that process is gone, delete {lock})"
        )
    # Dead holder on this host: move its lock aside (only one process wins the rename),
    # then create ours as usual.
    aside = temporary_path(lock)
    try:
        os.rename(lock, aside)
    except FileNotFoundError:
        return False
    except OSError as error:
        raise OutDirError(describe_os_error(error, folder)) from None
    moved = _holder(aside)
    if moved != holder:
        # Someone took it over between our read and our rename: put that live lock back.
        with suppress(OSError):
            os.link(aside, lock)
        remove_quietly(aside)
        raise FolderBusyError(f"{folder}: in use by {_describe_holder(moved)}; wait for it")
    remove_quietly(aside)
    notes.append(
        f"note: {folder}: took over the lock of {_describe_holder(holder)}, which is no "
        "longer running"
    )
    return _try_create_lock(lock, record)


@contextmanager
def folder_lock(
    path: str | os.PathLike[str], command: str | None = None, notes: list[str] | None = None
) -> Iterator[Path]:
    """Hold ``path/.lock`` while the block runs: one writer per results folder.

    The folder (and its parents) is created if needed. The lock file records the holder's
    pid, host, start time and command; it is removed when the block ends, normally or by
    an error or Ctrl-C (and the folder too, if this call created it and it is empty then).
    A lock left by a process that no longer runs on this host is taken over (with a note
    appended to ``notes``). A process that already holds the lock may enter again. A folder
    inside one that another live process holds (a scenario's folder of a comparison being
    run) is refused.

    Args:
        path: The results folder.
        command: The command line to record (``None``: ``"python"``).
        notes: Where to append notes for the user (a stale lock taken over); ``None``:
            they are issued as warnings.

    Yields:
        The folder.

    Raises:
        FolderBusyError: If another live process holds the lock, or that of a folder
            this one is inside (nothing written).
        OutDirError: If the folder cannot be created or locked (a file in the way,
            read-only, no permission, name too long, no space): nothing written.
    """
    folder = Path(path)
    lock = folder / LOCK_FILE
    try:  # a name too long, a loop of links...: refused before anything is written
        mine = _holder(lock) if folder.is_dir() else {}
        if (
            mine.get("pid") == os.getpid()
            and mine.get("host") == socket.gethostname()
            and _same_process(mine, os.getpid())
        ):
            created = None  # held by this process already (a run inside a comparison)
        else:
            created = _make_folder(folder)
    except OSError as error:
        raise OutDirError(describe_os_error(error, folder)) from None
    if created is None:
        yield folder
        return
    try:
        _check_parents(folder)
    except BaseException:
        if created:
            _remove_empty(folder)
        raise
    record = _lock_record(command)
    said: list[str] = [] if notes is None else notes
    try:
        for _ in range(20):
            if not folder.is_dir():  # removed meanwhile by a refused command that made it
                try:
                    created = _make_folder(folder) or created
                except OSError as error:
                    raise OutDirError(describe_os_error(error, folder)) from None
            if _try_create_lock(lock, record) or _take_over_stale(lock, record, said):
                break
        else:
            raise FolderBusyError(f"{folder}: in use by another process; wait for it")
    except BaseException:
        if created:
            _remove_empty(folder)
        raise
    if notes is None:
        for note in said:
            warnings.warn(note, stacklevel=3)
    try:
        yield folder
    finally:
        try:
            if lock.read_bytes() == record:
                lock.unlink()
        except OSError:
            pass
        if created:
            _remove_empty(folder)


def _remove_empty(folder: Path) -> None:
    """Remove ``folder`` if it is empty (a folder a refused command created)."""
    with suppress(OSError):
        folder.rmdir()
