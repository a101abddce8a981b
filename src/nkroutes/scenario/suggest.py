"""Words for error messages: the closest allowed name, and short lists of names."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


def closest(word: str, allowed: Iterable[str]) -> str | None:
    """The allowed name most like ``word`` (for "did you mean ...?"), or ``None``.

    Args:
        word: What was written.
        allowed: The names that would have been accepted.

    Returns:
        The best match with similarity at least 0.6, else ``None``.
    """
    matches = difflib.get_close_matches(word, list(allowed), n=1, cutoff=0.6)
    return matches[0] if matches else None


def listing(names: Iterable[str], limit: int = 12) -> str:
    """Names separated by commas, cut after ``limit`` of them.

    Args:
        names: The names.
        limit: How many to show at most.

    Returns:
        E.g. ``"id, name, kind"`` or ``"a, b, ... (20 in all)"``.
    """
    names = list(names)
    if not names:
        return "(none)"
    if len(names) <= limit:
        return ", ".join(names)
    return ", ".join(names[:limit]) + f", ... ({len(names)} in all)"
