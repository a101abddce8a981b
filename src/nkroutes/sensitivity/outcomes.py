"""The outcomes a sensitivity analysis measures at each parameter point.

Each outcome is one number per replicate, taken from a run's summary or yearly table;
a point's value is the mean over its replicates. ``arrivals_<year>`` is the year's arrivals
in South Korea (Table 1's count), for any simulated year. ``log_<count>`` is
``log10(1 + count)`` of a count outcome (arrivals, repatriations, deaths, the number in China,
a year's arrivals): its elementary effects are relative (a mu* of 0.3 is a factor of 2 across
a range), so that a few points where the count runs away do not decide the ranking. With a
what-if, the outcome ``<what-if>: <outcome>`` is the paired effect: the what-if's value minus
the baseline's at the same point with the same replicate seeds (for a ``log_`` outcome, the
log10 of the ratio).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from nkroutes.sensitivity.ranges import SensitivityError

#: Outcomes read from the summary table: name -> (column, what it is, unit).
SUMMARY_OUTCOMES: dict[str, tuple[str, str]] = {
    "arrivals": ("arrivals", "arrivals at every destination, whole run (people)"),
    "arrivals_south_korea": ("arrivals_south_korea", "arrivals in South Korea (people)"),
    "repatriated": ("repatriated", "repatriations from China to North Korea (people)"),
    "deaths": ("died", "deaths on the way, in hiding and in detention (people)"),
    "in_china": ("in_china_end", "North Koreans in China at the end (people)"),
    "broker_share": ("broker_assisted_share", "share of arrivals helped by a broker"),
    "months_in_china": (
        "median_months_in_china_at_arrival",
        "median months in China of those arriving (months)",
    ),
}

#: ARD of Table 1: sum over its years of |simulated - observed| / sum of observed.
ARD = "table1_ard"

#: The outcomes measured when none is named.
DEFAULT_OUTCOMES: tuple[str, ...] = (
    "arrivals",
    "log_arrivals",
    "arrivals_south_korea",
    ARD,
    "repatriated",
    "deaths",
    "in_china",
    "broker_share",
    "months_in_china",
)

YEARLY = re.compile(r"arrivals_(\d{4})")

#: Prefix of an outcome measured as ``log10(1 + count)``.
LOG_PREFIX = "log_"

#: The summary outcomes that are counts of people, which a ``log_`` outcome may take.
COUNT_OUTCOMES: tuple[str, ...] = (
    "arrivals",
    "arrivals_south_korea",
    "repatriated",
    "deaths",
    "in_china",
)


def _logged(name: str) -> str | None:
    """The count a ``log_`` outcome takes the logarithm of, or ``None``."""
    if not name.startswith(LOG_PREFIX):
        return None
    count = name[len(LOG_PREFIX) :]
    return count if count in COUNT_OUTCOMES or YEARLY.fullmatch(count) else None


#: The yearly output ``arrivals_<year>`` and Table 1's ARD read.
YEARLY_COLUMN = "arrivals_south_korea"


def describe(name: str) -> str:
    """What an outcome is, in words (with its unit)."""
    if name in SUMMARY_OUTCOMES:
        return SUMMARY_OUTCOMES[name][1]
    if name == ARD:
        return "averaged relative difference from Table 1's yearly arrivals (0 = exact)"
    count = _logged(name)
    if count is not None:
        what = describe(count).removesuffix(" (people)")
        return f"log10(1 + {what}): relative effects, 0.3 is a factor of 2"
    match = YEARLY.fullmatch(name)
    if match:
        return f"arrivals in South Korea in {match.group(1)} (people)"
    return name


def check_outcomes(names: Sequence[str], years: tuple[int, int]) -> tuple[str, ...]:
    """The outcomes asked for (``--outcome``), checked; the defaults if none.

    Args:
        names: Outcome names.
        years: First and last simulated year (for ``arrivals_<year>``).

    Raises:
        SensitivityError: For an unknown outcome (exit 2), naming the known ones.
    """
    if not names:
        return DEFAULT_OUTCOMES
    for name in names:
        measured = _logged(name) or name
        match = YEARLY.fullmatch(measured)
        if measured in SUMMARY_OUTCOMES or measured == ARD:
            continue
        if match and years[0] <= int(match.group(1)) <= years[1]:
            continue
        raise SensitivityError(
            f"--outcome: found '{name}', expected one of {', '.join(DEFAULT_OUTCOMES)}, "
            f"arrivals_<year> for a year of {years[0]}-{years[1]}, or log_ before a count "
            f"({', '.join(COUNT_OUTCOMES)}, arrivals_<year>)"
        )
    return tuple(dict.fromkeys(names))


def summary_columns(names: Sequence[str]) -> list[str]:
    """Summary columns the outcomes need."""
    counts = [_logged(n) or n for n in names]
    return list(dict.fromkeys(SUMMARY_OUTCOMES[n][0] for n in counts if n in SUMMARY_OUTCOMES))


def replicate_outcomes(
    names: Sequence[str],
    yearly: pd.DataFrame,
    summary: pd.DataFrame,
    observed: Mapping[int, float],
) -> dict[str, list[float]]:
    """Each outcome's value in each replicate (in replicate order).

    Args:
        names: Outcomes to measure.
        yearly: Long yearly table (``replicate, year, arrivals_south_korea``).
        summary: Summary table, one row per replicate.
        observed: Table 1: arrivals in South Korea by year.
    """
    summary = summary.sort_values("replicate")
    replicates = summary["replicate"].tolist()
    wide = yearly.pivot(index="replicate", columns="year", values=YEARLY_COLUMN).reindex(replicates)

    def measure(name: str) -> np.ndarray:
        count = _logged(name)
        if count is not None:
            return np.log10(1.0 + measure(count))
        if name in SUMMARY_OUTCOMES:
            return summary[SUMMARY_OUTCOMES[name][0]].astype(float).to_numpy()
        if name == ARD:
            years = [y for y in observed if y in wide.columns]
            sim = wide[years].to_numpy(dtype=float)
            obs = np.array([observed[y] for y in years], dtype=float)
            return np.abs(sim - obs).sum(axis=1) / obs.sum()
        return wide[int(YEARLY.fullmatch(name).group(1))].to_numpy(dtype=float)

    return {name: [float(v) for v in measure(name)] for name in names}
