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
``too_large``           the MQTT payload is longer than `MAX_PAYLOAD_BYTES`
``too_deep``            the payload nests arrays or objects deeper than `MAX_DEPTH` (checked
                        before decoding, so no payload can exhaust the parser's recursion)
``not_json``            the MQTT payload is not UTF-8 JSON
``missing_field``       the JSON is not an object with both ``"t"`` and ``"v"``
``bad_field``           ``"v"`` is not a number, ``"t"`` is not an ISO-8601 time with a UTC
                        offset or a number of POSIX seconds, or ``"q"`` is not a quality
                        (`twin.readings.parse_quality`); an OPC UA value that is neither
                        a number nor a Boolean
``unknown_tag``         the feed was given the set of known tags and the tag is not in it
                        (a tagged person's position, ``position/<badge>/...``, is let
                        through: badges are not listed in the park; `twin.headcount`)
``not_finite``          the value is NaN or +-inf (or empty in a long-format file)
``bad_time``            the time is before 1970-01-01 (negative POSIX seconds: a sensor clock
                        that lost its setting) or after `LATEST_TIME_S`, the last second a
                        calendar date can name (9999-12-31T23:59:59Z)
``future``              the time is more than `FUTURE_TOLERANCE_S` after the receive clock
                        (live feeds only: a recording is all in the past)
``duplicate``           a reading of the same tag, time and value is among the last
                        `DUPLICATE_MEMORY` accepted or late ones (a QoS 1 redelivery, also one
                        that comes back after a restart of the broker or of the twin: a live
                        feed starts from the last readings of its log); in a recording, any
                        repeated tag and time (the first row is kept)
``unreadable``          decoding raised an error no rule above foresaw: the feed's last line
                        of defence, so that no message can stop it (none is known to reach it;
                        the fuzz test of the decoder checks that)
======================  ====================================================================

A reading older than the last accepted one of its tag (or of the same time with another
value) that is not a copy is *late*, not bad: a publisher that reconnects may send what it
held back after newer readings. A late reading breaks no rule; it is handed to ``on_late``
(the live feeds write it to the reading log, so nothing acknowledged is lost) and counted in
``Gate.late``, but not passed on to the twin, whose state only moves forward in time. So the
state and the alarms behind the gate may trust that times increase per tag.

Readings of bad or uncertain quality break no rule: they are passed on with their flag.
Physically impossible values (a negative wind speed) are not judged here but by the twin,
which knows each tag's quantity (`twin.monitor.Twin`).

`FUTURE_TOLERANCE_S` is a design choice, not a sourced figure: wide enough for a field
gateway whose clock drifts between NTP syncs, narrow enough that a clock set a day ahead
(which would lock its tag out of all later readings) is caught at once. `MAX_PAYLOAD_BYTES`
and `MAX_DEPTH` are design choices too: a reading of the scheme above is under 200 bytes and
one level deep; the limits leave room for whitespace and an extra field, and refuse anything
that could cost the feed noticeable time or memory to decode.

Every rejection is counted (``Gate.counts``) and handed to ``on_reject``; the first
`LOGGED_PER_RULE` of each rule also go to the ``twin.feeds`` logger, so that a flood of bad
messages does not flood the console as well (the reading log keeps them, within its budget:
`twin.log`).
"""

from __future__ import annotations

import json
import logging
import math
from collections import Counter, OrderedDict
from collections.abc import Callable, Iterable, Mapping

from twin.headcount import POSITION_PREFIX
from twin.readings import GOOD, Reading, parse_quality, parse_time

RULES = (
    "too_large",
    "too_deep",
    "not_json",
    "missing_field",
    "bad_field",
    "unknown_tag",
    "not_finite",
    "bad_time",
    "future",
    "duplicate",
    "unreadable",
)
FUTURE_TOLERANCE_S = 60.0
MAX_PAYLOAD_BYTES = 4096
MAX_DEPTH = 4
LATEST_TIME_S = 253_402_300_799.0  # 9999-12-31T23:59:59Z
LOGGED_PER_RULE = 10
# The part of a rejected payload handed on (the reading log truncates further).
RAW_PREFIX_BYTES = 1024
# A broker redelivers only what the twin had not acknowledged: RabbitMQ at most its
# ``mqtt.prefetch`` (1,000 recommended) plus what publishers resend; mosquitto from a state at
# most its autosave interval (1 s) old: at 10,000 readings/s, 100,000 remembered readings
# cover ten times that. (An index on the log to look copies up would cost each
# insert about 40 %.)
DUPLICATE_MEMORY = 100_000

logger = logging.getLogger("twin.feeds")

RejectSink = Callable[[str, str, float], None]

_decode = json.JSONDecoder().decode
_OPEN = frozenset(b"[{")
_CLOSE = frozenset(b"]}")


def too_deep(payload: bytes, limit: int = MAX_DEPTH) -> bool:
    """True if ``payload`` nests JSON arrays or objects deeper than ``limit``; brackets
    inside strings do not count. Linear in the payload's length, no recursion."""
    if payload.count(b"[") + payload.count(b"{") <= limit:
        return False
    depth = 0
    in_string = escaped = False
    for byte in payload:
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:  # backslash
                escaped = True
            elif byte == 0x22:  # quote
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in _OPEN:
            depth += 1
            if depth > limit:
                return True
        elif byte in _CLOSE:
            depth -= 1
    return False


def raw_text(payload: bytes) -> str:
    """The first `RAW_PREFIX_BYTES` of a payload as text, for the log of rejections."""
    return payload[:RAW_PREFIX_BYTES].decode("utf-8", errors="replace")


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
    recent : iterable of Reading, optional
        The last readings accepted so far, oldest first (the reading log's ``recent``), so
        that a copy redelivered after a restart is known as one.
    on_late : callable, optional
        Called with every late reading (see the module docstring).
    """

    def __init__(
        self,
        known_tags: Iterable[str] | None = None,
        on_reject: RejectSink | None = None,
        check_future: bool = True,
        last_times: Mapping[str, float] | None = None,
        recent: Iterable[Reading] | None = None,
        on_late: Callable[[Reading], None] | None = None,
    ):
        self.known_tags = None if known_tags is None else frozenset(known_tags)
        self.on_reject = on_reject
        self.check_future = check_future
        self.on_late = on_late
        self.counts: Counter[str] = Counter()
        self.late = 0
        self._last: dict[str, float] = dict(last_times or {})
        self._seen: OrderedDict[tuple[str, float], float] = OrderedDict()
        for r in recent or ():
            self._remember(r[1], r[0], r[2])

    @classmethod
    def continuing(cls, known_tags: Iterable[str] | None, log) -> Gate:
        """The gate of a live feed that continues the reading log ``log`` (None: a fresh
        gate): rejections go to the log, and its last times and recent readings tell copies
        redelivered after a restart from late readings, which are logged too."""
        if log is None:
            return cls(known_tags)
        return cls(
            known_tags,
            log.add_rejected,
            last_times=log.last_times(),
            recent=log.recent(DUPLICATE_MEMORY),
            on_late=log.append,
        )

    def _remember(self, tag: str, t: float, value: float) -> None:
        seen = self._seen
        seen[tag, t] = value
        if len(seen) > DUPLICATE_MEMORY:
            seen.popitem(last=False)

    def reject(self, rule: str, raw: str, t_receive: float) -> None:
        """Count, log and hand on one rejected message."""
        self.counts[rule] += 1
        n = self.counts[rule]
        if n <= LOGGED_PER_RULE:
            more = " (further ones are counted, not logged here)" if n == LOGGED_PER_RULE else ""
            logger.warning("rejected (%s): %.200s%s", rule, raw, more)
        if self.on_reject is not None:
            self.on_reject(rule, raw, t_receive)

    def parse(self, tag: str, payload: bytes, t_receive: float) -> Reading | None:
        """Return the reading in a JSON payload ``{"t", "v"[, "q"]}``, or None if rejected."""
        if len(payload) > MAX_PAYLOAD_BYTES:
            self.reject("too_large", raw_text(payload), t_receive)
            return None
        if too_deep(payload):
            self.reject("too_deep", raw_text(payload), t_receive)
            return None
        try:
            message = _decode(payload.decode("utf-8"))
        except (ValueError, UnicodeDecodeError, RecursionError):
            self.reject("not_json", raw_text(payload), t_receive)
            return None
        if not isinstance(message, dict) or "t" not in message or "v" not in message:
            self.reject("missing_field", raw_text(payload), t_receive)
            return None
        value = message["v"]
        try:
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise ValueError("v is not a number")
            quality = message.get("q")
            reading = Reading(
                parse_time(message["t"]),
                tag,
                float(value),
                GOOD if quality is None or quality == GOOD else parse_quality(quality),
            )
        except (ValueError, TypeError, OverflowError):
            self.reject("bad_field", raw_text(payload), t_receive)
            return None
        return self.admit(reading, payload, t_receive)

    def admit(self, reading: Reading, raw: str | bytes, t_receive: float) -> Reading | None:
        """Return ``reading`` if it breaks none of the tag, value and time rules and is not
        late, else None."""
        t, tag, value = reading[0], reading[1], reading[2]
        if (
            self.known_tags is not None
            and tag not in self.known_tags
            and not tag.startswith(POSITION_PREFIX)
        ):
            rule = "unknown_tag"
        elif not math.isfinite(value):
            rule = "not_finite"
        elif not 0.0 <= t <= LATEST_TIME_S:
            rule = "bad_time"
        elif self.check_future and t > t_receive + FUTURE_TOLERANCE_S:
            rule = "future"
        elif t > self._last.get(tag, -math.inf):
            self._last[tag] = t
            self._remember(tag, t, value)
            return reading
        elif self._seen.get((tag, t)) == value:
            rule = "duplicate"
        else:
            self._remember(tag, t, value)
            self.late += 1
            if self.on_late is not None:
                self.on_late(reading)
            return None
        self.reject(rule, raw_text(raw) if isinstance(raw, bytes) else raw, t_receive)
        return None
