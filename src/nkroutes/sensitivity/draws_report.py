"""``comparison.md`` of ``compare --draws``: each effect over parameters and replicates."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

from nkroutes.analysis.outcomes import format_difference
from nkroutes.text import plural

if TYPE_CHECKING:
    from nkroutes.sensitivity.draws import DrawsComparison


def _fmt(value: float, unit: str) -> str:
    return format_difference(value, unit)


def effect_sentence(row: dict) -> str:
    """One effect in words: median, 90% interval over points, widening and robustness."""
    unit = row["unit"]
    robust = row["robust_share"]
    kept = (
        "its sign is not defined (median 0)"
        if math.isnan(robust)
        else f"robust in {robust:.0%} of draws (the point's median effect has this sign)"
    )
    widening = row["widening"]
    wider = (
        f", {widening:.1f} times as wide as over replicates alone "
        f"({_fmt(row['replicate_q05'], unit)} to {_fmt(row['replicate_q95'], unit)})"
        if math.isfinite(widening)
        else ""
    )
    return (
        f"{row['whatif']} changes {row['label']} by {_fmt(row['draws_median'], unit)} "
        f"(median over {row['points']} parameter points and their replicates; 90% interval "
        f"{_fmt(row['draws_q05'], unit)} to {_fmt(row['draws_q95'], unit)}{wider}); {kept}."
    )


def draws_markdown(outcome: DrawsComparison, figures: Sequence[str]) -> str:
    """The text of ``comparison.md`` for a comparison over parameter draws."""
    central = outcome.central
    k = len(outcome.draws)
    source = (
        "a Latin hypercube over the baseline's [[uncertainty]] ranges"
        if outcome.source == "ranges"
        else f"the posterior of `{outcome.source}` (calibrated values; the other ranges from a "
        "Latin hypercube)"
    )
    lines = [
        f"# Effects over parameter uncertainty: {', '.join(central.whatifs)} vs {central.baseline}",
        "",
        f"Every scenario ran at {plural(k, 'parameter point')} drawn from {source}, each "
        f"with {plural(central.replicates, 'replicate')} (seed {central.seed}; the same "
        "replicate seeds for every scenario and point), and once at its own values "
        f"(`{'central'}/`, the replicate-only comparison). A what-if keeps its own value of a "
        "ranged value it changes. Intervals are 90% of all paired differences (what-if minus "
        "baseline, same seed and point); the replicate-only one is 90% of the pairs at the "
        "scenarios' own values; the usual comparison's bracket is the 95% bootstrap "
        "interval of its median.",
        "",
    ]
    for _, row in outcome.table.iterrows():
        lines.append(f"- {effect_sentence(row.to_dict())}")
    lines += [
        "",
        "| what-if | outcome | median (usual) | 95% CI of median | 90% over replicates | "
        "median over draws | 90% over draws and replicates | x wider | robust |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for _, r in outcome.table.iterrows():
        u = r["unit"]
        lines.append(
            f"| {r['whatif']} | {r['label']} | {_fmt(r['median_difference'], u)} | "
            f"{_fmt(r['ci_low'], u)} to {_fmt(r['ci_high'], u)} | "
            f"{_fmt(r['replicate_q05'], u)} to {_fmt(r['replicate_q95'], u)} | "
            f"{_fmt(r['draws_median'], u)} | {_fmt(r['draws_q05'], u)} to "
            f"{_fmt(r['draws_q95'], u)} | {r['widening']:.1f} | {r['robust_share']:.0%} |"
        )
    lines += [
        "",
        "Each point's values are in `points.csv`, each point's comparison in `draw-NN/`, the "
        "table in `draws.csv`.",
    ]
    if figures:
        lines += ["", *[f"![{f}](plots/{f})" for f in figures]]
    return "\n".join(lines) + "\n"
