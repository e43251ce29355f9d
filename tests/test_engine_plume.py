"""The engine's field in a steady wind is the integral model's plume (issue 10, "one model
everywhere"): the puffs of a continuous release carry ``physics.integral_plume``'s steady
plume (``physics.plume_puffs``), so along the wind the engine's ground-level centreline is
each cloud's plume of ``scenarios.zones.Cloud`` scaled to the rate it was released at, from
the source to the cloud's front, with no seam where the cloud stops being dense."""

import math

import numpy as np
import pytest

from physics import plume_puffs
from scenarios.engine import Engine
from scenarios.zones import Cloud
from tests.engine_cases import park, scenario

# (asset, hole, height, wind speed, class): NH-101's flashing jet that rains out (a jet and
# a pool, two clouds), CL-101's jet, BZ-101's pool
# and the time [s] the field is looked at
CASES = [
    ("NH-101", "50 mm", "0.5 m", "5 m/s", "D", 900.0),
    ("NH-101", "50 mm", "0.5 m", "2 m/s", "F", 1800.0),
    ("CL-101", "25 mm", "1 m", "5 m/s", "D", 900.0),
    ("CL-101", "25 mm", "1 m", "2 m/s", "F", 1800.0),
    ("BZ-101", "100 mm", "0.5 m", "3 m/s", "D", 900.0),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c[0]}-{c[4]}")
def test_the_engine_centreline_is_the_integral_model_at_every_distance(case):
    asset, hole, height, wind, stability, t_s = case
    sc = scenario(
        weather={"wind_speed": wind, "stability": stability},
        release=[{"asset": asset, "hole": hole, "height": height}],
        scenario={"duration": f"{t_s + 60:.0f} s"},
    )
    e = Engine(sc, park())
    e.env.run(until=t_s + 1e-6)
    leak = e.leaks[0]
    cloud = Cloud(leak.term, e.weather, steady=True)
    tables = {train.name: train.table for train in e._cloud(leak)}
    assert set(tables) == {p.name for p in cloud.parts if p.rate > 0}
    # as far as every cloud's front has come, less its smoothing over sigma_x
    far = min(
        float(plume_puffs.distance_at(t, t_s - 60.0))
        - 4.0 * float(np.interp(plume_puffs.distance_at(t, t_s), t.s, t.sigma_x))
        for t in tables.values()
    )
    far = min(far, 9_000.0)
    assert far > 400.0
    x = np.geomspace(3.0, far, 300)  # neighbours 1.7-2.7 % apart
    expected = np.zeros_like(x)
    for part in cloud.parts:
        if part.rate <= 0:
            continue
        # each distance holds what left the source one travel time ago
        released = t_s - plume_puffs.travel_time(tables[part.name], x)
        rate = np.array([leak.part_kg_s(part.name, t) for t in released])
        expected += part.plume.centreline(x)[0] * rate / part.rate
    sx, sy = leak.xy
    got = e.concentration(np.column_stack([sx + x, np.full_like(x, sy)]))
    assert got == pytest.approx(expected, rel=0.03)
    # continuity: no step above 5 % between neighbouring points
    assert np.max(np.abs(np.diff(np.log(got)))) < math.log(1.05)
    # the puffs carry what was released
    assert leak.puffs.mass.sum() == pytest.approx(leak.emitted_kg, rel=1e-12)
