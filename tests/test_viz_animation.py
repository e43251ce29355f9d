"""The replay map of an engine run in a real browser (headless Chromium, software WebGL).

The page is written by ``viz.animation.scenario_map`` and opened at a chosen time through
its URL hash (``#t=600``). The expected pixel position of a person comes from the linear
interpolation of its trajectory and the Web Mercator projection written out in
``tests.test_viz_browser`` (deck.gl docs, "Coordinate Systems"), not from deck.gl. Name
resolution is off in the browser: the page is tested as it opens with no internet.
Skipped when Chromium is not installed (Debian: ``apt-get install chromium``).
"""

import dataclasses
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pytest
from pyproj import Transformer

import twin
from scenarios import engine, scenario_file
from tests.test_viz_browser import (
    CHROMIUM,
    LEGEND_LEFT_PX,
    MAGENTA,
    SIZE,
    mercator_px,
    pixels,
    screenshot,
)
from viz.animation import PERSON_COLOURS, TRAIL_S, scenario_map, trips_wgs84
from viz.deckmap import MAP_PADDING_PX, fit_view, map_bounds

pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="chromium is not installed (Debian: apt-get install chromium)"
)
FLAGSHIP = "scenarios/demo/drill_nb101.toml"
# One person walks a straight line across the park, east, from T0 to T1 [s].
T0, T1 = 100.0, 1100.0
HALF_M = 1200.0


@pytest.fixture(scope="module")
def park():
    return twin.load_park("demo")


@pytest.fixture(scope="module")
def flagship(park):
    return engine.run(scenario_file.load(FLAGSHIP), park)


def walker(park, result):
    """The flagship result with one person only, walking east across the park's centre."""
    c = park.boundary.geometry.iloc[0].centroid
    y = c.y + 300.0
    traj = np.array([[0.0, c.x - HALF_M, y], [T0, c.x - HALF_M, y], [T1, c.x + HALF_M, y]])
    return dataclasses.replace(
        result, trajectories=[traj], persons=result.persons.iloc[:1], cloud=[]
    )


def walker_px(park, result, t):
    """Screen position [px] of the walker at time ``t`` [s]."""
    traj = result.trajectories[0]
    x = np.interp(t, traj[:, 0], traj[:, 1])
    lon, lat = Transformer.from_crs(park.crs, 4326, always_xy=True).transform(x, traj[0, 2])
    return mercator_px(lon, lat, fit_view(map_bounds(park), SIZE, MAP_PADDING_PX))


def magenta(img) -> np.ndarray:
    """Mask of the map's magenta pixels (the legend, which shows the colour, left out)."""
    mask = np.all(np.abs(img.astype(int) - MAGENTA) <= 8, axis=-1)
    mask[:, LEGEND_LEFT_PX:] = False
    return mask


def magenta_tint(img) -> np.ndarray:
    """Mask of pixels that are magenta blended over the light map (the trail fades out)."""
    r, g, b = (img[..., k].astype(int) for k in range(3))
    mask = (r > 180) & (b > 180) & (g < 130)
    mask[:, LEGEND_LEFT_PX:] = False
    return mask


@pytest.mark.parametrize("t", [350.0, 700.0])
def test_person_drawn_where_the_trajectory_puts_it(park, flagship, tmp_path, t):
    result = walker(park, flagship)
    page = scenario_map(
        park,
        result,
        tmp_path / "map.html",
        basemap=None,
        size_px=SIZE,
        person_colours={"foot": MAGENTA, "car": MAGENTA},
    )
    png = tmp_path / "map.png"
    screenshot_at(page, t, png, tmp_path)
    img = pixels(png)
    assert img.shape == (SIZE[1], SIZE[0], 3)
    mask = magenta(img)
    col, row = walker_px(park, result, t)
    c, r = round(col), round(row)
    # the dot (4 px radius) at the person's position now
    assert mask[r - 2 : r + 3, c - 2 : c + 3].mean() > 0.8
    # the trail behind it (fading: a quarter of its length back it is 3/4 opaque), and
    # nothing ahead of it or beyond the trail's length behind it
    tint = magenta_tint(img)
    tail, _ = walker_px(park, result, t - TRAIL_S / 4)
    assert tint[r - 2 : r + 3, round(tail) - 1 : round(tail) + 2].any()
    assert not tint[:, c + 8 :].any()
    behind, _ = walker_px(park, result, t - 1.2 * TRAIL_S)
    assert not tint[:, : round(behind)].any()
    # the same check fails on a blank page
    blank = magenta(np.full_like(img, 255))
    assert not blank[r - 2 : r + 3, c - 2 : c + 3].any()


class PageAt(NamedTuple):
    """A page and the time [s] to open it at: what ``screenshot`` asks of a path."""

    path: Path
    t: float

    def resolve(self):
        return self

    def as_uri(self) -> str:
        return self.path.resolve().as_uri() + f"#t={self.t:g}"


def screenshot_at(page, t, png, tmp_path) -> float:
    """Screenshot of ``page`` opened at time ``t`` [s] (its URL hash)."""
    return screenshot(PageAt(page, t), png, tmp_path)


def with_square_cloud(park, result, t0, half_m=300.0):
    """The result with one cloud frame at ``t0`` [s]: a square above every level, north of
    the park's centre (zero on the grid's edge, so the footprint is the square less at most
    one cell)."""
    c = park.boundary.geometry.iloc[0].centroid
    x = np.linspace(c.x - half_m, c.x + half_m, 13)
    y = np.linspace(c.y + 300.0 - half_m, c.y + 300.0 + half_m, 13)
    field = np.zeros((13, 13), np.float32)
    field[1:-1, 1:-1] = 10.0 * max(result.levels.values())
    return dataclasses.replace(result, cloud=[(t0, x, y, field)]), (x[1], y[1], x[-2], y[-2])


def purple_share(img, px_box) -> float:
    """Share of pixels in the box that are clearly purple (blue well above green)."""
    c0, r0, c1, r1 = (round(v) for v in px_box)
    patch = img[r0:r1, c0:c1].astype(int)
    return float(((patch[..., 2] - patch[..., 1] > 30) & (patch[..., 0] > patch[..., 1])).mean())


def red_pixels(img, col, row, half=15) -> int:
    patch = img[row - half : row + half, col - half : col + half].astype(int)
    return int(((patch[..., 0] > 200) & (patch[..., 1] < 70) & (patch[..., 2] < 70)).sum())


def test_cloud_and_sensor_alarms_follow_the_time(park, flagship, tmp_path):
    """Before the first alarm (T+5 s) the detector near NB-101 is not ringed red and the
    cloud frame (T+600 s) is not drawn; at T+620 s both are, where they belong."""
    result, (x0, y0, x1, y1) = with_square_cloud(park, flagship, 600.0)
    page = scenario_map(park, result, tmp_path / "map.html", basemap=None, size_px=SIZE)
    to_wgs84 = Transformer.from_crs(park.crs, 4326, always_xy=True)
    view = fit_view(map_bounds(park), SIZE, MAP_PADDING_PX)
    c0, r1 = mercator_px(*to_wgs84.transform(x0, y0), view)
    c1, r0 = mercator_px(*to_wgs84.transform(x1, y1), view)
    box = (c0 + 3, r0 + 3, c1 - 3, r1 - 3)
    tag = result.alarms.sort_values("time_s")["tag"].iloc[0]
    sensor = park.sensors.geometry[tag]
    col, row = (round(v) for v in mercator_px(*to_wgs84.transform(sensor.x, sensor.y), view))
    shots = {}
    for t in (5.0, 620.0):
        png = tmp_path / f"map_{t:g}.png"
        screenshot_at(page, t, png, tmp_path)
        shots[t] = pixels(png)
    assert result.alarms["time_s"].min() > 5.0
    assert purple_share(shots[5.0], box) < 0.05
    assert purple_share(shots[620.0], box) > 0.9
    assert red_pixels(shots[620.0], col, row) - red_pixels(shots[5.0], col, row) > 20


def test_flagship_map_draws_the_walking_people(park, flagship, tmp_path):
    """Issue 7: the demo scenario's map page renders in the headless browser; opened at
    T+15 min, while people walk, its pixels show the people's colour where the trips put
    them, not a blank page. Its render time (target under 10 s) is measured by
    bench/map_render.py, not asserted here: a shared machine's load inflates it.
    """
    t = 900.0
    page = scenario_map(park, flagship, tmp_path / "flagship.html", basemap=None, size_px=SIZE)
    png = tmp_path / "flagship.png"
    screenshot_at(page, t, png, tmp_path)
    img = pixels(png)
    to_wgs84 = Transformer.from_crs(park.crs, 4326, always_xy=True)
    view = fit_view(map_bounds(park), SIZE, MAP_PADDING_PX)
    walking = [
        trip
        for trip in trips_wgs84(flagship, to_wgs84)
        if trip["start"] <= t <= trip["timestamps"][-1]
    ]
    assert walking
    hits = []
    for trip in walking:
        ts = np.array(trip["timestamps"])
        path = np.array(trip["path"])
        lon, lat = np.interp(t, ts, path[:, 0]), np.interp(t, ts, path[:, 1])
        col, row = (round(v) for v in mercator_px(lon, lat, view))
        patch = img[row - 1 : row + 2, col - 1 : col + 2].astype(int)
        hits.append(np.all(np.abs(patch - PERSON_COLOURS["foot"]) <= 8, axis=-1).any())
    assert np.mean(hits) > 0.9
