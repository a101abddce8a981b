"""The errors an ensemble raises before it starts work (bad options, clusters, directories)."""

from __future__ import annotations


class EnsembleSetupError(ValueError):
    """An ensemble cannot start; nothing has been run or overwritten.

    Raised for a bad option, an unreachable cluster, or a results directory that would be
    overwritten or does not match the scenario. The command line prints the message and
    exits with code 2.
    """


class EnsembleRunError(RuntimeError):
    """A replicate failed while the ensemble ran.

    Replicates finished before the failure stay saved in the results directory, so the run
    can be completed with ``resume=True`` once the cause is fixed. The command line prints
    the message and exits with code 1.

    Attributes:
        replicate: The replicate that failed.
        seed: Its model seed (``simulate(scenario, seed)`` reproduces the failure).
    """

    def __init__(self, message: str, replicate: int, seed: int) -> None:
        super().__init__(message)
        self.replicate = replicate
        self.seed = seed
