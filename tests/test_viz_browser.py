"""The park map in a real browser: headless Chromium with software WebGL (SwiftShader).

Each test writes a page with ``viz.deckmap.park_map``, screenshots it with Chromium's
``--screenshot`` and checks pixels. The expected pixel position of a zone comes from the Web
Mercator projection written out here (world 512 px wide at zoom 0, y down: deck.gl docs,
"Coordinate Systems"; the tile scheme of the OpenStreetMap wiki, "Slippy map tilenames"),
not from deck.gl. Name resolution is switched off in the browser (``--host-resolver-rules``)
so the pages are tested as they open with no internet; only 127.0.0.1 answers.
Skipped when Chromium is not installed (Debian: ``apt-get install chromium``).
"""

import http.server
import io
import math
import shutil
import subprocess
import threading
import time

import geopandas as gpd
import matplotlib.image as mpimg
import numpy as np
import pytest
from shapely.geometry import box

import twin
from viz.deckmap import MAP_PADDING_PX, Basemap, fit_view, map_bounds, park_map

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="chromium is not installed (Debian: apt-get install chromium)"
)
SIZE = (1000, 800)
MAGENTA = (255, 0, 255)
CYAN = (0, 255, 255)
BUDGET_MS = 5000
LEGEND_LEFT_PX = SIZE[0] - MAP_PADDING_PX["right"]


def screenshot(page, png, tmp_path) -> float:
    """Render ``page`` headless into ``png``; return the wall time of the run [s]."""
    cmd = [
        CHROMIUM,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--use-gl=angle",
        "--use-angle=swiftshader",
        "--enable-unsafe-swiftshader",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--disable-quic",
        "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
        f"--user-data-dir={tmp_path / 'chromium-profile'}",
        f"--window-size={SIZE[0]},{SIZE[1]}",
        "--force-device-scale-factor=1",
        f"--virtual-time-budget={BUDGET_MS}",
        f"--screenshot={png}",
        page.resolve().as_uri(),
    ]
    start = time.perf_counter()
    subprocess.run(cmd, check=True, capture_output=True, timeout=120)
    return time.perf_counter() - start


def pixels(png) -> np.ndarray:
    """The screenshot as uint8 RGB, rows from the top."""
    return (mpimg.imread(png)[..., :3] * 255).round().astype(np.uint8)


def mercator_px(lon, lat, view) -> tuple[float, float]:
    """Screen position [px] of (lon, lat) [degrees] in a north-up map with this view."""

    def world(lo, la):
        y = math.log(math.tan(math.pi / 4 + math.radians(la) / 2))
        return (lo + 180) / 360 * 512, (0.5 - y / (2 * math.pi)) * 512

    scale = 2.0 ** view["zoom"]
    x, y = world(lon, lat)
    xc, yc = world(view["longitude"], view["latitude"])
    return SIZE[0] / 2 + (x - xc) * scale, SIZE[1] / 2 + (y - yc) * scale


def colour_fraction(img, colour, cols, rows, tol=8) -> float:
    """Share of the pixels in [cols) x [rows) within ``tol`` of ``colour``."""
    patch = img[rows[0] : rows[1], cols[0] : cols[1]].astype(int)
    if patch.size == 0:
        return 0.0
    return float(np.all(np.abs(patch - colour) <= tol, axis=-1).mean())


def zone_drawn(img, px_box, colour=MAGENTA, margin=3) -> bool:
    """True if ``colour`` fills the box (less a margin) and appears nowhere else on the map.

    The legend panel (right of ``LEGEND_LEFT_PX``) shows the zone's colour too; it is left out.
    """
    c0, r0, c1, r1 = (round(v) for v in px_box)
    inside = colour_fraction(img, colour, (c0 + margin, c1 - margin), (r0 + margin, r1 - margin))
    mask = np.all(np.abs(img[:, :LEGEND_LEFT_PX].astype(int) - colour) <= 8, axis=-1)
    mask[max(r0 - margin, 0) : r1 + margin, max(c0 - margin, 0) : c1 + margin] = False
    # roads, pipelines and tanks are drawn over zones and hide part of them
    return inside > 0.75 and mask.sum() == 0


@pytest.fixture(scope="module")
def park():
    return twin.load_park("demo")


def square_zone(park, dx_m, dy_m, half_m=400.0, colour=(*MAGENTA, 255)):
    """One opaque square zone centred ``dx_m, dy_m`` from the park's centroid."""
    c = park.boundary.geometry.iloc[0].centroid
    square = box(c.x + dx_m - half_m, c.y + dy_m - half_m, c.x + dx_m + half_m, c.y + dy_m + half_m)
    return gpd.GeoDataFrame(
        {
            "hazard": ["toxic"],
            "level": ["test level"],
            "threshold": ["test threshold"],
            "distance_m": [1000.0],
            "area_m2": [square.area],
            "people": [0],
            "colour": [list(colour)],
        },
        geometry=[square],
        crs=park.crs,
    ).to_crs(4326)


def expected_box(park, zones):
    view = fit_view(map_bounds(park, zones), SIZE, MAP_PADDING_PX)
    west, south, east, north = zones.total_bounds
    c0, r0 = mercator_px(west, north, view)
    c1, r1 = mercator_px(east, south, view)
    return c0, r0, c1, r1


@pytest.fixture
def tile_server():
    """A tile server on 127.0.0.1 that answers every tile with one opaque cyan PNG.

    Its URL template has Esri's order, {z}/{y}/{x}; the paths asked for are kept.
    """
    buf = io.BytesIO()
    mpimg.imsave(buf, np.full((256, 256, 3), CYAN, np.uint8), format="png")
    tile = buf.getvalue()
    asked = set()

    class Tiles(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            asked.add(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.send_header("Access-Control-Allow-Origin", "*")  # the page is file://
            self.send_header("Content-Length", str(len(tile)))
            self.end_headers()
            self.wfile.write(tile)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Tiles)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/{{z}}/{{y}}/{{x}}", asked
    server.shutdown()
    thread.join()


@pytest.mark.parametrize(("dx_m", "dy_m"), [(0.0, 0.0), (-1000.0, 500.0)])
def test_zone_drawn_where_the_projection_puts_it(park, tmp_path, dx_m, dy_m):
    zones = square_zone(park, dx_m, dy_m)
    page = park_map(park, tmp_path / "map.html", zones, basemap=None, size_px=SIZE)
    png = tmp_path / "map.png"
    screenshot(page, png, tmp_path)
    img = pixels(png)
    assert img.shape == (SIZE[1], SIZE[0], 3)
    px_box = expected_box(park, zones)
    assert 60 < px_box[2] - px_box[0] < 600  # big enough to test, small enough to miss
    assert zone_drawn(img, px_box)
    # the same check fails on a blank page and on a zone drawn somewhere else
    assert not zone_drawn(np.full_like(img, 255), px_box)
    half = (px_box[2] - px_box[0]) / 2
    shifted = (px_box[0] + half, px_box[1], px_box[2] + half, px_box[3])
    assert not zone_drawn(img, shifted)


def slippy_tile(lon, lat, z) -> tuple[int, int]:
    """Tile (x, y) holding (lon, lat) at zoom z (OpenStreetMap wiki, "Slippy map tilenames")."""
    n = 2**z
    y = (1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n
    return int((lon + 180) / 360 * n), int(y)


def test_basemap_tiles_drawn_under_the_park(park, tmp_path, tile_server):
    template, asked = tile_server
    zones = square_zone(park, 0.0, 0.0)
    tiles = Basemap(template, "test tiles")
    page = park_map(park, tmp_path / "map.html", zones, basemap=tiles, size_px=SIZE)
    png = tmp_path / "map.png"
    screenshot(page, png, tmp_path)
    img = pixels(png)
    # bottom-left corner: outside the park and the panels, only the basemap is there
    assert colour_fraction(img, CYAN, (5, 120), (SIZE[1] - 60, SIZE[1] - 5)) > 0.99
    assert zone_drawn(img, expected_box(park, zones))
    # the tile under the park's centre was asked for, its z/y/x in the template's order
    centre = park.to_wgs84("boundary").union_all().centroid
    zooms = {int(p.split("/")[1]) for p in asked}
    assert len(zooms) == 1
    z = zooms.pop()
    x, y = slippy_tile(centre.x, centre.y, z)
    assert f"/{z}/{y}/{x}" in asked


def test_park_still_drawn_when_tiles_cannot_load(park, tmp_path):
    """No internet: the tile host does not resolve; the zone and park layers still draw."""
    zones = square_zone(park, 0.0, 0.0)
    page = park_map(park, tmp_path / "map.html", zones, size_px=SIZE)  # the default tiles
    png = tmp_path / "map.png"
    screenshot(page, png, tmp_path)
    img = pixels(png)
    assert zone_drawn(img, expected_box(park, zones))
    assert colour_fraction(img, CYAN, (5, 120), (SIZE[1] - 60, SIZE[1] - 5)) == 0.0


def test_demo_map_draws_the_park(park, tmp_path):
    """Issue 7: the demo map renders in the headless browser and its pixels show the park
    was drawn (buildings, roads, tanks), not a blank page. Its render time (target under
    10 s) is measured by bench/map_render.py, not asserted here: a shared machine's load
    inflates it.
    """
    page = park_map(park, tmp_path / "demo.html", title="Demo park")
    png = tmp_path / "demo.png"
    screenshot(page, png, tmp_path)
    img = pixels(png)
    boundary = fit_view(map_bounds(park), SIZE, MAP_PADDING_PX)
    west, south, east, north = park.to_wgs84("boundary").total_bounds
    c0, r0 = mercator_px(west, north, boundary)
    c1, r1 = mercator_px(east, south, boundary)
    inside = img[round(r0) + 5 : round(r1) - 5, round(c0) + 5 : round(c1) - 5].reshape(-1, 3)
    colours = {tuple(int(v) // 16 for v in p) for p in inside[::7]}
    assert len(colours) > 20  # buildings, roads, tanks... not a flat background
