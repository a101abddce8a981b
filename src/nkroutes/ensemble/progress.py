"""A progress bar for ensembles: replicates done, rate and time left, on standard error."""

from __future__ import annotations

import sys
from typing import Any


def progress_bar(total: int, done: int, label: str, enabled: bool) -> Any:
    """A ``tqdm`` bar counting replicates (a silent stand-in when disabled).

    Args:
        total: Replicates in the ensemble.
        done: Replicates already finished (a resumed run starts there).
        label: Shown before the bar (the scenario's name).
        enabled: Whether to draw it (the command line draws it only when standard error
            is a terminal, so logs and pipes stay clean).

    Returns:
        An object with ``update(n)`` and ``close()``.
    """
    from tqdm import tqdm

    return tqdm(
        total=total,
        initial=done,
        desc=label,
        unit="replicate",
        file=sys.stderr,
        disable=not enabled,
        dynamic_ncols=True,
        smoothing=0.1,
    )
