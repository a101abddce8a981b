"""Event time in China (issue 19) leaves the model's results where per-step draws had them.

Before the stays in China were met by event time (``model/stays.py``), each migrant hiding or
settled drew a Bernoulli per hazard per step. :data:`PER_STEP` holds the mean and standard
deviation over seeds 1-30 of the small scenario (``scenario_builder.small_dict``: every process,
sponsorship in China, a crackdown that changes the arrest rate part-way) from that per-step code
(main at 8b3099a). The event-time model, run on seeds 1-8, must give the same means: each
within 4 standard errors of the difference of the two means.
"""

from __future__ import annotations

import pytest

from nkroutes.model import simulate
from nkroutes.scenario import scenario_from_dict
from reference_means import far_from_reference, totals
from scenario_builder import small_dict

N_SEEDS = 8
#: Output -> (mean, sd) over seeds 1-30 with per-step draws.
PER_STEP: dict[str, tuple[float, float]] = {
    "departures": (24617.87, 436.73),
    "arrests_china": (3920.77, 134.05),
    "trafficked": (743.60, 32.83),
    "settlings": (1825.60, 54.36),
    "exit_attempts": (17256.93, 868.13),
    "arrivals": (14538.93, 495.70),
    "sponsored_in_china": (4632.77, 115.74),
    "died": (432.83, 19.16),
    "hiding": (953.80, 83.98),
    "settled": (1260.13, 44.88),
    "in_china_two_years": (1234.00, 57.79),
    "mean_savings_hiding_end": (106.87, 8.90),
}
FLOWS = (
    "departures",
    "arrests_china",
    "trafficked",
    "settlings",
    "exit_attempts",
    "arrivals",
    "sponsored_in_china",
    "died",
)
STOCKS = ("hiding", "settled", "in_china_two_years")


def _outputs(seed: int) -> dict[str, float]:
    result = simulate(scenario_from_dict(small_dict()), seed)
    out = totals(result, FLOWS, STOCKS)
    m = result.migrants
    out["mean_savings_hiding_end"] = float(m["savings_usd"][m["state"] == 0].astype(float).mean())
    return out


@pytest.mark.slow
def test_event_time_gives_the_means_of_per_step_draws() -> None:
    runs = [_outputs(seed) for seed in range(1, N_SEEDS + 1)]
    far = far_from_reference(runs, PER_STEP, reference_seeds=30, z=4.0)
    assert not far, "; ".join(far)
