"""Fires: pool fire, jet fire, fireball (BLEVE) and flash fire.

Pool fire (solid-flame model): burning rate from the fuel's heats (Burgess et al. 1961,
"Mudan's equation"), flame length (Thomas 1963), wind tilt (Pritchard & Binding 1992),
surface emissive power with soot obscuration (Mudan 1984), view factor of a vertical or
tilted cylinder (Mudan 1984) and atmospheric transmissivity (Bagster & Pitblado 1989),
combined as q = SEP F tau. The formulas are those of Assael & Kakosimos (2010), ch. 2,
pp. 81-95, as cited equation by equation in the fireSIM toolbox (GitHub
YakNazim/fireSIM-Matlab-toolbox, source-code/poolfire/*.m); the cylinder view factors are
checked in the tests by integrating the view-factor definition over the flame surface.

Jet fire: single point source, q = tau F m dHc / (4 pi r^2) (API Std 521, Annex F), with
the radiant fraction of Chamberlain (1987) as given by Assael & Kakosimos (2010).

Fireball: diameter and duration by the CCPS or the TNO (Yellow Book) correlations, radiant
fraction from the vessel pressure (TNO), emissive power from an energy balance, view
factor of a sphere.

Flash fire: lethality 1 inside the LFL envelope; distance to the LFL (or 1/2 LFL) from a
concentration profile supplied by the caller.

References
----------
Assael & Kakosimos (2010). Fires, Explosions, and Toxic Gas Dispersions. CRC Press,
    ch. 2 (pages and equation numbers as cited in fireSIM).
Burgess et al. (1961); Thomas (1963); Mudan (1984); Pritchard & Binding (1992);
    Bagster & Pitblado (1989): the primary sources of the pool-fire correlations, as
    named by Assael & Kakosimos (2010).
API Standard 521, Pressure-relieving and Depressuring Systems, Annex F, eq. (F.1):
    point-source radiation with the fraction of heat radiated F.
CCPS fireball correlations, as reproduced in A. Srivastava, "BLEVE fireball diameter &
    duration and radiation estimation" (Scribd doc. 529343808), with its worked example.
CPR 14E, Methods for the calculation of physical effects (TNO Yellow Book), ch. 6:
    fireball model, as given by Assael & Kakosimos (2010), eqs C-2.35, C-2.36, C-2.41.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from chemicals.iapws import iapws95_Psat
from scipy.constants import g as GRAVITY
from scipy.optimize import brentq

from physics import checks, harm

#: Burgess et al. (1961) burning-rate constant, kg/(m2 s) per (J/kg)/(J/kg). [kg/(m2 s)]
BURGESS_CONSTANT = 1.0e-3
#: Mudan (1984) maximum (soot-free) emissive power of a hydrocarbon pool fire. [W/m2]
MUDAN_MAX_EMISSIVE_POWER = 140e3
#: Emissive power of the soot that obscures large fires (Hagglund & Persson 1976). [W/m2]
MUDAN_SOOT_EMISSIVE_POWER = 20e3
#: Extinction coefficient of the luminous zone in Mudan's correlation. [1/m]
MUDAN_EXTINCTION = 0.12
#: Mass above which the CCPS fireball duration switches from M^(1/3) to M^(1/6). [kg]
CCPS_FIREBALL_MASS_BREAK = 30000.0

VIEW_FACTOR_TARGETS = ("max", "vertical", "horizontal")
FIREBALL_MODELS = ("ccps-1994", "tno-1997")
FIREBALL_TARGETS = ("normal", "vertical")


# --------------------------------------------------------------------------- pool fire


def pool_burning_rate(
    heat_of_combustion, heat_of_vaporization, heat_capacity, boiling_point, ambient_temperature
):
    """Mass burning rate of a large pool, m'' = 1e-3 dHc / (dHv + Cp (Tb - Ta)).

    For a liquid boiling below ambient temperature (a liquefied gas, Tb <= Ta) the pool
    sits at its boiling point and the sensible-heat term is dropped: m'' = 1e-3 dHc / dHv.

    Parameters
    ----------
    heat_of_combustion : array_like
        Heat of combustion of the fuel, > 0. [J/kg]
    heat_of_vaporization : array_like
        Heat of vaporisation at the boiling point, > 0. [J/kg]
    heat_capacity : array_like
        Specific heat of the liquid, >= 0. [J/(kg K)]
    boiling_point : array_like
        Normal boiling point Tb, > 0. [K]
    ambient_temperature : array_like
        Ambient (initial liquid) temperature Ta, > 0. [K]

    Returns
    -------
    numpy.ndarray
        Burning rate per unit pool area. [kg/(m2 s)]

    References
    ----------
    Burgess et al. (1961); Assael & Kakosimos (2010), p. 83 ("Mudan's
    equation for burning rate").
    """
    dhc = checks.positive(heat_of_combustion, "heat of combustion", "J/kg")
    dhv = checks.positive(heat_of_vaporization, "heat of vaporization", "J/kg")
    cp = checks.non_negative(heat_capacity, "heat capacity", "J/(kg K)")
    tb = checks.positive(boiling_point, "boiling point", "K")
    ta = checks.positive(ambient_temperature, "ambient temperature", "K")
    return BURGESS_CONSTANT * dhc / (dhv + cp * np.maximum(tb - ta, 0.0))


def pool_flame_length(diameter_m, burning_rate, air_density):
    """Mean visible flame length of a pool fire in still air (Thomas 1963).

    L = 42 D (m'' / (rho_a sqrt(g D)))^0.61.

    Parameters
    ----------
    diameter_m : array_like
        Pool diameter, > 0. [m]
    burning_rate : array_like
        Mass burning rate per unit area, >= 0. [kg/(m2 s)]
    air_density : array_like
        Ambient air density, > 0. [kg/m3]

    Returns
    -------
    numpy.ndarray
        Flame length. [m]

    References
    ----------
    Thomas (1963); Assael & Kakosimos (2010), p. 86.
    """
    d = checks.positive(diameter_m, "pool diameter", "m")
    m = checks.non_negative(burning_rate, "burning rate", "kg/(m2 s)")
    rho = checks.positive(air_density, "air density", "kg/m3")
    return 42.0 * d * (m / (rho * np.sqrt(GRAVITY * d))) ** 0.61


def pool_flame_tilt(wind_speed, diameter_m, air_density, air_viscosity):
    """Tilt of a pool-fire flame from the vertical in wind (Pritchard & Binding 1992).

    tan(theta) / cos(theta) = 0.666 Fr^0.333 Re^0.117, with Fr = u^2 / (g D) and
    Re = u D rho_a / mu_a; solved in closed form for sin(theta).

    Parameters
    ----------
    wind_speed : array_like
        Wind speed at flame height, >= 0. [m/s]
    diameter_m : array_like
        Pool diameter, > 0. [m]
    air_density : array_like
        Ambient air density, > 0. [kg/m3]
    air_viscosity : array_like
        Dynamic viscosity of air, > 0. [Pa s]

    Returns
    -------
    numpy.ndarray
        Tilt angle theta from the vertical, towards downwind. [rad]

    References
    ----------
    Pritchard & Binding (1992); Assael & Kakosimos (2010), p. 93.
    """
    u = checks.non_negative(wind_speed, "wind speed", "m/s")
    d = checks.positive(diameter_m, "pool diameter", "m")
    rho = checks.positive(air_density, "air density", "kg/m3")
    mu = checks.positive(air_viscosity, "air viscosity", "Pa s")
    froude = u**2 / (GRAVITY * d)
    reynolds = u * d * rho / mu
    w = 0.666 * froude**0.333 * reynolds**0.117
    # sin(theta) / cos(theta)^2 = w  <=>  w s^2 + s - w = 0, positive root; s -> w as w -> 0.
    with np.errstate(invalid="ignore", divide="ignore"):
        s = np.where(w > 0, (np.sqrt(1.0 + 4.0 * w**2) - 1.0) / (2.0 * w), 0.0)
    return np.arcsin(s)


def pool_emissive_power(diameter_m):
    """Surface emissive power of a hydrocarbon pool fire with soot obscuration.

    SEP = 140 exp(-0.12 D) + 20 (1 - exp(-0.12 D)) kW/m2: the luminous flame is hidden
    by smoke as the pool grows.

    Parameters
    ----------
    diameter_m : array_like
        Pool diameter, > 0. [m]

    Returns
    -------
    numpy.ndarray
        Surface emissive power averaged over the flame surface. [W/m2]

    References
    ----------
    Mudan (1984); Assael & Kakosimos (2010), p. 90 (Mudan-Croce method; soot emissive
    power 20 kW/m2 after Hagglund & Persson 1976).
    """
    d = checks.positive(diameter_m, "pool diameter", "m")
    visible = np.exp(-MUDAN_EXTINCTION * d)
    return MUDAN_MAX_EMISSIVE_POWER * visible + MUDAN_SOOT_EMISSIVE_POWER * (1.0 - visible)


def cylinder_view_factors(distance_m, diameter_m, flame_length_m, tilt=0.0):
    """View factors from a (tilted) cylindrical flame to a vertical and a horizontal
    target element at ground level, downwind.

    The flame is a cylinder of radius R = D/2 standing on the pool, its axis of length L
    leaning by ``tilt`` towards the target, with circular horizontal cross sections.
    With a = L/R and b = X/R (X from the pool centre), Mudan's closed forms give F_v and
    F_h. A target on the pool (X <= R) is engulfed: F_v = F_h = 1.

    Numerical integration over the flame surface (tests/test_fire.py) reproduces both
    forms to 1e-6 for targets beyond the flame's ground projection, X >= R + L sin(tilt).
    Under a leaning flame (R < X < R + L sin(tilt)) F_h stays exact but F_v falls short of
    the integral: for D = 10 m, L = 20 m by up to 9 % at a 34 degree tilt and up to 35 %
    at 57 degrees, the largest shortfall next to the pool edge.

    Parameters
    ----------
    distance_m : array_like
        Horizontal distance X from the pool centre to the target, >= 0. [m]
    diameter_m : array_like
        Pool (flame) diameter D, > 0. [m]
    flame_length_m : array_like
        Flame length L along the axis, > 0. [m]
    tilt : array_like, default 0
        Flame tilt from the vertical towards the target, 0 <= tilt < pi/2. [rad]

    Returns
    -------
    f_vertical, f_horizontal : numpy.ndarray
        View factors to a vertical element facing the flame and to a horizontal element
        facing up. [-]

    References
    ----------
    Mudan (1984); Assael & Kakosimos (2010), p. 92.
    """
    x = checks.non_negative(distance_m, "distance", "m")
    radius = 0.5 * checks.positive(diameter_m, "pool diameter", "m")
    length = checks.positive(flame_length_m, "flame length", "m")
    theta = checks.non_negative(tilt, "tilt", "rad")
    if np.any(theta >= np.pi / 2):
        raise ValueError("tilt must be < pi/2 rad")
    x, radius, length, theta = np.broadcast_arrays(x, radius, length, theta)
    a = length / radius
    b = x / radius
    sin_t, cos_t = np.sin(theta), np.cos(theta)
    engulfed = b <= 1.0
    # The closed forms are singular at b = 1; evaluate them at a harmless b on the pool.
    b = np.where(engulfed, 2.0, b)
    # F_v has a removable singularity where the target lies below the flame tip,
    # b = a sin(tilt); step off it by a relative 1e-7.
    b = np.where(np.abs(b - a * sin_t) < 1e-7 * b, b * (1.0 + 1e-7), b)
    big_a = np.sqrt(a**2 + (b + 1) ** 2 - 2 * a * (b + 1) * sin_t)
    big_b = np.sqrt(a**2 + (b - 1) ** 2 - 2 * a * (b - 1) * sin_t)
    big_c = np.sqrt(1 + (b**2 - 1) * cos_t**2)
    big_d = np.sqrt((b - 1) / (b + 1))
    big_e = a * cos_t / (b - a * sin_t)
    big_f = np.sqrt(b**2 - 1)
    side = np.arctan((a * b - big_f**2 * sin_t) / (big_f * big_c)) + np.arctan(
        big_f * sin_t / big_c
    )
    arc_ab = np.arctan(big_a * big_d / big_b)
    f_v = (
        -big_e * np.arctan(big_d)
        + big_e * arc_ab * (a**2 + (b + 1) ** 2 - 2 * b * (1 + a * sin_t)) / (big_a * big_b)
        + cos_t / big_c * side
    ) / np.pi
    f_h = (
        np.arctan(1 / big_d)
        - arc_ab * (a**2 + (b + 1) ** 2 - 2 * (b + 1 + a * b * sin_t)) / (big_a * big_b)
        + sin_t / big_c * side
    ) / np.pi
    return np.where(engulfed, 1.0, f_v), np.where(engulfed, 1.0, f_h)


def cylinder_view_factor(distance_m, diameter_m, flame_length_m, tilt=0.0, target="max"):
    """View factor from a cylindrical flame to a ground-level target.

    Parameters
    ----------
    distance_m, diameter_m, flame_length_m, tilt : array_like
        As in ``cylinder_view_factors``. [m, m, m, rad]
    target : str, default 'max'
        'vertical', 'horizontal', or 'max' = sqrt(F_v^2 + F_h^2), the view factor of the
        worst-oriented element. [-]

    Returns
    -------
    numpy.ndarray
        View factor. [-]

    References
    ----------
    Mudan (1984); Assael & Kakosimos (2010), p. 92.
    """
    checks.choice(target, VIEW_FACTOR_TARGETS, "view-factor target")
    f_v, f_h = cylinder_view_factors(distance_m, diameter_m, flame_length_m, tilt)
    if target == "vertical":
        return f_v
    if target == "horizontal":
        return f_h
    return np.minimum(np.hypot(f_v, f_h), 1.0)


def atmospheric_transmissivity(path_length_m, relative_humidity, temperature):
    """Fraction of thermal radiation transmitted through humid air (Bagster & Pitblado).

    tau = 2.02 (p_w X)^-0.09, with p_w the partial pressure of water vapour in Pa (relative
    humidity times the IAPWS-95 saturation pressure) and X the path length in m. The
    correlation exceeds 1 for p_w X below about 2.5e3 Pa m; it is capped at 1 there.

    Parameters
    ----------
    path_length_m : array_like
        Path length from the flame surface to the target, >= 0. [m]
    relative_humidity : array_like
        Relative humidity as a fraction, 0..1. [-]
    temperature : array_like
        Air temperature, 273.16..647 K. [K]

    Returns
    -------
    numpy.ndarray
        Transmissivity. [-]

    References
    ----------
    Bagster & Pitblado (1989); Assael & Kakosimos (2010), p. 95. Saturation pressure:
    IAPWS-95 via ``chemicals.iapws.iapws95_Psat``.
    """
    x = checks.non_negative(path_length_m, "path length", "m")
    rh = checks.fraction(relative_humidity, "relative humidity")
    t = checks.finite(temperature, "temperature")
    if np.any((t < 273.16) | (t > 647.0)):
        raise ValueError("temperature must lie between 273.16 K and 647 K for water vapour")
    # Temperature is usually one value for a whole grid: evaluate IAPWS-95 once per value.
    levels, where = np.unique(t, return_inverse=True)
    p_sat = np.array([iapws95_Psat(float(v)) for v in levels])[where].reshape(t.shape)
    p_water = rh * p_sat
    with np.errstate(divide="ignore"):
        tau = 2.02 * (p_water * x) ** -0.09
    return np.minimum(tau, 1.0)


def pool_fire_flux(
    distance_m,
    diameter_m,
    burning_rate,
    air_density,
    relative_humidity,
    ambient_temperature,
    tilt=0.0,
):
    """Thermal radiation from a pool fire to a ground-level target, q = SEP F tau.

    Solid-flame model: Thomas flame length, Mudan emissive power, Mudan cylinder view
    factor (worst-oriented target), Bagster-Pitblado transmissivity over the path from
    the flame surface (X - D/2).

    Parameters
    ----------
    distance_m : array_like
        Horizontal distance from the pool centre, >= 0. [m]
    diameter_m : array_like
        Pool diameter, > 0. [m]
    burning_rate : array_like
        Mass burning rate (``pool_burning_rate``), >= 0. [kg/(m2 s)]
    air_density : array_like
        Ambient air density, > 0. [kg/m3]
    relative_humidity : array_like
        Relative humidity, 0..1. [-]
    ambient_temperature : array_like
        Air temperature. [K]
    tilt : array_like, default 0
        Flame tilt towards the target (``pool_flame_tilt``) for receptors downwind; use
        0 for receptors upwind, where the vertical flame overestimates the flux. [rad]

    Returns
    -------
    numpy.ndarray
        Incident heat flux. [W/m2]

    References
    ----------
    Thomas (1963); Mudan (1984); Bagster & Pitblado (1989); Assael & Kakosimos (2010),
    pp. 86-95.
    """
    x = checks.non_negative(distance_m, "distance", "m")
    d = checks.positive(diameter_m, "pool diameter", "m")
    length = pool_flame_length(d, burning_rate, air_density)
    view = cylinder_view_factor(x, d, length, tilt)
    tau = atmospheric_transmissivity(
        np.maximum(x - 0.5 * d, 0.0), relative_humidity, ambient_temperature
    )
    return pool_emissive_power(d) * view * tau


# ---------------------------------------------------------------------------- jet fire


def jet_fire_radiant_fraction(jet_velocity):
    """Fraction of the heat of a jet fire radiated from its surface (Chamberlain 1987).

    F_s = 0.21 exp(-0.00323 u_j) + 0.11: faster jets entrain more air, burn cleaner and
    radiate less.

    Parameters
    ----------
    jet_velocity : array_like
        Velocity of the fuel gas in the expanded jet, u_j, >= 0. [m/s]

    Returns
    -------
    numpy.ndarray
        Radiant fraction F_s. [-]

    References
    ----------
    Chamberlain (1987), as given by Assael & Kakosimos (2010), p. 117.
    """
    u = checks.non_negative(jet_velocity, "jet velocity", "m/s")
    return 0.21 * np.exp(-0.00323 * u) + 0.11


def jet_fire_flux(
    distance_m, mass_flow_rate, heat_of_combustion, radiant_fraction, transmissivity=1.0
):
    """Thermal radiation of a jet fire treated as a single point source.

    q = tau F m dHc / (4 pi r^2), r measured from the flame centre.

    Parameters
    ----------
    distance_m : array_like
        Distance from the flame centre (point source) to the target, > 0. [m]
    mass_flow_rate : array_like
        Mass release rate burning in the jet, >= 0. [kg/s]
    heat_of_combustion : array_like
        Heat of combustion of the fuel, > 0. [J/kg]
    radiant_fraction : array_like
        Fraction of the heat released that is radiated, F, 0..1, e.g. from
        ``jet_fire_radiant_fraction``. [-]
    transmissivity : array_like, default 1
        Atmospheric transmissivity tau (``atmospheric_transmissivity``), 0..1. [-]

    Returns
    -------
    numpy.ndarray
        Incident heat flux on a target facing the source. [W/m2]

    References
    ----------
    API Standard 521, Annex F, eq. (F.1): point-source radiation with the fraction of
    heat radiated F.
    """
    r = checks.positive(distance_m, "distance", "m")
    m = checks.non_negative(mass_flow_rate, "mass flow rate", "kg/s")
    h = checks.positive(heat_of_combustion, "heat of combustion", "J/kg")
    f = checks.fraction(radiant_fraction, "radiant fraction")
    tau = checks.fraction(transmissivity, "transmissivity")
    return tau * f * m * h / (4.0 * np.pi * r**2)


# ---------------------------------------------------------------------------- fireball


def fireball_diameter(mass_kg, model="ccps-1994"):
    """Maximum diameter of the fireball from a BLEVE.

    'ccps-1994': D = 5.8 M^(1/3). 'tno-1997' (Yellow Book): D = 6.48 M^0.325.

    Parameters
    ----------
    mass_kg : array_like
        Mass of fuel in the fireball, >= 0. [kg]
    model : str, default 'ccps-1994'
        One of ``FIREBALL_MODELS``. [-]

    Returns
    -------
    numpy.ndarray
        Fireball diameter. [m]

    References
    ----------
    CCPS correlation as reproduced in the Srivastava worked sheet (Scribd doc. 529343808);
    CPR 14E (Yellow Book) ch. 6 as given by Assael & Kakosimos (2010), eq C-2.35.
    """
    checks.choice(model, FIREBALL_MODELS, "fireball model")
    m = checks.non_negative(mass_kg, "fireball mass", "kg")
    if model == "ccps-1994":
        return 5.8 * np.cbrt(m)
    return 6.48 * m**0.325


def fireball_duration(mass_kg, model="ccps-1994"):
    """Duration of the fireball from a BLEVE.

    'ccps-1994': t = 0.45 M^(1/3) for M < 30 000 kg and 2.6 M^(1/6) above (the two meet
    within 4 % at 30 t). 'tno-1997': t = 0.852 M^0.26.

    Parameters
    ----------
    mass_kg : array_like
        Mass of fuel in the fireball, >= 0. [kg]
    model : str, default 'ccps-1994'
        One of ``FIREBALL_MODELS``. [-]

    Returns
    -------
    numpy.ndarray
        Fireball duration. [s]

    Notes
    -----
    The M^(1/6) branch was seen only second-hand: the CCPS worked sheet cited below prints
    "2.6 m^(1/3)" for M > 30 000 kg, a misprint (it would jump six-fold at 30 t); M^(1/6)
    is the form quoted elsewhere and is continuous. Verify against the CCPS guidelines.
    The model name 'ccps-1994' dates the correlation to the CCPS BLEVE guidelines (1994)
    from memory; verify.

    References
    ----------
    CCPS correlation via the Srivastava worked sheet (Scribd doc. 529343808); CPR 14E
    (Yellow Book) ch. 6 as given by Assael & Kakosimos (2010), eq C-2.36.
    """
    checks.choice(model, FIREBALL_MODELS, "fireball model")
    m = checks.non_negative(mass_kg, "fireball mass", "kg")
    if model == "ccps-1994":
        return np.where(m < CCPS_FIREBALL_MASS_BREAK, 0.45 * np.cbrt(m), 2.6 * m ** (1 / 6))
    return 0.852 * m**0.26


def fireball_radiant_fraction(vessel_pressure_pa):
    """Fraction of the combustion energy radiated by a fireball, F = 0.00325 p^0.32.

    Parameters
    ----------
    vessel_pressure_pa : array_like
        Vapour pressure in the vessel at failure, > 0. [Pa]

    Returns
    -------
    numpy.ndarray
        Radiant fraction. [-]

    References
    ----------
    CPR 14E (Yellow Book) ch. 6, as given by Assael & Kakosimos (2010), eq C-2.41.
    """
    return 0.00325 * checks.positive(vessel_pressure_pa, "vessel pressure", "Pa") ** 0.32


def fireball_emissive_power(mass_kg, heat_of_combustion, diameter_m, duration_s, radiant_fraction):
    """Surface emissive power of a fireball from an energy balance.

    SEP = F M dHc / (pi D^2 t): the radiated part of the combustion energy leaves the
    sphere's surface uniformly during the fireball's life.

    Parameters
    ----------
    mass_kg : array_like
        Mass of fuel in the fireball, >= 0. [kg]
    heat_of_combustion : array_like
        Heat of combustion, > 0. [J/kg]
    diameter_m : array_like
        Fireball diameter, > 0. [m]
    duration_s : array_like
        Fireball duration, > 0. [s]
    radiant_fraction : array_like
        Radiated fraction F (``fireball_radiant_fraction``), 0..1. [-]

    Returns
    -------
    numpy.ndarray
        Surface emissive power. [W/m2]

    References
    ----------
    Solid-sphere fireball with uniform emission (CPR 14E ch. 6; CCPS).
    """
    m = checks.non_negative(mass_kg, "fireball mass", "kg")
    h = checks.positive(heat_of_combustion, "heat of combustion", "J/kg")
    d = checks.positive(diameter_m, "fireball diameter", "m")
    t = checks.positive(duration_s, "fireball duration", "s")
    f = checks.fraction(radiant_fraction, "radiant fraction")
    return f * m * h / (np.pi * d**2 * t)


def fireball_view_factor(distance_m, diameter_m, height_m, target="normal"):
    """View factor from a spherical fireball to a target element at ground level.

    With L the distance from the fireball centre to the target and r = D/2:
    'normal' (element facing the centre) F = (r / L)^2; 'vertical' (upright element)
    F = r^2 X / L^3, X being the horizontal distance.

    Parameters
    ----------
    distance_m : array_like
        Horizontal distance X from the point below the fireball centre, >= 0. [m]
    diameter_m : array_like
        Fireball diameter, > 0. [m]
    height_m : array_like
        Height of the fireball centre above the ground, >= 0. [m]
    target : str, default 'normal'
        'normal' or 'vertical'. [-]

    Returns
    -------
    numpy.ndarray
        View factor; 1 inside the fireball. [-]

    References
    ----------
    Sphere-to-element view factor; CCPS vertical-target form as used in the
    Srivastava worked sheet (Scribd doc. 529343808); Assael & Kakosimos (2010), eq C-2.44.
    """
    checks.choice(target, FIREBALL_TARGETS, "fireball target")
    x = checks.non_negative(distance_m, "distance", "m")
    r = 0.5 * checks.positive(diameter_m, "fireball diameter", "m")
    h = checks.non_negative(height_m, "fireball height", "m")
    centre = np.hypot(x, h)
    inside = centre <= r
    centre = np.where(inside, r, centre)
    view = (r / centre) ** 2
    if target == "vertical":
        view = view * x / centre
    return np.where(inside, 1.0, view)


def fireball_flux(
    distance_m, diameter_m, height_m, emissive_power, transmissivity=1.0, target="normal"
):
    """Thermal radiation from a fireball to a ground-level target, q = SEP F tau.

    Parameters
    ----------
    distance_m : array_like
        Horizontal distance from the point below the fireball centre, >= 0. [m]
    diameter_m : array_like
        Fireball diameter, > 0. [m]
    height_m : array_like
        Height of the fireball centre, >= 0. [m]
    emissive_power : array_like
        Surface emissive power (``fireball_emissive_power``), >= 0. [W/m2]
    transmissivity : array_like, default 1
        Atmospheric transmissivity, 0..1. [-]
    target : str, default 'normal'
        Target orientation, as in ``fireball_view_factor``. [-]

    Returns
    -------
    numpy.ndarray
        Incident heat flux. [W/m2]

    References
    ----------
    CCPS (Srivastava worked sheet, Scribd doc. 529343808); CPR 14E ch. 6.
    """
    sep = checks.non_negative(emissive_power, "emissive power", "W/m2")
    tau = checks.fraction(transmissivity, "transmissivity")
    return sep * fireball_view_factor(distance_m, diameter_m, height_m, target) * tau


def fireball_dose(heat_flux, duration_s):
    """Thermal dose received during a fireball, t q^(4/3) (see ``harm.thermal_dose``).

    Parameters
    ----------
    heat_flux : array_like
        Incident heat flux, >= 0. [W/m2]
    duration_s : array_like
        Fireball duration (exposure time), >= 0. [s]

    Returns
    -------
    numpy.ndarray
        Thermal dose. [(W/m2)^(4/3) s]

    References
    ----------
    Eisenberg (1975), dose definition of the thermal probits in ``physics.harm``
    (quoted second-hand).
    """
    return harm.thermal_dose(heat_flux, duration_s)


# -------------------------------------------------------------------------- flash fire


def flash_fire_lethality(concentration, lfl):
    """Probability of death from a flash fire: 1 inside the LFL envelope, 0 outside.

    Parameters
    ----------
    concentration : array_like
        Fuel concentration at the receptor at ignition, >= 0, same unit as ``lfl``.
    lfl : array_like
        Lower flammability limit, > 0, same unit as ``concentration``.

    Returns
    -------
    numpy.ndarray
        Lethality, 0.0 or 1.0. [-]

    References
    ----------
    CPR 18E (1999), Purple Book, ch. 5; AQ/T 3046-2013 (flash fire: Pd = 1 inside the
    LFL), as quoted second-hand (to be verified at the source).
    """
    c = checks.non_negative(concentration, "concentration", "")
    limit = checks.positive(lfl, "LFL", "")
    return np.where(c >= limit, 1.0, 0.0)


def flammable_envelope_distance(
    concentration_at: Callable[[np.ndarray], np.ndarray],
    lfl: float,
    fraction: float = 1.0,
    max_distance_m: float = 10_000.0,
    min_distance_m: float = 0.1,
) -> float:
    """Farthest distance at which a concentration profile reaches fraction x LFL.

    The profile is sampled on 2000 log-spaced points between ``min_distance_m`` and
    ``max_distance_m`` and the last crossing is refined with Brent's method. Use
    ``fraction=0.5`` for the 1/2 LFL envelope often drawn around flash fires.

    Parameters
    ----------
    concentration_at : callable
        Vectorised function of distance (m, numpy array) returning the concentration,
        e.g. the centreline concentration of a dispersion result. Same unit as ``lfl``.
    lfl : float
        Lower flammability limit, > 0.
    fraction : float, default 1.0
        Fraction of the LFL defining the envelope, 0 < fraction <= 1. [-]
    max_distance_m : float, default 10000
        Farthest distance searched. [m]
    min_distance_m : float, default 0.1
        Nearest distance searched, > 0. [m]

    Returns
    -------
    float
        Distance to the envelope; 0.0 if the level is never reached. [m]

    Raises
    ------
    ValueError
        Bad limits, or the level is still exceeded at ``max_distance_m``.

    References
    ----------
    CPR 18E (1999), Purple Book, ch. 5 (flash fire envelope = LFL contour).
    """
    limit = float(checks.positive(lfl, "LFL", ""))
    frac = float(checks.fraction(fraction, "LFL fraction"))
    if frac == 0:
        raise ValueError("LFL fraction must be > 0")
    lo = float(checks.positive(min_distance_m, "min distance", "m"))
    hi = float(checks.positive(max_distance_m, "max distance", "m"))
    if hi <= lo:
        raise ValueError("max distance must exceed min distance")
    level = frac * limit
    x = np.geomspace(lo, hi, 2000)
    excess = np.asarray(concentration_at(x), dtype=float) - level
    above = np.nonzero(excess >= 0)[0]
    if above.size == 0:
        return 0.0
    last = above[-1]
    if last == x.size - 1:
        raise ValueError(
            f"concentration still above {frac:g} LFL at {hi:g} m; raise max_distance_m"
        )
    return float(
        brentq(lambda r: float(concentration_at(np.array([r]))[0]) - level, x[last], x[last + 1])
    )
