"""``nkroutes sensitivity``: known indices of a fake model, resume, and bad input.

The fake model replaces the model run in the command (``evaluate_point``), so everything
else (ranges, design, executor, journal, SALib, report) is the command's own code path.
Its outcome is ``4 u_base + 2 u_famine`` (``u`` the position in the range, 0 to 1): Morris
mu* is 4 and 2 and exactly 0 for the three dummies; Sobol's S1 = ST = 0.8 and 0.2, 0 for
the dummies (variance 16/12 + 4/12).
"""

from __future__ import annotations

import json
import math
import shutil
from collections.abc import Mapping
from typing import Any

import pandas as pd
import pytest

import nkroutes
from nkroutes.commands import sensitivity as command
from nkroutes.scenario.paths import get_path
from nkroutes.sensitivity.analysis import screened_parameters

RANGES = [
    ("base", "departures.base_rate_per_year", 100.0, 400.0, "linear"),
    ("famine", "push_factors.famine.intensity", 2.0, 8.0, "log"),
    ("pds", "push_factors.pds.intensity", 1.0, 4.0, "linear"),
    ("chain", "chain_defection.share_of_settlement_sent", 0.01, 0.05, "log"),
    ("arrest", "enforcement.china.arrest_rate_per_year", 0.1, 0.3, "linear"),
]
ANALYTIC = {"base": 0.8, "famine": 0.2, "pds": 0.0, "chain": 0.0, "arrest": 0.0}


def _unit(task: Mapping[str, Any], i: int) -> float:
    _, path, low, high, scale = RANGES[i]
    v = get_path(task["scenario"], path)
    if scale == "log":
        return (math.log(v) - math.log(low)) / (math.log(high) - math.log(low))
    return (v - low) / (high - low)


def fake_model(task: Mapping[str, Any]) -> dict[str, Any]:
    """Outcome 4 u_base + 2 u_famine (+ 3 u_arrest in the what-if), the same per replicate."""
    y = 4 * _unit(task, 0) + 2 * _unit(task, 1)
    if task["scenario"]["meta"]["name"] == "fake-whatif":
        y += 3 * _unit(task, 4)
    n = len(task["seeds"])
    return {
        "index": task["index"],
        "outcomes": {o: [y] * n for o in task["outcomes"]},
        "error": None,
    }


def failing_model(task: Mapping[str, Any]) -> dict[str, Any]:
    """The fake model, whose ninth evaluation fails (an interrupted analysis)."""
    if task["index"] == 8:
        return {"index": 8, "outcomes": {}, "error": "RuntimeError: stopped for the test"}
    return fake_model(task)


@pytest.fixture
def fake(monkeypatch, write, small):
    """The scenario file with five ranges and a what-if, the command running the fake model."""
    small["meta"]["name"] = "fake"
    small["uncertainty"] = [
        {"id": i, "path": p, "low": lo, "high": hi, "scale": s, "reason": "test"}
        for i, p, lo, hi, s in RANGES
    ]
    base = write(small, "fake.toml")
    write('extends = "fake.toml"\n[meta]\nname = "fake-whatif"\n', "whatif.toml")
    monkeypatch.setattr(command, "evaluate_point", fake_model)
    return base


def _run(cli, base, out, *extra):
    return cli(
        "sensitivity", base, "--workers", 1, "--out", out, "--outcome", "arrivals", "-q", *extra
    )


def _index(frame: pd.DataFrame, outcome: str, index: str) -> pd.DataFrame:
    return frame[(frame["outcome"] == outcome) & (frame["index"] == index)].set_index("parameter")


def test_morris_finds_the_two_parameters_and_zero_for_the_dummies(cli, fake, tmp_path):
    whatif = tmp_path / "whatif.toml"
    result = _run(cli, fake, tmp_path / "m", "--trajectories", 4, "--whatif", whatif)
    assert result.exit_code == 0, result.output
    indices = pd.read_csv(tmp_path / "m" / "sensitivity.csv")
    assert list(indices.columns) == ["outcome", "parameter", "index", "value", "ci_low", "ci_high"]
    mu = _index(indices, "arrivals", "mu_star")["value"]
    assert mu["base"] == pytest.approx(4) and mu["famine"] == pytest.approx(2)
    assert mu[["pds", "chain", "arrest"]].abs().max() < 1e-9
    effect = _index(indices, "fake-whatif: arrivals", "mu_star")["value"]
    assert effect["arrest"] == pytest.approx(3)  # paired: the baseline's terms cancel
    assert effect.drop("arrest").abs().max() < 1e-9
    text = (tmp_path / "m" / "sensitivity.md").read_text()
    assert "Two of 5 assumptions carry 80% of the summed mu* of arrivals: base (67%)" in text
    # Five values: all are in the top five in every resample of the trajectories.
    assert (
        "Ranking stability: in 1,000 bootstrap resamples of the 4 trajectories, the top 5 are "
        "these same 5 in 100%. In the top 5 in 95% or more: " in text
    )
    assert "| sigma | in top 5 | range |" in text
    assert (
        "One of 5 assumptions carries 80% of the summed mu* of the effect of fake-whatif on "
        "arrivals: arrest (100%)" in text
    )
    assert (tmp_path / "m" / "figures" / "morris-arrivals.png").is_file()
    kept = screened_parameters(tmp_path / "m", keep=2)
    assert kept == ["base", "famine", "arrest"]  # the baseline's two, then the effect's
    sobol = _run(
        cli,
        fake,
        tmp_path / "k",
        "--method",
        "sobol",
        "--samples",
        16,
        "--screening",
        tmp_path / "m",
    )
    assert sobol.exit_code == 0, sobol.output
    assert "--param base --param famine" in (tmp_path / "k" / "sensitivity.md").read_text()


@pytest.mark.slow  # about 6 s: 448 evaluations of the fake model
def test_sobol_indices_hold_the_analytic_values_within_their_intervals(cli, fake, tmp_path):
    result = _run(cli, fake, tmp_path / "s", "--method", "sobol", "--samples", 64, "--seed", 3)
    assert result.exit_code == 0, result.output
    indices = pd.read_csv(tmp_path / "s" / "sensitivity.csv")
    for index in ("S1", "ST"):
        rows = _index(indices, "arrivals", index)
        for name, value in ANALYTIC.items():
            low, high = rows.loc[name, "ci_low"], rows.loc[name, "ci_high"]
            assert low - 1e-6 <= value <= high + 1e-6, (index, name, low, high)


def test_an_interrupted_analysis_resumes_to_identical_files(cli, fake, tmp_path, monkeypatch):
    assert _run(cli, fake, tmp_path / "whole", "-r", 3).exit_code == 0
    monkeypatch.setattr(command, "evaluate_point", failing_model)
    broken = _run(cli, fake, tmp_path / "cut", "-r", 3)
    assert broken.exit_code == 1
    assert "To continue:" in broken.stderr and "--resume" in broken.stderr
    journal = (tmp_path / "cut" / "evaluations.jsonl").read_text().splitlines()
    assert len(journal) == 8
    with (tmp_path / "cut" / "evaluations.jsonl").open("a") as f:
        f.write('{"index": 9, "outc')  # cut off mid-write
    monkeypatch.setattr(command, "evaluate_point", fake_model)
    resumed = _run(cli, fake, tmp_path / "cut", "-r", 3, "--resume")
    assert resumed.exit_code == 0, resumed.output
    manifest = json.loads((tmp_path / "cut" / "manifest.json").read_text())
    assert manifest["evaluations_this_session"] == manifest["evaluations"] - 8
    for name in ("sensitivity.csv", "sensitivity.md", "points.csv"):
        assert (tmp_path / "cut" / name).read_bytes() == (tmp_path / "whole" / name).read_bytes()


@pytest.mark.parametrize(
    ("damage", "expected"),
    [
        (("evaluations.jsonl", '{"garbage": 1}\n'), "evaluations.jsonl: line "),
        (("sensitivity.json", "not json"), "expected the JSON object an analysis writes"),
        (("sensitivity.json", "[1, 2]"), "expected the JSON object an analysis writes"),
    ],
)
def test_a_damaged_analysis_is_not_resumed(cli, fake, tmp_path, damage, expected):
    out = tmp_path / "a"
    assert _run(cli, fake, out, "-r", 2).exit_code == 0
    name, text = damage
    with (out / name).open("a" if name.endswith("jsonl") else "w") as handle:
        handle.write(text)
    result = _run(cli, fake, out, "-r", 2, "--resume")
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output and expected in result.stderr
    assert "pass --force to start over" in result.stderr


def test_resume_refuses_other_settings_and_force_starts_over(cli, fake, tmp_path):
    assert _run(cli, fake, tmp_path / "a", "-r", 2).exit_code == 0
    other = _run(cli, fake, tmp_path / "a", "-r", 2, "--resume", "--seed", 5)
    assert other.exit_code == 2
    assert "sensitivity.json: found an analysis with other settings (--seed 1 there, 5 now)" in (
        other.stderr
    )
    two = ["--param", RANGES[0][0], "--param", RANGES[1][0]]
    trajectories = _run(cli, fake, tmp_path / "a", "-r", 3, "--resume", *two)
    assert trajectories.exit_code == 2
    assert (
        "(--trajectories/--samples 2 there, 3 now; "
        f"--param none there, {RANGES[0][0]},{RANGES[1][0]} now; the [[uncertainty]] ranges differ)"
    ) in trajectories.stderr
    assert _run(cli, fake, tmp_path / "a", "-r", 2).exit_code == 2  # occupied
    assert _run(cli, fake, tmp_path / "a", "-r", 2, "--force", "--seed", 5).exit_code == 0


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("--outcome", "happiness"), "--outcome: found 'happiness', expected one of arrivals"),
        (("--outcome", "arrivals_2050"), "arrivals_<year> for a year of 1990-2008"),
        (("--outcome", "log_broker_share"), "found 'log_broker_share', expected one of"),
        (("--param", "nope"), "--param: found nope, expected ids of [[uncertainty]]"),
        (("--method", "sobol", "--samples", 48), "--samples: found 48, expected a power of 2"),
        (
            ("--method", "sobol", "--samples", 8),
            "8 is not in the range x>=16",
        ),
        (("--param", RANGES[0][0]), f"--param: found 1 range to vary ({RANGES[0][0]}), expected"),
    ],
)
def test_bad_options_exit_2_saying_what_was_expected(cli, fake, tmp_path, args, expected):
    result = cli("sensitivity", fake, "--workers", 1, "--out", tmp_path / "x", *args)
    assert result.exit_code == 2
    assert expected in result.stderr
    assert not (tmp_path / "x" / "evaluations.jsonl").exists()


@pytest.mark.parametrize(("key", "value"), [("end", "1991-12"), ("step", "week")])
def test_a_what_if_on_another_time_axis_exits_2(cli, fake, write, tmp_path, key, value):
    other = write(f'extends = "fake.toml"\n[meta]\nname = "other"\n[time]\n{key} = "{value}"\n')
    result = cli("sensitivity", fake, "--whatif", other, "--workers", 1, "--out", tmp_path / "x")
    assert result.exit_code == 2
    assert f"{other}: time.{key} is '{value}', but {fake} has " in result.stderr
    assert not (tmp_path / "x").exists()


def test_a_range_that_leaves_out_its_value_exits_2_naming_file_and_key(cli, write, small, tmp_path):
    small["uncertainty"] = [
        {"id": "arrest", "path": RANGES[4][1], "low": 0.2, "high": 0.3, "reason": "r"},
        {"id": "base", "path": RANGES[0][1], "low": 100.0, "high": 300.0, "reason": "r"},
    ]
    path = write(small, "bad.toml")
    result = cli("sensitivity", path, "--workers", 1, "--out", tmp_path / "x")
    assert result.exit_code == 2
    assert (
        f"{path}: uncertainty.arrest.low: found 0.2 to 0.3, which leaves out 0.15" in result.stderr
    )
    assert "expected a range that holds the scenario's value" in result.stderr


def test_the_api_returns_dataframes(fake, tmp_path):
    result = nkroutes.sensitivity(
        fake,
        trajectories=2,
        outcomes=["arrivals"],
        workers=1,
        out=tmp_path / "api",
        evaluate=fake_model,
    )
    assert set(result.indices["index"]) == {"mu_star", "mu", "sigma", "top_share", "top_set_share"}
    assert len(result.points) == 2 * 6
    text = (tmp_path / "api" / "sensitivity.md").read_text(encoding="utf-8")
    assert f"- command: `nkroutes sensitivity {fake} --method morris --trajectories 2" in text
    shutil.rmtree(tmp_path / "api")
    # A scenario changed after loading: no command line would run it (one was recorded
    # that ran 1990-2008 where the call had run 1990-1992).
    shorter = nkroutes.load_scenario(fake, {"time.end": "1992-12"})
    opts = {"trajectories": 2, "outcomes": ["arrivals"], "workers": 1, "evaluate": fake_model}
    nkroutes.sensitivity(shorter, out=tmp_path / "short", **opts)
    text = (tmp_path / "short" / "sensitivity.md").read_text(encoding="utf-8")
    assert f"- command: none reproduces it: `{fake}` differ from their files" in text


def test_progress_lines_when_stderr_is_not_a_terminal(cli, fake, tmp_path):
    # Without -q and with standard error not a terminal (a log), progress comes as lines;
    # the command reads the count done from them as from a bar (a traceback until 2026-12-03).
    result = cli(
        "sensitivity",
        fake,
        "--workers",
        1,
        "--out",
        tmp_path / "m",
        "--outcome",
        "arrivals",
        "--trajectories",
        2,
    )
    assert result.exit_code == 0, result.output
    assert (tmp_path / "m" / "sensitivity.csv").exists()


def test_ends_gives_each_values_swing_and_fold_from_the_centre(cli, fake, small, tmp_path):
    # 2 x 5 + 1 = 11 points: the centre (the scenario's own values), then each value alone
    # at its low and high end. Swings are the fake model's coefficients, exactly.
    whatif = tmp_path / "whatif.toml"
    result = _run(cli, fake, tmp_path / "e", "--method", "ends", "--whatif", whatif)
    assert result.exit_code == 0, result.output
    indices = pd.read_csv(tmp_path / "e" / "sensitivity.csv")
    points = pd.read_csv(tmp_path / "e" / "points.csv")
    assert len(points) == 11 * 2
    swing = _index(indices, "arrivals", "swing")["value"]
    assert swing["base"] == pytest.approx(4) and swing["famine"] == pytest.approx(2)
    assert swing[["pds", "chain", "arrest"]].abs().max() < 1e-9
    centre = {name: _unit({"scenario": small}, i) for i, (name, *_) in enumerate(RANGES)}
    central = 4 * centre["base"] + 2 * centre["famine"]
    at = _index(indices, "arrivals", "at_low")["value"]
    assert at["base"] == pytest.approx(2 * centre["famine"])
    assert _index(indices, "arrivals", "central")["value"]["pds"] == pytest.approx(central)
    high = 4 + 2 * centre["famine"]
    expected_fold = max(high / central, central / (2 * centre["famine"]))
    assert _index(indices, "arrivals", "fold")["value"]["base"] == pytest.approx(expected_fold)
    effect = _index(indices, "fake-whatif: arrivals", "swing")["value"]
    assert effect["arrest"] == pytest.approx(3) and effect.drop("arrest").abs().max() < 1e-9
    text = (tmp_path / "e" / "sensitivity.md").read_text()
    assert "# Each value alone at its ends of fake" in text
    assert (
        "Two of 5 assumptions carry 80% of the summed swing (each value alone, end to end) of "
        "arrivals: base (67%), famine (33%)." in text
    )
    assert "--method ends -n 1 --seed 1" in text  # no design size for ends
    assert "| arrest | 3 | 0 | 3 | - | 0.1-0.3 |" in text  # an effect has no fold
    assert (tmp_path / "e" / "figures" / "ends-arrivals.png").is_file()


def test_tornado_shows_both_ends_when_they_move_the_outcome_the_same_way(tmp_path, monkeypatch):
    """A value whose two ends both raise the outcome gets two bars that do not overlap."""
    from nkroutes.plots import sensitivity as figures

    rows = [
        {"outcome": "arrivals", "parameter": "relatives", "index": index, "value": value}
        for index, value in (("swing", 4.0), ("at_low", 20.0), ("at_high", 16.0), ("central", 12.0))
    ]
    indices = pd.DataFrame(rows).assign(ci_low=math.nan, ci_high=math.nan)
    drawn = {}
    monkeypatch.setattr(
        figures, "save_figure", lambda fig, path, _fmt: drawn.setdefault("fig", fig)
    )
    figures.tornado_figure(indices, "arrivals", tmp_path / "t.png")
    low_bar, high_bar = (c.patches[0] for c in drawn["fig"].axes[0].containers)
    assert (low_bar.get_x(), low_bar.get_width()) == (12.0, 8.0)
    assert (high_bar.get_x(), high_bar.get_width()) == (12.0, 4.0)
    assert low_bar.get_y() + low_bar.get_height() <= high_bar.get_y()  # side by side


def test_fold_names_the_ends_that_move_an_outcome_threefold():
    from nkroutes.sensitivity.design import fold
    from nkroutes.sensitivity.report import fold_sentence

    assert fold(2.0, 30.0, 10.0) == pytest.approx(5.0)
    assert fold(2.0, 12.0, 10.0) == pytest.approx(5.0)  # below: 10 / 2
    assert math.isnan(fold(-1.0, 12.0, 10.0)) and math.isnan(fold(1.0, 2.0, 0.0))
    ranked = pd.DataFrame(
        {
            "swing": [28.0, 2.0],
            "at_low": [2.0, 9.0],
            "at_high": [30.0, 11.0],
            "central": [10.0, 10.0],
            "fold": [5.0, 1.1],
        },
        index=["remittance", "share_female"],
    )
    assert fold_sentence(ranked, "arrivals") == (
        "1 value alone moves arrivals 3-fold or more from the centre's 10: remittance (2 at its "
        "low end, 30 at its high end)."
    )
    assert fold_sentence(ranked.tail(1), "arrivals") == (
        "No value alone moves arrivals 3-fold from the centre's."
    )


def test_force_never_deletes_another_commands_results(cli, fake, tmp_path):
    calibration = tmp_path / "cal"
    calibration.mkdir()
    (calibration / "calibration.json").write_text("{}\n", encoding="utf-8")
    (calibration / "evaluations.jsonl").write_text('{"index": 0, "values": [1]}\n')
    refused = _run(cli, fake, calibration, "-r", 2, "--force")
    assert refused.exit_code == 2
    assert "holds a calibration (nkroutes calibrate), not a sensitivity analysis" in refused.stderr
    assert (calibration / "evaluations.jsonl").read_text() == '{"index": 0, "values": [1]}\n'
    analysis = tmp_path / "s"
    assert _run(cli, fake, analysis, "-r", 2).exit_code == 0
    before = {p.name: p.read_bytes() for p in analysis.iterdir() if p.is_file()}
    run = cli(
        "run", fake, "-n", 1, "--workers", 1, "--no-plots", "-q", "--out", analysis, "--force"
    )
    assert run.exit_code == 2
    assert "holds a sensitivity analysis (nkroutes sensitivity), not a run" in run.stderr
    assert {p.name: p.read_bytes() for p in analysis.iterdir() if p.is_file()} == before
