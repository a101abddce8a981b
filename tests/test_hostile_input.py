"""Issue 21: hostile and absurd scenarios are refused with one clean line each, exit 2.

Every reproducer of the issue's "numbers without bounds" and "parser and path edge cases"
lists is here: it must give ``FILE: KEY.PATH: found X, expected Y`` (or ``FILE: found X,
expected Y`` for the file as a whole), exit code 2, and no traceback.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from nkroutes.model.counts import MAX_COUNT, CountOverflowError, poisson_count, poisson_counts
from nkroutes.scenario import ScenarioError, scenario_from_dict
from nkroutes.scenario.input_limits import MAX_DEPTH, MAX_EXTENDS, MAX_FILE_BYTES
from scenario_builder import BASELINE


def _refused(result, prefix: str, found: str) -> str:
    """The one error line of a refused invocation, checked for form and exit code."""
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    lines = [line for line in result.output.splitlines() if line.startswith(prefix)]
    assert lines, result.output
    assert found in lines[0], lines[0]
    assert ", expected " in lines[0], lines[0]
    return lines[0]


@pytest.mark.parametrize(
    ("setting", "found"),
    [
        ("departures.base_rate_per_year=1e308", "above the maximum"),
        ("departures.base_rate_per_year=1e7", "above the maximum"),
        ("route_choice.cost_sensitivity_per_1000_usd=1e308", "above the maximum"),
        ("places.yanji_hub.initial_brokers=1000000000", "above the maximum"),
        ("push_factors.famine.intensity=1e12", "above the maximum"),
        ("routes.nh_tumen.cost_usd=1e300", "above the maximum"),
        ("enforcement.china.arrest_rate_per_year=1e308", "above the maximum"),
        ("enforcement.china.arrest_rate_per_year=1e6", "above the maximum"),
        ("population.savings_usd_log_sd=1000", "above the maximum"),
        ("brokers.hire_rounds=1000000000", "above the maximum"),
        ("time.start=0001-01", "outside 1900-01 to 2100-12"),
        ("time.start=0000-01", "outside 1900-01 to 2100-12"),
        ("time.end=9999-12", "outside 1900-01 to 2100-12"),
        ("time.end=２００８-１２", '"２００８-１２"'),
        ("meta.name=" + "a" * 300, "300 characters, more than 100"),
        ('meta.name="x\\u0000y"', "control character U+0000"),
        ("meta.name=a/b", "a character that is not allowed"),
        ('places.yanji_hub.name="a\\u001bb"', "control character U+001B"),
        ("meta.sources=" + "[" * 500 + "]" * 500, '"[[[['),
        ("meta.sources=" + "[" * 100 + "]" * 100, f"nested more than {MAX_DEPTH} deep"),
    ],
)
def test_out_of_bounds_overrides_are_refused(cli, setting, found):
    key = setting.split("=", 1)[0]
    _refused(cli("show", BASELINE, "--set", setting), f"--set: {key}: found ", found)


def test_bounds_are_checked_in_events_too(small):
    small["events"].append(
        {"id": "flood", "date": "1995-01", "set": {"departures.base_rate_per_year": 1e308}}
    )
    with pytest.raises(ScenarioError, match="above"):
        scenario_from_dict(small)


def test_baseline_values_are_within_the_bounds():
    # every shipped scenario keeps validating (the byte-identical check runs them)
    for path in sorted(BASELINE.parent.glob("*.toml")):
        from nkroutes.scenario import load_scenario

        load_scenario(path)


def test_a_count_that_would_wrap_is_refused():
    u = np.array([0.3, 0.7])
    assert poisson_counts(u, np.array([2.0, 0.0]), "departures").tolist() == [1, 0]
    with pytest.raises(CountOverflowError, match="departures"):
        poisson_counts(u, np.array([1e308, 1.0]), "departures")
    with pytest.raises(CountOverflowError):
        poisson_count(0.5, 4 * MAX_COUNT, "brokers")
    assert poisson_count(0.5, 0.0, "brokers") == 0


def _validate(cli, file: Path, found: str, prefix: str | None = None) -> str:
    return _refused(cli("validate", file), prefix or f"{file}", found)


def test_a_fifo_is_refused_at_once(cli, tmp_path):
    fifo = tmp_path / "pipe.toml"
    os.mkfifo(fifo)
    _validate(cli, fifo, "a named pipe (FIFO)")


def test_a_device_is_refused_at_once(cli):
    _validate(cli, Path("/dev/zero"), "a device")


def test_a_file_above_the_size_limit_is_refused(cli, write):
    file = write("# " + "x" * MAX_FILE_BYTES + "\n")
    _validate(cli, file, f"more than {MAX_FILE_BYTES:,} bytes")


def test_arrays_nested_too_deeply_are_refused(cli, write):
    file = write('[meta]\nname = "x"\nsources = ' + "[" * 500 + "]" * 500 + "\n")
    _validate(cli, file, f"nested more than {MAX_DEPTH} deep")


def test_tables_nested_too_deeply_are_refused(cli, write):
    file = write("[" + ".".join(["a"] * 5000) + "]\nb = 1\n")
    _validate(cli, file, f"nested more than {MAX_DEPTH} deep")


def test_data_nested_too_deeply_is_refused():
    data: dict = {}
    inner = data
    for _ in range(5000):
        inner["a"] = {}
        inner = inner["a"]
    with pytest.raises(ScenarioError, match="nested more than"):
        scenario_from_dict(data)


def test_a_long_extends_chain_is_refused(cli, tmp_path, small):
    from nkroutes.scenario.toml_write import dumps

    (tmp_path / "f0.toml").write_text(dumps(small), encoding="utf-8")
    for i in range(1, 1200):
        (tmp_path / f"f{i}.toml").write_text(f'extends = "f{i - 1}.toml"\n', encoding="utf-8")
    line = _validate(
        cli, tmp_path / "f1199.toml", f"file {MAX_EXTENDS + 1} of the chain", prefix=str(tmp_path)
    )
    assert f"at most {MAX_EXTENDS} files" in line


def test_a_chain_within_the_limit_is_read(tmp_path, small):
    from nkroutes.scenario import load_scenario
    from nkroutes.scenario.toml_write import dumps

    (tmp_path / "f0.toml").write_text(dumps(small), encoding="utf-8")
    for i in range(1, MAX_EXTENDS):
        (tmp_path / f"f{i}.toml").write_text(f'extends = "f{i - 1}.toml"\n', encoding="utf-8")
    assert load_scenario(tmp_path / f"f{MAX_EXTENDS - 1}.toml").name == "small"


@pytest.mark.parametrize(
    ("extends", "found"),
    [
        ("x\\u0000y.toml", "a path with a NUL character"),
        ("a" * 300 + ".toml", "File name too long"),
        ("abcd/" * 900 + "x.toml", "File name too long"),
        ("loop1", "a symlink loop"),
        ("pipe.toml", "not a regular file"),
    ],
)
def test_bad_extends_paths_are_clean_errors(cli, tmp_path, extends, found):
    os.symlink("loop2", tmp_path / "loop1")
    os.symlink("loop1", tmp_path / "loop2")
    os.mkfifo(tmp_path / "pipe.toml")
    file = tmp_path / "w.toml"
    file.write_text(f'extends = "{extends}"\n', encoding="utf-8")
    _validate(cli, file, found, prefix=f"{file}: extends: found ")


def test_a_symlink_loop_as_the_scenario_is_a_clean_error(cli, tmp_path):
    os.symlink("loop2", tmp_path / "loop1")
    os.symlink("loop1", tmp_path / "loop2")
    _validate(cli, tmp_path / "loop1", "Too many levels of symbolic links")


def test_control_characters_are_refused_in_files(cli, write, small):
    small["places"][0]["name"] = "bell\x07"
    _validate(cli, write(small), "control character U+0007")


def test_newlines_and_tabs_stay_allowed_in_text(small):
    small["meta"]["description"] = "two\nlines\tand a tab"
    assert scenario_from_dict(small).get("meta.description") == "two\nlines\tand a tab"


def test_a_name_safe_in_a_folder_name_is_accepted(small):
    small["meta"]["name"] = "Olympics 2008 (x2) v1.0_b+c,d"
    assert scenario_from_dict(small).name == "Olympics 2008 (x2) v1.0_b+c,d"


def test_a_directory_is_refused(cli, tmp_path):
    _validate(cli, tmp_path, "found a directory")


def test_too_many_routes_or_push_factors_are_refused(small):
    from nkroutes.scenario.schema.limits import MAX_NETWORK_ITEMS, MAX_TIMELINE_ITEMS

    route = dict(small["routes"][0])
    small["routes"] += [{**route, "id": f"r{i}"} for i in range(MAX_NETWORK_ITEMS)]
    push = dict(small["push_factors"][0])
    small["push_factors"] += [{**push, "id": f"p{i}"} for i in range(MAX_TIMELINE_ITEMS)]
    with pytest.raises(ScenarioError) as raised:
        scenario_from_dict(small)
    text = str(raised.value)
    assert f"routes: found {len(small['routes'])} items" in text
    assert f"at most {MAX_NETWORK_ITEMS} items in [[routes]]" in text
    assert f"at most {MAX_TIMELINE_ITEMS} items in [[push_factors]]" in text
