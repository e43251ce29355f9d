"""Vapour cloud explosions: TNO multi-energy blast curves and TNT equivalence.

The multi-energy method (van den Berg 1985) treats the congested or confined part of a
flammable cloud as a blast charge of combustion energy E and reads the side-on overpressure
and positive-phase duration off one of ten curves ("blast strengths" 1 to 10, 10 being a
detonation) against the energy-scaled distance R' = R / (E / p0)^(1/3). The curves are used
here through the power-law fits of Johansson (2017, MSB B06-105, Tables 4.2 and 4.3), who
fitted them to the Gexcon multi-energy calculator and checked them to within a few per cent;
he notes that the earlier fits of Alonso et al. (2006) contain errors for some strengths.

TNT equivalence converts a mass of fuel to a mass of TNT by an explosion yield and reads
the Kingery-Bulmash (1984) hemispherical surface-burst curves through the polynomial fits of
Swisdak (1994).

References
----------
van den Berg, A.C. (1985). The multi-energy method: a framework for vapour cloud explosion
    blast prediction. J. Hazardous Materials 12, 1-10.
Johansson, M. (2017). Beräkning av impulsbelastad konstruktion, B06-105 Beräkningsstöd:
    Gasexplosion i det fria. MSB (Swedish Civil Contingencies Agency), 2017-12-18,
    section 4 (eqs 4.1-4.7, Tables 4.1-4.3).
Kingery, C.N., Bulmash, G. (1984). Airblast parameters from TNT spherical air burst and
    hemispherical surface burst. US Army Ballistic Research Laboratory.
Swisdak, M.M. (1994). Simplified Kingery airblast calculations. NSWC Indian Head,
    DTIC ADA526744. Metric coefficients as transcribed in the PyPI package
    kingery-bulmash 1.0 (pressure and impulse) and in GitHub Freeyolo/tangos
    blast_model.py (pressure); the two transcriptions agree.
CCPS (2010). Guidelines for Vapor Cloud Explosion, Pressure Vessel Burst, BLEVE, and
    Flash Fire Hazards, 2nd ed. AIChE/Wiley (TNT blast energy 4.68 MJ/kg, as cited by
    Sandia HyRAM+ in its TNT_method).
"""

from __future__ import annotations

import numpy as np

from physics import checks

#: Combustion energy of a stoichiometric hydrocarbon-air mixture, used for the charge
#: energy of a confined volume (van den Berg 1985; Johansson 2017, section 4.1). [J/m3]
STOICHIOMETRIC_ENERGY_DENSITY = 3.5e6
#: Blast energy of TNT (CCPS 2010, as used in Sandia HyRAM+). [J/kg]
TNT_BLAST_ENERGY = 4.68e6
#: Standard atmospheric pressure, the default ambient pressure. [Pa]
STANDARD_PRESSURE = 101325.0
#: Speed of sound in still air at +15 degC used for the scaled duration t' (Johansson
#: 2017, eq 4.4). [m/s]
SOUND_SPEED = 340.3
BLAST_STRENGTHS = tuple(range(1, 11))
TNT_MODELS = ("kingery-bulmash-1984",)

_INF = float("inf")
# Johansson (2017) Table 4.2: Ps' = a r'^b, each row (r'_max, a, b) used for r' <= r'_max.
# The fits hold for Ps' >= 0.001.
_ME_OVERPRESSURE = {
    10: ((0.90, 0.43, -2.35), (3.21, 0.47, -1.46), (_INF, 0.32, -1.13)),
    9: ((0.20, 5.0, 0.0), (3.21, 0.47, -1.46), (_INF, 0.32, -1.13)),
    8: ((0.37, 2.0, 0.0), (3.21, 0.47, -1.46), (_INF, 0.32, -1.13)),
    7: ((0.48, 1.0, 0.0), (0.96, 0.48, -1.00), (3.21, 0.47, -1.46), (_INF, 0.32, -1.13)),
    6: ((0.64, 0.5, 0.0), (2.35, 0.32, -1.01), (3.21, 0.47, -1.46), (_INF, 0.32, -1.13)),
    5: ((0.60, 0.2, 0.0), (_INF, 0.12, -1.00)),
    4: ((0.63, 0.1, 0.0), (_INF, 0.064, -0.97)),
    3: ((0.61, 0.05, 0.0), (_INF, 0.031, -0.96)),
    2: ((0.64, 0.02, 0.0), (_INF, 0.013, -0.97)),
    1: ((0.69, 0.01, 0.0), (_INF, 0.007, -0.98)),
}
# Johansson (2017) Table 4.3: t' = c r'^d, rows as above; strength 7 takes c = 0.35,
# d = 0.11 beyond r' = 10.49 (the table's footnote 1).
_ME_DURATION = {
    10: ((0.51, 0.13, -0.22), (2.07, 0.22, 0.57), (10.49, 0.29, 0.19), (_INF, 0.35, 0.11)),
    9: ((0.53, 0.13, -0.51), (2.02, 0.24, 0.46), (10.49, 0.29, 0.19), (_INF, 0.35, 0.11)),
    8: ((0.58, 0.17, -0.40), (1.32, 0.27, 0.45), (10.49, 0.29, 0.19), (_INF, 0.35, 0.11)),
    7: (
        (0.62, 0.21, -0.46),
        (1.59, 0.30, 0.29),
        (9.40, 0.32, 0.15),
        (10.49, 0.29, 0.19),
        (_INF, 0.35, 0.11),
    ),
    6: ((0.49, 0.26, -0.46), (7.81, 0.38, 0.07), (_INF, 0.35, 0.11)),
    5: ((0.51, 0.52, -0.44), (_INF, 0.7, 0.0)),
    4: ((0.53, 1.02, -0.38), (_INF, 1.3, 0.0)),
    3: ((0.52, 1.56, -0.38), (_INF, 2.0, 0.0)),
    2: ((0.54, 2.44, -0.34), (_INF, 3.0, 0.0)),
    1: ((0.50, 3.83, -0.34), (_INF, 4.85, 0.0)),
}

# Swisdak (1994), metric, hemispherical surface burst: y = exp(sum_k c_k (ln Z)^k), Z in
# m/kg^(1/3). Rows are (Z_max, c0..c4). Incident overpressure in kPa, 0.2 <= Z <= 198.5.
_KB_OVERPRESSURE = (
    (2.9, (7.2106, -2.1069, -0.3229, 0.1117, 0.0685)),
    (23.8, (7.5938, -3.0523, 0.40977, 0.0261, -0.01267)),
    (_INF, (6.0536, -1.4066, 0.0, 0.0, 0.0)),
)
# Incident impulse per cube root of charge mass in kPa ms / kg^(1/3), 0.2 <= Z <= 158.7.
_KB_IMPULSE = (
    (0.96, (5.522, 1.117, 0.6, -0.292, -0.087)),
    (2.38, (5.465, -0.308, -1.464, 1.362, -0.432)),
    (33.7, (5.2749, -0.4677, -0.2499, 0.0588, -0.00554)),
    (_INF, (5.9825, -1.062, 0.0, 0.0, 0.0)),
)
_KB_Z_MIN = 0.2


def _strength(strength) -> np.ndarray:
    s = np.asarray(strength)
    valid = np.isin(s, BLAST_STRENGTHS) & (np.asarray(s, dtype=float) == np.round(s))
    if not np.all(valid):
        raise ValueError(
            f"blast strength must be an integer 1..10, got {np.unique(s[~valid]).tolist()}"
        )
    return s.astype(int)


def _check_model(model: str, valid: tuple[str, ...]) -> None:
    if model not in valid:
        raise ValueError(f"unknown model {model!r}; valid: {', '.join(valid)}")


def cloud_energy_from_mass(mass_kg, heat_of_combustion):
    """Combustion energy of a flammable mass, E = m dHc.

    Parameters
    ----------
    mass_kg : array_like
        Flammable mass taking part in the explosion (e.g. the mass between LFL and UFL in
        the congested region), >= 0. [kg]
    heat_of_combustion : array_like
        Lower heat of combustion of the fuel, > 0. [J/kg]

    Returns
    -------
    numpy.ndarray
        Combustion energy E. [J]

    References
    ----------
    van den Berg (1985), J. Hazardous Materials 12, 1-10 (charge energy = combustion
    energy of the fuel in the charge).
    """
    m = checks.non_negative(mass_kg, "flammable mass", "kg")
    h = checks.positive(heat_of_combustion, "heat of combustion", "J/kg")
    return m * h


def cloud_energy_from_volume(volume_m3):
    """Combustion energy of a congested or confined volume filled with a stoichiometric
    mixture, E = V * 3.5 MJ/m3.

    Parameters
    ----------
    volume_m3 : array_like
        Volume of the congested (obstructed or confined) region, >= 0. [m3]

    Returns
    -------
    numpy.ndarray
        Combustion energy E. [J]

    References
    ----------
    van den Berg (1985); Johansson (2017), MSB B06-105, section 4.1 and eq (4.3):
    E'gas = 3.5 MJ/m3 for any hydrocarbon-air mixture at stoichiometry.
    """
    return checks.non_negative(volume_m3, "volume", "m3") * STOICHIOMETRIC_ENERGY_DENSITY


def multi_energy_scaled_distance(distance_m, energy_j, ambient_pressure=STANDARD_PRESSURE):
    """Energy-scaled distance of the multi-energy method, R' = R / (E / p0)^(1/3).

    Parameters
    ----------
    distance_m : array_like
        Distance from the centre of the charge, >= 0. [m]
    energy_j : array_like
        Combustion energy of the charge, > 0. [J]
    ambient_pressure : array_like, default 101325
        Ambient (absolute) pressure p0, > 0. [Pa]

    Returns
    -------
    numpy.ndarray
        Scaled distance R'. [-]

    References
    ----------
    van den Berg (1985); Johansson (2017), MSB B06-105, eq (4.2).
    """
    r = checks.non_negative(distance_m, "distance", "m")
    e = checks.positive(energy_j, "explosion energy", "J")
    p0 = checks.positive(ambient_pressure, "ambient pressure", "Pa")
    return r / np.cbrt(e / p0)


def _piecewise_power(scaled, strength, table) -> np.ndarray:
    scaled, strength = np.broadcast_arrays(scaled, strength)
    out = np.empty(scaled.shape)
    for k, rows in table.items():
        here = strength == k
        if not np.any(here):
            continue
        limits, a, b = (np.array(col) for col in zip(*rows, strict=True))
        i = np.searchsorted(limits, scaled[here], side="left")
        # r' = 0 on the strongest curves gives an infinite value, as the fit does.
        with np.errstate(divide="ignore"):
            out[here] = a[i] * scaled[here] ** b[i]
    return out


def multi_energy_overpressure(distance_m, energy_j, strength, ambient_pressure=STANDARD_PRESSURE):
    """Peak side-on overpressure of a vapour cloud explosion by the multi-energy method.

    Ps = Ps' p0, with Ps' = a R'^b from the fits to van den Berg's blast curves.
    Strengths 6 to 10 share one curve beyond R' = 2.35 (7 to 10 beyond R' = 0.96).

    Parameters
    ----------
    distance_m : array_like
        Distance from the centre of the charge, >= 0. [m]
    energy_j : array_like
        Combustion energy of the charge (``cloud_energy_from_mass`` or
        ``cloud_energy_from_volume``), > 0. [J]
    strength : array_like of int
        Blast strength (curve number) 1..10; 10 is a detonation. [-]
    ambient_pressure : array_like, default 101325
        Ambient pressure p0, > 0. [Pa]

    Returns
    -------
    numpy.ndarray
        Side-on overpressure, broadcast over the inputs. [Pa]

    Raises
    ------
    ValueError
        Negative or non-finite distance, non-positive energy or pressure, strength
        outside 1..10.

    Notes
    -----
    Johansson (2017, Fig. 4.3) plots the fits for 0.1 <= R' <= 100 and Ps' <= 10; beyond
    that (in particular close to a strength-10 charge) the power laws are extrapolated.

    References
    ----------
    van den Berg (1985), J. Hazardous Materials 12, 1-10; Johansson (2017), MSB B06-105,
    eq (4.5) and Table 4.2 (fits valid for Ps' >= 0.001).
    """
    s = _strength(strength)
    p0 = checks.positive(ambient_pressure, "ambient pressure", "Pa")
    scaled = multi_energy_scaled_distance(distance_m, energy_j, p0)
    return _piecewise_power(scaled, s, _ME_OVERPRESSURE) * p0


def multi_energy_duration(
    distance_m,
    energy_j,
    strength,
    ambient_pressure=STANDARD_PRESSURE,
    sound_speed=SOUND_SPEED,
):
    """Positive-phase duration of the blast wave by the multi-energy method.

    t+ = t' (E / p0)^(1/3) / c0, with t' = c R'^d from the fits to van den Berg's curves.

    Parameters
    ----------
    distance_m : array_like
        Distance from the centre of the charge, >= 0. [m]
    energy_j : array_like
        Combustion energy of the charge, > 0. [J]
    strength : array_like of int
        Blast strength 1..10. [-]
    ambient_pressure : array_like, default 101325
        Ambient pressure p0, > 0. [Pa]
    sound_speed : array_like, default 340.3
        Speed of sound in the ambient air c0, > 0. [m/s]

    Returns
    -------
    numpy.ndarray
        Positive-phase duration t+. [s]

    References
    ----------
    Johansson (2017), MSB B06-105, eqs (4.4) and (4.6), Table 4.3.
    """
    s = _strength(strength)
    p0 = checks.positive(ambient_pressure, "ambient pressure", "Pa")
    c0 = checks.positive(sound_speed, "sound speed", "m/s")
    e = checks.positive(energy_j, "explosion energy", "J")
    scaled = multi_energy_scaled_distance(distance_m, e, p0)
    return _piecewise_power(scaled, s, _ME_DURATION) * np.cbrt(e / p0) / c0


def multi_energy_impulse(
    distance_m,
    energy_j,
    strength,
    ambient_pressure=STANDARD_PRESSURE,
    sound_speed=SOUND_SPEED,
):
    """Positive-phase side-on impulse by the multi-energy method, i = Ps t+ / 2.

    The pressure-time history is taken as a triangle (instant rise, linear decay), as
    Johansson (2017) recommends; it is conservative for the slower rise of weak blasts.

    Parameters
    ----------
    distance_m : array_like
        Distance from the centre of the charge, >= 0. [m]
    energy_j : array_like
        Combustion energy of the charge, > 0. [J]
    strength : array_like of int
        Blast strength 1..10. [-]
    ambient_pressure : array_like, default 101325
        Ambient pressure p0, > 0. [Pa]
    sound_speed : array_like, default 340.3
        Speed of sound in the ambient air c0, > 0. [m/s]

    Returns
    -------
    numpy.ndarray
        Positive-phase impulse. [Pa s]

    References
    ----------
    Johansson (2017), MSB B06-105, section 4.3.1 and eq (4.7).
    """
    ps = multi_energy_overpressure(distance_m, energy_j, strength, ambient_pressure)
    duration = multi_energy_duration(distance_m, energy_j, strength, ambient_pressure, sound_speed)
    return 0.5 * ps * duration


def tnt_equivalent_mass(mass_kg, heat_of_combustion, yield_fraction):
    """TNT mass equivalent to a flammable mass, W = eta m dHc / E_TNT.

    Parameters
    ----------
    mass_kg : array_like
        Flammable mass in the cloud, >= 0. [kg]
    heat_of_combustion : array_like
        Heat of combustion of the fuel, > 0. [J/kg]
    yield_fraction : array_like
        Explosion yield (efficiency) eta, 0 < eta <= 1; vapour cloud values of 0.01-0.10
        are usual and HyRAM+ cites 0.03 as the CCPS default. [-]

    Returns
    -------
    numpy.ndarray
        Equivalent TNT mass. [kg]

    References
    ----------
    CCPS (2010), Guidelines for Vapor Cloud Explosion, Pressure Vessel Burst, BLEVE and
    Flash Fire Hazards, 2nd ed. (E_TNT = 4.68 MJ/kg, as cited in Sandia HyRAM+).
    """
    m = checks.non_negative(mass_kg, "flammable mass", "kg")
    h = checks.positive(heat_of_combustion, "heat of combustion", "J/kg")
    eta = checks.positive(yield_fraction, "yield fraction", "")
    if np.any(eta > 1):
        raise ValueError("yield fraction must be <= 1")
    return eta * m * h / TNT_BLAST_ENERGY


def tnt_scaled_distance(distance_m, tnt_mass_kg):
    """Hopkinson-Cranz scaled distance Z = R / W^(1/3).

    Parameters
    ----------
    distance_m : array_like
        Distance from the charge, >= 0. [m]
    tnt_mass_kg : array_like
        TNT mass, > 0. [kg]

    Returns
    -------
    numpy.ndarray
        Scaled distance Z. [m/kg^(1/3)]

    References
    ----------
    Kingery & Bulmash (1984).
    """
    r = checks.non_negative(distance_m, "distance", "m")
    w = checks.positive(tnt_mass_kg, "TNT mass", "kg")
    return r / np.cbrt(w)


def _kingery_bulmash(z, table) -> np.ndarray:
    # Below Z = 0.2 the fit is held at its Z = 0.2 value; beyond the fitted range the
    # last (pure power-law) row is extended.
    z = np.maximum(z, _KB_Z_MIN)
    limits = np.array([row[0] for row in table])
    coeffs = np.array([row[1] for row in table])
    c = coeffs[np.searchsorted(limits, z, side="left")]
    lnz = np.log(z)
    return np.exp(np.polynomial.polynomial.polyval(lnz, np.moveaxis(c, -1, 0), tensor=False))


def tnt_overpressure(distance_m, tnt_mass_kg, model="kingery-bulmash-1984"):
    """Peak incident (side-on) overpressure of a TNT hemispherical surface burst.

    Parameters
    ----------
    distance_m : array_like
        Distance from the charge, >= 0. [m]
    tnt_mass_kg : array_like
        TNT (or TNT-equivalent) mass, > 0. [kg]
    model : str, default 'kingery-bulmash-1984'
        Blast curve; only the Kingery-Bulmash curves (Swisdak 1994 fits) are offered. [-]

    Returns
    -------
    numpy.ndarray
        Incident overpressure. [Pa]

    Notes
    -----
    The fits cover 0.2 <= Z <= 198.5 m/kg^(1/3). Closer in, the Z = 0.2 value (about
    11 MPa) is returned; farther out, the last power law (P ~ Z^-1.41) is extended.

    References
    ----------
    Kingery & Bulmash (1984); Swisdak (1994), Simplified Kingery airblast
    calculations, DTIC ADA526744, incident pressure, metric units.
    """
    _check_model(model, TNT_MODELS)
    z = tnt_scaled_distance(distance_m, tnt_mass_kg)
    return 1e3 * _kingery_bulmash(z, _KB_OVERPRESSURE)


def tnt_impulse(distance_m, tnt_mass_kg, model="kingery-bulmash-1984"):
    """Positive-phase incident impulse of a TNT hemispherical surface burst.

    Parameters
    ----------
    distance_m : array_like
        Distance from the charge, >= 0. [m]
    tnt_mass_kg : array_like
        TNT (or TNT-equivalent) mass, > 0. [kg]
    model : str, default 'kingery-bulmash-1984'
        Blast curve; only the Kingery-Bulmash curves (Swisdak 1994 fits) are offered. [-]

    Returns
    -------
    numpy.ndarray
        Incident impulse. [Pa s]

    Notes
    -----
    The fits cover 0.2 <= Z <= 158.7 m/kg^(1/3); outside, the end values are held or
    extended as in ``tnt_overpressure``.

    References
    ----------
    Kingery & Bulmash (1984); Swisdak (1994), DTIC ADA526744, incident impulse, metric.
    """
    _check_model(model, TNT_MODELS)
    w = checks.positive(tnt_mass_kg, "TNT mass", "kg")
    z = tnt_scaled_distance(distance_m, w)
    # Swisdak's impulse is in kPa ms per kg^(1/3): 1 kPa ms = 1 Pa s.
    return _kingery_bulmash(z, _KB_IMPULSE) * np.cbrt(w)
