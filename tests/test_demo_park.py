"""The bundled demo park has what the foundation issue promises, and is physically
consistent."""

import pytest
from pyproj import Transformer

from physics import substances
from twin import load_park, tank_inventory_kg


@pytest.fixture(scope="module")
def park():
    return load_park("demo")


def test_size_and_place(park):
    minx, miny, maxx, maxy = park.boundary.total_bounds
    assert (maxx - minx, maxy - miny) == pytest.approx((3000.0, 2000.0), abs=1.0)
    centre = park.to_wgs84("boundary").union_all().centroid
    assert centre.x == pytest.approx(119.9, abs=0.05)
    assert centre.y == pytest.approx(28.4, abs=0.05)


def test_contents(park):
    assert 8 <= len(park.enterprises) <= 12
    assert len(park.tanks) >= 30
    chems = set(park.tanks["cas"])
    for name in ("液氨", "氯", "液化石油气", "甲醇", "苯", "甲苯", "丙烯腈"):
        assert substances.resolve(name) in chems
    assert len(park.pipelines) >= 3
    assert len(park.buildings) >= 20
    dorms = park.buildings[park.buildings["use"] == "dormitory"]
    assert len(dorms) == 2
    assert dorms["occupants_night"].sum() == pytest.approx(2900, rel=0.05)
    assert {"control_room", "office"} <= set(park.buildings["use"])
    assert len(park.gates) >= 3 and len(park.assembly_points) >= 3
    kinds = park.sensors["kind"].value_counts()
    assert len(park.sensors) >= 40
    assert kinds["gas_combustible"] > 0 and kinds["gas_toxic"] > 0
    for kind in ("level", "pressure", "temperature", "wind_speed", "wind_direction"):
        assert kinds[kind] > 0
    assert {"village", "school", "hospital"} <= set(park.targets["kind"])
    boundary = park.boundary.union_all()
    assert not park.targets.intersects(boundary).any()


def test_pressurised_vessels_hold_their_vapour_pressure(park):
    """Design pressure (absolute) is above the vapour pressure at the design temperature."""
    for tid, t in park.tanks[park.tanks["storage"] == "pressurised"].iterrows():
        psat = float(substances.lookup(t.cas).vapour_pressure(t.design_temperature_k))
        assert t.design_pressure_pa > psat, tid


def test_atmospheric_tanks_hold_liquids(park):
    """Atmospheric tanks store chemicals that boil above their storage temperature."""
    for tid, t in park.tanks[park.tanks["storage"] == "atmospheric"].iterrows():
        assert substances.lookup(t.cas).boiling_point_K > t.temperature_k, tid


def test_inventories_are_realistic(park):
    inventory = tank_inventory_kg(park.tanks)
    # a 1000 m3 ammonia sphere 72 % full holds 1000 * 0.72 * 610 kg/m3 = 439 t
    assert inventory["NH-101"] / 1000 == pytest.approx(1000 * 0.72 * 0.610, rel=0.01)
    assert (inventory > 0).all()


def test_origin_matches_the_builder():
    from geodata.demo.build import ORIGIN_LONLAT, UTM50N

    x, y = Transformer.from_crs("EPSG:4326", UTM50N, always_xy=True).transform(*ORIGIN_LONLAT)
    park = load_park("demo")
    minx, miny, _, _ = park.boundary.total_bounds
    assert (minx, miny) == pytest.approx((x, y), abs=0.01)
