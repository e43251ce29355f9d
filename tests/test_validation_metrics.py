"""Tests for bench/metrics.py, the Chang & Hanna (2004) model performance measures.

Oracles are small arrays worked by hand from the definitions in Chang, J.C. and Hanna,
S.R. (2004), Air quality model performance evaluation, Meteorol. Atmos. Phys. 87,
167-196, eqs. (1)-(6) (FB, MG, NMSE, VG, FAC2); each test shows its arithmetic.
"""

import math

import numpy as np
import pytest
from numpy.testing import assert_allclose

from bench import metrics

CO = [1.0, 2.0, 4.0]
CP = [2.0, 2.0, 1.0]


def test_fractional_bias_by_hand():
    # mean Co = 7/3, mean Cp = 5/3: FB = (2/3) / (0.5 * 4) = 1/3 (under-prediction)
    assert_allclose(metrics.fractional_bias(CO, CP), 1.0 / 3.0)


def test_nmse_by_hand():
    # squared errors 1, 0, 9 -> mean 10/3; mean Co mean Cp = 35/9; NMSE = 30/35 = 6/7
    assert_allclose(metrics.nmse(CO, CP), 6.0 / 7.0)


def test_geometric_mean_bias_by_hand():
    # ln Co - ln Cp = -ln 2, 0, ln 4 = 2 ln 2 -> mean ln(2)/3; MG = 2**(1/3)
    assert_allclose(metrics.geometric_mean_bias(CO, CP), 2.0 ** (1.0 / 3.0))


def test_geometric_variance_by_hand():
    # squares (ln 2)^2, 0, 4 (ln 2)^2 -> mean 5/3 (ln 2)^2
    assert_allclose(metrics.geometric_variance(CO, CP), math.exp(5.0 / 3.0 * math.log(2) ** 2))


def test_fac2_by_hand_including_the_edges():
    # ratios Cp/Co: 2 (edge, in), 1 (in), 0.25 (out), 0.5 (edge, in), 2.01 (out) -> 3/5
    co = [1.0, 2.0, 4.0, 2.0, 1.0]
    cp = [2.0, 2.0, 1.0, 1.0, 2.01]
    assert_allclose(metrics.fac2(co, cp), 0.6)


def test_perfect_model():
    c = np.array([0.3, 5.0, 120.0])
    stats = metrics.evaluate(c, c)
    assert_allclose([stats[k] for k in ("FAC2", "FB", "NMSE", "MG", "VG")], [1, 0, 0, 1, 1])
    assert all(metrics.acceptance(stats).values())


def test_uniform_factor_of_two_over_prediction():
    # Cp = 2 Co: FB = (1 - 2) / 1.5 = -2/3; NMSE = mean(Co^2) / (2 mean(Co)^2);
    # MG = 1/2; VG = exp((ln 2)^2) = 1.617 (just above 1.6); FAC2 = 1 (ratio 2 is inside)
    co = np.array([1.0, 3.0])
    stats = metrics.evaluate(co, 2 * co)
    assert_allclose(stats["FB"], -2.0 / 3.0)
    assert_allclose(stats["NMSE"], 5.0 / (2 * 4.0))
    assert_allclose(stats["MG"], 0.5)
    assert_allclose(stats["VG"], math.exp(math.log(2) ** 2))
    assert stats["FAC2"] == 1.0
    ok = metrics.acceptance(stats)
    assert ok == {"FAC2": True, "FB": False, "NMSE": True, "MG": False, "VG": False}


def test_zero_observation_counts_for_fac2_only_when_predicted_zero():
    assert metrics.fac2([0.0, 1.0], [0.0, 1.0]) == 1.0
    assert metrics.fac2([0.0, 1.0], [0.1, 1.0]) == 0.5


@pytest.mark.parametrize(
    ("co", "cp", "message"),
    [
        ([1.0, 2.0], [1.0], "differ in length"),
        ([], [], "no pairs"),
        ([1.0, np.nan], [1.0, 1.0], "finite"),
        ([1.0, -1.0], [1.0, 1.0], ">= 0"),
    ],
)
def test_bad_pairs_raise(co, cp, message):
    with pytest.raises(ValueError, match=message):
        metrics.fractional_bias(co, cp)


def test_logarithmic_measures_reject_zero():
    with pytest.raises(ValueError, match="> 0"):
        metrics.geometric_mean_bias([1.0, 0.0], [1.0, 1.0])
    with pytest.raises(ValueError, match="> 0"):
        metrics.geometric_variance([1.0, 1.0], [0.0, 1.0])


def test_peer_bar_inside_and_outside_the_spread():
    # SLAB 2, DEGADIS 4: 3 lies inside [2, 4]; 1 is below 2 by x2; 8 is above 4 by x2
    assert metrics.peer_bar(3.0, 2.0, 4.0) == (True, "inside the spread")
    assert metrics.peer_bar(1.0, 2.0, 4.0) == (False, "below by x2.00")
    assert metrics.peer_bar(8.0, 4.0, 2.0) == (False, "above by x2.00")
    assert metrics.peer_bar(2.0, 2.0, 4.0)[0] is True  # the edges count as inside


def test_peer_bar_only_slab_within_one_and_a_half():
    nan = float("nan")
    assert metrics.peer_bar(1.5, 1.0, nan)[0] is True  # 1.5 / 1 = 1.5, on the bar
    assert metrics.peer_bar(1.0, 1.5, nan)[0] is True  # 1 / 1.5 = 1/1.5, on the bar
    assert metrics.peer_bar(1.6, 1.0, nan) == (False, "1.60 x SLAB: outside 1.5x")
    assert metrics.peer_bar(1.0, nan, nan) == (None, "no peer value")
    # a peer's next-to-nothing value: three significant figures, not 16 digits
    assert metrics.peer_bar(2e-3, 1e-21, nan) == (False, "2e+18 x SLAB: outside 1.5x")
    assert metrics.peer_bar(1.0, 2.5e4, 3e4) == (False, "below by x2.5e+04")
    assert metrics.peer_bar(1.0, nan, 2.0) == (None, "no peer value")  # DEGADIS alone: no bar
