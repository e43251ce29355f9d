"""Dispersion coefficients (sigmas) of passive Gaussian plumes and puffs.

Plume sigmas are Briggs' (1973) formulas for open country (``terrain='rural'``) and for
cities (``terrain='urban'``), as tabulated by Boubel et al. (1994) Tables 19-6 and 19-7
(there credited to Gifford).
They describe concentrations averaged over about 10 minutes (600 s, the sampling time of
the Pasquill-Gifford curves); ``averaging_time_factor`` rescales sigma_y for other times.

Puff sigmas (instantaneous releases) take either the plume sigmas at the puff's travel
distance (``'briggs-1973'``) or the CCPS (1999) puff correlations (``'ccps-1999'``).

References
----------
Briggs, G.A. (1973). Diffusion estimation for small emissions. ATDL contribution
    No. 79, NOAA Air Resources Atmospheric Turbulence and Diffusion Laboratory.
Boubel, R.W., Fox, D.L., Turner, D.B., Stern, A.C. (1994). Fundamentals of Air
    Pollution, 3rd ed., Academic Press, ch. 19, Tables 19-6 (urban) and 19-7 (rural),
    p. 305.
Griffiths, R.F. (1994). Errors in the use of the Briggs parameterization for
    atmospheric dispersion coefficients. Atmospheric Environment 28, 2861-2865.
CCPS (1999). Guidelines for Consequence Analysis of Chemical Releases. AIChE, New York,
    puff dispersion coefficients (ch. 2.3).
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

STABILITY_CLASSES = ("A", "B", "C", "D", "E", "F")
TERRAINS = ("rural", "urban")
PUFF_SIGMA_MODELS = ("briggs-1973", "ccps-1999")

#: Averaging time the Pasquill-Gifford and Briggs curves stand for: 10 minutes ("sampling
#: time of 10 minutes", U. Washington CEE 490 notes on plume dispersion coefficients,
#: courses.washington.edu/cee490/DISPCOEF4WP.htm). [s]
BASE_AVERAGING_TIME_S = 600.0
#: Exponent p of sigma_y ~ t_avg**p (Gifford 1975; Turner 1994 workbook). [-]
AVERAGING_TIME_EXPONENT = 0.2


class BriggsCoefficients(NamedTuple):
    """Constants of sigma_y = a_y x (1 + b_y x)^-1/2 and sigma_z = a_z x (1 + b_z x)^p_z.

    ``p_z`` is one of 0, -1/2, -1 or +1/2 (Boubel et al. 1994, Tables 19-6 and 19-7).
    """

    a_y: float
    b_y: float
    a_z: float
    b_z: float
    p_z: float


# Boubel et al. (1994) Table 19-7, "Rural dispersion parameters by Briggs"; the same
# constants are quoted for AQ/T 3046 second-hand.
_RURAL = {
    "A": BriggsCoefficients(0.22, 0.0001, 0.20, 0.0, 0.0),
    "B": BriggsCoefficients(0.16, 0.0001, 0.12, 0.0, 0.0),
    "C": BriggsCoefficients(0.11, 0.0001, 0.08, 0.0002, -0.5),
    "D": BriggsCoefficients(0.08, 0.0001, 0.06, 0.0015, -0.5),
    "E": BriggsCoefficients(0.06, 0.0001, 0.03, 0.0003, -1.0),
    "F": BriggsCoefficients(0.04, 0.0001, 0.016, 0.0003, -1.0),
}
# Boubel et al. (1994) Table 19-6, "Urban dispersion parameters by Briggs": A and B share
# a row, so do E and F. The A-B sigma_z exponent is +1/2 there; some secondary copies
# print -1/2 (Griffiths 1994 reviews such copying errors in Briggs' table).
_URBAN_AB = BriggsCoefficients(0.32, 0.0004, 0.24, 0.001, 0.5)
_URBAN_EF = BriggsCoefficients(0.11, 0.0004, 0.08, 0.0015, -0.5)
_URBAN = {
    "A": _URBAN_AB,
    "B": _URBAN_AB,
    "C": BriggsCoefficients(0.22, 0.0004, 0.20, 0.0, 0.0),
    "D": BriggsCoefficients(0.16, 0.0004, 0.14, 0.0003, -0.5),
    "E": _URBAN_EF,
    "F": _URBAN_EF,
}
_BRIGGS = {"rural": _RURAL, "urban": _URBAN}

# CCPS (1999) puff coefficients, sigma = a x^b with x the travel distance in m, for
# sigma_x = sigma_y and sigma_z (as transcribed from CCPS 1999 in GasDispersion.jl,
# src/utils/equation_sets/ccps.jl; values from Slade 1968).
_CCPS_PUFF = {
    "A": (0.18, 0.92, 0.60, 0.75),
    "B": (0.14, 0.92, 0.53, 0.73),
    "C": (0.10, 0.92, 0.34, 0.71),
    "D": (0.06, 0.92, 0.15, 0.70),
    "E": (0.04, 0.92, 0.10, 0.65),
    "F": (0.02, 0.89, 0.05, 0.61),
}


def check_stability(stability: str) -> str:
    """Return the Pasquill class in upper case, or raise ValueError listing valid ones."""
    key = str(stability).strip().upper()
    if key not in STABILITY_CLASSES:
        raise ValueError(
            f"unknown stability class {stability!r}; valid: {', '.join(STABILITY_CLASSES)}"
        )
    return key


def check_terrain(terrain: str) -> str:
    """Return the terrain name, or raise ValueError listing the valid ones."""
    if terrain not in TERRAINS:
        raise ValueError(f"unknown terrain {terrain!r}; valid: {', '.join(TERRAINS)}")
    return terrain


def briggs_coefficients(stability: str, terrain: str = "rural") -> BriggsCoefficients:
    """Constants of the Briggs (1973) sigma curves for one class and terrain.

    Parameters
    ----------
    stability : str
        Pasquill stability class, 'A' (very unstable) to 'F' (moderately stable). [-]
    terrain : str, default 'rural'
        'rural' (open country) or 'urban'. [-]

    Returns
    -------
    BriggsCoefficients
        a_y [-], b_y [1/m], a_z [-], b_z [1/m], p_z [-].

    References
    ----------
    Boubel et al. (1994), Fundamentals of Air Pollution, 3rd ed., Tables 19-6 and 19-7.
    """
    return _BRIGGS[check_terrain(terrain)][check_stability(stability)]


def _distance(x, name: str) -> np.ndarray:
    x = np.asarray(x, dtype=float)
    if not np.all(np.isfinite(x)):
        raise ValueError(f"{name} must be finite (got NaN or inf)")
    if np.any(x < 0):
        raise ValueError(f"{name} must be >= 0 m")
    return x


def briggs_sigmas(x, stability: str, terrain: str = "rural"):
    """Plume sigma_y and sigma_z by Briggs (1973) as functions of downwind distance.

    The curves were fitted for 100 m <= x <= 10 km; outside that range they are
    extrapolated as written. They stand for about 10-minute averages
    (``BASE_AVERAGING_TIME_S``).

    Parameters
    ----------
    x : array_like
        Downwind distance from the source, >= 0. [m]
    stability : str
        Pasquill stability class 'A'..'F'. [-]
    terrain : str, default 'rural'
        'rural' (open country) or 'urban'. [-]

    Returns
    -------
    sigma_y, sigma_z : numpy.ndarray
        Crosswind and vertical standard deviations of the plume, shaped like x. [m]

    Raises
    ------
    ValueError
        Negative or non-finite x, unknown stability class or terrain.

    References
    ----------
    Briggs (1973), ATDL contribution No. 79; Boubel, Fox, Turner & Stern (1994),
    Fundamentals of Air Pollution, 3rd ed., Table 19-6 (urban) and Table 19-7 (rural),
    p. 305.
    """
    c = briggs_coefficients(stability, terrain)
    x = _distance(x, "downwind distance x")
    sigma_y = c.a_y * x / np.sqrt(1.0 + c.b_y * x)
    sigma_z = c.a_z * x * (1.0 + c.b_z * x) ** c.p_z
    return sigma_y, sigma_z


def averaging_time_factor(averaging_time_s) -> float:
    """Factor on sigma_y for an averaging time other than the curves' 600 s.

    sigma_y(t_avg) = sigma_y(600 s) * (t_avg / 600 s) ** 0.2; sigma_z is left unchanged.
    Concentrations on the plume axis then scale as (t_avg / 600 s) ** -0.2.

    Parameters
    ----------
    averaging_time_s : float
        Averaging (exposure) time of the wanted concentration, > 0. [s]

    Returns
    -------
    float
        Multiplier on sigma_y. [-]

    Notes
    -----
    The power law with exponent 0.2 is the sampling-time adjustment usually credited to
    Turner and Gifford; the primary texts were not at hand when this was written, so
    check the exponent against them before relying on it for regulatory work.

    References
    ----------
    Turner, D.B. (1994). Workbook of Atmospheric Dispersion Estimates, 2nd ed., Lewis
    Publishers (sampling-time adjustment of concentrations).
    Gifford, F.A. (1975). Atmospheric dispersion models for environmental pollution
    applications. In: Lectures on Air Pollution and Environmental Impact Analyses, AMS.
    """
    t = float(averaging_time_s)
    if not math.isfinite(t) or t <= 0:
        raise ValueError(f"averaging time must be a positive number of seconds, got {t}")
    return (t / BASE_AVERAGING_TIME_S) ** AVERAGING_TIME_EXPONENT


def puff_sigmas(travel, stability: str, terrain: str = "rural", model: str = "briggs-1973"):
    """Sigmas of an instantaneous Gaussian puff after a travel distance.

    Both models take sigma_x = sigma_y (the puff is round in plan), so its orientation
    does not matter when the wind turns.

    Parameters
    ----------
    travel : array_like
        Path length the puff centre has travelled since release, >= 0. [m]
    stability : str
        Pasquill stability class 'A'..'F'. [-]
    terrain : str, default 'rural'
        'rural' or 'urban'; used by 'briggs-1973' only. [-]
    model : str, default 'briggs-1973'
        'briggs-1973': the plume sigmas of ``briggs_sigmas`` at the travel distance, so a
        train of puffs from a steady source reproduces the 10-minute plume.
        'ccps-1999': the CCPS puff correlations sigma = a x^b (Slade 1968), narrower
        than the plume because they exclude plume meander.

    Returns
    -------
    sigma_xy, sigma_z : numpy.ndarray
        Horizontal (along- and crosswind) and vertical standard deviations. [m]

    References
    ----------
    Briggs (1973) as in ``briggs_sigmas``; CCPS (1999), Guidelines for Consequence
    Analysis of Chemical Releases, puff dispersion coefficients (ch. 2.3), after Slade,
    D.H. (1968), Meteorology and Atomic Energy, USAEC.
    """
    if model == "briggs-1973":
        return briggs_sigmas(travel, stability, terrain)
    if model == "ccps-1999":
        check_terrain(terrain)
        a_y, b_y, a_z, b_z = _CCPS_PUFF[check_stability(stability)]
        travel = _distance(travel, "travel distance")
        return a_y * travel**b_y, a_z * travel**b_z
    raise ValueError(f"unknown puff sigma model {model!r}; valid: {', '.join(PUFF_SIGMA_MODELS)}")
