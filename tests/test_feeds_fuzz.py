"""Fuzz test of the MQTT decoder (`twin.feeds.rules.Gate.parse`): whatever a broker can
deliver is either a valid reading or rejected under one named rule; nothing raises.

The quick profile (the suite's default) tries 100 payloads per test; the fuzz run named in
the README tries 10,000: ``HYPOTHESIS_PROFILE=fuzz .venv/bin/python -m pytest -q
tests/test_feeds_fuzz.py``. Oracle: the contract of `twin.feeds.rules` (a reading has a
finite value, a time within the calendar and no later than the tolerance allows, and a
known quality; a message that is not a reading is either late, counted as such, or
rejected once, under a rule other than ``unreadable``).
"""

import json
import math

from hypothesis import given
from hypothesis import strategies as st

from twin.feeds.rules import (
    FUTURE_TOLERANCE_S,
    LATEST_TIME_S,
    MAX_PAYLOAD_BYTES,
    RAW_PREFIX_BYTES,
    RULES,
    Gate,
)
from twin.readings import QUALITIES

NOW = 1_714_521_600.0
TAGS = ("LT-101", "WS-01")

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=40),
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=5), inner),
    max_leaves=30,
)
times = (
    st.floats()
    | st.integers()
    | st.text(max_size=40)
    | st.datetimes(timezones=st.timezones()).map(lambda d: d.isoformat())
    | st.floats(NOW - 1e6, NOW + 1e3)
    | json_values
)
qualities = st.sampled_from(["good", "bad", "uncertain", "GOOD", " bad "]) | json_values
# Objects close to a reading, so that the later rules are reached, not only not_json.
readings = st.fixed_dictionaries(
    {"t": times, "v": st.floats() | st.integers() | json_values},
    optional={"q": qualities, "x": json_values},
).map(lambda d: json.dumps(d).encode())
nested = st.builds(
    lambda opener, n, tail: opener * n + tail,
    st.sampled_from([b"[", b"{", b'{"t":', b'[{"v":']),
    st.integers(1, 5000),
    st.binary(max_size=20),
)
payloads = (
    st.binary(max_size=2 * MAX_PAYLOAD_BYTES)
    | st.text(max_size=200).map(str.encode)
    | json_values.map(lambda v: json.dumps(v).encode())
    | readings
    | nested
)


def check(gate: Gate, tag: str, payload: bytes) -> None:
    sink = []
    gate.on_reject = lambda *row: sink.append(row)
    before, late_before = sum(gate.counts.values()), gate.late
    reading = gate.parse(tag, payload, NOW)
    rejected = sum(gate.counts.values()) - before
    late = gate.late - late_before
    if reading is None and late:
        assert late == 1 and rejected == 0 and not sink  # kept by on_late, not rejected
    elif reading is None:
        assert rejected == 1 and len(sink) == 1
        rule, raw, _ = sink[0]
        assert rule in RULES and rule != "unreadable"
        assert len(raw.encode()) <= 3 * RAW_PREFIX_BYTES  # replacement chars take 3 bytes
    else:
        assert rejected == 0 and late == 0
        assert reading.tag == tag
        assert math.isfinite(reading.value)
        assert 0.0 <= reading.t <= min(LATEST_TIME_S, NOW + FUTURE_TOLERANCE_S)
        assert reading.quality in QUALITIES


@given(tag=st.sampled_from((*TAGS, "GHOST")), payload=payloads)
def test_any_payload_is_a_reading_or_a_named_rejection(tag, payload):
    check(Gate(set(TAGS)), tag, payload)


@given(st.lists(st.tuples(st.sampled_from(TAGS), readings), min_size=2, max_size=20))
def test_any_sequence_keeps_times_increasing_per_tag(messages):
    gate = Gate(set(TAGS))
    for tag, payload in messages:
        check(gate, tag, payload)
    for tag, payload in messages:  # every one again: all are now copies, late or bad
        assert gate.parse(tag, payload, NOW) is None
    assert "unreadable" not in gate.counts
