"""Running a plan's evaluations through an executor, journalled so a run can resume.

Each finished evaluation is one line of ``evaluations.jsonl`` (the calibration's
:class:`~nkroutes.calibration.journal.Journal`: whole lines only, flushed at once), and
``sensitivity.json`` records what identifies the analysis. ``--resume`` checks it and runs
only the evaluations missing from the journal; the outputs are computed from the journal
in evaluation order, so a resumed analysis writes the same files as one never interrupted.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from concurrent.futures import Executor
from pathlib import Path
from typing import Any

from nkroutes.calibration.journal import Journal, JournalError
from nkroutes.ensemble.batch import run_batch
from nkroutes.ensemble.folders import check_out_dir, write_json
from nkroutes.sensitivity.plan import Plan
from nkroutes.sensitivity.ranges import SensitivityError

#: The analysis's identity, checked on ``--resume``.
SETTINGS_FILE = "sensitivity.json"

#: One finished evaluation per line.
JOURNAL_FILE = "evaluations.jsonl"

#: Files an analysis writes in its folder (``--force`` deletes them; figures are in
#: ``figures/``).
OUTPUT_FILES = (
    SETTINGS_FILE,
    JOURNAL_FILE,
    "points.csv",
    "sensitivity.csv",
    "sensitivity.md",
    "manifest.json",
)

#: ``(task) -> {"index", "outcomes": {name: [per replicate]}, "error"}``: the model.
Evaluate = Callable[[Mapping[str, Any]], dict[str, Any]]


class EvaluationError(RuntimeError):
    """A model run failed (exit code 1); the journal keeps what finished."""


def prepare_folder(out: Path, plan: Plan, resume: bool, force: bool) -> dict[int, dict]:
    """Check ``out`` and return the evaluations already journalled (none unless resuming).

    Raises:
        OutDirError: ``out`` is a file, or holds something and neither flag is given.
        SensitivityError: ``--resume`` on a folder with no analysis, or another one.
    """
    occupied = check_out_dir(out, resume=resume, force=force, what="sensitivity analysis")
    out.mkdir(parents=True, exist_ok=True)
    record = json.loads(json.dumps(plan.record()))
    settings_path = out / SETTINGS_FILE
    if occupied and force:
        for name in OUTPUT_FILES:
            (out / name).unlink(missing_ok=True)
        figures = out / "figures"
        if figures.is_dir():
            for entry in figures.iterdir():
                if entry.is_file():
                    entry.unlink()
    elif occupied and resume:
        if not settings_path.is_file():
            raise SensitivityError(
                f"{out}: found no {SETTINGS_FILE}, expected the folder of a sensitivity "
                "analysis to resume"
            )
        try:
            recorded = json.loads(settings_path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            recorded = error
        if not isinstance(recorded, dict):
            raise SensitivityError(
                f"{settings_path}: found {recorded!s:.60}, expected the JSON object an "
                "analysis writes; pass --force to start over"
            )
        differing = record_differences(recorded, record)
        if differing:
            raise SensitivityError(
                f"{out / SETTINGS_FILE}: found an analysis with other settings "
                f"({'; '.join(differing)}), expected the same scenarios, ranges, outcomes and "
                "options to resume (or --force to start over)"
            )
        try:
            lines = Journal(out / JOURNAL_FILE).read()
        except JournalError as error:
            raise SensitivityError(f"{error}; pass --force to start over") from None
        done = {}
        for line in lines:
            if not line.get("error") and line["index"] < plan.n_tasks:
                done[line["index"]] = line
        return done
    write_json(settings_path, record)
    return {}


#: The option that sets each of the settings ``sensitivity.json`` records.
_OPTIONS = {
    "method": "--method",
    "size": "--trajectories/--samples",
    "replicates": "-n",
    "seed": "--seed",
    "outcomes": "--outcome",
    "params": "--param",
}


def record_differences(recorded: Mapping[str, Any], record: Mapping[str, Any]) -> list[str]:
    """How the analysis in a folder differs from the one asked for, one phrase each.

    Options by name with both values ("--seed 2 there, 3 now"); the scenarios, ranges,
    outcomes and the design's size by what differs.
    """
    out = []
    was_settings, now_settings = recorded.get("settings") or {}, record["settings"]
    for key, now in now_settings.items():
        was = was_settings.get(key) if isinstance(was_settings, dict) else None
        if was != now and not (isinstance(was, list) and tuple(was) == tuple(now)):
            out.append(f"{_OPTIONS.get(key, key)} {_shown(was)} there, {_shown(now)} now")
    for key, what in (
        ("scenarios", "the scenarios (or their files' contents)"),
        ("parameters", "the [[uncertainty]] ranges"),
        ("outcomes", "the outcomes"),
        ("points", "the number of points"),
    ):
        if recorded.get(key) != record[key] and not (out and key in ("outcomes", "points")):
            out.append(f"{what} differ")
    return out


def _shown(value: Any) -> str:
    """A recorded setting as an option takes it (lists comma-separated, none as "none")."""
    if isinstance(value, (list, tuple)):
        return ",".join(map(str, value)) or "none"
    return "none" if value is None else str(value)


def run_plan(
    plan: Plan,
    executor: Executor,
    out: Path,
    done: dict[int, dict],
    evaluate: Evaluate,
    progress: Callable[[int, int], None] | None = None,
) -> list[dict[str, Any]]:
    """Run the evaluations not yet done, journalling each as it finishes.

    Args:
        plan: The plan.
        executor: Where the evaluations run.
        out: The analysis's folder (holds the journal).
        done: Evaluations already journalled, by index.
        evaluate: The task function (:func:`nkroutes.sensitivity.evaluate.evaluate_point`).
        progress: Called with ``(finished, total)`` after each evaluation.

    Returns:
        Every evaluation's record, in index order.

    Raises:
        EvaluationError: At the first failed evaluation (the others stay journalled).
    """
    journal = Journal(out / JOURNAL_FILE)
    records = dict(done)
    todo = [i for i in range(plan.n_tasks) if i not in records]
    tasks = (plan.task(i) for i in todo)
    for position, result in run_batch(executor, evaluate, tasks):
        index = todo[position]
        if result.get("error"):
            raise EvaluationError(
                f"evaluation {index} ({plan.scenarios[index % len(plan.scenarios)].name} at "
                f"point {index // len(plan.scenarios)}) failed: {result['error']}"
            )
        record = {
            "index": index,
            "outcomes": result["outcomes"],
            "seconds": round(float(result.get("seconds", 0.0)), 3),
            "error": None,
        }
        journal.append(record)
        records[index] = record
        if progress is not None:
            progress(len(records), plan.n_tasks)
    return [records[i] for i in range(plan.n_tasks)]
