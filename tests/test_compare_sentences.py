"""comparison.md sentences: each carries its own caveat with few pairs, and both medians."""

from __future__ import annotations

import pytest

from nkroutes.analysis.compare_report import outcome_sentence, sign_test_p


def _row(**values):
    base = {
        "unit": "people",
        "pairs": 4,
        "baseline_median": 16000.0,
        "whatif_median": 12300.0,
        "median_difference": -3728.0,
        "ci_low": -4080.0,
        "ci_high": -3330.0,
        "share_higher": 0.0,
        "share_lower": 1.0,
        "wilcoxon_p": 0.125,
    }
    return base | values


def test_four_pairs_say_range_and_sign_test_not_ci():
    text = outcome_sentence(_row(), "x", "arrivals over 1990-2008", True)
    assert text == (
        "Under x, arrivals over 1990-2008 fall by 3,728 [not a 95% CI: the range of only 4 "
        "paired differences, 3,330 to 4,080; sign test p = 0.125], from a baseline median of "
        "16,000 to a what-if median of 12,300."
    )
    assert "95% CI 3,330" not in text


def test_enough_pairs_keep_the_ci_and_give_both_medians():
    text = outcome_sentence(
        _row(
            pairs=200,
            baseline_median=16.0,
            whatif_median=1.0,
            median_difference=-16.0,
            ci_low=-17.0,
            ci_high=-15.0,
        ),
        "x",
        "arrivals in the United States over 1990-2008",
        True,
    )
    assert text == (
        "Under x, arrivals in the United States over 1990-2008 fall by 16 [95% CI 15 to 17], "
        "from a baseline median of 16 to a what-if median of 1."
    )


def test_an_interval_including_zero_with_few_pairs_has_its_caveat_too():
    text = outcome_sentence(
        _row(
            median_difference=5.0,
            ci_low=-2.0,
            ci_high=9.0,
            share_higher=0.75,
            share_lower=0.25,
            whatif_median=16005.0,
        ),
        "x",
        "deaths over 1990-2008",
        True,
    )
    assert "[not a 95% CI: the range of only 4 paired differences, -2 to +9; sign test p = " in text
    assert "(baseline median 16,000, what-if median 16,005)" in text


@pytest.mark.parametrize(
    ("higher", "lower", "p"),
    [(4, 0, 0.125), (0, 4, 0.125), (3, 1, 0.625), (2, 2, 1.0), (0, 0, 1.0), (6, 0, 0.03125)],
)
def test_sign_test(higher, lower, p):
    assert sign_test_p(higher, lower) == pytest.approx(p)
