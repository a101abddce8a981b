"""Where to draw places on a plain longitude-latitude map, and which places are off it.

Places far from the rest (the United States and Europe seen from East Asia) would stretch the
map to the whole world; they are drawn at its edge instead, on the side they lie (across the
Pacific for America, westward for Europe), and marked as off the map.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import pandas as pd

#: Degrees of longitude or latitude from the map's centre beyond which a place is "far".
FAR_LON_DEG = 45.0
FAR_LAT_DEG = 35.0
#: Margin around the near places, degrees.
MARGIN_DEG = 2.5
#: Kinds of place whose bounding box is shown enlarged in the close-up of the border region.
CLOSE_UP_KINDS = ("origin", "border")


@dataclass(frozen=True)
class Box:
    """A longitude-latitude rectangle, degrees east and north."""

    lon_min: float
    lon_max: float
    lat_min: float
    lat_max: float

    def contains(self, lon: float, lat: float) -> bool:
        """Whether a point lies inside the box (edges included)."""
        return self.lon_min <= lon <= self.lon_max and self.lat_min <= lat <= self.lat_max

    @property
    def aspect(self) -> float:
        """Axes aspect (y units per x unit) that keeps distances roughly true at the centre."""
        return 1.0 / math.cos(math.radians((self.lat_min + self.lat_max) / 2.0))


@dataclass(frozen=True)
class MapPoint:
    """Where a place is drawn: its map position, and its true position if off the map."""

    x: float
    y: float
    far: bool
    side: str  # "east", "west", "north", "south" for far places; "" otherwise
    lon: float
    lat: float


def _wrapped(lon: float, centre: float) -> float:
    """Longitude difference from the centre, in -180..180 (so America is east of Asia)."""
    return (lon - centre + 180.0) % 360.0 - 180.0


def layout(places: pd.DataFrame) -> tuple[dict[str, MapPoint], Box]:
    """Map positions of places, with far places pulled to the edge of the map.

    Args:
        places: One row per place with ``place``, ``lat``, ``lon`` (degrees).

    Returns:
        Place id -> :class:`MapPoint`, and the map's box.
    """
    lon_c = float(places["lon"].median())
    lat_c = float(places["lat"].median())
    near, far = {}, {}
    for row in places.itertuples(index=False):
        dlon = _wrapped(float(row.lon), lon_c)
        dlat = float(row.lat) - lat_c
        if abs(dlon) > FAR_LON_DEG or abs(dlat) > FAR_LAT_DEG:
            far[row.place] = (dlon, dlat, float(row.lon), float(row.lat))
        else:
            near[row.place] = (lon_c + dlon, float(row.lat))
    xs = [p[0] for p in near.values()] or [lon_c]
    ys = [p[1] for p in near.values()] or [lat_c]
    box = Box(
        min(xs) - MARGIN_DEG,
        max(xs) + MARGIN_DEG,
        min(ys) - MARGIN_DEG,
        max(ys) + MARGIN_DEG,
    )
    widen = {"east": 0.0, "west": 0.0}
    points = {pid: MapPoint(x, y, False, "", x, y) for pid, (x, y) in near.items()}
    for pid, (dlon, dlat, lon, lat) in far.items():
        side = ("east" if dlon > 0 else "west") if abs(dlon) >= abs(dlat) else "_"
        if side == "_":
            side = "north" if dlat > 0 else "south"
        if side in widen:
            widen[side] = 3.0
        points[pid] = MapPoint(0.0, 0.0, True, side, lon, lat)
    box = Box(box.lon_min - widen["west"], box.lon_max + widen["east"], box.lat_min, box.lat_max)
    inset = 1.2
    for pid, p in list(points.items()):
        if not p.far:
            continue
        y = min(max(p.lat, box.lat_min + inset), box.lat_max - inset)
        x = min(max(lon_c + _wrapped(p.lon, lon_c), box.lon_min + inset), box.lon_max - inset)
        if p.side == "east":
            x = box.lon_max - inset
        elif p.side == "west":
            x = box.lon_min + inset
        elif p.side == "north":
            y = box.lat_max - inset
        else:
            y = box.lat_min + inset
        points[pid] = MapPoint(x, y, True, p.side, p.lon, p.lat)
    _separate(points, box)
    return points, box


def _separate(points: dict[str, MapPoint], box: Box, gap: float = 2.5) -> None:
    """Move far places on the same edge apart so their markers do not overlap."""
    for side in ("east", "west", "north", "south"):
        on_side = sorted(
            (pid for pid, p in points.items() if p.far and p.side == side),
            key=lambda pid: points[pid].y if side in ("east", "west") else points[pid].x,
        )
        for before, after in itertools.pairwise(on_side):
            a, b = points[before], points[after]
            if side in ("east", "west") and b.y - a.y < gap:
                y = min(a.y + gap, box.lat_max - 0.5)
                points[after] = MapPoint(b.x, y, True, side, b.lon, b.lat)
            elif side in ("north", "south") and b.x - a.x < gap:
                x = min(a.x + gap, box.lon_max - 0.5)
                points[after] = MapPoint(x, b.y, True, side, b.lon, b.lat)


def close_up_box(places: pd.DataFrame, margin: float = 1.5) -> Box | None:
    """The box around the crowded border region (origin provinces and border crossings).

    Args:
        places: One row per place with ``kind``, ``lat``, ``lon``.
        margin: Degrees added on every side.

    Returns:
        The box, or None if the scenario has none of those kinds of place.
    """
    crowded = places[places["kind"].isin(CLOSE_UP_KINDS)]
    if crowded.empty:
        return None
    return Box(
        float(crowded["lon"].min()) - margin,
        float(crowded["lon"].max()) + margin,
        float(crowded["lat"].min()) - margin,
        float(crowded["lat"].max()) + margin,
    )


def coordinate_label(lon: float, lat: float) -> str:
    """A readable position like ``38.9°N 77.0°W``."""
    ns = "N" if lat >= 0 else "S"
    ew = "E" if lon >= 0 else "W"
    return f"{abs(lat):.1f}°{ns} {abs(lon):.1f}°{ew}"
