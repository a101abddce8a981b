"""The route model: a Mesa model that moves migrants from North Korea to destinations.

Each step runs the processes in this order, numbered as the submodels of ``docs/ODD.md``
section 7 (7.1 is time and random numbers; 7.10 choosing a route and 7.11 enforcement are
used by several processes):

- 7.2 dated events change the scenario's values (:meth:`RouteModel._apply_events`);
- 7.3 brokers quit, are arrested or join; fees follow enforcement (``processes/brokers.py``);
- 7.4 families in South Korea pay for relatives (chain defection, ``processes/chain.py``);
- 7.5 detained migrants serve their terms, die or are released (``processes/punishment.py``);
- 7.6 new migrants leave and released ones try again, and start their crossing
  (``processes/departures.py``);
- 7.7 migrants in China save, are arrested, trafficked, settle or try to leave
  (``processes/hiding.py``); word of mouth and NGOs sponsor some (``processes/onward.py``);
- 7.8 migrants in transit countries and missions are arrested or resettled
  (``processes/transit.py``);
- 7.9 travelling migrants move on; arrivals at each place are resolved
  (``processes/travel.py``);
- then the step's flows and stocks are recorded.
"""

from __future__ import annotations

import copy
from collections import defaultdict
from typing import Any

import mesa
import networkx as nx
import numpy as np
from mesa.discrete_space import Network

from nkroutes.model import stays
from nkroutes.model.agents import Broker, Place
from nkroutes.model.clock import DAYS_PER_MONTH, Clock
from nkroutes.model.migrants import MigrantTable, State
from nkroutes.model.outputs import Counters, flow_names, stock_names
from nkroutes.model.params import KIND_CODES, Params, compile_params
from nkroutes.model.processes import brokers as broker_market
from nkroutes.model.processes.chain import sponsor_relatives
from nkroutes.model.processes.departures import depart
from nkroutes.model.processes.hiding import live_in_hiding, stay_hazards, stay_rates
from nkroutes.model.processes.onward import open_ways_out
from nkroutes.model.processes.punishment import (
    camp_death_hazard,
    remaining_now,
    repredict_terms,
    serve_sentences,
)
from nkroutes.model.processes.transit import process_cases
from nkroutes.model.processes.travel import advance
from nkroutes.model.random import Streams
from nkroutes.model.result import TWO_YEARS_MONTHS, RunResult
from nkroutes.model.schedule import StaySchedule
from nkroutes.model.stay_counts import StayCounts
from nkroutes.model.thresholds import ThresholdQueue, qualifies
from nkroutes.scenario.paths import get_path, set_path
from nkroutes.scenario.time_axis import time_axis
from nkroutes.scenario.values import month_after

#: Stays placed again at a time when an event changes their hazards
#: (:meth:`RouteModel._repredict_stays`).
REPREDICT_BLOCK = 1 << 16

#: Every this many steps, a pass over everyone on their way lets go of the finished and checks
#: the stays counted as they start and end (:meth:`RouteModel._record`).
FULL_PASS_STEPS = 12

#: The non-final states, whose counts are recorded as stocks each step.
_STOCK_STATES = (
    State.HIDING,
    State.SETTLED,
    State.MOVING,
    State.PROCESSING,
    State.DETAINED,
    State.HOME,
)


class RouteModel(mesa.Model):
    """Agent-based model of North Korean migration routes.

    Args:
        scenario: A validated :class:`nkroutes.scenario.Scenario` (or its resolved values as
            a plain dict with defaults filled).
        seed: The run's seed; with the scenario it fixes every random draw.
        trace: Keep a log of every route each migrant starts (for ``migrants.csv`` paths).

    Attributes:
        clock: The run's calendar.
        params: The scenario compiled to arrays (rebuilt when an event applies).
        table: The migrants, column-wise.
        streams: The named random streams.
        network: The route network (``mesa.discrete_space.Network``), one :class:`Place`
            agent per node.
        step_index: Index of the step being run (0 for the first month).
    """

    def __init__(self, scenario: Any, seed: int = 0, trace: bool = False) -> None:
        super().__init__(rng=seed)
        data = scenario.to_dict() if hasattr(scenario, "to_dict") else copy.deepcopy(scenario)
        self.scenario_name: str = data["meta"]["name"]
        self.seed = seed
        self.values = data
        self.clock = Clock.from_time_table(*time_axis(data))
        self.months_per_step = self.clock.mean_step_days / DAYS_PER_MONTH
        # Steps of a stay in China that make "two years or more" (24 with monthly steps).
        self.two_year_steps = int(np.ceil(TWO_YEARS_MONTHS / self.months_per_step - 1e-9))
        # The params' record classes, built once and reused at every dated event.
        self.record_types: dict[str, type] = {}
        self.params: Params = compile_params(data, self.clock, types=self.record_types)
        # Values that events with an end replaced, by event id, to put back when they end.
        self.replaced: dict[str, dict[str, Any]] = {}
        self.events = self._schedule_events(data.get("events", []))
        self.streams = Streams(seed)
        self.table = MigrantTable.empty(4096)
        self.stay_schedule = StaySchedule(self.clock.n_steps)
        self.stay_counts = StayCounts(self.clock.n_steps)
        # Terms in North Korea by the step they end, and how many are detained (7.5).
        self.detention_schedule = StaySchedule(self.clock.n_steps)
        self.detained = 0
        # Word of mouth's per-step hazard summed over the steps run so far, and those whose
        # threshold it may reach soon (onward.py, thresholds.py).
        self.word_of_mouth_queue = ThresholdQueue(
            "word_of_mouth_at",
            qualifies(hiding_unsponsored=True, hiding_sponsored=False, settled=True),
        )
        # The same for families' and NGOs' help of those hiding whose family does not pay
        # (chain.py, onward.py).
        unsponsored = qualifies(hiding_unsponsored=True, hiding_sponsored=False, settled=False)
        self.family_help_queue = ThresholdQueue("family_help_at", unsponsored)
        self.ngo_help_queue = ThresholdQueue("ngo_help_at", unsponsored)
        # The hazards a stay in China can have, kept while the params stay the same
        # (processes/hiding.py, stay_hazards).
        self.stay_hazard_table: tuple[Params, np.ndarray, np.ndarray] | None = None
        # Travel options by place, kept while the params and broker fees stay the same.
        self.journey_options: dict[Any, Any] = {}
        self.step_index = 0
        self.trace = trace
        self.route_log: list[tuple[np.ndarray, np.ndarray, int]] = []

        p = self.params
        graph = nx.DiGraph()
        graph.add_nodes_from(range(p.n_places))
        graph.add_edges_from(
            (int(a), int(b), {"route": rid})
            for a, b, rid in zip(p.route_from, p.route_to, p.route_ids, strict=True)
        )
        self.network = Network(graph, random=self.random)
        self.places: list[Place] = []
        for i, spec in enumerate(data["places"]):
            place = Place(self, i, spec)
            place.cell = self.network[i]
            self.places.append(place)
        self.hiding_place_for = self._nearest_hiding(data["places"])
        self.hub_slot = np.full(p.n_places, -1, dtype=np.int16)
        self.hub_slot[p.hub_places] = np.arange(len(p.hub_places))

        self.initial_china_arrest_rate = p.china.arrest_rate_per_year
        self.fee_multiplier = 1.0
        self.mean_broker_fee_factor = broker_market.mean_price_factor(p.brokers.price_spread)
        self.next_broker_serial = 0
        # The active brokers, one entry each, in serial order (processes/brokers.py).
        self.broker_serial = np.zeros(0, dtype=np.int64)
        self.broker_hub = np.zeros(0, dtype=np.int64)  # hub place
        self.broker_factor = np.zeros(0)  # price factor
        self.broker_keys = np.zeros(0, dtype=np.uint64)  # random identities
        # Recruits waiting to join at the next refresh: (serials, hub places, price factors).
        self.recruits: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        self.broker_balance = np.zeros(0)  # clients each broker on the roster can still take
        self.broker_used = np.zeros(0, dtype=np.int64)  # clients taken this step
        # The brokers serving each route this step, made at the first hiring of a step, and
        # the routes grouped by their hubs, made once per params (processes/hiring.py).
        self.broker_serving: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None
        self.broker_route_rows: tuple[Any, ...] | None = None
        # Ids that entered China this step and the last (processes/china_stay.py).
        self.china_entries: list[np.ndarray] = []
        self.china_entries_last: list[np.ndarray] = []
        # Brokers' clients and fees earned, by serial.
        self.broker_books = {"clients": np.zeros(0, np.int64), "revenue_usd": np.zeros(0)}
        for hub, count in zip(p.hub_places.tolist(), p.hub_initial_brokers.tolist(), strict=True):
            broker_market.recruit(self, hub, count)
        self.assisted_arrivals_by_hub = np.zeros(len(p.hub_places), dtype=np.int64)
        self.family_fund_usd = 0.0
        self.settlement_paid_usd = 0.0  # paid after arrival this step (processes/settlement.py)
        self.sponsored_departures_due = 0.0
        # Relatives the families of defectors could still pay to bring out (7.4); used only
        # with ``chain_defection.remaining_relatives_per_family`` > 0.
        self.relatives_remaining = 0.0

        self.route_starts = np.zeros(p.n_routes, dtype=np.int64)
        self.arrivals_at_place = np.zeros(p.n_places, dtype=np.int64)
        self.captures_at_place = np.zeros(p.n_places, dtype=np.int64)
        self.deaths_at_place = np.zeros(p.n_places, dtype=np.int64)
        n = self.clock.n_steps
        self.flows = {name: np.zeros(n) for name in flow_names()}
        self.stocks = {name: np.zeros(n) for name in stock_names()}
        self.arrivals_by_step = np.zeros((n, p.n_places), dtype=np.int64)
        self.counters = Counters(tuple(self.flows))
        self.running = True

    # -- set-up helpers -------------------------------------------------------------------

    def _schedule_events(self, events: list[dict[str, Any]]) -> dict[int, list[dict[str, Any]]]:
        """Events by the step they apply at; an event with an ``end`` also has its ending.

        The ending is scheduled at the first step of the month after ``end`` as an entry
        ``{"ends": event}``, which puts back the values the event replaced.
        """
        schedule: dict[int, list[dict[str, Any]]] = defaultdict(list)
        for event in sorted(events, key=lambda e: e["date"]):
            schedule[self.clock.step_of(event["date"])].append(event)
            if event.get("end"):
                schedule[self.clock.step_of(month_after(event["end"]))].append({"ends": event})
        return schedule

    def _nearest_hiding(self, places: list[dict[str, Any]]) -> np.ndarray:
        hiding = [i for i, q in enumerate(places) if q["kind"] == "hiding"]
        lat = np.array([q["lat"] for q in places])
        lon = np.array([q["lon"] for q in places])
        out = np.zeros(len(places), dtype=np.int64)
        for i in range(len(places)):
            if not hiding:
                out[i] = i
                continue
            dist = (lat[hiding] - lat[i]) ** 2 + (lon[hiding] - lon[i]) ** 2
            out[i] = hiding[int(np.argmin(dist))]
        return out

    # -- the step ---------------------------------------------------------------------------

    def _apply_events(self) -> None:
        """ODD 7.2 Dated events: set the values of the events dated this step, recompile.

        An event that ends (``end``) puts back, at the first step after its last month, the
        values it replaced.
        """
        events = self.events.get(self.step_index)
        if not events:
            return
        rates_old = stay_rates(self)
        camp_hazard_old = camp_death_hazard(self)
        for event in events:
            if "ends" in event:
                for path, value in self.replaced.pop(event["ends"]["id"], {}).items():
                    set_path(self.values, path, value)
                continue
            if event.get("end"):
                self.replaced[event["id"]] = {
                    path: copy.deepcopy(get_path(self.values, path)) for path in event["set"]
                }
            for path, value in event.get("set", {}).items():
                set_path(self.values, path, value)
        old_params = self.params
        self.params = compile_params(self.values, self.clock, types=self.record_types)
        if stay_rates(self) != rates_old:
            self._repredict_stays(old_params, rates_old)
        if camp_death_hazard(self) != camp_hazard_old:
            repredict_terms(self, camp_hazard_old)

    def _repredict_stays(self, old_params: Params, rates_old: tuple[Any, ...]) -> None:
        """Place the stays in China again after an event changed their hazards or savings.

        In blocks of :data:`REPREDICT_BLOCK` stays, ascending: each stay's new event depends
        only on its own row, so blocks give the same bits as one call, and the temporary
        arrays (some 300 bytes a stay) stay small (at 64 agents a person, 10 million stays
        made a peak of 1.6 GB above the table in one call).
        """
        in_china = stays.staying(self)
        new_params = self.params
        saved_old = rates_old[-1]
        savings_changed = stays.savings_per_step(self) != saved_old
        for start in range(0, len(in_china), REPREDICT_BLOCK):
            block = in_china[start : start + REPREDICT_BLOCK]
            self.params = old_params
            h_old = stay_hazards(self, block)
            self.params = new_params
            h_new = stay_hazards(self, block)
            changed = (h_new != h_old).any(axis=0) | savings_changed
            stays.repredict(self, block[changed], h_old[:, changed], saved_old)

    def step(self) -> None:
        """Advance the model by one step (all processes, in order)."""
        if self.step_index >= self.clock.n_steps:
            self.running = False
            return
        self.counters.clear()
        self._apply_events()  # ODD 7.2 Dated events
        broker_market.update_brokers(self)  # ODD 7.3 Brokers
        sponsor_relatives(self)  # ODD 7.4 Chain defection
        serve_sentences(self)  # ODD 7.5 Punishment and release
        depart(self)  # ODD 7.6 Departures
        live_in_hiding(self)  # ODD 7.7 Life in hiding
        open_ways_out(self)  # end of 7.7: brides sold at entry, word of mouth, NGO help
        process_cases(self)  # ODD 7.8 Transit countries and missions
        advance(self)  # ODD 7.9 Travel and arrival
        self._record()
        # Who entered China this step, for the next step's brides sold at entry (7.7).
        self.china_entries_last, self.china_entries = self.china_entries, []
        self.step_index += 1
        if self.step_index >= self.clock.n_steps:
            self.running = False

    def _record(self) -> None:
        i = self.step_index
        for name, flow in self.flows.items():
            flow[i] = self.counters[name]
        t = self.table
        # Of those in China, the ones whose current stay has lasted two years or more by
        # the end of this step (entered at step `china_since`, so `i + 1 - china_since`
        # steps spent). Compared with the article's "83 percent of defectors in China
        # resided there for at least two years".
        entered_by = i + 1 - self.two_year_steps
        # The stocks of those busy from the busy alone, of those in China from the counts
        # kept as stays start and end (model/stay_counts.py): no pass over everyone.
        by_state, in_china_travelling, long_stays = t.refresh_busy(self.params.in_china, entered_by)
        counts = {s: int(by_state[s]) for s in _STOCK_STATES}
        held = self.stay_counts
        counts[State.HIDING], counts[State.SETTLED] = held.hiding, held.settled
        counts[State.DETAINED] = self.detained
        long_stays += held.long_stays(entered_by)
        if i % FULL_PASS_STEPS == FULL_PASS_STEPS - 1:
            # Let go of those who arrived, died or gave up, so that the passes that read
            # everyone on their way (the threshold queues', dated events') cost those on
            # their way, not all ever created; and check the counts kept against a count.
            by_state, _, long_all = t.drop_final(self.params.in_china, entered_by)
            kept = (held.hiding, held.settled, long_stays, self.detained)
            passed = tuple(int(by_state[s]) for s in (State.HIDING, State.SETTLED))
            passed += (long_all, int(by_state[State.DETAINED]))
            if kept != passed:
                raise RuntimeError(
                    f"internal error at step {i}: the stays counted as they start and end "
                    f"(hiding, settled, two years or more) and the detained {kept} differ "
                    f"from a count of everyone {passed}; please report it with the "
                    "scenario and seed"
                )
        stocks = {
            "hiding": counts[State.HIDING],
            "settled": counts[State.SETTLED],
            "travelling": counts[State.MOVING],
            "waiting_for_exit": counts[State.PROCESSING],
            "detained": counts[State.DETAINED],
            "home_to_retry": counts[State.HOME],
            "in_china": counts[State.HIDING] + counts[State.SETTLED] + in_china_travelling,
            "in_china_two_years": long_stays,
            "brokers": len(self.broker_serial),
            "family_fund_usd": self.family_fund_usd,
            "relatives_remaining": self.relatives_remaining,
        }
        for name, stock in self.stocks.items():
            stock[i] = stocks[name]
        self.arrivals_by_step[i] = self.arrivals_at_place

    def run(self) -> RunResult:
        """Run every step of the scenario and return the results."""
        while self.running:
            self.step()
        return self.result()

    def result(self) -> RunResult:
        """The results so far (normally called after the last step)."""
        p = self.params
        arrivals = np.diff(self.arrivals_by_step, axis=0, prepend=0)
        destinations = np.flatnonzero(p.kind == KIND_CODES["destination"])
        for place in self.places:
            place.arrivals = int(self.arrivals_at_place[place.index])
            place.captured = int(self.captures_at_place[place.index])
            place.deaths = int(self.deaths_at_place[place.index])
        return RunResult(
            scenario_name=self.scenario_name,
            seed=self.seed,
            clock=self.clock,
            flows={k: v.copy() for k, v in self.flows.items()},
            stocks={k: v.copy() for k, v in self.stocks.items()},
            destination_ids=tuple(p.place_ids[i] for i in destinations),
            arrivals_by_destination=arrivals[:, destinations],
            place_ids=p.place_ids,
            place_arrivals=self.arrivals_at_place.copy(),
            place_captures=self.captures_at_place.copy(),
            place_deaths=self.deaths_at_place.copy(),
            route_ids=p.route_ids,
            route_from=tuple(p.place_ids[i] for i in p.route_from),
            route_to=tuple(p.place_ids[i] for i in p.route_to),
            route_flows=self.route_starts.copy(),
            migrants=self._migrant_columns(),
            n_steps_run=self.step_index,
            route_log=list(self.route_log),
        )

    def _migrant_columns(self) -> dict[str, np.ndarray]:
        """The migrant table's columns, trimmed to the migrants created.

        Once the last step has run the table can no longer change, so the result shares its
        arrays instead of copying them (a copy adds a whole row per migrant to the run's peak
        memory); before that it gets a copy.
        """
        n = self.table.n
        finished = self.step_index >= self.clock.n_steps
        cols = {k: v[:n] if finished else v[:n].copy() for k, v in self.table.cols.items()}
        # Savings of stays in China are credited at their events (model/stays.py): add
        # what has accrued since.
        cols["savings_usd"] = stays.savings_now(self, cols["savings_usd"], cols["state"])
        # Terms in North Korea are met by event time (processes/punishment.py): take off
        # what was served since they were placed.
        cols["remaining"] = remaining_now(self, cols["remaining"], cols["state"])
        return cols

    @property
    def brokers(self) -> list[Broker]:
        """The active brokers, in serial order (copies: changing one changes nothing)."""
        books = self.broker_books
        return [
            Broker(
                serial,
                hub,
                factor,
                int(books["clients"][serial]),
                float(books["revenue_usd"][serial]),
            )
            for serial, hub, factor in zip(
                self.broker_serial.tolist(),
                self.broker_hub.tolist(),
                self.broker_factor.tolist(),
                strict=True,
            )
        ]


def simulate(scenario: Any, seed: int = 0, trace: bool = False) -> RunResult:
    """Run one replicate of a scenario.

    Args:
        scenario: A validated :class:`nkroutes.scenario.Scenario` (or resolved dict).
        seed: The replicate's seed.
        trace: Whether to keep per-migrant route logs.

    Returns:
        The run's :class:`RunResult`.
    """
    return RouteModel(scenario, seed=seed, trace=trace).run()
