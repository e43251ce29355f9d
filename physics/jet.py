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
function of mu: the equations are integrated in mu on one logarithmic grid for every jet
at once (ds = dm / E), the horizontal momentum in closed form, and the path's dependence
on its own height (wind profile, ground) and vertical momentum by fixed-point sweeps of
the whole path (Picard iteration), each a handful of vectorised array operations, until
the axis moves by less than 0.1 mm and the buoyancy integral by less than 1e-5 (at most
SWEEPS; the error falls about thirtyfold per sweep).

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
SWEEPS = 8


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


def _cumulative(f, dmu, q):
    """Cumulative trapezoidal integral of f (n, k) over m = q mu, from the source."""
    inc = 0.5 * (f[:, 1:] + f[:, :-1]) * dmu * q[:, None]
    out = np.zeros_like(f)
    np.cumsum(inc, axis=1, out=out[:, 1:])
    return out


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
        with that radius, arrays (n, k). [m/s]

    Returns
    -------
    JetPath

    References
    ----------
    Ricou & Spalding (1961); Hoult, Fay & Forney (1969); Briggs (1975); Ermak (1990);
    Witlox & Holt (1999): see the module docstring.
    """
    q = np.asarray(rate_kg_s, dtype=float)
    v0 = np.asarray(velocity_m_s, dtype=float)[:, None]
    theta = np.asarray(angle_rad, dtype=float)[:, None]
    h = np.asarray(height_m, dtype=float)[:, None]
    rho_a = np.asarray(air_density, dtype=float)[:, None]
    mu = MASS_RATIO
    dmu = np.diff(mu)
    m = q[:, None] * mu
    # the mixture's density at omega = 1 / mu, the same points for every release
    omega = 1.0 / mu
    j = np.clip(np.searchsorted(table.omega, omega) - 1, 0, table.omega.size - 2)
    f = (omega - table.omega[j]) / (table.omega[j + 1] - table.omega[j])
    rho, temperature = (
        a[:, j] + f * (a[:, j + 1] - a[:, j]) for a in (table.density, table.temperature)
    )
    mx0 = q[:, None] * v0 * np.cos(theta)
    mw0 = q[:, None] * v0 * np.sin(theta)
    z = np.broadcast_to(h, m.shape)
    radius = np.sqrt(m / (rho * v0 * math.pi))
    buoyancy = np.zeros_like(m)
    # past the point where a jet stops entraining (it moves with the wind) its path is
    # infinite and not used (``physics.integral_plume`` hands it over before)
    np_err = np.errstate(divide="ignore", invalid="ignore")
    np_err.__enter__()
    for _ in range(SWEEPS):
        previous = z, buoyancy
        u_a = wind(z, radius)
        u_x = (mx0 + _cumulative(u_a, dmu, q)) / m
        w = (mw0 + buoyancy) / m
        # the path falling freely, then held on the ground from where it first reaches it
        # (the earlier part does not depend on the later: the integrals run from the hole)
        ds, cos, sin, speed, radius, e = _section(m, u_x, w, u_a, rho, rho_a)
        grounded = np.maximum.accumulate(h + _cumulative(sin * ds, dmu, q) <= 0.0, axis=1)
        if grounded.any():
            w = np.where(grounded, 0.0, w)
            ds, cos, sin, speed, radius, e = _section(m, u_x, w, u_a, rho, rho_a)
        z = np.where(grounded, 0.0, np.maximum(h + _cumulative(sin * ds, dmu, q), 0.0))
        buoyancy = _cumulative(G * (rho_a - rho) * math.pi * radius**2 * ds, dmu, q)
        # converged: the axis to 0.1 mm, the buoyancy integral to 1e-5 (past a jet's end
        # both are NaN in both sweeps)
        moved = np.fmax.reduce(np.abs(z - previous[0]), axis=None)
        changed = np.fmax.reduce(
            np.abs(buoyancy - previous[1]) / (np.abs(buoyancy) + 1e-300), axis=None
        )
        if moved <= 1e-4 and changed <= 1e-5:
            break
    s = _cumulative(ds, dmu, q)
    x = _cumulative(cos * ds, dmu, q)
    np_err.__exit__(None, None, None)
    return JetPath(s, x, z, radius, u_x, w, speed, u_a, temperature, rho, e)
