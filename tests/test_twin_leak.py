"""Inventory-loss fit and source estimation (twin.leak).

Oracles:
- the loss-rate fit against scipy.stats.linregress (an independent least-squares
  implementation: slope and its standard error) and exact linear data;
- source estimation against synthetic detector readings made with the forward model
  (physics.dispersion.plume_concentration) for a known source and rate, with seeded
  10 % multiplicative noise: the issue's acceptance test is the right asset and the rate
  within 20 %.
"""

import numpy as np
import pytest
from numpy.testing import assert_allclose
from scipy.stats import linregress

from physics.dispersion import plume_concentration
from twin.leak import estimate_source, inventory_loss_rate

CANDIDATES = [("T1", 0.0, 0.0), ("T2", 30.0, 0.0), ("T3", 0.0, 40.0), ("T4", -60.0, -20.0)]


def test_loss_rate_exact_line():
    t = np.arange(0.0, 1200.0, 60.0)
    transfers = -3.0 * t  # 3 kg/s metered out
    mass = 4.0e5 - 3.0 * t - 0.15 * t  # and 0.15 kg/s more that nobody metered
    loss = inventory_loss_rate(t, mass, transfers)
    assert_allclose(loss.rate_kg_s, 0.15, rtol=1e-9)
    assert loss.se_kg_s < 1e-9


def test_loss_rate_matches_linregress():
    rng = np.random.default_rng(3)
    t = np.arange(0.0, 1200.0, 60.0)
    mass = 5e4 - 0.1 * t + rng.normal(0, 20.0, t.size)
    ref = linregress(t, mass)
    loss = inventory_loss_rate(t, mass, np.zeros_like(t))
    assert_allclose(loss.rate_kg_s, -ref.slope, rtol=1e-10)
    assert_allclose(loss.se_kg_s, ref.stderr, rtol=1e-10)


def test_loss_rate_many_tanks_at_once():
    rng = np.random.default_rng(4)
    t = np.arange(0.0, 1200.0, 60.0)
    masses = np.column_stack([1e4 - r * t + rng.normal(0, 5, t.size) for r in (0.0, 0.2, -0.1)])
    loss = inventory_loss_rate(t, masses, np.zeros_like(masses))
    for k in range(3):
        one = inventory_loss_rate(t, masses[:, k], np.zeros_like(t))
        assert_allclose(loss.rate_kg_s[k], one.rate_kg_s)
        assert_allclose(loss.se_kg_s[k], one.se_kg_s)


def test_loss_rate_bad_input():
    with pytest.raises(ValueError, match="at least 3"):
        inventory_loss_rate([0.0, 1.0], [1.0, 2.0], [0.0, 0.0])
    with pytest.raises(ValueError, match="finite"):
        inventory_loss_rate([0.0, 1.0, 2.0], [1.0, np.nan, 2.0], [0.0, 0.0, 0.0])


def _detectors():
    """A ring of 16 detectors at 50 and 120 m around the tank group, 0.5 m high."""
    angles = np.radians(np.arange(0, 360, 45))
    r = np.concatenate([np.full(8, 50.0), np.full(8, 120.0)])
    a = np.concatenate([angles, angles + np.radians(22.5)])
    return r * np.sin(a), r * np.cos(a), np.full(16, 0.5)


WEATHER = {"wind_speed": 3.0, "wind_from_deg": 250.0, "stability": "D"}


def _observe(source, rate, seed, **weather):
    x, y, z = _detectors()
    _, sx, sy = next(c for c in CANDIDATES if c[0] == source)
    c = plume_concentration(
        x, y, z, rate=rate, source_x=sx, source_y=sy, release_height=1.0, **weather
    )
    rng = np.random.default_rng(seed)
    return x, y, z, c * (1 + 0.1 * rng.normal(size=c.size)).clip(0)


@pytest.mark.parametrize(
    ("source", "rate", "seed"), [("T1", 0.5, 1), ("T2", 2.0, 2), ("T4", 0.05, 3)]
)
def test_recovers_a_synthetic_source(source, rate, seed):
    x, y, z, c = _observe(source, rate, seed, **WEATHER)
    floor = 1e-7  # kg/m3, about 0.1 ppm of ammonia
    est = estimate_source(
        x, y, z, c, 0.3 * c + floor, np.zeros(c.size, bool), CANDIDATES, **WEATHER
    )
    assert est.asset == source
    assert abs(est.rate_kg_s / rate - 1) < 0.2
    assert est.probability > 0.5  # the most likely of the four by a clear margin
    assert est.rate_sd_kg_s > 0
    assert_allclose(sum(f.probability for f in est.candidates), 1.0)


def test_censored_detectors_still_recover():
    """Detectors saturated at the top of their range count as lower bounds."""
    x, y, z, c = _observe("T1", 0.5, 5, **WEATHER)
    top = np.quantile(c[c > 0], 0.7)
    censored = c >= top
    shown = np.minimum(c, top)
    est = estimate_source(x, y, z, shown, 0.3 * shown + 1e-7, censored, CANDIDATES, **WEATHER)
    assert est.asset == "T1"
    assert abs(est.rate_kg_s / 0.5 - 1) < 0.2
    # Without the censoring, the clipped readings pull the rate down.
    naive = estimate_source(
        x, y, z, shown, 0.3 * shown + 1e-7, np.zeros(c.size, bool), CANDIDATES, **WEATHER
    )
    assert naive.rate_kg_s < est.rate_kg_s


def test_estimate_bad_input():
    x, y, z, c = _observe("T1", 0.5, 5, **WEATHER)
    flags = np.zeros(c.size, bool)
    with pytest.raises(ValueError, match="no candidate"):
        estimate_source(x, y, z, c, c + 1e-7, flags, [], **WEATHER)
    with pytest.raises(ValueError, match="errors must be finite and > 0"):
        estimate_source(x, y, z, c, np.zeros_like(c), flags, CANDIDATES, **WEATHER)
    with pytest.raises(ValueError, match="must match"):
        estimate_source(x[:3], y, z, c, c + 1e-7, flags, CANDIDATES, **WEATHER)
