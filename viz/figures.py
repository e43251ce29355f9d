"""Static maps (matplotlib PNG) of the park and its zones, in the park's local metres.

The colours are those of the HTML map (``viz.deckmap``). The north arrow points to true
north (``true_north_deg``), which in a UTM zone leans from grid north by the meridian
convergence.
"""

import math
from pathlib import Path

import geopandas as gpd
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from mpl_toolkits.axes_grid1.anchored_artists import AnchoredSizeBar
from shapely.geometry import Point

from geodata.crs import WGS84
from geodata.park import Park
from viz.deckmap import (
    COLOURS,
    ENVELOPE_COLOUR,
    HAZARD_CLASSES,
    HAZARD_COLOURS,
    OCCUPANT_COLOURS,
    OCCUPANT_LABELS,
    envelope_label,
    hazard_class,
    occupant_class,
    zone_colours,
    zone_label,
    zones_wgs84,
)

METRES_PER_DEGREE_LAT = 111_000.0  # only to place a point "north" of the centre


def park_figure(
    park: Park,
    out_png,
    zones: gpd.GeoDataFrame | None = None,
    *,
    title: str = "parktwin",
    size_px: tuple[int, int] = (1600, 1200),
    dpi: int = 160,
    envelope: gpd.GeoDataFrame | None = None,
) -> Path:
    """Draw the park (and zones) as a PNG map with scale bar, north arrow and legend.

    Parameters
    ----------
    park : geodata.Park
        The park, drawn in its local UTM metres.
    out_png : str or path
        Where to write the PNG.
    zones : GeoDataFrame, optional
        Threat zones with the columns of ``viz.deckmap.ZONE_COLUMNS``; larger zones are
        drawn under smaller ones, one legend entry each.
    title : str
        Title above the map.
    size_px : (int, int)
        Width and height of the image. [px]
    dpi : int
        Resolution, which sets the size of text and lines. [1/inch]
    envelope : GeoDataFrame, optional
        The zones' wind-direction envelope (hazard, level, sweep_deg, geometry; any
        CRS), drawn as a dashed outline with a legend entry.

    Returns
    -------
    Path
        The PNG written.
    """
    fig = Figure(figsize=(size_px[0] / dpi, size_px[1] / dpi), dpi=dpi)
    FigureCanvasAgg(fig)
    ax = fig.add_axes((0.02, 0.04, 0.70, 0.88))
    handles = _draw_areas(ax, park)
    if zones is not None and len(zones):
        handles += _draw_zones(ax, zones_wgs84(zones).to_crs(park.crs))
    if envelope is not None and len(envelope):
        handles += _draw_envelope(ax, envelope.to_crs(park.crs))
    handles = _draw_network(ax, park) + handles
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_xlabel("")
    ax.set_ylabel("")
    ax.set_title(title, fontsize=12, loc="left")
    _scale_bar(ax)
    _north_arrow(ax, park)
    ax.text(
        0.01,
        -0.035,
        f"{park.crs.name}, metres",
        transform=ax.transAxes,
        fontsize=7,
        color="0.3",
    )
    fig.legend(handles=handles, loc="upper left", bbox_to_anchor=(0.735, 0.92), fontsize=7)
    out = Path(out_png)
    fig.savefig(out, dpi=dpi)
    return out


def _rgb(colour, alpha=1.0):
    return (*(c / 255 for c in colour[:3]), alpha)


def _draw_areas(ax, park: Park) -> list:
    """Boundary, enterprises, targets and buildings: what zones are drawn over."""
    park.boundary.boundary.plot(ax=ax, color=_rgb(COLOURS["boundary"]), linewidth=1.5)
    park.enterprises.plot(
        ax=ax, facecolor=_rgb(COLOURS["enterprise"], 0.35), edgecolor=_rgb(COLOURS["enterprise"])
    )
    if len(park.targets):
        park.targets.plot(
            ax=ax, facecolor=_rgb(COLOURS["target"], 0.3), edgecolor=_rgb(COLOURS["target"])
        )
    buildings = park.buildings
    people = np.maximum(buildings["occupants_day"], buildings["occupants_night"])
    buildings.plot(
        ax=ax,
        color=[_rgb(OCCUPANT_COLOURS[k]) for k in occupant_class(people)],
        edgecolor="0.35",
        linewidth=0.3,
    )
    handles = [
        Patch(facecolor=_rgb(c), edgecolor="0.35", label=f"building, {lab} people")
        for c, lab in zip(OCCUPANT_COLOURS, OCCUPANT_LABELS, strict=True)
    ]
    handles.append(
        Patch(
            facecolor=_rgb(COLOURS["target"], 0.3),
            edgecolor=_rgb(COLOURS["target"]),
            label="outside target",
        )
    )
    return handles


def _draw_network(ax, park: Park) -> list:
    """Roads, pipelines, tanks, gates and assembly points: drawn over the zones."""
    park.roads.plot(ax=ax, color=_rgb(COLOURS["road"]), linewidth=1.2)
    used = set()
    for frame, kind in ((park.pipelines, "line"), (park.tanks, "point")):
        if not len(frame):
            continue
        classes = [hazard_class(c) for c in frame["chemical"]]
        used |= set(classes)
        colours = [_rgb(HAZARD_COLOURS[k]) for k in classes]
        if kind == "line":
            frame.plot(ax=ax, color=colours, linewidth=1.6)
        else:
            frame.plot(ax=ax, color=colours, markersize=14, edgecolor="black", linewidth=0.4)
    park.gates.plot(ax=ax, color=_rgb(COLOURS["gate"]), marker="s", markersize=30)
    park.assembly_points.plot(
        ax=ax, color=_rgb(COLOURS["assembly point"]), marker="^", markersize=40
    )
    handles = [
        Line2D([], [], color=_rgb(HAZARD_COLOURS[k]), marker="o", linestyle="-", label=k)
        for k in HAZARD_CLASSES
        if k in used
    ]
    handles += [
        Line2D([], [], color=_rgb(COLOURS["road"]), label="road"),
        Line2D([], [], color=_rgb(COLOURS["gate"]), marker="s", linestyle="", label="gate"),
        Line2D(
            [],
            [],
            color=_rgb(COLOURS["assembly point"]),
            marker="^",
            linestyle="",
            label="assembly point",
        ),
    ]
    return handles


def _draw_zones(ax, zones: gpd.GeoDataFrame) -> list:
    colours = zone_colours(zones)
    order = np.argsort(-zones["area_m2"].to_numpy(), kind="stable")
    for k in (k for k in order if not zones.geometry.iloc[k].is_empty):
        rgba = _rgb(colours[k], colours[k][3] / 255)
        zones.iloc[[k]].plot(ax=ax, facecolor=rgba, edgecolor=_rgb(colours[k]), linewidth=1.0)
    return [
        Patch(
            facecolor=_rgb(c, c[3] / 255),
            edgecolor=_rgb(c),
            label=zone_label(row),
        )
        for c, (_, row) in zip(colours, zones.iterrows(), strict=True)
    ]


def _draw_envelope(ax, envelope: gpd.GeoDataFrame) -> list:
    shown = envelope[~envelope.geometry.is_empty & envelope.geometry.notna()]
    if not len(shown):
        return []
    shown.boundary.plot(ax=ax, color=_rgb(ENVELOPE_COLOUR), linewidth=1.2, linestyle="--")
    return [
        Line2D([], [], color=_rgb(ENVELOPE_COLOUR), linestyle="--", label=envelope_label(shown))
    ]


def _nice_length(span_m: float) -> float:
    """A round length (1, 2 or 5 x 10^n m) near a fifth of ``span_m``."""
    target = span_m / 5.0
    power = 10.0 ** math.floor(math.log10(target))
    return max(m * power for m in (1.0, 2.0, 5.0) if m * power <= target)


def _scale_bar(ax) -> None:
    x0, x1 = ax.get_xlim()
    length = _nice_length(x1 - x0)
    label = f"{length / 1000:g} km" if length >= 1000 else f"{length:g} m"
    ax.add_artist(
        AnchoredSizeBar(
            ax.transData,
            length,
            label,
            loc="lower left",
            pad=0.6,
            sep=4,
            frameon=True,
            size_vertical=(ax.get_ylim()[1] - ax.get_ylim()[0]) / 150,
            fontproperties={"size": 8},
        )
    )


def true_north_deg(park: Park) -> float:
    """Direction of true north at the park's centre, clockwise from grid north. [degrees]

    Found by projecting a point about 1 km north of the centre into the park's CRS.
    """
    centre = park.boundary.union_all().centroid
    lonlat = gpd.GeoSeries([centre], crs=park.crs).to_crs(WGS84).iloc[0]
    north = Point(lonlat.x, lonlat.y + 1000.0 / METRES_PER_DEGREE_LAT)
    tip = gpd.GeoSeries([north], crs=WGS84).to_crs(park.crs).iloc[0]
    return math.degrees(math.atan2(tip.x - centre.x, tip.y - centre.y))


def _north_arrow(ax, park: Park) -> None:
    angle = math.radians(true_north_deg(park))
    dx, dy = 0.06 * math.sin(angle), 0.06 * math.cos(angle)
    base = (0.94 - dx / 2, 0.83 - dy / 2)
    ax.annotate(
        "",
        xy=(base[0] + dx, base[1] + dy),
        xytext=base,
        xycoords="axes fraction",
        arrowprops={"arrowstyle": "-|>", "color": "black", "linewidth": 1.5},
    )
    ax.text(
        base[0] + dx * 1.25,
        base[1] + dy * 1.25,
        "N",
        transform=ax.transAxes,
        ha="center",
        va="bottom",
        fontsize=11,
        fontweight="bold",
    )
