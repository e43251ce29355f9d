"""Tests of physics.pool against independent closed forms and mass balances.

No published pool worked example could be confirmed here (the CCPS and Yellow Book examples
were not available), so the oracles are:
- the gravity-inertia front dr/dt = sqrt(2 g h) integrated numerically (scipy solve_ivp),
  independently of the closed forms r = (8 g V / pi)^(1/4) t^(1/2) and
  r^2 = (4/3) sqrt(2 g V'/pi) t^(3/2);
- the time integral of the ground-conduction flux q = k dT / sqrt(pi a t) (CCPS 1999 p. 63,
  eqs 2.38-2.39, as quoted by Farrell 2020), 2 k dT sqrt(t / (pi a)), for a pool on a fixed area;
- the Mackay & Matsugu (1973) coefficient in its original units (m/h), 0.0292 U^0.78 X^-0.11
  Sc^-0.67, as used in the MOHID HNS evaporation option and open oil-spill codes;
- mass conservation: inflow = evaporated + remaining within 0.1 %.
"""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose
from scipy.integrate import solve_ivp

from physics import pool, source
from physics.pool import G, R

NONBOILING = dict(
    liquid_density_kg_m3=870.0,
    liquid_temperature_K=293.15,
    boiling_temperature_K=353.2,
    vapour_pressure_Pa=10_000.0,
    molar_mass_kg_mol=0.078,
    wind_speed_m_s=3.0,
    schmidt_number=1.8,
)
BOILING = dict(
    liquid_density_kg_m3=682.0,
    liquid_temperature_K=239.8,
    boiling_temperature_K=239.8,
    heat_of_vaporisation_J_kg=1.37e6,
    ground_temperature_K=293.15,
)


def front(volume_of_t):
    """dr/dt = sqrt(2 g h), h = V(t) / (pi r^2), for solve_ivp."""
    return lambda t, r: [np.sqrt(2 * G * volume_of_t(t) / (np.pi * r[0] ** 2))]


# ----------------------------------------------------------------- spreading


def test_instantaneous_spread_closed_form_matches_integrated_front():
    """r = (8 g V / pi)^(1/4) t^(1/2) against the front ODE integrated numerically from a
    tiny initial radius; the minimum thickness caps the radius at sqrt(V / (pi h_min))."""
    v, t = 20.0, np.linspace(1.0, 60.0, 30)
    sol = solve_ivp(front(lambda _: v), (0.0, 60.0), [1e-6], t_eval=t, rtol=1e-10, atol=1e-12)
    r = pool.spread_radius_instantaneous(v, t, min_thickness_m=1e-6)
    assert_allclose(r, sol.y[0], rtol=1e-5)
    capped = pool.spread_radius_instantaneous(v, 1e6, min_thickness_m=0.01)
    assert_allclose(np.pi * capped**2, v / 0.01)
    bunded = pool.spread_radius_instantaneous(v, 1e6, 0.01, bund_area_m2=300.0)
    assert_allclose(np.pi * bunded**2, 300.0)


def test_continuous_spread_closed_form_matches_integrated_front():
    """r^2 = (4/3) sqrt(2 g V'/pi) t^(3/2) against the front ODE with V = V' t."""
    q, t = 0.05, np.linspace(1.0, 120.0, 40)
    sol = solve_ivp(front(lambda s: q * s), (1e-9, 120.0), [1e-6], t_eval=t, rtol=1e-10)
    r = pool.spread_radius_continuous(q, t, min_thickness_m=1e-6)
    assert_allclose(r, sol.y[0], rtol=1e-4)
    assert np.all(np.diff(r) > 0)


def test_evolution_without_evaporation_spreads_as_closed_forms():
    """pool_evolution with zero vapour pressure: an instantaneous spill follows the closed form
    until the minimum thickness (exact update), a constant inflow within 2 % (first-order steps);
    the mass stays what was spilled."""
    props = dict(NONBOILING, vapour_pressure_Pa=0.0)
    inst = pool.pool_evolution(
        [0.0], [0.0], initial_mass_kg=8700.0, min_thickness_m=0.005, end_time_s=200.0, **props
    )
    expected = pool.spread_radius_instantaneous(10.0, inst.times_s, 0.005)
    assert_allclose(inst.radius_m, expected, rtol=1e-9)
    assert_allclose(inst.mass_kg, 8700.0)
    cont = pool.pool_evolution(
        [0.0, 300.0], [43.5, 43.5], min_thickness_m=1e-4, n_steps=6000, **props
    )
    expected = pool.spread_radius_continuous(0.05, cont.times_s[-1], 1e-4)
    assert_allclose(cont.radius_m[-1], expected, rtol=0.02)


def test_bund_caps_area():
    """A confined pool never exceeds the bund floor area."""
    history = pool.pool_evolution(
        [0.0, 600.0], [20.0, 20.0], min_thickness_m=0.005, bund_area_m2=150.0, **NONBOILING
    )
    assert history.area_m2.max() == pytest.approx(150.0)
    assert np.all(np.diff(history.area_m2) >= 0)


# ----------------------------------------------------------------- evaporation


def test_mackay_matsugu_original_units():
    """Mackay & Matsugu (1973): k [m/h] = 0.0292 U^0.78 X^-0.11 Sc^-0.67, U in m/h, X in m.
    At u = 1 m/s, d = 1 m, Sc = 1: k = 0.0292 * 3600^0.78 / 3600 m/s; exponents by ratios."""
    k1 = pool.mass_transfer_coefficient(1.0, 1.0, 1.0)
    assert_allclose(k1, 0.0292 * math.exp(0.78 * math.log(3600.0)) / 3600.0, rtol=1e-12)
    assert_allclose(pool.mass_transfer_coefficient(2.0, 1.0, 1.0) / k1, 2**0.78)
    assert_allclose(pool.mass_transfer_coefficient(1.0, 2.0, 1.0) / k1, 2**-0.11)
    assert_allclose(pool.mass_transfer_coefficient(1.0, 1.0, 2.0) / k1, 2**-0.67)


def test_nonboiling_rate_is_flux_times_area():
    """Once the pool has stopped spreading, its evaporation rate is k M Pv / (R T) x area,
    with k from the pool's own diameter."""
    history = pool.pool_evolution(
        [0.0],
        [0.0],
        initial_mass_kg=5000.0,
        min_thickness_m=0.01,
        end_time_s=600.0,
        **NONBOILING,
    )
    area = history.area_m2[-1]
    k = pool.mass_transfer_coefficient(3.0, 2 * np.sqrt(area / np.pi), 1.8)
    flux = k * 0.078 * 10_000.0 / (R * 293.15)
    assert_allclose(history.evaporation_rate_kg_s[-1], flux * area, rtol=1e-12)
    assert_allclose(
        pool.evaporation_flux_nonboiling(
            10_000.0, 293.15, 0.078, 3.0, 2 * np.sqrt(area / np.pi), 1.8
        ),
        flux,
    )


def test_boiling_pool_on_fixed_area_matches_conduction_integral():
    """A spill that fills its bund at once: evaporated mass by t is
    A * 2 k dT sqrt(t / (pi a)) / h_fg (time integral of CCPS 1999 eq. 2.38), concrete ground."""
    k, a = pool.GROUND_PROPERTIES["concrete"]
    history = pool.pool_evolution(
        [0.0],
        [0.0],
        initial_mass_kg=68_200.0,
        min_thickness_m=0.01,
        bund_area_m2=100.0,
        end_time_s=3600.0,
        **BOILING,
    )
    assert history.boiling
    assert_allclose(history.area_m2[1:], 100.0)
    dt_ground = 293.15 - 239.8
    expected = 100.0 * 2 * k * dt_ground * np.sqrt(history.times_s / (np.pi * a)) / 1.37e6
    assert_allclose(history.evaporated_kg, expected, rtol=1e-9)
    q = pool.ground_heat_flux(3600.0, 293.15, 239.8, k, a)
    assert_allclose(q, k * dt_ground / np.sqrt(np.pi * a * 3600.0))
    assert np.all(np.diff(history.evaporation_rate_kg_s[1:]) < 0)  # the ground cools


# ----------------------------------------------------------------- mass balance


@pytest.mark.parametrize("props", [NONBOILING, BOILING], ids=["non-boiling", "boiling"])
def test_mass_balance_for_a_draining_tank(props):
    """Inflow from a draining tank (physics.source) = evaporated + remaining within 0.1 %;
    the inflow total is computed independently by the trapezoidal rule on the release."""
    release = source.liquid_tank_release(
        4.0,
        0.0,
        np.pi / 4 * 0.05**2,
        props["liquid_density_kg_m3"],
        290.0,
        tank_diameter_m=3.0,
    )
    history = pool.pool_evolution(
        release.times_s,
        release.rate_kg_s,
        min_thickness_m=0.01,
        ground="dry-sandy-soil",
        end_time_s=1.5 * release.duration_s,
        **props,
    )
    inflow = np.trapezoid(release.rate_kg_s, release.times_s)
    assert_allclose(inflow, history.inflow_kg[-1], rtol=1e-9)
    assert_allclose(history.evaporated_kg[-1] + history.mass_kg[-1], inflow, rtol=1e-3)
    steps = np.diff(history.times_s)
    assert_allclose(np.sum(history.evaporation_rate_kg_s[1:] * steps), history.evaporated_kg[-1])
    assert np.all(np.diff(history.evaporated_kg) >= 0)
    assert np.all(history.mass_kg >= 0)


def test_small_spill_dries_out():
    """A thin volatile pool evaporates completely; then it has no mass and no area."""
    history = pool.pool_evolution(
        [0.0],
        [0.0],
        initial_mass_kg=5.0,
        min_thickness_m=0.005,
        end_time_s=3600.0,
        **dict(NONBOILING, vapour_pressure_Pa=50_000.0),
    )
    assert history.mass_kg[-1] == 0.0 and history.area_m2[-1] == 0.0
    assert_allclose(history.evaporated_kg[-1], 5.0)


# ----------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: pool.spread_radius_instantaneous(1.0, 10.0, -0.01), "min_thickness_m must be > 0"),
        (lambda: pool.spread_radius_continuous(np.nan, 10.0, 0.01), "NaN"),
        (
            lambda: pool.mass_transfer_coefficient(3.0, 10.0, 1.0, model="sutton"),
            "valid models: mackay-matsugu-1973",
        ),
        (
            lambda: pool.pool_evolution(
                [0.0, 10.0], [1.0, 1.0], min_thickness_m=0.01, ground="lava", **BOILING
            ),
            "unknown ground 'lava'; valid: concrete",
        ),
        (
            lambda: pool.pool_evolution(
                [0.0, 10.0],
                [1.0, 1.0],
                min_thickness_m=0.01,
                **dict(BOILING, heat_of_vaporisation_J_kg=None),
            ),
            "boiling pool needs",
        ),
        (
            lambda: pool.pool_evolution([0.0], [0.0], min_thickness_m=0.01, **NONBOILING),
            "end_time_s must be > 0",
        ),
    ],
)
def test_bad_input_raises_one_line(call, message):
    with pytest.raises(ValueError, match=message) as info:
        call()
    assert "\n" not in str(info.value)


def test_ground_as_numbers():
    """Ground given as (conductivity, diffusivity) equals the named entry."""
    named = pool.pool_evolution(
        [0.0, 100.0], [5.0, 5.0], min_thickness_m=0.01, ground="rock", **BOILING
    )
    numbers = pool.pool_evolution(
        [0.0, 100.0], [5.0, 5.0], min_thickness_m=0.01, ground=(2.9, 1.4e-6), **BOILING
    )
    assert_allclose(numbers.evaporated_kg, named.evaporated_kg)


@settings(max_examples=30, deadline=None)
@given(
    rates=st.lists(st.floats(0.0, 50.0), min_size=2, max_size=6),
    duration=st.floats(10.0, 2000.0),
    boiling=st.booleans(),
    bund=st.one_of(st.just(np.inf), st.floats(10.0, 1000.0)),
)
def test_mass_conserved_for_any_inflow(rates, duration, boiling, bund):
    """Property: for any piecewise-linear inflow, boiling or not, confined or not,
    inflow (trapezoidal rule) = evaporated + remaining within 0.1 %."""
    times = np.linspace(0.0, duration, len(rates))
    history = pool.pool_evolution(
        times,
        rates,
        min_thickness_m=0.01,
        bund_area_m2=bund,
        end_time_s=1.2 * duration,
        n_steps=300,
        **(BOILING if boiling else NONBOILING),
    )
    inflow = np.trapezoid(rates, times)
    remaining_and_gone = history.evaporated_kg[-1] + history.mass_kg[-1]
    assert remaining_and_gone == pytest.approx(inflow, rel=1e-3, abs=1e-9)
