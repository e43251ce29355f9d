"""Loading a park from a GeoPackage or a folder of GeoJSON files, with strict validation.

Every problem raises ``ParkError`` with one line naming the file, the layer, the feature
and the field. Besides the fields' types and bounds (``geodata.schema``), the geometry is
checked: coordinates must be finite and inside the area of use that the EPSG registry gives
for the layer's CRS (``pyproj.CRS.area_of_use``: coordinates outside it mean a CRS label
that contradicts them, or swapped axes); shapes must be valid in the OGC Simple Features
sense (``shapely.is_valid_reason``), polygons must have an area and lines a length; tanks
must lie inside the park boundary and inside their enterprise's plot, a building inside
the plot of the enterprise it names, and every enterprise plot inside the boundary; so must
pipelines and assembly points (inside the boundary), and sensors (a tank's sensor inside the
plot of the tank's enterprise, any other inside the boundary). A gate lies on the boundary
(within ``GATE_OFF_BOUNDARY_M``); a target anywhere (a village not yet moved out may lie
inside a park) but within ``TARGET_REACH_M`` of the boundary: farther than any zone is
drawn, it is a misplaced feature, not one the models could reach. Everything inside
something is forgiven 1 m, as digitised outlines rarely share edges exactly.
"""

import math
from collections.abc import Callable
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely

from geodata.crs import WGS84, utm_crs
from geodata.errors import ParkError
from geodata.park import Park
from geodata.roads import build_road_network
from geodata.schema import GAS_KINDS, LAYERS, SENSOR_UNITS, Field, Layer

DEMO_PARK = Path(__file__).parent / "demo" / "demo_park.gpkg"
_ROUTED = ("buildings", "gates", "assembly_points")
# Our choices for where a feature may lie (module docstring): a gate drawn at its gatehouse
# rather than exactly on the fence; and targets out to the farthest distance any consequence
# model draws a zone (scenarios.zones.MAX_DISTANCE_M, 10 km, a test keeps the two in step).
GATE_OFF_BOUNDARY_M = 50.0
TARGET_REACH_M = 10_000.0


def resolve_source(source) -> Path:
    """``"demo"`` is the bundled demo park; ``"large"`` the large demo park (built into the
    cache folder on first use, ``geodata.demo.build_large``); anything else is a path."""
    if str(source) == "large":
        from geodata.demo.build_large import cached_park

        return cached_park()
    return DEMO_PARK if str(source) == "demo" else Path(source)


def load_park(source, resolve_chemical: Callable[[str], str] | None = None) -> Park:
    """Load and validate a park.

    Parameters
    ----------
    source : str or Path
        ``"demo"``, ``"large"``, a GeoPackage file, or a folder with one
        ``<layer>.geojson`` per layer.
    resolve_chemical : callable, optional
        Maps a written chemical name to its CAS number, raising ``LookupError`` for a
        chemical it does not know (``physics.substances.resolve``). Without it chemical
        names are not checked and no ``cas`` column is added.
    """
    path = resolve_source(source)
    return park_from_layers(_read_layers(path), path, resolve_chemical)


def park_from_layers(raw: dict, path, resolve_chemical=None) -> Park:
    """Validate layers as read and build the park (``load_park`` after reading the files).

    ``raw`` maps a layer name to ``(frame, the file to name in errors)``; ``path`` is the
    park's source, named for what is missing."""
    layers = {}
    for name, layer in LAYERS.items():
        if name not in raw:
            if layer.required:
                expected = ", ".join(n for n, lay in LAYERS.items() if lay.required)
                raise ParkError(
                    path, name, problem=f"layer is missing (required layers: {expected})"
                )
            layers[name] = _empty(layer)
            continue
        frame, where = raw[name]
        if frame.empty and not layer.required:
            # An empty file carries no fields to check: an optional layer with no features.
            layers[name] = _empty(layer)
            continue
        if frame.empty:
            raise ParkError(where, name, problem="layer has no features")
        layers[name] = _validate_layer(frame, layer, where)
    _check_references(layers, raw, path)
    if resolve_chemical is not None:
        _resolve_chemicals(layers, raw, path, resolve_chemical)

    for name, frame in layers.items():
        if name in raw:
            _check_area_of_use(frame, name, raw[name][1])
    centre = layers["boundary"].to_crs(WGS84).union_all().centroid
    crs = utm_crs(centre.x, centre.y)
    layers = {name: frame.to_crs(crs) for name, frame in layers.items()}
    _check_projected(layers, raw, crs)
    _check_geometry(layers, raw)

    routed = {fid: geom for name in _ROUTED for fid, geom in layers[name].geometry.items()}
    roads = [(geom, {"id": rid, **row}) for rid, geom, row in _rows(layers["roads"])]
    network = build_road_network(roads, routed)
    exits = list(layers["gates"].index) + list(layers["assembly_points"].index)
    stranded = network.unreachable(list(routed), exits)
    if stranded:
        raise ParkError(
            raw["roads"][1],
            "roads",
            problem=f"{len(stranded)} feature(s) cannot reach a gate or assembly point by "
            f"road: {', '.join(stranded)}",
        )
    return Park(str(path), crs, layers, network)


def _rows(frame):
    cols = [c for c in frame.columns if c != "geometry"]
    yield from zip(frame.index, frame.geometry, frame[cols].to_dict("records"), strict=True)


def _read_layers(path: Path) -> dict[str, tuple[gpd.GeoDataFrame, str]]:
    """Layer name -> (frame, the file to name in errors)."""
    if not path.exists():
        raise ParkError(
            path,
            problem="no such file or folder (give a .gpkg file, a folder of "
            ".geojson files, or 'demo')",
        )
    if path.is_dir():
        files = {p.stem: p for p in sorted(path.glob("*.geojson")) + sorted(path.glob("*.json"))}
    else:
        try:
            names = [n for n, _ in pyogrio.list_layers(path)]
        except Exception as err:
            raise ParkError(
                path, problem=f"cannot be read as a GeoPackage: {_first_line(err)}"
            ) from None
        files = dict.fromkeys(names, path)
    out = {}
    for name in LAYERS:
        if name not in files:
            continue
        file = files[name]
        try:
            frame = gpd.read_file(file, layer=name if file == path else None, engine="pyogrio")
        except Exception as err:
            raise ParkError(file, name, problem=f"cannot be read: {_first_line(err)}") from None
        out[name] = (frame, str(file))
    return out


def _first_line(err) -> str:
    return str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__


def _empty(layer: Layer) -> gpd.GeoDataFrame:
    cols = {f.name: pd.Series(dtype=object) for f in layer.fields if f.name != layer.id_field}
    for f in layer.fields:
        if f.si_name:
            cols[f.si_name] = pd.Series(dtype=float)
    frame = gpd.GeoDataFrame(cols, geometry=gpd.GeoSeries([], crs=WGS84), crs=WGS84)
    frame.index.name = layer.id_field
    return frame


def _validate_layer(frame: gpd.GeoDataFrame, layer: Layer, where: str) -> gpd.GeoDataFrame:
    if frame.crs is None:
        raise ParkError(
            where,
            layer.name,
            problem="has no CRS; save it with a coordinate reference system (e.g. EPSG:4326)",
        )
    if layer.id_field not in frame.columns:
        raise ParkError(where, layer.name, field=layer.id_field, problem="field is missing")
    # Columns read as plain lists once: a GeoDataFrame's column access is slow.
    geometries = list(frame.geometry)
    table = {c: list(v) for c, v in frame.items() if c != frame.geometry.name}
    ids = []
    for k, value in enumerate(table[layer.id_field]):
        if _blank(value):
            raise ParkError(where, layer.name, f"#{k + 1}", layer.id_field, "id is empty")
        ids.append(str(value).strip())
    seen = set()
    for fid in ids:
        if fid in seen:
            raise ParkError(where, layer.name, fid, layer.id_field, "duplicate id")
        seen.add(fid)

    for fid, geom in zip(ids, geometries, strict=True):
        _check_shape(geom, layer, where, fid)
    if layer.name == "boundary" and len(ids) != 1:
        raise ParkError(where, layer.name, problem=f"expected one feature, got {len(ids)}")

    index = pd.Index(ids, name=layer.id_field)
    columns = {}  # built apart and framed once: a GeoDataFrame's column assignment is slow
    for f in layer.fields:
        if f.name == layer.id_field:
            continue
        if f.name not in frame.columns:
            if f.required:
                raise ParkError(
                    where, layer.name, field=f.name, problem=f"field is missing ({f.doc})"
                )
            values = [None] * len(ids)
        else:
            values = [
                _value(v, f, where, layer.name, fid)
                for fid, v in zip(ids, table[f.name], strict=True)
            ]
        columns[f.name] = pd.Series(
            values, index=index, dtype=object if f.kind is not float else float
        )
        if f.si_name:
            columns[f.si_name] = pd.Series(
                [f.to_si(v) if v is not None else math.nan for v in values], index=index
            )
    out = gpd.GeoDataFrame(
        {"geometry": geometries, **columns},
        index=index,
        geometry="geometry",
        crs=frame.crs,
    )
    _check_layer_rules(out, layer, where)
    return out


def _check_shape(geom, layer: Layer, where, fid) -> None:
    """One feature's geometry: present, of the layer's type, finite, valid, not degenerate."""

    def fail(problem):
        raise ParkError(where, layer.name, fid, "geometry", problem)

    if geom is None or geom.is_empty:
        fail("geometry is empty")
    if geom.geom_type not in layer.geometry:
        fail(f"expected {' or '.join(layer.geometry)}, got {geom.geom_type}")
    coords = shapely.get_coordinates(geom)
    if not np.isfinite(coords).all():
        fail("expected finite coordinates, got NaN or infinity")
    if not geom.is_valid:
        fail(f"expected a valid shape, got {shapely.is_valid_reason(geom)}")
    if geom.geom_type.endswith("Polygon") and not geom.area > 0:
        fail("expected a polygon that encloses an area, got one of zero area")
    if geom.geom_type.endswith("LineString") and not geom.length > 0:
        fail("expected a line through at least two distinct points")


def _check_area_of_use(frame: gpd.GeoDataFrame, name: str, where) -> None:
    """Every feature inside the area of use of the layer's CRS (longitude/latitude)."""
    area = frame.crs.area_of_use
    if area is None:
        return
    west, south, east, north = area.bounds
    geometry = frame.geometry if frame.crs == WGS84 else frame.geometry.to_crs(WGS84)
    x0, y0, x1, y1 = shapely.bounds(geometry.to_numpy()).T
    outside = ~(
        np.isfinite([x0, y0, x1, y1]).all(axis=0)
        & (x0 >= west - 1e-9)
        & (x1 <= east + 1e-9)
        & (y0 >= south - 1e-9)
        & (y1 <= north + 1e-9)
    )
    if outside.any():
        fid = frame.index[np.argmax(outside)]
        x, y = shapely.get_coordinates(frame.geometry[fid])[0]
        raise ParkError(
            where,
            name,
            fid,
            "geometry",
            f"coordinates ({x:.6g}, {y:.6g}) lie outside the area of use of its CRS "
            f"{frame.crs.name} (longitude {west:g} to {east:g}, latitude {south:g} to "
            f"{north:g}): is the CRS label wrong, or are x and y swapped?",
        )


def _blank(value) -> bool:
    return (
        value is None
        or (isinstance(value, float) and math.isnan(value))
        or (isinstance(value, str) and not value.strip())
    )


def _value(value, f: Field, where, layer, fid):
    def fail(expected):
        raise ParkError(where, layer, fid, f.name, f"expected {expected}, got {value!r}")

    if _blank(value):
        if f.required:
            fail(f"a value ({f.doc})")
        return None
    if f.kind is str:
        text = str(value).strip()
        if f.choices and text not in f.choices:
            fail(f"one of {', '.join(f.choices)}")
        return text
    if f.kind is bool:
        if isinstance(value, bool | np.bool_) or value in (0, 1):
            return bool(value)
        if str(value).strip().lower() in ("true", "false", "yes", "no"):
            return str(value).strip().lower() in ("true", "yes")
        fail("true or false")
    try:
        number = float(value)
    except (TypeError, ValueError):
        fail(f"a number ({f.doc})")
    if not math.isfinite(number):
        fail("a finite number")
    if f.kind is int:
        if number != int(number):
            fail("a whole number")
        number = int(number)
    low = f.minimum if f.minimum is not None else (0.0 if f.positive else None)
    if f.positive and number <= 0:
        fail("a number greater than 0")
    if (low is not None and number < low) or (f.maximum is not None and number > f.maximum):
        span = f"from {low:g}" if low is not None else ""
        span += f" to {f.maximum:g}" if f.maximum is not None else (" or more" if span else "")
        fail(f"a number {span.strip()}")
    return number


def tank_volume_m3(shape: str, diameter_m: float, length_m: float | None) -> float:
    """Geometric volume of a vessel: vertical or horizontal cylinder (flat ends), sphere."""
    if shape == "sphere":
        return math.pi * diameter_m**3 / 6.0
    return math.pi * diameter_m**2 / 4.0 * length_m


def _check_layer_rules(frame, layer: Layer, where):
    if layer.name == "tanks":
        for fid, row in frame.iterrows():
            if row["shape"] != "sphere" and row["length_m"] is None:
                raise ParkError(
                    where,
                    layer.name,
                    fid,
                    "length_m",
                    f"expected the shell length of a {row['shape']}",
                )
            try:
                volume = tank_volume_m3(row["shape"], row["diameter_m"], row["length_m"])
            except OverflowError:
                volume = math.inf
            if not math.isfinite(volume):
                raise ParkError(
                    where,
                    layer.name,
                    fid,
                    "diameter_m",
                    f"a {row['shape']} of these dimensions has no finite volume",
                )
            if row["capacity_m3"] > 1.05 * volume:
                raise ParkError(
                    where,
                    layer.name,
                    fid,
                    "capacity_m3",
                    f"{row['capacity_m3']:g} m3 does not fit in a {row['shape']} of "
                    f"these dimensions ({volume:.0f} m3)",
                )
    if layer.name == "pipelines":
        chainages = []
        for fid, text in frame["valves_m"].items():
            try:
                valves = sorted(float(p) for p in (text or "").split(";") if p.strip())
            except ValueError:
                raise ParkError(
                    where,
                    layer.name,
                    fid,
                    "valves_m",
                    f"expected chainages in m separated by ';', got {text!r}",
                ) from None
            if any(v < 0 for v in valves):
                raise ParkError(
                    where, layer.name, fid, "valves_m", "expected chainages of 0 m or more"
                )
            chainages.append(valves)
        frame["valve_chainages_m"] = pd.Series(chainages, index=frame.index, dtype=object)
    if layer.name == "sensors":
        for fid, row in frame.iterrows():
            allowed = SENSOR_UNITS[row["kind"]]
            if row["unit"] not in allowed:
                raise ParkError(
                    where,
                    layer.name,
                    fid,
                    "unit",
                    f"a {row['kind']} sensor reads in {', '.join(allowed)}, got {row['unit']!r}",
                )
            if row["kind"] in GAS_KINDS and not row["chemical"]:
                raise ParkError(
                    where,
                    layer.name,
                    fid,
                    "chemical",
                    "a gas detector needs the chemical it is calibrated for",
                )
            if row["range_high"] <= row["range_low"]:
                raise ParkError(
                    where,
                    layer.name,
                    fid,
                    "range_high",
                    f"expected more than range_low ({row['range_low']:g})",
                )
            levels = [
                row[k] for k in ("alarm_low", "alarm_high", "alarm_highhigh") if not _blank(row[k])
            ]
            if levels != sorted(levels):
                raise ParkError(
                    where,
                    layer.name,
                    fid,
                    "alarm_high",
                    "expected alarm_low < alarm_high < alarm_highhigh",
                )


def _check_references(layers, raw, path):
    enterprises = set(layers["enterprises"].index)
    assets = {}
    for name in ("tanks", "pipelines", "buildings"):
        for fid in layers[name].index:
            if fid in assets:
                raise ParkError(
                    raw[name][1],
                    name,
                    fid,
                    "id",
                    f"duplicate asset id (also in layer '{assets[fid]}')",
                )
            assets[fid] = name
    checks = [
        ("tanks", "enterprise", enterprises, "an enterprise id"),
        ("buildings", "enterprise", enterprises, "an enterprise id"),
        ("pipelines", "from_asset", assets, "a tank or building id"),
        ("pipelines", "to_asset", assets, "a tank or building id"),
        ("sensors", "asset", assets, "a tank, pipeline or building id"),
    ]
    for layer, column, known, what in checks:
        for fid, value in layers[layer][column].items():
            if value is not None and value not in known:
                raise ParkError(
                    raw[layer][1], layer, fid, column, f"expected {what}, got {value!r}"
                )


def _resolve_chemicals(layers, raw, path, resolve):
    for name in ("tanks", "pipelines", "sensors"):
        frame = layers[name]
        cas = []
        for fid, chemical in frame["chemical"].items():
            if chemical is None:
                cas.append(None)
                continue
            try:
                cas.append(resolve(chemical))
            except LookupError as err:
                raise ParkError(
                    raw[name][1],
                    name,
                    fid,
                    "chemical",
                    f"{err.args[0] if err.args else f'unknown chemical {chemical!r}'} (give a "
                    "name, CAS number or Chinese common name the chemicals library knows)",
                ) from None
        frame["cas"] = pd.Series(cas, index=frame.index, dtype=object)


def _check_projected(layers, raw, crs) -> None:
    """Every shape has finite coordinates in the park's local UTM zone: one a quarter of
    the globe away from the boundary has none there (the projection gives inf)."""
    for name, frame in layers.items():
        if np.isfinite(shapely.get_coordinates(frame.geometry.values)).all():
            continue
        for fid, geom in frame.geometry.items():
            if geom is not None and not np.isfinite(shapely.get_coordinates(geom)).all():
                raise ParkError(
                    raw[name][1] if name in raw else "",
                    name,
                    fid,
                    "geometry",
                    f"too far from the park's boundary to be placed in its local metric CRS "
                    f"({crs.name}): expected it near the park",
                )


def _check_geometry(layers, raw) -> None:
    """Where things lie, in the park's metric CRS (see the module docstring)."""
    # Digitised plots and their contents rarely share edges exactly: forgive 1 m.
    tolerance_m = 1.0
    boundary = layers["boundary"].union_all().buffer(tolerance_m)
    plots = layers["enterprises"].geometry.buffer(tolerance_m)

    def outside(layer, fid, where_it_should_be):
        raise ParkError(
            raw[layer][1], layer, fid, "geometry", f"expected it inside {where_it_should_be}"
        )

    for layer in ("enterprises", "pipelines", "assembly_points"):
        for fid, geom in layers[layer].geometry.items():
            if not boundary.covers(geom):
                outside(layer, fid, "the park boundary")
    for layer in ("tanks", "buildings"):
        for fid, row in layers[layer].iterrows():
            if layer == "tanks" and not boundary.covers(row.geometry):
                outside(layer, fid, "the park boundary")
            if row["enterprise"] is not None and not plots[row["enterprise"]].covers(row.geometry):
                outside(layer, fid, f"the plot of its enterprise '{row['enterprise']}'")
    owners = layers["tanks"]["enterprise"]
    for fid, row in layers["sensors"].iterrows():
        if row["asset"] in owners.index:
            owner = owners[row["asset"]]
            if not plots[owner].covers(row.geometry):
                outside(
                    "sensors",
                    fid,
                    f"the plot of enterprise '{owner}' that owns its tank '{row['asset']}'",
                )
        elif not boundary.covers(row.geometry):
            outside("sensors", fid, "the park boundary")
    line = layers["boundary"].union_all().boundary
    for fid, geom in layers["gates"].geometry.items():
        off = line.distance(geom)
        if off > GATE_OFF_BOUNDARY_M:
            side = "inside" if boundary.covers(geom) else "outside"
            raise ParkError(
                raw["gates"][1],
                "gates",
                fid,
                "geometry",
                f"expected a gate on the park boundary (within {GATE_OFF_BOUNDARY_M:g} m of "
                f"its line), got one {off:,.0f} m {side} it",
            )
    park = layers["boundary"].union_all()
    for fid, geom in layers["targets"].geometry.items():
        off = park.distance(geom)
        if off > TARGET_REACH_M:
            raise ParkError(
                raw["targets"][1],
                "targets",
                fid,
                "geometry",
                f"expected a target within {TARGET_REACH_M / 1000:g} km of the park boundary "
                f"(no effect the models compute reaches farther), got one {off / 1000:,.1f} km "
                "away",
            )
    for fid, row in layers["tanks"].iterrows():
        plot = layers["enterprises"].geometry[row["enterprise"]]
        x0, y0, x1, y1 = plot.bounds
        across = math.hypot(x1 - x0, y1 - y0)
        if row["diameter_m"] > across:
            raise ParkError(
                raw["tanks"][1],
                "tanks",
                fid,
                "diameter_m",
                f"a tank {row['diameter_m']:g} m wide does not fit in the plot of its "
                f"enterprise '{row['enterprise']}' ({across:,.0f} m across)",
            )
    for fid, row in layers["pipelines"].iterrows():
        if row["diameter_m"] > row.geometry.length:
            raise ParkError(
                raw["pipelines"][1],
                "pipelines",
                fid,
                "diameter_mm",
                f"a pipe of {row['diameter_mm']:g} mm is wider than the line is long "
                f"({row.geometry.length:,.0f} m)",
            )
        if any(v > row.geometry.length + 1.0 for v in row["valve_chainages_m"]):
            raise ParkError(
                raw["pipelines"][1],
                "pipelines",
                fid,
                "valves_m",
                f"a valve lies beyond the end of the line ({row.geometry.length:.0f} m)",
            )
