"""Puffs carrying the integral plume's cross-section (``physics.plume_puffs``): in a steady
wind the train is the integral model's plume at every distance, its mass is the released
mass, and a wind shift turns it."""

import math

import numpy as np
import pytest

from physics import integral_plume, plume_puffs, substances

# (substance, rate kg/s, jet speed m/s, pool area m2, hole height m, wind m/s, class)
CASES = [
    ("chlorine", 4.0, 60.0, 0.0, 1.0, 5.0, "D"),
    ("chlorine", 4.0, 60.0, 0.0, 1.0, 2.0, "F"),
    ("ammonia", 6.0, 120.0, 0.0, 2.0, 5.0, "D"),
    ("ammonia", 6.0, 120.0, 0.0, 2.0, 2.0, "F"),
    ("chlorine", 1.5, 0.0, 300.0, 0.0, 5.0, "D"),
    ("propane", 3.0, 0.0, 500.0, 0.0, 2.0, "F"),
]
DT = 10.0


def _plume(name, rate, jet, area, height, wind, stability):
    sub = substances.lookup(name)
    release = integral_plume.substance_release(
        sub, rate, area_m2=area, height_m=height, jet_velocity_m_s=jet
    )
    ambient = integral_plume.Ambient(wind, stability, 0.1)
    return integral_plume.integral_plume(release, ambient, x_max_m=40_000.0)


def _train(table, rate, steps, wind_from=270.0):
    """Puffs of a steady release after ``steps`` steps of DT from a source at the origin:
    (x, y, travel, mass)."""
    x, y, s, m = (np.zeros(0) for _ in range(4))
    theta = math.radians(wind_from)
    ex, ey = -math.sin(theta), -math.cos(theta)
    for _ in range(steps):
        new_s = plume_puffs.travel_after(table, s, DT)
        x, y = x + (new_s - s) * ex, y + (new_s - s) * ey
        s = new_s
        first = plume_puffs.distance_at(table, 0.5 * DT)
        x, y = np.append(x, first * ex), np.append(y, first * ey)
        s, m = np.append(s, first), np.append(m, rate * DT)
    return x, y, s, m


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c[0]}-{c[6]}-{'jet' if c[2] else 'pool'}")
def test_a_steady_train_is_the_integral_plume_at_every_distance(case):
    """Ground-level centreline of the puffs = the integral model's within 2 % from 2 m to
    10 km (once the cloud's front is well past 10 km), and off the axis at 200 m and 2 km."""
    rate = case[1]
    plume = _plume(*case)
    table = plume_puffs.plume_table(plume, rate, 40_000.0)
    # the front, smoothed over its sigma_x, well past 10 km
    front = 10_000.0 + 5.0 * np.interp(30_000.0, table.s, table.sigma_x)
    steps = math.ceil(plume_puffs.travel_time(table, front) / DT)
    x, y, s, m = _train(table, rate, steps)
    d = np.geomspace(2.0, 10_000.0, 60)
    ours = plume_puffs.concentration(table, x, y, s, m, DT, 270.0, d, np.zeros_like(d))
    model = plume.centreline(d)[0]
    assert ours == pytest.approx(model, rel=0.02)
    # no step larger than 5 % between neighbouring points 2 m to 10 km (ratio of 1.15)
    assert np.all(np.abs(np.diff(np.log(ours))) < np.abs(np.diff(np.log(model))) + 0.01)
    for at in (200.0, 2000.0):
        _, b, sy, _, _ = (v[0, 0] for v in plume.profile([at]))
        off = np.array([b + sy])
        ours = plume_puffs.concentration(table, x, y, s, m, DT, 270.0, [at], off)
        assert ours == pytest.approx(plume.at([at], off)[0], rel=0.02)
    assert m.sum() == pytest.approx(rate * DT * steps, rel=1e-12)


def test_a_wind_shift_turns_the_train():
    """After the wind turns from west to north, the newer puffs lie south of the source and
    carry the model's plume there; east of the source only the older puffs remain."""
    case = CASES[0]
    rate = case[1]
    plume = _plume(*case)
    table = plume_puffs.plume_table(plume, rate, 40_000.0)
    x, y, s, m = _train(table, rate, 60, wind_from=270.0)
    x2, y2, s2, m2 = _train(table, rate, 60, wind_from=0.0)
    # the old train moves south with the new wind for 60 steps
    after = plume_puffs.travel_after(table, s, 60 * DT)
    both = (
        np.concatenate([x, x2]),
        np.concatenate([y - (after - s), y2]),
        np.concatenate([after, s2]),
        np.concatenate([m, m2]),
    )
    south = plume_puffs.concentration(table, *both, DT, 0.0, [0.0], [-150.0])
    assert south[0] == pytest.approx(plume.centreline([150.0])[0, 0], rel=0.02)
    east = plume_puffs.concentration(table, *both, DT, 0.0, [150.0], [0.0])
    assert east[0] < 1e-3 * south[0]
