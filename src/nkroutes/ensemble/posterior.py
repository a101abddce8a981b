"""Replicates at parameter sets drawn from a calibration's posterior (``run --posterior``).

A calibration ends with a weighted posterior: the parameter sets of its last generation
(``posterior.csv``), each a value for every calibrated path (``calibration.json``). Its
``calibrated.toml`` is one of them, or their medians, and a run of it shows only the
replicates' chance. Run with a posterior, replicate ``k`` takes its calibrated values from
one set drawn by weight, the other values from the scenario run, so the spread of the
replicates carries the calibration's uncertainty as well: the posterior predictive
distribution of every output (``docs/calibration.md``, "Forecasts with the posterior").

The sets are drawn by weight along a quasi-random sequence: replicate ``k`` takes the set
whose share of the weights' cumulative sum holds ``u_k = (u_0 + k g) mod 1``, with ``g`` the
golden ratio's fractional part and ``u_0`` drawn from ``numpy.random.SeedSequence(seed,
spawn_key=(DRAW_KEY,))``. So a replicate's set depends only on the ensemble's seed and ``k``
(the same whatever the number of replicates, the executor or an interruption, and the same
in two scenarios run with the same seed), and the first ``n`` replicates of any run give each
set about ``n`` times its weight, within a replicate or two: the spread of a few dozen
replicates is not at the mercy of which sets independent draws happen to pick.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from nkroutes.ensemble.errors import EnsembleSetupError
from nkroutes.scenario import Scenario, ScenarioError

#: The spawn key of the draws' start (replicate seeds use ``(k,)``).
DRAW_KEY = 0x504F

#: The step of the draws' sequence: the golden ratio's fractional part, whose multiples
#: modulo 1 spread most evenly over the unit interval.
GOLDEN_STEP = (5**0.5 - 1) / 2

#: The files of a calibration folder read here.
POSTERIOR_FILE, SETTINGS_FILE = "posterior.csv", "calibration.json"


@dataclass(frozen=True)
class Posterior:
    """A calibration's posterior, ready to give each replicate its values.

    Attributes:
        folder: The calibration folder.
        paths: Calibrated scenario paths, by the calibration's parameter id.
        table: ``posterior.csv``: one row per set, with ``evaluation`` and ``weight``.
        sha256: SHA-256 of ``posterior.csv`` (recorded in the manifest; a resume checks it).
    """

    folder: Path
    paths: dict[str, str]
    table: pd.DataFrame
    sha256: str

    @classmethod
    def load(cls, folder: str | os.PathLike[str]) -> Posterior:
        """Read a calibration folder's posterior.

        Raises:
            EnsembleSetupError: If the folder lacks ``posterior.csv`` or ``calibration.json``
                or they lack a column or key this needs (the message names the file).
        """
        folder = Path(folder)
        expected = (
            f"expected the folder of `nkroutes calibrate` with {POSTERIOR_FILE} and {SETTINGS_FILE}"
        )
        try:
            settings = json.loads((folder / SETTINGS_FILE).read_text(encoding="utf-8"))
            paths = {str(p["id"]): str(p["path"]) for p in settings["parameters"]}
        except (OSError, ValueError, KeyError, TypeError) as error:
            raise EnsembleSetupError(
                f"--posterior {folder / SETTINGS_FILE}: cannot use it "
                f"({type(error).__name__}: {error}); {expected}"
            ) from None
        try:
            data = (folder / POSTERIOR_FILE).read_bytes()
            table = pd.read_csv(folder / POSTERIOR_FILE)
        except (OSError, ValueError) as error:
            raise EnsembleSetupError(
                f"--posterior {folder / POSTERIOR_FILE}: cannot read it "
                f"({type(error).__name__}: {error}); {expected}"
            ) from None
        columns = ["evaluation", "weight", *paths]
        missing = [c for c in columns if c not in table.columns]
        if missing or len(table) == 0:
            found = f"no column {', '.join(missing)}" if missing else "no sets"
            raise EnsembleSetupError(
                f"--posterior {folder / POSTERIOR_FILE}: found {found}; expected a set per "
                f"row with evaluation, weight and {', '.join(paths)}"
            )
        for column in columns:
            numbers = pd.to_numeric(table[column], errors="coerce").to_numpy(dtype=float)
            if not np.all(np.isfinite(numbers)):
                raise EnsembleSetupError(
                    f"--posterior {folder / POSTERIOR_FILE}: {column}: found "
                    f"{str(table[column].iloc[int(np.argmin(np.isfinite(numbers)))])!r}, expected "
                    "a number in every row"
                )
        weights = table["weight"].to_numpy(dtype=float)
        if not (np.all(weights >= 0) and weights.sum() > 0):
            raise EnsembleSetupError(
                f"--posterior {folder / POSTERIOR_FILE}: weight: expected numbers >= 0 with "
                "a positive sum"
            )
        sha256 = hashlib.sha256(data).hexdigest()
        return cls(folder=folder, paths=paths, table=table, sha256=sha256)

    def row_of(self, seed: int, replicate: int) -> int:
        """The row of ``posterior.csv`` replicate ``replicate`` takes (drawn by weight)."""
        start = np.random.SeedSequence(seed, spawn_key=(DRAW_KEY,)).generate_state(1, np.uint64)
        u = (float(start[0]) / 2.0**64 + replicate * GOLDEN_STEP) % 1.0
        weights = self.table["weight"].to_numpy(dtype=float)
        shares = np.cumsum(weights) / weights.sum()
        return int(min(np.searchsorted(shares, u, side="right"), len(weights) - 1))

    def values_of(self, row: int) -> dict[str, float]:
        """The calibrated values of one set: ``{scenario path: value}``."""
        return {path: float(self.table[pid].iloc[row]) for pid, path in self.paths.items()}

    def scenarios(self, scenario: Scenario) -> list[dict[str, Any]]:
        """The resolved values of ``scenario`` at each set (``Scenario.to_dict()``, by row).

        Raises:
            EnsembleSetupError: If a set does not fit the scenario (a path it lacks, a value
                out of bounds), naming the calibration's file, the set and the problem.
        """
        out = []
        for row in range(len(self.table)):
            try:
                out.append(scenario.with_overrides(self.values_of(row)).to_dict())
            except ScenarioError as error:
                raise EnsembleSetupError(
                    f"--posterior {self.folder / POSTERIOR_FILE}: set {row + 1} (evaluation "
                    f"{int(self.table['evaluation'].iloc[row])}) does not fit scenario "
                    f"'{scenario.name}': {str(error).removeprefix('--set: ')}"
                ) from None
        return out

    def record(self) -> dict[str, Any]:
        """What the manifest records: the folder, the file's hash, the paths and the rule."""
        return {
            "folder": str(self.folder),
            "posterior_sha256": self.sha256,
            "paths": dict(self.paths),
            "draw_rule": (
                f"replicate k takes the row of {POSTERIOR_FILE} whose share of cumsum(weight) "
                "/ sum(weight) first exceeds u_k = (u_0 + k * (sqrt(5) - 1) / 2) mod 1, "
                "u_0 = numpy.random.SeedSequence(seed, spawn_key=("
                f"{DRAW_KEY},)).generate_state(1, numpy.uint64)[0] / 2**64"
            ),
        }

    def draws_table(self, seed: int, replicates: int) -> pd.DataFrame:
        """One row per replicate: its set's ``evaluation``, ``weight`` and values by path."""
        rows = []
        for k in range(replicates):
            row = self.row_of(seed, k)
            rows.append(
                {
                    "replicate": k,
                    "evaluation": int(self.table["evaluation"].iloc[row]),
                    "weight": float(self.table["weight"].iloc[row]),
                }
                | self.values_of(row)
            )
        return pd.DataFrame(rows)
