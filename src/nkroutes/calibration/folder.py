"""A calibration's folder: what identifies the calibration in it, and when it may be used.

``calibration.json`` records the settings that must match for a calibration to be resumed
(:func:`settings_record`); :func:`check_calibration_dir` refuses a folder holding another
calibration (or, on ``--resume``, one run with other settings) before anything is written.
The rules every results folder follows (a file is refused; a new calibration needs an empty
folder) and the atomic writer are those of :mod:`nkroutes.ensemble.folders`.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import asdict
from pathlib import Path
from typing import Any

from nkroutes import __version__
from nkroutes.calibration import smc
from nkroutes.calibration.problem import CalibrationError, CalibrationProblem
from nkroutes.calibration.settings import (
    _RESUME_KEYS,
    JOURNAL_FILE,
    SETTINGS_FILE,
    CalibrationSettings,
)
from nkroutes.ensemble.folders import OutDirError, check_out_dir, write_json


def settings_record(problem: CalibrationProblem, settings: CalibrationSettings) -> dict[str, Any]:
    """What identifies a calibration, written to ``calibration.json`` and checked on resume."""
    population, first = smc.population_sizes(settings.budget, settings.population)
    return {
        "nkroutes_version": __version__,
        "scenario": problem.scenario.source,
        "scenario_name": problem.scenario.name,
        "scenario_hash": problem.scenario.hash,
        "parameters": [asdict(p) for p in problem.parameters],
        "targets": [
            {"name": t.name, "low": t.low, "high": t.high, "years": list(t.years), "w": t.weight}
            for t in problem.targets
        ],
        "target_settings": problem.settings.to_dict(),
        "observed": {str(int(y)): float(v) for y, v in problem.observed.items()},
        "seed": settings.seed,
        "replicates": settings.replicates,
        "population": population,
        "first_generation": first,
        "budget": settings.budget,
        "min_acceptance": settings.min_acceptance,
        "stop_distance": settings.stop_distance,
        "estimate": settings.estimate,
        "check_replicates": settings.check_replicates,
    }


def _check_folder(out_dir: Path) -> None:
    """Refuse a file as a calibration's folder (the rule of every results folder).

    Raises:
        CalibrationError: If ``out_dir`` is a file.
    """
    try:
        # A folder holding something is judged here; one of another command is refused.
        check_out_dir(out_dir, resume=True, what="calibration")
    except OutDirError as error:
        raise CalibrationError(str(error)) from None


def read_settings(out_dir: Path) -> dict[str, Any]:
    """The settings recorded in ``out_dir/calibration.json`` (a calibration to resume).

    Raises:
        CalibrationError: If there is no such file, or it cannot be read.
    """
    settings_path = out_dir / SETTINGS_FILE
    _check_folder(out_dir)
    if not settings_path.is_file():
        raise CalibrationError(
            f"{out_dir}: nothing to resume (no {SETTINGS_FILE}); "
            "start a new calibration without --resume"
        )
    try:
        record = json.loads(settings_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise CalibrationError(f"{settings_path}: cannot be read ({error})") from None
    if not isinstance(record, dict):
        raise CalibrationError(f"{settings_path}: found no calibration settings in it")
    return record


def refuse_calibration_in(out_dir: Path) -> None:
    """Refuse to start a new calibration where one already is.

    Raises:
        CalibrationError: If ``out_dir`` holds ``calibration.json`` or the journal.
    """
    if (out_dir / SETTINGS_FILE).exists() or (out_dir / JOURNAL_FILE).exists():
        raise CalibrationError(
            f"{out_dir} already holds a calibration ({SETTINGS_FILE}); pass --resume to "
            "continue it, or choose another --out"
        )


def _differences(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[str]:
    """The resume keys on which two records differ, with both values where they are short."""
    differ = []
    for key in _RESUME_KEYS:
        was, now = old.get(key), new.get(key)
        if was == now:
            continue
        if key == "scenario_hash":
            differ.append(f"scenario (sha256 {str(was)[:12]} there, {str(now)[:12]} now)")
        elif isinstance(was, int | float | str | None) and isinstance(now, int | float | str):
            differ.append(f"{key} ({was} there, {now} now)")
        else:
            differ.append(key)
    return differ


def check_calibration_dir(
    out_dir: Path, problem: CalibrationProblem, settings: CalibrationSettings, resume: bool
) -> tuple[CalibrationSettings, dict[str, Any]]:
    """Check that a calibration can start (or continue) in ``out_dir``; write nothing.

    A new calibration needs a directory without a calibration in it; a resumed one needs
    the same scenario, parameters, targets, seed, replicates and population (the budget may
    change; a population derived from the old budget is kept).

    Returns:
        The settings to use (the recorded population on resume) and the record to write
        to ``calibration.json``.

    Raises:
        CalibrationError: If the directory cannot be used.
    """
    _check_folder(out_dir)
    if not resume:
        refuse_calibration_in(out_dir)
        return settings, settings_record(problem, settings)
    old = read_settings(out_dir)
    if settings.population is None:
        settings = CalibrationSettings(**{**asdict(settings), "population": old["population"]})
        settings.check()
    new = settings_record(problem, settings)
    differ = _differences(old, new)
    if differ:
        raise CalibrationError(
            f"{out_dir / SETTINGS_FILE}: the calibration there differs in "
            f"{', '.join(differ)}; resume it with the same scenario and options, or choose "
            "another --out"
        )
    return settings, new


def prepare_out_dir(
    out_dir: Path, problem: CalibrationProblem, settings: CalibrationSettings, resume: bool
) -> CalibrationSettings:
    """Check the output directory (:func:`check_calibration_dir`), create it, record the settings.

    Returns:
        The settings to use (the recorded population on resume).

    Raises:
        CalibrationError: If the directory cannot be used; nothing is changed then.
    """
    settings, new = check_calibration_dir(out_dir, problem, settings, resume)
    out_dir.mkdir(parents=True, exist_ok=True)
    new["written"] = dt.datetime.now().isoformat(timespec="seconds")
    write_json(out_dir / SETTINGS_FILE, new)
    return settings
