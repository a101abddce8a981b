"""The parameter tables of ``docs/ODD.md``, generated from the schema and the baseline.

Between ``<!-- parameters:begin -->`` and ``<!-- parameters:end -->`` ``docs/ODD.md`` holds
one table per section of the schema: every global key (each table of :data:`SCENARIO` that
holds keys, ``[meta]`` and ``[calibration]`` aside), the keys of each kind of place and of
routes, with the value ``scenarios/baseline.toml`` resolves to and, as its source, the
comment written next to it in that file (for a value the file leaves out, the schema default
and the schema's source). The rows come from the schema, so a key added there reaches the ODD
without any other edit. ``python -m nkroutes.scenario.docs --update`` rewrites the tables.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from nkroutes.scenario.loader import load_scenario
from nkroutes.scenario.paths import get_path
from nkroutes.scenario.schema import SCENARIO
from nkroutes.scenario.spec import Key, Table, TableArray

BEGIN = "<!-- parameters:begin -->"
END = "<!-- parameters:end -->"

#: Top-level tables that are not model parameters: what the scenario is, and calibration.
NOT_PARAMETERS = ("meta", "calibration")

#: Keys of a route that identify it rather than set a value of the model.
ROUTE_IDENTITY = ("id", "from", "to", "source")


def global_tables(schema: Table = SCENARIO) -> list[str]:
    """Dotted paths of the schema's tables of global parameters, in schema order."""

    def walk(table: Table, prefix: str) -> Iterator[str]:
        if any(isinstance(k, Key) for k in table.keys.values()):
            yield prefix
        for name, child in table.keys.items():
            if isinstance(child, Table) and child.dynamic is None:
                yield from walk(child, f"{prefix}.{name}")

    return [
        path
        for name, child in schema.keys.items()
        if isinstance(child, Table) and name not in NOT_PARAMETERS
        for path in walk(child, name)
    ]


def place_keys(schema: Table = SCENARIO) -> dict[str, tuple[str, ...]]:
    """The keys of each kind of place beyond those every place has, by kind."""
    places = schema.keys["places"]
    assert isinstance(places, TableArray)
    return {kind: tuple(table.keys) for kind, table in places.variants.items()}


def route_keys(schema: Table = SCENARIO) -> tuple[str, ...]:
    """The keys of a route that are model parameters (not its id, ends or source)."""
    routes = schema.keys["routes"]
    assert isinstance(routes, TableArray)
    return tuple(k for k in routes.item.keys if k not in ROUTE_IDENTITY)


def _schema_table(schema: Table, path: str) -> Table:
    node: Any = schema
    for part in path.split("."):
        node = node.keys[part]
        assert isinstance(node, Table)
    return node


# -- reading the comments of baseline.toml -------------------------------------------------


def file_comments(text: str) -> dict[tuple[str, str, str], str]:
    """End-of-line comments of a TOML file, by (table path, item id or ``""``, key)."""
    comments: dict[tuple[str, str, str], str] = {}
    section, item = "", ""
    for line in text.splitlines():
        stripped = line.strip()
        header = re.fullmatch(r"\[\[?([^\]]+)\]\]?\s*(#.*)?", stripped)
        if header:
            name = header.group(1).strip()
            if name.endswith(".set"):  # [events.set]: keys belong to the current event
                section = "events.set"
            else:
                section, item = name, ""
            continue
        match = re.match(r'\s*("?)([^"=]+?)\1\s*=\s*(.*)$', line)
        if not match:
            continue
        key, rest = match.group(2).strip(), match.group(3)
        if key == "id" and section != "events.set":
            item = tomllib.loads(f"v = {rest.split('#')[0]}")["v"]
            continue
        comment = _comment_of(rest)
        if comment:
            comments[(section, item, key)] = comment
    return comments


def _comment_of(rest: str) -> str:
    """The comment after a TOML value on one line (outside strings)."""
    quote = ""
    for i, ch in enumerate(rest):
        if quote:
            if ch == quote:
                quote = ""
        elif ch in "\"'":
            quote = ch
        elif ch == "#":
            return rest[i + 1 :].strip()
    return ""


# -- the generated tables ---------------------------------------------------------------------


def _fmt(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:g}" if abs(value) < 1e6 else f"{value:,.0f}"
    if isinstance(value, list | tuple):
        return ", ".join(_fmt(v) for v in value) if value else "(none)"
    return str(value)


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


class _Baseline:
    """The baseline's resolved values, its raw values and its comments."""

    def __init__(self, path: Path) -> None:
        text = path.read_text(encoding="utf-8")
        self.raw = tomllib.loads(text)
        self.comments = file_comments(text)
        self.data = load_scenario(path).to_dict()

    def given(self, path: str) -> bool:
        """Whether the file itself (not a default) gives the value at ``path``."""
        try:
            get_path(self.raw, path)
        except KeyError:
            return False
        return True


def _global_rows(base: _Baseline, schema: Table) -> Iterator[str]:
    yield from (
        "#### Global parameters",
        "",
        "| key path | value | unit | source (comment in baseline.toml) |",
        "|---|---|---|---|",
    )
    for table in global_tables(schema):
        values = _values_at(base.data, table)
        for key, spec in _schema_table(schema, table).keys.items():
            if not isinstance(spec, Key):
                continue
            if base.given(f"{table}.{key}"):
                value = values[key]
                source = base.comments.get((table, "", key), "")
            else:
                value = values.get(key, spec.default)
                source = "default" + (f"; {spec.source}" if spec.source else "")
            yield f"| `{table}.{key}` | {_fmt(value)} | {spec.unit} | {_cell(source)} |"


def _values_at(data: dict[str, Any], path: str) -> dict[str, Any]:
    node: Any = data
    for part in path.split("."):
        node = node.get(part, {})
    return node


def _push_factor_rows(base: _Baseline) -> Iterator[str]:
    yield from (
        "",
        "#### Push factors (`[[push_factors]]`)",
        "",
        "| id | start | end | `intensity` | regions | source |",
        "|---|---|---|---|---|---|",
    )
    for f in base.data["push_factors"]:
        note = base.comments.get(("push_factors", f["id"], "intensity"), "")
        source = "; ".join(
            s for s in (f.get("source", ""), f"intensity: {note}" if note else "") if s
        )
        yield (
            f"| `{f['id']}` | {f['start']} | {f['end'] or '(run end)'} | {_fmt(f['intensity'])} "
            f"| {_fmt(f['regions']) if f['regions'] else '(all)'} | {_cell(source)} |"
        )


def _item_notes(
    base: _Baseline, array: str, item: dict[str, Any], keys: tuple[str, ...]
) -> list[str]:
    """Comments on an item's keys, then its ``source``."""
    notes = [
        f"{k}: {base.comments[(array, item['id'], k)]}"
        for k in keys
        if (array, item["id"], k) in base.comments
    ]
    if item.get("source"):
        notes.append(item["source"])
    return notes


def _place_rows(base: _Baseline, schema: Table) -> Iterator[str]:
    for kind, keys in place_keys(schema).items():
        places = [p for p in base.data["places"] if p["kind"] == kind]
        if not places:
            continue
        variant = schema.keys["places"].variants[kind]  # type: ignore[union-attr]
        yield from ("", f"#### Places of kind `{kind}`", "")
        yield "| id | country | " + "".join(f"`{k}` | " for k in keys) + "notes |"
        yield "|---|---|" + "---|" * len(keys) + "---|"
        for p in places:
            raw_place = next(q for q in base.raw["places"] if q["id"] == p["id"])
            notes = _item_notes(base, "places", p, (*keys, "name"))
            defaults = [k for k in keys if k not in raw_place]
            if defaults:
                notes.append("default: " + ", ".join(defaults))
            values = "".join(f"{_fmt(p.get(k, variant.keys[k].default))} | " for k in keys)
            yield f"| `{p['id']}` | {p['country']} | {values}{_cell('; '.join(notes))} |"


def _route_rows(base: _Baseline, schema: Table) -> Iterator[str]:
    keys = route_keys(schema)
    item = schema.keys["routes"].item  # type: ignore[union-attr]
    yield from (
        "",
        "#### Routes (`[[routes]]`)",
        "",
        "| id | from → to | " + " | ".join(f"`{k}`" for k in keys) + " | notes |",
        "|---|---|" + "---|" * len(keys) + "---|",
    )
    for r in base.data["routes"]:
        notes = _item_notes(base, "routes", r, keys)
        values = " | ".join(_fmt(r.get(k, item.keys[k].default)) for k in keys)
        yield f"| `{r['id']}` | {r['from']} → {r['to']} | {values} | {_cell('; '.join(notes))} |"


def _event_rows(base: _Baseline) -> Iterator[str]:
    yield from (
        "",
        "#### Dated events (`[[events]]`)",
        "",
        "| date | event | key path | value | source |",
        "|---|---|---|---|---|",
    )
    for e in base.data["events"]:
        for path, value in e["set"].items():
            note = base.comments.get(("events.set", e["id"], path), "")
            source = "; ".join(s for s in (e.get("source", ""), note) if s)
            yield f"| {e['date']} | `{e['id']}` | `{path}` | {_fmt(value)} | {_cell(source)} |"


def _calibration_rows(base: _Baseline) -> Iterator[str]:
    free = base.data.get("calibration", {}).get("free", [])
    if not free:
        return
    yield from (
        "",
        "#### Calibrated parameters (`[[calibration.free]]`)",
        "",
        "| id | key path | min | max | log scale | meaning |",
        "|---|---|---|---|---|---|",
    )
    for c in free:
        yield (
            f"| `{c['id']}` | `{c['path']}` | {_fmt(c['min'])} | {_fmt(c['max'])} "
            f"| {_fmt(c['log'])} | {_cell(c.get('doc', ''))} |"
        )


def parameter_tables(baseline: Path, schema: Table = SCENARIO) -> str:
    """The markdown tables of every baseline value and its source.

    Args:
        baseline: The baseline scenario file (``scenarios/baseline.toml``).
        schema: The schema whose keys make the rows (a copy with more keys in tests: a key
            the file does not give shows its schema default).

    Returns:
        The tables, as they stand between the markers of ``docs/ODD.md``.
    """
    base = _Baseline(baseline)
    lines = [
        *_global_rows(base, schema),
        *_push_factor_rows(base),
        *_place_rows(base, schema),
        *_route_rows(base, schema),
        *_event_rows(base),
        *_calibration_rows(base),
    ]
    return "\n".join(lines) + "\n"


def generated_block(doc: str) -> str:
    """The text between the parameter markers of ``docs/ODD.md``."""
    if BEGIN not in doc or END not in doc:
        raise ValueError(f"docs/ODD.md lacks the {BEGIN} ... {END} markers")
    return doc.split(BEGIN, 1)[1].split(END, 1)[0].strip("\n") + "\n"


def with_tables(doc: str, tables: str) -> str:
    """``doc`` (the text of ``docs/ODD.md``) with its parameter tables replaced by ``tables``."""
    generated_block(doc)
    before, rest = doc.split(BEGIN, 1)
    after = rest.split(END, 1)[1]
    return f"{before}{BEGIN}\n{tables}{END}{after}"
