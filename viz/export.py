"""Exports of results to GIS and tables: GeoPackage layers in EPSG:4326, CSV.

Zones GeoPackage layers and their columns:

- ``zones``: hazard, level, threshold (text with unit), distance_m (farthest reach from the
  source), beyond_10km (the level is still exceeded where zones stop), area_m2,
  buildings (count), people (inside, day or night as run), targets (names), polygons;
- ``envelope``: hazard, level, sweep_deg, the lowest level's footprint swept over the
  wind direction's uncertainty;
- ``affected``: the buildings and outside targets inside each zone (hazard, level, kind,
  id, name, use, people), with their outlines;
- ``source``: the release point (asset, chemical, model).
"""

from pathlib import Path

import geopandas as gpd

from geodata.crs import WGS84


def write_zones(result, park, out: Path) -> dict[str, Path]:
    """Write a zones result to ``out``: zones.gpkg, zones.csv (the distance table) and
    affected.csv. Returns the paths by name."""
    out.mkdir(parents=True, exist_ok=True)
    gpkg = out / "zones.gpkg"
    gpkg.unlink(missing_ok=True)
    zones = result.zones[~result.zones.geometry.is_empty]
    zones.to_crs(WGS84).to_file(gpkg, layer="zones", driver="GPKG")
    if len(result.envelope):
        result.envelope.to_crs(WGS84).to_file(gpkg, layer="envelope", driver="GPKG")
    shapes = park.buildings.geometry.to_dict() | park.targets.geometry.to_dict()
    affected = gpd.GeoDataFrame(
        result.affected, geometry=[shapes[i] for i in result.affected["id"]], crs=park.crs
    )
    if len(affected):
        affected.to_crs(WGS84).to_file(gpkg, layer="affected", driver="GPKG")
    point = (
        park.tanks.geometry[result.asset]
        if result.asset in park.tanks.index
        else park.pipelines.geometry[result.asset].interpolate(0.5, normalized=True)
    )
    source = gpd.GeoDataFrame(
        [dict(asset=result.asset, chemical=result.term.substance.name, model=result.term.model)],
        geometry=[point],
        crs=park.crs,
    )
    source.to_crs(WGS84).to_file(gpkg, layer="source", driver="GPKG")
    table = out / "zones.csv"
    result.distance_table().to_csv(table, index=False)
    people = out / "affected.csv"
    result.affected.to_csv(people, index=False)
    return {"gpkg": gpkg, "table": table, "affected": people}


def write_forecast(forecast, park, out: Path) -> dict[str, Path]:
    """Write a forecast (``scenarios.forecast.Forecast``): forecast.gpkg with one zones
    layer per horizon (``zones_10min``, ...), forecast.csv (the distance tables with a
    ``minutes`` column), and returns the paths by name."""
    import pandas as pd

    out.mkdir(parents=True, exist_ok=True)
    gpkg = out / "forecast.gpkg"
    gpkg.unlink(missing_ok=True)
    tables = []
    for horizon, result in forecast.horizons.items():
        minutes = round(horizon / 60)
        zones = result.zones[~result.zones.geometry.is_empty]
        if len(zones):
            zones.to_crs(WGS84).to_file(gpkg, layer=f"zones_{minutes}min", driver="GPKG")
        table = result.distance_table()
        table.insert(0, "minutes", minutes)
        tables.append(table)
    csv = out / "forecast.csv"
    pd.concat(tables).to_csv(csv, index=False)
    return {"gpkg": gpkg, "table": csv}
