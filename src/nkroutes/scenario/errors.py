"""Problems found in scenario files, and the one exception that carries them all."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a scenario.

    Attributes:
        file: The file the offending value comes from (``"--set"`` for a command-line
            override, ``"<dict>"`` or another label for data not read from a file).
        path: Dotted key path of the value (``"places.vietnam.arrest_rate_per_year"``), or
            ``""`` for the file as a whole.
        found: What was found, written for a reader (``'-5.0'``, ``'unknown key "x"'``).
        expected: What is allowed instead (``"a number >= 0"``).
        suggestion: A likely intended key or value (shown as "did you mean ...?"), or ``None``.
        line: Line of a TOML syntax error, or ``None``.
        column: Column of a TOML syntax error, or ``None``.
    """

    file: str
    path: str
    found: str
    expected: str
    suggestion: str | None = None
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        if self.path:
            where += f": {self.path}"
        text = f"{where}: found {self.found}, expected {self.expected}"
        if self.suggestion is not None:
            text += f" (did you mean '{self.suggestion}'?)"
        return text


class ScenarioError(ValueError):
    """A scenario could not be loaded: every problem found, not just the first.

    Attributes:
        problems: The problems, in the order they were found.
    """

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems: list[Problem] = list(problems)
        super().__init__(str(self))

    def __str__(self) -> str:
        return "\n".join(str(p) for p in self.problems)
