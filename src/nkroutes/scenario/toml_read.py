"""Reading one TOML file, with syntax errors reported by file, line and column."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

from nkroutes.scenario.errors import Problem, ScenarioError

_POSITION = re.compile(r"\s*\(at line (\d+), column (\d+)\)$")
_END = re.compile(r"\s*\(at end of document\)$")


def syntax_problem(file: str, error: tomllib.TOMLDecodeError, text: str) -> Problem:
    """Turn a ``tomllib`` error into a :class:`Problem` with line and column.

    Args:
        file: The file's label.
        error: The error ``tomllib`` raised.
        text: The document that was parsed (to place "end of document").

    Returns:
        The problem.
    """
    message = str(error)
    line = column = None
    match = _POSITION.search(message)
    if match:
        line, column = int(match.group(1)), int(match.group(2))
        message = message[: match.start()]
    elif _END.search(message):
        message = _END.sub("", message)
        lines = text.split("\n")
        line, column = len(lines), len(lines[-1]) + 1
    return Problem(
        file, "", f"a TOML syntax error ({message})", "valid TOML", line=line, column=column
    )


def read_toml(path: Path, label: str) -> dict[str, Any]:
    """Read a TOML file.

    Args:
        path: The file.
        label: How the file is named in messages.

    Returns:
        The parsed document.

    Raises:
        ScenarioError: If the file cannot be read, is not UTF-8 or is not valid TOML.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ScenarioError(
            [Problem(label, "", "no such file", "an existing scenario file")]
        ) from None
    except IsADirectoryError:
        raise ScenarioError(
            [Problem(label, "", "a directory", "a scenario file (.toml)")]
        ) from None
    except UnicodeDecodeError as error:
        raise ScenarioError(
            [Problem(label, "", f"bytes that are not UTF-8 ({error.reason})", "a UTF-8 text file")]
        ) from None
    except OSError as error:
        raise ScenarioError(
            [Problem(label, "", f"an unreadable file ({error.strerror})", "a readable file")]
        ) from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ScenarioError([syntax_problem(label, error, text)]) from None
