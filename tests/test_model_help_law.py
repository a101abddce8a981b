"""Families' and NGOs' help by threshold, and detention by event time, keep the old laws.

Until 2026-12-05 (main at c9b3ae4) families and NGOs helped exactly F^-1(u; lambda) of those
hiding unsponsored each step, chosen by their smallest own draws, and every migrant detained
in a camp drew each step whether it died. Now each of those hiding unsponsored meets the
step's expected number over their count as a hazard of its own (``model/thresholds.py``),
and a camp death is one geometric time drawn at detention (``processes/punishment.py``).
The first agrees with the old law while the number a step is small against those hiding;
the second is the same law. :data:`BASELINE` and :data:`FAMILY` hold the means and standard
deviations over seeds 1-30 of the old code, on the shipped baseline and on the small map with
families' help dominant (nearly every arrival a relative paid for) and NGOs' help doubled;
each mean of seeds 1-6 now must lie within 4 standard errors of the difference of the
two means (a false alarm about once in 500 runs of a correct model with these 31 outputs). On
seeds 1-30 the largest difference was 1.1 standard errors (NGO-helped on the baseline).
The references were computed by running the old code (a worktree of c9b3ae4 on
``PYTHONPATH``) on seeds 1-30 with the outputs below.
"""

from __future__ import annotations

import pytest

from nkroutes.model import simulate
from nkroutes.scenario import scenario_from_dict
from reference_means import far_from_reference, totals
from scenario_builder import baseline, small_dict

N_SEEDS = 6
FLOWS = (
    "departures",
    "arrests_china",
    "exit_attempts",
    "arrivals",
    "word_of_mouth_exits",
    "ngo_helped",
    "sponsored_in_china",
    "died",
    "settlings",
    "died_in_detention",
    "released",
    "detentions",
)
STOCKS = ("hiding", "settled", "in_china_two_years", "detained")

#: Output -> (mean, sd) over seeds 1-30 of the old code on the shipped baseline.
BASELINE: dict[str, tuple[float, float]] = {
    "departures": (294801.93, 728.86),
    "arrests_china": (121324.10, 351.26),
    "exit_attempts": (41933.80, 711.35),
    "arrivals": (12136.90, 524.83),
    "word_of_mouth_exits": (1796.87, 109.70),
    "ngo_helped": (486.10, 23.54),
    "sponsored_in_china": (8067.47, 418.98),
    "died": (12512.33, 103.13),
    "settlings": (91149.50, 356.25),
    "died_in_detention": (8610.73, 92.20),
    "released": (178662.47, 518.61),
    "detentions": (197648.33, 567.91),
    "hiding": (54508.10, 344.35),
    "settled": (74802.87, 305.40),
    "in_china_two_years": (115083.20, 455.79),
    "detained": (10375.13, 95.52),
}

#: The same on :func:`family_and_ngos`.
FAMILY: dict[str, tuple[float, float]] = {
    "departures": (13554.90, 111.41),
    "arrests_china": (1573.67, 131.91),
    "exit_attempts": (9893.53, 728.98),
    "arrivals": (9121.67, 181.61),
    "ngo_helped": (614.07, 19.16),
    "sponsored_in_china": (8902.10, 183.13),
    "died": (236.33, 17.75),
    "settlings": (716.63, 54.45),
    "died_in_detention": (236.33, 17.75),
    "released": (4546.50, 135.54),
    "detentions": (4949.93, 151.20),
    "hiding": (224.77, 26.44),
    "settled": (451.10, 39.02),
    "in_china_two_years": (439.53, 42.15),
    "detained": (167.10, 15.10),
}


def family_and_ngos() -> dict:
    """The small map, its families sending 5% of their money and NGOs helping 60 a year."""
    data = small_dict()
    data["chain_defection"] = {
        "share_of_settlement_sent": 0.05,
        "share_for_relatives_in_china": 1.0,
    }
    data["enforcement"]["china"]["ngo_helped_per_year"] = 60.0
    return data


def _outputs(scenario, seed: int) -> dict[str, float]:
    return totals(simulate(scenario, seed), FLOWS, STOCKS)


@pytest.mark.slow
@pytest.mark.parametrize("which", ["baseline", "family"])
def test_help_and_detention_keep_the_means_of_the_old_laws(which: str) -> None:
    scenario = baseline() if which == "baseline" else scenario_from_dict(family_and_ngos())
    reference = BASELINE if which == "baseline" else FAMILY
    runs = [_outputs(scenario, seed) for seed in range(1, N_SEEDS + 1)]
    far = far_from_reference(runs, reference, reference_seeds=30, z=4.0)
    assert not far, "; ".join(far)
