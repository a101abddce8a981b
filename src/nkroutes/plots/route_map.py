"""Figure 4: the route network on a map of East Asia, edges by flow, places by outcome.

The map (:mod:`nkroutes.plots.basemap`) shows land, coastlines, national borders and the Tumen
and Yalu rivers in a Lambert conformal conic projection. Left: all of East Asia, with far
destinations (the United States, Europe) drawn at the map's edge. Right: a close-up of the
crowded border region (origins, crossings, hiding areas), where those places are labelled.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import FancyArrowPatch, Polygon
from matplotlib.transforms import Bbox

from nkroutes.ensemble.results import Results
from nkroutes.plots.basemap import MapProjection, draw_basemap, load_basemap
from nkroutes.plots.geography import MapPoint, close_up_box, coordinate_label, layout
from nkroutes.plots.labels import PointLabel, marker_box, place_labels
from nkroutes.plots.style import (
    OKABE_ITO,
    add_source_line,
    new_figure,
    plot_style,
    scenario_title,
)
from nkroutes.plots.tables import as_scenarios, place_names, require_columns

#: File name stem of this figure in ``plots/``.
NAME = "route_flows"
#: Outcomes drawn at places: column, legend label, colour, edge line style.
PLACE_OUTCOMES: tuple[tuple[str, str, str, str], ...] = (
    ("arrivals", "arrived", OKABE_ITO[2], "solid"),
    ("captured", "caught", OKABE_ITO[1], "dashed"),
    ("deaths", "died", "#000000", "dotted"),
)
#: Marker of each kind of place (the place's location; outcomes are circles around it).
KIND_MARKERS: dict[str, str] = {
    "origin": "s",
    "border": "D",
    "hiding": "o",
    "broker_hub": "h",
    "mission": "p",
    "transit": "^",
    "destination": "*",
}
KIND_LABELS: dict[str, str] = {
    "origin": "origin province",
    "border": "border crossing",
    "hiding": "hiding area in China",
    "broker_hub": "broker hub",
    "mission": "foreign missions",
    "transit": "transit country",
    "destination": "destination",
}
#: Edge width of the busiest route, points; other routes in proportion.
MAX_EDGE_WIDTH_PT = 14.0
MIN_EDGE_WIDTH_PT = 0.6
#: Marker area of the largest place outcome, points squared; others in proportion.
MAX_NODE_AREA_PT2 = 2200.0
EDGE_COLOUR = OKABE_ITO[0]
#: Figure height, inches (width is the common 10 in).
FIGURE_HEIGHT_IN = 7.0


def mean_route_flows(routes: pd.DataFrame, n_replicates: int) -> pd.DataFrame:
    """Mean over replicates of migrants who set off along each route.

    Returns:
        One row per route: ``route, from, to, migrants`` (mean people per run).
    """
    totals = routes.groupby(["route", "from", "to"], sort=False)["migrants"].sum()
    out = (totals / max(n_replicates, 1)).reset_index()
    return out


def mean_place_outcomes(places: pd.DataFrame, n_replicates: int) -> pd.DataFrame:
    """Mean over replicates of arrivals, captures and deaths at each place.

    Returns:
        One row per place: ``place, kind, lat, lon, arrivals, captured, deaths``.
    """
    columns = [c for c, *_ in PLACE_OUTCOMES if c in places.columns]
    totals = places.groupby(["place", "kind", "lat", "lon"], sort=False)[columns].sum()
    return (totals / max(n_replicates, 1)).reset_index()


def _edge_width(flow: float, max_flow: float) -> float:
    if flow <= 0 or max_flow <= 0:
        return 0.0
    return max(MIN_EDGE_WIDTH_PT, MAX_EDGE_WIDTH_PT * flow / max_flow)


def _node_area(count: float, max_count: float) -> float:
    return MAX_NODE_AREA_PT2 * count / max_count if max_count > 0 and count > 0 else 0.0


def _draw_edges(
    ax: Axes, flows: pd.DataFrame, points: dict[str, MapPoint], max_flow: float
) -> None:
    ordered = flows.sort_values("migrants")
    for source, target, migrants in zip(
        ordered["from"], ordered["to"], ordered["migrants"], strict=True
    ):
        start, end = points.get(source), points.get(target)
        if start is None or end is None:
            continue
        width = _edge_width(float(migrants), max_flow)
        unused = width == 0.0
        arrow = FancyArrowPatch(
            (start.x, start.y),
            (end.x, end.y),
            arrowstyle="-|>" if not unused else "-",
            mutation_scale=6.0 + 0.6 * width,
            connectionstyle="arc3,rad=0.08",
            linewidth=width if not unused else 0.6,
            linestyle="solid" if not unused else (0, (1, 2)),
            color=EDGE_COLOUR if not unused else "#999999",
            alpha=0.75 if not unused else 0.8,
            shrinkA=4.0,
            shrinkB=4.0,
            zorder=2,
        )
        ax.add_patch(arrow)


def _draw_places(
    ax: Axes,
    outcomes: pd.DataFrame,
    points: dict[str, MapPoint],
    max_count: float,
    bare: set[str],
) -> dict[str, float]:
    """Draw each place's outcome circles and kind marker; return each marker's radius, pt.

    Circles are drawn largest first, so a small one is never hidden under a large one at the
    same place. Places in ``bare`` get only their kind marker (they are shown in full in the
    close-up).
    """
    radii: dict[str, float] = {}
    circles: list[tuple[float, float, float, str, str]] = []  # area, x, y, colour, style
    kinds: dict[str, list[tuple[float, float, float]]] = {}
    for row in outcomes.itertuples(index=False):
        point = points.get(row.place)
        if point is None:
            continue
        biggest = 0.0
        if row.place not in bare:
            for column, _label, colour, style in PLACE_OUTCOMES:
                area = _node_area(float(getattr(row, column, 0.0) or 0.0), max_count)
                if area > 0:
                    circles.append((area, point.x, point.y, colour, style))
                    biggest = max(biggest, area)
        marker = KIND_MARKERS.get(str(row.kind), "o")
        kinds.setdefault(marker, []).append((point.x, point.y, 36 if row.place not in bare else 16))
        radii[row.place] = max(4.0, math.sqrt(biggest / math.pi))
    if circles:
        circles.sort(key=lambda c: -c[0])
        areas = [c[0] for c in circles]
        xy = [(c[1], c[2]) for c in circles]
        colours = [c[3] for c in circles]
        ax.scatter(*zip(*xy, strict=True), s=areas, c=colours, alpha=0.30, linewidths=0, zorder=3)
        ax.scatter(
            *zip(*xy, strict=True),
            s=areas,
            facecolors="none",
            edgecolors=colours,
            linewidths=1.6,
            linestyles=[c[4] for c in circles],
            zorder=4,
        )
    for marker, where in kinds.items():
        xs, ys, sizes = zip(*where, strict=True)
        ax.scatter(
            xs,
            ys,
            s=sizes,
            marker=marker,
            facecolor="white",
            edgecolor="#111111",
            linewidth=1.0,
            zorder=5,
        )
    return radii


def _set_box(ax: Axes, extent: tuple[float, float, float, float]) -> None:
    """Show a map rectangle (km) at true shape, without axis ticks (the graticule is drawn)."""
    ax.set_xlim(extent[0], extent[1])
    ax.set_ylim(extent[2], extent[3])
    ax.set_aspect("equal", adjustable="box")
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_visible(True)
        spine.set_color("#888888")


def project_points(points: dict[str, MapPoint], projection: MapProjection) -> dict[str, MapPoint]:
    """Places with their drawing position (``x``, ``y``, degrees) projected to the map, km."""
    out = {}
    for pid, p in points.items():
        x, y = projection.project(p.x, p.y)
        out[pid] = MapPoint(float(x), float(y), p.far, p.side, p.lon, p.lat)
    return out


def _legends(ax: Axes, map_ax: Axes, max_flow: float, max_count: float, kinds: list[str]) -> None:
    """Keys for edge width, circle colour and place kinds, in a row in ``ax``.

    The circle-size key goes in the lower right corner of ``map_ax`` (open sea on a map of
    East Asia), where its large circles have room.
    """
    ax.set_axis_off()
    flow_steps = [v for v in _round_steps(max_flow) if v > 0]
    edge_handles = [
        Line2D([], [], color=EDGE_COLOUR, linewidth=_edge_width(v, max_flow), label=f"{v:,.0f}")
        for v in flow_steps
    ]
    count_steps = [v for v in _round_steps(max_count) if v > 0]
    size_handles = [
        Line2D(
            [],
            [],
            linestyle="none",
            marker="o",
            markersize=math.sqrt(_node_area(v, max_count)),
            markerfacecolor="none",
            markeredgecolor="#444444",
            label=f"{v:,.0f}",
        )
        for v in count_steps
    ]
    outcome_handles = [
        Line2D(
            [],
            [],
            linestyle=style,
            color=colour,
            marker="o",
            markersize=12,
            markerfacecolor=colour,
            markeredgecolor=colour,
            alpha=0.6,
            label=label,
        )
        for _c, label, colour, style in PLACE_OUTCOMES
    ]
    kind_handles = [
        Line2D(
            [],
            [],
            linestyle="none",
            marker=KIND_MARKERS[k],
            markerfacecolor="white",
            markeredgecolor="#111111",
            markersize=7,
            label=KIND_LABELS[k],
        )
        for k in KIND_MARKERS
        if k in kinds
    ]
    common = {"fontsize": 8.5, "title_fontsize": 9, "frameon": False, "alignment": "left"}
    keys = [
        (0.0, "migrants per route (mean)", edge_handles, {"labelspacing": 0.7}),
        (0.25, "at each place", outcome_handles, {}),
        (0.45, "kind of place", kind_handles, {"ncols": 2, "columnspacing": 1.5}),
    ]
    for x, title, handles, extra in keys:
        if not handles:
            continue
        legend = ax.legend(
            handles=handles,
            title=title,
            loc="upper left",
            bbox_to_anchor=(x, 1.0),
            **common,
            **extra,
        )
        ax.add_artist(legend)
    if size_handles:
        map_ax.legend(
            handles=size_handles,
            title="people there\n(circle area, mean)",
            loc="lower right",
            labelspacing=2.2,
            borderpad=1.2,
            handletextpad=1.8,
            **common,
        )


def _round_steps(maximum: float) -> list[float]:
    """Three round reference values up to ``maximum`` (for size keys)."""
    if maximum <= 0:
        return []
    magnitude = 10 ** math.floor(math.log10(maximum))
    top = math.floor(maximum / magnitude) * magnitude
    return sorted({top, _round(top / 5), _round(top / 25)})


def _round(value: float) -> float:
    if value <= 0:
        return 0.0
    magnitude = 10 ** math.floor(math.log10(value))
    return float(round(value / magnitude) * magnitude)


def route_flows(results: Results) -> Figure:
    """The route network on a map: edge width by migrants, circles by outcomes at each place.

    Positions are the scenario's approximate longitude and latitude, projected onto a map of
    land, coastlines, borders and the Tumen and Yalu (:mod:`nkroutes.plots.basemap`).
    Edge width is proportional to the mean number of migrants who set off along the route;
    circle area at a place is proportional to the mean number who arrived, were caught or
    died there. Far places (beyond :data:`nkroutes.plots.geography.FAR_LON_DEG`) are drawn at
    the map's edge with their true coordinates in the label.

    Args:
        results: One scenario's results.

    Returns:
        The figure (10 x :data:`FIGURE_HEIGHT_IN` in).

    Raises:
        MissingDataError: If the ``routes`` or ``places`` table is missing or lacks columns.
    """
    require_columns(results, "routes", ["route", "from", "to", "migrants"])
    require_columns(results, "places", ["place", "kind", "lat", "lon"])
    n = results.n_replicates or int(results.routes["replicate"].nunique())
    flows = mean_route_flows(results.routes, n)
    outcomes = mean_place_outcomes(results.places, n)
    names = place_names(results.scenario)
    degrees, box = layout(outcomes)
    close = close_up_box(outcomes)
    projection = MapProjection()
    basemap = load_basemap()
    points = project_points(degrees, projection)
    max_flow = float(flows["migrants"].max()) if len(flows) else 0.0
    columns = [c for c, *_ in PLACE_OUTCOMES if c in outcomes.columns]
    max_count = float(np.nanmax(outcomes[columns].to_numpy())) if columns else 0.0

    with plot_style():
        fig = new_figure(FIGURE_HEIGHT_IN)
        if close is not None:
            grid = fig.subplot_mosaic(
                [["main", "zoom"], ["keys", "keys"]],
                width_ratios=(1.45, 1.0),
                height_ratios=(1.0, 0.2),
            )
            main, zoom, keys = grid["main"], grid["zoom"], grid["keys"]
        else:
            main, keys = fig.subplots(2, 1, height_ratios=(1.0, 0.2))
            zoom = None
        in_close = {
            pid
            for pid, p in degrees.items()
            if close is not None and not p.far and close.contains(p.x, p.y)
        }
        panels = [(main, box, in_close)]
        if zoom is not None and close is not None:
            panels.append((zoom, close, set()))
        radii: dict[str, float] = {}
        for ax, panel_box, bare in panels:
            _set_box(ax, projection.extent(panel_box))
            draw_basemap(ax, projection, basemap, river_labels=ax is not main)
            _draw_edges(ax, flows, points, max_flow)
            radii = _draw_places(ax, outcomes, points, max_count, bare)
        main.set_title("East Asia (far destinations at the map's edge)")
        if zoom is not None and close is not None:
            zoom.set_title("Close-up of the border region")
            outline = projection.outline(close)
            main.annotate(
                "close-up at right",
                xy=(float(outline[:, 0].max()), float(outline[:, 1].max())),
                xytext=(2, 2),
                textcoords="offset points",
                fontsize=8,
                color="#555555",
                ha="right",
                va="bottom",
            )
            main.add_patch(
                Polygon(
                    outline,
                    closed=True,
                    facecolor="none",
                    edgecolor="#555555",
                    linestyle="--",
                    linewidth=1.0,
                    zorder=1,
                )
            )
        _legends(keys, main, max_flow, max_count, sorted(set(outcomes["kind"])))
        fig.suptitle(scenario_title("Route flows", as_scenarios(results)))
        add_source_line(
            fig,
            "Places at approximate longitude and latitude from the scenario file; map: Natural "
            "Earth 1:50m, Lambert conformal conic. "
            "Edge width: mean migrants who set off along the route; circle area: mean people "
            "who arrived, were caught or died there; dotted grey: routes nobody took.",
        )
        fig.canvas.draw()
        fig.set_layout_engine("none")
        close_extent = projection.extent(close) if close is not None else None
        in_zoom = in_close if zoom is not None else set()
        _label_places(fig, main, zoom, close_extent, in_zoom, outcomes, points, radii, names)
    return fig


def _label_places(
    fig: Figure,
    main: Axes,
    zoom: Axes | None,
    close: tuple[float, float, float, float] | None,
    in_close: set[str],
    outcomes: pd.DataFrame,
    points: dict[str, MapPoint],
    radii: dict[str, float],
    names: dict[str, str],
) -> None:
    """Label far places at the edge, close-up places in the close-up, the rest on the map."""
    renderer = fig.canvas.get_renderer()
    importance = outcomes.set_index("place")[
        [c for c, *_ in PLACE_OUTCOMES if c in outcomes.columns]
    ].sum(axis=1)
    order = sorted(points, key=lambda pid: -float(importance.get(pid, 0.0)))
    for ax, wanted in (
        (main, lambda pid: pid not in in_close),
        (zoom, lambda pid: pid in in_close),
    ):
        if ax is None:
            continue
        obstacles = [(marker_box(ax, points[pid].x, points[pid].y, 5.0), 1.0) for pid in points]
        obstacles += [
            (marker_box(ax, points[pid].x, points[pid].y, radii.get(pid, 4.0)), 0.05)
            for pid in points
        ]
        if ax is main and zoom is not None and close is not None:
            corners = ax.transData.transform([(close[0], close[2]), (close[1], close[3])])
            obstacles.append((Bbox(corners), 0.5))
        legend = ax.get_legend()
        if legend is not None:
            obstacles.append((legend.get_window_extent(renderer), 1.0))
        labels = []
        for pid in order:
            if not wanted(pid):
                continue
            p = points[pid]
            name = names.get(pid, pid)
            if p.far:
                arrow = {"east": "→", "west": "←", "north": "↑", "south": "↓"}[p.side]
                name = f"{name} {arrow}\n{coordinate_label(p.lon, p.lat)}, off map"
            labels.append(
                PointLabel(
                    p.x,
                    p.y,
                    name,
                    5.0,
                    fontsize=9.0,
                    weight="bold" if p.far or importance.get(pid, 0) > 0 else "normal",
                )
            )
        place_labels(ax, labels, obstacles)
