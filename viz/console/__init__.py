"""The live console's pages and assets: the page, its script and style, and the park's map
layers as deck.gl JSON (the same layers and tooltips as `viz.deckmap.park_map`).

The server (``console_server``, beside the CLI) serves these files and the deck.gl bundle
that pydeck installs with itself, so the console works with no internet.
``viz.console.simulation`` turns an engine run into what the page shows of it.
"""

import html
import json
from importlib import resources

import geopandas as gpd
import pydeck as pdk

from viz.deckmap import (
    MAP_PADDING_PX,
    _bundle,
    _park_layers,
    fit_view,
    map_bounds,
    zone_colours,
    zone_label,
    zones_wgs84,
)

# Sensor state -> ring colour on the map and in the page (RGB).
STATE_COLOURS = {
    "normal": (255, 255, 255),
    "first alarm level": (255, 200, 0),
    "second alarm level": (215, 25, 28),
    "instrument fault (likely)": (253, 120, 20),
    "over range": (150, 0, 200),
    "stale": (140, 140, 140),
}
ASSETS = ("index.html", "console.js", "console.css")
# Layers whose features carry their id, for the page to mark them (a sensor by its state,
# the others when a forecast zone covers them).
MARKED = ("sensors", "assembly_points", "gates", "targets")


def asset(name: str) -> str:
    """The text of one of `ASSETS`, or of ``deck.js`` (the deck.gl bundle)."""
    if name == "deck.js":
        return _bundle()
    return resources.files(__name__).joinpath(name).read_text(encoding="utf-8")


def park_deck(park, size_px=(900, 800)) -> dict:
    """The park's layers and a fitted view as deck.gl JSON (no basemap: works offline)."""
    view = fit_view(map_bounds(park), size_px, MAP_PADDING_PX)
    deck = pdk.Deck(
        layers=_park_layers(park, None),
        initial_view_state=pdk.ViewState(**view),
        views=[pdk.View("MapView", controller=True)],
        map_provider=None,
        map_style=None,
    )
    deck = json.loads(deck.to_json())
    for layer in deck["layers"]:
        if layer["id"] in MARKED:
            frame = park.layers[layer["id"]]
            for feature, i in zip(layer["data"]["features"], frame.index, strict=True):
                feature["properties"]["id"] = str(i)
    return deck


def covered(zones) -> dict:
    """What a forecast's zones (a ``scenarios.zones.ZonesResult``) cover of the `MARKED`
    layers other than sensors: layer -> ids, and ``names``: "kind name (id)" lines."""
    out = {"assembly_points": [], "gates": [], "targets": [], "names": []}
    rows = [(r.kind, r.id, r.name) for r in zones.plan.itertuples() if r.kind != "road"]
    rows += [(r.kind, r.id, r.name) for r in zones.affected.itertuples() if r.kind == "target"]
    layer = {"assembly point": "assembly_points", "gate": "gates", "target": "targets"}
    for kind, i, name in rows:
        if str(i) not in out[layer[kind]]:
            out[layer[kind]].append(str(i))
            out["names"].append(f"{kind} {name} ({i})" if str(name) != str(i) else f"{kind} {i}")
    return out


def zones_geojson(zones: gpd.GeoDataFrame) -> dict:
    """Forecast zones as a GeoJSON FeatureCollection in EPSG:4326 with the fill colour and
    the label of each zone (as on the static maps)."""
    zones = zones_wgs84(zones)
    features = []
    for colour, (_, row) in zip(zone_colours(zones), zones.iterrows(), strict=True):
        features.append(
            {
                "type": "Feature",
                "geometry": row.geometry.__geo_interface__,
                "properties": {
                    "fill": list(colour),
                    "line": [60, 60, 60, 200],
                    "tooltip": html.escape(zone_label(row)),
                },
            }
        )
    return {"type": "FeatureCollection", "features": features}


__all__ = ["ASSETS", "MARKED", "STATE_COLOURS", "asset", "covered", "park_deck", "zones_geojson"]
