"""The engine marches a leak's plume once for all the weather that rounds the same
(``scenarios.engine.plume_weather``): the wind's direction does not enter the tables, its
speed is rounded by at most 1 % and the air temperature to 0.5 degC, and the field of a run
with the rounded tables stays within 4 % of a run that marches every weather as it is."""

from dataclasses import replace

import numpy as np
import pytest

from scenarios import engine as engine_module
from scenarios.engine import Engine, plume_weather
from scenarios.zones import Weather
from tests.engine_cases import park, scenario


def test_the_plume_weather_rounds_speed_and_temperature_and_drops_the_direction():
    for u in np.geomspace(0.3, 30.0, 2000):
        w = plume_weather(Weather(float(u), 123.0, "D", 283.3))
        assert abs(w.wind_speed_m_s / u - 1.0) <= 0.01 + 1e-12
        assert w.wind_from_deg == 0.0
        assert w.air_temperature_K == 10.0 + 273.15
        assert (w.stability, w.roughness_m) == ("D", Weather(1.0, 0.0, "D").roughness_m)
    # a wind given to 0.1 m/s is kept as it is
    for tenths in range(3, 300):
        u = tenths / 10
        assert plume_weather(Weather(u, 0.0, "F")).wind_speed_m_s == u
    # and an air temperature given to 0.5 degC
    for halves in range(-60, 100):
        air = halves / 2 + 273.15
        assert plume_weather(Weather(2.0, 0.0, "F", air)).air_temperature_K == air
    assert plume_weather(Weather(2.0, 0.0, "F", 23.2 + 273.15)).air_temperature_K == 23.0 + 273.15
    assert plume_weather(Weather(4.82, 0.0, "C")).wind_speed_m_s == 4.8
    assert plume_weather(Weather(3.42, 0.0, "C")).wind_speed_m_s == 3.4
    assert plume_weather(Weather(2.47, 0.0, "C")).wind_speed_m_s == 2.475


def test_weather_that_rounds_the_same_reuses_one_march(monkeypatch):
    """Wind 4.01 m/s, then 3.99, 4.02 (all 4.0 m/s rounded) from three directions: one
    march; then 4.3 m/s: a second."""
    marched = []
    cloud = engine_module.Cloud

    def counting(term, weather, **kw):
        marched.append(weather)
        return cloud(term, weather, **kw)

    monkeypatch.setattr(engine_module, "Cloud", counting)
    sc = scenario(
        weather={
            "wind_speed": "4.01 m/s",
            "changes": [
                {"at": "1 min", "wind_speed": "3.99 m/s", "wind_from": "250 deg"},
                {"at": "2 min", "wind_speed": "4.02 m/s", "wind_from": "290 deg"},
                {"at": "3 min", "wind_speed": "4.3 m/s"},
            ],
        },
        scenario={"duration": "4 min"},
    )
    e = Engine(sc, park())
    e.env.run(until=179.0)
    assert [w.wind_speed_m_s for w in marched] == [4.0]
    e.env.run(until=240.0)
    assert [w.wind_speed_m_s for w in marched] == [4.0, 4.3]
    assert e.leaks[0].puffs.mass.size > 0


def _exact(weather: Weather) -> Weather:
    return replace(weather, wind_from_deg=0.0)


# the winds that round farthest (by 1 %) on a two-cloud ammonia jet and a chlorine jet in F
@pytest.mark.parametrize(
    "asset, hole, wind",
    [("NH-101", "50 mm", "2.525 m/s"), ("CL-101", "25 mm", "1.2625 m/s")],
)
def test_the_rounded_field_is_the_exact_field_within_4_percent(monkeypatch, asset, hole, wind):
    sc = scenario(
        weather={"wind_speed": wind, "stability": "F", "air_temperature": "10.2 degC"},
        release=[{"asset": asset, "hole": hole, "height": "0.5 m"}],
        scenario={"duration": "11 min"},
    )
    fields = []
    for rounding in (plume_weather, _exact):
        monkeypatch.setattr(engine_module, "plume_weather", rounding)
        e = Engine(sc, park())
        e.env.run(until=600.0 + 1e-6)
        (weather,) = {key[1] for key in e._clouds}
        sx, sy = e.leaks[0].xy
        x = np.geomspace(3.0, 1200.0, 150)
        points = np.concatenate(
            [
                np.column_stack([sx + x, np.full_like(x, sy)]),
                np.column_stack([sx + x, sy + 0.2 * x]),
            ]
        )
        fields.append((weather, e.concentration(points)))
    (rounded_w, rounded), (exact_w, exact) = fields
    assert rounded_w.wind_speed_m_s != exact_w.wind_speed_m_s
    assert abs(rounded_w.wind_speed_m_s / exact_w.wind_speed_m_s - 1.0) <= 0.01 + 1e-12
    seen = exact > 1e-3 * exact.max()
    assert seen.sum() > 100
    assert rounded[seen] == pytest.approx(exact[seen], rel=0.04)
