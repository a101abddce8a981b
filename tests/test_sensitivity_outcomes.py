"""The outcomes a sensitivity analysis measures, on hand-made tables (exact values)."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from nkroutes.sensitivity.outcomes import (
    check_outcomes,
    describe,
    replicate_outcomes,
    summary_columns,
)
from nkroutes.sensitivity.ranges import SensitivityError

YEARS = (1990, 2008)


def _tables() -> tuple[pd.DataFrame, pd.DataFrame]:
    summary = pd.DataFrame(
        {
            "replicate": [1, 0],
            "arrivals": [999, 9],
            "arrivals_south_korea": [990, 0],
            "repatriated": [99, 1],
        }
    )
    yearly = pd.DataFrame(
        {
            "replicate": [0, 0, 1, 1],
            "year": [2003, 2004, 2003, 2004],
            "arrivals_south_korea": [0, 9, 99, 891],
        }
    )
    return yearly, summary


def test_log_outcomes_are_log10_of_one_plus_the_count_per_replicate():
    yearly, summary = _tables()
    out = replicate_outcomes(
        ["arrivals", "log_arrivals", "log_arrivals_south_korea", "log_arrivals_2004"],
        yearly,
        summary,
        {2003: 1281.0, 2004: 1894.0},
    )
    # Replicate order (0 then 1), whatever the summary's row order.
    assert out["arrivals"] == [9.0, 999.0]
    assert out["log_arrivals"] == [1.0, 3.0]
    assert out["log_arrivals_south_korea"] == [0.0, math.log10(991.0)]
    assert out["log_arrivals_2004"] == [1.0, math.log10(892.0)]


def test_log_outcomes_are_accepted_for_counts_only():
    names = ("log_arrivals", "log_in_china", "log_arrivals_2005", "arrivals")
    assert check_outcomes(names, YEARS) == names
    for bad in ("log_broker_share", "log_table1_ard", "log_arrivals_2050", "log_"):
        with pytest.raises(SensitivityError, match=f"found '{bad}'.*log_ before a count"):
            check_outcomes([bad], YEARS)


def test_a_log_outcome_reads_its_count_once():
    assert summary_columns(["arrivals", "log_arrivals", "log_deaths", "table1_ard"]) == [
        "arrivals",
        "died",
    ]


def test_a_log_outcome_says_what_it_measures():
    assert describe("log_arrivals").startswith("log10(1 + arrivals at every destination")
    assert "relative" in describe("log_arrivals_2004")
