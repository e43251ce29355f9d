"""Chemical look-up by name, CAS and Chinese common name, and the temperature-dependent
properties (physics.substances)."""

import numpy as np
import pytest
from chemicals.dippr import EQ101, EQ105, EQ106
from chemicals.phase_change import phase_change_data_Perrys2_150
from chemicals.vapor_pressure import Psat_data_Perrys2_8
from chemicals.volume import rho_data_Perry_8E_105_l
from numpy.testing import assert_allclose

from physics import substances


@pytest.mark.parametrize(
    ("name", "cas"),
    [
        ("液氨", "7664-41-7"),
        ("ammonia", "7664-41-7"),
        ("7664-41-7", "7664-41-7"),
        ("氯", "7782-50-5"),
        ("液氯", "7782-50-5"),
        ("液化石油气", "68476-85-7"),
        ("LPG", "68476-85-7"),  # the library alone would return l-alanine for "LPG"
        ("甲醇", "67-56-1"),
        ("苯", "71-43-2"),
        ("甲苯", "108-88-3"),
        ("丙烯腈", "107-13-1"),
        ("硫化氢", "7783-06-4"),
        ("Benzene", "71-43-2"),
    ],
)
def test_resolve(name, cas):
    assert substances.resolve(name) == cas


@pytest.mark.parametrize("name", ["unobtainium", "12-34-5", "LPGX", ""])
def test_unknown(name):
    with pytest.raises(substances.UnknownChemical):
        substances.resolve(name)


def test_lpg_is_modelled_as_propane():
    lpg = substances.lookup("液化石油气")
    assert lpg.property_cas == "74-98-6"
    assert lpg.gb18218_quantity_t == 50.0
    assert "propane" in lpg.surrogate_note


def test_gb18218_values():
    """GB 18218-2018 Table 1 critical quantities and Table 3 beta for named toxic gases."""
    assert substances.lookup("氯").gb18218_quantity_t == 5.0
    assert substances.lookup("氯").gb18218_beta == 4.0
    assert substances.lookup("液氨").gb18218_quantity_t == 10.0
    assert substances.lookup("液氨").gb18218_beta == 2.0
    assert substances.lookup("甲醇").gb18218_quantity_t == 500.0
    assert substances.lookup("苯").gb18218_quantity_t == 50.0


def test_flammability():
    assert substances.lookup("chlorine").lfl_fraction is None
    assert not substances.lookup("chlorine").flammable
    # propane LFL 2.1 vol% (chemicals library, IEC 60079-20-1) -> 0.017-0.022 bracket
    assert 0.017 <= substances.lookup("propane").lfl_fraction <= 0.022
    # NIST Chemistry WebBook, propane gas: heat of combustion -2219.2 kJ/mol (HHV); less
    # 4 mol of water vaporised at 44.0 kJ/mol gives LHV 2043.2 kJ/mol = 46.33 MJ/kg
    assert substances.lookup("propane").heat_of_combustion_J_kg == pytest.approx(46.35e6, rel=0.01)


@pytest.mark.parametrize("cas", ["7664-41-7", "7782-50-5", "74-98-6", "71-43-2", "67-56-1"])
def test_dippr_forms_match_the_library(cas):
    """Our vectorised DIPPR 101/105/106 against the scalar forms in chemicals.dippr."""
    T = np.array([250.0, 293.15, 320.0])
    r = rho_data_Perry_8E_105_l.loc[cas]
    p = Psat_data_Perrys2_8.loc[cas]
    h = phase_change_data_Perrys2_150.loc[cas]
    mw = substances.lookup(cas).molar_mass_kg_mol
    for t, rho, ps, hv in zip(
        T,
        substances.liquid_density(cas, T),
        substances.vapour_pressure(cas, T),
        substances.heat_of_vaporisation(cas, T),
        strict=True,
    ):
        if r.Tmin <= t <= r.Tmax:
            assert rho == pytest.approx(EQ105(t, r.C1, r.C2, r.C3, r.C4) * mw, rel=1e-9)
        if p.Tmin <= t <= p.Tmax:
            assert ps == pytest.approx(EQ101(t, p.C1, p.C2, p.C3, p.C4, p.C5), rel=1e-9)
        if h.Tmin <= t <= h.Tmax:
            assert hv == pytest.approx(EQ106(t, h.Tc, h.C1, h.C2, h.C3, h.C4) / mw, rel=1e-9)


def test_published_property_values():
    """Against the NIST Chemistry WebBook saturation tables (reference equations of state:
    ammonia, Tillner-Roth et al. 1993; chlorine, NIST fluid data): at 293.15 K ammonia
    0.857 MPa and 610.2 kg/m3 liquid; chlorine 0.678 MPa."""
    nh3 = substances.lookup("ammonia")
    assert float(nh3.liquid_density(293.15)) == pytest.approx(610.0, rel=0.01)
    assert float(nh3.vapour_pressure(293.15)) == pytest.approx(8.57e5, rel=0.01)
    assert float(substances.lookup("chlorine").vapour_pressure(293.15)) == pytest.approx(
        6.78e5, rel=0.02
    )


def test_outside_the_correlation_range_is_nan():
    h2 = substances.lookup("hydrogen")
    assert np.isnan(h2.liquid_density(293.15))
    assert np.isnan(h2.vapour_pressure(293.15))
    assert_allclose(substances.lookup("chlorine").liquid_heat_capacity(293.15), 950.0, rtol=0.05)
