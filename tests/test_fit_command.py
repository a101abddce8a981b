"""``nkroutes fit``: the metrics of a finished run, printed and written to fit.md."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from nkroutes.ensemble.results import TABLE_FILES
from nkroutes.observed import south_korea_arrivals

TABLE_1 = south_korea_arrivals().set_index("year")["arrivals"]


@pytest.fixture
def results_dir(tmp_path):
    """A results directory whose median arrivals equal Table 1 exactly (3 replicates)."""
    rows = []
    for replicate, factor in enumerate((0.9, 1.0, 1.1)):
        for year in range(1990, 2009):
            observed = float(TABLE_1.get(year, 1000))
            rows.append(
                {
                    "replicate": replicate,
                    "year": year,
                    "arrivals": observed * factor,
                    "arrivals_south_korea": observed * factor,
                    "broker_assisted_arrivals": 0.8 * observed * factor,
                    "repatriated": 7000,
                    "in_china": 50000,
                    "in_china_two_years": 30000,
                }
            )
    directory = tmp_path / "run"
    directory.mkdir()
    pd.DataFrame(rows).to_csv(directory / "yearly.csv", index=False)
    summary = pd.DataFrame({"replicate": [0, 1, 2], "share_stayed_two_years": [0.5, 0.6, 0.7]})
    summary.to_csv(directory / "summary.csv", index=False)
    return directory


def test_fit_prints_and_writes_the_metrics(cli, results_dir):
    result = cli("fit", results_dir)
    assert result.exit_code == 0, result.output
    text = (results_dir / "fit.md").read_text(encoding="utf-8")
    # the median is Table 1 itself: no error, every year inside the band
    # a replicate is 0.9, 1 or 1.1 times Table 1 in every year, so a resample covers all
    # years or none; 8 in 27 resamples miss (0.9 three times, 1.1 three times, 0.9 twice
    # with 1, 1.1 twice with 1)
    assert "| fitted years (1994-2006) | 0.0 | 0.0 | 0.0 | 13/13 | 0-13 |" in text
    assert "| other years (1990-1993) | 0.0 | 0.0 | 0.0 | 4/4 | 0-4 |" in text
    assert "| 1994 | 52 | 52.0 | 47.3 | 56.7 | yes | 0.18 | 50.0% |" in text
    assert "| broker_assisted_share_2004 | 70%-90% in 2004 | 80% | yes | 1.0 | 0.0 |" in text
    assert "| repatriated_by_china_2000 | >= 6,000 in 2000 | 7,000 | yes |" in text
    assert "| in_china | 30,000-300,000 every year 1998-2006 | 50,000 | yes |" in text
    assert "| stayed_two_years_share | 73%-93% in 2006 | 60% | no | 0.25 |" in text
    assert "13/13" in result.output and f"Wrote {results_dir / 'fit.md'}" in result.output


def test_fit_years_option_reports_the_rest_apart(cli, results_dir):
    result = cli("fit", results_dir, "--years", "1990-2002")
    assert result.exit_code == 0, result.output
    text = (results_dir / "fit.md").read_text(encoding="utf-8")
    assert "fitted years (1990-2002)" in text and "other years (2003-2006)" in text


def test_fit_notes_targets_it_cannot_check(cli, results_dir):
    yearly = pd.read_csv(results_dir / "yearly.csv")
    yearly[yearly["year"] <= 2001].to_csv(results_dir / "yearly.csv", index=False)
    result = cli("fit", results_dir)
    assert result.exit_code == 0, result.output
    assert "Not checked: target broker_assisted_share_2004: year(s) 2004 were not simulated" in (
        result.output
    )


def test_fit_needs_a_results_directory(cli, tmp_path, results_dir):
    result = cli("fit", tmp_path / "nowhere")
    assert result.exit_code == 2
    assert "no such results directory" in result.output

    (results_dir / "summary.csv").unlink()
    result = cli("fit", results_dir)
    assert result.exit_code == 2
    assert "found no summary.csv; expected the output directory of `nkroutes run`" in (
        result.output
    )
    assert not (results_dir / "fit.md").exists()


def test_fit_refuses_bad_years(cli, results_dir):
    result = cli("fit", results_dir, "--years", "2006-1994")
    assert result.exit_code == 2
    assert "--years: found '2006-1994'" in result.output
    result = cli("fit", results_dir, "--years", "2030-2040")
    assert result.exit_code == 2
    assert "none is both observed and simulated" in result.output


def fake_run(directory, status="running", replicates=6, done=2, command=None):
    """A results directory as a run leaves it: its manifest and ``done`` finished parts."""
    directory.mkdir(parents=True)
    command = command or f"nkroutes run s.toml -n {replicates} --workers 1 --out {directory}"
    manifest = {"status": status, "replicates": replicates, "seed": 3, "command": command}
    (directory / "manifest.json").write_text(json.dumps(manifest))
    (directory / "scenario.toml").write_text('[meta]\nname = "s"\n')
    for k in range(done):  # a whole part: every table, each ending with a line break
        part = directory / "parts" / f"r{k:06d}"
        part.mkdir(parents=True)
        for file in TABLE_FILES.values():
            (part / file).write_text("replicate\n0\n")
    return directory


def test_fit_of_an_unfinished_run_says_how_to_complete_it(cli, tmp_path):
    run = fake_run(tmp_path / "run")
    result = cli("fit", run)
    assert result.exit_code == 2
    assert result.stderr == (
        f"Error: {run} is an unfinished run (2 of 6 replicates); complete it with: "
        f"nkroutes run s.toml -n 6 --workers 1 --out {run} --resume\n"
    )
    assert not (run / "fit.md").exists()


def test_an_unfinished_run_started_from_python_or_by_compare_is_resumed_the_same_way(cli, tmp_path):
    run = fake_run(tmp_path / "py", command="python: nkroutes.run_ensemble(...)")
    result = cli("fit", run)
    assert result.exit_code == 2
    assert f"complete it with: nkroutes run {run / 'scenario.toml'} --seed 3 --out {run} " in (
        result.stderr
    )
    # A comparison's run (started without --out) is completed by resuming the comparison.
    folder = tmp_path / "cmp"
    run = fake_run(folder / "a", command="nkroutes compare a.toml b.toml -n 6")
    result = cli("fit", run)
    assert result.exit_code == 2
    assert f"complete it with: nkroutes compare a.toml b.toml -n 6 --out {folder} --resume" in (
        result.stderr
    )
    result = cli("fit", folder)
    assert result.exit_code == 2
    assert f"{folder} is an unfinished comparison; complete it with: nkroutes compare" in (
        result.stderr
    )


def test_fit_of_a_scenario_file_says_to_run_it_first(cli, tmp_path):
    file = tmp_path / "base.toml"
    file.write_text('[meta]\nname = "base"\n')
    result = cli("fit", file)
    assert result.exit_code == 2
    assert result.stderr == (
        f"Error: {file}: is a file, not a results directory; it looks like a scenario: run it "
        f"first (nkroutes run {file}), then nkroutes fit results/base/latest\n"
    )


def test_fit_of_a_folder_of_runs_or_a_comparison_names_what_to_give(cli, tmp_path):
    parent = tmp_path / "baseline"
    fake_run(parent / "20250101T000000", status="complete", done=0)
    (parent / "latest").symlink_to("20250101T000000")
    result = cli("fit", parent)
    assert result.exit_code == 2
    assert f"{parent}: holds a folder per run, not one run's results; name one, e.g. " in (
        result.stderr
    )
    assert f"e.g. {parent / 'latest'} (the newest complete run)" in result.stderr

    folder = tmp_path / "cmp"
    for name in ("a", "b"):
        fake_run(folder / name, status="complete", done=0)
    (folder / "comparison.csv").write_text("baseline,whatif\n")
    result = cli("fit", folder)
    assert result.exit_code == 2
    assert result.stderr == (
        f"Error: {folder}: is a comparison, not one run's results; name one of its "
        f"scenarios: {folder / 'a'}, {folder / 'b'}\n"
    )
