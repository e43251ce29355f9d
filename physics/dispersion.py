"""Passive Gaussian dispersion: the steady plume and puffs, in park coordinates.

Park coordinates are metres: x east, y north, z up from the ground. The wind direction is
where the wind blows FROM, in degrees clockwise from north, so wind from 0 deg carries the
cloud south. Rates are kg/s, masses kg, concentrations kg/m3. Sigmas come from
``physics.sigmas`` (Briggs 1973, rural or urban, Pasquill classes A-F).

Public functions
----------------
plume_from_sigmas, plume_concentration
    Continuous point source with ground reflection; the second takes receptors in park
    coordinates and evaluates millions of them per second.
puff_from_sigmas, puff_concentration, puff_train_concentration
    Instantaneous puffs, and a time-varying source as a train of puffs carried by a wind
    that changes with time; any set of points and times in one call.
PuffState
    Puffs in the air at one moment (centres, path travelled, mass), as the SimPy engine
    carries them.
plume_centreline_distance, plume_mass_between
    Downwind distance to a concentration level, and the mass of gas between two levels
    (e.g. flammable mass between LFL and UFL) in a steady plume.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
from scipy.optimize import brentq
from scipy.special import erf

from physics.sigmas import (
    BASE_AVERAGING_TIME_S,
    averaging_time_factor,
    briggs_coefficients,
    briggs_sigmas,
    puff_sigmas,
)

# Receptors are processed in blocks this long so that the temporaries stay in cache.
_CHUNK = 16384
# Downwind distances are clipped here before the sigma formulas (points with x <= 0 are
# upwind and set to zero afterwards), which keeps every intermediate finite.
_X_MIN_M = 1e-6
# Upper end of the search for a plume's reach, far beyond the 10 km of the Briggs fits.
_MAX_REACH_M = 1e6
# Puff-pair elements (receptors x puffs) held in memory at once.
_PUFF_BLOCK = 1 << 18
# exp(x) of a double is exactly 0 for x below about -745.13 (the smallest subnormal,
# 4.9e-324, is exp(-744.4)): pairs beyond this need no evaluation.
_EXP_ZERO = -750.0


def _scalar(value, name: str, *, minimum: float | None = None, strict: bool = False) -> float:
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number, got {value!r}") from None
    if not math.isfinite(v):
        raise ValueError(f"{name} must be finite, got {v}")
    if minimum is not None and (v <= minimum if strict else v < minimum):
        raise ValueError(f"{name} must be {'>' if strict else '>='} {minimum:g}, got {v:g}")
    return v


def _finite_array(value, name: str) -> np.ndarray:
    a = np.asarray(value, dtype=float)
    # One summation pass instead of isfinite + all: NaN and inf propagate into the sum.
    if a.size and not math.isfinite(float(np.add.reduce(a, axis=None))):
        raise ValueError(f"{name} must be finite (got NaN or inf)")
    return a


def _downwind_unit(wind_from_deg: float) -> tuple[float, float]:
    """East and north components of the unit vector the wind blows towards."""
    theta = math.radians(wind_from_deg)
    return -math.sin(theta), -math.cos(theta)


def plume_from_sigmas(rate, wind_speed, release_height, y, z, sigma_y, sigma_z):
    """Gaussian plume from a continuous point source, with total ground reflection.

    C = Q / (2 pi u sy sz) exp(-y^2 / 2 sy^2)
        [exp(-(z - H)^2 / 2 sz^2) + exp(-(z + H)^2 / 2 sz^2)]

    Parameters
    ----------
    rate : array_like
        Release rate Q, >= 0. [kg/s]
    wind_speed : array_like
        Mean wind speed u, > 0. [m/s]
    release_height : array_like
        Effective release height H, >= 0. [m]
    y : array_like
        Crosswind distance from the plume axis. [m]
    z : array_like
        Receptor height above ground, >= 0. [m]
    sigma_y, sigma_z : array_like
        Crosswind and vertical standard deviations at the receptor's downwind distance,
        > 0. [m]

    Returns
    -------
    numpy.ndarray
        Concentration, broadcast over all inputs. [kg/m3]

    References
    ----------
    Boubel, Fox, Turner & Stern (1994), Fundamentals of Air Pollution, 3rd ed., ch. 19,
    Eq. (19-2) (stable conditions or unlimited mixing height).
    """
    q, u, h = (np.asarray(v, dtype=float) for v in (rate, wind_speed, release_height))
    sy, sz = np.asarray(sigma_y, dtype=float), np.asarray(sigma_z, dtype=float)
    y, z = _finite_array(y, "y"), _finite_array(z, "z")
    if np.any(~(q >= 0)) or np.any(~(h >= 0)) or np.any(~(z >= 0)):
        raise ValueError("rate, release height and receptor height must be >= 0 and not NaN")
    if np.any(~(u > 0)) or np.any(~(sy > 0)) or np.any(~(sz > 0)):
        raise ValueError("wind speed and sigmas must be > 0 and not NaN")
    vertical = np.exp(-((z - h) ** 2) / (2 * sz**2)) + np.exp(-((z + h) ** 2) / (2 * sz**2))
    return q / (2 * np.pi * u * sy * sz) * np.exp(-(y**2) / (2 * sy**2)) * vertical


def plume_concentration(
    x,
    y,
    z=0.0,
    *,
    rate,
    wind_speed,
    wind_from_deg,
    stability,
    source_x=0.0,
    source_y=0.0,
    release_height=0.0,
    terrain="rural",
    averaging_time_s=BASE_AVERAGING_TIME_S,
):
    """Steady Gaussian plume concentration at receptors in park coordinates.

    Evaluates ``plume_from_sigmas`` with Briggs (1973) sigmas at each receptor's downwind
    distance, in blocks, with the sigmas folded into the exponents so that one call
    handles tens of millions of receptors per second. Receptors at or upwind of the source
    (downwind distance <= 0) get zero.

    Parameters
    ----------
    x, y : array_like
        Receptor east and north coordinates. [m]
    z : array_like, default 0
        Receptor height above ground, >= 0. [m]
    rate : float
        Release rate, >= 0. [kg/s]
    wind_speed : float
        Mean wind speed at release height, > 0. [m/s]
    wind_from_deg : float
        Direction the wind blows from, clockwise from north. [deg]
    stability : str
        Pasquill stability class 'A'..'F'. [-]
    source_x, source_y : float, default 0
        Source east and north coordinates. [m]
    release_height : float, default 0
        Effective release height, >= 0. [m]
    terrain : str, default 'rural'
        'rural' or 'urban' sigma curves. [-]
    averaging_time_s : float, default 600
        Averaging time of the concentration; sigma_y is scaled by
        ``physics.sigmas.averaging_time_factor``. [s]

    Returns
    -------
    numpy.ndarray
        Concentration with the broadcast shape of x, y and z. [kg/m3]

    References
    ----------
    Boubel et al. (1994), Fundamentals of Air Pollution, 3rd ed., Eq. (19-2) and
    Tables 19-6/19-7 (Briggs sigmas).
    """
    q = _scalar(rate, "release rate", minimum=0.0)
    u = _scalar(wind_speed, "wind speed", minimum=0.0, strict=True)
    h = _scalar(release_height, "release height", minimum=0.0)
    ex, ey = _downwind_unit(_scalar(wind_from_deg, "wind direction"))
    sx0 = _scalar(source_x, "source x")
    sy0 = _scalar(source_y, "source y")
    c = briggs_coefficients(stability, terrain)
    f = averaging_time_factor(averaging_time_s)

    x = _finite_array(x, "receptor x")
    y = _finite_array(y, "receptor y")
    z = _finite_array(z, "receptor height z")
    if z.size and float(z.min()) < 0:
        raise ValueError("receptor height z must be >= 0 m")
    shape = np.broadcast_shapes(x.shape, y.shape, z.shape)
    xf = np.broadcast_to(x, shape).ravel()
    yf = np.broadcast_to(y, shape).ravel()
    zf = float(z.flat[0]) if z.size == 1 else np.broadcast_to(z, shape).ravel()
    n = xf.size
    out = np.empty(n)
    k = _PlumeConstants(
        ex=ex,
        ey=ey,
        sx=sx0,
        sy=sy0,
        h=h,
        b_y=c.b_y,
        g=1.0 / (2.0 * (c.a_y * f) ** 2),
        b_z=c.b_z,
        p_z=c.p_z,
        hz=1.0 / (2.0 * c.a_z**2),
        pre=q / (math.pi * u),
    )
    bufs = tuple(np.empty(min(n, _CHUNK)) for _ in range(4))
    for start in range(0, n, _CHUNK):
        stop = min(start + _CHUNK, n)
        zc = zf if isinstance(zf, float) else zf[start:stop]
        _plume_block(xf[start:stop], yf[start:stop], zc, out[start:stop], k, bufs)
    return out.reshape(shape)[()]


class _PlumeConstants(NamedTuple):
    ex: float  # downwind unit vector, east [-]
    ey: float  # downwind unit vector, north [-]
    sx: float  # source east [m]
    sy: float  # source north [m]
    h: float  # release height [m]
    b_y: float  # Briggs b_y [1/m]
    g: float  # 1 / (2 (a_y f)^2) [-]
    b_z: float  # Briggs b_z [1/m]
    p_z: float  # Briggs exponent of sigma_z [-]
    hz: float  # 1 / (2 a_z^2) [-]
    pre: float  # Q / (pi u) [kg/m]


def _plume_block(px, py, z, out, k: _PlumeConstants, bufs) -> None:
    """Fill ``out`` for one block of receptors; see ``plume_concentration``.

    With gy = 1/(2 sy^2) and gz = 1/(2 sz^2), Q/(2 pi u sy sz) = Q/(pi u) sqrt(gy gz), and
    for Briggs sigmas both are rational in x, so no square root or power is needed per
    point except one sqrt for the prefactor.
    """
    n = px.size
    a, w, gy, gz = (b[:n] for b in bufs)
    np.subtract(px, k.sx, out=a)
    np.subtract(py, k.sy, out=w)
    along = out  # out is free scratch until the last step
    np.multiply(a, k.ex, out=along)
    np.multiply(w, k.ey, out=gy)
    along += gy
    cross = gz
    np.multiply(w, k.ex, out=cross)
    np.multiply(a, k.ey, out=a)
    cross -= a
    upwind = along <= 0.0
    np.maximum(along, _X_MIN_M, out=along)
    x = along
    x2 = w
    np.multiply(x, x, out=x2)
    cross *= cross  # y^2; gz buffer now holds y^2
    y2 = cross
    np.multiply(x, k.b_y, out=gy)
    gy += 1.0
    gy /= x2
    gy *= k.g
    # gz = 1/(2 sz^2) = hz (1 + b_z x)^(-2 p_z) / x^2; x is no longer needed after this.
    g2 = a
    if k.p_z == 0.0:
        np.divide(k.hz, x2, out=g2)
    else:
        np.multiply(x, k.b_z, out=g2)
        g2 += 1.0
        if k.p_z == -1.0:
            g2 *= g2
        elif k.p_z == 0.5:
            np.reciprocal(g2, out=g2)
        g2 /= x2
        g2 *= k.hz
    # exponent of the horizontal part, then the prefactor into x2
    y2 *= gy
    np.multiply(gy, g2, out=x2)
    np.sqrt(x2, out=x2)
    x2 *= k.pre
    if isinstance(z, float) and z * k.h == 0.0:
        # (z - H)^2 == (z + H)^2: both reflection terms are one exponential, twice.
        np.multiply(g2, (z + k.h) ** 2, out=gy)
        gy += y2
        np.negative(gy, out=gy)
        np.exp(gy, out=gy)
        gy *= 2.0
    else:
        np.multiply(g2, (z - k.h) ** 2, out=gy)
        gy += y2
        np.negative(gy, out=gy)
        np.exp(gy, out=gy)
        g2 *= (z + k.h) ** 2
        g2 += y2
        np.negative(g2, out=g2)
        np.exp(g2, out=g2)
        gy += g2
    np.multiply(gy, x2, out=out)
    out[upwind] = 0.0


def plume_centreline_distance(
    level,
    *,
    rate,
    wind_speed,
    stability,
    release_height=0.0,
    receptor_height=0.0,
    terrain="rural",
    averaging_time_s=BASE_AVERAGING_TIME_S,
):
    """Downwind distance at which the plume centreline concentration falls to a level.

    The centreline is y = 0 at the receptor height. The distance returned is the farthest
    one at which C(x) = level, found by Brent's method after a logarithmic scan; beyond it
    the centreline stays below the level. It is the analytic reach of a threat zone.

    Parameters
    ----------
    level : array_like
        Concentration level, > 0. [kg/m3]
    rate : float
        Release rate, >= 0. [kg/s]
    wind_speed : float
        Mean wind speed, > 0. [m/s]
    stability : str
        Pasquill stability class 'A'..'F'. [-]
    release_height : float, default 0
        Effective release height, >= 0. [m]
    receptor_height : float, default 0
        Height of the centreline looked at, >= 0. [m]
    terrain : str, default 'rural'
        'rural' or 'urban'. [-]
    averaging_time_s : float, default 600
        Averaging time of the concentration. [s]

    Returns
    -------
    numpy.ndarray
        Distance, shaped like level: 0 where the level is never reached, inf where it is
        still exceeded 1000 km downwind. [m]

    References
    ----------
    Boubel et al. (1994), Eq. (19-2) with y = 0; Brent (1973) root finding
    (scipy.optimize.brentq).
    """
    levels = _finite_array(level, "concentration level")
    if np.any(levels <= 0):
        raise ValueError("concentration level must be > 0 kg/m3")
    q = _scalar(rate, "release rate", minimum=0.0)
    u = _scalar(wind_speed, "wind speed", minimum=0.0, strict=True)
    h = _scalar(release_height, "release height", minimum=0.0)
    zr = _scalar(receptor_height, "receptor height", minimum=0.0)
    f = averaging_time_factor(averaging_time_s)

    def centreline(x):
        sy, sz = briggs_sigmas(x, stability, terrain)
        return plume_from_sigmas(q, u, h, 0.0, zr, sy * f, sz)

    xs = np.geomspace(1e-2, _MAX_REACH_M, 2401)
    cs = centreline(xs)
    out = np.empty(levels.shape)
    for i, lv in np.ndenumerate(levels):
        above = np.nonzero(cs >= lv)[0]
        if above.size == 0:
            out[i] = 0.0
        elif above[-1] == xs.size - 1:
            out[i] = np.inf
        else:
            j = above[-1]
            out[i] = brentq(
                lambda x, lv=lv: float(centreline(x)) / lv - 1.0, xs[j], xs[j + 1], rtol=1e-12
            )
    return out[()]


def plume_mass_between(
    c_low,
    c_high,
    *,
    rate,
    wind_speed,
    stability,
    release_height=0.0,
    terrain="rural",
    averaging_time_s=BASE_AVERAGING_TIME_S,
):
    """Mass of gas held where a steady plume's concentration lies between two levels.

    M = integral over x, y, z >= 0 of C where c_low <= C <= c_high, e.g. the flammable
    mass between LFL and UFL for a vapour cloud explosion. The crosswind integral is
    analytic (for a Gaussian of peak A, the part between the levels holds
    A sy sqrt(2 pi) [erf(sqrt(ln(A/c_low))) - erf(sqrt(ln(A/c_high)))]); the vertical and
    downwind integrals are trapezoidal on a grid scaled by sigma_z and on a logarithmic
    grid up to the reach of c_low.

    Parameters
    ----------
    c_low : float
        Lower concentration, > 0. [kg/m3]
    c_high : float
        Upper concentration, > c_low; ``numpy.inf`` for no upper bound. [kg/m3]
    rate : float
        Release rate, >= 0. [kg/s]
    wind_speed : float
        Mean wind speed, > 0. [m/s]
    stability : str
        Pasquill stability class 'A'..'F'. [-]
    release_height : float, default 0
        Effective release height, >= 0. [m]
    terrain : str, default 'rural'
        'rural' or 'urban'. [-]
    averaging_time_s : float, default 600
        Averaging time of the concentrations. [s]

    Returns
    -------
    float
        Mass between the two levels. [kg]

    References
    ----------
    Boubel et al. (1994), Eq. (19-2) with Briggs sigmas; the integration is ours.
    """
    lo = _scalar(c_low, "lower concentration", minimum=0.0, strict=True)
    hi = float(c_high)
    if not hi > lo:
        raise ValueError(f"upper concentration must be > lower ({lo:g} kg/m3), got {hi:g}")
    q = _scalar(rate, "release rate", minimum=0.0)
    u = _scalar(wind_speed, "wind speed", minimum=0.0, strict=True)
    h = _scalar(release_height, "release height", minimum=0.0)
    f = averaging_time_factor(averaging_time_s)
    if q == 0.0:
        return 0.0
    # Q / (pi u sy sz), the ground-level centreline value of a ground source, bounds the
    # peak of the cross-section at every x; where it is below c_low nothing counts.
    x_end = float(
        plume_centreline_distance(
            lo,
            rate=q,
            wind_speed=u,
            stability=stability,
            terrain=terrain,
            averaging_time_s=averaging_time_s,
        )
    )
    if not math.isfinite(x_end):
        raise ValueError(f"lower concentration {lo:g} kg/m3 is still exceeded 1000 km downwind")
    x = np.geomspace(x_end * 1e-6, x_end, 1500)
    sy, sz = briggs_sigmas(x, stability, terrain)
    sy = sy * f
    hn = h / sz
    zlo = np.where(hn > 9.0, hn - 9.0, 0.0)
    zeta = zlo[:, None] + ((hn + 9.0 - zlo)[:, None]) * np.linspace(0.0, 1.0, 601)
    peak = q / (2 * np.pi * u * sy * sz)
    a = peak[:, None] * (
        np.exp(-0.5 * (zeta - hn[:, None]) ** 2) + np.exp(-0.5 * (zeta + hn[:, None]) ** 2)
    )
    with np.errstate(divide="ignore"):
        r_lo = np.sqrt(np.maximum(np.log(a / lo), 0.0))
        r_hi = np.sqrt(np.maximum(np.log(a / hi), 0.0))
    band = a * (erf(r_lo) - erf(r_hi))
    per_z = np.trapezoid(band, axis=1) * (hn + 9.0 - zlo) / 600.0 * sz
    per_x = per_z * sy * math.sqrt(2 * math.pi)
    return float(np.trapezoid(per_x, x))


def puff_from_sigmas(mass, dx, dy, z, release_height, sigma_xy, sigma_z):
    """Gaussian puff, round in plan, with total ground reflection.

    C = M / ((2 pi)^(3/2) sxy^2 sz) exp(-(dx^2 + dy^2) / 2 sxy^2)
        [exp(-(z - H)^2 / 2 sz^2) + exp(-(z + H)^2 / 2 sz^2)]

    Parameters
    ----------
    mass : array_like
        Puff mass M, >= 0. [kg]
    dx, dy : array_like
        Horizontal offsets of the receptor from the puff centre. [m]
    z : array_like
        Receptor height, >= 0. [m]
    release_height : array_like
        Height H of the puff centre, >= 0. [m]
    sigma_xy, sigma_z : array_like
        Horizontal (sigma_x = sigma_y) and vertical standard deviations, > 0. [m]

    Returns
    -------
    numpy.ndarray
        Concentration, broadcast over all inputs. [kg/m3]

    References
    ----------
    CCPS (1999), Guidelines for Consequence Analysis of Chemical Releases, ch. 2.3,
    Gaussian puff with ground reflection.
    """
    sxy, sz = np.asarray(sigma_xy, dtype=float), np.asarray(sigma_z, dtype=float)
    m, h = np.asarray(mass, dtype=float), np.asarray(release_height, dtype=float)
    z = _finite_array(z, "z")
    if np.any(~(m >= 0)) or np.any(~(h >= 0)) or np.any(~(z >= 0)):
        raise ValueError("mass, release height and receptor height must be >= 0 and not NaN")
    if np.any(~(sxy > 0)) or np.any(~(sz > 0)):
        raise ValueError("puff sigmas must be > 0 and not NaN")
    s2, t2 = 2.0 * sxy**2, 2.0 * sz**2
    norm = m / ((np.pi * s2) * np.sqrt(np.pi * t2))
    vertical = np.exp(-((z - h) ** 2) / t2) + np.exp(-((z + h) ** 2) / t2)
    return norm * np.exp(-(np.square(dx) + np.square(dy)) / s2) * vertical


def _sum_puffs(rx, ry, z, ox, oy, travel, mass, h, stability, terrain, model) -> np.ndarray:
    """Sum the puffs at receptors: offset (rx + ox, ry + oy), pairs of receptors x puffs.

    ``travel`` is broadcast against (receptors, puffs); pairs with travel <= 0 (puff not
    yet released, or not yet moved) contribute nothing.

    The terms are those of ``puff_from_sigmas``, element by element, with the same
    operations in the same order, so the sums are the same to the last bit; the work is
    cut where that cannot change them: the vertical factor is computed once per puff when
    every receptor has the same height, and the horizontal exponential is not evaluated
    where its argument is below ``_EXP_ZERO`` (it would be exactly 0).
    """
    active = travel > 0.0
    sxy, sz = puff_sigmas(np.where(active, travel, 1.0), stability, terrain, model)
    m = np.asarray(mass, dtype=float)
    if np.any(~(m >= 0)) or np.any(~(np.asarray(h) >= 0)) or np.any(~(z >= 0)):
        raise ValueError("mass, release height and receptor height must be >= 0 and not NaN")
    if np.any(~(sxy > 0)) or np.any(~(sz > 0)):
        raise ValueError("puff sigmas must be > 0 and not NaN")
    s2, t2 = 2.0 * sxy**2, 2.0 * sz**2
    norm = m / ((np.pi * s2) * np.sqrt(np.pi * t2))
    if z.size and np.all(z == z.flat[0]):
        z = z.reshape(-1)[:1]
    vertical = np.exp(-((z - h) ** 2) / t2) + np.exp(-((z + h) ** 2) / t2)
    q = np.add(rx[:, None], ox)
    np.square(q, out=q)
    c = np.add(ry[:, None], oy)
    np.square(c, out=c)
    q += c
    np.negative(q, out=q)
    q /= s2
    c.fill(0.0)
    # where norm is not finite, 0 * norm is not 0: every pair is evaluated then
    np.exp(q, out=c, where=q >= _EXP_ZERO if np.all(np.isfinite(norm)) else True)
    c *= norm
    c *= vertical
    if not np.all(active):
        c = np.where(active, c, 0.0)
    return c.sum(axis=1)


def _receptors(x, y, z, *extra):
    arrays = [_finite_array(v, n) for v, n in ((x, "receptor x"), (y, "receptor y"))]
    zz = _finite_array(z, "receptor height z")
    if zz.size and float(zz.min()) < 0:
        raise ValueError("receptor height z must be >= 0 m")
    arrays += [zz, *extra]
    shape = np.broadcast_shapes(*(a.shape for a in arrays))
    return shape, [np.broadcast_to(a, shape).ravel() for a in arrays]


class _WindTrack(NamedTuple):
    """Cumulative displacement and path length of an air parcel under a stepped wind."""

    times: np.ndarray
    east: np.ndarray  # displacement at each time [m]
    north: np.ndarray
    path: np.ndarray  # path length at each time [m]
    v_east: np.ndarray  # velocity held from each time to the next [m/s]
    v_north: np.ndarray
    speed: np.ndarray

    @classmethod
    def build(cls, wind_times, wind_speeds, wind_from_deg) -> _WindTrack:
        t = _finite_array(wind_times, "wind times").ravel()
        s = _finite_array(wind_speeds, "wind speeds").ravel()
        d = np.radians(_finite_array(wind_from_deg, "wind directions")).ravel()
        if not t.size == s.size == d.size or t.size == 0:
            raise ValueError("wind times, speeds and directions need the same length >= 1")
        if np.any(np.diff(t) <= 0):
            raise ValueError("wind times must be strictly increasing")
        if np.any(s < 0):
            raise ValueError("wind speeds must be >= 0 m/s")
        ve, vn = -s * np.sin(d), -s * np.cos(d)
        dt = np.diff(t)

        def integral(v):
            return np.concatenate(([0.0], np.cumsum(v[:-1] * dt)))

        return cls(t, integral(ve), integral(vn), integral(s), ve, vn, s)

    def at(self, t: np.ndarray):
        """Displacement east, north and path length at times t (wind held after the last
        sample)."""
        k = np.clip(np.searchsorted(self.times, t, side="right") - 1, 0, self.times.size - 1)
        dt = t - self.times[k]
        return (
            self.east[k] + self.v_east[k] * dt,
            self.north[k] + self.v_north[k] * dt,
            self.path[k] + self.speed[k] * dt,
        )


def puff_train_concentration(
    x,
    y,
    z,
    t,
    *,
    release_times,
    masses,
    wind_times,
    wind_speeds,
    wind_from_deg,
    stability,
    source_x=0.0,
    source_y=0.0,
    release_height=0.0,
    terrain="rural",
    model="briggs-1973",
):
    """Concentration from a train of puffs carried by a wind that changes with time.

    A time-varying release is a sequence of puffs of mass m_i released at t_i from one
    source. Each puff centre moves with the wind of the moment: the wind is held constant
    from each of its sample times to the next (and after the last one). The puff sigmas
    follow the path length travelled (``physics.sigmas.puff_sigmas``), with
    sigma_x = sigma_y; a puff contributes once it has moved (t > t_i, speed > 0).

    Shapes: x, y, z and t broadcast together and the result has their broadcast shape.
    ``x[None, :], y[None, :], z, t[:, None]`` gives a (times, points) table; equal-shaped
    x, y, z, t give one concentration per (point, time) sample.

    Parameters
    ----------
    x, y : array_like
        Receptor east and north coordinates. [m]
    z : array_like
        Receptor height, >= 0. [m]
    t : array_like
        Times at which to evaluate, on the same clock as release and wind times. [s]
    release_times : array_like
        Release time of each puff, not before the first wind time. [s]
    masses : array_like
        Mass of each puff, >= 0. [kg]
    wind_times : array_like
        Strictly increasing times of the wind samples. [s]
    wind_speeds : array_like
        Wind speed from each sample time to the next, >= 0. [m/s]
    wind_from_deg : array_like
        Direction the wind blows from at each sample, clockwise from north. [deg]
    stability : str
        Pasquill stability class 'A'..'F'. [-]
    source_x, source_y : float, default 0
        Source east and north coordinates. [m]
    release_height : float, default 0
        Release height of the puffs, >= 0. [m]
    terrain : str, default 'rural'
        'rural' or 'urban' (for the 'briggs-1973' puff sigmas). [-]
    model : str, default 'briggs-1973'
        Puff sigma model, one of ``physics.sigmas.PUFF_SIGMA_MODELS``. [-]

    Returns
    -------
    numpy.ndarray
        Concentration, shaped like the broadcast of x, y, z and t. [kg/m3]

    References
    ----------
    CCPS (1999), Guidelines for Consequence Analysis of Chemical Releases, ch. 2.3
    (Gaussian puff); puff sigmas as in ``physics.sigmas.puff_sigmas``.
    """
    tr = _finite_array(release_times, "release times").ravel()
    m = _finite_array(masses, "puff masses").ravel()
    if tr.size != m.size:
        raise ValueError("release_times and masses need the same length")
    if np.any(m < 0):
        raise ValueError("puff masses must be >= 0 kg")
    h = _scalar(release_height, "release height", minimum=0.0)
    sx0 = _scalar(source_x, "source x")
    sy0 = _scalar(source_y, "source y")
    track = _WindTrack.build(wind_times, wind_speeds, wind_from_deg)
    if tr.size and tr.min() < track.times[0]:
        raise ValueError("every puff must be released at or after the first wind time")
    shape, (xf, yf, zf, tf) = _receptors(x, y, z, _finite_array(t, "times"))
    pe, pn, ps = track.at(tr)
    out = np.zeros(xf.size)
    if tr.size == 0:
        return out.reshape(shape)[()]
    block = max(1, _PUFF_BLOCK // tr.size)
    for start in range(0, xf.size, block):
        sl = slice(start, start + block)
        re, rn, rs = track.at(tf[sl])
        # receptor - puff centre = (x - xs - D(t)) + D(t_i), D the cumulative displacement
        out[sl] = _sum_puffs(
            xf[sl] - sx0 - re,
            yf[sl] - sy0 - rn,
            zf[sl, None],
            pe,
            pn,
            rs[:, None] - ps,
            m,
            h,
            stability,
            terrain,
            model,
        )
    return out.reshape(shape)[()]


def puff_concentration(
    x,
    y,
    z,
    t,
    *,
    mass,
    wind_speed,
    wind_from_deg,
    stability,
    source_x=0.0,
    source_y=0.0,
    release_height=0.0,
    release_time=0.0,
    terrain="rural",
    model="briggs-1973",
):
    """Concentration from one instantaneous puff in a steady wind.

    The puff of mass M leaves the source at ``release_time`` and its centre moves
    downwind at the wind speed; sigmas follow the travel distance u (t - t0). Shapes
    broadcast as in ``puff_train_concentration``; zero before the release.

    Parameters
    ----------
    x, y : array_like
        Receptor east and north coordinates. [m]
    z : array_like
        Receptor height, >= 0. [m]
    t : array_like
        Evaluation times. [s]
    mass : float
        Released mass, >= 0. [kg]
    wind_speed : float
        Wind speed, >= 0. [m/s]
    wind_from_deg : float
        Direction the wind blows from, clockwise from north. [deg]
    stability : str
        Pasquill stability class 'A'..'F'. [-]
    source_x, source_y : float, default 0
        Source coordinates. [m]
    release_height : float, default 0
        Height of the puff centre, >= 0. [m]
    release_time : float, default 0
        Time of the release. [s]
    terrain : str, default 'rural'
        'rural' or 'urban'. [-]
    model : str, default 'briggs-1973'
        Puff sigma model, one of ``physics.sigmas.PUFF_SIGMA_MODELS``. [-]

    Returns
    -------
    numpy.ndarray
        Concentration, shaped like the broadcast of x, y, z and t. [kg/m3]

    References
    ----------
    CCPS (1999), ch. 2.3 (Gaussian puff with ground reflection).
    """
    t0 = _scalar(release_time, "release time")
    return puff_train_concentration(
        x,
        y,
        z,
        t,
        release_times=[t0],
        masses=[_scalar(mass, "puff mass", minimum=0.0)],
        wind_times=[t0],
        wind_speeds=[_scalar(wind_speed, "wind speed", minimum=0.0)],
        wind_from_deg=[_scalar(wind_from_deg, "wind direction")],
        stability=stability,
        source_x=source_x,
        source_y=source_y,
        release_height=release_height,
        terrain=terrain,
        model=model,
    )


class PuffState(NamedTuple):
    """Puffs in the air at one moment: centre positions, path travelled and mass.

    All fields are 1-D arrays of the same length, one element per puff.
    """

    x: np.ndarray  # centre east [m]
    y: np.ndarray  # centre north [m]
    travel: np.ndarray  # path length since release [m]
    mass: np.ndarray  # [kg]

    @classmethod
    def empty(cls) -> PuffState:
        """No puffs."""
        return cls(*(np.zeros(0) for _ in range(4)))
