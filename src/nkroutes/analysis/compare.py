"""Compare policy what-ifs with a baseline over paired replicates (common random numbers).

:func:`compare` runs the baseline and every what-if with the same replicate seeds (so
replicate ``k`` of each scenario shares its random numbers), then tabulates, for each
what-if and outcome, both scenarios' medians and 90% ranges and the paired difference: its
median with a bootstrap 95% interval, the Wilcoxon signed-rank p-value and the share of
replicates in which the what-if is higher. :func:`comparison_table` does the same for
results already run. The table's columns are documented in ``docs/outputs.md``.

Example:
    >>> from nkroutes import compare
    >>> result = compare("scenarios/baseline.toml", ["scenarios/china-non-refoulement.toml"],
    ...                  replicates=50, seed=7)  # doctest: +SKIP
    >>> print(result.markdown())  # doctest: +SKIP
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from concurrent.futures import Executor
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from nkroutes.analysis.compare_options import check_compare_options
from nkroutes.analysis.compare_record import (
    COMPARISON_JSON,
    RecordError,
    new_record,
    read_record,
    record_dict,
    write_record,
)
from nkroutes.analysis.intervals import HIGH, LOW
from nkroutes.analysis.outcomes import Outcome, comparison_outcomes, destination_names, period_of
from nkroutes.analysis.paired import BOOTSTRAP_RESAMPLES, bootstrap_seed, paired_difference
from nkroutes.ensemble.errors import EnsembleSetupError
from nkroutes.ensemble.executors import make_executor
from nkroutes.ensemble.folders import (
    OutDirError,
    check_out_dir,
    describe_os_error,
    safe_name,
    write_text,
)
from nkroutes.ensemble.lock import folder_lock
from nkroutes.ensemble.manifest import now_iso
from nkroutes.ensemble.results import Results
from nkroutes.ensemble.rundir import MANIFEST_FILE, PLOTS_DIR, RunDirectory
from nkroutes.ensemble.runner import DEFAULT_REPLICATES, as_scenario, run_ensemble
from nkroutes.ensemble.size_guard import check_replicate_size
from nkroutes.scenario import Scenario
from nkroutes.scenario.time_axis import TIME_AXIS, time_axis

COMPARISON_CSV = "comparison.csv"
COMPARISON_MD = "comparison.md"

#: Columns of ``comparison.csv``, in order (documented in ``docs/outputs.md``).
COLUMNS: tuple[str, ...] = (
    "baseline",
    "whatif",
    "outcome",
    "label",
    "unit",
    "pairs",
    "baseline_median",
    "baseline_q05",
    "baseline_q95",
    "whatif_median",
    "whatif_q05",
    "whatif_q95",
    "median_difference",
    "ci_low",
    "ci_high",
    "wilcoxon_p",
    "share_higher",
    "share_lower",
)


@dataclass
class Comparison:
    """What-ifs compared with a baseline.

    Attributes:
        baseline: The baseline's name.
        whatifs: The what-ifs' names, in the order given.
        table: One row per what-if and outcome (see :data:`COLUMNS`).
        results: Each scenario's :class:`Results`, by name, baseline first.
        seed: The ensemble seed all scenarios ran with.
        replicates: Replicates per scenario.
        directory: Where the comparison was written, if anywhere.
        descriptions: Each scenario's ``meta.description``, by name.
    """

    baseline: str
    whatifs: list[str]
    table: pd.DataFrame
    results: dict[str, Results]
    seed: int
    replicates: int
    directory: Path | None = None
    descriptions: dict[str, str] = field(default_factory=dict)

    @property
    def period(self) -> str:
        """The baseline's simulated years, e.g. ``"1990-2008"``."""
        return period_of(self.results[self.baseline].scenario)[0]

    def markdown(self) -> str:
        """The comparison as a short report in Markdown (what ``comparison.md`` holds)."""
        from nkroutes.analysis.compare_report import comparison_markdown

        return comparison_markdown(self)


def comparison_table(
    baseline: Results,
    whatifs: Sequence[Results],
    seed: int,
    resamples: int = BOOTSTRAP_RESAMPLES,
) -> pd.DataFrame:
    """Paired comparison of each what-if with the baseline, outcome by outcome.

    The outcomes are those of :func:`~nkroutes.analysis.outcomes.comparison_outcomes` for
    the baseline and the what-if together: arrivals at a destination that only one of the
    two has are 0 in the other (so a what-if that adds or removes a destination shows it
    as an effect).

    Args:
        baseline: The baseline's results.
        whatifs: Each what-if's results, run with the same seed (replicate ``k`` of each
            has the same model seed as replicate ``k`` of the baseline).
        seed: The ensemble seed, which also seeds the bootstrap.
        resamples: Bootstrap resamples per interval.

    Returns:
        One row per what-if and outcome with the columns :data:`COLUMNS`.

    Raises:
        ValueError: If a what-if's replicates are not paired with the baseline's (different
            replicate numbers or model seeds, or another time axis: ``time.start``,
            ``time.end`` or ``time.step``).
    """
    rows: list[dict[str, Any]] = []
    base = baseline.summary.sort_values("replicate").reset_index(drop=True)
    for whatif in whatifs:
        other = whatif.summary.sort_values("replicate").reset_index(drop=True)
        _check_paired(baseline.name, base, whatif.name, other)
        mismatch = time_axis_mismatch(baseline.scenario, whatif.scenario)
        if mismatch is not None:
            key, value, base_value = mismatch
            raise ValueError(
                f"'{whatif.name}' is not paired with '{baseline.name}': {key} is "
                f"{value!r}, the baseline's is {base_value!r} (a comparison needs the same "
                "time.start, time.end and time.step)"
            )
        for outcome in comparison_outcomes(baseline.scenario, whatif.scenario):
            b = _outcome_values(base, outcome, baseline.scenario)
            w = _outcome_values(other, outcome, whatif.scenario)
            if b is None or w is None:
                continue
            diff = paired_difference(
                b, w, bootstrap_seed(seed, whatif.name, outcome.column), resamples=resamples
            )
            rows.append(
                {
                    "baseline": baseline.name,
                    "whatif": whatif.name,
                    "outcome": outcome.column,
                    "label": outcome.label,
                    "unit": outcome.kind,
                    "pairs": diff.pairs,
                    **_spread("baseline", b),
                    **_spread("whatif", w),
                    "median_difference": diff.median_difference,
                    "ci_low": diff.ci_low,
                    "ci_high": diff.ci_high,
                    "wilcoxon_p": diff.wilcoxon_p,
                    "share_higher": diff.share_higher,
                    "share_lower": diff.share_lower,
                }
            )
    return pd.DataFrame(rows, columns=list(COLUMNS))


def _outcome_values(
    summary: pd.DataFrame, outcome: Outcome, scenario: Mapping[str, Any]
) -> np.ndarray | None:
    """The outcome in each replicate; zeros for arrivals at a place that is no destination.

    ``None`` if the summary lacks the outcome for another reason (nothing to compare).
    """
    if outcome.column in summary.columns:
        return summary[outcome.column].to_numpy(dtype=float)
    place = outcome.column.removeprefix("arrivals_")
    if place != outcome.column and place not in destination_names(scenario):
        return np.zeros(len(summary))
    return None


def time_axis_mismatch(
    baseline: Mapping[str, Any], whatif: Mapping[str, Any]
) -> tuple[str, Any, Any] | None:
    """The first key of the time axis (:data:`TIME_AXIS`) on which two scenarios differ.

    Args:
        baseline: The baseline's resolved values (a Scenario's ``data`` or a dict).
        whatif: The what-if's.

    Returns:
        ``(key, what-if's value, baseline's value)``, e.g. ``("time.end", "1992-12",
        "2008-12")``, or ``None`` if both have the same time axis. A key left out has its
        default.
    """
    base_axis, axis = time_axis(baseline), time_axis(whatif)
    for key in TIME_AXIS:
        value, base_value = getattr(axis, key), getattr(base_axis, key)
        if value != base_value:
            return f"time.{key}", value, base_value
    return None


def _spread(prefix: str, values: np.ndarray) -> dict[str, float]:
    values = values[~np.isnan(values)]
    if len(values) == 0:
        return {f"{prefix}_median": np.nan, f"{prefix}_q05": np.nan, f"{prefix}_q95": np.nan}
    median, low, high = np.quantile(values, [0.5, LOW, HIGH])
    return {
        f"{prefix}_median": float(median),
        f"{prefix}_q05": float(low),
        f"{prefix}_q95": float(high),
    }


def _check_paired(base_name: str, base: pd.DataFrame, name: str, other: pd.DataFrame) -> None:
    same_replicates = base["replicate"].tolist() == other["replicate"].tolist()
    same_seeds = "seed" not in base.columns or base["seed"].tolist() == other["seed"].tolist()
    if not (same_replicates and same_seeds):
        raise ValueError(
            f"'{name}' is not paired with '{base_name}': replicates or their seeds differ "
            "(run both with the same seed and number of replicates)"
        )


def compare(
    baseline: Scenario | Mapping[str, Any] | str | os.PathLike[str],
    whatifs: Sequence[Scenario | Mapping[str, Any] | str | os.PathLike[str]],
    replicates: int | None = None,
    seed: int = 0,
    executor: str | Executor = "local",
    workers: int | None = None,
    scheduler: str | None = None,
    out: str | os.PathLike[str] | None = None,
    resume: bool = False,
    force: bool = False,
    trace: bool = False,
    progress: bool = False,
    command: str | None = None,
    resamples: int = BOOTSTRAP_RESAMPLES,
    allow_large: bool = False,
) -> Comparison:
    """Run a baseline and what-ifs with common random numbers and compare them.

    Every scenario runs replicates ``0 .. replicates - 1`` with the same seeds. With
    ``out``, each scenario's results go to ``out/<scenario name>/`` (as ``nkroutes run``
    writes them) and the comparison to ``out/comparison.csv``, ``out/comparison.md`` and
    ``out/comparison.json``.

    Args:
        baseline: The baseline scenario (a Scenario, file path or dict of values).
        whatifs: One or more what-if scenarios.
        replicates: Replicates per scenario. ``None`` (the default): with ``resume``, the
            number the comparison in ``out`` was started with; otherwise 20. As for
            :func:`~nkroutes.ensemble.run_ensemble`, resuming with a larger number extends an
            unfinished comparison and a smaller one is refused.
        seed: The ensemble seed (also seeds the bootstrap intervals).
        executor: ``"local"``, ``"dask"`` or an executor you manage (see
            :func:`~nkroutes.ensemble.run_ensemble`); one executor serves every scenario.
        workers: Local worker processes (default: every core).
        scheduler: Dask scheduler address.
        out: Directory to write into; ``None`` writes nothing.
        resume: Complete an interrupted comparison in ``out``.
        force: Delete the earlier comparison in ``out`` and start over: its report
            files, figures, and every subfolder that is an nkroutes results directory
            (has a ``manifest.json``); other files are kept.
        trace: Also write one row per migrant for each scenario.
        progress: Draw a progress bar per scenario on standard error.
        command: The command line, for the manifests.
        resamples: Bootstrap resamples per interval (a whole number from 40 to 1,000,000).
        allow_large: Run scenarios above the size limits (see
            :func:`~nkroutes.ensemble.run_ensemble`); without it every scenario is checked
            before any runs.

    Returns:
        The :class:`Comparison`.

    Raises:
        ScenarioError: If a scenario is not valid.
        EnsembleSetupError: For bad options, two scenarios with the same name, a what-if
            whose time axis (``time.start``, ``time.end``, ``time.step``) is not the
            baseline's, a scenario above the size limits (without ``allow_large``), or an
            ``out`` directory that holds other results (see ``run_ensemble``). Nothing has
            run or been deleted then.
        EnsembleRunError: If a replicate fails.
    """
    replicates, seed, resamples = check_compare_options(replicates, seed, resamples)
    if isinstance(whatifs, str | os.PathLike | Scenario | Mapping):
        whatifs = [whatifs]
    if not whatifs:
        raise EnsembleSetupError("whatifs: found none, expected at least one what-if scenario")
    scenarios = [as_scenario(baseline), *(as_scenario(w) for w in whatifs)]
    _check_time_axes(scenarios)
    for scenario in scenarios:
        check_replicate_size(scenario, allow_large)
    folders = [safe_name(s.name) for s in scenarios]
    own = {COMPARISON_CSV, COMPARISON_MD, COMPARISON_JSON, PLOTS_DIR}  # the comparison's files
    for scenario in (s for s, folder in zip(scenarios, folders, strict=True) if folder in own):
        raise EnsembleSetupError(
            f"{scenario.source}: meta.name: found '{scenario.name}', the name of one of the "
            "comparison's own files; expected another name for the scenario's folder"
        )
    if len(set(folders)) < len(folders):
        names = ", ".join(f"'{s.name}' ({s.source})" for s in scenarios)
        raise EnsembleSetupError(
            f"scenario names: each scenario in a comparison needs its own [meta] name; got {names}"
        )
    directory = Path(out) if out is not None else None
    lock = nullcontext() if directory is None else folder_lock(directory, command)
    with lock:  # one writer per comparison folder, the whole comparison long
        if directory is not None:
            try:
                _check_comparison_dir(directory, resume, force, [s.name for s in scenarios])
            except OSError as error:  # nothing has run: a setup error (exit 2)
                raise OutDirError(describe_os_error(error)) from None
        if replicates is None:
            recorded = None
            if resume and directory is not None:
                recorded = recorded_replicates(directory, folders)
            replicates = DEFAULT_REPLICATES if recorded is None else recorded
        started = now_iso()
        context = (
            make_executor(executor, workers, scheduler)
            if isinstance(executor, str)
            else nullcontext(executor)
        )
        results: dict[str, Results] = {}
        with context as pool:
            for scenario, folder in zip(scenarios, folders, strict=True):
                results[scenario.name] = run_ensemble(
                    scenario,
                    replicates=replicates,
                    seed=seed,
                    executor=pool,
                    workers=workers,
                    scheduler=scheduler,
                    out=None if directory is None else directory / folder,
                    resume=resume,
                    force=force,
                    trace=trace,
                    progress=progress,
                    command=command,
                    allow_large=True,  # every scenario checked above
                )
        base_name = scenarios[0].name
        table = comparison_table(
            results[base_name], [results[s.name] for s in scenarios[1:]], seed, resamples
        )
        comparison = Comparison(
            baseline=base_name,
            whatifs=[s.name for s in scenarios[1:]],
            table=table,
            results=results,
            seed=seed,
            replicates=replicates,
            directory=directory,
            descriptions={s.name: str(s.data["meta"].get("description", "")) for s in scenarios},
        )
        if directory is not None:
            write_comparison(comparison, directory, started, command, resamples)
        return comparison


def recorded_replicates(directory: Path, folders: Sequence[str]) -> int | None:
    """The number of replicates a comparison in ``directory`` was started with.

    Args:
        directory: The comparison directory.
        folders: The scenarios' folders in it, baseline first (the first one with a
            manifest counts: every scenario of a comparison runs the same number).

    Returns:
        The number recorded, or ``None`` if no scenario's run has been started there.
    """
    for folder in folders:
        manifest = RunDirectory(directory / folder).read_manifest()
        count = manifest.get("replicates") if isinstance(manifest, dict) else None
        if isinstance(count, int) and not isinstance(count, bool):
            return count
    return None


def _check_time_axes(scenarios: Sequence[Scenario]) -> None:
    """Refuse a what-if whose time axis is not the baseline's (before anything runs)."""
    base = scenarios[0]
    for scenario in scenarios[1:]:
        mismatch = time_axis_mismatch(base.data, scenario.data)
        if mismatch is not None:
            key, value, base_value = mismatch
            raise EnsembleSetupError(
                f"{scenario.source}: {key} is {value!r}, but the baseline ({base.source}) has "
                f"{base_value!r}; a comparison pairs replicate k of every scenario, so all "
                "need the same time.start, time.end and time.step"
            )


def _check_comparison_dir(directory: Path, resume: bool, force: bool, names: list[str]) -> None:
    """Refuse another command's folder (check_out_dir), or on resume other scenarios'."""
    check_out_dir(directory, resume=resume, force=force, what="comparison")
    if resume and (directory / COMPARISON_JSON).is_file():
        try:
            recorded = read_record(directory).names
        except RecordError as error:
            raise EnsembleSetupError(f"{error}; pass --force to start over") from None
        if recorded != names:
            raise EnsembleSetupError(
                f"{directory}: holds a comparison of {', '.join(map(str, recorded[1:]))} with "
                f"{recorded[0]}, not of {', '.join(names[1:])} with {names[0]}; resume needs "
                "the same scenarios in the same order (or choose another --out, or pass "
                "--force to start over)"
            )
    if force and directory.is_dir():
        remove_comparison(directory)
    directory.mkdir(parents=True, exist_ok=True)


def remove_comparison(directory: Path) -> None:
    """Delete what an earlier comparison wrote in ``directory`` (for ``force``).

    That is the report files, the figures nkroutes draws in ``plots/`` (and the folder if
    that leaves it empty), and the results of every scenario: each subfolder with a
    ``manifest.json``, as ``nkroutes run`` writes it, loses the files a run writes and goes
    if that leaves it empty. Anything else (other files and folders, links) is kept.
    """
    for name in (COMPARISON_CSV, COMPARISON_MD, COMPARISON_JSON):
        (directory / name).unlink(missing_ok=True)
    figures = RunDirectory(directory)
    if (directory / PLOTS_DIR).is_dir() and not (directory / PLOTS_DIR).is_symlink():
        figures.clear_figures()
    for entry in sorted(directory.iterdir()):
        if entry.is_symlink() or not entry.is_dir() or not (entry / MANIFEST_FILE).is_file():
            continue
        RunDirectory(entry).clear()
        if not any(entry.iterdir()):
            entry.rmdir()


def write_comparison(
    comparison: Comparison,
    directory: Path,
    started: str | None = None,
    command: str | None = None,
    resamples: int = BOOTSTRAP_RESAMPLES,
) -> None:
    """Write ``comparison.csv``, ``comparison.md`` and ``comparison.json`` atomically."""
    directory.mkdir(parents=True, exist_ok=True)
    write_text(
        directory / COMPARISON_CSV, comparison.table.to_csv(index=False, lineterminator="\n")
    )
    write_text(directory / COMPARISON_MD, comparison.markdown())
    record = new_record(comparison.baseline, comparison.whatifs)
    hashes = {n: r.manifest.get("scenario", {}).get("hash") for n, r in comparison.results.items()}
    content = record_dict(
        record,
        seed=comparison.seed,
        replicates=comparison.replicates,
        resamples=resamples,
        scenario_hashes=hashes,
        command=command,
        started=started,
    )
    write_record(directory, content)
