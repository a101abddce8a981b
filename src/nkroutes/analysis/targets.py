"""The article's secondary figures as targets: which output, which years, what range, what weight.

Table 1 (yearly arrivals in South Korea) is the main target of calibration and fit checks. The
article's other figures (``other_targets.csv`` in the observed data: the 2004 broker share,
China's repatriations in 2000, the number of North Koreans in China, the share who stayed in
China two years or more) become :class:`Target` objects here, with the scenario's
``[calibration.targets]`` settings deciding the years an undated count must hold in, how
far a share given as one figure may stray, and how much each target weighs.

How far a run misses a target is measured on the scale the figure is uncertain on: counts on
the log scale (``log(x + 1)``, as the arrivals), shares on the log-odds scale. Inside the
range the miss is 0.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from nkroutes.model.outputs import flow_names, registered
from nkroutes.model.outputs_arrivals import people_flow_columns
from nkroutes.scenario.schema.run import CALIBRATION_TARGETS

#: Weights of the secondary targets when ``[calibration.targets.weights]`` does not name
#: them: 1, except the share who stayed two years (one survey of defectors: a soft target).
DEFAULT_WEIGHTS: dict[str, float] = {"stayed_two_years_share": 0.25}

#: Shares are kept this far from 0 and 1 before taking log-odds.
_SHARE_CLIP = 1e-3


#: The schema's ``[calibration.targets]`` keys: the defaults below are theirs, declared once.
_TARGET_KEYS = CALIBRATION_TARGETS.keys


class TargetError(ValueError):
    """A target setting or observed-data row that cannot be used (names the key or row)."""


@dataclass(frozen=True)
class TargetSettings:
    """How calibration and fit checks compare a run with the observed data.

    Mirrors the scenario's ``[calibration.targets]`` table (see ``docs/scenarios.md``).

    Attributes:
        years: First and last year of Table 1 the yearly arrivals are fitted to.
        arrivals: Yearly output compared with Table 1 (``arrivals_south_korea``).
        stock_years: First and last year in which an undated count (North Koreans in China)
            must hold.
        share_tolerance: A share given as one figure holds within this much either side.
        weights: Weight of each secondary target by name (others: :data:`DEFAULT_WEIGHTS`
            or 1).
        distance: How calibration measures the arrivals' distance: ``"log"`` (RMS of the
            log differences) or ``"ard"`` (averaged relative difference).
    """

    years: tuple[int, int] = (
        _TARGET_KEYS["years_from"].default,
        _TARGET_KEYS["years_to"].default,
    )
    arrivals: str = _TARGET_KEYS["arrivals"].default
    stock_years: tuple[int, int] = (
        _TARGET_KEYS["stock_years_from"].default,
        _TARGET_KEYS["stock_years_to"].default,
    )
    share_tolerance: float = _TARGET_KEYS["share_tolerance"].default
    weights: Mapping[str, float] = field(default_factory=dict)
    distance: str = _TARGET_KEYS["arrivals_distance"].default

    @classmethod
    def from_scenario(cls, data: Mapping[str, Any]) -> TargetSettings:
        """The settings of a scenario (its resolved values), defaults where it gives none."""
        table = (data.get("calibration") or {}).get("targets") or {}
        default = cls()
        return cls(
            years=(
                int(table.get("years_from", default.years[0])),
                int(table.get("years_to", default.years[1])),
            ),
            arrivals=str(table.get("arrivals", default.arrivals)),
            stock_years=(
                int(table.get("stock_years_from", default.stock_years[0])),
                int(table.get("stock_years_to", default.stock_years[1])),
            ),
            share_tolerance=float(table.get("share_tolerance", default.share_tolerance)),
            weights={str(k): float(v) for k, v in (table.get("weights") or {}).items()},
            distance=str(table.get("arrivals_distance", default.distance)),
        )

    def to_dict(self) -> dict[str, Any]:
        """Plain values (for the calibration's settings file and its comparison on resume)."""
        return {
            "years": list(self.years),
            "arrivals": self.arrivals,
            "stock_years": list(self.stock_years),
            "share_tolerance": self.share_tolerance,
            "weights": dict(sorted(self.weights.items())),
            "arrivals_distance": self.distance,
        }


@dataclass(frozen=True)
class Target:
    """One observed figure a run is checked against.

    Attributes:
        name: Its name in the observed data (``repatriated_by_china_2000``).
        description: What it is, in words.
        table: ``"yearly"`` or ``"summary"``: the results table the output is in.
        numerator: The output column (or the numerator of a share).
        denominator: The denominator column of a share computed from two outputs, or ``None``.
        years: The years it must hold in (yearly outputs); empty for summary outputs.
        low: Lowest value that holds, or ``None``.
        high: Highest value that holds, or ``None``.
        share: Whether it is a share (compared on the log-odds scale) rather than a count
            (compared on the log scale).
        weight: Weight of its miss in the calibration distance.
        source: The article's words.
    """

    name: str
    description: str
    table: str
    numerator: str
    denominator: str | None
    years: tuple[int, ...]
    low: float | None
    high: float | None
    share: bool
    weight: float = 1.0
    source: str = ""

    @property
    def output(self) -> str:
        """The output compared, as written in the observed data (``yearly.repatriated``)."""
        text = f"{self.table}.{self.numerator}"
        return f"{text} / {self.table}.{self.denominator}" if self.denominator else text

    @property
    def columns(self) -> tuple[str, ...]:
        """The output columns the target needs."""
        return (self.numerator, self.denominator) if self.denominator else (self.numerator,)

    def expected_text(self) -> str:
        """The range that holds, in words: ``70%-90%``, ``>= 6,000``, ``30,000-300,000``."""
        text = _range_text(self.low, self.high, self.share)
        if len(self.years) > 1:
            text += f" every year {self.years[0]}-{self.years[-1]}"
        elif len(self.years) == 1:
            text += f" in {self.years[0]}"
        return text

    def value_text(self, value: float) -> str:
        """A simulated value as the target's figures are written."""
        if not math.isfinite(value):
            return "n/a"
        return f"{100 * value:.0f}%" if self.share else f"{value:,.0f}"

    def miss(self, value: float) -> float:
        """How far ``value`` lies outside the range, on the target's scale (0 inside).

        Counts: ``log(low + 1) - log(value + 1)`` below the range, ``log(value + 1) -
        log(high + 1)`` above it. Shares: the same on log-odds. A value that is not a number
        (no arrivals to take a share of) misses by infinity.
        """
        if not math.isfinite(value):
            return math.inf
        scale = _logit if self.share else _log1p
        x = scale(value)
        if self.low is not None and value < self.low:
            return float(scale(self.low) - x)
        if self.high is not None and value > self.high:
            return float(x - scale(self.high))
        return 0.0

    def per_replicate(self, yearly: pd.DataFrame, summary: pd.DataFrame) -> pd.DataFrame:
        """The output for each replicate (rows) and year (columns; one column ``all``).

        Args:
            yearly: Long yearly table (``replicate``, ``year`` and the output columns).
            summary: Summary table (``replicate`` and the output columns).

        Returns:
            Values indexed by replicate; a share with a zero denominator is NaN.

        Raises:
            TargetError: If a column is missing or a year was not simulated.
        """
        frame = yearly if self.table == "yearly" else summary
        missing = [c for c in ("replicate", *self.columns) if c not in frame.columns]
        if missing:
            raise TargetError(
                f"target {self.name}: the {self.table} table has no column "
                f"{', '.join(missing)} (needed for {self.output})"
            )
        if self.table == "summary":
            values = _ratio(frame, self.numerator, self.denominator)
            return pd.DataFrame({"all": values.to_numpy()}, index=frame["replicate"].to_numpy())
        rows = frame[frame["year"].isin(self.years)]
        absent = sorted(set(self.years) - set(rows["year"].tolist()))
        if absent:
            raise TargetError(
                f"target {self.name}: year(s) {', '.join(map(str, absent))} were not simulated"
            )
        values = _ratio(rows, self.numerator, self.denominator)
        table = pd.DataFrame(
            {"replicate": rows["replicate"].to_numpy(), "year": rows["year"].to_numpy()}
        )
        table["value"] = values.to_numpy()
        return table.pivot(index="replicate", columns="year", values="value")


def _ratio(frame: pd.DataFrame, numerator: str, denominator: str | None) -> pd.Series:
    top = frame[numerator].astype(float)
    if denominator is None:
        return top
    bottom = frame[denominator].astype(float)
    return (top / bottom.where(bottom > 0)).astype(float)


def _log1p(value: float) -> float:
    return math.log1p(max(value, 0.0))


def _logit(value: float) -> float:
    p = min(max(value, _SHARE_CLIP), 1.0 - _SHARE_CLIP)
    return math.log(p / (1.0 - p))


def _number_text(value: float, share: bool) -> str:
    return f"{100 * value:.0f}%" if share else f"{value:,.0f}"


def _range_text(low: float | None, high: float | None, share: bool) -> str:
    if low is not None and high is not None:
        if low == high:
            return _number_text(low, share)
        return f"{_number_text(low, share)}-{_number_text(high, share)}"
    if low is not None:
        return f">= {_number_text(low, share)}"
    if high is not None:
        return f"<= {_number_text(high, share)}"
    return "any value"


def parse_quantity(text: str, name: str) -> tuple[str, str, str | None]:
    """Split an observed-data ``model_quantity`` into table, column and denominator.

    Args:
        text: ``"yearly.repatriated"`` or ``"yearly.broker_assisted_arrivals /
            yearly.arrivals"``.
        name: The target's name, for messages.

    Returns:
        ``(table, numerator, denominator or None)``.

    Raises:
        TargetError: If the text is not of that form or mixes tables.
    """
    parts = [p.strip() for p in text.split("/")]
    if len(parts) not in (1, 2) or any(p.count(".") != 1 for p in parts):
        raise TargetError(
            f"target {name}: model_quantity {text!r}; expected 'table.column' or "
            "'table.column / table.column'"
        )
    tables, columns = zip(*(p.split(".") for p in parts), strict=True)
    if len(set(tables)) != 1 or tables[0] not in ("yearly", "summary"):
        raise TargetError(
            f"target {name}: model_quantity {text!r}; expected columns of one table, "
            "'yearly' or 'summary'"
        )
    return tables[0], columns[0], columns[1] if len(columns) == 2 else None


def _number(value: Any) -> float | None:
    if value is None or value is pd.NA:
        return None
    value = float(value)
    return None if math.isnan(value) else value


def check_arrivals_column(settings: TargetSettings, scenario: Mapping[str, Any]) -> None:
    """Check that ``[calibration.targets] arrivals`` names a yearly count of people.

    Args:
        settings: The scenario's target settings.
        scenario: The scenario's resolved values (its places and routes decide the
            per-destination and per-place columns).

    Raises:
        TargetError: If a run of the scenario writes no such column in ``yearly.csv``.
    """
    columns = people_flow_columns(flow_names(), scenario, registered())
    if settings.arrivals not in columns:
        shown = ", ".join(c for c in columns if c.startswith("arrivals"))
        raise TargetError(
            f"calibration.targets.arrivals: found {settings.arrivals!r}, expected a column of "
            f"yearly.csv that counts people, such as {shown} (docs/outputs.md)"
        )


def secondary_targets(observed: pd.DataFrame, settings: TargetSettings) -> list[Target]:
    """The observed data's other figures as targets, with the scenario's settings applied.

    Args:
        observed: :func:`nkroutes.observed.other_targets` (``name, description, value, low,
            high, year, unit, model_quantity, source``).
        settings: The scenario's target settings.

    Returns:
        One target per row, in file order.

    Raises:
        TargetError: If a weight names no target, or a row gives neither a value nor a range.
    """
    names = [str(n) for n in observed["name"]]
    unknown = sorted(set(settings.weights) - set(names))
    if unknown:
        raise TargetError(
            f"calibration.targets.weights: found {', '.join(unknown)}; expected names of "
            f"observed targets: {', '.join(names)}"
        )
    stock_years = tuple(range(settings.stock_years[0], settings.stock_years[1] + 1))
    targets = []
    for row in observed.to_dict("records"):
        name = str(row["name"])
        table, numerator, denominator = parse_quantity(str(row["model_quantity"]), name)
        share = str(row.get("unit", "")).startswith("share")
        value, low, high = (
            _number(row.get("value")),
            _number(row.get("low")),
            _number(row.get("high")),
        )
        if value is not None:
            tolerance = settings.share_tolerance if share else 0.0
            low, high = value - tolerance, value + tolerance
            if share:
                low, high = max(low, 0.0), min(high, 1.0)
        if low is None and high is None:
            raise TargetError(f"target {name}: expected a value or a low/high range")
        year = _number(row.get("year"))
        if table == "summary":
            years: tuple[int, ...] = ()
        elif year is not None:
            years = (int(year),)
        else:
            years = stock_years
        weight = settings.weights.get(name, DEFAULT_WEIGHTS.get(name, 1.0))
        targets.append(
            Target(
                name=name,
                description=str(row.get("description", "")),
                table=table,
                numerator=numerator,
                denominator=denominator,
                years=years,
                low=low,
                high=high,
                share=share,
                weight=float(weight),
                source=str(row.get("source", "")),
            )
        )
    return targets


def weighted_quantile(
    values: Sequence[float] | np.ndarray,
    q: float,
    weights: Sequence[float] | np.ndarray | None = None,
) -> float:
    """A quantile of values that may carry weights; NaN values are left out.

    With equal weights this is numpy's default (linear, "type 7") quantile: the sorted values
    sit at cumulative positions ``(S_i - w_i) / (1 - w_n)`` (``S_i`` the cumulative
    normalised weight, ``w_n`` the last value's weight), and ``q`` is interpolated between
    them.

    Args:
        values: The values.
        q: The quantile, in [0, 1].
        weights: Non-negative weights (default: equal).

    Returns:
        The quantile, or NaN if no value is a number.
    """
    x = np.asarray(values, dtype=float)
    w = np.ones_like(x) if weights is None else np.asarray(weights, dtype=float)
    keep = ~np.isnan(x) & (w > 0)
    x, w = x[keep], w[keep]
    if len(x) == 0:
        return float("nan")
    order = np.argsort(x, kind="stable")
    x, w = x[order], w[order] / w.sum()
    if len(x) == 1 or w[-1] >= 1.0:
        return float(x[-1])
    positions = (np.cumsum(w) - w) / (1.0 - w[-1])
    return float(np.interp(q, positions, x))
