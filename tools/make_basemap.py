"""Build the basemap shipped in the package from Natural Earth 1:50m (world-atlas 2.0.2).

Run once by a developer, never at run time (nothing is downloaded when nkroutes runs)::

    npm pack world-atlas@2.0.2 && tar xzf world-atlas-2.0.2.tgz
    python tools/make_basemap.py package/countries-50m.json

It writes ``src/nkroutes/data/basemap/east_asia_50m.json``: land (whose outlines are the
coastlines), national borders, and the Tumen and Yalu rivers, clipped to East and Southeast
Asia, as longitude-latitude pairs rounded to 0.01 degree (about 1 km; the 1:50m data is
coarser).

world-atlas packs Natural Earth's 1:50m Admin 0 countries (public domain) as TopoJSON, where
a border is an arc shared by two countries. The rivers are the arcs shared by China and North
Korea (cut at Mount Paektu: one side the Yalu, the other the Tumen) and by North Korea and
Russia (the Tumen's last reach): the border runs along both rivers, so Natural Earth's border
line traces their courses (the few kilometres of land border over Paektu's summit included).
"""

from __future__ import annotations

import json
import sys
from collections import defaultdict
from pathlib import Path

#: Region kept, degrees: lon_min, lon_max, lat_min, lat_max.
REGION = (70.0, 165.0, -5.0, 62.0)
#: Mount Paektu's summit (lon, lat), degrees: where the Yalu's and the Tumen's sources part.
PAEKTU = (128.08, 41.99)
CHINA, NORTH_KOREA, RUSSIA = "156", "408", "643"
OUT = Path(__file__).resolve().parent.parent / "src/nkroutes/data/basemap/east_asia_50m.json"


def decode_arcs(topology: dict) -> list[list[tuple[float, float]]]:
    """Absolute longitude-latitude points of every arc (TopoJSON quantised deltas)."""
    (sx, sy), (tx, ty) = topology["transform"]["scale"], topology["transform"]["translate"]
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x += dx
            y += dy
            points.append((x * sx + tx, y * sy + ty))
        arcs.append(points)
    return arcs


def ring_points(ring: list[int], arcs: list[list[tuple[float, float]]]) -> list:
    """A ring's points from its arc indices (``~i`` is arc i reversed)."""
    points: list[tuple[float, float]] = []
    for index in ring:
        arc = arcs[index] if index >= 0 else arcs[~index][::-1]
        points.extend(arc if not points else arc[1:])
    return points


def polygons(geometry: dict) -> list[list[list[int]]]:
    """A Polygon's or MultiPolygon's polygons (lists of rings of arc indices)."""
    if geometry["type"] == "Polygon":
        return [geometry["arcs"]]
    if geometry["type"] == "MultiPolygon":
        return geometry["arcs"]
    return []


def clip_polygon(ring: list, box: tuple[float, float, float, float]) -> list:
    """Sutherland-Hodgman clip of a closed ring to a rectangle."""
    lon_min, lon_max, lat_min, lat_max = box
    edges = (
        (lambda p: p[0] >= lon_min, lambda a, b: _at_x(a, b, lon_min)),
        (lambda p: p[0] <= lon_max, lambda a, b: _at_x(a, b, lon_max)),
        (lambda p: p[1] >= lat_min, lambda a, b: _at_y(a, b, lat_min)),
        (lambda p: p[1] <= lat_max, lambda a, b: _at_y(a, b, lat_max)),
    )
    out = list(ring)
    for inside, cross in edges:
        points, out = out, []
        if not points:
            break
        previous = points[-1]
        for point in points:
            if inside(point):
                if not inside(previous):
                    out.append(cross(previous, point))
                out.append(point)
            elif inside(previous):
                out.append(cross(previous, point))
            previous = point
    return out


def _at_x(a: tuple, b: tuple, x: float) -> tuple[float, float]:
    t = (x - a[0]) / (b[0] - a[0])
    return (x, a[1] + t * (b[1] - a[1]))


def _at_y(a: tuple, b: tuple, y: float) -> tuple[float, float]:
    t = (y - a[1]) / (b[1] - a[1])
    return (a[0] + t * (b[0] - a[0]), y)


def clip_line(line: list, box: tuple[float, float, float, float]) -> list[list]:
    """Pieces of a line inside a rectangle (each keeps one point beyond the edge)."""
    lon_min, lon_max, lat_min, lat_max = box

    def inside(p: tuple[float, float]) -> bool:
        return lon_min <= p[0] <= lon_max and lat_min <= p[1] <= lat_max

    pieces, current = [], []
    for k, point in enumerate(line):
        near = inside(point) or (k > 0 and inside(line[k - 1]))
        near = near or (k + 1 < len(line) and inside(line[k + 1]))
        if near:
            current.append(point)
        elif current:
            pieces.append(current)
            current = []
    if current:
        pieces.append(current)
    return [piece for piece in pieces if len(piece) > 1]


def rounded(points: list) -> list[list[float]]:
    """Points rounded to 0.01 degree, repeated points dropped."""
    out: list[list[float]] = []
    for lon, lat in points:
        point = [round(lon, 2), round(lat, 2)]
        if not out or out[-1] != point:
            out.append(point)
    return out


def build(topology: dict) -> dict:
    """The basemap's layers from world-atlas's countries TopoJSON."""
    arcs = decode_arcs(topology)
    users: dict[int, set[str]] = defaultdict(set)
    for geometry in topology["objects"]["countries"]["geometries"]:
        for polygon in polygons(geometry):
            for ring in polygon:
                for index in ring:
                    users[index if index >= 0 else ~index].add(str(geometry.get("id")))
    land = []
    for geometry in topology["objects"]["land"]["geometries"]:
        for polygon in polygons(geometry):
            clipped = clip_polygon(ring_points(polygon[0], arcs), REGION)
            if len(clipped) >= 3:
                land.append(rounded(clipped))
    borders = []
    for index, countries in sorted(users.items()):
        if len(countries) > 1:
            borders.extend(rounded(piece) for piece in clip_line(arcs[index], REGION))
    yalu, tumen = _rivers(topology, arcs, users)
    return {
        "source": "Natural Earth 1:50m Admin 0 countries (public domain), via world-atlas 2.0.2",
        "region": list(REGION),
        "land": land,
        "borders": borders,
        "rivers": {"Yalu": rounded(yalu), "Tumen": rounded(tumen)},
    }


def _rivers(topology: dict, arcs: list, users: dict[int, set[str]]) -> tuple[list, list]:
    """The Yalu and the Tumen, each from its source near Mount Paektu to its mouth.

    North Korea's outline is walked in order; its arcs shared with China make one line from
    the Yalu's mouth round to the Tumen (or the reverse), cut at the point nearest Paektu's
    summit; the arc shared with Russia continues the Tumen to the sea.
    """
    korea = next(
        g for g in topology["objects"]["countries"]["geometries"] if g.get("id") == NORTH_KOREA
    )
    ring = max((p[0] for p in polygons(korea)), key=len)
    kinds = [frozenset(users[i if i >= 0 else ~i]) for i in ring]
    china = frozenset({CHINA, NORTH_KOREA})
    start = next(k for k in range(len(ring)) if kinds[k] == china and kinds[k - 1] != china)
    border: list = []
    k = start
    while kinds[k % len(ring)] == china:
        index = ring[k % len(ring)]
        arc = arcs[index] if index >= 0 else arcs[~index][::-1]
        border.extend(arc if not border else arc[1:])
        k += 1
    russia = next(i for i, users_ in users.items() if users_ == {NORTH_KOREA, RUSSIA})
    cut = min(
        range(len(border)),
        key=lambda j: (border[j][0] - PAEKTU[0]) ** 2 + (border[j][1] - PAEKTU[1]) ** 2,
    )
    first, second = border[: cut + 1], border[cut:]
    yalu, tumen = (first, second) if first[0][0] < second[-1][0] else (second, first)
    yalu = yalu if yalu[0][0] > yalu[-1][0] else yalu[::-1]  # source (east) to mouth (west)
    tumen = tumen if tumen[0][0] < tumen[-1][0] else tumen[::-1]  # source (west) to mouth
    reach = arcs[russia] if arcs[russia][0][0] < arcs[russia][-1][0] else arcs[russia][::-1]
    return yalu, tumen + reach


def main(path: str) -> None:
    """Read world-atlas's ``countries-50m.json`` and write the package's basemap."""
    basemap = build(json.loads(Path(path).read_text(encoding="utf-8")))
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(basemap, separators=(",", ":")) + "\n", encoding="utf-8")
    sys.stdout.write(f"wrote {OUT} ({OUT.stat().st_size:,} bytes)\n")


if __name__ == "__main__":
    main(sys.argv[1])
