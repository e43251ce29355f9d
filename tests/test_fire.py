"""Tests of physics.fire: pool fire, jet fire, fireball and flash fire.

Each test names its oracle. The only worked example whose numbers could be read through
publicly readable is the CCPS propane tank-truck BLEVE (A. Srivastava's worked sheet,
Scribd doc. 529343808). The CCPS (1999/2000) and Crowl & Louvar pool-fire examples could
not be read, so the pool-fire chain is checked against closed forms and against a
numerical integration of the view factor over the flame surface.
"""

import numpy as np
import pytest
from numpy.testing import assert_allclose
from scipy.constants import g

from physics import fire, harm


def numerical_view_factor(x_target, radius, length, tilt, normal, n_phi=2000, n_s=1000):
    """View factor from the lateral surface of a leaning cylinder (circular horizontal
    sections, axis tilted towards +x) to a ground element at (x_target, 0, 0), by the
    midpoint rule on F = integral cos(b1) cos(b2) / (pi s^2) dA (definition of the view
    factor; Modest, Radiative Heat Transfer, ch. 4)."""
    phi = (np.arange(n_phi) + 0.5) * 2 * np.pi / n_phi
    s = (np.arange(n_s) + 0.5) * length / n_s
    p, s = np.meshgrid(phi, s, indexing="ij")
    st, ct = np.sin(tilt), np.cos(tilt)
    px, py, pz = radius * np.cos(p) + s * st, radius * np.sin(p), s * ct
    # Outward normal times dA / (dphi ds) = dP/dphi x dP/ds.
    nx, ny, nz = radius * np.cos(p) * ct, radius * np.sin(p) * ct, -radius * np.cos(p) * st
    area = np.sqrt(nx**2 + ny**2 + nz**2)
    dx, dy, dz = px - x_target, py, pz
    dist = np.sqrt(dx**2 + dy**2 + dz**2)
    cos1 = (normal[0] * dx + normal[1] * dy + normal[2] * dz) / dist
    cos2 = -(nx * dx + ny * dy + nz * dz) / (area * dist)
    integrand = np.clip(cos1, 0, None) * np.clip(cos2, 0, None) * area / (np.pi * dist**2)
    return integrand.sum() * (2 * np.pi / n_phi) * (length / n_s)


VERTICAL = (-1.0, 0.0, 0.0)
HORIZONTAL = (0.0, 0.0, 1.0)


# ------------------------------------------------------------------------ burning rate


def test_pool_burning_rate_burgess_form():
    """Assael & Kakosimos (2010) p. 83 (Burgess et al. 1961): m'' = 1e-3 dHc / (dHv +
    Cp (Tb - Ta)), hand-evaluated for a liquid boiling above ambient."""
    m = fire.pool_burning_rate(44.0e6, 0.36e6, 2.2e3, 371.6, 288.15)
    assert_allclose(m, 1e-3 * 44.0e6 / (0.36e6 + 2.2e3 * (371.6 - 288.15)))


def test_pool_burning_rate_liquefied_gas_drops_sensible_heat():
    """Tb <= Ta: the boiling pool needs no heating, m'' = 1e-3 dHc / dHv (the brief's
    Tb > Ta condition on the sensible-heat term)."""
    m = fire.pool_burning_rate([50.0e6, 50.0e6], 0.51e6, 3.5e3, 111.7, [288.15, 111.7])
    assert_allclose(m, 1e-3 * 50.0e6 / 0.51e6)


# ----------------------------------------------------------------- flame, SEP, view


def test_thomas_flame_length_closed_form_and_similarity():
    """Thomas (1963): L/D = 42 (m''/(rho sqrt(g D)))^0.61; L/D depends on D only through
    m''/sqrt(D), so L(4 D, 2 m'') = 4 L(D, m'')."""
    d, m, rho = 10.0, 0.08, 1.2
    assert_allclose(
        fire.pool_flame_length(d, m, rho), 42 * d * (m / (rho * np.sqrt(g * d))) ** 0.61
    )
    assert_allclose(
        fire.pool_flame_length(4 * d, 2 * m, rho), 4 * fire.pool_flame_length(d, m, rho)
    )


def test_mudan_emissive_power_limits():
    """Mudan (1984) via Assael & Kakosimos (2010) p. 90: 140 kW/m2 for a small fire,
    20 kW/m2 (soot) for a very large one, the mean of the two at D = ln 2 / 0.12."""
    assert_allclose(fire.pool_emissive_power(1e-9), 140e3, rtol=1e-9)
    assert_allclose(fire.pool_emissive_power(500.0), 20e3, rtol=1e-9)
    assert_allclose(fire.pool_emissive_power(np.log(2) / 0.12), 80e3)


@pytest.mark.parametrize("tilt", [0.0, 0.3, 0.6])
@pytest.mark.parametrize("x", [16.4, 20.0, 50.0])
def test_cylinder_view_factor_matches_numerical_integration(tilt, x):
    """Mudan's closed forms (Assael & Kakosimos 2010 p. 92) against direct integration of
    the view-factor definition over the flame surface, for targets beyond the flame's
    ground projection (D = 10 m, L = 20 m: R + L sin 0.6 = 16.3 m)."""
    f_v, f_h = fire.cylinder_view_factors(x, 10.0, 20.0, tilt)
    assert_allclose(f_v, numerical_view_factor(x, 5.0, 20.0, tilt, VERTICAL), rtol=1e-4)
    assert_allclose(f_h, numerical_view_factor(x, 5.0, 20.0, tilt, HORIZONTAL), rtol=1e-4)


def test_horizontal_view_factor_exact_under_leaning_flame():
    """Under a leaning flame the horizontal form still matches the integral (numerical
    check; the vertical form does not, as the docstring says)."""
    _, f_h = fire.cylinder_view_factors(8.0, 10.0, 20.0, 1.0)
    assert_allclose(f_h, numerical_view_factor(8.0, 5.0, 20.0, 1.0, HORIZONTAL), rtol=1e-4)


def test_view_factor_finite_below_flame_tip():
    """Mudan's F_v divides by (b - a sin(tilt)); the singularity is removable, so the value
    right below the flame tip lies between its neighbours."""
    tip = 20.0 * np.sin(0.6)
    f_v, _ = fire.cylinder_view_factors(tip + np.array([-1e-3, 0.0, 1e-3]), 10.0, 20.0, 0.6)
    assert np.all(np.isfinite(f_v))
    assert f_v[0] > f_v[1] > f_v[2]


def test_vertical_view_factor_far_field():
    """Closed form far away: a vertical cylinder seen by a facing element subtends its
    projected area D L, so F_v pi X^2 / (D L) -> 1, the gap closing as R / X."""
    x = np.array([1e3, 1e4, 1e5])
    ratio = fire.cylinder_view_factor(x, 10.0, 20.0, target="vertical") * np.pi * x**2 / 200.0
    assert np.all(np.abs(ratio - 1.0) < 5.0 * 5.0 / x)
    assert np.all(np.diff(np.abs(ratio - 1.0)) < 0)


def test_view_factor_on_pool_is_one_and_max_combines():
    f_v, f_h = fire.cylinder_view_factors([0.0, 5.0], 10.0, 20.0)
    assert_allclose(f_v, 1.0)
    assert_allclose(f_h, 1.0)
    fv, fh = fire.cylinder_view_factors(30.0, 10.0, 20.0)
    assert_allclose(fire.cylinder_view_factor(30.0, 10.0, 20.0), np.hypot(fv, fh))


def test_flame_tilt_solves_pritchard_binding():
    """Pritchard & Binding (1992) via Assael & Kakosimos (2010) p. 93: tan(t)/cos(t) =
    0.666 Fr^0.333 Re^0.117; residual of the returned angle, zero tilt in still air."""
    u = np.array([0.0, 1.0, 3.0, 8.0])
    d, rho, mu = 20.0, 1.2, 1.8e-5
    t = fire.pool_flame_tilt(u, d, rho, mu)
    w = 0.666 * (u**2 / (g * d)) ** 0.333 * (u * d * rho / mu) ** 0.117
    assert_allclose(np.tan(t) / np.cos(t), w, atol=1e-12)
    assert t[0] == 0 and np.all(np.diff(t) > 0)


# -------------------------------------------------------------------- transmissivity


def test_transmissivity_bagster_at_15_degc():
    """Bagster & Pitblado (1989) via Assael & Kakosimos (2010) p. 95, tau = 2.02 (pw X)^-0.09,
    with pw = 1705 Pa for saturated air at 15 degC and 1 atm (van den Bosch & Weterings
    2005, Yellow Book, as quoted in a public hydrogen-blast script found by search); this
    also checks the IAPWS-95 saturation pressure used inside."""
    x = np.array([10.0, 100.0, 1000.0])
    assert_allclose(
        fire.atmospheric_transmissivity(x, 1.0, 288.15), 2.02 * (1705.0 * x) ** -0.09, rtol=2e-4
    )


def test_transmissivity_capped_and_monotonic():
    tau = fire.atmospheric_transmissivity([0.0, 0.5, 10.0, 100.0], [0.5], 293.15)
    assert tau[0] == 1.0 and tau[1] == 1.0
    assert np.all(np.diff(tau) <= 0)
    dry, humid = fire.atmospheric_transmissivity(50.0, [0.2, 0.9], 293.15)
    assert humid < dry


# ----------------------------------------------------------------------- pool fire flux


def test_pool_fire_flux_is_product_of_components_and_falls_off():
    """q = SEP F tau (solid-flame model, Assael & Kakosimos 2010 p. 95)."""
    d, m, rho = 15.0, 0.06, 1.2
    x = np.array([10.0, 20.0, 40.0, 80.0, 160.0])
    q = fire.pool_fire_flux(x, d, m, rho, 0.6, 293.15)
    length = fire.pool_flame_length(d, m, rho)
    expect = (
        fire.pool_emissive_power(d)
        * fire.cylinder_view_factor(x, d, length)
        * fire.atmospheric_transmissivity(x - d / 2, 0.6, 293.15)
    )
    assert_allclose(q, expect)
    assert np.all(np.diff(q) < 0)


def test_pool_fire_flux_on_pool_equals_emissive_power():
    """Engulfed target (F = 1, tau = 1): q = SEP."""
    q = fire.pool_fire_flux(2.0, 15.0, 0.06, 1.2, 0.6, 293.15)
    assert_allclose(q, fire.pool_emissive_power(15.0))


# ----------------------------------------------------------------------------- jet fire


def test_jet_fire_point_source_conserves_radiated_power():
    """Point source (API 521): the flux through any sphere around it is tau F m dHc."""
    r = np.array([10.0, 50.0, 200.0])
    q = fire.jet_fire_flux(r, 2.0, 46.0e6, 0.3, 0.8)
    assert_allclose(q * 4 * np.pi * r**2, 0.8 * 0.3 * 2.0 * 46.0e6)


def test_chamberlain_radiant_fraction_limits():
    """Chamberlain (1987) via Assael & Kakosimos (2010) p. 117: F_s = 0.21 exp(-0.00323 u)
    + 0.11, i.e. 0.32 for a still jet, tending to 0.11 for very fast jets."""
    f = fire.jet_fire_radiant_fraction([0.0, 100.0, 1e5])
    assert_allclose(f, [0.32, 0.21 * np.exp(-0.323) + 0.11, 0.11])


# ----------------------------------------------------------------------------- fireball


def test_ccps_bleve_tank_truck_example():
    """CCPS propane tank-truck BLEVE, as worked in A. Srivastava's sheet (Scribd doc.
    529343808): 22.7 m3 at 90 % fill, 585.3 kg/m3 -> 11 957.7 kg, D = 132.6 m, t = 10.3 s;
    at X = 100 m along the ground (centre at D/2), F = 0.255 and q = 89.1 kW/m2 for
    E = 350 kW/m2."""
    mass = 22.7 * 585.3 * 0.90
    assert_allclose(mass, 11957.7, atol=0.05)
    d = fire.fireball_diameter(mass)
    assert_allclose(d, 132.6, atol=0.05)
    assert_allclose(fire.fireball_duration(mass), 10.3, atol=0.05)
    view = fire.fireball_view_factor(100.0, d, d / 2, target="vertical")
    assert_allclose(view, 0.255, atol=5e-4)
    q = fire.fireball_flux(100.0, d, d / 2, 350e3, target="vertical")
    assert_allclose(q, 89.1e3, atol=60.0)


def test_ccps_duration_branches_meet_at_30_tonnes():
    """CCPS durations 0.45 M^(1/3) and 2.6 M^(1/6) agree within 4 % at 30 000 kg."""
    below, above = fire.fireball_duration([29999.999, 30000.0])
    assert_allclose(above, below, rtol=0.04)
    assert_allclose(above, 2.6 * 30000.0 ** (1 / 6))


def test_tno_fireball_correlations():
    """CPR 14E ch. 6 via Assael & Kakosimos (2010) eqs C-2.35, C-2.36, C-2.41."""
    m = np.array([1e3, 5e4])
    assert_allclose(fire.fireball_diameter(m, model="tno-1997"), 6.48 * m**0.325)
    assert_allclose(fire.fireball_duration(m, model="tno-1997"), 0.852 * m**0.26)
    assert_allclose(fire.fireball_radiant_fraction(1.0e6), 0.00325 * 1.0e6**0.32)


def test_sphere_view_factor_closed_form():
    """Sphere of radius r seen from distance L by an element facing its centre:
    F = (r / L)^2 (closed form); an upright element takes the cosine X / L."""
    d, h = 40.0, 30.0
    x = np.array([0.0, 40.0, 400.0])
    ell = np.hypot(x, h)
    assert_allclose(fire.fireball_view_factor(x, d, h), (20.0 / ell) ** 2)
    assert_allclose(fire.fireball_view_factor(x, d, h, "vertical"), (20.0 / ell) ** 2 * x / ell)
    assert fire.fireball_view_factor(5.0, d, 10.0) == 1.0


def test_fireball_energy_balance():
    """Closed form: the flux through a sphere around the fireball, times its duration,
    returns the radiated energy F M dHc."""
    mass, dhc, frac = 2.0e4, 46.0e6, 0.3
    d, t = fire.fireball_diameter(mass), fire.fireball_duration(mass)
    sep = fire.fireball_emissive_power(mass, dhc, d, t, frac)
    ell = 3.0 * d
    q = fire.fireball_flux(0.0, d, ell, sep)  # target straight below, facing the centre
    assert_allclose(q * 4 * np.pi * ell**2 * t, frac * mass * dhc)


def test_fireball_dose_is_eisenberg_dose():
    """Dose t q^(4/3) (Eisenberg et al. 1975), the same as physics.harm.thermal_dose."""
    q, t = np.array([5e3, 20e3]), 12.0
    assert_allclose(fire.fireball_dose(q, t), t * q ** (4 / 3))
    assert_allclose(fire.fireball_dose(q, t), harm.thermal_dose(q, t))


# --------------------------------------------------------------------------- flash fire


def test_flammable_envelope_of_inverse_square_profile():
    """Closed form: for c(x) = A / x^2 the LFL is reached at sqrt(A / LFL) and 1/2 LFL at
    sqrt(2) times that."""
    a, lfl = 2.0e4, 0.021

    def profile(x):
        return a / x**2

    x_lfl = fire.flammable_envelope_distance(profile, lfl)
    assert_allclose(x_lfl, np.sqrt(a / lfl), rtol=1e-9)
    assert_allclose(
        fire.flammable_envelope_distance(profile, lfl, fraction=0.5), np.sqrt(2) * x_lfl, rtol=1e-9
    )


def test_flammable_envelope_edge_cases():
    assert fire.flammable_envelope_distance(lambda x: 1e-6 / (1 + x), 0.02) == 0.0
    with pytest.raises(ValueError, match="max_distance_m"):
        fire.flammable_envelope_distance(lambda x: np.ones_like(x), 0.02)


def test_flash_fire_lethality_inside_lfl():
    """Purple Book CPR 18E ch. 5 / AQ/T 3046 (quoted second-hand): Pd = 1 inside the LFL."""
    assert_allclose(fire.flash_fire_lethality([0.0, 0.019, 0.021, 0.5], 0.021), [0, 0, 1, 1])


# --------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: fire.pool_flame_length(-1.0, 0.05, 1.2), "pool diameter"),
        (lambda: fire.pool_emissive_power(np.nan), "finite"),
        (lambda: fire.cylinder_view_factors(10.0, 5.0, 10.0, np.pi / 2), "tilt"),
        (lambda: fire.atmospheric_transmissivity(10.0, 1.2, 293.15), "relative humidity"),
        (lambda: fire.atmospheric_transmissivity(10.0, 0.5, 200.0), "temperature"),
        (lambda: fire.jet_fire_flux(0.0, 1.0, 4e7, 0.2), "distance"),
        (lambda: fire.jet_fire_flux(10.0, 1.0, 4e7, 1.5), "radiant fraction"),
        (lambda: fire.fireball_diameter(-5.0), "fireball mass"),
        (lambda: fire.flash_fire_lethality(0.1, 0.0), "LFL"),
    ],
)
def test_bad_physical_input_raises(call, match):
    with pytest.raises(ValueError, match=match):
        call()


@pytest.mark.parametrize(
    "call",
    [
        lambda: fire.fireball_diameter(1e3, model="roberts-1982"),
        lambda: fire.fireball_view_factor(10.0, 20.0, 10.0, target="oblique"),
        lambda: fire.cylinder_view_factor(10.0, 5.0, 10.0, target="sideways"),
    ],
)
def test_unknown_choice_lists_valid_ones(call):
    with pytest.raises(ValueError, match="valid:"):
        call()


def test_scalar_and_broadcast_shapes():
    assert np.ndim(fire.pool_fire_flux(30.0, 10.0, 0.05, 1.2, 0.5, 293.15)) == 0
    q = fire.pool_fire_flux(
        np.linspace(10, 100, 7)[:, None], np.array([5.0, 10.0, 20.0]), 0.05, 1.2, 0.5, 293.15
    )
    assert q.shape == (7, 3)
