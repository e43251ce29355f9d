"""Tests of physics.explosion: multi-energy blast curves and TNT equivalence.

Oracles and their sources are named in each test. No Crowl & Louvar or CCPS worked example
on vapour cloud explosions could be read in public copies, so the checks below rest
on the printed tables of Johansson (2017, MSB B06-105), the output printed in the
kingery-bulmash package README, the HyRAM+ hand calculation, and closed forms.
"""

import itertools

import numpy as np
import pytest
from numpy.testing import assert_allclose

from physics import explosion as ex

P0_MSB = 101.3e3  # ambient pressure used by Johansson (2017), eq (4.1). [Pa]


def test_tnt_overpressure_matches_kingery_bulmash_package_readme():
    """PyPI kingery-bulmash 1.0.0 README (an implementation of Swisdak 1994): 10 000 kg
    TNT at 500 m gives an incident pressure of 5.0549639655028455 kPa."""
    assert_allclose(ex.tnt_overpressure(500.0, 10000.0), 5.0549639655028455e3, rtol=1e-9)


def test_tnt_impulse_matches_kingery_bulmash_package_readme():
    """Same README: incident impulse 295.87689480141484 kPa-ms (= Pa s) at 10 t, 500 m."""
    assert_allclose(ex.tnt_impulse(500.0, 10000.0), 295.87689480141484, rtol=1e-9)


@pytest.mark.parametrize("z_join", [2.9, 23.8])
def test_tnt_overpressure_segments_join(z_join):
    """Swisdak (1994) fits are piecewise; adjacent segments meet at Z = 2.9 and 23.8
    m/kg^(1/3) to within a few per cent (a transcription check of the coefficients)."""
    w = 1.0
    below = ex.tnt_overpressure(z_join * (1 - 1e-9), w)
    above = ex.tnt_overpressure(z_join * (1 + 1e-9), w)
    assert_allclose(below, above, rtol=0.02)


def test_tnt_overpressure_cube_root_scaling():
    """Hopkinson-Cranz scaling (closed form): P(R, W) = P(k R, k^3 W)."""
    r = np.array([5.0, 40.0, 300.0])
    assert_allclose(ex.tnt_overpressure(r, 50.0), ex.tnt_overpressure(3 * r, 50.0 * 27))


def test_tnt_overpressure_falls_with_distance_and_broadcasts():
    r = np.linspace(1.0, 2000.0, 400)[:, None]
    w = np.array([1.0, 100.0, 1e4])
    p = ex.tnt_overpressure(r, w)
    assert p.shape == (400, 3)
    assert np.all(np.diff(p, axis=0) < 0)
    assert np.all(np.diff(p, axis=1) > 0)


def test_tnt_equivalent_mass_hyram_hand_calculation():
    """Sandia HyRAM+ unit test test_calc_TNT_mass (hand calculation): 1 kg H2 with
    dHc = 1.20e8 J/kg, 3 % yield and E_TNT = 4.68 MJ/kg gives 0.769 kg TNT."""
    assert_allclose(ex.tnt_equivalent_mass(1.0, 1.20e8, 0.03), 0.769, atol=5e-4)


@pytest.mark.parametrize(
    ("strength", "plateau_kpa"),
    [(1, 1), (2, 2), (3, 5), (4, 10), (5, 20), (6, 50), (7, 100), (8, 200), (9, 500)],
)
def test_multi_energy_near_field_level_matches_msb_table_4_1(strength, plateau_kpa):
    """Johansson (2017), MSB B06-105, Table 4.1: approximate maximum overpressure of each
    blast strength (1 kPa for strength 1 ... 500 kPa for strength 9)."""
    e = 1e9
    near = 0.15 * np.cbrt(e / P0_MSB)  # r' = 0.15, inside every plateau
    p = ex.multi_energy_overpressure(near, e, strength, ambient_pressure=P0_MSB)
    assert_allclose(p, plateau_kpa * 1e3, rtol=0.02)


def test_multi_energy_strength_5_maximum_is_20_3_kpa():
    """Johansson (2017), MSB B06-105, p. 26: strength 5 gives at most Ps+ = 20.3 kPa."""
    p = ex.multi_energy_overpressure(1.0, 1e9, 5, ambient_pressure=P0_MSB)
    assert_allclose(p, 20.3e3, rtol=2e-3)


def test_multi_energy_strong_curves_merge():
    """Johansson (2017), B06-105 Table 4.2 and p. 26: overpressure is the same for strengths
    7 to 10 beyond r' = 0.96 (and 6 to 10 beyond r' = 2.35)."""
    e = 5e8
    scale = np.cbrt(e / ex.STANDARD_PRESSURE)
    r = np.array([1.0, 2.0, 5.0, 30.0]) * scale
    p = ex.multi_energy_overpressure(r[:, None], e, np.array([7, 8, 9, 10]))
    assert_allclose(p, np.repeat(p[:, :1], 4, axis=1), rtol=1e-12)
    far = np.array([2.5, 3.0, 10.0]) * scale
    assert_allclose(
        ex.multi_energy_overpressure(far, e, 6), ex.multi_energy_overpressure(far, e, 10)
    )


@pytest.mark.parametrize("strength", range(1, 11))
def test_multi_energy_fits_continuous_at_their_joins(strength):
    """The fitted power laws of Tables 4.2 and 4.3 (Johansson 2017) join to within 1.5 %:
    a check that each transcribed a, b, c, d and break point belongs to the same curve."""
    for table in (ex._ME_OVERPRESSURE, ex._ME_DURATION):
        rows = table[strength]
        for (limit, a1, b1), (_, a2, b2) in itertools.pairwise(rows):
            assert_allclose(a1 * limit**b1, a2 * limit**b2, rtol=0.015)


def test_multi_energy_distance_scales_with_cube_root_of_energy():
    """Closed form of energy scaling: the distance to a given overpressure grows as E^(1/3),
    so P(k R, k^3 E) = P(R, E) for every strength."""
    r = np.array([20.0, 80.0, 400.0])
    for s in range(1, 11):
        assert_allclose(
            ex.multi_energy_overpressure(2.0 * r, 8.0 * 1e9, s),
            ex.multi_energy_overpressure(r, 1e9, s),
        )
        assert_allclose(
            ex.multi_energy_duration(2.0 * r, 8.0 * 1e9, s),
            2.0 * ex.multi_energy_duration(r, 1e9, s),
        )


def test_multi_energy_duration_and_impulse_scaling():
    """Johansson (2017) eqs (4.4), (4.6), (4.7): t+ = t' (E/p0)^(1/3) / c0 and i = Ps t+ / 2.
    Far field of strength 1 (r' > 0.5): t' = 4.85."""
    e, p0, c0 = 2e9, 1.0e5, 340.3
    r = 3.0 * np.cbrt(e / p0)
    t = ex.multi_energy_duration(r, e, 1, ambient_pressure=p0, sound_speed=c0)
    assert_allclose(t, 4.85 * np.cbrt(e / p0) / c0)
    ps = ex.multi_energy_overpressure(r, e, 1, ambient_pressure=p0)
    assert_allclose(ps, 0.007 * 3.0**-0.98 * p0)
    assert_allclose(ex.multi_energy_impulse(r, e, 1, p0, c0), 0.5 * ps * t)


def test_cloud_energy_closed_forms():
    """E = m dHc; E = V x 3.5 MJ/m3 (van den Berg 1985 via Johansson 2017, section 4.1)."""
    assert_allclose(ex.cloud_energy_from_mass(100.0, 46.0e6), 4.6e9)
    assert_allclose(ex.cloud_energy_from_volume([1000.0, 0.0]), [3.5e9, 0.0])


def test_scalar_in_scalar_out():
    assert np.ndim(ex.multi_energy_overpressure(100.0, 1e9, 7)) == 0
    assert np.ndim(ex.tnt_overpressure(100.0, 10.0)) == 0


@pytest.mark.parametrize("strength", [0, 11, 2.5, -3])
def test_bad_strength_raises(strength):
    with pytest.raises(ValueError, match="blast strength"):
        ex.multi_energy_overpressure(100.0, 1e9, strength)


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: ex.multi_energy_overpressure(-1.0, 1e9, 7), "distance"),
        (lambda: ex.multi_energy_overpressure(np.nan, 1e9, 7), "finite"),
        (lambda: ex.multi_energy_overpressure(10.0, 0.0, 7), "energy"),
        (lambda: ex.tnt_overpressure(10.0, -5.0), "TNT mass"),
        (lambda: ex.tnt_equivalent_mass(1.0, 4e7, 1.5), "yield"),
        (lambda: ex.cloud_energy_from_volume(-2.0), "volume"),
    ],
)
def test_bad_physical_input_raises(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_unknown_tnt_model_lists_valid_ones():
    with pytest.raises(ValueError, match="kingery-bulmash-1984"):
        ex.tnt_overpressure(10.0, 1.0, model="brode-1955")
