"""What an output of the model is: :class:`Output`, its kinds and units.

The outputs themselves are registered in :mod:`nkroutes.model.outputs`.
"""

from __future__ import annotations

from dataclasses import dataclass

#: How an output is measured. ``flow``: counted over each step, summed per year in
#: ``yearly.csv``; ``stock``: the level at the end of each step (``yearly.csv``: at the end of
#: the year); ``end``: a stock's level at the end of the run; ``share``: a fraction (0-1);
#: ``duration``: a median time in months; ``money``: a median amount in US$; ``count``: a
#: count over the whole run that is not a flow.
KINDS: tuple[str, ...] = ("flow", "stock", "end", "share", "duration", "money", "count")

#: Units (as ``docs/outputs.md`` writes them).
UNITS: tuple[str, ...] = ("people", "US$", "brokers", "migrant-steps", "fraction (0-1)", "months")

#: The stand-in for a destination's id in per-destination names (``arrivals_<destination>``).
DESTINATION = "<destination>"

#: The stand-in for the id of the place a migrant left for its destination, in
#: ``arrivals_via_<place>`` (a transit country, a mission, a border: the start of the last route).
VIA = "<place>"


class UnknownOutputError(KeyError):
    """A name that is not a registered output (a typo, or an output not yet registered)."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else "unknown output"


@dataclass(frozen=True)
class Output:
    """One output of a run.

    Attributes:
        name: Its column in ``yearly.csv`` and/or ``summary.csv`` (and its counter's name);
            with :data:`DESTINATION` for one column per destination.
        kind: How it is measured, one of :data:`KINDS`.
        unit: One of :data:`UNITS`.
        label: Short name for tables and figure titles ("Repatriated to North Korea").
        description: What it counts, for ``docs/outputs.md`` (Markdown).
        phrase: Noun phrase for comparison sentences, with ``{period}`` ("1990-2008") or
            ``{end}`` ("2008") to fill in; default: the label in lower case, over the period.
        plural: Whether the phrase takes a plural verb ("arrivals rise", "the share rises").
        summary: Its place among the columns of ``summary.csv`` (after ``replicate`` and
            ``seed``), or ``None`` if it is not there. A flow's summary value is its total
            over the run.
        summary_description: Its meaning in ``summary.csv``, if not "total over the run".
        from_migrants: Computed at the end of the run from the migrant table, per year of
            arrival (``yearly.csv``'s last columns), not counted by the processes each step.
    """

    name: str
    kind: str
    unit: str
    label: str
    description: str
    phrase: str = ""
    plural: bool = True
    summary: int | None = None
    summary_description: str = ""
    from_migrants: bool = False

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"output {self.name}: kind {self.kind!r} is not one of {KINDS}")
        if self.unit not in UNITS:
            raise ValueError(f"output {self.name}: unit {self.unit!r} is not one of {UNITS}")

    @property
    def per_destination(self) -> bool:
        """Whether this is one column per destination (``arrivals_<destination>``)."""
        return DESTINATION in self.name

    @property
    def per_place(self) -> bool:
        """Whether this is one column per place arrivals leave from (``arrivals_via_<place>``)."""
        return VIA in self.name

    @property
    def in_yearly(self) -> bool:
        """Whether ``yearly.csv`` has it (flows, stocks, and the columns from the migrants)."""
        return self.kind in ("flow", "stock") or self.from_migrants

    @property
    def is_money(self) -> bool:
        """Whether it is in US$ (kept with decimals; people and brokers are whole numbers)."""
        return self.unit == "US$"

    @property
    def comparison_kind(self) -> str:
        """How a comparison writes it: people, people_at_end, share, months or usd.

        (The ``unit`` column of ``comparison.csv``; see ``nkroutes.analysis.outcomes.KINDS``.)
        """
        if self.is_money:
            return "usd"
        return {"share": "share", "duration": "months", "end": "people_at_end"}.get(
            self.kind, "people"
        )

    def axis_label(self, per_year: bool = False, period: str = "") -> str:
        """A figure's axis label for it: its unit, and for a flow per year or over ``period``."""
        if self.kind == "share":
            return "share"
        if self.kind != "flow":
            return self.unit
        if per_year:
            return f"{self.unit} per year"
        return f"{self.unit}, {period}" if period else self.unit

    def sentence_phrase(self) -> str:
        """The noun phrase for sentences, ``{period}``/``{end}`` still to fill in."""
        if self.phrase:
            return self.phrase
        return f"{self.label[0].lower()}{self.label[1:]} over {{period}}"
