"""Write the tables of ``docs/outputs.md`` (and the ODD's list) from the registry of outputs.

The file's prose is written by hand; each table of outputs sits between two markers::

    <!-- generated: yearly -->
    ...
    <!-- end generated -->

and is rewritten from :data:`nkroutes.model.outputs.OUTPUTS` by::

    python -m nkroutes.model.outputs_doc docs/outputs.md docs/ODD.md

(``docs/ODD.md`` has one block: the list of what a step observes.)

(a test checks that the file is up to date).
"""

from __future__ import annotations

import re
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path

from nkroutes.model.outputs import DESTINATION, VIA, Output, registered, summary_outputs

_BLOCK = re.compile(
    r"(<!-- generated: (?P<name>[a-z_]+) -->\n)(?P<body>.*?)(<!-- end generated -->)", re.S
)


def _row(*cells: str) -> str:
    return "| " + " | ".join(cells) + " |"


def _name(o: Output) -> str:
    return f"`{o.name}`"


def yearly_table(outputs: tuple[Output, ...] | None = None) -> str:
    """The table of ``yearly.csv``'s columns: every flow and stock, in column order."""
    lines = [
        _row("Column", "Unit", "Meaning"),
        "|---|---|---|",
        _row("`replicate`", "-", "replicate number (0-based)"),
        _row("`year`", "year", "calendar year"),
    ]
    for o in registered(outputs):
        if o.in_yearly:
            unit = f"{o.unit} (stock)" if o.kind == "stock" else o.unit
            lines.append(_row(_name(o), unit, o.description))
    return "\n".join(lines) + "\n"


def summary_table(outputs: tuple[Output, ...] | None = None) -> str:
    """The table of ``summary.csv``'s columns, in column order."""
    lines = [
        _row("Column", "Unit", "Meaning"),
        "|---|---|---|",
        _row("`replicate`", "-", "replicate number"),
        _row(
            "`seed`",
            "-",
            "the replicate's model seed (see above); `nkroutes.model.simulate(scenario, seed)` "
            "reruns it alone",
        ),
    ]
    for o in summary_outputs(outputs):
        meaning = o.summary_description or (
            "total over the run" if o.kind == "flow" else o.description
        )
        lines.append(_row(_name(o), o.unit, meaning))
    return "\n".join(lines) + "\n"


def labels_table(outputs: tuple[Output, ...] | None = None) -> str:
    """Every output with its kind and the label tables, figures and comparisons give it."""
    lines = [_row("Output", "Kind", "Unit", "Label"), "|---|---|---|---|"]
    for o in registered(outputs):
        lines.append(
            _row(
                _name(o),
                o.kind,
                o.unit,
                o.label.replace(DESTINATION, "*destination*").replace(VIA, "*place*"),
            )
        )
    return "\n".join(lines) + "\n"


def observation_list(outputs: tuple[Output, ...] | None = None) -> str:
    """The ODD's list of what a step observes: the flows, then the stocks, wrapped."""
    flows = [
        _name(o)
        for o in registered(outputs)
        if o.kind == "flow" and not o.per_destination and not o.from_migrants
    ]
    stocks = [_name(o) for o in registered(outputs) if o.kind == "stock"]
    text = (
        f"flows (counted over the step) — {', '.join(flows)} — and stocks (at the end of the "
        f"step) — {', '.join(stocks)}."
    )
    return textwrap.fill(text, width=99, break_long_words=False, break_on_hyphens=False) + "\n"


#: The files with generated blocks (relative to the repository).
DOCS: tuple[str, ...] = ("docs/outputs.md", "docs/ODD.md")

#: The generated blocks, by the name in their marker.
BLOCKS: dict[str, Callable[[tuple[Output, ...] | None], str]] = {
    "yearly": yearly_table,
    "summary": summary_table,
    "labels": labels_table,
    "observation": observation_list,
}


def render(text: str, outputs: tuple[Output, ...] | None = None) -> str:
    """``text`` with every generated block rewritten from the registry.

    Raises:
        ValueError: If a marker names no known block.
    """

    def block(match: re.Match[str]) -> str:
        name = match.group("name")
        if name not in BLOCKS:
            raise ValueError(f"unknown generated block '{name}' (known: {', '.join(BLOCKS)})")
        return match.group(1) + BLOCKS[name](outputs) + match.group(4)

    return _BLOCK.sub(block, text)


def main(argv: list[str]) -> int:
    """Rewrite the generated blocks of the files named in ``argv``; return the exit code."""
    if not argv:
        sys.stderr.write(f"usage: python -m nkroutes.model.outputs_doc {' '.join(DOCS)}\n")
        return 2
    for name in argv:
        path = Path(name)
        text = path.read_text(encoding="utf-8")
        new = render(text)
        if new != text:
            path.write_text(new, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
