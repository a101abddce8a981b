"""Helpers for the words nkroutes writes in reports and messages."""

from __future__ import annotations


def plural(count: int, noun: str, nouns: str | None = None) -> str:
    """A count and its noun: ``"1 replicate"``, ``"3 replicates"``.

    Args:
        count: How many.
        noun: The noun for one.
        nouns: The noun for several, if not ``noun`` + "s".
    """
    return f"{count} {noun if count == 1 else (nouns or noun + 's')}"
