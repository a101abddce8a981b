"""A map of East Asia to draw routes on: land, coastlines, borders, the Tumen and the Yalu.

The map data is Natural Earth 1:50m (public domain), clipped to East and Southeast Asia and
shipped in the package (``nkroutes/data/basemap``; ``tools/make_basemap.py`` builds it), so
nothing is downloaded when a map is drawn. Maps use a Lambert conformal conic projection fitted
to the region (standard parallels 25° N and 45° N), whose coordinates are kilometres.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources

import numpy as np
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection, PolyCollection
from pyproj import Transformer

from nkroutes.plots.geography import Box

#: PROJ definition of the map's projection (x, y in kilometres).
PROJECTION = "+proj=lcc +lat_1=25 +lat_2=45 +lat_0=35 +lon_0=115 +datum=WGS84 +units=km +no_defs"
#: Package data file of the basemap.
DATA_FILE = "east_asia_50m.json"
LAND_COLOUR = "#f1eee4"
SEA_COLOUR = "#e3eef6"
COAST_COLOUR = "#8a8a8a"
BORDER_COLOUR = "#7a7a7a"
RIVER_COLOUR = "#2b7bba"
GRATICULE_COLOUR = "#c9d4dd"
#: Graticule spacing, degrees.
GRATICULE_STEP_DEG = 10
#: Artist ids (``gid``) of the basemap's layers, for tests and SVG readers.
LAND_GID = "basemap-land"
BORDERS_GID = "basemap-borders"
RIVER_GID_PREFIX = "basemap-river-"


@dataclass(frozen=True)
class Basemap:
    """Map layers in degrees (longitude, latitude): land rings, border lines, named rivers."""

    land: tuple[np.ndarray, ...]
    borders: tuple[np.ndarray, ...]
    rivers: dict[str, np.ndarray]
    source: str


def load_basemap() -> Basemap:
    """Read the basemap shipped in the package."""
    text = resources.files("nkroutes").joinpath("data", "basemap", DATA_FILE).read_text("utf-8")
    data = json.loads(text)
    return Basemap(
        land=tuple(np.asarray(ring, dtype=float) for ring in data["land"]),
        borders=tuple(np.asarray(line, dtype=float) for line in data["borders"]),
        rivers={name: np.asarray(line, dtype=float) for name, line in data["rivers"].items()},
        source=str(data["source"]),
    )


class MapProjection:
    """Longitude-latitude (degrees) to map coordinates (kilometres) in :data:`PROJECTION`."""

    def __init__(self, definition: str = PROJECTION) -> None:
        self._transformer = Transformer.from_crs("EPSG:4326", definition, always_xy=True)

    def project(self, lon: np.ndarray | float, lat: np.ndarray | float) -> tuple:
        """Map x and y, km, of points given in degrees (arrays or scalars)."""
        return self._transformer.transform(lon, lat)

    def project_lines(self, lines: tuple[np.ndarray, ...]) -> list[np.ndarray]:
        """Each (n, 2) array of longitude-latitude points as an (n, 2) array of map points."""
        out = []
        for line in lines:
            x, y = self.project(line[:, 0], line[:, 1])
            out.append(np.column_stack([x, y]))
        return out

    def outline(self, box: Box, samples: int = 24) -> np.ndarray:
        """The map points of a longitude-latitude box's edge (its sides curve on the map)."""
        t = np.linspace(0.0, 1.0, samples)
        lon = np.concatenate(
            [
                box.lon_min + t * (box.lon_max - box.lon_min),
                np.full(samples, box.lon_max),
                box.lon_max - t * (box.lon_max - box.lon_min),
                np.full(samples, box.lon_min),
            ]
        )
        lat = np.concatenate(
            [
                np.full(samples, box.lat_min),
                box.lat_min + t * (box.lat_max - box.lat_min),
                np.full(samples, box.lat_max),
                box.lat_max - t * (box.lat_max - box.lat_min),
            ]
        )
        x, y = self.project(lon, lat)
        return np.column_stack([x, y])

    def extent(self, box: Box) -> tuple[float, float, float, float]:
        """The map rectangle (x_min, x_max, y_min, y_max), km, that holds a lon-lat box."""
        edge = self.outline(box)
        return (
            float(edge[:, 0].min()),
            float(edge[:, 0].max()),
            float(edge[:, 1].min()),
            float(edge[:, 1].max()),
        )


def draw_basemap(
    ax: Axes, projection: MapProjection, basemap: Basemap, *, river_labels: bool = True
) -> None:
    """Draw sea, land with its coastline, borders, graticule and the two rivers on ``ax``.

    Call after the axes limits are set (the graticule covers the visible map). Everything is
    drawn below ``zorder`` 1.5, under routes and places.
    """
    ax.set_facecolor(SEA_COLOUR)
    land = PolyCollection(
        projection.project_lines(basemap.land),
        facecolors=LAND_COLOUR,
        edgecolors=COAST_COLOUR,
        linewidths=0.5,
        zorder=0.5,
    )
    land.set_gid(LAND_GID)
    ax.add_collection(land, autolim=False)
    borders = LineCollection(
        projection.project_lines(basemap.borders),
        colors=BORDER_COLOUR,
        linewidths=0.7,
        linestyles=(0, (4, 2)),
        zorder=0.8,
    )
    borders.set_gid(BORDERS_GID)
    ax.add_collection(borders, autolim=False)
    _draw_graticule(ax, projection)
    for name, line in basemap.rivers.items():
        x, y = projection.project(line[:, 0], line[:, 1])
        (drawn,) = ax.plot(x, y, color=RIVER_COLOUR, linewidth=1.3, zorder=1.0)
        drawn.set_gid(RIVER_GID_PREFIX + name)
        if river_labels:
            middle = len(x) // 2
            ax.annotate(
                name,
                (x[middle], y[middle]),
                xytext=(0, -9),
                textcoords="offset points",
                fontsize=7.5,
                fontstyle="italic",
                color=RIVER_COLOUR,
                ha="center",
                va="top",
                clip_on=True,
                zorder=1.1,
            )


def _draw_graticule(ax: Axes, projection: MapProjection) -> None:
    """Parallels and meridians every :data:`GRATICULE_STEP_DEG` degrees, faint."""
    step = GRATICULE_STEP_DEG
    lines = []
    along = np.linspace(-180.0, 180.0, 361)
    for lat in range(-10, 81, step):
        lines.append(np.column_stack([along, np.full_like(along, lat)]))
    up = np.linspace(-10.0, 80.0, 91)
    for lon in range(60, 181, step):
        lines.append(np.column_stack([np.full_like(up, lon), up]))
    grid = LineCollection(
        projection.project_lines(tuple(lines)),
        colors=GRATICULE_COLOUR,
        linewidths=0.5,
        zorder=0.6,
    )
    ax.add_collection(grid, autolim=False)
    ax.grid(False)
