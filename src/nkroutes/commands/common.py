"""What the ``run`` and ``compare`` commands share: options, output folders, messages."""

from __future__ import annotations

import shlex
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import click

from nkroutes.cli import BadInput, RunFailure
from nkroutes.ensemble.errors import EnsembleRunError, EnsembleSetupError
from nkroutes.ensemble.executors import EXECUTOR_KINDS
from nkroutes.ensemble.runner import DEFAULT_REPLICATES
from nkroutes.outdir import default_out_dir

F = TypeVar("F", bound=Callable[..., Any])

#: Exit code after Ctrl-C (the shell's 128 + SIGINT).
EXIT_INTERRUPTED = 130


def ensemble_options(command: F) -> F:
    """Add the options every ensemble command takes (-n, --workers, --executor, ...)."""
    options = [
        click.option(
            "-n",
            "--replicates",
            type=click.IntRange(min=1),
            default=DEFAULT_REPLICATES,
            show_default=True,
            help="Replicates per scenario (20 gives a quick look; use 200 or more to compare).",
        ),
        click.option(
            "--workers",
            type=click.IntRange(min=1),
            default=None,
            help="Local worker processes [default: every core; 1 runs in this process].",
        ),
        click.option(
            "--executor",
            type=click.Choice(EXECUTOR_KINDS),
            default="local",
            show_default=True,
            help="Where replicates run: this machine, or a Dask cluster (needs --scheduler "
            "and pip install 'nkroutes[dask]').",
        ),
        click.option(
            "--scheduler",
            metavar="tcp://HOST:PORT",
            default=None,
            help="Address of the Dask scheduler (with --executor dask).",
        ),
        click.option(
            "--resume",
            is_flag=True,
            help="Complete an interrupted run in --out (same scenario, --set values and "
            "seed): only missing replicates run.",
        ),
        click.option(
            "--trace",
            is_flag=True,
            help="Also write migrants.csv.gz: one row per migrant and replicate, with the "
            "routes it took (large: ~20 MB per replicate).",
        ),
        click.option("-q", "--quiet", is_flag=True, help="No progress bar."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def command_line() -> str:
    """The command as typed (``nkroutes`` and its arguments), for manifests."""
    return shlex.join(["nkroutes", *sys.argv[1:]])


def show_progress(quiet: bool) -> bool:
    """Whether to draw progress bars: not with ``--quiet``, and only on a terminal."""
    return not quiet and sys.stderr.isatty()


def fresh_dir(folder: Path) -> Path:
    """``folder``, or ``folder-2``, ``folder-3``... if it already exists (two runs in a second)."""
    candidate, k = folder, 1
    while candidate.exists():
        k += 1
        candidate = folder.with_name(f"{folder.name}-{k}")
    return candidate


def check_seed(seed: int) -> None:
    """Refuse a negative ``--seed`` (exit 2)."""
    if seed < 0:
        raise BadInput(f"--seed: found {seed}, expected a whole number >= 0")


def results_dir(
    out: Path | None,
    folder: str,
    resume: bool,
    find_unfinished: Callable[[Path], Path | None],
    unfinished_kind: str,
) -> tuple[Path, bool]:
    """Where a run or comparison writes, and whether that is the default place.

    Args:
        out: ``--out``, or ``None``.
        folder: The default folder's name under ``results/`` (a scenario's name, or
            ``compare-<baseline>``).
        resume: ``--resume``: without ``--out``, continue the newest unfinished one there.
        find_unfinished: Finds that newest unfinished one under ``results/<folder>/``.
        unfinished_kind: What is looked for, for the message (``"run of 'baseline'"``).

    Returns:
        ``(directory, default)``: ``out`` if given, else the unfinished directory found
        (``--resume``) or a new ``results/<folder>/<YYYYmmddTHHMMSS>/``.

    Raises:
        BadInput: ``--resume`` without ``--out`` found nothing to resume (exit 2).
    """
    if out is not None:
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


def latest_unfinished(parent: Path) -> Path | None:
    """The newest results directory under ``parent`` whose manifest says it is still running."""
    import json

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


@contextmanager
def ensemble_errors(out: Path | None, resume_hint: str) -> Iterator[None]:
    """Turn ensemble errors into exit codes: setup 2, run failure 1, Ctrl-C 130.

    Args:
        out: The results directory (named in messages).
        resume_hint: The command that would complete the run, shown after a failure or
            Ctrl-C.
    """
    try:
        yield
    except EnsembleSetupError as error:
        raise BadInput(str(error)) from None
    except EnsembleRunError as error:
        where = f"; finished replicates are saved in {out}" if out else ""
        raise RunFailure(f"{error}{where}. To complete the run: {resume_hint}") from None
    except KeyboardInterrupt:
        where = f" Finished replicates are saved in {out}." if out else ""
        click.echo(f"\nInterrupted.{where} To complete the run: {resume_hint}", err=True)
        raise SystemExit(EXIT_INTERRUPTED) from None


def resume_command(out: Path) -> str:
    """The command line that resumes the current command in ``out``."""
    args = [a for a in sys.argv[1:] if a not in ("--resume", "--force")]
    if "--out" not in args and not any(a.startswith("--out=") for a in args):
        args += ["--out", str(out)]
    return shlex.join(["nkroutes", *args, "--resume"])
