"""The outcomes a sensitivity analysis measures at each parameter point.

Each outcome is one number per replicate, taken from a run's summary or yearly table;
a point's value is the mean over its replicates. ``arrivals_<year>`` is the year's arrivals
in South Korea (Table 1's count), for any simulated year. With a what-if, the outcome
``<what-if>: <outcome>`` is the paired effect: the what-if's value minus the baseline's at
the same point with the same replicate seeds.
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
    "arrivals_south_korea",
    ARD,
    "repatriated",
    "deaths",
    "in_china",
    "broker_share",
    "months_in_china",
)

YEARLY = re.compile(r"arrivals_(\d{4})")

#: The yearly output ``arrivals_<year>`` and Table 1's ARD read.
YEARLY_COLUMN = "arrivals_south_korea"


def describe(name: str) -> str:
    """What an outcome is, in words (with its unit)."""
    if name in SUMMARY_OUTCOMES:
        return SUMMARY_OUTCOMES[name][1]
    if name == ARD:
        return "averaged relative difference from Table 1's yearly arrivals (0 = exact)"
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
        match = YEARLY.fullmatch(name)
        if name in SUMMARY_OUTCOMES or name == ARD:
            continue
        if match and years[0] <= int(match.group(1)) <= years[1]:
            continue
        raise SensitivityError(
            f"--outcome: found '{name}', expected one of {', '.join(DEFAULT_OUTCOMES)}, or "
            f"arrivals_<year> for a year of {years[0]}-{years[1]}"
        )
    return tuple(dict.fromkeys(names))


def summary_columns(names: Sequence[str]) -> list[str]:
    """Summary columns the outcomes need."""
    return [SUMMARY_OUTCOMES[n][0] for n in names if n in SUMMARY_OUTCOMES]


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
    out: dict[str, list[float]] = {}
    for name in names:
        if name in SUMMARY_OUTCOMES:
            values = summary[SUMMARY_OUTCOMES[name][0]].astype(float).to_numpy()
        elif name == ARD:
            years = [y for y in observed if y in wide.columns]
            sim = wide[years].to_numpy(dtype=float)
            obs = np.array([observed[y] for y in years], dtype=float)
            values = np.abs(sim - obs).sum(axis=1) / obs.sum()
        else:
            values = wide[int(YEARLY.fullmatch(name).group(1))].to_numpy(dtype=float)
        out[name] = [float(v) for v in values]
    return out
