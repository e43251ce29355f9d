"""MQTT feed: the bad-message rules, a round trip and a broker restart through a real mosquitto.

Oracles: the readings written to a recording (or published) in each test are the expected
output; the rule each bad message breaks is the one `twin.feeds.rules` documents for it.
"""

import json
import socket
import struct
import time

import paho.mqtt.client as mqtt
import pytest

from twin.feeds.mqtt import (
    RECONNECT_MAX_S,
    MqttFeed,
    amqp_topic_form,
    default_client_id,
    dotted_tags,
    payload,
    publish_recording,
    topic,
)
from twin.feeds.mqtt_client import CHUNK_BYTES, Client
from twin.feeds.recorded import RecordedFeed
from twin.feeds.rules import FUTURE_TOLERANCE_S, MAX_PAYLOAD_BYTES, RAW_PREFIX_BYTES, Gate
from twin.log import ReadingLog, iter_readings, read_rejected
from twin.readings import Reading, format_time

NOW = 1_714_521_600.0  # the receive clock of the gate tests [s]


def collect(feed, n, timeout_s=5.0):
    """Readings from ``feed`` until ``n`` have come or ``timeout_s`` has passed."""
    out = []
    deadline = time.monotonic() + timeout_s
    while len(out) < n and time.monotonic() < deadline:
        out += feed.drain(0.1)
    return out


def publish_raw(port, messages):
    """Publish (topic, payload) pairs at QoS 1 and wait for the broker's acknowledgements."""
    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=f"raw-{time.time_ns()}")
    client.connect("127.0.0.1", port)
    client.loop_start()
    infos = [client.publish(t, p, qos=1) for t, p in messages]
    for info in infos:
        info.wait_for_publish(5)
    client.disconnect()
    client.loop_stop()


def msg(t, v, q=None):
    body = {"t": t, "v": v} if q is None else {"t": t, "v": v, "q": q}
    return json.dumps(body).encode()


@pytest.mark.parametrize(
    ("tag", "raw", "rule"),
    [
        ("A", b"not json {", "not_json"),
        ("A", b"\xff\xfe", "not_json"),
        ("A", b"[1, 2]", "missing_field"),
        ("A", b'{"v": 1.0}', "missing_field"),
        ("A", msg(NOW, "1.0"), "bad_field"),
        ("A", msg(NOW, True), "bad_field"),
        ("A", msg("2024-05-01T00:00:00", 1.0), "bad_field"),  # no UTC offset
        ("A", msg(NOW, 1.0, "so-so"), "bad_field"),
        ("A", msg(NOW, 10**400), "bad_field"),
        ("GHOST", msg(NOW, 1.0), "unknown_tag"),
        ("A", b'{"t": 1714521600, "v": NaN}', "not_finite"),
        ("A", b'{"t": 1714521600, "v": -Infinity}', "not_finite"),
        ("A", msg(NOW + FUTURE_TOLERANCE_S + 1, 1.0), "future"),
    ],
)
def test_each_message_rule(tag, raw, rule):
    sink = []
    gate = Gate({"A"}, on_reject=lambda *row: sink.append(row))
    assert gate.parse(tag, raw, NOW) is None
    assert gate.counts == {rule: 1}
    assert sink == [(rule, raw.decode("utf-8", errors="replace"), NOW)]


def test_accepted_messages_and_the_order_rules():
    gate = Gate({"A", "B"})
    iso = format_time(NOW - 10)
    assert gate.parse("A", msg(iso, 1.0), NOW) == Reading(NOW - 10, "A", 1.0, "good")
    assert gate.parse("A", msg(NOW - 5, 2, 0x40000000), NOW) == Reading(
        NOW - 5, "A", 2.0, "uncertain"
    )
    assert gate.parse("A", msg(NOW + FUTURE_TOLERANCE_S - 1, 3.0, "bad"), NOW) is not None
    assert gate.parse("A", msg(NOW - 5, 2.0), NOW) is None  # an earlier reading sent again
    assert gate.parse("A", msg(NOW - 7, 2.0), NOW) is None  # older than the last: late
    assert gate.parse("B", msg(NOW - 7, 2.0), NOW) is not None  # order is kept per tag
    assert gate.parse("B", msg(NOW - 7, 2.0), NOW) is None  # same tag and time as the last
    assert gate.counts == {"duplicate": 2}
    assert gate.late == 1


def test_gate_continues_from_the_last_times_and_readings_of_a_log():
    logged = [Reading(NOW - 12, "A", 5.0), Reading(NOW - 10, "A", 1.0)]
    late = []
    gate = Gate({"A"}, last_times={"A": NOW - 10}, recent=logged, on_late=late.append)
    assert gate.parse("A", msg(NOW - 10, 1.0), NOW) is None  # the last one, redelivered
    assert gate.parse("A", msg(NOW - 12, 5.0), NOW) is None  # an older one, redelivered
    assert gate.parse("A", msg(NOW - 12, 6.0), NOW) is None  # same time, another value
    assert gate.parse("A", msg(NOW - 11, 1.0), NOW) is None  # never logged: late
    assert gate.parse("A", msg(NOW - 9, 1.0), NOW) is not None
    assert gate.counts == {"duplicate": 2}
    assert late == [Reading(NOW - 12, "A", 6.0), Reading(NOW - 11, "A", 1.0)]


def test_a_same_time_reading_with_another_value_is_not_a_copy():
    gate = Gate({"A"})
    assert gate.parse("A", msg(NOW - 5, 1.0), NOW) is not None
    assert gate.parse("A", msg(NOW - 5, 1.0), NOW) is None
    assert gate.parse("A", msg(NOW - 5, 2.0), NOW) is None
    assert gate.counts == {"duplicate": 1}
    assert gate.late == 1


@pytest.mark.parametrize(
    ("raw", "rule"),
    [
        (b"[" * 1000, "too_deep"),  # 1 KB that used to exhaust the parser's recursion
        (b'{"t": 1, "v": [[[[[1]]]]]}', "too_deep"),
        (b'{"t": ' + b"1" * (MAX_PAYLOAD_BYTES + 1) + b', "v": 1}', "too_large"),
        (msg(-1e30, 1.0), "bad_time"),
        (msg(-1.0, 1.0), "bad_time"),
        (msg(1e30, 1.0), "bad_time"),
    ],
)
def test_limits_and_times(raw, rule):
    sink = []
    gate = Gate({"A"}, on_reject=lambda *row: sink.append(row))
    assert gate.parse("A", raw, NOW) is None
    assert gate.counts == {rule: 1}
    assert len(sink[0][1]) <= RAW_PREFIX_BYTES


def test_brackets_inside_strings_are_not_nesting():
    gate = Gate({"A"})
    quality_text = msg(NOW, 1.0, "[[[[[[[[")
    assert gate.parse("A", quality_text, NOW) is None
    assert gate.counts == {"bad_field": 1}  # decoded, then refused for its quality


def test_a_restarted_feed_does_not_log_a_redelivered_message_twice(mosquitto, tmp_path):
    """A message logged by a twin that died before acknowledging it comes again: drop it."""
    log_path = tmp_path / "log.sqlite"
    t = float(int(time.time()) - 5)  # whole seconds: exact in the ISO payload too
    with ReadingLog(log_path) as log:
        log.append(Reading(t, "A", 1.0))
    log = ReadingLog(log_path)
    with MqttFeed("127.0.0.1", mosquitto.port, park="p", log=log) as feed:
        assert feed.wait_ready(5)
        publish_raw(
            mosquitto.port,
            [(topic("p", "A"), payload(t, 1.0)), (topic("p", "A"), payload(t + 1, 2.0))],
        )
        assert [r.value for r in collect(feed, 1)] == [2.0]
        time.sleep(0.1)
        assert feed.rejected == {"duplicate": 1}
    log.close()
    assert [r.value for r in iter_readings(log_path)] == [1.0, 2.0]


def test_round_trip_through_the_broker(mosquitto, tmp_path):
    start = time.time() - 100
    rows = "".join(f"{format_time(start + i)},T{i % 3}.LT,{i * 0.5},good\n" for i in range(30))
    recording = tmp_path / "rec.csv"
    recording.write_text("time,tag,value,quality\n" + rows)
    log_path = tmp_path / "log.sqlite"
    log = ReadingLog(log_path)
    with MqttFeed("127.0.0.1", mosquitto.port, park="demo", log=log) as feed:
        assert feed.wait_ready(5)
        assert publish_recording(recording, "127.0.0.1", mosquitto.port, park="demo") == 30
        received = collect(feed, 30)
    log.close()
    expected = list(RecordedFeed(recording))
    assert received == expected
    assert list(iter_readings(log_path)) == expected


def test_bad_messages_are_logged_and_the_feed_goes_on(mosquitto, tmp_path):
    log_path = tmp_path / "log.sqlite"
    log = ReadingLog(log_path)
    now = time.time()
    with MqttFeed("127.0.0.1", mosquitto.port, park="p", known_tags={"A"}, log=log) as feed:
        assert feed.wait_ready(5)
        publish_raw(
            mosquitto.port,
            [
                (topic("p", "A"), b"garbage"),
                (topic("p", "A"), b'{"t": 1}'),
                (topic("p", "GHOST"), payload(now, 1.0)),
                (topic("p", "A"), b'{"t": 1, "v": NaN}'),
                (topic("p", "A"), payload(now + 3600, 1.0)),
                (topic("p", "A"), payload(now - 1, 1.0)),
                (topic("p", "A"), payload(now - 1, 1.0)),
                (topic("p", "A"), payload(now - 2, 1.0)),
                (topic("p", "A"), payload(now, 2.0)),
            ],
        )
        received = collect(feed, 2)
        time.sleep(0.2)  # let any stray message arrive before counting
        counts = dict(feed.rejected)
        late = feed.late
    log.close()
    assert [r.value for r in received] == [1.0, 2.0]
    assert counts == {
        "not_json": 1,
        "missing_field": 1,
        "unknown_tag": 1,
        "not_finite": 1,
        "future": 1,
        "duplicate": 1,
    }
    assert late == 1
    # The late reading is kept in the log, in the order it came, but not passed on.
    logged = list(iter_readings(log_path))
    assert [r.t - now for r in logged] == pytest.approx([-1, -2, 0], abs=1e-5)
    assert [r.value for r in logged] == [1.0, 1.0, 2.0]
    rejected = read_rejected(log_path)
    assert [r.rule for r in rejected] == [
        "not_json",
        "missing_field",
        "unknown_tag",
        "not_finite",
        "future",
        "duplicate",
    ]
    assert rejected[0].raw == "garbage"


def _saved_since(path, t):
    return path.exists() and path.stat().st_mtime > t


def test_broker_restart_loses_no_qos1_message(mosquitto, tmp_path):
    """Kill mosquitto (SIGKILL) mid-stream, restart it, and publish more: all must be logged."""
    log_path = tmp_path / "log.sqlite"
    log = ReadingLog(log_path)
    t0 = time.time() - 60
    before = [(topic("p", "A"), payload(t0 + i, float(i))) for i in range(20)]
    after = [(topic("p", "A"), payload(t0 + 20 + i, float(20 + i))) for i in range(50)]
    with MqttFeed("127.0.0.1", mosquitto.port, park="p", log=log) as feed:
        assert feed.wait_ready(5)
        subscribed_at = time.time()
        publish_raw(mosquitto.port, before)
        assert len(collect(feed, 20)) == 20
        # The broker saves its sessions every second; wait for a save that holds ours.
        deadline = time.monotonic() + 5
        while not (saved := _saved_since(mosquitto.persistence_file, subscribed_at)):
            if time.monotonic() > deadline:
                break
            time.sleep(0.05)
        assert saved, "mosquitto did not save its sessions within 5 s"
        mosquitto.kill()
        mosquitto.start()
        publish_raw(mosquitto.port, after)  # the feed is likely still reconnecting now
        received = collect(feed, 50, timeout_s=10)
    log.close()
    assert [r.value for r in received] == [float(20 + i) for i in range(50)]
    logged = [r.value for r in iter_readings(log_path)]
    assert logged == [float(i) for i in range(70)]


def test_the_feed_notices_a_returning_broker_within_seconds(mosquitto):
    """After a 9 s outage the feed reconnects within 2 x `RECONNECT_MAX_S` + 1 s of the
    broker's return; with paho's doubling from 1 s up to 30 s (the setting before), it tried
    at 1, 3, 7 and 15 s, 6 s after the return."""
    with MqttFeed("127.0.0.1", mosquitto.port, park="p") as feed:
        assert feed.wait_ready(5)
        mosquitto.stop()
        deadline = time.monotonic() + 5
        while feed.connected and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not feed.connected
        time.sleep(9)
        mosquitto.start()
        assert feed.wait_ready(2 * RECONNECT_MAX_S + 1)


def test_dotted_tags_known_through_the_form_rabbitmq_gives_them():
    assert amqp_topic_form("parktwin/site.2/TI.101") == "parktwin/site/2/TI/101"
    assert dotted_tags({"TI.101", "A", "headcount/B.1"}) == {
        "TI/101": "TI.101",
        "headcount/B/1": "headcount/B.1",
    }
    # "X/Y" is a tag of its own; "P.Q/R" and "P/Q.R" arrive alike: neither can be mapped.
    assert dotted_tags({"X.Y", "X/Y", "P.Q/R", "P/Q.R"}) == {}


@pytest.mark.parametrize("broker_name", ["mosquitto", "rabbitmq", "nats"])
def test_dots_in_tags_and_park_names_arrive_as_published(broker_name, request):
    """RabbitMQ's MQTT plugin delivers each ``.`` of a topic as ``/``; the feed takes the
    known tags and its park's name back from that form. mosquitto delivers topics as sent,
    and so does the NATS server (it stores a ``.`` as ``//`` in its subject and turns it
    back on delivery). The NATS server refuses a client id with a ``.`` (nor ``*``, ``>``
    or white space: its ``isValidName``): the feed's default for this park is
    ``parktwin-site-2``, which every broker here takes; an id the broker refuses is kept
    as its reason."""
    broker = request.getfixturevalue(broker_name)
    tags = ["TI.101", "headcount/B.1", "WS-01"]
    t0 = time.time() - 60
    sent = [(topic("site.2", tag), payload(t0 + i, float(i))) for i, tag in enumerate(tags)]
    assert default_client_id("site.2") == "parktwin-site-2"
    if broker_name == "nats":
        bad = MqttFeed(
            "127.0.0.1", broker.port, park="site.2", known_tags=tags, client_id="parktwin-site.2"
        )
        with bad as refused:
            deadline = time.monotonic() + 10
            while refused.refused is None and time.monotonic() < deadline:
                time.sleep(0.05)
            assert refused.refused == "Client identifier not valid"
            assert not refused.connected
    with MqttFeed("127.0.0.1", broker.port, park="site.2", known_tags=tags) as feed:
        assert feed.wait_ready(30)
        publish_raw(broker.port, sent)
        received = collect(feed, len(tags), timeout_s=10)
        rejected = dict(feed.rejected)
    assert [(r.tag, r.value) for r in received] == [(tag, float(i)) for i, tag in enumerate(tags)]
    assert rejected == {}


def test_tls_and_password(secure_mosquitto, tmp_path, caplog):
    """TLS against a CA made for the test, with a password; a wrong password never subscribes."""
    port, ca = secure_mosquitto.port, str(secure_mosquitto.folder / "ca.pem")
    recording = tmp_path / "rec.csv"
    t = time.time() - 10
    recording.write_text(f"time,A,B\n{format_time(t)},1.0,2.0\n{format_time(t + 1)},3.0,\n")
    secure = {"username": "twin", "tls": True, "ca_certs": ca}
    with MqttFeed("127.0.0.1", port, park="p", password="s3cret", **secure) as feed:
        assert feed.wait_ready(5)
        assert (
            publish_recording(recording, "127.0.0.1", port, park="p", password="s3cret", **secure)
            == 3
        )
        assert [(r.tag, r.value) for r in collect(feed, 3)] == [("A", 1.0), ("B", 2.0), ("A", 3.0)]
    with MqttFeed(
        "127.0.0.1", port, park="p", password="wrong", client_id="intruder", **secure
    ) as feed:
        assert not feed.wait_ready(1.0)
    assert "MQTT connect refused" in caplog.text


def test_a_burst_read_in_chunks_is_read_whole_and_acknowledged(mosquitto, tmp_path):
    """Messages that arrive together are read from chunks of the socket (twin.feeds.mqtt_client):
    packets cut at a chunk's end and a payload longer than a chunk are read whole, and the
    batched acknowledgements reach the broker: a second session of the same client gets none
    of them again."""
    log_path = tmp_path / "log.sqlite"
    t0 = time.time() - 3000
    burst = [(topic("p", "A"), payload(t0 + i, float(i))) for i in range(2000)]
    burst.insert(1000, (topic("p", "A"), b"x" * (3 * CHUNK_BYTES)))
    log = ReadingLog(log_path)
    with MqttFeed("127.0.0.1", mosquitto.port, park="p", log=log, client_id="chunks") as feed:
        assert feed.wait_ready(5)
        publish_raw(mosquitto.port, burst)
        received = collect(feed, 2000, timeout_s=20)
        rejected = dict(feed.rejected)
    log.close()
    assert [r.value for r in received] == [float(i) for i in range(2000)]
    assert rejected == {"too_large": 1}
    log = ReadingLog(tmp_path / "again.sqlite")
    with MqttFeed("127.0.0.1", mosquitto.port, park="p", log=log, client_id="chunks") as feed:
        assert feed.wait_ready(5)
        publish_raw(mosquitto.port, [(topic("p", "A"), payload(t0 + 2000, 2000.0))])
        again = collect(feed, 1)
        time.sleep(0.2)
        again += feed.drain(0)
    log.close()
    assert [r.value for r in again] == [2000.0]


def _publish_packet(flags, topic_bytes, mid, body):
    """A PUBLISH packet (MQTT 3.1.1, 3.3): header flags, topic, identifier if QoS > 0."""
    qos = (flags & 0x06) >> 1
    rest = struct.pack("!H", len(topic_bytes)) + topic_bytes
    rest += struct.pack("!H", mid) if qos else b""
    rest += body
    assert len(rest) < 128  # one byte of remaining length
    return bytes([0x30 | flags, len(rest)]) + rest


@pytest.mark.parametrize("dispatch", ["own", "paho"])
def test_publish_packets_are_read_as_paho_reads_them(dispatch):
    """The client's own reading of QoS 0 and 1 PUBLISH packets (twin.feeds.mqtt_client) gives
    the callback what paho's gives it, and acknowledges QoS 1 unless acknowledgement is by
    hand; ``dispatch="paho"`` runs paho's own path (as with per-topic callbacks) on the same
    bytes. Oracle: the fields written into the packets."""
    client = Client(mqtt.CallbackAPIVersion.VERSION2, client_id="read", protocol=mqtt.MQTTv311)
    if dispatch == "paho":
        client.message_callback_add("#", lambda c, u, m: got.append(m))
    got = []
    client.on_message = lambda c, u, m: got.append(m)
    ours, theirs = socket.socketpair()
    client._sock = ours  # paho's socket, as after a connection
    packets = [
        _publish_packet(0x00, b"p/A", 0, b"zero"),
        _publish_packet(0x02 | 0x08 | 0x01, b"p/B", 7, b"one, dup, retained"),
        _publish_packet(0x02, b"p/\xff", 8, b"not UTF-8"),
    ]
    theirs.sendall(b"".join(packets))
    while len(got) < 3:
        client.loop_read()
    fields = [(m.qos, m.mid, m.dup, m.retain, m.payload) for m in got]
    assert fields == [
        (0, 0, False, False, b"zero"),
        (1, 7, True, True, b"one, dup, retained"),
        (1, 8, False, False, b"not UTF-8"),
    ]
    assert [m.topic for m in got[:2]] == ["p/A", "p/B"]
    with pytest.raises(UnicodeDecodeError):
        _ = got[2].topic
    client.loop_write()
    theirs.settimeout(5)
    assert theirs.recv(64) == bytes([0x40, 2, 0, 7, 0x40, 2, 0, 8])  # PUBACK 7 and 8
    ours.close()
    theirs.close()
