"""The source of an evaporating pool: the air the wind takes up over it (DEGADIS 2.1,
Spicer & Havens 1989, after Colenbrander 1980 HEGADAS).

Over a ground-level area source DEGADIS's layer takes up air through its top at

    w_e = delta k u* (1 + alpha) / Phi(Ri*)                                   [m/s]

per m2 of source (DEGADIS 2.1 SZF), with k = 0.35 and u* DEGADIS's, alpha the exponent of
the power-law wind fitted to the surface-layer profile (ALPH, :func:`power_law_exponent`),
delta = 2.15 the ratio of the layer's thickness to its effective depth (DELLAY) and Phi
DEGADIS's entrainment function of Ri* = g (rho - rho_a)/rho_a H / u*^2 (PHIF, Ri_t = 0
over the source). Its steady mass balance along the source,

    dY/dx = rho_a w_e + E                                                     [kg/(m2 s)]

Y the layer's mass flux per metre of width and E the evaporation flux, is what
``physics.integral_plume`` marches over the pool: the vapour enters evenly over the pool,
the air at rho_a w_e, with no gravity spreading and no lateral turbulence over the source
(SZF's layer keeps the source's width). The pool is DEGADIS's rectangle of the same
area: its diameter 2 R along the wind, pi R / 2 across. For a neutrally buoyant vapour
(Phi = 0.88 everywhere) it has the closed form Y = (rho_a w_e + E) x, a layer of constant
mass fraction E / (E + rho_a w_e) (a test).

DEGADIS's secondary-source blanket, the pool of vapour that spreads around the pool when
the evaporation flux exceeds the atmosphere's take-up ceiling (SRC1), is
``physics.pool_blanket``: the integral plume uses it only when asked
(``integral_plume(..., pool="blanket")``; why not by default: bench/VALIDATION.md, "The
computed blanket").

References
----------
Spicer, T.O., Havens, J.A. (1989). User's guide for the DEGADIS 2.1 dense gas dispersion
    model. EPA-450/4-89-019: source without a blanket (SZF), entrainment (PHIF), power-law
    wind fit (ALPH), constants (VKC, DELLAY, ZLOW, XLI, XRI) as read in its Python port
    degadisx 0.1.4 (``core/szf.py``, ``core/entrainment.py``, ``core/atmosphere.py``,
    ``core/constants.py``).
Businger, J.A., Wyngaard, J.C., Izumi, Y., Bradley, E.F. (1971). Flux-profile
    relationships in the atmospheric surface layer. J. Atmos. Sci. 28, 181-189 (k = 0.35).
Colenbrander, G.W. (1980). A mathematical model for the transient behaviour of dense
    vapour clouds. 3rd International Symposium on Loss Prevention, Basel.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from physics import atmosphere

# DEGADIS 2.1's von Karman constant (DEG1 DATA VKC, Businger et al. 1971's value), in its
# u*, SZF take-up, entrainment and SURFAC alike; degadisx 0.1.4 ``core/constants.py``
VON_KARMAN = 0.35
DELTA_LAYER = 2.15  # DEGADIS 2.1 DELLAY: layer thickness over effective depth
_ALPHA_FIT_LOW_M = 0.01  # DEGADIS ALPH: lowest height of the fit (ZLOW)
_ALPHA_RANGE = (0.05, 0.5)  # DEGADIS ALPH: bracket of the fit (XLI, XRI)
_FIT_POINTS = 64
_BISECTIONS = 30


def degadis_friction_velocity(friction_velocity_m_s):
    """DEGADIS's u* on the same log profile [m/s]: the wind at 10 m fixes u*/k, so u* scales
    with von Karman's constant (0.35 in DEGADIS 2.1, as ``atmosphere.VON_KARMAN``: the same
    u* unless that changes). The profile is DEGADIS's in neutral and stable air; in
    unstable air it keeps Paulson's psi_m(z0/L), which DEGADIS drops (``atmosphere``), a
    difference of under 1 % where z0 < 0.01 |L|."""
    return np.asarray(friction_velocity_m_s, dtype=float) * (VON_KARMAN / atmosphere.VON_KARMAN)


def fit_residual(alpha, z0_m, inv_obukhov_m, reference_height_m=10.0):
    """The least-squares condition of DEGADIS 2.1 ALPH (IALPFL 1) [m2/s per unit u*]:
    integral W(z) [u(z) - u_r (z/z_r)^alpha] ln(z/z_r) (z/z_r)^alpha dz from max(z0, 0.01 m)
    to z_r, W = 1 / (1 + z), u the Monin-Obukhov profile of ``physics.atmosphere`` per unit
    u* (alpha does not depend on u*). Zero at the fitted exponent; d/d alpha of the weighted
    squared error integral W (u - u_r (z/z_r)^alpha)^2 dz is -2 u_r times it."""
    alpha = np.atleast_1d(np.asarray(alpha, dtype=float))
    low = max(float(z0_m), _ALPHA_FIT_LOW_M)
    z = low * (reference_height_m / low) ** np.linspace(0.0, 1.0, _FIT_POINTS)
    u = atmosphere.wind_speed(z, 1.0, z0_m, inv_obukhov_m)
    u_r = atmosphere.wind_speed(reference_height_m, 1.0, z0_m, inv_obukhov_m)
    shape = (z / reference_height_m)[None, :] ** alpha[:, None]
    f = (u - u_r * shape) * np.log(z / reference_height_m) * shape / (1.0 + z)
    return np.trapezoid(f, z, axis=1)


@lru_cache(maxsize=1024)
def _exponent(z0_m: float, inv_obukhov_m: float) -> float:
    lo, hi = _ALPHA_RANGE
    r_lo = fit_residual(lo, z0_m, inv_obukhov_m)[0]
    for _ in range(_BISECTIONS):
        mid = 0.5 * (lo + hi)
        r_mid = fit_residual(mid, z0_m, inv_obukhov_m)[0]
        if (r_mid > 0.0) == (r_lo > 0.0):
            lo, r_lo = mid, r_mid
        else:
            hi = mid
    return 0.5 * (lo + hi)


def power_law_exponent(z0_m, inv_obukhov_m):
    """Exponent alpha of the power-law wind u = u_r (z / z_r)^alpha fitted to the
    Monin-Obukhov profile between max(z0, 0.01 m) and z_r = 10 m (DEGADIS 2.1 ALPH,
    weight 1 / (1 + z)): the root of :func:`fit_residual` by bisection within 0.05-0.5
    (DEGADIS's bracket), to 5e-10; where the best fit lies outside the bracket (very stable
    air over rough ground) the bracket's end.

    Parameters
    ----------
    z0_m : array_like
        Surface roughness. [m]
    inv_obukhov_m : array_like
        1/L of ``physics.atmosphere``. [1/m]

    Returns
    -------
    numpy.ndarray
        alpha. [-]
    """
    z0, il = np.broadcast_arrays(
        np.atleast_1d(np.asarray(z0_m, dtype=float)),
        np.atleast_1d(np.asarray(inv_obukhov_m, dtype=float)),
    )
    return np.array([_exponent(float(a), float(b)) for a, b in zip(z0, il, strict=True)])
