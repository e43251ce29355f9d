"""Tank volume from level and back (twin.tank_geometry).

Oracles: independent numerical integration of the tank's horizontal cross-section over the
height (scipy.integrate.quad), against the closed forms (circular segment x length,
spherical cap) in the module; plus exact points of the closed forms (empty, half, full).
"""

import numpy as np
import pytest
from numpy.testing import assert_allclose
from scipy.integrate import quad

from twin.tank_geometry import (
    full_volume,
    level_from_volume,
    liquid_volume,
    surface_area,
    tank_height,
)

CASES = [
    ("vertical_cylinder", 21.0, 15.8),
    ("horizontal_cylinder", 3.2, 12.5),
    ("sphere", 12.4, None),
]


def _integrated(level, shape, d, length):
    """Volume by integrating the liquid surface area over the height (independent of the
    closed forms): chord 2 sqrt(r^2 - (y - r)^2) times the length, or the disc
    pi (r^2 - (y - r)^2) of a sphere, or the constant disc of a vertical cylinder."""
    r = d / 2

    def area(y):
        if shape == "vertical_cylinder":
            return np.pi * r * r
        half_chord_sq = max(r * r - (y - r) ** 2, 0.0)
        if shape == "sphere":
            return np.pi * half_chord_sq
        return 2.0 * np.sqrt(half_chord_sq) * length

    return quad(area, 0.0, level, epsabs=1e-10, limit=200)[0]


@pytest.mark.parametrize(("shape", "d", "length"), CASES)
def test_volume_matches_integrated_cross_section(shape, d, length):
    height = tank_height(shape, d, length)
    levels = np.linspace(0.0, height, 13)
    expected = [_integrated(h, shape, d, length) for h in levels]
    assert_allclose(liquid_volume(levels, shape, d, length), expected, rtol=1e-7, atol=1e-9)


@pytest.mark.parametrize(("shape", "d", "length"), CASES)
def test_half_and_full(shape, d, length):
    full = {"vertical_cylinder": np.pi * d * d / 4 * (length or 0), "sphere": np.pi * d**3 / 6}
    full["horizontal_cylinder"] = np.pi * d * d / 4 * (length or 0)
    height = tank_height(shape, d, length)
    assert_allclose(full_volume(shape, d, length), full[shape], rtol=1e-12)
    assert_allclose(liquid_volume(height / 2, shape, d, length), full[shape] / 2, rtol=1e-12)
    assert liquid_volume(0.0, shape, d, length) == 0.0


def test_demo_capacities_are_flat_ended_volumes():
    """The demo's nominal capacities (geodata demo park) match the geometric volumes."""
    assert_allclose(full_volume("horizontal_cylinder", 2.6, 9.5), 50.0, rtol=0.01)
    assert_allclose(full_volume("sphere", 12.4), 1000.0, rtol=0.01)
    assert_allclose(full_volume("vertical_cylinder", 21.0, 15.8), 5470.0, rtol=0.01)


@pytest.mark.parametrize(("shape", "d", "length"), CASES)
def test_level_from_volume_inverts(shape, d, length):
    height = tank_height(shape, d, length)
    levels = np.linspace(0.0, height, 41)
    back = level_from_volume(liquid_volume(levels, shape, d, length), shape, d, length)
    assert_allclose(back, levels, atol=1e-9 * height)


@pytest.mark.parametrize(("shape", "d", "length"), CASES)
def test_surface_area_is_derivative(shape, d, length):
    height = tank_height(shape, d, length)
    h = np.linspace(0.05, 0.95, 7) * height
    dh = 1e-6 * height
    upper = liquid_volume(h + dh, shape, d, length)
    lower = liquid_volume(h - dh, shape, d, length)
    numeric = (upper - lower) / (2 * dh)
    assert_allclose(surface_area(h, shape, d, length), numeric, rtol=1e-6)


def test_vectorised_over_tanks():
    v = liquid_volume([1.0, 2.0], "horizontal_cylinder", [2.6, 3.2], [9.5, 12.5])
    assert v.shape == (2,)
    assert_allclose(v[1], liquid_volume(2.0, "horizontal_cylinder", 3.2, 12.5))


def test_levels_beyond_the_vessel_are_clipped():
    assert liquid_volume(20.0, "sphere", 12.4) == pytest.approx(full_volume("sphere", 12.4))
    assert liquid_volume(-1.0, "sphere", 12.4) == 0.0


def test_bad_input():
    with pytest.raises(ValueError, match="unknown tank shape"):
        liquid_volume(1.0, "cone", 2.0, 2.0)
    with pytest.raises(ValueError, match="diameter_m"):
        liquid_volume(1.0, "sphere", -2.0)
    with pytest.raises(ValueError, match="length_m"):
        liquid_volume(1.0, "horizontal_cylinder", 2.0, None)
    with pytest.raises(ValueError, match="NaN"):
        liquid_volume(np.nan, "sphere", 2.0)
