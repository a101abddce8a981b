"""Step length: monthly and weekly steps give the same results within sampling error.

Rates become per-step probabilities ``1 - exp(-rate * dt)`` and durations become steps, so
the step length should change results only by noise. The baseline is cut at 1998-12 (the
PDS collapse and the famine years: some hundreds of arrivals a run) so that 8 replicates of
each step length take about 45 s of CPU (a weekly run costs three monthly ones); a
whole-period comparison would take several minutes.

Each quantity is compared with Welch's two-sample t-test on the replicates; the test fails
when |t| > 4 (two-sided p < about 1.3e-3 for 14 degrees of freedom), so a correct model fails
it about once in 150 runs of the five comparisons (the seeds are fixed, so it is repeatable;
with 12 replicates it was once in 300). A real difference of 2 replicate standard deviations
fails it one time in two (1.6 with 12 replicates), and a step length that is not converted
(rates per month applied per week) is off by far more.
Calendar alignment adds small real differences: with weekly steps a push factor or event
starts with the first week that starts in its month, up to six days late.
Departures are compared per simulated day: the last weekly step runs up to six days past
the end date (see ``nkroutes.model.clock``), which adds departures, not noise.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from scipy import stats

from nkroutes.model import RouteModel, simulate
from scenario_builder import baseline_until, tiny_scenario

END = "1998-12"
SEEDS = range(1, 9)
T_MAX = 4.0


@pytest.mark.parametrize(
    ("step", "n_steps", "last_start"),
    [
        ("month", 24, dt.date(1991, 12, 1)),
        ("week", 105, dt.date(1991, 12, 30)),  # 1990-01-01 is a Monday; 730 days = 104 w + 2 d
        ("day", 730, dt.date(1991, 12, 31)),
    ],
)
def test_the_end_month_is_simulated(step: str, n_steps: int, last_start: dt.date) -> None:
    # time.end is included: the run covers every day to 1991-12-31 (weeks may overrun it).
    scenario = tiny_scenario({"time.step": step, "time.end": "1991-12"})
    model = RouteModel(scenario, seed=1)
    clock = model.clock
    assert clock.n_steps == n_steps
    assert clock.starts[0] == dt.date(1990, 1, 1)
    assert clock.starts[-1] == last_start
    assert clock.year_list == [1990, 1991]
    end = clock.starts[-1] + dt.timedelta(days=int(clock.step_days[-1]))
    assert dt.date(1992, 1, 1) <= end < dt.date(1992, 1, 8)
    result = model.run()
    assert result.n_steps_run == n_steps
    assert list(result.yearly()["year"]) == [1990, 1991]
    # People leave in the end month too (600 a year: about 50 in December).
    december = [i for i, start in enumerate(clock.starts) if start >= dt.date(1991, 12, 1)]
    assert result.flows["departures"][december].sum() > 10


#: Largest relative difference between monthly and weekly steps accepted for large counts.
REL_MAX = 0.02


def replicate_numbers(step: str) -> dict[str, np.ndarray]:
    scenario = baseline_until(END, {"time.step": step})
    rows = []
    for seed in SEEDS:
        result = simulate(scenario, seed=seed)
        yearly = result.yearly().set_index("year")
        summary = result.summary()
        rows.append(
            {
                "arrivals": summary["arrivals"],
                "arrivals 1997": yearly.loc[1997, "arrivals"],
                "arrivals 1998": yearly.loc[1998, "arrivals"],
                "repatriated": summary["repatriated"],
                "departures per day": summary["departures"] / result.clock.step_days.sum(),
            }
        )
    return {k: np.array([row[k] for row in rows], dtype=float) for k in rows[0]}


@pytest.mark.slow
def test_monthly_and_weekly_steps_agree_within_sampling_error() -> None:
    month = replicate_numbers("month")
    week = replicate_numbers("week")
    report = []
    failed = []
    for name in month:
        t = stats.ttest_ind(month[name], week[name], equal_var=False).statistic
        line = f"{name}: month {month[name].mean():.2f} week {week[name].mean():.2f} (t = {t:.2f})"
        report.append(line)
        rel = abs(month[name].mean() - week[name].mean()) / abs(month[name].mean())
        # Arrivals (what the issue asks) must agree within sampling error. The large counts
        # (repatriations: tens of thousands, relative noise ~0.2%) also show the model's
        # O(dt) discretisation (an arrest competes with leaving within a step; a migrant
        # acts from the step after it arrives): measured 0.9% apart; they must agree
        # within sampling error or within REL_MAX.
        if not (abs(t) <= T_MAX or (not name.startswith("arrivals") and rel <= REL_MAX)):
            failed.append(line)
    assert month["arrivals"].mean() > 20  # enough arrivals for the comparison to mean much
    assert not failed, "step length changes results beyond noise:\n" + "\n".join(report)
