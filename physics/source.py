"""Source terms: how much leaves a tank, vessel or pipeline, how fast, how hot, in which phase.

Every release function returns a :class:`Release`: a release rate sampled in time (or an
instantaneous mass), the temperature and the phase of what enters the atmosphere, and, for
liquefied gases, the flashed and rained-out fractions. The SimPy engine follows a release by
calling :meth:`Release.rate_at`; dispersion and pool models read the arrays.

All inputs are plain SI numbers (Pa absolute, K, m, kg, J); fluid properties are arguments,
taken by the caller from the ``chemicals`` library. Rate functions broadcast over numpy arrays.
"""

from dataclasses import dataclass

import numpy as np
from scipy import constants, integrate, optimize

G = constants.g  # standard gravity, m/s2 (CODATA, via scipy.constants)
R = constants.R  # molar gas constant, J/(mol K) (CODATA, via scipy.constants)
P_ATM = constants.atm  # standard atmosphere, Pa

PHASES = ("liquid", "gas", "two-phase")
TANK_SHAPES = ("vertical-cylinder", "horizontal-cylinder", "sphere")
BLOWDOWN_MODELS = ("isothermal", "adiabatic")
RAINOUT_MODELS = ("aerosol-equals-flash",)


def _check(name, value, *, positive=False, nonnegative=False, fraction=False):
    """Return ``value`` as a float array; ValueError with one line if NaN or out of range."""
    arr = np.asarray(value, dtype=float)
    if np.any(np.isnan(arr)):
        raise ValueError(f"{name} must be a number, got NaN")
    if positive and np.any(arr <= 0):
        raise ValueError(f"{name} must be > 0, got {value}")
    if nonnegative and np.any(arr < 0):
        raise ValueError(f"{name} must be >= 0, got {value}")
    if fraction and np.any((arr < 0) | (arr > 1)):
        raise ValueError(f"{name} must lie in [0, 1], got {value}")
    return arr


def _check_model(model, valid):
    if model not in valid:
        raise ValueError(f"unknown model {model!r}; valid models: {', '.join(valid)}")


@dataclass(frozen=True, eq=False)
class Release:
    """A release followed in time.

    Attributes
    ----------
    times_s : numpy.ndarray
        Sample times from the start of the release, non-decreasing. [s]
    rate_kg_s : numpy.ndarray
        Mass release rate at ``times_s``, linear in between, zero outside. [kg/s]
    temperature_K : numpy.ndarray
        Temperature of the released material at ``times_s`` (after flashing, for a
        liquefied gas: its normal boiling point). A scalar is broadcast. [K]
    phase : str
        One of :data:`PHASES`: "liquid", "gas" or "two-phase".
    flash_fraction : float
        Mass fraction that flashes to vapour on depressurisation. [-]
    rainout_fraction : float
        Mass fraction that reaches the ground as liquid and feeds a pool. [-]
    instantaneous_mass_kg : float
        Mass released at t = 0 all at once (catastrophic rupture). [kg]
    """

    times_s: np.ndarray
    rate_kg_s: np.ndarray
    temperature_K: np.ndarray
    phase: str
    flash_fraction: float = 0.0
    rainout_fraction: float = 0.0
    instantaneous_mass_kg: float = 0.0

    def __post_init__(self):
        times = np.atleast_1d(_check("times_s", self.times_s, nonnegative=True))
        rate = np.atleast_1d(_check("rate_kg_s", self.rate_kg_s, nonnegative=True))
        if times.ndim != 1 or rate.shape != times.shape:
            raise ValueError("times_s and rate_kg_s must be 1-D arrays of the same length")
        if np.any(np.diff(times) < 0):
            raise ValueError("times_s must be non-decreasing")
        temperature = _check("temperature_K", self.temperature_K, positive=True)
        temperature = np.broadcast_to(temperature, times.shape).copy()
        if self.phase not in PHASES:
            raise ValueError(f"phase must be one of {', '.join(PHASES)}, got {self.phase!r}")
        _check("flash_fraction", self.flash_fraction, fraction=True)
        _check("rainout_fraction", self.rainout_fraction, fraction=True)
        if self.flash_fraction + self.rainout_fraction > 1 + 1e-12:
            raise ValueError("flash_fraction + rainout_fraction must not exceed 1")
        _check("instantaneous_mass_kg", self.instantaneous_mass_kg, nonnegative=True)
        for name, arr in (("times_s", times), ("rate_kg_s", rate), ("temperature_K", temperature)):
            arr.flags.writeable = False
            object.__setattr__(self, name, arr)

    @property
    def duration_s(self) -> float:
        """Time from the first to the last sample. [s]"""
        return float(self.times_s[-1] - self.times_s[0])

    @property
    def total_mass_kg(self) -> float:
        """Instantaneous mass plus the integral of the rate (trapezoidal). [kg]"""
        return float(self.instantaneous_mass_kg + np.trapezoid(self.rate_kg_s, self.times_s))

    def rate_at(self, time_s):
        """Release rate at ``time_s`` (linear between samples, zero outside). [kg/s]"""
        return np.interp(time_s, self.times_s, self.rate_kg_s, left=0.0, right=0.0)


# --------------------------------------------------------------------------- liquids


def _orifice_rate(pressure_drop_Pa, area_m2, density_kg_m3, discharge_coefficient):
    """Cd A sqrt(2 rho dP) for dP > 0, else 0 (Bernoulli through a sharp-edged orifice)."""
    dp = np.clip(pressure_drop_Pa, 0.0, None)
    return discharge_coefficient * area_m2 * np.sqrt(2 * density_kg_m3 * dp)


def liquid_hole_rate(
    head_m, hole_area_m2, density_kg_m3, overpressure_Pa=0.0, discharge_coefficient=0.61
):
    """Mass rate of liquid through a sharp-edged hole in a tank wall (Bernoulli).

    ``Q = Cd A rho sqrt(2 dP / rho + 2 g h)``; zero when the liquid surface is at or below the
    hole or when the driving pressure is not positive.

    Parameters
    ----------
    head_m : array_like
        Height of the liquid surface above the hole. [m]
    hole_area_m2 : array_like
        Hole area. [m2]
    density_kg_m3 : array_like
        Liquid density. [kg/m3]
    overpressure_Pa : array_like, optional
        Pressure above the liquid minus ambient pressure (gauge). [Pa]
    discharge_coefficient : array_like, optional
        Discharge coefficient; 0.61 for a sharp-edged orifice at Re > 30 000. [-]

    Returns
    -------
    numpy.ndarray
        Mass release rate. [kg/s]

    References
    ----------
    CCPS (1996) Guidelines for Use of Vapor Cloud Dispersion Models, 2nd ed., p. 29, eq. 4-10;
    CCPS (1999) Guidelines for Consequence Analysis of Chemical Releases, p. 27 (Cd = 0.61);
    Crowl & Louvar, Chemical Process Safety, ch. 4 (liquid flow through a hole in a tank).
    """
    head = _check("head_m", head_m)
    area = _check("hole_area_m2", hole_area_m2, nonnegative=True)
    rho = _check("density_kg_m3", density_kg_m3, positive=True)
    dp = _check("overpressure_Pa", overpressure_Pa)
    cd = _check("discharge_coefficient", discharge_coefficient, positive=True, fraction=True)
    rate = _orifice_rate(dp + rho * G * head, area, rho, cd)
    return np.where(head > 0, rate, 0.0)


def tank_surface_area(level_m, tank_shape, diameter_m, length_m=None):
    """Area of the free liquid surface at a given level (closed-form tank geometry).

    Parameters
    ----------
    level_m : array_like
        Liquid level above the tank bottom. [m]
    tank_shape : str
        One of :data:`TANK_SHAPES`.
    diameter_m : float
        Tank diameter. [m]
    length_m : float, optional
        Length of a horizontal cylinder (flat ends). [m]

    Returns
    -------
    numpy.ndarray
        Free-surface area: pi D^2/4 (vertical cylinder), 2 L sqrt(h (D - h)) (horizontal
        cylinder), pi h (D - h) (sphere); zero outside the tank. [m2]
    """
    h = _check("level_m", level_m)
    d = _check("diameter_m", diameter_m, positive=True)
    if tank_shape == "vertical-cylinder":
        return np.broadcast_to(np.pi * d**2 / 4, h.shape).astype(float)
    inside = np.clip(h * (d - h), 0.0, None)
    if tank_shape == "horizontal-cylinder":
        if length_m is None:
            raise ValueError("length_m is required for a horizontal-cylinder tank")
        return 2 * _check("length_m", length_m, positive=True) * np.sqrt(inside)
    if tank_shape == "sphere":
        return np.pi * inside
    raise ValueError(f"unknown tank_shape {tank_shape!r}; valid: {', '.join(TANK_SHAPES)}")


def liquid_tank_release(
    level_m,
    hole_height_m,
    hole_area_m2,
    density_kg_m3,
    temperature_K,
    *,
    tank_shape="vertical-cylinder",
    tank_diameter_m=None,
    tank_length_m=None,
    surface_area=None,
    overpressure_Pa=0.0,
    discharge_coefficient=0.61,
    n_times=201,
):
    """Liquid draining through a hole in a tank wall, the head falling as the tank empties.

    The level obeys ``rho A(h) dh/dt = -Q(h)`` with Q from :func:`liquid_hole_rate` and a
    constant overpressure (pressure-controlled blanket). Substituting u = sqrt(H), with
    H = h - h_hole + dP/(rho g) the effective head, gives the quadrature
    ``t(u) = sqrt(2/g) / (Cd A_hole) * integral_u^u0 A(h(u')) du'``, exact for a vertical
    cylinder (A constant: the closed form of Crowl & Louvar) and integrated numerically for
    any other shape. Flow stops when the level reaches the hole.

    Parameters
    ----------
    level_m : float
        Initial liquid level above the tank bottom. [m]
    hole_height_m : float
        Height of the hole above the tank bottom. [m]
    hole_area_m2 : float
        Hole area. [m2]
    density_kg_m3 : float
        Liquid density. [kg/m3]
    temperature_K : float
        Liquid temperature (below its normal boiling point for a non-flashing liquid). [K]
    tank_shape : str, optional
        One of :data:`TANK_SHAPES`; ignored when ``surface_area`` is given.
    tank_diameter_m, tank_length_m : float, optional
        Tank dimensions for ``tank_shape``. [m]
    surface_area : callable, optional
        Free-surface area as a function of level, ``A(level_m) -> m2``, vectorised; for any
        tank (strapping table, cone roof, ...).
    overpressure_Pa : float, optional
        Gauge pressure above the liquid, held constant. [Pa]
    discharge_coefficient : float, optional
        Discharge coefficient. [-]
    n_times : int, optional
        Number of samples in the returned release.

    Returns
    -------
    Release
        Phase "liquid" (all of it rains out), from t = 0 to the time the level reaches the
        hole.

    References
    ----------
    Crowl & Louvar, Chemical Process Safety, ch. 4 (liquid draining from a tank: the head
    falls as the tank empties; vertical cylinder closed form, draining time
    t = (A_tank / (Cd A_hole)) sqrt(2 h0 / g) without overpressure); CCPS (1999) ch. 2.
    """
    h0 = float(_check("level_m", level_m, nonnegative=True))
    hh = float(_check("hole_height_m", hole_height_m, nonnegative=True))
    area = float(_check("hole_area_m2", hole_area_m2, positive=True))
    rho = float(_check("density_kg_m3", density_kg_m3, positive=True))
    dp = float(_check("overpressure_Pa", overpressure_Pa))
    cd = float(_check("discharge_coefficient", discharge_coefficient, positive=True, fraction=True))
    if surface_area is None:
        if tank_diameter_m is None:
            raise ValueError("give tank_diameter_m (with tank_shape) or a surface_area function")
        if tank_shape != "vertical-cylinder" and h0 > tank_diameter_m:
            raise ValueError(f"level_m {h0} is above the top of the tank ({tank_diameter_m} m)")

        def surface_area(level):
            return tank_surface_area(level, tank_shape, tank_diameter_m, tank_length_m)

    if hh >= h0:
        return Release(np.zeros(1), np.zeros(1), temperature_K, "liquid")
    pressure_head = dp / (rho * G)
    u0_sq = h0 - hh + pressure_head
    u_end_sq = max(pressure_head, 0.0)  # level at the hole, or flow stops under vacuum
    if u0_sq <= u_end_sq:
        return Release(np.zeros(1), np.zeros(1), temperature_K, "liquid")
    # fine grid for the quadrature, then thinned to n_times samples
    fine = max(20 * n_times, 4001)
    u = np.linspace(np.sqrt(u_end_sq), np.sqrt(u0_sq), fine)[::-1]  # u0 first
    level = u**2 + hh - pressure_head
    a_surface = np.asarray(surface_area(level), dtype=float)
    if np.any(a_surface < 0) or np.any(np.isnan(a_surface)):
        raise ValueError("surface_area must return non-negative numbers")
    running = integrate.cumulative_simpson(a_surface[::-1], x=u[::-1], initial=0.0)[::-1]
    t = np.sqrt(2 / G) / (cd * area) * (running[0] - running)
    rate = rho * cd * area * np.sqrt(2 * G) * u
    pick = np.unique(np.linspace(0, fine - 1, n_times).round().astype(int))
    return Release(t[pick], rate[pick], temperature_K, "liquid", rainout_fraction=1.0)


# --------------------------------------------------------------------------- gases


def choked_pressure_ratio(gamma):
    """Downstream/upstream pressure ratio below which gas flow through a hole is choked.

    ``r* = (2 / (gamma + 1)) ** (gamma / (gamma - 1))``

    Parameters
    ----------
    gamma : array_like
        Heat capacity ratio cp/cv. [-]

    Returns
    -------
    numpy.ndarray
        Critical pressure ratio. [-]

    References
    ----------
    Crowl & Louvar, Chemical Process Safety, ch. 4 (choked flow of gases through holes);
    CCPS (1999) Guidelines for Consequence Analysis of Chemical Releases, §2.1.1.
    """
    k = _check("gamma", gamma)
    if np.any(k <= 1):
        raise ValueError(f"gamma must be > 1, got {gamma}")
    return (2 / (k + 1)) ** (k / (k - 1))


def gas_hole_rate(
    pressure_Pa,
    temperature_K,
    hole_area_m2,
    molar_mass_kg_mol,
    gamma,
    ambient_pressure_Pa=P_ATM,
    discharge_coefficient=1.0,
):
    """Mass rate of an ideal gas through a hole, choked or subsonic (isentropic nozzle).

    With r = P_a / P, choked when r <= r* (:func:`choked_pressure_ratio`):
    ``Q = Cd A P sqrt(gamma M / (R T) (2/(gamma+1))^((gamma+1)/(gamma-1)))``;
    subsonic: ``Q = Cd A P sqrt(2 M / (R T) gamma/(gamma-1) (r^(2/gamma) - r^((gamma+1)/gamma)))``.
    Zero when P <= P_a.

    Parameters
    ----------
    pressure_Pa : array_like
        Upstream (stagnation) pressure, absolute. [Pa]
    temperature_K : array_like
        Upstream temperature. [K]
    hole_area_m2 : array_like
        Hole area. [m2]
    molar_mass_kg_mol : array_like
        Molar mass. [kg/mol]
    gamma : array_like
        Heat capacity ratio cp/cv. [-]
    ambient_pressure_Pa : array_like, optional
        Downstream pressure, absolute. [Pa]
    discharge_coefficient : array_like, optional
        Discharge coefficient; 1.0 is the ideal isentropic nozzle (an upper bound). [-]

    Returns
    -------
    numpy.ndarray
        Mass release rate. [kg/s]

    References
    ----------
    Crowl & Louvar, Chemical Process Safety, ch. 4 (gas flow through holes, subsonic and
    choked); CCPS (1999) Guidelines for Consequence Analysis of Chemical Releases, §2.1.1
    and its worked gas-discharge example (p. 47).
    """
    p = _check("pressure_Pa", pressure_Pa, positive=True)
    t = _check("temperature_K", temperature_K, positive=True)
    area = _check("hole_area_m2", hole_area_m2, nonnegative=True)
    m = _check("molar_mass_kg_mol", molar_mass_kg_mol, positive=True)
    k = _check("gamma", gamma)
    pa = _check("ambient_pressure_Pa", ambient_pressure_Pa, positive=True)
    cd = _check("discharge_coefficient", discharge_coefficient, positive=True, fraction=True)
    r_crit = choked_pressure_ratio(k)
    ratio = np.clip(pa / p, 0.0, 1.0)
    choked = cd * area * p * np.sqrt(k * m / (R * t) * (2 / (k + 1)) ** ((k + 1) / (k - 1)))
    bracket = np.clip(ratio ** (2 / k) - ratio ** ((k + 1) / k), 0.0, None)
    subsonic = cd * area * p * np.sqrt(2 * m / (R * t) * k / (k - 1) * bracket)
    return np.where(ratio <= r_crit, choked, subsonic)


def gas_hole_release(
    pressure_Pa,
    temperature_K,
    hole_area_m2,
    molar_mass_kg_mol,
    gamma,
    duration_s,
    ambient_pressure_Pa=P_ATM,
    discharge_coefficient=1.0,
):
    """Gas leak at a constant rate from a source held at constant pressure (a supplied line).

    Parameters are those of :func:`gas_hole_rate`, plus the duration until isolation. [s]

    Returns
    -------
    Release
        Phase "gas", constant rate from 0 to ``duration_s``.

    References
    ----------
    See :func:`gas_hole_rate`.
    """
    duration = float(_check("duration_s", duration_s, positive=True))
    rate = float(
        gas_hole_rate(
            pressure_Pa,
            temperature_K,
            hole_area_m2,
            molar_mass_kg_mol,
            gamma,
            ambient_pressure_Pa,
            discharge_coefficient,
        )
    )
    return Release(np.array([0.0, duration]), np.array([rate, rate]), temperature_K, "gas")


def gas_vessel_blowdown(
    volume_m3,
    pressure_Pa,
    temperature_K,
    hole_area_m2,
    molar_mass_kg_mol,
    gamma,
    *,
    ambient_pressure_Pa=P_ATM,
    discharge_coefficient=1.0,
    model="adiabatic",
    n_times=201,
):
    """Blowdown of an ideal gas from a closed vessel through a hole, the rate decaying.

    A mass balance ``V drho/dt = -Q(P, T)`` with Q from :func:`gas_hole_rate` (choked, then
    subsonic), integrated until the vessel reaches ambient pressure. Two limits for the gas
    left in the vessel:

    - ``"adiabatic"``: isentropic expansion, P = P0 (rho/rho0)^gamma and
      T = T0 (rho/rho0)^(gamma-1) (insulating walls; a good model early in a blowdown);
    - ``"isothermal"``: T = T0, P = rho R T0 / M (walls that keep the gas warm; higher
      pressures and rates late in the blowdown).

    While choked, these reduce to closed forms with tau = m0/w0:
    w/w0 = (1 + (gamma-1)/2 t/tau)^((gamma+1)/(1-gamma)) (adiabatic), w/w0 = exp(-t/tau)
    (isothermal).

    Parameters
    ----------
    volume_m3 : float
        Vessel volume occupied by gas. [m3]
    pressure_Pa, temperature_K : float
        Initial pressure (absolute) and temperature in the vessel. [Pa], [K]
    hole_area_m2, molar_mass_kg_mol, gamma, ambient_pressure_Pa, discharge_coefficient
        As in :func:`gas_hole_rate`.
    model : str, optional
        One of :data:`BLOWDOWN_MODELS`.
    n_times : int, optional
        Number of samples in the returned release.

    Returns
    -------
    Release
        Phase "gas"; ``temperature_K`` is the vessel gas temperature at each sample.

    References
    ----------
    Lees (1996) Loss Prevention in the Process Industries, 2nd ed., p. 15/44 (adiabatic choked
    blowdown); Farrell (2025) "Vessel blowdown - ideal gases", aefarrell.github.io (derivation of
    the adiabatic and isothermal limits); Crowl & Louvar, ch. 4.
    """
    _check_model(model, BLOWDOWN_MODELS)
    v = float(_check("volume_m3", volume_m3, positive=True))
    p0 = float(_check("pressure_Pa", pressure_Pa, positive=True))
    t0 = float(_check("temperature_K", temperature_K, positive=True))
    m = float(_check("molar_mass_kg_mol", molar_mass_kg_mol, positive=True))
    k = float(_check("gamma", gamma))
    pa = float(_check("ambient_pressure_Pa", ambient_pressure_Pa, positive=True))
    _check("hole_area_m2", hole_area_m2, positive=True)
    rho0 = p0 * m / (R * t0)

    def state(rho):
        if model == "isothermal":
            return rho * R * t0 / m, t0
        x = rho / rho0
        return p0 * x**k, t0 * x ** (k - 1)

    def rate(rho):
        p, t = state(rho)
        return gas_hole_rate(p, t, hole_area_m2, m, k, pa, discharge_coefficient)

    if p0 <= pa:
        return Release(np.zeros(1), np.zeros(1), t0, "gas")

    def at_ambient(_, y):
        return state(y[0])[0] - pa * (1 + 1e-6)

    at_ambient.terminal = True
    w0 = float(rate(rho0))
    tau = rho0 * v / w0
    sol = integrate.solve_ivp(
        lambda _, y: [-float(rate(y[0])) / v],
        (0.0, 1e4 * tau),
        [rho0],
        events=at_ambient,
        dense_output=True,
        rtol=1e-9,
        atol=1e-12 * rho0,
    )
    t_end = sol.t[-1]
    times = np.linspace(0.0, t_end, n_times)
    rho = sol.sol(times)[0]
    _, temps = state(rho)
    rates = np.asarray(rate(rho), dtype=float)
    rates[-1] = 0.0  # the vessel has reached ambient pressure
    return Release(times, rates, np.broadcast_to(temps, times.shape), "gas")


# --------------------------------------------------------------------------- liquefied gases


def flash_fraction(
    temperature_K, boiling_temperature_K, heat_capacity_J_kgK, heat_of_vaporisation_J_kg
):
    """Mass fraction of a superheated liquid that flashes on release to atmospheric pressure.

    ``f = cp (T - Tb) / h_fg`` (adiabatic flash, properties at the storage temperature), zero
    when T <= Tb and capped at 1.

    Parameters
    ----------
    temperature_K : array_like
        Storage temperature. [K]
    boiling_temperature_K : array_like
        Normal boiling point. [K]
    heat_capacity_J_kgK : array_like
        Liquid heat capacity. [J/(kg K)]
    heat_of_vaporisation_J_kg : array_like
        Heat of vaporisation. [J/kg]

    Returns
    -------
    numpy.ndarray
        Flash fraction. [-]

    References
    ----------
    Crowl & Louvar, Chemical Process Safety, ch. 4 (flashing liquids); CCPS (1996) Guidelines
    for Use of Vapor Cloud Dispersion Models, 2nd ed., p. 31, eq. 4-14.
    """
    t = _check("temperature_K", temperature_K, positive=True)
    tb = _check("boiling_temperature_K", boiling_temperature_K, positive=True)
    cp = _check("heat_capacity_J_kgK", heat_capacity_J_kgK, positive=True)
    hfg = _check("heat_of_vaporisation_J_kg", heat_of_vaporisation_J_kg, positive=True)
    return np.clip(cp * (t - tb) / hfg, 0.0, 1.0)


def rainout_fraction(flash_fraction, model="aerosol-equals-flash"):
    """Mass fraction of a flashing release that rains out to form a pool.

    ``"aerosol-equals-flash"``: the liquid carried off as aerosol equals the flashed mass, so
    the airborne fraction is min(2 f, 1) and the rainout fraction max(1 - 2 f, 0).

    Parameters
    ----------
    flash_fraction : array_like
        Flash fraction, from :func:`flash_fraction`. [-]
    model : str, optional
        One of :data:`RAINOUT_MODELS`.

    Returns
    -------
    numpy.ndarray
        Rainout fraction. [-]

    References
    ----------
    The rule of thumb that the aerosol equals one to two times the flashed fraction, as
    summarised with the CCPS (1999) guidelines and the CCPS RELEASE model (Johnson & Woodward
    1999) by Farrell (2020) "Chemical release screening example - butane leak",
    aefarrell.github.io; "aerosol-equals-flash" takes the factor 2 on the total (1x aerosol).
    """
    _check_model(model, RAINOUT_MODELS)
    f = _check("flash_fraction", flash_fraction, fraction=True)
    return np.clip(1 - 2 * f, 0.0, 1.0)


def flashing_mass_flux(
    pressure_Pa,
    saturation_pressure_Pa,
    temperature_K,
    liquid_density_kg_m3,
    vapour_density_kg_m3,
    heat_capacity_J_kgK,
    heat_of_vaporisation_J_kg,
):
    """Critical mass flux of a saturated or subcooled liquid flashing through a hole or short pipe.

    Equilibrium rate model (ERM): ``G_ERM = h_fg / v_fg * sqrt(1 / (cp T))`` with
    v_fg = 1/rho_v - 1/rho_l; a subcooled liquid (P > P_sat) adds the liquid head in
    quadrature, ``G = sqrt(2 rho_l (P - P_sat) + G_ERM^2)``.

    Parameters
    ----------
    pressure_Pa : array_like
        Storage pressure, absolute (at least the saturation pressure). [Pa]
    saturation_pressure_Pa : array_like
        Vapour pressure at the storage temperature. [Pa]
    temperature_K : array_like
        Storage temperature. [K]
    liquid_density_kg_m3, vapour_density_kg_m3 : array_like
        Saturated liquid and vapour densities at the storage temperature. [kg/m3]
    heat_capacity_J_kgK : array_like
        Liquid heat capacity. [J/(kg K)]
    heat_of_vaporisation_J_kg : array_like
        Heat of vaporisation at the storage temperature. [J/kg]

    Returns
    -------
    numpy.ndarray
        Mass flux through the hole (before any discharge coefficient). [kg/(m2 s)]

    References
    ----------
    Fauske & Epstein (1988) J. Loss Prev. Process Ind. 1, 75-83 (ERM; with Fauske 1985 for the
    subcooled form), as given in CCPS (1999) §2.1.2 and Crowl & Louvar ch. 4 (two-phase flow).
    By Clausius-Clapeyron, h_fg / (T v_fg) = dP_sat/dT, so G_ERM = dP_sat/dT sqrt(T / cp).
    """
    p = _check("pressure_Pa", pressure_Pa, positive=True)
    psat = _check("saturation_pressure_Pa", saturation_pressure_Pa, positive=True)
    t = _check("temperature_K", temperature_K, positive=True)
    rho_l = _check("liquid_density_kg_m3", liquid_density_kg_m3, positive=True)
    rho_v = _check("vapour_density_kg_m3", vapour_density_kg_m3, positive=True)
    cp = _check("heat_capacity_J_kgK", heat_capacity_J_kgK, positive=True)
    hfg = _check("heat_of_vaporisation_J_kg", heat_of_vaporisation_J_kg, positive=True)
    if np.any(rho_v >= rho_l):
        raise ValueError("vapour_density_kg_m3 must be below liquid_density_kg_m3")
    if np.any(p < psat * (1 - 1e-9)):
        raise ValueError("pressure_Pa is below saturation_pressure_Pa: the liquid would boil")
    v_fg = 1 / rho_v - 1 / rho_l
    g_erm = hfg / v_fg * np.sqrt(1 / (cp * t))
    return np.sqrt(2 * rho_l * np.clip(p - psat, 0.0, None) + g_erm**2)


def flashing_liquid_release(
    inventory_kg,
    hole_area_m2,
    pressure_Pa,
    temperature_K,
    *,
    saturation_pressure_Pa,
    boiling_temperature_K,
    liquid_density_kg_m3,
    vapour_density_kg_m3,
    heat_capacity_J_kgK,
    heat_of_vaporisation_J_kg,
    discharge_coefficient=1.0,
    rainout_model="aerosol-equals-flash",
):
    """Two-phase release of a liquefied gas stored under pressure, through a hole below the liquid.

    The rate is ``Cd A G`` with G from :func:`flashing_mass_flux`, held while the vapour
    pressure keeps the vessel at storage pressure, until the inventory is gone. The jet flashes
    to ambient pressure: :func:`flash_fraction` of it becomes vapour, :func:`rainout_fraction`
    rains out, and the airborne part leaves at the normal boiling point.

    Parameters
    ----------
    inventory_kg : float
        Liquid mass above the hole. [kg]
    hole_area_m2 : float
        Hole area. [m2]
    pressure_Pa, temperature_K : float
        Storage pressure (absolute) and temperature. [Pa], [K]
    saturation_pressure_Pa, boiling_temperature_K, liquid_density_kg_m3, vapour_density_kg_m3,
    heat_capacity_J_kgK, heat_of_vaporisation_J_kg
        Properties as in :func:`flashing_mass_flux` and :func:`flash_fraction`.
    discharge_coefficient : float, optional
        Applied to the ERM flux; 1.0 applies none. [-]
    rainout_model : str, optional
        One of :data:`RAINOUT_MODELS`.

    Returns
    -------
    Release
        Phase "two-phase", constant rate, temperature = normal boiling point.

    References
    ----------
    See :func:`flashing_mass_flux`, :func:`flash_fraction` and :func:`rainout_fraction`.
    """
    inventory = float(_check("inventory_kg", inventory_kg, positive=True))
    area = float(_check("hole_area_m2", hole_area_m2, positive=True))
    cd = float(_check("discharge_coefficient", discharge_coefficient, positive=True, fraction=True))
    flux = float(
        flashing_mass_flux(
            pressure_Pa,
            saturation_pressure_Pa,
            temperature_K,
            liquid_density_kg_m3,
            vapour_density_kg_m3,
            heat_capacity_J_kgK,
            heat_of_vaporisation_J_kg,
        )
    )
    rate = cd * area * flux
    f = float(
        flash_fraction(
            temperature_K, boiling_temperature_K, heat_capacity_J_kgK, heat_of_vaporisation_J_kg
        )
    )
    duration = inventory / rate
    return Release(
        np.array([0.0, duration]),
        np.array([rate, rate]),
        boiling_temperature_K,
        "two-phase",
        flash_fraction=f,
        rainout_fraction=float(rainout_fraction(f, rainout_model)),
    )


def vapour_space_release(
    liquid_kg,
    hole_area_m2,
    temperature_K,
    *,
    vapour_pressure,
    heat_capacity_J_kgK,
    heat_of_vaporisation_J_kg,
    molar_mass_kg_mol,
    gamma,
    ambient_pressure_Pa=P_ATM,
    discharge_coefficient=1.0,
    end_time_s=None,
    n_times=201,
):
    """Vapour from a hole above the liquid of a vessel of liquefied gas, its pressure falling.

    Saturated vapour leaves through the hole as a gas (:func:`gas_hole_rate`, choked, then
    subsonic) at the vapour pressure of the liquid. The liquid boils to replace it and cools,
    so the pressure falls: ``dm/dt = -Q`` and ``m cp dT/dt = -h_fg Q`` (adiabatic vessel,
    vapour hold-up neglected), until the vapour pressure reaches ambient (the liquid at its
    normal boiling point) or ``end_time_s``. Integrated to the end, the vapour released is
    ``m0 (1 - exp(-cp (T0 - Tb) / h_fg))`` for constant cp and h_fg, the integrated flash
    fraction of the whole liquid. Level swell (two-phase venting through a vapour-space hole)
    and heat from the surroundings are not modelled.

    Parameters
    ----------
    liquid_kg : float
        Liquid in the vessel. [kg]
    hole_area_m2 : float
        Hole area. [m2]
    temperature_K : float
        Initial liquid (and vapour) temperature. [K]
    vapour_pressure : callable
        ``vapour_pressure(T) -> Pa`` of the liquid, vectorised. [Pa]
    heat_capacity_J_kgK, heat_of_vaporisation_J_kg : float
        Liquid heat capacity and heat of vaporisation, held constant. [J/(kg K)], [J/kg]
    molar_mass_kg_mol, gamma : float
        Of the vapour. [kg/mol], [-]
    ambient_pressure_Pa, discharge_coefficient : float, optional
        As in :func:`gas_hole_rate`.
    end_time_s : float, optional
        Stop following the release then; by default at ambient pressure. [s]
    n_times : int, optional
        Number of samples.

    Returns
    -------
    Release
        Phase "gas"; ``temperature_K`` is the vessel temperature at each sample.

    References
    ----------
    Gas through the hole: CCPS (1999) Guidelines for Consequence Analysis of Chemical
    Releases §2.1.1; Crowl & Louvar, Chemical Process Safety, ch. 4. The energy balance
    m cp dT = h_fg dm is the one Crowl & Louvar (ch. 4, flashing liquids) integrate to the
    flash fraction 1 - exp(-cp (T - Tb) / h_fg); here it runs in time with the outflow.
    """
    m0 = float(_check("liquid_kg", liquid_kg, positive=True))
    area = float(_check("hole_area_m2", hole_area_m2, positive=True))
    t0 = float(_check("temperature_K", temperature_K, positive=True))
    cp = float(_check("heat_capacity_J_kgK", heat_capacity_J_kgK, positive=True))
    hfg = float(_check("heat_of_vaporisation_J_kg", heat_of_vaporisation_J_kg, positive=True))
    m = float(_check("molar_mass_kg_mol", molar_mass_kg_mol, positive=True))
    k = float(_check("gamma", gamma))
    pa = float(_check("ambient_pressure_Pa", ambient_pressure_Pa, positive=True))

    def rate(temp):
        p = np.asarray(vapour_pressure(temp), dtype=float)
        return gas_hole_rate(np.maximum(p, pa), temp, area, m, k, pa, discharge_coefficient)

    if float(vapour_pressure(t0)) <= pa:
        return Release(np.zeros(1), np.zeros(1), t0, "gas")

    def at_ambient(_, y):
        return float(vapour_pressure(y[1])) - pa * (1 + 1e-6)

    at_ambient.terminal = True
    w0 = float(rate(t0))
    scale = m0 * (1 - np.exp(-cp * 50.0 / hfg)) / w0  # time to release the vapour of 50 K
    end = (
        1e4 * scale
        if end_time_s is None
        else float(_check("end_time_s", end_time_s, positive=True))
    )
    sol = integrate.solve_ivp(
        lambda _, y: [-(q := float(rate(y[1]))), -hfg * q / (max(y[0], 1e-12 * m0) * cp)],
        (0.0, end),
        [m0, t0],
        events=at_ambient,
        dense_output=True,
        rtol=1e-8,
        atol=[1e-9 * m0, 1e-9 * t0],
    )
    times = np.linspace(0.0, sol.t[-1], n_times)
    temps = sol.sol(times)[1]
    rates = np.asarray(rate(temps), dtype=float)
    if sol.status == 1:
        rates[-1] = 0.0  # the vapour pressure has reached ambient
    return Release(times, rates, temps, "gas")


# --------------------------------------------------------------------------- pipelines


def gas_pipeline_rupture(
    length_m,
    diameter_m,
    pressure_Pa,
    temperature_K,
    molar_mass_kg_mol,
    gamma,
    friction_factor,
    *,
    ambient_pressure_Pa=P_ATM,
    discharge_coefficient=1.0,
    n_times=400,
):
    """Full-bore rupture of an isolated gas pipeline: Wilson's double-exponential blowdown.

    ``Q(t) = Q0 / (1 + alpha) [exp(-t / (alpha^2 beta)) + alpha exp(-t / beta)]`` with
    Q0 the initial choked rate through the full bore, M0 the inventory, c0 the speed of sound,
    ``beta = (2/3) (L / c0) sqrt(gamma f L / D)`` and ``alpha = M0 / (Q0 beta)``, so that
    the integral of Q equals M0. One side of the break; for a double-ended rupture, call once
    per side.

    Parameters
    ----------
    length_m : float
        Length of the isolated section feeding the break. [m]
    diameter_m : float
        Internal diameter. [m]
    pressure_Pa, temperature_K : float
        Line pressure (absolute) and gas temperature. [Pa], [K]
    molar_mass_kg_mol, gamma : float
        Molar mass [kg/mol] and heat capacity ratio [-].
    friction_factor : float
        Pipe friction factor f in Wilson's beta. [-]
    ambient_pressure_Pa, discharge_coefficient : float, optional
        As in :func:`gas_hole_rate`.
    n_times : int, optional
        Number of samples; they are spaced geometrically until 99.9 % of M0 has left.

    Returns
    -------
    Release
        Phase "gas".

    References
    ----------
    Wilson (1979, 1981), as given in CCPS (1999) Guidelines for Consequence Analysis of Chemical
    Releases §2.1 and the TNO Yellow Book CPR 14E ch. 2 (gas release from a long pipeline).
    """
    length = float(_check("length_m", length_m, positive=True))
    d = float(_check("diameter_m", diameter_m, positive=True))
    p = float(_check("pressure_Pa", pressure_Pa, positive=True))
    t0 = float(_check("temperature_K", temperature_K, positive=True))
    m = float(_check("molar_mass_kg_mol", molar_mass_kg_mol, positive=True))
    k = float(_check("gamma", gamma))
    f = float(_check("friction_factor", friction_factor, positive=True))
    area = np.pi * d**2 / 4
    q0 = float(gas_hole_rate(p, t0, area, m, k, ambient_pressure_Pa, discharge_coefficient))
    if q0 == 0:
        return Release(np.zeros(1), np.zeros(1), t0, "gas")
    inventory = p * m / (R * t0) * area * length
    c0 = np.sqrt(k * R * t0 / m)
    beta = 2 / 3 * length / c0 * np.sqrt(k * f * length / d)
    alpha = inventory / (q0 * beta)

    def remaining(t):
        slow, fast = alpha**2 * beta, beta
        return q0 / (1 + alpha) * (slow * np.exp(-t / slow) + alpha * fast * np.exp(-t / fast))

    longest = max(alpha**2 * beta, beta)
    t_end = optimize.brentq(lambda t: remaining(t) - 1e-3 * inventory, 0.0, 50 * longest)
    times = np.concatenate(([0.0], np.geomspace(1e-4 * min(beta, alpha**2 * beta), t_end, n_times)))
    rates = q0 / (1 + alpha) * (np.exp(-times / (alpha**2 * beta)) + alpha * np.exp(-times / beta))
    return Release(times, rates, t0, "gas")


def gas_pipeline_leak(
    length_m,
    diameter_m,
    pressure_Pa,
    temperature_K,
    hole_area_m2,
    molar_mass_kg_mol,
    gamma,
    *,
    feed_kg_s=0.0,
    isolation_s=0.0,
    end_time_s=None,
    ambient_pressure_Pa=P_ATM,
    discharge_coefficient=1.0,
    model="isothermal",
    n_times=201,
):
    """Leak from a gas pipeline section through a hole, fed by the line's flow until isolation.

    The section is a vessel of volume V = pi D^2 L / 4 (the "hole model"). Without a feed it
    blows down through the hole (:func:`gas_vessel_blowdown`). With a feed F until
    ``isolation_s`` the gas in it (isothermal) obeys ``V drho/dt = F - Q(rho)``, with Q from
    :func:`gas_hole_rate`, the density never above its line value rho0 (flow the hole cannot
    take goes on down the line): a hole that passes less than F at line pressure releases
    Q(rho0); a larger one draws the line down until Q = F. After isolation the section blows
    down to ambient pressure. At every instant Q grows with the hole, and so does the mass
    released by any time: a hole never releases more than the full bore.

    Parameters
    ----------
    length_m, diameter_m : float
        Length and internal diameter of the section. [m]
    pressure_Pa, temperature_K, hole_area_m2, molar_mass_kg_mol, gamma
        As in :func:`gas_vessel_blowdown`; the hole at most the bore.
    feed_kg_s : float, optional
        Flow into the section until isolation (the line's flow). [kg/s]
    isolation_s : float, optional
        When the feed stops. [s]
    end_time_s : float, optional
        Stop following the release then; by default at ambient pressure. [s]
    ambient_pressure_Pa, discharge_coefficient, n_times
        As in :func:`gas_vessel_blowdown`.
    model : str, optional
        One of :data:`BLOWDOWN_MODELS`; a fed line is isothermal.

    Returns
    -------
    Release
        Phase "gas".

    References
    ----------
    Dong, Gao, Zhou & Feng (2002) J. Loss Prev. Process Ind. 15, 423-428 (the "hole model":
    a pipeline leaking through a small hole treated as a vessel); see
    :func:`gas_vessel_blowdown`. The feed until isolation is our mass balance on that vessel.
    """
    length = float(_check("length_m", length_m, positive=True))
    d = float(_check("diameter_m", diameter_m, positive=True))
    area = float(_check("hole_area_m2", hole_area_m2, positive=True))
    if area > np.pi * d**2 / 4 * (1 + 1e-9):
        raise ValueError("hole_area_m2 is larger than the pipe bore")
    feed = float(_check("feed_kg_s", feed_kg_s, nonnegative=True))
    t_iso = float(_check("isolation_s", isolation_s, nonnegative=True))
    volume = np.pi * d**2 / 4 * length
    if feed == 0 or t_iso == 0:
        out = gas_vessel_blowdown(
            volume,
            pressure_Pa,
            temperature_K,
            area,
            molar_mass_kg_mol,
            gamma,
            ambient_pressure_Pa=ambient_pressure_Pa,
            discharge_coefficient=discharge_coefficient,
            model=model,
            n_times=n_times,
        )
        return out if end_time_s is None else _until(out, float(end_time_s))
    if model != "isothermal":
        raise ValueError("a fed pipeline leak is isothermal; use model='isothermal'")
    p0 = float(_check("pressure_Pa", pressure_Pa, positive=True))
    t0 = float(_check("temperature_K", temperature_K, positive=True))
    m = float(_check("molar_mass_kg_mol", molar_mass_kg_mol, positive=True))
    k = float(_check("gamma", gamma))
    pa = float(_check("ambient_pressure_Pa", ambient_pressure_Pa, positive=True))
    rho0 = p0 * m / (R * t0)
    end = np.inf if end_time_s is None else float(_check("end_time_s", end_time_s, positive=True))

    def rate(rho):
        return gas_hole_rate(rho * R * t0 / m, t0, area, m, k, pa, discharge_coefficient)

    t_fed = min(t_iso, end)
    times = np.linspace(0.0, t_fed, n_times)
    q0 = float(rate(rho0))
    rho = np.full_like(times, rho0)
    if q0 > feed:
        # the line falls towards rho_eq where Q = F; t(rho) = integral V / (Q - F) drho
        rho_a = pa * m / (R * t0)
        rho_eq = optimize.brentq(lambda r: float(rate(r)) - feed, rho_a, rho0, xtol=1e-14 * rho0)
        path = rho_eq + (rho0 - rho_eq) * np.geomspace(1.0, 1e-10, 4001)
        t_path = integrate.cumulative_trapezoid(
            volume / (np.asarray(rate(path)) - feed), -path, initial=0.0
        )
        # sample the fast start along the path as well as evenly in time
        times = np.union1d(times, t_path[(t_path < t_fed) & (np.arange(t_path.size) % 20 == 0)])
        rho = np.interp(times, t_path, path, right=rho_eq)
    rates = np.asarray(rate(rho), dtype=float)
    if end > t_fed and rho[-1] * R * t0 / m > pa:
        rest = gas_vessel_blowdown(
            volume,
            rho[-1] * R * t0 / m,
            t0,
            area,
            m,
            k,
            ambient_pressure_Pa=pa,
            discharge_coefficient=discharge_coefficient,
            model="isothermal",
            n_times=n_times,
        )
        rest = _until(rest, end - t_fed)
        times = np.concatenate([times, t_fed + rest.times_s[1:]])
        rates = np.concatenate([rates, rest.rate_kg_s[1:]])
    return Release(times, rates, t0, "gas")


def _until(out, end_s):
    """``out`` cut at ``end_s`` (the rate interpolated there; nothing after)."""
    if end_s >= out.times_s[-1]:
        return out
    keep = out.times_s < end_s
    t = np.append(out.times_s[keep], end_s)
    temps = np.broadcast_to(out.temperature_K, out.times_s.shape)
    return Release(
        t,
        np.interp(t, out.times_s, out.rate_kg_s),
        np.interp(t, out.times_s, temps),
        out.phase,
        out.flash_fraction,
        out.rainout_fraction,
        out.instantaneous_mass_kg,
    )


def liquefied_gas_line_release(
    section_kg,
    hole_area_m2,
    line_pressure_Pa,
    temperature_K,
    *,
    pumped_rate_kg_s,
    isolation_s,
    saturation_pressure_Pa,
    boiling_temperature_K,
    liquid_density_kg_m3,
    vapour_density_kg_m3,
    heat_capacity_J_kgK,
    heat_of_vaporisation_J_kg,
    discharge_coefficient=1.0,
    rainout_model="aerosol-equals-flash",
):
    """Two-phase release from a pumped line of liquefied gas through a hole or its full bore.

    The hole passes ``Q_line = Cd A G(P_line)`` of subcooled liquid at line pressure and
    ``Q_sat = Cd A G(P_sat)`` once the line has fallen to the vapour pressure (G from
    :func:`flashing_mass_flux`). While the pump runs, a hole that passes less than the pumped
    rate F keeps the line at pressure and releases Q_line (the rest of the flow goes on); a
    larger one lets the line fall until it passes F, or, if Q_sat > F, to the vapour
    pressure, releasing Q_sat and draining the section's liquid at Q_sat - F. After
    isolation the liquid left in the section flashes out at Q_sat until it is gone. The rate
    at every instant grows with the hole, so no hole releases more by any time than the full
    bore, and the total is at most F t_iso + the section's liquid.

    Parameters
    ----------
    section_kg : float
        Liquid in the section between its isolation valves. [kg]
    hole_area_m2 : float
        Hole area (the bore for a rupture). [m2]
    line_pressure_Pa, temperature_K : float
        Line pressure (absolute, at least the vapour pressure) and temperature. [Pa], [K]
    pumped_rate_kg_s : float
        Flow in the line until isolation. [kg/s]
    isolation_s : float
        When the pump stops and the valves close. [s]
    saturation_pressure_Pa, boiling_temperature_K, liquid_density_kg_m3, vapour_density_kg_m3,
    heat_capacity_J_kgK, heat_of_vaporisation_J_kg
        As in :func:`flashing_liquid_release`.
    discharge_coefficient : float, optional
        Applied to the ERM flux. [-]
    rainout_model : str, optional
        One of :data:`RAINOUT_MODELS`.

    Returns
    -------
    Release
        Phase "two-phase", piecewise constant, temperature = normal boiling point.

    References
    ----------
    Fluxes: :func:`flashing_mass_flux` (Fauske & Epstein 1988; CCPS 1999 §2.1.2). The line
    held at its vapour pressure while it drains (no cooling of the liquid left in it) is the
    assumption of :func:`flashing_liquid_release`; the pumped and isolated stages are our
    mass balance, the same as :func:`liquid_pipeline_release`'s.
    """
    section = float(_check("section_kg", section_kg, positive=True))
    area = float(_check("hole_area_m2", hole_area_m2, positive=True))
    flow = float(_check("pumped_rate_kg_s", pumped_rate_kg_s, nonnegative=True))
    t_iso = float(_check("isolation_s", isolation_s, nonnegative=True))
    cd = float(_check("discharge_coefficient", discharge_coefficient, positive=True, fraction=True))
    props = (
        temperature_K,
        liquid_density_kg_m3,
        vapour_density_kg_m3,
        heat_capacity_J_kgK,
        heat_of_vaporisation_J_kg,
    )
    q_line = cd * area * float(flashing_mass_flux(line_pressure_Pa, saturation_pressure_Pa, *props))
    q_sat = (
        cd
        * area
        * float(flashing_mass_flux(saturation_pressure_Pa, saturation_pressure_Pa, *props))
    )
    pumping = max(min(flow, q_line), q_sat)
    drain = pumping - flow if pumping > flow else 0.0
    times, rates = [0.0], [pumping if t_iso > 0 else q_sat]
    if drain > 0 and section / drain < t_iso:  # the section empties while the pump runs
        t_empty = section / drain
        times += [t_empty, t_empty, t_iso, t_iso]
        rates += [pumping, flow, flow, 0.0]
    else:
        left = section - drain * t_iso
        t_end = t_iso + left / q_sat
        times += [t_iso, t_iso, t_end, t_end] if t_iso > 0 else [t_end, t_end]
        rates += [pumping, q_sat, q_sat, 0.0] if t_iso > 0 else [q_sat, 0.0]
    f = float(
        flash_fraction(
            temperature_K, boiling_temperature_K, heat_capacity_J_kgK, heat_of_vaporisation_J_kg
        )
    )
    return Release(
        np.array(times),
        np.array(rates),
        boiling_temperature_K,
        "two-phase",
        flash_fraction=f,
        rainout_fraction=float(rainout_fraction(f, rainout_model)),
    )


def liquid_pipeline_release(
    pumped_rate_kg_s,
    isolation_time_s,
    length_m,
    diameter_m,
    density_kg_m3,
    temperature_K,
    *,
    hole_area_m2=None,
    line_overpressure_Pa=0.0,
    drain_head_m=0.0,
    discharge_coefficient=0.61,
):
    """Liquid pipeline leak or rupture: pumped flow until isolation, then the section drains.

    Until isolation the outflow is the pumped rate, limited for a hole by its Bernoulli
    capacity at the line overpressure when that is given. After isolation the
    inventory of the section, rho pi D^2 L / 4, drains through the opening driven by the static
    head of the section above it, held constant (conservative: the head falls as it empties).

    Parameters
    ----------
    pumped_rate_kg_s : float
        Pumped mass flow before the break. [kg/s]
    isolation_time_s : float
        Time from the break to pump stop and valve closure. [s]
    length_m, diameter_m : float
        Length and internal diameter of the isolated section. [m]
    density_kg_m3 : float
        Liquid density. [kg/m3]
    temperature_K : float
        Liquid temperature. [K]
    hole_area_m2 : float, optional
        Hole area; None for a full-bore rupture. [m2]
    line_overpressure_Pa : float, optional
        Gauge line pressure at the hole while pumping. [Pa]
    drain_head_m : float, optional
        Height of the section's liquid above the opening after isolation; 0 leaves the
        inventory in the line. [m]
    discharge_coefficient : float, optional
        Discharge coefficient of the opening. [-]

    Returns
    -------
    Release
        Phase "liquid" (all of it rains out).

    References
    ----------
    Liquid outflow through an opening: see :func:`liquid_hole_rate` (CCPS 1999 ch. 2; Crowl &
    Louvar ch. 4). The two stages (pumped flow, then the isolated inventory) and the constant
    drain head are our simplification; no published worked example was available to us.
    """
    pumped = float(_check("pumped_rate_kg_s", pumped_rate_kg_s, nonnegative=True))
    t_iso = float(_check("isolation_time_s", isolation_time_s, nonnegative=True))
    d = float(_check("diameter_m", diameter_m, positive=True))
    length = float(_check("length_m", length_m, positive=True))
    rho = float(_check("density_kg_m3", density_kg_m3, positive=True))
    line_dp = float(_check("line_overpressure_Pa", line_overpressure_Pa))
    head = float(_check("drain_head_m", drain_head_m, nonnegative=True))
    cd = float(_check("discharge_coefficient", discharge_coefficient, positive=True, fraction=True))
    bore = np.pi * d**2 / 4
    opening = bore if hole_area_m2 is None else float(_check("hole_area_m2", hole_area_m2))
    if opening <= 0 or opening > bore:
        raise ValueError(f"hole_area_m2 must lie in (0, {bore:.4g}] (the bore), got {opening}")
    rate_pumping = pumped
    if hole_area_m2 is not None and line_dp > 0:
        rate_pumping = min(pumped, float(_orifice_rate(line_dp, opening, rho, cd)))
    rate_drain = float(_orifice_rate(rho * G * head, opening, rho, cd))
    times, rates = [0.0, t_iso], [rate_pumping, rate_pumping]
    inventory = rho * bore * length
    if rate_drain > 0:
        t_drain = t_iso + inventory / rate_drain
        times += [t_iso, t_drain]
        rates += [rate_drain, rate_drain]
    return Release(np.array(times), np.array(rates), temperature_K, "liquid", rainout_fraction=1.0)


# --------------------------------------------------------------------------- catastrophic


def vessel_rupture(
    inventory_kg,
    temperature_K,
    phase,
    *,
    boiling_temperature_K=None,
    heat_capacity_J_kgK=None,
    heat_of_vaporisation_J_kg=None,
    rainout_model="aerosol-equals-flash",
):
    """Catastrophic rupture: the whole inventory released at t = 0.

    A gas is released as gas; a liquid below its normal boiling point is all rained out; a
    liquefied gas above it flashes (:func:`flash_fraction`), the rest rains out or stays
    airborne as aerosol (:func:`rainout_fraction`) and leaves at the normal boiling point.

    Parameters
    ----------
    inventory_kg : float
        Mass in the vessel. [kg]
    temperature_K : float
        Storage temperature. [K]
    phase : str
        Stored phase: "gas" or "liquid".
    boiling_temperature_K, heat_capacity_J_kgK, heat_of_vaporisation_J_kg : float, optional
        Needed for a liquid. [K], [J/(kg K)], [J/kg]
    rainout_model : str, optional
        One of :data:`RAINOUT_MODELS`.

    Returns
    -------
    Release
        ``instantaneous_mass_kg`` = inventory; phase "gas", "liquid" or "two-phase".

    References
    ----------
    TNO Purple Book CPR 18E ch. 3 (instantaneous release of the complete inventory);
    see :func:`flash_fraction` and :func:`rainout_fraction`.
    """
    mass = float(_check("inventory_kg", inventory_kg, nonnegative=True))
    t = float(_check("temperature_K", temperature_K, positive=True))
    zero = np.zeros(1)
    if phase == "gas":
        return Release(zero, zero, t, "gas", instantaneous_mass_kg=mass)
    if phase != "liquid":
        raise ValueError(f"phase must be 'gas' or 'liquid', got {phase!r}")
    if None in (boiling_temperature_K, heat_capacity_J_kgK, heat_of_vaporisation_J_kg):
        raise ValueError(
            "a liquid needs boiling_temperature_K, heat_capacity_J_kgK, heat_of_vaporisation_J_kg"
        )
    f = float(
        flash_fraction(t, boiling_temperature_K, heat_capacity_J_kgK, heat_of_vaporisation_J_kg)
    )
    if f == 0:
        return Release(zero, zero, t, "liquid", rainout_fraction=1.0, instantaneous_mass_kg=mass)
    return Release(
        zero,
        zero,
        boiling_temperature_K,
        "two-phase",
        flash_fraction=f,
        rainout_fraction=float(rainout_fraction(f, rainout_model)),
        instantaneous_mass_kg=mass,
    )
