"""Puffs carrying the integral plume's cross-section (``physics.plume_puffs``): in a steady
wind the train is the integral model's plume at every distance, its mass is the released
mass, and a wind shift turns it."""

import math

import numpy as np
import pytest
from scipy.special import ndtr

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


def _every_pair(table, px, py, travel, mass, dt, wind_from, x, y):
    """The field summed over every receptor-puff pair within a puff's reach, found by testing
    all of them (the definition ``concentration`` must keep; ground level)."""
    theta = math.radians(wind_from)
    ex, ey = -math.sin(theta), -math.cos(theta)
    back, front = plume_puffs.segments(table, travel, dt)
    at = plume_puffs._at
    sx_f = at(table.sigma_x, *plume_puffs._lookup(table, front))
    finite = np.isfinite(back)
    back0 = np.where(finite, back, 0.0)
    sx_b = at(table.sigma_x, *plume_puffs._lookup(table, back0))
    first = np.where(finite, back0 - plume_puffs.REACH_SIGMAS * sx_b, 0.0)
    last = front + plume_puffs.REACH_SIGMAS * sx_f
    k, w = plume_puffs._lookup(table, last)
    wide = at(table.b, k, w) + plume_puffs.REACH_SIGMAS * at(table.sigma_y, k, w)
    rx, ry = x[:, None] - px, y[:, None] - py
    s_r = rx * ex + ry * ey + travel
    across = np.abs(-rx * ey + ry * ex)
    i, j = np.nonzero((s_r > first) & (s_r < last) & (across < wide))
    sr, a = s_r[i, j], across[i, j]
    window = ndtr((front[j] - sr) / sx_f[j]) - np.where(
        finite[j], ndtr((back0[j] - sr) / sx_b[j]), 0.0
    )
    k, w = plume_puffs._lookup(table, sr)
    c, b, sy, sz, h = (
        at(v, k, w) for v in (table.c, table.b, table.sigma_y, table.sigma_z, table.height)
    )
    term = mass[j] / dt * window * np.where(sr > 0, c, 0.0)
    term *= np.exp(-0.5 * (np.maximum(a - b, 0.0) / sy) ** 2) * np.exp(-0.5 * (h / sz) ** 2)
    return np.bincount(i, weights=term, minlength=x.size), (first, last, wide, ex, ey)


def test_the_field_keeps_every_pair_within_reach_far_from_the_grid_origin():
    """``concentration`` finds its pairs in a float32 frame with a slack: on a park's
    projected coordinates (~10^6 m), after a wind shift, with receptors placed a millimetre
    inside and outside each puff's reach along and across, it gives the field of every pair
    within reach (to 1e-12) and nothing where no puff reaches."""
    case = CASES[1]
    rate = case[1]
    table = plume_puffs.plume_table(_plume(*case), rate, 40_000.0)
    x, y, s, m = _train(table, rate, 40, wind_from=270.0)
    x2, y2, s2, m2 = _train(table, rate, 40, wind_from=200.0)
    ox, oy = 783_845.9, 3_145_837.7
    px, py = np.concatenate([x, x2]) + ox, np.concatenate([y, y2]) + oy
    travel, mass = np.concatenate([s, s2]), np.concatenate([m, m2])
    rng = np.random.default_rng(3)
    rx = ox + rng.uniform(-1500.0, 1500.0, 4000)
    ry = oy + rng.uniform(-1500.0, 1500.0, 4000)
    _, (first, last, wide, ex, ey) = _every_pair(table, px, py, travel, mass, DT, 250.0, rx, ry)
    # on each puff's edges: along at first and last, across at its width, +- 1 mm
    edge = []
    for j in rng.choice(px.size, 30, replace=False):
        for along, side in ((first[j], 0.0), (last[j], 0.0), (0.5 * (first[j] + last[j]), wide[j])):
            for eps in (-1e-3, 1e-3):
                d_along = along - travel[j] + (eps if side == 0.0 else 0.0)
                d_across = side + (eps if side else 0.0)
                edge.append(
                    (px[j] + d_along * ex - d_across * ey, py[j] + d_along * ey + d_across * ex)
                )
    ex_, ey_ = np.array(edge).T
    qx, qy = np.concatenate([rx, ex_]), np.concatenate([ry, ey_])
    want, _ = _every_pair(table, px, py, travel, mass, DT, 250.0, qx, qy)
    got = plume_puffs.concentration(table, px, py, travel, mass, DT, 250.0, qx, qy)
    assert (want > 0).sum() > 300
    assert np.array_equal(got > 0, want > 0)
    assert got == pytest.approx(want, rel=1e-12, abs=0.0)
