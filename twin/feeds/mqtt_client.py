"""A paho-mqtt client for high message rates: it reads the socket in large chunks and
acknowledges QoS 1 messages in batches.

paho-mqtt 2.x reads every packet with at least three receive calls (type, length, body) and a
``select`` of its own, and sends every PUBACK with one write of its own plus a wake-up of its
network loop. Each of these system calls lets go of the GIL and must take it back from the
twin's thread: at 10,000 messages/s the network thread spent most of its time there
(bench/ingest.py, profiled with py-spy), and the twin's process 84-116 us of CPU per message
(31-43 us with this subclass). It changes two things and nothing else:

- ``_sock_recv`` hands paho's packet reader bytes from a chunk of up to `CHUNK_BYTES` read in
  one call, and ``loop_read`` goes on reading packets while the chunk holds bytes, so one
  ``select`` and one receive call serve many packets;
- ``ack_many`` queues the PUBACKs of many messages as one write (MQTT 3.1.1, 3.4: a PUBACK is
  the four bytes ``0x40 0x02`` and the packet identifier; TCP carries them back to back).

Both lean on two private methods of paho (``_sock_recv``, ``_packet_queue``), present through
the 2.x releases; pyproject.toml pins ``paho-mqtt<3`` for that reason, and the feed tests run
every path (messages, acknowledgement after commit, reconnection) through this class.
"""

from __future__ import annotations

import struct
from collections.abc import Sequence

import paho.mqtt.client as mqtt

CHUNK_BYTES = 65_536
_PUBACK = struct.Struct("!BBH")
_PUBACK_TYPE = 0x40


class Client(mqtt.Client):
    """`paho.mqtt.client.Client` with chunked reads and batched acknowledgements."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._chunk = b""
        self._chunk_pos = 0
        self._chunk_sock = None

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
