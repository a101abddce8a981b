"""The ``nkroutes show`` command: print a scenario as the model sees it."""

from __future__ import annotations

from typing import Any

import click

from nkroutes.commands.common import examples, load, set_option


@click.command(
    "show",
    epilog=examples(
        "nkroutes show scenarios/china-non-refoulement.toml",
        "nkroutes show scenarios/baseline.toml --set enforcement.china.repatriation_probability=0",
    ),
)
@click.argument("file")
@set_option
def show(file: str, overrides: dict[str, Any]) -> None:
    """Print the resolved scenario as TOML: extends, overrides and defaults applied."""
    click.echo(load(file, overrides).to_toml(), nl=False)
