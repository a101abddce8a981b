"""Numbers of a scenario given a low and a high bound: ranges and free parameters.

Sensitivity analysis reads ``[[uncertainty]]`` (a
:class:`~nkroutes.sensitivity.ranges.Range` each) and calibration ``[[calibration.free]]``
(a :class:`~nkroutes.calibration.smc.FreeParameter` each). Both are the same record, a
:class:`Bounded`: an id, the key path of the number, its bounds and whether they are on a log
scale; :func:`bounded_values` reads them. The two tables name the keys differently and each
caller checks and adds its own things, so a :class:`BoundedForm` says how a table is written
and each caller passes what it makes of an item.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from nkroutes.scenario.scenario import Scenario

T = TypeVar("T")

#: An item of the array of tables, as the scenario holds it.
Item = Mapping[str, Any]


@dataclass(frozen=True)
class Bounded:
    """A number of the scenario that may take any value between two bounds.

    Attributes:
        id: Short name (the item's ``id``), used in tables, figures and messages.
        path: Dotted key path of the number in the scenario.
        low: Lower bound, in the number's unit.
        high: Upper bound, in the number's unit.
        log: Whether values between the bounds are spread evenly on a log scale.
    """

    id: str
    path: str
    low: float
    high: float
    log: bool = False


@dataclass(frozen=True)
class BoundedForm:
    """How an array of tables of bounded numbers is written, and how a caller reports it.

    Attributes:
        table: Dotted key path of the array (``"uncertainty"``, ``"calibration.free"``).
        low: Key of the lower bound in an item (``"low"``, ``"min"``).
        high: Key of the upper bound.
        is_log: Whether an item's bounds are on a log scale (each table says it its way).
        error: The caller's exception (exit code 2), made from a message.
        missing: The message when the array is empty or absent, after ``"FILE: TABLE: "``.
    """

    table: str
    low: str
    high: str
    is_log: Callable[[Item], bool]
    error: Callable[[str], Exception]
    missing: str

    def where(self, scenario: Scenario) -> str:
        """The array in messages: ``"FILE: TABLE"``."""
        return f"{scenario.source}: {self.table}"


def bounded_values(
    scenario: Scenario,
    form: BoundedForm,
    make: Callable[[Bounded, Item], T],
    select: Callable[[list[Item]], Sequence[Item]] = list,
) -> tuple[T, ...]:
    """What a caller makes of each bounded number of an array of tables, in file order.

    Args:
        scenario: The scenario holding the array.
        form: How the array is written and reported.
        make: Turns an item's record (and the item, for the caller's own keys) into the
            caller's value; it raises the caller's error for an item it cannot use.
        select: Checks or picks the items to read, given every item (there is one at least).

    Raises:
        Exception: ``form.error(...)`` if the array is empty or absent, and whatever
            ``select`` and ``make`` raise.
    """
    found: Any = scenario.data
    for part in form.table.split("."):
        found = (found or {}).get(part)
    if not found:
        raise form.error(f"{form.where(scenario)}: {form.missing}")
    out = []
    for item in select(list(found)):
        record = Bounded(
            id=str(item["id"]),
            path=str(item["path"]),
            low=float(item[form.low]),
            high=float(item[form.high]),
            log=form.is_log(item),
        )
        out.append(make(record, item))
    return tuple(out)
