"""The engine carries a rupture's puff with the integral model (issue 10, "one model
everywhere"): the instantaneous mass is one puff of the short segment of
``physics.integral_plume.puff_as_segment`` (M / T lasting T) that carries the steady
plume's cross-section with the window of ``physics.plume_puffs`` for a step of T, as
``physics.puff_passage`` follows it for the zones and the QRA; the pool it rains out feeds
a train of its own. Before, the engine carried the puff and the pool's evaporation as
Briggs Gaussian puffs from a point (no dense phase)."""

import math

import numpy as np
import pytest
from numpy.testing import assert_allclose
from scipy.integrate import cumulative_trapezoid

from physics import dispersion, plume_puffs
from scenarios.engine import Engine
from scenarios.zones import Cloud
from tests.engine_cases import park, scenario


def _rupture(asset, wind, stability, **weather):
    sc = scenario(
        scenario={"duration": "60 min"},
        weather={"wind_speed": wind, "stability": stability, **weather},
        release=[{"asset": asset, "rupture": True}],
        response={"decision_delay": "30 min"},
    )
    return Engine(sc, park())


def _axis(e):
    """Unit vector along the wind of the moment (where it blows to)."""
    theta = math.radians(e.weather.wind_from_deg)
    return np.array([-math.sin(theta), -math.cos(theta)])


def _run_until_the_puff_is_at(e, distance_m):
    """Run until the puff's middle has covered ``distance_m`` (its segment leaves between
    the start and T after it, at the model's cloud speed); returns its travel [m]."""
    puff = e._cloud(e.leaks[0])[0]
    t = 0.5 * puff.step_s + float(plume_puffs.travel_time(puff.table, distance_m))
    e.env.run(until=math.ceil(t / e.dt) * e.dt + 1e-6)
    return float(e.leaks[0].puffs.travel[e.leaks[0].part == 0][0])


def _puff_alone(e):
    """Leave only the rupture's puff in the air (the pool's train taken out)."""
    leak = e.leaks[0]
    mine = leak.part == 0
    leak.puffs = dispersion.PuffState(*(a[mine] for a in leak.puffs))
    leak.part, leak.crossed = leak.part[mine], leak.crossed[mine]
    return leak


def _held_kg(e):
    """The field of the leak's puffs integrated over x along the wind, y across it and z
    up, on grids scaled to the puff's cross-section (out to 6 sigma) [kg]."""
    leak = e.leaks[0]
    train = e._cloud(leak)[0]
    t = train.table
    s = leak.puffs.travel[:1]
    back, front = (float(v[0]) for v in plume_puffs.segments(t, s, train.step_s))
    assert np.isfinite(back)  # the whole segment has left the source
    lo = max(back - 6.0 * float(np.interp(back, t.s, t.sigma_x)), 0.0)
    x = np.linspace(lo, front + 6.0 * float(np.interp(front, t.s, t.sigma_x)), 161)
    # one cloud: its middle's cross-section all along it (``physics.plume_puffs``)
    b, sy, sz, h = (
        np.full(x.size, np.interp(s[0], t.s, a)) for a in (t.b, t.sigma_y, t.sigma_z, t.height)
    )
    y_end, z_end = b + 6.0 * sy, h + 6.0 * sz
    eta, zeta = np.linspace(-1.0, 1.0, 81), np.linspace(0.0, 1.0, 61)
    y = eta[None, :, None] * y_end[:, None, None]
    z = zeta[None, None, :] * z_end[:, None, None]
    x, y, z = np.broadcast_arrays(x[:, None, None], y, z)
    along, across = _axis(e), np.array([-_axis(e)[1], _axis(e)[0]])
    xy = np.asarray(leak.xy) + x.reshape(-1, 1) * along + y.reshape(-1, 1) * across
    c = e.concentration(xy, z.ravel()).reshape(x.shape)
    per_m = np.trapezoid(np.trapezoid(c, zeta, axis=2), eta, axis=1) * y_end * z_end
    return float(np.trapezoid(per_m, x[:, 0, 0]))


@pytest.mark.parametrize(("wind", "stability"), [("2 m/s", "F"), ("5 m/s", "D")])
def test_the_puffs_hold_what_went_into_the_air(wind, stability):
    """CL-101 ruptured: one puff holds the instantaneous mass (flash vapour and aerosol),
    the pool's train what evaporated from the rained-out pool up to now (the source term's
    rate integrated, within 1 %), and the puff's field integrated over space once its
    segment is clear of the source is its mass (the window's property, within 2 %)."""
    e = _rupture("CL-101", wind, stability)
    leak = e.leaks[0]
    assert [train.name for train in e._cloud(leak)] == ["puff", "pool"]
    _run_until_the_puff_is_at(e, 1000.0)
    now = e.env.now
    p, term = leak.puffs, leak.term
    assert p.mass[leak.part == 0] == pytest.approx([term.instantaneous_kg], rel=1e-12)
    evaporated = cumulative_trapezoid(term.airborne_kg_s, term.times_s, initial=0.0)
    pool = float(np.interp(now - leak.spec.start_s, term.times_s, evaporated))
    assert pool > 100.0
    assert p.mass[leak.part == 1].sum() == pytest.approx(pool, rel=0.01)
    assert leak.emitted_kg == pytest.approx(p.mass.sum(), rel=1e-12)
    _puff_alone(e)
    assert _held_kg(e) == pytest.approx(term.instantaneous_kg, rel=0.02)


@pytest.mark.parametrize(
    ("asset", "wind", "stability"), [("CL-101", "5 m/s", "D"), ("NH-101", "3 m/s", "D")]
)
def test_the_engine_puff_peak_is_the_zones_puff(asset, wind, stability):
    """On the axis at the puff's middle, the engine's field of the puff is the zones' (and
    the QRA's) puff: ``Cloud``'s puff part's centreline, which carries the finite-duration
    factor erf(u T / (2 sqrt 2 sigma_x)), the window's peak (one model in both, within
    3 %): at 100 m, where the segment's own length u T is 0.7 (CL-101) and 3.5 (NH-101)
    times sigma_x and the window's step must be T, not the engine's 10 s (it would be 19 %
    and 23 % off), and at 1 km and 3 km, where sigma_x >> u T (the Gaussian puff)."""
    e = _rupture(asset, wind, stability)
    leak = e.leaks[0]
    cloud = Cloud(leak.term, e.weather)
    assert cloud.parts[0].name == "puff"
    for distance in (100.0, 1000.0, 3000.0):
        s = _run_until_the_puff_is_at(e, distance)
        assert distance <= s < distance + 60.0  # at most a step of 10 s further
        mine = leak.part == 0
        alone = [
            dispersion.PuffState(*(a * mine if k == 3 else a for k, a in enumerate(leak.puffs)))
        ]
        xy = np.asarray(leak.xy) + s * _axis(e)
        got = e.concentration(xy[None, :], puffs=alone)[0]
        expected = float(cloud.parts[0].plume.centreline([s])[0][0])
        assert got == pytest.approx(expected, rel=0.03), distance


def test_a_wind_shift_turns_the_puff():
    """Wind from 270 deg for 2 min, then from 0 deg: the puff first goes east of CL-101;
    2 min after the shift it has moved south exactly as far as its own cloud goes in
    120 s from where it was (``physics.plume_puffs.travel_after``, the puff's table), and
    its field is there, not where the wind would have taken it without the shift."""
    e = _rupture("CL-101", "5 m/s", "D", changes=[{"at": "2 min", "wind_from": "0 deg"}])
    leak = e.leaks[0]
    sx, sy = leak.xy
    e.env.run(until=120.0 + 1e-6)
    p = leak.puffs
    mine = np.flatnonzero(leak.part == 0)
    assert mine.size == 1
    k = int(mine[0])
    x0, y0, s0 = p.x[k], p.y[k], p.travel[k]
    assert math.degrees(math.atan2(x0 - sx, y0 - sy)) % 360.0 == pytest.approx(90.0, abs=1e-6)
    e.env.run(until=240.0 + 1e-6)
    p = leak.puffs
    gone = float(plume_puffs.travel_after(e._cloud(leak)[0].table, s0, 120.0)) - s0
    assert gone > 100.0
    assert_allclose([p.x[k], y0 - p.y[k], p.travel[k]], [x0, gone, s0 + gone], rtol=1e-9)
    here = e.concentration(np.array([[p.x[k], p.y[k]]]))[0]
    east = e.concentration(np.array([[sx + p.travel[k], sy]]))[0]
    assert here > 0.0 and east < 1e-3 * here


def test_a_cloud_frame_holds_all_of_the_cloud_above_the_lowest_level():
    """The frame for the map reaches as far as the puff and the pool's train reach: every
    point of a wide grid where the field is at or above the lowest level lies inside it."""
    e = _rupture("CL-101", "5 m/s", "D")
    _run_until_the_puff_is_at(e, 1000.0)
    leak = e.leaks[0]
    lowest = float(min(e.levels[1]))
    at_puffs = [e.concentration(np.column_stack([leak.puffs.x, leak.puffs.y]))]
    x, y, _ = e._cloud_frame(lowest, at_puffs)
    sx, sy = leak.xy
    gx, gy = np.meshgrid(
        np.linspace(sx - 3000.0, sx + 3000.0, 241), np.linspace(sy - 3000.0, sy + 3000.0, 241)
    )
    pts = np.column_stack([gx.ravel(), gy.ravel()])
    above = pts[e.concentration(pts) >= lowest]
    assert len(above) > 10
    assert above[:, 0].min() >= x[0] and above[:, 0].max() <= x[-1]
    assert above[:, 1].min() >= y[0] and above[:, 1].max() <= y[-1]


def test_ignition_stops_both_the_puff_and_the_pool():
    """LP-101 ruptured and ignited as a fireball at 5 min: its puff went into the air at
    the start, and from the ignition on the pool's train gets nothing more."""
    sc = scenario(
        scenario={"duration": "10 min"},
        weather={"wind_speed": "5 m/s", "stability": "D"},
        release=[{"asset": "LP-101", "rupture": True, "fire": "fireball", "ignition": "5 min"}],
    )
    e = Engine(sc, park())
    leak = e.leaks[0]
    assert [train.name for train in e._cloud(leak)] == ["puff", "pool"]
    e.env.run(until=300.0 + 1e-6)
    assert leak.ignited_s == pytest.approx(300.0)
    count, emitted = leak.puffs.mass.size, leak.emitted_kg
    assert (leak.part == 0).sum() == 1 and (leak.part == 1).sum() > 20
    e.env.run(until=600.0 + 1e-6)
    assert leak.puffs.mass.size == count and leak.emitted_kg == emitted
