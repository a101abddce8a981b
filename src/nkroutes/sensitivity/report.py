"""``sensitivity.md``: ranked tables of the indices and one plain sentence per outcome."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from nkroutes.scenario import ScenarioError, load_scenario
from nkroutes.sensitivity.design import RESAMPLES, TOP_PLACES
from nkroutes.sensitivity.outcomes import describe
from nkroutes.sensitivity.plan import Plan
from nkroutes.text import plural

#: The share of mu* (Morris), of the variance (Sobol) or of the swings (ends) the sentence
#: accounts for.
SHARE = 0.8

#: The index each method ranks by.
RANK_BY = {"morris": "mu_star", "sobol": "ST", "ends": "swing"}

#: What the sentence says it shares out, by method.
MEASURE = {
    "morris": "the summed mu*",
    "sobol": "the variance (total indices)",
    "ends": "the summed swing (each value alone, end to end)",
}

#: An ``ends`` fold above this is named in the report: an end that alone moves the outcome
#: this many times from the centre's (history matching: 3-fold from a fit to Table 1).
FOLD_FLAG = 3.0

#: A value in the top places in at least this share of resamples has a settled place there.
SETTLED = 0.95

#: Values outside the top places named as contenders when in them this often or more.
CONTENDER = 0.1

#: Rows of each ranked table.
TOP = 10

_WORDS = {1: "One", 2: "Two", 3: "Three", 4: "Four", 5: "Five", 6: "Six", 7: "Seven"}


def subject(label: str) -> str:
    """An outcome label in words: ``the effect of W on arrivals`` or ``arrivals``."""
    if ": " in label:
        what_if, outcome = label.split(": ", 1)
        return f"the effect of {what_if} on {outcome}"
    return label


def _count(n: int) -> str:
    return _WORDS.get(n, str(n))


def ranking(indices: pd.DataFrame, label: str, method: str) -> pd.DataFrame:
    """One outcome's parameters, most influential first (by mu*, ST or swing)."""
    key = RANK_BY[method]
    rows = indices[indices["outcome"] == label]
    wide = rows.pivot(index="parameter", columns="index", values="value")
    low = rows[rows["index"] == key].set_index("parameter")["ci_low"]
    high = rows[rows["index"] == key].set_index("parameter")["ci_high"]
    wide["ci_low"], wide["ci_high"] = low, high
    order = sorted(wide.index, key=lambda p: (-wide.loc[p, key], p))
    return wide.loc[order]


def sentence(ranked: pd.DataFrame, label: str, method: str, k: int) -> str:
    """The plain sentence: the few parameters that carry most of the outcome's spread."""
    key = RANK_BY[method]
    values = ranked[key].clip(lower=0)
    total = float(values.sum())
    what = subject(label)
    if total <= 0:
        return f"None of the {k} ranged values changes {what}."
    if method == "sobol" and total < SHARE:
        return (
            f"The ranged values together explain only {total:.0%} of the variance of {what} "
            "(total indices); the rest is replicate noise or numerical error."
        )
    cumulative, chosen = 0.0, []
    for name, value in values.items():
        chosen.append(f"{name} ({value / total:.0%})")
        cumulative += value
        if cumulative >= SHARE * total:
            break
    n = len(chosen)
    noun = "assumptions carries" if n == 1 else "assumptions carry"
    text = f"{_count(n)} of {k} {noun} {SHARE:.0%} of {MEASURE[method]} of {what}: "
    return text + f"{', '.join(chosen)}."


def fold_sentence(ranked: pd.DataFrame, label: str) -> str:
    """``ends``: the values whose end alone moves the outcome :data:`FOLD_FLAG`-fold or more."""
    if ranked["fold"].isna().all():
        return ""
    far = ranked[ranked["fold"] >= FOLD_FLAG].sort_values("fold", ascending=False)
    what = subject(label)
    if far.empty:
        return f"No value alone moves {what} {FOLD_FLAG:g}-fold from the centre's."
    named = ", ".join(
        f"{p} ({row['at_low']:.4g} at its low end, {row['at_high']:.4g} at its high end)"
        for p, row in far.iterrows()
    )
    central = float(far["central"].iloc[0])
    return (
        f"{plural(len(far), 'value')} alone {'moves' if len(far) == 1 else 'move'} {what} "
        f"{FOLD_FLAG:g}-fold or more from the centre's {central:.4g}: {named}."
    )


def stability_sentence(ranked: pd.DataFrame, trajectories: int) -> str:
    """Morris: how settled the top places are, from the bootstrap over the trajectories.

    Names the values whose place in the top :data:`TOP_PLACES` holds in nearly every
    resample, and the contenders with the share of resamples that put each there.
    """
    if "top_share" not in ranked:
        return ""
    places = min(TOP_PLACES, len(ranked))
    same = float(ranked["top_set_share"].iloc[0])
    shares = ranked["top_share"].sort_values(ascending=False, kind="stable")
    settled = [name for name, v in shares.items() if v >= SETTLED]
    contenders = [f"{name} ({v:.0%})" for name, v in shares.items() if CONTENDER <= v < SETTLED]
    text = (
        f"Ranking stability: in {RESAMPLES:,} bootstrap resamples of the "
        f"{plural(trajectories, 'trajectory', 'trajectories')}, the top {places} are these "
        f"same {places} in {same:.0%}."
    )
    if settled:
        text += f" In the top {places} in {SETTLED:.0%} or more: {', '.join(settled)}."
    if contenders:
        left = places - len(settled)
        text += (
            f" Contending for the {'other ' if settled else ''}{plural(left, 'place')}: "
            f"{', '.join(contenders)}."
        )
    if same < SETTLED:
        text += (
            " Read the places below the settled ones as a group of similar weight; more "
            "trajectories (-r) narrow it."
        )
    return text


def _table(ranked: pd.DataFrame, method: str, plan: Plan) -> list[str]:
    by_id = {r.id: r for r in plan.ranges}
    if method == "ends":
        lines = [
            "| parameter | swing | at low end | at high end | fold | range |",
            "|---|---|---|---|---|---|",
        ]
    elif method == "morris":
        lines = [
            f"| parameter | mu* | 95% interval | mu | sigma | in top {TOP_PLACES} | range |",
            "|---|---|---|---|---|---|---|",
        ]
    else:
        lines = ["| parameter | ST | 95% interval | S1 | range |", "|---|---|---|---|---|"]
    for name, row in ranked.head(TOP).iterrows():
        r = by_id[name]
        span = f"{r.low:g}-{r.high:g}{' (log)' if r.log else ''}"
        interval = f"{row['ci_low']:.4g} to {row['ci_high']:.4g}"
        if method == "ends":
            folds = f"{row['fold']:.3g}" if pd.notna(row["fold"]) else "-"  # not all positive
            lines.append(
                f"| {name} | {row['swing']:.4g} | {row['at_low']:.4g} | {row['at_high']:.4g} | "
                f"{folds} | {span} |"
            )
        elif method == "morris":
            lines.append(
                f"| {name} | {row['mu_star']:.4g} | {interval} | {row['mu']:.4g} | "
                f"{row['sigma']:.4g} | {row['top_share']:.0%} | {span} |"
            )
        else:
            lines.append(f"| {name} | {row['ST']:.3f} | {interval} | {row['S1']:.3f} | {span} |")
    return lines


def not_as_in_their_files(plan: Plan) -> list[str]:
    """The plan's scenarios that a command line naming their files would not run.

    Those made from a dict, or loaded and then changed (``with_overrides``, a Python
    call's ``load_scenario(file, overrides)``), or whose file has changed since.
    """
    changed = []
    for scenario in (plan.base, *plan.what_ifs):
        try:
            same = scenario.path is not None and load_scenario(scenario.path) == scenario
        except (ScenarioError, OSError):
            same = False
        if not same:
            changed.append(f"`{scenario.source}`")
    return changed


def reproducing_command(plan: Plan) -> str:
    """The command line that runs this analysis again (folder options left out)."""
    s = plan.settings
    parts = ["nkroutes sensitivity", plan.base.source, "--method", s.method]
    if s.method != "ends":
        parts += ["--trajectories" if s.method == "morris" else "--samples", str(s.size)]
    parts += ["-n", str(s.replicates), "--seed", str(s.seed)]
    for w in plan.what_ifs:
        parts += ["--whatif", w.source]
    for p in s.params:
        parts += ["--param", p]
    for o in s.outcomes:
        parts += ["--outcome", o]
    return " ".join(parts)


def report_markdown(
    plan: Plan,
    indices: pd.DataFrame,
    skipped: dict[str, str],
    command: str,
    figures: Sequence[str],
) -> str:
    """The text of ``sensitivity.md`` (no times or dates: a resumed run writes the same).

    Args:
        plan: The plan run.
        indices: The tidy indices.
        skipped: Outcomes left out, and why.
        command: The command as typed (recorded in ``manifest.json``, not here).
        figures: Figure file names in ``figures/``.
    """
    method = plan.settings.method
    k = len(plan.ranges)
    title = {"morris": "Morris screening", "sobol": "Sobol indices"}.get(
        method, "Each value alone at its ends"
    )
    lines = [
        f"# {title} of {plan.base.name}",
        "",
        f"- scenario: `{plan.base.source}` (sha256 {plan.base.hash[:12]})",
        *[f"- what-if: `{w.source}` (sha256 {w.hash[:12]})" for w in plan.what_ifs],
        f"- {plural(k, 'ranged value')} ([[uncertainty]]), {plural(len(plan.points), 'point')}, "
        f"{plural(plan.settings.replicates, 'replicate')} per scenario and point "
        f"(the same seeds everywhere), seed {plan.settings.seed}",
    ]
    changed = not_as_in_their_files(plan)
    if changed:
        lines.append(
            f"- command: none reproduces it: {', '.join(changed)} differ from their files "
            "(changed after loading, e.g. from Python); the hashes above identify them"
        )
    else:
        lines.append(f"- command: `{reproducing_command(plan)}`")
    if method == "ends":
        lines += [
            "",
            "Point 0 is the scenario's own values (the centre); then each value alone at its "
            "low and at its high end, every other at its own value. The swing is the change "
            "of the outcome from one end to the other (a tornado chart's bar); the fold, how "
            "many times the outcome at the farther end is above or below the centre's. "
            "Interactions are not seen: screen with Morris for those.",
        ]
    elif method == "morris":
        lines += [
            "",
            "mu* is the mean absolute change of the outcome when the value moves across its "
            "whole range (in the outcome's unit); sigma, the spread of that change (large: "
            "the value interacts or acts non-linearly). A mu* whose interval reaches 0 may be "
            "noise. 95% intervals are SALib's bootstrap. 'In top "
            f"{TOP_PLACES}' is the share of {RESAMPLES:,} bootstrap resamples of the "
            f"trajectories that rank the value among the first {TOP_PLACES} by mu*: below "
            f"{SETTLED:.0%}, another design of as many trajectories may well rank it "
            "elsewhere.",
        ]
    else:
        lines += [
            "",
            "S1 is the share of the outcome's variance a value causes alone; ST, with all its "
            "interactions. 95% intervals are SALib's bootstrap.",
        ]
    for label in dict.fromkeys(indices["outcome"]):
        ranked = ranking(indices, label, method)
        name = label.split(": ", 1)[-1]
        lines += ["", f"## {subject(label)}", "", f"{describe(name)}.", ""]
        lines.append(sentence(ranked, label, method, k))
        if method == "morris" and (stable := stability_sentence(ranked, plan.settings.size)):
            lines += ["", stable]
        if method == "ends" and (flagged := fold_sentence(ranked, label)):
            lines += ["", flagged]
        lines += ["", *_table(ranked, method, plan)]
    if skipped:
        lines += ["", "## Outcomes left out", ""]
        lines += [f"- {subject(label)}: {why}" for label, why in skipped.items()]
    if figures:
        lines += ["", "## Figures", ""] + [f"- `figures/{f}`" for f in figures]
    return "\n".join(lines) + "\n"
