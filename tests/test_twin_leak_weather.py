"""A gas leak in weather the source estimate cannot use: the twin goes on, with no estimate.

Oracle: the demo drill replayed without its wind direction readings (WD-01: a vane that is
offline, or whose every reading was refused as impossible), and with a wind speed beyond the
integral plume model's range (physics.integral_plume.WIND_RANGE_M_S, up to 30 m/s) from the
leak's start on. Locating a source from gas readings needs the direction the cloud drifts
to and a plume model valid in that wind (twin.leak); without them no source is estimated
from the detectors, and nothing raises. Both were found by bench/ingest.py, whose synthetic
values put every wind reading out of range: the model's ValueError ended `parktwin live`
(and the integral model, given a NaN direction, returned fits of NaN).
"""

import pytest

import twin
from twin import recording
from twin.demo import INCIDENT_DRILL
from twin.feeds.recorded import RecordedFeed
from twin.monitor import Twin
from twin.readings import Reading, parse_time


@pytest.fixture(scope="module")
def park():
    return twin.load_park("demo")


@pytest.fixture(scope="module")
def drill():
    return list(RecordedFeed(INCIDENT_DRILL))


@pytest.mark.parametrize(
    ("tag", "value"),
    [("WD-01", None), ("WS-01", 31.0), ("WS-01", 15_116.0)],
)
def test_a_leak_in_weather_the_estimate_cannot_use_is_followed_without_one(park, drill, tag, value):
    start = parse_time(recording.START) + recording.LEAK_START_S
    readings = []
    for r in drill:
        if r.tag == tag and (value is None or r.t >= start):
            if value is None:
                continue
            r = Reading(r.t, r.tag, value, r.quality)
        readings.append(r)
    tw = Twin(park)
    tw.run(readings)
    assert tw.leaks.estimates == {}
    assert not any(e.method == "gas detectors" for e in tw.leaks.events)
    assert any(a.tag.startswith("AT-NB") for a in tw.alarms.alarms)
