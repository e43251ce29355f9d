"""Loading the demo park from a GeoPackage and from GeoJSON, projecting to local metres and
back."""

import numpy as np
import pytest
from pyproj import Geod

from geodata import DEMO_PARK, LAYERS, load_park
from geodata.crs import utm_crs
from physics.substances import resolve
from tests.parks import demo_layers, write_geojson_dir


@pytest.fixture(scope="module")
def park():
    return load_park("demo", resolve_chemical=resolve)


def test_every_layer_loads(park):
    for name in LAYERS:
        assert name in park.layers
    assert park.crs.to_epsg() == 32650  # 119.9 E lies in UTM zone 50 (114-120 E)
    assert park.layers["tanks"].crs == park.crs
    assert park.layers["tanks"]["cas"].notna().all()


def test_si_columns(park):
    t = park.tanks.loc["CL-101"]
    assert t.fill_fraction == pytest.approx(t.fill_pct / 100)
    assert t.temperature_k == pytest.approx(t.temperature_c + 273.15)
    assert t.design_pressure_pa == pytest.approx(t.design_pressure_kpag * 1e3 + 101325)
    assert park.pipelines.loc["P-CL2-01"].diameter_m == pytest.approx(0.05)
    assert park.roads.loc["R-EW1000"].speed_m_s == pytest.approx(50 / 3.6)


def test_projection_round_trip_within_1_cm(park):
    """lon/lat -> local metres -> lon/lat, every vertex within 1 cm (WGS 84 geodesic)."""
    geod = Geod(ellps="WGS84")
    original = demo_layers()
    for name in ("tanks", "sensors", "buildings", "roads"):
        back = park.to_wgs84(name)
        src = original[name].set_index(LAYERS[name].id_field).loc[back.index]
        for a, b in zip(src.geometry, back.geometry, strict=True):
            ca, cb = (
                np.array(a.exterior.coords if hasattr(a, "exterior") else a.coords),
                np.array(b.exterior.coords if hasattr(b, "exterior") else b.coords),
            )
            _, _, dist = geod.inv(ca[:, 0], ca[:, 1], cb[:, 0], cb[:, 1])
            assert np.max(dist) < 0.01


def test_local_metres_are_metres(park):
    """The boundary was drawn as a 3000 m x 2000 m rectangle in UTM; the local CRS is UTM."""
    minx, miny, maxx, maxy = park.boundary.total_bounds
    assert maxx - minx == pytest.approx(3000.0, abs=0.01)
    assert maxy - miny == pytest.approx(2000.0, abs=0.01)


def test_utm_zone_choice():
    assert utm_crs(119.9, 28.4).to_epsg() == 32650
    assert utm_crs(-3.7, 40.4).to_epsg() == 32630
    assert utm_crs(151.2, -33.9).to_epsg() == 32756
    with pytest.raises(ValueError):
        utm_crs(0.0, 89.0)


def test_geojson_folder_gives_the_same_park(tmp_path, park):
    folder = write_geojson_dir(demo_layers(), tmp_path / "park")
    again = load_park(folder, resolve_chemical=resolve)
    assert set(again.tanks.index) == set(park.tanks.index)
    assert again.network.graph.number_of_edges() == park.network.graph.number_of_edges()
    assert np.allclose(
        again.tanks.geometry.x.loc[park.tanks.index], park.tanks.geometry.x, atol=0.01
    )


def test_demo_park_file_is_bundled():
    assert DEMO_PARK.exists() and DEMO_PARK.suffix == ".gpkg"


def test_readme_documents_the_schema():
    from pathlib import Path

    from geodata.schema import markdown

    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    assert markdown() in readme
