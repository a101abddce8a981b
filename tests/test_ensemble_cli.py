"""The run command: options, output folders, the printed summary, exit codes, the plot hook."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import nkroutes.plots
from nkroutes.ensemble.results import Results
from scenario_builder import BASELINE, write_tiny


@pytest.fixture
def tiny_file(tmp_path):
    base, _ = write_tiny(tmp_path / "scenarios")
    return base


def test_run_writes_a_new_dated_folder_and_points_latest_at_it(
    cli, tiny_file, tmp_path, monkeypatch
):
    monkeypatch.chdir(tmp_path)
    result = cli("run", tiny_file, "-n", "2", "--workers", "1", "--seed", "5", "--no-plots")
    assert result.exit_code == 0, result.output
    runs = sorted(p for p in (tmp_path / "results" / "tiny").iterdir() if p.name != "latest")
    assert len(runs) == 1
    latest = tmp_path / "results" / "tiny" / "latest"
    assert latest.is_symlink() and latest.resolve() == runs[0].resolve()
    assert f"Results: results/tiny/{runs[0].name}" in result.stdout
    assert "2 replicates of 'tiny' (seed 5), 1990-1993" in result.stdout
    for label in ("Arrivals, all destinations", "Repatriated to North Korea", "Deaths"):
        assert label in result.stdout
    assert "Share of arrivals helped by a broker" in result.stdout
    assert "median   90% interval" in result.stdout
    manifest = json.loads((runs[0] / "manifest.json").read_text())
    assert manifest["command"].startswith("nkroutes ")

    # The same command again makes a second folder and moves latest; the first stays.
    again = cli("run", tiny_file, "-n", "2", "--workers", "1", "--seed", "5", "--no-plots")
    assert again.exit_code == 0, again.output
    runs = sorted(p for p in (tmp_path / "results" / "tiny").iterdir() if p.name != "latest")
    assert len(runs) == 2
    assert latest.resolve() == runs[1].resolve()
    assert (runs[0] / "summary.csv").read_bytes() == (runs[1] / "summary.csv").read_bytes()


def test_run_prints_the_quantiles_of_the_summary(cli, tiny_file, tmp_path):
    out = tmp_path / "out"
    result = cli("run", tiny_file, "-n", "3", "--workers", "1", "--out", out, "--no-plots")
    assert result.exit_code == 0, result.output
    summary = Results.load(out).summary
    arrivals = sorted(summary["arrivals"].tolist())
    line = next(x for x in result.stdout.splitlines() if x.startswith("Arrivals, all"))
    # median of three is the middle one; the 5% and 95% quantiles interpolate.
    assert f"{arrivals[1]:,.0f}" in line


def test_a_run_shortened_with_set_names_the_events_it_never_reaches(cli, tmp_path):
    out = tmp_path / "out"
    args = ["-n", "1", "--workers", "1", "--no-plots", "-q", "--set", "time.end=1999-12"]
    result = cli("run", BASELINE, *args, "--out", out)
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines() == [
        f"note: {BASELINE}: events dated after the run's end (1999-12), never applied: "
        "border_tightens (2000-01), vietnam_airlift (2004-07), vietnam_tightens (2004-08), "
        "us_human_rights_act (2004-10), settlement_cut (2005-01), tumen_rate_rises (2005-01), "
        "olympics_crackdown (2008-01)"
    ]
    assert Results.load(out).yearly["year"].max() == 1999


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--executor", "dask"], "needs the scheduler's address"),
        (["--scheduler", "tcp://127.0.0.1:1"], "only used with the 'dask' executor"),
        (["--seed", "-1"], "--seed: found -1"),
        (["--resume", "--force"], "choose one"),
        (["--resume"], "out: nothing to resume there (it does not exist); check the folder's"),
        (
            ["--executor", "dask", "--scheduler", "tcp://127.0.0.1:1"],
            "cannot reach the Dask scheduler at tcp://127.0.0.1:1",
        ),
    ],
)
def test_bad_ensemble_options_exit_with_2(cli, tiny_file, tmp_path, args, message):
    out = tmp_path / "out"
    result = cli("run", tiny_file, "-n", "1", "--workers", "1", "--out", out, *args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert "Traceback" not in result.output
    assert not out.exists()


@pytest.mark.parametrize("command", ["run", "compare", "sensitivity"])
def test_resume_of_an_empty_folder_is_refused(cli, tiny_file, tmp_path, command):
    out = tmp_path / "out"
    out.mkdir()
    what_if = [tiny_file] if command == "compare" else []
    result = cli(command, tiny_file, *what_if, "--workers", "1", "--out", out, "--resume")
    assert result.exit_code == 2, result.output
    assert f"{out}: nothing to resume there (it is empty)" in result.stderr
    assert list(out.iterdir()) == []


def test_replicates_must_be_positive(cli, tiny_file, tmp_path):
    result = cli("run", tiny_file, "-n", "0", "--out", tmp_path / "out")
    assert result.exit_code == 2
    assert "-n" in result.stderr


def test_resume_with_other_set_values_exits_with_2_and_keeps_results(cli, tiny_file, tmp_path):
    out = tmp_path / "out"
    assert (
        cli("run", tiny_file, "-n", "1", "--workers", "1", "--out", out, "--no-plots").exit_code
        == 0
    )
    before = (out / "summary.csv").read_bytes()
    result = cli(
        "run", tiny_file, "-n", "1", "--out", out, "--resume",
        "--set", "enforcement.china.arrest_rate_per_year=0.3",
    )  # fmt: skip
    assert result.exit_code == 2
    assert "holds results of scenario 'tiny'" in result.stderr
    assert (out / "summary.csv").read_bytes() == before


def test_resume_without_out_finds_nothing_to_resume(cli, tiny_file, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = cli("run", tiny_file, "--resume")
    assert result.exit_code == 2
    assert "found no unfinished run of 'tiny' in results/tiny; name it with --out" in result.stderr


def test_compare_resume_without_out_finds_nothing_to_resume(cli, tiny_file, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = cli("compare", tiny_file, tiny_file, "--resume")
    assert result.exit_code == 2
    assert "found no unfinished comparison in results/compare-tiny; name it with --out" in (
        result.stderr
    )


def test_the_plot_hook_gets_the_results_and_a_plots_folder(cli, tiny_file, tmp_path, monkeypatch):
    calls = []

    def fake_plot_results(results, out_dir):
        calls.append((results.name, out_dir))
        out_dir.mkdir()
        (out_dir / "a.png").write_bytes(b"")
        return [out_dir / "a.png"]

    monkeypatch.setattr(nkroutes.plots, "plot_results", fake_plot_results, raising=False)
    out = tmp_path / "out"
    result = cli("run", tiny_file, "-n", "1", "--workers", "1", "--out", out)
    assert result.exit_code == 0, result.output
    assert calls == [("tiny", out / "plots")]
    assert f"Figures: {out / 'plots'} (1 file)" in result.stdout


def test_a_failing_plot_hook_only_warns(cli, tiny_file, tmp_path, monkeypatch):
    def broken(results, out_dir):
        raise ValueError("no axes")

    monkeypatch.setattr(nkroutes.plots, "plot_results", broken, raising=False)
    out = tmp_path / "out"
    result = cli("run", tiny_file, "-n", "1", "--workers", "1", "--out", out)
    assert result.exit_code == 0
    assert "warning: figures not drawn (ValueError: no axes)" in result.stderr
    assert (out / "summary.csv").is_file()


def test_ctrl_c_while_drawing_exits_130_and_says_how_to_draw(cli, tiny_file, tmp_path, monkeypatch):
    # It ended with click's "Aborted!" and exit 1; --resume of the complete run then drew
    # nothing.
    def interrupted(results, out_dir):
        raise KeyboardInterrupt

    monkeypatch.setattr(nkroutes.plots, "plot_results", interrupted, raising=False)
    out = tmp_path / "out"
    result = cli("run", tiny_file, "-n", "1", "--workers", "1", "-q", "--out", out)
    assert result.exit_code == 130
    assert result.stderr.strip().splitlines() == [
        f"Interrupted while drawing the figures. The results in {out} are complete; draw the "
        f"figures with: nkroutes plot {out}"
    ]
    assert Results.load(out).n_replicates == 1


def test_without_plot_results_the_hook_is_skipped(cli, tiny_file, tmp_path, monkeypatch):
    monkeypatch.delattr(nkroutes.plots, "plot_results", raising=False)
    out = tmp_path / "out"
    result = cli("run", tiny_file, "-n", "1", "--workers", "1", "--out", out)
    assert result.exit_code == 0, result.output
    assert "Figures:" not in result.stdout


def test_resume_keeps_the_number_of_replicates_the_run_was_started_with(
    cli, tiny_file, tmp_path, fail_replicate
):
    out = tmp_path / "out"
    args = ["--seed", "3", "--workers", "1", "--out", out, "--no-plots", "-q"]
    restore = fail_replicate(3, 2)
    assert cli("run", tiny_file, "-n", "4", *args).exit_code == 1
    restore()
    # Fewer than recorded: refused, naming both numbers; nothing is deleted.
    fewer = cli("run", tiny_file, "-n", "1", *args, "--resume")
    assert fewer.exit_code == 2
    assert "holds an unfinished run of 4 replicates, more than the 1 asked for" in fewer.stderr
    assert sorted(p.name for p in (out / "parts").iterdir()) == ["r000000", "r000001"]
    # Without -n: the recorded 4, not the default 20.
    resumed = cli("run", tiny_file, *args, "--resume")
    assert resumed.exit_code == 0, resumed.output
    assert resumed.stdout.startswith("4 replicates of 'tiny' (seed 3)")
    assert json.loads((out / "manifest.json").read_text())["replicates"] == 4


def test_resuming_a_complete_run_says_so_and_draws_nothing(cli, tiny_file, tmp_path, monkeypatch):
    calls = []
    monkeypatch.setattr(
        nkroutes.plots, "plot_results", lambda r, d: calls.append(d) or [], raising=False
    )
    out = tmp_path / "out"
    assert cli("run", tiny_file, "-n", "1", "--workers", "1", "--out", out).exit_code == 0
    assert len(calls) == 1
    result = cli("run", tiny_file, "--workers", "1", "--out", out, "--resume")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(
        f"{out}: the run was already complete; nothing was run.\n"
        "1 replicate of 'tiny' (seed 0), 1990-1993, in "
    )
    assert len(calls) == 1
    assert len(json.loads((out / "manifest.json").read_text())["sessions"]) == 1


@pytest.mark.slow  # draws every figure
def test_force_removes_the_old_figures_and_fit_report(cli, tiny_file, tmp_path):
    out = tmp_path / "out"
    assert cli("run", tiny_file, "-n", "2", "--workers", "1", "--out", out).exit_code == 0
    assert (out / "plots" / "arrivals.png").is_file()
    (out / "fit.md").write_text("old")
    result = cli(
        "run", tiny_file, "-n", "1", "--workers", "1", "--out", out, "--force", "--no-plots"
    )
    assert result.exit_code == 0, result.output
    assert not (out / "plots").exists()
    assert not (out / "fit.md").exists()


@pytest.mark.slow
def test_compare_resume_keeps_the_number_of_replicates(cli, tmp_path, fail_replicate):
    base, whatif = write_tiny(tmp_path / "scenarios")
    out = tmp_path / "cmp"
    args = ["--seed", "3", "--workers", "1", "--out", out, "--no-plots", "-q"]
    restore = fail_replicate(3, 2)
    assert cli("compare", base, whatif, "-n", "4", *args).exit_code == 1
    restore()
    fewer = cli("compare", base, whatif, "-n", "1", *args, "--resume")
    assert fewer.exit_code == 2
    assert "holds an unfinished run of 4 replicates, more than the 1 asked for" in fewer.stderr
    assert sorted(p.name for p in (out / "tiny" / "parts").iterdir()) == ["r000000", "r000001"]
    resumed = cli("compare", base, whatif, *args, "--resume")
    assert resumed.exit_code == 0, resumed.output
    assert "4 paired replicates each (seed 3)" in resumed.stdout
    for name in ("tiny", "tiny-no-repatriation"):
        assert Results.load(out / name).n_replicates == 4
    assert json.loads((out / "comparison.json").read_text())["replicates"] == 4


def test_run_help_gives_the_default_number_of_replicates_and_resume(cli):
    text = " ".join(cli("run", "--help").stdout.split())
    assert "[default: 20; with --resume, the number the run was started with" in text


def test_a_latest_that_is_not_nkroutes_link_is_left_and_said(cli, tiny_file, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    latest = tmp_path / "results" / "tiny" / "latest"
    latest.mkdir(parents=True)  # someone's own folder of that name
    (latest / "mine.txt").write_text("keep")
    result = cli("run", tiny_file, "-n", "1", "--workers", "1", "--no-plots")
    assert result.exit_code == 0, result.output
    assert f"warning: {Path('results/tiny/latest')} not updated (a file or folder" in result.stderr
    assert (latest / "mine.txt").read_text() == "keep"
