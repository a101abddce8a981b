"""The registry of outputs: one place from which tables, sentences, figures and docs are made."""

from __future__ import annotations

import pickle

import pandas as pd
import pytest

from nkroutes.analysis.outcomes import Outcome, comparison_outcomes
from nkroutes.ensemble.tasks import run_replicate
from nkroutes.model import FLOW_NAMES, STOCK_NAMES, outputs, simulate
from nkroutes.model import model as model_module
from nkroutes.model.outputs import (
    OUTPUTS,
    Counters,
    Output,
    UnknownOutputError,
    check_registry,
    output,
    summary_outputs,
)
from nkroutes.model.outputs_doc import DOCS, render
from nkroutes.model.outputs_doc import main as write_docs
from scenario_builder import ROOT, tiny_scenario

OUTPUTS_DOC = ROOT / "docs" / "outputs.md"
ODD = ROOT / "docs" / "ODD.md"


@pytest.mark.parametrize(
    ("doc", "blocks"), [(OUTPUTS_DOC, ("yearly", "summary", "labels")), (ODD, ("observation",))]
)
def test_docs_generated_from_the_registry_are_up_to_date(doc, blocks):
    """Run ``python -m nkroutes.model.outputs_doc docs/outputs.md docs/ODD.md`` if this fails."""
    assert DOCS == ("docs/outputs.md", "docs/ODD.md")
    text = doc.read_text(encoding="utf-8")
    assert render(text) == text
    for name in blocks:
        assert f"<!-- generated: {name} -->" in text


def test_the_docs_writer_rewrites_the_file(tmp_path):
    stale = tmp_path / "outputs.md"
    stale.write_text("# x\n<!-- generated: labels -->\nold\n<!-- end generated -->\n")
    assert write_docs([str(stale)]) == 0
    assert "| `broker_fees_usd` | flow | US$ | Money paid to brokers |" in stale.read_text()
    assert write_docs([]) == 2
    with pytest.raises(ValueError, match="unknown generated block"):
        render("<!-- generated: nothing -->\n<!-- end generated -->")


def test_one_label_per_output_and_the_tables_columns_unchanged():
    assert len({o.label for o in OUTPUTS}) == len(OUTPUTS)
    assert FLOW_NAMES[:3] == ("departures", "sponsored_departures", "retries")
    assert STOCK_NAMES[-2:] == ("family_fund_usd", "relatives_remaining")
    assert [o.name for o in summary_outputs()][-3:] == [
        "share_stayed_two_years",
        "median_cost_per_arrival_usd",
        "migrants_created",
    ]
    # One label for the money paid to brokers, in comparisons and figures alike.
    assert output("broker_fees_usd").label == "Money paid to brokers"
    assert Outcome.of("broker_fees_usd").label == "Money paid to brokers"


def test_a_result_has_exactly_the_registered_columns():
    result = simulate(tiny_scenario(), seed=1)
    yearly = result.yearly()
    destinations = [f"arrivals_{d}" for d in result.destination_ids]
    arrival_columns = [
        "arrivals_female",
        "arrivals_male",
        "arrivals_via_thai",
        "months_in_china_mean",
        "months_in_china_p25",
        "months_in_china_median",
        "months_in_china_p75",
    ]
    assert list(yearly.columns) == [
        "year",
        *FLOW_NAMES,
        *STOCK_NAMES,
        *destinations,
        *arrival_columns,
    ]
    expected = []
    for o in summary_outputs():
        expected += destinations if o.per_destination else [o.name]
    assert list(result.summary()) == expected


def test_an_unregistered_counter_is_refused():
    counters = Counters(("departures",))
    counters["departures"] += 2
    assert counters["departures"] == 2.0
    with pytest.raises(UnknownOutputError, match="'departurse' is not a registered flow"):
        counters["departurse"] += 1
    with pytest.raises(UnknownOutputError):
        counters["other"] = 1.0
    copied = pickle.loads(pickle.dumps(counters))
    assert copied == counters
    with pytest.raises(UnknownOutputError):
        copied["other"] += 1
    counters.clear()
    assert counters == {"departures": 0.0}
    with pytest.raises(UnknownOutputError, match=r"add it to nkroutes\.model\.outputs\.OUTPUTS"):
        output("no_such_output")


def test_the_registry_refuses_duplicates_and_unknown_kinds():
    with pytest.raises(ValueError, match="registered twice: arrivals"):
        check_registry((*OUTPUTS, output("arrivals")))
    with pytest.raises(ValueError, match="kind"):
        Output("x", "rate", "people", "X", "x")
    with pytest.raises(ValueError, match="unit"):
        Output("x", "flow", "litres", "X", "x")


def test_adding_an_output_touches_only_the_registry_and_the_process_that_counts_it(monkeypatch):
    """Register a flow, count it in one process: tables, wording and docs pick it up."""
    leaflets = Output(
        "leaflets_read",
        "flow",
        "people",
        "Leaflets read",
        "migrants who read a leaflet about the routes south",
        summary=20,
    )
    # 1. the registry
    monkeypatch.setattr(outputs, "OUTPUTS", (*OUTPUTS, leaflets))
    # 2. the process that counts it (here: departures, which also hands out two leaflets)
    depart = model_module.depart

    def depart_and_read(model: model_module.RouteModel) -> None:
        depart(model)
        model.counters["leaflets_read"] += 2

    monkeypatch.setattr(model_module, "depart", depart_and_read)

    scenario = tiny_scenario()
    result = simulate(scenario, seed=3)
    yearly = result.yearly()
    assert "leaflets_read" in yearly.columns
    assert yearly["leaflets_read"].sum() == 2 * result.n_steps_run
    assert list(result.summary())[-1] == "leaflets_read"
    tables = run_replicate(scenario.to_dict(), 0, 3).tables
    summary = pd.read_csv(pd.io.common.StringIO(tables["summary"]))
    assert summary["leaflets_read"].iloc[0] == 2 * result.n_steps_run
    assert Outcome.of("leaflets_read").describe("1990-2008", "2008") == (
        "leaflets read over 1990-2008"
    )
    text = render(OUTPUTS_DOC.read_text(encoding="utf-8"))
    assert "| `leaflets_read` | people | migrants who read a leaflet about the routes south |" in (
        text
    )
    assert "| `leaflets_read` | people | total over the run |" in text
    odd = ODD.read_text(encoding="utf-8")
    assert "`leaflets_read`" not in odd
    assert "`leaflets_read`" in render(odd)
    # Nothing else changed: the comparison's outcomes are the chosen few, as before.
    assert "leaflets_read" not in [o.column for o in comparison_outcomes(scenario.data)]
