"""Dated changes: push factors that drive departures and events that change values."""

from __future__ import annotations

from nkroutes.scenario.schema.limits import (
    MAX_INTENSITY,
)
from nkroutes.scenario.spec import Key, Table

PUSH_FACTOR = Table(
    {
        "id": Key("str", "Identifier of the episode."),
        "name": Key("str", "Readable name.", default=""),
        "start": Key("date", "First month the episode is active (YYYY-MM)."),
        "end": Key("date", "Last month the episode is active; empty means to the end.", default=""),
        "intensity": Key(
            "number",
            "Added to the departure multiplier while active: 1 doubles departures.",
            min=0,
            max=MAX_INTENSITY,
        ),
        "regions": Key(
            "list[str]",
            "Origin regions affected (the origins' `region`); empty means all.",
            default=[],
        ),
        "source": Key("str", "Where the dates come from.", default=""),
    },
)

EVENT = Table(
    {
        "id": Key("str", "Identifier of the event."),
        "date": Key("date", "First month the new values apply (YYYY-MM)."),
        "end": Key(
            "date",
            "Last month the new values apply (YYYY-MM); from the next month each value the "
            "event set is back to what it was just before the event. Empty means the values "
            "stay to the end of the run.",
            default="",
        ),
        "name": Key("str", "Readable name.", default=""),
        "source": Key("str", "Where the date, the end and the values come from.", default=""),
        "set": Table(
            {},
            doc="Dotted key paths (quoted) and the values they take from the date on, e.g. "
            '`"enforcement.china.arrest_rate_per_year" = 0.4`.',
            dynamic=Key("any", "A value for the key path named."),
        ),
    }
)
