"""``nkroutes compare --draws K``: the comparison repeated at K parameter points."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from nkroutes.commands.common import (
    BadInput,
    check_seed,
    ensemble_arguments,
    ensemble_errors,
    held_folder,
    load_all,
    resume_command,
)
from nkroutes.commands.out_folder import results_dir
from nkroutes.commands.size_check import check_size, largest_of
from nkroutes.ensemble.size_guard import keeping_levers
from nkroutes.plots.sensitivity import draws_forest
from nkroutes.sensitivity.draws import DrawsComparison, compare_draws, draw_points
from nkroutes.sensitivity.draws_report import effect_sentence
from nkroutes.sensitivity.ranges import SensitivityError, ranges_of


def compare_draws_command(
    base_file: str,
    whatif_files: tuple[str, ...],
    overrides: dict[str, Any],
    out: Path | None,
    seed: int,
    force: bool,
    draws: int,
    posterior: Path | None,
    options: dict[str, Any],
    allow_large: bool = False,
) -> DrawsComparison:
    """Run ``compare --draws`` for the command line and print each effect's sentence.

    ``options`` are ``compare``'s ensemble options and ``plots`` (draw the forest plot).
    Every scenario's size is checked at the largest values the points give it (a what-if
    keeps its own value of a path it changes), before anything is written.

    Raises:
        BadInput: Bad ranges, posterior, options or output folder (exit 2).
        RunFailure: If a replicate fails (exit 1).
    """
    plots = options.pop("plots", True)
    scenarios = load_all([base_file, *whatif_files], overrides)
    try:
        points = draw_points(ranges_of(scenarios[0]), draws, seed, posterior)
    except SensitivityError as error:
        raise BadInput(str(error)) from None
    largest = largest_of(points, f"the largest of the {draws} --draws points")
    for scenario in scenarios:
        check_size(scenario, allow_large, keeping_levers(scenario, scenarios[0], largest))
    check_seed(seed)
    out, _ = results_dir(
        out,
        f"compare-{scenarios[0].name}-draws",
        options["resume"],
        lambda _: None,
        "comparison",
        force,
    )
    with held_folder(out) as folder, ensemble_errors(folder, resume_command(folder)):
        arguments = ensemble_arguments(folder, seed, force, **options)
        arguments.pop("out")
        try:
            outcome = compare_draws(
                scenarios[0],
                scenarios[1:],
                draws,
                posterior=posterior,
                out=folder,
                figures=draws_forest if plots else None,
                **arguments,
            )
        except SensitivityError as error:
            raise BadInput(str(error)) from None
    for _, row in outcome.table.iterrows():
        click.echo(effect_sentence(row.to_dict()))
    click.echo(f"Report: {folder / 'comparison.md'}; table: {folder / 'draws.csv'}")
    return outcome
