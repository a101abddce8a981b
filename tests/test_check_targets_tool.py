"""tools/check_targets.py prints issue 17's checks from a run folder."""

from __future__ import annotations

import importlib.util
import sys

import numpy as np
import pandas as pd

from nkroutes.ensemble import run_ensemble
from scenario_builder import ROOT, scenario_from_dict, small_dict

_SPEC = importlib.util.spec_from_file_location("check_targets", ROOT / "tools" / "check_targets.py")
check_targets = importlib.util.module_from_spec(_SPEC)
sys.modules["check_targets"] = check_targets
_SPEC.loader.exec_module(check_targets)


def _yearly(replicates: int = 3) -> pd.DataFrame:
    rows = []
    for r in range(replicates):
        for y in range(1996, 2009):
            rows.append(
                {
                    "replicate": r,
                    "year": y,
                    "arrivals": 100,
                    "arrivals_female": 60,
                    "broker_assisted_arrivals": 80,
                    "arrivals_europe": 50,
                    "arrivals_japan": 10,
                    "arrivals_united_states": 20 if y >= 2006 else 0,
                    "arrivals_via_thailand": 40 if y >= 2004 else 0,
                    "arrivals_via_mongolia": 30,
                    "repatriated": 7000,
                    "in_china": 100000,
                    "in_china_two_years": 80000,
                }
            )
    return pd.DataFrame(rows)


def test_the_checks_by_hand():
    found, notes = check_targets.checks(_yearly())
    by_label = {c.label.split(" (")[0]: c for c in found}
    assert notes == []
    assert by_label["Europe, cumulative to 2007"].median == 50 * 12
    assert by_label["Japan, cumulative to 2007"].median == 120
    assert by_label["United States, Oct 2005-Dec 2007"].median == 40
    assert by_label["Repatriated by China in 2000"].holds
    assert by_label["Broker share of 2004 arrivals"].median == 0.8
    assert by_label["Thailand above Mongolia in every year from 2004"].holds
    assert all(c.holds for c in found)
    yearly = _yearly()
    yearly.loc[yearly["year"] == 2006, "arrivals_via_thailand"] = 10
    found, _ = check_targets.checks(yearly)
    thai = next(c for c in found if c.label.startswith("Thailand"))
    assert not thai.holds
    assert check_targets.female_shares(yearly).eq(0.6).all()


def test_the_report_of_a_tiny_run(tmp_path, capsys):
    data = small_dict()
    data["time"]["end"] = "2000-12"
    data["departures"]["base_rate_per_year"] = 100.0
    results = run_ensemble(
        scenario_from_dict(data, source="<small>"), replicates=2, seed=1, workers=1
    )
    results.yearly.to_csv(tmp_path / "yearly.csv", index=False)
    assert check_targets.main([str(tmp_path)]) == 0
    text = capsys.readouterr().out
    assert "(2 replicates)" in text
    assert "Repatriated by China in 2000: median" in text
    assert "note: the run ends before 2007" in text
    assert "Female share of arrivals (median): 1990:" in text
    assert np.isfinite(len(text))
    assert check_targets.main([]) == 2
