"""The one registry of the model's outputs: each named once, with its unit, label and wording.

Everything else is derived from :data:`OUTPUTS`: the flows a step counts (:data:`FLOW_NAMES`,
and the :class:`Counters` the processes add to), the stocks it records (:data:`STOCK_NAMES`),
the columns of ``yearly.csv`` and ``summary.csv`` (``nkroutes.model.result``), the outcomes a
comparison reports and its sentences (``nkroutes.analysis.outcomes``), the figures' panel
titles (``nkroutes.plots``) and the tables of ``docs/outputs.md``
(``python -m nkroutes.model.outputs_doc docs/outputs.md``).

To add an output: add an :class:`Output` here, and count it in the process that makes it
(``model.counters["name"] += n`` for a flow; a stock in ``RouteModel._record``; a
summary statistic in ``RunResult.summary``). Then regenerate the docs:
``python -m nkroutes.model.outputs_doc docs/outputs.md docs/ODD.md``.
"""

from __future__ import annotations

from nkroutes.model.outputs_arrivals import ARRIVAL_OUTPUTS
from nkroutes.model.outputs_mechanisms import MECHANISM_OUTPUTS
from nkroutes.model.outputs_spec import (
    DESTINATION,
    KINDS,
    UNITS,
    VIA,
    Output,
    UnknownOutputError,
)

__all__ = [
    "DESTINATION",
    "FLOW_NAMES",
    "KINDS",
    "OUTPUTS",
    "STOCK_NAMES",
    "UNITS",
    "VIA",
    "Counters",
    "Output",
    "UnknownOutputError",
    "check_registry",
    "flow_names",
    "money_names",
    "output",
    "registered",
    "stock_names",
    "summary_outputs",
]


def _flow(name: str, label: str, description: str, unit: str = "people", **kw: object) -> Output:
    return Output(name, "flow", unit, label, description, **kw)  # type: ignore[arg-type]


def _stock(name: str, label: str, description: str, unit: str = "people") -> Output:
    return Output(name, "stock", unit, label, description)


#: Every output, in the column order of ``yearly.csv`` (flows, then stocks, then arrivals per
#: destination, then the columns computed from the migrants by year of arrival,
#: :mod:`nkroutes.model.outputs_arrivals`); ``summary`` gives the order of ``summary.csv``.
OUTPUTS: tuple[Output, ...] = (
    # -- flows: counted over each step -------------------------------------------------------
    _flow(
        "departures",
        "Departures from North Korea",
        "new migrants leaving North Korea (first departures; includes `sponsored_departures`, "
        "excludes `retries`)",
        summary=1,
        summary_description="total of the yearly column of the same name over the run",
    ),
    _flow(
        "sponsored_departures",
        "Sponsored departures",
        "of `departures`, relatives whose brokers are paid by family in South Korea (chain "
        "defection)",
        summary=2,
    ),
    _flow(
        "retries",
        "Departures again",
        "migrants released in North Korea who leave again",
        summary=3,
    ),
    _flow(
        "entered_china",
        "Entries into China",
        "migrants entering China for a first or a later stay (reaching a place in China from "
        "outside it, including deportees handed over by transit countries and released)",
    ),
    _flow(
        "first_entries_china",
        "First entries into China",
        "of `entered_china`, a migrant's first stay in China",
    ),
    _flow(
        "caught_at_border",
        "Caught at the border",
        "migrants caught by North Korean guards on a route out of the North (Tumen, Yalu, "
        "DMZ); they are detained",
        summary=4,
    ),
    _flow(
        "arrests_china",
        "Arrested in China",
        "arrests by the Chinese authorities: in hiding, on routes in or out of China, and "
        "deportees from transit countries; each ends in `repatriated` or `released_in_china`",
        summary=5,
    ),
    _flow(
        "arrests_china_en_route",
        "Arrested in China on a route",
        "of `arrests_china`, migrants caught on a route (e.g. on the way to Mongolia, Kunming "
        "or a mission) rather than in hiding",
    ),
    _flow(
        "repatriated",
        "Repatriated to North Korea",
        "arrests in China that end in repatriation to North Korea (the 1986 protocol; then "
        "detained)",
        phrase="repatriations from China to North Korea over {period}",
        summary=6,
    ),
    _flow(
        "released_in_china",
        "Released in China",
        "arrests in China that end in release back into hiding (savings confiscated); 0 while "
        "China repatriates everyone",
    ),
    _flow(
        "arrests_transit",
        "Arrested in transit countries",
        "arrests in transit countries (Vietnam, Thailand, ...) of migrants waiting for their case",
    ),
    _flow(
        "deported_to_china",
        "Deported to China",
        "of `arrests_transit`, migrants deported to China (and counted again in `arrests_china`)",
    ),
    _flow(
        "died",
        "Deaths",
        "deaths: `died_on_route` + `died_in_detention`",
        phrase="deaths on the way and in detention over {period}",
        summary=7,
    ),
    _flow(
        "died_on_route",
        "Deaths on a route",
        "deaths on a route (river crossings, the DMZ, the Gobi, the trek south)",
    ),
    _flow(
        "died_in_detention",
        "Deaths in detention",
        "deaths in North Korean labour camps",
    ),
    _flow(
        "detentions",
        "Taken into detention",
        "migrants taken into North Korean detention (caught at the border or repatriated)",
    ),
    _flow(
        "sent_to_camp",
        "Sent to a labour camp",
        "of `detentions`, sentenced to a labour camp (two to seven years) rather than a "
        "detention centre",
    ),
    _flow(
        "released",
        "Released from detention",
        "migrants released from detention; some go home to try again (`home_to_retry`)",
    ),
    _flow(
        "trafficked",
        "Trafficked",
        "women in hiding trafficked and sold as brides (they settle in China; an event: a "
        "woman may be trafficked again after a later stay)",
        summary=10,
    ),
    _flow(
        "settlings",
        "Settling in China",
        "migrants who settle in China for good (family, dependants), `trafficked` included",
    ),
    _flow(
        "exit_attempts",
        "Attempts to leave China",
        "migrants in hiding who decide to leave China and look for a route (an attempt, not "
        "a success)",
    ),
    _flow(
        "sponsored_in_china",
        "Sponsored in China",
        "migrants hiding in China whose way out family in South Korea starts paying for",
    ),
    _flow(
        "refused_applications",
        "Applications refused",
        "applications refused by the destination a migrant chose (it then goes to the "
        "fallback destination, South Korea, or waits)",
    ),
    _flow(
        "arrivals",
        "Arrivals, all destinations",
        "migrants resettled in a destination (all destinations)",
        phrase="arrivals at all destinations over {period}",
        summary=8,
    ),
    _flow(
        "broker_assisted_arrivals",
        "Arrivals helped by a broker",
        "of `arrivals`, those a broker helped on at least one leg",
        summary=9,
    ),
    _flow(
        "broker_fees_usd",
        "Money paid to brokers",
        "fees paid to brokers, by migrants or by their families",
        unit="US$",
        phrase="the money paid to brokers over {period}",
        plural=False,
        summary=11,
        summary_description="money paid to brokers over the run",
    ),
    _flow(
        "bribes_and_fares_usd",
        "Bribes and fares paid",
        "bribes and fares paid by migrants travelling without a broker",
        unit="US$",
        plural=False,
    ),
    _flow(
        "family_spending_usd",
        "Family spending on brokers",
        "money families in South Korea spent on brokers for relatives",
        unit="US$",
        plural=False,
    ),
    _flow(
        "brokers_recruited",
        "Brokers recruited",
        "new brokers joining the hubs (word of mouth after successful arrivals)",
        unit="brokers",
    ),
    _flow("brokers_arrested", "Brokers arrested", "brokers arrested", unit="brokers"),
    _flow(
        "stuck",
        "Steps spent stuck",
        "steps migrants spent waiting at a place with no open route onward (months, with "
        "monthly steps)",
        unit="migrant-steps",
    ),
    # -- stocks: the level at the end of each step -------------------------------------------
    _stock("hiding", "Hiding in China", "hiding in China"),
    _stock(
        "settled",
        "Settled in China",
        "settled in China (family, dependants, or sold as a bride)",
    ),
    _stock(
        "travelling",
        "Travelling",
        "on a route (in or out of China), or waiting at a corridor place with no open route",
    ),
    _stock(
        "waiting_for_exit",
        "Waiting for exit",
        "in a foreign mission or a transit country with UNHCR access, waiting for their case",
    ),
    _stock(
        "detained",
        "Detained in North Korea",
        "held in North Korea, in a detention centre or a labour camp",
    ),
    _stock("home_to_retry", "Home, to try again", "released in North Korea and going to try again"),
    _stock(
        "in_china",
        "North Koreans in China at year end",
        "in China: hiding, settled, or travelling or waiting at places in China (the Beijing "
        "missions included)",
    ),
    _stock(
        "in_china_two_years",
        "In China two years or more",
        "of `in_china`, those whose current stay in China has lasted 24 months or more; "
        "`in_china_two_years / in_china` is compared with the article's \"83 percent of "
        'defectors in China resided there for at least two years"',
    ),
    _stock("brokers", "Active brokers", "active brokers", unit="brokers"),
    _stock(
        "family_fund_usd",
        "Family fund",
        "savings families in South Korea hold for relatives' brokers",
        unit="US$",
    ),
    _stock(
        "relatives_remaining",
        "Relatives left to bring out",
        "relatives whom the families of defectors could still pay brokers for "
        "(`chain_defection.remaining_relatives_per_family` per defector who was not "
        "brought out by family, less those sponsored since); 0 throughout when that key is 0 "
        "(no limit)",
    ),
    # -- per destination (yearly.csv's last columns) ---------------------------------------
    _flow(
        f"arrivals_{DESTINATION}",
        f"Arrivals in {DESTINATION}",
        "arrivals in each destination, one column per destination id of the scenario "
        "(`arrivals_south_korea`, `arrivals_united_states`, `arrivals_europe`, "
        "`arrivals_japan` in the baseline)",
        phrase=f"arrivals in {DESTINATION} over {{period}}",
        summary=12,
        summary_description="arrivals in each destination over the run",
    ),
    # -- summary.csv only: the state at the end and distributions over migrants -------------
    Output(
        "in_china_end",
        "end",
        "people",
        "In China at the end",
        "North Koreans in China at the end of the run (the `in_china` stock of the last step)",
        phrase="North Koreans in China at the end of {end}",
        summary=13,
    ),
    Output(
        "share_in_china_two_years_end",
        "share",
        "fraction (0-1)",
        "Share of those in China there two years+ (end)",
        "of those in China at the end of the run, the share there two years or more "
        "(`in_china_two_years / in_china` of the last step); NaN if none are",
        phrase="the share of those in China at the end of {end} who had been there two years",
        plural=False,
        summary=14,
    ),
    Output(
        "broker_assisted_share",
        "share",
        "fraction (0-1)",
        "Share of arrivals helped by a broker",
        "`broker_assisted_arrivals / arrivals` (the article: about 80% of 2004's arrivals in "
        "South Korea); NaN without arrivals",
        phrase="the share of arrivals helped by a broker",
        plural=False,
        summary=15,
    ),
    Output(
        "median_months_in_china_at_arrival",
        "duration",
        "months",
        "Months in China at arrival (median)",
        "median, over arrivals who passed through China, of the months they spent there (all "
        "stays); NaN if none did",
        phrase="the median time arrivals spent in China",
        plural=False,
        summary=16,
    ),
    Output(
        "share_stayed_two_years",
        "share",
        "fraction (0-1)",
        "Share of arrivals who stayed in China two years+",
        "share of those arrivals who spent 24 months or more in China (the article's 83% is "
        "of people in China, not of arrivals: compare it with `share_in_china_two_years_end` "
        "or the yearly `in_china_two_years / in_china`)",
        phrase="the share of arrivals who stayed in China two years or more",
        plural=False,
        summary=17,
    ),
    Output(
        "median_cost_per_arrival_usd",
        "money",
        "US$",
        "Cost per arrival (median)",
        "median, over arrivals, of what their journey cost: broker fees (paid by them or their "
        "family) plus bribes and fares",
        phrase="the median cost of an arrival's journey",
        plural=False,
        summary=18,
    ),
    Output(
        "migrants_created",
        "count",
        "people",
        "Migrants created",
        "migrants the replicate created (first departures)",
        summary=19,
    ),
    *MECHANISM_OUTPUTS,
    *ARRIVAL_OUTPUTS,
)


def check_registry(outputs: tuple[Output, ...]) -> None:
    """Refuse a registry with a name twice or two outputs at one ``summary`` place.

    Raises:
        ValueError: Naming the duplicates.
    """
    names = [o.name for o in outputs]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise ValueError(f"outputs registered twice: {', '.join(twice)}")
    places = [o.summary for o in outputs if o.summary is not None]
    if len(set(places)) < len(places):
        raise ValueError("two outputs share a place in summary.csv")


check_registry(OUTPUTS)


def registered(outputs: tuple[Output, ...] | None = None) -> tuple[Output, ...]:
    """``outputs``, or the registry as it is now (:data:`OUTPUTS`)."""
    return OUTPUTS if outputs is None else outputs


def flow_names(outputs: tuple[Output, ...] | None = None) -> tuple[str, ...]:
    """Flows counted per step (people or US$ during the step), summed per year in ``yearly.csv``."""
    return tuple(
        o.name
        for o in registered(outputs)
        if o.kind == "flow" and not o.per_destination and not o.from_migrants
    )


def stock_names(outputs: tuple[Output, ...] | None = None) -> tuple[str, ...]:
    """Stocks at the end of each step; ``yearly.csv`` reports the value at year end."""
    return tuple(o.name for o in registered(outputs) if o.kind == "stock")


def money_names(outputs: tuple[Output, ...] | None = None) -> frozenset[str]:
    """Outputs in US$ (kept with decimals in ``yearly.csv``)."""
    return frozenset(o.name for o in registered(outputs) if o.is_money)


def summary_outputs(outputs: tuple[Output, ...] | None = None) -> tuple[Output, ...]:
    """The outputs of ``summary.csv``, in its column order."""
    placed = [o for o in registered(outputs) if o.summary is not None]
    return tuple(sorted(placed, key=lambda o: o.summary or 0))


def output(name: str, outputs: tuple[Output, ...] | None = None) -> Output:
    """The registered output of this name (``arrivals_<destination>`` for any destination's).

    Raises:
        UnknownOutputError: If no output has that name.
    """
    for o in registered(outputs):
        if o.name == name:
            return o
    raise UnknownOutputError(
        f"'{name}' is not a registered output; add it to nkroutes.model.outputs.OUTPUTS"
    )


#: The flows of the registry as shipped (:func:`flow_names`).
FLOW_NAMES: tuple[str, ...] = flow_names()
#: The stocks of the registry as shipped (:func:`stock_names`).
STOCK_NAMES: tuple[str, ...] = stock_names()


class Counters(dict[str, float]):
    """The flows counted during one step: a dict of every flow's count, refusing other names.

    Processes add to it (``model.counters["repatriated"] += len(ids)``); a name that is
    not a registered flow raises :class:`UnknownOutputError` rather than being counted
    where no table will ever show it.

    Args:
        names: The flows that may be counted (default: every registered flow).
    """

    def __init__(self, names: tuple[str, ...] | None = None) -> None:
        names = flow_names() if names is None else names
        super().__init__(dict.fromkeys(names, 0.0))
        self._names = frozenset(names)

    def __missing__(self, name: str) -> float:
        raise UnknownOutputError(
            f"'{name}' is not a registered flow; add it to nkroutes.model.outputs.OUTPUTS"
        )

    def __setitem__(self, name: str, value: float) -> None:
        names = self.__dict__.get("_names")  # not yet set while a copy is unpickled
        if names is not None and name not in names:
            self.__missing__(name)
        super().__setitem__(name, value)

    def clear(self) -> None:
        """Set every count back to zero (at the start of a step)."""
        for name in self._names:
            super().__setitem__(name, 0.0)
