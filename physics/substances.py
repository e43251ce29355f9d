"""Pure-component properties, looked up by name, CAS number or Chinese common name.

Properties come from the Chemical Engineering Design Library (`chemicals`, Bell et al.).
Temperature-dependent properties use the DIPPR equations with the coefficients of Perry's
Chemical Engineers' Handbook, 8th ed. (Green & Perry 2008) where the library holds them:

- liquid density: DIPPR 105, Perry's Table 2-32 (ammonia at 20 degC: 609 kg/m3); fallback
  COSTALD (Hankinson & Thomson 1979), which reads about 5 % low for ammonia (581 kg/m3);
- vapour pressure: DIPPR 101, Perry's Table 2-8; fallback Lee-Kesler (1975);
- heat of vaporisation: DIPPR 106, Perry's Table 2-150; fallback Pitzer via Lee-Kesler;
- liquid heat capacity: DIPPR 100 / 114, Perry's Table 2-153.

What the library lacks is bundled in ``physics/data``: ``chemical_aliases.csv`` (Chinese
and trade names, property surrogates for mixtures such as LPG -> propane) and
``gb18218.csv`` (GB 18218-2018 critical quantity and correction factor beta). The GB 18218
values were checked against two independent transcriptions of the standard's Tables 1-4;
the standard's own text was not at hand.
"""

import csv
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

import numpy as np

_CAS = re.compile(r"^\d{2,7}-\d{2}-\d$")
R_GAS = 8.314462618  # J/(mol K), CODATA 2018


class UnknownChemical(LookupError):
    """A chemical name or CAS number the property library does not know."""


@dataclass(frozen=True)
class Substance:
    """Constant properties of a pure component (SI units).

    ``cas`` identifies what is stored (e.g. LPG, 68476-85-7); ``property_cas`` the pure
    component whose properties stand for it (propane, 74-98-6).
    """

    cas: str
    name: str
    property_cas: str
    formula: str
    molar_mass_kg_mol: float
    boiling_point_K: float
    critical_temperature_K: float
    critical_pressure_Pa: float
    critical_volume_m3_mol: float
    acentric_factor: float
    lfl_fraction: float | None
    ufl_fraction: float | None
    twa_ppm: float | None
    heat_of_combustion_J_kg: float | None
    gb18218_quantity_t: float | None
    gb18218_beta: float | None
    surrogate_note: str = ""

    @property
    def flammable(self) -> bool:
        return self.lfl_fraction is not None

    def liquid_density(self, T):
        """Saturated liquid density [kg/m3] at temperature ``T`` [K]."""
        return liquid_density(self.property_cas, T)

    def vapour_pressure(self, T):
        """Saturation pressure [Pa] at ``T`` [K]."""
        return vapour_pressure(self.property_cas, T)

    def heat_of_vaporisation(self, T):
        """Latent heat [J/kg] at ``T`` [K]."""
        return heat_of_vaporisation(self.property_cas, T)

    def liquid_heat_capacity(self, T):
        """Liquid specific heat [J/(kg K)] at ``T`` [K]."""
        return liquid_heat_capacity(self.property_cas, T)


def _table(name: str) -> list[dict]:
    text = resources.files("physics").joinpath("data", name).read_text(encoding="utf-8")
    return list(csv.DictReader(text.splitlines()))


@cache
def _aliases() -> dict[str, dict]:
    return {row["alias"].strip().casefold(): row for row in _table("chemical_aliases.csv")}


@cache
def _gb18218() -> dict[str, dict]:
    return {row["cas"]: row for row in _table("gb18218.csv")}


@cache
def resolve(name: str) -> str:
    """The CAS number of a chemical written as a name, CAS number or Chinese common name.

    Raises
    ------
    UnknownChemical
        If neither the bundled aliases nor the `chemicals` library know it.
    """
    from chemicals.identifiers import search_chemical

    key = str(name).strip()
    if not key:
        raise UnknownChemical("no chemical given (empty name)")
    alias = _aliases().get(key.casefold())
    if alias:
        return alias["cas"]
    if _CAS.match(key) and key in _gb18218():
        return key
    try:
        found = search_chemical(key)
    except ValueError:
        raise UnknownChemical(f"unknown chemical {name!r}") from None
    if _CAS.match(key) and key != found.CASs:
        raise UnknownChemical(f"unknown CAS number {name!r}")
    return found.CASs


@cache
def lookup(name: str) -> Substance:
    """All constant properties of a chemical given by name, CAS or Chinese common name.

    Raises
    ------
    UnknownChemical
        If the chemical is not known, or the library lacks a constant the models need
        (boiling point, critical temperature, pressure and volume, acentric factor).
    """
    import chemicals
    from chemicals.combustion import combustion_data
    from chemicals.identifiers import search_chemical

    cas = resolve(name)
    alias = next((a for a in _aliases().values() if a["cas"] == cas and a["property_cas"]), None)
    property_cas = alias["property_cas"] if alias else cas
    meta = search_chemical(property_cas)
    constants = {
        "boiling point": chemicals.Tb(property_cas),
        "critical temperature": chemicals.Tc(property_cas),
        "critical pressure": chemicals.Pc(property_cas),
        "critical volume": chemicals.Vc(property_cas),
        "acentric factor": chemicals.omega(property_cas),
    }
    lacking = [what for what, value in constants.items() if value is None]
    if lacking:
        raise UnknownChemical(
            f"{name!r} is {meta.common_name} (CAS {cas}), for which the property library lacks "
            f"the {', '.join(lacking)} the models need"
        )
    molar_mass = meta.MW / 1000.0
    twa = chemicals.TWA(property_cas)
    hf = chemicals.reaction.Hfg(property_cas)
    lhv = None
    if hf is not None:
        lhv_mol = combustion_data(formula=meta.formula, Hf=hf, MW=meta.MW).LHV
        lhv = -lhv_mol / molar_mass if lhv_mol < 0 else None
    lfl = chemicals.LFL(CASRN=property_cas)
    gb = _gb18218().get(cas) or _gb18218().get(property_cas)
    return Substance(
        cas=cas,
        name=(gb or {}).get("name_en") or meta.common_name,
        property_cas=property_cas,
        formula=meta.formula,
        molar_mass_kg_mol=molar_mass,
        boiling_point_K=constants["boiling point"],
        critical_temperature_K=constants["critical temperature"],
        critical_pressure_Pa=constants["critical pressure"],
        critical_volume_m3_mol=constants["critical volume"],
        acentric_factor=constants["acentric factor"],
        lfl_fraction=lfl,
        ufl_fraction=chemicals.UFL(CASRN=property_cas) if lfl is not None else None,
        twa_ppm=twa[0] if twa and twa[1] == "ppm" else None,
        heat_of_combustion_J_kg=lhv if lfl is not None else None,
        gb18218_quantity_t=float(gb["critical_quantity_t"]) if gb else None,
        gb18218_beta=float(gb["beta"]) if gb else None,
        surrogate_note=alias["note"] if alias else "",
    )


def _row(table, cas):
    return table.loc[cas] if cas in table.index else None


def _in_range(T, row, value):
    """NaN outside the temperature range the coefficients were fitted over."""
    return np.where((T >= row.Tmin) & (T <= row.Tmax), value, np.nan)


def liquid_density(cas: str, T):
    """Saturated liquid density [kg/m3] at ``T`` [K]; NaN outside the correlation's range.

    DIPPR equation 105, rho = C1 / C2^(1 + (1 - T/C3)^C4) [mol/m3 as the library
    stores it], with the coefficients
    of Perry's 8th ed. Table 2-32; COSTALD (Hankinson & Thomson 1979) where Perry's has none.
    """
    import chemicals
    from chemicals.volume import rho_data_Perry_8E_105_l

    T = np.asarray(T, dtype=float)
    mw = chemicals.identifiers.search_chemical(cas).MW
    row = _row(rho_data_Perry_8E_105_l, cas)
    if row is not None:
        tau = np.clip(1.0 - T / row.C3, 0.0, None)
        return _in_range(T, row, row.C1 / row.C2 ** (1.0 + tau**row.C4) * mw / 1000.0)
    vc, tc, om = chemicals.Vc(cas), chemicals.Tc(cas), chemicals.omega(cas)
    vm = np.vectorize(lambda t: chemicals.COSTALD(t, tc, vc, om) if t < tc else np.nan)(T)
    return mw / 1000.0 / vm


def vapour_pressure(cas: str, T):
    """Saturation pressure [Pa] at ``T`` [K]; NaN outside the correlation's range.

    DIPPR equation 101, ln P = C1 + C2/T + C3 ln T + C4 T^C5, Perry's 8th ed. Table 2-8;
    Lee-Kesler (1975) where Perry's has none.
    """
    import chemicals
    from chemicals.vapor_pressure import Psat_data_Perrys2_8

    T = np.asarray(T, dtype=float)
    row = _row(Psat_data_Perrys2_8, cas)
    if row is not None:
        lnp = row.C1 + row.C2 / T + row.C3 * np.log(T) + row.C4 * T**row.C5
        return _in_range(T, row, np.exp(lnp))
    tc, pc, om = chemicals.Tc(cas), chemicals.Pc(cas), chemicals.omega(cas)
    return np.vectorize(lambda t: chemicals.Lee_Kesler(t, tc, pc, om) if t < tc else np.nan)(T)


def heat_of_vaporisation(cas: str, T):
    """Latent heat of vaporisation [J/kg] at ``T`` [K]; NaN outside the correlation's range.

    DIPPR equation 106, H = C1 (1 - Tr)^(C2 + C3 Tr + C4 Tr^2), Perry's 8th ed. Table 2-150;
    the Pitzer acentric-factor correlation (``chemicals.Pitzer``) where Perry's has none.
    """
    import chemicals
    from chemicals.phase_change import phase_change_data_Perrys2_150

    T = np.asarray(T, dtype=float)
    mw = chemicals.identifiers.search_chemical(cas).MW / 1000.0
    row = _row(phase_change_data_Perrys2_150, cas)
    if row is not None:
        tr = T / row.Tc
        per_mol = row.C1 * np.clip(1.0 - tr, 0.0, None) ** (row.C2 + row.C3 * tr + row.C4 * tr**2)
        return _in_range(T, row, per_mol / mw)
    tc, om = chemicals.Tc(cas), chemicals.omega(cas)
    return np.vectorize(lambda t: chemicals.Pitzer(t, tc, om) if t < tc else np.nan)(T) / mw


def liquid_heat_capacity(cas: str, T):
    """Liquid specific heat [J/(kg K)] at ``T`` [K]; NaN above the critical temperature.

    DIPPR equation 100 (polynomial in T) or 114 (in tau = 1 - T/Tc) with Perry's 8th ed.
    Table 2-153 coefficients [J/(kmol K)] inside their fitted range; elsewhere (chlorine's
    Perry fit ends at 239 K) the Rowlinson-Poling corresponding-states equation (Poling,
    Prausnitz & O'Connell 2001, The Properties of Gases and Liquids,
    5th ed., ch. 6) from the ideal-gas Cp polynomial of Poling et al.
    """
    import chemicals
    from chemicals import heat_capacity as hc

    if not hc._Cp_data_loaded:
        hc._load_Cp_data()
    T = np.asarray(T, dtype=float)
    mw = chemicals.identifiers.search_chemical(cas).MW
    tc, omega = chemicals.Tc(cas), chemicals.omega(cas)
    poling = _row(hc.Cp_data_Poling, cas)

    def corresponding_states(t):
        if poling is None or t >= tc:
            return np.nan
        cpg = R_GAS * (
            poling.a0 + t * (poling.a1 + t * (poling.a2 + t * (poling.a3 + t * poling.a4)))
        )
        return hc.Rowlinson_Poling(t, tc, omega, cpg)

    cp = np.vectorize(corresponding_states, otypes=[float])(T) / mw * 1000.0
    row = _row(hc.Cp_data_Perry_Table_153_100, cas)
    if row is not None:
        perry = row.A + T * (row.B + T * (row.C + T * (row.D + T * row.E)))
        return np.where((T >= row.Tmin) & (T <= row.Tmax), perry / mw, cp)
    row = _row(hc.Cp_data_Perry_Table_153_114, cas)
    if row is not None:
        a, b, c, d = row.A, row.B, row.C, row.D
        t = 1.0 - T / tc
        perry = (
            a**2 / t
            + b
            - 2 * a * c * t
            - a * d * t**2
            - c**2 * t**3 / 3
            - c * d * t**4 / 2
            - d**2 * t**5 / 5
        )
        return np.where((T >= row.Tmin) & (T <= row.Tmax), perry / mw, cp)
    return cp


# Lennard-Jones parameters of air: sigma 3.711 Angstrom, epsilon/k 78.6 K (Poling, Prausnitz
# & O'Connell 2001, Appendix B, Table B-1).
_AIR_SIGMA_A, _AIR_EPSILON_K = 3.711, 78.6
_AIR_MOLAR_MASS_G = 28.9647


def diffusivity_in_air(cas: str, T, pressure_Pa=101325.0):
    """Binary diffusion coefficient of a vapour in air [m2/s].

    Chapman-Enskog: D = 0.00266 T^1.5 / (P M_AB^0.5 sigma_AB^2 Omega_D) [cm2/s, P in bar,
    sigma in Angstrom], M_AB = 2 / (1/M_A + 1/M_B), sigma_AB the mean of the two diameters,
    Omega_D from Neufeld, Janzen & Aziz (1972) at T* = kT / sqrt(eps_A eps_B), with the
    vapour's tabulated Lennard-Jones parameters from ``chemicals``, or where none are
    tabulated its corresponding-states estimate from the critical constants (Tee, Gotoh &
    Stewart 1966) (Poling, Prausnitz & O'Connell 2001, eqs. 11-3.2 and 11-3.6).
    """
    import chemicals

    T = np.asarray(T, dtype=float)
    tc, pc, vc, om = chemicals.Tc(cas), chemicals.Pc(cas), chemicals.Vc(cas), chemicals.omega(cas)
    sigma = chemicals.molecular_diameter(cas, Tc=tc, Pc=pc, Vc=vc, omega=om)
    epsilon = chemicals.Stockmayer(cas, Tb=chemicals.Tb(cas), Tc=tc, Zc=chemicals.Zc(cas), omega=om)
    if sigma is None or epsilon is None:
        raise UnknownChemical(f"no Lennard-Jones parameters for CAS {cas}")
    mw = chemicals.identifiers.search_chemical(cas).MW
    m_ab = 2.0 / (1.0 / mw + 1.0 / _AIR_MOLAR_MASS_G)
    sigma_ab = 0.5 * (sigma + _AIR_SIGMA_A)
    t_star = T / np.sqrt(epsilon * _AIR_EPSILON_K)
    omega = np.vectorize(chemicals.collision_integral_Neufeld_Janzen_Aziz)(t_star, 1, 1)
    d_cm2_s = 0.00266 * T**1.5 / (pressure_Pa / 1e5 * np.sqrt(m_ab) * sigma_ab**2 * omega)
    return d_cm2_s * 1e-4


def schmidt_number_in_air(cas: str, T, pressure_Pa=101325.0):
    """Schmidt number of a vapour in air, nu_air / D [-]: air viscosity by Lemmon &
    Jacobsen (2004) (``chemicals.mu_air_lemmon``), density by the ideal gas law,
    diffusivity by :func:`diffusivity_in_air`."""
    from chemicals.viscosity import mu_air_lemmon

    T = np.asarray(T, dtype=float)
    rho_air = pressure_Pa * _AIR_MOLAR_MASS_G / 1000.0 / (R_GAS * T)
    mu = np.vectorize(lambda t, r: mu_air_lemmon(t, r * 1000.0 / _AIR_MOLAR_MASS_G))(T, rho_air)
    return mu / rho_air / diffusivity_in_air(cas, T, pressure_Pa)


def ideal_gas_heat_capacity(cas: str, T):
    """Ideal-gas specific heat [J/(kg K)]: the Cp/R polynomial of Poling et al. (2001)
    Appendix A as held by ``chemicals``; where Poling has no row, the TRC correlation
    (Kabo & Roganov, Thermodynamics Research Center tables, ``chemicals.heat_capacity.TRCCp``)."""
    from chemicals import heat_capacity as hc

    poling, coefficients, molar_mass = _cp_coefficients(cas)
    T = np.asarray(T, dtype=float)
    if not poling:
        cp = np.vectorize(lambda t: hc.TRCCp(float(t), *coefficients))(T)
        return cp / molar_mass
    a0, a1, a2, a3, a4 = coefficients
    cp_r = a0 + T * (a1 + T * (a2 + T * (a3 + T * a4)))
    return cp_r * R_GAS / molar_mass


@cache
def _cp_coefficients(cas: str) -> tuple[bool, tuple, float]:
    """(Poling's row or TRC's, its coefficients, molar mass [kg/mol]) of ``cas``, looked up
    once (the tables' lookup is most of a call's time)."""
    from chemicals import heat_capacity as hc
    from chemicals.identifiers import search_chemical

    if not hc._Cp_data_loaded:
        hc._load_Cp_data()
    row = _row(hc.Cp_data_Poling, cas)
    molar_mass = search_chemical(cas).MW / 1000.0
    if row is None:
        trc = _row(hc.TRC_gas_data, cas)
        if trc is None:
            raise UnknownChemical(f"no ideal-gas heat capacity for CAS {cas}")
        return False, tuple(float(trc[f"a{k}"]) for k in range(8)), molar_mass
    return True, tuple(float(getattr(row, f"a{k}")) for k in range(5)), molar_mass
