"""An append-only file of finished evaluations, so an interrupted calibration can resume.

Each finished evaluation is one JSON line, written with a single ``write`` and flushed to
disk before the next is started. If the process dies mid-write, only the last line can be
incomplete; reading ignores it and the next append first cuts it off, so the file is
always a sequence of whole records.
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path
from typing import Any


def _plain(value: Any) -> Any:
    """JSON-safe copy: numpy scalars to Python numbers, non-finite floats to strings."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if hasattr(value, "item") and not isinstance(value, str | bytes):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")
    return value


def _restore(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _restore(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_restore(v) for v in value]
    if value in ("nan", "inf", "-inf"):
        return float(value)
    return value


class JournalError(ValueError):
    """A journal's line is not a record nkroutes wrote (exit code 2 in the commands)."""


class Journal:
    """The evaluations of one calibration, one JSON object per line.

    Args:
        path: The file (created on the first append).
    """

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._tail_checked = False

    def read(self) -> list[dict[str, Any]]:
        """Every whole record in the file, in the order written (none if there is no file)."""
        if not self.path.is_file():
            return []
        records = []
        text = self.path.read_text(encoding="utf-8")
        # The piece after the last newline is empty, or a record cut off mid-write.
        for number, line in enumerate(text.split("\n")[:-1], start=1):
            if line.strip():
                records.append(_restore(self._record(line, number)))
        return records

    def _record(self, line: str, number: int) -> dict[str, Any]:
        """One whole line as a record, or :class:`JournalError` naming the file and line."""
        where = f"{self.path}: line {number}"
        try:
            record = json.loads(line)
        except ValueError as error:
            raise JournalError(f"{where}: found text that is not JSON ({error})") from None
        index = record.get("index") if isinstance(record, dict) else None
        if isinstance(index, bool) or not isinstance(index, int) or index < 0:
            raise JournalError(
                f"{where}: found {line[:60]!r}, expected a JSON object with a whole-number "
                "'index' (a record nkroutes wrote); the file was changed by hand or damaged"
            )
        return record

    def _cut_partial_line(self) -> None:
        if not self.path.is_file():
            return
        data = self.path.read_bytes()
        if data and not data.endswith(b"\n"):
            with self.path.open("r+b") as handle:
                handle.truncate(data.rfind(b"\n") + 1)

    def append(self, record: dict[str, Any]) -> None:
        """Add one record and make sure it is on disk before returning."""
        if not self._tail_checked:
            self._cut_partial_line()
            self._tail_checked = True
        line = json.dumps(_plain(record), separators=(",", ":"), allow_nan=False) + "\n"
        with self.path.open("a", encoding="utf-8") as handle:
            handle.write(line)
            handle.flush()
            os.fsync(handle.fileno())
