"""A paho-mqtt client for high message rates: it reads the socket in large chunks and
acknowledges QoS 1 messages in batches.

paho-mqtt 2.x reads every packet with at least three receive calls (type, length, body) and a
``select`` of its own, and sends every PUBACK with one write of its own plus a wake-up of its
network loop. Each of these system calls lets go of the GIL and must take it back from the
twin's thread: at 10,000 messages/s the network thread spent most of its time there
(bench/ingest.py, profiled with py-spy), and the twin's process 84-116 us of CPU per message
(31-43 us with this subclass). It changes three things and nothing else:

- ``_sock_recv`` hands paho's packet reader bytes from a chunk of up to `CHUNK_BYTES` read in
  one call, and ``loop_read`` goes on reading packets while the chunk holds bytes, so one
  ``select`` and one receive call serve many packets;
- ``ack_many`` queues the PUBACKs of many messages as one write (MQTT 3.1.1, 3.4: a PUBACK is
  the four bytes ``0x40 0x02`` and the packet identifier; TCP carries them back to back);
- ``_handle_publish`` reads a QoS 0 or 1 PUBLISH of MQTT 3.1.1 itself (3.3: flags, topic,
  packet identifier, payload) into a `Message` and calls ``on_message``, where paho decodes
  it through a generic unpacker, builds an ``MQTTMessage`` (with a condition variable for
  the publishing side), formats a debug line and matches the topic against per-topic
  callbacks. QoS 2, MQTT 5 and a client with per-topic callbacks take paho's path. With
  it, bench/ingest.py with mosquitto at 10,000 messages/s offered (load average 15-19): the
  twin's process 45-48 us of CPU per message, 41-42 draining a backlog, 6,603-7,033
  readings/s sustained; without it, earlier the same day (load average 18-32): 60-61 us,
  51-53, 3,683-5,148/s.

They lean on private parts of paho (``_sock_recv``, ``_packet_queue``, ``_handle_publish``,
``_in_packet``, ``_send_puback``), present through the 2.x releases; pyproject.toml pins
``paho-mqtt<3`` for that reason, and the feed tests run every path (messages,
acknowledgement after commit, reconnection) through this class, and paho's own reading of
the same packets beside it (tests/test_feeds_mqtt.py).
"""

from __future__ import annotations

import struct
import time
from collections.abc import Sequence

import paho.mqtt.client as mqtt

CHUNK_BYTES = 65_536
_PUBACK = struct.Struct("!BBH")
_PUBACK_TYPE = 0x40
_U16 = struct.Struct("!H")


class Message:
    """A received QoS 0 or 1 PUBLISH with the attributes of paho's ``MQTTMessage`` that a
    callback reads; ``topic`` raises UnicodeDecodeError for a topic that is not UTF-8, as
    paho's does."""

    __slots__ = ("_topic", "dup", "mid", "payload", "qos", "retain", "timestamp")

    def __init__(self, mid, topic, payload, qos, dup, retain, timestamp):
        self.mid = mid
        self._topic = topic
        self.payload = payload
        self.qos = qos
        self.dup = dup
        self.retain = retain
        self.timestamp = timestamp

    @property
    def topic(self) -> str:
        return self._topic.decode("utf-8")


class Client(mqtt.Client):
    """`paho.mqtt.client.Client` with chunked reads and batched acknowledgements."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._chunk = b""
        self._chunk_pos = 0
        self._chunk_sock = None
        self._filtered = False

    def message_callback_add(self, sub, callback) -> None:
        self._filtered = True  # per-topic callbacks: paho's own dispatch
        super().message_callback_add(sub, callback)

    def _handle_publish(self) -> mqtt.MQTTErrorCode:
        # MQTT 3.1.1, 3.3: fixed header flags DUP (bit 3), QoS (bits 1-2), RETAIN (bit 0); the
        # topic as a 2-byte length and its bytes, the packet identifier when QoS > 0, then the
        # payload.
        command = self._in_packet["command"]
        packet = self._in_packet["packet"]
        qos = (command & 0x06) >> 1
        n = _U16.unpack_from(packet)[0] if len(packet) >= 2 else 0
        start = 2 + n + 2 * qos
        if qos == 2 or self._protocol == mqtt.MQTTv5 or self._filtered or not n:
            return super()._handle_publish()
        if len(packet) < start:
            return super()._handle_publish()  # malformed: paho's own error
        message = Message(
            _U16.unpack_from(packet, 2 + n)[0] if qos else 0,
            bytes(packet[2 : 2 + n]),
            bytes(packet[start:]),
            qos,
            bool(command & 0x08),
            bool(command & 0x01),
            time.monotonic(),
        )
        on_message = self.on_message
        if on_message is not None:
            with self._in_callback_mutex:
                try:
                    on_message(self, self._userdata, message)
                except Exception as err:
                    self._easy_log(mqtt.MQTT_LOG_ERR, "Caught exception in on_message: %s", err)
                    if not self.suppress_exceptions:
                        raise
        if qos and not self._manual_ack:
            return self._send_puback(message.mid)
        return mqtt.MQTTErrorCode.MQTT_ERR_SUCCESS

    def _sock_recv(self, bufsize: int) -> bytes:
        # Bytes read from a socket that has since been replaced (a reconnection) are dropped.
        if self._chunk_sock is not self._sock or self._chunk_pos >= len(self._chunk):
            self._chunk = b""
            self._chunk_pos = 0
            self._chunk_sock = self._sock
            data = super()._sock_recv(max(bufsize, CHUNK_BYTES))
            if len(data) <= bufsize:
                return data
            self._chunk = data
        start = self._chunk_pos
        self._chunk_pos = start + bufsize
        return self._chunk[start : start + bufsize]

    def loop_read(self, max_packets: int = 1) -> mqtt.MQTTErrorCode:
        while True:
            rc = super().loop_read(max_packets)
            if rc or self._sock is None or self._chunk_pos >= len(self._chunk):
                return rc

    def ack_many(self, mids: Sequence[int]) -> None:
        """Acknowledge the QoS 1 messages ``mids`` in one write (for ``manual_ack``)."""
        if mids:
            pack = _PUBACK.pack
            self._packet_queue(
                _PUBACK_TYPE, b"".join([pack(_PUBACK_TYPE, 2, mid) for mid in mids]), 0, 0
            )
