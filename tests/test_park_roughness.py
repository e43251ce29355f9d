"""The park's surface roughness: its boundary's ``roughness_m``, the default of every
dispersion run of the park (zones, scenarios, forecasts, the QRA, the twin's source
estimates); a scenario's or the command line's roughness overrides it. Before, every park
was a chemical park of z0 = 1 m, and a QRA could not be given another."""

import math

import pytest

import twin
from geodata import ParkError, load_park
from geodata.schema import LAYERS
from physics.atmosphere import ROUGHNESS_RANGE_M
from physics.substances import resolve
from scenarios.engine import Engine
from scenarios.forecast import _weather
from scenarios.qra import catalogue as cat
from scenarios.qra.footprints import footprint
from scenarios.qra.run import plan
from tests import engine_cases
from tests.parks import demo_layers, write_gpkg
from twin.demo import INCIDENT_DRILL
from twin.feeds.recorded import RecordedFeed
from twin.park import roughness_m
from twin.readings import parse_time
from twin.state import ParkModel

COAST = 0.0002  # sea (physics/data/roughness.csv): a park on the shore, wind off the sea


def park_with(tmp_path, z0):
    layers = demo_layers()
    layers["boundary"]["roughness_m"] = z0
    return twin.load_park(write_gpkg(layers, tmp_path / "park.gpkg"))


@pytest.fixture(scope="module")
def coast(tmp_path_factory):
    return park_with(tmp_path_factory.mktemp("coast"), COAST)


def test_the_boundary_gives_the_roughness_and_the_bounds_are_the_models():
    field = next(f for f in LAYERS["boundary"].fields if f.name == "roughness_m")
    assert (field.minimum, field.maximum) == ROUGHNESS_RANGE_M
    demo = twin.load_park("demo")
    assert roughness_m(demo) == 1.0  # no value: a chemical park's
    assert ParkModel.from_park(demo).roughness_m == 1.0


def test_a_roughness_out_of_range_is_one_line(tmp_path):
    layers = demo_layers()
    layers["boundary"]["roughness_m"] = 5.0
    with pytest.raises(ParkError) as err:
        load_park(write_gpkg(layers, tmp_path / "park.gpkg"), resolve_chemical=resolve)
    assert "\n" not in str(err.value)
    assert "boundary" in str(err.value) and "roughness_m" in str(err.value)


def test_zones_take_the_parks_roughness_unless_told(coast, parktwin, tmp_path):
    assert roughness_m(coast) == COAST and ParkModel.from_park(coast).roughness_m == COAST
    args = ["zones", "--park", coast.source, "--asset", "NB-101", "--hole", "10 mm"]
    args += ["--wind", "3 m/s from 270 deg", "--stability", "D"]
    told = parktwin(*args, "--out", str(tmp_path / "a"))
    assert told.returncode == 0, told.stderr
    assert f"roughness {COAST:g} m" in told.stdout
    told = parktwin(*args, "--roughness", "0.3 m", "--out", str(tmp_path / "b"))
    assert "roughness 0.3 m" in told.stdout


def test_a_scenario_takes_the_parks_roughness_unless_it_gives_one(coast):
    assert Engine(engine_cases.scenario(), coast)._weather_at(0.0).roughness_m == COAST
    given = engine_cases.scenario(weather={"roughness": "0.3 m"})
    assert Engine(given, coast)._weather_at(0.0).roughness_m == 0.3
    assert Engine(engine_cases.scenario(), engine_cases.park())._weather_at(0.0).roughness_m == 1


def test_the_forecast_and_the_twins_estimate_take_the_parks_roughness(coast, monkeypatch):
    import twin.leak as leak

    seen = []
    real = leak.estimate_source

    def spy(*args, **kw):
        seen.append(kw["roughness_m"])
        return real(*args, **kw)

    monkeypatch.setattr(leak, "estimate_source", spy)
    tw = twin.Twin(coast)
    end = parse_time("2024-05-24T02:12:00Z")
    tw.run(r for r in RecordedFeed(INCIDENT_DRILL, known_tags=coast.sensors.index) if r[0] <= end)
    assert seen and set(seen) == {COAST}
    assert _weather(tw.snapshot(), coast).roughness_m == COAST


def test_the_qra_takes_the_parks_roughness(coast):
    """NB-101's toxic footprint over the sea's z0 reaches farther than over the park's 1 m;
    two layouts that differ only in their roughness share no footprint."""
    demo = engine_cases.park()
    event = next(e for e in cat.catalogue(demo) if e.asset == "NB-101")
    rough, smooth = (
        footprint(park, event, "D5", lambda term, toxic: {"toxic": 1.0}).extent()
        for park in (demo, coast)
    )
    assert smooth > rough > 0
    events = [e for e in cat.catalogue(demo) if e.asset == "NB-101"]
    tasks = plan([demo, coast], [events, events])
    assert all(len(layouts) == 1 for _, _, layouts in tasks)
    assert not math.isnan(roughness_m(coast))
