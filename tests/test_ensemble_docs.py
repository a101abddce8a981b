"""docs/outputs.md documents every column of every file a run writes, and nothing else."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from nkroutes.analysis.compare import COLUMNS
from nkroutes.ensemble import run_ensemble
from nkroutes.scenario import load_scenario
from scenario_builder import write_tiny

DOC = Path(__file__).resolve().parent.parent / "docs" / "outputs.md"
DEST = "arrivals_<destination>"


def documented() -> dict[str, set[str]]:
    """Section (file name after '### ') -> names in backticks in its tables' first column."""
    sections: dict[str, set[str]] = {}
    current = None
    for line in DOC.read_text(encoding="utf-8").splitlines():
        if line.startswith("### "):
            current = line[4:].strip()
            sections[current] = set()
        elif line.startswith("## "):
            current = None
        elif current and line.startswith("| `"):
            first_cell = line.split("|")[1]
            sections[current] |= set(re.findall(r"`([^`]+)`", first_cell))
    return sections


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    base, _ = write_tiny(tmp_path_factory.mktemp("scenarios"))
    return run_ensemble(load_scenario(base), replicates=1, seed=1, workers=1, trace=True)


VIA = "arrivals_via_<place>"
SEXES = {"arrivals_female", "arrivals_male"}


def columns(frame) -> set[str]:
    names = set(frame.columns)
    via = {c for c in names if c.startswith("arrivals_via_")}
    dests = {c for c in names if c.startswith("arrivals_")} - via - SEXES
    return (names - dests - via) | ({DEST} if dests else set()) | ({VIA} if via else set())


@pytest.mark.parametrize(
    ("section", "table"),
    [
        ("yearly.csv", "yearly"),
        ("summary.csv", "summary"),
        ("routes.csv", "routes"),
        ("places.csv", "places"),
        ("time_in_china.csv", "time_in_china"),
    ],
)
def test_every_table_column_is_documented(results, section, table):
    assert documented()[section] == columns(getattr(results, table))


def test_every_migrant_column_is_documented(results):
    assert documented()["migrants.csv.gz"] == set(results.extra["migrants"].columns)


def test_every_comparison_column_is_documented():
    assert documented()["comparison.csv"] == set(COLUMNS)


def test_every_manifest_key_is_documented(results):
    assert documented()["manifest.json"] == set(results.manifest)


def test_every_figure_file_is_documented():
    from nkroutes.plots import arrivals, effects, outcomes, route_map, stocks, time_in_china

    text = DOC.read_text(encoding="utf-8").split("## Figures (plots/)\n", 1)[1]
    section = text.split("\n## ", 1)[0]
    files = {
        re.findall(r"`([^`]+)`", line.split("|")[1])[0]
        for line in section.splitlines()
        if line.startswith("| `")
    }
    names = {m.NAME for m in (arrivals, outcomes, route_map, time_in_china, stocks, effects)}
    assert files == {f"{name}.png" for name in names} | {f"{route_map.NAME}_<scenario name>.png"}
