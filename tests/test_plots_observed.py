"""The article's observed figures as shipped CSV files, and their loader."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from nkroutes import observed

REPO = Path(__file__).resolve().parents[1]

# MPI (2008), Table 1, Number of North Korean Defectors to South Korea, 1990 to 2006.
TABLE_1 = [9, 9, 8, 8, 52, 41, 56, 85, 71, 148, 312, 583, 1139, 1281, 1894, 1387, 1578]


def test_south_korea_arrivals_are_table_1():
    table = observed.south_korea_arrivals()
    assert table["year"].tolist() == list(range(1990, 2007))
    assert table["arrivals"].tolist() == TABLE_1
    assert table["arrivals"].sum() == 8661  # the article: "a total of 8,661"
    assert table["year"].dtype == "int64"
    assert "Table 1" in table.attrs["source"]
    assert "Migration Policy Institute" in table.attrs["source"]


def test_other_targets_values_and_sources():
    table = observed.other_targets().set_index("name")
    assert list(table.index) == [
        "broker_assisted_share_2004",
        "repatriated_by_china_2000",
        "in_china",
        "stayed_two_years_share",
    ]
    assert table.loc["broker_assisted_share_2004", "value"] == 0.8
    assert table.loc["broker_assisted_share_2004", "year"] == 2004
    assert table.loc["repatriated_by_china_2000", "low"] == 6000
    assert pd.isna(table.loc["repatriated_by_china_2000", "high"])  # "at least"
    assert table.loc["repatriated_by_china_2000", "year"] == 2000
    assert (table.loc["in_china", "low"], table.loc["in_china", "high"]) == (30000, 300000)
    assert pd.isna(table.loc["in_china", "year"])  # the article gives no year
    assert table.loc["stayed_two_years_share", "value"] == 0.83
    for name, row in table.iterrows():
        assert row["source"].startswith("MPI 2008, "), name
        assert "." in row["model_quantity"], name


def test_other_target_by_name_and_unknown_name():
    assert observed.other_target("in_china")["unit"] == "people"
    with pytest.raises(KeyError, match="no observed target 'nope'; known: broker_assisted"):
        observed.other_target("nope")


def test_every_observed_file_starts_with_a_source_line():
    folder = observed.observed_dir()
    for name in (observed.SOUTH_KOREA_ARRIVALS_FILE, observed.OTHER_TARGETS_FILE):
        first = folder.joinpath(name).read_text(encoding="utf-8").splitlines()[0]
        assert first.startswith("# source: "), name


def test_files_live_in_the_package_and_data_observed_points_there():
    folder = Path(str(observed.observed_dir()))
    assert folder == REPO / "src" / "nkroutes" / "data" / "observed"
    top = REPO / "data" / "observed"
    if top.exists():  # a checkout without symbolic links has a text file here instead
        assert top.resolve() == folder.resolve()


def test_a_file_without_source_line_or_column_is_refused(tmp_path, monkeypatch):
    (tmp_path / "data" / "observed").mkdir(parents=True)
    bad = tmp_path / "data" / "observed" / "no_source.csv"
    bad.write_text("year,arrivals\n1990,9\n", encoding="utf-8")
    monkeypatch.setattr(observed, "observed_dir", lambda: tmp_path / "data" / "observed")
    with pytest.raises(ValueError, match=r"no_source.csv: expected a leading '# source: \.\.\.'"):
        observed.read_observed("no_source.csv", ("year", "arrivals"))
    bad.write_text("# source: somewhere\nyear,people\n1990,9\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"no_source.csv: missing column\(s\) arrivals"):
        observed.read_observed("no_source.csv", ("year", "arrivals"))
    with pytest.raises(FileNotFoundError, match=r"absent\.csv: observed-data file not found"):
        observed.read_observed("absent.csv", ("year",))
