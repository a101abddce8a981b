"""The run itself: what the scenario is, the simulated period, and calibration's settings."""

from __future__ import annotations

from nkroutes.scenario.schema.limits import FIRST_YEAR, LAST_YEAR, MAX_WEIGHT
from nkroutes.scenario.spec import Key, Table, TableArray

STEP_LENGTHS = ("month", "week", "day")
#: How calibration can measure the yearly arrivals' distance from Table 1.
ARRIVALS_DISTANCES = ("log", "ard")

META = Table(
    {
        "name": Key(
            "str",
            "Short name of the scenario, used for the results folder: at most 100 letters, "
            "digits, spaces and `_ . , ( ) + -`, starting with a letter or digit, so that it "
            "is a valid folder name on every system.",
            max_length=100,
            pattern=r"\w[\w .,()+-]*",
            pattern_doc="letters, digits, spaces and _ . , ( ) + -, starting with a letter or "
            "digit",
        ),
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
            min=FIRST_YEAR,
            max=LAST_YEAR,
        ),
        "years_to": Key(
            "int",
            "Last year of Table 1 the yearly arrivals are fitted to.",
            default=2006,
            min=FIRST_YEAR,
            max=LAST_YEAR,
        ),
        "arrivals": Key(
            "str",
            "Yearly count of people compared with Table 1 (defectors arriving in South "
            "Korea): a column of `yearly.csv` such as `arrivals_south_korea` or `arrivals` "
            "(docs/outputs.md).",
            default="arrivals_south_korea",
        ),
        "arrivals_distance": Key(
            "str",
            "How calibration measures the distance of the yearly arrivals from Table 1: "
            "`log`, the RMS of log(arrivals + 1) differences (every fitted year weighs the "
            "same, 9 arrivals in 1990 as 1,139 in 2002), or `ard`, the averaged relative "
            "difference sum |median - observed| / sum observed (each year weighs by its "
            'count, so the large recent years lead). See docs/calibration.md, "The '
            'distance".',
            default="log",
            choices=ARRIVALS_DISTANCES,
        ),
        "stock_years_from": Key(
            "int",
            "First year in which an undated count (North Koreans in China) must hold.",
            default=1998,
            min=FIRST_YEAR,
            max=LAST_YEAR,
        ),
        "stock_years_to": Key(
            "int",
            "Last year in which an undated count must hold.",
            default=2006,
            min=FIRST_YEAR,
            max=LAST_YEAR,
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
            dynamic=Key("number", "Weight of the named target's penalty.", min=0, max=MAX_WEIGHT),
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
