"""Events that change one value in the same month: which applies would be file order alone.

Events of a month apply in the order of the file (and a what-if's after its baseline's), so
two that set one path in a month leave the value of the one listed last: swapping two
entries changed a run's repatriations from 342 to 9 with no word from ``validate``. An
event's end puts its values back in the month after its last one, so an end and another
event's start in that month collide the same way.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from nkroutes.scenario.collect import Collector, Parts
from nkroutes.scenario.values import month_after, parse_date


def _month(value: Any) -> str | None:
    """A ``YYYY-MM`` date as it is, or ``None`` for none or one that is not a date."""
    return value if isinstance(value, str) and value and parse_date(value) else None


def check_event_collisions(data: Mapping[str, Any], col: Collector) -> None:
    """Refuse two events that change the same path in the same month (start or end)."""
    events = data.get("events")
    if not isinstance(events, list):
        return
    seen: dict[tuple[str, str], tuple[str, str]] = {}
    for event in events:
        if not isinstance(event, Mapping) or not isinstance(event.get("set"), Mapping):
            continue
        name = str(event.get("id", "?"))
        start, end = _month(event.get("date")), _month(event.get("end"))
        changes = [(start, "starts")] if start is not None else []
        if end is not None:
            changes.append((month_after(end), "ends"))
        for month, how in changes:
            for path in event["set"]:
                key = (str(path), month)
                if key in seen:
                    other, other_how = seen[key]
                    where: Parts = ("events", name, "set", str(path))
                    col.add(
                        where,
                        f"events {other} ({other_how}) and {name} ({how}) both changing it in "
                        f"{month}",
                        "one change of a value in a month (the event listed last would win): "
                        "merge them into one event, or date them a month apart",
                        because=[("events", other, "set", str(path)), where],
                    )
                else:
                    seen[key] = (name, how)
