"""Liquid pools on the ground: how far they spread and how fast they evaporate.

A pool spreads under gravity until it is held by a bund or reaches a minimum thickness set by
the roughness of the ground. A pool below its boiling point evaporates by mass transfer into
the wind; a boiling pool (a refrigerated or flashed liquefied gas) boils off with the heat
conducted from the ground. :func:`pool_evolution` follows a pool fed by a release (from
``physics.source``) in time, conserving mass.

All inputs are plain SI numbers; fluid properties are arguments, taken by the caller from
the ``chemicals`` library.
"""

import math
from dataclasses import dataclass

import numpy as np
from scipy import constants

G = constants.g  # standard gravity, m/s2 (CODATA, via scipy.constants)
R = constants.R  # molar gas constant, J/(mol K) (CODATA, via scipy.constants)

EVAPORATION_MODELS = ("mackay-matsugu-1973",)

# Ground thermal conductivity [W/(m K)] and diffusivity [m2/s], for boiling pools.
GROUND_PROPERTIES = {
    # Bejan & Kraus (2003) Heat Transfer Handbook, as used by Farrell (2020) "Chemical release
    # screening example - butane leak" (aefarrell.github.io) with CCPS (1999) eqs 2.38-2.39
    "concrete": (1.28, 6.6e-7),
    # Moene & van Dam (2014) Transport in the Atmosphere-Vegetation-Soil Continuum, Table 2.2,
    # from De Vries (1963): sandy soil loosely packed (pore fraction 0.4), dry and with
    # volumetric water content 0.2; clay soil (pore fraction 0.4), dry and 0.2; rock (Lee 1978)
    "dry-sandy-soil": (0.24, 0.19e-6),
    "moist-sandy-soil": (2.1, 0.99e-6),
    "dry-clay-soil": (0.15, 0.10e-6),
    "moist-clay-soil": (0.9, 0.4e-6),
    "rock": (2.9, 1.4e-6),
}


def _check(name, value, *, positive=False, nonnegative=False):
    """Return ``value`` as a float array; ValueError with one line if NaN or out of range."""
    arr = np.asarray(value, dtype=float)
    if np.any(np.isnan(arr)):
        raise ValueError(f"{name} must be a number, got NaN")
    if positive and np.any(arr <= 0):
        raise ValueError(f"{name} must be > 0, got {value}")
    if nonnegative and np.any(arr < 0):
        raise ValueError(f"{name} must be >= 0, got {value}")
    return arr


def _ground(ground):
    """(conductivity, diffusivity) from a name in GROUND_PROPERTIES or a pair of numbers."""
    if isinstance(ground, str):
        if ground not in GROUND_PROPERTIES:
            raise ValueError(
                f"unknown ground {ground!r}; valid: {', '.join(GROUND_PROPERTIES)}"
                " or a (conductivity W/(m K), diffusivity m2/s) pair"
            )
        return GROUND_PROPERTIES[ground]
    k, alpha = ground
    return float(_check("ground conductivity", k, positive=True)), float(
        _check("ground diffusivity", alpha, positive=True)
    )


# --------------------------------------------------------------------------- spreading


def spread_radius_instantaneous(volume_m3, time_s, min_thickness_m, bund_area_m2=np.inf):
    """Radius of a pool from an instantaneous spill, spreading under gravity.

    The front advances at ``dr/dt = sqrt(2 g h)`` with h = V / (pi r^2) the mean depth
    (gravity-inertia spreading at a constant front Froude number), which integrates to
    ``r = (8 g V / pi)^(1/4) t^(1/2)``. Spreading stops at the minimum thickness,
    r = sqrt(V / (pi h_min)), or at the bund, r = sqrt(A_bund / pi).

    Parameters
    ----------
    volume_m3 : array_like
        Spilled liquid volume. [m3]
    time_s : array_like
        Time since the spill. [s]
    min_thickness_m : array_like
        Minimum pool thickness on this ground (ground roughness). [m]
    bund_area_m2 : array_like, optional
        Floor area of the bund; infinite when unconfined. [m2]

    Returns
    -------
    numpy.ndarray
        Pool radius (of the circle with the pool's area). [m]

    References
    ----------
    Gravity-inertia front condition, as in the spreading models reviewed by Webber, "On models
    of spreading pools", J. Loss Prev. Process Ind. (a reply to Raj 2011), who notes that on
    land friction makes it an upper bound on the spreading rate; the minimum-thickness and
    bund limits follow the TNO Yellow Book CPR 14E ch. 3 treatment of pools.
    """
    v = _check("volume_m3", volume_m3, nonnegative=True)
    t = _check("time_s", time_s, nonnegative=True)
    h_min = _check("min_thickness_m", min_thickness_m, positive=True)
    bund = _check("bund_area_m2", bund_area_m2, positive=True)
    r = (8 * G * v / np.pi) ** 0.25 * np.sqrt(t)
    return np.minimum(r, np.minimum(np.sqrt(v / (np.pi * h_min)), np.sqrt(bund / np.pi)))


def spread_radius_continuous(volume_rate_m3_s, time_s, min_thickness_m, bund_area_m2=np.inf):
    """Radius of a pool fed at a constant volume rate, spreading under gravity.

    The front condition of :func:`spread_radius_instantaneous` with V = V' t integrates to
    ``r^2 = (4/3) sqrt(2 g V' / pi) t^(3/2)``; capped by the minimum thickness,
    r = sqrt(V' t / (pi h_min)), and by the bund.

    Parameters
    ----------
    volume_rate_m3_s : array_like
        Liquid volume rate into the pool. [m3/s]
    time_s : array_like
        Time since the spill began. [s]
    min_thickness_m : array_like
        Minimum pool thickness on this ground. [m]
    bund_area_m2 : array_like, optional
        Floor area of the bund; infinite when unconfined. [m2]

    Returns
    -------
    numpy.ndarray
        Pool radius. [m]

    References
    ----------
    See :func:`spread_radius_instantaneous`.
    """
    q = _check("volume_rate_m3_s", volume_rate_m3_s, nonnegative=True)
    t = _check("time_s", time_s, nonnegative=True)
    h_min = _check("min_thickness_m", min_thickness_m, positive=True)
    bund = _check("bund_area_m2", bund_area_m2, positive=True)
    r = np.sqrt(4 / 3 * np.sqrt(2 * G * q / np.pi)) * t**0.75
    return np.minimum(r, np.minimum(np.sqrt(q * t / (np.pi * h_min)), np.sqrt(bund / np.pi)))


# --------------------------------------------------------------------------- evaporation


def mass_transfer_coefficient(
    wind_speed_m_s, pool_diameter_m, schmidt_number, model="mackay-matsugu-1973"
):
    """Mass transfer coefficient for evaporation from a pool into the wind.

    ``"mackay-matsugu-1973"``: k = 0.0292 U^0.78 X^-0.11 Sc^-0.67 in the original units
    (k and U in m/h, X in m), evaluated here in SI as
    ``k = 0.0292 / 3600 (3600 u)^0.78 d^-0.11 Sc^-0.67``.

    Parameters
    ----------
    wind_speed_m_s : array_like
        Wind speed above the pool (10 m reference height as commonly applied). [m/s]
    pool_diameter_m : array_like
        Pool diameter (downwind extent). [m]
    schmidt_number : array_like
        Schmidt number of the vapour in air, nu_air / D_vapour. [-]
    model : str, optional
        One of :data:`EVAPORATION_MODELS`.

    Returns
    -------
    numpy.ndarray
        Mass transfer coefficient. [m/s]

    References
    ----------
    Mackay & Matsugu (1973) Can. J. Chem. Eng. 51, 434-439; coefficient 0.0292 (m/h) and
    exponents as used in the MOHID HNS evaporation option and in open oil-spill codes; the
    Sc^(-2/3) exponent as noted for US EPA (1999) RMP guidance eq. D-1 (JRC RAPID-N).
    """
    if model not in EVAPORATION_MODELS:
        raise ValueError(f"unknown model {model!r}; valid models: {', '.join(EVAPORATION_MODELS)}")
    u = _check("wind_speed_m_s", wind_speed_m_s, positive=True)
    d = _check("pool_diameter_m", pool_diameter_m, positive=True)
    sc = _check("schmidt_number", schmidt_number, positive=True)
    return 0.0292 / 3600 * (3600 * u) ** 0.78 * d**-0.11 * sc**-0.67


def evaporation_flux_nonboiling(
    vapour_pressure_Pa,
    temperature_K,
    molar_mass_kg_mol,
    wind_speed_m_s,
    pool_diameter_m,
    schmidt_number,
    model="mackay-matsugu-1973",
):
    """Evaporation flux of a pool below its boiling point: ``E = k M P_v / (R T)``.

    Parameters
    ----------
    vapour_pressure_Pa : array_like
        Vapour pressure at the pool temperature. [Pa]
    temperature_K : array_like
        Pool temperature. [K]
    molar_mass_kg_mol : array_like
        Molar mass. [kg/mol]
    wind_speed_m_s, pool_diameter_m, schmidt_number, model
        As in :func:`mass_transfer_coefficient`.

    Returns
    -------
    numpy.ndarray
        Evaporated mass per unit pool area and time. [kg/(m2 s)]

    References
    ----------
    Mackay & Matsugu (1973); the vapour concentration at the surface by the ideal gas law
    (dilute limit), as in CCPS (1999) ch. 2 and US EPA (1999) RMP guidance eq. D-1.
    """
    pv = _check("vapour_pressure_Pa", vapour_pressure_Pa, nonnegative=True)
    t = _check("temperature_K", temperature_K, positive=True)
    m = _check("molar_mass_kg_mol", molar_mass_kg_mol, positive=True)
    k = mass_transfer_coefficient(wind_speed_m_s, pool_diameter_m, schmidt_number, model)
    return k * m * pv / (R * t)


def ground_heat_flux(
    time_s, ground_temperature_K, pool_temperature_K, ground_conductivity, ground_diffusivity
):
    """Heat flux conducted from the ground into a boiling pool.

    ``q = k (T_g - T_b) / sqrt(pi a t)``: semi-infinite ground at uniform temperature, its
    surface suddenly cooled to the pool's boiling point at t = 0 (perfect contact).

    Parameters
    ----------
    time_s : array_like
        Time since the ground under the pool was wetted. [s]
    ground_temperature_K : array_like
        Initial ground temperature. [K]
    pool_temperature_K : array_like
        Pool (boiling) temperature. [K]
    ground_conductivity : array_like
        Ground thermal conductivity. [W/(m K)]
    ground_diffusivity : array_like
        Ground thermal diffusivity. [m2/s]

    Returns
    -------
    numpy.ndarray
        Heat flux into the pool. [W/m2]

    References
    ----------
    CCPS (1999) Guidelines for Consequence Analysis of Chemical Releases, p. 63, eqs 2.38-2.39
    (as quoted by Farrell 2020); TNO Yellow Book CPR 14E ch. 3.
    """
    t = _check("time_s", time_s, positive=True)
    k = _check("ground_conductivity", ground_conductivity, positive=True)
    a = _check("ground_diffusivity", ground_diffusivity, positive=True)
    dt = _check("ground_temperature_K", ground_temperature_K, positive=True) - _check(
        "pool_temperature_K", pool_temperature_K, positive=True
    )
    return k * np.clip(dt, 0.0, None) / np.sqrt(np.pi * a * t)


# --------------------------------------------------------------------------- in time


@dataclass(frozen=True, eq=False)
class PoolHistory:
    """A pool followed in time by :func:`pool_evolution`.

    Attributes
    ----------
    times_s : numpy.ndarray
        Time from the start of the release. [s]
    mass_kg : numpy.ndarray
        Liquid mass in the pool. [kg]
    area_m2 : numpy.ndarray
        Pool area. [m2]
    evaporation_rate_kg_s : numpy.ndarray
        Mean evaporation rate over the step ending at each time (0 at the first). [kg/s]
    inflow_kg : numpy.ndarray
        Cumulative mass that has entered the pool, initial mass included. [kg]
    evaporated_kg : numpy.ndarray
        Cumulative mass evaporated. [kg]
    boiling : bool
        True when the pool boils (evaporation from ground heat), False for mass transfer.
    """

    times_s: np.ndarray
    mass_kg: np.ndarray
    area_m2: np.ndarray
    evaporation_rate_kg_s: np.ndarray
    inflow_kg: np.ndarray
    evaporated_kg: np.ndarray
    boiling: bool

    @property
    def radius_m(self):
        """Radius of the circle with the pool's area. [m]"""
        return np.sqrt(self.area_m2 / np.pi)


def _cumulative_inflow(knots_t, knots_rate, query_t):
    """Exact integral, from the first knot to ``query_t``, of the inflow linear between knots.

    Repeated knot times (a step in the rate) are allowed; the rate is zero outside the knots.
    """
    if knots_t.size < 2:
        return np.zeros_like(query_t)
    at_knots = np.concatenate(
        ([0.0], np.cumsum(np.diff(knots_t) * (knots_rate[1:] + knots_rate[:-1]) / 2))
    )
    q = np.clip(query_t, knots_t[0], knots_t[-1])
    i = np.clip(np.searchsorted(knots_t, q, side="right") - 1, 0, knots_t.size - 2)
    length = knots_t[i + 1] - knots_t[i]
    slope = np.divide(
        knots_rate[i + 1] - knots_rate[i], length, out=np.zeros_like(length), where=length > 0
    )
    partial = q - knots_t[i]
    return at_knots[i] + partial * (knots_rate[i] + slope * partial / 2)


def pool_evolution(
    inflow_times_s,
    inflow_rate_kg_s,
    *,
    liquid_density_kg_m3,
    liquid_temperature_K,
    boiling_temperature_K,
    min_thickness_m,
    bund_area_m2=np.inf,
    initial_mass_kg=0.0,
    vapour_pressure_Pa=None,
    molar_mass_kg_mol=None,
    wind_speed_m_s=None,
    schmidt_number=None,
    heat_of_vaporisation_J_kg=None,
    ground_temperature_K=None,
    ground="concrete",
    model="mackay-matsugu-1973",
    end_time_s=None,
    n_steps=2000,
):
    """Follow a pool fed by a release: its mass, area and evaporation rate over time.

    Each step adds the inflow (the exact integral of the piecewise-linear inflow), spreads the
    pool with the gravity-inertia front of :func:`spread_radius_instantaneous` (the pool never
    contracts while it holds liquid; it stops at the minimum thickness or the bund), then
    evaporates:

    - below the boiling point, by mass transfer, :func:`evaporation_flux_nonboiling` at the
      liquid temperature (no energy balance: the pool stays at ``liquid_temperature_K``);
    - at or above it, by ground conduction, :func:`ground_heat_flux` divided by the heat of
      vaporisation, each ring of ground counted from the time the pool first covered it
      (the step-averaged flux of each ring is integrated exactly); heat from air and sun
      is neglected.

    Evaporation in a step never exceeds the liquid present, so inflow = evaporated + remaining
    holds to rounding.

    Parameters
    ----------
    inflow_times_s, inflow_rate_kg_s : array_like
        Liquid mass rate into the pool, linear between samples, zero outside (e.g. a
        :class:`physics.source.Release` times its rainout fraction). [s], [kg/s]
    liquid_density_kg_m3 : float
        Liquid density. [kg/m3]
    liquid_temperature_K : float
        Temperature of the liquid reaching the pool. [K]
    boiling_temperature_K : float
        Normal boiling point; the pool boils if the liquid is at or above it. [K]
    min_thickness_m : float
        Minimum pool thickness on this ground. [m]
    bund_area_m2 : float, optional
        Floor area of the bund; infinite when unconfined. [m2]
    initial_mass_kg : float, optional
        Mass spilled instantaneously at t = 0. [kg]
    vapour_pressure_Pa, molar_mass_kg_mol, wind_speed_m_s, schmidt_number : float, optional
        Needed for a non-boiling pool. [Pa], [kg/mol], [m/s], [-]
    heat_of_vaporisation_J_kg, ground_temperature_K : float, optional
        Needed for a boiling pool. [J/kg], [K]
    ground : str or (float, float), optional
        A key of :data:`GROUND_PROPERTIES` or (conductivity [W/(m K)], diffusivity [m2/s]).
    model : str, optional
        One of :data:`EVAPORATION_MODELS`.
    end_time_s : float, optional
        Time to follow the pool to; default the last inflow time. [s]
    n_steps : int, optional
        Number of equal time steps.

    Returns
    -------
    PoolHistory

    References
    ----------
    See :func:`spread_radius_instantaneous`, :func:`evaporation_flux_nonboiling` and
    :func:`ground_heat_flux`.
    """
    t_in = np.atleast_1d(_check("inflow_times_s", inflow_times_s, nonnegative=True))
    q_in = np.atleast_1d(_check("inflow_rate_kg_s", inflow_rate_kg_s, nonnegative=True))
    if t_in.ndim != 1 or q_in.shape != t_in.shape or np.any(np.diff(t_in) < 0):
        raise ValueError("inflow_times_s must be non-decreasing and match inflow_rate_kg_s")
    rho = float(_check("liquid_density_kg_m3", liquid_density_kg_m3, positive=True))
    t_liq = float(_check("liquid_temperature_K", liquid_temperature_K, positive=True))
    t_boil = float(_check("boiling_temperature_K", boiling_temperature_K, positive=True))
    h_min = float(_check("min_thickness_m", min_thickness_m, positive=True))
    r2_bund = float(_check("bund_area_m2", bund_area_m2, positive=True)) / np.pi
    m0 = float(_check("initial_mass_kg", initial_mass_kg, nonnegative=True))
    t_end = float(t_in[-1] if end_time_s is None else end_time_s)
    if t_end <= 0:
        raise ValueError("end_time_s must be > 0 (give it for an instantaneous spill)")
    boiling = t_liq >= t_boil
    if boiling:
        if heat_of_vaporisation_J_kg is None or ground_temperature_K is None:
            raise ValueError("a boiling pool needs heat_of_vaporisation_J_kg, ground_temperature_K")
        hfg = float(_check("heat_of_vaporisation_J_kg", heat_of_vaporisation_J_kg, positive=True))
        k_g, a_g = _ground(ground)
        dt_ground = max(float(_check("ground_temperature_K", ground_temperature_K)) - t_boil, 0.0)
        ring_coefficient = 2 * k_g * dt_ground / np.sqrt(np.pi * a_g) / hfg
    else:
        needed = (vapour_pressure_Pa, molar_mass_kg_mol, wind_speed_m_s, schmidt_number)
        if any(x is None for x in needed):
            raise ValueError(
                "a non-boiling pool needs vapour_pressure_Pa, molar_mass_kg_mol,"
                " wind_speed_m_s, schmidt_number"
            )
        mass_transfer_coefficient(wind_speed_m_s, 1.0, schmidt_number, model)  # validate
        pv = float(_check("vapour_pressure_Pa", vapour_pressure_Pa, nonnegative=True))
        molar_mass = float(_check("molar_mass_kg_mol", molar_mass_kg_mol, positive=True))
        surface_density = molar_mass * pv / (R * t_liq)  # vapour at the surface, kg/m3
        # mass_transfer_coefficient's factors that do not change in time, in its order of
        # evaluation and with numpy's power (the loop below runs on plain floats, its inputs
        # checked once, here)
        k_wind = 0.0292 / 3600 * float(np.power(3600 * float(wind_speed_m_s), 0.78))
        k_schmidt = float(np.power(float(schmidt_number), -0.67))

    times = np.linspace(0.0, t_end, n_steps + 1)
    inflow = m0 + _cumulative_inflow(t_in, q_in, times)
    inflow_at = inflow.tolist()
    step_t = times.tolist()
    mass = [0.0] * (n_steps + 1)
    r2_at = [0.0] * (n_steps + 1)
    evaporated = [0.0] * (n_steps + 1)
    mass[0] = m0
    r2 = 0.0
    # Boiling pools: the ground wetted at step j (ring_area[j]) gives, over step n, the
    # step-averaged conduction flux times the step, which on equal steps h is
    # sqrt(h) (sqrt(n - j + 1) - sqrt(n - j)); ``weight`` holds it backwards so that the
    # loss of step n is one dot product over the rings laid since the pool last dried.
    ring_area = np.zeros(n_steps)
    h = t_end / n_steps
    m = np.arange(n_steps, dtype=float)
    weight = (math.sqrt(h) / (np.sqrt(m + 1) + np.sqrt(m)))[::-1].copy()
    first_ring = 0  # the step from which the wetted ground counts (reset when the pool dries)
    r2_k = k = 0.0  # the pool size the mass transfer coefficient k was worked out for
    # the loop runs on plain floats with its constants bound locally (its cost is most of a
    # source term's); the arithmetic is the same, in the same order, as written out above
    sqrt, pi, dot = math.sqrt, math.pi, np.dot
    two_g, pi_h_min = 2 * G, math.pi * h_min
    mass_n = m0
    evaporated_n = 0.0
    for n in range(n_steps):
        dt = step_t[n + 1] - step_t[n]
        liquid = mass_n + inflow_at[n + 1] - inflow_at[n]
        loss = 0.0
        if liquid > 0:
            volume = liquid / rho
            spread = r2 + 2 * sqrt(two_g * volume / pi) * dt
            cap = volume / pi_h_min
            if spread < cap:
                cap = spread
            if r2_bund < cap:
                cap = r2_bund
            if boiling:
                if cap > r2:
                    ring_area[n] = pi * (cap - r2)
                    r2 = cap
                size = n + 1 - first_ring
                loss = ring_coefficient * float(
                    dot(ring_area[first_ring : n + 1], weight[n_steps - size :])
                )
            else:
                if cap > r2:
                    r2 = cap
                if r2 > 0:
                    if r2 != r2_k:  # a pool held by its bund keeps its coefficient
                        r2_k, k = r2, k_wind * float(np.power(2 * sqrt(r2), -0.11)) * k_schmidt
                    loss = k * surface_density * pi * r2 * dt
            if liquid < loss:
                loss = liquid
        mass_n = liquid - loss
        evaporated_n = evaporated_n + loss
        if mass_n <= 0:
            mass_n = 0.0
            r2 = 0.0
            first_ring = n + 1
        mass[n + 1] = mass_n
        evaporated[n + 1] = evaporated_n
        r2_at[n + 1] = r2
    mass, evaporated = np.array(mass), np.array(evaporated)
    area = np.pi * np.array(r2_at)
    rate = np.concatenate(([0.0], np.diff(evaporated) / np.diff(times)))
    return PoolHistory(times, mass, area, rate, inflow, evaporated, boiling)
