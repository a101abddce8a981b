"""Axes of counts of people tick at whole numbers: no 0, 0, 1, 1 on a one-month run's axis.

The counts are set by hand on a one-month run of the small scenario, so the test does not
depend on what the model happens to produce.
"""

from __future__ import annotations

import dataclasses

import pytest
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from nkroutes.ensemble.results import Results
from nkroutes.model import simulate
from nkroutes.plots import arrivals_over_time, stocks_and_flows
from nkroutes.plots.outcomes import outcome_distributions
from nkroutes.scenario import scenario_from_dict
from scenario_builder import small_dict


@pytest.fixture(scope="module")
def one_month() -> Results:
    """Two replicates of the small scenario over January 1990 alone."""
    data = small_dict()
    data["time"]["end"] = "1990-01"
    scenario = scenario_from_dict(data, source="<one month>")
    runs = [(k, simulate(scenario, seed=k)) for k in range(2)]
    return Results.from_runs(scenario.to_dict(), runs)


def with_counts(results: Results, top: int) -> Results:
    """The results with every count of people from 0 (replicate 0) to ``top`` (replicate 1)."""
    yearly, summary = results.yearly.copy(), results.summary.copy()
    for table in (yearly, summary):
        for column in table.columns:
            if column in ("replicate", "seed", "year") or column.startswith(("share", "median")):
                continue
            if "usd" in column:  # money, not people
                continue
            table[column] = table["replicate"].map({0: 0, 1: top})
    return dataclasses.replace(results, yearly=yearly, summary=summary)


def y_tick_labels(ax: Axes) -> list[str]:
    """The y tick labels drawn inside the axis's limits."""
    low, high = sorted(ax.get_ylim())
    ticks = zip(ax.get_yticks(), ax.get_yticklabels(), strict=True)
    return [label.get_text() for value, label in ticks if low <= value <= high]


def count_axes(fig: Figure) -> dict[str, list[str]]:
    """Each visible axis of counts of people (by title), with its tick labels."""
    fig.canvas.draw()
    return {
        ax.get_title(): y_tick_labels(ax)
        for ax in fig.axes
        if ax.get_visible() and ax.get_ylabel().startswith(("people", "arrivals"))
    }


@pytest.mark.parametrize("top", [1, 2, 3, 7])
def test_stocks_and_flows_of_a_short_run_label_each_tick_once(one_month, top):
    axes = count_axes(stocks_and_flows(with_counts(one_month, top)))
    assert set(axes) == {
        "North Koreans in China at year end",
        "Repatriated to North Korea",
        "Deaths",
    }
    for title, labels in axes.items():
        assert len(set(labels)) == len(labels), (title, labels)
        assert all(float(x.replace(",", "")).is_integer() for x in labels), (title, labels)
    assert len(axes["Repatriated to North Korea"]) >= 2  # 0 and the top, at least


def test_stocks_and_flows_of_one_death_tick_at_0_and_1(one_month):
    axes = count_axes(stocks_and_flows(with_counts(one_month, 1)))
    assert axes["Deaths"] == ["0", "1"]


@pytest.mark.parametrize("top", [0, 1, 2])
def test_arrivals_and_outcomes_of_few_people_label_each_tick_once(one_month, top):
    results = with_counts(one_month, top)
    for fig in (arrivals_over_time(results), outcome_distributions(results)):
        fig.canvas.draw()
        for ax in fig.axes:
            if not ax.get_visible() or ax.get_ylabel().startswith(("share", "months", "US$")):
                continue
            labels = y_tick_labels(ax)
            assert labels, ax.get_title()
            assert len(set(labels)) == len(labels), (ax.get_title(), labels)


def test_months_and_money_label_each_tick_once(one_month):
    # A narrow axis of months was labelled 61, 61, 62 ({x:,.0f} on ticks 0.5 apart).
    results = dataclasses.replace(one_month, summary=one_month.summary.copy())
    summary = results.summary
    summary["median_months_in_china_at_arrival"] = summary["replicate"].map({0: 61.0, 1: 62.5})
    summary["median_cost_per_arrival_usd"] = summary["replicate"].map({0: 2000.0, 1: 2001.5})
    fig = outcome_distributions(results)
    fig.canvas.draw()
    checked = 0
    for ax in fig.axes:
        if ax.get_visible() and ax.get_ylabel().startswith(("months", "US$")):
            labels = y_tick_labels(ax)
            assert len(labels) >= 2 and len(set(labels)) == len(labels), (ax.get_title(), labels)
            checked += 1
    assert checked >= 1
