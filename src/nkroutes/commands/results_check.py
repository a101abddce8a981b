"""The check ``fit`` and ``plot`` share: a folder holds finished results, or what it holds.

A user who names the wrong folder (a scenario file, an unfinished run, a folder of runs, a
comparison) is told what it is and what to give instead, with exit code 2; and so is one
whose finished tables were damaged since (cut short, rows or scenarios missing), which would
otherwise be read as if whole.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from nkroutes.analysis.compare import COMPARISON_CSV
from nkroutes.analysis.compare_record import RecordError, read_record
from nkroutes.commands.common import BadInput, read_manifest, recorded_resume_command
from nkroutes.ensemble.folders import ends_with_line_break
from nkroutes.ensemble.lock import writer_of
from nkroutes.ensemble.results import damage
from nkroutes.ensemble.rundir import RunDirectory


def check_results_dir(path: Path, command: str, comparisons: bool = False) -> None:
    """Refuse (exit 2) a path that is recognisably not finished results, saying what it is.

    Recognised: a missing path, a file (a scenario file: how to get its results), an
    unfinished run (how to complete it), a folder of runs (the ``latest`` one), a comparison
    (its scenarios' folders, unless ``comparisons`` are accepted) and an unfinished
    comparison. Anything else passes, for the command's own checks.

    Args:
        path: The RESULTS_DIR argument.
        command: The command's name, for the hints (``"fit"``, ``"plot"``).
        comparisons: Whether a finished comparison directory is accepted.

    Raises:
        BadInput: Naming the path, what it is and what to give instead.
    """
    if not path.exists():
        raise BadInput(f"{path}: no such results directory")
    if not path.is_dir():
        raise BadInput(f"{path}: is a file, not a results directory; {_file_hint(path, command)}")
    manifest = read_manifest(path)
    if manifest is not None:
        if manifest.get("status") == "running":
            done = len(RunDirectory(path).done_replicates())
            total = manifest.get("replicates", "?")
            writer = writer_of(path)
            if writer is not None:
                raise BadInput(
                    f"{path} is a run in progress ({done} of {total} replicates), being "
                    f"written by {writer}; wait for it to finish"
                )
            raise BadInput(
                f"{path} is an unfinished run ({done} of {total} replicates); complete it "
                f"with: {recorded_resume_command(path, manifest)}"
            )
        _check_intact(path, manifest)
        return
    runs = sorted(d for d in path.iterdir() if d.is_dir() and read_manifest(d) is not None)
    if not runs:
        return
    if (path / "comparison.csv").is_file():
        if comparisons:
            _check_comparison_intact(path, runs)
            return
        raise BadInput(
            f"{path}: is a comparison, not one run's results; name one of its scenarios: "
            + ", ".join(str(d) for d in runs)
        )
    latest = path / "latest"
    if latest in runs:
        raise BadInput(
            f"{path}: holds a folder per run, not one run's results; name one, e.g. {latest} "
            "(the newest complete run)"
        )
    manifests = {d: read_manifest(d) or {} for d in runs}
    unfinished = [d for d, m in manifests.items() if m.get("status") == "running"]
    compared = [
        d for d, m in manifests.items() if str(m.get("command", "")).startswith("nkroutes compare")
    ]
    if compared and unfinished:
        raise BadInput(
            f"{path} is an unfinished comparison; complete it with: "
            + recorded_resume_command(unfinished[0], manifests[unfinished[0]])
        )
    raise BadInput(f"{path}: holds results directories, not results; name one, e.g. {runs[-1]}")


def _check_intact(path: Path, manifest: dict) -> None:
    """Refuse a finished run whose tables are not those it wrote (cut short, rows missing)."""
    replicates = manifest.get("replicates")
    if isinstance(replicates, int) and not isinstance(replicates, bool) and replicates > 0:
        problem = damage(path, replicates)
        if problem is not None:
            raise BadInput(
                f"{problem}; the results are damaged: run the scenario again (--force) or "
                "restore the folder"
            )


def _check_comparison_intact(path: Path, runs: list[Path]) -> None:
    """Refuse a comparison whose report or scenarios' results are missing or damaged."""
    table = path / COMPARISON_CSV
    if not ends_with_line_break(table):
        raise BadInput(f"{table}: ends within a row (cut short?); run the comparison again")
    try:
        record = read_record(path)
        folders = dict(record.folders)
    except RecordError:
        record = None
        folders = {d.name: d.name for d in runs}  # an older comparison: its subfolders
    for name, folder in folders.items():
        run = path / str(folder)
        manifest = read_manifest(run) if run.is_dir() else None
        if manifest is None:
            raise BadInput(f"{run}: missing, but the comparison in {path} has this scenario")
        if manifest.get("status") != "complete":
            raise BadInput(f"{run} is an unfinished run; complete the comparison first")
        _check_intact(run, manifest)
        mismatch = None if record is None else record.run_mismatch(name, manifest)
        if mismatch is not None:
            raise BadInput(
                f"{run}: holds another run than the comparison in {path} was made of "
                f"({mismatch}); run the comparison again (nkroutes compare ... --force)"
            )


def _file_hint(path: Path, command: str) -> str:
    """What to give ``nkroutes <command>`` instead of the file ``path``."""
    if path.suffix != ".toml":
        return "expected the output directory of `nkroutes run`"
    name = "<scenario name>"
    try:
        meta = tomllib.loads(path.read_text(encoding="utf-8")).get("meta", {})
        if isinstance(meta, dict) and isinstance(meta.get("name"), str):
            name = meta["name"]
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        pass
    return (
        f"it looks like a scenario: run it first (nkroutes run {path}), then "
        f"nkroutes {command} results/{name}/latest"
    )
