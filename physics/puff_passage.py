"""An instantaneous cloud in passage: where a rupture's puff is at each moment, and how
much of its mass lies between two concentrations (the flammable mass between the LFL and
the UFL that a vapour-cloud explosion takes).

``physics.integral_plume.puff_as_segment`` enters a puff of mass M as a release of
Q = M / T over the puff's own section, lasting T. The cloud of that release is, at each
moment, a segment of the steady plume of rate Q: the part the model's cloud fills between
the distances its back and its front have covered at the cloud's own speed u(x) (ds/dt =
u(s), ``Plume.speed``), lengthened by what it has slumped along the wind, one cloud with
the cross-section of its middle all along (the box model's uniform cloud, van Ulden
1974), its ends smeared along the wind by sigma_x (DEGADIS 2.1 ATMDEF, as the model's
finite-duration factor). At age t of the segment's middle (which leaves the source at
T/2):

    C(x, y, z, t) = c_s(m) F(y; m) G(z; m) A(x, t),  m = s(t)
    A = Phi((front - x) / sigma_x(front)) - Phi((back - x) / sigma_x(back))
    front = s(t + T/2) + e/2, back = s(t - T/2) - e/2

with c_s, F and G the steady plume's centre concentration and profiles at the middle m
(``Plume.steady_profile``), e what the segment has slumped along the wind by then
(``Plume.slump_at`` at its middle, ``integral_plume``); while the segment is still leaving
the source (t < T/2) it has no back edge (A = Phi((front - x) / sigma_x(front))). This
is the window of ``physics.plume_puffs`` with a step of T. Its peak at the segment's
middle is the model's finite-duration factor erf(L / (2 sqrt 2 sigma_x)) for a segment of
length L = u T + e (Palazzi et al. 1982), and the mass it holds is M once the whole
segment is in the air (a test); far away, where sigma_x >> L, it is the Gaussian puff.

The mass between two concentrations at one moment is that field integrated over the
points where it lies between them (both sides of the axis, above the ground); the largest
over the passage is the flammable mass of a cloud ignited at its worst moment, which the
TNO multi-energy method takes as the energy's source (van den Berg 1985; the Yellow Book's
"explosive mass", van den Bosch & Weterings 2005, ch. 4-5). For a Gaussian puff of peak
C_0 it has the closed form M [erf(a) - 2 a / sqrt(pi) low / C_0], a = sqrt(ln(C_0 / low)),
above ``low`` (the mass of a trivariate normal inside its level ellipsoid; a test).

Stated simplifications: the cross-section at each distance is the steady plume's of the
puff's rate (the puff slumping upwind and along the wind near the source is not
represented, as in ``puff_as_segment``); where the window, smeared by sigma_x (which
DEGADIS holds at its value at a smallest distance, 50-130 m), would reach upwind of the
source, or over the puff's section where the steady plume's flux is still building up,
the field is scaled to hold what has been released, M min(t + T/2, T) / T (no mass upwind
of the source, none made up; the scale is 1 within 2 % once the segment is clear of the
source, a test); concentrations are compared with the levels on
the model's basis (``Plume.reach``: times the ground's warming).

References
----------
Spicer and Havens (1989), DEGADIS 2.1 (sigma_x), and Palazzi et al. (1982), the finite
    release: as cited in ``physics.plume_puffs``.
van den Berg, A.C. (1985). The multi-energy method: a framework for vapour cloud explosion
    blast prediction. Journal of Hazardous Materials 12, 1-10.
van den Bosch, C.J.H., Weterings, R.A.P.M. (eds.) (2005). Methods for the calculation of
    physical effects (TNO Yellow Book, CPR 14E), 3rd ed., ch. 4 (vapour cloud dispersion)
    and ch. 5 (vapour cloud explosions).
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
from scipy.special import erf, ndtr

from physics import integral_plume, mixing_layer, plume_puffs

MOMENTS = 64  # ages of the segment's middle looked at, log-spaced over the passage
_ALONG, _ACROSS, _UP = 64, 61, 41  # integration points per moment
_EDGE_SIGMAS = 5.0  # the window's ends and the profiles' edges are followed this far
_CHUNK = 8  # moments integrated in one go


class Passage(NamedTuple):
    """The mass of a puff between two concentrations at each moment of its passage.

    age [s] of the segment's middle (released at T/2); centre [m] the distance the middle
    has covered; mass [kg] between the two concentrations at that moment; scale [-] the
    factor that makes the field hold what has been released (see the module docstring).
    """

    age: np.ndarray
    centre: np.ndarray
    mass: np.ndarray
    scale: np.ndarray

    def largest(self) -> tuple[float, float, float]:
        """(mass [kg], age [s], centre [m]) at the moment the mass is largest."""
        k = int(np.argmax(self.mass))
        return float(self.mass[k]), float(self.age[k]), float(self.centre[k])


def window(x, front, back, sigma_front, sigma_back):
    """A of the module docstring at distances ``x`` [m] (any shape broadcasting with the
    others); ``back`` -inf for a segment with no back edge."""
    ahead = ndtr((front - x) / sigma_front)
    with np.errstate(invalid="ignore"):
        behind = np.where(np.isfinite(back), ndtr((back - x) / sigma_back), 0.0)
    return ahead - behind


def mass_between(
    plume: integral_plume.Plume,
    mass_kg: float,
    duration_s: float,
    low: float,
    high: float = np.inf,
    *,
    release: int = 0,
    moments: int = MOMENTS,
) -> Passage:
    """The mass of the puff between ``low`` and ``high`` [kg/m3, on ``Plume.reach``'s
    basis] at each of ``moments`` ages of its passage.

    Parameters
    ----------
    plume : integral_plume.Plume
        The integral plume of the puff's segment (``integral_plume.puff_as_segment``).
    mass_kg : float
        The puff's mass M. [kg]
    duration_s : float
        The segment's duration T. [s]
    low, high : float
        The band (e.g. the LFL and the UFL as ``Plume.level_concentration``). [kg/m3]
    release : int
        The row of ``plume``.
    moments : int
        Ages looked at: the segment's middle from T/20 until the window's front, followed
        5 sigma_x ahead, reaches the end of the plume (later moments are not computed). [-]

    Returns
    -------
    Passage
    """
    if not duration_s > 0.0:
        raise ValueError(f"puff duration must be > 0 s, got {duration_s!r}")
    one = integral_plume._row(plume, release)
    x_end = float(one.x[0, -1])
    # the cloud's travel: distance covered against time (``plume_puffs``' table, its
    # concentrations not used here)
    table = plume_puffs.plume_table(one, 1.0, x_end)
    t = 0.5 * duration_s
    # until the window's front edge, followed _EDGE_SIGMAS sigma_x ahead, leaves the plume
    inside = table.s + _EDGE_SIGMAS * one.sigma_x(table.s[None, :])[0] <= x_end
    last = float(table.tau[np.nonzero(inside)[0][-1]]) if inside.any() else 0.0
    age = np.geomspace(0.1 * t, max(last - t, 0.2 * t), moments)
    # the window of ``plume_puffs.segments`` with a step of T, widened by the slump
    middle = plume_puffs.distance_at(table, age)
    half = 0.5 * one.slump_at(middle[None, :])[0]
    front = plume_puffs.distance_at(table, age + t) + half
    back = np.where(age > t, plume_puffs.distance_at(table, age - t) - half, -np.inf)
    sx_front = one.sigma_x(front[None, :])[0]
    sx_back = one.sigma_x(np.where(np.isfinite(back), back, 0.0)[None, :])[0]
    first = float(one.x[0, 0])  # the upwind edge of the puff's section
    lo = np.where(np.isfinite(back), np.maximum(back - _EDGE_SIGMAS * sx_back, first), first)
    hi = np.minimum(front + _EDGE_SIGMAS * sx_front, x_end)
    mass, scale = np.zeros(moments), np.ones(moments)
    frac = np.linspace(0.0, 1.0, _ALONG)
    eta = np.linspace(0.0, 1.0, _ACROSS)[None, None, :, None]
    zeta = np.linspace(0.0, 1.0, _UP)[None, None, None, :]
    lid = float(one.mixing_height()[0])
    for k0 in range(0, moments, _CHUNK):
        ks = slice(k0, min(k0 + _CHUNK, moments))
        x = lo[ks, None] + frac[None, :] * (hi[ks] - lo[ks])[:, None]  # (m, along)
        # one cloud: its middle's cross-section all along it (``plume_puffs``)
        c, b, sy, sz, h, warming = (
            np.broadcast_to(v[0][:, None, None, None], (x.shape[0], 1, 1, 1))
            for v in one.steady_profile(middle[ks])
        )
        a = window(x, front[ks, None], back[ks, None], sx_front[ks, None], sx_back[ks, None])
        a = a[:, :, None, None]
        y_end = b + _EDGE_SIGMAS * sy
        z_end = np.minimum(h + _EDGE_SIGMAS * sz, np.maximum(lid, h))
        y, z = eta * y_end, zeta * z_end
        lateral = np.exp(-0.5 * (np.maximum(y - b, 0.0) / np.maximum(sy, 1e-9)) ** 2)
        field = c * a * lateral * mixing_layer.vertical_profile(z, h, sz, lid)
        basis = field * warming
        # near the source the window, smeared by sigma_x (DEGADIS's from its smallest
        # distance on), reaches upwind of the source and over the section where the steady
        # plume's flux is still building up: the field is scaled so that the air holds what
        # has been released, M min(t + T/2, T) / T (a stated simplification; the scale is
        # 1 within 2 % once the segment is clear of the source)
        released = mass_kg * np.minimum(age[ks] + t, duration_s) / duration_s
        held = _integral(field, x, y_end, z_end)
        scale[ks] = released / np.maximum(held, 1e-300)
        scaled = basis * scale[ks, None, None, None]
        inside = np.where((scaled >= low) & (scaled <= high), field, 0.0)
        mass[ks] = _integral(inside, x, y_end, z_end) * scale[ks]
    return Passage(age, plume_puffs.distance_at(table, age), mass, scale)


def _integral(field, x, y_end, z_end):
    """Integral of ``field`` (moments, along, across, up) on the scaled grids over y (both
    sides of the axis), z and x [kg]."""
    per_m = 2.0 * np.trapezoid(np.trapezoid(field, axis=3), axis=2)
    per_m = per_m * (y_end * z_end)[:, :, 0, 0] / ((_ACROSS - 1) * (_UP - 1))
    return np.trapezoid(per_m, x, axis=1)


def load_time(plume: integral_plume.Plume, duration_s: float, x, n: float, *, release: int = 0):
    """Time [s] that turns the peak concentration of the passing puff at distances ``x``
    [m] into its toxic load: integral C^n dt = C_peak^n t. The window of the module
    docstring (a segment of length L = u T + slump smeared by sigma_x at both ends) passes
    at the cloud's speed u, so t = integral A^n ds / (u A_max^n), A_max = erf(L / (2 sqrt 2
    sigma_x)): sqrt(2 pi / n) sigma_x / u for a short puff (the Gaussian passage, L <<
    sigma_x) and L / u for a long one (two tests). ``n`` the probit's exponent of C."""
    x = np.atleast_1d(np.asarray(x, dtype=float))
    one = integral_plume._row(plume, release)
    xs, where = np.unique(np.maximum(x.ravel(), 0.0), return_inverse=True)
    u = one.speed(xs[None, :])[0]
    sx = one.sigma_x(xs[None, :])[0]
    length = u * duration_s + one.slump_at(xs[None, :])[0]
    half = (0.5 * length + 8.0 * sx)[:, None]
    s = np.linspace(-1.0, 1.0, 801)[None, :] * half
    ends, spread = 0.5 * length[:, None], sx[:, None]
    a = window(s, ends, -ends, spread, spread)
    peak = erf(length / (2.0 * math.sqrt(2.0) * sx))
    t = np.trapezoid((a / peak[:, None]) ** n, s, axis=1) / u
    return t[where].reshape(x.shape)
