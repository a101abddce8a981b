"""``comparison.json``: what a comparison ran, written with its report and read back.

The record names the baseline and the what-ifs in order, the subfolder each one's results
are in, the seed and replicates, the scenarios' hashes and the command. ``compare --resume``
reads it to refuse a folder that holds a comparison of other scenarios; ``fit`` and ``plot``
read it to find every scenario's results. Its fields are documented in ``docs/outputs.md``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nkroutes.ensemble.folders import safe_name, write_text
from nkroutes.ensemble.manifest import now_iso, package_versions

COMPARISON_JSON = "comparison.json"


class RecordError(ValueError):
    """A ``comparison.json`` that cannot be read or lacks what a comparison writes."""


@dataclass(frozen=True)
class ComparisonRecord:
    """The scenarios of a comparison, as its ``comparison.json`` names them.

    Attributes:
        baseline: The baseline's name.
        whatifs: The what-ifs' names, in order.
        folders: Scenario name -> its results' subfolder of the comparison's folder.
        seed: The replicates' seed (``None`` where a record does not say).
        replicates: Replicates of each scenario (``None`` where a record does not say).
        scenario_hashes: Scenario name -> the hash of the scenario its runs were made of.
    """

    baseline: str
    whatifs: tuple[str, ...]
    folders: Mapping[str, str]
    seed: int | None = None
    replicates: int | None = None
    scenario_hashes: Mapping[str, str | None] = field(default_factory=dict)

    def run_mismatch(self, name: str, manifest: Mapping[str, Any]) -> str | None:
        """How a scenario's run differs from what this comparison recorded, or ``None``.

        A run replaced after the comparison (``run --force`` into its folder) would be read
        as the comparison's: another seed, number of replicates or scenario.
        """
        scenario = manifest.get("scenario")
        found = {
            "seed": manifest.get("seed"),
            "replicates": manifest.get("replicates"),
            "scenario hash": scenario.get("hash") if isinstance(scenario, dict) else None,
        }
        expected = {
            "seed": self.seed,
            "replicates": self.replicates,
            "scenario hash": self.scenario_hashes.get(name),
        }
        differing = [
            f"{key} {found[key]} (the comparison's: {value})"
            for key, value in expected.items()
            if value is not None and found[key] != value
        ]
        return "; ".join(differing) or None

    @property
    def names(self) -> list[str]:
        """The baseline's name, then the what-ifs'."""
        return [self.baseline, *self.whatifs]


def record_dict(
    record: ComparisonRecord,
    *,
    seed: int,
    replicates: int,
    resamples: int,
    scenario_hashes: Mapping[str, Any],
    command: str | None,
    started: str | None,
) -> dict[str, Any]:
    """The content of ``comparison.json`` (finished now, with the versions of the packages)."""
    return {
        "baseline": record.baseline,
        "whatifs": list(record.whatifs),
        "folders": dict(record.folders),
        "seed": seed,
        "replicates": replicates,
        "bootstrap_resamples": resamples,
        "scenario_hashes": dict(scenario_hashes),
        "command": command or "python: nkroutes.compare(...)",
        "started": started,
        "finished": now_iso(),
        "versions": package_versions(),
    }


def new_record(baseline: str, whatifs: list[str]) -> ComparisonRecord:
    """The record of a comparison of these scenarios (each in its own subfolder)."""
    names = [baseline, *whatifs]
    return ComparisonRecord(baseline, tuple(whatifs), {n: safe_name(n) for n in names})


def write_record(directory: Path, content: Mapping[str, Any]) -> None:
    """Write ``comparison.json`` in ``directory`` atomically."""
    write_text(directory / COMPARISON_JSON, json.dumps(content, indent=2) + "\n")


def read_record(directory: Path) -> ComparisonRecord:
    """Read the ``comparison.json`` of a comparison's folder.

    Raises:
        RecordError: If it cannot be read or parsed, or lacks the baseline, the what-ifs or
            the folders (the message names the file and what is wrong).
    """
    path = directory / COMPARISON_JSON
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        baseline, whatifs = data["baseline"], data["whatifs"]
        folders = data.get("folders") or {n: safe_name(n) for n in [baseline, *whatifs]}
        if not (
            isinstance(baseline, str)
            and isinstance(whatifs, list)
            and all(isinstance(w, str) for w in whatifs)
            and isinstance(folders, dict)
            and all(isinstance(f, str) for f in folders.values())
        ):
            raise TypeError("expected baseline, whatifs and folders as written by compare")
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as error:
        raise RecordError(
            f"{path}: cannot read the comparison's record ({type(error).__name__}: {error})"
        ) from None
    seed, replicates = data.get("seed"), data.get("replicates")
    hashes = data.get("scenario_hashes")
    return ComparisonRecord(
        baseline,
        tuple(whatifs),
        folders,
        seed if isinstance(seed, int) and not isinstance(seed, bool) else None,
        replicates if isinstance(replicates, int) and not isinstance(replicates, bool) else None,
        hashes if isinstance(hashes, dict) else {},
    )
