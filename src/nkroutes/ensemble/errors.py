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


def caused_by_interrupt(error: BaseException) -> bool:
    """Whether ``error`` came of Ctrl-C or SIGTERM: a ``KeyboardInterrupt`` in its chain.

    An interrupt that arrives while compiled code calls back into Python can surface as
    another error (``SystemError: ... returned a result with an exception set``) with the
    interrupt as its cause. Code that turns a task's errors into a reported failure asks
    this first, so that the command stops as interrupted (exit 130), not as failed.
    """
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        if isinstance(current, KeyboardInterrupt):
            return True
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return False
