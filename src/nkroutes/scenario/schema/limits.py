"""Upper bounds shared by the schema's keys, and why each is safe and generous.

Every number a scenario gives is bounded above so that no value can overflow a float or an
integer count, or make a run take the machine, while leaving wide room for research what-ifs
(each bound is at least a hundred times the largest value any shipped scenario or calibration
range uses). A bound here is the ``max`` of the keys of its kind in the schema and is shown in
``docs/scenarios.md``; changing one is a schema change like any other.
"""

from __future__ import annotations

#: Departures per year from all origins (``departures.base_rate_per_year``): one million a
#: year, about 400 times the baseline (2,031) and 4% of North Korea's population; a year of it
#: is a few hundred MB of migrant records, a Poisson count far from any integer limit.
MAX_MIGRANTS_PER_YEAR = 1e6

#: A push factor's intensity (added to the departure multiplier): 1,000, about 40 times the
#: famine's calibrated 26.88; with the departure bound, at most 10^9 expected departures a
#: year (the size estimate, not this bound, decides whether such a run is practical).
MAX_INTENSITY = 1000.0

#: A rate per year of an event that happens to one person (arrest, quitting, exit attempts,
#: settling, death in a camp, ...): 100,000 a year, which makes the event certain (to float
#: precision) within a step of any length, a day included; larger values change nothing.
MAX_RATE_PER_YEAR = 1e5

#: A multiplier of rates (``arrest_rate_multiplier``, ``settled_arrest_multiplier``): 1,000.
MAX_MULTIPLIER = 1000.0

#: A relative weight (origins' departure weights, destinations' preference, routes' choice
#: weight, calibration weights): one million, 10,000 times the largest shipped weight (100).
MAX_WEIGHT = 1e6

#: A money amount in US dollars (costs, fees, savings, settlement money, remittances): one
#: billion, far above any price of a crossing and small enough that sums over millions of
#: migrants stay exact in float64.
MAX_USD = 1e9

#: A stock of people (``chain_defection.in_china_for_half_share``): 10^12, beyond any
#: population, so that a what-if can make the halving irrelevant; ``2 ** (-n / half)`` cannot
#: overflow for any value.
MAX_PEOPLE = 1e12

#: Brokers at one hub at the start (``initial_brokers``): 100,000. Each broker is an agent
#: object, so this bounds memory at tens of MB, where the baseline has 5 to 10 per hub.
MAX_INITIAL_BROKERS = 100_000

#: Rounds of hiring per step (``brokers.hire_rounds``): 100 (the baseline has 3); each round
#: is a pass over the migrants waiting for a broker.
MAX_HIRE_ROUNDS = 100

#: Migrants one broker can take per month: 10,000 (the baseline has 2).
MAX_CLIENTS_PER_BROKER = 10_000

#: New brokers per broker-assisted arrival: 100 (the calibration range ends at 0.5); higher
#: values would let broker numbers grow without limit.
MAX_RECRUITS_PER_ARRIVAL = 100.0

#: Ratio of the highest to the lowest broker price (``brokers.price_spread``): 10,000.
MAX_PRICE_SPREAD = 10_000.0

#: Standard deviation of log savings: 5 (the baseline has 1). With the largest normal draw
#: (about 8.3) and the largest median, savings stay below 10^28 US$, inside float32.
MAX_LOG_SD = 5.0

#: A dimensionless exponent or sensitivity (``risk_aversion``, ``fee_enforcement_elasticity``,
#: ``cost_sensitivity_per_1000_usd``): 100 (the baseline has 0.2 to 2). With money bounded by
#: :data:`MAX_USD`, a route's log weight stays finite (no overflow, no NaN).
MAX_EXPONENT = 100.0

#: A duration in months (processing, waiting, detention): 1,200, a hundred years.
MAX_MONTHS = 1200.0

#: A duration in years (a labour camp term): 100.
MAX_YEARS = 100.0

#: A route's duration in days: 36,500, a hundred years.
MAX_DAYS = 36_500.0

#: Most places, and most routes, in a scenario: 10,000 each (the baseline has 26 places);
#: the model stores a place or route index in 16 bits (at most 32,767).
MAX_NETWORK_ITEMS = 10_000

#: Most push factors, and most events: 1,000 each (the baseline has a handful). With
#: :data:`MAX_INTENSITY` this keeps the departure multiplier below about 10^6, so expected
#: departures stay far below where a Poisson draw loses precision (about 10^15).
MAX_TIMELINE_ITEMS = 1000

#: The first and last year a date (``YYYY-MM``) may name: runs and episodes lie within
#: 1900-01 to 2100-12, which holds every period a study of this migration could simulate and
#: keeps a run below 2,412 months (about 73,000 daily steps).
FIRST_YEAR = 1900
LAST_YEAR = 2100
