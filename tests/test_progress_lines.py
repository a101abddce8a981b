"""Progress in logs: a line every few seconds when standard error is not a terminal."""

from __future__ import annotations

import io
import re
import time

from nkroutes.commands.common import show_progress
from nkroutes.ensemble.progress import ProgressLines, progress_bar


def test_lines_say_done_total_rate_and_time_left() -> None:
    stream = io.StringIO()
    lines = ProgressLines(10, 2, "tiny", interval=0.05, stream=stream)
    time.sleep(0.12)
    lines.update(3)
    time.sleep(0.12)
    lines.close()
    text = stream.getvalue().splitlines()
    assert text[0].startswith("tiny: 2/10 replicates (20%)")
    assert "first replicate running" in text[0]
    last = text[-1]
    assert re.fullmatch(
        r"tiny: 5/10 replicates \(50%\), [\d.e+]+ (replicates/s|s/replicate), about \d+ s left",
        last,
    ), last


def test_a_sensitivity_analysis_counts_model_runs_not_replicates() -> None:
    # Its total is every scenario's replicates at every point: "4/14 replicates" misled.
    lines = ProgressLines(14, 4, "baseline", interval=60, stream=io.StringIO(), unit="model run")
    assert lines.line().startswith("baseline: 4/14 model runs (29%), ")
    assert lines.line().endswith("so far, first model run running")
    lines.update(2)
    assert re.search(r"(model runs/s|s/model run), about", lines.line())
    lines.close()


def test_a_run_shorter_than_the_interval_writes_nothing() -> None:
    stream = io.StringIO()
    with ProgressLines(3, 0, "tiny", interval=60, stream=stream) as lines:
        lines.update(3)
    assert stream.getvalue() == ""


def test_progress_kind_follows_the_terminal(monkeypatch) -> None:
    import sys

    monkeypatch.setattr(sys.stderr, "isatty", lambda: False, raising=False)
    assert show_progress(quiet=False) == "lines"
    assert show_progress(quiet=True) is False
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True, raising=False)
    assert show_progress(quiet=False) is True
    with progress_bar(3, 0, "x", "lines") as shown:
        assert isinstance(shown, ProgressLines)
