"""Two separate groups of replicates, tested on constructed data."""

from __future__ import annotations

import numpy as np

from nkroutes.analysis.modes import two_groups


def test_two_clusters_are_found_with_their_sizes_and_medians() -> None:
    values = [10, 11, 12, 9, 10, 100, 101, 99, 102, 100]
    groups = two_groups(values)
    assert groups is not None
    assert (groups.low_count, groups.high_count) == (5, 5)
    assert groups.low_median == 10 and groups.high_median == 100


def test_one_normal_sample_is_not_two_groups() -> None:
    rng = np.random.default_rng(1)
    for _ in range(200):
        assert two_groups(rng.normal(1000, 50, size=40)) is None


def test_a_single_outlier_is_not_a_group() -> None:
    assert two_groups([10, 11, 12, 9, 10, 11, 10, 12, 11, 500]) is None


def test_clusters_closer_than_three_spreads_are_not_separate() -> None:
    assert two_groups([0, 1, 2, 3, 4, 11, 12, 13, 14, 15]) is None
    assert two_groups([0, 1, 2, 3, 4, 20, 21, 22, 23, 24]) is not None


def test_ties_and_few_replicates() -> None:
    assert two_groups([5, 5, 5, 5]) is None
    assert two_groups([0, 0, 16, 16]) is not None
    assert two_groups([0, 16, 16]) is None
    assert two_groups([0, 0, float("nan"), 16, 16]) is not None


def test_run_report_notes_an_outcome_in_two_groups() -> None:
    import pandas as pd

    from nkroutes.commands.run import run_report
    from nkroutes.ensemble.results import Results
    from scenario_builder import baseline

    summary = pd.DataFrame(
        {
            "replicate": range(10),
            "arrivals": [100, 101, 99, 102, 100, 5000, 5001, 4999, 5002, 5000],
            "repatriated": [50, 51, 52, 49, 50, 48, 51, 50, 52, 49],
        }
    )
    results = Results(
        scenario=baseline().to_dict(),
        manifest={"seed": 1, "wall_time_s": 1.0},
        summary=summary,
        **{name: pd.DataFrame() for name in ("yearly", "routes", "places", "time_in_china")},
    )
    report = run_report(results)
    notes = [line for line in report.splitlines() if line.startswith("Note:")]
    assert len(notes) == 1
    assert "two separate groups, 5 near 100 and 5 near 5,000" in notes[0]
