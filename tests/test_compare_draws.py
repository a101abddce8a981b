"""``compare --draws``: effects over parameter points as well as replicates."""

from __future__ import annotations

import pandas as pd
import pytest

import nkroutes
from nkroutes.ensemble.posterior import Posterior
from nkroutes.sensitivity.draws import draw_points
from nkroutes.sensitivity.ranges import ranges_of
from scenario_builder import TINY_NO_REPATRIATION, dumps, ensemble_dict, write_posterior

RANGES = [
    {
        "id": "arrest",
        "path": "enforcement.china.arrest_rate_per_year",
        "low": 0.05,
        "high": 0.45,
        "scale": "log",
        "reason": "test",
    },
    {
        "id": "departures",
        "path": "departures.base_rate_per_year",
        "low": 100.0,
        "high": 400.0,
        "reason": "test",
    },
    {
        "id": "repatriation",
        "path": "enforcement.china.repatriation_probability",
        "low": 0.5,
        "high": 1.0,
        "reason": "test: the what-if's lever, which it keeps at 0",
    },
]


@pytest.fixture
def ranged_tiny(tmp_path):
    data = ensemble_dict()
    data["uncertainty"] = RANGES
    base = tmp_path / "tiny.toml"
    base.write_text(dumps(data), encoding="utf-8")
    whatif = tmp_path / "tiny-no-repatriation.toml"
    whatif.write_text(TINY_NO_REPATRIATION, encoding="utf-8")
    return base, whatif


@pytest.mark.slow  # about 10 s: three small comparisons of 4 replicates
def test_draws_report_both_intervals_and_the_share_of_robust_points(cli, ranged_tiny, tmp_path):
    base, whatif = ranged_tiny
    out = tmp_path / "out"
    result = cli(
        "compare",
        base,
        whatif,
        "--draws",
        2,
        "-n",
        4,
        "--workers",
        1,
        "--seed",
        3,
        "--out",
        out,
        "-q",
    )
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out / "draws.csv")
    row = table.set_index("outcome").loc["repatriated"]
    assert row["draws_q95"] < 0 and row["robust_share"] == 1.0  # no repatriation at all
    assert {"central", "draw-01", "draw-02"} <= {p.name for p in out.iterdir()}
    points = pd.read_csv(out / "points.csv")
    assert list(points.columns) == ["point", "arrest", "departures", "repatriation"]
    # the what-if keeps its lever: no repatriation at any point
    for d in ("draw-01", "draw-02"):
        toml = (out / d / "tiny-no-repatriation" / "scenario.toml").read_text()
        assert "repatriation_probability = 0.0" in toml
    text = (out / "comparison.md").read_text()
    assert "tiny-no-repatriation changes" in text and "robust in 100% of draws" in text
    assert (out / "plots" / "effects-draws.png").is_file()
    assert "robust in" in result.stdout
    # plot draws it again (after --no-plots, or a lost figure): it refused the folder
    (out / "plots" / "effects-draws.png").unlink()
    again = cli("plot", out)
    assert again.exit_code == 0, again.output
    assert again.stdout == f"wrote {out / 'plots' / 'effects-draws.png'}\n"
    assert (out / "plots" / "effects-draws.png").stat().st_size > 0


def test_latin_hypercube_points_cover_each_range_once_per_stratum(ranged_tiny):
    ranges = ranges_of(nkroutes.load_scenario(ranged_tiny[0]))
    points = draw_points(ranges, 10, seed=1, posterior=None)
    units = sorted(ranges[1].unit(p["departures.base_rate_per_year"]) for p in points)
    assert [int(u * 10) for u in units] == list(range(10))
    assert draw_points(ranges, 10, seed=1, posterior=None) == points


def test_posterior_points_take_the_sets_run_posterior_takes(ranged_tiny, tmp_path):
    folder = write_posterior(tmp_path / "cal", [150.0, 250.0, 350.0], [1, 2, 1])
    sets = pd.read_csv(folder / "posterior.csv")
    ranges = ranges_of(nkroutes.load_scenario(ranged_tiny[0]))
    points = draw_points(ranges, 8, seed=4, posterior=folder)
    plain = draw_points(ranges, 8, seed=4, posterior=None)
    posterior = Posterior.load(folder)
    for i, (point, other) in enumerate(zip(points, plain, strict=True)):
        row = posterior.row_of(4, i)
        assert point["departures.base_rate_per_year"] == sets["departures"][row]
        # the other ranges keep their hypercube values
        assert (
            point["enforcement.china.arrest_rate_per_year"]
            == (other["enforcement.china.arrest_rate_per_year"])
        )
    drawn = pd.Series([p["departures.base_rate_per_year"] for p in points]).value_counts()
    for value, expected in ((150.0, 2), (250.0, 4), (350.0, 2)):  # 8 points by weight 1:2:1
        assert abs(drawn.get(value, 0) - expected) <= 1


def test_draws_without_ranges_or_a_bad_posterior_exit_2(cli, tmp_path):
    base = tmp_path / "tiny.toml"
    base.write_text(dumps(ensemble_dict()), encoding="utf-8")
    whatif = tmp_path / "tiny-no-repatriation.toml"
    whatif.write_text(TINY_NO_REPATRIATION, encoding="utf-8")
    result = cli("compare", base, whatif, "--draws", 2, "--out", tmp_path / "o")
    assert result.exit_code == 2
    assert "tiny.toml: uncertainty: found no ranges, expected [[uncertainty]]" in result.stderr
    result = cli("compare", base, whatif, "--posterior", tmp_path, "--out", tmp_path / "o")
    assert result.exit_code == 2 and "--posterior: needs --draws" in result.stderr
