"""The ``nkroutes validate`` command: check scenario files and say what is wrong."""

from __future__ import annotations

import click

from nkroutes.analysis.targets import (
    TargetError,
    TargetSettings,
    check_arrivals_column,
    secondary_targets,
)
from nkroutes.commands.common import EXIT_BAD_INPUT, examples, load
from nkroutes.observed import other_targets
from nkroutes.scenario import Scenario, ScenarioError


def target_problems(scenario: Scenario) -> list[str]:
    """What ``[calibration.targets]`` holds that ``nkroutes calibrate`` would refuse.

    Checked here are the settings wrong whatever the run's span: fitted years in the wrong
    order, and weights naming no observed target. (Years outside a what-if's shorter span are
    its calibration's to refuse, not a fault of a scenario made to run.)
    """
    if "targets" not in (scenario.data.get("calibration") or {}):
        return []
    settings = TargetSettings.from_scenario(scenario.data)
    problems = []
    first, last = settings.years
    if first > last:
        problems.append(
            f"{scenario.source}: calibration.targets.years_from/years_to: found {first}-{last}, "
            "expected years_from no later than years_to"
        )
    for check in (
        lambda: check_arrivals_column(settings, scenario.data),
        lambda: secondary_targets(other_targets(), settings),
    ):
        try:
            check()
        except TargetError as error:
            problems.append(f"{scenario.source}: {error}")
    return problems


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
            problems = target_problems(load(file))
        except ScenarioError as error:
            problems = [str(error)]
        if problems:
            good = False
            click.echo("\n".join(problems))
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
