"""The ``nkroutes`` command line: the command group and the program's entry point.

Exit codes: 0 on success, 2 for bad input (an invalid scenario, a bad option, an output
directory that must not be written into), 1 for a failure during a run, 130 when stopped by
Ctrl-C or SIGTERM (what is finished is saved). Bad input is reported as messages, never as a
traceback.

Each command lives in its own module of :mod:`nkroutes.commands`. Adding a command: write
it there as a ``click`` command (use :mod:`nkroutes.commands.common` for ``--set``, scenario
loading, errors and examples) and add one line to :data:`COMMANDS`; the module is imported
only when the command is used, so ``nkroutes --help`` stays fast.
"""

from __future__ import annotations

import contextlib
import functools
import importlib
import os
import signal
import sys
import warnings
from collections.abc import Callable
from typing import Any, NamedTuple, TextIO

import click

from nkroutes import __version__
from nkroutes.scenario import ScenarioError

#: Exit code of bad input (as ``nkroutes.commands.common.EXIT_BAD_INPUT``, not imported
#: here so that ``--help`` imports no command).
EXIT_BAD_INPUT = 2
EXIT_FAILURE = 1


class Lazy(NamedTuple):
    """A command imported when used: where it is, and its line in ``nkroutes --help``.

    Attributes:
        target: ``"module:attribute"`` of the click command.
        summary: The first paragraph of its docstring (a test checks), which ``--help``
            shortens as click does.
    """

    target: str
    summary: str


#: Every command: name -> :class:`Lazy` (or just ``"module:attribute"``, which ``--help``
#: then imports to find the summary).
COMMANDS: dict[str, Lazy | str] = {
    "app": Lazy(
        "nkroutes.commands.app:app_command",
        "Explore a scenario in the browser: levers, step / play / reset, charts, the map.",
    ),
    "calibrate": Lazy(
        "nkroutes.commands.calibrate:calibrate_command",
        "Calibrate a scenario's free parameters to the article's arrivals and check the fit.",
    ),
    "compare": Lazy(
        "nkroutes.commands.compare:compare",
        "Compare what-if scenarios with a baseline over paired replicates.",
    ),
    "fit": Lazy(
        "nkroutes.commands.fit:fit_command",
        "Compare a finished run with the article: arrivals per year and the other figures.",
    ),
    "plot": Lazy(
        "nkroutes.commands.plot:plot_command",
        "Draw the figures of a run or a comparison into RESULTS_DIR/plots/.",
    ),
    "run": Lazy(
        "nkroutes.commands.run:run", "Run replicates of a scenario and write their results."
    ),
    "sensitivity": Lazy(
        "nkroutes.commands.sensitivity:sensitivity_command",
        "Which assumptions drive the answer: Morris screening or Sobol indices of the outcomes.",
    ),
    "show": Lazy(
        "nkroutes.commands.show:show",
        "Print the resolved scenario as TOML: extends, overrides and defaults applied.",
    ),
    "validate": Lazy(
        "nkroutes.commands.validate:validate",
        'Check scenario files; print "FILE: ok" or every problem found.',
    ),
}


def load_command(name: str) -> click.Command:
    """Import the command ``name`` of :data:`COMMANDS`."""
    entry = COMMANDS[name]
    target = entry.target if isinstance(entry, Lazy) else entry
    module_name, _, attribute = target.partition(":")
    return getattr(importlib.import_module(module_name), attribute)


class NkroutesGroup(click.Group):
    """The command group: reports scenario problems (exit 2) and finds lazy commands."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        """Commands defined here and those listed in :data:`COMMANDS`."""
        return sorted({*super().list_commands(ctx), *COMMANDS})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        """A command defined here, or one of :data:`COMMANDS`, imported now."""
        command = super().get_command(ctx, cmd_name)
        if command is not None or cmd_name not in COMMANDS:
            return command
        return load_command(cmd_name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The list of commands in ``--help``, as click writes it, importing no :class:`Lazy`."""
        found: list[tuple[str, click.Command | None, str]] = []
        for name in self.list_commands(ctx):
            entry = COMMANDS.get(name)
            if isinstance(entry, Lazy):
                found.append((name, None, entry.summary))
                continue
            command = self.get_command(ctx, name)
            if command is not None and not command.hidden:
                found.append((name, command, ""))
        if not found:
            return
        limit = formatter.width - 6 - max(len(name) for name, _, _ in found)
        rows = [
            (name, (command or click.Command(name, help=summary)).get_short_help_str(limit))
            for name, command, summary in found
        ]
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def invoke(self, ctx: click.Context) -> Any:
        """Run the command; print the problems of an invalid scenario and exit with 2.

        A file-system failure no command reported itself (the terminal's output on a full
        disk, say) is one line and exit 1, not a traceback.
        """
        try:
            with warnings.catch_warnings():
                warnings.showwarning = functools.partial(_show_note, warnings.showwarning)
                return super().invoke(ctx)
        except ScenarioError as error:
            click.echo(str(error), err=True)
            ctx.exit(EXIT_BAD_INPUT)
        except BrokenPipeError:  # the reader of the output went away (| head): say nothing
            # As Python's documentation advises: no second failure when stdout is flushed.
            with contextlib.suppress(OSError, ValueError):  # stdout without a descriptor
                os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            ctx.exit(EXIT_FAILURE)
        except OSError as error:
            where = f"{error.filename}: " if error.filename else ""
            cause = error.strerror or str(error) or type(error).__name__
            click.echo(f"Error: {where}{cause}", err=True)
            ctx.exit(EXIT_FAILURE)


def _show_note(
    fallback: Callable[..., None],
    message: Warning | str,
    category: type[Warning],
    filename: str,
    lineno: int,
    file: TextIO | None = None,
    line: str | None = None,
) -> None:
    """Print nkroutes's notes as the line they are ("note: ..."), others by ``fallback``.

    The library issues its notes (a stale lock taken over) as warnings, which Python prints
    with the file, line and source of the call.
    """
    if str(message).startswith("note: "):
        click.echo(str(message), err=True)
    else:
        fallback(message, category, filename, lineno, file, line)


def _examples(*lines: str) -> str:
    # As nkroutes.commands.common.examples, which --help must not import.
    return "\b\nExamples:\n" + "\n".join(f"  {line}" for line in lines)


@click.group(
    cls=NkroutesGroup,
    context_settings={"help_option_names": ["-h", "--help"]},
    epilog=_examples(
        "nkroutes validate scenarios/*.toml",
        "nkroutes show scenarios/china-non-refoulement.toml",
        "nkroutes run scenarios/baseline.toml --set time.end=2011-12",
    ),
)
@click.version_option(__version__, prog_name="nkroutes")
def main() -> None:
    """Simulate North Korean migration routes and ask "what if?" of them."""


def _stop_as_on_ctrl_c(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def entry_point() -> None:
    """The ``nkroutes`` program: :func:`main`, with SIGTERM handled as Ctrl-C.

    ``kill PID`` or a batch scheduler's time limit then stops a run or a calibration the way
    Ctrl-C does: finished work is kept, worker processes are stopped, and the message says
    how to resume. Only the program does this; calling :func:`main` (or a command's
    function) from Python leaves the process's signal handlers alone.
    """
    signal.signal(signal.SIGTERM, _stop_as_on_ctrl_c)
    main(prog_name="nkroutes")
