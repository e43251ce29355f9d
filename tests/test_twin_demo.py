"""The demo park's drill recording replayed through the twin (twin.recording, twin.monitor).

The recording is synthetic (twin/recording.py says how it is made); its truth is known:
a false high level from the failing transmitter LT-PR102 and a real ammonia leak at
NB-101 of `LEAK_RATE_KG_S`. The twin must class the first as an instrument fault and
find the second at the right asset with the rate within 20 % (the tolerance issue 4 sets
for source estimation), by both the mass balance and the gas detectors.
"""

import numpy as np
import pyarrow.csv as pacsv
import pytest

import twin
from twin import recording
from twin.demo import INCIDENT_DRILL
from twin.feeds import RecordedFeed
from twin.log import ReadingLog, iter_readings, read_alarms
from twin.monitor import Twin
from twin.plausibility import INSTRUMENT, PROCESS
from twin.readings import parse_time

TOLERANCE = 0.2


@pytest.fixture(scope="module")
def park():
    return twin.load_park("demo")


@pytest.fixture(scope="module")
def replay(park, tmp_path_factory):
    path = tmp_path_factory.mktemp("demo") / "log.sqlite"
    feed = RecordedFeed(INCIDENT_DRILL, known_tags=park.sensors.index)
    heard = {"alarms": [], "leaks": []}
    with ReadingLog(path) as log:
        tw = Twin(park, log=log, on_alarm=heard["alarms"].append, on_leak=heard["leaks"].append)
        for reading in feed:
            log.append(reading)
            tw.update(reading)
    return tw, feed, path, heard


def test_recording_covers_every_sensor(park, replay):
    _, feed, *_ = replay
    assert sum(feed.rejected.values()) == 0
    assert set(feed.tag) == set(park.sensors.index)
    assert len(feed) == 112 * 720
    assert feed.t[0] == parse_time(recording.START)
    assert feed.t[-1] - feed.t[0] == recording.DURATION_S - recording.STEP_S


def test_false_level_alarm_is_an_instrument_fault(replay):
    tw, *_ = replay
    faulty = [a for a in tw.alarms.alarms if a.tag == recording.FAULTY_TAG]
    assert {a.level for a in faulty} == {"H", "HH"}
    for alarm in faulty:
        assert alarm.verdict.classification == INSTRUMENT
        assert alarm.verdict.rule == "stuck"
        fired = dict(alarm.verdict.evidence)
        assert {"stuck", "rate", "disagreement"} <= set(fired)
        assert "PT-PR102" in fired["disagreement"] and "TT-PR102" in fired["disagreement"]


def test_only_the_faulty_transmitter_and_ammonia_detectors_alarm(replay):
    tw, *_ = replay
    start = parse_time(recording.START) + recording.LEAK_START_S
    tags = {a.tag for a in tw.alarms.alarms}
    gas = {a.tag for a in tw.alarms.alarms if a.kind == "gas_toxic"}
    assert tags - gas == {recording.FAULTY_TAG}
    assert gas and all(tag.startswith(("AT-NH", "AT-NB")) for tag in gas)
    for alarm in tw.alarms.alarms:
        if alarm.kind == "gas_toxic":
            assert alarm.verdict.classification == PROCESS
            assert alarm.t_raised >= start


def test_leak_found_at_the_right_asset_and_rate(replay):
    tw, *_ = replay
    start = parse_time(recording.START) + recording.LEAK_START_S
    assert {e.asset for e in tw.leaks.events} == {recording.LEAK_ASSET}
    by_method = {e.method: e for e in tw.leaks.events}
    assert set(by_method) == {"mass balance", "gas detectors"}
    assert by_method["gas detectors"].t - start <= 600  # within 10 min of the leak's start
    assert by_method["mass balance"].t - start <= 1200
    _, estimate = tw.leaks.estimates["7664-41-7"]
    assert estimate.asset == recording.LEAK_ASSET
    assert abs(estimate.rate_kg_s / recording.LEAK_RATE_KG_S - 1) < TOLERANCE
    assert estimate.probability > 0.9
    _, loss = tw.leaks.losses[recording.LEAK_ASSET]
    assert abs(loss.rate_kg_s / recording.LEAK_RATE_KG_S - 1) < TOLERANCE


def test_transfers_are_not_leaks(replay):
    """NH-101 empties at 3 kg/s through its metered line: explained, not a leak."""
    tw, *_ = replay
    _, loss = tw.leaks.losses["NH-101"]
    assert abs(loss.rate_kg_s) < 4 * loss.se_kg_s + 0.05


def test_replaying_the_log_gives_the_same_alarms(park, replay):
    tw, _, path, heard = replay
    again = Twin(park)
    again.run(iter_readings(path))
    assert again.alarms.events == tw.alarms.events
    assert again.leaks.events == tw.leaks.events
    assert heard["alarms"] == tw.alarms.events
    assert heard["leaks"] == tw.leaks.events
    logged = read_alarms(path)
    assert [r for r in logged if r.kind != "leak"] == tw.alarms.events
    assert [r.tag for r in logged if r.kind == "leak"] == [e.asset for e in tw.leaks.events]


def test_generator_rebuilds_the_bundled_file(park):
    table = recording.generate(park)
    bundled = pacsv.read_csv(INCIDENT_DRILL)
    assert bundled.column("tag").to_pylist() == table.column("tag").to_pylist()
    np.testing.assert_array_equal(
        bundled.column("value").to_numpy(), table.column("value").to_numpy()
    )
