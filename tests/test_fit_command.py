"""``nkroutes fit``: the metrics of a finished run, printed and written to fit.md."""

from __future__ import annotations

import pandas as pd
import pytest

from nkroutes.observed import south_korea_arrivals

TABLE_1 = south_korea_arrivals().set_index("year")["arrivals"]


@pytest.fixture
def results_dir(tmp_path):
    """A results directory whose median arrivals equal Table 1 exactly (3 replicates)."""
    rows = []
    for replicate, factor in enumerate((0.9, 1.0, 1.1)):
        for year in range(1990, 2009):
            observed = float(TABLE_1.get(year, 1000))
            rows.append(
                {
                    "replicate": replicate,
                    "year": year,
                    "arrivals": observed * factor,
                    "arrivals_south_korea": observed * factor,
                    "broker_assisted_arrivals": 0.8 * observed * factor,
                    "repatriated": 7000,
                    "in_china": 50000,
                    "in_china_two_years": 30000,
                }
            )
    directory = tmp_path / "run"
    directory.mkdir()
    pd.DataFrame(rows).to_csv(directory / "yearly.csv", index=False)
    summary = pd.DataFrame({"replicate": [0, 1, 2], "share_stayed_two_years": [0.5, 0.6, 0.7]})
    summary.to_csv(directory / "summary.csv", index=False)
    return directory


def test_fit_prints_and_writes_the_metrics(cli, results_dir):
    result = cli("fit", results_dir)
    assert result.exit_code == 0, result.output
    text = (results_dir / "fit.md").read_text(encoding="utf-8")
    # the median is Table 1 itself: no error, every year inside the band
    # a replicate is 0.9, 1 or 1.1 times Table 1 in every year, so a resample covers all
    # years or none; 8 in 27 resamples miss (0.9 three times, 1.1 three times, 0.9 twice
    # with 1, 1.1 twice with 1)
    assert "| fitted years (1994-2006) | 0.0 | 0.0 | 0.0 | 13/13 | 0-13 |" in text
    assert "| other years (1990-1993) | 0.0 | 0.0 | 0.0 | 4/4 | 0-4 |" in text
    assert "| 1994 | 52 | 52.0 | 47.3 | 56.7 | yes | 50.0% |" in text
    assert "| broker_assisted_share_2004 | 70%-90% in 2004 | 80% | yes | 1.0 | 0.0 |" in text
    assert "| repatriated_by_china_2000 | >= 6,000 in 2000 | 7,000 | yes |" in text
    assert "| in_china | 30,000-300,000 every year 1998-2006 | 50,000 | yes |" in text
    assert "| stayed_two_years_share | 73%-93% in 2006 | 60% | no | 0.25 |" in text
    assert "13/13" in result.output and f"Wrote {results_dir / 'fit.md'}" in result.output


def test_fit_years_option_reports_the_rest_apart(cli, results_dir):
    result = cli("fit", results_dir, "--years", "1990-2002")
    assert result.exit_code == 0, result.output
    text = (results_dir / "fit.md").read_text(encoding="utf-8")
    assert "fitted years (1990-2002)" in text and "other years (2003-2006)" in text


def test_fit_notes_targets_it_cannot_check(cli, results_dir):
    yearly = pd.read_csv(results_dir / "yearly.csv")
    yearly[yearly["year"] <= 2001].to_csv(results_dir / "yearly.csv", index=False)
    result = cli("fit", results_dir)
    assert result.exit_code == 0, result.output
    assert "Not checked: target broker_assisted_share_2004: year(s) 2004 were not simulated" in (
        result.output
    )


def test_fit_needs_a_results_directory(cli, tmp_path, results_dir):
    result = cli("fit", tmp_path / "nowhere")
    assert result.exit_code == 2
    assert "no such results directory" in result.output

    (results_dir / "summary.csv").unlink()
    result = cli("fit", results_dir)
    assert result.exit_code == 2
    assert "found no summary.csv; expected the output directory of `nkroutes run`" in (
        result.output
    )
    assert not (results_dir / "fit.md").exists()


def test_fit_refuses_bad_years(cli, results_dir):
    result = cli("fit", results_dir, "--years", "2006-1994")
    assert result.exit_code == 2
    assert "--years: found '2006-1994'" in result.output
    result = cli("fit", results_dir, "--years", "2030-2040")
    assert result.exit_code == 2
    assert "none is both observed and simulated" in result.output
