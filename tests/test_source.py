"""Tests of physics.source against published worked examples and independent closed forms.

Sources of the expected numbers:
- CCPS (1999) Guidelines for Consequence Analysis of Chemical Releases, liquid-discharge
  example (p. 40) and gas-discharge example (p. 47), with the inputs and answers as
  transcribed in the test suite of GasDispersion.jl
  (github.com/aefarrell/GasDispersion.jl, test/source_models/jet_source_tests.jl).
  The book itself was not available here; the numbers are that public transcription.
- Farrell (2020) "Chemical release screening example - butane leak", aefarrell.github.io
  (_posts/2020-11-20-butane_leak_example.md): a 250 psig butane sphere, CCPS (1996)
  eqs 4-10 and 4-14, with its printed results 56.31092763613714 kg/s and 0.17128269541302374.
- Closed forms derived independently in the tests: Torricelli draining time of a vertical
  cylinder, liquid volume of a horizontal cylinder and of a sphere, continuity of the
  subsonic and choked gas formulae at the critical ratio, the choked blowdown curves
  (Lees 1996, p. 15/44, as derived in Farrell 2025 "Vessel blowdown - ideal gases"),
  and the mass integral of Wilson's double exponential.
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose

from physics import source
from physics.source import G, R

FT = 0.3048
INCH = 0.0254
PSI = 6894.757293168361  # Pa per psi, as in Farrell (2020) via Unitful


def circle(d):
    return np.pi * d**2 / 4


# ----------------------------------------------------------------- worked examples


def test_gas_hole_ccps_1999_p47_example():
    """CCPS (1999) p. 47 gas discharge: 0.01 m hole, Cd 0.85, gamma 1.15, 501 kPa, 298 K,
    gas density 8.90 kg/m3 -> 0.0900280 kg/s, choked exit pressure 287766 Pa
    (numbers as transcribed in GasDispersion.jl jet_source_tests.jl)."""
    molar_mass = 8.90 * R * 298.0 / 501e3  # from the example's density by the ideal gas law
    rate = source.gas_hole_rate(501e3, 298.0, circle(0.01), molar_mass, 1.15, 101325.0, 0.85)
    assert_allclose(rate, 0.09002799947040846, rtol=1e-6)
    assert_allclose(501e3 * source.choked_pressure_ratio(1.15), 287766.01316878956, rtol=1e-9)


def test_liquid_hole_ccps_1999_p40_example():
    """CCPS (1999) p. 40 liquid discharge: 0.01 m hole, Cd 0.63, density 490 kg/m3, upstream
    120935.0368 Pa absolute to 101325 Pa -> 0.21691154763598 kg/s (as transcribed in
    GasDispersion.jl). The example's pressure difference is given here as an equal liquid head."""
    head = (120935.0368 - 101325.0) / (490.0 * G)
    rate = source.liquid_hole_rate(head, circle(0.01), 490.0, 0.0, 0.63)
    assert_allclose(rate, 0.21691154763598, rtol=1e-9)
    by_pressure = source.liquid_hole_rate(1e-9, circle(0.01), 490.0, 120935.0368 - 101325.0, 0.63)
    assert_allclose(by_pressure, 0.21691154763598, rtol=1e-6)


def butane_density(t):
    """Liquid density of n-butane, DIPPR 105 form as printed in Farrell (2020) (Perry's)."""
    return 58.122 * (1.0677 / 0.27188 ** (1 + (1 - t / 425.12) ** 0.28688))


def test_liquid_hole_farrell_2020_butane_sphere():
    """Farrell (2020): 2 in hole, 250 psig, 50 ft of liquid, Cd 0.61 -> 56.31092763613714 kg/s.
    The post uses g = 9.81 m/s2, we use 9.80665: the difference is below 1e-5 relative."""
    rho = butane_density(298.15)
    rate = source.liquid_hole_rate(50 * FT, circle(2 * INCH), rho, 250 * PSI, 0.61)
    assert_allclose(rate, 56.31092763613714, rtol=1e-4)


def test_flash_fraction_farrell_2020_butane():
    """Farrell (2020), CCPS (1996) eq. 4-14: n-butane at 25 degC, Tb = 272.55 K, cp and h_fg
    from the Perry's correlations printed in the post -> f = 0.17128269541302374."""
    t, tb, tc = 298.15, -0.6 + 273.15, 425.12
    cp = 191030 - 1675 * t + 12.5 * t**2 - 0.03874 * t**3 + 4.6121e-5 * t**4  # J/(kmol K)
    tr = t / tc
    hfg = 3.6238e7 * (1 - tr) ** (0.8337 - 0.82274 * tr + 0.39613 * tr**2)  # J/kmol
    assert_allclose(source.flash_fraction(t, tb, cp, hfg), 0.17128269541302374, rtol=1e-12)


# ----------------------------------------------------------------- liquid draining


def test_vertical_tank_torricelli_draining_time_and_mass():
    """Closed form (Crowl & Louvar ch. 4): t = (A_tank / (Cd A_hole)) sqrt(2 h0 / g); all the
    liquid above the hole leaves: m = rho A_tank h0."""
    d_tank, h0, d_hole, rho = 5.0, 10.0, 0.05, 1000.0
    rel = source.liquid_tank_release(h0, 0.0, circle(d_hole), rho, 293.15, tank_diameter_m=d_tank)
    t_drain = circle(d_tank) / (0.61 * circle(d_hole)) * np.sqrt(2 * h0 / G)
    assert_allclose(rel.duration_s, t_drain, rtol=1e-9)
    assert_allclose(rel.total_mass_kg, rho * circle(d_tank) * h0, rtol=1e-4)
    assert rel.phase == "liquid" and rel.rainout_fraction == 1.0
    assert np.all(np.diff(rel.rate_kg_s) < 0)
    assert rel.rate_kg_s[-1] == pytest.approx(0.0, abs=1e-9)


def test_vertical_tank_level_follows_closed_form_with_overpressure():
    """Closed form with a constant overpressure dP: with H = h + dP/(rho g),
    sqrt(H) = sqrt(H0) - (Cd A_h / A_t) sqrt(g/2) t; the rate is rho Cd A_h sqrt(2 g H) and the
    flow stops when h reaches the hole, at t = (sqrt(H0) - sqrt(dP/(rho g))) / k."""
    d_tank, h0, hole_h, area, rho, dp = 3.0, 6.0, 1.0, circle(0.03), 850.0, 2e5
    rel = source.liquid_tank_release(
        h0, hole_h, area, rho, 293.15, tank_diameter_m=d_tank, overpressure_Pa=dp
    )
    k = 0.61 * area / circle(d_tank) * np.sqrt(G / 2)
    big_h0 = h0 - hole_h + dp / (rho * G)
    assert_allclose(rel.duration_s, (np.sqrt(big_h0) - np.sqrt(dp / (rho * G))) / k, rtol=1e-9)
    big_h = (np.sqrt(big_h0) - k * rel.times_s) ** 2
    assert_allclose(rel.rate_kg_s, rho * 0.61 * area * np.sqrt(2 * G * big_h), rtol=1e-6)
    # zero overpressure is the Torricelli limit
    no_dp = source.liquid_tank_release(h0, hole_h, area, rho, 293.15, tank_diameter_m=d_tank)
    assert_allclose(no_dp.duration_s, np.sqrt(h0 - hole_h) / k, rtol=1e-9)


@pytest.mark.parametrize(
    ("shape", "volume"),
    [
        # segment areas R^2 acos((R-h)/R) - (R-h) sqrt(2Rh - h^2), R = 2, L = 10, h = 3 and 0.5
        (
            "horizontal-cylinder",
            10
            * ((4 * np.arccos(-0.5) + np.sqrt(3.0)) - (4 * np.arccos(0.75) - 1.5 * np.sqrt(1.75))),
        ),
        # spherical caps pi h^2 (3R - h) / 3, R = 2, h = 3 and 0.5
        ("sphere", np.pi * (9 * 3 - 0.25 * 5.5) / 3),
    ],
)
def test_drained_mass_equals_liquid_above_hole(shape, volume):
    """Mass conservation against closed-form tank geometry: a 4 m diameter horizontal cylinder
    (10 m long) or sphere, level 3 m, hole at 0.5 m, releases rho x the liquid volume between."""
    rel = source.liquid_tank_release(
        3.0,
        0.5,
        circle(0.05),
        800.0,
        293.15,
        tank_shape=shape,
        tank_diameter_m=4.0,
        tank_length_m=10.0,
    )
    assert_allclose(rel.total_mass_kg, 800.0 * volume, rtol=1e-3)
    assert np.all(np.diff(rel.rate_kg_s) <= 0)


def test_surface_area_function_matches_named_shape():
    """Any tank via a level -> area function gives the same release as the named shape."""
    kwargs = dict(tank_diameter_m=4.0, tank_length_m=12.0)
    named = source.liquid_tank_release(
        2.5, 0.2, circle(0.04), 700.0, 290.0, tank_shape="horizontal-cylinder", **kwargs
    )
    custom = source.liquid_tank_release(
        2.5,
        0.2,
        circle(0.04),
        700.0,
        290.0,
        surface_area=lambda h: source.tank_surface_area(h, "horizontal-cylinder", 4.0, 12.0),
    )
    assert_allclose(custom.times_s, named.times_s)
    assert_allclose(custom.rate_kg_s, named.rate_kg_s)


def test_no_flow_below_hole():
    """The flow stops at the hole level: nothing leaves when the liquid is below the hole."""
    assert source.liquid_hole_rate(-0.1, 0.01, 1000.0, 1e5) == 0.0
    rel = source.liquid_tank_release(1.0, 2.0, 0.01, 1000.0, 293.0, tank_diameter_m=2.0)
    assert rel.total_mass_kg == 0.0


# ----------------------------------------------------------------- gases


def test_subsonic_equals_choked_at_critical_ratio():
    """Independent closed forms: at P_a/P = r* the subsonic formula equals the choked one, and
    below r* the choked rate does not depend on the ambient pressure."""
    gamma, p, t, m = 1.4, 3e5, 300.0, 0.029
    r_star = (2 / (gamma + 1)) ** (gamma / (gamma - 1))
    assert_allclose(source.choked_pressure_ratio(gamma), r_star)
    choked = source.gas_hole_rate(p, t, 1e-4, m, gamma, ambient_pressure_Pa=0.5 * r_star * p)
    at_limit = source.gas_hole_rate(p, t, 1e-4, m, gamma, ambient_pressure_Pa=r_star * p)
    bracket = r_star ** (2 / gamma) - r_star ** ((gamma + 1) / gamma)
    subsonic_formula = 1e-4 * p * np.sqrt(2 * m / (R * t) * gamma / (gamma - 1) * bracket)
    assert_allclose(choked, subsonic_formula, rtol=1e-12)
    assert_allclose(at_limit, choked, rtol=1e-12)


def test_gas_rate_monotonic_and_zero_at_ambient():
    """Monotonic in upstream pressure, zero at ambient; broadcasts over arrays."""
    p = np.linspace(101325.0, 10e5, 50)
    rate = source.gas_hole_rate(p, 300.0, 1e-4, 0.029, 1.4)
    assert rate.shape == p.shape
    assert rate[0] == 0.0
    assert np.all(np.diff(rate) > 0)


@pytest.mark.parametrize("model", source.BLOWDOWN_MODELS)
def test_blowdown_follows_choked_closed_form(model):
    """Choked blowdown closed forms (Lees 1996 p. 15/44; Farrell 2025), tau = m0/w0:
    adiabatic w/w0 = (1 + (gamma-1)/2 t/tau)^((gamma+1)/(1-gamma)), isothermal exp(-t/tau).
    Compared while the vessel pressure is above P_a / r* (still choked)."""
    v, p0, t0, area, m, gamma = 5.0, 30e5, 300.0, 2e-4, 0.016, 1.31
    rel = source.gas_vessel_blowdown(v, p0, t0, area, m, gamma, model=model)
    m0 = p0 * v * m / (R * t0)
    w0 = source.gas_hole_rate(p0, t0, area, m, gamma)
    tau = m0 / w0
    t = rel.times_s
    if model == "adiabatic":
        expected = w0 * (1 + (gamma - 1) / 2 * t / tau) ** ((gamma + 1) / (1 - gamma))
        pressure = p0 * (1 + (gamma - 1) / 2 * t / tau) ** (2 * gamma / (1 - gamma))
    else:
        expected = w0 * np.exp(-t / tau)
        pressure = p0 * np.exp(-t / tau)
    choked = pressure > 101325.0 / source.choked_pressure_ratio(gamma)
    assert choked.sum() > 20
    assert_allclose(rel.rate_kg_s[choked], expected[choked], rtol=1e-6)


@pytest.mark.parametrize(("model", "exponent"), [("adiabatic", 1 / 1.31), ("isothermal", 1.0)])
def test_blowdown_mass_balance(model, exponent):
    """Released mass = m0 - m_end, with m_end the gas left at ambient pressure:
    m0 (P_a/P0)^(1/gamma) adiabatic, m0 P_a/P0 isothermal."""
    v, p0, t0, m = 10.0, 20e5, 300.0, 0.016
    rel = source.gas_vessel_blowdown(v, p0, t0, 1e-4, m, 1.31, model=model)
    m0 = p0 * v * m / (R * t0)
    assert_allclose(rel.total_mass_kg, m0 * (1 - (101325.0 / p0) ** exponent), rtol=2e-3)
    assert np.all(np.diff(rel.rate_kg_s) <= 0)
    if model == "adiabatic":
        assert rel.temperature_K[-1] < t0


# ----------------------------------------------------------------- liquefied gases


def test_flash_and_rainout_limits():
    """No flash at or below the boiling point; the aerosol-equals-flash rule gives rainout
    1 - 2f, never negative."""
    assert source.flash_fraction(250.0, 260.0, 2000.0, 4e5) == 0.0
    f = source.flash_fraction(np.array([280.0, 300.0]), 260.0, 2000.0, 4e5)
    assert_allclose(f, [0.1, 0.2])
    assert_allclose(source.rainout_fraction(f), [0.8, 0.6])
    assert source.rainout_fraction(0.7) == 0.0


def test_flashing_flux_limits():
    """ERM for a saturated liquid: G = h_fg / v_fg / sqrt(cp T) (computed here); for a strongly
    subcooled liquid G tends to the Bernoulli flux sqrt(2 rho dP) (independent closed form)."""
    t, psat, rho_l, rho_v, cp, hfg = 293.15, 8.57e5, 610.0, 6.7, 4700.0, 1.19e6
    g_erm = hfg / (1 / rho_v - 1 / rho_l) / np.sqrt(cp * t)
    assert_allclose(source.flashing_mass_flux(psat, psat, t, rho_l, rho_v, cp, hfg), g_erm)
    dp = 1e9
    g_sub = source.flashing_mass_flux(psat + dp, psat, t, rho_l, rho_v, cp, hfg)
    assert_allclose(g_sub, np.sqrt(2 * rho_l * dp), rtol=1e-3)
    with pytest.raises(ValueError, match="below saturation"):
        source.flashing_mass_flux(psat / 2, psat, t, rho_l, rho_v, cp, hfg)


def test_flashing_release_conserves_inventory():
    """Constant-rate two-phase release: the integral is the inventory; it leaves at Tb."""
    rel = source.flashing_liquid_release(
        1000.0,
        1e-3,
        8.6e5,
        293.15,
        saturation_pressure_Pa=8.57e5,
        boiling_temperature_K=239.8,
        liquid_density_kg_m3=610.0,
        vapour_density_kg_m3=6.7,
        heat_capacity_J_kgK=4700.0,
        heat_of_vaporisation_J_kg=1.19e6,
    )
    assert_allclose(rel.total_mass_kg, 1000.0)
    assert rel.phase == "two-phase"
    assert_allclose(rel.flash_fraction, 4700.0 * (293.15 - 239.8) / 1.19e6)
    assert_allclose(rel.temperature_K, 239.8)


# ----------------------------------------------------------------- pipelines and rupture


def test_wilson_pipeline_rupture():
    """Wilson's model: Q(0) = the choked full-bore rate, Q decreases, and its integral (closed
    form Q0 alpha beta = M0) reaches 99.9 % of the line inventory by the last sample."""
    length, d, p, t, m, gamma = 10_000.0, 0.5, 50e5, 288.0, 0.016, 1.31
    rel = source.gas_pipeline_rupture(length, d, p, t, m, gamma, 0.003, n_times=2000)
    inventory = p * m / (R * t) * circle(d) * length
    assert_allclose(rel.rate_kg_s[0], source.gas_hole_rate(p, t, circle(d), m, gamma))
    assert np.all(np.diff(rel.rate_kg_s) < 0)
    assert_allclose(rel.total_mass_kg, 0.999 * inventory, rtol=2e-3)


def test_gas_pipeline_leak_is_vessel_blowdown_of_line():
    """A small hole in an isolated line blows down the line volume pi D^2 L / 4."""
    leak = source.gas_pipeline_leak(1000.0, 0.3, 40e5, 288.0, 1e-4, 0.016, 1.31)
    vessel = source.gas_vessel_blowdown(
        circle(0.3) * 1000.0, 40e5, 288.0, 1e-4, 0.016, 1.31, model="isothermal"
    )
    assert_allclose(leak.total_mass_kg, vessel.total_mass_kg)
    with pytest.raises(ValueError, match="larger than the pipe bore"):
        source.gas_pipeline_leak(1000.0, 0.1, 40e5, 288.0, 1.0, 0.016, 1.31)


def test_liquid_pipeline_pumped_then_drained():
    """Mass balance: pumped rate x isolation time plus the isolated inventory rho pi D^2 L/4;
    the hole caps the pumped rate at its Bernoulli capacity Cd A sqrt(2 rho dP)."""
    rel = source.liquid_pipeline_release(
        50.0,
        600.0,
        1000.0,
        0.3,
        800.0,
        293.0,
        hole_area_m2=1e-3,
        line_overpressure_Pa=5e5,
        drain_head_m=5.0,
    )
    capacity = 0.61 * 1e-3 * np.sqrt(2 * 800.0 * 5e5)
    assert_allclose(rel.rate_at(100.0), capacity)
    assert_allclose(rel.total_mass_kg, capacity * 600.0 + 800.0 * circle(0.3) * 1000.0)
    rupture = source.liquid_pipeline_release(50.0, 600.0, 1000.0, 0.3, 800.0, 293.0)
    assert_allclose(rupture.total_mass_kg, 50.0 * 600.0)


def test_vessel_rupture_instantaneous():
    """Catastrophic rupture releases the whole inventory at once; a liquefied gas flashes."""
    gas = source.vessel_rupture(500.0, 300.0, "gas")
    assert gas.instantaneous_mass_kg == 500.0 and gas.total_mass_kg == 500.0
    lpg = source.vessel_rupture(
        1000.0,
        293.15,
        "liquid",
        boiling_temperature_K=231.0,
        heat_capacity_J_kgK=2500.0,
        heat_of_vaporisation_J_kg=4.3e5,
    )
    f = 2500.0 * (293.15 - 231.0) / 4.3e5
    assert lpg.phase == "two-phase"
    assert_allclose([lpg.flash_fraction, lpg.rainout_fraction], [f, 1 - 2 * f])
    water = source.vessel_rupture(
        1000.0,
        293.15,
        "liquid",
        boiling_temperature_K=373.15,
        heat_capacity_J_kgK=4180.0,
        heat_of_vaporisation_J_kg=2.26e6,
    )
    assert water.phase == "liquid" and water.rainout_fraction == 1.0


# ----------------------------------------------------------------- the Release and bad input


def test_release_rate_at_interpolates_and_is_zero_outside():
    rel = source.Release(np.array([0.0, 10.0]), np.array([2.0, 4.0]), 300.0, "gas")
    assert_allclose(rel.rate_at([-1.0, 0.0, 5.0, 10.0, 11.0]), [0.0, 2.0, 3.0, 4.0, 0.0])
    assert_allclose(rel.total_mass_kg, 30.0)
    assert rel.duration_s == 10.0
    with pytest.raises(ValueError):
        rel.rate_kg_s[0] = 1.0


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: source.Release([0.0], [1.0], 300.0, "plasma"), "phase must be one of"),
        (lambda: source.Release([0.0, 1.0], [1.0, -1.0], 300.0, "gas"), ">= 0"),
        (lambda: source.liquid_hole_rate(1.0, -0.01, 1000.0), ">= 0"),
        (lambda: source.gas_hole_rate(np.nan, 300.0, 1e-4, 0.029, 1.4), "NaN"),
        (lambda: source.choked_pressure_ratio(0.9), "gamma must be > 1"),
        (
            lambda: source.gas_vessel_blowdown(1.0, 2e5, 300.0, 1e-4, 0.029, 1.4, model="x"),
            "valid models: isothermal, adiabatic",
        ),
        (lambda: source.rainout_fraction(0.1, model="x"), "valid models: aerosol-equals-flash"),
        (
            lambda: source.liquid_tank_release(
                5.0, 0.0, 0.01, 1000.0, 290.0, tank_shape="sphere", tank_diameter_m=4.0
            ),
            "above the top",
        ),
    ],
)
def test_bad_input_raises_one_line(call, message):
    with pytest.raises(ValueError, match=message) as info:
        call()
    assert "\n" not in str(info.value)


def segment_volume(shape, level, diameter, length):
    """Closed-form liquid volume below ``level``: circular segment x length, or spherical cap."""
    r = diameter / 2
    if shape == "sphere":
        return np.pi * level**2 * (3 * r - level) / 3
    chord = r**2 * np.arccos((r - level) / r) - (r - level) * np.sqrt(2 * r * level - level**2)
    return chord * length


@settings(max_examples=40, deadline=None)
@given(
    shape=st.sampled_from(["horizontal-cylinder", "sphere"]),
    diameter=st.floats(1.0, 20.0),
    level_fraction=st.floats(0.05, 1.0),
    hole_fraction=st.floats(0.0, 0.95),
    overpressure=st.floats(0.0, 5e5),
)
def test_drained_mass_property(shape, diameter, level_fraction, hole_fraction, overpressure):
    """Property: any horizontal cylinder or sphere, any level, hole height and overpressure,
    releases rho x (closed-form volume between hole and level) within 0.1 %."""
    level = level_fraction * diameter
    hole = hole_fraction * level
    rel = source.liquid_tank_release(
        level,
        hole,
        circle(0.05),
        900.0,
        290.0,
        tank_shape=shape,
        tank_diameter_m=diameter,
        tank_length_m=2 * diameter,
        overpressure_Pa=overpressure,
    )
    volume = segment_volume(shape, level, diameter, 2 * diameter) - segment_volume(
        shape, hole, diameter, 2 * diameter
    )
    assert rel.total_mass_kg == pytest.approx(900.0 * volume, rel=1e-3)


# ----------------------------------------------------------------- vapour space, fed lines


def clausius_clapeyron(p0, t0, tb):
    """Vapour pressure through (t0, p0) and (tb, 1 atm), ln P linear in 1/T."""
    slope = np.log(p0 / 101325.0) / (1 / tb - 1 / t0)
    return lambda t: p0 * np.exp(slope * (1 / t0 - 1 / np.asarray(t, dtype=float)))


def test_vapour_space_initial_rate_ccps_1999_p47_example():
    """A hole above the liquid starts as the CCPS (1999) p. 47 gas discharge when the liquid's
    vapour pressure is the example's 501 kPa at 298 K: 0.0900280 kg/s (Cd 0.85, gamma 1.15,
    0.01 m hole; as transcribed in GasDispersion.jl jet_source_tests.jl)."""
    molar_mass = 8.90 * R * 298.0 / 501e3
    rel = source.vapour_space_release(
        1000.0,
        circle(0.01),
        298.0,
        vapour_pressure=clausius_clapeyron(501e3, 298.0, 250.0),
        heat_capacity_J_kgK=2500.0,
        heat_of_vaporisation_J_kg=4e5,
        molar_mass_kg_mol=molar_mass,
        gamma=1.15,
        discharge_coefficient=0.85,
        end_time_s=600.0,
    )
    assert rel.phase == "gas"
    assert_allclose(rel.rate_kg_s[0], 0.09002799947040846, rtol=1e-6)
    assert np.all(np.diff(rel.rate_kg_s) < 0)  # the pressure falls as the liquid cools
    assert np.all(np.diff(rel.temperature_K) < 0)


@pytest.mark.parametrize("t0", [263.15, 293.15, 313.15])
def test_vapour_space_releases_the_integrated_flash_fraction(t0):
    """Closed form: m cp dT = h_fg dm integrates to a released vapour of
    m0 (1 - exp(-cp (T0 - Tb) / h_fg)) when the vessel reaches ambient pressure (derived
    here; the integrated flash fraction of Crowl & Louvar ch. 4 has this form, not checked
    against the book); the liquid ends at its boiling point."""
    tb, cp, hfg, m0 = 239.8, 4600.0, 1.25e6, 5000.0
    psat = clausius_clapeyron(8.57e5, 293.15, tb)
    rel = source.vapour_space_release(
        m0,
        circle(0.05),
        t0,
        vapour_pressure=psat,
        heat_capacity_J_kgK=cp,
        heat_of_vaporisation_J_kg=hfg,
        molar_mass_kg_mol=0.017031,
        gamma=1.31,
        n_times=4001,
    )
    assert_allclose(rel.total_mass_kg, m0 * (1 - np.exp(-cp * (t0 - tb) / hfg)), rtol=2e-3)
    assert_allclose(rel.temperature_K[-1], tb, atol=0.05)


def test_fed_gas_line_small_hole_holds_line_pressure():
    """A hole that passes less than the line's flow keeps the line at pressure: the choked
    rate at line pressure until isolation (gas_hole_rate), then the blowdown."""
    args = (2000.0, 0.2, 20e5, 288.0, circle(0.01), 0.016, 1.31)
    rel = source.gas_pipeline_leak(*args, feed_kg_s=5.0, isolation_s=300.0)
    q0 = source.gas_hole_rate(20e5, 288.0, circle(0.01), 0.016, 1.31)
    assert q0 < 5.0
    assert_allclose(rel.rate_at([0.0, 150.0, 299.0]), q0, rtol=1e-6)
    assert rel.rate_at(2000.0) < q0


def test_fed_gas_line_large_hole_relaxes_to_the_feed():
    """Isothermal and choked, Q = c rho, so V drho/dt = F - c rho gives the closed form
    Q(t) = F + (Q0 - F) exp(-c t / V) while the feed runs."""
    length, d, p0, t0, m, k, feed = 2000.0, 0.2, 20e5, 288.0, 0.016, 1.31, 5.0
    area = circle(0.1)
    rel = source.gas_pipeline_leak(
        length, d, p0, t0, area, m, k, feed_kg_s=feed, isolation_s=600.0, n_times=2001
    )
    q0 = float(source.gas_hole_rate(p0, t0, area, m, k))
    rho0 = p0 * m / (R * t0)
    c, volume = q0 / rho0, circle(d) * length
    t = np.array([10.0, 60.0, 200.0, 590.0])
    assert_allclose(rel.rate_at(t), feed + (q0 - feed) * np.exp(-c * t / volume), rtol=1e-4)


def line_release(hole_area, isolation_s, flow=1.5, section=3000.0):
    """A chlorine-like liquefied gas line (round property values, for relations only)."""
    return source.liquefied_gas_line_release(
        section,
        hole_area,
        9.0e5,
        293.15,
        pumped_rate_kg_s=flow,
        isolation_s=isolation_s,
        saturation_pressure_Pa=6.7e5,
        boiling_temperature_K=239.1,
        liquid_density_kg_m3=1410.0,
        vapour_density_kg_m3=19.5,
        heat_capacity_J_kgK=930.0,
        heat_of_vaporisation_J_kg=2.88e5,
    )


def test_liquefied_line_mass_balance():
    """Mass balance: a hole larger than the flow drains the section while pumping and
    releases F t_iso + the section in all; a small one releases its line-pressure rate
    Cd A G(P_line) while pumping, then the section at Cd A G(P_sat)."""
    big = line_release(circle(0.05), 600.0)
    assert_allclose(big.total_mass_kg, 1.5 * 600.0 + 3000.0)
    small = line_release(circle(0.003), 600.0)
    g_line = source.flashing_mass_flux(9.0e5, 6.7e5, 293.15, 1410.0, 19.5, 930.0, 2.88e5)
    g_sat = source.flashing_mass_flux(6.7e5, 6.7e5, 293.15, 1410.0, 19.5, 930.0, 2.88e5)
    assert_allclose(small.rate_at(100.0), circle(0.003) * g_line)
    assert_allclose(small.rate_at(700.0), circle(0.003) * g_sat)
    assert_allclose(small.total_mass_kg, circle(0.003) * g_line * 600.0 + 3000.0)


def released_by(rel, t):
    """Mass released by time t, exact for the rate linear between samples (a repeated sample
    time is a step)."""
    times, rates = rel.times_s, rel.rate_kg_s
    cum = np.concatenate([[0.0], np.cumsum(np.diff(times) * (rates[1:] + rates[:-1]) / 2)])
    if t >= times[-1]:
        return float(cum[-1])
    i = int(np.searchsorted(times, t, side="right")) - 1
    slope = (rates[i + 1] - rates[i]) / (times[i + 1] - times[i])
    return float(cum[i] + (t - times[i]) * (rates[i] + slope * (t - times[i]) / 2))


@settings(max_examples=15, deadline=None)
@given(
    small=st.floats(0.02, 0.99),
    isolation=st.floats(0.0, 3600.0),
    flow=st.floats(0.0, 20.0),
    at=st.floats(1.0, 7200.0),
)
def test_a_hole_never_releases_more_than_the_full_bore(small, isolation, flow, at):
    """Property: for a liquefied gas line and a fed gas line, the mass released by any time
    through a hole is at most that through the full bore."""
    bore = circle(0.1)
    liq = [line_release(a, isolation, flow) for a in (small * bore, bore)]
    assert released_by(liq[0], at) <= released_by(liq[1], at) * (1 + 1e-9)
    gas = [
        source.gas_pipeline_leak(
            1000.0, 0.1, 10e5, 288.0, a, 0.016, 1.31, feed_kg_s=flow / 10, isolation_s=isolation
        )
        for a in (small * bore, bore)
    ]
    # within the sampling of the two blowdowns (201 samples each)
    assert released_by(gas[0], at) <= released_by(gas[1], at) * (1 + 1e-3)
