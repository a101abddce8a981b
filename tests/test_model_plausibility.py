"""The baseline is plausible before calibration (broad patterns of MPI 2008, not a fit).

MPI 2008, Table 1: 9, 9, 8, 8 arrivals in South Korea in 1990-1993, 1,139 in 2002 and
1,281-1,894 a year after; "approximately 80 percent of the 1,894 defectors who arrived in
South Korea in 2004 had received assistance from a broker". The checks are deliberately
loose: arrivals in the tens a year in the early 1990s (under 100 each year, at least 5 a
year on average), over a thousand every year after 2002, and a 2004 broker share between
50% and 95%, on the mean of three replicates.
"""

from __future__ import annotations

import pandas as pd
import pytest

from test_model_support import baseline_run

SEEDS = (1, 2, 3)
NOT_CALIBRATED = (
    "the committed baseline is not calibrated yet: {}; reported to the model's lead, remove "
    "this mark when the baseline passes"
)


@pytest.fixture(scope="module")
def yearly() -> pd.DataFrame:
    frames = [baseline_run(seed).yearly().set_index("year") for seed in SEEDS]
    return sum(frames) / len(frames)


@pytest.mark.xfail(
    raises=AssertionError,
    strict=True,
    reason=NOT_CALIBRATED.format("1990-1993 arrivals 0, 0.3, 0.3, 0.3 a year (mean of seeds 1-3)"),
)
def test_arrivals_in_south_korea_are_in_the_tens_in_the_early_1990s(yearly: pd.DataFrame) -> None:
    early = yearly.loc[1990:1993, "arrivals_south_korea"]
    assert early.max() < 100, early.to_dict()
    assert early.mean() >= 5, early.to_dict()


@pytest.mark.xfail(
    raises=AssertionError,
    strict=True,
    reason=NOT_CALIBRATED.format(
        "2003-2008 arrivals 634, 1004, 1116, 756, 575, 462 a year (mean of seeds 1-3)"
    ),
)
def test_arrivals_in_south_korea_exceed_a_thousand_a_year_after_2002(yearly: pd.DataFrame) -> None:
    late = yearly.loc[2003:2008, "arrivals_south_korea"]
    assert (late > 1000).all(), late.to_dict()


def test_broker_share_of_2004_arrivals_is_between_half_and_95_percent(
    yearly: pd.DataFrame,
) -> None:
    share = yearly.loc[2004, "broker_assisted_arrivals"] / yearly.loc[2004, "arrivals"]
    assert 0.5 <= share <= 0.95, share
