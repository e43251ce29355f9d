"""Graded alarms with deadband and on/off delays, acknowledge and clear (twin.alarms).

Oracle: the alarm semantics of OPC UA Part 9, Annex B.1.5 (on-delay: the value must stay
beyond the limit for the whole delay; deadband: it must come back past the limit by the
deadband to return to normal; off-delay: it must stay back for the whole delay), with the
limits of the demo park's sensors layer (GB/T 50493-2019 grading for gas detectors).
Settings used: deadband 2 % of span, process on-delay 15 s, off-delay 30 s, gas on-delay 0.
"""

import numpy as np
import pytest

import twin
from twin.alarms import AlarmSettings
from twin.log import ReadingLog, read_alarms
from twin.monitor import Twin
from twin.readings import Reading

T0 = 1.7e9
TAG = "LT-ME101"  # L 1.58, H 14.22, HH 15.01 m; span 15.8 m -> deadband 0.316 m


@pytest.fixture(scope="module")
def park():
    return twin.load_park("demo")


def _series(values, tag=TAG, step=5.0, t0=T0):
    return [Reading(t0 + i * step, tag, float(v)) for i, v in enumerate(values)]


def _events(tw, state=None):
    return [(e.tag, e.level, e.state) for e in tw.alarms.events if state in (None, e.state)]


def test_grades_high_highhigh_low(park):
    tw = Twin(park)
    up = np.linspace(10.0, 15.5, 56)
    down = np.linspace(15.5, 1.0, 146)
    tw.run(_series(np.concatenate([up, np.full(10, 15.5), down, np.full(10, 1.0)])))
    raised = [e.level for e in tw.alarms.events if e.state == "raised"]
    cleared = [e.level for e in tw.alarms.events if e.state == "cleared"]
    assert raised == ["H", "HH", "L"]
    assert cleared == ["HH", "H"]
    high = tw.alarms.alarms[0]
    assert high.value >= 14.22 and "high level at ME-101" in high.cause
    assert [a.level for a in tw.alarms.active] == ["L"]


def test_on_delay_filters_a_short_spike(park):
    tw = Twin(park)
    values = [10.0] * 5 + [14.5, 14.5] + [10.0] * 5  # 10 s above: shorter than 15 s
    tw.run(_series(values))
    assert tw.alarms.events == []
    tw.run(_series([14.5] * 5, t0=T0 + 100))
    raised = [e for e in tw.alarms.events if e.state == "raised"]
    assert len(raised) == 1 and raised[0].t == T0 + 115  # first beyond at +100, +15 s delay


def test_deadband_stops_chatter(park):
    rng = np.random.default_rng(1)
    noisy = 14.22 + rng.normal(0.0, 0.08, 400)  # noise well inside the 0.316 m deadband
    tw = Twin(park)
    tw.run(_series(np.concatenate([[14.6] * 5, noisy])))
    assert _events(tw, "raised") == [(TAG, "H", "raised")]
    assert _events(tw, "cleared") == []


def test_without_deadband_and_delays_it_chatters(park):
    """The same noisy signal with the tools switched off: many alarms (the test above
    could not pass by accident)."""
    rng = np.random.default_rng(1)
    noisy = 14.22 + rng.normal(0.0, 0.08, 400)
    settings = AlarmSettings(
        process_deadband_fraction=0, process_on_delay_s=0, process_off_delay_s=0
    )
    tw = Twin(park, alarm_settings=settings)
    tw.run(_series(np.concatenate([[14.6] * 5, noisy])))
    assert len(_events(tw, "raised")) > 50


def test_off_delay_and_clear(park):
    tw = Twin(park)
    values = [14.6] * 6 + [13.8] * 4 + [14.6] * 2 + [13.8] * 8  # 20 s back, then 40 s back
    tw.run(_series(values))
    states = [(e.state, e.t - T0) for e in tw.alarms.events if e.state in ("raised", "cleared")]
    assert states == [("raised", 15.0), ("cleared", 90.0)]  # back at +60, +30 s off-delay
    assert tw.alarms.active == []


def test_acknowledge(park):
    tw = Twin(park)
    tw.run(_series([14.6] * 6))
    alarm = tw.alarms.acknowledge(TAG, "H", T0 + 40.0)
    assert alarm.acked and alarm.t_acked == T0 + 40.0
    assert tw.alarms.events[-1].state == "acked"
    tw.alarms.acknowledge(TAG, "H", T0 + 50.0)  # twice: one event only
    assert sum(e.state == "acked" for e in tw.alarms.events) == 1
    with pytest.raises(KeyError):
        tw.alarms.acknowledge(TAG, "HH", T0)


def test_gas_detector_levels(park):
    tw = Twin(park)
    readings = _series([0.0, 30.0, 60.0], tag="AT-NH01") + _series([0.0, 30.0], tag="AT-LP01")
    tw.run(sorted(readings, key=lambda r: r.t))
    raised = [e for e in tw.alarms.events if e.state == "raised"]
    assert [(e.tag, e.level, e.t - T0) for e in raised] == [
        ("AT-NH01", "AL1", 5.0),
        ("AT-LP01", "AL1", 5.0),
        ("AT-NH01", "AL2", 10.0),
    ]
    assert "first-level toxic gas (<= 100 % of the occupational limit)" in raised[0].cause
    assert "first-level combustible gas (<= 25 % LEL)" in raised[1].cause


def test_events_logged_and_replay_identical(park, tmp_path):
    rng = np.random.default_rng(7)
    wave = 13.8 + 1.5 * np.sin(np.arange(600) * 2 * np.pi / 120) + rng.normal(0, 0.1, 600)
    readings = _series(wave)
    with ReadingLog(tmp_path / "log.sqlite") as log:
        first = Twin(park, log=log)
        first.run(readings)
    logged = [row for row in read_alarms(tmp_path / "log.sqlite") if row.kind != "leak"]
    assert logged == first.alarms.events and len(logged) > 20
    second = Twin(park)
    second.run(readings)
    assert second.alarms.events == first.alarms.events


def test_bad_settings():
    with pytest.raises(ValueError, match="process_on_delay_s"):
        AlarmSettings(process_on_delay_s=-1.0)
