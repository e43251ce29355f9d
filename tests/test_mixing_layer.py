"""The mixed layer's top and the profile it folds (``physics.mixing_layer``)."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.integrate import quad

from physics import mixing_layer
from physics.integral_plume import Ambient, Release, integral_plume
from tests.fuzz_counts import examples

G = mixing_layer.vertical_profile


def test_mechanical_height_is_aermods():
    """AERMOD's model formulation (Cimorelli et al. 2004, EPA-454/R-03-004) builds its
    strongly stable example on u* = 0.124 m/s, 'consistent with a mixing height of 100 m':
    2300 u*^(3/2) (AERMET SBLHT) gives 100.4 m."""
    assert float(mixing_layer.mechanical_mixing_height(0.124)) == pytest.approx(100.0, rel=0.01)
    assert float(mixing_layer.mechanical_mixing_height(1.0)) == 2300.0


def _images(z, h, sz, lid, pairs=400):
    """The image sum written out term by term: the cloud and its reflection in the ground,
    each reflected in the lid and the ground again, ``pairs`` times each way."""
    g = lambda s: math.exp(-0.5 * (s / sz) ** 2)  # noqa: E731
    return 0.5 * sum(
        g(z - h + 2 * n * lid) + g(z + h + 2 * n * lid) for n in range(-pairs, pairs + 1)
    )


profiles = st.tuples(
    st.floats(0.01, 30.0),  # sigma_z / lid
    st.floats(0.0, 1.0),  # h / lid
    st.floats(0.0, 1.0),  # z / lid
    st.floats(10.0, 3000.0),  # lid [m]
)


@settings(max_examples=examples(60), deadline=None)
@given(profiles)
def test_the_profile_is_the_image_sum_and_holds_the_clouds_mass(p):
    """Images or cosines, G is the image sum (within 1e-7 of its largest value) and its
    integral from the ground to the lid is sqrt(pi/2) sigma_z, the unbounded profile's:
    the lid moves no mass."""
    ratio, hf, zf, lid = p
    sz, h, z = ratio * lid, hf * lid, zf * lid
    got = float(G(z, h, sz, lid))
    assert got == pytest.approx(_images(z, h, sz, lid), abs=1e-7 * max(1.0, got))
    total, _ = quad(lambda v: float(G(v, h, sz, lid)), 0.0, lid, points=[h], limit=200)
    assert total == pytest.approx(math.sqrt(math.pi / 2.0) * sz, rel=1e-6)


@settings(max_examples=examples(60), deadline=None)
@given(profiles)
def test_no_height_holds_more_than_the_profiles_peak(p):
    """profile_peak bounds G over every height (the superposed clouds' mass integral prunes
    its stations by it): 1 without a lid, reached at the axis of a cloud on the ground."""
    ratio, hf, _, lid = p
    sz, h = ratio * lid, hf * lid
    z = np.linspace(0.0, max(lid, h), 2001)
    peak = float(mixing_layer.profile_peak(h, sz, lid))
    assert float(G(z, h, sz, lid).max()) <= peak * (1 + 1e-12)
    assert float(G(0.0, 0.0, sz, lid)) == pytest.approx(peak)
    assert float(mixing_layer.profile_peak(h, sz, math.inf)) == 1.0


def test_the_two_forms_meet_and_the_far_limit_is_uniform():
    """At sigma_z = lid the image sum hands over to the cosine series without a step;
    far beyond, the cloud is uniform from the ground to the lid: sqrt(pi/2) sigma_z / lid
    (Turner 1970: uniform once sigma_z exceeds 1.6 times the lid, within 1 %)."""
    z = np.linspace(0.0, 100.0, 11)
    for h in (0.0, 40.0, 100.0):
        below, above = G(z, h, 100.0 * (1 - 1e-12), 100.0), G(z, h, 100.0 * (1 + 1e-12), 100.0)
        np.testing.assert_allclose(below, above, rtol=1e-8)
    uniform = math.sqrt(math.pi / 2.0) * 1.6
    np.testing.assert_allclose(G(z, 0.0, 160.0, 100.0), uniform, rtol=0.01)
    np.testing.assert_allclose(G(z, 30.0, 5000.0, 100.0), math.sqrt(math.pi / 2) * 50, rtol=1e-9)


def test_no_lid_is_the_reflected_gaussian_and_nothing_lies_above_a_lid():
    z = np.array([0.0, 3.0, 30.0, 300.0])
    g = 0.5 * (np.exp(-0.5 * ((z - 10.0) / 20.0) ** 2) + np.exp(-0.5 * ((z + 10.0) / 20.0) ** 2))
    np.testing.assert_array_equal(G(z, 10.0, 20.0, math.inf), g)
    assert G(150.0, 10.0, 20.0, 100.0) == 0.0
    # a cloud above the mixing height is held under its own axis (AERMOD's h_a = max(h_p, z_i))
    assert float(G(0.0, 300.0, 50.0, 100.0)) == pytest.approx(_images(0.0, 300.0, 50.0, 300.0))


def _air(mixing_height, stability="A", wind=2.0):
    release = Release(1.0, 0.029, 293.15, vapour_cp_J_kgK=1005.0, latent_heat_J_kg=1.0)
    ambient = Ambient(wind, stability, 0.1, 293.15, 0.0, mixing_height_m=mixing_height)
    return integral_plume(release, ambient)


def test_a_lower_lid_holds_more_at_the_ground_far_out_and_none_near():
    """Class A, 2 m/s over z0 0.1 m: the mechanical height (about 200 m) folds the plume
    back beyond 1 km; a 1,500 m layer folds it later, none not at all; near the source the
    three are one plume. Far out, the ground value under a lid z_i tends to Q / (u W z_i)."""
    x = np.array([100.0, 300.0, 3000.0, 10_000.0])
    low, high, none = (_air(v).centreline(x)[0] for v in (math.nan, 1500.0, math.inf))
    np.testing.assert_allclose(low[:2], none[:2], rtol=1e-6)
    assert np.all(low[2:] > high[2:]) and np.all(high[2:] > none[2:])
    plume = _air(math.nan)
    lid = float(plume.mixing_height()[0])
    assert 150.0 < lid < 250.0
    _, b, sy, _, _ = (v[0, -1] for v in plume.profile([10_000.0]))
    u = float(plume.speed([10_000.0])[0, 0])
    assert float(low[-1]) == pytest.approx(
        1.0 / (u * (2 * b + math.sqrt(2 * math.pi) * sy) * lid), rel=1e-3
    )


@pytest.mark.parametrize("bad", [0.0, -100.0, "high"])
def test_a_mixing_height_that_is_not_a_length_is_refused(bad):
    with pytest.raises(ValueError, match="mixing height must be a length"):
        _air(bad)
    with pytest.raises(ValueError, match="mixing height must be a length"):
        mixing_layer.check_mixing_height(bad)
