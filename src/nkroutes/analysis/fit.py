"""How well runs reproduce the article's figures: arrivals per year and the secondary targets.

Works on the long tables of any ensemble (``yearly`` and ``summary`` of
:class:`~nkroutes.ensemble.results.Results`), for any range of years, so the same numbers
describe a finished run (``nkroutes fit``), a calibration's posterior predictive and its
out-of-sample years. Replicates may carry weights (a posterior's importance weights); by
default they count equally. The simulated value of a year is the median over replicates.

Metrics of the yearly arrivals against Table 1 (``o`` observed, ``m`` the median):

- mean absolute error of log arrivals: ``mean |log(m + 1) - log(o + 1)|``;
- root mean square of the same differences (the calibration distance's main term);
- averaged relative difference, as in Flee (Suleimenova, Bell & Groen 2017):
  ``sum |m - o| / sum o``;
- coverage of the 90% predictive band: the observed years inside the 5-95% range of the
  replicates. The band's edges are themselves estimates from a finite set of replicates, so
  a year near an edge is covered by one set of replicates and not by the next: the report
  gives, per year, where the observation falls among the replicates (its quantile) and, for
  the count, the range it takes over resamples of the replicates.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from nkroutes.analysis.bands import (
    COVERAGE_RESAMPLES,
    COVERAGE_RESAMPLING_SEED,
    bands_of,
    coverage_counts,
    observed_quantile,
    observed_series,
    replicate_weights,
    wide_table,
)
from nkroutes.analysis.targets import Target, weighted_quantile

_YEARS = re.compile(r"\s*(\d{4})\s*(?:(?:-|\.\.|:)\s*(\d{4}))?\s*")


def parse_years(text: str) -> tuple[int, int]:
    """Read a year range written ``1994-2006`` (or one year, ``2004``).

    Raises:
        ValueError: If the text is not one or two four-digit years, the first no later than
            the last.
    """
    match = _YEARS.fullmatch(text)
    if match is None:
        raise ValueError(f"found {text!r}, expected years like 1994-2006")
    first = int(match.group(1))
    last = int(match.group(2) or first)
    if first > last:
        raise ValueError(f"found {text!r}, expected the first year no later than the last")
    return first, last


@dataclass(frozen=True)
class ArrivalsFit:
    """Yearly arrivals against Table 1 over a set of years.

    Attributes:
        label: What the years are (``fitted years``, ``held-out years``).
        years: The years compared (simulated and observed).
        table: Per year: ``year, observed`` and the band columns, ``inside_90``,
            ``band_width`` (the 5-95% band's width over the observed value) and
            ``observed_quantile``.
        mae_log: Mean absolute error of log(arrivals + 1).
        rms_log: Root mean square error of log(arrivals + 1).
        ard: Averaged relative difference (Flee): sum |median - observed| / sum observed.
        covered: Observed years inside the 5-95% band of the replicates.
        covered_resampled: The 5% and 95% quantiles of ``covered`` over resamples of the
            replicates (:func:`coverage_resampled`), or None if not computed.
        widest_band: The largest width of a year's 5-95% band over its observed value
            (``band_width`` in ``table``): a band that covers by being wide says little.
    """

    label: str
    years: tuple[int, ...]
    table: pd.DataFrame
    mae_log: float
    rms_log: float
    ard: float
    covered: int
    covered_resampled: tuple[int, int] | None = None
    widest_band: float = float("nan")

    @property
    def n_years(self) -> int:
        """Number of years compared."""
        return len(self.years)

    @property
    def span(self) -> str:
        """The years as text: ``1994-2006`` (or a list if they have gaps)."""
        return year_span(self.years)


def year_span(years: Sequence[int]) -> str:
    """Years as runs of consecutive years: ``1994-2006``, ``1990-1994, 1996-2006``, ``2004``.

    A run of two years is written as a range too (``1990-1991``); a year alone is written
    as itself; duplicates count once.
    """
    ordered = sorted({int(y) for y in years})
    if not ordered:
        return "none"
    runs: list[list[int]] = [[ordered[0], ordered[0]]]
    for year in ordered[1:]:
        if year == runs[-1][1] + 1:
            runs[-1][1] = year
        else:
            runs.append([year, year])
    return ", ".join(str(a) if a == b else f"{a}-{b}" for a, b in runs)


def arrivals_fit(
    yearly: pd.DataFrame,
    observed: pd.DataFrame | pd.Series,
    years: Sequence[int],
    column: str = "arrivals_south_korea",
    weights: Mapping | pd.Series | None = None,
    label: str = "",
    resamples: int = 0,
) -> ArrivalsFit:
    """Compare simulated yearly arrivals with observed ones over some years.

    Args:
        yearly: Long yearly table (``replicate``, ``year``, ``column``).
        observed: Observed arrivals by year (``year, arrivals`` table or Series by year).
        years: Years to compare; those not both observed and simulated are left out.
        column: The simulated output.
        weights: Weight of each replicate by id (default: equal).
        label: What the years are, for reports.
        resamples: If positive, also the range of ``covered`` over this many resamples of
            the replicates (``covered_resampled``, as :func:`coverage_resampled` gives them,
            with its fixed seed); 0 leaves it out (the calibration's distance needs none).

    Returns:
        The metrics and the per-year table.

    Raises:
        ValueError: If ``column`` is not in the table or no year is both observed and
            simulated.
    """
    if column not in yearly.columns:
        raise ValueError(f"the yearly table has no column {column!r}")
    obs = observed_series(observed)
    simulated = set(yearly["year"].astype(int).tolist())
    chosen = sorted(y for y in set(years) if y in obs.index and y in simulated)
    if not chosen:
        raise ValueError(
            f"no year of {year_span(list(years))} is both observed "
            f"({year_span(list(obs.index))}) and simulated ({year_span(sorted(simulated))})"
        )
    wide = wide_table(yearly, column, chosen)
    w = replicate_weights(wide.index, weights)
    table = bands_of(wide, w)
    table.insert(1, "observed", obs.reindex(table["year"]).to_numpy())
    table["inside_90"] = (table["observed"] >= table["q05"]) & (table["observed"] <= table["q95"])
    # The band's width in units of the observed value (none where nothing was observed).
    with np.errstate(divide="ignore", invalid="ignore"):
        width = (table["q95"] - table["q05"]).to_numpy(dtype=float)
        table["band_width"] = np.where(
            table["observed"] > 0, width / table["observed"].to_numpy(dtype=float), np.nan
        )
    table["observed_quantile"] = [
        observed_quantile(wide[year].to_numpy(), o, w)
        for year, o in zip(table["year"], table["observed"], strict=True)
    ]
    o = table["observed"].to_numpy()
    m = table["median"].to_numpy()
    diff = np.log1p(m) - np.log1p(o)
    covered_resampled = None
    if resamples > 0:
        counts = coverage_counts(wide.to_numpy(), o, w, resamples, COVERAGE_RESAMPLING_SEED)
        bounds = np.quantile(counts, [0.05, 0.95], method="inverted_cdf")
        covered_resampled = (int(bounds[0]), int(bounds[1]))
    return ArrivalsFit(
        label=label,
        years=tuple(chosen),
        table=table,
        mae_log=float(np.mean(np.abs(diff))),
        rms_log=float(np.sqrt(np.mean(diff**2))),
        ard=float(np.sum(np.abs(m - o)) / np.sum(o)),
        covered=int(table["inside_90"].sum()),
        covered_resampled=covered_resampled,
        widest_band=float(np.nanmax(table["band_width"]))
        if table["band_width"].notna().any()
        else float("nan"),
    )


@dataclass(frozen=True)
class TargetCheck:
    """A secondary target and what the runs gave.

    Attributes:
        target: The target.
        values: The median over replicates in each of the target's years (one value for a
            summary output).
        miss: The largest miss over those years (0 if it holds; see :meth:`Target.miss`).
    """

    target: Target
    values: tuple[float, ...]
    miss: float

    @property
    def holds(self) -> bool:
        """Whether every value is within the target's range."""
        return self.miss == 0.0

    @property
    def penalty(self) -> float:
        """The target's weight times its miss: its part of the calibration distance."""
        return self.target.weight * self.miss if self.target.weight else 0.0

    def simulated_text(self) -> str:
        """The simulated value(s) in words (a range over years for a yearly stock)."""
        finite = [v for v in self.values if math.isfinite(v)]
        if not finite:
            return "n/a"
        low, high = min(finite), max(finite)
        if len(self.values) == 1 or low == high:
            return self.target.value_text(low)
        return f"{self.target.value_text(low)}-{self.target.value_text(high)}"


def check_target(
    target: Target,
    yearly: pd.DataFrame,
    summary: pd.DataFrame,
    weights: Mapping | pd.Series | None = None,
) -> TargetCheck:
    """Compare one secondary target with the runs (median over replicates per year).

    Raises:
        TargetError: If the tables lack the target's output or years.
    """
    per_replicate = target.per_replicate(yearly, summary)
    w = replicate_weights(per_replicate.index, weights)
    values = tuple(
        weighted_quantile(per_replicate[c].to_numpy(dtype=float), 0.5, w)
        for c in per_replicate.columns
    )
    miss = max(target.miss(v) for v in values)
    return TargetCheck(target=target, values=values, miss=miss)


@dataclass
class FitReport:
    """Fit metrics of one set of runs against the article, printable and writable.

    Attributes:
        title: What was compared (``Fit of results/baseline/...``).
        n_replicates: Replicates (or weighted samples) compared.
        fits: Arrivals metrics for each set of years (fitted, held-out, all of Table 1).
        checks: The secondary targets.
        notes: Lines printed under the title (where the numbers come from).
    """

    title: str
    n_replicates: int
    fits: list[ArrivalsFit]
    checks: list[TargetCheck] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def metrics_table(self) -> pd.DataFrame:
        """One row per set of years: the four arrivals metrics."""
        return pd.DataFrame(
            [
                {
                    "years": f"{f.label} ({f.span})" if f.label else f.span,
                    "MAE log": round(f.mae_log, 3),
                    "RMS log": round(f.rms_log, 3),
                    "ARD": round(f.ard, 3),
                    "90% band covers": f"{f.covered}/{f.n_years}",
                    "on resampling": _count_range(f.covered_resampled),
                    "widest band / observed": round(f.widest_band, 2),
                }
                for f in self.fits
            ]
        )

    def targets_table(self) -> pd.DataFrame:
        """One row per secondary target: expected, simulated, holds, weight, penalty."""
        return pd.DataFrame(
            [
                {
                    "target": c.target.name,
                    "expected": c.target.expected_text(),
                    "simulated (median)": c.simulated_text(),
                    "holds": "yes" if c.holds else "no",
                    "weight": c.target.weight,
                    "penalty": round(c.penalty, 3),
                }
                for c in self.checks
            ]
        )

    def years_table(self) -> pd.DataFrame:
        """Per year of Table 1 compared: observed, median, 90% band and whether it covers."""
        frames = [f.table for f in self.fits]
        table = pd.concat(frames).drop_duplicates("year").sort_values("year")
        out = pd.DataFrame(
            {
                "year": table["year"].astype(int),
                "observed": table["observed"].round().astype(int),
                "median": table["median"].round(1),
                "5%": table["q05"].round(1),
                "95%": table["q95"].round(1),
                "in 90% band": np.where(table["inside_90"], "yes", "no"),
                "band / observed": table["band_width"].round(2),
                "observed quantile": [f"{q:.1%}" for q in table["observed_quantile"]],
            }
        )
        return out.reset_index(drop=True)

    def to_markdown(self, level: int = 1) -> str:
        """The report as Markdown (``fit.md``), its title a heading of ``level``."""
        head = "#" * level
        lines = [f"{head} {self.title}", ""]
        lines += [*self.notes, ""] if self.notes else []
        lines += [f"{head}# Arrivals in South Korea against Table 1", ""]
        lines += [_markdown_table(self.metrics_table()), ""]
        lines += [
            "MAE log: mean absolute error of log(arrivals + 1); RMS log: its root mean square; "
            "ARD: averaged relative difference (Flee), sum |median - observed| / sum observed; "
            "90% band: observed years inside the 5-95% range of the replicates; on "
            "resampling: the 5-95% range of that count over "
            f"{COVERAGE_RESAMPLES:,} resamples of the replicates (what another set of as many "
            "replicates could give); widest band / observed: the largest width of a year's "
            "90% band over its observed value (band / observed, year by year): a band that "
            "covers by being wide says little. Simulated = median over replicates. Observed "
            "quantile (year by year): the share of replicates below the observed value; "
            "under 5% or over 95% is outside the band.",
            "",
        ]
        if self.checks:
            lines += [f"{head}# Other figures of the article", ""]
            lines += [_markdown_table(self.targets_table()), ""]
        lines += [f"{head}# Year by year", "", _markdown_table(self.years_table()), ""]
        return "\n".join(lines)

    def to_text(self) -> str:
        """The report for a terminal."""
        lines = [self.title, "=" * len(self.title), *self.notes, ""]
        lines += [self.metrics_table().to_string(index=False), ""]
        if self.checks:
            lines += [self.targets_table().to_string(index=False), ""]
        lines += [self.years_table().to_string(index=False)]
        return "\n".join(lines) + "\n"


def _count_range(bounds: tuple[int, int] | None) -> str:
    if bounds is None:
        return "-"
    low, high = bounds
    return str(low) if low == high else f"{low}-{high}"


def _markdown_table(frame: pd.DataFrame) -> str:
    header = "| " + " | ".join(map(str, frame.columns)) + " |"
    rule = "|" + "|".join("---" for _ in frame.columns) + "|"
    body = ["| " + " | ".join(str(v) for v in row) + " |" for row in frame.itertuples(index=False)]
    return "\n".join([header, rule, *body])


def fit_periods(
    years: tuple[int, int],
    observed: pd.DataFrame | pd.Series,
    simulated: Sequence[int] | None = None,
) -> list[tuple[str, list[int]]]:
    """The sets of years a report shows: the fitted years, the other observed years, all.

    Args:
        years: First and last fitted year.
        observed: The observed arrivals.
        simulated: The simulated years (default: all observed years count).

    Returns:
        ``(label, years)`` pairs of years both observed and simulated; "other years" and
        "all of Table 1" only when some observed years are not fitted.

    Raises:
        ValueError: If no fitted year is both observed and simulated.
    """
    all_years = sorted(int(y) for y in observed_series(observed).index)
    if simulated is not None:
        all_years = [y for y in all_years if y in set(simulated)]
    fitted = [y for y in all_years if years[0] <= y <= years[1]]
    if not fitted:
        raise ValueError(
            f"years {years[0]}-{years[1]}: none is both observed and simulated "
            f"(those are {year_span(all_years)})"
        )
    other = [y for y in all_years if y not in fitted]
    periods = [("fitted years", fitted)]
    if other:
        periods.append(("other years", other))
        periods.append(("all of Table 1", all_years))
    return periods


def fit_report(
    yearly: pd.DataFrame,
    summary: pd.DataFrame,
    observed: pd.DataFrame | pd.Series,
    years: tuple[int, int],
    targets: Sequence[Target] = (),
    column: str = "arrivals_south_korea",
    weights: Mapping | pd.Series | None = None,
    title: str = "Fit to the article",
    notes: Sequence[str] = (),
) -> FitReport:
    """All fit metrics of a set of runs: arrivals over the fitted and other years, targets.

    Args:
        yearly: Long yearly table.
        summary: Summary table (one row per replicate).
        observed: Observed arrivals by year (Table 1).
        years: First and last fitted year (the rest of Table 1 is reported as "other years").
            Raises ``ValueError`` if none of them is observed and simulated.
        targets: Secondary targets to check.
        column: Yearly output compared with the observed arrivals.
        weights: Weight of each replicate by id (default: equal).
        title: Report title.
        notes: Lines under the title.

    Returns:
        The report.
    """
    simulated = sorted(set(yearly["year"].astype(int).tolist())) if len(yearly) else []
    fits = [
        arrivals_fit(yearly, observed, chosen, column, weights, label, COVERAGE_RESAMPLES)
        for label, chosen in fit_periods(years, observed, simulated)
    ]
    checks = [check_target(t, yearly, summary, weights) for t in targets]
    n = int(yearly["replicate"].nunique()) if "replicate" in yearly.columns else 0
    return FitReport(title=title, n_replicates=n, fits=fits, checks=checks, notes=list(notes))
