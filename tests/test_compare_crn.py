"""Common random numbers pay: paired differences are far less noisy than independent ones.

A small what-if (China's arrest rate 10% higher) is run with the baseline's replicate seeds
(common random numbers) and with other seeds (independent). With common random numbers,
replicate k of both scenarios shares every migrant's draws, so the difference in total
arrivals is mostly the policy's effect; with independent seeds it is buried in the noise
of two unrelated runs. docs/outputs.md reports the ratio measured with more replicates
(benchmarks/crn_gain.py).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from nkroutes.ensemble import make_executor, run_ensemble
from nkroutes.scenario import load_scenario, scenario_from_dict

BASELINE = Path(__file__).resolve().parent.parent / "scenarios" / "baseline.toml"
REPLICATES = 8
ARREST_RATE = "enforcement.china.arrest_rate_per_year"


#: The test runs 2000-2008 (events before then dropped) to cut its cost; the ratio over
#: the full 1990-2008 run is in docs/outputs.md.
START = "2000-01"


def shortened_baseline():
    data = load_scenario(BASELINE).to_dict()
    data["time"]["start"] = START
    data["events"] = [e for e in data.get("events", []) if e["date"] >= START]
    return scenario_from_dict(data, source=str(BASELINE))


@pytest.mark.slow
def test_common_random_numbers_cut_the_noise_of_a_paired_difference_threefold():
    baseline = shortened_baseline()
    whatif = baseline.with_overrides({ARREST_RATE: baseline.get(ARREST_RATE) * 1.1})
    with make_executor("local", workers=2) as pool:
        base = run_ensemble(baseline, REPLICATES, seed=11, executor=pool)
        paired = run_ensemble(whatif, REPLICATES, seed=11, executor=pool)
        independent = run_ensemble(whatif, REPLICATES, seed=12, executor=pool)
    assert paired.summary["seed"].tolist() == base.summary["seed"].tolist()
    assert set(independent.summary["seed"]).isdisjoint(base.summary["seed"])
    b = base.summary["arrivals"].to_numpy()
    sd_crn = np.std(paired.summary["arrivals"].to_numpy() - b, ddof=1)
    sd_independent = np.std(independent.summary["arrivals"].to_numpy() - b, ddof=1)
    # Measured over 1990-2008 with 40 replicates per arm: about 17x (docs/outputs.md, before
    # stays by event time); this test measured about 12x (2000-2008, one threshold per event).
    # With 8 replicates the log of the ratio has a standard error of about 1/sqrt(7) = 0.38
    # (0.30 with 12), so 3 is ln(12/3) = 1.39, i.e. 3.7 standard errors, below 12.
    assert sd_crn > 0
    assert sd_independent / sd_crn >= 3, (sd_independent, sd_crn)
