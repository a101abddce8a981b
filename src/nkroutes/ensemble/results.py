"""The tables of an ensemble of runs, in memory and on disk.

One replicate's :class:`~nkroutes.model.result.RunResult` becomes rows of five long tables
(one row per replicate and year, route, place, ...); an ensemble is their concatenation.
:class:`Results` holds them as pandas DataFrames and reads them back from a results
directory, so analysis and plots work the same on a fresh run and on one from disk.
The files and their columns are documented in ``docs/outputs.md``.
"""

from __future__ import annotations

import json
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from nkroutes.ensemble.folders import ends_with_line_break, folder_kind
from nkroutes.model.result import RunResult

#: Table name -> CSV file name in a results directory.
TABLE_FILES: dict[str, str] = {
    "yearly": "yearly.csv",
    "summary": "summary.csv",
    "routes": "routes.csv",
    "places": "places.csv",
    "time_in_china": "time_in_china.csv",
}


#: ``summary.csv`` counts that are not totals of a ``yearly.csv`` column of the same name.
SUMMARY_COUNTS: tuple[str, ...] = ("in_china_end", "migrants_created")


def run_tables(
    replicate: int, run: RunResult, places: list[dict[str, Any]]
) -> dict[str, pd.DataFrame]:
    """The rows one replicate contributes to each table.

    Args:
        replicate: Replicate number (0-based).
        run: The replicate's result.
        places: The scenario's ``places`` (for kind and coordinates).

    Returns:
        Table name -> DataFrame (see :data:`TABLE_FILES`).
    """
    yearly = run.yearly()
    yearly.insert(0, "replicate", replicate)
    summary = pd.DataFrame([{"replicate": replicate, "seed": run.seed, **run.summary()}])
    # Counts of people are whole numbers, as in yearly.csv: a total of a yearly count
    # column, a stock at the end, or the migrants created. Money, shares and medians stay.
    counts = [
        column
        for column in summary.columns
        if column in SUMMARY_COUNTS
        or (column in yearly.columns and pd.api.types.is_integer_dtype(yearly[column]))
    ]
    summary[counts] = summary[counts].round().astype(np.int64)
    routes = pd.DataFrame(
        {
            "replicate": replicate,
            "route": run.route_ids,
            "from": run.route_from,
            "to": run.route_to,
            "migrants": run.route_flows,
        }
    )
    by_id = {p["id"]: p for p in places}
    placed = pd.DataFrame(
        {
            "replicate": replicate,
            "place": run.place_ids,
            "kind": [by_id[p]["kind"] for p in run.place_ids],
            "lat": [float(by_id[p]["lat"]) for p in run.place_ids],
            "lon": [float(by_id[p]["lon"]) for p in run.place_ids],
            "arrivals": run.place_arrivals,
            "captured": run.place_captures,
            "deaths": run.place_deaths,
        }
    )
    return {
        "yearly": yearly,
        "summary": summary,
        "routes": routes,
        "places": placed,
        "time_in_china": time_in_china_rows(replicate, run),
    }


def time_in_china_rows(replicate: int, run: RunResult) -> pd.DataFrame:
    """Arrivals by year of arrival and whole months spent in China (rows with arrivals only).

    Args:
        replicate: Replicate number (0-based).
        run: The replicate's result.

    Returns:
        Columns ``replicate, year, months, arrivals``, sorted by year then months.
    """
    years = run.arrival_years()
    arrived = years > 0
    months = np.floor(run.months_in_china()[arrived]).astype(np.int64)
    years = years[arrived]
    if not len(months):
        return pd.DataFrame(
            {"replicate": [], "year": [], "months": [], "arrivals": []}, dtype=np.int64
        )
    width = int(months.max()) + 1
    first = int(years.min())
    cells = np.bincount((years - first) * width + months)
    nonzero = np.flatnonzero(cells)
    return pd.DataFrame(
        {
            "replicate": replicate,
            "year": first + nonzero // width,
            "months": nonzero % width,
            "arrivals": cells[nonzero],
        }
    )


class ResultsError(ValueError):
    """A folder that does not hold a finished run's results (names the folder and why)."""


@dataclass
class Results:
    """An ensemble's tables.

    Attributes:
        scenario: The resolved scenario values (plain dict).
        manifest: Run metadata (versions, seed, replicates, times; see docs/outputs.md).
        yearly: One row per replicate and year.
        summary: One row per replicate: totals and medians.
        routes: One row per replicate and route: ``migrants`` who set off along it.
        places: One row per replicate and place: arrivals, captures, deaths there.
        time_in_china: Arrivals by year of arrival and whole months spent in China, per
            replicate.
        directory: Where the results were read from or written to, if anywhere.
    """

    scenario: dict[str, Any]
    manifest: dict[str, Any]
    yearly: pd.DataFrame
    summary: pd.DataFrame
    routes: pd.DataFrame
    places: pd.DataFrame
    time_in_china: pd.DataFrame
    directory: Path | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def name(self) -> str:
        """The scenario's name."""
        return str(self.scenario.get("meta", {}).get("name", ""))

    @property
    def n_replicates(self) -> int:
        """Number of replicates in the tables."""
        return int(self.summary["replicate"].nunique()) if len(self.summary) else 0

    @classmethod
    def from_runs(
        cls,
        scenario: dict[str, Any],
        runs: list[tuple[int, RunResult]],
        manifest: dict[str, Any] | None = None,
    ) -> Results:
        """Build the tables from replicate results held in memory."""
        parts = [run_tables(k, run, scenario["places"]) for k, run in runs]
        tables = {
            name: pd.concat([p[name] for p in parts], ignore_index=True)
            if parts
            else pd.DataFrame()
            for name in TABLE_FILES
        }
        return cls(scenario=scenario, manifest=manifest or {}, **tables)

    @classmethod
    def load(cls, directory: str | Path) -> Results:
        """Read a results directory written by ``nkroutes run``.

        Missing tables come back empty (plots then say which figure lacks data).

        Raises:
            FileNotFoundError: If the directory does not exist.
            ResultsError: If it holds another command's results (a comparison, a
                calibration, a sensitivity analysis), an unfinished run, or nothing a run
                writes: they would read as a run of no replicates.
        """
        directory = Path(directory)
        if not directory.is_dir():
            raise FileNotFoundError(f"{directory}: no such results directory")
        kind = folder_kind(directory)
        if kind is not None and kind[0] != "run":
            raise ResultsError(
                f"{directory}: holds a {kind[0]} ({kind[1]}), not a run's results"
                + (": load one of its scenarios' folders" if "comparison" in kind[0] else "")
            )
        if kind is None and not any((directory / f).is_file() for f in TABLE_FILES.values()):
            raise ResultsError(
                f"{directory}: holds no run's results (no manifest.json, summary.csv or yearly.csv)"
            )
        scenario: dict[str, Any] = {}
        if (directory / "scenario.toml").is_file():
            scenario = tomllib.loads((directory / "scenario.toml").read_text(encoding="utf-8"))
        manifest: dict[str, Any] = {}
        if (directory / "manifest.json").is_file():
            manifest = json.loads((directory / "manifest.json").read_text(encoding="utf-8"))
        status = manifest.get("status", "complete") if isinstance(manifest, dict) else None
        if status != "complete":
            raise ResultsError(
                f"{directory}: is an unfinished run (manifest status {status!r}); complete "
                "it with nkroutes run ... --resume"
            )
        tables = {}
        for name, file in TABLE_FILES.items():
            path = directory / file
            tables[name] = pd.read_csv(path) if path.is_file() else pd.DataFrame()
        return cls(scenario=scenario, manifest=manifest, directory=directory, **tables)


def damage(directory: Path, replicates: int) -> str | None:
    """What makes a finished run's tables not those it wrote, or ``None`` if nothing does.

    A table that does not end with a line break was cut short; ``summary.csv`` needs one row
    per replicate ``0 .. replicates - 1`` and ``yearly.csv`` the same years for each. (A
    value changed by hand goes unnoticed: these are the signs of a copy or a disk gone
    wrong, not a checksum.)

    Args:
        directory: The run's results directory.
        replicates: The replicates its manifest records.

    Returns:
        The first problem found, naming the file, or ``None``.
    """
    expected = list(range(replicates))
    for name, file in TABLE_FILES.items():
        path = directory / file
        if not path.is_file() or path.stat().st_size == 0:
            continue  # a missing or empty table is the figures' to report (each one skipped)
        if not ends_with_line_break(path):
            return f"{path}: ends within a row (cut short?)"
        if name not in ("summary", "yearly"):
            continue
        try:
            table = pd.read_csv(path)
        except (OSError, ValueError) as error:
            return f"{path}: cannot be read ({error})"
        if "replicate" not in table.columns:
            return f"{path}: found no 'replicate' column"
        rows = table.groupby("replicate").size()
        if sorted(rows.index) != expected:
            found = ", ".join(str(r) for r in sorted(rows.index)[:10]) or "none"
            return (
                f"{path}: holds replicates {found}, expected 0 to {replicates - 1} (the "
                "manifest's count)"
            )
        if name == "summary" and (rows != 1).any():
            return f"{path}: found replicate {rows[rows != 1].index[0]} more than once"
        if name == "yearly" and rows.nunique() != 1:
            short = rows.idxmin()
            return (
                f"{path}: replicate {short} has {rows[short]} years where others have "
                f"{rows.max()} (rows missing)"
            )
    return None
