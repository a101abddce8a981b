"""The ``nkroutes fit`` command: fit metrics of a finished run against the article."""

from __future__ import annotations

from pathlib import Path

import click

from nkroutes.analysis.fit import fit_report, parse_years
from nkroutes.analysis.targets import TargetError, TargetSettings, secondary_targets
from nkroutes.commands.common import BadInput, RunFailure, examples
from nkroutes.commands.results_check import check_results_dir
from nkroutes.ensemble.folders import describe_os_error, write_text
from nkroutes.ensemble.results import TABLE_FILES, Results
from nkroutes.text import plural

#: Tables ``nkroutes fit`` needs in a results directory.
NEEDED = ("yearly", "summary")


@click.command(
    "fit",
    epilog=examples(
        "nkroutes fit results/baseline/20250101T120000",
        "nkroutes fit results/baseline/20250101T120000 --years 2003-2006",
    ),
)
@click.argument("results_dir", type=click.Path(path_type=Path))
@click.option(
    "--years",
    default=None,
    metavar="FIRST-LAST",
    help="Years of Table 1 reported as fitted; the rest are reported apart [default: the "
    "run's years_from-years_to of [calibration.targets], 1994-2006].",
)
def fit_command(results_dir: Path, years: str | None) -> None:
    """Compare a finished run with the article: arrivals per year and the other figures.

    Prints the mean absolute error of log arrivals, the averaged relative difference,
    the coverage of the 90% band (with its range over resamples of the replicates), where
    each observed year falls among the replicates and each secondary target, and writes
    them to fit.md in RESULTS_DIR.
    """
    check_results_dir(results_dir, "fit")
    missing = [TABLE_FILES[t] for t in NEEDED if not (results_dir / TABLE_FILES[t]).is_file()]
    if missing:
        raise BadInput(
            f"{results_dir}: found no {' or '.join(missing)}; expected the output directory of "
            "`nkroutes run` (or the check/ directory of a calibration)"
        )
    try:
        results = Results.load(results_dir)
    except (OSError, ValueError) as error:
        raise BadInput(f"{results_dir}: cannot read the results ({error})") from None
    settings = TargetSettings.from_scenario(results.scenario)
    chosen = settings.years
    if years is not None:
        try:
            chosen = parse_years(years)
        except ValueError as error:
            raise BadInput(f"--years: {error}") from None
    try:
        from nkroutes.observed import other_targets, south_korea_arrivals

        arrivals = south_korea_arrivals()
        targets = secondary_targets(other_targets(), settings)
    except (FileNotFoundError, ValueError) as error:
        raise BadInput(f"observed data: {error}") from None
    yearly, summary = results.yearly, results.summary
    for name, table in (("yearly", yearly), ("summary", summary)):
        if "replicate" not in table.columns:
            raise BadInput(f"{results_dir / TABLE_FILES[name]}: found no 'replicate' column")
    if settings.arrivals not in yearly.columns:
        raise BadInput(
            f"{results_dir / 'yearly.csv'}: found no column {settings.arrivals!r} "
            "(calibration.targets.arrivals), expected it to compare with Table 1"
        )
    posterior = (results.manifest or {}).get("posterior")
    drawn = (
        f", each at a set drawn from the posterior of {posterior.get('folder')} (the bands "
        "carry the calibration's uncertainty as well as chance)"
        if posterior
        else ""
    )
    notes = [
        f"Scenario {results.name or '(unnamed)'}, {plural(results.n_replicates, 'replicate')}"
        f"{drawn}; observed: {arrivals.attrs.get('source', 'MPI 2008, Table 1')}."
    ]
    checked = []
    for target in targets:
        try:
            target.per_replicate(yearly, summary)
        except TargetError as error:
            notes.append(f"Not checked: {error}.")
        else:
            checked.append(target)
    try:
        report = fit_report(
            yearly,
            summary,
            arrivals,
            chosen,
            checked,
            settings.arrivals,
            title=f"Fit of {results_dir} to the article",
            notes=notes,
        )
    except ValueError as error:
        raise BadInput(f"{results_dir}: {error}") from None
    click.echo(report.to_text(), nl=False)
    try:
        path = write_text(results_dir / "fit.md", report.to_markdown())
    except OSError as error:  # the report above stands; only its file is missing
        advice = "the report above is complete; copy the folder somewhere writable for fit.md"
        raise RunFailure(describe_os_error(error, advice=advice)) from None
    click.echo(f"\nWrote {path}")
