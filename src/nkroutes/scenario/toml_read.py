"""Reading one TOML file: syntax errors by file, line and column; hostile files refused."""

from __future__ import annotations

import errno
import os
import re
import stat
import tomllib
from pathlib import Path
from typing import Any

from nkroutes.scenario.errors import Problem, ScenarioError
from nkroutes.scenario.input_limits import MAX_DEPTH, MAX_FILE_BYTES, nesting_depth

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
    control = _control_character(text, line, column)
    if control is not None:
        return Problem(
            file,
            "",
            f"a control character, {control}",
            "printable text (a control character may appear only as an escape such as "
            '"\\u0007" inside a string; tab is the one allowed as it is)',
            line=line,
            column=column,
        )
    return Problem(
        file, "", f"a TOML syntax error ({message})", "valid TOML", line=line, column=column
    )


#: The names of the ASCII control characters (0-31), as Unicode abbreviates them.
# fmt: off
_CONTROL_NAMES = (
    "NUL", "SOH", "STX", "ETX", "EOT", "ENQ", "ACK", "BEL", "BS", "HT", "LF", "VT", "FF", "CR",
    "SO", "SI", "DLE", "DC1", "DC2", "DC3", "DC4", "NAK", "SYN", "ETB", "CAN", "EM", "SUB", "ESC",
    "FS", "GS", "RS", "US",
)
# fmt: on


def _control_character(text: str, line: int | None, column: int | None) -> str | None:
    """The control character where ``tomllib`` stopped, as "U+0007 (BEL)", or ``None``."""
    if line is None or column is None:
        return None
    lines = text.split("\n")
    if not 1 <= line <= len(lines) or not 1 <= column <= len(lines[line - 1]):
        return None
    code = ord(lines[line - 1][column - 1])
    if code == 0x7F:
        return "U+007F (DEL)"
    if code < 0x20 and chr(code) not in "\t\r":
        return f"U+{code:04X} ({_CONTROL_NAMES[code]})"
    return None


def _file_kind(mode: int) -> str:
    """What a file that is not a regular file is, in words."""
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def path_error_text(error: OSError | ValueError | RuntimeError) -> str:
    """The cause of a failed file-system call on a path, in words (no traceback)."""
    if isinstance(error, OSError):
        if error.errno == errno.ENOENT:
            return "no such file"
        return error.strerror or str(error)
    if "null" in str(error):
        return "a path with a NUL character"
    if "loop" in str(error).lower():
        return "a symlink loop"
    return str(error)


def _read_bytes(path: Path, label: str) -> bytes:
    """The bytes of a regular file of at most ``MAX_FILE_BYTES``, or a clean error."""

    def refuse(found: str, expected: str = "a scenario file (.toml)") -> ScenarioError:
        return ScenarioError([Problem(label, "", found, expected)])

    try:
        # Non-blocking, so that opening a named pipe does not wait for a writer.
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except (OSError, ValueError) as error:
        if isinstance(error, IsADirectoryError):
            raise refuse("a directory") from None
        if isinstance(error, FileNotFoundError):
            raise refuse("no such file", "an existing scenario file") from None
        raise refuse(f"an unreadable file ({path_error_text(error)})", "a readable file") from None
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        os.close(fd)
        if stat.S_ISDIR(mode):
            raise refuse("a directory")
        raise refuse(_file_kind(mode), "a regular scenario file (.toml)")
    with os.fdopen(fd, "rb") as handle:
        try:
            data = handle.read(MAX_FILE_BYTES + 1)
        except OSError as error:
            raise refuse(
                f"an unreadable file ({path_error_text(error)})", "a readable file"
            ) from None
    if len(data) > MAX_FILE_BYTES:
        raise refuse(
            f"a file of more than {MAX_FILE_BYTES:,} bytes",
            f"a scenario file of at most {MAX_FILE_BYTES:,} bytes",
        )
    return data


def parse_toml(text: str, label: str) -> dict[str, Any]:
    """Parse a TOML document, refusing syntax errors and values nested too deeply.

    Args:
        text: The document.
        label: How it is named in messages.

    Returns:
        The parsed document.

    Raises:
        ScenarioError: If it is not valid TOML or nests more than ``MAX_DEPTH`` deep.
    """
    too_deep = ScenarioError(
        [
            Problem(
                label,
                "",
                f"tables or arrays nested more than {MAX_DEPTH} deep",
                f"a scenario nested at most {MAX_DEPTH} deep",
            )
        ]
    )
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ScenarioError([syntax_problem(label, error, text)]) from None
    except RecursionError:
        raise too_deep from None
    if nesting_depth(data) > MAX_DEPTH:
        raise too_deep
    return data


def read_toml(path: Path, label: str) -> dict[str, Any]:
    """Read a TOML scenario file.

    Only a regular file of at most ``MAX_FILE_BYTES`` is read (a named pipe or a device
    such as ``/dev/zero`` is refused before anything is read from it).

    Args:
        path: The file.
        label: How the file is named in messages.

    Returns:
        The parsed document.

    Raises:
        ScenarioError: If the file cannot be read, is not a regular file, is too large, is
            not UTF-8, is not valid TOML or nests too deeply.
    """
    data = _read_bytes(path, label)
    if data.startswith(b"\xef\xbb\xbf"):  # some editors on Windows save one
        raise ScenarioError(
            [
                Problem(
                    label,
                    "",
                    "a byte-order mark (BOM) at the start of the file",
                    "UTF-8 without a BOM (in the editor: save as 'UTF-8', not 'UTF-8 with BOM')",
                )
            ]
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ScenarioError(
            [Problem(label, "", f"bytes that are not UTF-8 ({error.reason})", "a UTF-8 text file")]
        ) from None
    # As reading in text mode would: every line ending becomes "\n".
    return parse_toml(text.replace("\r\n", "\n").replace("\r", "\n"), label)
