"""The vapour blanket over an evaporating pool that the wind cannot clear (DEGADIS 2.1's
secondary source, SRC1; Spicer & Havens 1989, after van Ulden 1983).

Over a pool the atmosphere takes up at most

    q*_max = C_c k u* (1 + alpha) delta / (delta - 1) / Phi_hat                 [kg/(m2 s)]

of vapour (DEGADIS QSTRMX): C_c the concentration of the gas at the ground [kg/m3], k =
0.35 and u* DEGADIS's (``pool_source``), alpha the power-law wind's exponent, delta = 2.15
and Phi_hat the harmonic mean of DEGADIS's entrainment function Phi = 0.88 + 0.099
Ri*^1.04 along the fetch 2 R, where Ri* grows as the fetch^(1 / (1 + alpha)) (DEGADIS
PHIHAT, in closed form with the hypergeometric function 2F1; its Phi_c = 3.1 in the
layer's depth). If the pool gives off more than q*_max over its own area (pure vapour,
DEGADIS NOBL, ERNOBL 1.0005), a blanket forms: a cylinder of radius R and depth H,
uniform inside, that

- spreads as a gravity current, dR/dt = u_f = C_E sqrt(g' H), C_E = 1.15 (van Ulden),
  while it takes in at least what the wind takes from it, and shrinks otherwise;
- takes in air at its front, 2 pi R H u_f rho_a epsilon / Ri, Ri = g' H / u_f^2 = 1 /
  C_E^2, epsilon = 0.59;
- loses q*_max pi R^2 of vapour through its top, with its air in proportion.

Its radius, mass and vapour mass are integrated in time (explicit steps of a tenth of its
fastest time scale) from the pool's radius and a layer 1e-5 m deep (SRCCUT) until the
vapour taken up equals the pool's rate (within 1e-4) and what leaves equals what comes in:
the steady blanket that DEGADIS hands to its downwind model. Once the blanket has grown to
where its intake equals its outflow, SRC1's switch (grow at u_f while intake >= outflow,
shrink otherwise) holds it there: the radius is then the root of intake = outflow at each
step, rather than stepped back and forth across it (the same path, without the chatter).

Used by ``physics.integral_plume`` with ``pool="blanket"`` (not its default: see there).
Against degadisx on the benchmark's 10 kg/s pools of 100 m2 in F 2 m/s: radius 55.1 m and
46.6 m (chlorine, propane) against its 54.4 m and 45.2 m, vapour 48.7 % and 50.8 % by
volume against its 50 % and 51 % (``bench/pool_budget.py``); no blanket in D 5 m/s, as
degadisx.

Not modelled, as in the benchmark's DEGADIS runs: heat and water vapour from the ground
into the blanket (IHTFL 0, IWTFL 0; the cloud's temperature is the adiabatic mixing
line of ``physics.cloud_mixing``), van Ulden's momentum balance (used by DEGADIS only for
an initial cloud taller than a tenth of its diameter), a pool whose rate or radius
changes in time.

References
----------
Spicer, T.O., Havens, J.A. (1989). User's guide for the DEGADIS 2.1 dense gas dispersion
    model. EPA-450/4-89-019: SRC1, QSTRMX, PHIHAT, NOBL and their constants (C_E, epsilon,
    ERNOBL, SRCCUT, DELLAY, PHIC), as read in its Python port degadisx 0.1.4
    (``core/blanket.py``, ``core/entrainment.py``, ``core/driver.py``).
van Ulden, A.P. (1983). A new bulk model for dense gas dispersion: two-dimensional spread
    in still air. In: Atmospheric dispersion of heavy gases and small particles,
    Springer, 419-440 (C_E = 1.15).
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
from scipy.special import gamma, hyp2f1

from physics import cloud_mixing, pool_source

G = 9.80665  # m/s2
C_E = 1.15  # gravity-current front, u_f = C_E sqrt(g' H) (van Ulden 1983; DEGADIS CE)
EPSILON = 0.59  # frontal air intake coefficient (DEGADIS 2.1 EPSILON)
PHI_C = 3.1  # DEGADIS 2.1 PHIHAT's Phi in the layer's depth (PHIC)
_PHI0, _PHI_A, _PHI_E = 0.88, 0.099, 1.04  # DEGADIS 2.1 PHIF, stable branch
ERNOBL = 1.0005  # DEGADIS 2.1: a blanket forms above this flux / q*_max
SRCCUT = 1e-5  # DEGADIS 2.1: the blanket's starting depth [m]
REFERENCE_HEIGHT_M = 10.0  # the wind's reference height in the power law (DEGADIS Z0)
_STEP = 0.1  # time step as a fraction of the fastest of the blanket's time scales
_TOLERANCE = 1e-4  # steady: vapour taken up = the pool's rate within this fraction
_MAX_STEPS = 20_000


class Blanket(NamedTuple):
    """The steady blanket of each pool (n,); where none forms (``formed`` False) the
    radius is the pool's, the vapour fraction 1 and the air 0."""

    formed: np.ndarray  # bool
    radius_m: np.ndarray
    depth_m: np.ndarray
    vapour_mass_fraction: np.ndarray
    density_kg_m3: np.ndarray
    air_kg_s: np.ndarray  # air taken in at its front (= air leaving through its top)
    time_s: np.ndarray  # time taken to reach the steady state
    ceiling_kg_m2_s: np.ndarray  # q*_max over the pool itself (pure vapour)


class _Air(NamedTuple):
    rho_a: np.ndarray
    ustar: np.ndarray  # DEGADIS's u*
    alpha: np.ndarray
    u_ref: np.ndarray  # wind at REFERENCE_HEIGHT_M


def layer_richardson(density, fetch_m, air: _Air):
    """Ri* of DEGADIS's layer at the end of a fetch (PHIHAT): Ri* = c L^(1/(1 + alpha)),
    c = g' z_r / u*^2 Gamma(1/(1+alpha)) / (1+alpha)
    [k u* (1+alpha)^2 delta / (u_r z_r Phi_c (delta - 1))]^(1/(1+alpha)); 0 for a gas no
    denser than the air."""
    a1 = air.alpha + 1.0
    k, delta = pool_source.VON_KARMAN, pool_source.DELTA_LAYER
    gp = np.maximum(density - air.rho_a, 0.0) / air.rho_a * G
    c = gp * REFERENCE_HEIGHT_M / air.ustar**2 * gamma(1.0 / a1) / a1
    c = c * (
        k * air.ustar * a1**2 / (air.u_ref * REFERENCE_HEIGHT_M * PHI_C) * delta / (delta - 1.0)
    ) ** (1.0 / a1)
    return c * np.asarray(fetch_m, dtype=float) ** (1.0 / a1)


def phi_hat(density, fetch_m, air: _Air):
    """Harmonic mean of DEGADIS's Phi = 0.88 + 0.099 Ri*^1.04 along a fetch on which Ri*
    grows as x^(1/(1 + alpha)) to :func:`layer_richardson` at its end (DEGADIS 2.1
    PHIHAT): 0.88 / 2F1(1, 1/p; 1 + 1/p; -0.099 Ri*(L)^1.04 / 0.88), p = 1.04 / (1 +
    alpha); 0.88 for a gas no denser than the air."""
    p_inv = (air.alpha + 1.0) / _PHI_E
    z = -_PHI_A * layer_richardson(density, fetch_m, air) ** _PHI_E / _PHI0
    return _PHI0 / hyp2f1(1.0, p_inv, 1.0 + p_inv, z)


def take_up_ceiling(concentration, density, fetch_m, air: _Air):
    """q*_max [kg/(m2 s)]: what the wind can take up from a gas at ``concentration`` [kg/m3]
    of ``density`` over ``fetch_m`` (DEGADIS 2.1 QSTRMX)."""
    k, delta = pool_source.VON_KARMAN, pool_source.DELTA_LAYER
    return (
        concentration
        * k
        * air.ustar
        * (1.0 + air.alpha)
        * delta
        / (delta - 1.0)
        / phi_hat(density, fetch_m, air)
    )


def _state(table, r, m, mc, air: _Air):
    wc = mc / m
    _, rho = table.at(wc)
    depth = m / (math.pi * r * r * rho)
    gp = G * np.maximum(rho - air.rho_a, 0.0) / air.rho_a
    return wc, rho, depth, gp


def _march(q, r_pool, table, air: _Air, record=None, t_end=math.inf):
    """SRC1 in time, every pool at once, each on its own clock (module docstring)."""
    n = q.size
    rho_p = table.density[:, -1]
    r = r_pool.copy()
    m = math.pi * r * r * 1.1 * SRCCUT * rho_p
    mc = m.copy()
    t = np.zeros(n)
    sliding = np.zeros(n, dtype=bool)
    live = np.ones(n, dtype=bool)
    ce3 = 2.0 * math.pi * EPSILON * C_E**3
    for _ in range(_MAX_STEPS):
        if not live.any():
            break
        wc, rho, depth, gp = _state(table, r, m, mc, air)
        u_f = C_E * np.sqrt(gp * depth)
        front = ce3 * air.rho_a * r * depth * np.sqrt(gp * depth)  # 2 pi eps C_E^2 rho_a R H u_f
        ceiling = take_up_ceiling(wc * rho, rho, 2.0 * r, air)
        out_c = ceiling * math.pi * r * r
        out = out_c / wc
        sliding |= front + q <= out
        # on the balance: intake a R^-2 + q = outflow b R^2 (Phi_hat held), a quadratic in R^2
        a = front * r * r
        b = out / (r * r)
        r_bal = np.sqrt((q + np.sqrt(q * q + 4.0 * a * b)) / (2.0 * b))
        steady = sliding & (np.abs(q - wc * (front + q)) <= _TOLERANCE * q)
        live &= ~steady & (t < t_end * (1.0 - 1e-12))
        dt = _STEP * np.minimum(
            np.minimum(m / (front + q + out), mc / (q + out_c)),
            np.where(sliding, np.inf, r / np.maximum(u_f, 1e-12)),
        )
        dt = np.where(live, np.minimum(dt, t_end - t), 0.0)
        if record is not None:
            record.append((t.copy(), r.copy(), wc.copy(), depth.copy()))
        r_new = np.where(sliding, np.minimum(r_bal, r + u_f * dt), r + u_f * dt)
        r_new = np.maximum(r_new, r_pool)
        # the fluxes on the new radius (on the balance they are equal)
        wc_n, rho_n, depth_n, gp_n = _state(table, r_new, m, mc, air)
        front_n = ce3 * air.rho_a * r_new * depth_n * np.sqrt(gp_n * depth_n)
        out_n = take_up_ceiling(wc_n * rho_n, rho_n, 2.0 * r_new, air) * math.pi * r_new**2 / wc_n
        grow = np.where(sliding, np.maximum(front_n + q - out_n, 0.0), front + q - out)
        out_now = np.where(sliding, out_n, out)
        wc_now = np.where(sliding, wc_n, wc)
        m = m + grow * dt
        mc = mc + (q - wc_now * out_now) * dt
        r = np.where(live, r_new, r)
        t = t + dt
    else:
        raise RuntimeError(
            f"pool blanket: no steady state within {_MAX_STEPS} steps for {int(live.sum())} pools"
        )
    wc, rho, depth, gp = _state(table, r, m, mc, air)
    front = ce3 * air.rho_a * r * depth * np.sqrt(gp * depth)
    return r, wc, rho, depth, front, t


def _air(ambient_density, ustar_d, alpha, u_ref) -> _Air:
    return _Air(
        *(
            np.atleast_1d(np.asarray(v, dtype=float))
            for v in (ambient_density, ustar_d, alpha, u_ref)
        )
    )


def blanket(
    rate_kg_s,
    pool_radius_m,
    table: cloud_mixing.MixingTable,
    *,
    air_density_kg_m3,
    friction_velocity_m_s,
    alpha,
    wind_speed_m_s,
    record=None,
    t_end_s=math.inf,
) -> Blanket:
    """The steady blanket over each pool (module docstring), every pool at once.

    Parameters
    ----------
    rate_kg_s : array_like
        The pool's evaporation rate, pure vapour. [kg/s]
    pool_radius_m : array_like
        Its radius. [m]
    table : cloud_mixing.MixingTable
        The vapour's adiabatic mixing with the air, one row per pool.
    air_density_kg_m3, friction_velocity_m_s, alpha, wind_speed_m_s : array_like
        The air's density [kg/m3], DEGADIS's u* [m/s] (``pool_source``), the power-law
        wind's exponent [-] and the wind at 10 m [m/s].
    record : list, optional
        Receives (t, R, vapour mass fraction, depth) at every step of the pools that form
        a blanket (for tests).
    t_end_s : array_like, optional
        Stop there if no steady state has come before: a spill that ends sooner leaves
        the blanket as it was then (its radius, its vapour fraction). [s]

    Returns
    -------
    Blanket
    """
    q, r_pool = (np.atleast_1d(np.asarray(v, dtype=float)) for v in (rate_kg_s, pool_radius_m))
    air = _air(air_density_kg_m3, friction_velocity_m_s, alpha, wind_speed_m_s)
    air = _Air(*(np.broadcast_to(v, q.shape).astype(float) for v in air))
    rho_p = table.density[:, -1]
    ceiling = take_up_ceiling(rho_p, rho_p, 2.0 * r_pool, air)
    formed = q / (math.pi * r_pool**2) > ERNOBL * ceiling
    radius, wc, rho, depth, front, t = (
        r_pool.copy(),
        np.ones(q.size),
        rho_p.copy(),
        np.zeros(q.size),
        np.zeros(q.size),
        np.zeros(q.size),
    )
    if formed.any():
        i = np.flatnonzero(formed)
        sub = cloud_mixing.MixingTable(table.omega, *(a[i] for a in table[1:]))
        t_end = np.broadcast_to(np.asarray(t_end_s, dtype=float), q.shape)[i]
        out = _march(q[i], r_pool[i], sub, _Air(*(v[i] for v in air)), record, t_end)
        for dest, val in zip((radius, wc, rho, depth, front, t), out, strict=True):
            dest[i] = val
    return Blanket(formed, radius, depth, wc, rho, front, t, ceiling)
