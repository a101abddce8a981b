"""What one run of the route model produces: step and yearly series, migrants, route flows."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from nkroutes.model.clock import Clock
from nkroutes.model.migrants import State
from nkroutes.model.outputs import money_names, summary_outputs
from nkroutes.model.outputs_arrivals import arrival_columns, via_places

#: Months in China at or above which a migrant "stayed two years or more" (MPI 2008:
#: "83 percent of defectors in China resided there for at least two years").
TWO_YEARS_MONTHS = 24.0


@dataclass
class RunResult:
    """The outputs of one run.

    Attributes:
        scenario_name: The scenario's ``meta.name``.
        seed: The replicate's seed.
        clock: The run's calendar.
        flows: Per-step flows by name (see ``nkroutes.model.outputs``).
        stocks: Per-step end-of-step stocks by name (see ``nkroutes.model.outputs``).
        destination_ids: Ids of the destination places, in scenario order.
        arrivals_by_destination: Arrivals per step and destination, shape (steps, dests).
        place_ids: Ids of all places.
        place_arrivals: Migrants resettled at each place over the run.
        place_captures: Migrants caught at each place: arrested while hiding there, or caught
            on a route arriving there (Chinese police) or leaving it (North Korean guards).
        place_deaths: Migrants who died on routes ending at each place.
        route_ids: Ids of the routes.
        route_from: Start place id of each route.
        route_to: End place id of each route.
        route_flows: Migrants who set off along each route over the run.
        migrants: The migrant table's columns at the end of the run.
        n_steps_run: Steps actually run.
        route_log: With ``trace``: (migrant ids, route indices, step) for each route start.
    """

    scenario_name: str
    seed: int
    clock: Clock
    flows: dict[str, np.ndarray]
    stocks: dict[str, np.ndarray]
    destination_ids: tuple[str, ...]
    arrivals_by_destination: np.ndarray
    place_ids: tuple[str, ...]
    place_arrivals: np.ndarray
    place_captures: np.ndarray
    place_deaths: np.ndarray
    route_ids: tuple[str, ...]
    route_from: tuple[str, ...]
    route_to: tuple[str, ...]
    route_flows: np.ndarray
    migrants: dict[str, np.ndarray]
    n_steps_run: int
    route_log: list[tuple[np.ndarray, np.ndarray, int]] = field(default_factory=list)

    @property
    def n_migrants(self) -> int:
        """Migrants created in the run."""
        return len(self.migrants["key"])

    def yearly(self) -> pd.DataFrame:
        """One row per calendar year: flows summed, stocks at year end, arrivals by place.

        Columns: ``year``, every flow in :attr:`flows`, every stock in :attr:`stocks` (in
        the order of ``nkroutes.model.outputs.OUTPUTS``), ``arrivals_<destination id>``
        for each destination, then the columns computed from the migrants by year of arrival
        (``nkroutes.model.outputs_arrivals``): arrivals by sex and by the place of their last
        leg, and the mean and quartiles of their months in China.
        """
        years = self.clock.years[: self.n_steps_run]
        year_list = sorted(set(years.tolist()))
        index = np.searchsorted(year_list, years)
        out: dict[str, Any] = {"year": year_list}
        n_years = len(year_list)
        for name, flow in self.flows.items():
            out[name] = np.bincount(index, flow[: self.n_steps_run], n_years)
        last = np.array([np.flatnonzero(years == y)[-1] for y in year_list])
        for name, stock in self.stocks.items():
            out[name] = stock[last]
        for j, dest in enumerate(self.destination_ids):
            col = self.arrivals_by_destination[: self.n_steps_run, j].astype(float)
            out[f"arrivals_{dest}"] = np.bincount(index, col, n_years)
        counted = list(out)
        out.update(self._arrival_columns(year_list))
        frame = pd.DataFrame(out)
        money = money_names()
        for col in counted + [c for c in frame.columns if c.startswith("arrivals_")]:
            if col != "year" and col not in money:
                frame[col] = frame[col].round().astype(np.int64)
        return frame

    def arrival_years(self) -> np.ndarray:
        """For each migrant, the calendar year of its arrival (0 if it has not arrived)."""
        m = self.migrants
        arrived = (m["state"] == State.ARRIVED) & (m["outcome_step"] >= 0)
        years = np.zeros(self.n_migrants, dtype=np.int64)
        years[arrived] = self.clock.years[m["outcome_step"][arrived]]
        return years

    def _arrival_columns(self, year_list: list[int]) -> dict[str, np.ndarray]:
        """``yearly.csv``'s columns from the migrant table (by sex, route, time in China)."""
        m = self.migrants
        years = self.arrival_years()
        arrived = np.flatnonzero(years > 0)
        row = np.searchsorted(year_list, years[arrived])
        ids = via_places(self.route_from, self.route_to, self.destination_ids)
        slot = {place: j for j, place in enumerate(ids)}
        route_slot = np.array([slot.get(a, -1) for a in self.route_from] + [-1], dtype=np.int64)
        return arrival_columns(
            row,
            len(year_list),
            m["female"][arrived].astype(bool),
            route_slot[m["route"][arrived]],
            ids,
            self.months_in_china()[arrived],
        )

    def months_in_china(self) -> np.ndarray:
        """Months each migrant spent in China (completed stays plus any current one)."""
        m = self.migrants
        steps = m["china_steps"].astype(float)
        current = m["china_since"] >= 0
        steps[current] += self.n_steps_run - m["china_since"][current]
        return self.clock.months(steps)

    def migrant_records(self) -> pd.DataFrame:
        """One row per migrant created: who, when, what became of it, what it cost.

        Columns are documented in ``docs/outputs.md``.
        """
        m = self.migrants
        starts = self.clock.starts

        def date_of(steps: np.ndarray) -> list[str]:
            return [starts[s].strftime("%Y-%m-%d") if s >= 0 else "" for s in steps.tolist()]

        place_ids = np.array((*self.place_ids, ""), dtype=object)
        route_ids = np.array((*self.route_ids, ""), dtype=object)
        state_names = np.array([s.name.lower() for s in State], dtype=object)
        arrived = m["state"] == State.ARRIVED
        records = {
            "migrant": np.arange(self.n_migrants),
            "origin": place_ids[m["origin"]],
            "sex": np.where(m["female"], "female", "male"),
            "motive": np.where(m["political"], "political", "economic"),
            "sponsored": m["sponsored"],
            "departure_date": date_of(m["departure_step"]),
            "attempts": m["attempts"],
            "outcome": state_names[m["state"]],
            "outcome_date": date_of(m["outcome_step"]),
            "place": place_ids[m["place"]],
            "destination": np.where(arrived, place_ids[m["place"]], ""),
            "last_route": route_ids[m["route"]],
            "months_in_china": np.round(self.months_in_china(), 2),
            "broker_helped": m["broker_helped"],
            "trafficked": m["trafficked"],
            "paid_brokers_usd": np.round(m["paid_brokers_usd"].astype(float), 2),
            "paid_other_usd": np.round(m["paid_other_usd"].astype(float), 2),
            "savings_usd": np.round(m["savings_usd"].astype(float), 2),
        }
        if self.route_log:
            paths: list[list[str]] = [[] for _ in range(self.n_migrants)]
            for ids, routes, _step in self.route_log:
                for i, r in zip(ids.tolist(), routes.tolist(), strict=True):
                    paths[i].append(self.route_ids[r])
            records["path"] = [" > ".join(p) for p in paths]
        return pd.DataFrame(records)

    def summary(self) -> dict[str, float]:
        """Totals and medians of the run, as in one row of ``summary.csv``.

        Keys: the outputs of ``summary.csv`` in ``nkroutes.model.outputs`` (its
        ``summary`` places), in that order: a flow's total over the run, arrivals by
        destination, and the statistics computed here.
        """
        n = self.n_steps_run
        out: dict[str, float] = {}
        stats = self._statistics(n)
        for o in summary_outputs():
            if o.per_destination:
                for j, dest in enumerate(self.destination_ids):
                    out[f"arrivals_{dest}"] = float(self.arrivals_by_destination[:n, j].sum())
            elif o.kind == "flow":
                out[o.name] = float(self.flows[o.name][:n].sum())
            else:
                out[o.name] = stats[o.name]
        return out

    def _statistics(self, n: int) -> dict[str, float]:
        """The summary outputs that are not totals of flows, after ``n`` steps."""
        out: dict[str, float] = {}
        arrivals = float(self.flows["arrivals"][:n].sum())
        assisted = float(self.flows["broker_assisted_arrivals"][:n].sum())
        out["in_china_end"] = float(self.stocks["in_china"][n - 1]) if n else 0.0
        long_stays = float(self.stocks["in_china_two_years"][n - 1]) if n else 0.0
        out["share_in_china_two_years_end"] = (
            long_stays / out["in_china_end"] if out["in_china_end"] else float("nan")
        )
        out["broker_assisted_share"] = assisted / arrivals if arrivals else float("nan")
        arrived = self.migrants["state"] == State.ARRIVED
        months = self.months_in_china()[arrived]
        # Only arrivals who passed through China (not the DMZ) count for time in China.
        via_china = months > 0
        if via_china.any():
            out["median_months_in_china_at_arrival"] = float(np.median(months[via_china]))
            out["share_stayed_two_years"] = float(np.mean(months[via_china] >= TWO_YEARS_MONTHS))
        else:
            out["median_months_in_china_at_arrival"] = float("nan")
            out["share_stayed_two_years"] = float("nan")
        cost = (self.migrants["paid_brokers_usd"] + self.migrants["paid_other_usd"])[arrived]
        out["median_cost_per_arrival_usd"] = float(np.median(cost)) if len(cost) else float("nan")
        out["migrants_created"] = float(self.n_migrants)
        return out
