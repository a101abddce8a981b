"""docs/ODD.md: its parameter tables are the values of scenarios/baseline.toml.

The tables between ``<!-- parameters:begin -->`` and ``<!-- parameters:end -->`` in
``docs/ODD.md`` are generated from ``scenarios/baseline.toml``: each value as the loader
resolves it, and as its source the comment written next to it in the file (or, for values the
file leaves out, the schema default and its source). When the baseline changes, regenerate
them with

    python tests/test_model_odd.py --update

The tests also check that the ODD names every process of the model's step and every column
of the migrant table.
"""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
ODD = ROOT / "docs" / "ODD.md"
BASELINE_FILE = ROOT / "scenarios" / "baseline.toml"
BEGIN = "<!-- parameters:begin -->"
END = "<!-- parameters:end -->"
UPDATE_COMMAND = "python tests/test_model_odd.py --update"

GLOBAL_TABLES = (
    "time",
    "population",
    "departures",
    "brokers",
    "chain_defection",
    "enforcement.china",
    "enforcement.north_korea",
    "route_choice",
)
PLACE_KEYS = {
    "origin": ("departure_weight", "region"),
    "border": (),
    "broker_hub": ("initial_brokers", "serves"),
    "hiding": ("arrest_rate_multiplier",),
    "mission": ("wait_months",),
    "transit": ("unhcr_access", "arrest_rate_per_year", "deport_probability", "processing_months"),
    "destination": (
        "preference_weight",
        "acceptance_probability",
        "fallback",
        "settlement_money_usd",
    ),
}
ROUTE_KEYS = (
    "duration_days",
    "cost_usd",
    "broker_fee_usd",
    "capture_probability",
    "death_probability",
    "captured_by",
    "alone_allowed",
    "choice_weight",
    "open",
)


# -- reading the comments of baseline.toml -------------------------------------------------


def file_comments(text: str) -> dict[tuple[str, str, str], str]:
    """End-of-line comments by (table path, item id or "", key)."""
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
                section, item = name, ("" if not stripped.startswith("[[") else item)
                if stripped.startswith("[["):
                    item = ""
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


def _schema_key(table: str, key: str) -> Any:
    from nkroutes.scenario.schema import SCENARIO
    from nkroutes.scenario.spec import Table

    node: Any = SCENARIO
    for part in table.split("."):
        node = node.keys[part]
        assert isinstance(node, Table)
    return node.keys[key]


def parameter_tables() -> str:
    """The markdown tables of every baseline value and its source."""
    from nkroutes.scenario import load_scenario
    from nkroutes.scenario.paths import get_path

    text = BASELINE_FILE.read_text(encoding="utf-8")
    raw = tomllib.loads(text)
    comments = file_comments(text)
    data = load_scenario(BASELINE_FILE).to_dict()
    out: list[str] = []

    out += [
        "#### Global parameters",
        "",
        "| key path | value | unit | source (comment in baseline.toml) |",
        "|---|---|---|---|",
    ]
    for table in GLOBAL_TABLES:
        for key, value in get_path(data, table).items():
            schema = _schema_key(table, key)
            try:
                get_path(raw, f"{table}.{key}")
                source = comments.get((table, "", key), "")
            except KeyError:
                source = "default" + (f"; {schema.source}" if schema.source else "")
            out.append(f"| `{table}.{key}` | {_fmt(value)} | {schema.unit} | {_cell(source)} |")

    out += [
        "",
        "#### Push factors (`[[push_factors]]`)",
        "",
        "| id | start | end | `intensity` | regions | source |",
        "|---|---|---|---|---|---|",
    ]
    for f in data["push_factors"]:
        note = comments.get(("push_factors", f["id"], "intensity"), "")
        source = "; ".join(
            s for s in (f.get("source", ""), f"intensity: {note}" if note else "") if s
        )
        out.append(
            f"| `{f['id']}` | {f['start']} | {f['end'] or '(run end)'} | {_fmt(f['intensity'])} "
            f"| {_fmt(f['regions']) if f['regions'] else '(all)'} | {_cell(source)} |"
        )

    for kind, keys in PLACE_KEYS.items():
        places = [p for p in data["places"] if p["kind"] == kind]
        if not places:
            continue
        out += ["", f"#### Places of kind `{kind}`", ""]
        out.append("| id | country | " + "".join(f"`{k}` | " for k in keys) + "notes |")
        out.append("|---|---|" + "---|" * len(keys) + "---|")
        for p in places:
            raw_place = next(q for q in raw["places"] if q["id"] == p["id"])
            notes = [
                f"{k}: {comments[('places', p['id'], k)]}"
                for k in (*keys, "name")
                if ("places", p["id"], k) in comments
            ]
            if p.get("source"):
                notes.append(p["source"])
            defaults = [k for k in keys if k not in raw_place]
            if defaults:
                notes.append("default: " + ", ".join(defaults))
            values = "".join(f"{_fmt(p[k])} | " for k in keys)
            out.append(f"| `{p['id']}` | {p['country']} | {values}{_cell('; '.join(notes))} |")

    out += [
        "",
        "#### Routes (`[[routes]]`)",
        "",
        "| id | from → to | " + " | ".join(f"`{k}`" for k in ROUTE_KEYS) + " | notes |",
        "|---|---|" + "---|" * len(ROUTE_KEYS) + "---|",
    ]
    for r in data["routes"]:
        notes = [
            f"{k}: {comments[('routes', r['id'], k)]}"
            for k in ROUTE_KEYS
            if ("routes", r["id"], k) in comments
        ]
        if r.get("source"):
            notes.append(r["source"])
        values = " | ".join(_fmt(r[k]) for k in ROUTE_KEYS)
        out.append(
            f"| `{r['id']}` | {r['from']} → {r['to']} | {values} | {_cell('; '.join(notes))} |"
        )

    out += [
        "",
        "#### Dated events (`[[events]]`)",
        "",
        "| date | event | key path | value | source |",
        "|---|---|---|---|---|",
    ]
    for e in data["events"]:
        for path, value in e["set"].items():
            note = comments.get(("events.set", e["id"], path), "")
            source = "; ".join(s for s in (e.get("source", ""), note) if s)
            out.append(
                f"| {e['date']} | `{e['id']}` | `{path}` | {_fmt(value)} | {_cell(source)} |"
            )

    free = data.get("calibration", {}).get("free", [])
    if free:
        out += [
            "",
            "#### Calibrated parameters (`[[calibration.free]]`)",
            "",
            "| id | key path | min | max | log scale | meaning |",
            "|---|---|---|---|---|---|",
        ]
        for c in free:
            out.append(
                f"| `{c['id']}` | `{c['path']}` | {_fmt(c['min'])} | {_fmt(c['max'])} "
                f"| {_fmt(c['log'])} | {_cell(c.get('doc', ''))} |"
            )
    return "\n".join(out) + "\n"


def generated_block(doc: str) -> str:
    assert BEGIN in doc and END in doc, f"docs/ODD.md lacks the {BEGIN} ... {END} markers"
    return doc.split(BEGIN, 1)[1].split(END, 1)[0].strip("\n") + "\n"


# -- tests ------------------------------------------------------------------------------------


def test_parameter_tables_are_the_baseline_values() -> None:
    doc = ODD.read_text(encoding="utf-8")
    assert generated_block(doc) == parameter_tables(), (
        f"docs/ODD.md's parameter tables differ from scenarios/baseline.toml: run "
        f"`{UPDATE_COMMAND}`"
    )


def test_every_baseline_number_is_in_the_tables() -> None:
    tables = parameter_tables()
    from nkroutes.scenario import load_scenario

    data = load_scenario(BASELINE_FILE).to_dict()
    assert f"`{data['routes'][0]['id']}`" in tables
    assert len([line for line in tables.splitlines() if line.startswith("| `")]) >= (
        len(data["places"]) + len(data["routes"]) + len(data["push_factors"])
    )


def test_comments_are_read_from_the_file() -> None:
    text = (
        '[brokers]\nrisk_multiplier = 0.3   # assumption: "safer"\n'
        '[[routes]]\nid = "a"\ncost_usd = 1.0 # fare\nname = "x # y"\n'
        '[[events]]\nid = "e"\n[events.set]\n"routes.a.cost_usd" = 2.0  # dearer\n'
    )
    comments = file_comments(text)
    assert comments == {
        ("brokers", "", "risk_multiplier"): 'assumption: "safer"',
        ("routes", "a", "cost_usd"): "fare",
        ("events.set", "e", "routes.a.cost_usd"): "dearer",
    }


def test_odd_names_every_process_output_and_migrant_column() -> None:
    from nkroutes.model import FLOW_NAMES, STOCK_NAMES, State
    from nkroutes.model.migrants import COLUMNS

    doc = ODD.read_text(encoding="utf-8")
    for column in COLUMNS:
        assert f"`{column}`" in doc, f"the migrant column {column} is not described"
    for name in (*FLOW_NAMES, *STOCK_NAMES):
        assert f"`{name}`" in doc, f"the output {name} is not described"
    for state in State:
        assert f"| {state.name} ({state.value}) |" in doc, (
            f"the state {state.name} is not described"
        )
    model_py = (ROOT / "src" / "nkroutes" / "model" / "model.py").read_text(encoding="utf-8")
    step = model_py.split("def step(self)", 1)[1].split("def _record", 1)[0]
    for call in re.findall(r"^\s+(?:broker_market\.)?([a-z_]+)\(self\)", step, re.M):
        assert f"`{call}`" in doc, f"the step's process {call} is not described"


def main(argv: list[str]) -> int:
    """Rewrite the generated tables of docs/ODD.md (``--update``)."""
    if argv != ["--update"]:
        print(f"usage: {UPDATE_COMMAND}", file=sys.stderr)
        return 2
    doc = ODD.read_text(encoding="utf-8")
    before, rest = doc.split(BEGIN, 1)
    after = rest.split(END, 1)[1]
    ODD.write_text(f"{before}{BEGIN}\n{parameter_tables()}{END}{after}", encoding="utf-8")
    print(f"updated the parameter tables of {ODD.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
