"""Sun elevation (NOAA GML general solar position formulas) and Pasquill (1961) stability."""

import calendar
import time

import numpy as np
import pytest

from physics.meteorology import (
    PASQUILL_TABLE,
    SIGMA_THETA_DEG,
    air_density,
    pasquill_stability,
    sun_elevation_deg,
)

LON, LAT = 119.9, 28.4  # the demo park; solar noon near 04:00 UTC


def utc(text):
    return calendar.timegm(time.strptime(text, "%Y-%m-%dT%H:%M"))


@pytest.mark.parametrize(
    ("when", "declination"),
    [("2026-06-21T04:01", 23.44), ("2026-12-21T03:58", -23.44)],
)
def test_noon_elevation_closed_form(when, declination):
    """At solar noon the elevation is 90 - |latitude - declination| (solstice declination
    +-23.44 deg, the obliquity of the ecliptic)."""
    assert sun_elevation_deg(LON, LAT, utc(when)) == pytest.approx(
        90 - abs(LAT - declination), abs=0.3
    )


def test_sun_is_down_at_local_midnight():
    assert sun_elevation_deg(LON, LAT, utc("2026-06-21T16:00")) < -30


def test_vectorised():
    t = np.array([utc("2026-06-21T04:00"), utc("2026-06-21T16:00")])
    e = sun_elevation_deg(LON, LAT, t)
    assert e.shape == (2,) and e[0] > 80 and e[1] < -30


@pytest.mark.parametrize(
    ("wind", "when", "cloud", "expected"),
    [
        (1.0, "2026-06-21T04:00", 0, "A"),  # strong insolation, < 2 m/s
        (2.5, "2026-06-21T04:00", 0, "B"),  # A-B -> the more stable, B
        (4.0, "2026-06-21T04:00", 0, "B"),
        (4.0, "2026-06-21T04:00", 6, "C"),  # > 4/8 cloud: moderate insolation, B-C -> C
        (5.5, "2026-12-21T04:00", 0, "D"),  # winter noon, sun at 38 deg: moderate, C-D -> D
        (2.5, "2026-06-21T16:00", 0, "F"),  # night, clear
        (2.5, "2026-06-21T16:00", 6, "E"),  # night, > 4/8 cloud
        (4.0, "2026-06-21T16:00", 2, "E"),
        (8.0, "2026-06-21T16:00", 0, "D"),
        (1.0, "2026-06-21T04:00", 8, "D"),  # overcast, day or night
    ],
)
def test_pasquill_table(wind, when, cloud, expected):
    """Pasquill (1961) table as reproduced by NOAA ARL (READY, Pasquill stability classes)."""
    assert pasquill_stability(wind, LON, LAT, utc(when), cloud) == expected


def test_the_hour_around_night_is_neutral():
    """Footnotes 2 and 3: night runs from 1 h before sunset to 1 h after sunrise; the hour
    before and after it is D. Sunset at 28.4 N on 21 June is near 11:10 UTC here."""
    sunset = utc("2026-06-21T11:10")
    assert pasquill_stability(2.5, LON, LAT, sunset - 30 * 60, 0) == "F"  # within the night
    assert pasquill_stability(2.5, LON, LAT, sunset - 90 * 60, 0) == "D"  # the hour before


def test_table_and_sigma_theta_as_published():
    assert PASQUILL_TABLE[0] == ("A", "A-B", "B", "E", "F")
    assert PASQUILL_TABLE[4] == ("C", "D", "D", "D", "D")
    assert SIGMA_THETA_DEG == {"A": 25.0, "B": 20.0, "C": 15.0, "D": 10.0, "E": 5.0, "F": 2.5}


@pytest.mark.parametrize(("wind", "cloud"), [(-1.0, 0), (float("nan"), 0), (3.0, 9)])
def test_bad_weather(wind, cloud):
    with pytest.raises(ValueError):
        pasquill_stability(wind, LON, LAT, utc("2026-06-21T04:00"), cloud)


def test_air_density():
    """Dry air at 15 degC and 101325 Pa: 1.225 kg/m3 (US Standard Atmosphere 1976)."""
    assert air_density(288.15) == pytest.approx(1.225, rel=1e-3)
