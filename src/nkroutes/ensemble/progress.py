"""Progress of an ensemble on standard error: a bar on a terminal, lines in a log.

On a terminal :func:`progress_bar` draws a ``tqdm`` bar. Elsewhere (a log file, a pipe, a
batch job) a bar's carriage returns make a mess, and printing nothing leaves a long run
silent until it ends: :class:`ProgressLines` writes one line every
:data:`LOG_INTERVAL_S` seconds instead, with replicates done, total, rate and time left.
"""

from __future__ import annotations

import sys
import threading
import time
from typing import Any, TextIO

#: Seconds between two progress lines in a log.
LOG_INTERVAL_S = 5.0

#: What ``progress`` may be: ``False`` (nothing), ``True`` or ``"bar"`` (a bar),
#: ``"lines"`` (a line every few seconds).
PROGRESS_KINDS = (False, True, "bar", "lines")


def _duration(seconds: float) -> str:
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 5400:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


class ProgressLines:
    """Prints ``label: done/total replicates (pct), rate, time left`` every few seconds.

    A background thread writes a line every ``interval`` seconds while the ensemble runs
    (so a replicate that takes minutes still shows the run is alive), and, if it wrote
    any, one last line when it closes. A run shorter than ``interval`` writes nothing.

    Args:
        total: Replicates in the ensemble.
        done: Replicates already finished (a resumed run starts there).
        label: The scenario's name, at the start of each line.
        interval: Seconds between lines.
        stream: Where to write (standard error by default).
        unit: What is counted, singular (``"replicate"``; a sensitivity analysis counts
            ``"model run"``: every scenario's replicates at every point).
    """

    def __init__(
        self,
        total: int,
        done: int,
        label: str,
        interval: float = LOG_INTERVAL_S,
        stream: TextIO | None = None,
        unit: str = "replicate",
    ) -> None:
        self.unit = unit
        self.total = total
        self.done = done
        self.label = label
        self.interval = interval
        self.stream = stream if stream is not None else sys.stderr
        self._initial = done
        self._started = time.monotonic()
        self._printed = -1
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="nkroutes-progress", daemon=True)
        self._thread.start()

    def line(self) -> str:
        """The current progress line."""
        elapsed = max(time.monotonic() - self._started, 1e-9)
        run = self.done - self._initial
        share = self.done / self.total if self.total else 1.0
        unit = self.unit
        text = f"{self.label}: {self.done}/{self.total} {unit}s ({share:.0%})"
        if run > 0:
            rate = run / elapsed
            left = (self.total - self.done) / rate
            per = f"{rate:.2g} {unit}s/s" if rate >= 1 else f"{1 / rate:.3g} s/{unit}"
            text += f", {per}, about {_duration(left)} left"
        else:
            text += f", {_duration(elapsed)} so far, first {unit} running"
        return text

    def _write(self) -> None:
        with self._lock:
            self._printed = self.done
            self.stream.write(self.line() + "\n")
            self.stream.flush()

    def _loop(self) -> None:
        while not self._stop.wait(self.interval):
            self._write()

    @property
    def n(self) -> int:
        """Replicates done so far (as ``tqdm``'s ``n``, which callers may read)."""
        return self.done

    def update(self, n: int = 1) -> None:
        """Count ``n`` more replicates done."""
        with self._lock:
            self.done += n

    def close(self) -> None:
        """Stop the lines; write a last one if any was written and more finished since."""
        if self._stop.is_set():
            return
        self._stop.set()
        self._thread.join()
        if self._printed >= 0 and self.done != self._printed:
            self._write()

    def __enter__(self) -> ProgressLines:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def progress_bar(
    total: int, done: int, label: str, enabled: bool | str, unit: str = "replicate"
) -> Any:
    """A progress display counting replicates (a silent stand-in when disabled).

    Args:
        total: Replicates in the ensemble.
        done: Replicates already finished (a resumed run starts there).
        label: Shown before the bar (the scenario's name).
        enabled: ``True`` or ``"bar"`` for a ``tqdm`` bar (the command line draws it when
            standard error is a terminal), ``"lines"`` for :class:`ProgressLines` (when it
            is not: logs and pipes get a line every few seconds), ``False`` for nothing.
        unit: What is counted, singular (``"replicate"``, ``"model run"``).

    Returns:
        An object with ``update(n)``, ``close()`` and ``n`` (the count done so far),
        usable in ``with``.
    """
    if enabled == "lines":
        return ProgressLines(total, done, label, unit=unit)
    from tqdm import tqdm

    return tqdm(
        total=total,
        initial=done,
        desc=label,
        unit=unit,
        file=sys.stderr,
        disable=not enabled,
        dynamic_ncols=True,
        smoothing=0.1,
    )
