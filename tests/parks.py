"""Helpers that build park files for tests: the demo's layers, and writers for GeoPackage
and GeoJSON folders, so each test can break one thing."""

from functools import cache

import geopandas as gpd
import pyogrio

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
