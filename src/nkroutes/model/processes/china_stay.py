"""Stays in China (ODD 7.9, arrival): when a migrant's time in China starts and ends.

A stay starts when a migrant reaches a place in China from outside and ends when it reaches
a place outside China, is detained in North Korea, or dies; ``china_steps`` adds up the
steps of finished stays, ``china_since`` holds the start of the current one (-1: none).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from nkroutes.model.model import RouteModel


def track_china(model: RouteModel, ids: np.ndarray, places: np.ndarray) -> None:
    """Start or end a stay in China as migrants arrive at places in or out of China."""
    t = model.table
    inside = model.params.in_china[places]
    since = t.cols["china_since"]
    entering = ids[inside & (since[ids] < 0)]
    if len(entering):
        since[entering] = model.step_index
        model.china_entries.append(entering)  # for brides sold at entry (7.7, next step)
        first = entering[t.cols["china_steps"][entering] == 0]
        model.counters["entered_china"] += len(entering)
        model.counters["first_entries_china"] += len(first)
    leave_china(model, ids[~inside])


def leave_china(model: RouteModel, ids: np.ndarray) -> None:
    """End the current stay in China of those migrants who are on one (others untouched)."""
    t = model.table
    since = t.cols["china_since"]
    leaving = ids[since[ids] >= 0]
    if len(leaving):
        t.cols["china_steps"][leaving] += model.step_index - since[leaving]
        since[leaving] = -1
