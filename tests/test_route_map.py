"""The route map: drawn on a real map (land, coastlines, borders, Tumen, Yalu), flows on routes."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from matplotlib.collections import LineCollection, PolyCollection
from matplotlib.colors import to_hex
from matplotlib.patches import FancyArrowPatch

from nkroutes.ensemble.results import Results
from nkroutes.plots.basemap import (
    BORDERS_GID,
    LAND_GID,
    RIVER_GID_PREFIX,
    MapProjection,
    load_basemap,
)
from nkroutes.plots.route_map import EDGE_COLOUR, route_flows
from nkroutes.plots.style import DPI
from scenario_builder import baseline, baseline_run

ROOT = Path(__file__).resolve().parent.parent
PACKAGE_DATA = ROOT / "src" / "nkroutes" / "data" / "basemap"


@pytest.fixture(scope="module")
def results() -> Results:
    """A replicate of the baseline (its full route network): the regression test's run."""
    return Results.from_runs(baseline().to_dict(), [(0, baseline_run(1))])


@pytest.fixture(scope="module")
def figure(results):
    return route_flows(results)


def test_basemap_is_small_package_data_with_both_rivers():
    files = list(PACKAGE_DATA.glob("*.json"))
    assert sum(f.stat().st_size for f in files) < 300_000
    basemap = load_basemap()
    assert len(basemap.land) > 50 and len(basemap.borders) > 20
    yalu, tumen = basemap.rivers["Yalu"], basemap.rivers["Tumen"]
    # Yalu: from Mount Paektu to the Yellow Sea at Sinuiju/Dandong (about 40.0 N 124.4 E)
    assert abs(yalu[0, 0] - 128.1) < 0.3 and abs(yalu[0, 1] - 42.0) < 0.3
    assert abs(yalu[-1, 0] - 124.35) < 0.3 and abs(yalu[-1, 1] - 40.0) < 0.3
    # Tumen: from Paektu to the Sea of Japan (about 42.3 N 130.7 E), past Namyang (43 N)
    assert abs(tumen[-1, 0] - 130.7) < 0.2 and abs(tumen[-1, 1] - 42.3) < 0.2
    assert 42.8 < tumen[:, 1].max() < 43.1


def test_declared_as_package_data():
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert "data/basemap/*.json" in text


def test_map_draws_land_coastlines_borders_and_the_two_rivers(figure):
    main, zoom = figure.axes[0], figure.axes[1]
    for ax in (main, zoom):
        by_gid = {a.get_gid(): a for a in ax.get_children() if a.get_gid()}
        assert isinstance(by_gid[LAND_GID], PolyCollection)
        assert len(by_gid[LAND_GID].get_paths()) > 50
        assert np.all(by_gid[LAND_GID].get_edgecolor()[:, 3] > 0)  # coastlines are drawn
        assert isinstance(by_gid[BORDERS_GID], LineCollection)
        for river in ("Tumen", "Yalu"):
            line = by_gid[RIVER_GID_PREFIX + river]
            x, y = line.get_data()
            x0, x1 = ax.get_xlim()
            y0, y1 = ax.get_ylim()
            inside = (x >= x0) & (x <= x1) & (y >= y0) & (y <= y1)
            assert inside.mean() > 0.9, river  # the rivers are on both panels


@pytest.mark.slow
def test_figure_is_not_blank(figure, tmp_path):
    path = tmp_path / "route_flows.png"
    figure.savefig(path, dpi=DPI)
    from matplotlib.image import imread

    image = imread(path)[..., :3]
    assert image.shape == (1120, 1600, 3)
    assert image.std() > 0.1
    assert len(np.unique(image.reshape(-1, 3).round(2), axis=0)) > 100


def test_flows_are_drawn_where_the_routes_are(results, figure):
    main = figure.axes[0]
    projection = MapProjection()
    places = results.places.drop_duplicates("place").set_index("place")
    routes = results.routes.groupby(["from", "to"])["migrants"].sum()
    used = routes[routes > 0]
    arrows = [p for p in main.patches if isinstance(p, FancyArrowPatch)]
    used_arrows = [a for a in arrows if to_hex(a.get_edgecolor()) == EDGE_COLOUR.lower()]
    assert len(used_arrows) >= 5
    ends = []
    for arrow in used_arrows:
        ends.append(arrow.get_path().vertices[0])  # map km, a few points off (shrinkA)
    starts = np.array(ends)
    # every used route out of a near place starts (within 150 km) at its place's projected spot
    near = [
        (source, target)
        for source, target in used.index
        if abs(places.loc[source, "lon"] - 120) < 40 and abs(places.loc[target, "lon"] - 120) < 40
    ]
    assert near
    for source, _target in near:
        x, y = projection.project(places.loc[source, "lon"], places.loc[source, "lat"])
        distance = np.hypot(starts[:, 0] - x, starts[:, 1] - y).min()
        assert distance < 150.0, source
