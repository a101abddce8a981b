"""Regression: the summary numbers of a fixed run (baseline, seed 1) do not change by accident.

The numbers are checked in as ``tests/regression/baseline_seed1.json`` and compared exactly
(integers) or to a relative tolerance of 1e-9 (floats). When a change to the model or to
``scenarios/baseline.toml`` is meant to change them, regenerate the file deliberately:

    python tests/test_model_regression.py --update

and say in the commit message why the numbers changed.
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
if __name__ == "__main__":  # run as a script: make the support module importable
    sys.path.insert(0, str(HERE))

from scenario_builder import baseline, baseline_run  # noqa: E402

REGRESSION_FILE = HERE / "regression" / "baseline_seed1.json"
SEED = 1
YEARLY_COLUMNS = (
    "departures",
    "sponsored_departures",
    "caught_at_border",
    "arrests_china",
    "repatriated",
    "died",
    "arrivals",
    "arrivals_south_korea",
    "broker_assisted_arrivals",
    "in_china",
    "brokers",
)
UPDATE_COMMAND = "python tests/test_model_regression.py --update"


def regression_numbers() -> dict[str, Any]:
    """The numbers kept: the run's summary, a few yearly series and the route flows."""
    scenario = baseline()
    result = baseline_run(SEED)
    yearly = result.yearly()
    return {
        "about": (
            "Summary numbers of the baseline run with seed 1, compared exactly by "
            f"tests/test_model_regression.py. Regenerate deliberately with `{UPDATE_COMMAND}` "
            "and say why in the commit message."
        ),
        "scenario": "scenarios/baseline.toml",
        "scenario_hash": scenario.hash,
        "seed": SEED,
        "summary": {k: _plain(v) for k, v in result.summary().items()},
        "yearly": {
            "year": [int(y) for y in yearly["year"]],
            **{c: [_plain(v) for v in yearly[c]] for c in YEARLY_COLUMNS},
        },
        "route_flows": {
            rid: int(flow) for rid, flow in zip(result.route_ids, result.route_flows, strict=True)
        },
    }


def _plain(value: Any) -> Any:
    """A JSON value: ints stay ints, floats stay floats (NaN as null)."""
    if isinstance(value, int) or (hasattr(value, "dtype") and value.dtype.kind in "iu"):
        return int(value)
    value = float(value)
    return None if math.isnan(value) else value


def _compare(expected: Any, actual: Any, where: str, problems: list[str]) -> None:
    if isinstance(expected, dict):
        if set(expected) != set(actual):
            problems.append(f"{where}: keys {sorted(set(expected) ^ set(actual))} differ")
        for key in expected.keys() & actual.keys():
            _compare(expected[key], actual[key], f"{where}.{key}", problems)
    elif isinstance(expected, list):
        if len(expected) != len(actual):
            problems.append(f"{where}: length {len(actual)}, expected {len(expected)}")
        for i, (e, a) in enumerate(zip(expected, actual, strict=False)):
            _compare(e, a, f"{where}[{i}]", problems)
    elif isinstance(expected, float) and isinstance(actual, float):
        if not math.isclose(expected, actual, rel_tol=1e-9, abs_tol=1e-9):
            problems.append(f"{where}: {actual!r}, expected {expected!r}")
    elif expected != actual:
        problems.append(f"{where}: {actual!r}, expected {expected!r}")


def test_baseline_seed_1_gives_the_checked_in_numbers() -> None:
    expected = json.loads(REGRESSION_FILE.read_text(encoding="utf-8"))
    actual = regression_numbers()
    assert actual["scenario_hash"] == expected["scenario_hash"], (
        "scenarios/baseline.toml changed since the regression numbers were made; if that was "
        f"meant, regenerate them with `{UPDATE_COMMAND}` and say why in the commit"
    )
    problems: list[str] = []
    for part in ("summary", "yearly", "route_flows"):
        _compare(expected[part], actual[part], part, problems)
    assert not problems, (
        f"{len(problems)} numbers of the baseline run (seed 1) changed; if that was meant, "
        f"regenerate them with `{UPDATE_COMMAND}` and say why in the commit:\n  "
        + "\n  ".join(problems[:20])
    )


def test_regression_numbers_survive_json() -> None:
    numbers = regression_numbers()
    problems: list[str] = []
    _compare(numbers, json.loads(json.dumps(numbers)), "numbers", problems)
    assert not problems


def main(argv: list[str]) -> int:
    """Regenerate the regression file (``--update``) or say how to."""
    if argv != ["--update"]:
        print(f"usage: {UPDATE_COMMAND}", file=sys.stderr)
        return 2
    REGRESSION_FILE.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(regression_numbers(), indent=1) + "\n"
    tmp = REGRESSION_FILE.with_suffix(".json.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(REGRESSION_FILE)
    print(f"wrote {REGRESSION_FILE.relative_to(HERE.parent)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
