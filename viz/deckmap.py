"""The interactive park map: one self-contained HTML page drawn by deck.gl through pydeck.

The page inlines the deck.gl bundle that ships inside the pydeck package
(``pydeck/nbextension/static/index.js``), so it opens with no internet. The basemap is a
raster ``TileLayer`` that needs no token; offline its tiles fail to load and the park layers
draw on a plain background. The default is Esri's World Street Map: the page is usually
opened as a local file, which sends no HTTP Referer, and OpenStreetMap's tile servers refuse
such requests (OSM tile usage policy; ``OSM`` suits pages served over http(s)); CARTO's
raster tiles have asked for an API key since August 2026.

Zones are passed as a GeoDataFrame with the columns of ``ZONE_COLUMNS`` (see ``zones_wgs84``).
The colours and the hazard class of a chemical are defined here and shared with
``viz.figures``, so the HTML map and the PNG agree.
"""

import html
import json
import math
from functools import cache
from importlib import resources
from pathlib import Path
from typing import NamedTuple

import geopandas as gpd
import numpy as np
import pydeck as pdk
import shapely
from matplotlib import colormaps
from shapely.geometry import MultiPolygon, mapping

from geodata.crs import WGS84
from geodata.park import Park
from physics import harm, substances
from viz import fmt


class Basemap(NamedTuple):
    """Raster tiles: URL template ({z}, {x}, {y}) and the attribution the provider asks for."""

    url: str
    attribution: str


ESRI_WORLD_STREET_MAP = Basemap(
    "https://server.arcgisonline.com/ArcGIS/rest/services/World_Street_Map/MapServer/tile/"
    "{z}/{y}/{x}",
    "Tiles &copy; Esri &mdash; Source: Esri, DeLorme, NAVTEQ, USGS, Intermap, iPC, NRCAN, "
    "Esri Japan, METI, Esri China (Hong Kong), Esri (Thailand), TomTom, 2012",
)
OSM = Basemap(
    "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
    '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors',
)

# The zones a caller passes: column -> meaning (units in the name).
ZONE_COLUMNS = {
    "hazard": "what harms: 'toxic', 'flammable', 'thermal (jet fire)', 'overpressure' [text]",
    "level": "name of the level of concern, e.g. 'AEGL-2' or '12.5 kW/m2' [text]",
    "threshold": "the threshold as people read it, e.g. '160 ppm (AEGL-2, 60 min)' [text]",
    "distance_m": "farthest downwind reach of the zone from the source [m]",
    "area_m2": "area of the zone [m2]",
    "people": "people inside the zone [-]",
    "geometry": "the zone, Polygon or MultiPolygon (empty: level not reached), any CRS",
}
# Optional zone columns: 'targets' (outside targets inside, text) joins the tooltip;
# 'colour' ([r, g, b] or [r, g, b, a], 0-255) overrides the palette.

HAZARD_CLASSES = ("toxic and flammable", "toxic", "flammable", "other")
HAZARD_COLOURS = {
    "toxic and flammable": (178, 24, 43),
    "toxic": (118, 42, 131),
    "flammable": (244, 109, 67),
    "other": (120, 120, 120),
}
# Upper edges of the occupant classes [people]; the last class is open-ended.
OCCUPANT_EDGES = (0, 9, 49, 199, 999)
OCCUPANT_LABELS = ("0", "1-9", "10-49", "50-199", "200-999", "1000 or more")
OCCUPANT_COLOURS = tuple(
    tuple(int(255 * c) for c in colormaps["YlOrRd"](t)[:3])
    for t in np.linspace(0.05, 0.95, len(OCCUPANT_LABELS))
)
SENSOR_GROUPS = {
    "gas_toxic": "toxic gas detector",
    "gas_combustible": "combustible gas detector",
    "level": "process instrument",
    "pressure": "process instrument",
    "temperature": "process instrument",
    "flow": "process instrument",
}
SENSOR_COLOURS = {
    "toxic gas detector": (118, 42, 131),
    "combustible gas detector": (244, 109, 67),
    "process instrument": (60, 60, 60),
    "weather station": (33, 102, 172),
}
# Alarm state of a sensor -> the colour of its ring on the map.
SENSOR_STATES = {
    "normal": (255, 255, 255),
    "alarm (process)": (215, 25, 28),
    "instrument fault (likely)": (253, 174, 97),
}
COLOURS = {
    "boundary": (40, 40, 40),
    "enterprise": (200, 200, 190),
    "road": (150, 150, 150),
    "target": (33, 102, 172),
    "gate": (26, 152, 80),
    "assembly point": (0, 200, 120),
}
# Zone fill hue by the words in a hazard's name; other hazards take the spare ramps in turn.
_ZONE_RAMPS = (
    ("toxic", "Purples"),
    ("flammable", "Oranges"),
    ("flash", "Oranges"),
    ("thermal", "Reds"),
    ("fire", "Reds"),
    ("overpressure", "Blues"),
    ("explos", "Blues"),
)
_SPARE_RAMPS = ("Greens", "Greys", "YlOrBr")
ZONE_ALPHA = 110
# Room kept around the fitted park: the legend panel (230 px wide) sits at the right.
MAP_PADDING_PX = {"left": 30, "top": 50, "right": 260, "bottom": 30}


@cache
def hazard_class(chemical: str) -> str:
    """The hazard class of a chemical (name, CAS number or Chinese common name).

    'flammable' if the property library gives it a lower flammability limit, 'toxic' if
    ``physics.harm.toxic_levels`` holds a toxic level of concern for it, both, or 'other'.
    """
    substance = substances.lookup(chemical)
    toxic = harm.has_toxic_levels(substance.cas)
    if toxic and substance.flammable:
        return "toxic and flammable"
    if toxic:
        return "toxic"
    return "flammable" if substance.flammable else "other"


def occupant_class(people) -> np.ndarray:
    """Index into ``OCCUPANT_LABELS`` for each head count [people]."""
    return np.searchsorted(OCCUPANT_EDGES, np.asarray(people), side="left")


def zones_wgs84(zones: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Check a zones frame against ``ZONE_COLUMNS`` and return it in EPSG:4326.

    Rows keep their order. Missing geometries become empty ones (a level not reached).
    """
    missing = [c for c in ZONE_COLUMNS if c != "geometry" and c not in zones.columns]
    if missing:
        raise ValueError(f"zones lack the column(s) {', '.join(missing)}")
    if zones.crs is None:
        raise ValueError("zones have no CRS; expected EPSG:4326 or another defined CRS")
    kinds = set(zones.geom_type.dropna())
    if not kinds <= {"Polygon", "MultiPolygon"}:
        raise ValueError(f"zones must be Polygon or MultiPolygon, got {sorted(kinds)}")
    zones = zones.to_crs(WGS84)
    return zones.set_geometry(zones.geometry.fillna(MultiPolygon()))


def zone_colours(zones: gpd.GeoDataFrame) -> list[tuple[int, int, int, int]]:
    """An RGBA fill per zone: a ramp per hazard, darker for smaller (inner) zones."""
    ramps, spare = {}, iter(_SPARE_RAMPS * len(zones))
    for hazard in dict.fromkeys(zones["hazard"]):
        word = next((name for key, name in _ZONE_RAMPS if key in hazard.lower()), None)
        ramps[hazard] = word or next(spare)
    colours = []
    for hazard, area in zip(zones["hazard"], zones["area_m2"], strict=True):
        areas = np.sort(zones.loc[zones["hazard"] == hazard, "area_m2"].to_numpy())[::-1]
        rank = int(np.searchsorted(-areas, -area, side="left"))
        shade = 0.35 + 0.55 * (rank / (len(areas) - 1) if len(areas) > 1 else 1.0)
        rgb = tuple(int(255 * c) for c in colormaps[ramps[hazard]](shade)[:3])
        colours.append((*rgb, ZONE_ALPHA))
    if "colour" in zones.columns:
        colours = [
            tuple(int(v) for v in c) + ((255,) if len(c) == 3 else ()) if c is not None else d
            for c, d in zip(zones["colour"], colours, strict=True)
        ]
    return colours


def zone_label(row) -> str:
    """Legend text of a zone: hazard, level and threshold (once if they are the same)."""
    label = f"{row['hazard']} {row['level']}"
    if str(row["threshold"]) != str(row["level"]):
        label += f": {row['threshold']}"
    return label + (" (not reached)" if row.geometry.is_empty else "")


def fit_view(bounds, size_px: tuple[int, int], padding_px: dict[str, int]) -> dict:
    """The deck.gl view state (longitude, latitude, zoom) that fits ``bounds``.

    ``bounds`` is (west, south, east, north) [degrees]; they are fitted inside the map less
    ``padding_px`` ('left', 'top', 'right', 'bottom' [px]). deck.gl's Web Mercator world
    is 512 px wide at zoom 0 (deck.gl docs, "Coordinate Systems", WebMercatorViewport).
    """
    west, south, east, north = bounds
    x0, y0 = _mercator(west, north)
    x1, y1 = _mercator(east, south)
    width, height = size_px
    inner_w = width - padding_px["left"] - padding_px["right"]
    inner_h = height - padding_px["top"] - padding_px["bottom"]
    scale = min(inner_w / (x1 - x0), inner_h / (y1 - y0))  # px per world unit
    # the box is centred in the padded area, so the map centre sits off the box centre
    xc = (x0 + x1) / 2.0 + (width / 2.0 - padding_px["left"] - inner_w / 2.0) / scale
    yc = (y0 + y1) / 2.0 + (height / 2.0 - padding_px["top"] - inner_h / 2.0) / scale
    return {
        "longitude": xc * 360.0 - 180.0,
        "latitude": math.degrees(math.atan(math.sinh(math.pi * (1.0 - 2.0 * yc)))),
        "zoom": math.log2(scale / 512.0),
        "pitch": 0,
        "bearing": 0,
    }


def _mercator(lon, lat):
    """Web Mercator world coordinates in [0, 1], y down (as deck.gl and map tiles)."""
    y = math.log(math.tan(math.pi / 4.0 + math.radians(lat) / 2.0))
    return (lon + 180.0) / 360.0, 0.5 - y / (2.0 * math.pi)


def park_map(
    park: Park,
    out_html,
    zones: gpd.GeoDataFrame | None = None,
    *,
    title: str = "parktwin",
    basemap: Basemap | None = ESRI_WORLD_STREET_MAP,
    size_px: tuple[int, int] = (1000, 800),
    sensor_states: dict[str, str] | None = None,
    envelope: gpd.GeoDataFrame | None = None,
) -> Path:
    """Write the park (and zones) as one self-contained interactive HTML page.

    Parameters
    ----------
    park : geodata.Park
        The park; its layers are drawn with tooltips: boundary, enterprises, outside
        targets, buildings coloured by occupants, roads, pipelines and tanks coloured by
        the hazard class of their chemical, sensors, gates and assembly points.
    out_html : str or path
        Where to write the page.
    zones : GeoDataFrame, optional
        Threat zones with the columns of ``ZONE_COLUMNS``; drawn per hazard and level,
        larger zones under smaller ones, with a tooltip and a legend entry each.
    title : str
        Shown at the top left of the map and as the page title.
    basemap : Basemap or None
        Raster tiles drawn under the park, with their attribution; None draws none.
    size_px : (int, int)
        Width and height of the map. [px]
    sensor_states : dict, optional
        Alarm state of sensors by tag, one of ``SENSOR_STATES`` (e.g. from a replay);
        sensors in alarm are drawn larger, ringed in the state's colour.
    envelope : GeoDataFrame, optional
        The wind-direction envelope of the zones (``scenarios.zones.ZonesResult.envelope``:
        hazard, level, sweep_deg, geometry; any CRS): where the lowest level can reach as
        the wind direction wanders; drawn as an outline with a tooltip and a legend entry.

    Returns
    -------
    Path
        The page written.
    """
    if zones is not None:
        zones = zones_wgs84(zones)
    envelope = _envelope_wgs84(envelope)
    view = fit_view(map_bounds(park, zones, envelope), size_px, MAP_PADDING_PX)
    layers = ([_basemap(basemap.url)] if basemap else []) + _park_layers(
        park, zones, sensor_states, envelope
    )
    deck = pdk.Deck(
        layers=layers,
        initial_view_state=pdk.ViewState(**view),
        views=[pdk.View("MapView", controller=True)],
        map_provider=None,
        map_style=None,
    )
    page = page_html(title, size_px, _legend(park, zones, basemap, sensor_states, envelope), deck)
    out = Path(out_html)
    out.write_text(page, encoding="utf-8")
    return out


ENVELOPE_COLOUR = (40, 40, 40)


def envelope_label(envelope: gpd.GeoDataFrame) -> str:
    """Legend text of a wind-direction envelope."""
    sweep = float(envelope["sweep_deg"].max())
    return f"wind-direction envelope (+- {sweep:.0f} deg)"


def _envelope_wgs84(envelope):
    if envelope is None or not len(envelope):
        return None
    if envelope.crs is None:
        raise ValueError("the envelope has no CRS; expected EPSG:4326 or another defined CRS")
    envelope = envelope.to_crs(WGS84)
    return envelope[~envelope.geometry.is_empty & envelope.geometry.notna()]


def _envelope_layer(envelope) -> pdk.Layer:
    return _geojson_layer(
        "envelope",
        envelope,
        {
            "fill": [[*ENVELOPE_COLOUR, 0]] * len(envelope),
            "line": [[*ENVELOPE_COLOUR, 230]] * len(envelope),
            "tooltip": [
                _tooltip(
                    "wind-direction envelope",
                    {
                        "of": f"{row['hazard']} {row['level']}",
                        "wind direction": f"mean +- {row['sweep_deg']:.0f} deg",
                    },
                )
                for _, row in envelope.iterrows()
            ],
        },
        get_line_width=2,
        filled=False,
    )


def map_bounds(park: Park, zones: gpd.GeoDataFrame | None = None, envelope=None):
    """(west, south, east, north) [degrees] of the boundary, targets, zones and envelope."""
    frames = [park.to_wgs84("boundary"), park.to_wgs84("targets")]
    if zones is not None:
        frames.append(zones)
    if envelope is not None:
        frames.append(envelope)
    boxes = np.array([f.total_bounds for f in frames if len(f)])
    return (*boxes[:, :2].min(axis=0), *boxes[:, 2:].max(axis=0))


@cache
def _bundle() -> str:
    """The deck.gl + pydeck JSON bundle that pydeck installs with itself."""
    return (
        resources.files("pydeck")
        .joinpath("nbextension/static/index.js")
        .read_text(encoding="utf-8")
    )


def page_html(title: str, size_px, legend: str, deck, *, style="", panels="", script="") -> str:
    """The self-contained page around a pydeck ``deck``: the inlined bundle, a title and a
    legend panel; ``style`` (CSS), ``panels`` (HTML inside the map) and ``script`` (JS run
    after ``deckInstance`` is made) let a page add its own controls."""
    return _PAGE.format(
        title=html.escape(title),
        width=size_px[0],
        height=size_px[1],
        bundle=_bundle(),
        legend=legend,
        # pydeck indents its JSON; compact, it is a fifth of the size
        deck_json=_script_safe(json.dumps(json.loads(deck.to_json()), separators=(",", ":"))),
        tooltip=_script_safe(json.dumps({"html": "{tooltip}", "style": _TOOLTIP_STYLE})),
        style=style,
        panels=panels,
        script=script,
    )


def _script_safe(text: str) -> str:
    # '</' inside an inline script would end it early (tooltips hold HTML).
    return text.replace("</", "<\\/")


def _basemap(tiles: str) -> pdk.Layer:
    return pdk.Layer(
        "TileLayer",
        id="basemap",
        data=tiles,
        min_zoom=0,
        max_zoom=19,
        tile_size=256,
        # deck.gl draws tiles as GeoJSON unless told otherwise; the page's tileBitmap
        # function makes a BitmapLayer per tile from this (never drawn) template layer.
        render_sub_layers={
            "@@function": "tileBitmap",
            "template": {"@@type": "BitmapLayer", "id": "basemap-template"},
        },
    )


def _feature_collection(frame: gpd.GeoDataFrame, props: dict[str, list]) -> dict:
    # 1e-6 degree is about 0.1 m: finer digits only make the page heavier
    geoms = shapely.transform(frame.geometry.to_numpy(), lambda xy: np.round(xy, 6))
    features = [
        {
            "type": "Feature",
            "geometry": mapping(geom),
            "properties": {k: v[i] for k, v in props.items()},
        }
        for i, geom in enumerate(geoms)
    ]
    return {"type": "FeatureCollection", "features": features}


def _tooltip(heading: str, rows: dict) -> str:
    cells = "".join(
        f"<tr><td>{html.escape(str(k))}</td><td>{html.escape(_fmt(v))}</td></tr>"
        for k, v in rows.items()
        if v is not None and not (isinstance(v, float) and math.isnan(v))
    )
    return f"<b>{html.escape(heading)}</b><table>{cells}</table>"


def _fmt(value) -> str:
    if isinstance(value, int | np.integer):
        return f"{value:,}"
    if isinstance(value, float | np.floating):
        return f"{value:,.0f}" if abs(value) >= 100 else f"{value:.3g}"
    return str(value)


def _geojson_layer(layer_id: str, frame, props: dict, **style) -> pdk.Layer:
    return pdk.Layer(
        "GeoJsonLayer",
        id=layer_id,
        data=_feature_collection(frame, props),
        pickable=True,
        get_fill_color="properties.fill",
        get_line_color="properties.line",
        **({"line_width_units": "'pixels'"} | style),
    )


def _park_layers(park: Park, zones, sensor_states=None, envelope=None) -> list[pdk.Layer]:
    layers = []
    boundary = park.to_wgs84("boundary")
    layers.append(
        _geojson_layer(
            "boundary",
            boundary,
            {
                "fill": [[*COLOURS["boundary"], 12]] * len(boundary),
                "line": [[*COLOURS["boundary"], 255]] * len(boundary),
                "tooltip": [_tooltip(str(n or i), {"park": i}) for i, n in _names(boundary)],
            },
            get_line_width=2,
        )
    )
    ent = park.to_wgs84("enterprises")
    layers.append(
        _geojson_layer(
            "enterprises",
            ent,
            {
                "fill": [[*COLOURS["enterprise"], 90]] * len(ent),
                "line": [[*COLOURS["enterprise"], 255]] * len(ent),
                "tooltip": [
                    _tooltip(str(n or i), {"enterprise": i, "sector": s})
                    for (i, n), s in zip(_names(ent), _column(ent, "sector"), strict=True)
                ],
            },
            get_line_width=1,
        )
    )
    targets = park.to_wgs84("targets")
    if len(targets):
        layers.append(
            _geojson_layer(
                "targets",
                targets,
                {
                    "fill": [[*COLOURS["target"], 70]] * len(targets),
                    "line": [[*COLOURS["target"], 255]] * len(targets),
                    "tooltip": [
                        _tooltip(
                            str(row.get("name") or i),
                            {
                                "outside target": i,
                                "kind": row["kind"],
                                "people by day": row["population_day"],
                                "people by night": row["population_night"],
                            },
                        )
                        for i, row in targets.iterrows()
                    ],
                },
                get_line_width=2,
                point_radius_units="'pixels'",
                get_point_radius=8,
            )
        )
    layers.append(_buildings_layer(park.to_wgs84("buildings")))
    if zones is not None and len(zones):
        layers.append(_zones_layer(zones))
    if envelope is not None and len(envelope):
        layers.append(_envelope_layer(envelope))
    roads = park.to_wgs84("roads")
    layers.append(
        _geojson_layer(
            "roads",
            roads,
            {
                "line": [[*COLOURS["road"], 255]] * len(roads),
                "width": [3.5 * n for n in roads["lanes"]],
                "tooltip": [
                    _tooltip(
                        str(row.get("name") or i),
                        {"road": i, "lanes": row["lanes"], "speed limit km/h": row["speed_kmh"]},
                    )
                    for i, row in roads.iterrows()
                ],
            },
            line_width_units="'meters'",
            get_line_width="properties.width",
            line_width_min_pixels=1.5,
        )
    )
    layers += _asset_layers(park)
    layers += _point_layers(park, sensor_states or {})
    return layers


def _column(frame, name: str) -> list:
    return list(frame[name]) if name in frame.columns else [None] * len(frame)


def _names(frame):
    return list(zip(frame.index, _column(frame, "name"), strict=True))


def _buildings_layer(buildings) -> pdk.Layer:
    people = np.maximum(buildings["occupants_day"], buildings["occupants_night"])
    fill = [[*OCCUPANT_COLOURS[k], 230] for k in occupant_class(people)]
    return _geojson_layer(
        "buildings",
        buildings,
        {
            "fill": fill,
            "line": [[90, 90, 90, 255]] * len(buildings),
            "tooltip": [
                _tooltip(
                    str(row.get("name") or i),
                    {
                        "building": i,
                        "use": row["use"],
                        "enterprise": row.get("enterprise"),
                        "people by day": row["occupants_day"],
                        "people by night": row["occupants_night"],
                        "storeys": row["storeys"],
                    },
                )
                for i, row in buildings.iterrows()
            ],
        },
        get_line_width=0.5,
    )


def _zones_layer(zones) -> pdk.Layer:
    colours = zone_colours(zones)
    order = [
        k
        for k in np.argsort(-zones["area_m2"].to_numpy(), kind="stable")
        if not zones.geometry.iloc[k].is_empty
    ]
    zones = zones.iloc[order]
    colours = [colours[k] for k in order]
    targets = _column(zones, "targets")
    return _geojson_layer(
        "zones",
        zones,
        {
            "fill": [list(c) for c in colours],
            "line": [[*c[:3], 255] for c in colours],
            "tooltip": [
                _tooltip(
                    f"{row['hazard']}: {row['level']}",
                    {
                        "threshold": row["threshold"],
                        "farthest distance": fmt.distance(float(row["distance_m"]))
                        if row["distance_m"]
                        else None,
                        "area": fmt.area(float(row["area_m2"])),
                        "people inside": row["people"],
                        "targets inside": t or None,
                    },
                )
                for (_, row), t in zip(zones.iterrows(), targets, strict=True)
            ],
        },
        get_line_width=1.5,
    )


def _asset_layers(park: Park) -> list[pdk.Layer]:
    layers = []
    pipes = park.to_wgs84("pipelines")
    if len(pipes):
        classes = [hazard_class(c) for c in pipes["chemical"]]
        layers.append(
            _geojson_layer(
                "pipelines",
                pipes,
                {
                    "line": [[*HAZARD_COLOURS[k], 255] for k in classes],
                    "tooltip": [
                        _tooltip(
                            f"pipeline {i}",
                            {
                                "chemical": row["chemical"],
                                "hazard": k,
                                "diameter mm": row["diameter_mm"],
                                "pressure kPa(g)": row["pressure_kpag"],
                                "from": row["from_asset"],
                                "to": row["to_asset"],
                            },
                        )
                        for (i, row), k in zip(pipes.iterrows(), classes, strict=True)
                    ],
                },
                get_line_width=3,
            )
        )
    tanks = park.to_wgs84("tanks")
    classes = [hazard_class(c) for c in tanks["chemical"]]
    layers.append(
        _geojson_layer(
            "tanks",
            tanks,
            {
                "fill": [[*HAZARD_COLOURS[k], 255] for k in classes],
                "line": [[0, 0, 0, 255]] * len(tanks),
                "radius": [d / 2.0 for d in tanks["diameter_m"]],
                "tooltip": [
                    _tooltip(
                        f"tank {i}",
                        {
                            "chemical": row["chemical"],
                            "hazard": k,
                            "enterprise": row["enterprise"],
                            "capacity m3": row["capacity_m3"],
                            "fill %": row["fill_pct"],
                            "storage": row["storage"],
                        },
                    )
                    for (i, row), k in zip(tanks.iterrows(), classes, strict=True)
                ],
            },
            get_line_width=1,
            get_point_radius="properties.radius",
            point_radius_min_pixels=3,
        )
    )
    return layers


def _point_layers(park: Park, sensor_states: dict[str, str]) -> list[pdk.Layer]:
    layers = []
    sensors = park.to_wgs84("sensors")
    if len(sensors):
        groups = [SENSOR_GROUPS.get(k, "weather station") for k in sensors["kind"]]
        states = [sensor_states.get(tag, "normal") for tag in sensors.index]
        layers.append(
            _geojson_layer(
                "sensors",
                sensors,
                {
                    "fill": [[*SENSOR_COLOURS[g], 255] for g in groups],
                    "line": [[*SENSOR_STATES[s], 255] for s in states],
                    "radius": [2.5 if s == "normal" else 6.0 for s in states],
                    "width": [0.5 if s == "normal" else 2.5 for s in states],
                    "tooltip": [
                        _tooltip(
                            f"sensor {tag}",
                            {
                                "state": state,
                                "kind": row["kind"],
                                "asset": row.get("asset"),
                                "gas": row.get("chemical"),
                                f"high alarm {row['unit']}": row.get("alarm_high"),
                                f"high-high alarm {row['unit']}": row.get("alarm_highhigh"),
                            },
                        )
                        for (tag, row), state in zip(sensors.iterrows(), states, strict=True)
                    ],
                },
                get_line_width="properties.width",
                point_radius_units="'pixels'",
                get_point_radius="properties.radius",
            )
        )
    for name, key, field, radius in (
        ("gates", "gate", "width_m", 6),
        ("assembly_points", "assembly point", "capacity", 7),
    ):
        frame = park.to_wgs84(name)
        label = "width m" if field == "width_m" else "capacity (people)"
        layers.append(
            _geojson_layer(
                name,
                frame,
                {
                    "fill": [[*COLOURS[key], 255]] * len(frame),
                    "line": [[255, 255, 255, 255]] * len(frame),
                    "tooltip": [
                        _tooltip(str(row.get("name") or i), {key: i, label: row[field]})
                        for i, row in frame.iterrows()
                    ],
                },
                get_line_width=2,
                point_radius_units="'pixels'",
                get_point_radius=radius,
            )
        )
    return layers


def _swatch(rgb, label: str, shape: str = "box") -> str:
    r, g, b = rgb[:3]
    alpha = rgb[3] / 255 if len(rgb) == 4 else 1.0
    return (
        f'<div class="row"><span class="sw {shape}" '
        f'style="background:rgba({r},{g},{b},{alpha:.2f})"></span>{html.escape(label)}</div>'
    )


def _legend(park: Park, zones, basemap: Basemap | None, sensor_states=None, envelope=None) -> str:
    used = sorted(
        {hazard_class(c) for c in park.tanks["chemical"]}
        | {hazard_class(c) for c in park.pipelines.get("chemical", [])},
        key=HAZARD_CLASSES.index,
    )
    parts = ["<h4>Tanks and pipelines</h4>"]
    parts += [_swatch(HAZARD_COLOURS[k], k, "dot") for k in used]
    parts.append("<h4>Buildings (people, day or night)</h4>")
    parts += [_swatch(c, lab) for c, lab in zip(OCCUPANT_COLOURS, OCCUPANT_LABELS, strict=True)]
    parts.append("<h4>Park</h4>")
    parts += [
        _swatch(COLOURS["road"], "road", "line"),
        _swatch(COLOURS["gate"], "gate", "dot"),
        _swatch(COLOURS["assembly point"], "assembly point", "dot"),
        _swatch((*COLOURS["target"], 120), "outside target"),
    ]
    if len(park.sensors):
        groups = {SENSOR_GROUPS.get(k, "weather station") for k in park.sensors["kind"]}
        parts += [_swatch(SENSOR_COLOURS[g], g, "dot") for g in SENSOR_COLOURS if g in groups]
        shown = set((sensor_states or {}).values()) - {"normal"}
        parts += [
            _swatch(SENSOR_STATES[s], f"sensor: {s}", "dot") for s in SENSOR_STATES if s in shown
        ]
    if zones is not None and len(zones):
        parts.append("<h4>Zones</h4>")
        for colour, (_, row) in zip(zone_colours(zones), zones.iterrows(), strict=True):
            parts.append(_swatch(colour, zone_label(row)))
    if envelope is not None and len(envelope):
        parts.append(_swatch(ENVELOPE_COLOUR, envelope_label(envelope), "line"))
    if basemap:
        parts.append(f'<div class="attrib">Basemap: {basemap.attribution}</div>')
    return "\n".join(parts)


_TOOLTIP_STYLE = {
    "backgroundColor": "white",
    "color": "black",
    "fontSize": "12px",
    "fontFamily": "sans-serif",
}

# The map div has a fixed pixel size so that screenshots and the fitted view agree.
_PAGE = """<!DOCTYPE html>
<html>
<head>
<meta charset="utf-8">
<title>{title}</title>
<style>
body {{ margin: 0; font-family: sans-serif; }}
#map {{ position: relative; width: {width}px; height: {height}px; overflow: hidden;
  background: #f4f4f0; }}
#deck-container {{ position: absolute; left: 0; top: 0; width: {width}px; height: {height}px; }}
.panel {{ position: absolute; z-index: 2; background: rgba(255,255,255,0.92);
  border: 1px solid #999; border-radius: 4px; padding: 6px 9px; font-size: 12px; }}
#title {{ left: 10px; top: 10px; font-size: 15px; font-weight: bold; }}
#legend {{ right: 10px; top: 10px; width: 230px; max-height: calc(100% - 20px);
  overflow-y: auto; box-sizing: border-box; }}
#legend h4 {{ margin: 6px 0 3px 0; font-size: 12px; }}
#legend .row {{ display: flex; align-items: center; margin: 1px 0; }}
.sw {{ display: inline-block; width: 14px; height: 10px; margin-right: 6px;
  border: 1px solid #555; flex: none; }}
.sw.dot {{ width: 10px; border-radius: 50%; }}
.sw.line {{ height: 3px; border: none; }}
.attrib {{ margin-top: 6px; font-size: 10px; color: #444; }}
td {{ padding: 0 6px 0 0; }}
{style}
</style>
<script>{bundle}</script>
</head>
<body>
<div id="map">
<div id="deck-container"></div>
<div id="title" class="panel">{title}</div>
<div id="legend" class="panel">
{legend}
</div>
{panels}
</div>
<script>
const configuration = {{
  functions: {{
    tileBitmap: ({{template}}) => (props) => {{
      if (!props.data) {{ return null; }}
      const {{west, south, east, north}} = props.tile.bbox;
      return new template.constructor({{
        ...props, data: null, image: props.data, bounds: [west, south, east, north],
      }});
    }},
  }},
}};
const deckInstance = createDeck({{
  container: document.getElementById("deck-container"),
  jsonInput: {deck_json},
  tooltip: {tooltip},
  configuration,
}});
{script}
</script>
</body>
</html>
"""
