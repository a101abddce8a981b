"""Outputs of ``yearly.csv`` computed from the migrant table by year of arrival.

Who arrived each year (by sex, by the place they left for their destination) and how long
they had spent in China. These are outcomes of the model's mechanisms, not inputs: the
columns let anyone check the model against other data (arrivals by sex, by route, surveys of
time spent in China). They are registered with the other outputs in
:mod:`nkroutes.model.outputs` and computed by :func:`arrival_columns`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from nkroutes.model.outputs_spec import VIA, Output

#: The quantiles of months in China reported per year: name suffix -> quantile.
MONTH_QUANTILES: dict[str, float] = {"p25": 0.25, "median": 0.5, "p75": 0.75}


def _arrivals(name: str, label: str, description: str) -> Output:
    return Output(name, "flow", "people", label, description, from_migrants=True)


def _months(name: str, label: str, description: str) -> Output:
    return Output(name, "duration", "months", label, description, plural=False, from_migrants=True)


#: The outputs computed from the migrant table, in their column order in ``yearly.csv``.
ARRIVAL_OUTPUTS: tuple[Output, ...] = (
    _arrivals(
        "arrivals_female",
        "Arrivals, women",
        "of `arrivals`, women (an outcome: departures, crossings, trafficking and ways out "
        "differ by sex)",
    ),
    _arrivals("arrivals_male", "Arrivals, men", "of `arrivals`, men"),
    _arrivals(
        f"arrivals_via_{VIA}",
        f"Arrivals via {VIA}",
        "of `arrivals`, those whose last leg started at this place (a transit country, a "
        "mission or a border): one column per place from which a route leads to a destination "
        "(`arrivals_via_thailand`, `arrivals_via_mongolia`, `arrivals_via_beijing_missions`, "
        "... in the baseline)",
    ),
    _months(
        "months_in_china_mean",
        "Months in China of the year's arrivals (mean)",
        "mean, over the year's arrivals who passed through China, of the months they spent "
        "there (all stays); empty if none arrived through China",
    ),
    *(
        _months(
            f"months_in_china_{suffix}",
            f"Months in China of the year's arrivals ({suffix})",
            f"{label} of the same months; empty if none arrived through China",
        )
        for suffix, label in (
            ("p25", "first quartile"),
            ("median", "median"),
            ("p75", "third quartile"),
        )
    ),
)


def via_places(
    route_from: Sequence[str], route_to: Sequence[str], destinations: Sequence[str]
) -> list[str]:
    """The places a route to a destination starts from, in the order of the routes.

    Args:
        route_from: Start place id of each route.
        route_to: End place id of each route.
        destinations: The destination ids.

    Returns:
        Place ids, each once.
    """
    dest = set(destinations)
    out: list[str] = []
    for a, b in zip(route_from, route_to, strict=True):
        if b in dest and a not in out:
            out.append(a)
    return out


def arrival_columns(
    year_index: np.ndarray,
    n_years: int,
    female: np.ndarray,
    via: np.ndarray,
    via_ids: Sequence[str],
    months: np.ndarray,
) -> dict[str, np.ndarray]:
    """The columns of :data:`ARRIVAL_OUTPUTS` for ``yearly.csv``.

    Args:
        year_index: For each arrival, its year's row in ``yearly.csv`` (0-based).
        n_years: Rows of ``yearly.csv``.
        female: For each arrival, whether a woman.
        via: For each arrival, the position in ``via_ids`` of the place its last route
            started from (-1: none of them).
        via_ids: The places of the ``arrivals_via_<place>`` columns.
        months: For each arrival, months spent in China (0: never there).

    Returns:
        Column name -> one value per year (counts as int64, months as float, NaN for a year
        without arrivals through China).
    """
    out: dict[str, np.ndarray] = {
        "arrivals_female": np.bincount(year_index[female], minlength=n_years),
        "arrivals_male": np.bincount(year_index[~female], minlength=n_years),
    }
    for j, place in enumerate(via_ids):
        out[f"arrivals_via_{place}"] = np.bincount(year_index[via == j], minlength=n_years)
    through = months > 0
    mean = np.full(n_years, np.nan)
    quantiles = {suffix: np.full(n_years, np.nan) for suffix in MONTH_QUANTILES}
    for y in np.unique(year_index[through]).tolist():
        values = months[through & (year_index == y)]
        mean[y] = values.mean()
        for suffix, q in MONTH_QUANTILES.items():
            quantiles[suffix][y] = np.quantile(values, q)
    out["months_in_china_mean"] = np.round(mean, 2)
    for suffix, values in quantiles.items():
        out[f"months_in_china_{suffix}"] = np.round(values, 2)
    return out


def people_flow_columns(
    flows: Sequence[str], scenario: Mapping[str, Any], outputs: Sequence[Output]
) -> list[str]:
    """The columns of ``yearly.csv`` a run of ``scenario`` writes that count people per year.

    What calibration may compare with Table 1 (``[calibration.targets] arrivals``): the
    registered flows in people (``arrivals``, ``departures``, ...), arrivals at each of the
    scenario's destinations, and the arrivals by sex and by the place they left from.

    Args:
        flows: The registered flows counted per step (:func:`nkroutes.model.outputs.flow_names`).
        scenario: The scenario's resolved values (``places``, ``routes``).
        outputs: The registry, for each flow's unit.

    Returns:
        Column names, in ``yearly.csv``'s order.
    """
    people = {o.name for o in outputs if o.unit == "people"}
    places = scenario.get("places") or []
    routes = scenario.get("routes") or []
    destinations = [str(p["id"]) for p in places if p.get("kind") == "destination"]
    via = via_places([str(r["from"]) for r in routes], [str(r["to"]) for r in routes], destinations)
    return [
        *(name for name in flows if name in people),
        *(f"arrivals_{d}" for d in destinations),
        "arrivals_female",
        "arrivals_male",
        *(f"arrivals_via_{place}" for place in via),
    ]
