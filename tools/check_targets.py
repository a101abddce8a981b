"""Print issue 17's out-of-sample checks of a finished run against the article's figures.

Usage::

    python tools/check_targets.py RESULTS_DIR

Reads ``yearly.csv`` of a run folder (``nkroutes run ... --out RESULTS_DIR``) and prints, for
each check, the median over replicates with its 90% interval and whether the median is inside
the range the article supports (MPI 2008; ``docs/calibration.md`` quotes each):

- cumulative arrivals to the end of 2007 in Europe (200-900: "several hundred") and Japan
  (75-300: "approximately 150 former 'repatriates'");
- arrivals in the United States from October 2005 to December 2007 (20-60: 9 in FY2006, 22 in
  FY2007, 6 in FY2008 to 31 December 2007); with yearly rows this is 2006 + 2007 + a quarter
  of 2005;
- Thailand carries more arrivals than Mongolia in every year from 2004 (medians);
- repatriations by China in 2000 (6,000-12,000: "at least 6,000");
- North Koreans in China in every year 1998-2006 (30,000-300,000);
- the broker-assisted share of 2004's arrivals (70-90%: "approximately 80 percent");
- of those in China in each year 2004-2007, the share there two years or more (75-90%:
  "83 percent");
- the female share of arrivals per year (no range: an outcome to report).

Years the run does not cover are skipped (and said to be). Exit code 0 whether or not the
checks hold: this reports, it does not judge.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class Check:
    """One check: its label, the replicates' values, the range, whether the median holds."""

    label: str
    values: np.ndarray
    low: float
    high: float
    share: bool = False

    @property
    def median(self) -> float:
        """Median over replicates (NaN without values)."""
        return float(np.nanmedian(self.values)) if len(self.values) else float("nan")

    @property
    def holds(self) -> bool:
        """Whether the median is within [low, high]."""
        return bool(self.low <= self.median <= self.high)

    def line(self) -> str:
        """One line of the report."""

        def fmt(x: float) -> str:
            return f"{100 * x:.1f}%" if self.share else f"{x:,.0f}"

        lo, hi = np.nanpercentile(self.values, [5, 95]) if len(self.values) else (np.nan, np.nan)
        verdict = "MET" if self.holds else "NOT MET"
        return (
            f"{verdict:8} {self.label}: median {fmt(self.median)} "
            f"(90% {fmt(lo)} to {fmt(hi)}); range {fmt(self.low)}-{fmt(self.high)}"
        )


def _by_year(yearly: pd.DataFrame, column: str) -> pd.DataFrame:
    """Replicates as rows, years as columns."""
    return yearly.pivot(index="replicate", columns="year", values=column)


def _sum_to(yearly: pd.DataFrame, column: str, last: int, weights: dict[int, float]) -> np.ndarray:
    table = _by_year(yearly, column)
    years = [y for y in table.columns if y <= last]
    w = np.array([weights.get(y, 1.0) for y in years])
    return (table[years].to_numpy(dtype=float) * w).sum(axis=1)


def checks(yearly: pd.DataFrame) -> tuple[list[Check], list[str]]:
    """The checks of issue 17 on a run's ``yearly.csv``, and notes (years or columns missing).

    Args:
        yearly: The run's ``yearly.csv``.

    Returns:
        ``(checks, notes)``.
    """
    out: list[Check] = []
    notes: list[str] = []
    years = set(yearly["year"].tolist())
    if 2007 in years:
        for dest, low, high in (("europe", 200, 900), ("japan", 75, 300)):
            column = f"arrivals_{dest}"
            if column in yearly:
                values = _sum_to(yearly, column, 2007, {})
                out.append(Check(f"{dest.title()}, cumulative to 2007", values, low, high))
        if "arrivals_united_states" in yearly:
            values = _sum_to(yearly, "arrivals_united_states", 2007, {2005: 0.25})
            values -= _sum_to(yearly, "arrivals_united_states", 2004, {})
            out.append(Check("United States, Oct 2005-Dec 2007", values, 20, 60))
    else:
        notes.append("the run ends before 2007: no cumulative destination checks")
    if {"arrivals_via_thailand", "arrivals_via_mongolia"} <= set(yearly.columns):
        thai = _by_year(yearly, "arrivals_via_thailand").median()
        mongolia = _by_year(yearly, "arrivals_via_mongolia").median()
        later = [y for y in thai.index if y >= 2004]
        ahead = np.array([float(thai[y] > mongolia[y]) for y in later])
        detail = ", ".join(f"{y}: {thai[y]:,.0f} vs {mongolia[y]:,.0f}" for y in later)
        label = f"Thailand above Mongolia in every year from 2004 (1 = yes; {detail})"
        out.append(Check(label, np.array([ahead.min() if len(ahead) else np.nan]), 1, 1))
    else:
        notes.append("no arrivals_via_thailand / arrivals_via_mongolia columns")
    if 2000 in years:
        values = _by_year(yearly, "repatriated")[2000].to_numpy(dtype=float)
        out.append(Check("Repatriated by China in 2000", values, 6000, 12000))
    in_china = _by_year(yearly, "in_china")
    for y in range(1998, 2007):
        if y in in_china.columns:
            out.append(Check(f"In China, {y}", in_china[y].to_numpy(dtype=float), 30000, 300000))
    if 2004 in years:
        assisted = _by_year(yearly, "broker_assisted_arrivals")[2004]
        arrivals = _by_year(yearly, "arrivals")[2004].replace(0, np.nan)
        out.append(
            Check(
                "Broker share of 2004 arrivals",
                (assisted / arrivals).to_numpy(),
                0.70,
                0.90,
                share=True,
            )
        )
    long_stays = _by_year(yearly, "in_china_two_years")
    for y in range(2004, 2008):
        if y in in_china.columns:
            share = (long_stays[y] / in_china[y].replace(0, np.nan)).to_numpy(dtype=float)
            out.append(Check(f"In China two years or more, {y}", share, 0.75, 0.90, share=True))
    return out, notes


def female_shares(yearly: pd.DataFrame) -> pd.Series:
    """Median over replicates of the share of women among each year's arrivals."""
    if "arrivals_female" not in yearly:
        return pd.Series(dtype=float)
    share = yearly["arrivals_female"] / yearly["arrivals"].replace(0, np.nan)
    return share.groupby(yearly["year"]).median()


def report(directory: str | Path) -> str:
    """The text printed for a run folder."""
    yearly = pd.read_csv(Path(directory) / "yearly.csv")
    found, notes = checks(yearly)
    n = yearly["replicate"].nunique()
    lines = [f"Issue 17 checks of {directory} ({n} replicates):"]
    lines += [c.line() for c in found]
    lines += [f"note: {n}" for n in notes]
    shares = female_shares(yearly)
    if len(shares):
        text = ", ".join(f"{y}: {100 * s:.0f}%" for y, s in shares.items() if not np.isnan(s))
        lines.append(f"Female share of arrivals (median): {text}")
    if "months_in_china_median" in yearly:
        months = yearly.groupby("year")["months_in_china_median"].median().dropna()
        text = ", ".join(f"{y}: {m:.0f}" for y, m in months.items())
        lines.append(f"Months in China of the year's arrivals (median of medians): {text}")
    met = sum(c.holds for c in found)
    lines.append(f"{met} of {len(found)} checks met")
    return "\n".join(lines) + "\n"


def main(argv: list[str]) -> int:
    """Print the report for ``argv[0]``; exit code 2 without an argument."""
    if len(argv) != 1:
        sys.stderr.write("usage: python tools/check_targets.py RESULTS_DIR\n")
        return 2
    sys.stdout.write(report(argv[0]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
