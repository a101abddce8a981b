"""Enforcement on both sides of the border: arrests in China, punishment in North Korea."""

from __future__ import annotations

from nkroutes.scenario.schema.limits import (
    MAX_MONTHS,
    MAX_MULTIPLIER,
    MAX_RATE_PER_YEAR,
    MAX_USD,
    MAX_YEARS,
)
from nkroutes.scenario.spec import Key, Table

CHINA = Table(
    {
        "arrest_rate_per_year": Key(
            "number",
            "Hazard of arrest for a migrant hiding in China (police motivated by the "
            "US$400-630 reward for turning one in).",
            unit="per year",
            min=0,
            max=MAX_RATE_PER_YEAR,
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
            max=MAX_MULTIPLIER,
            source="assumption",
        ),
        "savings_usd_per_month": Key(
            "number",
            "What a hiding migrant saves per month without legal work.",
            unit="US$ per month",
            default=10.0,
            min=0,
            max=MAX_USD,
            source="assumption: 'Few succeed in finding employment' (North Koreans in China)",
        ),
        "exit_attempt_rate_per_year": Key(
            "number",
            "Hazard that a hiding migrant tries to leave China (if it can pay).",
            unit="per year",
            default=0.3,
            min=0,
            max=MAX_RATE_PER_YEAR,
            source="assumption; the article's 83% who stayed two years or more bounds it",
        ),
        "sponsored_exit_attempt_rate_per_year": Key(
            "number",
            "The same hazard for a migrant whose family abroad pays its broker.",
            unit="per year",
            default=2.0,
            min=0,
            max=MAX_RATE_PER_YEAR,
            source="assumption: a paid-for broker moves its client on within months",
        ),
        "settle_rate_per_year": Key(
            "number",
            "Hazard that a hiding migrant gives up moving on and stays (family, dependants).",
            unit="per year",
            default=0.05,
            min=0,
            max=MAX_RATE_PER_YEAR,
            source="article: 'Some stay in China ... because they have family or children'; "
            "rate: assumption",
        ),
        "word_of_mouth_exit_rate_per_year": Key(
            "number",
            "Yearly hazard, per 1,000 broker-assisted arrivals over the last 12 months, that a "
            "migrant hiding or settled in China (trafficked women included) decides to leave "
            "with a broker its family pays for (word of mouth about brokers' success).",
            unit="per year per 1,000 arrivals",
            default=0.0,
            min=0,
            max=MAX_RATE_PER_YEAR,
            source="article: 'word of mouth about the relative success in using brokers to "
            "reach Southeast Asia has contributed to the expansion of these lucrative "
            "underground networks'; 'the precarious nature of living in China ... has pushed "
            "many North Korean defectors and members of their families to hire brokers'",
        ),
        "ngo_helped_per_year": Key(
            "number",
            "Migrants hiding in China who cannot pay a broker's fee and whose way out "
            "missionaries and NGOs pay for, per year (while the value is in force).",
            unit="people per year",
            default=0.0,
            min=0,
            max=MAX_RATE_PER_YEAR,
            source="article: 'Those who cannot pay a broker often ask missionaries and NGOs for "
            "smuggling help'; number: assumption",
        ),
        "trafficked_at_entry_probability": Key(
            "number",
            "Probability that a woman entering China for the first time is handed to marriage "
            "brokers and sold as a bride at once (she settles; word of mouth may get her out).",
            default=0.0,
            min=0,
            max=1,
            source="article: 'Some women sell their bodies instead of paying their way across, "
            "while others are trafficked by marriage brokers and sold as brides to Chinese "
            "men'; probability: assumption",
        ),
        "trafficking_rate_per_year": Key(
            "number",
            "Hazard that a woman hiding in China is trafficked and sold as a bride (she then "
            "stays, settled).",
            unit="per year",
            default=0.05,
            min=0,
            max=MAX_RATE_PER_YEAR,
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
            max=MAX_MONTHS,
            source="article: 'two-week terms in detention centers'",
        ),
        "detention_months_max": Key(
            "number",
            "Longest detention short of a labour camp.",
            unit="months",
            default=6.0,
            min=0,
            max=MAX_MONTHS,
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
            max=MAX_YEARS,
            source="article: 'Prisoners serve anywhere between two to seven years'",
        ),
        "labour_camp_years_max": Key(
            "number",
            "Longest labour-camp term.",
            unit="years",
            default=7.0,
            min=0,
            max=MAX_YEARS,
            source="article: 'between two to seven years'",
        ),
        "camp_death_rate_per_year": Key(
            "number",
            "Hazard of death in a labour camp.",
            unit="per year",
            default=0.1,
            min=0,
            max=MAX_RATE_PER_YEAR,
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
            max=MAX_RATE_PER_YEAR,
            source="assumption",
        ),
    },
    doc="Punishment after repatriation and new attempts.",
    optional=True,
)

ENFORCEMENT = Table(
    {"china": CHINA, "north_korea": NORTH_KOREA},
    doc="Enforcement on both sides of the border.",
)
