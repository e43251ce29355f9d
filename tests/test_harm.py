"""Tests for physics.harm: the bundled endpoint and probit tables, conversions, AEGL duration
interpolation, levels of concern and probits.

Oracles: NIOSH Pocket Guide ppm-to-mg/m3 conversion factors (closed form, ideal gas at 25 degC);
Withers & Lees (1985) chlorine LC50s from their own abstract; the Purple Book's (CPR 18E, 1999)
worked example for carbon monoxide (Appendix 6.B); closed-form inversions of the Eisenberg (1975)
and TNO probits (constants as quoted second-hand and Sandia HyRAM+ qra/probits.py).
"""

import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose

from physics import harm

AMMONIA, CHLORINE, PHENOL, HF = "7664-41-7", "7782-50-5", "108-95-2", "7664-39-3"
H2S, CO, BENZENE = "7783-06-4", "630-08-0", "71-43-2"
# Chemicals whose every endpoint we could source (see the report): the test states the count
# achieved rather than hiding a shortfall.
SOURCED_CHEMICALS = 29


def _cas_check_digit_ok(cas: str) -> bool:
    """CAS registry numbers carry a check digit: sum of digits times position, mod 10."""
    digits = cas.replace("-", "")
    body, check = digits[:-1], int(digits[-1])
    return sum(int(d) * (i + 1) for i, d in enumerate(reversed(body))) % 10 == check


def test_endpoint_table_integrity():
    rows = harm.endpoint_rows()
    assert len({r["cas"] for r in rows}) == SOURCED_CHEMICALS
    for r in rows:
        assert re.fullmatch(r"\d{2,7}-\d\d-\d", r["cas"]) and _cas_check_digit_ok(r["cas"]), r
        assert len(r["source"]) > 20, r
        assert r["guideline"] in harm.GUIDELINE_PREFERENCE, r
        assert 0 < r["ppm"] < 1e5, r  # below 10 % by volume
    assert len({r["name"] for r in rows}) == SOURCED_CHEMICALS  # one name per CAS


def test_aegl_tiers_ordered_and_non_increasing_with_duration():
    rows = [r for r in harm.endpoint_rows() if r["guideline"] == "AEGL"]
    by_key = {(r["cas"], r["tier"], r["duration_min"]): r["ppm"] for r in rows}
    for (cas, tier, duration), ppm in by_key.items():
        higher = by_key.get((cas, tier + 1, duration))
        if higher is not None:
            assert ppm <= higher, (cas, tier, duration)
        longer = [v for (c, t, d), v in by_key.items() if c == cas and t == tier and d > duration]
        assert all(v <= ppm for v in longer), (cas, tier, duration)
    erpg = {
        (r["cas"], r["tier"]): r["ppm"] for r in harm.endpoint_rows() if r["guideline"] == "ERPG"
    }
    for (cas, tier), ppm in erpg.items():
        if (cas, tier + 1) in erpg:
            assert ppm <= erpg[(cas, tier + 1)]


def test_probit_table_has_sources():
    rows = harm.probit_rows()
    for r in rows:
        assert r["b"] > 0 and r["n"] > 0 and len(r["source"]) > 20
        assert r["concentration_unit"] in ("ppm", "mg/m3") and r["time_unit"] == "min"
        assert r["model"] in harm.PROBIT_SOURCES
        # a row is used only with two agreeing transcriptions, or (carbon monoxide) with
        # the book's own worked example behind it
        if r["usable"]:
            assert r["transcriptions"] >= 2 or "worked example" in r["source"], r
            assert r["source"].startswith("secondary"), r
    usable = {r["cas"] for r in rows if r["usable"]}
    assert usable == {AMMONIA, CHLORINE, H2S, CO}


def test_carbon_monoxide_purple_book_worked_example():
    """Purple Book CPR 18E (1999) Appendix 6.B: carbon monoxide at 21,300 mg/m3 for 30 min
    gives Pr 5.97 (Table 5.2 constants a = -7.4, b = 1, n = 1, C mg/m3, t min)."""
    load = harm.toxic_load(CO, np.array([21300e-6]), 1800.0)
    assert round(float(harm.toxic_probit(CO, load)), 2) == 5.97


def test_ppm_and_mg_m3_probits_see_the_same_concentration():
    """One concentration, 250 ppm of chlorine at 25 degC (= 250 M / 24.465 mg/m3, NIOSH's
    ideal-gas conversion), held 30 min: the ppm source (Lees) sees 250^2 x 30 ppm^2 min and
    the mg/m3 source (Purple Book) (250 M / 24.465)^2.75 x 30 (mg/m3)^2.75 min."""
    m = 0.070906
    c = harm.ppm_to_kg_m3(250.0, m)
    assert_allclose(
        harm.toxic_load(CHLORINE, c, 1800.0, model="lees", molar_mass_kg_mol=m), 250.0**2 * 30
    )
    mg_m3 = 250.0 * m * 1e3 / (harm.GAS_CONSTANT * 298.15 / 101325.0 * 1e3)
    assert_allclose(mg_m3, 250.0 * 70.906 / 24.465, rtol=1e-4)
    assert_allclose(
        harm.toxic_load(CHLORINE, c, 1800.0, model="purple-book"), mg_m3**2.75 * 30, rtol=1e-9
    )


@settings(deadline=None)  # the first call loads the chemicals' molar masses
@given(
    st.sampled_from([AMMONIA, CHLORINE, H2S, CO]),
    st.sampled_from(harm.PROBIT_SOURCES),
    st.floats(1e-6, 1e-1),
    st.floats(1.0, 3600.0),
)
def test_toxic_death_probability_rises_with_concentration_and_time(cas, model, c, t):
    if harm.toxic_probit_row(cas, model) is None:
        return
    p = harm.toxic_death_probability(cas, [c, 2 * c, c], [t, t, 2 * t], model=model)
    assert 0.0 <= p[0] <= p[1] <= 1.0 and p[0] <= p[2] <= 1.0


def test_probit_sources_agree_on_the_order_of_the_lc50():
    """Purple Book and Lees are fitted to different data; their 30-min LC50s for the same
    chemical stay within a factor of 2 (ammonia 7,800 / 11,500 ppm, chlorine 385 / 250,
    hydrogen sulfide 708 / 441): a unit mix-up (ppm read as mg/m3) would break this."""
    for cas, m in ((AMMONIA, 0.017031), (CHLORINE, 0.070906), (H2S, 0.03408)):
        lc50 = []
        for model in harm.PROBIT_SOURCES:
            c = np.geomspace(1e-6, 1.0, 4000)
            p = harm.toxic_death_probability(cas, c, 1800.0, model=model, molar_mass_kg_mol=m)
            lc50.append(c[np.searchsorted(p, 0.5)])
        assert 0.5 < lc50[0] / lc50[1] < 2.0, (cas, lc50)


def test_chemicals_without_a_usable_probit_say_why():
    assert harm.toxic_probit_row(BENZENE) is None
    assert "only one public transcription" in harm.toxic_probit_gap(BENZENE)
    assert harm.toxic_probit_gap("50-00-0") == "no toxic probit found for formaldehyde"
    assert harm.toxic_probit_gap(CHLORINE) == ""
    with pytest.raises(ValueError, match="unknown probit source 'tno'; valid: purple-book"):
        harm.toxic_probit_row(CHLORINE, "tno")
    with pytest.raises(ValueError, match="no usable toxic probit for benzene"):
        harm.toxic_death_probability(BENZENE, 1e-3, 60.0)


@pytest.mark.parametrize(
    ("molar_mass_g", "mg_m3_per_ppm"),
    # NIOSH Pocket Guide "Conversion" lines (25 degC, 1 atm): acrylonitrile MW 53.1 -> 2.17;
    # formaldehyde MW 30.0 -> 1.23; acrolein MW 56.1 -> 2.29; styrene MW 104.2 -> 4.26.
    [(53.06, 2.17), (30.03, 1.23), (56.06, 2.29), (104.15, 4.26)],
)
def test_ppm_conversion_matches_niosh_factors(molar_mass_g, mg_m3_per_ppm):
    kg_m3 = harm.ppm_to_kg_m3(1.0, molar_mass_g / 1000.0, 298.15, 101325.0)
    assert_allclose(kg_m3 * 1e6, mg_m3_per_ppm, rtol=3e-3)  # NIOSH rounds to 3 figures


def test_ppm_conversion_closed_form_and_inverse():
    ppm = np.array([[1.0, 30.0], [1100.0, 0.0]])
    m, t, p = 0.01703052, np.array([273.15, 310.0]), 90000.0
    kg_m3 = harm.ppm_to_kg_m3(ppm, m, t, p)
    assert_allclose(kg_m3, ppm * 1e-6 * p * m / (8.314462618 * t))
    assert_allclose(harm.kg_m3_to_ppm(kg_m3, m, t, p), ppm)
    assert_allclose(harm.concentration_to_kg_m3(1.0, "%", m), harm.ppm_to_kg_m3(1e4, m))
    assert_allclose(harm.concentration_to_kg_m3([5.0], "mg/m3"), [5e-6])


@pytest.mark.parametrize("bad", [-1.0, np.nan, np.inf])
def test_conversion_rejects_bad_input(bad):
    with pytest.raises(ValueError, match="concentration"):
        harm.ppm_to_kg_m3(bad, 0.017)
    with pytest.raises(ValueError, match="molar mass"):
        harm.ppm_to_kg_m3(1.0, bad)
    with pytest.raises(ValueError, match="unknown concentration unit"):
        harm.concentration_to_kg_m3(1.0, "ppb")


def test_aegl_interpolation_reproduces_table_at_nodes():
    """Ammonia AEGL-3, US EPA values 2700/1600/1100/550/390 ppm at 10/30/60/240/480 min."""
    nodes_ppm = np.array([2700.0, 1600.0, 1100.0, 550.0, 390.0])
    for duration_s, ppm in zip(harm.AEGL_DURATIONS_S, nodes_ppm, strict=True):
        levels = harm.toxic_levels(AMMONIA, duration_s)
        assert levels.guideline == "AEGL"
        assert levels.names == ("AEGL-1", "AEGL-2", "AEGL-3")
        assert_allclose(levels.ppm[2], ppm)
        assert_allclose(levels.kg_m3, harm.ppm_to_kg_m3(levels.ppm, 0.01703052), rtol=1e-4)


def test_aegl_interpolation_between_nodes_is_cnt_constant():
    """Between 10 and 30 min, C^n t = k through both nodes: at the geometric-mean time the
    level is the geometric mean of the node levels (closed form of log-log interpolation)."""
    t = np.sqrt(600.0 * 1800.0)
    assert_allclose(
        harm.interpolate_aegl([600.0, 1800.0], [2700.0, 1600.0], t), np.sqrt(2700 * 1600)
    )
    # outside the published range the nearest published value is held
    assert_allclose(
        harm.interpolate_aegl(harm.AEGL_DURATIONS_S, [50, 28, 20, 10, 7.1], [60.0, 86400.0]),
        [50, 7.1],
    )


def test_toxic_levels_preference_order():
    """ALOHA order: AEGL, then ERPG, then PAC/TEEL, then IDLH."""
    phenol = harm.toxic_levels(PHENOL, 3600.0)
    assert phenol.guideline == "ERPG" and phenol.names == ("ERPG-1", "ERPG-2", "ERPG-3")
    assert_allclose(phenol.ppm, [10.0, 50.0, 200.0])
    hf = harm.toxic_levels(HF, 3600.0)
    assert hf.guideline == "IDLH" and hf.names == ("IDLH",)
    assert_allclose(hf.ppm, [30.0])
    carbon_monoxide = harm.toxic_levels("630-08-0", 3600.0)
    assert carbon_monoxide.names == ("AEGL-2", "AEGL-3")  # EPA gives no AEGL-1
    assert all(len(s) > 20 for s in carbon_monoxide.sources)


def test_toxic_levels_without_endpoint_names_the_chemical():
    with pytest.raises(ValueError, match=r"methane \(CAS 74-82-8\)"):
        harm.toxic_levels("74-82-8", 3600.0)
    with pytest.raises(ValueError, match="exposure duration"):
        harm.toxic_levels(AMMONIA, -5.0)
    assert not harm.has_toxic_levels("74-82-8")
    assert harm.has_toxic_levels(AMMONIA)


def test_chlorine_probit_reproduces_withers_lees_lc50():
    """Withers & Lees (1985), abstract: regular population, standard activity, 50 % lethal at
    433 ppm for 10 min and 250 ppm for 30 min, with Y = -8.29 + 0.92 ln(sum C^2 T)."""
    c = harm.ppm_to_kg_m3(np.array([433.0, 250.0]), 0.0709, 298.15)
    p = harm.toxic_death_probability(
        CHLORINE, c, np.array([600.0, 1800.0]), model="lees", molar_mass_kg_mol=0.0709
    )
    assert_allclose(p, 0.5, atol=0.01)


def test_toxic_load_integrates_a_time_series():
    """A step series: 10 min at C1 then 20 min at C2 gives C1^n 10 + C2^n 20 (ppm^2 min)."""
    m = 0.0709
    c_ppm = np.array([100.0] * 10 + [50.0] * 20)
    series = harm.ppm_to_kg_m3(c_ppm, m)
    load = harm.toxic_load(
        CHLORINE, np.stack([series, series * 0]), 60.0, model="lees", molar_mass_kg_mol=m
    )
    assert_allclose(load, [100.0**2 * 10 + 50.0**2 * 20, 0.0])
    assert harm.toxic_probit(CHLORINE, load, model="lees")[1] == -np.inf
    with pytest.raises(ValueError, match="unknown probit source"):
        harm.toxic_load(CHLORINE, series, 60.0, model="withers-lees-1985")
    with pytest.raises(ValueError, match="no usable toxic probit for hydrogen fluoride"):
        harm.toxic_load(HF, series, 60.0)


def test_eisenberg_thermal_probit_fifty_percent_dose():
    """Eisenberg (1975): Pr = -38.48 + 2.56 ln D; 50 % at D = exp(43.48/2.56), equal to the
    form -14.9 + 2.56 ln(t q^(4/3) / 1e4) within 0.01 probit (quoted second-hand)."""
    d50 = np.exp(43.48 / 2.56)
    q = np.array([5e3, 12.5e3, 37.5e3])
    t = d50 / q ** (4 / 3)
    assert_allclose(harm.thermal_death_probability(q, t), 0.5, atol=1e-12)
    other_form = -14.9 + 2.56 * np.log(harm.thermal_dose(q, 2 * t) / 1e4)
    assert_allclose(
        harm.thermal_death_probability(q, 2 * t), harm.death_probability(other_form), atol=4e-3
    )
    assert harm.thermal_death_probability(0.0, 60.0) == 0.0
    # Tsao & Perry is more severe than TNO, which is more severe than Eisenberg
    p = [
        harm.thermal_death_probability(10e3, 30.0, m)
        for m in ("eisenberg-1975", "tno", "tsao-perry")
    ]
    assert p[0] < p[1] < p[2]
    with pytest.raises(ValueError, match="valid: eisenberg-1975"):
        harm.thermal_death_probability(1e3, 1.0, model="lees")


def test_overpressure_probits_closed_form():
    """Eisenberg lung haemorrhage 50 % at P = exp(82.1/6.91); TNO head impact 50 % where
    2430/P + 4e8/(P i) = 1; TNO structural collapse 50 % where (40000/P)^7.4 + (460/i)^11.3 = 1."""
    p50 = np.exp(82.1 / 6.91)
    assert_allclose(harm.overpressure_death_probability(p50), 0.5, atol=1e-12)
    p = 4860.0
    i = 4e8 / (0.5 * p)
    assert_allclose(harm.overpressure_death_probability(p, i, "tno-head-impact"), 0.5, atol=1e-12)
    p, i = 40000.0 * 2 ** (1 / 7.4), 460.0 * 2 ** (1 / 11.3)
    assert_allclose(
        harm.overpressure_death_probability(p, i, "tno-structural-collapse"), 0.5, atol=1e-12
    )
    with pytest.raises(ValueError, match="needs the impulse"):
        harm.overpressure_death_probability(1e5, model="tno-head-impact")
    with pytest.raises(ValueError, match="overpressure"):
        harm.overpressure_death_probability(np.nan)


def test_fixed_levels():
    """ALOHA overpressure levels 8.0/3.5/1.0 psi (issue 3) in Pa, 1 psi = 6894.757 Pa; flammable
    levels LFL and 60 % LFL for ammonia LFL 15 % (NIOSH IDLH doc, ammonia: 'LEL: 15%')."""
    assert_allclose(harm.OVERPRESSURE_LEVELS_PA["aloha"], np.array([8.0, 3.5, 1.0]) * 6894.757)
    assert_allclose(harm.THERMAL_LEVELS_W_M2["aloha"], [10e3, 5e3, 2e3])
    levels = harm.flammable_levels(0.15, 0.01703052)
    assert_allclose(levels, harm.ppm_to_kg_m3([150000.0, 90000.0], 0.01703052))


def test_every_tabled_chemical_gives_increasing_levels():
    """Every chemical in the table yields levels, mildest tier first, each no higher than the
    next (internal consistency of the table and of the preference logic)."""
    for cas in {r["cas"] for r in harm.endpoint_rows()}:
        levels = harm.toxic_levels(cas, 1800.0, molar_mass_kg_mol=0.1)
        assert len(levels.names) == len(levels.ppm) == len(levels.sources) >= 1, cas
        assert np.all(np.diff(levels.kg_m3) >= 0) and np.all(levels.kg_m3 > 0), cas
