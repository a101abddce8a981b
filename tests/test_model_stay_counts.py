"""The stays in China counted as they start and end are the stays a pass over everyone counts.

The stocks of those hiding, settled, in China two years or more and detained, and the families' and
NGOs' help (spread over those hiding whose family does not pay), read counts kept by every
process that starts or ends a stay or sponsors one (``model/stay_counts.py``) rather than a
pass over everyone each step. Here, after every step of whole runs with every mechanism on,
and of the shipped baseline with its dated events, the counts kept must equal a count made
then: a process that changed a stay without keeping the counts would show.
"""

from __future__ import annotations

import numpy as np
import pytest

from nkroutes.model import simulate
from nkroutes.model.migrants import State
from nkroutes.model.model import RouteModel
from nkroutes.scenario import scenario_from_dict
from scenario_builder import baseline_until, small_dict


def _family_and_ngos() -> dict:
    data = small_dict()
    data["chain_defection"] = {"share_of_settlement_sent": 0.05}
    china = data["enforcement"]["china"]
    china.update(
        ngo_helped_per_year=60.0,
        word_of_mouth_exit_rate_per_year=1.0,
        trafficked_at_entry_probability=0.3,
    )
    return data


@pytest.mark.parametrize(("scenario", "seed"), [("small", 1), ("small", 2), ("baseline", 1)])
def test_the_counts_kept_are_the_counts_after_every_step(monkeypatch, scenario, seed) -> None:
    record = RouteModel._record
    checked = []

    def checking(self) -> None:
        record(self)
        cols = self.table.cols
        live = self.table.live()
        state = cols["state"][live]
        hiding, settled = live[state == State.HIDING], live[state == State.SETTLED]
        unsponsored = int(np.count_nonzero(~cols["sponsored"][hiding]))
        held = self.stay_counts
        kept = (held.hiding, held.settled, held.hiding_unsponsored)
        assert kept == (len(hiding), len(settled), unsponsored), (self.step_index, kept)
        since = cols["china_since"][np.concatenate([hiding, settled])]
        by_entry = np.bincount(since + 1, minlength=len(held.by_entry))
        assert held.by_entry.tolist() == by_entry.tolist(), self.step_index
        assert self.detained == int(np.count_nonzero(state == State.DETAINED)), self.step_index
        checked.append(len(hiding))

    monkeypatch.setattr(RouteModel, "_record", checking)
    if scenario == "small":
        result = simulate(scenario_from_dict(_family_and_ngos()), seed)
    else:  # with its dated events and its own rates, to the year of its most arrests
        result = simulate(baseline_until("2000-12"), seed)
    assert len(checked) == result.n_steps_run
    assert max(checked) > 100
    for flow in ("sponsored_in_china", "ngo_helped", "word_of_mouth_exits", "trafficked"):
        assert result.flows[flow].sum() > 0, flow
