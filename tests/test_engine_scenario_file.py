"""Scenario files: the shipped demo scenarios load and run briefly; mistakes give one line
naming the file, the key and what was expected."""

import math
from pathlib import Path

import pytest

from scenarios import scenario_file
from scenarios.engine import Engine
from scenarios.scenario_file import ScenarioError
from tests.engine_cases import BASE, park, scenario

DEMO = sorted((Path(__file__).parents[1] / "scenarios" / "demo").glob("*.toml"))


def test_five_demo_scenarios_for_the_named_assets():
    assets = {scenario_file.load(p).releases[0].asset for p in DEMO}
    assert {"NH-101", "P-CL2-01", "LP-101", "BZ-101", "P-H2S-01"} <= assets


@pytest.mark.parametrize("path", DEMO, ids=lambda p: p.stem)
def test_demo_scenario_sets_up_and_runs_its_first_minutes(path):
    sc = scenario_file.load(path)
    assert sc.run.duration_s >= 1800.0
    e = Engine(sc, park())
    e.env.run(until=300.0)
    assert e.leaks[0].emitted_kg > 0.0


def test_units_are_parsed_to_si():
    sc = scenario()
    assert sc.run.duration_s == 600.0
    assert sc.weather.air_temperature_K == pytest.approx(283.15)
    assert sc.releases[0].hole_diameter_m == pytest.approx(0.05)
    assert sc.population.air_changes_per_s is None  # each building's infiltration model
    given = scenario(population={"air_changes": "0.5 1/h"})
    assert given.population.air_changes_per_s == pytest.approx(0.5 / 3600.0)


def test_roughness_from_the_scenario_reaches_the_engines_weather():
    """The surface roughness is the park's (here a chemical park's 1 m, Davenport-Wieringa
    'closed'; tests/test_park_roughness.py gives a park its own) unless the scenario's
    [weather] gives one; the engine's weather carries it to the integral model."""
    assert scenario().weather.roughness_m is None
    assert Engine(scenario(), park())._weather_at(0.0).roughness_m == pytest.approx(1.0)
    sc = scenario(weather={"roughness": "30 cm"})
    assert sc.weather.roughness_m == pytest.approx(0.3)
    engine = Engine(sc, park())
    assert engine._weather_at(0.0).roughness_m == pytest.approx(0.3)


def test_obukhov_length_from_the_scenario_reaches_the_engines_weather():
    """[weather] obukhov_length: a measured L, kept through the wind's changes; none by
    default (the class's)."""
    assert scenario().weather.obukhov_length_m is None
    assert math.isnan(Engine(scenario(), park())._weather_at(0.0).obukhov_length_m)
    sc = scenario(weather={**BASE["weather"], "obukhov_length": "-40 m"})
    assert sc.weather.obukhov_length_m == pytest.approx(-40.0)
    assert Engine(sc, park())._weather_at(0.0).obukhov_length_m == pytest.approx(-40.0)


def test_mixing_height_from_the_scenario_reaches_the_engines_weather():
    """[weather] mixing_height: a measured or forecast lid; none by default (AERMOD's
    mechanical height from u*, computed with the cloud)."""
    assert math.isnan(Engine(scenario(), park())._weather_at(0.0).mixing_height_m)
    sc = scenario(weather={**BASE["weather"], "mixing_height": "1.2 km"})
    assert Engine(sc, park())._weather_at(0.0).mixing_height_m == pytest.approx(1200.0)


@pytest.mark.parametrize(
    "section, change, expected",
    [
        ("weather", {"wind_speed": "2"}, "test.toml: weather.wind_speed: '2' has no unit"),
        ("weather", {"wind_speed": "2 kg"}, "test.toml: weather.wind_speed:"),
        ("weather", {"stability": "G"}, "test.toml: weather.stability: expected 'A'"),
        ("response", {"action": "run"}, "test.toml: response.action: expected 'evacuate'"),
        ("response", {"colour": "red"}, "test.toml: response.colour: unknown key 'colour'"),
        ("scenario", {"duration": None}, "test.toml: scenario.duration:"),
    ],
)
def test_mistakes_give_one_line_with_file_and_key(section, change, expected):
    data = {k: (dict(v) if isinstance(v, dict) else v) for k, v in BASE.items()}
    data[section] = {**data[section], **change}
    data[section] = {k: v for k, v in data[section].items() if v is not None}
    with pytest.raises(ScenarioError) as err:
        scenario_file.parse(data, "test.toml")
    message = str(err.value)
    assert message.startswith(expected)
    assert "\n" not in message


def test_missing_section_and_both_hole_and_rupture():
    data = {k: v for k, v in BASE.items() if k != "response"}
    with pytest.raises(ScenarioError, match=r"^test.toml: response: is required$"):
        scenario_file.parse(data, "test.toml")
    bad = {**BASE, "release": [{"asset": "NH-101", "hole": "50 mm", "rupture": True}]}
    with pytest.raises(ScenarioError, match="hole size or rupture"):
        scenario_file.parse(bad, "test.toml")


def test_unknown_asset_and_file_errors(tmp_path):
    sc = scenario(release=[{"asset": "XX-999", "hole": "50 mm"}])
    with pytest.raises(ScenarioError, match=r"release.asset: expected a tank or pipeline id"):
        Engine(sc, park())
    above = scenario(release=[{"asset": "NH-101", "hole": "50 mm", "height": "13 m"}])
    with pytest.raises(ScenarioError, match=r"^test.toml: release.NH-101: the hole at 13 m is"):
        Engine(above, park())  # before the twin start or any source term
    with pytest.raises(ScenarioError, match="no such scenario file"):
        scenario_file.load(tmp_path / "none.toml")
    (tmp_path / "bad.toml").write_text("[scenario\n")
    with pytest.raises(ScenarioError, match=r"bad\.toml: not valid TOML"):
        scenario_file.load(tmp_path / "bad.toml")


@pytest.mark.parametrize(
    "section, change, expected",
    [
        (
            "weather",
            {"wind_speed": None, "wind_sped": "2 m/s"},
            "weather.wind_sped: unknown key 'wind_sped'; did you mean 'wind_speed'?",
        ),
        ("scenario", {"duration": "1e999 s"}, "scenario.duration: '1e999 s' is not a finite"),
        ("population", {"scale": float("inf")}, "population.scale: expected a finite number"),
        (
            "population",
            {"premovement_sigma": float("nan")},
            "population.premovement_sigma: expected a",
        ),
        # Beaufort 12 starts at 64 kn; WMO extremes: -89.2 degC and 56.7 degC (physics.bounds)
        ("weather", {"wind_speed": "100 m/s"}, "weather.wind_speed: expected a wind speed at 10 m"),
        ("weather", {"wind_speed": "65 kn"}, "weather.wind_speed: expected a wind speed at 10 m"),
        (
            "weather",
            {"air_temperature": "-300 degC"},
            "weather.air_temperature: expected an air temperature of -89.2 to 56.7 degC",
        ),
        ("weather", {"air_temperature": "60 degC"}, "weather.air_temperature: expected an air"),
        ("weather", {"roughness": "2 kg"}, "weather.roughness: '2 kg' is not a length"),
        (
            "weather",
            {"obukhov_length": "0 m"},
            "weather.obukhov_length: Obukhov length must be a finite length other than 0 m",
        ),
        (
            "weather",
            {"mixing_height": "0 m"},
            "weather.mixing_height: mixing height must be a length above 0 m",
        ),
        (
            "weather",
            {"roughness": "10 m"},
            "weather.roughness: surface roughness z0 must be between 1e-05 m and 3 m",
        ),
    ],
)
def test_misspelt_keys_non_finite_and_implausible_values(section, change, expected):
    test_mistakes_give_one_line_with_file_and_key(section, change, f"test.toml: {expected}")


def test_plausible_extremes_pass():
    sc = scenario(
        weather={**BASE["weather"], "wind_speed": "32 m/s", "air_temperature": "-89 degC"}
    )
    assert sc.weather.wind_speed_m_s == 32.0


def test_a_scenario_file_that_is_not_utf8(tmp_path):
    path = tmp_path / "latin1.toml"
    path.write_bytes('[scenario]\nname = "Störfall"\n'.encode("latin-1"))
    with pytest.raises(ScenarioError, match=r"latin1\.toml: not UTF-8 text \(byte 0xf6"):
        scenario_file.load(path)
