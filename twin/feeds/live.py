"""What the live feeds (MQTT, OPC UA) share: a hand-over between the network thread and the
reader.

The network client runs in its own thread and hands accepted readings over with `_put`; the
twin's loop takes them by iterating the feed (blocks until the next reading, ends after
`close`) or by `drain` (waits at most a timeout, so a live view can refresh between
readings). Readings wait in a deque; a bell (a queue holding at most a token or two) wakes
the reader only when the deque may have gone from empty to not empty, so a busy feed costs
one append per reading and the reader takes everything waiting in one go.
"""

from __future__ import annotations

import queue
from collections import deque
from collections.abc import Iterator

from twin.feeds.rules import Gate
from twin.readings import Reading


class LiveFeed:
    """Base of the live feeds: readings handed over by a network thread."""

    def __init__(self, gate: Gate):
        self.gate = gate
        self._items: deque[Reading] = deque()
        self._bell: queue.SimpleQueue[None] = queue.SimpleQueue()
        self._rung = False
        self._closed = False

    @property
    def rejected(self):
        """Rejected messages counted per rule (`twin.feeds.rules.RULES`)."""
        return self.gate.counts

    @property
    def late(self) -> int:
        """Late readings: logged, not passed on (`twin.feeds.rules`)."""
        return self.gate.late

    def _put(self, reading: Reading) -> None:
        """Hand one reading to the reader (called by the network thread)."""
        self._items.append(reading)
        # A reading appended while the bell is rung is taken by the drain that answers it:
        # that drain clears the flag before it empties the deque.
        if not self._rung:
            self._rung = True
            self._bell.put(None)

    def _take_all(self) -> list[Reading]:
        self._rung = False
        out = []
        pop = self._items.popleft
        try:
            while True:
                out.append(pop())
        except IndexError:
            return out

    def __iter__(self) -> Iterator[Reading]:
        while True:
            self._bell.get()
            readings = self._take_all()
            yield from readings
            if self._closed and not self._items:
                return

    def drain(self, timeout_s: float) -> list[Reading]:
        """Wait up to ``timeout_s`` [s] for a reading; return it with all those waiting
        behind it (an empty list on timeout)."""
        try:
            self._bell.get(timeout=timeout_s)
        except queue.Empty:
            pass
        return self._take_all()

    def close(self) -> None:
        """Stop the network client and end iteration; subclasses stop their client first."""
        if not self._closed:
            self._closed = True
            self._bell.put(None)

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()
