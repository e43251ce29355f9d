"""Sun elevation and Pasquill class from measured weather (twin.weather).

Oracles:
- SRDT day table: US EPA (2000) EPA-454/R-99-005, Table 6-7 (as reproduced at
  webmet.com, "6.4.2 Solar radiation/delta-T (SRDT) method"): one reading inside every
  cell, and readings on the bin edges.
- Night: Pasquill (1961) night columns as tabulated by NOAA ARL READY
  ("Pasquill Stability Classes").
- Sun: independent astronomy, not the same series: the sun's noon elevation is
  90 deg - |latitude - declination|, with declination +23.44 deg at the June solstice
  (the obliquity of the ecliptic) and about 0 at the March equinox; solar noon falls within
  the equation of time's +/-17 min of 12:00 - longitude/15 h UTC.
"""

import numpy as np
import pytest
from numpy.testing import assert_allclose

from physics.meteorology import sun_elevation_deg
from twin.readings import parse_time
from twin.weather import mean_wind_direction, pasquill_stability, wind_direction_sd

LON, LAT = 119.9, 28.4

# EPA-454/R-99-005 Table 6-7: rows wind < 2, 2-3, 3-5, 5-6, >= 6 m/s; columns solar
# radiation >= 925, 925-675, 675-175, < 175 W/m2.
DAY = {
    1.0: "AABD",
    2.5: "ABCD",
    4.0: "BBCD",
    5.5: "CCDD",
    8.0: "CDDD",
}
RADIATION = (1000.0, 800.0, 400.0, 100.0)


@pytest.mark.parametrize("wind", list(DAY))
def test_srdt_day_cells(wind):
    got = pasquill_stability(wind, np.array(RADIATION), 30.0)
    assert "".join(got) == DAY[wind]


def test_srdt_bin_edges():
    # "2 - 3" starts at 2 m/s; "675 - 175" includes 175 W/m2, "925 - 675" includes 675.
    assert pasquill_stability(2.0, 176.0, 10.0) == "C"
    assert pasquill_stability(1.99, 176.0, 10.0) == "B"
    assert pasquill_stability(4.0, 675.0, 10.0) == "B"
    assert pasquill_stability(4.0, 674.0, 10.0) == "C"
    assert pasquill_stability(6.0, 925.0, 10.0) == "C"


@pytest.mark.parametrize(
    ("wind", "cloudy", "clear"),
    [(1.0, "E", "F"), (2.5, "E", "F"), (4.0, "D", "E"), (5.5, "D", "D"), (8.0, "D", "D")],
)
def test_night_pasquill_columns(wind, cloudy, clear):
    assert pasquill_stability(wind, 0.0, -10.0, 7.0) == cloudy
    assert pasquill_stability(wind, 0.0, -10.0, 2.0) == clear
    assert pasquill_stability(wind, 0.0, -10.0) == clear  # no cloud reading: clear assumed


def test_stability_vectorised_and_bad_input():
    got = pasquill_stability([1.0, 8.0], [1000.0, 0.0], [40.0, -5.0])
    assert list(got) == ["A", "D"]
    with pytest.raises(ValueError, match="unknown stability model"):
        pasquill_stability(1.0, 100.0, 10.0, model="turner-1964")
    with pytest.raises(ValueError, match="wind speed"):
        pasquill_stability(-1.0, 100.0, 10.0)
    with pytest.raises(ValueError, match="solar radiation"):
        pasquill_stability(1.0, np.nan, 10.0)


@pytest.mark.parametrize(("day", "declination"), [("2024-06-20", 23.44), ("2024-03-20", 0.0)])
def test_noon_elevation(day, declination):
    t0 = parse_time(f"{day}T00:00:00Z")
    t = t0 + np.arange(0, 86400, 30.0)
    elevation = sun_elevation_deg(LON, LAT, t)
    assert_allclose(elevation.max(), 90.0 - abs(LAT - declination), atol=0.5)
    noon_utc_h = (t[np.argmax(elevation)] - t0) / 3600
    assert abs(noon_utc_h - (12.0 - LON / 15.0)) < 17 / 60


def test_night_is_below_horizon():
    # Local midnight (China Standard Time, UTC+8) is 16:00 UTC.
    assert sun_elevation_deg(LON, LAT, parse_time("2024-05-24T16:00:00Z")) < -30


def test_mean_wind_direction_across_north():
    assert_allclose(mean_wind_direction([350.0, 10.0]), 0.0, atol=1e-9)
    assert_allclose(mean_wind_direction([80.0, 100.0]), 90.0)
    with pytest.raises(ValueError):
        mean_wind_direction([])


@pytest.mark.parametrize("centre", [0.0, 185.0, 355.0])
def test_wind_direction_sd_as_the_two_pass_sd(centre):
    """Yamartino's single-pass estimator against the two-pass standard deviation of the
    unwrapped angles: within 2 % for a realistic spread (Yamartino 1984)."""
    offsets = np.random.default_rng(7).normal(0.0, 5.0, 2000)
    directions = np.mod(centre + offsets, 360.0)
    assert_allclose(wind_direction_sd(directions), offsets.std(), rtol=0.02)
    assert wind_direction_sd([10.0, 10.0]) == pytest.approx(0.0, abs=1e-5)
    with pytest.raises(ValueError, match="finite"):
        wind_direction_sd([])
