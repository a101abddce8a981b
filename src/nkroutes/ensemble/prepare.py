"""Start or continue a results directory: check it against the request, write the manifest.

A run starts in an empty (or missing) directory, or continues one that holds an unfinished
run of the same scenario, seed, tracing and posterior (``resume``); anything else is refused
with a message that names the directory and what differs, before anything is run.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from nkroutes.ensemble.errors import EnsembleSetupError
from nkroutes.ensemble.folders import check_out_dir
from nkroutes.ensemble.manifest import new_manifest
from nkroutes.ensemble.posterior import POSTERIOR_FILE, Posterior
from nkroutes.ensemble.rundir import MANIFEST_FILE, SCENARIO_FILE, RunDirectory
from nkroutes.ensemble.seeds import check_seed
from nkroutes.scenario import Scenario

#: Replicates when none are asked for: enough for a first look at medians and a rough
#: 90% interval in about a minute on a laptop (use 200 or more for a comparison).
DEFAULT_REPLICATES = 20

#: Most replicates one run may ask for: a million, some twelve days of one core at a second
#: each, far beyond any comparison's needs. Above it a mistyped -n would only fill memory
#: with the list of replicates to run.
MAX_REPLICATES = 1_000_000


def check_replicates(replicates: object) -> int | None:
    """The number of replicates as a plain int, if it is a whole number from 1 to the maximum.

    ``None`` (the default number, or a resumed run's own) is returned as it is; a NumPy
    integer is accepted. A bool is refused (``True`` is not a number of replicates).

    Raises:
        EnsembleSetupError: Naming ``replicates``, what was found and what was expected.
    """
    if replicates is None:
        return None
    if (
        isinstance(replicates, bool)
        or not isinstance(replicates, int | np.integer)
        or not 1 <= replicates <= MAX_REPLICATES
    ):
        raise EnsembleSetupError(
            f"replicates: found {replicates!r}, expected a whole number from 1 to "
            f"{MAX_REPLICATES:,}"
        )
    return int(replicates)


def check_run_options(replicates: object, seed: object) -> tuple[int | None, int]:
    """``replicates`` (:func:`check_replicates`) and ``seed`` checked, as plain ints.

    Raises:
        EnsembleSetupError: For the first bad value, naming its argument.
    """
    checked = check_replicates(replicates)
    try:
        return checked, check_seed(seed)  # type: ignore[arg-type]
    except ValueError as error:
        raise EnsembleSetupError(str(error)) from None


def new_run_manifest(
    scenario: Scenario, seed: int, replicates: int, trace: bool, posterior: Posterior | None
) -> dict[str, Any]:
    """The manifest of a new run (with the posterior's record when it draws from one)."""
    manifest = new_manifest(
        scenario_name=scenario.name,
        scenario_hash=scenario.hash,
        scenario_source=scenario.source,
        seed=seed,
        replicates=replicates,
        trace=trace,
    )
    manifest["posterior"] = None if posterior is None else posterior.record()
    return manifest


def prepare_directory(
    run_dir: RunDirectory,
    scenario: Scenario,
    seed: int,
    replicates: int | None,
    trace: bool,
    resume: bool,
    force: bool,
    posterior: Posterior | None = None,
) -> dict[str, Any]:
    """Check the results directory against the request; return the manifest to continue.

    The manifest's ``replicates`` is the number to run: ``replicates``, or for a resumed
    run without one, the number it was started with.
    """
    path = run_dir.path
    count = DEFAULT_REPLICATES if replicates is None else replicates
    occupied = check_out_dir(path, resume=resume, force=force, what="run")
    if occupied:
        nested = sorted(
            entry.name
            for entry in path.iterdir()
            if entry.is_dir() and not entry.is_symlink() and (entry / MANIFEST_FILE).is_file()
        )
        if nested:  # a comparison's folder (or the runs of a sensitivity, a calibration)
            raise EnsembleSetupError(
                f"{path}: holds other results in its subfolders ({', '.join(nested)}), as a "
                "comparison does; a run there would mix with them: choose another output "
                "directory"
            )
    if force and path.exists():
        run_dir.clear()
    elif occupied:
        manifest = run_dir.read_manifest()
        if manifest is None and run_dir.holds_only_a_start():
            # Killed before its manifest was written: nothing to keep, start afresh.
            run_dir.clear()
            return _start_directory(run_dir, scenario, seed, count, trace, posterior)
        if manifest is None and run_dir.holds_only_run_files():
            # Results without the manifest that says what made them: they cannot be
            # checked against this run, so they are neither resumed nor overwritten.
            raise EnsembleSetupError(
                f"{path}: holds results but no {MANIFEST_FILE}, so they cannot be checked "
                "against this run; choose another output directory, or pass --force to "
                "delete them and start over"
            )
        if manifest is None:
            raise EnsembleSetupError(
                f"{path}: is not an nkroutes results directory (no {MANIFEST_FILE}); "
                "choose another output directory"
            )
        _check_same_run(path, manifest, scenario, seed, trace, posterior)
        recorded = _recorded_replicates(path, manifest)
        if manifest.get("status") == "complete":
            if replicates is not None and replicates != recorded:
                raise EnsembleSetupError(
                    f"{path}: holds a complete run of {recorded} replicates, not {replicates}; "
                    "start a new run (another output directory, or --force)"
                )
            return manifest
        if replicates is not None and replicates < recorded:
            raise EnsembleSetupError(
                f"{path}: holds an unfinished run of {recorded} replicates, more than the "
                f"{replicates} asked for; resume it without -n (or with -n {recorded} or more), "
                f"or pass --force to start over with {replicates}"
            )
        run_dir.clean_temporaries()
        run_dir.create()
        if not (path / SCENARIO_FILE).is_file():
            run_dir.write_scenario(scenario.to_toml())
        manifest["replicates"] = recorded if replicates is None else replicates
        return manifest
    return _start_directory(run_dir, scenario, seed, count, trace, posterior)


def _recorded_replicates(path: Path, manifest: dict[str, Any]) -> int:
    """The number of replicates a manifest records (refused if it is not a whole number)."""
    recorded = manifest.get("replicates")
    if isinstance(recorded, bool) or not isinstance(recorded, int) or recorded < 1:
        raise EnsembleSetupError(
            f"{path / MANIFEST_FILE}: replicates: found {recorded!r}, expected a whole "
            "number >= 1; start a new run (another output directory, or --force)"
        )
    return recorded


def _start_directory(
    run_dir: RunDirectory,
    scenario: Scenario,
    seed: int,
    replicates: int,
    trace: bool,
    posterior: Posterior | None,
) -> dict[str, Any]:
    """Create a new results directory: the scenario, then the manifest, then parts/."""
    manifest = new_run_manifest(scenario, seed, replicates, trace, posterior)
    run_dir.path.mkdir(parents=True, exist_ok=True)
    run_dir.write_scenario(scenario.to_toml())
    run_dir.write_manifest(manifest)
    run_dir.create()
    return manifest


def _check_same_run(
    path: Path,
    manifest: dict[str, Any],
    scenario: Scenario,
    seed: int,
    trace: bool,
    posterior: Posterior | None,
) -> None:
    recorded = manifest.get("scenario", {})
    if recorded.get("hash") != scenario.hash:
        raise EnsembleSetupError(
            f"{path}: holds results of scenario '{recorded.get('name')}' "
            f"(sha256 {str(recorded.get('hash'))[:12]}), but the scenario now resolves to "
            f"'{scenario.name}' (sha256 {scenario.hash[:12]}); resume needs the same file and "
            "--set values. Use --force to start over, or another output directory"
        )
    if manifest.get("seed") != seed:
        raise EnsembleSetupError(
            f"{path}: was run with seed {manifest.get('seed')}, not {seed}; resume with "
            f"--seed {manifest.get('seed')}"
        )
    if bool(manifest.get("trace")) != trace:
        was = "with" if manifest.get("trace") else "without"
        raise EnsembleSetupError(f"{path}: was run {was} --trace; resume it the same way")
    recorded_posterior = (manifest.get("posterior") or {}).get("posterior_sha256")
    if recorded_posterior != (None if posterior is None else posterior.sha256):
        was = (
            f"with --posterior {manifest['posterior'].get('folder')}"
            if recorded_posterior
            else "without --posterior"
        )
        raise EnsembleSetupError(
            f"{path}: was run {was}; resume it with the same posterior (the same "
            f"{POSTERIOR_FILE}), or use --force to start over"
        )
