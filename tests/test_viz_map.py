"""The interactive map page (viz.deckmap) read as text: self-contained, every layer present,
coloured as the legend says, zones with their tooltips; the zones column contract."""

import json
import math
import re
from html.parser import HTMLParser
from importlib import resources

import geopandas as gpd
import numpy as np
import pytest
from shapely.geometry import box

import twin
from viz.deckmap import (
    ESRI_WORLD_STREET_MAP,
    HAZARD_COLOURS,
    MAP_PADDING_PX,
    OCCUPANT_COLOURS,
    OSM,
    ZONE_COLUMNS,
    fit_view,
    hazard_class,
    map_bounds,
    occupant_class,
    park_map,
    zone_colours,
    zones_wgs84,
)

BUNDLE = resources.files("pydeck").joinpath("nbextension/static/index.js").read_text("utf-8")


@pytest.fixture(scope="module")
def park():
    return twin.load_park("demo")


def rings(park, hazard="toxic", radii=(900.0, 500.0, 200.0)):
    """Concentric square zones around the park's centre, largest first."""
    c = park.boundary.geometry.iloc[0].centroid
    squares = [box(c.x - r, c.y - r, c.x + r, c.y + r) for r in radii]
    return gpd.GeoDataFrame(
        {
            "hazard": [hazard] * len(radii),
            "level": [f"L{k + 1}" for k in range(len(radii))],
            "threshold": [f"{k + 1}00 ppm <60 min>" for k in range(len(radii))],
            "distance_m": list(radii),
            "area_m2": [s.area for s in squares],
            "people": [120, 40, 7][: len(radii)],
        },
        geometry=squares,
        crs=park.crs,
    ).to_crs(4326)


@pytest.fixture(scope="module")
def page(park, tmp_path_factory):
    out = tmp_path_factory.mktemp("map") / "map.html"
    park_map(park, out, rings(park), title="Demo <park>")
    return out.read_text(encoding="utf-8")


def deck_json(page: str) -> dict:
    match = re.search(r"jsonInput: (\{.*?\}),\n  tooltip:", page, re.S)
    return json.loads(match.group(1))


def layer(deck: dict, layer_id: str) -> dict:
    return next(x for x in deck["layers"] if x["id"] == layer_id)


class Sources(HTMLParser):
    """Every resource the page would fetch: script/img/iframe src, link href, CSS url()."""

    def __init__(self):
        super().__init__()
        self.sources, self.scripts, self._in_style = [], 0, False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script":
            self.scripts += 1
        if tag in ("script", "img", "iframe", "embed") and attrs.get("src"):
            self.sources.append(attrs["src"])
        if tag == "link" and attrs.get("href"):
            self.sources.append(attrs["href"])
        self._in_style = tag == "style"

    def handle_data(self, data):
        if self._in_style:
            self.sources += re.findall(r"url\(([^)]*)\)|@import\s+([^;]+)", data)


def test_source_finder_finds_external_sources():
    parser = Sources()
    parser.feed(
        "<script src='https://cdn.example/deck.js'></script>"
        '<link rel="stylesheet" href="http://cdn.example/a.css">'
        "<style>@import 'http://cdn.example/b.css'; p { background: url(http://x/i.png) }</style>"
    )
    assert len(parser.sources) == 4


def test_page_is_self_contained(page):
    parser = Sources()
    parser.feed(page)
    assert parser.sources == []
    assert parser.scripts == 2  # the inlined bundle and the page's own script
    assert BUNDLE in page
    # outside the bundle, the only web address is the tile template
    rest = page.replace(BUNDLE, "")
    urls = set(re.findall(r"https?://[^\s\"'<>]+", rest))
    assert urls == {ESRI_WORLD_STREET_MAP.url}
    assert f"Basemap: {ESRI_WORLD_STREET_MAP.attribution}" in rest


def test_other_basemap_and_its_attribution(park, tmp_path):
    page = park_map(park, tmp_path / "m.html", basemap=OSM).read_text(encoding="utf-8")
    assert layer(deck_json(page), "basemap")["data"] == OSM.url
    assert OSM.attribution in page and ESRI_WORLD_STREET_MAP.url not in page


def test_no_tiles_no_web_address(park, tmp_path):
    page = park_map(park, tmp_path / "m.html", basemap=None).read_text(encoding="utf-8")
    assert re.findall(r"https?://", page.replace(BUNDLE, "")) == []
    assert "basemap" not in {x["id"] for x in deck_json(page)["layers"]}


def test_every_park_layer_drawn_with_tooltips(page, park):
    deck = deck_json(page)
    ids = [x["id"] for x in deck["layers"]]
    assert ids[0] == "basemap"
    for name in (
        "boundary",
        "enterprises",
        "targets",
        "buildings",
        "zones",
        "roads",
        "pipelines",
        "tanks",
        "sensors",
        "gates",
        "assembly_points",
    ):
        features = layer(deck, name)["data"]["features"]
        frame = rings(park) if name == "zones" else park.layers[name]
        assert len(features) == len(frame), name
        assert all(f["properties"]["tooltip"] for f in features), name
    # zones over buildings, under roads and tanks
    assert ids.index("buildings") < ids.index("zones") < ids.index("roads") < ids.index("tanks")
    assert "Demo &lt;park&gt;" in page


def test_string_props_are_quoted_not_expressions(page):
    tanks = layer(deck_json(page), "tanks")
    assert tanks["lineWidthUnits"] == "pixels"
    assert tanks["getFillColor"] == "@@=properties.fill"


def test_tanks_and_buildings_coloured_as_the_legend(page, park):
    deck = deck_json(page)
    fills = [f["properties"]["fill"][:3] for f in layer(deck, "tanks")["data"]["features"]]
    expected = [list(HAZARD_COLOURS[hazard_class(c)]) for c in park.tanks["chemical"]]
    assert fills == expected
    assert len({tuple(f) for f in fills}) >= 3  # the demo has several classes
    people = np.maximum(park.buildings["occupants_day"], park.buildings["occupants_night"])
    fills = [f["properties"]["fill"][:3] for f in layer(deck, "buildings")["data"]["features"]]
    assert fills == [list(OCCUPANT_COLOURS[k]) for k in occupant_class(people)]
    legend = page[page.index('<div id="legend"') :]
    for name in {hazard_class(c) for c in park.tanks["chemical"]}:
        r, g, b = HAZARD_COLOURS[name]
        assert f'style="background:rgba({r},{g},{b},1.00)"></span>{name}</div>' in legend


def test_zone_tooltips_and_legend(page, park):
    zones = layer(deck_json(page), "zones")["data"]["features"]
    tips = [f["properties"]["tooltip"] for f in zones]
    for tip, (level, threshold, distance, people) in zip(
        tips,
        [
            ("L1", "100 ppm", "900", "120"),
            ("L2", "200 ppm", "500", "40"),
            ("L3", "300 ppm", "200", "7"),
        ],
        strict=True,
    ):
        assert f"toxic: {level}" in tip
        assert threshold in tip and "&lt;60 min&gt;" in tip  # HTML escaped
        assert f"<td>farthest distance</td><td>{distance} m</td>" in tip
        assert f"<td>people inside</td><td>{people}</td>" in tip
        assert re.search(r"<td>area</td><td>[\d.,]+ (m2|ha|km2)</td>", tip)
    legend = page[page.index('<div id="legend"') :]
    for k in (1, 2, 3):
        assert f"toxic L{k}: {k}00 ppm &lt;60 min&gt;" in legend


def test_larger_zones_drawn_first(park, tmp_path):
    shuffled = rings(park).iloc[[1, 2, 0]]
    page = park_map(park, tmp_path / "m.html", shuffled, basemap=None).read_text("utf-8")
    tips = [f["properties"]["tooltip"] for f in layer(deck_json(page), "zones")["data"]["features"]]
    assert [t[t.index("toxic: ") + 7 : t.index("toxic: ") + 9] for t in tips] == ["L1", "L2", "L3"]


def test_zone_colours_darken_inwards_per_hazard(park):
    zones = gpd.pd.concat([rings(park, "toxic"), rings(park, "explosion overpressure")])
    colours = np.array(zone_colours(zones), dtype=float)
    luminance = colours[:, :3] @ [0.299, 0.587, 0.114]
    assert np.all(np.diff(luminance[:3]) < 0) and np.all(np.diff(luminance[3:]) < 0)
    assert not np.allclose(colours[:3], colours[3:])  # two hazards, two ramps
    zones["colour"] = [None, [1, 2, 3], None, None, None, [4, 5, 6, 7]]
    fixed = zone_colours(zones)
    assert fixed[1] == (1, 2, 3, 255) and fixed[5] == (4, 5, 6, 7)
    assert fixed[0] == tuple(int(v) for v in colours[0])


@pytest.mark.parametrize("column", [c for c in ZONE_COLUMNS if c != "geometry"])
def test_zones_missing_a_column_rejected(park, column):
    with pytest.raises(ValueError, match=column):
        zones_wgs84(rings(park).drop(columns=[column]))


def test_zones_without_crs_or_not_polygons_rejected(park):
    zones = rings(park)
    with pytest.raises(ValueError, match="CRS"):
        zones_wgs84(zones.set_crs(None, allow_override=True))
    points = zones.copy()
    points["geometry"] = points.representative_point()
    with pytest.raises(ValueError, match="Polygon"):
        zones_wgs84(points)
    assert zones_wgs84(zones.to_crs(park.crs)).crs.to_epsg() == 4326


@pytest.mark.parametrize(
    ("chemical", "expected"),
    [
        ("7782-50-5", "toxic"),  # chlorine: an AEGL in the table, no LFL in chemicals
        ("7664-41-7", "toxic and flammable"),  # ammonia: both
        ("68476-85-7", "flammable"),  # LPG: an LFL (propane), no toxic endpoint in the table
        ("7727-37-9", "other"),  # nitrogen: neither
        ("液氨", "toxic and flammable"),  # Chinese common name of ammonia
    ],
)
def test_hazard_class(chemical, expected):
    """Oracle: physics.substances (chemicals library LFL) and physics/data/toxic_endpoints.csv."""
    assert hazard_class(chemical) == expected


def test_view_fits_bounds_in_the_padded_area(park):
    """Independent Web Mercator (OpenStreetMap wiki, "Slippy map tilenames"; deck.gl world
    512 px at zoom 0): the bounds touch the padded area on one axis and stay inside."""
    size = (1000, 800)
    bounds = map_bounds(park)
    view = fit_view(bounds, size, MAP_PADDING_PX)

    def px(lon, lat):
        def world(lo, la):
            n = math.log(math.tan(math.pi / 4 + math.radians(la) / 2))
            return (lo + 180) / 360 * 512, (1 - n / math.pi) / 2 * 512

        s = 2 ** view["zoom"]
        (x, y), (xc, yc) = world(lon, lat), world(view["longitude"], view["latitude"])
        return size[0] / 2 + (x - xc) * s, size[1] / 2 + (y - yc) * s

    left, top = px(bounds[0], bounds[3])
    right, bottom = px(bounds[2], bounds[1])
    pad = MAP_PADDING_PX
    inner = (left - pad["left"], size[0] - pad["right"] - right)
    outer = (top - pad["top"], size[1] - pad["bottom"] - bottom)
    assert min(*inner, *outer) > -1e-6
    assert np.isclose(inner[0], inner[1]) and np.isclose(outer[0], outer[1])  # centred
    assert np.isclose(min(*inner, *outer), 0.0, atol=1e-6)  # tight on one axis


def test_unreached_level_listed_not_drawn(park, tmp_path):
    """A level never reached comes as an empty (or missing) geometry, in the park's CRS."""
    zones = rings(park).to_crs(park.crs)
    zones["targets"] = ["Xiaxi village (village)", "", ""]
    zones.loc[zones.index[2], "geometry"] = None
    page = park_map(park, tmp_path / "m.html", zones, basemap=None).read_text("utf-8")
    drawn = layer(deck_json(page), "zones")["data"]["features"]
    assert len(drawn) == 2
    assert (
        "<td>targets inside</td><td>Xiaxi village (village)</td>"
        in drawn[0]["properties"]["tooltip"]
    )
    assert "targets inside" not in drawn[1]["properties"]["tooltip"]
    assert "toxic L3: 300 ppm &lt;60 min&gt; (not reached)" in page
