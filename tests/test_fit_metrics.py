"""Fit metrics and secondary targets, with exact numbers on hand-made tables."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy.stats import binom

from nkroutes.analysis.bands import coverage_resampled, observed_quantile, yearly_bands
from nkroutes.analysis.fit import (
    arrivals_fit,
    check_target,
    fit_periods,
    fit_report,
    parse_years,
    year_span,
)
from nkroutes.analysis.targets import (
    Target,
    TargetError,
    TargetSettings,
    parse_quantity,
    secondary_targets,
    weighted_quantile,
)
from nkroutes.observed import other_targets

#: Three replicates, three years (arrivals in South Korea).
SIMULATED = {2000: [10, 20, 30], 2001: [100, 100, 130], 2002: [0, 50, 60]}
OBSERVED = pd.DataFrame({"year": [2000, 2001, 2002], "arrivals": [19, 150, 50]})


def long_table(by_year: dict[int, list[float]], column: str = "arrivals_south_korea"):
    rows = [
        {"replicate": r, "year": year, column: v}
        for year, values in by_year.items()
        for r, v in enumerate(values)
    ]
    return pd.DataFrame(rows)


# --- year ranges ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [("1994-2006", (1994, 2006)), ("2004", (2004, 2004)), (" 1990..2002 ", (1990, 2002))],
)
def test_parse_years_reads_ranges_and_single_years(text, expected):
    assert parse_years(text) == expected


@pytest.mark.parametrize("text", ["94-06", "2006-1994", "1994-", "all"])
def test_parse_years_refuses_anything_else(text):
    with pytest.raises(ValueError, match="expected"):
        parse_years(text)


def test_parse_years_says_equal_years_are_allowed():
    assert parse_years("1995-1995") == (1995, 1995)
    with pytest.raises(ValueError) as error:
        parse_years("1996-1995")
    assert str(error.value) == ("found '1996-1995', expected the first year no later than the last")


def test_year_span_writes_runs_and_gaps():
    assert year_span([1996, 1994, 1995]) == "1994-1996"
    assert year_span([1990, 1992]) == "1990, 1992"
    assert year_span([2004]) == "2004"
    assert year_span([]) == "none"
    # the years of Table 1 but one: two runs, not sixteen years (fit --years 1995)
    others = [y for y in range(1990, 2007) if y != 1995]
    assert year_span(others) == "1990-1994, 1996-2006"
    assert year_span([2006, 1990, 1991, 1993, 1993, 2000, 2001, 2002]) == (
        "1990-1991, 1993, 2000-2002, 2006"
    )


# --- weighted quantiles -----------------------------------------------------------------


def test_weighted_quantile_with_equal_weights_is_numpys_default():
    values = np.random.default_rng(3).gamma(2.0, 10.0, size=11)
    for q in (0.0, 0.05, 0.25, 0.5, 0.9, 1.0):
        assert weighted_quantile(values, q) == pytest.approx(np.quantile(values, q), abs=1e-12)
        assert weighted_quantile(values, q, np.full(11, 7.0)) == pytest.approx(
            np.quantile(values, q), abs=1e-12
        )


def test_weighted_quantile_by_hand():
    # positions (S_i - w_i) / (1 - w_n) = 0, 2/3, 1 for weights 1/2, 1/4, 1/4
    assert weighted_quantile([1, 2, 3], 0.5, [0.5, 0.25, 0.25]) == pytest.approx(1.75)
    assert weighted_quantile([3, 1, 2], 0.5, [0.25, 0.5, 0.25]) == pytest.approx(1.75)


def test_weighted_quantile_leaves_out_nan_and_zero_weights():
    assert weighted_quantile([1.0, np.nan, 5.0], 0.5) == 3.0
    assert weighted_quantile([1.0, 100.0, 5.0], 0.5, [1, 0, 1]) == 3.0
    assert math.isnan(weighted_quantile([np.nan], 0.5))


# --- arrivals metrics -------------------------------------------------------------------


def test_arrivals_fit_metrics_by_hand():
    fit = arrivals_fit(long_table(SIMULATED), OBSERVED, [2000, 2001, 2002], label="fitted")
    # medians 20, 100, 50 against 19, 150, 50
    d = [math.log(21 / 20), math.log(101 / 151), 0.0]
    assert fit.mae_log == pytest.approx(sum(abs(x) for x in d) / 3, abs=1e-12)
    assert fit.rms_log == pytest.approx(math.sqrt(sum(x * x for x in d) / 3), abs=1e-12)
    assert fit.ard == pytest.approx((1 + 50 + 0) / (19 + 150 + 50), abs=1e-12)
    # 5-95% bands: [11, 29], [100, 127], [5, 59]: 150 is outside
    assert fit.table["q05"].tolist() == pytest.approx([11, 100, 5])
    assert fit.table["q95"].tolist() == pytest.approx([29, 127, 59])
    assert fit.table["inside_90"].tolist() == [True, False, True]
    assert (fit.covered, fit.n_years, fit.span) == (2, 3, "2000-2002")
    # band widths 18, 27 and 54 over the observed 19, 150 and 50: the widest is 2002's
    assert fit.table["band_width"].tolist() == pytest.approx([18 / 19, 27 / 150, 54 / 50])
    assert fit.widest_band == pytest.approx(54 / 50)


def test_arrivals_fit_weights_replicates():
    weights = {0: 0.0, 1: 1.0, 2: 1.0}  # replicate 0 left out
    fit = arrivals_fit(long_table(SIMULATED), OBSERVED, [2000, 2001, 2002], weights=weights)
    assert fit.table["median"].tolist() == pytest.approx([25, 115, 55])


def test_arrivals_fit_uses_only_years_observed_and_simulated():
    fit = arrivals_fit(long_table(SIMULATED), OBSERVED, range(1990, 2010))
    assert fit.years == (2000, 2001, 2002)
    with pytest.raises(ValueError, match="no year of 1990-1995"):
        arrivals_fit(long_table(SIMULATED), OBSERVED, range(1990, 1996))
    with pytest.raises(ValueError, match="no column 'arrivals'"):
        arrivals_fit(long_table(SIMULATED), OBSERVED, [2000], column="arrivals")


def test_observed_quantile_is_the_share_of_replicates_below_ties_half():
    fit = arrivals_fit(long_table(SIMULATED), OBSERVED, [2000, 2001, 2002])
    # 19 among 10, 20, 30; 150 above 100, 100, 130; 50 among 0, 50, 60 (one tie)
    assert fit.table["observed_quantile"].tolist() == pytest.approx([1 / 3, 1.0, 1.5 / 3])
    weighted = arrivals_fit(
        long_table(SIMULATED), OBSERVED, [2000], weights={0: 2.0, 1: 1.0, 2: 1.0}
    )
    assert weighted.table["observed_quantile"].tolist() == pytest.approx([0.5])


def test_observed_quantile_leaves_out_replicates_without_a_value():
    values = np.array([np.nan, 10.0, 30.0])
    assert observed_quantile(values, 20.0, np.ones(3)) == 0.5


def test_coverage_resampled_varies_only_for_a_year_at_the_bands_edge():
    # 100 replicates 0..99 in both years: the 5-95% band is [4.95, 94.05]. 50 sits in the
    # middle; 94 at the upper edge, covered by a resample exactly when its 95th smallest
    # value is at least 94, i.e. when at most 94 of its 100 draws are below 94.
    by_year = {2000: list(range(100)), 2001: list(range(100))}
    observed = pd.Series({2000: 50.0, 2001: 94.0})
    counts = coverage_resampled(long_table(by_year), observed, [2000, 2001])
    assert len(counts) == 1000
    assert set(counts.tolist()) == {1, 2}
    p = binom.cdf(94, 100, 0.94)  # 0.60
    # 1,000 resamples: the share is within 4 standard errors (0.062) of p
    assert np.mean(counts == 2) == pytest.approx(p, abs=4 * math.sqrt(p * (1 - p) / 1000))
    again = coverage_resampled(long_table(by_year), observed, [2000, 2001])
    assert np.array_equal(counts, again)


def test_coverage_resampled_draws_replicates_by_weight():
    yearly = long_table({2000: [0, 100, 100]})
    observed = pd.Series({2000: 0.0})
    # only replicate 0 can be drawn: every resample's band is [0, 0] and covers 0
    counts = coverage_resampled(yearly, observed, [2000], weights={0: 1.0, 1: 0.0, 2: 0.0})
    assert set(counts.tolist()) == {1}
    # equal weights: a resample covers 0 only if it draws replicate 0 at least twice
    # (3 draws; a band's 5% quantile is 0 only if the smallest two values are 0)
    counts = coverage_resampled(yearly, observed, [2000], resamples=2000)
    p = 1 - binom.cdf(1, 3, 1 / 3)  # 7/27
    assert np.mean(counts) == pytest.approx(p, abs=4 * math.sqrt(p * (1 - p) / 2000))


def test_yearly_bands_quantiles():
    bands = yearly_bands(long_table(SIMULATED), "arrivals_south_korea", years=[2001])
    assert bands.to_dict("records") == [
        {"year": 2001, "q05": 100.0, "q25": 100.0, "median": 100.0, "q75": 115.0, "q95": 127.0}
    ]


def test_fit_periods_split_fitted_and_held_out_years():
    periods = fit_periods((2001, 2002), OBSERVED)
    assert periods == [
        ("fitted years", [2001, 2002]),
        ("other years", [2000]),
        ("all of Table 1", [2000, 2001, 2002]),
    ]
    assert fit_periods((1990, 2010), OBSERVED) == [("fitted years", [2000, 2001, 2002])]
    assert fit_periods((2000, 2001), OBSERVED, simulated=[2001]) == [("fitted years", [2001])]
    with pytest.raises(ValueError, match="none is both observed and simulated"):
        fit_periods((2005, 2006), OBSERVED)


# --- secondary targets ------------------------------------------------------------------


def count_target(**kw):
    base = {
        "name": "repatriated_by_china_2000",
        "description": "",
        "table": "yearly",
        "numerator": "repatriated",
        "denominator": None,
        "years": (2000,),
        "low": 6000.0,
        "high": None,
        "share": False,
    }
    return Target(**(base | kw))


def test_miss_is_log_distance_outside_the_range_for_counts():
    t = count_target()
    assert t.miss(3000) == pytest.approx(math.log(6001 / 3001), abs=1e-12)
    assert t.miss(6000) == 0.0
    assert t.miss(1e6) == 0.0
    both = count_target(low=30000.0, high=300000.0)
    assert both.miss(600001) == pytest.approx(math.log(600002 / 300001), abs=1e-12)
    assert math.isinf(t.miss(float("nan")))


def test_miss_is_log_odds_distance_for_shares():
    t = count_target(low=0.7, high=0.9, share=True)
    assert t.miss(0.5) == pytest.approx(math.log(0.7 / 0.3), abs=1e-12)
    assert t.miss(0.95) == pytest.approx(math.log(0.95 / 0.05) - math.log(0.9 / 0.1), abs=1e-12)
    assert t.miss(0.8) == 0.0


def test_expected_text():
    assert count_target().expected_text() == ">= 6,000 in 2000"
    stock = count_target(low=30000.0, high=300000.0, years=(1998, 1999, 2000))
    assert stock.expected_text() == "30,000-300,000 every year 1998-2000"
    share = count_target(low=0.7, high=0.9, share=True, years=())
    assert share.expected_text() == "70%-90%"


def test_parse_quantity():
    assert parse_quantity("yearly.repatriated", "x") == ("yearly", "repatriated", None)
    assert parse_quantity("yearly.a / yearly.b", "x") == ("yearly", "a", "b")
    for bad in ("repatriated", "yearly.a / summary.b", "runs.a", "yearly.a / yearly.b / c"):
        with pytest.raises(TargetError, match="model_quantity"):
            parse_quantity(bad, "x")


def test_the_articles_targets_with_default_settings():
    targets = {t.name: t for t in secondary_targets(other_targets(), TargetSettings())}
    broker = targets["broker_assisted_share_2004"]
    assert (broker.low, broker.high) == pytest.approx((0.7, 0.9))
    assert (broker.years, broker.share) == ((2004,), True)
    assert (broker.numerator, broker.denominator) == ("broker_assisted_arrivals", "arrivals")
    repatriated = targets["repatriated_by_china_2000"]
    assert (repatriated.low, repatriated.high, repatriated.years) == (6000.0, None, (2000,))
    in_china = targets["in_china"]
    assert (in_china.low, in_china.high) == (30000.0, 300000.0)
    assert in_china.years == tuple(range(1998, 2007))
    stayed = targets["stayed_two_years_share"]
    # a survey of people in China: those there two years or more, of all in China
    assert (stayed.table, stayed.years, stayed.weight) == ("yearly", (2006,), 0.25)
    assert (stayed.numerator, stayed.denominator) == ("in_china_two_years", "in_china")
    assert (stayed.low, stayed.high) == pytest.approx((0.73, 0.93))
    assert [t.weight for t in targets.values()] == [1.0, 1.0, 1.0, 0.25]


def test_target_settings_change_years_tolerance_and_weights():
    settings = TargetSettings(
        stock_years=(2000, 2001), share_tolerance=0.05, weights={"in_china": 0.0}
    )
    targets = {t.name: t for t in secondary_targets(other_targets(), settings)}
    assert targets["in_china"].years == (2000, 2001)
    assert targets["in_china"].weight == 0.0
    assert (targets["broker_assisted_share_2004"].low, targets["stayed_two_years_share"].high) == (
        pytest.approx(0.75),
        pytest.approx(0.88),
    )
    with pytest.raises(TargetError, match=r"calibration\.targets\.weights: found in_chna"):
        secondary_targets(other_targets(), TargetSettings(weights={"in_chna": 1.0}))


def test_target_settings_from_a_scenario():
    data = {"calibration": {"targets": {"years_from": 1990, "weights": {"in_china": 2}}}}
    settings = TargetSettings.from_scenario(data)
    assert settings.years == (1990, 2006)
    assert settings.weights == {"in_china": 2.0}
    assert TargetSettings.from_scenario({}) == TargetSettings()


def test_check_target_takes_the_median_share_and_the_worst_year():
    share = count_target(
        name="broker",
        numerator="broker_assisted_arrivals",
        denominator="arrivals",
        years=(2004,),
        low=0.7,
        high=0.9,
        share=True,
    )
    yearly = pd.DataFrame(
        {
            "replicate": [0, 1, 2],
            "year": [2004] * 3,
            "broker_assisted_arrivals": [80, 90, 0],
            "arrivals": [100, 100, 0],  # replicate 2 has no arrivals: no share
        }
    )
    check = check_target(share, yearly, pd.DataFrame())
    assert check.values == pytest.approx((0.85,))
    assert check.holds and check.penalty == 0.0
    assert check.simulated_text() == "85%"

    stock = count_target(numerator="in_china", years=(1998, 1999), low=30000.0, high=300000.0)
    yearly = long_table({1998: [20000, 25000, 40000], 1999: [50000] * 3}, "in_china")
    check = check_target(stock, yearly, pd.DataFrame())
    assert check.values == (25000.0, 50000.0)
    assert check.miss == pytest.approx(math.log(30001 / 25001), abs=1e-12)
    assert not check.holds
    assert check.simulated_text() == "25,000-50,000"
    with pytest.raises(TargetError, match="2000 were not simulated"):
        check_target(count_target(numerator="in_china"), yearly, pd.DataFrame())

    # a summary output (one value per replicate, no year): the median over replicates
    summary_share = count_target(
        table="summary",
        numerator="share_stayed_two_years",
        years=(),
        low=0.73,
        high=0.93,
        share=True,
    )
    summary = pd.DataFrame({"replicate": [0, 1, 2], "share_stayed_two_years": [0.5, 0.6, 0.7]})
    check = check_target(summary_share, pd.DataFrame(), summary)
    assert check.values == pytest.approx((0.6,))
    assert check.miss == pytest.approx(math.log(0.73 / 0.27) - math.log(0.6 / 0.4), abs=1e-12)
    assert check.simulated_text() == "60%"
    with pytest.raises(TargetError, match="no column repatriated"):
        check_target(count_target(years=(1998,)), yearly, pd.DataFrame())


def test_fit_report_tables_and_markdown():
    yearly = long_table(SIMULATED)
    yearly["repatriated"] = 7000
    summary = pd.DataFrame({"replicate": [0, 1, 2]})
    report = fit_report(
        yearly, summary, OBSERVED, (2001, 2002), [count_target(years=(2001,))], title="T"
    )
    metrics = report.metrics_table()
    assert metrics["years"].tolist() == [
        "fitted years (2001-2002)",
        "other years (2000)",
        "all of Table 1 (2000-2002)",
    ]
    assert metrics["90% band covers"].tolist() == ["1/2", "1/1", "2/3"]
    assert metrics["widest band / observed"].tolist() == [
        round(54 / 50, 2),
        round(18 / 19, 2),
        round(54 / 50, 2),
    ]
    assert "band / observed" in report.years_table().columns
    # three replicates: 150 (2001) is above all of them, so no resample covers it; 50
    # (2002) is left out by more than 5% of resamples (0, 0, 0; 60, 60, 60; two 60s and 50)
    assert metrics["on resampling"].tolist() == ["0-1", "0-1", "0-2"]
    assert metrics["ARD"].tolist()[0] == round(50 / 200, 3)
    targets = report.targets_table().to_dict("records")
    assert targets == [
        {
            "target": "repatriated_by_china_2000",
            "expected": ">= 6,000 in 2001",
            "simulated (median)": "7,000",
            "holds": "yes",
            "weight": 1.0,
            "penalty": 0.0,
        }
    ]
    text = report.to_markdown(level=2)
    assert text.startswith("## T\n")
    # log(151/101) / 2 = 0.2011, sqrt(log(151/101)^2 / 2) = 0.2844, 50 / 200 = 0.25
    assert "| fitted years (2001-2002) | 0.201 | 0.284 | 0.25 | 1/2 |" in text
    assert "| 2001 | 150 | 100.0 | 100.0 | 127.0 | no | 0.18 | 100.0% |" in text
    assert "repatriated_by_china_2000" in report.to_text()
