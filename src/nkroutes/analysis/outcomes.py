"""The outcomes a policy reader asks about: their ``summary.csv`` column, name, unit and wording.

Used by the table ``nkroutes run`` prints and by comparisons (``comparison.csv`` and
``comparison.md``), so both name and format every outcome the same way. Names, units and
phrases come from the registry of outputs, ``nkroutes.model.outputs``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from nkroutes.model.outputs import DESTINATION, output
from nkroutes.scenario.time_axis import time_axis

#: Units of outcomes: people counted over the run, people at its end, a share of arrivals,
#: months, US dollars.
KINDS: tuple[str, ...] = ("people", "people_at_end", "share", "months", "usd")


@dataclass(frozen=True)
class Outcome:
    """One outcome of a run, as one column of ``summary.csv``.

    Attributes:
        column: The ``summary.csv`` column.
        label: Short name for tables ("Arrivals in South Korea").
        kind: Unit, one of :data:`KINDS`.
        phrase: Noun phrase for sentences, with ``{period}`` (e.g. "1990-2008") or
            ``{end}`` (e.g. "2008") to fill in: "arrivals in South Korea over {period}".
        plural: Whether the phrase takes a plural verb ("arrivals rise", "the share rises").
    """

    column: str
    label: str
    kind: str
    phrase: str
    plural: bool = True

    def describe(self, period: str, end: str) -> str:
        """The sentence phrase with the run's period and last year filled in."""
        return self.phrase.format(period=period, end=end)

    @classmethod
    def of(cls, name: str, destination: str = "") -> Outcome:
        """The outcome of a registered output (a ``summary.csv`` column).

        Args:
            name: The output's name; for a destination's arrivals, ``arrivals_<id>``.
            destination: That destination's name as a sentence writes it.

        Raises:
            UnknownOutputError: If no output has that name.
        """
        registered = output(f"arrivals_{DESTINATION}" if destination else name)
        label, phrase = registered.label, registered.sentence_phrase()
        if destination:
            label = label.replace(DESTINATION, destination)
            phrase = phrase.replace(DESTINATION, destination)
        return cls(name, label, registered.comparison_kind, phrase, registered.plural)


#: Place names read with "the" in a sentence ("arrivals in the United States").
_WITH_ARTICLE = ("United ", "Netherlands", "Philippines", "Czech Republic", "Gambia")


def _place_name(place: Mapping[str, Any]) -> str:
    name = str(place.get("name") or "") or str(place["id"]).replace("_", " ").title()
    return f"the {name}" if name.startswith(_WITH_ARTICLE) else name


def destination_outcomes(*scenarios: Mapping[str, Any]) -> list[Outcome]:
    """One arrivals outcome per destination of the scenarios, in file order.

    With several scenarios, the union of their destinations: the first scenario's in its
    file order, then each destination only a later scenario has, in that one's order.
    """
    seen: dict[str, Outcome] = {}
    for scenario in scenarios:
        for p in scenario.get("places", []):
            if p.get("kind") == "destination" and p["id"] not in seen:
                seen[p["id"]] = Outcome.of(f"arrivals_{p['id']}", _place_name(p))
    return list(seen.values())


def destination_names(scenario: Mapping[str, Any]) -> dict[str, str]:
    """The scenario's destinations: id -> name as a sentence writes it ("the United States")."""
    places = scenario.get("places", [])
    return {p["id"]: _place_name(p) for p in places if p.get("kind") == "destination"}


_ARRIVALS = Outcome.of("arrivals")
_REPATRIATED = Outcome.of("repatriated")
_DIED = Outcome.of("died")
_IN_CHINA = Outcome.of("in_china_end")
_MONTHS = Outcome.of("median_months_in_china_at_arrival")
_BROKER_SHARE = Outcome.of("broker_assisted_share")
_BROKER_FEES = Outcome.of("broker_fees_usd")

#: The outcomes ``nkroutes run`` prints after a run.
RUN_OUTCOMES: tuple[Outcome, ...] = (_ARRIVALS, _REPATRIATED, _DIED, _BROKER_SHARE)


def comparison_outcomes(*scenarios: Mapping[str, Any]) -> list[Outcome]:
    """The outcomes a comparison of these scenarios reports, in order.

    Arrivals in total and at each destination of any of the scenarios (see
    :func:`destination_outcomes`), repatriations, deaths, North Koreans in China at the end,
    median months in China at arrival, the broker-assisted share of arrivals and the money
    paid to brokers.
    """
    return [
        _ARRIVALS,
        *destination_outcomes(*scenarios),
        _REPATRIATED,
        _DIED,
        _IN_CHINA,
        _MONTHS,
        _BROKER_SHARE,
        _BROKER_FEES,
    ]


def period_of(scenario: Mapping[str, Any]) -> tuple[str, str]:
    """The run's period as ``("1990-2008", "2008")`` (first and last simulated year)."""
    axis = time_axis(scenario)
    first, last = str(axis.start)[:4], str(axis.end)[:4]
    return (first if first == last else f"{first}-{last}"), last


def format_value(value: float, kind: str, signed: bool = False) -> str:
    """A value written for a reader: ``12,345``, ``6.0%``, ``31.5 months``, ``US$1,234``.

    Args:
        value: The number (a share is a fraction; a difference of shares prints in
            percentage points when ``signed``).
        kind: One of :data:`KINDS`.
        signed: Write a sign (for differences): ``+1,234``, ``-2.1 percentage points``.

    Returns:
        The text (``"n/a"`` for NaN).
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    sign = "+" if signed else ""
    if kind == "share":
        if signed:
            return f"{100 * value:{sign},.1f} percentage points"
        return f"{100 * value:.1f}%"
    if kind == "months":
        return f"{value:{sign},.1f} months"
    if kind == "usd":
        text = f"{abs(value):,.0f}"
        prefix = ("-" if value < 0 else "+") if signed else ("-" if value < 0 else "")
        return f"{prefix}US${text}"
    return f"{value:{sign},.0f}"


def format_number(value: float, kind: str) -> str:
    """A value without unit words, for table cells: ``12,345``, ``6.0%``, ``31.5``, ``1,234``."""
    return _cell(value, kind, signed=False)


def format_difference(value: float, kind: str) -> str:
    """A signed difference without unit words, for tables and figures.

    ``+1,234`` (people, US$), ``-2.1 pp`` (a share's difference in percentage points),
    ``+0.5`` (months).
    """
    return _cell(value, kind, signed=True)


def _cell(value: float, kind: str, signed: bool) -> str:
    """A value (``signed``: with its sign, and shares in percentage points) or ``n/a``."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    sign = "+" if signed else ""
    if kind == "share":
        return f"{100 * value:{sign},.1f}" + (" pp" if signed else "%")
    if kind == "months":
        return f"{value:{sign},.1f}"
    return f"{value:{sign},.0f}"
