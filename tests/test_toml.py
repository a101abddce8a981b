"""Reading TOML (syntax errors with line and column) and writing it back."""

from __future__ import annotations

import math
import tomllib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nkroutes.scenario import ScenarioError, load_scenario
from nkroutes.scenario.errors import Problem
from nkroutes.scenario.toml_write import dumps


@pytest.mark.parametrize(
    ("text", "line", "column", "message"),
    [
        ('[meta]\nname = "x"\nbroken line\n', 3, 8, "Expected '=' after a key"),
        ('[meta]\nname = "unterminated\n', 2, 21, "Illegal character"),
        ("[meta]\nname = ", 2, 8, "Invalid value"),
    ],
)
def test_syntax_error_names_file_line_and_column(cli, write, text, line, column, message):
    file = write(text)
    result = cli("validate", file)
    assert result.exit_code == 2
    assert result.stdout.startswith(f"{file}:{line}:{column}: found a TOML syntax error ({message}")
    assert result.stdout.rstrip().endswith("expected valid TOML")
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    ("text", "line", "column", "found"),
    [
        ('[meta]\nname = "a\x01b"\n', 2, 10, "U+0001 (SOH)"),
        ("[meta]\x07\nname = 'x'\n", 1, 7, "U+0007 (BEL)"),  # tomllib: "Expected newline"
        ('[meta]\nname = "x\x7f"\n', 2, 10, "U+007F (DEL)"),
    ],
)
def test_a_raw_control_character_is_named_with_its_place(cli, write, text, line, column, found):
    file = write(text)
    result = cli("validate", file)
    assert result.exit_code == 2
    assert result.stdout == (
        f"{file}:{line}:{column}: found a control character, {found}, expected printable text "
        '(a control character may appear only as an escape such as "\\u0007" inside a string; '
        "tab is the one allowed as it is)\n"
    )


def test_a_missing_file_is_a_problem_not_a_traceback(cli, tmp_path):
    missing = tmp_path / "nope.toml"
    result = cli("validate", missing)
    assert result.exit_code == 2
    assert result.stdout == f"{missing}: found no such file, expected an existing scenario file\n"


def test_a_directory_is_not_a_scenario(tmp_path):
    with pytest.raises(ScenarioError, match="found a directory, expected a scenario file"):
        load_scenario(tmp_path)


def test_a_file_that_is_not_utf8_is_a_problem(tmp_path):
    file = tmp_path / "latin1.toml"
    file.write_bytes(b'[meta]\nname = "Hamgy\xf6ng"\n')
    with pytest.raises(ScenarioError, match="found bytes that are not UTF-8"):
        load_scenario(file)


def test_a_byte_order_mark_is_named(tmp_path):
    # A BOM made the first line a TOML syntax error ("Invalid statement") with no word of it.
    file = tmp_path / "bom.toml"
    file.write_bytes(b'\xef\xbb\xbf[meta]\nname = "x"\n')
    with pytest.raises(ScenarioError) as error:
        load_scenario(file)
    assert str(error.value) == (
        f"{file}: found a byte-order mark (BOM) at the start of the file, expected UTF-8 "
        "without a BOM (in the editor: save as 'UTF-8', not 'UTF-8 with BOM')"
    )


def test_problem_text_format():
    problem = Problem("a.toml", "x.y", "1", "a string", "z")
    assert str(problem) == "a.toml: x.y: found 1, expected a string (did you mean 'z'?)"
    located = Problem("a.toml", "", "a TOML syntax error (bad)", "valid TOML", line=3, column=4)
    assert str(located) == "a.toml:3:4: found a TOML syntax error (bad), expected valid TOML"


def test_writer_quotes_keys_and_escapes_strings():
    text = dumps({"a": {"b.c": 'say "hi"\n\t\x7f', "list": [1, 2.5, True]}, "n": math.inf})
    assert text == ('n = inf\n\n[a]\n"b.c" = "say \\"hi\\"\\n\\t\\u007f"\nlist = [1, 2.5, true]\n')
    assert tomllib.loads(text)["a"]["b.c"] == 'say "hi"\n\t\x7f'


def test_writer_emits_arrays_of_tables_as_blocks():
    text = dumps(
        {
            "places": [{"id": "a", "set": {"x.y": 1}}, {"id": "b"}],
            "calibration": {"free": [{"id": "c"}]},
        }
    )
    assert text == (
        '[[places]]\nid = "a"\n\n[places.set]\n"x.y" = 1\n\n[[places]]\nid = "b"\n\n'
        '[[calibration.free]]\nid = "c"\n'
    )


KEYS = st.text(min_size=1, max_size=8)
SCALARS = (
    st.text(max_size=20)
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**63 - 1)
    | st.floats(allow_nan=False)
)
TABLES = st.recursive(
    st.dictionaries(KEYS, SCALARS | st.lists(SCALARS, max_size=4), max_size=4),
    lambda inner: st.dictionaries(
        KEYS, inner | st.lists(inner, min_size=1, max_size=3) | SCALARS, max_size=4
    ),
    max_leaves=20,
)


@pytest.mark.slow
@settings(max_examples=200, deadline=None)
@given(TABLES)
def test_writer_output_reads_back_to_the_same_data(data):
    assert tomllib.loads(dumps(data)) == data
