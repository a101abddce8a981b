"""What the commands share: exit codes, errors, options, scenario loading, output folders.

Every command uses :class:`BadInput` (exit 2) and :class:`RunFailure` (exit 1), and
:func:`set_option`, :func:`load` and :func:`examples` for ``--set``, scenario loading and
its ``--help`` examples. The options several commands take are declared here once
(:func:`executor_options`, :func:`seed_option`, :func:`out_option`, ...): ``run`` and
``compare`` share all of theirs (:func:`ensemble_options`) and their output folders
(``fit`` and ``plot`` check a results folder with :mod:`nkroutes.commands.results_check`).
"""

from __future__ import annotations

import json
import shlex
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any, TypeVar

import click

from nkroutes.ensemble.errors import EnsembleRunError, EnsembleSetupError
from nkroutes.ensemble.executors import EXECUTOR_KINDS
from nkroutes.ensemble.folders import (
    describe_os_error,
    fresh_dir,
    is_lock_entry,
)
from nkroutes.ensemble.lock import FolderBusyError, folder_lock
from nkroutes.ensemble.prepare import MAX_REPLICATES
from nkroutes.ensemble.rundir import MANIFEST_FILE, SCENARIO_FILE
from nkroutes.ensemble.runner import DEFAULT_REPLICATES
from nkroutes.scenario import Scenario, ScenarioError, load_scenario, parse_override

F = TypeVar("F", bound=Callable[..., Any])

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_BAD_INPUT = 2
#: Exit code after Ctrl-C (the shell's 128 + SIGINT).
EXIT_INTERRUPTED = 130


class BadInput(click.ClickException):
    """Input the command cannot use (exit code 2)."""

    exit_code = EXIT_BAD_INPUT


class RunFailure(click.ClickException):
    """A failure while running (exit code 1)."""

    exit_code = EXIT_FAILURE


def _parse_sets(ctx: click.Context, param: click.Parameter, values: tuple[str, ...]) -> dict:
    overrides: dict[str, Any] = {}
    for text in values:
        try:
            path, value = parse_override(text)
        except ValueError as error:
            raise click.BadParameter(str(error), ctx, param) from None
        overrides[path] = value
    return overrides


def set_option(command: F) -> F:
    """Add ``--set KEY.PATH=VALUE`` (repeatable), passed on as a dict named ``overrides``."""
    option = click.option(
        "--set",
        "overrides",
        multiple=True,
        metavar="KEY.PATH=VALUE",
        callback=_parse_sets,
        # Lines kept as written (``\b``): click would otherwise cut the example's key path
        # in the middle to fit the help column (46 characters wide in run and compare).
        help="\b\n"
        "Change one value of the scenario (read as\n"
        "TOML, else as text); repeatable. E.g.\n"
        "--set enforcement.china.repatriation_probability=0.5",
    )
    return option(command)


def load(file: str, overrides: dict[str, Any] | None = None) -> Scenario:
    """Load and validate a scenario for a command (problems end it with exit code 2)."""
    return load_scenario(file, overrides)


def load_all(files: Sequence[str], overrides: dict[str, Any] | None = None) -> list[Scenario]:
    """:func:`load` each file; the problems of every one of them, not of the first alone."""
    scenarios, problems = [], []
    for file in files:
        try:
            scenarios.append(load_scenario(file, overrides))
        except ScenarioError as error:
            problems += [p for p in error.problems if p not in problems]  # a shared base once
    if problems:
        raise ScenarioError(problems)
    return scenarios


def allow_large_option(command: F) -> F:
    """Add ``--allow-large``: run a scenario above the size limits (passed as ``allow_large``)."""
    option = click.option(
        "--allow-large",
        is_flag=True,
        help="Run even if the scenario's estimated size (migrants, steps) is above the "
        "limits that keep a replicate within a laptop's memory and minutes (see README).",
    )
    return option(command)


def note_events_outside_run(scenario: Scenario) -> None:
    """Say on stderr which of a scenario's events fall outside its run, and what that means."""
    before, after = scenario.events_outside_run()
    for events, where, meaning in (
        (before, f"before the run's start ({scenario.get('time.start')})", "in force from it"),
        (after, f"after the run's end ({scenario.get('time.end')})", "never applied"),
    ):
        if events:
            named = ", ".join(f"{e['id']} ({e['date']})" for e in events)
            click.echo(
                f"note: {scenario.source}: events dated {where}, {meaning}: {named}", err=True
            )


def examples(*lines: str) -> str:
    """An epilog for ``--help`` that shows command lines as written (not rewrapped)."""
    title = "Examples:" if len(lines) > 1 else "Example:"
    return "\b\n" + title + "\n" + "\n".join(f"  {line}" for line in lines)


def _options(*options: Callable[[F], F]) -> Callable[[F], F]:
    """One decorator adding ``options`` in the order given (the order ``--help`` lists)."""

    def decorate(command: F) -> F:
        for option in reversed(options):
            command = option(command)
        return command

    return decorate


#: ``--executor``'s help where the command does not say it its own way.
EXECUTOR_HELP = (
    "Where replicates run: this machine, or a Dask cluster (needs --scheduler and pip "
    "install 'nkroutes[dask]')."
)
#: ``--scheduler``'s help where the command does not say it its own way.
SCHEDULER_HELP = "Address of the Dask scheduler (with --executor dask)."


def executor_options(
    executor_help: str | None = EXECUTOR_HELP, scheduler_help: str = SCHEDULER_HELP
) -> Callable[[F], F]:
    """Add ``--workers``, ``--executor`` and ``--scheduler``: where a command's model runs go.

    Passed on as ``workers`` (``None``: every core), ``executor`` (one of
    ``EXECUTOR_KINDS``) and ``scheduler`` (the Dask scheduler's address, or ``None``).

    Args:
        executor_help: ``--executor``'s help (``None``: none).
        scheduler_help: ``--scheduler``'s help.
    """
    return _options(
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
            help=executor_help,
        ),
        click.option("--scheduler", metavar="tcp://HOST:PORT", default=None, help=scheduler_help),
    )


def seed_option(
    text: str = "Base random seed (>= 0).", default: int = 0, kind: Any = int
) -> Callable[[F], F]:
    """Add ``--seed``, passed on as ``seed`` and shown with its default.

    Args:
        text: Its help.
        default: Its default.
        kind: Its click type: ``int`` where the command refuses a negative seed itself
            (:func:`check_seed`), or ``click.IntRange(min=0)``.
    """
    return click.option("--seed", type=kind, default=default, show_default=True, help=text)


def out_option(text: str, file_okay: bool = False) -> Callable[[F], F]:
    """Add ``--out``, the command's results folder, passed on as ``out`` (``None``: a default).

    Args:
        text: Its help, saying where the results go without it.
        file_okay: Whether click lets an existing file through (for the command to refuse).
    """
    return click.option(
        "--out", type=click.Path(path_type=Path, file_okay=file_okay), default=None, help=text
    )


def resume_option(text: str) -> Callable[[F], F]:
    """Add the flag ``--resume`` (complete an interrupted command in ``--out``)."""
    return click.option("--resume", is_flag=True, help=text)


def force_option(text: str) -> Callable[[F], F]:
    """Add the flag ``--force`` (delete what an earlier command wrote in ``--out``)."""
    return click.option("--force", is_flag=True, help=text)


def quiet_option(text: str = "No progress bar.") -> Callable[[F], F]:
    """Add the flag ``-q``/``--quiet``, passed on as ``quiet``."""
    return click.option("-q", "--quiet", is_flag=True, help=text)


def ensemble_options(command: F) -> F:
    """Add the options every ensemble command takes (-n, --workers, --executor, ...)."""
    options = _options(
        click.option(
            "-n",
            "--replicates",
            type=click.IntRange(min=1, max=MAX_REPLICATES),
            default=None,
            help=f"Replicates per scenario (20 gives a quick look; use 200 or more to compare) "
            f"[default: {DEFAULT_REPLICATES}; with --resume, the number the run was started "
            "with, which -n may raise but not lower].",
        ),
        executor_options(),
        resume_option(
            "Complete an interrupted run in --out (same scenario, --set values and seed): only "
            "missing replicates run."
        ),
        click.option(
            "--trace",
            is_flag=True,
            help="Also write migrants.csv.gz: one row per migrant and replicate, with the "
            "routes it took (large: ~20 MB per replicate).",
        ),
        quiet_option(),
    )
    return options(command)


def command_line() -> str:
    """The command as typed (``nkroutes`` and its arguments), for manifests."""
    return shlex.join(["nkroutes", *sys.argv[1:]])


def ensemble_arguments(
    out: Path,
    seed: int,
    force: bool,
    replicates: int | None,
    workers: int | None,
    executor: str,
    scheduler: str | None,
    resume: bool,
    trace: bool,
    quiet: bool,
) -> dict[str, Any]:
    """The keyword arguments of ``run_ensemble`` and ``compare`` for a command's options.

    Args:
        out: The results directory.
        seed: ``--seed``.
        force: ``--force``.
        replicates: ``-n`` (``None``: the default, or on resume the recorded number).
        workers: ``--workers``.
        executor: ``--executor``.
        scheduler: ``--scheduler``.
        resume: ``--resume``.
        trace: ``--trace``.
        quiet: ``--quiet`` (no progress bar).
    """
    return {
        "replicates": replicates,
        "seed": seed,
        "executor": executor,
        "workers": workers,
        "scheduler": scheduler,
        "out": out,
        "resume": resume,
        "force": force,
        "trace": trace,
        "progress": show_progress(quiet),
        "command": command_line(),
        # The command checked every scenario's size itself (check_size, at the largest
        # values it will run, with --allow-large honoured) before calling the Python API.
        "allow_large": True,
    }


def show_progress(quiet: bool) -> bool | str:
    """How to show progress: nothing with ``--quiet``, a bar on a terminal, else lines.

    Returns:
        ``False``, ``True`` (a bar) or ``"lines"`` (a line every few seconds, for logs).
    """
    if quiet:
        return False
    return True if sys.stderr.isatty() else "lines"


def check_seed(seed: int) -> None:
    """Refuse a negative ``--seed`` (exit 2)."""
    if seed < 0:
        raise BadInput(f"--seed: found {seed}, expected a whole number >= 0")


@contextmanager
def ensemble_errors(out: Path | None, resume_hint: str) -> Iterator[None]:
    """Turn ensemble errors into exit codes: setup 2, run failure 1, Ctrl-C 130.

    A file that cannot be written before the run is a setup error (the ensemble raises
    ``OutDirError``); during it (an ``OSError``) a run failure, one line naming the file.

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
    except OSError as error:  # a file that cannot be written during the run: one line
        where = f"; finished replicates are saved in {out}" if out else ""
        raise RunFailure(
            f"{describe_os_error(error)}{where}. To complete the run: {resume_hint}"
        ) from None
    except KeyboardInterrupt:
        where = f" Finished replicates are saved in {out}." if out else ""
        click.echo(f"\nInterrupted.{where} To complete the run: {resume_hint}", err=True)
        raise SystemExit(EXIT_INTERRUPTED) from None


def resume_command(out: Path, args: list[str] | None = None) -> str:
    """The command line that resumes a command in ``out``.

    Args:
        out: The results directory.
        args: The command's arguments after ``nkroutes`` (default: the current command's).
    """
    args = [a for a in (sys.argv[1:] if args is None else args) if a not in ("--resume", "--force")]
    if "--out" not in args and not any(a.startswith("--out=") for a in args):
        args += ["--out", str(out)]
    return shlex.join(["nkroutes", *args, "--resume"])


def read_manifest(directory: Path) -> dict[str, Any] | None:
    """``directory``'s manifest, or ``None`` if it has none or it cannot be read."""
    try:
        manifest = json.loads((directory / MANIFEST_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return manifest if isinstance(manifest, dict) else None


def recorded_resume_command(directory: Path, manifest: dict[str, Any]) -> str:
    """The command that completes the unfinished run in ``directory``, from its manifest.

    The recorded command line with ``--resume`` (a comparison's run is completed by
    resuming the comparison); for a run started from Python, ``nkroutes run`` on the
    run's own ``scenario.toml``.
    """
    command = str(manifest.get("command") or "")
    if command.startswith("nkroutes "):
        args = shlex.split(command)[1:]
        out = directory.parent if args[:1] == ["compare"] else directory
        return resume_command(out, args)
    args = ["run", str(directory / SCENARIO_FILE), "--seed", str(manifest.get("seed", 0))]
    if manifest.get("trace"):
        args.append("--trace")
    return resume_command(directory, args)


@contextmanager
def held_folder(out: Path, fresh: bool = False) -> Iterator[Path]:
    """Hold ``out``'s lock for a whole command (see ``nkroutes.ensemble.lock``).

    Another live ``nkroutes`` writing there ends the command with exit 2 naming it, before
    anything is written; a stale lock taken over is noted on stderr.

    Args:
        out: The results folder (created if needed).
        fresh: ``out`` is a new default folder (``results/<name>/<time>``): if another
            command took it meanwhile (two started in the same second), use the next free
            ``<time>-2``, ``<time>-3``... instead of refusing.

    Yields:
        The folder held: ``out``, or with ``fresh`` the one used instead.
    """
    notes: list[str] = []
    candidate = out
    for _ in range(100):
        stack = ExitStack()
        try:
            stack.enter_context(folder_lock(candidate, command_line(), notes))
        except FolderBusyError as error:
            if not fresh:
                raise BadInput(str(error)) from None
            candidate = fresh_dir(out)
            continue
        except EnsembleSetupError as error:
            raise BadInput(str(error)) from None
        if fresh and any(not is_lock_entry(e.name) for e in candidate.iterdir()):
            stack.close()  # another command's results, finished meanwhile
            candidate = fresh_dir(out)
            continue
        break
    else:
        raise BadInput(f"{out}: found no free folder beside it; name one with --out")
    with stack:
        for note in notes:
            click.echo(note, err=True)
        yield candidate
