"""The record shared by ``[[uncertainty]]`` ranges and ``[[calibration.free]]`` parameters."""

from __future__ import annotations

from dataclasses import asdict

import pytest

from nkroutes.calibration.problem import FREE
from nkroutes.calibration.smc import FreeParameter
from nkroutes.scenario import Scenario
from nkroutes.scenario.bounded import Bounded, BoundedForm, bounded_values
from nkroutes.sensitivity.ranges import UNCERTAINTY, Range


class RefusedError(ValueError):
    """The caller's own error."""


FORM = BoundedForm(
    table="outer.inner",
    low="from",
    high="to",
    is_log=lambda item: item.get("spread") == "log",
    error=RefusedError,
    missing="found nothing, expected bounds",
)

ITEMS = (
    {"id": "a", "path": "x.a", "from": 1, "to": 10, "spread": "log", "note": "first"},
    {"id": "b", "path": "x.b", "from": 0.5, "to": 2.0},
)


def _scenario(inner: object) -> Scenario:
    return Scenario.from_resolved({"outer": {"inner": inner}}, source="s.toml")


def test_records_are_read_in_file_order_with_the_forms_keys():
    made = bounded_values(_scenario(ITEMS), FORM, lambda record, item: (record, item.get("note")))
    assert made == (
        (Bounded("a", "x.a", 1.0, 10.0, log=True), "first"),
        (Bounded("b", "x.b", 0.5, 2.0, log=False), None),
    )
    assert all(isinstance(r.low, float) and isinstance(r.high, float) for r, _ in made)


@pytest.mark.parametrize("inner", [(), None])
def test_an_empty_or_absent_array_raises_the_callers_error_naming_file_and_table(inner):
    with pytest.raises(
        RefusedError, match=r"^s\.toml: outer\.inner: found nothing, expected bounds$"
    ):
        bounded_values(_scenario(inner), FORM, lambda record, item: record)
    empty = Scenario.from_resolved({}, source="s.toml")
    with pytest.raises(RefusedError, match=r"^s\.toml: outer\.inner: found nothing"):
        bounded_values(empty, FORM, lambda record, item: record)


def test_select_sees_every_item_before_any_is_made():
    seen: list[str] = []

    def select(items):
        seen.append(",".join(i["id"] for i in items))
        return items[1:]

    def make(record, item):
        seen.append(record.id)
        return record.id

    assert bounded_values(_scenario(ITEMS), FORM, make, select) == ("b",)
    assert seen == ["a,b", "b"]


def test_ranges_and_free_parameters_are_bounded_records_with_their_own_fields():
    # sensitivity.json and calibration.json write asdict() of these: the keys and their
    # order are part of those files.
    assert list(asdict(Range("r", "p", 0.0, 1.0))) == [
        *("id", "path", "low", "high", "log", "reason", "integer")
    ]
    assert list(asdict(FreeParameter("f", "p", 0.0, 1.0))) == [
        *("id", "path", "low", "high", "log", "doc")
    ]
    assert isinstance(Range("r", "p", 0.0, 1.0), Bounded)
    assert isinstance(FreeParameter("f", "p", 0.0, 1.0), Bounded)
    assert (UNCERTAINTY.table, UNCERTAINTY.low, UNCERTAINTY.high) == ("uncertainty", "low", "high")
    assert (FREE.table, FREE.low, FREE.high) == ("calibration.free", "min", "max")
    assert UNCERTAINTY.is_log({"scale": "log"}) and not UNCERTAINTY.is_log({"log": True})
    assert FREE.is_log({"log": True}) and not FREE.is_log({"scale": "log"})
