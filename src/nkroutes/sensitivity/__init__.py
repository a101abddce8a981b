"""Which assumptions drive the answer: sensitivity analysis over ``[[uncertainty]]`` ranges.

``nkroutes.sensitivity(...)`` (this package is callable: it runs
:func:`~nkroutes.sensitivity.analysis.sensitivity`) screens every ranged value with Morris's
method or decomposes the variance with Sobol's, for the baseline's outcomes and the paired
effects of what-ifs, and returns the indices as DataFrames. Modules:

- :mod:`.ranges`: the ranges and points in them; :mod:`.outcomes`: what is measured;
- :mod:`.design`: SALib's samples and estimates; :mod:`.plan`: the settings and tasks;
- :mod:`.evaluate`: one evaluation (the executors' task); :mod:`.execute`: the journal;
- :mod:`.analysis`: the whole analysis; :mod:`.report`: ``sensitivity.md``;
- :mod:`.draws`: ``compare --draws``, effects over parameter uncertainty.
"""

from __future__ import annotations

import sys
import types
from typing import Any

from nkroutes.sensitivity.analysis import SensitivityResult, run_sensitivity, sensitivity
from nkroutes.sensitivity.ranges import Range, SensitivityError, ranges_of

__all__ = [
    "Range",
    "SensitivityError",
    "SensitivityResult",
    "ranges_of",
    "run_sensitivity",
    "sensitivity",
]


class _CallableModule(types.ModuleType):
    """This package, callable as :func:`~nkroutes.sensitivity.analysis.sensitivity`."""

    def __call__(self, *args: Any, **kwargs: Any) -> SensitivityResult:
        return sensitivity(*args, **kwargs)


sys.modules[__name__].__class__ = _CallableModule
