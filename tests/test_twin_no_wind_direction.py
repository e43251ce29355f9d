"""A gas leak while the wind vane sends nothing: the twin goes on and estimates no source.

Oracle: the demo drill replayed without its wind direction readings (WD-01: a vane that is
offline, or whose every reading was refused as impossible). Locating a source from gas
readings needs the direction the cloud drifts to (twin.leak); without it no source is
estimated from the detectors, and nothing raises. Before this was checked, the Gaussian
plume model raised on the NaN direction and ended `parktwin live` (found by
bench/ingest.py, whose synthetic values put every wind direction out of range); the
integral plume model then returned fits of NaN (every candidate equally likely, a rate of 0
with an unbounded spread).
"""

import twin
from twin.demo import INCIDENT_DRILL
from twin.feeds.recorded import RecordedFeed
from twin.monitor import Twin


def test_a_leak_without_wind_direction_is_followed_without_a_source_estimate():
    park = twin.load_park("demo")
    tw = Twin(park)
    tw.run(r for r in RecordedFeed(INCIDENT_DRILL) if r.tag != "WD-01")
    assert tw.leaks.estimates == {}
    assert not any(e.method == "gas detectors" for e in tw.leaks.events)
    assert any(a.tag.startswith("AT-NB") for a in tw.alarms.alarms)
