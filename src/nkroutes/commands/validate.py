"""The ``nkroutes validate`` command: check scenario files and say what is wrong."""

from __future__ import annotations

import click

from nkroutes.commands.common import EXIT_BAD_INPUT, examples, load
from nkroutes.scenario import ScenarioError


def validate_files(files: tuple[str, ...]) -> bool:
    """Check scenario files, printing "FILE: ok" or every problem found for each.

    Args:
        files: Scenario files.

    Returns:
        Whether every file is valid.
    """
    good = True
    for file in files:
        try:
            load(file)
        except ScenarioError as error:
            good = False
            click.echo(str(error))
        else:
            click.echo(f"{file}: ok")
    return good


@click.command("validate", epilog=examples("nkroutes validate scenarios/*.toml"))
@click.argument("files", nargs=-1, required=True, metavar="FILE...")
def validate(files: tuple[str, ...]) -> None:
    """Check scenario files; print "FILE: ok" or every problem found.

    Exits with 2 if any file has a problem.
    """
    if not validate_files(files):
        raise SystemExit(EXIT_BAD_INPUT)
