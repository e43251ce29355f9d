"""The outputs of an engine run for GIS and for the reader: results.gpkg, its CSVs, and the
HTML report.

Every GeoPackage layer is read back with geopandas and checked for CRS (EPSG:4326),
documented columns and valid geometry; values are checked against the result itself (an
internal consistency check: no published example applies to an export).
"""

import re

import geopandas as gpd
import numpy as np
import pyogrio
import pytest
from numpy.testing import assert_allclose

import twin
from scenarios import engine, scenario_file
from tests.report_text import assert_reads_well, headings, visible_text
from viz.deckmap import ZONE_COLUMNS, zones_wgs84
from viz.export import write_scenario
from viz.report import SCENARIO_SECTIONS, scenario_report
from viz.timeline import timeline_figure

FLAGSHIP = "scenarios/demo/drill_nb101.toml"
LAYER_COLUMNS = {
    "persons": {
        "person",
        "building",
        "status",
        "exit_s",
        "arrival_s",
        "peak_kg_m3",
        "dose_kg_s_m3",
        "p_death",
        "above_AEGL-2",
        "above_AEGL-3",
    },
    "routes": {"person", "building", "destination", "start_s", "end_s", "length_m", "times_s"},
    "buildings": {
        "building",
        "persons",
        "outdoor_peak_kg_m3",
        "indoor_peak_kg_m3",
        "expected_fatalities",
        "warned_s",
        "above_AEGL-2",
        "above_AEGL-3",
    },
    "sensors": {"tag", "kind", "alarms", "first_AL1_s", "first_AL2_s", "alarm_times_s"},
    "offsite": {
        "target",
        "name",
        "kind",
        "persons",
        "warned_s",
        "indoor_peak_kg_m3",
        "air_changes_per_h",
        "expected_fatalities",
        "above_AEGL-3",
    },
    "cloud": {"level", "threshold_kg_m3", "t0_s", "t1_s", "area_m2"},
    "cloud_reach": set(ZONE_COLUMNS) - {"geometry"},
}


@pytest.fixture(scope="module")
def park():
    return twin.load_park("demo")


@pytest.fixture(scope="module")
def scenario():
    return scenario_file.load(FLAGSHIP)


@pytest.fixture(scope="module")
def result(park, scenario):
    return engine.run(scenario, park)


@pytest.fixture(scope="module")
def written(result, park, tmp_path_factory):
    return write_scenario(result, park, tmp_path_factory.mktemp("scenario"))


def test_every_layer_reads_back_in_wgs84_with_its_columns(written):
    layers = dict(pyogrio.list_layers(written["gpkg"]))
    assert set(layers) == set(LAYER_COLUMNS)
    for name, columns in LAYER_COLUMNS.items():
        frame = gpd.read_file(written["gpkg"], layer=name)
        assert frame.crs.to_epsg() == 4326, name
        assert columns <= set(frame.columns), (name, columns - set(frame.columns))
        assert len(frame) > 0, name
        assert frame.geometry.is_valid.all() and not frame.geometry.is_empty.any(), name


def test_persons_and_routes_are_the_result(written, result, park):
    persons = gpd.read_file(written["gpkg"], layer="persons")
    assert len(persons) == len(result.persons)
    for level in ("AEGL-2", "AEGL-3"):
        assert (persons[f"above_{level}"].astype(bool) == result.persons[f"above_{level}"]).all()
    assert_allclose(persons["p_death"], result.persons["p_death"])
    # the point is the last waypoint, projected back to the park's CRS
    back = persons.to_crs(park.crs)
    last = np.array([t[-1, 1:] for t in result.trajectories])
    assert_allclose(np.column_stack([back.geometry.x, back.geometry.y]), last, atol=0.01)
    routes = gpd.read_file(written["gpkg"], layer="routes").to_crs(park.crs)
    k = int(routes["person"].iloc[0])
    traj = result.trajectories[k]
    assert_allclose(np.asarray(routes.geometry.iloc[0].coords), traj[:, 1:], atol=0.01)
    assert_allclose([float(t) for t in routes["times_s"].iloc[0].split()], traj[:, 0], atol=0.05)
    assert routes["end_s"].iloc[0] == pytest.approx(traj[-1, 0])


def test_sensors_carry_their_alarms(written, result):
    sensors = gpd.read_file(written["gpkg"], layer="sensors").set_index("tag")
    counts = result.alarms["tag"].value_counts()
    assert_allclose(sensors.loc[counts.index, "alarms"], counts.to_numpy())
    first = result.alarms.sort_values("time_s").iloc[0]
    assert sensors.loc[first["tag"], f"first_{first['level']}_s"] == first["time_s"]


def test_cloud_footprints_nest_by_level(written, result):
    """A higher level's footprint lies inside the lower one's of the same frame."""
    cloud = gpd.read_file(written["gpkg"], layer="cloud")
    assert set(cloud["level"]) <= set(result.levels)
    assert set(cloud["t0_s"]) <= {f[0] for f in result.cloud}
    by_time = cloud.to_crs(cloud.estimate_utm_crs()).groupby("t0_s")
    for _, frame in by_time:
        frame = frame.assign(v=frame["level"].map(result.levels)).sort_values("v")
        for low, high in zip(frame.geometry[:-1], frame.geometry[1:], strict=True):
            assert high.difference(low.buffer(1.0)).area < 1e-6 * max(high.area, 1.0)


def test_cloud_reach_covers_every_footprint(written, result):
    reach = gpd.read_file(written["gpkg"], layer="cloud_reach")
    cloud = gpd.read_file(written["gpkg"], layer="cloud")
    zones_wgs84(reach)  # the zone columns of the maps and figures
    utm = cloud.estimate_utm_crs()
    reach, cloud = reach.to_crs(utm).set_index("level"), cloud.to_crs(utm)
    for level, shape in zip(cloud["level"], cloud.geometry, strict=True):
        assert shape.difference(reach.geometry[level].buffer(0.5)).is_empty
    for level in reach.index:
        assert reach.loc[level, "people"] == result.persons[f"above_{level}"].sum()
        assert reach.loc[level, "distance_m"] == result.timeline[f"extent_{level}_m"].max()


def test_csv_tables_written(written):
    for name in ("timeline", "events", "alarms", "persons", "buildings", "zones", "key_figures"):
        assert written[name].exists() and written[name].stat().st_size > 0


def test_scenario_report_has_every_section_and_no_external_files(result, park, scenario, tmp_path):
    png = timeline_figure(result, tmp_path / "timeline.png", size_px=(800, 700), dpi=80)
    page = scenario_report(result, park, [png], tmp_path / "report.html", scenario=scenario)
    text = page.read_text(encoding="utf-8")
    assert headings(text) == list(SCENARIO_SECTIONS)
    assert_reads_well(text, first="What happened")
    release = visible_text(text[text.index("Release conditions") :])
    for shown in ("hole", "hole height", "start time", "run duration", "wind at the start"):
        assert shown in release, shown
    assert "AEGL-3" in text and "nobody above AEGL-2" in text
    # the dense near field's model as the engine runs it, not the workbook it replaced
    assert "integral plume" in text and "Britter" not in text
    assert "everyone reached safety" in text
    assert "data:image/png;base64," in text
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", text)
    assert "<script" not in text and "<link" not in text
