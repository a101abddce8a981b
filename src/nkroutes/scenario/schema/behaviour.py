"""How migrants and brokers behave: who leaves, brokers, chain defection, route choice."""

from __future__ import annotations

from nkroutes.scenario.schema.limits import (
    MAX_CLIENTS_PER_BROKER,
    MAX_EXPONENT,
    MAX_HIRE_ROUNDS,
    MAX_LOG_SD,
    MAX_MIGRANTS_PER_YEAR,
    MAX_PEOPLE,
    MAX_PRICE_SPREAD,
    MAX_RATE_PER_YEAR,
    MAX_RECRUITS_PER_ARRIVAL,
    MAX_USD,
)
from nkroutes.scenario.spec import Key, Table

POPULATION = Table(
    {
        "share_female": Key(
            "number",
            "Share of women among those who want to leave (before any crossing is paid for): "
            "the share among those who cross and arrive is an outcome of "
            "[departures] `unpaid_crossing_probability_*` and the ways of women in China.",
            default=0.7,
            min=0,
            max=1,
            source="assumption: the article names women's particular ways across and risks "
            "(paying in kind, trafficking, forced marriage) but gives no share.",
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
            max=MAX_USD,
            source="assumption: enough for a border bribe (US$13-50), not for a broker.",
        ),
        "savings_usd_log_sd": Key(
            "number",
            "Spread of savings at departure (standard deviation of log savings).",
            default=1.0,
            min=0,
            max=MAX_LOG_SD,
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
            max=MAX_MIGRANTS_PER_YEAR,
            source="calibrated",
        ),
        "unpaid_crossing_probability_female": Key(
            "number",
            "Probability that a woman leaving a North Korean province whose savings do not "
            "cover the bribe of its cheapest crossing goes anyway, paying in kind or taken "
            "across by marriage brokers; the others stay at home.",
            default=1.0,
            min=0,
            max=1,
            source="'Some women sell their bodies instead of paying their way across, while "
            "others are trafficked by marriage brokers and sold as brides to Chinese men' "
            "(North Koreans in China).",
        ),
        "unpaid_crossing_probability_male": Key(
            "number",
            "Probability that a man leaving a North Korean province whose savings do not "
            "cover the bribe of its cheapest crossing goes anyway; the others stay at home.",
            default=1.0,
            min=0,
            max=1,
            source="assumption: border guards make it 'extremely difficult for North Koreans "
            "to escape alive on their own' (North Koreans in China); 1 (the default) lets "
            "everyone go, as before the key existed.",
        ),
    },
    doc="How many people leave North Korea on their own (sponsored departures are in "
    "[chain_defection]).",
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
            max=MAX_CLIENTS_PER_BROKER,
            source="assumption",
        ),
        "price_spread": Key(
            "number",
            "Ratio of the dearest broker's price factor to the cheapest; factors are spread "
            "log-uniformly between 1 and this.",
            default=15.96,
            min=1,
            max=MAX_PRICE_SPREAD,
            source="article: US$1,250-19,950 per person (North Koreans in China)",
        ),
        "recruits_per_assisted_arrival": Key(
            "number",
            "New brokers drawn into the trade by each broker-assisted arrival (word of mouth "
            "about their success).",
            default=0.02,
            min=0,
            max=MAX_RECRUITS_PER_ARRIVAL,
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
            max=MAX_RATE_PER_YEAR,
            source="assumption",
        ),
        "arrest_rate_per_year": Key(
            "number",
            "Hazard that a broker is arrested and stops working.",
            unit="per year",
            default=0.05,
            min=0,
            max=MAX_RATE_PER_YEAR,
            source="assumption",
        ),
        "fee_enforcement_elasticity": Key(
            "number",
            "Fees scale with (China's arrest rate / its value at the start) to this power: "
            "brokers charge more when enforcement is harsher.",
            default=0.5,
            min=0,
            max=MAX_EXPONENT,
            source="assumption: fees rise with enforcement",
        ),
        "hire_rounds": Key(
            "int",
            "How many brokers a migrant seeking one may ask in one step, one after another "
            "when turned away (no room, a fee it cannot pay), before it gives up until the "
            "next step.",
            unit="brokers per step",
            default=3,
            min=1,
            max=MAX_HIRE_ROUNDS,
            source="assumption: a migrant asks around a few contacts at a time",
        ),
    },
    doc="Smuggling networks: the brokers working from the broker hubs.",
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
            max=MAX_USD,
            source="assumption",
        ),
        "spend_rate_per_year": Key(
            "number",
            "Rate at which the families' savings for brokers are spent.",
            unit="per year",
            default=1.0,
            min=0,
            max=MAX_RATE_PER_YEAR,
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
            max=MAX_PEOPLE,
            source="assumption",
        ),
        "remaining_relatives_per_family": Key(
            "number",
            "Relatives, on average, whom the family of a defector who came on their own (not "
            "brought out by family) will pay brokers for: the article's 'remaining "
            "relatives'. Each such arrival adds this many to the relatives left to bring "
            "out; each relative sponsored takes one away, and the families' money buys no "
            "more relatives than are left. 0 sets no limit.",
            unit="people",
            default=0.0,
            min=0,
            max=MAX_PEOPLE,
            source="article: 'pay brokers to smuggle out their remaining relatives' "
            "(Migration to the South); number: assumption",
        ),
    },
    doc="Chain defection: defectors in South Korea pay brokers for their relatives.",
    optional=True,
)

ROUTE_CHOICE = Table(
    {
        "risk_aversion": Key(
            "number",
            "Exponent on a route's chance of getting through in its choice weight.",
            default=2.0,
            min=0,
            max=MAX_EXPONENT,
            source="assumption",
        ),
        "cost_sensitivity_per_1000_usd": Key(
            "number",
            "Log choice weight lost per US$1,000 of cost.",
            default=0.2,
            min=0,
            max=MAX_EXPONENT,
            source="assumption",
        ),
    },
    doc="How migrants weigh routes: weight x success^risk_aversion x exp(-cost sensitivity).",
    optional=True,
)
