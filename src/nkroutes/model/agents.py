"""The Mesa agents of the model (places on the route network) and a view of one broker.

Places are ``FixedAgent`` objects, one per node of a ``mesa.discrete_space.Network`` whose
edges are the scenario's routes; they count what happens at them. Brokers work from a
broker hub: each has its own price factor and monthly capacity, may quit or be arrested,
and takes clients along the routes its hub serves. Like migrants (rows of
:class:`nkroutes.model.migrants.MigrantTable`), brokers are columns on the model
(``broker_serial``, ``broker_hub``, ``broker_factor``, ...), not Mesa agents: creating and
removing a Mesa agent took 20-30 us under cProfile, and at 16 times the baseline's departures
318,000 brokers were created and 220,000 removed, a quarter of the profiled run (issue 19).
:class:`Broker` is a read-only view of one of them, for inspection (``RouteModel.brokers``).
"""

from __future__ import annotations

import itertools
import weakref
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from mesa.discrete_space import FixedAgent

if TYPE_CHECKING:
    from nkroutes.model.model import RouteModel


class _AgentIdsPerModel(weakref.WeakKeyDictionary):
    """Each model's counter of agent ``unique_id`` values, forgotten with the model.

    Mesa 3.3 keeps these counters in ``Agent._ids``, a class-level ``defaultdict`` keyed by
    the model, which holds every model ever built, and all it refers to, until the process
    ends (mesa issue #3179, fixed upstream after 3.3.1). A calibration worker builds hundreds
    of models, each with its migrant table, and grew by about 30 MB a parameter set, to
    7-8 GB. The place class uses this weak-keyed mapping instead: the same ids (one count
    per model, from 1), and a finished model can be freed.
    """

    def __getitem__(self, model: Any) -> Iterator[int]:
        try:
            return super().__getitem__(model)
        except KeyError:
            counter = itertools.count(1)
            self[model] = counter
            return counter


class Place(FixedAgent):
    """A node of the route network (province, border, hub, hiding area, mission, ...).

    Attributes:
        index: Position of the place in the scenario (node id of the network).
        place_id: The scenario's id.
        name: Readable name.
        kind: The place kind (``origin``, ``border``, ...).
        country: Country it lies in.
        lat: Latitude, degrees.
        lon: Longitude, degrees.
        arrivals: Migrants resettled here (destinations).
        captured: Migrants caught arriving here or while here.
        deaths: Migrants who died on a route ending here.
    """

    def __init__(self, model: RouteModel, index: int, spec: dict[str, Any]) -> None:
        super().__init__(model)
        self.index = index
        self.place_id: str = spec["id"]
        self.name: str = spec.get("name") or spec["id"]
        self.kind: str = spec["kind"]
        self.country: str = spec.get("country", "")
        self.lat: float = float(spec["lat"])
        self.lon: float = float(spec["lon"])
        self.arrivals = 0
        self.captured = 0
        self.deaths = 0

    def __repr__(self) -> str:
        return f"Place({self.place_id!r}, kind={self.kind!r})"


#: Multiplier that spreads broker serials into 64-bit random identities.
BROKER_KEY_MULTIPLIER = 0x2545F4914F6CDD1D


@dataclass(frozen=True)
class Broker:
    """One active broker as it stood when asked for (a copy of its columns on the model).

    Attributes:
        serial: Creation number, used as the broker's random identity.
        hub: Index of the hub place it works from.
        price_factor: Its fee is the route's base fee times this (and times the enforcement
            multiplier); log-uniform between 1 and ``brokers.price_spread``.
        clients: Clients taken in total.
        revenue_usd: Fees earned in total, US$.
    """

    serial: int
    hub: int
    price_factor: float
    clients: int
    revenue_usd: float

    @property
    def key(self) -> np.uint64:
        """The broker's 64-bit random identity."""
        return np.uint64((self.serial + 1) * BROKER_KEY_MULTIPLIER % (1 << 64))


Place._ids = _AgentIdsPerModel()
