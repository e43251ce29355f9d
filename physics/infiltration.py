"""Infiltration: the outdoor air that leaks into a building with its doors and windows shut,
driven by the wind and the indoor-outdoor temperature difference of the moment.

The LBL model (Sherman & Grimsrud 1980), the "basic model" of the ASHRAE Handbook of
Fundamentals (2001 ch. 26; 2005 ch. 27; ch. 16 in later editions):

    Q = A_L sqrt(C_s |dT| + C_w U^2)

with A_L the effective leakage area at 4 Pa (discharge coefficient 1), C_s the stack
coefficient by the number of storeys and C_w the wind coefficient by storeys and the
shelter class of the site. The coefficients are the Handbook's as transcribed in the
EnergyPlus Input Output Reference, ZoneInfiltration:EffectiveLeakageArea (Handbook 2001
ch. 26 / 2005 ch. 27; stack and wind coefficients in (L/s)^2/(cm^4 K) and
(L/s)^2/(cm^4 (m/s)^2)); the wind coefficients agree with a second, independent
transcription (secondary), Kreider, Curtiss & Rabl, Heating and Cooling of Buildings (CRC
Press, companion tables, "from ASHRAE, 1989", in SI and I-P); the stack coefficients were
seen in the first only. Here they are in SI: 1 (L/s)/cm2 = 10 m/s, so a table value times
100 is in (m/s)^2/K (stack) or dimensionless (wind).

Leakage by building use: EN 15242:2007 Annex B, Table B.1 "Examples of leakage
characteristics", the air flow at 4 Pa per square metre of floor area (low, average, high),
as transcribed in the BEMEval EPC schema references (one transcription seen; not cross-checked).
A flow at 4 Pa becomes an effective leakage area through the orifice equation that defines
A_L: Q_4 = A_L sqrt(2 * 4 Pa / rho).
"""

import numpy as np

# Handbook basic-model stack coefficient by storeys (1, 2, 3), table value x 100. [(m/s)^2/K]
STACK_COEFFICIENT = (0.0145, 0.0290, 0.0435)
# Basic-model wind coefficient by shelter class (rows 1-5) and storeys (columns 1-3), table
# value x 100. [-]
WIND_COEFFICIENT = (
    (0.0319, 0.0420, 0.0494),
    (0.0246, 0.0325, 0.0382),
    (0.0174, 0.0231, 0.0271),
    (0.0104, 0.0137, 0.0161),
    (0.0032, 0.0042, 0.0049),
)
SHELTER_CLASSES = {
    1: "no obstructions or local shielding",
    2: "typical shelter for an isolated rural house",
    3: "typical shelter caused by other buildings across the street",
    4: "typical shelter for urban buildings on larger lots",
    5: "typical shelter produced by buildings that are immediately adjacent",
}
REFERENCE_PRESSURE_PA = 4.0  # the pressure at which A_L is defined
# Air density in the orifice equation that turns a flow at 4 Pa into A_L: standard air (our
# choice of the reference state). [kg/m3]
REFERENCE_AIR_DENSITY = 1.2
# EN 15242:2007 Annex B Table B.1: flow at 4 Pa per floor area [m3/(h m2)], low/average/high.
LEAKAGE_Q4_M3_H_M2 = {
    "single_family": (0.9, 1.8, 3.6),
    "multi_family_non_residential": (0.6, 1.1, 2.2),
    "industrial": (1.5, 3.0, 6.0),
}
LEAKAGE_LEVELS = ("low", "average", "high")


def _storey_index(storeys) -> np.ndarray:
    s = np.asarray(storeys)
    if np.any(~np.isfinite(s)) or np.any(s < 1):
        raise ValueError(f"storeys must be >= 1, got {storeys}")
    return np.clip(np.round(s).astype(int), 1, 3) - 1


def stack_coefficient(storeys) -> np.ndarray:
    """Basic-model stack coefficient C_s of a building of ``storeys`` storeys (taller than
    three take the three-storey value, the largest the Handbook tabulates). [(m/s)^2/K]"""
    return np.asarray(STACK_COEFFICIENT)[_storey_index(storeys)]


def wind_coefficient(storeys, shelter_class) -> np.ndarray:
    """Basic-model wind coefficient C_w by storeys (1-3, taller take 3) and shelter class
    (1-5, see ``SHELTER_CLASSES``). [-]"""
    c = np.asarray(shelter_class)
    if np.any(~np.isin(c, list(SHELTER_CLASSES))):
        raise ValueError(f"shelter class must be one of 1-5, got {shelter_class}")
    return np.asarray(WIND_COEFFICIENT)[c.astype(int) - 1, _storey_index(storeys)]


def infiltration_flow(
    leakage_area_m2, temperature_difference_K, wind_speed_m_s, storeys=1, shelter_class=3
):
    """Infiltration air flow of the LBL (Sherman-Grimsrud) model.

    Parameters
    ----------
    leakage_area_m2 : array_like
        Effective leakage area at 4 Pa, discharge coefficient 1. [m2]
    temperature_difference_K : array_like
        Indoor minus outdoor air temperature (its magnitude drives the stack effect). [K]
    wind_speed_m_s : array_like
        Wind speed at the local weather station. [m/s]
    storeys : array_like
        Storeys above ground (1-3; taller buildings take the three-storey coefficients). [-]
    shelter_class : array_like
        Local shielding, 1 (none) to 5 (buildings immediately adjacent). [-]

    Returns
    -------
    numpy.ndarray
        Infiltration air flow. [m3/s]

    References
    ----------
    Sherman, M.H. & Grimsrud, D.T. (1980). Infiltration-pressurization correlation:
    simplified physical modeling. ASHRAE Transactions 86(2), 778-807 (LBL-10163).
    ASHRAE Handbook of Fundamentals (2001) ch. 26, basic model, Q = A_L sqrt(C_s dT + C_w U^2);
    coefficients as transcribed in the EnergyPlus Input Output Reference
    (ZoneInfiltration:EffectiveLeakageArea) and in Kreider, Curtiss & Rabl (CRC Press).
    """
    area = np.asarray(leakage_area_m2, float)
    u = np.asarray(wind_speed_m_s, float)
    if np.any(~(area >= 0)):
        raise ValueError(f"leakage area must be >= 0 m2, got {leakage_area_m2}")
    if np.any(~(u >= 0)):
        raise ValueError(f"wind speed must be >= 0 m/s, got {wind_speed_m_s}")
    dt = np.abs(np.asarray(temperature_difference_K, float))
    cs = stack_coefficient(storeys)
    cw = wind_coefficient(storeys, shelter_class)
    return area * np.sqrt(cs * dt + cw * u**2)


def leakage_area_from_flow(flow_m3_s, pressure_pa=REFERENCE_PRESSURE_PA):
    """Effective leakage area of a measured flow at a pressure difference, by the orifice
    equation with discharge coefficient 1 that defines it: Q = A_L sqrt(2 dp / rho).

    Parameters
    ----------
    flow_m3_s : array_like
        Air flow through the envelope at ``pressure_pa``. [m3/s]
    pressure_pa : float
        Pressure difference of the flow (4 Pa for A_L as the LBL model uses it). [Pa]

    Returns
    -------
    numpy.ndarray
        Effective leakage area. [m2]
    """
    q = np.asarray(flow_m3_s, float)
    if np.any(~(q >= 0)):
        raise ValueError(f"leakage flow must be >= 0 m3/s, got {flow_m3_s}")
    if not pressure_pa > 0:
        raise ValueError(f"pressure difference must be > 0 Pa, got {pressure_pa}")
    return q / np.sqrt(2.0 * pressure_pa / REFERENCE_AIR_DENSITY)


def leakage_per_floor_area(kind: str, level: str = "average") -> float:
    """Effective leakage area per square metre of floor of a building of one of
    ``LEAKAGE_Q4_M3_H_M2``'s kinds, from EN 15242:2007 Annex B Table B.1. [m2/m2]"""
    if kind not in LEAKAGE_Q4_M3_H_M2:
        raise ValueError(f"leakage kind must be one of {sorted(LEAKAGE_Q4_M3_H_M2)}, got {kind!r}")
    if level not in LEAKAGE_LEVELS:
        raise ValueError(f"leakage level must be one of {LEAKAGE_LEVELS}, got {level!r}")
    q4 = LEAKAGE_Q4_M3_H_M2[kind][LEAKAGE_LEVELS.index(level)] / 3600.0
    return float(leakage_area_from_flow(q4))


def air_change_rate(
    leakage_m2_per_m2,
    storey_height_m,
    temperature_difference_K,
    wind_speed_m_s,
    storeys=1,
    shelter_class=3,
):
    """Air changes of a building whose leakage is given per square metre of floor: the LBL
    flow over the volume, both per floor area (the floor area cancels).

    Parameters
    ----------
    leakage_m2_per_m2 : array_like
        Effective leakage area at 4 Pa per floor area. [m2/m2]
    storey_height_m : array_like
        Indoor volume per floor area. [m]
    temperature_difference_K, wind_speed_m_s, storeys, shelter_class
        As ``infiltration_flow``.

    Returns
    -------
    numpy.ndarray
        Air change rate. [1/s]
    """
    h = np.asarray(storey_height_m, float)
    if np.any(~(h > 0)):
        raise ValueError(f"storey height must be > 0 m, got {storey_height_m}")
    q = infiltration_flow(
        leakage_m2_per_m2, temperature_difference_K, wind_speed_m_s, storeys, shelter_class
    )
    return q / h
