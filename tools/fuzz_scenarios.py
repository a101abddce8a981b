"""Fuzz the command line with generated scenarios: count tracebacks, hangs and memory blowups.

Each generated case is a scenario file (sometimes with files it extends, or ``--set``
options), given to ``nkroutes validate`` and to a short ``nkroutes run -n 1``. Every
command runs in a child process forked from this one (the package is imported once), with
its address space limited (``RLIMIT_AS``) and a time limit, and is classified:

- ``traceback``: "Traceback (most recent call last)" on its output (the README promises a
  one-line message);
- ``hang``: still running after ``--timeout`` seconds (killed);
- ``memory``: a ``MemoryError``, or the child killed by a signal (the limit reached);
- ``leftover``: a failed run that left a ``.tmp-*`` file or ``parts/`` behind;
- ``bad_exit``: an exit code other than 0, 1 (a fault during a run), 2 (bad input).

Usage (at low priority: it takes a while)::

    nice python tools/fuzz_scenarios.py --count 1000 --seed 1

It prints one line per problem found and a summary; the exit code is 1 if any was found.
Cases are kinds of damage and extremes the issue tracker has seen: damaged tables and values,
values stretched to and past their bounds, odd ``--set`` values and dates, what-ifs adding
items, and hostile files (deep nesting, control characters, long names, ``extends`` chains,
cycles and odd paths, FIFOs, huge files).
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import json
import os
import random
import resource
import shutil
import signal
import sys
import tempfile
import time
import tomllib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

import nkroutes.commands.run  # noqa: E402  (imported once, not in every child)
import nkroutes.commands.show  # noqa: E402
import nkroutes.commands.validate  # noqa: E402, F401
from nkroutes.cli import main as cli_main  # noqa: E402
from nkroutes.scenario.toml_write import dumps  # noqa: E402

BASELINE_FILE = ROOT / "scenarios" / "baseline.toml"

#: Values put in place of others (TOML can write each of them).
ODD_VALUES: list[Any] = [
    True, 0, -1, 1.5, -0.5, 2**62, 1e308, -1e308, float("inf"), float("nan"), "", "x",
    "1990-13", "0000-01", "9999-12", "0001-01", "2000-01", "north_hamgyong", "nh_tumen",
    "transit", [], [1, "a"], ["nh_tumen"], {}, {"id": "x"}, [{"id": "x"}], "a" * 300,
    "tab\there", "nul\x00here", "bell\x07", "２００８-１２", "é" * 50,
]  # fmt: skip

#: Text given to --set (read as TOML, else as text).
SET_VALUES = [
    "1e308", "-1e308", "1e7", "1e9", "1e12", "inf", "nan", "-1", "0", "0001-01", "9999-12",
    "0000-01", "２００８-１２", "[" * 500, "[]", "{}", '"x"', "true", "1e-320", "2100-12",
    "1900-01", "day", "week", "x" * 5000,
]  # fmt: skip

SET_PATHS = [
    "departures.base_rate_per_year", "route_choice.cost_sensitivity_per_1000_usd",
    "push_factors.famine.intensity", "places.yanji_hub.initial_brokers", "time.start",
    "time.end", "time.step", "meta.name", "enforcement.china.arrest_rate_per_year",
    "brokers.recruits_per_arrival", "brokers.hire_rounds", "population.savings_usd_log_sd",
    "routes.nh_tumen.cost_usd", "events", "places", "x.y", "meta", "places.vietnam.kind",
]  # fmt: skip


@dataclass
class Case:
    """One generated case: files to write, the one to give the commands, ``--set`` options."""

    number: int
    kind: str
    files: dict[str, bytes] = field(default_factory=dict)
    main: str = "s.toml"
    sets: list[str] = field(default_factory=list)
    special: str = ""  # "fifo", "dev_zero", "symlink_loop": made when written


def _baseline() -> dict[str, Any]:
    with BASELINE_FILE.open("rb") as handle:
        return tomllib.load(handle)


def _short_span(data: dict[str, Any], rng: random.Random) -> None:
    year = rng.randint(1990, 2008)
    data.setdefault("time", {})
    data["time"]["start"] = f"{year}-01"
    data["time"]["end"] = f"{year}-{rng.choice(['03', '06', '12'])}"
    data["time"]["step"] = rng.choice(["month", "month", "month", "week", "day"])


def _spots(data: Any, depth: int = 0):
    items = data.items() if isinstance(data, dict) else enumerate(data)
    for key, value in items:
        yield data, key
        if isinstance(value, dict | list):
            yield from _spots(value, depth + 1)


def _toml(data: dict[str, Any]) -> bytes | None:
    try:
        return dumps(data).encode("utf-8", "surrogatepass")
    except Exception:  # a value TOML cannot write (the generator's own limit)
        return None


def damaged(number: int, rng: random.Random, base: dict[str, Any]) -> Case:
    """The baseline (short span) with 1 to 4 random changes of structure and values."""
    data = copy.deepcopy(base)
    _short_span(data, rng)
    for _ in range(rng.randint(1, 4)):
        container, key = rng.choice(list(_spots(data)))
        action = rng.choice(["drop", "replace", "misspell", "add", "scale", "copy"])
        if action == "drop":
            del container[key]
        elif action == "replace":
            container[key] = copy.deepcopy(rng.choice(ODD_VALUES))
        elif action == "misspell" and isinstance(key, str) and key:
            i = rng.randrange(len(key))
            container[key[:i] + key[i + 1 :] + "x"] = container.pop(key)
        elif action == "add" and isinstance(container, dict):
            name = rng.choice(["extra", "kind", "fallback", "serves", "open", "set", "id"])
            container[name] = copy.deepcopy(rng.choice(ODD_VALUES))
        elif action == "scale" and isinstance(container[key], int | float):
            if not isinstance(container[key], bool):
                container[key] = container[key] * rng.choice([-1, 0, 10, 1e6, 1e300])
        elif action == "copy" and isinstance(container, list):
            container.append(copy.deepcopy(container[key]))
    text = _toml(data)
    if text is None:
        return stretched(number, rng, base)
    return Case(number, "damaged", {"s.toml": text})


def stretched(number: int, rng: random.Random, base: dict[str, Any]) -> Case:
    """Numbers multiplied by factors up to and past their bounds (most still validate)."""
    data = copy.deepcopy(base)
    _short_span(data, rng)
    numbers = [
        (c, k)
        for c, k in _spots(data)
        if isinstance(c[k], int | float) and not isinstance(c[k], bool)
    ]
    for _ in range(rng.randint(1, 3)):
        container, key = rng.choice(numbers)
        container[key] = container[key] * rng.choice([0, 0.5, 2, 10, 100, 1e3, 1e6])
    return Case(number, "stretched", {"s.toml": _toml(data) or b""})


def with_sets(number: int, rng: random.Random, base: dict[str, Any]) -> Case:
    """The baseline (short span) with odd ``--set`` values."""
    data = copy.deepcopy(base)
    _short_span(data, rng)
    sets = [f"{rng.choice(SET_PATHS)}={rng.choice(SET_VALUES)}" for _ in range(rng.randint(1, 3))]
    return Case(number, "sets", {"s.toml": _toml(data) or b""}, sets=sets)


def what_if(number: int, rng: random.Random, base: dict[str, Any]) -> Case:
    """A what-if extending the baseline that adds or changes items, events and values."""
    lines = ['extends = "base.toml"', ""]
    choices = [
        '[[routes]]\nid = 7\nfrom = "tumen"\nto = "yanbian"\n',
        '[[places]]\nid = "new_hide"\nkind = "hiding"\ncountry = "china"\nlat = 1.0\nlon = 1.0\n'
        * 2,
        '[[routes]]\nid = "nh_tumen"\ncost_usd = -5\n',
        '[[events]]\nid = "surge"\ndate = "1995-01"\n[events.set]\n'
        '"departures.base_rate_per_year" = 1e6\n',
        '[[events]]\nid = "odd"\ndate = "1995-01"\n[events.set]\n"x.y" = 1\n',
        '[[events]]\nid = "odd2"\ndate = "2100-12"\n[events.set]\n'
        '"push_factors.famine.intensity" = 1000\n',
        '[[push_factors]]\nid = "boom"\nstart = "1990-01"\nintensity = 1000\n',
        '[[places]]\nid = "yanji_hub"\ninitial_brokers = 100000\n',
        "[brokers]\nrecruits_per_arrival = 100\nhire_rounds = 100\n",
        '[meta]\nname = "' + "n" * rng.choice([10, 120, 300]) + '"\n',
        '[meta]\nname = "../../etc"\n',
        '[time]\nstep = "day"\nstart = "1900-01"\nend = "2100-12"\n',
    ]
    for text in rng.sample(choices, rng.randint(1, 3)):
        lines.append(text)
    data = copy.deepcopy(base)
    _short_span(data, rng)
    return Case(
        number,
        "what_if",
        {"base.toml": _toml(data) or b"", "s.toml": "\n".join(lines).encode("utf-8")},
    )


def hostile(number: int, rng: random.Random, base: dict[str, Any]) -> Case:
    """Hostile files: deep nesting, control characters, long names, odd extends and paths."""
    choice = rng.randrange(16)
    case = Case(number, "hostile")
    good = _toml(base) or b""
    if choice == 0:
        depth = rng.choice([100, 1000, 5000])
        case.files["s.toml"] = ("[" + ".".join(["a"] * depth) + "]\nx = 1\n").encode()
    elif choice == 1:
        case.files["s.toml"] = ("x = " + "[" * 500 + "]" * 500 + "\n").encode()
    elif choice == 2:
        case.files["s.toml"] = good.replace(b'name = "baseline"', b'name = "a\\u0000b"')
    elif choice == 3:
        case.files["s.toml"] = good.replace(b'name = "baseline"', b'name = "' + b"n" * 300 + b'"')
    elif choice == 4:
        case.files["s.toml"] = b"\xff\xfe" + good[:1000]
    elif choice == 5:
        case.files["s.toml"] = good + b"# " + b"x" * 2_000_000 + b"\n"
    elif choice == 6:
        n = rng.choice([10, 60, 1200])
        for i in range(n):
            case.files[f"c{i}.toml"] = f'extends = "c{i + 1}.toml"\n'.encode()
        case.files[f"c{n}.toml"] = good
        case.main = "c0.toml"
    elif choice == 7:
        case.files["s.toml"] = b'extends = "s.toml"\n'
    elif choice == 8:
        case.files["s.toml"] = b'extends = "a\\u0000b.toml"\n'
    elif choice == 9:
        case.files["s.toml"] = ('extends = "' + "d" * 300 + '.toml"\n').encode()
    elif choice == 10:
        case.files["s.toml"] = ('extends = "' + "d/" * 2100 + 'x.toml"\n').encode()
    elif choice == 11:
        case.special = "symlink_loop"
        case.files["s.toml"] = b'extends = "loop.toml"\n'
    elif choice == 12:
        case.special = "fifo"
    elif choice == 13:
        case.special = "dev_zero"
    elif choice == 14:
        case.files["s.toml"] = good.replace(b"[meta]", b'[meta]\nnote = "\x1b[31m"', 1)
    else:
        case.files["s.toml"] = b""
    return case


GENERATORS = [damaged, damaged, stretched, stretched, with_sets, what_if, hostile]


def make_case(number: int, rng: random.Random, base: dict[str, Any]) -> Case:
    """The ``number``-th case (the same for the same seed)."""
    return rng.choice(GENERATORS)(number, rng, base)


def write_case(case: Case, folder: Path) -> Path:
    """Write the case's files into ``folder``; return the path to give the commands."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in case.files.items():
        (folder / name).write_bytes(data)
    main = folder / case.main
    if case.special == "fifo":
        os.mkfifo(main)
    elif case.special == "dev_zero":
        main.symlink_to("/dev/zero")
    elif case.special == "symlink_loop":
        (folder / "loop.toml").symlink_to("loop2.toml")
        (folder / "loop2.toml").symlink_to("loop.toml")
    return main


@dataclass
class Outcome:
    """How one command ended."""

    code: int | None  # exit code; None: killed (hang or signal)
    output: str
    seconds: float
    hang: bool = False
    signal: int | None = None


def run_command(args: list[str], cwd: Path, timeout: float, memory_mb: int) -> Outcome:
    """Run ``nkroutes args`` in a forked child with limits; collect its output."""
    log = cwd / f".out-{args[0]}.txt"
    started = time.monotonic()
    pid = os.fork()
    if pid == 0:  # the child: limits, output to the log, run the command, exit
        try:
            os.setsid()
            limit = memory_mb * 1024 * 1024
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
            fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            os.dup2(fd, 1)
            os.dup2(fd, 2)
            os.chdir(cwd)
            sys.argv = ["nkroutes", *args]
            code = 0
            try:
                cli_main(args, prog_name="nkroutes", standalone_mode=True)
            except SystemExit as exit_:
                code = exit_.code if isinstance(exit_.code, int) else int(exit_.code is not None)
            except BaseException:
                import traceback

                traceback.print_exc()
                code = 1
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(code)
        except BaseException:  # the fork's own set-up failed
            os._exit(99)
    deadline = started + timeout
    status = None
    while time.monotonic() < deadline:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            break
        time.sleep(0.02)
    else:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        return Outcome(None, _read(log), time.monotonic() - started, hang=True)
    seconds = time.monotonic() - started
    if os.WIFSIGNALED(status):
        return Outcome(None, _read(log), seconds, signal=os.WTERMSIG(status))
    return Outcome(os.WEXITSTATUS(status), _read(log), seconds)


def _read(path: Path) -> str:
    try:
        return path.read_bytes()[-20000:].decode("utf-8", "replace")
    except OSError:
        return ""


def problems_of(outcome: Outcome, out: Path | None) -> list[str]:
    """The problems one command's outcome shows (see the module's docstring)."""
    found = []
    if outcome.hang:
        found.append("hang")
    if "Traceback (most recent call last)" in outcome.output:
        found.append("traceback")
    if "MemoryError" in outcome.output or outcome.signal is not None:
        found.append("memory")
    if outcome.code not in (0, 1, 2, None):
        found.append("bad_exit")
    if out is not None and outcome.code not in (0, None) and out.exists():
        leftovers = [p.name for p in out.rglob(".tmp-*")]
        if leftovers or ((out / "parts").exists() and outcome.code == 2):
            found.append("leftover")
    return found


def main() -> int:
    """Generate, run and count; print a summary as text and JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds per command")
    parser.add_argument("--memory-mb", type=int, default=3000, help="address space per command")
    parser.add_argument("--keep", type=Path, default=None, help="keep failing cases here")
    options = parser.parse_args()

    rng = random.Random(options.seed)
    base = _baseline()
    cases = [make_case(i, rng, base) for i in range(options.count)]
    work = Path(tempfile.mkdtemp(prefix="nkroutes-fuzz-"))
    counts: Counter[str] = Counter()
    codes: Counter[str] = Counter()
    started = time.monotonic()
    try:
        for case in cases:
            found = _one_case(case, work, options, codes)
            counts["scenarios"] += 1
            counts[f"kind:{case.kind}"] += 1
            for problem in found:
                counts[problem] += 1
            if found:
                print(f"case {case.number} ({case.kind}): {', '.join(sorted(set(found)))}")
                if options.keep is not None:
                    shutil.copytree(
                        work / f"c{case.number}",
                        options.keep / f"c{case.number}",
                        symlinks=True,
                        dirs_exist_ok=True,
                    )
            shutil.rmtree(work / f"c{case.number}", ignore_errors=True)
            if case.number % 50 == 49:
                print(
                    f"... {case.number + 1} cases, {time.monotonic() - started:.0f} s",
                    file=sys.stderr,
                    flush=True,
                )
    finally:
        shutil.rmtree(work, ignore_errors=True)
    summary = {
        "command": " ".join(["python tools/fuzz_scenarios.py", *sys.argv[1:]]),
        "scenarios": counts["scenarios"],
        "tracebacks": counts["traceback"],
        "hangs": counts["hang"],
        "memory_blowups": counts["memory"],
        "leftovers": counts["leftover"],
        "bad_exits": counts["bad_exit"],
        "kinds": {k[5:]: v for k, v in sorted(counts.items()) if k.startswith("kind:")},
        "exit_codes": dict(sorted(codes.items())),
        "seconds": round(time.monotonic() - started),
    }
    print(json.dumps(summary, indent=2))
    bad = summary["tracebacks"] + summary["hangs"] + summary["memory_blowups"]
    return 1 if bad + summary["leftovers"] + summary["bad_exits"] else 0


def _one_case(case: Case, work: Path, options: argparse.Namespace, codes: Counter) -> list[str]:
    folder = work / f"c{case.number}"
    path = write_case(case, folder)
    found: list[str] = []
    # validate takes no --set; show applies them and validates the same way.
    checker = ["show", str(path), *_sets(case)] if case.sets else ["validate", str(path)]
    validate = run_command(checker, folder, options.timeout, options.memory_mb)
    codes[f"validate:{validate.code}"] += 1
    found += problems_of(validate, None)
    out = folder / "out"
    args = [
        "run",
        str(path),
        "-n",
        "1",
        "--workers",
        "1",
        "--seed",
        str(case.number),
        "--no-plots",
        "-q",
        "--out",
        str(out),
        *_sets(case),
    ]
    run = run_command(args, folder, options.timeout, options.memory_mb)
    codes[f"run:{run.code}"] += 1
    found += problems_of(run, out)
    if found and options.keep is not None:
        (folder / "outcome.txt").write_text(
            f"validate {validate.code}\n{validate.output}\nrun {run.code}\n{run.output}\n",
            encoding="utf-8",
        )
    return found


def _sets(case: Case) -> list[str]:
    return [part for text in case.sets for part in ("--set", text)]


if __name__ == "__main__":
    sys.exit(main())
