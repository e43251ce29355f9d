"""One test per plausibility rule (twin.plausibility), and process alarms left as process.

Oracles: the rules' definitions (NAMUR NE 43 measuring band 3.8-20.5 mA of a 4-20 mA
span; the largest inflow through the tank's closed-form geometry; mass from level and
density against metered transfers), applied to constructed signals whose answer is known.
Each alarm is a high or high-high level on a demo park tank (sensors layer limits).
"""

import numpy as np
import pytest

import twin
from twin.monitor import Twin
from twin.plausibility import INSTRUMENT, PROCESS
from twin.readings import Reading

T0 = 1.7e9
STEP = 10.0


@pytest.fixture(scope="module")
def park():
    return twin.load_park("demo")


def _noisy(level, n, seed, sd=0.002):
    rng = np.random.default_rng(seed)
    return np.round(np.asarray(level, dtype=float) + rng.normal(0, sd, n), 3)


def _run(park, tag, values, qualities=None, extra=()):
    qualities = qualities or ["good"] * len(values)
    readings = [
        Reading(T0 + i * STEP, tag, float(v), q)
        for i, (v, q) in enumerate(zip(values, qualities, strict=True))
    ]
    readings = sorted(readings + list(extra), key=lambda r: r.t)
    tw = Twin(park)
    tw.run(readings)
    alarms = [a for a in tw.alarms.alarms if a.tag == tag]
    assert alarms, "the signal must raise an alarm"
    return alarms[0].verdict


def test_bad_quality(park):
    values = np.concatenate([_noisy(14.0, 60, 1), _noisy(14.4, 20, 2)])
    qualities = ["good"] * 50 + ["uncertain"] * 5 + ["good"] * 25
    verdict = _run(park, "LT-ME101", values, qualities)
    assert (verdict.classification, verdict.rule) == (INSTRUMENT, "bad_quality")
    assert "uncertain" in verdict.detail


def test_out_of_range(park):
    # ME-101's level range is 0..15.8 m: NAMUR NE 43 allows up to 103.125 % = 16.29 m.
    values = np.concatenate([_noisy(14.0, 60, 3), [16.5, 16.5, 16.5, 16.5]])
    verdict = _run(park, "LT-ME101", values)
    assert (verdict.classification, verdict.rule) == (INSTRUMENT, "out_of_range")
    assert "16.29" in verdict.detail


def test_in_range_saturation_is_not_out_of_range(park):
    values = np.concatenate([_noisy(14.0, 60, 3), [16.2] * 4])  # 102.5 % of span
    verdict = _run(park, "LT-ME101", values)
    assert "out_of_range" not in dict(verdict.evidence)


def test_stuck(park):
    values = np.concatenate([_noisy(13.0, 30, 4), [13.123] * 40, _noisy(14.5, 5, 5)])
    verdict = _run(park, "LT-ME101", values)
    assert (verdict.classification, verdict.rule) == (INSTRUMENT, "stuck")
    assert "40 readings" in verdict.detail


def test_rate(park):
    # A 0.7 m step in 10 s: ME-101 (21 m across) would need ~240 m3 in 10 s; the largest
    # metered flow in the park (12 kg/s) raises it 13 mm in 5 minutes.
    values = np.concatenate([_noisy(13.9, 60, 6), _noisy(14.6, 6, 7)])
    verdict = _run(park, "LT-ME101", values)
    assert (verdict.classification, verdict.rule) == (INSTRUMENT, "rate")


def test_disagreement(park):
    # NB-101: level creeps from 2.3 to 2.8 m over 30 min (slow enough for the rate rule,
    # about 9 t of ammonia) with no line filling it and pressure and temperature flat.
    n = 190
    values = _noisy(np.linspace(2.3, 2.8, n), n, 8)
    rng = np.random.default_rng(9)
    extra = [Reading(T0 + i * STEP, "PT-NB101", 756.0 + rng.normal(0, 1.0)) for i in range(n)]
    extra += [Reading(T0 + i * STEP, "TT-NB101", 20.0 + rng.normal(0, 0.05)) for i in range(n)]
    verdict = _run(park, "LT-NB101", values, extra=extra)
    assert (verdict.classification, verdict.rule) == (INSTRUMENT, "disagreement")
    assert "metered net inflow is 0 t" in verdict.detail


def test_related_tags_moving_make_it_process(park):
    """The same creep with temperature and pressure rising (a warming vessel): the related
    tags change, so the rule does not call the level a fault."""
    n = 190
    values = _noisy(np.linspace(2.3, 2.8, n), n, 8)
    rng = np.random.default_rng(9)
    extra = [
        Reading(T0 + i * STEP, "PT-NB101", 756.0 + 0.8 * i + rng.normal(0, 1.0)) for i in range(n)
    ]
    extra += [
        Reading(T0 + i * STEP, "TT-NB101", 20.0 + 0.03 * i + rng.normal(0, 0.05)) for i in range(n)
    ]
    verdict = _run(park, "LT-NB101", values, extra=extra)
    assert verdict.classification == PROCESS
    assert verdict.rule == "none"


def test_gas_alarm_on_a_live_signal_is_process(park):
    rng = np.random.default_rng(10)
    values = np.concatenate([np.abs(rng.normal(0, 1.0, 60)), 40 + rng.normal(0, 4, 10)]).round(1)
    verdict = _run(park, "AT-NH01", values)
    assert (verdict.classification, verdict.rule) == (PROCESS, "none")
