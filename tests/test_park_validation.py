"""Every kind of bad park input gets one clear line naming file, layer, feature and field."""

import math
import subprocess
import sys
from pathlib import Path

import pytest
import shapely.affinity
from shapely.geometry import LineString, Point, Polygon, box

import twin
from geodata import ParkError, load_park
from geodata.load import park_from_layers
from physics.substances import resolve
from tests.parks import demo_layers, small_layers, write_geojson_dir, write_gpkg


def broken(tmp_path, edit, fmt="gpkg"):
    layers = demo_layers()
    edit(layers)
    if fmt == "gpkg":
        return write_gpkg(layers, tmp_path / "park.gpkg")
    return write_geojson_dir(layers, tmp_path / "park")


def load_error(path) -> str:
    with pytest.raises(ParkError) as err:
        load_park(path, resolve_chemical=resolve)
    message = str(err.value)
    assert "\n" not in message
    return message


def set_value(layer, fid, field, value, id_field="id"):
    def edit(layers):
        frame = layers[layer]
        if isinstance(value, str) and field in frame and frame[field].dtype != object:
            frame[field] = frame[field].astype(object)
        frame.loc[frame[id_field] == fid, field] = value

    return edit


def test_missing_layer(tmp_path):
    msg = load_error(broken(tmp_path, lambda ls: ls.pop("tanks")))
    assert "park.gpkg, layer 'tanks': layer is missing" in msg


def test_missing_field(tmp_path):
    def edit(layers):
        layers["tanks"] = layers["tanks"].drop(columns="fill_pct")

    msg = load_error(broken(tmp_path, edit))
    assert "layer 'tanks', field 'fill_pct': field is missing" in msg


def test_wrong_geometry_type(tmp_path):
    def edit(layers):
        t = layers["tanks"]
        x, y = t.loc[t["id"] == "ME-101", "geometry"].iloc[0].coords[0]
        t.loc[t["id"] == "ME-101", "geometry"] = box(x, y, x + 0.0001, y + 0.0001)

    msg = load_error(broken(tmp_path, edit))
    assert "feature 'ME-101', field 'geometry': expected Point, got Polygon" in msg


def test_no_crs(tmp_path):
    def edit(layers):
        layers["buildings"] = layers["buildings"].set_crs(None, allow_override=True)

    msg = load_error(broken(tmp_path, edit))
    assert "layer 'buildings': has no CRS" in msg


def test_duplicate_id(tmp_path):
    msg = load_error(broken(tmp_path, set_value("tanks", "ME-102", "id", "ME-101")))
    assert "layer 'tanks', feature 'ME-101', field 'id': duplicate id" in msg


def test_duplicate_asset_id_across_layers(tmp_path):
    msg = load_error(broken(tmp_path, set_value("buildings", "B-CANTEEN", "id", "ME-101")))
    assert "feature 'ME-101'" in msg and "duplicate asset id" in msg


def test_unknown_chemical(tmp_path):
    msg = load_error(broken(tmp_path, set_value("tanks", "BZ-101", "chemical", "unobtainium")))
    assert (
        "layer 'tanks', feature 'BZ-101', field 'chemical': unknown chemical 'unobtainium'" in msg
    )


def test_fill_above_100_percent(tmp_path):
    msg = load_error(broken(tmp_path, set_value("tanks", "TL-101", "fill_pct", 120.0)))
    assert "feature 'TL-101', field 'fill_pct': expected a number from 0 to 100, got 120.0" in msg


def test_zero_diameter(tmp_path):
    msg = load_error(broken(tmp_path, set_value("tanks", "TL-101", "diameter_m", 0.0)))
    assert "feature 'TL-101', field 'diameter_m': expected a number greater than 0" in msg


def test_negative_size(tmp_path):
    msg = load_error(broken(tmp_path, set_value("pipelines", "P-NH3-01", "diameter_mm", -80.0)))
    assert "feature 'P-NH3-01', field 'diameter_mm': expected a number greater than 0" in msg


def test_impossible_capacity(tmp_path):
    msg = load_error(broken(tmp_path, set_value("tanks", "CL-101", "capacity_m3", 500.0)))
    assert "feature 'CL-101', field 'capacity_m3': 500 m3 does not fit" in msg


def test_not_a_number(tmp_path):
    msg = load_error(
        broken(tmp_path, set_value("buildings", "B-DORM-1", "occupants_night", "many"), "geojson")
    )
    assert (
        "buildings.geojson, layer 'buildings', feature 'B-DORM-1', field 'occupants_night'" in msg
    )


def test_bad_choice(tmp_path):
    msg = load_error(broken(tmp_path, set_value("tanks", "AN-101", "shape", "cube")))
    assert "field 'shape': expected one of vertical_cylinder, horizontal_cylinder, sphere" in msg


def test_unknown_reference(tmp_path):
    msg = load_error(broken(tmp_path, set_value("tanks", "AN-101", "enterprise", "E99")))
    assert "feature 'AN-101', field 'enterprise': expected an enterprise id, got 'E99'" in msg


def test_sensor_unit_must_fit_its_kind(tmp_path):
    msg = load_error(
        broken(tmp_path, set_value("sensors", "LT-ME101", "unit", "ppm", id_field="tag"))
    )
    assert (
        "layer 'sensors', feature 'LT-ME101', field 'unit': a level sensor reads in m, mm, %" in msg
    )


def move(layer, fid, shape, id_field="id"):
    """Replace a feature's geometry by ``shape(old_geometry)``."""

    def edit(layers):
        frame = layers[layer]
        old = frame.loc[frame[id_field] == fid, "geometry"].iloc[0]
        frame.loc[frame[id_field] == fid, "geometry"] = shape(old)

    return edit


def test_tank_outside_boundary(tmp_path):
    # 0.06 deg of longitude is about 6 km at the demo park's latitude
    msg = load_error(broken(tmp_path, move("tanks", "EA-101", lambda p: Point(p.x + 0.06, p.y))))
    assert "feature 'EA-101', field 'geometry': expected it inside the park boundary" in msg


def test_tank_outside_its_enterprise(tmp_path):
    def edit(layers):
        tanks = layers["tanks"]
        other = tanks.loc[tanks["enterprise"] != "E03"].iloc[0]
        tanks.loc[tanks["id"] == other["id"], "enterprise"] = "E03"
        edit.fid = other["id"]

    msg = load_error(broken(tmp_path, edit))
    assert f"feature '{edit.fid}', field 'geometry': expected it inside the plot of its " in msg
    assert "enterprise 'E03'" in msg


# 0.06 deg of longitude is about 6 km at the demo park's latitude; 0.005 deg about 500 m.
def east(degrees):
    return lambda g: shapely.affinity.translate(g, degrees)


@pytest.mark.parametrize(
    ("layer", "fid", "id_field", "shape", "expected"),
    [
        ("pipelines", "P-NH3-01", "id", east(0.06), "expected it inside the park boundary"),
        ("assembly_points", "AP-2", "id", east(0.06), "expected it inside the park boundary"),
        ("sensors", "AT-HS01", "tag", east(0.06), "expected it inside the park boundary"),
        (
            "sensors",
            "LT-CL101",
            "tag",
            lambda g: demo_layers()["tanks"].set_index("id").geometry["LP-101"],
            "expected it inside the plot of enterprise 'E01' that owns its tank 'CL-101'",
        ),
        (
            "gates",
            "G-E",
            "id",
            east(-0.005),
            "expected a gate on the park boundary (within 50 m of its line), got one 490 m "
            "inside it",
        ),
        (
            "targets",
            "T-SCH",
            "id",
            east(0.2),
            "expected a target within 10 km of the park boundary (no effect the models "
            "compute reaches farther), got one 18.0 km away",
        ),
    ],
    ids=["pipeline", "assembly-point", "sensor", "tank-sensor", "gate", "target"],
)
def test_asset_out_of_place(tmp_path, layer, fid, id_field, shape, expected):
    msg = load_error(broken(tmp_path, move(layer, fid, shape, id_field)))
    assert f"park.gpkg, layer '{layer}', feature '{fid}', field 'geometry': {expected}" in msg


def test_a_target_may_lie_inside_the_park(tmp_path):
    """A village not yet moved out of a park is a target inside its boundary."""
    boundary = demo_layers()["boundary"].geometry.iloc[0]
    park = load_park(broken(tmp_path, move("targets", "T-VIL", lambda g: boundary.centroid)))
    assert park.targets.geometry["T-VIL"].within(park.boundary.union_all())


def test_targets_are_checked_out_to_the_reach_of_the_zones():
    from geodata.load import TARGET_REACH_M
    from scenarios.zones import MAX_DISTANCE_M

    assert TARGET_REACH_M >= MAX_DISTANCE_M


@pytest.mark.parametrize(
    ("shape", "expected"),
    [
        (lambda p: Point(1e12, 1e12), "coordinates (1e+12, 1e+12) lie outside the area of use"),
        (lambda p: Point(p.y, p.x), "WGS 84 (longitude -180 to 180, latitude -90 to 90)"),
        (lambda p: Point(math.nan, p.y), "geometry is empty"),  # how GDAL reads a NaN point
    ],
    ids=["huge", "swapped", "nan"],
)
def test_coordinates_that_cannot_be_on_earth(tmp_path, shape, expected):
    msg = load_error(broken(tmp_path, move("tanks", "NH-101", shape), "geojson"))
    assert "feature 'NH-101', field 'geometry'" in msg and expected in msg


def test_crs_label_that_contradicts_the_coordinates(tmp_path):
    def edit(layers):
        for name in layers:  # metres of UTM 50N labelled as longitude/latitude, and back
            layers[name] = layers[name].to_crs(32650).set_crs(4326, allow_override=True)

    assert "outside the area of use of its CRS WGS 84" in load_error(broken(tmp_path, edit))

    def edit_utm(layers):
        for name in layers:
            layers[name] = layers[name].set_crs(32650, allow_override=True)

    (tmp_path / "utm").mkdir()
    msg = load_error(broken(tmp_path / "utm", edit_utm))
    assert "outside the area of use of its CRS WGS 84 / UTM zone 50N (longitude 114 to 120" in msg


def test_nan_vertex(tmp_path):
    def nan_vertex(g):
        x0, y0, x1, y1 = g.bounds
        return Polygon([(x0, y0), (x1, y0), (math.nan, y1), (x0, y1)])

    msg = load_error(broken(tmp_path, move("buildings", "B-LAB", nan_vertex)))
    assert "feature 'B-LAB', field 'geometry': expected finite coordinates, got NaN" in msg


def _bowtie(g):
    x0, y0, x1, y1 = g.bounds
    return Polygon([(x0, y0), (x1, y1), (x1, y0), (x0, y1)])


def _flat(g):
    x0, y0, x1, _ = g.bounds
    return Polygon([(x0, y0), (x1, y0), ((x0 + x1) / 2, y0)])


@pytest.mark.parametrize(
    ("layer", "fid", "shape", "expected"),
    [
        ("buildings", "B-DORM-1", _bowtie, "expected a valid shape, got Self-intersection"),
        ("buildings", "B-DORM-1", _flat, "expected a"),
        ("enterprises", "E01", _flat, "expected a"),
        (
            "roads",
            "R-EW400",
            lambda g: LineString([g.coords[0], g.coords[0]]),
            "expected a valid shape, got Too few points",
        ),
    ],
    ids=["self-intersecting", "zero-area building", "zero-area plot", "one-point road"],
)
def test_invalid_and_degenerate_shapes(tmp_path, layer, fid, shape, expected):
    msg = load_error(broken(tmp_path, move(layer, fid, shape)))
    assert f"layer '{layer}', feature '{fid}', field 'geometry': {expected}" in msg


def test_sizes_that_overflow_or_cannot_fit(tmp_path):
    msg = load_error(broken(tmp_path, set_value("tanks", "NH-101", "diameter_m", 1e308)))
    assert "feature 'NH-101', field 'diameter_m': a sphere of these dimensions has no finite" in msg
    (tmp_path / "b").mkdir()
    msg = load_error(broken(tmp_path / "b", set_value("tanks", "NH-101", "diameter_m", 1e5)))
    assert "a tank 100000 m wide does not fit in the plot of its enterprise" in msg
    (tmp_path / "c").mkdir()
    msg = load_error(
        broken(tmp_path / "c", set_value("pipelines", "P-NH3-01", "diameter_mm", 1e300))
    )
    assert "field 'diameter_mm': a pipe of 1e+300 mm is wider than the line is long" in msg


def test_chemical_the_library_matches_but_cannot_describe(tmp_path):
    # "inf" is a synonym of furonazide in the chemicals library's PubChem index; it has no
    # critical volume or acentric factor, so no density or vapour pressure could be computed.
    with pytest.raises(ParkError) as err:
        twin.load_park(broken(tmp_path, set_value("tanks", "NH-101", "chemical", "inf")))
    msg = str(err.value)
    assert "field 'chemical': 'inf' is furonazide (CAS 3460-67-1)" in msg
    assert "lacks the critical volume, acentric factor" in msg


def test_unreachable_buildings_are_listed(tmp_path):
    def edit(layers):
        b = layers["buildings"]
        for fid, dx in (("B-LAB", 0.05), ("B-SUB", 0.06)):
            geom = b.loc[b["id"] == fid, "geometry"].iloc[0]
            x, y = geom.centroid.x + dx, geom.centroid.y
            b.loc[b["id"] == fid, "geometry"] = box(x, y, x + 0.0003, y + 0.0003)

    msg = load_error(broken(tmp_path, edit))
    assert "layer 'roads'" in msg
    assert "2 feature(s) cannot reach a gate or assembly point by road: B-LAB, B-SUB" in msg


def test_malformed_file(tmp_path):
    path = tmp_path / "park.gpkg"
    path.write_bytes(b"this is not a geopackage")
    assert "cannot be read as a GeoPackage" in load_error(path)


def test_missing_file(tmp_path):
    assert "no such file or folder" in load_error(tmp_path / "nowhere.gpkg")


def test_cli_prints_one_line_and_exits_2(tmp_path):
    path = broken(tmp_path, set_value("tanks", "TL-101", "fill_pct", 120.0))
    done = subprocess.run(
        [sys.executable, "-m", "cli", "park", "info", str(path)], capture_output=True, text=True
    )
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1
    assert lines[0].startswith("parktwin: error: ") and "field 'fill_pct'" in lines[0]


def test_negative_leakage(tmp_path):
    msg = load_error(broken(tmp_path, set_value("buildings", "B-DORM-1", "leakage_m3_h_m2", -1.0)))
    assert "feature 'B-DORM-1', field 'leakage_m3_h_m2': expected a number greater than 0" in msg


def test_target_without_population(tmp_path):
    msg = load_error(broken(tmp_path, set_value("targets", "T-HOS", "population_night", None)))
    assert "feature 'T-HOS', field 'population_night'" in msg


def test_run_with_a_negative_target_leakage_prints_one_line_and_exits_2(tmp_path):
    path = broken(tmp_path, set_value("targets", "T-RES", "leakage_m3_h_m2", -2.0))
    scenario = tmp_path / "s.toml"
    text = (Path(__file__).parents[1] / "scenarios" / "demo" / "h2s_wind_shift.toml").read_text()
    scenario.write_text(text.replace('park = "demo"', f'park = "{path}"'))
    done = subprocess.run(
        [sys.executable, "-m", "cli", "run", str(scenario), "--out", str(tmp_path / "out")],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 2
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "field 'leakage_m3_h_m2'" in lines[0]


def _from_frames(layers):
    raw = {name: (frame, f"small/{name}.geojson") for name, frame in layers.items()}
    with pytest.raises(ParkError) as err:
        park_from_layers(raw, "small", resolve_chemical=resolve)
    return str(err.value)


def test_an_id_with_a_line_break_is_named_on_one_line():
    """Found by the fuzz run: the id is written escaped, the message stays one line."""
    layers = small_layers()
    layers["tanks"].loc[0, "id"] = "T\n1"
    layers["tanks"].loc[0, "chemical"] = None
    msg = _from_frames(layers)
    assert msg.startswith(
        "small/tanks.geojson, layer 'tanks', feature 'T\\n1', field 'chemical': expected a value"
    )


def test_roads_too_short_for_a_segment_strand_everyone():
    """Found by the fuzz run: a road of 1 cm far from everything (longitude/latitude labelled
    as Web Mercator metres) left the road graph without a node."""
    layers = small_layers()
    layers["roads"] = layers["roads"].set_crs(3857, allow_override=True)
    msg = _from_frames(layers)
    assert msg.startswith("small/roads.geojson, layer 'roads': 4 feature(s) cannot reach a gate")


def test_a_plot_a_quarter_of_the_globe_away_is_named_not_a_geos_error():
    """Found by the fuzz run (10,000 parks): an enterprise moved to 30 E, 7 N while the
    park lies at 120 E had no finite coordinates in the park's UTM zone, and buffering it
    raised GEOSException ("Shell empty after removing invalid points")."""
    layers = small_layers()
    plots = layers["enterprises"]
    plots["geometry"] = plots.geometry.translate(-89.93, -21.3)
    msg = _from_frames(layers)
    assert msg.startswith("small/enterprises.geojson, layer 'enterprises', feature 'E1'")
    assert "too far from the park's boundary" in msg
