"""The keys of a scenario file: type, unit, default and meaning of each.

This tree is the single definition of the scenario language. The loader checks files
against it and the documentation generator writes ``docs/scenarios.md`` from it, so a key
is documented exactly when it is accepted.

Rates are per year and turned into a per-step probability ``p = 1 - exp(-rate * dt)``;
probabilities are per event (one crossing, one arrest); money is in US dollars of the day.
"""

from __future__ import annotations

from nkroutes.scenario.spec import REQUIRED, Key, Table, TableArray

PLACE_KINDS = ("origin", "border", "broker_hub", "hiding", "mission", "transit", "destination")
STEP_LENGTHS = ("month", "week", "day")

META = Table(
    {
        "name": Key("str", "Short name of the scenario, used for the results folder."),
        "description": Key("str", "What the scenario asks, in a sentence or two.", default=""),
        "sources": Key("list[str]", "References the scenario's values come from.", default=[]),
    },
    doc="What the scenario is and where its numbers come from.",
)

TIME = Table(
    {
        "start": Key("date", "First simulated month (YYYY-MM).", default="1990-01"),
        "end": Key(
            "date",
            "Last simulated month (YYYY-MM), included: the run ends at the end of this month.",
            default="2008-12",
        ),
        "step": Key(
            "str",
            "Length of one model step. Rates and durations are converted, so results do not "
            "depend on it beyond noise.",
            default="month",
            choices=STEP_LENGTHS,
        ),
    },
    doc="The simulated period and the step length.",
    optional=True,
)

POPULATION = Table(
    {
        "share_female": Key(
            "number",
            "Share of migrants who are women.",
            default=0.7,
            min=0,
            max=1,
            source="assumption: the article names women's particular risks (trafficking, "
            "forced marriage) but gives no share; later surveys find a female majority.",
        ),
        "share_political_motive": Key(
            "number",
            "Share of migrants who leave for political rather than economic reasons.",
            default=0.1,
            min=0,
            max=1,
            source="assumption: 'Many North Koreans say their primary motive for migrating is "
            "to seek better economic opportunities' (China's Reaction).",
        ),
        "savings_usd_median": Key(
            "number",
            "Median savings a migrant carries when leaving home.",
            unit="US$",
            default=30.0,
            min=0,
            source="assumption: enough for a border bribe (US$13-50), not for a broker.",
        ),
        "savings_usd_log_sd": Key(
            "number",
            "Spread of savings at departure (standard deviation of log savings).",
            default=1.0,
            min=0,
            source="assumption",
        ),
    },
    doc="Who leaves: the attributes given to each migrant when it is created.",
    optional=True,
)

DEPARTURES = Table(
    {
        "base_rate_per_year": Key(
            "number",
            "Departures per year from all origins together when no push factor is active.",
            unit="migrants per year",
            min=0,
            source="calibrated",
        ),
    },
    doc="How many people leave North Korea on their own (sponsored departures are in "
    "[chain_defection]).",
)

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
        ),
        "regions": Key(
            "list[str]",
            "Origin regions affected (the origins' `region`); empty means all.",
            default=[],
        ),
        "source": Key("str", "Where the dates come from.", default=""),
    },
)

# --- places -----------------------------------------------------------------------------

PLACE_COMMON = Table(
    {
        "id": Key("str", "Identifier used by routes, events and outputs (snake_case)."),
        "name": Key("str", "Readable name.", default=""),
        "kind": Key("str", "What the place is.", choices=PLACE_KINDS),
        "country": Key(
            "str",
            "Country the place is in (snake_case); `china` counts towards the stock in China.",
        ),
        "lat": Key("number", "Approximate latitude, for maps.", unit="degrees", min=-90, max=90),
        "lon": Key("number", "Approximate longitude, for maps.", unit="degrees", min=-180, max=180),
        "source": Key("str", "Where the place's values come from.", default=""),
    }
)

PLACE_VARIANTS = {
    "origin": Table(
        {
            "departure_weight": Key(
                "number",
                "Relative share of departures that leave from this province.",
                min=0,
                source="article ranking: North Hamgyong largest; Chagang, North Pyongan, "
                "Ryanggang fewer (North Koreans in China)",
            ),
            "region": Key(
                "str",
                "Region used by push factors (the PDS failed in the north-east in 1993, "
                "elsewhere in 1995).",
                default="elsewhere",
            ),
        }
    ),
    "border": Table({}),
    "broker_hub": Table(
        {
            "initial_brokers": Key(
                "int", "Brokers working from this hub at the start of the run.", min=0
            ),
            "serves": Key(
                "list[str]",
                "Routes (ids) this hub's brokers take clients along.",
                ref="routes",
            ),
        }
    ),
    "hiding": Table(
        {
            "arrest_rate_multiplier": Key(
                "number",
                "Multiplies China's arrest rate for migrants hiding here.",
                default=1.0,
                min=0,
            ),
        }
    ),
    "mission": Table(
        {
            "wait_months": Key(
                "number",
                "Mean time sheltering in the mission before being allowed to leave.",
                unit="months",
                default=6.0,
                min=0,
            ),
        }
    ),
    "transit": Table(
        {
            "unhcr_access": Key(
                "bool",
                "Whether North Koreans can reach UNHCR's refugee-status determination here.",
                default=False,
            ),
            "arrest_rate_per_year": Key(
                "number",
                "Hazard of arrest as an illegal immigrant while here.",
                unit="per year",
                default=0.0,
                min=0,
            ),
            "deport_probability": Key(
                "number",
                "Probability that an arrest here ends in deportation to China (and so "
                "repatriation); 0 where UNHCR protects those arrested (Thailand).",
                default=0.0,
                min=0,
                max=1,
            ),
            "processing_months": Key(
                "number",
                "Mean time from arrival to resettlement (UNHCR status, exit permit).",
                unit="months",
                default=3.0,
                min=0,
            ),
        }
    ),
    "destination": Table(
        {
            "preference_weight": Key(
                "number",
                "Relative share of resettled migrants who ask for this destination.",
                default=1.0,
                min=0,
            ),
            "acceptance_probability": Key(
                "number",
                "Probability that an application is accepted; a refused migrant goes to the "
                "fallback destination.",
                default=1.0,
                min=0,
                max=1,
            ),
            "fallback": Key(
                "bool",
                "Whether this destination takes everyone refused elsewhere (South Korea: the "
                "constitutional right).",
                default=False,
            ),
            "settlement_money_usd": Key(
                "number",
                "Money each arriving defector receives, part of which funds relatives' brokers.",
                unit="US$",
                default=0.0,
                min=0,
            ),
        }
    ),
}

PLACES = TableArray(
    item=PLACE_COMMON,
    doc="The places of the route network.",
    variant_key="kind",
    variants=PLACE_VARIANTS,
    min_items=2,
)

ROUTES = TableArray(
    item=Table(
        {
            "id": Key("str", "Identifier used by hubs, events and outputs."),
            "from": Key("str", "Place the route leaves from.", ref="places"),
            "to": Key("str", "Place the route leads to.", ref="places"),
            "duration_days": Key(
                "number", "Typical travel time along the route.", unit="days", default=1.0, min=0
            ),
            "cost_usd": Key(
                "number",
                "What a migrant travelling alone pays (bribes, transport).",
                unit="US$",
                default=0.0,
                min=0,
            ),
            "broker_fee_usd": Key(
                "number",
                "Fee of the cheapest broker on this route; each broker charges this times its "
                "own price factor. 0 means no broker serves it.",
                unit="US$",
                default=0.0,
                min=0,
            ),
            "death_probability": Key(
                "number",
                "Probability of dying on one attempt travelling alone.",
                default=0.0,
                min=0,
                max=1,
            ),
            "capture_probability": Key(
                "number",
                "Probability of being caught on one attempt travelling alone.",
                default=0.0,
                min=0,
                max=1,
            ),
            "captured_by": Key(
                "str",
                "Who catches migrants on this route: North Korean guards (detention at once) "
                "or Chinese police (repatriation).",
                default="china",
                choices=("north_korea", "china"),
            ),
            "alone_allowed": Key(
                "bool", "Whether migrants without a broker can take this route.", default=True
            ),
            "choice_weight": Key(
                "number",
                "Relative popularity among the routes leaving the same place, before cost and "
                "risk are weighed.",
                default=1.0,
                min=0,
            ),
            "open": Key("bool", "Whether the route can be used at all.", default=True),
            "source": Key("str", "Where the route's values come from.", default=""),
        }
    ),
    doc="Directed routes between places, with their cost and risks.",
    min_items=1,
)

BROKERS = Table(
    {
        "risk_multiplier": Key(
            "number",
            "Multiplies a route's death and capture probabilities for a migrant with a broker.",
            default=0.3,
            min=0,
            max=1,
            source="article: hiring a smuggler costs more 'because of the relatively lower risk "
            "associated with getting caught'; the factor is an assumption",
        ),
        "clients_per_broker_per_month": Key(
            "number",
            "Migrants one broker can take per month.",
            default=2.0,
            min=0,
            source="assumption",
        ),
        "price_spread": Key(
            "number",
            "Ratio of the dearest broker's price factor to the cheapest; factors are spread "
            "log-uniformly between 1 and this.",
            default=15.96,
            min=1,
            source="article: US$1,250-19,950 per person (North Koreans in China)",
        ),
        "recruits_per_assisted_arrival": Key(
            "number",
            "New brokers drawn into the trade by each broker-assisted arrival (word of mouth "
            "about their success).",
            default=0.02,
            min=0,
            source="article: 'word of mouth about the relative success in using brokers ... "
            "has contributed to the expansion of these lucrative underground networks'; "
            "strength calibrated",
        ),
        "quit_rate_per_year": Key(
            "number",
            "Hazard that a broker leaves the trade.",
            unit="per year",
            default=0.2,
            min=0,
            source="assumption",
        ),
        "arrest_rate_per_year": Key(
            "number",
            "Hazard that a broker is arrested and stops working.",
            unit="per year",
            default=0.05,
            min=0,
            source="assumption",
        ),
        "fee_enforcement_elasticity": Key(
            "number",
            "Fees scale with (China's arrest rate / its value at the start) to this power: "
            "brokers charge more when enforcement is harsher.",
            default=0.5,
            min=0,
            source="assumption: fees rise with enforcement",
        ),
    },
    doc="Smuggling networks: Mesa agents at the broker hubs.",
    optional=True,
)

CHAIN = Table(
    {
        "share_of_settlement_sent": Key(
            "number",
            "Share of a defector's settlement money spent on brokers for relatives.",
            default=0.25,
            min=0,
            max=1,
            source="article: 'Family members in South Korea and successful defectors pay "
            "brokers to smuggle out their remaining relatives' (Migration to the South); "
            "share: assumption",
        ),
        "remittance_usd_per_year": Key(
            "number",
            "Money each defector in South Korea sends to brokers for relatives each year, "
            "from earnings.",
            unit="US$ per year",
            default=300.0,
            min=0,
            source="assumption",
        ),
        "spend_rate_per_year": Key(
            "number",
            "Rate at which the families' savings for brokers are spent.",
            unit="per year",
            default=1.0,
            min=0,
            source="assumption",
        ),
        "share_for_relatives_in_china": Key(
            "number",
            "Share of that money that pays the exit of relatives already hiding in China "
            "(the rest brings new relatives out of the North); with "
            "`in_china_for_half_share` set, the share reached when very many hide there.",
            default=0.3,
            min=0,
            max=1,
            source="assumption",
        ),
        "in_china_for_half_share": Key(
            "number",
            "Number of North Koreans hiding or settled in China at which half of that "
            "share goes to relatives in China: a family pays for a relative in China only "
            "if it has one there, and that is likelier the more North Koreans hide there. "
            "The share is `share_for_relatives_in_china * (1 - 2 ** (-in_china / this))`; "
            "0 keeps it constant.",
            unit="people",
            default=0.0,
            min=0,
            source="assumption",
        ),
    },
    doc="Chain defection: defectors in South Korea pay brokers for their relatives.",
    optional=True,
)

CHINA = Table(
    {
        "arrest_rate_per_year": Key(
            "number",
            "Hazard of arrest for a migrant hiding in China (police motivated by the "
            "US$400-630 reward for turning one in).",
            unit="per year",
            min=0,
            source="calibrated; article (China's Reaction) for the reward",
        ),
        "repatriation_probability": Key(
            "number",
            "Probability that an arrested migrant is sent back to North Korea under the 1986 "
            "protocol; otherwise released back into hiding.",
            default=1.0,
            min=0,
            max=1,
            source="article: China 'regards them as unauthorized economic migrants who must be "
            "repatriated' (China's Reaction)",
        ),
        "settled_arrest_multiplier": Key(
            "number",
            "Multiplies the arrest rate for migrants who have settled (married, found shelter).",
            default=0.3,
            min=0,
            source="assumption",
        ),
        "savings_usd_per_month": Key(
            "number",
            "What a hiding migrant saves per month without legal work.",
            unit="US$ per month",
            default=10.0,
            min=0,
            source="assumption: 'Few succeed in finding employment' (North Koreans in China)",
        ),
        "exit_attempt_rate_per_year": Key(
            "number",
            "Hazard that a hiding migrant tries to leave China (if it can pay).",
            unit="per year",
            default=0.3,
            min=0,
            source="assumption; the article's 83% who stayed two years or more bounds it",
        ),
        "sponsored_exit_attempt_rate_per_year": Key(
            "number",
            "The same hazard for a migrant whose family abroad pays its broker.",
            unit="per year",
            default=2.0,
            min=0,
            source="assumption: a paid-for broker moves its client on within months",
        ),
        "settle_rate_per_year": Key(
            "number",
            "Hazard that a hiding migrant gives up moving on and stays (family, dependants).",
            unit="per year",
            default=0.05,
            min=0,
            source="article: 'Some stay in China ... because they have family or children'; "
            "rate: assumption",
        ),
        "trafficking_rate_per_year": Key(
            "number",
            "Hazard that a woman hiding in China is trafficked and sold as a bride (she then "
            "stays, settled).",
            unit="per year",
            default=0.05,
            min=0,
            source="article: 'others are trafficked by marriage brokers and sold as brides'; "
            "rate: assumption",
        ),
    },
    doc="Enforcement in China and life in hiding.",
)

NORTH_KOREA = Table(
    {
        "detention_months_min": Key(
            "number",
            "Shortest detention after repatriation.",
            unit="months",
            default=0.5,
            min=0,
            source="article: 'two-week terms in detention centers'",
        ),
        "detention_months_max": Key(
            "number",
            "Longest detention short of a labour camp.",
            unit="months",
            default=6.0,
            min=0,
            source="article: 'to months in labor concentration camps'; 6: assumption",
        ),
        "labour_camp_probability_economic": Key(
            "number",
            "Probability that a repatriated economic migrant is sent to a labour camp.",
            default=0.1,
            min=0,
            max=1,
            source="assumption",
        ),
        "labour_camp_probability_political": Key(
            "number",
            "Probability for a political migrant ('harsher punishments').",
            default=0.6,
            min=0,
            max=1,
            source="article: 'Those who admit to defecting on political grounds are given "
            "harsher punishments'; value: assumption",
        ),
        "labour_camp_years_min": Key(
            "number",
            "Shortest labour-camp term.",
            unit="years",
            default=2.0,
            min=0,
            source="article: 'Prisoners serve anywhere between two to seven years'",
        ),
        "labour_camp_years_max": Key(
            "number",
            "Longest labour-camp term.",
            unit="years",
            default=7.0,
            min=0,
            source="article: 'between two to seven years'",
        ),
        "camp_death_rate_per_year": Key(
            "number",
            "Hazard of death in a labour camp.",
            unit="per year",
            default=0.1,
            min=0,
            source="article: 'rates of torture and death are notoriously high'; value: assumption",
        ),
        "retry_probability": Key(
            "number",
            "Probability that a released migrant will try to leave again.",
            default=0.3,
            min=0,
            max=1,
            source="assumption",
        ),
        "retry_rate_per_year": Key(
            "number",
            "Hazard of leaving again for those who will.",
            unit="per year",
            default=1.0,
            min=0,
            source="assumption",
        ),
    },
    doc="Punishment after repatriation and new attempts.",
    optional=True,
)

ROUTE_CHOICE = Table(
    {
        "risk_aversion": Key(
            "number",
            "Exponent on a route's chance of getting through in its choice weight.",
            default=2.0,
            min=0,
            source="assumption",
        ),
        "cost_sensitivity_per_1000_usd": Key(
            "number",
            "Log choice weight lost per US$1,000 of cost.",
            default=0.2,
            min=0,
            source="assumption",
        ),
    },
    doc="How migrants weigh routes: weight x success^risk_aversion x exp(-cost sensitivity).",
    optional=True,
)

ENFORCEMENT = Table(
    {"china": CHINA, "north_korea": NORTH_KOREA},
    doc="Enforcement on both sides of the border.",
)

EVENT = Table(
    {
        "id": Key("str", "Identifier of the event."),
        "date": Key("date", "First month the new values apply (YYYY-MM)."),
        "name": Key("str", "Readable name.", default=""),
        "source": Key("str", "Where the date and values come from.", default=""),
        "set": Table(
            {},
            doc="Dotted key paths (quoted) and the values they take from the date on, e.g. "
            '`"enforcement.china.arrest_rate_per_year" = 0.4`.',
            dynamic=Key("any", "A value for the key path named."),
        ),
    }
)

CALIBRATION_PARAMETER = Table(
    {
        "id": Key("str", "Short name of the free parameter."),
        "path": Key("str", "Dotted key path of the parameter in the scenario."),
        "min": Key("number", "Lower bound."),
        "max": Key("number", "Upper bound."),
        "log": Key("bool", "Whether to search on a log scale.", default=False),
        "doc": Key("str", "What the parameter means.", default=""),
    }
)

CALIBRATION_TARGETS = Table(
    {
        "years_from": Key(
            "int",
            "First year of Table 1 (1990-2006) the yearly arrivals are fitted to.",
            default=1994,
        ),
        "years_to": Key(
            "int", "Last year of Table 1 the yearly arrivals are fitted to.", default=2006
        ),
        "arrivals": Key(
            "str",
            "Yearly output compared with Table 1 (defectors arriving in South Korea).",
            default="arrivals_south_korea",
        ),
        "stock_years_from": Key(
            "int",
            "First year in which an undated count (North Koreans in China) must hold.",
            default=1998,
        ),
        "stock_years_to": Key(
            "int", "Last year in which an undated count must hold.", default=2006
        ),
        "share_tolerance": Key(
            "number",
            "A share the article gives as one figure (80% broker-assisted, 83% stayed two "
            "years) holds within this many (fraction) either side: 0.1 is 10 points.",
            default=0.1,
            min=0,
            max=1,
        ),
        "weights": Table(
            {},
            doc="Weight of each secondary target's penalty in the distance, by its name in "
            "data/observed/other_targets.csv; 0 leaves it out. Default 1, except "
            "stayed_two_years_share 0.25 (one survey: a soft target).",
            optional=True,
            dynamic=Key("number", "Weight of the named target's penalty.", min=0),
        ),
    },
    doc="What calibration compares with the observed data, and how.",
    optional=True,
)

CALIBRATION = Table(
    {
        "free": TableArray(item=CALIBRATION_PARAMETER, doc="Free parameters and their bounds."),
        "targets": CALIBRATION_TARGETS,
    },
    doc="Which parameters calibration may change, and within what bounds.",
    optional=True,
)

SCENARIO = Table(
    {
        "extends": Key(
            "str", "Path (relative to this file) of a scenario this one overrides.", default=""
        ),
        "meta": META,
        "time": TIME,
        "population": POPULATION,
        "departures": DEPARTURES,
        "push_factors": TableArray(
            item=PUSH_FACTOR, doc="Dated episodes that push people to leave."
        ),
        "places": PLACES,
        "routes": ROUTES,
        "brokers": BROKERS,
        "chain_defection": CHAIN,
        "enforcement": ENFORCEMENT,
        "route_choice": ROUTE_CHOICE,
        "events": TableArray(item=EVENT, doc="Dated policy changes."),
        "calibration": CALIBRATION,
    },
    doc="A whole scenario.",
)

__all__ = ["PLACE_KINDS", "REQUIRED", "SCENARIO", "STEP_LENGTHS"]
