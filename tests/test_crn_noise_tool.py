"""tools/crn_noise.py: the change of one value on the same seeds, and its refusals."""

from __future__ import annotations

import importlib.util
import math
import sys

from nkroutes.model import simulate
from nkroutes.scenario import load_scenario
from scenario_builder import ROOT, write_tiny

_SPEC = importlib.util.spec_from_file_location("crn_noise", ROOT / "tools" / "crn_noise.py")
crn_noise = importlib.util.module_from_spec(_SPEC)
sys.modules["crn_noise"] = crn_noise
_SPEC.loader.exec_module(crn_noise)

PATH = "departures.base_rate_per_year"


def test_prints_each_seeds_change_and_the_spread(tmp_path, capsys):
    base, _ = write_tiny(tmp_path)
    assert crn_noise.main([PATH, "--factor", "2", "--seeds", "3-4", "--scenario", str(base)]) == 0
    out = capsys.readouterr().out
    scenario = load_scenario(base)
    doubled = scenario.with_overrides({PATH: scenario.get(PATH) * 2})
    for seed in (3, 4):
        a = float(simulate(scenario, seed=seed).flows["arrivals"].sum())
        b = float(simulate(doubled, seed=seed).flows["arrivals"].sum())
        assert (
            f"{seed:>4}  {a:>8,.0f}  {b:>7,.0f}  {math.log10(1 + b) - math.log10(1 + a):+.4f}"
            in out
        )
    assert "spread of log10 arrivals between the seeds" in out


def test_refuses_a_path_that_is_no_number_and_bad_seeds(tmp_path, capsys):
    base, _ = write_tiny(tmp_path)
    assert crn_noise.main(["meta.name", "--scenario", str(base)]) == 2
    assert "meta.name is" in capsys.readouterr().err
    assert crn_noise.main(["no.such.value", "--scenario", str(base)]) == 2
    assert "no.such.value" in capsys.readouterr().err
    assert crn_noise.main([PATH, "--seeds", "6-1", "--scenario", str(base)]) == 2
    assert "expected FIRST-LAST" in capsys.readouterr().err
