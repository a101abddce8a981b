"""Word of mouth met on the run's accrued hazard (issue 19) keeps the law of per-step draws.

Until 0394882 every migrant hiding (unsponsored) or settled in China drew a Bernoulli per step
for word of mouth (``processes/onward.py``). :data:`PER_STEP` holds the mean and standard
deviation over seeds 1-30 of the small scenario with word of mouth and NGO help strong
(``scenario_builder.small_dict`` with ``word_of_mouth_exit_rate_per_year = 1`` and
``ngo_helped_per_year = 20``) from that per-step code (main at 0394882). Met by accrued hazard,
on seeds 1-6, each mean must lie within 4 standard errors of the difference of the two means
(with 11 outputs, a false alarm about once in 1,400 runs of a correct model). The spread of
word of mouth's own counts is wide, because the small scenario's broker networks take off in
some seeds and not others: this test catches a gross error (word of mouth never or always
firing, the wrong migrants eligible), not a hazard off by a factor 3 (measured on seeds 1-6:
a rate of 0.3 gives 998 exits, 2.9 standard errors from 1,779; a rate of 3 gives 3,129, 2.2).
The law itself is exact by construction (``stays.py``); ``test_model_onward.py`` checks one
step's count against ``1 - exp(-h dt)``.
"""

from __future__ import annotations

import pytest

from nkroutes.model import simulate
from nkroutes.scenario import scenario_from_dict
from reference_means import far_from_reference, totals
from scenario_builder import small_dict

N_SEEDS = 6
#: Output -> (mean, sd) over seeds 1-30 with a word-of-mouth draw per migrant and step.
PER_STEP: dict[str, tuple[float, float]] = {
    "departures": (26569.60, 1267.86),
    "arrests_china": (3535.23, 289.35),
    "settlings": (1723.93, 80.29),
    "exit_attempts": (19379.63, 614.71),
    "arrivals": (17114.93, 1642.88),
    "word_of_mouth_exits": (1779.27, 965.82),
    "ngo_helped": (321.23, 30.69),
    "died": (431.53, 22.32),
    "hiding": (1024.40, 55.46),
    "settled": (474.30, 437.12),
    "in_china_two_years": (490.60, 427.08),
}
STOCKS = ("hiding", "settled", "in_china_two_years")


def _scenario() -> dict:
    data = small_dict()
    china = data["enforcement"]["china"]
    china["word_of_mouth_exit_rate_per_year"] = 1.0
    china["ngo_helped_per_year"] = 20.0
    return data


def _outputs(seed: int) -> dict[str, float]:
    result = simulate(scenario_from_dict(_scenario()), seed)
    return totals(result, [name for name in PER_STEP if name not in STOCKS], STOCKS)


@pytest.mark.slow
def test_word_of_mouth_by_accrued_hazard_gives_the_means_of_per_step_draws() -> None:
    runs = [_outputs(seed) for seed in range(1, N_SEEDS + 1)]
    far = far_from_reference(runs, PER_STEP, reference_seeds=30, z=4.0)
    assert not far, "; ".join(far)
