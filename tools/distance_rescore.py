"""Which calibration distance points to the years a calibration did not fit?

Every parameter set a calibration runs to the end is in its journal (``evaluations.jsonl``)
with every simulated year, fitted or not. This re-scores those sets: for each, the median
over replicates per year, then over the fitted years the RMS of log(arrivals + 1)
differences (``arrivals_distance = "log"``) and the averaged relative difference (``"ard"``),
each plus the set's penalties for the article's other figures as the calibration adds them,
and the ARD over the other years of Table 1. It prints, per calibration folder and pooled,
the correlation of each distance with the other years' ARD, and for each folder the set each
distance ranks nearest, with its other years' ARD (``docs/calibration.md``, "Issue 17, fifth
round"). Last, the growth from one year to the next around the end of the fitted years: Table
1's against the spread of the sets' (each set's median of a year over its median of the year
before), over all sets and over those that meet the last fitted year within 15%: can any set
make the turns Table 1 makes there (``docs/calibration.md``, "Issue 17, sixth round")?

    python tools/distance_rescore.py CAL_DIR [CAL_DIR ...]
    python tools/distance_rescore.py CAL_DIR --other-years 2003-2006 --csv sets.csv

Sets stopped early or failed have no whole years and are left out. Exits 2 with a message if
a folder holds no calibration, the folders fitted different years, or no other year of Table
1 was simulated.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from nkroutes.analysis.fit import arrivals_fit, parse_years

#: The distances compared, as ``arrivals_distance`` names them.
DISTANCES = ("log", "ard")


class RescoreError(ValueError):
    """A folder or option this tool cannot use (the message names it)."""


def read_folder(folder: Path) -> tuple[dict, list[tuple[int, float, pd.DataFrame]]]:
    """A calibration's settings and its complete sets: number, penalties and yearly table.

    Raises:
        RescoreError: If the folder holds no calibration journal and settings.
    """
    settings_file, journal = folder / "calibration.json", folder / "evaluations.jsonl"
    if not settings_file.exists() or not journal.exists():
        raise RescoreError(
            f"{folder}: expected a calibration folder (calibration.json and "
            "evaluations.jsonl, as nkroutes calibrate writes them)"
        )
    settings = json.loads(settings_file.read_text(encoding="utf-8"))
    penalties = pd.Series(dtype=float)
    table = folder / "evaluations.csv"
    if table.exists():
        evaluations = pd.read_csv(table).set_index("evaluation")
        parts = [c for c in evaluations.columns if c.startswith("penalty_")]
        penalties = evaluations[parts].fillna(0.0).sum(axis=1)
    sets = []
    with journal.open(encoding="utf-8") as lines:
        for line in lines:
            record = json.loads(line)
            if record.get("stopped") or record.get("error") or not record.get("yearly"):
                continue
            index = int(record["index"])
            sets.append((index, float(penalties.get(index, 0.0)), pd.DataFrame(record["yearly"])))
    return settings, sets


def rescore(
    yearly: pd.DataFrame,
    observed: pd.Series,
    fitted: list[int],
    other: list[int],
    column: str,
    penalties: float,
) -> dict[str, float]:
    """One set's distances over the fitted years and its ARD over the other years.

    The arrivals' parts are :func:`nkroutes.analysis.fit.arrivals_fit`'s, the function the
    calibration's distance is made of.

    Args:
        yearly: The set's long yearly table (its replicates).
        observed: Observed arrivals by year.
        fitted: The fitted years.
        other: The years compared out of sample.
        column: The yearly output compared with the observed arrivals.
        penalties: The set's penalties for the article's other figures (their sum).

    Returns:
        ``log`` and ``ard`` (each plus penalties: the calibration's distance),
        ``log_alone`` and ``ard_alone`` (without), ``other_ard``, and the median arrivals
        of each simulated year (int keys).
    """
    inside = arrivals_fit(yearly, observed, fitted, column)
    outside = arrivals_fit(yearly, observed, other, column)
    medians = yearly.groupby("year")[column].median()
    return {
        "log": inside.rms_log + penalties,
        "ard": inside.ard + penalties,
        "log_alone": inside.rms_log,
        "ard_alone": inside.ard,
        "other_ard": outside.ard,
    } | {int(y): float(m) for y, m in medians.items()}


def correlation(a: pd.Series, b: pd.Series) -> float:
    """Pearson correlation, NaN for fewer than 3 sets or no spread."""
    if len(a) < 3 or a.std() == 0 or b.std() == 0:
        return math.nan
    return float(np.corrcoef(a, b)[0, 1])


def report(scored: pd.DataFrame, observed: pd.Series, other: list[int]) -> str:
    """The correlations and each distance's nearest set, as text."""
    columns = [*DISTANCES, *(f"{d}_alone" for d in DISTANCES)]
    lines = [
        "Correlation of each distance over the fitted years (log, ard: plus the penalties, as "
        "the calibration adds them; _alone: without) with the ARD of the other years "
        f"({other[0]}-{other[-1]}), over the sets run to the end:",
        "",
        f"{'calibration':<28} {'sets':>5} " + " ".join(f"{c:>9}" for c in columns),
    ]
    groups = [*scored.groupby("folder", sort=False), ("pooled", scored)]
    for name, group in groups:
        values = " ".join(f"{correlation(group[c], group['other_ard']):9.2f}" for c in columns)
        lines.append(f"{str(name)[-28:]:<28} {len(group):>5} {values}")
    lines += [
        "",
        "The nearest set by each distance, its other years' ARD, and its medians over the "
        "observed values there:",
        "",
        f"{'calibration':<28} {'distance':>8} {'set':>5} {'value':>7} {'other ARD':>9}  "
        + " ".join(f"{y:>6}" for y in other),
    ]
    for name, group in scored.groupby("folder", sort=False):
        for d in DISTANCES:
            best = group.loc[group[d].idxmin()]
            ratios = " ".join(f"{best[y] / observed[y]:6.2f}" for y in other)
            lines.append(
                f"{str(name)[-28:]:<28} {d:>8} {int(best['evaluation']):>5} {best[d]:7.3f} "
                f"{best['other_ard']:9.3f}  {ratios}"
            )
    best_other = scored.loc[scored["other_ard"].idxmin()]
    lines += [
        "",
        f"Lowest other years' ARD of any set: {best_other['other_ard']:.3f} (set "
        f"{int(best_other['evaluation'])} of {best_other['folder']}; log distance "
        f"{best_other['log']:.3f}, ARD {best_other['ard']:.3f})",
    ]
    return "\n".join(lines)


#: How near the last fitted year a set must come to count as starting the other years right.
NEAR_LAST_FITTED = 0.15


def growth_table(
    scored: pd.DataFrame, observed: pd.Series, years: list[int], sets: pd.Series
) -> list[str]:
    """Lines of the growth table: for each year, Table 1's growth and the sets' 5/50/95%.

    Args:
        scored: Every set's medians by year (int columns), as :func:`rescore` gives them.
        observed: Observed arrivals by year.
        years: The years whose growth over the year before is shown.
        sets: Which rows of ``scored`` to use (boolean).
    """
    lines = []
    for year in years:
        ratio = scored.loc[sets, year] / scored.loc[sets, year - 1]
        ratio = ratio[np.isfinite(ratio)]
        low, mid, high = np.percentile(ratio, [5, 50, 95]) if len(ratio) else [math.nan] * 3
        lines.append(
            f"{year - 1}-{year:<6} {observed[year] / observed[year - 1]:8.2f} "
            f"{low:7.2f} {mid:7.2f} {high:7.2f} {len(ratio):6}"
        )
    return lines


def growth_report(
    scored: pd.DataFrame, observed: pd.Series, fitted: list[int], other: list[int]
) -> str:
    """Table 1's growth year on year against the sets', from two years before the turn."""
    last = fitted[-1]
    years = [y for y in range(last - 1, other[-1] + 1) if y in scored and y - 1 in scored]
    years = [y for y in years if y in observed.index and y - 1 in observed.index]
    near = (scored[last] / observed[last] - 1).abs() <= NEAR_LAST_FITTED
    header = f"{'years':<11} {'Table 1':>8} {'5%':>7} {'median':>7} {'95%':>7} {'sets':>6}"
    return "\n".join(
        [
            "Growth from one year to the next (a year's arrivals over the year before's): "
            "Table 1's, and the 5%, median and 95% of the sets' (each set's medians), over "
            "every set run to the end:",
            "",
            header,
            *growth_table(scored, observed, years, pd.Series(True, index=scored.index)),
            "",
            f"and over the {int(near.sum())} sets whose {last} is within "
            f"{NEAR_LAST_FITTED:.0%} of Table 1's {observed[last]:,.0f}:",
            "",
            header,
            *growth_table(scored, observed, years, near),
        ]
    )


def main(argv: list[str] | None = None) -> int:
    """Print the correlations and nearest sets; return the exit code."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folders", nargs="+", type=Path, help="calibration folders")
    parser.add_argument(
        "--other-years",
        help="years compared out of sample, FIRST-LAST [the observed years not fitted]",
    )
    parser.add_argument("--csv", type=Path, help="write every set's scores to this file")
    args = parser.parse_args(argv)
    try:
        scored, observed, fitted, other = _score(args.folders, args.other_years)
    except RescoreError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(report(scored, observed, other))
    print()
    print(growth_report(scored, observed, fitted, other))
    if args.csv is not None:
        scored.to_csv(args.csv, index=False)
    return 0


def _score(folders: list[Path], other_years: str | None):
    sets, fitted_years, observed, column = [], None, None, None
    for folder in folders:
        settings, folder_sets = read_folder(folder)
        years = tuple(settings["target_settings"]["years"])
        if fitted_years is not None and years != fitted_years:
            raise RescoreError(
                f"{folder}: fitted {years[0]}-{years[1]}, expected {fitted_years[0]}-"
                f"{fitted_years[1]} as the folders before it"
            )
        fitted_years = years
        column = settings["target_settings"]["arrivals"]
        observed = pd.Series({int(y): float(v) for y, v in settings["observed"].items()})
        sets += [(str(folder), *s) for s in folder_sets]
    simulated = {int(y) for _, _, _, yearly in sets for y in yearly["year"]}
    fitted = [y for y in observed.index if fitted_years[0] <= y <= fitted_years[1]]
    if other_years is None:
        other = [y for y in observed.index if y not in fitted and y in simulated]
    else:
        try:
            low, high = parse_years(other_years)
        except ValueError:
            raise RescoreError(
                f"--other-years: found {other_years!r}, expected FIRST-LAST"
            ) from None
        other = [y for y in observed.index if low <= y <= high and y in simulated]
    if not other:
        raise RescoreError(
            "--other-years: no observed year outside the fitted "
            f"{fitted_years[0]}-{fitted_years[1]} was simulated"
        )
    scored = pd.DataFrame(
        [
            {"folder": folder, "evaluation": index, "penalties": penalties}
            | rescore(yearly, observed, fitted, other, column, penalties)
            for folder, index, penalties, yearly in sets
        ]
    )
    return scored, observed, fitted, other


if __name__ == "__main__":
    sys.exit(main())
