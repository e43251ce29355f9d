"""Harm: levels of concern and probits (probability of death) for toxic, thermal and blast loads.

Levels of concern follow ALOHA's choice for toxic gases: AEGL first, then ERPG, then PAC/TEEL,
and IDLH where none of those exists (NOAA ALOHA documentation, "Levels of concern"). The
bundled table ``data/toxic_endpoints.csv`` keeps every value in ppm, as its source gives it,
with that source on the same row; values are converted to kg/m3 once, here.

Probits give the probability of death as P = Phi(Pr - 5) (Finney's probit with mean 5).
Toxic: Pr = a + b ln(sum C^n dt), in the concentration and time units of each source
(``data/probits.csv``, one row per chemical and source, each with its citation). A row is
used only when two independent public transcriptions agree on it (``usable`` = yes; all are
secondary). Where both sources hold a usable row the Purple Book's is taken (the QRA method
this project follows), then Lees'; ``model=`` picks one by name. A chemical without a usable
row has no toxic probit, and :func:`toxic_probit_gap` says why. Thermal:
Pr = c + 2.56 ln(t q^(4/3)), q in W/m2, t in s. Overpressure: peak side-on overpressure in Pa
and impulse in Pa s.
"""

import csv
import functools
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy.special import ndtr

from physics import units

_DATA = Path(__file__).parent / "data"
GAS_CONSTANT = 8.314462618  # J/(mol K), CODATA 2018 exact value
STANDARD_TEMPERATURE_K = 298.15  # 25 degC, the temperature NIOSH uses for its ppm conversions
GUIDELINE_PREFERENCE = ("AEGL", "ERPG", "PAC", "IDLH")
AEGL_DURATIONS_S = np.array([10.0, 30.0, 60.0, 240.0, 480.0]) * 60.0

# ALOHA's default flammable levels: the LFL and 60 % of it (issue 3 of this project).
FLAMMABLE_LFL_FRACTIONS = (1.0, 0.6)
# Thermal levels of concern, W/m2, largest first. 'aloha': 10/5/2 kW/m2 as named in issue 3;
# 'qra': 37.5/12.5/4 kW/m2 from issue 3 (37.5 kW/m2 is where AQ/T 3046 sets Pd = 1,
# secondary references).
THERMAL_LEVELS_W_M2 = {"aloha": (10e3, 5e3, 2e3), "qra": (37.5e3, 12.5e3, 4e3)}
# Overpressure levels of concern, Pa, largest first. 'aloha': 8.0/3.5/1.0 psi as named in
# issue 3; 'aq-t-3046': Pd = 1 at >= 30 kPa and 0 at <= 10 kPa (quoted second-hand).
OVERPRESSURE_LEVELS_PA = {
    "aloha": tuple(units.to_si(p, "psi") for p in (8.0, 3.5, 1.0)),
    "aq-t-3046": (30e3, 10e3),
}
# Thermal probit constants c in Pr = c + 2.56 ln(t q^(4/3)), t s, q W/m2; as in Sandia HyRAM+
# qra/probits.py and secondary references.
THERMAL_PROBIT_MODELS = {"eisenberg-1975": -38.48, "tsao-perry": -36.38, "tno": -37.23}
OVERPRESSURE_PROBIT_MODELS = ("eisenberg-1975-lung", "tno-head-impact", "tno-structural-collapse")
_CONCENTRATION_UNITS = ("ppm", "mg/m3", "kg/m3", "%")
# Toxic probit sources a user may name, in the order of preference (see the module docstring).
PROBIT_SOURCES = ("purple-book", "lees")


@dataclass(frozen=True)
class ToxicLevels:
    """Tiered toxic levels of concern of one chemical for one exposure duration.

    ``names`` run from the mildest tier to the most severe (e.g. AEGL-1, AEGL-2, AEGL-3);
    a tier the source does not give is left out. ``ppm`` and ``kg_m3`` are arrays in that order.
    """

    cas: str
    name: str
    guideline: str
    names: tuple[str, ...]
    ppm: np.ndarray
    kg_m3: np.ndarray
    sources: tuple[str, ...]


@functools.cache
def _endpoints() -> dict[str, list[dict]]:
    table: dict[str, list[dict]] = {}
    with open(_DATA / "toxic_endpoints.csv", newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            row["tier"] = int(row["tier"]) if row["tier"] else None
            row["duration_min"] = float(row["duration_min"])
            row["ppm"] = float(row["ppm"])
            table.setdefault(row["cas"], []).append(row)
    return table


@functools.cache
def _probits() -> dict[str, dict[str, dict]]:
    table: dict[str, dict[str, dict]] = {}
    with open(_DATA / "probits.csv", newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            for key in ("a", "b", "n"):
                row[key] = float(row[key])
            row["transcriptions"] = int(row["transcriptions"])
            row["usable"] = row["usable"] == "yes"
            table.setdefault(row["cas"], {})[row["model"]] = row
    return table


def endpoint_rows() -> list[dict]:
    """All rows of the bundled endpoint table (cas, name, guideline, tier, duration_min, ppm,
    source), for inspection and reports."""
    return [row for rows in _endpoints().values() for row in rows]


def probit_rows() -> list[dict]:
    """All rows of the bundled toxic probit table, one per (chemical, source), usable or not."""
    return [row for models in _probits().values() for row in models.values()]


@functools.cache
def _chemical(cas: str):
    from chemicals.identifiers import search_chemical  # loads its tables on first use

    try:
        return search_chemical(cas)
    except ValueError:
        return None


def _molar_mass(cas: str, molar_mass_kg_mol) -> float:
    if molar_mass_kg_mol is not None:
        return _positive(molar_mass_kg_mol, "molar mass")
    chemical = _chemical(cas)
    if chemical is None:
        raise ValueError(f"no molar mass known for CAS {cas}: pass molar_mass_kg_mol")
    return chemical.MW / 1000.0


def _positive(value, what: str):
    array = np.asarray(value, dtype=float)
    if not np.all(np.isfinite(array)) or np.any(array <= 0):
        raise ValueError(f"{what} must be positive and finite, got {value!r}")
    return value


def _non_negative(value, what: str) -> np.ndarray:
    array = np.asarray(value, dtype=float)
    if not np.all(np.isfinite(array)) or np.any(array < 0):
        raise ValueError(f"{what} must be non-negative and finite")
    return array


def ppm_to_kg_m3(
    ppm, molar_mass_kg_mol, temperature_k=STANDARD_TEMPERATURE_K, pressure_pa=101325.0
):
    """Convert a volume fraction in ppm to a mass concentration, ideal gas.

    C = ppm 1e-6 p M / (R T).

    Parameters
    ----------
    ppm : array_like
        Volume (mole) fraction in parts per million. [ppm]
    molar_mass_kg_mol : array_like
        Molar mass of the gas. [kg/mol]
    temperature_k : array_like, optional
        Air temperature, default 25 degC. [K]
    pressure_pa : array_like, optional
        Absolute air pressure. [Pa]

    Returns
    -------
    numpy.ndarray
        Mass concentration. [kg/m3]

    References
    ----------
    Ideal gas law pV = nRT; NIOSH Pocket Guide conversions (1 ppm = M/24.45 mg/m3 at 25 degC,
    1 atm) follow the same relation.
    """
    _non_negative(ppm, "concentration")
    _positive(molar_mass_kg_mol, "molar mass")
    _positive(temperature_k, "temperature")
    _positive(pressure_pa, "pressure")
    return (
        np.asarray(ppm, float)
        * 1e-6
        * pressure_pa
        * molar_mass_kg_mol
        / (GAS_CONSTANT * temperature_k)
    )


def kg_m3_to_ppm(
    kg_m3, molar_mass_kg_mol, temperature_k=STANDARD_TEMPERATURE_K, pressure_pa=101325.0
):
    """Inverse of :func:`ppm_to_kg_m3`: mass concentration [kg/m3] to volume fraction [ppm]."""
    return np.asarray(kg_m3, float) / ppm_to_kg_m3(
        1.0, molar_mass_kg_mol, temperature_k, pressure_pa
    )


def concentration_to_kg_m3(
    value, unit, molar_mass_kg_mol=None, temperature_k=STANDARD_TEMPERATURE_K, pressure_pa=101325.0
):
    """A concentration written by a person (user-set level) in kg/m3.

    Parameters
    ----------
    value : array_like
        The concentration in ``unit``.
    unit : str
        One of 'ppm', 'mg/m3', 'kg/m3', '%' (percent by volume).
    molar_mass_kg_mol : float, optional
        Needed for 'ppm' and '%'. [kg/mol]
    temperature_k, pressure_pa : float, optional
        Air state for volume fractions. [K], [Pa]

    Returns
    -------
    numpy.ndarray
        Mass concentration. [kg/m3]
    """
    if unit not in _CONCENTRATION_UNITS:
        raise ValueError(
            f"unknown concentration unit {unit!r}; valid: {', '.join(_CONCENTRATION_UNITS)}"
        )
    array = _non_negative(value, "concentration")
    if unit == "kg/m3":
        return array
    if unit == "mg/m3":
        return array * 1e-6
    if molar_mass_kg_mol is None:
        raise ValueError(f"a concentration in {unit} needs the molar mass")
    ppm = array * 1e4 if unit == "%" else array
    return ppm_to_kg_m3(ppm, molar_mass_kg_mol, temperature_k, pressure_pa)


def interpolate_aegl(node_durations_s, node_values, duration_s):
    """AEGL at any exposure duration from its published durations.

    Between two published durations t1 < t < t2 the level follows C^n t = k with the exponent
    n that joins the two published values, i.e. straight-line interpolation of ln C against
    ln t; published values are reproduced exactly. The AEGL documents derive their durations
    by the same ten Berge C^n t = k scaling. Durations outside the published range take the
    nearest published value (no extrapolation: below 10 min this is the conservative side;
    above 8 h AEGLs are not defined).

    Parameters
    ----------
    node_durations_s : array_like
        Published durations, increasing. [s]
    node_values : array_like
        Published levels at those durations (any concentration unit).
    duration_s : array_like
        Exposure durations wanted. [s]

    Returns
    -------
    numpy.ndarray
        Levels at ``duration_s``, in the unit of ``node_values``.

    References
    ----------
    ten Berge, W.F., Zwart, A., Appelman, L.M. (1986) Concentration-time mortality response
    relationship of irritant and systemically acting vapours and gases, J. Hazardous
    Materials 13, 301-309 (C^n t = k); NRC (2001) Standing Operating Procedures for
    Developing Acute Exposure Guideline Levels for Hazardous Chemicals (time scaling).
    """
    _positive(duration_s, "exposure duration")
    _positive(node_values, "AEGL value")
    log_t = np.log(np.asarray(node_durations_s, float))
    log_c = np.log(np.asarray(node_values, float))
    return np.exp(np.interp(np.log(np.asarray(duration_s, float)), log_t, log_c))


def _aegl_levels(rows, duration_s):
    names, ppm, sources = [], [], []
    for tier in (1, 2, 3):
        tier_rows = sorted((r for r in rows if r["tier"] == tier), key=lambda r: r["duration_min"])
        if not tier_rows:
            continue
        durations = [60.0 * r["duration_min"] for r in tier_rows]
        values = [r["ppm"] for r in tier_rows]
        names.append(f"AEGL-{tier}")
        ppm.append(float(interpolate_aegl(durations, values, duration_s)))
        sources.append("; ".join(sorted({r["source"] for r in tier_rows})))
    return names, ppm, sources


def has_toxic_levels(cas: str) -> bool:
    """Whether :func:`toxic_levels` holds a level of concern for ``cas`` (read from the
    bundled table only: a chemical without one is not looked up for its name)."""
    return bool(_endpoints().get(cas))


def toxic_levels(
    cas: str,
    duration_s: float,
    molar_mass_kg_mol=None,
    temperature_k=STANDARD_TEMPERATURE_K,
    pressure_pa=101325.0,
) -> ToxicLevels:
    """Preferred tiered toxic levels of concern of a chemical, in ppm and kg/m3.

    The guideline family is the first of AEGL, ERPG, PAC/TEEL, IDLH that the bundled table
    holds for the chemical (ALOHA's order). AEGLs are interpolated to ``duration_s`` with
    :func:`interpolate_aegl`; ERPGs are 60-min values and the IDLH a 30-min escape value,
    used as they are.

    Parameters
    ----------
    cas : str
        CAS registry number, e.g. '7664-41-7'.
    duration_s : float
        Exposure duration. [s]
    molar_mass_kg_mol : float, optional
        Molar mass; looked up in ``chemicals`` by CAS when not given. [kg/mol]
    temperature_k, pressure_pa : float, optional
        Air state for the ppm conversion. [K], [Pa]

    Returns
    -------
    ToxicLevels

    Raises
    ------
    ValueError
        If the table holds no endpoint for the chemical (the message names it).

    References
    ----------
    NOAA ALOHA documentation, "Levels of concern" (AEGL, then ERPG, then PAC/TEEL); US EPA
    AEGL program; AIHA ERPGs; NIOSH IDLH documentation (May 1994). Each value's own source is
    in ``data/toxic_endpoints.csv`` and returned in ``sources``.
    """
    _positive(duration_s, "exposure duration")
    rows = _endpoints().get(cas)
    if not rows:
        chemical = _chemical(cas)
        name = chemical.common_name if chemical is not None else "unknown chemical"
        raise ValueError(
            f"no toxic endpoint (AEGL, ERPG, PAC/TEEL or IDLH) for {name} (CAS {cas}) "
            "in physics/data/toxic_endpoints.csv"
        )
    guideline = next(g for g in GUIDELINE_PREFERENCE if any(r["guideline"] == g for r in rows))
    chosen = [r for r in rows if r["guideline"] == guideline]
    if guideline == "AEGL":
        names, ppm, sources = _aegl_levels(chosen, duration_s)
    else:
        chosen.sort(key=lambda r: r["tier"] or 0)
        names = [f"{guideline}-{r['tier']}" if r["tier"] else guideline for r in chosen]
        ppm = [r["ppm"] for r in chosen]
        sources = [r["source"] for r in chosen]
    ppm = np.array(ppm)
    molar_mass = _molar_mass(cas, molar_mass_kg_mol)
    return ToxicLevels(
        cas=cas,
        name=rows[0]["name"],
        guideline=guideline,
        names=tuple(names),
        ppm=ppm,
        kg_m3=ppm_to_kg_m3(ppm, molar_mass, temperature_k, pressure_pa),
        sources=tuple(sources),
    )


def flammable_levels(
    lfl_volume_fraction,
    molar_mass_kg_mol,
    temperature_k=STANDARD_TEMPERATURE_K,
    pressure_pa=101325.0,
):
    """Flammable levels of concern: the LFL and 60 % of the LFL, as mass concentrations.

    Parameters
    ----------
    lfl_volume_fraction : float
        Lower flammability limit as a volume fraction (0.15 for 15 %). [-]
    molar_mass_kg_mol : float
        Molar mass of the fuel. [kg/mol]
    temperature_k, pressure_pa : float, optional
        Air state. [K], [Pa]

    Returns
    -------
    numpy.ndarray
        [LFL, 0.6 LFL]. [kg/m3]

    References
    ----------
    NOAA ALOHA documentation, "Levels of concern" (flammable area: 60 % LFL); issue 3.
    """
    _positive(lfl_volume_fraction, "lower flammability limit")
    ppm = np.asarray(FLAMMABLE_LFL_FRACTIONS) * lfl_volume_fraction * 1e6
    return ppm_to_kg_m3(ppm, molar_mass_kg_mol, temperature_k, pressure_pa)


def death_probability(probit):
    """Probability of death from a probit value, P = Phi(Pr - 5). [-]

    References
    ----------
    Finney, D.J. (1971) Probit Analysis, 3rd ed.; TNO Green Book CPR 16E (1992), ch. 1.
    """
    return ndtr(np.asarray(probit, float) - 5.0)


def check_probit_source(model) -> None:
    """Raise ValueError naming the valid sources if ``model`` is neither None nor one of
    :data:`PROBIT_SOURCES`."""
    if model is not None and model not in PROBIT_SOURCES:
        raise ValueError(f"unknown probit source {model!r}; valid: {', '.join(PROBIT_SOURCES)}")


def toxic_probit_row(cas: str, model=None) -> dict | None:
    """The probit row used for a chemical (a, b, n, units, source), or None without one.

    ``model`` None takes the first usable row in the order of :data:`PROBIT_SOURCES`; a name
    takes that source's row if it is usable. An unknown name raises ValueError.
    """
    check_probit_source(model)
    rows = _probits().get(cas, {})
    for name in PROBIT_SOURCES if model is None else (model,):
        row = rows.get(name)
        if row is not None and row["usable"]:
            return row
    return None


def toxic_probit_gap(cas: str, model=None) -> str:
    """Why a chemical has no toxic probit, in one sentence (empty if it has one)."""
    if toxic_probit_row(cas, model) is not None:
        return ""
    listed = list(_probits().get(cas, {}).values()) or _endpoints().get(cas, [])
    chemical = _chemical(cas) if not listed else None
    name = listed[0]["name"] if listed else getattr(chemical, "common_name", f"CAS {cas}")
    which = "" if model is None else f" from source {model!r}"
    rows = [r for r in _probits().get(cas, {}).values() if model is None or r["model"] == model]
    if not rows:
        return f"no toxic probit{which} found for {name}"
    found = "; ".join(
        f"{r['model']}: only one public transcription found"
        if r["transcriptions"] < 2
        else f"{r['model']}: {r['population']}"
        for r in rows
    )
    return f"no usable toxic probit{which} for {name} ({found})"


def _toxic_model(cas: str, model):
    row = toxic_probit_row(cas, model)
    if row is None:
        raise ValueError(toxic_probit_gap(cas, model))
    return row


def toxic_load(
    cas: str,
    concentration_kg_m3,
    dt_s,
    model=None,
    molar_mass_kg_mol=None,
    temperature_k=STANDARD_TEMPERATURE_K,
    pressure_pa=101325.0,
    axis=-1,
):
    """Toxic load sum C^n dt of a concentration time series, in the units of the probit source.

    Parameters
    ----------
    cas : str
        CAS registry number of the chemical.
    concentration_kg_m3 : array_like
        Concentration at each time step; time runs along ``axis``. [kg/m3]
    dt_s : array_like
        Time step, scalar or one per step (broadcast along ``axis``). [s]
    model : str, optional
        Probit source, one of :data:`PROBIT_SOURCES`; default: the first usable one.
    molar_mass_kg_mol, temperature_k, pressure_pa : float, optional
        For sources that give C in ppm. [kg/mol], [K], [Pa]
    axis : int, optional
        Time axis.

    Returns
    -------
    numpy.ndarray
        Load in (source concentration unit)^n x (source time unit).

    References
    ----------
    ten Berge et al. (1986) toxic load; CCPS (2000) Guidelines for Chemical Process
    Quantitative Risk Analysis, toxic probit with time-varying concentration.
    """
    row = _toxic_model(cas, model)
    concentration = _non_negative(concentration_kg_m3, "concentration")
    dt = _non_negative(dt_s, "time step")
    if row["concentration_unit"] == "ppm":
        molar_mass = _molar_mass(cas, molar_mass_kg_mol)
        c = kg_m3_to_ppm(concentration, molar_mass, temperature_k, pressure_pa)
    else:
        c = concentration * 1e6  # mg/m3
    dt_unit = dt / 60.0 if row["time_unit"] == "min" else dt
    return np.sum(c ** row["n"] * dt_unit, axis=axis)


def toxic_probit(cas: str, load, model=None):
    """Toxic probit Pr = a + b ln(load), load from :func:`toxic_load`; -inf where load is 0.

    References
    ----------
    The source of each (a, b, n) is on its row of ``data/probits.csv``.
    """
    row = _toxic_model(cas, model)
    load = _non_negative(load, "toxic load")
    with np.errstate(divide="ignore"):
        return row["a"] + row["b"] * np.log(load)


def toxic_death_probability(
    cas: str,
    concentration_kg_m3,
    duration_s,
    model=None,
    molar_mass_kg_mol=None,
    temperature_k=STANDARD_TEMPERATURE_K,
    pressure_pa=101325.0,
):
    """Probability of death after a steady concentration held for a duration.

    Parameters
    ----------
    cas : str
        CAS registry number.
    concentration_kg_m3 : array_like
        Steady concentration. [kg/m3]
    duration_s : array_like
        Exposure duration. [s]
    model : str, optional
        Probit source, one of :data:`PROBIT_SOURCES`; default: the first usable one.
    molar_mass_kg_mol, temperature_k, pressure_pa : float, optional
        Air state for ppm-based probits. [kg/mol], [K], [Pa]

    Returns
    -------
    numpy.ndarray
        Probability of death. [-]
    """
    c, t = np.broadcast_arrays(
        np.asarray(concentration_kg_m3, float), np.asarray(duration_s, float)
    )
    load = toxic_load(
        cas, c[..., None], t[..., None], model, molar_mass_kg_mol, temperature_k, pressure_pa
    )
    return death_probability(toxic_probit(cas, load, model))


def thermal_dose(heat_flux_w_m2, duration_s):
    """Thermal dose t q^(4/3). [(W/m2)^(4/3) s]

    Parameters
    ----------
    heat_flux_w_m2 : array_like
        Incident heat flux. [W/m2]
    duration_s : array_like
        Exposure duration. [s]

    References
    ----------
    Eisenberg, N.A., Lynch, C.J., Breeding, R.J. (1975) Vulnerability model, US Coast Guard.
    """
    q = _non_negative(heat_flux_w_m2, "heat flux")
    t = _non_negative(duration_s, "exposure duration")
    return t * q ** (4.0 / 3.0)


def thermal_death_probability(heat_flux_w_m2, duration_s, model="eisenberg-1975"):
    """Probability of death from thermal radiation, Pr = c + 2.56 ln(t q^(4/3)).

    Parameters
    ----------
    heat_flux_w_m2 : array_like
        Incident heat flux. [W/m2]
    duration_s : array_like
        Exposure duration. [s]
    model : str
        One of :data:`THERMAL_PROBIT_MODELS`.

    Returns
    -------
    numpy.ndarray
        Probability of death. [-]

    References
    ----------
    Eisenberg et al. (1975) (c = -38.48); Tsao & Perry (c = -36.38); TNO (c = -37.23); the
    constants as implemented in Sandia HyRAM+ qra/probits.py and listed in
    secondary references.
    """
    if model not in THERMAL_PROBIT_MODELS:
        raise ValueError(
            f"unknown thermal probit model {model!r}; valid: {', '.join(THERMAL_PROBIT_MODELS)}"
        )
    dose = thermal_dose(heat_flux_w_m2, duration_s)
    with np.errstate(divide="ignore"):
        return death_probability(THERMAL_PROBIT_MODELS[model] + 2.56 * np.log(dose))


def overpressure_death_probability(overpressure_pa, impulse_pa_s=None, model="eisenberg-1975-lung"):
    """Probability of death from a blast wave.

    Models: 'eisenberg-1975-lung' Pr = -77.1 + 6.91 ln P; 'tno-head-impact'
    Pr = 5 - 8.49 ln(2430/P + 4e8/(P i)); 'tno-structural-collapse'
    Pr = 5 - 0.22 ln((40000/P)^7.4 + (460/i)^11.3).

    Parameters
    ----------
    overpressure_pa : array_like
        Peak side-on overpressure. [Pa]
    impulse_pa_s : array_like, optional
        Positive-phase impulse; needed by the TNO models. [Pa s]
    model : str
        One of :data:`OVERPRESSURE_PROBIT_MODELS`.

    Returns
    -------
    numpy.ndarray
        Probability of death. [-]

    References
    ----------
    Eisenberg et al. (1975) lung haemorrhage; TNO Green Book CPR 16E (1992) head impact and
    structural collapse; constants as implemented in Sandia HyRAM+ qra/probits.py and listed in
    secondary references.
    """
    if model not in OVERPRESSURE_PROBIT_MODELS:
        valid = ", ".join(OVERPRESSURE_PROBIT_MODELS)
        raise ValueError(f"unknown overpressure probit model {model!r}; valid: {valid}")
    p = _non_negative(overpressure_pa, "overpressure")
    with np.errstate(divide="ignore"):
        if model == "eisenberg-1975-lung":
            return death_probability(-77.1 + 6.91 * np.log(p))
        if impulse_pa_s is None:
            raise ValueError(f"model {model!r} needs the impulse")
        i = _non_negative(impulse_pa_s, "impulse")
        if model == "tno-head-impact":
            return death_probability(5.0 - 8.49 * np.log(2430.0 / p + 4e8 / (p * i)))
        return death_probability(5.0 - 0.22 * np.log((40000.0 / p) ** 7.4 + (460.0 / i) ** 11.3))
