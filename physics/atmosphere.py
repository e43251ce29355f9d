"""The surface layer a cloud travels in: Monin-Obukhov length from the Pasquill class and
the roughness, friction velocity, and the wind profile.

Every function is vectorised over its arguments (a stability class may be an array of
letters) and takes SI values: heights and lengths in m, speeds in m/s.

References
----------
Businger, J.A., Wyngaard, J.C., Izumi, Y., Bradley, E.F. (1971). Flux-profile relationships
    in the atmospheric surface layer. J. Atmos. Sci. 28, 181-189 (the stability functions
    with von Karman constant 0.35).
Paulson, C.A. (1970). The mathematical representation of wind speed and temperature
    profiles in the unstable atmospheric surface layer. J. Appl. Meteorol. 9, 857-861 (the
    profile integrated from z0, psi_m(z0/L) kept; ``_profile``).
Golder, D. (1972). Relations among stability parameters in the surface layer.
    Boundary-Layer Meteorology 3, 47-58: the Monin-Obukhov length of each Pasquill class as
    a function of roughness, in the power-law form L = a z0^b used by DEGADIS 2.1 (Spicer,
    T.O., Havens, J.A. 1989, User's guide for the DEGADIS 2.1 dense gas dispersion model,
    EPA-450/4-89-019, routine ATMDEF; constants read in its public Python port degadisx).
"""

import csv
import math
from functools import cache
from pathlib import Path

import numpy as np

from physics.sigmas import STABILITY_CLASSES

#: von Karman constant of the Businger et al. (1971) profiles. [-]
VON_KARMAN = 0.35
#: Reference height of the wind speeds people give (synoptic 10 m wind). [m]
REFERENCE_HEIGHT_M = 10.0
_SQRT_PI_2 = math.sqrt(math.pi / 2.0)
# L = a z0^b per class (DEGADIS 2.1 ATMDEF, after Golder 1972); D is neutral (1/L = 0).
_GOLDER = {
    "A": (-11.43, 0.103),
    "B": (-25.98, 0.171),
    "C": (-123.4, 0.304),
    "D": (np.inf, 0.0),
    "E": (123.4, 0.304),
    "F": (25.98, 0.171),
}
#: Land use of a chemical park in the Davenport-Wieringa classification (data/roughness.csv).
PARK_LAND_USE = "closed"
#: Range of roughness lengths over which the relations are used (Golder's data span
#: about 1 mm to 1 m; a park of tanks and pipe racks sits near the top). [m]
ROUGHNESS_RANGE_M = (1e-5, 3.0)


def check_roughness(z0_m):
    """Return z0 as an array, or raise ValueError when it is not a length in range."""
    try:
        z0 = np.asarray(z0_m, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"surface roughness must be a length in m, got {z0_m!r}") from None
    lo, hi = ROUGHNESS_RANGE_M
    if not np.all(np.isfinite(z0)) or np.any((z0 < lo) | (z0 > hi)):
        raise ValueError(
            f"surface roughness z0 must be between {lo:g} m and {hi:g} m, got {z0_m!r}"
        )
    return z0


def check_obukhov_length(length_m):
    """Return a measured Monin-Obukhov length L [m] as a float, or raise ValueError when it
    is not a finite length other than 0 (negative: unstable, positive: stable; a neutral
    surface layer is a large |L|, e.g. 1e6 m)."""
    try:
        value = float(length_m)
    except (TypeError, ValueError):
        raise ValueError(f"Obukhov length must be a length in m, got {length_m!r}") from None
    if not math.isfinite(value) or value == 0.0:
        raise ValueError(
            f"Obukhov length must be a finite length other than 0 m (negative unstable, "
            f"positive stable), got {length_m!r}"
        )
    return value


def inverse_obukhov_length(stability, z0_m):
    """1/L for a Pasquill class over a surface of roughness z0.

    Parameters
    ----------
    stability : str or array_like of str
        Pasquill class 'A'..'F'. [-]
    z0_m : array_like
        Surface roughness length. [m]

    Returns
    -------
    numpy.ndarray
        Inverse Monin-Obukhov length, negative unstable, 0 neutral, positive stable. [1/m]

    References
    ----------
    Golder (1972), as the power law L = a z0^b of DEGADIS 2.1 ATMDEF (Spicer & Havens 1989).
    """
    z0 = check_roughness(z0_m)
    s = np.asarray(stability)
    bad = ~np.isin(s, STABILITY_CLASSES)
    if np.any(bad):
        raise ValueError(
            f"unknown stability class {s[bad].flat[0]!r}; valid: {', '.join(STABILITY_CLASSES)}"
        )
    a = np.vectorize(lambda k: _GOLDER[k][0], otypes=[float])(s)
    b = np.vectorize(lambda k: _GOLDER[k][1], otypes=[float])(s)
    return 1.0 / (a * z0**b)


def psi_m(zeta):
    """Integrated stability function of momentum, psi_m(z/L).

    Unstable (zeta < 0): 2 ln((1+x)/2) + ln((1+x^2)/2) - 2 atan(x) + pi/2 with
    x = (1 - 15 zeta)^(1/4); stable: -4.7 zeta.

    References
    ----------
    Businger et al. (1971); Paulson (1970) integration; as in DEGADIS 2.1 PSIF.
    """
    zeta = np.asarray(zeta, dtype=float)
    x = np.sqrt(np.sqrt(1.0 - 15.0 * np.minimum(zeta, 0.0)))
    unstable = (
        2.0 * np.log((1.0 + x) / 2.0)
        + np.log((1.0 + x * x) / 2.0)
        - 2.0 * np.arctan(x)
        + np.pi / 2.0
    )
    return np.where(zeta < 0.0, unstable, -4.7 * zeta)


def friction_velocity(wind_speed_m_s, z0_m, inv_obukhov_m, reference_height_m=10.0):
    """u* from the wind at a reference height: u* = k u / (ln(z'/z0) - psi_m(z'/L) +
    psi_m(z0/L)), z' = z + z0 (``_profile``).

    Parameters
    ----------
    wind_speed_m_s : array_like
        Wind speed at the reference height, > 0. [m/s]
    z0_m : array_like
        Surface roughness. [m]
    inv_obukhov_m : array_like
        1/L. [1/m]
    reference_height_m : float, default 10
        Height of the given wind. [m]

    Returns
    -------
    numpy.ndarray
        Friction velocity. [m/s]

    References
    ----------
    Businger et al. (1971) log-linear profile; DEGADIS 2.1 ALPH (Spicer & Havens 1989).
    """
    return (
        VON_KARMAN
        * np.asarray(wind_speed_m_s, dtype=float)
        / _profile(reference_height_m, z0_m, inv_obukhov_m)
    )


def wind_speed(z_m, friction_velocity_m_s, z0_m, inv_obukhov_m):
    """Wind speed at height z on the Monin-Obukhov profile [m/s] (Businger et al. 1971).

    u(z) = u*/k (ln(z'/z0) - psi_m(z'/L) + psi_m(z0/L)), z' = z + z0 (``_profile``).
    """
    return (
        np.asarray(friction_velocity_m_s, dtype=float)
        / VON_KARMAN
        * _profile(np.maximum(np.asarray(z_m, dtype=float), 0.0), z0_m, inv_obukhov_m)
    )


def _profile(z, z0_m, inv_obukhov_m):
    """k u(z) / u*: ln(z'/z0) - psi_m(z'/L) + psi_m(z0/L) at the displaced height z' = z + z0
    (Paulson 1970, integrated from z0; DEGADIS 2.1's displacement, u = 0 at the ground). In
    neutral and stable air (psi_m linear) it is DEGADIS 2.1's ln(z'/z0) - psi_m(z/L);
    in unstable air DEGADIS drops psi_m(z0/L), which needs z0 << |L|."""
    il = np.asarray(inv_obukhov_m, dtype=float)
    zd = z + z0_m
    return np.log(zd / z0_m) - psi_m(zd * il) + psi_m(z0_m * il)


def wind_speed_of_one(friction_velocity_m_s: float, z0_m: float, inv_obukhov_m: float):
    """``wind_speed`` of one release on Python floats: a function of the height z [m]."""
    scale = friction_velocity_m_s / VON_KARMAN

    def psi(zeta: float) -> float:
        if zeta < 0.0:
            x = math.sqrt(math.sqrt(1.0 - 15.0 * zeta))
            return (
                2.0 * math.log((1.0 + x) / 2.0)
                + math.log((1.0 + x * x) / 2.0)
                - 2.0 * math.atan(x)
                + math.pi / 2.0
            )
        return -4.7 * zeta

    at_z0 = psi(z0_m * inv_obukhov_m)

    def speed(z: float) -> float:
        zd = max(z, 0.0) + z0_m
        return scale * (math.log(zd / z0_m) - psi(zd * inv_obukhov_m) + at_z0)

    return speed


def roughness_for(land_use: str) -> float:
    """Roughness length of a land-use class of the Davenport-Wieringa classification [m]
    (``data/roughness.csv``, each row with its source); a chemical park is 'closed'
    (1 m)."""
    table = _roughness_table()
    if land_use not in table:
        raise ValueError(f"unknown land use {land_use!r}; valid: {', '.join(table)}")
    return table[land_use]


@cache
def _roughness_table() -> dict[str, float]:
    with open(Path(__file__).parent / "data" / "roughness.csv", newline="") as fh:
        return {r["land_use"]: float(r["z0_m"]) for r in csv.DictReader(fh)}


#: Businger et al. (1971) phi_h: 0.74 (1 - 9 z/L)^-1/2 unstable, 0.74 + 4.7 z/L stable.
_PHI_H = (0.74, 9.0, 4.7)


#: the table of <dK/dz> / (k u*) over the half-Gaussian against sigma_z / L: its nodes are
#: uniform in asinh(sigma_z / (L _TABLE_SCALE)) over |sigma_z / L| <= 1e5, fine near 0
#: where the stable and unstable branches meet (``_mean_gradient_table``)
_TABLE_SCALE = 0.01
_TABLE_SPAN = math.asinh(1e5 / _TABLE_SCALE)
_TABLE_N = 2001
_TABLE_STEP = 2.0 * _TABLE_SPAN / (_TABLE_N - 1)


@cache
def _mean_gradient_table() -> tuple[np.ndarray, tuple[float, ...]]:
    """<g> = <dK/dz> / (k u*) over the half-Gaussian of standard deviation sigma_z, at
    sigma_z / L = _TABLE_SCALE sinh of a uniform grid (``_TABLE_*``), by the trapezoidal
    rule in log z from 1e-14 sigma_z to 40 sigma_z (850 nodes; the integrand is smooth in
    log z, so the rule is within 1e-6 of adaptive quadrature out to sigma_z = 1e5 L, the
    stable mean's scale there being 1e-5 sigma_z), divided by the same rule's
    integral of the weight; interpolated linearly, within 1e-4 of adaptive quadrature
    (tests). g = p0 / phi_h^2 when stable, (1 - 1.5 a_u zeta) / (p0 sqrt(1 - a_u zeta))
    when unstable (``_PHI_H``, zeta = z / L). A table, not a Gauss rule over the weight:
    the stable g falls as z^-2 within a cloud deeper than L, and 5 to 8 nodes of such a
    rule leave the mean 2-60 % high at sigma_z = L to 50 L."""
    log_t = np.linspace(math.log(1e-14), math.log(40.0), 850)
    t = np.exp(log_t)
    weight = np.exp(-0.5 * t * t) * t  # the half-Gaussian times dz / d(log z)
    ratio = _TABLE_SCALE * np.sinh(np.linspace(-_TABLE_SPAN, _TABLE_SPAN, _TABLE_N))
    p0, a_u, a_s = _PHI_H
    zeta = ratio[:, None] * t[None, :]
    g = np.empty_like(zeta)
    up, down = ratio >= 0.0, ratio < 0.0
    g[up] = p0 / (p0 + a_s * zeta[up]) ** 2
    zu = zeta[down]
    g[down] = (1.0 - 1.5 * a_u * zu) / (p0 * np.sqrt(1.0 - a_u * zu))
    mean = np.trapezoid(g * weight, log_t, axis=1) / np.trapezoid(weight, log_t)
    return mean, tuple(float(m) for m in mean)


def vertical_spread_rate(sigma_z_m, friction_velocity_m_s, inv_obukhov_m):
    """Growth rate d(sigma_z)/dt of a cloud on the ground in the surface layer [m/s].

    The cloud diffuses with the eddy diffusivity of heat of Monin-Obukhov similarity,
    K(z) = k u* z / phi_h(z/L) (Businger et al. 1971, k = 0.35, phi_h as in ``_PHI_H``).
    With no flux through the ground and K(0) = 0 its mean height obeys, whatever the shape
    of its profile,

        d<z>/dt = <dK/dz>

    (the diffusion equation times z, integrated by parts twice; van Ulden 1978, whose
    Prairie Grass analysis follows the mean height). The model's profile is the
    half-Gaussian of standard deviation sigma_z, <z> = sqrt(2/pi) sigma_z, so

        d sigma_z / dt = sqrt(pi/2) k u* <g(z/L)>,  g = dK/dz / (k u*)

    with <.> the mean over the half-Gaussian, a function of sigma_z / L alone, tabulated
    once (``_mean_gradient_table``): exact when neutral (d sigma_z/dt = sqrt(pi/2) k u* /
    0.74 = 0.59 u*), within 1e-4 otherwise (tests). The Gaussian is fitted to the mean
    height rather than to the second moment (d<z^2>/dt = 2 <d(z K)/dz>, which gave
    2 sqrt(2/pi) k u* / 0.74 = 0.76 u* when neutral): K-diffusion's own profile, for K
    linear in z and a wind growing as z^alpha, is exp(-(z/a)^s) with s = 1 + alpha
    (Roberts's solution, Pasquill & Smith 1983 ch. 3; DEGADIS's profile), and for
    alpha 0.15-0.45 a Gaussian fitted to its mean height gives a ground concentration
    1.17-1.39x too low, fitted to its second moment 1.22-1.51x: the mean height is the
    moment the ground concentration depends on least through the shape. The roughness
    enters through u* and, downwind, through the wind that carries the cloud; the
    stability through L. No constant beyond the similarity functions. Valid in the
    surface layer: the integral model bounds it by the Briggs (1973) growth
    (``physics.integral_plume``).

    Parameters
    ----------
    sigma_z_m : array_like
        Vertical standard deviation of the cloud. [m]
    friction_velocity_m_s : array_like
        u*. [m/s]
    inv_obukhov_m : array_like
        1/L. [1/m]

    Returns
    -------
    numpy.ndarray
        d sigma_z / dt. [m/s]

    References
    ----------
    Businger et al. (1971) flux-profile relations (phi_h); van Ulden, A.P. (1978). Simple
    estimates for vertical diffusion from sources near the ground. Atmospheric
    Environment 12, 2125-2129 (the mean height's growth); the moments of K-diffusion,
    e.g. Pasquill, F., Smith, F.B. (1983), Atmospheric Diffusion, 3rd ed., ch. 3.
    """
    s = np.asarray(sigma_z_m, dtype=float)
    il = np.asarray(inv_obukhov_m, dtype=float)
    table = _mean_gradient_table()[0]
    pos = (
        np.clip(np.arcsinh(s * il / _TABLE_SCALE), -_TABLE_SPAN, _TABLE_SPAN) + _TABLE_SPAN
    ) / _TABLE_STEP
    known = np.isfinite(pos)  # a NaN sigma_z or 1/L stays NaN
    k = np.minimum(np.where(known, pos, 0.0).astype(int), _TABLE_N - 2)
    f = pos - k
    mean = table[k] * (1.0 - f) + table[k + 1] * f
    return VON_KARMAN * np.asarray(friction_velocity_m_s, dtype=float) * _SQRT_PI_2 * mean


def vertical_spread_rate_of_one(ustar: float, inv_l: float):
    """``vertical_spread_rate`` of one release on Python floats: a function of sigma_z."""
    scale = VON_KARMAN * ustar * _SQRT_PI_2
    if inv_l == 0.0:
        neutral = scale / _PHI_H[0]
        return lambda s: neutral
    table = _mean_gradient_table()[1]
    span, step, last, scale_l = _TABLE_SPAN, _TABLE_STEP, _TABLE_N - 2, _TABLE_SCALE

    def rate(s: float) -> float:
        arg = math.asinh(s * inv_l / scale_l)
        if arg != arg:  # NaN stays NaN
            return math.nan
        pos = (min(max(arg, -span), span) + span) / step
        k = min(int(pos), last)
        f = pos - k
        return scale * (table[k] * (1.0 - f) + table[k + 1] * f)

    return rate


def stable_buoyancy(z_m, reference_m, friction_velocity_m_s, z0_m, inv_obukhov_m):
    """g (theta(z) - theta(z_ref)) / T: how much lighter the air at height z is than air
    brought there adiabatically from ``reference_m``, as an acceleration [m/s2], from
    Businger et al.'s (1971) stable temperature profile, theta(z) - theta(z_ref) =
    (theta* / k) (0.74 ln(z / z_ref) + 4.7 (z - z_ref) / L), theta* = u*^2 T / (k g L).

    In stable air (1/L > 0) it grows with height (a buoyant plume rising into it loses its
    buoyancy: Briggs's stable plume rise); 0 in neutral and unstable air, whose mixed layer
    is taken as neutral. Heights below z0 are taken at z0.
    """
    zc = np.maximum(np.asarray(z_m, dtype=float), z0_m)
    rc = np.maximum(np.asarray(reference_m, dtype=float), z0_m)
    il = np.maximum(np.asarray(inv_obukhov_m, dtype=float), 0.0)
    a, _, b = _PHI_H
    scale = np.asarray(friction_velocity_m_s, dtype=float) ** 2 / VON_KARMAN**2 * il
    return scale * (a * np.log(zc / rc) + b * (zc - rc) * il)


def stable_buoyancy_of_one(
    reference_m: float, friction_velocity_m_s: float, z0_m: float, inv_obukhov_m: float
):
    """:func:`stable_buoyancy` on floats, as a function of the height z [m]."""
    il = max(inv_obukhov_m, 0.0)
    a, _, b = _PHI_H
    scale = friction_velocity_m_s**2 / VON_KARMAN**2 * il
    rc = max(reference_m, z0_m)

    def buoyancy(z: float) -> float:
        if scale == 0.0:
            return 0.0
        zc = max(z, z0_m)
        return scale * (a * math.log(zc / rc) + b * (zc - rc) * il)

    return buoyancy
