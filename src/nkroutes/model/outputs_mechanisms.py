"""Flows of the mechanisms added for issue 17 (``processes/onward.py``, ``departures.py``).

Registered with the other outputs in :mod:`nkroutes.model.outputs` (kept apart so that module
stays small); counted by the processes each step like every flow.
"""

from __future__ import annotations

from nkroutes.model.outputs_spec import Output

#: The flows, in their column order in ``yearly.csv`` (after the other flows).
MECHANISM_OUTPUTS: tuple[Output, ...] = (
    Output(
        "word_of_mouth_exits",
        "flow",
        "people",
        "Leaving on word of mouth",
        "migrants hiding or settled in China (trafficked women included) who decide to leave "
        "with a broker their family pays for, hearing of brokers' recent successes "
        "(`processes/onward.py`)",
    ),
    Output(
        "ngo_helped",
        "flow",
        "people",
        "Helped by missionaries and NGOs",
        "migrants hiding in China who cannot pay a broker and whose way out missionaries and "
        "NGOs pay for (`processes/onward.py`)",
    ),
    Output(
        "stayed_unable_to_pay",
        "flow",
        "people",
        "Stayed, unable to pay the crossing",
        "would-be migrants of North Korean provinces whose savings did not cover the bribe of "
        "their cheapest crossing and who stayed at home (women go anyway with "
        "`unpaid_crossing_probability_female`, men with `..._male`; `processes/departures.py`); "
        "not counted in `departures`",
    ),
)
