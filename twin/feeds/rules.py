"""Bad-message rules: the one place that says what a feed does with a message it cannot use.

A feed never dies on one bad message. Every message passes a `Gate`; a message that breaks a
rule is rejected: it is counted under its rule (``Gate.counts``), logged on the
``twin.feeds`` logger at WARNING, and handed to ``on_reject(rule, raw, t_receive)`` (the
reading log's ``add_rejected`` stores it), then the feed goes on. No rule accepts a message
with a flag: the state and the alarms behind the gate may trust that times increase per tag.

Rules, checked in this order (the first broken rule is the one counted):

======================  ====================================================================
rule                    a message is rejected when
======================  ====================================================================
``not_json``            the MQTT payload is not UTF-8 JSON
``missing_field``       the JSON is not an object with both ``"t"`` and ``"v"``
``bad_field``           ``"v"`` is not a number, ``"t"`` is not an ISO-8601 time with a UTC
                        offset or a number of POSIX seconds, or ``"q"`` is not a quality
                        (`twin.readings.parse_quality`); an OPC UA value that is neither
                        a number nor a Boolean
``unknown_tag``         the feed was given the set of known tags and the tag is not in it
``not_finite``          the value is NaN or +-inf (or empty in a long-format file)
``future``              the time is more than `FUTURE_TOLERANCE_S` after the receive clock
                        (live feeds only: a recording is all in the past)
``duplicate``           a reading of the same tag and time was already accepted (a QoS 1
                        redelivery, a repeated row); the first one is kept
``out_of_order``        the time is older than the last accepted reading of the same tag
======================  ====================================================================

Readings of bad or uncertain quality break no rule: they are passed on with their flag.
`FUTURE_TOLERANCE_S` is a design choice, not a sourced figure: wide enough for a field
gateway whose clock drifts between NTP syncs, narrow enough that a clock set a day ahead
(which would lock its tag out of all later readings) is caught at once.
"""

from __future__ import annotations

import json
import logging
import math
from collections import Counter, OrderedDict
from collections.abc import Callable, Iterable, Mapping

from twin.readings import Reading, parse_quality, parse_time

RULES = (
    "not_json",
    "missing_field",
    "bad_field",
    "unknown_tag",
    "not_finite",
    "future",
    "duplicate",
    "out_of_order",
)
FUTURE_TOLERANCE_S = 60.0
# Redelivered QoS 1 messages arrive within seconds of the original, so remembering the
# last few thousand accepted (tag, time) pairs is enough to tell a duplicate from a
# merely late reading.
DUPLICATE_MEMORY = 10_000

logger = logging.getLogger("twin.feeds")

RejectSink = Callable[[str, str, float], None]


class Gate:
    """Applies `RULES` to incoming messages and counts the rejections per rule.

    Parameters
    ----------
    known_tags : iterable of str, optional
        The tags the park knows; None accepts every tag.
    on_reject : callable, optional
        Called as ``on_reject(rule, raw, t_receive)`` for every rejected message.
    check_future : bool
        Apply the ``future`` rule (live feeds); a recording sets it False.
    last_times : mapping of str to float, optional
        The last accepted time of each tag so far [s], e.g. from the reading log a live feed
        continues, so that a message redelivered after a restart is not accepted twice.
    """

    def __init__(
        self,
        known_tags: Iterable[str] | None = None,
        on_reject: RejectSink | None = None,
        check_future: bool = True,
        last_times: Mapping[str, float] | None = None,
    ):
        self.known_tags = None if known_tags is None else frozenset(known_tags)
        self.on_reject = on_reject
        self.check_future = check_future
        self.counts: Counter[str] = Counter()
        self._last: dict[str, float] = dict(last_times or {})
        self._seen: OrderedDict[tuple[str, float], None] = OrderedDict()

    def reject(self, rule: str, raw: str, t_receive: float) -> None:
        """Count, log and hand on one rejected message."""
        self.counts[rule] += 1
        logger.warning("rejected (%s): %.200s", rule, raw)
        if self.on_reject is not None:
            self.on_reject(rule, raw, t_receive)

    def parse(self, tag: str, payload: bytes, t_receive: float) -> Reading | None:
        """Return the reading in a JSON payload ``{"t", "v"[, "q"]}``, or None if rejected."""
        raw = payload.decode("utf-8", errors="replace")
        try:
            message = json.loads(payload)
        except (ValueError, UnicodeDecodeError):
            self.reject("not_json", raw, t_receive)
            return None
        if not isinstance(message, dict) or "t" not in message or "v" not in message:
            self.reject("missing_field", raw, t_receive)
            return None
        value = message["v"]
        try:
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise ValueError("v is not a number")
            reading = Reading(
                parse_time(message["t"]), tag, float(value), parse_quality(message.get("q"))
            )
        except (ValueError, TypeError, OverflowError):
            self.reject("bad_field", raw, t_receive)
            return None
        return self.admit(reading, raw, t_receive)

    def admit(self, reading: Reading, raw: str, t_receive: float) -> Reading | None:
        """Return ``reading`` if it breaks none of the tag, value and time rules, else None."""
        t, tag = reading.t, reading.tag
        if self.known_tags is not None and tag not in self.known_tags:
            rule = "unknown_tag"
        elif not math.isfinite(reading.value):
            rule = "not_finite"
        elif self.check_future and t > t_receive + FUTURE_TOLERANCE_S:
            rule = "future"
        elif (tag, t) in self._seen or self._last.get(tag) == t:
            rule = "duplicate"
        elif t < self._last.get(tag, -math.inf):
            rule = "out_of_order"
        else:
            self._last[tag] = t
            self._seen[tag, t] = None
            if len(self._seen) > DUPLICATE_MEMORY:
                self._seen.popitem(last=False)
            return reading
        self.reject(rule, raw, t_receive)
        return None
