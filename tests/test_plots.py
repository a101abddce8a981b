"""Figures: every one renders from a small real ensemble, shows the observed data, and a
results directory that lacks data for a figure skips it with the reason."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import matplotlib.image as mpimg
import numpy as np
import pandas as pd
import pytest

from nkroutes.ensemble.results import TABLE_FILES, Results
from nkroutes.model import simulate
from nkroutes.observed import south_korea_arrivals
from nkroutes.plots import (
    FigureReport,
    arrivals_over_time,
    comparison_figures,
    paired_effects,
    plot_comparison,
    plot_results,
    results_figures,
    stocks_and_flows,
    time_in_china_histogram,
)
from nkroutes.plots.arrivals import OBSERVED_GID
from nkroutes.plots.effects import figure_height
from nkroutes.plots.stocks import OBSERVED_REPATRIATED_GID
from nkroutes.plots.style import DPI, save_figure
from nkroutes.scenario import scenario_from_dict
from nkroutes.scenario.toml_write import dumps
from scenario_builder import small_dict

#: Figure file -> (height, width) in pixels: 10 inches wide at 160 dpi, heights per figure.
EXPECTED_SHAPES = {
    "arrivals.png": (1200, 1600),
    "outcomes.png": (1200, 1600),
    "route_flows.png": (1120, 1600),
    "time_in_china.png": (1000, 1600),
    "stocks_and_flows.png": (1440, 1600),
}


@pytest.fixture(scope="module")
def results() -> Results:
    """Three replicates of the small map over 1990-2008 (every kind of place, push factors and
    events; about 1 s each: three of the baseline took 8 s of the fast loop)."""
    scenario = scenario_from_dict(small_dict(), source="<small>")
    return Results.from_runs(
        scenario.to_dict(), [(k, simulate(scenario, seed=k)) for k in range(3)]
    )


def write_results_dir(results: Results, directory: Path) -> Path:
    """Write the tables as ``nkroutes run`` lays them out (CSV per table, scenario.toml)."""
    directory.mkdir(parents=True, exist_ok=True)
    for table, file in TABLE_FILES.items():
        getattr(results, table).to_csv(directory / file, index=False)
    (directory / "scenario.toml").write_text(dumps(results.scenario), encoding="utf-8")
    return directory


def assert_real_image(path: Path, shape: tuple[int, int]) -> None:
    """A readable PNG of the given size that is not blank: ink and contrast above a floor."""
    image = mpimg.imread(path)
    assert image.shape[:2] == shape, path.name
    grey = image[..., :3].mean(axis=2)
    assert grey.std() > 0.08, f"{path.name}: almost uniform (std {grey.std():.3f})"
    inked = float(np.mean(grey < 0.9))
    assert inked > 0.03, f"{path.name}: only {inked:.1%} of pixels are not white"


def comparison_table() -> pd.DataFrame:
    rows = []
    for whatif, scale in (("china_stops_repatriating", 1.0), ("thailand_closes", -0.4)):
        for outcome, effect, half_width in (
            ("arrivals", 900.0, 300.0),
            ("died", -20.0, 60.0),
            ("median_months_in_china_at_arrival", 4.0, 1.5),
            ("share_stayed_two_years", 0.05, 0.02),
        ):
            estimate = effect * scale
            rows.append(
                {
                    "whatif": whatif,
                    "outcome": outcome,
                    "median_difference": estimate,
                    "ci_low": estimate - half_width,
                    "ci_high": estimate + half_width,
                }
            )
    return pd.DataFrame(rows)


@pytest.mark.slow
def test_every_run_figure_is_a_nonblank_image_of_the_expected_size(results, tmp_path):
    written = plot_results(results, tmp_path / "plots")
    assert [p.name for p in written] == list(EXPECTED_SHAPES)
    for path in written:
        assert path.parent == tmp_path / "plots"
        assert_real_image(path, EXPECTED_SHAPES[path.name])
    assert not list((tmp_path / "plots").glob(".*"))  # no temporary files left behind


def test_arrivals_figure_shows_table_1_as_observed_points(results):
    fig = arrivals_over_time(results)
    observed = [line for ax in fig.axes for line in ax.lines if line.get_gid() == OBSERVED_GID]
    assert len(observed) == 1
    table = south_korea_arrivals()
    np.testing.assert_array_equal(observed[0].get_xdata(), table["year"].to_numpy())
    np.testing.assert_array_equal(observed[0].get_ydata(), table["arrivals"].to_numpy())
    assert fig.get_suptitle() == "Arrivals per year: small (3 replicates)"
    # The model's median line follows the ensemble's median per year.
    median = results.yearly.groupby("year")["arrivals_south_korea"].median()
    model = fig.axes[0].get_lines()[0]
    np.testing.assert_array_equal(model.get_xdata(), median.index.to_numpy())
    np.testing.assert_allclose(model.get_ydata(), median.to_numpy(), atol=1e-9)


def test_stocks_figure_marks_the_articles_repatriations_in_2000(results):
    fig = stocks_and_flows(results)
    marks = [
        line for ax in fig.axes for line in ax.lines if line.get_gid() == OBSERVED_REPATRIATED_GID
    ]
    assert len(marks) == 1
    assert list(marks[0].get_xdata()) == [2000]
    assert list(marks[0].get_ydata()) == [6000.0]
    assert [ax.get_title() for ax in fig.axes] == [
        "North Koreans in China at year end",
        "Repatriated to North Korea",
        "Deaths",
    ]


def test_time_in_china_prints_the_articles_and_the_models_share(results):
    fig = time_in_china_histogram(results)
    (box,) = [t for t in fig.axes[0].texts if t.get_gid() == "two_year_shares"]
    text = box.get_text()
    assert "Article: 83% of defectors in China had stayed two years or more" in text
    assert "Model: share of arrivals who passed through China who stayed two years" in text
    stock = results.summary["share_in_china_two_years_end"]
    low, high = np.quantile(stock, [0.05, 0.95])
    assert (
        "Model, of those in China at the end of the run (median, 90%):\n"
        f"  {stock.median():.0%} ({low:.0%} to {high:.0%})\n"
    ) in text
    assert "median of 3 replicates" in text
    shares = results.summary["share_stayed_two_years"]
    low, high = np.quantile(shares, [0.05, 0.95])
    assert text.endswith(f"  {shares.median():.0%} ({low:.0%} to {high:.0%})")


def test_effects_forest_plot_draws_each_estimate_and_fills_those_excluding_zero(tmp_path):
    table = comparison_table()
    fig = paired_effects(table)
    markers = {
        line.get_gid(): line for ax in fig.axes for line in ax.lines if line.get_gid() is not None
    }
    assert len(markers) == len(table)
    for row in table.itertuples(index=False):
        line = markers[f"effect:{row.whatif}:{row.outcome}"]
        assert list(line.get_xdata()) == [row.median_difference]
        hollow = line.get_markerfacecolor() == "white"
        assert hollow == (row.ci_low <= 0 <= row.ci_high), (row.whatif, row.outcome)
    assert [ax.get_title(loc="left") for ax in fig.axes] == [
        "Arrivals, all destinations",
        "Deaths",
        "Months in China at arrival (median)",
        "Share of arrivals who stayed in China two years+",
    ]
    for ax in fig.axes:  # zero is marked in every panel
        assert any(list(line.get_xdata()) == [0.0, 0.0] for line in ax.lines)
    path = save_figure(fig, tmp_path / "effects.png", "png")
    assert_real_image(path, (round(figure_height(4, 2) * DPI), 1600))


@pytest.mark.slow
def test_comparison_writes_effects_and_every_scenario_side_by_side(results, tmp_path):
    whatif = dataclasses.replace(
        results, scenario={**results.scenario, "meta": {"name": "china_stops_repatriating"}}
    )
    scenarios = {"baseline": results, "china_stops_repatriating": whatif}
    written = plot_comparison(comparison_table(), scenarios, tmp_path, "png")
    assert [p.name for p in written] == [
        "effects.png",
        "arrivals.png",
        "outcomes.png",
        "time_in_china.png",
        "stocks_and_flows.png",
        "route_flows_baseline.png",
        "route_flows_china_stops_repatriating.png",
    ]
    assert_real_image(tmp_path / "outcomes.png", EXPECTED_SHAPES["outcomes.png"])
    title = arrivals_over_time(scenarios).get_suptitle()
    assert title == "Arrivals per year: baseline, china_stops_repatriating (3 replicates each)"


def test_missing_tables_and_columns_skip_their_figures_with_the_reason(results, tmp_path):
    lacking = dataclasses.replace(
        results,
        routes=pd.DataFrame(),
        yearly=results.yearly.drop(columns=["in_china"]),
        directory=tmp_path,
    )
    report = results_figures(lacking, tmp_path / "plots")
    assert [p.name for p in report.written] == ["arrivals.png", "outcomes.png", "time_in_china.png"]
    assert report.skipped == [
        ("route_flows", f"{tmp_path / 'routes.csv'} is missing or empty"),
        ("stocks_and_flows", f"{tmp_path / 'yearly.csv'} has no column(s) in_china"),
    ]
    assert (
        report.lines()[-1]
        == f"skipped stocks_and_flows: {tmp_path / 'yearly.csv'} has no column(s) in_china"
    )


def test_a_comparison_without_its_table_skips_the_effects(results, tmp_path):
    report = comparison_figures(None, {}, tmp_path)
    assert report.written == []
    assert report.skipped == [
        ("effects", "the comparison table (comparison.csv) is missing or empty"),
        ("scenario figures", "no scenario results to draw"),
    ]
    bad = comparison_table().drop(columns=["ci_low"])
    report = comparison_figures(bad, {}, tmp_path)
    assert report.skipped[0] == ("effects", "comparison.csv has no column(s) ci_low")


def test_unknown_format_is_refused(results, tmp_path):
    with pytest.raises(ValueError, match="figure format 'gif'; expected one of png, svg, pdf"):
        results_figures(results, tmp_path, "gif")
    assert not tmp_path.joinpath("arrivals.gif").exists()


def test_same_figure_twice_gives_identical_files(results, tmp_path):
    first = save_figure(time_in_china_histogram(results), tmp_path / "a.png", "png")
    second = save_figure(time_in_china_histogram(results), tmp_path / "b.png", "png")
    assert first.read_bytes() == second.read_bytes()
    svg = save_figure(time_in_china_histogram(results), tmp_path / "a.svg", "svg")
    assert svg.read_text(encoding="utf-8").lstrip().startswith("<?xml")


def test_figure_report_lines():
    report = FigureReport([Path("p/a.png")], [("effects", "no table")])
    assert report.lines() == ["wrote p/a.png", "skipped effects: no table"]


# ----------------------------------------------------------------------------- command line


@pytest.mark.slow
def test_plot_command_writes_figures_into_the_results_directory(results, tmp_path, cli):
    directory = write_results_dir(results, tmp_path / "run")
    result = cli("plot", str(directory), "--format", "svg")
    assert result.exit_code == 0, result.output
    names = sorted(p.name for p in (directory / "plots").iterdir())
    assert names == sorted(n.replace(".png", ".svg") for n in EXPECTED_SHAPES)
    assert f"wrote {directory / 'plots' / 'arrivals.svg'}" in result.output


def test_plot_command_skips_what_is_missing_and_says_why(results, tmp_path, cli):
    directory = write_results_dir(results, tmp_path / "run")
    for file in ("routes.csv", "places.csv", "time_in_china.csv", "summary.csv"):
        (directory / file).unlink()
    result = cli("plot", str(directory))
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (directory / "plots").iterdir()) == [
        "arrivals.png",
        "stocks_and_flows.png",
    ]
    assert f"skipped route_flows: {directory / 'routes.csv'} is missing or empty" in result.output
    assert f"skipped outcomes: {directory / 'summary.csv'}: not found, or holds no rows" in (
        result.output
    )
    assert "Traceback" not in result.output


def test_plot_command_refuses_a_directory_without_results(tmp_path, cli):
    result = cli("plot", str(tmp_path / "absent"))
    assert result.exit_code == 2
    assert f"{tmp_path / 'absent'}: no such results directory" in result.output
    result = cli("plot", str(tmp_path))
    assert result.exit_code == 2
    assert "found none of yearly.csv" in result.output
    (tmp_path / "summary.csv").write_text('replicate,arrivals\n"0,1\n', encoding="utf-8")
    result = cli("plot", str(tmp_path))
    assert result.exit_code == 2
    assert f"{tmp_path / 'summary.csv'}: cannot read the results" in result.output
    assert "Traceback" not in result.output


def test_plot_command_refuses_an_unfinished_run_and_says_how_to_complete_it(tmp_path, cli):
    run = tmp_path / "run"
    for k in (0, 1):  # two whole parts: every table, each ending with a line break
        (run / "parts" / f"r{k:06d}").mkdir(parents=True)
        for file in TABLE_FILES.values():
            (run / "parts" / f"r{k:06d}" / file).write_text("replicate\n0\n")
    (run / "scenario.toml").write_text('[meta]\nname = "s"\n')
    command = f"nkroutes run s.toml -n 6 --out {run}"
    (run / "manifest.json").write_text(
        json.dumps({"status": "running", "replicates": 6, "seed": 0, "command": command})
    )
    result = cli("plot", str(run))
    assert result.exit_code == 2
    assert result.stderr == (
        f"Error: {run} is an unfinished run (2 of 6 replicates); complete it with: "
        f"nkroutes run s.toml -n 6 --out {run} --resume\n"
    )
    assert not (run / "plots").exists()


def test_plot_command_on_a_folder_of_runs_points_at_latest(results, tmp_path, cli):
    directory = write_results_dir(results, tmp_path / "baseline" / "20250101T000000")
    (directory / "manifest.json").write_text('{"status": "complete"}')
    (tmp_path / "baseline" / "latest").symlink_to(directory.name)
    result = cli("plot", str(tmp_path / "baseline"))
    assert result.exit_code == 2
    assert f"name one, e.g. {tmp_path / 'baseline' / 'latest'} (the newest" in result.stderr


def test_effects_read_label_unit_and_pairs_from_the_comparison_table():
    table = pd.DataFrame(
        {
            "baseline": ["baseline", "baseline"],
            "whatif": ["brokers_dearer", "brokers_dearer"],
            "outcome": ["broker_fees_usd", "broker_assisted_share"],
            "label": ["Money paid to brokers", "Share of arrivals helped by a broker"],
            "unit": ["usd", "share"],
            "pairs": [20, 20],
            "median_difference": [3.1e8, 0.0078],
            "ci_low": [1.66e8, 0.0073],
            "ci_high": [3.21e8, 0.0191],
        }
    )
    fig = paired_effects(table)
    money, share = fig.axes
    assert fig.get_suptitle() == (
        "Effects of what-ifs against baseline: brokers_dearer (20 paired replicates)"
    )
    assert money.get_title(loc="left") == "Money paid to brokers"
    assert money.get_xlabel() == "difference from baseline (US$, millions)"
    assert share.get_xlabel() == "difference from baseline (percentage points)"
    numbers = [
        [t.get_text() for t in child.get_yticklabels()]
        for ax in fig.axes
        for child in ax.child_axes
        if (child.get_gid() or "").startswith("numbers:")
    ]
    # written as comparison.md writes them, whatever the axis's scale
    assert numbers == [
        ["+310,000,000  [+166,000,000 to +321,000,000]"],
        ["+0.8 pp  [+0.7 pp to +1.9 pp]"],
    ]


def test_effects_numbers_are_formatted_as_in_the_report_whatever_their_size():
    table = pd.DataFrame(
        {
            "whatif": ["open"] * 3,
            "outcome": ["arrivals", "died", "median_months_in_china_at_arrival"],
            "label": ["Arrivals, all destinations", "Deaths", "Months in China at arrival"],
            "unit": ["people", "people", "months"],
            "median_difference": [41330.0, 78.0, -4.5],
            "ci_low": [40112.4, 61.6, -5.25],
            "ci_high": [42950.0, 90.2, -3.0],
        }
    )
    fig = paired_effects(table)
    numbers = [
        [t.get_text() for t in child.get_yticklabels()]
        for ax in fig.axes
        for child in ax.child_axes
        if (child.get_gid() or "").startswith("numbers:")
    ]
    assert numbers == [
        ["+41,330  [+40,112 to +42,950]"],
        ["+78  [+62 to +90]"],
        ["-4.5  [-5.2 to -3.0]"],
    ]


def test_signed_ticks_keep_the_decimals_their_step_needs():
    from nkroutes.plots.effects import SignedTickFormatter

    ticks = SignedTickFormatter(100.0)
    ticks.set_locs([0.0, 0.0025, 0.005, 0.0075])
    assert [ticks(x) for x in (0.0, 0.0025, 0.005, 0.0075)] == ["0.00", "+0.25", "+0.50", "+0.75"]
    ticks = SignedTickFormatter(1e-6)
    ticks.set_locs([-5e7, 0.0, 5e7])
    assert [ticks(x) for x in (-5e7, 0.0, 5e7)] == ["-50", "0", "+50"]


def test_far_places_are_drawn_at_the_map_edge_on_their_side():
    from nkroutes.plots.geography import layout

    places = pd.DataFrame(
        {
            "place": ["a", "b", "c", "d", "united_states", "europe"],
            "lat": [40.0, 42.0, 20.0, 38.0, 38.9, 52.5],
            "lon": [125.0, 130.0, 100.0, 127.0, -77.0, 13.4],
        }
    )
    points, box = layout(places)
    assert (box.lon_min, box.lon_max) == (100.0 - 2.5 - 3.0, 130.0 + 2.5 + 3.0)
    assert (box.lat_min, box.lat_max) == (17.5, 44.5)
    us, europe = points["united_states"], points["europe"]
    assert (us.far, us.side, us.x, us.y) == (True, "east", box.lon_max - 1.2, 38.9)
    assert (europe.far, europe.side, europe.x) == (True, "west", box.lon_min + 1.2)
    assert europe.y == box.lat_max - 1.2  # 52.5 N is above the map: pulled inside
    assert (us.lon, us.lat) == (-77.0, 38.9)  # the true position is kept for the label
    assert not points["a"].far and (points["a"].x, points["a"].y) == (125.0, 40.0)


def test_a_long_scenario_name_keeps_every_figure_laid_out(tmp_path):
    # A 100-character meta.name as a tick label or legend entry collapsed the layout
    # (matplotlib's "constrained_layout not applied" warning, and a figure drawn without it).
    import warnings

    from nkroutes.analysis.compare import compare
    from nkroutes.ensemble import run_ensemble
    from nkroutes.plots.render import comparison_figures, results_figures
    from nkroutes.plots.style import short_name
    from scenario_builder import write_tiny

    base, whatif = write_tiny(tmp_path / "scenarios")
    long_name = "china-non-refoulement-with-thailand-closed-and-brokers-twice-as-dear-from-2005-on-"
    long_name += "a" * (100 - len(long_name))
    long_base = tmp_path / "long.toml"
    long_base.write_text(f'extends = "{base.as_posix()}"\n[meta]\nname = "{long_name}"\n')
    long_whatif = tmp_path / "long-whatif.toml"
    long_whatif.write_text(f'extends = "{whatif.as_posix()}"\n[meta]\nname = "{long_name[::-1]}"\n')
    run = run_ensemble(long_base, replicates=2, seed=1, workers=1)
    comparison = compare(long_base, [long_whatif], replicates=2, seed=1, workers=1)
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        assert results_figures(run, tmp_path / "run").skipped == []
        report = comparison_figures(
            comparison.table, comparison.results, tmp_path / "cmp", baseline=long_name
        )
        assert report.skipped == []
    assert short_name(long_name) == long_name[:23] + "…" and short_name("baseline") == "baseline"
