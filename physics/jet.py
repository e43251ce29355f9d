"""The momentum jet in a cross-wind: a release leaving its hole faster than the wind, mixing
air in by its own shear, bending with the wind, rising or falling under its buoyancy and
running along the ground once it has come down.

The jet is a top-hat round jet of radius b, speed V along its axis at angle theta to the
horizontal (in the vertical plane of the wind), carrying the mass flux m = rho V pi b^2 of
released material Q and entrained air. Along its path s (Hoult, Fay & Forney 1969, in the
form of the near field of Witlox & Holt 1999 and of SLAB's jet, Ermak 1990):

    dm/ds = E = 2 pi b rho_a [alpha (V - u_a cos theta) + beta u_a |sin theta|]
    d(m u_x)/ds = E u_a                             (entrained air brings the wind's momentum)
    d(m w)/ds = g (rho_a - rho) pi b^2              (buoyancy; a dense jet falls)
    dx/ds = cos theta,  dz/ds = sin theta

with u_x = V cos theta, w = V sin theta, u_a the wind at the jet's height and rho the
density of the mixture at the mass fraction omega = Q / m from adiabatic mixing with moist
air, droplets evaporating (``physics.cloud_mixing``). Drag is neglected.

- alpha = 0.08: the jet-shear entrainment of a free round jet. For a top-hat jet of the
  ambient's density the equations give m / m0 = 1 + 4 alpha x / d0 exactly, and far from
  any source m / m0 -> 4 alpha (x / d0) sqrt(rho_a / rho_0); Ricou & Spalding (1961)
  measured m / m0 = 0.32 (x / d0) sqrt(rho_a / rho_0), hence alpha = 0.32 / 4.
- beta = 0.6: the cross-flow entrainment of a bent-over plume (Briggs 1975): with it a
  bent-over buoyant plume rises as Delta h = (3 / (2 beta^2))^(1/3) F^(1/3) x^(2/3) / u,
  the 2/3 law's 1.6 F^(1/3) x^(2/3) / u.

The ground stops a falling jet: once its axis reaches the ground it runs along it (w = 0,
z = 0); its cross-section and its image below the ground then make the reflected profile
of ``physics.integral_plume``.

Since Q is constant, the mass fraction is 1 / mu with mu = m / Q, and every quantity is a
function of mu: the equations are marched in mu along one logarithmic grid (SUBSTEPS
log-spaced sub-steps per interval) for every jet at once (ds = dm / E; a single jet on
Python floats, numpy's cost per call being most of its time otherwise), with Heun's
predictor-corrector (the explicit trapezoidal rule; e.g. Press et al. 2007, Numerical
Recipes 3rd ed., sec. 17.1), each point from the one before it. A jet going up against
its buoyancy stalls at its apex (w = 0, V ~ u_a): there E -> 0 and ds/dm, d(m w)/dm grow
like 1 / |w|, an integrable singularity that the march crosses with dz/dm bounded (a
fixed-point iteration over the whole path does not converge there).

References
----------
Ricou, F.P., Spalding, D.B. (1961). Measurements of entrainment by axisymmetrical turbulent
    jets. J. Fluid Mech. 11, 21-32.
Hoult, D.P., Fay, J.A., Forney, L.J. (1969). A theory of plume rise compared with field
    observations. J. Air Pollut. Control Assoc. 19, 585-590 (shear plus cross-flow
    entrainment of a plume bent by the wind).
Briggs, G.A. (1975). Plume rise predictions. In: Lectures on Air Pollution and
    Environmental Impact Analyses, AMS, 59-111 (beta = 0.6).
Ermak, D.L. (1990). User's manual for SLAB. UCRL-MA-105607, LLNL (horizontal and vertical
    jet sources, cloud thermodynamics with aerosol).
Witlox, H.W.M., Holt, A. (1999). A unified model for jet, heavy and passive dispersion
    including droplet rainout and re-evaporation. CCPS International Conference on
    Modeling the Consequences of Accidental Releases, 315-344 (near-field jet phase handing
    over to heavy and passive dispersion).
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from physics.cloud_mixing import MixingTable

G = 9.80665  # m/s2
ALPHA = 0.32 / 4.0  # jet-shear entrainment, Ricou & Spalding (1961)
BETA = 0.6  # cross-flow entrainment, Briggs (1975)
#: m / Q on the path's grid: from the pure release to 1e7 times its mass. [-]
MASS_RATIO = np.geomspace(1.0, 1e7, 141)
#: sub-steps of Heun's predictor-corrector per grid interval
SUBSTEPS = 2


class JetPath(NamedTuple):
    """A jet's path on the grid of ``MASS_RATIO`` (rows: jets, columns: grid points).

    s, x (downwind), z (axis height), radius [m]; u_x, w (horizontal and vertical velocity),
    speed V, wind u_a [m/s]; temperature [K] and density [kg/m3] of the mixture;
    entrainment E [kg/(m s)] per metre of path.
    """

    s: np.ndarray
    x: np.ndarray
    z: np.ndarray
    radius: np.ndarray
    u_x: np.ndarray
    w: np.ndarray
    speed: np.ndarray
    wind: np.ndarray
    temperature: np.ndarray
    density: np.ndarray
    entrainment: np.ndarray


def _section(m, u_x, w, u_a, rho, rho_a):
    """Path increment per unit mass flux ds/dm, direction, speed, radius and entrainment
    of the jet at each point (arrays (n, k))."""
    speed = np.hypot(u_x, w)
    radius = np.sqrt(m / (rho * speed * math.pi))
    cos, sin = u_x / speed, w / speed
    e = (
        2.0
        * math.pi
        * radius
        * rho_a
        * (ALPHA * np.maximum(speed - u_a * cos, 0.0) + BETA * u_a * np.abs(sin))
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        return 1.0 / e, cos, sin, speed, radius, e


def _over(a: float, b: float) -> float:
    """a / b on floats as numpy divides (+-inf, or nan for 0 / 0, instead of raising)."""
    try:
        return a / b
    except ZeroDivisionError:
        if a == 0.0 or a != a:
            return math.nan
        return math.copysign(math.inf, a) * math.copysign(1.0, b)


def _march_one(q, v0, theta, h, rho_a, fine, rho_fine, wind) -> dict:
    """The march of :func:`jet_path` for one release on Python floats (numpy's cost per
    call being most of its time on arrays of one element): the same equations and
    sub-steps; lists over the sub-points ``fine``."""
    pi = math.pi

    def state(i, y, grounded):
        m = q * fine[i]
        r = rho_fine[i]
        u_x = y[0] / m
        w = 0.0 if grounded else y[1] / m
        speed = math.hypot(u_x, w)
        radius = math.sqrt(_over(m, r * speed * pi))
        u_a = wind(0.0 if grounded else y[3], radius)
        cos, sin = _over(u_x, speed), _over(w, speed)
        e = (
            2.0
            * pi
            * radius
            * rho_a
            * (ALPHA * max(speed - u_a * cos, 0.0) + BETA * u_a * abs(sin))
        )
        ds = _over(1.0, e)
        lift = 0.0 if grounded else G * (rho_a - r) * pi * (radius * radius) * ds
        return (u_a, lift, cos * ds, sin * ds, ds), (u_x, w, speed, radius, u_a, e)

    grounded = h <= 0.0
    y = [q * v0 * math.cos(theta), 0.0 if grounded else q * v0 * math.sin(theta), 0.0, h, 0.0]
    names = ("u_x", "w", "V", "b", "ua", "e")
    out = {k: [] for k in ("x", "z", "s", *names)}
    rates, local = state(0, y, grounded)
    last = len(fine) - 1
    for i in range(len(fine)):
        out["x"].append(y[2])
        out["z"].append(y[3])
        out["s"].append(y[4])
        for k, v in zip(names, local, strict=True):
            out[k].append(v)
        if i == last:
            break
        dm = q * (fine[i + 1] - fine[i])
        guess = [a + r * dm for a, r in zip(y, rates, strict=True)]
        ahead, _ = state(i + 1, guess, grounded or guess[3] <= 0.0)
        y = [a + 0.5 * (r0 + r1) * dm for a, r0, r1 in zip(y, rates, ahead, strict=True)]
        grounded = grounded or y[3] <= 0.0
        if grounded:
            y[1] = y[3] = 0.0
        rates, local = state(i + 1, y, grounded)
    return out


def jet_path(
    rate_kg_s,
    velocity_m_s,
    angle_rad,
    height_m,
    table: MixingTable,
    air_density,
    wind,
) -> JetPath:
    """Integrate the jet of the module docstring for every release at once.

    Parameters
    ----------
    rate_kg_s : array_like (n,)
        Release rate Q, > 0. [kg/s]
    velocity_m_s : array_like (n,)
        Speed of the release once expanded to ambient pressure, V0 > 0. [m/s]
    angle_rad : array_like (n,)
        Direction above the horizontal, downwind (0 horizontal, pi/2 vertical up). [rad]
    height_m : array_like (n,)
        Height of the hole. [m]
    table : MixingTable
        The releases' adiabatic mixing tables (``physics.cloud_mixing``).
    air_density : array_like (n,)
        Density of the ambient air. [kg/m3]
    wind : callable
        ``wind(z, radius)`` -> the wind speed acting on a jet whose axis is at height z
        with that radius, arrays (n, k); for a single release (n = 1), Python floats,
        on which its path is marched (the same march). [m/s]

    Returns
    -------
    JetPath

    References
    ----------
    Ricou & Spalding (1961); Hoult, Fay & Forney (1969); Briggs (1975); Ermak (1990);
    Witlox & Holt (1999): see the module docstring.
    """
    q = np.asarray(rate_kg_s, dtype=float)[:, None]
    v0 = np.asarray(velocity_m_s, dtype=float)[:, None]
    theta = np.asarray(angle_rad, dtype=float)[:, None]
    h = np.asarray(height_m, dtype=float)[:, None]
    rho_a = np.asarray(air_density, dtype=float)[:, None]
    mu = MASS_RATIO
    # the mixture's density at omega = 1 / mu, the same points for every release
    omega = 1.0 / mu
    j = np.clip(np.searchsorted(table.omega, omega) - 1, 0, table.omega.size - 2)
    f = (omega - table.omega[j]) / (table.omega[j + 1] - table.omega[j])
    rho, temperature = (
        a[:, j] + f * (a[:, j + 1] - a[:, j]) for a in (table.density, table.temperature)
    )
    # sub-steps of the grid, log-spaced, and the density on them (linear in mu)
    fine = np.geomspace(1.0, mu[-1], (mu.size - 1) * SUBSTEPS + 1)
    cell = np.minimum(np.searchsorted(mu, fine, side="right") - 1, mu.size - 2)
    frac = (fine - mu[cell]) / (mu[cell + 1] - mu[cell])
    rho_fine = rho[:, cell] + frac * (rho[:, cell + 1] - rho[:, cell])

    if q.shape[0] == 1:  # one release: the same march on floats
        out = _march_one(
            *(float(a[0, 0]) for a in (q, v0, theta, h, rho_a)), fine.tolist(),
            rho_fine[0].tolist(), wind,
        )  # fmt: skip
        return JetPath(
            *(np.array([out[k][::SUBSTEPS]]) for k in ("s", "x", "z", "b", "u_x", "w", "V", "ua")),
            temperature,
            rho,
            np.array([out["e"][::SUBSTEPS]]),
        )

    def state(i, y, grounded):
        """Velocities, section and d/dm of y = (m u_x, m w, x, z, s) at sub-point i."""
        m = q * fine[i]
        r = rho_fine[:, i : i + 1]
        u_x = y[0] / m
        w = np.where(grounded, 0.0, y[1] / m)
        speed = np.hypot(u_x, w)
        u_a = wind(np.where(grounded, 0.0, y[3]), np.sqrt(m / (r * speed * math.pi)))
        ds, cos, sin, speed, radius, e = _section(m, u_x, w, u_a, r, rho_a)
        lift = np.where(grounded, 0.0, G * (rho_a - r) * math.pi * radius**2 * ds)
        rates = (u_a, lift, cos * ds, sin * ds, ds)
        return rates, (u_x, w, speed, radius, u_a, e)

    n = q.shape[0]
    y = [q * v0 * np.cos(theta), q * v0 * np.sin(theta), np.zeros_like(h), h, np.zeros_like(h)]
    grounded = h <= 0.0
    y[1] = np.where(grounded, 0.0, y[1])
    out = {
        name: np.empty((n, mu.size)) for name in ("x", "z", "s", "u_x", "w", "V", "b", "ua", "e")
    }
    np_err = np.errstate(divide="ignore", invalid="ignore")
    np_err.__enter__()
    rates, local = state(0, y, grounded)
    for i in range(fine.size):
        if i % SUBSTEPS == 0:
            col = i // SUBSTEPS
            for name, v in zip(("x", "z", "s"), (y[2], y[3], y[4]), strict=True):
                out[name][:, col] = v[:, 0]
            for name, v in zip(("u_x", "w", "V", "b", "ua", "e"), local, strict=True):
                out[name][:, col] = v[:, 0]
        if i == fine.size - 1:
            break
        # Heun's predictor-corrector over the sub-step dm = q d(mu)
        dm = q * (fine[i + 1] - fine[i])
        guess = [a + r * dm for a, r in zip(y, rates, strict=True)]
        ahead, _ = state(i + 1, guess, grounded | (guess[3] <= 0.0))
        y = [a + 0.5 * (r0 + r1) * dm for a, r0, r1 in zip(y, rates, ahead, strict=True)]
        # the ground stops a falling jet: from where its axis reaches it, it runs along it
        grounded = grounded | (y[3] <= 0.0)
        y[1] = np.where(grounded, 0.0, y[1])
        y[3] = np.where(grounded, 0.0, y[3])
        rates, local = state(i + 1, y, grounded)
    np_err.__exit__(None, None, None)
    return JetPath(
        out["s"],
        out["x"],
        out["z"],
        out["b"],
        out["u_x"],
        out["w"],
        out["V"],
        out["ua"],
        temperature,
        rho,
        out["e"],
    )
