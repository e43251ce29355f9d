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

Scenario GeoPackage (``write_scenario``, an engine run), layers and their columns (times in
s from the scenario start, concentrations in kg/m3, NaN where something did not happen):

- ``persons``: one point per person at their last position (destination, shelter or
  where the run ended): person (index), building, mode (foot/car), destination,
  start_node, status (in_building, sheltered, walking, queued, arrived, held),
  premovement_s, warned_s, departure_s, exit_s, arrival_s, waiting_s, rerouted,
  peak_kg_m3 (outdoor or indoor air breathed), dose_kg_s_m3 (integral of C dt),
  toxic_load (probit units), p_death_toxic, thermal_dose ((W/m2)^(4/3) s),
  p_death_thermal, p_death (NaN where not computed: no sourced toxic probit, the reason is
  in key_figures), above_<level> (peak at or above each level of concern);
- ``routes``: one line per person who moved, through the waypoints of the trajectory:
  person, building, mode, destination, status, start_s (starts moving), end_s (last
  waypoint), length_m (in the park's metric CRS), times_s (the waypoints' times,
  space-separated, one per vertex);
- ``buildings``: the buildings that held people, outlines with persons,
  outdoor_peak_kg_m3, indoor_peak_kg_m3, expected_fatalities, warned_s, last_exit_s,
  air_changes_per_h (the run's mean), above_<level> (persons);
- ``offsite``: the targets outside the park: target, name, kind, persons, receptors (points
  sampled), warned_s, outdoor_peak_kg_m3, indoor_peak_kg_m3, air_changes_per_h (mean),
  expected_fatalities, above_<level> (persons, rounded);
- ``sensors``: the park's sensors (tag, kind, unit, asset, chemical, alarm thresholds in
  the sensor's unit) with alarms (count raised), first_AL1_s, first_AL2_s, alarm_times_s
  (every raise: "time level", comma-separated);
- ``cloud``: the footprint of each level of concern per cloud frame of the run (every
  minute): level, threshold_kg_m3, t0_s (frame time), t1_s (next frame), area_m2;
- ``cloud_reach``: where the cloud reached each level at any frame (the union of its
  footprints), with the zone columns of ``viz.deckmap.ZONE_COLUMNS``: hazard, level,
  threshold (text), distance_m (the engine's farthest extent of the level), area_m2,
  people (persons whose peak reached the level).

Empty layers (no sensors, a cloud below every level) are left out. The tables of
``ScenarioResult.write`` (timeline, events, alarms, persons, buildings, zones,
key_figures, trajectories) are written as CSV next to it.

Zones are also written as ``zones.geojson`` (RFC 7946, EPSG:4326); a scenario's persons and
cloud reach as ``persons.geojson`` and ``cloud_reach.geojson``.
"""

import re
import tempfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geodata.crs import WGS84

# What may stay in a file name built from an id: letters of any script, digits, - _ . @
_UNSAFE = re.compile(r"[^\w.@-]")


def output_folder(path) -> Path:
    """Create the folder ``path`` (with its parents) and prove it writable by writing and
    removing a file in it, before any work whose results would go there.

    Raises
    ------
    ValueError
        One line naming the folder and why it cannot be written.
    """
    path = Path(path)
    try:
        path.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path, prefix=".parktwin-write-test-"):
            pass
    except OSError as err:
        raise ValueError(f"{path}: cannot write results there ({err.strerror or err})") from None
    return path


def named_after(out: Path, name: str) -> Path:
    """``out / name`` for a ``name`` built from ids (a tank id, a tag), made a single entry
    inside ``out``: any character but letters, digits, '-', '_', '.' and '@' becomes '_', and
    a name of dots only becomes '_' (so "../../x" cannot climb out)."""
    safe = _UNSAFE.sub("_", name)
    if not safe.strip("."):
        safe = "_"
    path = Path(out) / safe
    if path.resolve().parent != Path(out).resolve():
        raise ValueError(f"{name!r}: not a file name inside {out}")
    return path


def write_zones(result, park, out: Path) -> dict[str, Path]:
    """Write a zones result to ``out``: zones.gpkg, zones.csv (the distance table),
    affected.csv and plan.csv (assembly points, gates and roads in each zone). Returns the
    paths by name."""
    out.mkdir(parents=True, exist_ok=True)
    gpkg = out / "zones.gpkg"
    gpkg.unlink(missing_ok=True)
    zones = result.zones[~result.zones.geometry.is_empty]
    zones.to_crs(WGS84).to_file(gpkg, layer="zones", driver="GPKG")
    zones.to_crs(WGS84).to_file(out / "zones.geojson", driver="GeoJSON")
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
    plan = out / "plan.csv"
    result.plan.to_csv(plan, index=False)
    people = out / "affected.csv"
    result.affected.to_csv(people, index=False)
    return {
        "gpkg": gpkg,
        "geojson": out / "zones.geojson",
        "table": table,
        "affected": people,
        "plan": plan,
    }


def write_forecast(forecast, park, out: Path) -> dict[str, Path]:
    """Write a forecast (``scenarios.forecast.Forecast``): forecast.gpkg with one zones
    layer per horizon (``zones_10min``, ...), forecast.csv (the distance tables with a
    ``minutes`` column), plan.csv (assembly points, gates and roads in each horizon's zones),
    and returns the paths by name."""
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
    plans = [
        r.plan.assign(minutes=round(h / 60)) for h, r in forecast.horizons.items() if len(r.plan)
    ]
    plan = out / "plan.csv"
    (pd.concat(plans) if plans else next(iter(forecast.horizons.values())).plan).to_csv(
        plan, index=False
    )
    return {"gpkg": gpkg, "table": csv, "plan": plan}


def write_scenario(result, park, out: Path) -> dict[str, Path]:
    """Write an engine run (``scenarios.results.ScenarioResult``) to ``out``: results.gpkg
    (layers and columns in the module docstring) and the result's CSV tables. Returns the
    paths by name ('gpkg', and each table's name)."""
    from viz.animation import cloud_footprints, cloud_zones

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    gpkg = out / "results.gpkg"
    gpkg.unlink(missing_ok=True)
    crs = result.crs if result.crs is not None else park.crs
    layers = {
        "persons": _persons_layer(result, crs),
        "routes": _routes_layer(result, crs),
        "buildings": _buildings_layer(result, park),
        "sensors": _sensors_layer(result, park),
        "offsite": _offsite_layer(result, park),
    }
    footprints = cloud_footprints(result)
    if footprints:
        t0, t1, level, shapes = zip(*footprints, strict=True)
        layers["cloud"] = gpd.GeoDataFrame(
            {
                "level": level,
                "threshold_kg_m3": [result.levels[k] for k in level],
                "t0_s": t0,
                "t1_s": t1,
                "area_m2": [g.area for g in shapes],
            },
            geometry=list(shapes),
            crs=crs,
        )
        reach = cloud_zones(result, crs)
        layers["cloud_reach"] = reach[~reach.geometry.is_empty]
    for name, frame in layers.items():
        if len(frame):
            frame.to_crs(WGS84).to_file(gpkg, layer=name, driver="GPKG")
            if name in ("persons", "cloud_reach"):
                frame.to_crs(WGS84).to_file(out / f"{name}.geojson", driver="GeoJSON")
    paths = {"gpkg": gpkg}
    for path in result.write(out, formats=("csv",)):
        paths[path.stem] = path
    return paths


def _persons_layer(result, crs) -> gpd.GeoDataFrame:
    last = np.array([np.asarray(t, float).reshape(-1, 3)[-1, 1:] for t in result.trajectories])
    persons = result.persons.drop(columns="route").rename_axis("person").reset_index()
    return gpd.GeoDataFrame(persons, geometry=shapely.points(last.reshape(-1, 2)), crs=crs)


def _routes_layer(result, crs) -> gpd.GeoDataFrame:
    rows, lines = [], []
    p = result.persons
    for k, traj in enumerate(result.trajectories):
        traj = np.asarray(traj, float).reshape(-1, 3)
        moved = np.flatnonzero(np.any(traj[:, 1:] != traj[0, 1:], axis=1))
        if not moved.size:
            continue
        line = shapely.linestrings(traj[:, 1:])
        lines.append(line)
        rows.append(
            {
                "person": k,
                "building": p["building"].iloc[k],
                "mode": p["mode"].iloc[k],
                "destination": p["destination"].iloc[k],
                "status": p["status"].iloc[k],
                "start_s": float(traj[moved[0] - 1, 0]),
                "end_s": float(traj[-1, 0]),
                "length_m": float(line.length),
                "times_s": " ".join(f"{t:.1f}" for t in traj[:, 0]),
            }
        )
    return gpd.GeoDataFrame(pd.DataFrame(rows), geometry=lines, crs=crs)


def _offsite_layer(result, park) -> gpd.GeoDataFrame:
    """The targets outside the park with the run's figures (``ScenarioResult.offsite``)."""
    table = result.offsite.reset_index()
    if not len(table):
        return gpd.GeoDataFrame(table, geometry=[], crs=park.crs)
    shapes = park.targets.geometry.reindex(table["target"]).to_numpy()
    return gpd.GeoDataFrame(table, geometry=shapes, crs=park.crs)


def _buildings_layer(result, park) -> gpd.GeoDataFrame:
    table = result.buildings.reset_index()
    shapes = park.buildings.geometry.reindex(table["building"]).to_numpy()
    return gpd.GeoDataFrame(table, geometry=shapes, crs=park.crs)


def _sensors_layer(result, park) -> gpd.GeoDataFrame:
    sensors = park.sensors.drop(columns=["cas"], errors="ignore").rename_axis("tag")
    alarms = result.alarms.sort_values("time_s") if len(result.alarms) else result.alarms
    counts, al1, al2, times = [], [], [], []
    for tag in sensors.index:
        mine = alarms[alarms["tag"] == tag] if len(alarms) else alarms
        counts.append(len(mine))
        for store, level in ((al1, "AL1"), (al2, "AL2")):
            hit = mine.loc[mine["level"] == level, "time_s"] if len(mine) else []
            store.append(float(hit.min()) if len(hit) else np.nan)
        times.append(
            ", ".join(f"{t:.0f} {lv}" for t, lv in zip(mine["time_s"], mine["level"], strict=True))
            if len(mine)
            else ""
        )
    return sensors.assign(
        alarms=counts, first_AL1_s=al1, first_AL2_s=al2, alarm_times_s=times
    ).reset_index()
