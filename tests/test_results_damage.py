"""plot and fit refuse finished results damaged since they were written (exit 2, naming the file).

A table cut short, a replicate's rows gone, a comparison's scenario folder missing or left
unfinished: read as if whole, each gave figures and fit numbers from part of the data.
"""

from __future__ import annotations

import json
import shutil

import pytest

from scenario_builder import write_tiny


@pytest.fixture(scope="module")
def finished(tmp_path_factory):
    """A finished run and a finished comparison of the tiny scenario (not to be changed)."""
    from nkroutes.analysis.compare import compare
    from nkroutes.ensemble import run_ensemble

    folder = tmp_path_factory.mktemp("damage")
    base, whatif = write_tiny(folder / "scenarios")
    run_ensemble(base, replicates=3, seed=2, workers=1, out=folder / "run")
    compare(base, [whatif], replicates=2, seed=2, workers=1, out=folder / "cmp")
    return folder


def _copy(finished, name, tmp_path):
    target = tmp_path / name
    shutil.copytree(finished / name, target)
    return target


def _refused(cli, command, folder, *words):
    args = ("fit", folder, "--years", "1990-1993") if command == "fit" else ("plot", folder)
    result = cli(*args)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    for word in words:
        assert word in result.stderr, result.stderr
    assert not (folder / "fit.md").exists()


@pytest.mark.parametrize("command", ["fit", "plot"])
def test_a_table_cut_short_is_refused(cli, finished, tmp_path, command):
    run = _copy(finished, "run", tmp_path)
    text = (run / "yearly.csv").read_bytes()
    (run / "yearly.csv").write_bytes(text[: len(text) - 7])  # within the last row
    _refused(cli, command, run, f"{run / 'yearly.csv'}: ends within a row")


@pytest.mark.parametrize("command", ["fit", "plot"])
def test_rows_missing_are_refused(cli, finished, tmp_path, command):
    run = _copy(finished, "run", tmp_path)
    lines = (run / "yearly.csv").read_text().splitlines(keepends=True)
    (run / "yearly.csv").write_text("".join(lines[:-1]))  # the last replicate's last year
    _refused(cli, command, run, "replicate 2 has 3 years where others have 4 (rows missing)")
    summary = (run / "summary.csv").read_text().splitlines(keepends=True)
    (run / "yearly.csv").write_text("".join(lines))
    (run / "summary.csv").write_text("".join(summary[:-1]))
    _refused(cli, command, run, "summary.csv: holds replicates 0, 1, expected 0 to 2")


def test_a_comparison_missing_a_scenario_or_cut_short_is_refused(cli, finished, tmp_path):
    cmp = _copy(finished, "cmp", tmp_path)
    shutil.rmtree(cmp / "tiny")
    _refused(cli, "plot", cmp, f"{cmp / 'tiny'}: missing, but the comparison in")
    cmp = _copy(finished, "cmp", tmp_path / "again")
    manifest = json.loads((cmp / "tiny" / "manifest.json").read_text())
    (cmp / "tiny" / "manifest.json").write_text(json.dumps({**manifest, "status": "running"}))
    _refused(cli, "plot", cmp, "is an unfinished run")
    cmp = _copy(finished, "cmp", tmp_path / "third")
    text = (cmp / "comparison.csv").read_bytes()
    (cmp / "comparison.csv").write_bytes(text[:-5])
    _refused(cli, "plot", cmp, "comparison.csv: ends within a row")


def test_whole_results_still_plot_and_fit(cli, finished, tmp_path):
    run = _copy(finished, "run", tmp_path)
    assert cli("fit", run, "--years", "1990-1993").exit_code == 0
    assert cli("plot", run).exit_code == 0
    assert cli("plot", _copy(finished, "cmp", tmp_path)).exit_code == 0


def test_results_load_refuses_what_is_not_a_finished_run(finished, tmp_path):
    # It returned an empty Results (0 replicates) for each of these.
    from nkroutes.ensemble import Results
    from nkroutes.ensemble.results import ResultsError

    assert Results.load(finished / "run").n_replicates == 3
    with pytest.raises(ResultsError, match=r"holds a comparison \(nkroutes compare\), not a run"):
        Results.load(finished / "cmp")
    running = _copy(finished, "run", tmp_path)
    manifest = json.loads((running / "manifest.json").read_text(encoding="utf-8"))
    (running / "manifest.json").write_text(json.dumps(manifest | {"status": "running"}))
    with pytest.raises(ResultsError, match="is an unfinished run \\(manifest status 'running'\\)"):
        Results.load(running)
    analysis = tmp_path / "s"
    analysis.mkdir()
    (analysis / "sensitivity.json").write_text("{}")
    (analysis / "manifest.json").write_text("{}")
    with pytest.raises(ResultsError, match=r"holds a sensitivity analysis \(nkroutes sensitivity"):
        Results.load(analysis)
    with pytest.raises(ResultsError, match="holds no run's results"):
        Results.load(tmp_path)
