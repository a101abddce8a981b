"""Ensembles: replicate seeds, worker-count independence, atomic parts, resume, tracing."""

from __future__ import annotations

import gzip
import json
import shutil

import numpy as np
import pandas as pd
import pytest

from nkroutes.ensemble import (
    EnsembleRunError,
    EnsembleSetupError,
    Results,
    replicate_seed,
    replicate_seeds,
    run_ensemble,
)
from nkroutes.ensemble.folders import link_latest
from nkroutes.ensemble.rundir import RunDirectory
from nkroutes.scenario import load_scenario
from scenario_builder import write_tiny

FILES = (
    "scenario.toml",
    "yearly.csv",
    "summary.csv",
    "routes.csv",
    "places.csv",
    "time_in_china.csv",
)


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    base, _ = write_tiny(tmp_path_factory.mktemp("scenarios"))
    return load_scenario(base)


@pytest.fixture(scope="module")
def reference(tiny, tmp_path_factory):
    """Four replicates with seed 3, one worker (in process), written to disk."""
    out = tmp_path_factory.mktemp("reference") / "run"
    results = run_ensemble(tiny, replicates=4, seed=3, workers=1, out=out)
    return out, results


def file_bytes(folder):
    return {name: (folder / name).read_bytes() for name in FILES}


# -- seeds ---------------------------------------------------------------------------------


def test_replicate_seed_is_the_spawned_child_whatever_the_number_spawned():
    for n in (3, 10):
        children = np.random.SeedSequence(7).spawn(n)
        expected = [int(c.generate_state(1, np.uint64)[0] >> np.uint64(1)) for c in children]
        assert replicate_seeds(7, n) == expected
    assert replicate_seeds(7, 10)[:3] == replicate_seeds(7, 3)
    assert replicate_seed(7, 2) != replicate_seed(8, 2)
    assert all(0 <= s < 2**63 for s in replicate_seeds(123, 50))


@pytest.mark.parametrize("seed", [-1, 1.5, "7", True])
def test_bad_seed_is_a_setup_error(tiny, seed):
    with pytest.raises(EnsembleSetupError, match="seed: found"):
        run_ensemble(tiny, replicates=1, seed=seed, workers=1)


@pytest.mark.parametrize("replicates", [0, -3, 2.0, 1_000_001, 10**20])
def test_bad_replicate_count_is_a_setup_error(tiny, replicates, tmp_path):
    # Refused before anything is written (10**20 once filled memory with the list to run).
    with pytest.raises(EnsembleSetupError, match=r"replicates: found .*, expected a whole number"):
        run_ensemble(tiny, replicates=replicates, workers=1, out=tmp_path / "out")
    assert not (tmp_path / "out").exists()


# -- the tables ----------------------------------------------------------------------------


def test_results_have_one_row_per_replicate_and_year(reference, tiny):
    out, results = reference
    assert results.directory == out
    assert results.n_replicates == 4
    assert results.summary["replicate"].tolist() == [0, 1, 2, 3]
    assert results.summary["seed"].tolist() == replicate_seeds(3, 4)
    years = list(range(1990, 1994))
    assert results.yearly[["replicate", "year"]].values.tolist() == [
        [k, y] for k in range(4) for y in years
    ]
    for column in ("departures", "repatriated", "died", "in_china", "arrivals"):
        assert column in results.yearly.columns
    for dest in ("south_korea", "japan"):
        assert f"arrivals_{dest}" in results.yearly.columns
        assert f"arrivals_{dest}" in results.summary.columns
    # Totals in summary.csv are the sums of the yearly flows.
    totals = results.yearly.groupby("replicate")[["arrivals", "repatriated", "died"]].sum()
    for column in ("arrivals", "repatriated", "died"):
        assert totals[column].tolist() == results.summary[column].tolist()
    assert results.summary["arrivals"].min() > 0
    assert set(results.routes["route"]) == {r["id"] for r in tiny.to_dict()["routes"]}
    assert not (out / "parts").exists()


def test_manifest_records_the_run(reference, tiny):
    out, _ = reference
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["status"] == "complete"
    assert manifest["scenario"] == {"name": "tiny", "hash": tiny.hash, "source": str(tiny.source)}
    assert manifest["seed"] == 3
    assert manifest["replicates"] == 4
    assert manifest["executor"] == "local"
    assert manifest["workers"] == 1
    assert manifest["versions"]["mesa"].startswith("3.")
    assert manifest["versions"]["nkroutes"]
    assert manifest["wall_time_s"] > 0
    assert manifest["started"] <= manifest["finished"]
    assert len(manifest["sessions"]) == 1
    assert manifest["command"].startswith("python: ")
    assert load_scenario(out / "scenario.toml").hash == tiny.hash


def test_in_memory_results_equal_the_files(reference, tiny):
    _, on_disk = reference
    in_memory = run_ensemble(tiny, replicates=4, seed=3, workers=1)
    assert in_memory.directory is None
    for name in ("yearly", "summary", "routes", "places", "time_in_china"):
        pd.testing.assert_frame_equal(getattr(in_memory, name), getattr(on_disk, name))


def test_replicate_k_does_not_depend_on_the_number_of_replicates(reference, tiny):
    _, four = reference
    two = run_ensemble(tiny, replicates=2, seed=3, workers=1)
    pd.testing.assert_frame_equal(two.yearly, four.yearly[four.yearly["replicate"] < 2])
    pd.testing.assert_frame_equal(two.summary, four.summary[four.summary["replicate"] < 2])


@pytest.mark.slow
def test_two_workers_write_the_same_files_as_one(reference, tiny, tmp_path):
    out, _ = reference
    run_ensemble(tiny, replicates=4, seed=3, workers=2, out=tmp_path / "two")
    assert file_bytes(tmp_path / "two") == file_bytes(out)
    manifest = json.loads((tmp_path / "two" / "manifest.json").read_text())
    assert manifest["workers"] == 2


@pytest.mark.slow
def test_dask_local_cluster_writes_the_same_files(reference, tiny, tmp_path):
    distributed = pytest.importorskip("distributed")
    out, _ = reference
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        run_ensemble(
            tiny,
            replicates=4,
            seed=3,
            executor="dask",
            scheduler=cluster.scheduler_address,
            out=tmp_path / "dask",
        )
    assert file_bytes(tmp_path / "dask") == file_bytes(out)
    manifest = json.loads((tmp_path / "dask" / "manifest.json").read_text())
    assert manifest["executor"] == "dask"
    assert manifest["scheduler"] == cluster.scheduler_address


def test_trace_writes_one_row_per_migrant_with_paths(reference, tiny, tmp_path):
    _, plain = reference
    traced = run_ensemble(tiny, replicates=2, seed=3, workers=1, trace=True, out=tmp_path / "t")
    # Tracing only records: the tables are those of an untraced run.
    pd.testing.assert_frame_equal(traced.yearly, plain.yearly[plain.yearly["replicate"] < 2])
    with gzip.open(tmp_path / "t" / "migrants.csv.gz", "rt") as f:
        migrants = pd.read_csv(f, keep_default_na=False)
    assert migrants.columns[0] == "replicate"
    assert {"migrant", "outcome", "destination", "months_in_china", "path"} <= set(migrants)
    counts = migrants.groupby("replicate").size().tolist()
    assert counts == traced.summary["migrants_created"].astype(int).tolist()
    arrived = migrants[migrants["outcome"] == "arrived"]
    assert len(arrived) == int(traced.summary["arrivals"].sum())
    assert arrived["path"].str.contains(" > ").all()
    in_memory = run_ensemble(tiny, replicates=2, seed=3, workers=1, trace=True)
    assert len(in_memory.extra["migrants"]) == len(migrants)


# -- the results directory -----------------------------------------------------------------


def test_a_non_empty_output_directory_is_refused_and_left_alone(reference, tiny):
    out, _ = reference
    before = file_bytes(out)
    with pytest.raises(EnsembleSetupError) as info:
        run_ensemble(tiny, replicates=4, seed=3, workers=1, out=out)
    assert str(info.value) == (
        f"{out} is not empty; choose another --out, or pass --force to delete its results "
        "and start over, or --resume to complete an interrupted run there"
    )
    assert file_bytes(out) == before


def test_resume_refuses_another_scenario_seed_or_tracing(reference, tiny, tmp_path):
    out, _ = reference
    other = tiny.with_overrides({"enforcement.china.arrest_rate_per_year": 0.2})
    with pytest.raises(EnsembleSetupError, match="holds results of scenario 'tiny'"):
        run_ensemble(other, replicates=4, seed=3, workers=1, out=out, resume=True)
    with pytest.raises(EnsembleSetupError, match="was run with seed 3, not 4"):
        run_ensemble(tiny, replicates=4, seed=4, workers=1, out=out, resume=True)
    with pytest.raises(EnsembleSetupError, match="was run without --trace"):
        run_ensemble(tiny, replicates=4, seed=3, workers=1, out=out, resume=True, trace=True)
    with pytest.raises(EnsembleSetupError, match="complete run of 4 replicates, not 5"):
        run_ensemble(tiny, replicates=5, seed=3, workers=1, out=out, resume=True)
    stranger = tmp_path / "stranger"
    stranger.mkdir()
    (stranger / "notes.txt").write_text("mine")
    with pytest.raises(EnsembleSetupError, match="not an nkroutes results directory"):
        run_ensemble(tiny, replicates=1, seed=3, workers=1, out=stranger, resume=True)
    assert [p.name for p in stranger.iterdir()] == ["notes.txt"]


def test_resuming_a_complete_run_runs_nothing(reference, tiny):
    out, results = reference
    again = run_ensemble(tiny, replicates=4, seed=3, workers=1, out=out, resume=True)
    pd.testing.assert_frame_equal(again.summary, results.summary)
    assert len(json.loads((out / "manifest.json").read_text())["sessions"]) == 1


def test_force_starts_over_but_keeps_files_it_did_not_write(reference, tiny, tmp_path):
    out, _ = reference
    copy = tmp_path / "copy"
    run_ensemble(tiny, replicates=2, seed=3, workers=1, out=copy)
    (copy / "notes.txt").write_text("mine")
    run_ensemble(tiny, replicates=4, seed=3, workers=1, out=copy, force=True)
    assert file_bytes(copy) == file_bytes(out)
    assert (copy / "notes.txt").read_text() == "mine"


def test_a_failing_replicate_stops_the_run_and_keeps_finished_ones(tiny, tmp_path, fail_replicate):
    bad_seed = replicate_seed(3, 2)
    restore = fail_replicate(3, 2)
    out = tmp_path / "run"
    with pytest.raises(EnsembleRunError, match=f"replicate 2 \\(model seed {bad_seed}\\)") as info:
        run_ensemble(tiny, replicates=4, seed=3, workers=1, out=out)
    assert info.value.replicate == 2
    assert RunDirectory(out).done_replicates() == {0, 1}
    assert json.loads((out / "manifest.json").read_text())["status"] == "running"
    assert not (out / "summary.csv").exists()
    # Fixed: resume runs the missing replicates only.
    restore()
    resumed = run_ensemble(tiny, replicates=4, seed=3, workers=1, out=out, resume=True)
    assert resumed.n_replicates == 4
    manifest = json.loads((out / "manifest.json").read_text())
    assert [s["replicates_run"] for s in manifest["sessions"]] == [4, 2]


def test_resume_after_an_incomplete_first_session_may_raise_the_replicate_count(tiny, tmp_path):
    out = tmp_path / "run"
    run_dir = RunDirectory(out)
    results = run_ensemble(tiny, replicates=2, seed=3, workers=1)
    # Simulate an interrupted run of 3 replicates: the manifest and two parts.
    full = run_ensemble(tiny, replicates=3, seed=3, workers=1, out=tmp_path / "full")
    run_dir.create()
    (out / "manifest.json").write_text(
        (tmp_path / "full" / "manifest.json").read_text().replace('"complete"', '"running"')
    )
    (out / "scenario.toml").write_text((tmp_path / "full" / "scenario.toml").read_text())
    from nkroutes.ensemble.tasks import run_replicate

    for k in range(2):
        run_dir.write_part(run_replicate(tiny.to_dict(), k, replicate_seed(3, k)))
    (run_dir.parts / ".tmp-999-r000002").mkdir()  # a half-written part of a killed run
    resumed = run_ensemble(tiny, replicates=3, seed=3, workers=1, out=out, resume=True)
    pd.testing.assert_frame_equal(resumed.summary, full.summary)
    pd.testing.assert_frame_equal(resumed.summary.iloc[:2], results.summary)


def test_latest_link_points_at_the_newest_run(tmp_path):
    first = tmp_path / "baseline" / "20250101T000000"
    second = tmp_path / "baseline" / "20250101T000001"
    first.mkdir(parents=True)
    second.mkdir()
    assert link_latest(first) == tmp_path / "baseline" / "latest"
    assert (tmp_path / "baseline" / "latest").resolve() == first.resolve()
    link_latest(second)
    assert (tmp_path / "baseline" / "latest").resolve() == second.resolve()
    assert sorted(p.name for p in (tmp_path / "baseline").iterdir()) == [
        "20250101T000000",
        "20250101T000001",
        "latest",
    ]


def test_results_load_reads_back_a_run(reference):
    out, results = reference
    loaded = Results.load(out)
    pd.testing.assert_frame_equal(loaded.yearly, results.yearly)
    assert loaded.name == "tiny"


def test_run_ensemble_and_compare_are_exported_from_the_package():
    import nkroutes
    from nkroutes.sensitivity.draws import compare  # analysis.compare's, or with draws=K

    assert nkroutes.run_ensemble is run_ensemble
    assert nkroutes.compare is compare
    assert nkroutes.Results is Results
    assert {"run_ensemble", "compare", "Results", "Comparison"} <= set(dir(nkroutes))
    with pytest.raises(AttributeError):
        nkroutes.no_such_thing  # noqa: B018


def test_resume_of_a_run_killed_before_its_manifest_starts_afresh(reference, tiny, tmp_path):
    out, _ = reference
    killed = tmp_path / "killed"
    (killed / "parts").mkdir(parents=True)
    (killed / ".tmp-123-scenario.toml").write_text("half")
    run_ensemble(tiny, replicates=4, seed=3, workers=1, out=killed, resume=True)
    assert file_bytes(killed) == file_bytes(out)
    assert not [p for p in killed.iterdir() if p.name.startswith(".tmp-")]


def test_results_without_a_manifest_are_neither_resumed_nor_overwritten(reference, tiny, tmp_path):
    out, _ = reference
    lost = tmp_path / "lost"
    shutil.copytree(out, lost)
    (lost / "manifest.json").unlink()
    before = file_bytes(lost)
    for resume, message in ((True, r"holds results but no manifest\.json"), (False, "not empty")):
        with pytest.raises(EnsembleSetupError, match=message):
            run_ensemble(tiny, replicates=4, seed=3, workers=1, out=lost, resume=resume)
        assert file_bytes(lost) == before
    (lost / "manifest.json").write_text("[]")
    with pytest.raises(EnsembleSetupError, match="found a JSON list, expected an object"):
        run_ensemble(tiny, replicates=4, seed=3, workers=1, out=lost, resume=True)
    run_ensemble(tiny, replicates=4, seed=3, workers=1, out=lost, force=True)
    assert file_bytes(lost) == file_bytes(out)


# -- the number of replicates on resume ------------------------------------------------------


def interrupted_run(tiny, out, fail_replicate, replicates=4, fails_at=2):
    """An unfinished run of ``replicates`` in ``out`` whose parts 0 .. fails_at - 1 exist."""
    restore = fail_replicate(3, fails_at)
    with pytest.raises(EnsembleRunError):
        run_ensemble(tiny, replicates=replicates, seed=3, workers=1, out=out)
    restore()
    assert RunDirectory(out).done_replicates() == set(range(fails_at))


def test_resume_runs_a_damaged_part_again_to_the_files_of_an_uninterrupted_run(
    reference, tiny, tmp_path, fail_replicate
):
    out, _ = reference
    damaged = tmp_path / "damaged"
    interrupted_run(tiny, damaged, fail_replicate, fails_at=3)  # parts 0, 1, 2
    parts = RunDirectory(damaged)
    cut = parts.part_dir(0) / "yearly.csv"
    cut.write_bytes(cut.read_bytes()[:-9])  # cut within its last row
    (parts.part_dir(1) / "summary.csv").unlink()  # a table gone
    assert parts.done_replicates() == {2}
    run_ensemble(tiny, seed=3, workers=1, out=damaged, resume=True)
    assert file_bytes(damaged) == file_bytes(out)


def test_resume_without_a_count_keeps_the_one_the_run_was_started_with(
    reference, tiny, tmp_path, fail_replicate
):
    ref_out, _ = reference
    out = tmp_path / "run"
    interrupted_run(tiny, out, fail_replicate)
    resumed = run_ensemble(tiny, seed=3, workers=1, out=out, resume=True)
    assert resumed.n_replicates == 4
    assert json.loads((out / "manifest.json").read_text())["replicates"] == 4
    assert file_bytes(out) == file_bytes(ref_out)


def test_resume_refuses_fewer_replicates_and_deletes_nothing(tiny, tmp_path, fail_replicate):
    out = tmp_path / "run"
    interrupted_run(tiny, out, fail_replicate)
    manifest = (out / "manifest.json").read_text()
    with pytest.raises(EnsembleSetupError) as info:
        run_ensemble(tiny, replicates=1, seed=3, workers=1, out=out, resume=True)
    assert str(info.value) == (
        f"{out}: holds an unfinished run of 4 replicates, more than the 1 asked for; resume "
        "it without -n (or with -n 4 or more), or pass --force to start over with 1"
    )
    assert RunDirectory(out).done_replicates() == {0, 1}
    assert (out / "manifest.json").read_text() == manifest
    assert not (out / "summary.csv").exists()


def test_a_fresh_run_without_a_count_runs_the_default(tiny, monkeypatch):
    from nkroutes.ensemble import runner

    monkeypatch.setattr(runner, "DEFAULT_REPLICATES", 2)
    assert run_ensemble(tiny, seed=3, workers=1).n_replicates == 2


def test_resuming_a_complete_run_without_a_count_reads_it_back(reference, tiny):
    out, results = reference
    again = run_ensemble(tiny, seed=3, workers=1, out=out, resume=True)
    pd.testing.assert_frame_equal(again.summary, results.summary)


# -- what --force removes --------------------------------------------------------------------


@pytest.mark.slow  # draws every figure
def test_force_removes_figures_and_fit_report_but_not_other_files(reference, tiny, tmp_path):
    out, _ = reference
    copy = tmp_path / "copy"
    run_ensemble(tiny, replicates=2, seed=3, workers=1, out=copy)
    plots = copy / "plots"
    plots.mkdir()
    for name in (
        "arrivals.png",
        "route_flows.svg",
        "route_flows_tiny.pdf",
        ".tmp-9-0a1b2c3d-outcomes.png",
    ):
        (plots / name).write_bytes(b"old")
    (copy / "fit.md").write_text("old fit")
    run_ensemble(tiny, replicates=4, seed=3, workers=1, out=copy, force=True)
    assert not plots.exists()
    assert not (copy / "fit.md").exists()
    assert file_bytes(copy) == file_bytes(out)

    # Files nkroutes did not write stay, in plots/ too.
    plots.mkdir()
    (plots / "arrivals.png").write_bytes(b"old")
    (plots / "my-sketch.png").write_bytes(b"mine")
    run_ensemble(tiny, replicates=4, seed=3, workers=1, out=copy, force=True)
    assert [p.name for p in plots.iterdir()] == ["my-sketch.png"]


def test_the_figure_names_a_run_directory_knows_are_those_plots_draws():
    from nkroutes.ensemble import rundir
    from nkroutes.plots import (
        FORMATS,
        PLOTS_DIR,
        arrivals,
        effects,
        outcomes,
        route_map,
        stocks,
        time_in_china,
    )

    modules = (arrivals, outcomes, route_map, time_in_china, stocks, effects)
    assert set(rundir.FIGURE_NAMES) == {m.NAME for m in modules}
    assert rundir.FIGURE_FORMATS == FORMATS
    assert rundir.PLOTS_DIR == PLOTS_DIR


# -- summary.csv -------------------------------------------------------------------------------


def test_summary_writes_counts_of_people_as_whole_numbers(reference):
    out, results = reference
    header, first = (out / "summary.csv").read_text().splitlines()[:2]
    row = dict(zip(header.split(","), first.split(","), strict=True))
    for column in ("departures", "arrivals", "arrivals_south_korea", "in_china_end"):
        assert row[column].isdigit(), (column, row[column])
    assert row["migrants_created"] == row["departures"]
    for column in ("broker_fees_usd", "broker_assisted_share", "share_stayed_two_years"):
        assert results.summary[column].dtype == np.float64
    assert results.summary["arrivals"].dtype == np.int64
