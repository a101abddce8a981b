"""The command line: validate, show, run, --set, exit codes and help."""

from __future__ import annotations

import subprocess
import sys
import tomllib
import types

import click
import pytest

from nkroutes import cli as cli_module
from nkroutes.scenario import parse_override, parse_value
from scenario_builder import BASELINE, ROOT, SCENARIOS

WHAT_IF = SCENARIOS / "china-non-refoulement.toml"


def _differences(a, b, path=""):
    """Dotted paths (ids for array items) where two parsed TOML documents differ."""
    if isinstance(a, dict) and isinstance(b, dict):
        out = set()
        for key in a.keys() | b.keys():
            out |= _differences(a.get(key), b.get(key), f"{path}.{key}" if path else key)
        return out
    tables = isinstance(a, list) and isinstance(b, list) and all(isinstance(x, dict) for x in a + b)
    if tables and [x.get("id") for x in a] == [x.get("id") for x in b]:
        out = set()
        for x, y in zip(a, b, strict=True):
            out |= _differences(x, y, f"{path}.{x.get('id')}")
        return out
    return set() if a == b else {path}


def test_validate_prints_ok_for_every_shipped_scenario(cli):
    files = sorted(SCENARIOS.glob("*.toml"))
    assert BASELINE in files and WHAT_IF in files
    result = cli("validate", *files)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [f"{f}: ok" for f in files]


def test_validate_reports_good_and_bad_files_and_exits_2(cli, write, small):
    good = write(small, "good.toml")
    small["time"]["step"] = "year"
    bad = write(small, "bad.toml")
    result = cli("validate", good, bad)
    assert result.exit_code == 2
    assert result.stdout.splitlines() == [
        f"{good}: ok",
        f'{bad}: time.step: found "year", expected one of "month", "week", "day"',
    ]


def test_validate_reports_calibration_targets_that_calibrate_would_refuse(cli, write):
    extends = f'extends = "{BASELINE.as_posix()}"\n[calibration.targets]\n'
    typo = write(extends + "[calibration.targets.weights]\nbroker_asisted_share_2004 = 0.0\n")
    order = write(extends + "years_from = 2006\nyears_to = 1994\n", "order.toml")
    column = write(extends + 'arrivals = "arrivals_south_koera"\n', "column.toml")
    shorter = write(f'extends = "{BASELINE.as_posix()}"\n[time]\nend = "1991-12"\n', "s2.toml")
    result = cli("validate", typo, order, column, shorter)
    assert result.exit_code == 2
    assert result.stdout.splitlines() == [
        f"{typo}: calibration.targets.weights: found broker_asisted_share_2004; expected "
        "names of observed targets: broker_assisted_share_2004, repatriated_by_china_2000, "
        "in_china, stayed_two_years_share",
        f"{order}: calibration.targets.years_from/years_to: found 2006-1994, expected "
        "years_from no later than years_to",
        f"{column}: calibration.targets.arrivals: found 'arrivals_south_koera', expected a "
        "column of yearly.csv that counts people, such as arrivals, arrivals_south_korea, "
        "arrivals_united_states, arrivals_europe, arrivals_japan, arrivals_female, "
        "arrivals_male, arrivals_via_russia, arrivals_via_dmz, arrivals_via_thailand, "
        "arrivals_via_vietnam, arrivals_via_mongolia, arrivals_via_beijing_missions "
        "(docs/outputs.md)",
        f"{shorter}: ok",  # a shorter what-if is made to run; its calibration is another matter
    ]


def test_show_of_a_what_if_differs_from_the_baseline_only_where_it_says(cli):
    base = cli("show", BASELINE)
    what_if = cli("show", WHAT_IF)
    assert base.exit_code == 0 and what_if.exit_code == 0
    written = tomllib.loads(WHAT_IF.read_text())
    assert written["extends"] == "baseline.toml"
    assert _differences(tomllib.loads(base.stdout), tomllib.loads(what_if.stdout)) == {
        "meta.name",
        "meta.description",
        "enforcement.china.repatriation_probability",
    }
    assert tomllib.loads(what_if.stdout)["enforcement"]["china"]["repatriation_probability"] == 0.0


def test_show_with_set_changes_exactly_the_overridden_values(cli):
    base = tomllib.loads(cli("show", BASELINE).stdout)
    result = cli(
        "show",
        BASELINE,
        "--set",
        "time.end=2011-12",
        "--set",
        "places.vietnam.arrest_rate_per_year=3",
        "--set",
        "routes.kunming_laos.open=false",
        "--set",
        'meta.description="what if"',
    )
    assert result.exit_code == 0, result.output
    shown = tomllib.loads(result.stdout)
    assert _differences(base, shown) == {
        "time.end",
        "places.vietnam.arrest_rate_per_year",
        "routes.kunming_laos.open",
        "meta.description",
    }
    assert shown["time"]["end"] == "2011-12"
    vietnam = next(p for p in shown["places"] if p["id"] == "vietnam")
    assert vietnam["arrest_rate_per_year"] == 3.0


def test_set_of_an_unknown_path_exits_2_naming_set_and_the_path(cli):
    result = cli("show", BASELINE, "--set", "enforcement.china.arest_rate=0.3")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        '--set: enforcement.china.arest_rate: found unknown key "arest_rate", expected a key of '
        "[enforcement.china]: arrest_rate_per_year, repatriation_probability, "
        "settled_arrest_multiplier, savings_usd_per_month, exit_attempt_rate_per_year, "
        "sponsored_exit_attempt_rate_per_year, settle_rate_per_year, "
        "word_of_mouth_exit_rate_per_year, ngo_helped_per_year, trafficked_at_entry_probability, "
        "trafficking_rate_per_year "
        "(did you mean 'enforcement.china.arrest_rate_per_year'?)"
    ]


@pytest.mark.parametrize(
    ("option", "line"),
    [
        (
            "routes.nh_tumen.cost_usd=-1",
            "--set: routes.nh_tumen.cost_usd: found -1 (below the minimum 0), "
            "expected a number in [0, 1000000000]",
        ),
        (
            "places.atlantis.lat=1",
            '--set: places.atlantis.lat: found unknown id "atlantis" in [[places]], expected one '
            "of the ids: ",
        ),
        ("brokers=1", "--set: brokers: found brokers, a table, expected a path to a value"),
        (
            "time.start.year=1",
            "--set: time.start.year: found a value at time.start, not a table, expected a path "
            "that ends at a value",
        ),
        (
            "extends=other.toml",
            "--set: extends: found a path that names no value, expected a dotted key path",
        ),
    ],
)
def test_set_problems_exit_2(cli, option, line):
    result = cli("show", BASELINE, "--set", option)
    assert result.exit_code == 2
    assert result.stderr.startswith(line)


@pytest.mark.parametrize("option", ["no-equals-sign", "=5"])
def test_malformed_set_is_a_usage_error(cli, option):
    result = cli("show", BASELINE, "--set", option)
    assert result.exit_code == 2
    assert f"Invalid value for '--set': expected key.path=value, got '{option}'" in result.stderr


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("0.5", 0.5),
        ("3", 3),
        ("true", True),
        ('"quoted"', "quoted"),
        ('["a", "b"]', ["a", "b"]),
        ("2011-12", "2011-12"),
        ("2011-12-01", "2011-12-01"),
        ("vietnam", "vietnam"),
        ("", ""),
    ],
)
def test_set_values_are_toml_or_else_text(text, value):
    assert parse_value(text) == value
    assert type(parse_value(text)) is type(value)


def test_parse_override_splits_at_the_first_equals_sign():
    assert parse_override(" meta.description = a=b ") == ("meta.description", "a=b")


def test_run_refuses_bad_input_before_writing_anything(cli, write, small, tmp_path):
    small["routes"][0]["to"] = "nowhere"
    file = write(small)
    out = tmp_path / "out"
    result = cli("run", file, "--out", out)
    assert result.exit_code == 2
    assert f'{file}: routes.nh_tumen.to: found "nowhere"' in result.stderr
    assert not out.exists()


def test_run_refuses_a_non_empty_output_directory(cli, write, small, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "old.csv").write_text("x")
    result = cli("run", write(small), "--out", out)
    assert result.exit_code == 2
    assert f"{out} is not empty; choose another --out, or pass --force" in result.stderr
    assert [p.name for p in out.iterdir()] == ["old.csv"]


@pytest.mark.parametrize("command", ["validate", "show", "run"])
def test_each_command_help_shows_an_example(cli, command):
    result = cli(command, "--help")
    assert result.exit_code == 0
    assert f"  nkroutes {command} scenarios/" in result.stdout


def test_group_help_lists_commands_and_examples(cli):
    result = cli("--help")
    assert result.exit_code == 0
    for command in ("validate", "show", "run"):
        assert f"  {command} " in result.stdout
    assert "Examples:\n    nkroutes validate scenarios/*.toml" in result.stdout


def test_unknown_command_and_missing_argument_are_usage_errors(cli):
    assert cli("frobnicate").exit_code == 2
    assert cli("show").exit_code == 2
    assert cli("validate").exit_code == 2


def test_commands_from_other_modules_are_loaded_when_used(cli, monkeypatch):
    @click.command()
    def hello():
        """Say hello."""
        click.echo("hello")

    module = types.ModuleType("nkroutes_test_plugin")
    module.hello = hello
    monkeypatch.setitem(sys.modules, "nkroutes_test_plugin", module)
    monkeypatch.setitem(cli_module.COMMANDS, "hello", "nkroutes_test_plugin:hello")
    assert "  hello  " in cli("--help").stdout
    assert cli("hello").stdout == "hello\n"


def test_python_dash_m_nkroutes_runs_the_cli():
    result = subprocess.run(
        [sys.executable, "-m", "nkroutes", "validate", "scenarios/baseline.toml"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert (result.returncode, result.stdout) == (0, "scenarios/baseline.toml: ok\n")


def test_bad_input_from_a_subprocess_has_no_traceback(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("[meta]\nname = 3\n")
    result = subprocess.run(
        [sys.executable, "-m", "nkroutes", "show", str(bad)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    assert result.stdout == ""
    assert f"{bad}: meta.name: found 3, expected a string" in result.stderr
    assert "Traceback" not in result.stderr


def test_version(cli):
    assert cli("--version").stdout == "nkroutes, version 0.1.0\n"


@pytest.mark.parametrize("name", sorted(cli_module.COMMANDS))
def test_each_command_summary_in_the_table_is_its_own_short_help(name):
    entry = cli_module.COMMANDS[name]
    command = cli_module.load_command(name)
    assert isinstance(entry, cli_module.Lazy), (
        f"COMMANDS[{name!r}]: write Lazy('module:attribute', 'first paragraph of its "
        "docstring') so that nkroutes --help imports no command"
    )
    for limit in (45, 63, 200):
        summary = click.Command(name, help=entry.summary).get_short_help_str(limit)
        assert summary == command.get_short_help_str(limit)


def test_help_imports_no_command_module():
    code = (
        "import sys\n"
        "from click.testing import CliRunner\n"
        "from nkroutes.cli import main\n"
        "assert CliRunner().invoke(main, ['--help']).exit_code == 0\n"
        "print(sorted(m for m in sys.modules if m.startswith(('nkroutes.commands', "
        "'nkroutes.ensemble', 'nkroutes.analysis', 'nkroutes.plots', 'matplotlib'))))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"
