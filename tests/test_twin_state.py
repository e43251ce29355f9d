"""Tags to assets and SI, tank mass from level, snapshots (twin.state, twin.monitor).

Oracles: unit definitions (1 kPa = 1e3 Pa, gauge + 101325 Pa, degC + 273.15, 1 t/h =
1000/3600 kg/s, 1 mm = 1e-3 m); tank mass as the closed-form volume (twin.tank_geometry,
tested on its own) times the saturated liquid density of physics.substances at the measured
temperature, an independent path from the twin's tabulated density; ideal-gas conversion
of ppm to kg/m3 (p M / (R T)).
"""

import dataclasses
import math

import pytest
from numpy.testing import assert_allclose

import twin
from physics import substances
from twin.monitor import Twin
from twin.readings import Reading
from twin.state import ParkModel, gas_kg_m3, gas_physical_high
from twin.tank_geometry import liquid_volume


@pytest.fixture(scope="module")
def park():
    return twin.load_park("demo")


def _with_units(park, units: dict):
    sensors = park.sensors.copy()
    for tag, unit in units.items():
        sensors.loc[tag, "unit"] = unit
    return dataclasses.replace(park, layers={**park.layers, "sensors": sensors})


def test_units_to_si(park):
    model = ParkModel.from_park(
        _with_units(
            park,
            {
                "LT-NH101": "mm",
                "LT-NB101": "%",
                "PT-CL101": "MPa(g)",
                "PT-CL102": "bar(g)",
                "FT-PNH301": "t/h",
            },
        )
    )
    ch = model.channels
    assert_allclose(ch["LT-NH101"].si(8400.0), 8.4)
    assert_allclose(ch["LT-NB101"].si(50.0), 1.6)  # 50 % of a 3.2 m diameter bullet
    assert_allclose(ch["LT-ME101"].si(7.9), 7.9)
    assert_allclose(ch["PT-NH101"].si(756.0), 756e3 + 101325.0)
    assert_allclose(ch["PT-CL101"].si(0.6), 0.6e6 + 101325.0)
    assert_allclose(ch["PT-CL102"].si(6.0), 6e5 + 101325.0)
    assert_allclose(ch["TT-NH101"].si(20.0), 293.15)
    assert_allclose(ch["FT-PNH301"].si(10.8), 3.0)
    assert_allclose(ch["FT-PCL201"].si(1.5), 1.5)
    assert_allclose(ch["TA-01"].si(22.0), 295.15)


def test_tags_bound_to_assets(park):
    model = ParkModel.from_park(park)
    nh = model.tanks["NH-101"]
    assert (nh.level.tag, nh.pressure.tag, nh.temperature.tag) == (
        "LT-NH101",
        "PT-NH101",
        "TT-NH101",
    )
    assert [m.tag for m in nh.outflows] == ["FT-PNH301"]
    assert model.tanks["ME-101"].pressure is None
    assert set(model.weather_tags) == {
        "wind_speed",
        "wind_direction",
        "air_temperature",
        "solar_radiation",
    }
    assert len(model.channels) == 112


def test_tank_mass_from_level_and_temperature(park):
    tw = Twin(park)
    tw.run(
        [
            Reading(1.7e9, "LT-NB101", 2.0),
            Reading(1.7e9, "TT-NB101", 30.0),
            Reading(1.7e9, "PT-NB101", 1066.0),
        ]
    )
    state = tw.snapshot().tanks["NB-101"]
    rho = float(substances.lookup("7664-41-7").liquid_density(303.15))
    volume = liquid_volume(2.0, "horizontal_cylinder", 3.2, 12.5)
    assert_allclose(state.volume_m3, volume)
    assert_allclose(state.density_kg_m3, rho, rtol=1e-4)
    assert_allclose(state.mass_kg, volume * rho, rtol=1e-4)
    assert_allclose(state.pressure_pa, 1066e3 + 101325.0)
    assert state.measured


def test_unmeasured_tank_uses_the_layer(park):
    state = Twin(park).snapshot().tanks["NB-101"]
    assert not state.measured
    assert_allclose(state.fill_fraction, 0.66)
    assert math.isnan(state.pressure_pa)


def test_snapshot_weather_and_stability(park):
    tw = Twin(park)
    t = twin.readings.parse_time("2024-05-24T02:00:00Z")  # 10:00 local, sun well up
    tw.run(
        [
            Reading(t, "WS-01", 4.0),
            Reading(t, "WD-01", 5.0),
            Reading(t, "TA-01", 22.0),
            Reading(t, "SR-01", 450.0),
            Reading(t, "FT-PNH301", 3.0),
        ]
    )
    snap = tw.snapshot()
    assert snap.t == t
    w = snap.weather
    assert (w.wind_speed_m_s, w.wind_from_deg, w.solar_radiation_w_m2) == (4.0, 5.0, 450.0)
    assert_allclose(w.air_temperature_k, 295.15)
    assert w.sun_elevation_deg > 30
    assert w.stability == "C"  # SRDT: 3-5 m/s, 175-675 W/m2
    assert snap.pipelines["P-NH3-01"].flow_kg_s == 3.0
    assert math.isnan(snap.pipelines["P-CL2-01"].flow_kg_s)


def test_unknown_tags_are_counted(park):
    tw = Twin(park)
    tw.run([Reading(1.7e9, "NOPE", 1.0)])
    assert tw.unknown == 1


def test_gas_conversion():
    # 25 ppm ammonia at 20 degC and 101325 Pa: 25e-6 * p M / (R T)
    expected = 25e-6 * 101325.0 * 0.017031 / (8.314462618 * 293.15)
    assert_allclose(gas_kg_m3(25.0, "ppm", "7664-41-7", 293.15), expected, rtol=1e-3)
    assert_allclose(gas_kg_m3(7.0, "mg/m3", "7664-41-7", 293.15), 7e-6)
    lfl = substances.lookup("74-98-6").lfl_fraction
    assert_allclose(
        gas_kg_m3(50.0, "%LEL", "74-98-6", 293.15),
        0.5 * lfl * 101325.0 * 0.0440956 / (8.314462618 * 293.15),
        rtol=1e-3,
    )
    with pytest.raises(ValueError, match="unknown gas unit"):
        gas_kg_m3(1.0, "ppb", "7664-41-7", 293.15)


def test_a_gas_reading_cannot_exceed_the_pure_gas(park):
    """Mole fraction 1: 1e6 ppm; 100 / LFL in %LEL; in mg/m3 the pure vapour at one
    atmosphere and -89.2 degC (the coldest air measured on Earth, physics.bounds)."""
    assert gas_physical_high("ppm", "7664-41-7") == 1e6
    lfl = substances.lookup("115-07-1").lfl_fraction
    assert_allclose(gas_physical_high("%LEL", "115-07-1"), 100.0 / lfl)
    cold = 273.15 - 89.2
    assert_allclose(
        gas_physical_high("mg/m3", "7664-41-7"),
        101325.0 * 0.017031 / (8.314462618 * cold) * 1e6,
        rtol=1e-3,
    )
    channels = ParkModel.from_park(park).channels
    assert channels["AT-NB01"].physical_high == 1e6
    assert_allclose(channels["AT-PR01"].physical_high, 100.0 / lfl)
    # the NAMUR NE 43 measuring band of a 0-500 ppm detector: -6.25 .. 515.625 ppm
    band = (channels["AT-NB01"].band_low, channels["AT-NB01"].band_high)
    assert_allclose(band, (-6.25, 515.625))


def test_snapshot_at_an_earlier_time(park):
    tw = Twin(park)
    tw.run([Reading(1.7e9 + 10 * i, "LT-NB101", 2.0 - 0.01 * i) for i in range(10)])
    tw.run([Reading(1.7e9 + 10 * i, "FT-PNH301", 3.0 + i) for i in range(10)])
    assert_allclose(tw.snapshot().tanks["NB-101"].level_m, 1.91)
    earlier = tw.snapshot(1.7e9 + 35.0)
    assert earlier.t == 1.7e9 + 35.0
    assert_allclose(earlier.tanks["NB-101"].level_m, 1.97)
    assert earlier.pipelines["P-NH3-01"].flow_kg_s == 6.0
    before = tw.snapshot(1.7e9 - 1.0).tanks["NB-101"]
    assert not before.measured  # nothing read yet then: the layer's fill
