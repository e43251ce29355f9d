"""Every kind of bad park input gets one clear line naming file, layer, feature and field."""

import subprocess
import sys
from pathlib import Path

import pytest
from shapely.geometry import Point, box

from geodata import ParkError, load_park
from physics.substances import resolve
from tests.parks import demo_layers, write_geojson_dir, write_gpkg


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


def test_tank_outside_boundary_is_a_warning(tmp_path):
    def edit(layers):
        t = layers["tanks"]
        t.loc[t["id"] == "EA-101", "geometry"] = Point(119.87, 28.38)

    park = load_park(broken(tmp_path, edit), resolve_chemical=resolve)
    assert any("feature 'EA-101': lies outside the park boundary" in w for w in park.warnings)


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
