"""Paired comparisons: statistics, the comparison table, the report, and `nkroutes compare`."""

from __future__ import annotations

import json
import re
import shutil

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from nkroutes.analysis.compare import (
    COLUMNS,
    Comparison,
    compare,
    comparison_table,
    remove_comparison,
)
from nkroutes.analysis.compare_record import ComparisonRecord, RecordError, read_record
from nkroutes.analysis.compare_report import headline_effects, outcome_sentence
from nkroutes.analysis.paired import MIN_PAIRS, bootstrap_seed, paired_difference, wilcoxon_p
from nkroutes.ensemble import EnsembleSetupError, Results, run_ensemble
from scenario_builder import write_tiny

# -- paired statistics ---------------------------------------------------------------------


def test_paired_difference_of_a_constant_shift():
    base = np.array([10.0, 20.0, 30.0, 40.0, 50.0])
    diff = paired_difference(base, base + 3, seed=1)
    assert diff.pairs == 5
    assert diff.median_difference == 3.0
    assert (diff.ci_low, diff.ci_high) == (3.0, 3.0)
    assert diff.share_higher == 1.0
    assert diff.share_lower == 0.0
    # Exact two-sided signed-rank test, n = 5 all positive: p = 2 / 2**5.
    assert diff.wilcoxon_p == pytest.approx(0.0625)


def test_paired_difference_drops_pairs_with_a_missing_value():
    base = np.array([1.0, np.nan, 3.0, 4.0])
    other = np.array([2.0, 5.0, np.nan, 2.0])
    diff = paired_difference(base, other, seed=1)
    assert diff.pairs == 2
    assert diff.median_difference == pytest.approx(-0.5)
    assert diff.share_higher == 0.5
    assert diff.share_lower == 0.5


def test_no_difference_at_all_has_p_one():
    base = np.array([5.0, 6.0, 7.0])
    diff = paired_difference(base, base.copy(), seed=1)
    assert diff.median_difference == 0.0
    assert diff.wilcoxon_p == 1.0
    assert diff.share_higher == diff.share_lower == 0.0
    assert wilcoxon_p(np.zeros(10)) == 1.0


def test_no_pairs_gives_nan():
    diff = paired_difference(np.array([np.nan]), np.array([1.0]), seed=1)
    assert diff.pairs == 0
    assert np.isnan(diff.median_difference) and np.isnan(diff.wilcoxon_p)


def test_unequal_lengths_are_an_error():
    with pytest.raises(ValueError, match="differ in length"):
        paired_difference(np.zeros(3), np.zeros(4), seed=1)


def test_wilcoxon_matches_scipy_without_zeros():
    rng = np.random.default_rng(0)
    d = rng.normal(0.3, 1.0, size=40)
    assert wilcoxon_p(d) == pytest.approx(stats.wilcoxon(d).pvalue)


def test_bootstrap_interval_is_seeded_and_covers_the_median():
    rng = np.random.default_rng(4)
    base = rng.normal(100, 10, size=60)
    other = base + rng.normal(5, 2, size=60)
    a = paired_difference(base, other, seed=bootstrap_seed(7, "w", "arrivals"))
    b = paired_difference(base, other, seed=bootstrap_seed(7, "w", "arrivals"))
    c = paired_difference(base, other, seed=bootstrap_seed(7, "w", "died"))
    assert (a.ci_low, a.ci_high) == (b.ci_low, b.ci_high)
    assert (a.ci_low, a.ci_high) != (c.ci_low, c.ci_high)
    assert a.ci_low < a.median_difference < a.ci_high
    # The interval of the median of 60 differences with sd 2 is a fraction of a unit wide.
    assert 0.1 < a.ci_high - a.ci_low < 2.0


def test_bootstrap_covers_the_true_median_about_95_percent_of_the_time():
    # Coverage check: 200 samples of 50 differences from N(1, 1); true median 1.
    rng = np.random.default_rng(11)
    covered = 0
    for trial in range(200):
        d = rng.normal(1.0, 1.0, size=50)
        diff = paired_difference(np.zeros(50), d, seed=trial, resamples=500)
        covered += diff.ci_low <= 1.0 <= diff.ci_high
    # Binomial(200, 0.95) has sd 3.1: 0.95 +- 4 sd is 175..200 (the percentile bootstrap of
    # a median tends to cover a little less than stated).
    assert 175 <= covered <= 200


# -- the comparison table ------------------------------------------------------------------


def fake_results(name, arrivals, died, share, seeds=None, canada=None, end="2008-12"):
    """Results of a scenario with South Korea (and, given its arrivals, Canada) as destinations."""
    n = len(arrivals)
    summary = pd.DataFrame(
        {
            "replicate": range(n),
            "seed": seeds or [100 + k for k in range(n)],
            "arrivals": arrivals,
            "arrivals_south_korea": arrivals,
            "repatriated": [50.0] * n,
            "died": died,
            "in_china_end": [1000.0] * n,
            "median_months_in_china_at_arrival": [24.0] * n,
            "broker_assisted_share": share,
            "broker_fees_usd": [1e6] * n,
        }
    )
    scenario = {
        "meta": {"name": name},
        "time": {"start": "1990-01", "end": end},
        "places": [{"id": "south_korea", "name": "South Korea", "kind": "destination"}],
    }
    if canada is not None:
        summary.insert(4, "arrivals_canada", canada)
        scenario["places"].append({"id": "canada", "kind": "destination"})
    empty = pd.DataFrame()
    return Results(scenario, {"scenario": {"hash": name}}, empty, summary, empty, empty, empty)


@pytest.fixture
def table():
    base = fake_results("baseline", [100.0, 200.0, 300.0, 400.0], [10.0, 10, 10, 10], [0.1] * 4)
    whatif = fake_results("open", [110.0, 212.0, 309.0, 411.0], [9.0, 11, 10, 10], [0.2] * 4)
    return comparison_table(base, [whatif], seed=7)


def test_comparison_table_has_one_row_per_outcome(table):
    assert list(table.columns) == list(COLUMNS)
    assert table["outcome"].tolist() == [
        "arrivals",
        "arrivals_south_korea",
        "repatriated",
        "died",
        "in_china_end",
        "median_months_in_china_at_arrival",
        "broker_assisted_share",
        "broker_fees_usd",
    ]
    assert set(table["baseline"]) == {"baseline"} and set(table["whatif"]) == {"open"}
    row = table.set_index("outcome").loc["arrivals"]
    assert row["baseline_median"] == 250.0
    assert row["whatif_median"] == 260.5
    assert row["median_difference"] == 10.5  # differences 10, 12, 9, 11
    assert 9.0 <= row["ci_low"] <= 10.5 <= row["ci_high"] <= 12.0
    assert row["share_higher"] == 1.0
    assert row["wilcoxon_p"] == pytest.approx(0.125)  # exact, n = 4, all positive
    assert row["baseline_q05"] == pytest.approx(115.0)  # linear interpolation
    assert row["pairs"] == 4
    died = table.set_index("outcome").loc["died"]
    assert died["median_difference"] == 0.0
    assert died["share_higher"] == 0.25 and died["share_lower"] == 0.25


def test_unpaired_results_are_refused():
    base = fake_results("baseline", [1.0, 2.0], [0.0, 0.0], [0.1, 0.1])
    other = fake_results("x", [1.0, 2.0], [0.0, 0.0], [0.1, 0.1], seeds=[1, 2])
    with pytest.raises(ValueError, match="not paired"):
        comparison_table(base, [other], seed=1)


def test_results_over_other_years_are_refused():
    base = fake_results("baseline", [1.0, 2.0], [0.0, 0.0], [0.1, 0.1])
    short = fake_results("short", [1.0, 2.0], [0.0, 0.0], [0.1, 0.1], end="1992-12")
    with pytest.raises(ValueError) as error:
        comparison_table(base, [short], seed=1)
    assert str(error.value) == (
        "'short' is not paired with 'baseline': time.end is '1992-12', the baseline's is "
        "'2008-12' (a comparison needs the same time.start, time.end and time.step)"
    )


def test_a_destination_only_the_whatif_has_counts_as_zero_arrivals_in_the_baseline():
    base = fake_results("baseline", [100.0, 200.0, 300.0], [1.0] * 3, [0.1] * 3)
    canada = fake_results(
        "canada", [130.0, 240.0, 320.0], [1.0] * 3, [0.1] * 3, canada=[30.0, 40.0, 20.0]
    )
    table = comparison_table(base, [canada], seed=7)
    assert table["outcome"].tolist()[:3] == ["arrivals", "arrivals_south_korea", "arrivals_canada"]
    row = table.set_index("outcome").loc["arrivals_canada"]
    assert row["label"] == "Arrivals in Canada"
    assert (row["baseline_median"], row["whatif_median"]) == (0.0, 30.0)
    assert row["median_difference"] == 30.0
    assert (row["pairs"], row["share_higher"]) == (3, 1.0)
    # and the other way round: the baseline's destination is 0 in a what-if without it
    table = comparison_table(canada, [base], seed=7)
    row = table.set_index("outcome").loc["arrivals_canada"]
    assert (row["baseline_median"], row["whatif_median"]) == (30.0, 0.0)
    text = make_comparison(canada, base).markdown()
    assert "Canada is a destination in canada only: arrivals there count as 0 under baseline." in (
        text
    )


def make_comparison(base, *whatifs, descriptions=None):
    table = comparison_table(base, list(whatifs), seed=7)
    return Comparison(
        baseline=base.name,
        whatifs=[w.name for w in whatifs],
        table=table,
        results={r.name: r for r in (base, *whatifs)},
        seed=7,
        replicates=base.n_replicates,
        descriptions=descriptions or {},
    )


def test_the_report_names_a_destination_the_baseline_lacks():
    base = fake_results("baseline", [100.0, 200.0], [1.0] * 2, [0.1] * 2)
    canada = fake_results("canada", [130.0, 240.0], [1.0] * 2, [0.1] * 2, canada=[30.0, 40.0])
    text = make_comparison(base, canada).markdown()
    assert (
        "Canada is a destination under canada only: arrivals there count as 0 in baseline.\n"
    ) in text
    assert "- Under canada, arrivals in Canada over 1990-2008 rise by 35 " in text
    assert "| Arrivals in Canada | 0 [0-0] | 35 [30-40] | +35 [+30 to +40] |" in text


# -- sentences -----------------------------------------------------------------------------


def row(**values):
    base = {
        "unit": "people",
        "pairs": 50,
        "baseline_median": 10500.0,
        "median_difference": 1234.0,
        "ci_low": 1100.0,
        "ci_high": 1370.0,
        "share_higher": 1.0,
        "share_lower": 0.0,
    }
    return base | values


def test_sentence_for_a_clear_rise():
    assert outcome_sentence(
        row(), "stop-repatriation", "arrivals in South Korea over 1990-2008", True
    ) == (
        "Under stop-repatriation, arrivals in South Korea over 1990-2008 rise by 1,234 "
        "[95% CI 1,100 to 1,370], from a baseline median of 10,500."
    )


def test_sentence_for_a_clear_fall_of_a_share():
    text = outcome_sentence(
        row(
            unit="share",
            baseline_median=0.3,
            median_difference=-0.021,
            ci_low=-0.024,
            ci_high=-0.018,
            share_higher=0.0,
            share_lower=1.0,
        ),
        "x",
        "the share of arrivals helped by a broker",
        False,
    )
    assert text == (
        "Under x, the share of arrivals helped by a broker falls by 2.1 percentage points "
        "[95% CI 1.8 to 2.4], from a baseline median of 30.0%."
    )


def test_sentence_when_the_interval_includes_zero():
    text = outcome_sentence(
        row(median_difference=12.0, ci_low=-30.0, ci_high=50.0, share_higher=0.6),
        "x",
        "deaths over 1990-2008",
        True,
    )
    assert text == (
        "Under x, deaths over 1990-2008 change by +12 [95% CI -30 to +50]: not "
        "distinguishable from no change with 50 paired replicates (baseline median 10,500)."
    )


def test_sentence_for_a_small_consistent_shift_with_a_zero_median():
    text = outcome_sentence(
        row(
            baseline_median=1.0,
            median_difference=0.0,
            ci_low=0.0,
            ci_high=1.0,
            share_higher=0.42,
            share_lower=0.06,
            wilcoxon_p=0.0001,
        ),
        "x",
        "arrivals in Japan over 1990-2008",
        True,
    )
    assert text == (
        "Under x, arrivals in Japan over 1990-2008 change by a median of +0 [95% CI +0 to +1], "
        "but the what-if is higher in 21 and lower in 3 of 50 paired replicates "
        "(Wilcoxon p < 0.001): a small, consistent shift (baseline median 1)."
    )


def test_an_inherited_description_is_not_shown_as_the_whatifs_own():
    base = fake_results("baseline", [100.0, 200.0], [1.0] * 2, [0.1] * 2)
    same = fake_results("same", [110.0, 210.0], [1.0] * 2, [0.1] * 2)
    own = fake_results("own", [120.0, 220.0], [1.0] * 2, [0.1] * 2)
    descriptions = {"baseline": "The calibrated baseline.", "same": "The calibrated baseline."}
    descriptions["own"] = "China opens its borders."
    text = make_comparison(base, same, own, descriptions=descriptions).markdown()
    assert text.count("The calibrated baseline.") == 1
    assert "Baseline (baseline): The calibrated baseline.\n" in text
    assert "## same\n\n- Under same," in text
    assert "## own\n\n*China opens its borders.*\n" in text


def fake_pair(n, shares=None):
    base = fake_results("baseline", [100.0 + k for k in range(n)], [1.0] * n, [0.1] * n)
    whatif = fake_results("open", [102.0 + k for k in range(n)], [1.0] * n, shares or [0.2] * n)
    return make_comparison(base, whatif)


def test_too_few_replicates_are_called_so_in_the_report():
    text = fake_pair(2).markdown()
    assert (
        "\n\n**Note:** With only 2 paired replicates the 95% intervals and p-values mean "
        "little: the interval is the whole range of the differences, and the Wilcoxon test "
        "cannot reach p < 0.05 with fewer than 6 pairs. Run at least 6 replicates (more for "
        "small effects) before quoting an effect.\n\n"
    ) in text
    assert "**Note:**" not in fake_pair(MIN_PAIRS).markdown()


def test_outcomes_with_few_pairs_are_named_in_the_report():
    # The share is undefined (no arrivals) in all but 3 of 8 replicates of the what-if.
    comparison = fake_pair(8, shares=[0.2] * 3 + [np.nan] * 5)
    assert (
        "**Note:** Fewer than 6 replicates have a value in both scenarios for: Share of "
        "arrivals helped by a broker under open (3 pairs). Their intervals and p-values mean "
        "little.\n"
    ) in comparison.markdown()


def test_sentence_when_nothing_changes():
    text = outcome_sentence(
        row(median_difference=0.0, ci_low=0.0, ci_high=0.0, share_higher=0.0),
        "x",
        "the money paid to brokers over 1990-2008",
        False,
    )
    assert text.startswith("Under x, the money paid to brokers over 1990-2008 is the same")


# -- compare() and the command -------------------------------------------------------------


@pytest.fixture(scope="module")
def tiny_files(tmp_path_factory):
    return write_tiny(tmp_path_factory.mktemp("scenarios"))


@pytest.fixture(scope="module")
def comparison(tiny_files, tmp_path_factory):
    base, whatif = tiny_files
    out = tmp_path_factory.mktemp("compare") / "cmp"
    return compare(base, [whatif], replicates=3, seed=5, workers=1, out=out)


def test_compare_writes_each_run_and_the_comparison(comparison):
    out = comparison.directory
    assert isinstance(comparison, Comparison)
    assert comparison.baseline == "tiny"
    assert comparison.whatifs == ["tiny-no-repatriation"]
    assert list(comparison.results) == ["tiny", "tiny-no-repatriation"]
    for name in ("tiny", "tiny-no-repatriation"):
        assert (out / name / "summary.csv").is_file()
        assert Results.load(out / name).summary["seed"].tolist() == (
            comparison.results["tiny"].summary["seed"].tolist()
        )
    on_disk = pd.read_csv(out / "comparison.csv")
    assert list(on_disk.columns) == list(COLUMNS)
    pd.testing.assert_frame_equal(on_disk, comparison.table, check_dtype=False)
    record = json.loads((out / "comparison.json").read_text())
    assert record["seed"] == 5 and record["replicates"] == 3
    assert record["whatifs"] == ["tiny-no-repatriation"]
    names = ("tiny", "tiny-no-repatriation")
    hashes = {n: r.manifest["scenario"]["hash"] for n, r in comparison.results.items()}
    assert read_record(out) == ComparisonRecord(
        "tiny", names[1:], {n: n for n in names}, 5, 3, hashes
    )


@pytest.mark.parametrize(
    ("content", "found"),
    [
        ("{", "JSONDecodeError"),
        ("[]", "TypeError"),
        ('{"baseline": "a"}', "KeyError: 'whatifs'"),
        ('{"baseline": "a", "whatifs": "b"}', "TypeError: expected baseline, whatifs"),
        ('{"baseline": "a", "whatifs": [], "folders": {"a": 1}}', "TypeError"),
    ],
)
def test_a_damaged_comparison_record_is_named_not_a_traceback(tmp_path, content, found):
    (tmp_path / "comparison.json").write_text(content, encoding="utf-8")
    with pytest.raises(RecordError, match=rf"comparison\.json: cannot read .*\({found}"):
        read_record(tmp_path)
    (tmp_path / "comparison.json").write_text('{"baseline": "a", "whatifs": ["b c"]}')
    assert read_record(tmp_path).folders == {"a": "a", "b c": "b-c"}  # an older record


def test_no_repatriation_means_no_repatriations(comparison):
    rows = comparison.table.set_index("outcome")
    assert rows.loc["repatriated", "whatif_median"] == 0
    assert rows.loc["repatriated", "baseline_median"] > 0
    assert rows.loc["repatriated", "share_lower"] == 1.0


def test_the_report_reads_as_sentences_and_a_table(comparison):
    text = (comparison.directory / "comparison.md").read_text()
    assert text == comparison.markdown()
    assert text.startswith("# tiny-no-repatriation compared with tiny\n")
    assert "3 replicates of each scenario over 1990-1993 (seed 5)" in text
    assert "*China never repatriates.*" in text
    assert "- Under tiny-no-repatriation, repatriations from China to North Korea over " in text
    assert "falls by" in text or "fall by" in text
    assert "| Outcome | Baseline median [5%-95%] |" in text
    assert "| Arrivals in South Korea |" in text
    assert "| Arrivals in Japan |" in text


def test_compare_refuses_two_scenarios_with_one_name(tiny_files, tmp_path):
    base, _ = tiny_files
    with pytest.raises(EnsembleSetupError, match="needs its own \\[meta\\] name"):
        compare(base, [base], replicates=1, workers=1)


def test_compare_refuses_a_non_empty_directory(comparison, tiny_files):
    base, whatif = tiny_files
    before = (comparison.directory / "comparison.csv").read_bytes()
    with pytest.raises(EnsembleSetupError) as error:
        compare(base, [whatif], replicates=3, seed=5, workers=1, out=comparison.directory)
    assert str(error.value) == (
        f"{comparison.directory} is not empty; choose another --out, or pass --force to delete "
        "its results and start over, or --resume to complete an interrupted comparison there"
    )
    assert (comparison.directory / "comparison.csv").read_bytes() == before


@pytest.mark.parametrize(
    ("time", "key", "value", "base_value"),
    [
        ('end = "1992-12"', "time.end", "'1992-12'", "'1993-12'"),
        ('start = "1991-01"', "time.start", "'1991-01'", "'1990-01'"),
        ('step = "week"', "time.step", "'week'", "'month'"),
    ],
)
def test_compare_refuses_a_whatif_over_another_time_axis_before_running(
    comparison, tiny_files, tmp_path, time, key, value, base_value
):
    base, _ = tiny_files
    short = tmp_path / "short.toml"
    short.write_text(
        f'extends = "{base.as_posix()}"\n[meta]\nname = "short"\n[time]\n{time}\n',
        encoding="utf-8",
    )
    out = tmp_path / "cmp"
    shutil.copytree(comparison.directory, out)
    before = sorted(p.relative_to(out) for p in out.rglob("*"))
    with pytest.raises(EnsembleSetupError) as error:
        compare(base, [short], replicates=2, seed=5, workers=1, out=out, force=True)
    assert str(error.value) == (
        f"{short}: {key} is {value}, but the baseline ({base}) has {base_value}; a comparison "
        "pairs replicate k of every scenario, so all need the same time.start, time.end and "
        "time.step"
    )
    # nothing ran, and --force deleted nothing
    assert sorted(p.relative_to(out) for p in out.rglob("*")) == before


def test_compare_command_refuses_a_whatif_over_other_years(cli, tiny_files, tmp_path):
    base, _ = tiny_files
    short = tmp_path / "short.toml"
    short.write_text(
        f'extends = "{base.as_posix()}"\n[meta]\nname = "short"\n[time]\nend = "1992-12"\n',
        encoding="utf-8",
    )
    out = tmp_path / "cmp"
    result = cli("compare", base, short, "-n", "2", "--workers", "1", "--out", out)
    assert result.exit_code == 2
    assert f"{short}: time.end is '1992-12', but the baseline ({base}) has '1993-12'" in (
        result.stderr
    )
    assert "Traceback" not in result.output
    assert not out.exists()


def test_force_removes_what_an_earlier_comparison_wrote_and_nothing_else(tmp_path):
    out = tmp_path / "cmp"
    for name in ("comparison.csv", "comparison.md", "comparison.json", "notes.txt"):
        (out / name).parent.mkdir(parents=True, exist_ok=True)
        (out / name).write_text("x", encoding="utf-8")
    for run in ("tiny", "canada"):  # results folders, as nkroutes run writes them
        (out / run / "parts" / "r000000").mkdir(parents=True)
        for name in ("manifest.json", "scenario.toml", "summary.csv", "yearly.csv"):
            (out / run / name).write_text("{}", encoding="utf-8")
    (out / "tiny" / "my-notes.txt").write_text("mine", encoding="utf-8")
    (out / "plots").mkdir()
    for name in ("effects.png", "route_flows_canada.svg", "my-map.png"):
        (out / "plots" / name).write_text("x", encoding="utf-8")
    (out / "mine").mkdir()  # a folder without a manifest: not nkroutes's
    (out / "mine" / "summary.csv").write_text("x", encoding="utf-8")
    remove_comparison(out)
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*")) == [
        "mine",
        "mine/summary.csv",
        "notes.txt",
        "plots",
        "plots/my-map.png",  # a figure nkroutes does not draw
        "tiny",
        "tiny/my-notes.txt",
    ]


def test_compare_resume_of_a_complete_comparison_reruns_nothing(comparison, tiny_files):
    base, whatif = tiny_files
    again = compare(
        base, [whatif], replicates=3, seed=5, workers=1, out=comparison.directory, resume=True
    )
    pd.testing.assert_frame_equal(again.table, comparison.table)


def test_compare_command(cli, tiny_files, tmp_path):
    base, whatif = tiny_files
    out = tmp_path / "cmp"
    result = cli(
        "compare", base, whatif, "-n", "2", "--seed", "5", "--workers", "1", "--out", out,
        "--no-plots",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "Compared tiny-no-repatriation with tiny: 2 paired replicates each (seed 5)" in (
        result.stdout
    )
    assert f"Report: {out / 'comparison.md'}" in result.stdout
    assert (out / "comparison.md").is_file()
    manifest = json.loads((out / "tiny" / "manifest.json").read_text())
    assert manifest["command"].startswith("nkroutes ")
    assert "warning: with only 2 paired replicates the 95% intervals and p-values mean " in (
        result.stderr
    )
    # The headline effects, from the table the report is made of.
    table = pd.read_csv(out / "comparison.csv")
    arrivals = table[table["outcome"] == "arrivals"].iloc[0]
    line = next(s for s in result.stdout.splitlines() if s.startswith("Arrivals, all"))
    assert line.split()[3:] == [
        f"{arrivals['median_difference']:+,.0f}",
        f"{arrivals['ci_low']:+,.0f}",
        "to",
        f"{arrivals['ci_high']:+,.0f}",
        f"{arrivals['baseline_median']:,.0f}",
        f"{arrivals['whatif_median']:,.0f}",
    ]
    assert "tiny-no-repatriation minus tiny, " in result.stdout
    assert "range of differences" in result.stdout  # 2 pairs: not a 95% CI


def test_headline_effects_are_the_run_outcomes_of_each_whatif(comparison):
    import dataclasses

    text = headline_effects(comparison)
    lines = text.splitlines()
    assert lines[0].startswith("tiny-no-repatriation minus tiny, ")
    assert [line.split("  ")[0] for line in lines[2:]] == [
        "Arrivals, all destinations",
        "Repatriated to North Korea",
        "Deaths",
        "Share of arrivals helped by a broker",
    ]
    assert "range of differences" in lines[1]  # 3 pairs
    enough = dataclasses.replace(comparison, table=comparison.table.assign(pairs=MIN_PAIRS))
    assert "95% CI" in headline_effects(enough).splitlines()[1]


def test_compare_force_leaves_no_whatif_of_the_earlier_comparison(cli, tiny_files, tmp_path):
    base, whatif = tiny_files
    canada = tmp_path / "canada.toml"
    canada.write_text(
        f'extends = "{base.as_posix()}"\n[meta]\nname = "canada"\n'
        "[enforcement.china]\narrest_rate_per_year = 0.3\n",
        encoding="utf-8",
    )
    out = tmp_path / "cmp"
    first = cli("compare", base, whatif, canada, "-n", "1", "--workers", "1", "--out", out,
                "--no-plots")  # fmt: skip
    assert first.exit_code == 0, first.output
    (out / "notes.txt").write_text("mine", encoding="utf-8")
    again = cli("compare", base, whatif, "-n", "1", "--workers", "1", "--out", out,
                "--no-plots", "--force")  # fmt: skip
    assert again.exit_code == 0, again.output
    assert sorted(p.name for p in out.iterdir()) == [
        "comparison.csv",
        "comparison.json",
        "comparison.md",
        "notes.txt",
        "tiny",
        "tiny-no-repatriation",
    ]
    assert "canada" not in (out / "comparison.md").read_text()


def test_compare_command_needs_a_whatif(cli, tiny_files):
    base, _ = tiny_files
    result = cli("compare", base)
    assert result.exit_code == 2


def test_resuming_from_python_without_a_count_keeps_the_comparisons_own(tiny_files, tmp_path):
    """``replicates=None`` on resume takes the number the comparison was started with.

    Here the baseline's run finished with 3 replicates before the what-if started (as after
    an interrupt); the default of 20 would pair 3 replicates with 20.
    """
    from nkroutes.ensemble import run_ensemble

    base, whatif = tiny_files
    out = tmp_path / "cmp"
    run_ensemble(base, replicates=3, seed=5, workers=1, out=out / "tiny")
    resumed = compare(base, [whatif], seed=5, workers=1, out=out, resume=True)
    assert resumed.replicates == 3
    assert Results.load(out / "tiny-no-repatriation").n_replicates == 3
    assert json.loads((out / "comparison.json").read_text())["replicates"] == 3
    with pytest.raises(EnsembleSetupError, match="complete run of 3 replicates, not 2"):
        compare(base, [whatif], replicates=2, seed=5, workers=1, out=out, resume=True)


def _files(folder):
    return {p.relative_to(folder): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_resume_refuses_a_comparison_of_other_scenarios_and_keeps_it(
    comparison, tiny_files, tmp_path
):
    base, _ = tiny_files
    folder = tmp_path / "cmp"
    shutil.copytree(comparison.directory, folder)
    before = _files(folder)
    other = tmp_path / "other.toml"
    other.write_text(f'extends = "{base.as_posix()}"\n[meta]\nname = "other"\n', encoding="utf-8")
    message = "holds a comparison of tiny-no-repatriation with tiny, not of other with tiny"
    with pytest.raises(EnsembleSetupError, match=message):
        compare(base, [other], replicates=3, seed=5, workers=1, out=folder, resume=True)
    assert _files(folder) == before


def test_a_run_and_a_comparison_never_share_a_folder(comparison, tiny_files, tmp_path):
    base, whatif = tiny_files
    run = tmp_path / "run"
    run_ensemble(base, replicates=1, seed=5, workers=1, out=run)
    before = _files(run)
    for option in ({"resume": True}, {"force": True}):
        with pytest.raises(EnsembleSetupError, match=r"holds a run .*, not a comparison"):
            compare(base, [whatif], replicates=1, seed=5, workers=1, out=run, **option)
    assert _files(run) == before
    folder = tmp_path / "cmp"
    shutil.copytree(comparison.directory, folder)
    before = _files(folder)
    with pytest.raises(EnsembleSetupError, match=r"holds a comparison \(nkroutes compare\), not"):
        run_ensemble(base, replicates=1, seed=5, workers=1, out=folder, force=True)
    assert _files(folder) == before
    for name in ("comparison.json", "comparison.csv"):  # a comparison that lost its record
        (folder / name).unlink()
    with pytest.raises(EnsembleSetupError, match=r"holds other results in its subfolders \(tiny"):
        run_ensemble(base, replicates=1, seed=5, workers=1, out=folder, force=True)


def test_compare_reports_the_problems_of_every_scenario_file(cli, tiny_files, tmp_path):
    base, _ = tiny_files
    extends = f'extends = "{base.as_posix()}"\n'
    one = tmp_path / "one.toml"
    one.write_text(extends + '[meta]\nname = "one"\n[departures]\nbase_rate_per_year = -1\n')
    two = tmp_path / "two.toml"
    two.write_text(extends + '[meta]\nname = "two"\nnonsense = 1\n')
    result = cli("compare", base, one, two, "-n", "1", "--out", tmp_path / "cmp")
    assert result.exit_code == 2, result.output
    assert f"{one}: departures.base_rate_per_year: found -1" in result.stderr
    assert f"{two}: meta.nonsense" in result.stderr
    assert not (tmp_path / "cmp").exists()


@pytest.mark.parametrize("name", ["plots", "comparison.csv", "comparison.md"])
def test_a_scenario_named_as_a_file_of_the_comparison_is_refused(tiny_files, tmp_path, name):
    base, _ = tiny_files
    clash = tmp_path / "clash.toml"
    clash.write_text(f'extends = "{base.as_posix()}"\n[meta]\nname = "{name}"\n')
    with pytest.raises(EnsembleSetupError, match=f"meta.name: found '{re.escape(name)}'"):
        compare(base, [clash], replicates=1, workers=1, out=tmp_path / "cmp")
    assert not (tmp_path / "cmp").exists()


def test_a_scenarios_run_replaced_after_the_comparison_is_not_read_as_its(
    cli, comparison, tiny_files, tmp_path
):
    base, _ = tiny_files
    folder = tmp_path / "cmp"
    shutil.copytree(comparison.directory, folder)
    args = ["-n", 1, "--seed", 99, "--workers", 1, "-q", "--no-plots", "--force"]
    assert cli("run", base, *args, "--out", folder / "tiny").exit_code == 0
    result = cli("plot", folder)
    assert result.exit_code == 2, result.output
    assert (
        f"{folder / 'tiny'}: holds another run than the comparison in {folder} was made of "
        "(seed 99 (the comparison's: 5); replicates 1 (the comparison's: 3))"
    ) in result.stderr
    assert not (folder / "plots" / "effects.png").exists()
