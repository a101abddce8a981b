"""Placing point labels on a map so they do not overlap each other or the markers.

A small greedy placer: each label, most important first, tries eight positions around its
point and takes the first that overlaps nothing already placed (or the least-overlapping one).
It needs the figure's final layout, so call it after the figure has been drawn once and its
layout frozen.
"""

from __future__ import annotations

from dataclasses import dataclass

from matplotlib.axes import Axes
from matplotlib.text import Annotation
from matplotlib.transforms import Bbox

#: Candidate directions (unit offsets) in order of preference: right, left, above, below, ...
_DIRECTIONS: tuple[tuple[float, float, str, str], ...] = (
    (1.0, 0.0, "left", "center"),
    (-1.0, 0.0, "right", "center"),
    (0.0, 1.0, "center", "bottom"),
    (0.0, -1.0, "center", "top"),
    (0.75, 0.75, "left", "bottom"),
    (-0.75, 0.75, "right", "bottom"),
    (0.75, -0.75, "left", "top"),
    (-0.75, -0.75, "right", "top"),
    (-0.3, -1.0, "left", "top"),
    (-0.3, 1.0, "left", "bottom"),
    (0.3, -1.0, "right", "top"),
    (0.3, 1.0, "right", "bottom"),
)
#: Labels sit above edges and outcome circles but below place markers, which stay visible.
LABEL_ZORDER = 4.5
#: Cost of a label running outside the axes, per unit area (other overlaps cost their weight).
_OUTSIDE_WEIGHT = 10.0


@dataclass(frozen=True)
class PointLabel:
    """A label to place next to a point.

    Attributes:
        x: Point position, data units.
        y: Point position, data units.
        text: The label.
        radius_pt: Radius of the point's marker, points (the label keeps clear of it).
        fontsize: Font size, points.
        weight: Font weight.
    """

    x: float
    y: float
    text: str
    radius_pt: float
    fontsize: float = 9.0
    weight: str = "normal"


def _overlap(a: Bbox, b: Bbox) -> float:
    w = min(a.x1, b.x1) - max(a.x0, b.x0)
    h = min(a.y1, b.y1) - max(a.y0, b.y0)
    return w * h if w > 0 and h > 0 else 0.0


def place_labels(
    ax: Axes, labels: list[PointLabel], obstacles: list[tuple[Bbox, float]]
) -> list[Annotation]:
    """Add labels to ``ax`` next to their points, avoiding each other and the obstacles.

    Args:
        ax: Axes whose position is final (the figure has been drawn with its layout frozen).
        labels: Labels in order of importance (the first gets the best place).
        obstacles: Display-space boxes to keep clear of (markers, legends), each with the cost
            per unit area of covering it (1 for a marker; less for what text may lie on).

    Returns:
        The annotations added.
    """
    fig = ax.figure
    renderer = fig.canvas.get_renderer()
    to_pixels = fig.dpi / 72.0
    axes_box = ax.get_window_extent(renderer)
    taken = list(obstacles)
    added = []
    for label in labels:
        text = ax.annotate(
            label.text,
            xy=(label.x, label.y),
            xytext=(0.0, 0.0),
            textcoords="offset points",
            ha="left",
            va="bottom",
            fontsize=label.fontsize,
            fontweight=label.weight,
            bbox={
                "boxstyle": "round,pad=0.15",
                "facecolor": "white",
                "alpha": 0.8,
                "edgecolor": "none",
            },
            zorder=LABEL_ZORDER,
        )
        measured = text.get_window_extent(renderer)
        width, height = measured.width, measured.height
        px, py = ax.transData.transform((label.x, label.y))
        gap = (label.radius_pt + 3.0) * to_pixels
        pad = 1.5 * to_pixels
        best: tuple[float, tuple[float, float, str, str]] | None = None
        for dx, dy, ha, va in _DIRECTIONS:
            x0 = px + dx * gap - {"left": 0.0, "center": width / 2, "right": width}[ha]
            y0 = py + dy * gap - {"bottom": 0.0, "center": height / 2, "top": height}[va]
            box = Bbox.from_extents(x0 - pad, y0 - pad, x0 + width + pad, y0 + height + pad)
            score = sum(weight * _overlap(box, other) for other, weight in taken)
            score += _OUTSIDE_WEIGHT * (box.width * box.height - _overlap(box, axes_box))
            if best is None or score < best[0]:
                best = (score, (dx, dy, ha, va))
            if score == 0.0:
                break
        assert best is not None
        dx, dy, ha, va = best[1]
        text.set_position((dx * gap / to_pixels, dy * gap / to_pixels))
        text.set_horizontalalignment(ha)
        text.set_verticalalignment(va)
        taken.append((text.get_window_extent(renderer), 1.0))
        added.append(text)
    return added


def marker_box(ax: Axes, x: float, y: float, radius_pt: float) -> Bbox:
    """Display-space box of a round marker of the given radius at data point (x, y)."""
    px, py = ax.transData.transform((x, y))
    r = radius_pt * ax.figure.dpi / 72.0
    return Bbox.from_extents(px - r, py - r, px + r, py + r)
