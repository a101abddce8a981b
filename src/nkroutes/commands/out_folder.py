"""Where a run or comparison writes: --out, the default folder, what --resume continues, latest."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import click

from nkroutes.commands.common import BadInput
from nkroutes.ensemble.folders import default_out_dir, fresh_dir, link_latest
from nkroutes.ensemble.rundir import RunDirectory


def results_dir(
    out: Path | None,
    folder: str,
    resume: bool,
    find_unfinished: Callable[[Path], Path | None],
    unfinished_kind: str,
    force: bool = False,
) -> tuple[Path, bool]:
    """Where a run or comparison writes, and whether that is the default place.

    Args:
        out: ``--out``, or ``None``.
        folder: The default folder's name under ``results/`` (a scenario's name, or
            ``compare-<baseline>``).
        resume: ``--resume``: without ``--out``, continue the newest unfinished one there.
        find_unfinished: Finds that newest unfinished one under ``results/<folder>/``.
        unfinished_kind: What is looked for, for the message (``"run of 'baseline'"``).
        force: ``--force`` (with ``--resume`` too, the folder check says to choose one).

    Returns:
        ``(directory, default)``: ``out`` if given, else the unfinished directory found
        (``--resume``) or a new ``results/<folder>/<YYYYmmddTHHMMSS>/``.

    Raises:
        BadInput: ``--resume`` without ``--out`` found nothing to resume, or with an ``--out``
            that is missing or empty (a mistyped name would start afresh, unseen; exit 2).
    """
    if out is not None:
        if resume and not force:
            check_resumable(out)
        return out, False
    dated = default_out_dir(folder)
    if not resume:
        return fresh_dir(dated), True
    found = find_unfinished(dated.parent)
    if found is None:
        raise BadInput(
            f"--resume: found no unfinished {unfinished_kind} in {dated.parent}; name it with --out"
        )
    return found, True


def check_resumable(out: Path) -> None:
    """Refuse ``--resume`` of a folder that is missing or empty (exit 2).

    A mistyped ``--out`` would otherwise start a new run there, unseen.
    """
    if not out.is_dir() or RunDirectory(out).is_empty():
        state = "is empty" if out.is_dir() else "does not exist"
        raise BadInput(
            f"{out}: nothing to resume there (it {state}); check the folder's name, or start "
            "without --resume"
        )


def latest_unfinished(parent: Path) -> Path | None:
    """The newest results directory under ``parent`` whose manifest says it is still running."""
    if not parent.is_dir():
        return None
    found = []
    for manifest in parent.glob("*/manifest.json"):
        if manifest.parent.is_symlink():
            continue
        try:
            status = json.loads(manifest.read_text(encoding="utf-8")).get("status")
        except (OSError, ValueError):
            continue
        if status == "running":
            found.append(manifest.parent)
    return max(found, key=lambda p: p.name) if found else None


def point_latest(out: Path) -> None:
    """Point ``latest`` beside ``out`` at it, or say on stderr why it was not moved."""
    if link_latest(out) is not None:
        return
    link = out.parent / "latest"
    why = (
        "a file or folder of that name, not nkroutes' link, is in the way"
        if link.exists() and not link.is_symlink()
        else "this file system does not take symbolic links"
    )
    click.echo(f"warning: {link} not updated ({why}); the results are in {out}", err=True)
