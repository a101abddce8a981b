"""A results directory on disk: replicate parts written atomically, tables assembled at the end.

Layout (documented in ``docs/outputs.md``)::

    DIR/manifest.json        what was run (see nkroutes.ensemble.manifest)
    DIR/scenario.toml        the resolved scenario
    DIR/yearly.csv ...       the tables (see nkroutes.ensemble.results.TABLE_FILES)
    DIR/migrants.csv.gz      with tracing: one row per migrant and replicate
    DIR/parts/r000012/       while running: one folder per finished replicate
    DIR/plots/arrivals.png   figures, drawn after the run or by ``nkroutes plot``
    DIR/fit.md               written by ``nkroutes fit``

A finished replicate's files are written into a hidden temporary folder that is then
renamed to ``parts/r<replicate>``: a rename is atomic, so a part folder is either complete or
absent, whenever the run is killed. The tables are assembled from the parts in replicate
order (each written to a temporary name and renamed), the manifest is marked complete, and
only then are the parts removed. Nothing here ever deletes a file nkroutes did not write.
Every write goes through :mod:`nkroutes.ensemble.folders`.
"""

from __future__ import annotations

import gzip
import json
import os
import re
import shutil
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from nkroutes.ensemble.errors import EnsembleSetupError
from nkroutes.ensemble.folders import (
    LOCK_FILE,
    atomic_file,
    atomic_folder,
    ends_with_line_break,
    final_name,
    is_lock_entry,
    is_temporary,
    remove_temporaries,
    write_text,
)
from nkroutes.ensemble.results import TABLE_FILES
from nkroutes.ensemble.tasks import ReplicateOutput

MANIFEST_FILE = "manifest.json"
SCENARIO_FILE = "scenario.toml"
MIGRANTS_FILE = "migrants.csv.gz"
PARTS_DIR = "parts"
#: Folder of figures (``nkroutes.plots.PLOTS_DIR``).
PLOTS_DIR = "plots"
#: The fit report ``nkroutes fit`` writes.
FIT_FILE = "fit.md"
#: Figures drawn into ``plots/`` as ``<name>.<format>`` (a comparison's route maps are
#: ``route_flows_<scenario>``): the ``NAME`` of each ``nkroutes.plots`` module (tested).
FIGURE_NAMES: tuple[str, ...] = (
    "arrivals",
    "outcomes",
    "route_flows",
    "time_in_china",
    "stocks_and_flows",
    "effects",
)
#: Their formats (``nkroutes.plots.FORMATS``).
FIGURE_FORMATS: tuple[str, ...] = ("png", "svg", "pdf")
#: Each replicate's parameter set, in a run drawn from a calibration's posterior.
DRAWS_FILE = "posterior_draws.csv"
_MIGRANTS_HEADER = "migrants-header.csv"
_MIGRANTS_BODY = "migrants-rows.csv.gz"
_PART_NAME = re.compile(r"r(\d{6,})")

#: Every file or folder a run (or ``nkroutes fit`` or ``nkroutes plot``) writes at the top
#: of its directory.
RUN_FILES: tuple[str, ...] = (
    MANIFEST_FILE,
    SCENARIO_FILE,
    *TABLE_FILES.values(),
    MIGRANTS_FILE,
    DRAWS_FILE,
    PARTS_DIR,
    PLOTS_DIR,
    FIT_FILE,
)


def is_figure_file(name: str) -> bool:
    """Whether a file name in ``plots/`` is a figure nkroutes draws (or its temporary file)."""
    name = final_name(name)
    stem, dot, fmt = name.rpartition(".")
    return (
        bool(dot)
        and fmt in FIGURE_FORMATS
        and (stem in FIGURE_NAMES or stem.startswith("route_flows_"))
    )


class RunDirectory:
    """The results directory of one scenario's ensemble.

    Args:
        path: The directory (it need not exist yet).
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)

    # -- state ---------------------------------------------------------------------------

    @property
    def parts(self) -> Path:
        """The folder of finished replicates' parts."""
        return self.path / PARTS_DIR

    def part_dir(self, replicate: int) -> Path:
        """The part folder of one replicate."""
        return self.parts / f"r{replicate:06d}"

    def done_replicates(self) -> set[int]:
        """Replicates whose part folder exists and is whole.

        A part appears all at once (:meth:`write_part`), so one that lacks a table, or whose
        table does not end with a line break, was changed since: it does not count as done,
        and a resumed run runs that replicate again (to the same bits, from its seed).
        """
        if not self.parts.is_dir():
            return set()
        found = (_PART_NAME.fullmatch(p.name) for p in self.parts.iterdir() if p.is_dir())
        return {int(m.group(1)) for m in found if m and self._is_whole(self.parts / m.group(0))}

    @staticmethod
    def _is_whole(part: Path) -> bool:
        """Whether a part folder holds every table, each ending with a line break."""
        for file in TABLE_FILES.values():
            try:
                if not ends_with_line_break(part / file):  # cut short, or empty
                    return False
            except OSError:  # missing
                return False
        return (part / _MIGRANTS_HEADER).is_file() == (part / _MIGRANTS_BODY).is_file()

    def is_empty(self) -> bool:
        """Whether the directory does not exist or holds nothing (but its lock)."""
        return not self.path.exists() or all(is_lock_entry(e.name) for e in self.path.iterdir())

    def holds_only_run_files(self) -> bool:
        """Whether every entry is a file a run writes (or a temporary one): nothing of others."""
        return all(
            entry.name in RUN_FILES or entry.name == LOCK_FILE or is_temporary(entry.name)
            for entry in self.path.iterdir()
        )

    def holds_only_a_start(self) -> bool:
        """Whether it holds no more than a run writes before its manifest (the scenario).

        A run writes its scenario, then its manifest, then its results: a folder with the
        scenario alone (perhaps temporaries, an empty ``parts/``) is one killed before its
        manifest. Any result in it (a table, a replicate's part) is not.
        """
        return all(
            entry.name in (SCENARIO_FILE, LOCK_FILE)
            or is_temporary(entry.name)
            or (entry == self.parts and entry.is_dir() and not any(entry.iterdir()))
            for entry in self.path.iterdir()
        )

    def read_manifest(self) -> dict[str, Any] | None:
        """The manifest, or ``None`` if there is none."""
        path = self.path / MANIFEST_FILE
        if not path.is_file():
            return None
        try:
            manifest = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise EnsembleSetupError(f"{path}: cannot read the manifest ({exc})") from None
        if not isinstance(manifest, dict):
            raise EnsembleSetupError(
                f"{path}: found a JSON {type(manifest).__name__}, expected an object (a "
                "manifest nkroutes wrote); choose another output directory, or pass --force "
                "to start over"
            )
        return manifest

    # -- writing -------------------------------------------------------------------------

    def create(self) -> None:
        """Create the directory (and its parents) if needed."""
        if self.path.exists() and not self.path.is_dir():
            raise EnsembleSetupError(f"{self.path}: exists and is not a directory")
        self.path.mkdir(parents=True, exist_ok=True)
        self.parts.mkdir(exist_ok=True)

    def write_manifest(self, manifest: dict[str, Any]) -> None:
        """Write ``manifest.json`` atomically."""
        write_text(self.path / MANIFEST_FILE, json.dumps(manifest, indent=2) + "\n")

    def write_scenario(self, toml_text: str) -> None:
        """Write ``scenario.toml`` atomically."""
        write_text(self.path / SCENARIO_FILE, toml_text)

    def write_part(self, output: ReplicateOutput) -> None:
        """Save one finished replicate: its files appear all at once or not at all."""
        self.parts.mkdir(parents=True, exist_ok=True)
        # An existing folder is an identical earlier copy (same scenario, same seed).
        with atomic_folder(self.part_dir(output.replicate)) as tmp:
            for name, text in output.tables.items():
                (tmp / TABLE_FILES[name]).write_text(text, encoding="utf-8", newline="")
            if output.migrants_gz is not None and output.migrants_header is not None:
                (tmp / _MIGRANTS_HEADER).write_text(output.migrants_header, encoding="utf-8")
                (tmp / _MIGRANTS_BODY).write_bytes(output.migrants_gz)

    def clean_temporaries(self) -> None:
        """Remove temporary files and folders left by a run that was killed."""
        for folder in (self.path, self.parts):
            remove_temporaries(folder)

    def clear(self) -> None:
        """Remove every file a run, ``fit`` or ``plot`` writes (for ``force``).

        Other files are left alone, in ``plots/`` too (which stays if any remain).
        """
        self.clean_temporaries()
        for name in RUN_FILES:
            entry = self.path / name
            if name == PLOTS_DIR and entry.is_dir() and not entry.is_symlink():
                self.clear_figures()
            elif entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry)
            elif entry.exists() or entry.is_symlink():
                entry.unlink()

    def clear_figures(self) -> None:
        """Remove the figures in ``plots/``, and the folder if nothing else is in it."""
        plots = self.path / PLOTS_DIR
        for entry in plots.iterdir():
            if is_figure_file(entry.name) and (entry.is_file() or entry.is_symlink()):
                entry.unlink()
        if not any(plots.iterdir()):
            plots.rmdir()

    def remove_parts(self) -> None:
        """Remove the part folders once the tables are assembled."""
        if self.parts.is_dir():
            shutil.rmtree(self.parts)

    # -- assembling ----------------------------------------------------------------------

    def part_tables(self, replicate: int) -> dict[str, str]:
        """One replicate's CSV texts, read back from its part folder."""
        folder = self.part_dir(replicate)
        return {
            name: (folder / file).read_text(encoding="utf-8") for name, file in TABLE_FILES.items()
        }

    def assemble(self, replicates: Iterable[int], trace: bool) -> None:
        """Write the tables (and ``migrants.csv.gz``) from the parts, in replicate order.

        Args:
            replicates: The replicates to include, all of which must have parts.
            trace: Whether to assemble ``migrants.csv.gz`` too.
        """
        order = sorted(replicates)
        for file in TABLE_FILES.values():
            _concatenate_csv((self.part_dir(k) / file for k in order), self.path / file)
        if trace:
            with atomic_file(self.path / MIGRANTS_FILE, binary=True) as sink:
                header = (self.part_dir(order[0]) / _MIGRANTS_HEADER).read_text(encoding="utf-8")
                sink.write(gzip.compress(header.encode("utf-8"), mtime=0))
                for k in order:
                    part = self.part_dir(k)
                    if (part / _MIGRANTS_HEADER).read_text(encoding="utf-8") != header:
                        raise RuntimeError(f"{part}: migrant columns differ from replicate 0")
                    with (part / _MIGRANTS_BODY).open("rb") as source:
                        shutil.copyfileobj(source, sink)


def concatenate_csv_texts(texts: Iterable[str]) -> str:
    """Join CSV texts that share a header into one (header once, rows in order).

    Raises:
        RuntimeError: If a text's header differs from the first one's.
    """
    header: str | None = None
    pieces: list[str] = []
    for text in texts:
        head, _, rows = text.partition("\n")
        if header is None:
            header = head
            pieces.append(head + "\n")
        elif head != header:
            raise RuntimeError(f"CSV columns differ: {head!r} vs {header!r}")
        pieces.append(rows)
    return "".join(pieces)


def _concatenate_csv(files: Iterable[Path], target: Path) -> None:
    header: str | None = None
    with atomic_file(target) as sink:
        for path in files:
            with path.open(encoding="utf-8", newline="") as source:
                head = source.readline()
                if header is None:
                    header = head
                    sink.write(head)
                elif head != header:
                    raise RuntimeError(f"{path}: columns differ from the first replicate's")
                shutil.copyfileobj(source, sink)
