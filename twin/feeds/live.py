"""What the live feeds (MQTT, OPC UA) share: a queue between the network thread and the reader.

The network client runs in its own thread and puts accepted readings on a queue; the twin's
loop takes them off by iterating the feed (blocks until the next reading, ends after
`close`) or by `drain` (waits at most a timeout, so a live view can refresh between
readings).
"""

from __future__ import annotations

import queue
from collections.abc import Iterator

from twin.feeds.rules import Gate
from twin.readings import Reading

_CLOSED = None  # put on the queue by close() to wake a blocked reader


class LiveFeed:
    """Base of the live feeds: readings arrive on a queue filled by a network thread."""

    def __init__(self, gate: Gate):
        self.gate = gate
        self._queue: queue.SimpleQueue[Reading | None] = queue.SimpleQueue()
        self._closed = False

    @property
    def rejected(self):
        """Rejected messages counted per rule (`twin.feeds.rules.RULES`)."""
        return self.gate.counts

    @property
    def late(self) -> int:
        """Late readings: logged, not passed on (`twin.feeds.rules`)."""
        return self.gate.late

    def __iter__(self) -> Iterator[Reading]:
        while True:
            reading = self._queue.get()
            if reading is _CLOSED:
                return
            yield reading

    def drain(self, timeout_s: float) -> list[Reading]:
        """Wait up to ``timeout_s`` [s] for a reading; return it with all those queued behind it."""
        try:
            first = self._queue.get(timeout=timeout_s)
        except queue.Empty:
            return []
        out = [] if first is _CLOSED else [first]
        while True:
            try:
                reading = self._queue.get_nowait()
            except queue.Empty:
                return out
            if reading is not _CLOSED:
                out.append(reading)

    def close(self) -> None:
        """Stop the network client and end iteration; subclasses stop their client first."""
        if not self._closed:
            self._closed = True
            self._queue.put(_CLOSED)

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()
