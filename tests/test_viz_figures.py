"""The static park/zones map (viz.figures): written at the asked size, not blank, zones drawn,
north arrow checked against PROJ's meridian convergence."""

import geopandas as gpd
import matplotlib.image as mpimg
import numpy as np
import pyproj
import pytest
from numpy.testing import assert_allclose
from shapely.geometry import box

import twin
from viz.figures import _nice_length, park_figure, true_north_deg

MAGENTA = np.array([255, 0, 255])


@pytest.fixture(scope="module")
def park():
    return twin.load_park("demo")


def magenta_zone(park, half_m=400.0):
    c = park.boundary.geometry.iloc[0].centroid
    square = box(c.x - half_m, c.y - half_m, c.x + half_m, c.y + half_m)
    return gpd.GeoDataFrame(
        {
            "hazard": ["toxic"],
            "level": ["test level"],
            "threshold": ["test threshold"],
            "distance_m": [half_m],
            "area_m2": [square.area],
            "people": [0],
            "colour": [[*MAGENTA, 255]],
        },
        geometry=[square],
        crs=park.crs,
    ).to_crs(4326)


def rgb(png) -> np.ndarray:
    return (mpimg.imread(png)[..., :3] * 255).round().astype(int)


def distinct_colours(img) -> int:
    return len(np.unique(img.reshape(-1, 3) // 8, axis=0))


@pytest.mark.parametrize("size_px", [(1600, 1200), (900, 700)])
def test_png_written_at_size_and_not_blank(park, tmp_path, size_px):
    out = park_figure(park, tmp_path / "park.png", title="Demo park", size_px=size_px)
    img = rgb(out)
    assert img.shape == (size_px[1], size_px[0], 3)
    assert distinct_colours(img) > 20
    assert distinct_colours(np.full_like(img, 255)) == 1  # the check fails on a blank image


def test_zone_drawn_inside_the_map(park, tmp_path):
    """Opaque zone colour: its pixels fill a square near the middle of the map axes."""
    out = park_figure(park, tmp_path / "zones.png", magenta_zone(park), size_px=(1600, 1200))
    img = rgb(out)
    ys, xs = np.nonzero(np.all(np.abs(img - MAGENTA) <= 8, axis=-1))
    map_part = xs < 0.72 * 1600  # the legend to the right shows the colour too
    assert map_part.sum() > 2000
    width = np.ptp(xs[map_part])
    height = np.ptp(ys[map_part])
    assert_allclose(width, height, rtol=0.1)  # a square stays square (equal aspect)


def test_north_arrow_follows_meridian_convergence(park):
    """True north is -gamma clockwise from grid north, gamma being PROJ's meridian
    convergence (the bearing of grid north clockwise from true north; PROJ issue #16,
    "incorrect convergence calculation for lcc projection")."""
    centre = park.boundary.union_all().centroid
    lonlat = gpd.GeoSeries([centre], crs=park.crs).to_crs(4326).iloc[0]
    gamma = pyproj.Proj(park.crs).get_factors(lonlat.x, lonlat.y).meridian_convergence
    assert_allclose(true_north_deg(park), -gamma, atol=0.01)
    assert abs(gamma) > 0.5  # the demo park lies 2.9 degrees east of its zone's meridian


@pytest.mark.parametrize(
    ("span_m", "bar_m"), [(5600.0, 1000.0), (300.0, 50.0), (12000.0, 2000.0), (9.0, 1.0)]
)
def test_scale_bar_length_is_round_and_near_a_fifth(span_m, bar_m):
    assert _nice_length(span_m) == bar_m


def test_the_wind_direction_envelope_is_drawn_on_the_figure_and_the_map(tmp_path):
    """The zones' envelope (the lowest level swept over the wind's wander) appears as a
    dashed outline with a legend entry on the PNG and as a layer on the HTML map."""
    from scenarios.release import source_term
    from scenarios.zones import Weather, threat_zones
    from twin import load_park
    from viz import park_map

    park = load_park("demo")
    result = threat_zones(
        park, source_term(park, "CL-101", hole_diameter_m=0.025), Weather(2.0, 45.0, "F")
    )
    assert len(result.envelope)
    with_env = park_figure(
        park,
        tmp_path / "env.png",
        zones=result.zones,
        envelope=result.envelope,
        size_px=(400, 300),
        dpi=50,
    )
    without = park_figure(park, tmp_path / "no.png", zones=result.zones, size_px=(400, 300), dpi=50)
    assert with_env.read_bytes() != without.read_bytes()
    page = park_map(
        park, tmp_path / "map.html", zones=result.zones, envelope=result.envelope, basemap=None
    ).read_text("utf-8")
    from tests.test_viz_map import deck_json, layer

    envelope = layer(deck_json(page), "envelope")
    assert len(envelope["data"]["features"]) == len(result.envelope)
    assert "wind-direction envelope (+-" in page
