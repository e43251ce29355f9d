"""Adiabatic mixing of a released material (vapour and liquid droplets) with moist air.

A cloud is described by the mass fraction ``omega`` of released material (vapour plus
aerosol) in the mixture. For each release a table over ``omega`` gives the mixture's
temperature, liquid (aerosol) fraction, density and the vapour's mole fraction, found by
an enthalpy balance and, while droplets remain, phase equilibrium (the vapour's partial
pressure equals its saturation pressure: homogeneous equilibrium, as in SLAB and the UDM).

Concentration basis, used by every dispersion function in ``physics``: kg of released
material (vapour and droplets) per m3 of the mixture at the cloud's own temperature and
pressure. The vapour's volume (mole) fraction follows from the same table
(:meth:`MixingTable.mole_fraction_of_concentration`); levels given in ppm are volume
fractions and are converted with the table once (:meth:`MixingTable.level_concentration`).

Assumptions stated: ideal gases; constant heat capacities and latent heat; water vapour in
the air is carried (molar mass and heat capacity of moist air) but does not condense;
droplets occupy no volume and move with the gas; the saturation pressure of the released
material follows Clausius-Clapeyron through its normal boiling point.

References
----------
Ermak, D.L. (1990). User's manual for SLAB: an atmospheric dispersion model for
    denser-than-air releases. UCRL-MA-105607, Lawrence Livermore National Laboratory
    (adiabatic mixing with aerosol in thermodynamic equilibrium).
Witlox, H.W.M., Holt, A. (1999). A unified model for jet, heavy and passive dispersion
    including droplet rainout and re-evaporation. CCPS International Conference and
    Workshop on Modeling the Consequences of Accidental Releases, 315-344 (homogeneous
    equilibrium of the cloud).
"""

from __future__ import annotations

from bisect import bisect_left
from typing import NamedTuple

import numpy as np
from chemicals.iapws import iapws95_Psat

R_GAS = 8.314462618  # J/(mol K), CODATA 2018
MOLAR_MASS_DRY_AIR = 0.0289647  # kg/mol (US Standard Atmosphere 1976)
MOLAR_MASS_WATER = 0.01801528  # kg/mol
CP_DRY_AIR = 1006.3  # J/(kg K), as in DEGADIS 2.1 (DEGIN.PRM)
CP_WATER_VAPOUR = 1865.0  # J/(kg K), as in DEGADIS 2.1 (DEGIN.PRM)
# The omega grid of every table: pure release down to 1e-10 (0.1 ppb of a heavy gas).
OMEGA = np.concatenate(([0.0], np.geomspace(1e-10, 1.0, 241)))
_BISECTIONS = 22  # the temperature to (range of T) / 2^22, below 1e-4 K


class MoistAir(NamedTuple):
    """Ambient air: temperature [K], pressure [Pa], molar mass [kg/mol], cp [J/(kg K)],
    density [kg/m3]; each an array over releases."""

    temperature_K: np.ndarray
    pressure_Pa: np.ndarray
    molar_mass: np.ndarray
    cp: np.ndarray
    density: np.ndarray


def moist_air(temperature_K, relative_humidity, pressure_Pa=101325.0) -> MoistAir:
    """Molar mass, heat capacity and density of moist air.

    Parameters
    ----------
    temperature_K : array_like
        Air temperature, 273.16-373 K for the water saturation pressure. [K]
    relative_humidity : array_like
        0..1. [-]
    pressure_Pa : array_like
        Air pressure. [Pa]

    References
    ----------
    Water saturation pressure: IAPWS-95 (Wagner & Pruss 2002) via ``chemicals``.
    """
    t, rh, p = np.broadcast_arrays(
        *(np.asarray(v, dtype=float) for v in (temperature_K, relative_humidity, pressure_Pa))
    )
    if np.any((rh < 0) | (rh > 1)) or not np.all(np.isfinite(rh)):
        raise ValueError("relative humidity must lie in [0, 1]")
    if np.any((t < 200.0) | (t > 373.0)):
        raise ValueError("air temperature must be 200-373 K")
    levels, where = np.unique(np.clip(t, 273.16, 373.0), return_inverse=True)
    p_sat = np.array([iapws95_Psat(float(v)) for v in levels])[where].reshape(t.shape)
    x_w = rh * p_sat / p  # mole fraction of water vapour
    molar = (1.0 - x_w) * MOLAR_MASS_DRY_AIR + x_w * MOLAR_MASS_WATER
    q = x_w * MOLAR_MASS_WATER / molar  # specific humidity
    cp = (1.0 - q) * CP_DRY_AIR + q * CP_WATER_VAPOUR
    return MoistAir(t, p, molar, cp, p * molar / (R_GAS * t))


class MixingTable(NamedTuple):
    """Mixture state against the mass fraction of released material, one row per release.

    ``omega`` (k,) is shared; the others are (n, k): ``temperature`` [K], ``liquid``
    (mass fraction of the released material that is droplets) [-], ``density`` [kg/m3],
    ``concentration`` = omega * density [kg/m3], ``mole_fraction`` of the vapour [-].
    """

    omega: np.ndarray
    temperature: np.ndarray
    liquid: np.ndarray
    density: np.ndarray
    concentration: np.ndarray
    mole_fraction: np.ndarray

    def at(self, omega):
        """(temperature, density) at mass fractions ``omega`` (n,) by linear interpolation
        on the shared grid."""
        w = np.minimum(np.maximum(omega, 0.0), 1.0)
        j = np.minimum(np.maximum(np.searchsorted(self.omega, w) - 1, 0), self.omega.size - 2)
        lo, hi = self.omega[j], self.omega[j + 1]
        f = (w - lo) / (hi - lo)
        flat = j + np.arange(w.size) * self.omega.size

        def lerp(a):
            a0, a1 = a.take(flat), a.take(flat + 1)
            return a0 + f * (a1 - a0)

        return lerp(self.temperature), lerp(self.density)

    def one(self, i: int):
        """``at`` for release ``i`` on a float ``omega`` (its look-up on lists: for one
        release numpy's cost per call dominates)."""
        grid = self.omega.tolist()
        temperature = self.temperature[i].tolist()
        density = self.density[i].tolist()
        last = len(grid) - 2

        def at(omega):
            w = min(max(omega, 0.0), 1.0)
            j = min(max(bisect_left(grid, w) - 1, 0), last)
            f = (w - grid[j]) / (grid[j + 1] - grid[j])
            return (
                temperature[j] + f * (temperature[j + 1] - temperature[j]),
                density[j] + f * (density[j + 1] - density[j]),
            )

        return at

    def _by_row(self, table, target, column):
        """Interpolate ``column`` where ``table`` (increasing along a row) equals target
        (n, m)."""
        target = np.asarray(target, dtype=float)
        k = (table[:, None, :] < target[..., None]).sum(axis=-1)
        k = np.clip(k, 1, table.shape[1] - 1)
        rows = np.arange(table.shape[0])[:, None]
        t0, t1 = table[rows, k - 1], table[rows, k]
        c0, c1 = column[rows, k - 1], column[rows, k]
        with np.errstate(divide="ignore", invalid="ignore"):
            f = np.clip(np.where(t1 > t0, (target - t0) / (t1 - t0), 0.0), 0.0, 1.0)
        return c0 + f * (c1 - c0)

    def mole_fraction_of_concentration(self, concentration):
        """Vapour mole fraction where the cloud holds ``concentration`` (n, m) [kg/m3]."""
        return self._by_row(self.concentration, concentration, self.mole_fraction)

    def level_concentration(self, mole_fraction):
        """Concentration [kg/m3] at which the vapour's mole fraction is ``mole_fraction``
        (n, m): a level in ppm (x 1e-6) on this module's basis."""
        return self._by_row(self.mole_fraction, mole_fraction, self.concentration)


def mixing_table(
    air: MoistAir,
    *,
    molar_mass_kg_mol,
    temperature_K,
    liquid_fraction,
    vapour_cp_J_kgK,
    latent_heat_J_kg,
    boiling_point_K,
) -> MixingTable:
    """Adiabatic mixing table of each release with the air (see the module docstring).

    Enthalpy per kg of mixture, referred to vapour and air at the air temperature T_a:
    (omega cp_v + (1 - omega) cp_a)(T - T_a) = omega [cp_v (T_r - T_a) - (f_0 - f) L], with
    f the liquid fraction of the released material at T. If droplets remain (the vapour
    would be supersaturated with f = 0), f follows from y_v p = p_sat(T) and T is found by
    bisection; the residual is monotonic in T.

    Parameters
    ----------
    air : MoistAir
        Ambient air per release.
    molar_mass_kg_mol : array_like
        Molar mass of the released material. [kg/mol]
    temperature_K : array_like
        Temperature of the released material as it enters the cloud (after flashing). [K]
    liquid_fraction : array_like
        Mass fraction of droplets in it, 0..1. [-]
    vapour_cp_J_kgK : array_like
        Heat capacity of its vapour. [J/(kg K)]
    latent_heat_J_kg : array_like
        Heat of vaporisation (at the boiling point). [J/kg]
    boiling_point_K : array_like
        Normal boiling point (Clausius-Clapeyron anchor, p_sat = 101325 Pa there). [K]

    Returns
    -------
    MixingTable

    References
    ----------
    Ermak (1990), SLAB, thermodynamics of the cloud; Witlox & Holt (1999).
    """
    _, m_p, t_r, f0, cp_v, lat, t_b = (
        np.asarray(v, dtype=float)[:, None]
        for v in np.broadcast_arrays(
            air.temperature_K,
            molar_mass_kg_mol,
            temperature_K,
            liquid_fraction,
            vapour_cp_J_kgK,
            latent_heat_J_kg,
            boiling_point_K,
        )
    )
    t_a = air.temperature_K[:, None]
    p = air.pressure_Pa[:, None]
    m_a = air.molar_mass[:, None]
    cp_a = air.cp[:, None]
    w = OMEGA[None, :]
    heat_cap = w * cp_v + (1.0 - w) * cp_a

    # invariants of the bisection below: its cost is numpy's per-call overhead
    clausius = lat * m_p / R_GAS
    inv_tb = 1.0 / t_b
    p_ratio = 101325.0 / p
    some = w > 0.0
    # vapour mass per unit saturation ratio y/(1-y), over the released mass (0 at w = 0)
    vapour_per = (1.0 - w) / m_a * m_p / np.where(some, w, np.inf)

    def liquid_at(t, p_ratio=p_ratio, clausius=clausius, inv_tb=inv_tb, per=vapour_per, some=some):
        """Droplet fraction f in equilibrium at T (0 if the vapour is unsaturated): the
        vapour's mole fraction at saturation y = p_sat(T) / p (Clausius-Clapeyron, at most
        0.999999) holds y / (1 - y) mol of vapour per mol of air."""
        y_sat = np.minimum(p_ratio * np.exp(clausius * (inv_tb - 1.0 / t)), 0.999999)
        return np.maximum(1.0 - y_sat / (1.0 - y_sat) * per, 0.0) * some

    dry_t = t_a + w * (cp_v * (t_r - t_a) - f0 * lat) / heat_cap
    # evaporating every droplet may cool below absolute zero on paper: droplets remain
    floor = 1.0
    wet = liquid_at(np.maximum(dry_t, floor)) > 0.0
    # the bisection on the points where droplets remain only (the same operations on them)
    shape = wet.shape
    cell = np.nonzero(wet)

    def on_wet(a):
        return np.broadcast_to(a, shape)[cell]

    lo = on_wet(np.maximum(dry_t, floor))
    hi = on_wet(np.maximum(np.maximum(t_a, t_r), dry_t))
    hc, ta = on_wet(heat_cap), on_wet(t_a)
    released = on_wet(w * (cp_v * (t_r - t_a) - f0 * lat))
    evaporated = on_wet(w * lat)
    wet_args = tuple(on_wet(a) for a in (p_ratio, clausius, inv_tb, vapour_per, some))
    for _ in range(_BISECTIONS):
        mid = 0.5 * (lo + hi)
        below = hc * (mid - ta) - released - evaporated * liquid_at(mid, *wet_args) < 0.0
        lo = np.where(below, mid, lo)
        hi = np.where(below, hi, mid)
    t = np.broadcast_to(dry_t, shape).copy()
    t[cell] = 0.5 * (lo + hi)
    f = np.zeros(shape)
    f[cell] = liquid_at(t[cell], *wet_args)
    # the release itself, before any air: as it enters the cloud
    t[:, -1], f[:, -1] = t_r[:, 0], f0[:, 0]
    n_vap = w * (1.0 - f) / m_p
    n_gas = n_vap + (1.0 - w) / m_a
    density = p / (n_gas * R_GAS * t)
    return MixingTable(OMEGA, t, f, density, w * density, n_vap / n_gas)
