"""A comparison as a short Markdown report: one quotable sentence per outcome, and a table.

Each sentence says what the what-if does to one outcome, with the median paired difference
and its 95% interval, e.g. "Under china-non-refoulement, arrivals in South Korea over
1990-2008 rise by 1,234 [95% CI 1,100 to 1,370], from a baseline median of 10,500." When
the interval includes zero the sentence says the change cannot be told from no change.
Each sentence also gives the what-if's median beside the baseline's ("falls by 16 from a
baseline median of 16" could read as falling to zero where the what-if's median is 1).

With fewer than :data:`~nkroutes.analysis.paired.MIN_PAIRS` paired replicates a note says
the intervals and p-values mean little, and since a sentence is quoted without the note,
each sentence carries its own caveat: in place of the "95% CI", "the range of 4 paired
differences" and the two-sided sign test's p (0.125 when all 4 go one way).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from nkroutes.analysis.outcomes import (
    RUN_OUTCOMES,
    comparison_outcomes,
    destination_names,
    format_difference,
    format_number,
    format_value,
    period_of,
)
from nkroutes.analysis.paired import MIN_PAIRS

if TYPE_CHECKING:
    from nkroutes.analysis.compare import Comparison


#: Wilcoxon p-value below which a change whose median interval includes zero is still
#: described as a consistent shift rather than "no change".
SHIFT_P = 0.05


def _p_text(p: float) -> str:
    return "< 0.001" if p < 0.001 else f"= {p:.3f}"


def _verb(plural: bool, rising: bool) -> str:
    if rising:
        return "rise" if plural else "rises"
    return "fall" if plural else "falls"


def _magnitude(value: float, kind: str) -> str:
    """An unsigned amount with its unit, as a sentence writes it."""
    if kind == "share":
        return f"{100 * abs(value):,.1f} percentage points"
    if kind == "months":
        return f"{abs(value):,.1f} months"
    if kind == "usd":
        return f"US${abs(value):,.0f}"
    return f"{abs(value):,.0f}"


def _bare(value: float, kind: str) -> str:
    """An unsigned amount without unit words (for the second end of an interval)."""
    if kind == "share":
        return f"{100 * abs(value):,.1f}"
    if kind == "months":
        return f"{abs(value):,.1f}"
    if kind == "usd":
        return f"US${abs(value):,.0f}"
    return f"{abs(value):,.0f}"


def _signed_bare(value: float, kind: str) -> str:
    """A signed amount without unit words (interval ends): ``+1,234``, ``-0.2``, ``+US$5``."""
    sign = "-" if value < 0 else "+"
    return sign + _bare(value, kind)


def sign_test_p(higher: int, lower: int) -> float:
    """Two-sided sign test: the chance of a split as uneven as ``higher``/``lower`` or more.

    Ties are left out; with no untied pair the p-value is 1.
    """
    n = higher + lower
    if n == 0:
        return 1.0
    tail = sum(math.comb(n, i) for i in range(min(higher, lower) + 1)) / 2**n
    return min(1.0, 2 * tail)


def _interval(row: dict[str, Any], first: str, second: str) -> str:
    """The interval after an amount: a 95% CI, or with few pairs what it really is."""
    pairs = int(row["pairs"])
    if pairs >= MIN_PAIRS:
        return f"[95% CI {first} to {second}]"
    higher = round(row["share_higher"] * pairs)
    lower = round(row["share_lower"] * pairs)
    p = sign_test_p(higher, lower)
    return (
        f"[not a 95% CI: the range of only {pairs} paired differences, {first} to {second}; "
        f"sign test p {_p_text(p)}]"
    )


def _medians(row: dict[str, Any], kind: str, sentence_end: bool) -> str:
    """The baseline's median and, if known, the what-if's."""
    base = format_value(row["baseline_median"], kind)
    whatif = row.get("whatif_median")
    known = whatif is not None and not math.isnan(whatif)
    if sentence_end:
        text = f"from a baseline median of {base}"
        return text + (f" to a what-if median of {format_value(whatif, kind)}" if known else "")
    text = f"baseline median {base}"
    return text + (f", what-if median {format_value(whatif, kind)}" if known else "")


def outcome_sentence(row: dict[str, Any], whatif: str, phrase: str, plural: bool) -> str:
    """One sentence on one outcome of one what-if, for a policy reader to quote.

    Args:
        row: A row of the comparison table (as a dict).
        whatif: The what-if's name.
        phrase: The outcome's noun phrase, period filled in.
        plural: Whether the phrase takes a plural verb.

    Returns:
        The sentence.
    """
    kind = row["unit"]
    subject = f"Under {whatif}, {phrase}"
    median, low, high = row["median_difference"], row["ci_low"], row["ci_high"]
    base = format_value(row["baseline_median"], kind)
    if not row["pairs"] or math.isnan(median):
        return f"{subject} cannot be compared: no replicate has a value in both scenarios."
    if row["share_higher"] == 0 and row["share_lower"] == 0:
        verb = "are" if plural else "is"
        return f"{subject} {verb} the same in every replicate (baseline median {base})."
    if low > 0 or high < 0:
        rising = median > 0
        first, second = (low, high) if rising else (high, low)
        return (
            f"{subject} {_verb(plural, rising)} by {_magnitude(median, kind)} "
            f"{_interval(row, _bare(first, kind), _bare(second, kind))}, "
            f"{_medians(row, kind, True)}."
        )
    verb = "change" if plural else "changes"
    interval = _interval(row, _signed_bare(low, kind), _signed_bare(high, kind))
    p = row.get("wilcoxon_p", float("nan"))
    if not math.isnan(p) and p < SHIFT_P:
        # The median barely moves but the replicates lean one way (small counts, skew).
        pairs = row["pairs"]
        higher = round(row["share_higher"] * pairs)
        lower = round(row["share_lower"] * pairs)
        return (
            f"{subject} {verb} by a median of {format_value(median, kind, signed=True)} "
            f"{interval}, but the what-if is higher in {higher} and lower in {lower} of "
            f"{pairs} paired replicates (Wilcoxon p {_p_text(p)}): a small, consistent shift "
            f"({_medians(row, kind, False)})."
        )
    return (
        f"{subject} {verb} by {format_value(median, kind, signed=True)} {interval}: "
        f"not distinguishable from no change with {row['pairs']} paired replicates "
        f"({_medians(row, kind, False)})."
    )


def _p_value(p: float) -> str:
    if math.isnan(p):
        return "n/a"
    return "<0.001" if p < 0.001 else f"{p:.3f}"


def _table(rows: list[dict[str, Any]]) -> list[str]:
    lines = [
        "| Outcome | Baseline median [5%-95%] | What-if median [5%-95%] "
        "| Difference [95% CI] | p (Wilcoxon) | What-if higher in |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        kind = row["unit"]

        def spread(prefix: str, kind: str = kind, row: dict[str, Any] = row) -> str:
            return (
                f"{format_number(row[f'{prefix}_median'], kind)} "
                f"[{format_number(row[f'{prefix}_q05'], kind)}-"
                f"{format_number(row[f'{prefix}_q95'], kind)}]"
            )

        low, high = (format_difference(row[c], kind) for c in ("ci_low", "ci_high"))
        difference = f"{format_difference(row['median_difference'], kind)} [{low} to {high}]"
        higher = (
            f"{round(row['share_higher'] * row['pairs'])} of {row['pairs']}"
            if row["pairs"]
            else "n/a"
        )
        lines.append(
            f"| {row['label']} | {spread('baseline')} | {spread('whatif')} | {difference} "
            f"| {_p_value(row['wilcoxon_p'])} | {higher} |"
        )
    return lines


def few_pairs_note(comparison: Comparison) -> str | None:
    """A warning when some differences rest on fewer than :data:`MIN_PAIRS` pairs, or ``None``.

    Plain text (one paragraph) that reads the same in ``comparison.md`` and on the terminal.
    """
    compared = [r for r in comparison.table.to_dict("records") if r["pairs"]]
    few = [r for r in compared if r["pairs"] < MIN_PAIRS]
    if not few:
        return None
    if len(few) == len(compared):
        counts = sorted({int(r["pairs"]) for r in few})
        n = str(counts[0]) if len(counts) == 1 else f"{counts[0]} to {counts[-1]}"
        return (
            f"with only {n} paired replicates the 95% intervals and p-values mean little: the "
            "interval is the whole range of the differences, and the Wilcoxon test cannot "
            f"reach p < 0.05 with fewer than {MIN_PAIRS} pairs. Run at least {MIN_PAIRS} "
            "replicates (more for small effects) before quoting an effect."
        )
    listed = "; ".join(f"{r['label']} under {r['whatif']} ({r['pairs']} pairs)" for r in few)
    return (
        f"fewer than {MIN_PAIRS} replicates have a value in both scenarios for: {listed}. "
        "Their intervals and p-values mean little."
    )


def _destination_notes(comparison: Comparison, whatif: str) -> list[str]:
    """Say which destinations only one of the baseline and the what-if has."""
    base = destination_names(comparison.results[comparison.baseline].scenario)
    other = destination_names(comparison.results[whatif].scenario)
    notes = [
        f"{_capital(name)} is a destination under {whatif} only: arrivals there count as 0 "
        f"in {comparison.baseline}."
        for place, name in other.items()
        if place not in base
    ]
    notes += [
        f"{_capital(name)} is a destination in {comparison.baseline} only: arrivals there "
        f"count as 0 under {whatif}."
        for place, name in base.items()
        if place not in other
    ]
    return notes


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def comparison_markdown(comparison: Comparison) -> str:
    """The comparison as Markdown: a heading, how to read it, and per what-if sentences and a table.

    Args:
        comparison: The comparison.

    Returns:
        The report text (ends with a newline).
    """
    base = comparison.results[comparison.baseline]
    period, end = period_of(base.scenario)
    outcomes = {
        o.column: o for o in comparison_outcomes(*(r.scenario for r in comparison.results.values()))
    }
    n = comparison.replicates
    names = ", ".join(comparison.whatifs)
    lines = [
        f"# {names} compared with {comparison.baseline}",
        "",
        f"{n} replicates of each scenario over {period} (seed {comparison.seed}). Replicate k "
        "of every scenario uses the same random numbers (common random numbers), so each "
        "difference is paired: the what-if minus the baseline in the same replicate. "
        f"A difference is the median of the {n} paired differences with a bootstrap 95% "
        "confidence interval; p is the Wilcoxon signed-rank test of no difference; the last "
        "column counts the replicates in which the what-if is higher. Medians and 5%-95% "
        "ranges describe the spread of each scenario over replicates. Shares are of arrivals; "
        "pp: percentage points; money in US$.",
    ]
    note = few_pairs_note(comparison)
    if note:
        lines += ["", f"**Note:** {_capital(note)}"]
    base_description = comparison.descriptions.get(comparison.baseline)
    if base_description:
        lines += ["", f"Baseline ({comparison.baseline}): {base_description}"]
    for whatif in comparison.whatifs:
        rows = [r for r in comparison.table.to_dict("records") if r["whatif"] == whatif]
        lines += ["", f"## {whatif}", ""]
        description = comparison.descriptions.get(whatif)
        # A what-if without its own description inherits the baseline's through extends:
        # that one says what the baseline is, not what the what-if changes.
        if description and description != base_description:
            lines += [f"*{description}*", ""]
        for text in _destination_notes(comparison, whatif):
            lines += [text, ""]
        for row in rows:
            outcome = outcomes.get(row["outcome"])
            if outcome is None:
                continue
            sentence = outcome_sentence(row, whatif, outcome.describe(period, end), outcome.plural)
            lines.append(f"- {sentence}")
        lines += ["", *_table(rows)]
    return "\n".join(lines) + "\n"


def headline_effects(comparison: Comparison) -> str:
    """The effects a terminal shows after a comparison: per what-if, the run's key outcomes.

    For each what-if, the outcomes ``nkroutes run`` prints (arrivals, repatriations, deaths,
    the broker share): the median paired difference, its 95% interval (with fewer than
    :data:`~nkroutes.analysis.paired.MIN_PAIRS` pairs, the range of the differences,
    headed so), and both medians. ``comparison.md`` has every outcome, in sentences.

    Args:
        comparison: The comparison.

    Returns:
        Plain text, one block per what-if (no trailing newline).
    """
    period, _ = period_of(comparison.results[comparison.baseline].scenario)
    columns = [o.column for o in RUN_OUTCOMES]
    labels = {o.column: o.label for o in RUN_OUTCOMES}
    width = max(len(label) for label in labels.values()) + 2
    blocks = []
    for whatif in comparison.whatifs:
        rows = [
            r
            for r in comparison.table.to_dict("records")
            if r["whatif"] == whatif and r["outcome"] in labels
        ]
        rows.sort(key=lambda r: columns.index(r["outcome"]))
        few = any(0 < r["pairs"] < MIN_PAIRS for r in rows)
        interval = "range of differences" if few else "95% CI"
        cells = [
            (
                labels[r["outcome"]],
                format_difference(r["median_difference"], r["unit"]),
                f"{format_difference(r['ci_low'], r['unit'])} to "
                f"{format_difference(r['ci_high'], r['unit'])}",
                format_number(r["baseline_median"], r["unit"]),
                format_number(r["whatif_median"], r["unit"]),
            )
            for r in rows
        ]
        spans = max([len(interval), *(len(c[2]) for c in cells)])
        lines = [
            f"{whatif} minus {comparison.baseline}, {period}",
            f"{'':<{width}}{'difference':>10}   {interval:<{spans}}   "
            f"{'baseline':>10}   {'what-if':>10}",
        ]
        lines += [
            f"{label:<{width}}{difference:>10}   {span:<{spans}}   {base:>10}   {other:>10}"
            for label, difference, span, base, other in cells
        ]
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)
