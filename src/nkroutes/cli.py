"""The ``nkroutes`` command line: parse, call the library, print.

Exit codes: 0 on success, 2 for bad input (an invalid scenario, a bad option, an output
directory that must not be written into), 1 for a failure during a run, 130 when stopped by
Ctrl-C or SIGTERM (what is finished is saved). Bad input is reported as messages, never as a
traceback.

Adding a command: write it as a ``click`` command in your own module (use
:func:`set_option` and :func:`load` from here for ``--set`` and scenario loading) and add
one line to :data:`COMMANDS`; the module is imported only when the command is used.
"""

from __future__ import annotations

import importlib
import signal
from collections.abc import Callable
from typing import Any, TypeVar

import click

from nkroutes import __version__
from nkroutes.scenario import Scenario, ScenarioError, load_scenario, parse_override

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_BAD_INPUT = 2

#: Commands defined in other modules: name -> ``"module:attribute"`` (a click command).
COMMANDS: dict[str, str] = {
    "app": "nkroutes.commands.app:app_command",
    "compare": "nkroutes.commands.compare:compare",
    "run": "nkroutes.commands.run:run",
    "calibrate": "nkroutes.analysis.calibrate_cli:calibrate_command",
    "fit": "nkroutes.analysis.fit_cli:fit_command",
    "plot": "nkroutes.plots.command:plot_command",
}

F = TypeVar("F", bound=Callable[..., Any])


class BadInput(click.ClickException):
    """Input the command cannot use (exit code 2)."""

    exit_code = EXIT_BAD_INPUT


class RunFailure(click.ClickException):
    """A failure while running (exit code 1)."""

    exit_code = EXIT_FAILURE


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
        module_name, _, attribute = COMMANDS[cmd_name].partition(":")
        return getattr(importlib.import_module(module_name), attribute)

    def invoke(self, ctx: click.Context) -> Any:
        """Run the command; print the problems of an invalid scenario and exit with 2."""
        try:
            return super().invoke(ctx)
        except ScenarioError as error:
            click.echo(str(error), err=True)
            ctx.exit(EXIT_BAD_INPUT)


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


@click.group(
    cls=NkroutesGroup,
    context_settings={"help_option_names": ["-h", "--help"]},
    epilog=examples(
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


@main.command(epilog=examples("nkroutes validate scenarios/*.toml"))
@click.argument("files", nargs=-1, required=True, metavar="FILE...")
def validate(files: tuple[str, ...]) -> None:
    """Check scenario files; print "FILE: ok" or every problem found.

    Exits with 2 if any file has a problem.
    """
    bad = False
    for file in files:
        try:
            load(file)
        except ScenarioError as error:
            bad = True
            click.echo(str(error))
        else:
            click.echo(f"{file}: ok")
    if bad:
        raise SystemExit(EXIT_BAD_INPUT)


@main.command(
    epilog=examples(
        "nkroutes show scenarios/china-non-refoulement.toml",
        "nkroutes show scenarios/baseline.toml --set enforcement.china.repatriation_probability=0",
    )
)
@click.argument("file")
@set_option
def show(file: str, overrides: dict[str, Any]) -> None:
    """Print the resolved scenario as TOML: extends, overrides and defaults applied."""
    click.echo(load(file, overrides).to_toml(), nl=False)
