"""Plausible ranges of a scenario's uncertain values, for sensitivity analysis.

Each ``[[uncertainty]]`` item names one number of the scenario (an ``assumption:`` or a
calibrated value) and the range a researcher could argue it lies in. ``nkroutes
sensitivity`` screens and decomposes the outcomes over these ranges, and ``nkroutes compare
--draws`` draws parameter points from them. The values themselves are unchanged: a range
only says how uncertain the value is.
"""

from __future__ import annotations

from nkroutes.scenario.spec import Key, Table, TableArray

#: Scales a range may be sampled on: uniform in the value, or in its logarithm.
UNCERTAINTY_SCALES = ("linear", "log")

UNCERTAINTY_ITEM = Table(
    {
        "id": Key(
            "str",
            "Short name of the uncertain value, used in tables and figures "
            "(an item of a what-if with the same id replaces the base's).",
        ),
        "path": Key(
            "str",
            "Dotted key path of the number in the scenario, e.g. "
            '`"enforcement.china.arrest_rate_per_year"`.',
        ),
        "low": Key("number", "Lowest plausible value, in the unit of the value named."),
        "high": Key("number", "Highest plausible value, in the unit of the value named."),
        "scale": Key(
            "str",
            "`log` samples the range uniformly in the logarithm (for rates and counts spanning "
            "a factor of ten or more; needs low > 0), `linear` uniformly in the value.",
            default="linear",
            choices=UNCERTAINTY_SCALES,
        ),
        "reason": Key(
            "str",
            "Why this range: the article's words, or why a researcher could argue for either end.",
        ),
    }
)

UNCERTAINTY = TableArray(
    item=UNCERTAINTY_ITEM,
    doc="Plausible ranges of uncertain values (`nkroutes sensitivity`, `compare --draws`). "
    "The range must hold the scenario's value, with low < high.",
)
