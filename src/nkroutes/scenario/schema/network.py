"""The route network: places of each kind and the routes between them."""

from __future__ import annotations

from nkroutes.scenario.schema.limits import (
    MAX_DAYS,
    MAX_INITIAL_BROKERS,
    MAX_MONTHS,
    MAX_MULTIPLIER,
    MAX_NETWORK_ITEMS,
    MAX_RATE_PER_YEAR,
    MAX_USD,
    MAX_WEIGHT,
)
from nkroutes.scenario.spec import Key, Table, TableArray

PLACE_KINDS = ("origin", "border", "broker_hub", "hiding", "mission", "transit", "destination")

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
                max=MAX_WEIGHT,
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
                "int",
                "Brokers working from this hub at the start of the run.",
                min=0,
                max=MAX_INITIAL_BROKERS,
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
                max=MAX_MULTIPLIER,
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
                max=MAX_MONTHS,
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
                max=MAX_RATE_PER_YEAR,
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
                max=MAX_MONTHS,
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
                max=MAX_WEIGHT,
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
                max=MAX_USD,
            ),
            "settlement_quarterly_usd": Key(
                "number",
                "Paid to each defector every quarter over the first `settlement_payment_years` "
                "after arrival; part of it funds relatives' brokers as settlement money does.",
                unit="US$",
                default=0.0,
                min=0,
                max=MAX_USD,
            ),
            "settlement_payment_years": Key(
                "number",
                "Years after arrival over which the quarterly payments are made.",
                unit="years",
                default=2.0,
                min=0,
                max=100,
            ),
            "housing_money_usd": Key(
                "number",
                "Extra money for renting an apartment, paid once after arrival; part of it "
                "funds relatives' brokers as settlement money does.",
                unit="US$",
                default=0.0,
                min=0,
                max=MAX_USD,
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
    max_items=MAX_NETWORK_ITEMS,
)

ROUTES = TableArray(
    item=Table(
        {
            "id": Key("str", "Identifier used by hubs, events and outputs."),
            "from": Key("str", "Place the route leaves from.", ref="places"),
            "to": Key("str", "Place the route leads to.", ref="places"),
            "duration_days": Key(
                "number",
                "Typical travel time along the route.",
                unit="days",
                default=1.0,
                min=0,
                max=MAX_DAYS,
            ),
            "cost_usd": Key(
                "number",
                "What a migrant travelling alone pays (bribes, transport).",
                unit="US$",
                default=0.0,
                min=0,
                max=MAX_USD,
            ),
            "broker_fee_usd": Key(
                "number",
                "Fee of the cheapest broker on this route; each broker charges this times its "
                "own price factor. 0 means no broker serves it.",
                unit="US$",
                default=0.0,
                min=0,
                max=MAX_USD,
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
                max=MAX_WEIGHT,
            ),
            "open": Key("bool", "Whether the route can be used at all.", default=True),
            "source": Key("str", "Where the route's values come from.", default=""),
        }
    ),
    doc="Directed routes between places, with their cost and risks.",
    min_items=1,
    max_items=MAX_NETWORK_ITEMS,
)
