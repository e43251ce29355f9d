"""Weather for dispersion: the sun's elevation, Pasquill stability from wind, time of day
and cloud, air density, and the wind-direction fluctuation of each stability class.

References
----------
Pasquill, F. (1961). The estimation of the dispersion of windborne material. Meteorological
Magazine 90, 33-49: the stability table and its footnotes, as reproduced by NOAA ARL,
"Pasquill Stability Classes" (READY tools), with the sigma-theta of each class.
NOAA Global Monitoring Laboratory, "General Solar Position Calculations" (after Spencer,
J.W. 1971, Fourier series representation of the position of the sun, Search 2(5), 172).
"""

import numpy as np

STABILITY_CLASSES = ("A", "B", "C", "D", "E", "F")
# Standard deviation of the horizontal wind direction per class [deg] (NOAA ARL table).
SIGMA_THETA_DEG = {"A": 25.0, "B": 20.0, "C": 15.0, "D": 10.0, "E": 5.0, "F": 2.5}

# Pasquill (1961), as published: rows by 10 m wind speed (< 2, 2-3, 3-5, 5-6, > 6 m/s);
# columns day insolation strong / moderate / slight, night > 4/8 low cloud / <= 4/8 cloud.
_WIND_EDGES = (2.0, 3.0, 5.0, 6.0)
PASQUILL_TABLE = (
    ("A", "A-B", "B", "E", "F"),
    ("A-B", "B", "C", "E", "F"),
    ("B", "B-C", "C", "D", "E"),
    ("C", "C-D", "D", "D", "D"),
    ("C", "D", "D", "D", "D"),
)
# Insolation bands by solar elevation. Pasquill's footnote: strong insolation is sunny
# midday in midsummer in England (the sun near 61 deg), slight the same in midwinter
# (near 15 deg); we take strong above 60 deg, slight below 35 deg, moderate between.
STRONG_ELEVATION_DEG = 60.0
SLIGHT_ELEVATION_DEG = 35.0
CLOUD_LIMIT_OKTAS = 4  # "> 4/8 low cloud" at night; by day it lowers insolation one band
R_GAS = 8.314462618  # J/(mol K), CODATA 2018
MOLAR_MASS_AIR = 0.0289647  # kg/mol, dry air (US Standard Atmosphere 1976)


def sun_elevation_deg(lon_deg, lat_deg, t_utc_s):
    """Elevation of the sun's centre above the horizon [deg], no refraction.

    Parameters
    ----------
    lon_deg, lat_deg : array_like
        Longitude (east positive) and latitude. [deg]
    t_utc_s : array_like
        Time as POSIX seconds, UTC. [s]

    References
    ----------
    NOAA GML "General Solar Position Calculations" (Spencer 1971 Fourier series for the
    declination and the equation of time).
    """
    t = np.asarray(t_utc_s, dtype=float)
    if np.any(~np.isfinite(t)):
        raise ValueError("time must be finite")
    seconds = np.floor(t).astype("int64").astype("datetime64[s]")
    year = seconds.astype("datetime64[Y]")
    day0 = year.astype("datetime64[D]")
    year_days = ((year + 1).astype("datetime64[D]") - day0).astype(float)
    day_of_year = (seconds.astype("datetime64[D]") - day0).astype(float) + 1.0
    hour = np.mod(t, 86400.0) / 3600.0
    gamma = 2.0 * np.pi / year_days * (day_of_year - 1.0 + (hour - 12.0) / 24.0)
    eqtime = 229.18 * (
        0.000075
        + 0.001868 * np.cos(gamma)
        - 0.032077 * np.sin(gamma)
        - 0.014615 * np.cos(2 * gamma)
        - 0.040849 * np.sin(2 * gamma)
    )
    decl = (
        0.006918
        - 0.399912 * np.cos(gamma)
        + 0.070257 * np.sin(gamma)
        - 0.006758 * np.cos(2 * gamma)
        + 0.000907 * np.sin(2 * gamma)
        - 0.002697 * np.cos(3 * gamma)
        + 0.00148 * np.sin(3 * gamma)
    )
    true_solar_minutes = hour * 60.0 + eqtime + 4.0 * np.asarray(lon_deg, dtype=float)
    hour_angle = np.radians(true_solar_minutes / 4.0 - 180.0)
    lat = np.radians(np.asarray(lat_deg, dtype=float))
    sine = np.sin(lat) * np.sin(decl) + np.cos(lat) * np.cos(decl) * np.cos(hour_angle)
    return np.degrees(np.arcsin(np.clip(sine, -1.0, 1.0)))[()]


def pasquill_stability(
    wind_speed_m_s: float, lon_deg: float, lat_deg: float, t_utc_s: float, cloud_oktas: float
) -> str:
    """Pasquill stability class A-F from the 10 m wind speed, the time and the cloud cover.

    Night runs from one hour before sunset to one hour after sunrise; in the hour before
    and after it, and under overcast skies (8/8), the class is D (Pasquill's footnotes).
    By day the insolation band comes from the sun's elevation, lowered one band when more
    than half the sky is clouded.

    Parameters
    ----------
    wind_speed_m_s : float
        Wind speed at 10 m. [m/s]
    lon_deg, lat_deg : float
        Where. [deg]
    t_utc_s : float
        When, POSIX seconds UTC. [s]
    cloud_oktas : float
        Cloud cover, 0 (clear) to 8 (overcast). [oktas]
    """
    if not np.isfinite(wind_speed_m_s) or wind_speed_m_s < 0:
        raise ValueError(f"wind speed must be 0 m/s or more, got {wind_speed_m_s}")
    if not 0 <= cloud_oktas <= 8:
        raise ValueError(f"cloud cover must be 0 to 8 oktas, got {cloud_oktas}")
    row = PASQUILL_TABLE[int(np.searchsorted(_WIND_EDGES, wind_speed_m_s, side="right"))]
    if cloud_oktas >= 8:
        return "D"
    hour = 3600.0

    def sun(dt):
        return float(sun_elevation_deg(lon_deg, lat_deg, t_utc_s + dt))

    if sun(hour) <= 0.0 or sun(-hour) <= 0.0:  # within an hour of the sun being down
        cell = row[3 if cloud_oktas > CLOUD_LIMIT_OKTAS else 4]
    elif sun(2 * hour) <= 0.0 or sun(-2 * hour) <= 0.0:
        cell = "D"
    else:
        elevation = sun(0.0)
        band = (
            0 if elevation > STRONG_ELEVATION_DEG else 1 if elevation >= SLIGHT_ELEVATION_DEG else 2
        )
        if cloud_oktas > CLOUD_LIMIT_OKTAS:
            band = min(band + 1, 2)
        cell = row[band]
    # where the table gives two classes (A-B, ...) take the more stable one: it gives the
    # higher ground-level concentrations downwind
    return cell[-1]


def air_density(temperature_k, pressure_pa=101325.0):
    """Dry air density [kg/m3] by the ideal gas law."""
    return np.asarray(pressure_pa) * MOLAR_MASS_AIR / (R_GAS * np.asarray(temperature_k))
