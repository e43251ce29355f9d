"""Graded alarms per tag, with deadband and on/off delays, acknowledgement and clearing.

Limits come from the sensors layer (``alarm_low``, ``alarm_high``, ``alarm_highhigh``):

- process values (level, pressure, temperature, flow): ``L`` (value <= alarm_low),
  ``H`` (>= alarm_high) and ``HH`` (>= alarm_highhigh);
- gas detectors: ``AL1`` (first level, >= alarm_high) and ``AL2`` (second level,
  >= alarm_highhigh). GB/T 50493-2019 (Standard for design of combustible gas and toxic gas
  detection and alarm for petrochemical industry) sets the first level of a combustible gas
  detector at or below 25 % LEL and the second at or below 50 % LEL, and for toxic gas the
  first at or below 100 % and the second at or below 200 % of the occupational exposure
  limit; the demo park's sensors layer carries those thresholds, and the cause text says
  which rule a limit stands for. The standard's text was not at hand: the figures are as
  issue 4 and the park data state them.

Each limit is a small state machine driven only by reading times (never the wall clock),
so replaying the same readings gives the same alarms in the same order:

    normal --(value beyond limit)--> pending --(still beyond after on-delay)--> active
    active --(value back inside limit -/+ deadband)--> clearing --(after off-delay)--> cleared

A value that comes back before the on-delay ends, or goes out again before the off-delay
ends, returns the limit to where it was: a noisy signal near a limit does not chatter.
The deadband and delays are the usual alarm-design tools (ANSI/ISA-18.2; their semantics
as in OPC UA Part 9, Annex B.1.5 "on-delay, off-delay and alarm dead bands"); the default
values in `AlarmSettings` are parktwin's choices, not figures from a standard, and are
meant to be set per site.

An alarm is raised with its cause (which tag, value, limit, and what the limit stands for);
`twin.plausibility` then classes it. Every event (raised, classified, acked, cleared) is
an `twin.log.AlarmRow` written to the reading log when one is given.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

from geodata.schema import GAS_KINDS
from twin.log import AlarmRow
from twin.state import Channel
from twin.transmitter import over_range

NORMAL, PENDING, ACTIVE, CLEARING = range(4)

_PROCESS_WORDS = {"L": "low", "H": "high", "HH": "high-high"}


@dataclass(frozen=True)
class AlarmSettings:
    """Deadband (fraction of the measuring span) and delays [s], for process tags and for
    gas detectors. Defaults are parktwin choices (see the module docstring)."""

    process_deadband_fraction: float = 0.02
    process_on_delay_s: float = 15.0
    process_off_delay_s: float = 30.0
    gas_deadband_fraction: float = 0.02
    gas_on_delay_s: float = 0.0
    gas_off_delay_s: float = 30.0

    def __post_init__(self):
        for name, value in vars(self).items():
            if not (math.isfinite(value) and value >= 0):
                raise ValueError(f"alarm setting {name} must be finite and >= 0, got {value}")


@dataclass
class Alarm:
    """One alarm of one tag and level, from raise to clear. Times are POSIX UTC [s]."""

    tag: str
    asset: str | None
    kind: str  # the sensor kind ("level", "gas_toxic", ...)
    level: str  # "L", "H", "HH", "AL1", "AL2"
    t_raised: float
    value: float  # the raw value that raised it, in ``unit``
    unit: str
    cause: str
    acked: bool = False
    t_acked: float | None = None
    t_cleared: float | None = None
    verdict: object = None  # a twin.plausibility.Verdict once classed

    @property
    def active(self) -> bool:
        return self.t_cleared is None


@dataclass
class Limit:
    """One graded limit of one channel and its state machine."""

    level: str
    limit: float
    above: bool
    deadband: float
    on_delay_s: float
    off_delay_s: float
    meaning: str
    state: int = NORMAL
    since: float = 0.0
    alarm: Alarm | None = None


def _gas_meaning(ch: Channel, level: str) -> str:
    if ch.kind == "gas_combustible":
        rule = "<= 25 % LEL" if level == "AL1" else "<= 50 % LEL"
        return f"{'first' if level == 'AL1' else 'second'}-level combustible gas ({rule})"
    rule = "<= 100 %" if level == "AL1" else "<= 200 %"
    return (
        f"{'first' if level == 'AL1' else 'second'}-level toxic gas "
        f"({rule} of the occupational limit)"
    )


def build_limits(ch: Channel, settings: AlarmSettings) -> tuple[Limit, ...]:
    """The graded limits of a channel from its sensors-layer fields."""
    gas = ch.kind in GAS_KINDS
    if gas:
        grades = [("AL1", ch.alarm_high, True), ("AL2", ch.alarm_highhigh, True)]
        db = settings.gas_deadband_fraction * ch.span
        on, off = settings.gas_on_delay_s, settings.gas_off_delay_s
    else:
        grades = [
            ("L", ch.alarm_low, False),
            ("H", ch.alarm_high, True),
            ("HH", ch.alarm_highhigh, True),
        ]
        db = settings.process_deadband_fraction * ch.span
        on, off = settings.process_on_delay_s, settings.process_off_delay_s
    limits = []
    for level, value, above in grades:
        if value is None:
            continue
        meaning = (
            _gas_meaning(ch, level)
            if gas
            else f"{_PROCESS_WORDS[level]} {ch.kind.replace('_', ' ')}"
        )
        limits.append(Limit(level, value, above, db, on, off, meaning))
    return tuple(limits)


@dataclass
class AlarmBoard:
    """All alarms of a park: the state machines of every channel, the active list and the
    event history.

    ``classify(alarm, channel)`` (set by the twin) is called when an alarm is raised and
    returns a verdict with ``classification``, ``rule`` and ``detail`` attributes.
    ``log`` is a `twin.log.ReadingLog` or None; ``on_event(row)``, if given, is called
    with every event as it happens (a live view, a forecast trigger).
    """

    settings: AlarmSettings = field(default_factory=AlarmSettings)
    log: object = None
    classify: Callable | None = None
    on_event: Callable | None = None
    events: list[AlarmRow] = field(default_factory=list)
    alarms: list[Alarm] = field(default_factory=list)

    def attach(self, channels) -> None:
        """Give every channel its limits and fast-path bounds."""
        for ch in channels:
            ch.limits = build_limits(ch, self.settings)
            lows = [lim.limit for lim in ch.limits if not lim.above]
            highs = [lim.limit for lim in ch.limits if lim.above]
            ch.lo_on = max(lows) if lows else -math.inf
            ch.hi_on = min(highs) if highs else math.inf
            ch.quiet = True

    @property
    def active(self) -> list[Alarm]:
        """Alarms raised and not yet cleared, in the order raised."""
        return [a for a in self.alarms if a.active]

    def _event(self, t, alarm: Alarm, state: str, cause: str) -> None:
        row = AlarmRow(t, alarm.tag, alarm.kind, alarm.level, state, cause)
        self.events.append(row)
        if self.log is not None:
            self.log.add_alarm(*row)
        if self.on_event is not None:
            self.on_event(row)

    def evaluate(self, ch: Channel, reading) -> None:
        """Step every limit of ``ch`` with one reading (called when the value is outside
        the quiet band or a limit is not normal)."""
        t = reading[0]
        v = reading[2]
        for lim in ch.limits:
            if lim.above:
                beyond = v >= lim.limit
                back = v < lim.limit - lim.deadband
            else:
                beyond = v <= lim.limit
                back = v > lim.limit + lim.deadband
            state = lim.state
            if state == NORMAL:
                if beyond:
                    lim.state, lim.since = PENDING, t
                    if lim.on_delay_s <= 0:
                        self._raise(ch, lim, t, v)
            elif state == PENDING:
                if not beyond:
                    lim.state = NORMAL
                elif t - lim.since >= lim.on_delay_s:
                    self._raise(ch, lim, t, v)
            elif state == ACTIVE:
                if back:
                    lim.state, lim.since = CLEARING, t
                    if lim.off_delay_s <= 0:
                        self._clear(ch, lim, t, v)
            elif not back:
                lim.state = ACTIVE
            elif t - lim.since >= lim.off_delay_s:
                self._clear(ch, lim, t, v)
        ch.quiet = all(lim.state == NORMAL for lim in ch.limits)

    def _raise(self, ch: Channel, lim: Limit, t: float, v: float) -> None:
        lim.state = ACTIVE
        sign = ">=" if lim.above else "<="
        over = " (over range: at least)" if over_range(v, ch.range_high) else ""
        cause = (
            f"{ch.tag} {v:.6g} {ch.unit}{over} {sign} {lim.level} limit {lim.limit:g} "
            f"{ch.unit}: {lim.meaning}" + (f" at {ch.asset}" if ch.asset else "")
        )
        alarm = Alarm(ch.tag, ch.asset, ch.kind, lim.level, t, v, ch.unit, cause)
        lim.alarm = alarm
        self.alarms.append(alarm)
        self._event(t, alarm, "raised", cause)
        if self.classify is not None:
            verdict = self.classify(alarm, ch)
            alarm.verdict = verdict
            self._event(
                t,
                alarm,
                "classified",
                f"{verdict.classification} [{verdict.rule}]: {verdict.detail}",
            )

    def _clear(self, ch: Channel, lim: Limit, t: float, v: float) -> None:
        lim.state = NORMAL
        alarm = lim.alarm
        lim.alarm = None
        alarm.t_cleared = t
        side = "below" if lim.above else "above"
        self._event(
            t,
            alarm,
            "cleared",
            f"{ch.tag} {v:.6g} {ch.unit} back {side} {lim.level} limit {lim.limit:g} "
            f"{ch.unit} by the deadband {lim.deadband:g} {ch.unit} for {lim.off_delay_s:g} s",
        )

    def acknowledge(self, tag: str, level: str, t: float, by: str = "operator") -> Alarm:
        """Acknowledge the latest alarm of ``tag`` at ``level``; ``t`` [s] is the time of
        the acknowledgement (from the feed's clock, for a replay to repeat it).

        Raises KeyError if that tag and level have no alarm.
        """
        for alarm in reversed(self.alarms):
            if alarm.tag == tag and alarm.level == level:
                if not alarm.acked:
                    alarm.acked, alarm.t_acked = True, t
                    self._event(t, alarm, "acked", f"acknowledged by {by}")
                return alarm
        raise KeyError(f"no alarm {level} on tag {tag!r}")
