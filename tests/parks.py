"""Helpers that build park files for tests: the demo's layers, and writers for GeoPackage
and GeoJSON folders, so each test can break one thing."""

from functools import cache

import geopandas as gpd
import pyogrio
from shapely.geometry import LineString, Point, Polygon

from geodata import DEMO_PARK


@cache
def _demo():
    return {
        name: gpd.read_file(DEMO_PARK, layer=name) for name, _ in pyogrio.list_layers(DEMO_PARK)
    }


def demo_layers() -> dict[str, gpd.GeoDataFrame]:
    """A fresh copy of every layer of the demo park (EPSG:4326)."""
    return {name: frame.copy() for name, frame in _demo().items()}


def write_gpkg(layers: dict, path):
    for name, frame in layers.items():
        frame.to_file(path, layer=name, driver="GPKG")
    return path


def write_geojson_dir(layers: dict, folder):
    folder.mkdir(parents=True, exist_ok=True)
    for name, frame in layers.items():
        frame.to_file(folder / f"{name}.geojson", driver="GeoJSON")
    return folder


# A small park of one of everything, about 1 km x 0.8 km near the demo park (EPSG:4326),
# for tests (and fuzz runs) that load many parks: one enterprise, two tanks, a pipeline,
# two buildings, a road, a gate, an assembly point, two sensors and a target.
_LON0, _LAT0 = 119.90, 28.40
_DEG_M = (1 / 97_900, 1 / 111_000)  # degrees per metre east and north at 28.4 N


def _at(x_m, y_m):
    return (_LON0 + x_m * _DEG_M[0], _LAT0 + y_m * _DEG_M[1])


def _box(x0, y0, x1, y1):
    return Polygon([_at(x0, y0), _at(x1, y0), _at(x1, y1), _at(x0, y1)])


@cache
def _small():
    def frame(rows, geometry):
        return gpd.GeoDataFrame(rows, geometry=geometry, crs="EPSG:4326")

    tank = dict(
        enterprise="E1",
        shape="vertical_cylinder",
        diameter_m=10.0,
        length_m=10.0,
        capacity_m3=700.0,
        design_pressure_kpag=2.0,
        design_temperature_c=50.0,
        temperature_c=20.0,
        fill_pct=70.0,
        max_fill_pct=90.0,
        dike_area_m2=400.0,
        storage="atmospheric",
    )
    building = dict(enterprise="E1", occupants_day=20, occupants_night=5, storeys=2)
    sensor = dict(range_low=0.0, alarm_high=0.8, alarm_highhigh=0.9, height_m=10.0)
    return {
        "boundary": frame([dict(id="P", name="Small park")], [_box(0, 0, 1000, 800)]),
        "enterprises": frame([dict(id="E1", name="Tank farm")], [_box(100, 100, 700, 700)]),
        "tanks": frame(
            [
                dict(id="T1", chemical="methanol", **tank),
                dict(id="T2", chemical="toluene", **tank),
            ],
            [Point(_at(300, 300)), Point(_at(400, 300))],
        ),
        "pipelines": frame(
            [
                dict(
                    id="L1",
                    chemical="methanol",
                    diameter_mm=50.0,
                    pressure_kpag=500.0,
                    temperature_c=20.0,
                    valves_m="0;150",
                    from_asset="T1",
                    to_asset="B1",
                    flow_kg_s=1.0,
                )
            ],
            [LineString([_at(300, 300), _at(300, 500)])],
        ),
        "buildings": frame(
            [
                dict(id="B1", name="Control room", use="control_room", **building),
                dict(id="B2", name="Workshop", use="workshop", **building),
            ],
            [_box(280, 500, 320, 530), _box(500, 500, 560, 540)],
        ),
        "roads": frame(
            [dict(id="R1", name="Main road", lanes=2, speed_kmh=40.0, oneway=False)],
            [LineString([_at(0, 450), _at(1000, 450)])],
        ),
        "gates": frame([dict(id="G1", name="Gate", width_m=8.0)], [Point(_at(0, 450))]),
        "assembly_points": frame(
            [dict(id="A1", name="Square", capacity=100)], [Point(_at(850, 470))]
        ),
        "sensors": frame(
            [
                dict(tag="LT-1", kind="level", unit="m", asset="T1", range_high=10.0, **sensor),
                dict(
                    tag="AT-1",
                    kind="gas_toxic",
                    unit="ppm",
                    asset="L1",
                    chemical="methanol",
                    range_high=1000.0,
                    alarm_high=200.0,
                    alarm_highhigh=400.0,
                    range_low=0.0,
                    height_m=1.5,
                ),
            ],
            [Point(_at(300, 310)), Point(_at(310, 400))],
        ),
        "targets": frame(
            [dict(id="V1", name="Village", kind="village", population_day=50, population_night=80)],
            [_box(1300, 300, 1500, 500)],
        ),
    }


def small_layers() -> dict[str, gpd.GeoDataFrame]:
    """A fresh copy of every layer of the small park (EPSG:4326)."""
    return {name: frame.copy() for name, frame in _small().items()}


def small_layer(name: str) -> gpd.GeoDataFrame:
    """A fresh copy of one layer of the small park."""
    return _small()[name].copy()
