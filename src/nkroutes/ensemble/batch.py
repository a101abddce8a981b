"""Running batches of replicates for a caller that judges them as they go (calibration).

:func:`run_batch` sends tasks to any :class:`concurrent.futures.Executor` and hands back each
result as soon as it is done, so the caller can save it before the next one finishes (an
in-process executor runs a task when it is submitted: its result comes back at once).
:func:`run_side_by_side` runs one scenario's replicates month by month in step, and asks the
caller after each simulated year whether to go on, so runs that cannot matter stop early.
Both run the same model, with the same seeds, as :func:`nkroutes.ensemble.runner.run_ensemble`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Executor, Future, as_completed
from typing import Any, TypeVar

import numpy as np

from nkroutes.model import RouteModel, RunResult

_T = TypeVar("_T")

#: Asked after the last step of each simulated year: ``(year, steps of that year, models)``;
#: returns ``None`` to go on, or anything else to stop every run (it is handed back).
AfterYear = Callable[[int, np.ndarray, Sequence[RouteModel]], Any]


def run_batch(
    executor: Executor, function: Callable[[Any], _T], tasks: Iterable[Any]
) -> Iterator[tuple[int, _T]]:
    """Run ``function(task)`` for each task on ``executor``, yielding results as they finish.

    Args:
        executor: Where the tasks run (the function and tasks must pickle for a process
            pool or a cluster).
        function: A top-level function of one argument.
        tasks: The tasks, in order.

    Yields:
        ``(position of the task, its result)``, in the order the tasks finish; a task an
        in-process executor ran on submission is yielded before the next is submitted.

    Raises:
        Exception: Whatever ``function`` raised, when its result is reached.
    """
    pending: dict[Future[_T], int] = {}
    for position, task in enumerate(tasks):
        future = executor.submit(function, task)
        if future.done():
            yield position, future.result()
        else:
            pending[future] = position
    for future in as_completed(pending):
        yield pending[future], future.result()


def year_output(model: RouteModel, column: str, steps: np.ndarray) -> float:
    """A yearly output of a running model over one year's steps, as ``RunResult.yearly``.

    Args:
        model: The model, run at least to the last of ``steps``.
        column: A flow, a stock, or ``arrivals_<place id>``.
        steps: The year's step numbers, in order.
    """
    if column in model.flows:
        return float(model.flows[column][steps].sum())
    if column in model.stocks:
        return float(model.stocks[column][steps[-1]])
    place = model.params.place_ids.index(column.removeprefix("arrivals_"))
    before = model.arrivals_by_step[steps[0] - 1, place] if steps[0] > 0 else 0
    return float(model.arrivals_by_step[steps[-1], place] - before)


def run_side_by_side(
    scenario: Mapping[str, Any], seeds: Sequence[int], after_year: AfterYear | None = None
) -> tuple[list[RunResult], Any]:
    """Run replicates of one scenario month by month in step, asking after each year.

    Args:
        scenario: The resolved scenario values (``Scenario.to_dict()``).
        seeds: One model seed per replicate.
        after_year: Asked after the last step of each simulated year (see
            :data:`AfterYear`); ``None`` runs to the end.

    Returns:
        ``(results, None)`` once every run reached its end, or ``([], answer)`` with the
        first answer of ``after_year`` that was not ``None``.
    """
    models = [RouteModel(scenario, seed=int(s)) for s in seeds]
    years = models[0].clock.years
    last_steps = {int(y): np.flatnonzero(years == y) for y in np.unique(years)}
    for i in range(models[0].clock.n_steps):
        for model in models:
            model.step()
        year = int(years[i])
        if after_year is None or i != last_steps[year][-1]:
            continue
        answer = after_year(year, last_steps[year], models)
        if answer is not None:
            return [], answer
    return [m.result() for m in models], None
