"""The app's pieces without a browser: levers, the app model, live charts, the command."""

from __future__ import annotations

import socket
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("solara", reason="the app extra is part of the test extra")

from nkroutes.app.charts import LIVE_GID, arrivals_chart, live_yearly, map_chart, outcomes_chart
from nkroutes.app.levers import LEVERS, apply_levers, lever_defaults, model_params
from nkroutes.app.model import AppModel
from nkroutes.model import simulate
from nkroutes.scenario import load_scenario

ROOT = Path(__file__).resolve().parent.parent
BASELINE = ROOT / "scenarios" / "baseline.toml"


@pytest.fixture(scope="module")
def scenario():
    return load_scenario(BASELINE, {"time.end": "1993-12", "departures.base_rate_per_year": 200.0})


def _routes(values):
    return {r["id"]: r for r in values["routes"]}


def test_levers_at_their_defaults_leave_the_scenario_as_it_is(scenario):
    values = scenario.to_dict()
    assert apply_levers(values) == values
    assert apply_levers(values, **lever_defaults(values)) == values


def test_default_app_model_runs_exactly_the_scenario(scenario):
    model = AppModel(scenario, seed=3)
    result = model.run()
    reference = simulate(scenario, seed=3)
    assert np.array_equal(result.route_flows, reference.route_flows)
    for name, values in reference.flows.items():
        assert np.array_equal(result.flows[name], values), name


def test_closing_thailand_closes_the_routes_that_lead_only_there(scenario):
    routes = _routes(apply_levers(scenario.to_dict(), thailand_open=False))
    for rid in ("laos_thailand", "burma_thailand", "kunming_laos", "kunming_burma"):
        assert routes[rid]["open"] is False, rid
    assert routes["kunming_vietnam"].get("open", True)


def test_levers_hold_their_values_for_the_whole_run():
    values = load_scenario(BASELINE).to_dict()  # all of it: the events of 2000 and 2005 apply
    changed = apply_levers(
        values,
        repatriation_probability=0.2,
        broker_fee_factor=2.0,
        settlement_money_kept=True,
        border_stays_porous=True,
        proactive_asylum=True,
    )
    assert changed["enforcement"]["china"]["repatriation_probability"] == 0.2
    before, after = _routes(values), _routes(changed)
    assert after["nh_tumen"]["broker_fee_usd"] == 2 * before["nh_tumen"]["broker_fee_usd"]
    events = {e["id"]: e.get("set", {}) for e in changed["events"]}
    assert "places.south_korea.settlement_money_usd" not in events["settlement_cut"]
    assert "routes.nh_tumen.capture_probability" not in events["border_tightens"]
    assert "routes.nh_tumen.capture_probability" in events["porous_border"]
    assert (
        after["yanbian_beijing"]["capture_probability"]
        < before["yanbian_beijing"]["capture_probability"]
    )
    assert values == load_scenario(BASELINE).to_dict()  # the input is not changed


def test_unknown_lever_is_refused(scenario):
    with pytest.raises(TypeError, match="unknown levers"):
        apply_levers(scenario.to_dict(), thailand=False)


def test_model_params_suit_mesa_and_the_model(scenario):
    from mesa.visualization.solara_viz import _check_model_params

    params = {"scenario": scenario, "seed": 0, **model_params(scenario.to_dict())}
    _check_model_params(AppModel.__init__, params)
    assert {lever.name for lever in LEVERS} <= set(params)
    values = {k: v["value"] if isinstance(v, dict) else v for k, v in params.items()}
    model = AppModel(**values)
    assert model.settings["thailand_open"] is True


def test_a_lever_changes_the_run(scenario):
    base = AppModel(scenario, seed=1).run()
    lever = AppModel(scenario, seed=1, repatriation_probability=0.0).run()
    assert base.flows["repatriated"].sum() > 0
    assert lever.flows["repatriated"].sum() == 0


def test_live_charts_follow_the_steps_run(scenario):
    model = AppModel(scenario, seed=0)
    assert len(live_yearly(model)) == 0
    arrivals_chart(model), outcomes_chart(model), map_chart(model)  # drawable before a step
    for _ in range(30):
        model.step()
    yearly = live_yearly(model)
    assert list(yearly["year"]) == [1990, 1991, 1992]
    assert yearly["in_china"].iloc[-1] == model.stocks["in_china"][29]
    fig = arrivals_chart(model)
    (line,) = [ln for ln in fig.axes[0].lines if ln.get_gid() == LIVE_GID]
    assert list(line.get_xdata()) == [1990, 1991, 1992]
    assert map_chart(model).axes


def test_app_command_help_and_bad_scenario(cli, tmp_path):
    result = cli("app", "--help")
    assert result.exit_code == 0
    assert "Explore a scenario in the browser" in result.output
    bad = tmp_path / "bad.toml"
    bad.write_text("[time]\nstart = 12\n", encoding="utf-8")
    assert cli("app", bad).exit_code == 2


def test_server_command_keeps_solara_offline():
    from nkroutes.commands.app import OFFLINE_ENVIRONMENT, app_argv

    argv = app_argv("127.0.0.1", 8765, open_browser=False)
    assert "--no-check-version" in argv and "--no-open" in argv
    assert argv[argv.index("run") + 1] == "nkroutes.app.serve"
    assert OFFLINE_ENVIRONMENT["SOLARA_TELEMETRY_MIXPANEL_ENABLE"] == "False"


def test_ensemble_of_the_settings_draws_its_bands(scenario):
    from matplotlib.collections import PolyCollection

    from nkroutes.ensemble.runner import run_ensemble

    model = AppModel(scenario, seed=2, thailand_open=False)
    ensemble = run_ensemble(model.levered_values(), replicates=2, seed=model.seed, workers=1)
    assert ensemble.n_replicates == 2
    fig = arrivals_chart(model, ensemble)
    bands = [c for c in fig.axes[0].collections if isinstance(c, PolyCollection)]
    assert len(bands) >= 2  # 50% and 90%
    legend = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert any("2 replicates" in t for t in legend)


@pytest.fixture
def no_server(monkeypatch):
    """The command must stop before it starts a server: starting one fails the test."""
    import nkroutes.commands.app as app_module

    def refuse(*args, **kwargs):
        raise AssertionError("the server was started")

    monkeypatch.setattr(app_module.subprocess, "run", refuse)


@pytest.mark.parametrize("port", ["99999", "0", "-1", "65536"])
def test_app_port_out_of_range_is_a_usage_error(cli, no_server, port):
    result = cli("app", "--port", port)
    assert result.exit_code == 2
    assert f"Invalid value for '--port': {port} is not in the range 1<=x<=65535" in result.output
    assert "serving" not in result.output


def test_app_port_in_use_is_refused_before_it_is_announced(cli, no_server):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = cli("app", "--port", port)
    assert result.exit_code == 2
    assert result.output.strip() == f"Error: port {port} is in use; choose another with --port"


def test_app_serves_on_a_free_port(cli, monkeypatch):
    import nkroutes.commands.app as app_module

    started = []

    class Done:
        returncode = 0

    monkeypatch.setattr(
        app_module.subprocess, "run", lambda argv, **_: started.append(argv) or Done
    )
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    result = cli("app", "--port", port)
    assert result.exit_code == 0
    assert f"at http://127.0.0.1:{port}" in result.output
    assert started[0][started[0].index("--port") + 1] == str(port)
