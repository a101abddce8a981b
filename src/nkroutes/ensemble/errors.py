"""The errors an ensemble raises before it starts work (bad options, clusters, directories)."""

from __future__ import annotations


class EnsembleSetupError(ValueError):
    """An ensemble cannot start; nothing has been run or overwritten.

    Raised for a bad option, an unreachable cluster, or a results directory that would be
    overwritten or does not match the scenario. The command line prints the message and
    exits with code 2.
    """
