"""yearly.csv's columns from the migrant table: arrivals by sex and last leg, time in China."""

from __future__ import annotations

import numpy as np
import pandas as pd

from nkroutes.ensemble.results import time_in_china_rows
from nkroutes.model import State, simulate
from nkroutes.model.outputs import FLOW_NAMES, money_names, registered
from nkroutes.model.outputs_arrivals import arrival_columns, people_flow_columns, via_places
from scenario_builder import tiny_scenario


def test_arrival_columns_add_up_to_the_arrivals_of_each_year():
    result = simulate(tiny_scenario(), seed=2)
    yearly = result.yearly()
    assert (yearly["arrivals_female"] + yearly["arrivals_male"]).equals(yearly["arrivals"])
    assert yearly["arrivals_via_thai"].equals(yearly["arrivals"])
    with_arrivals = yearly["arrivals"] > 0
    assert yearly.loc[with_arrivals, "months_in_china_median"].notna().all()
    ordered = yearly.loc[with_arrivals, [f"months_in_china_{q}" for q in ("p25", "median", "p75")]]
    assert (ordered.diff(axis=1).iloc[:, 1:] >= 0).all().all()


def test_time_in_china_rows_by_year_match_the_migrants():
    result = simulate(tiny_scenario(), seed=2)
    rows = time_in_china_rows(0, result)
    assert list(rows.columns) == ["replicate", "year", "months", "arrivals"]
    yearly = result.yearly().set_index("year")
    per_year = rows.groupby("year")["arrivals"].sum()
    assert per_year.equals(yearly.loc[per_year.index, "arrivals"].rename("arrivals"))
    arrived = result.migrants["state"] == State.ARRIVED
    assert rows["arrivals"].sum() == int(arrived.sum())


def test_arrival_columns_by_hand():
    out = arrival_columns(
        year_index=np.array([0, 0, 1, 1, 1]),
        n_years=3,
        female=np.array([True, False, True, True, False]),
        via=np.array([0, 1, 1, -1, 0]),
        via_ids=["thai", "mongolia"],
        months=np.array([10.0, 20.0, 0.0, 30.0, 40.0]),
    )
    assert out["arrivals_female"].tolist() == [1, 2, 0]
    assert out["arrivals_male"].tolist() == [1, 1, 0]
    assert out["arrivals_via_thai"].tolist() == [1, 1, 0]
    assert out["arrivals_via_mongolia"].tolist() == [1, 1, 0]
    assert out["months_in_china_mean"][:2].tolist() == [15.0, 35.0]  # the 0 is not via China
    assert np.isnan(out["months_in_china_mean"][2])
    assert out["months_in_china_median"][:2].tolist() == [15.0, 35.0]
    assert via_places(["a", "b", "c"], ["b", "sk", "sk"], ["sk"]) == ["b", "c"]
    assert isinstance(pd.DataFrame(out), pd.DataFrame)


def test_people_flow_columns_are_the_yearly_counts_of_people_a_run_writes():
    scenario = tiny_scenario()
    columns = people_flow_columns(FLOW_NAMES, scenario.data, registered())
    yearly = simulate(scenario, seed=2).yearly()
    assert set(columns) <= set(yearly.columns)
    assert columns.index("arrivals") < columns.index("arrivals_via_thai")
    assert {"arrivals_female", "arrivals_male", "departures"} <= set(columns)
    assert not set(columns) & (money_names() | {"hiding", "months_in_china_median", "year"})
