"""Mean of readings clipped at the top of a detector's range (twin.censored).

Oracle: scipy.stats.norm.fit on scipy.stats.CensoredData (an independent implementation
of the maximum-likelihood fit of a right-censored normal sample, Cohen 1959).
"""

import math

import numpy as np
import pytest
from numpy.testing import assert_allclose
from scipy import stats

from twin.censored import censored_mean


@pytest.mark.parametrize(("mean", "seed"), [(400.0, 1), (450.0, 2), (490.0, 3)])
def test_matches_scipy_censored_fit(mean, seed):
    top = 500.0
    x = np.minimum(np.random.default_rng(seed).normal(mean, 50.0, 60), top)
    at_top = x >= top
    assert 0 < at_top.sum() <= 30
    loc, _ = stats.norm.fit(stats.CensoredData(uncensored=x[~at_top], right=x[at_top]))
    assert_allclose(censored_mean(x, top), loc, rtol=1e-6)
    assert censored_mean(x, top) > x.mean()  # the shown mean is a lower bound


def test_over_range_readings_are_censored_at_their_own_value():
    """Readings above the top but inside the measuring band (over range, `twin.transmitter`)
    say "at least this"."""
    rng = np.random.default_rng(4)
    x = np.minimum(rng.normal(470.0, 40.0, 60), 500.0)
    x[x >= 500.0] = rng.uniform(500.0, 515.0, int((x >= 500.0).sum()))
    at_top = x >= 500.0
    loc, _ = stats.norm.fit(stats.CensoredData(uncensored=x[~at_top], right=x[at_top]))
    assert_allclose(censored_mean(x, 500.0), loc, rtol=1e-6)


def test_none_at_the_top_is_the_plain_mean():
    x = np.array([10.0, 12.0, 11.0])
    assert censored_mean(x, 500.0) == pytest.approx(11.0)


def test_no_estimate_when_most_readings_are_at_the_top_or_nothing_varies():
    assert math.isnan(censored_mean([500.0, 500.0, 480.0], 500.0))
    assert math.isnan(censored_mean([500.0, 470.0, 470.0], 500.0))
    assert math.isnan(censored_mean([], 500.0))
