"""The live twin: readings in, state, graded and classed alarms, and leaks out.

`Twin.update(reading)` is the hot path (target: 200,000 readings per second on one core
through state and alarms): a dict look-up of the tag's `twin.state.Channel`, two
attribute writes, the reading kept in the channel's history, and one range test; only a
value beyond an alarm limit (or a limit not at rest) goes on to `twin.alarms`. Time comes
from the readings only, so replaying the same readings gives the same alarms and leaks in
the same order.

A physically impossible value (`twin.state.PHYSICAL_SI`: a negative wind speed or gas
concentration, a temperature below absolute zero) is refused before it reaches the state,
so no model downstream ever sees it: it is counted per tag (``Twin.implausible``) and
flagged as an alarm event of kind ``"implausible"`` (state ``"rejected"`` at the first such
value of a run of them, ``"cleared"`` at the next possible value), written to the log and
handed to ``on_alarm`` like any other. A gas reading above the pure gas (a mole fraction
above 1: 1e30 ppm) is such a value.

A possible value beyond the measuring band of its transmitter (NAMUR NE 43,
`twin.transmitter`: above 103.125 % or below -1.25 % of the span) is no measurement but a
failure signal: rule ``out_of_range``. It still reaches the state and the alarms (where
`twin.plausibility` classes its alarm as an instrument fault), but it is counted per tag
(``Twin.out_of_range``), flagged as an alarm event of kind ``"out of range"`` (state
``"flagged"`` at the first of a run, ``"cleared"`` at the next reading inside the band),
and no leak estimate uses it (`twin.leak`).

Every ``tick_s`` of reading time the twin closes a tick: `twin.leak.LeakDetector` runs the
mass balance of every tank and, where gas is present, the source estimation. A leak is
written to the reading log as an alarm row (kind ``"leak"``, level = the method, state
``"detected"``). Level tags whose alarms were classed instrument fault are kept out of the
mass balance from then on (a suspect transmitter is not evidence of a leak).
"""

from __future__ import annotations

import dataclasses
import math
from collections import Counter
from collections.abc import Iterable

from twin.alarms import AlarmBoard, AlarmSettings
from twin.headcount import Headcounts, is_headcount_tag
from twin.leak import LeakDetector, LeakEvent, LeakSettings
from twin.log import AlarmRow
from twin.plausibility import INSTRUMENT, PlausibilitySettings, classify
from twin.state import ParkModel, Snapshot


class Twin:
    """The park followed from its readings.

    Parameters
    ----------
    park : geodata.Park
        From `twin.load_park`.
    log : twin.log.ReadingLog, optional
        Alarm and leak events are written to it (the feed loop writes the readings).
    tick_s : float
        Reading time between leak checks. [s]
    on_alarm : callable, optional
        Called with every alarm event (`twin.log.AlarmRow`) as it happens.
    on_leak : callable, optional
        Called with every `twin.leak.LeakEvent` as it is flagged: where a replay or live
        loop hands a leak to a forecast.
    source_geometry : callable, optional
        ``source_geometry(asset, rates_kg_s, wind_speed_m_s, air_temperature_K,
        duration_s) -> (rows, Release) | None``: the clouds the forecast draws of a leak of
        ``asset`` at each rate (`twin.leak.estimate_source`'s ``sources``), or None where
        the asset has no hole model. Given, the gas detectors' estimate inverts them for the
        leading candidates (`twin.leak.LeakDetector`); without it, a vapour point source.
        Whoever runs the twin hands it in (the twin may not import scenarios/:
        ``scenarios.source_geometry.TwinGeometry``).
    """

    def __init__(
        self,
        park,
        *,
        log=None,
        alarm_settings: AlarmSettings | None = None,
        plausibility_settings: PlausibilitySettings | None = None,
        leak_settings: LeakSettings | None = None,
        tick_s: float = 60.0,
        on_alarm=None,
        on_leak=None,
        source_geometry=None,
    ):
        if not tick_s > 0:
            raise ValueError(f"tick_s must be > 0, got {tick_s}")
        self.model = ParkModel.from_park(park)
        self.log = log
        self.plausibility_settings = plausibility_settings or PlausibilitySettings()
        self.alarms = AlarmBoard(
            alarm_settings or AlarmSettings(), log, self._classify, on_event=on_alarm
        )
        self.on_leak = on_leak
        self.alarms.attach(self.model.channels.values())
        self.leaks = LeakDetector(self.model, leak_settings or LeakSettings(), source_geometry)
        self.people = Headcounts(park)
        self.tick_s = tick_s
        self.unknown = 0
        self.late = 0
        self.implausible: Counter[str] = Counter()
        self.out_of_range: Counter[str] = Counter()
        self.on_alarm = on_alarm
        self._channels = self.model.channels
        self._next_tick = -math.inf
        self._last_tick: float | None = None
        self._suspect: set[str] = set()
        self._refusing: set[str] = set()
        self._beyond: set[str] = set()

    def _classify(self, alarm, ch):
        verdict = classify(alarm, ch, self.model, self.plausibility_settings)
        if verdict.classification == INSTRUMENT:
            self._suspect.add(ch.tag)
        return verdict

    def update(self, reading) -> None:
        """Take one `twin.readings.Reading`. A reading older than the last one taken of its
        tag is counted in ``late`` and left out: the state only moves forward."""
        ch = self._channels.get(reading[1])
        if ch is None:
            if is_headcount_tag(reading[1]):
                self.people.update(reading)
            else:
                self.unknown += 1
            return
        t = reading[0]
        if t < ch.t:
            self.late += 1
            return
        v = reading[2]
        if not ch.physical_low <= v <= ch.physical_high:
            self._implausible(ch, reading)
            return
        if ch.tag in self._refusing:
            self._refusing.discard(ch.tag)
            self._flag(AlarmRow(t, ch.tag, "implausible", "", "cleared", f"{v:.6g} {ch.unit}"))
        if not ch.band_low <= v <= ch.band_high:
            self._out_of_range(ch, reading)
        elif ch.tag in self._beyond:
            self._beyond.discard(ch.tag)
            self._flag(AlarmRow(t, ch.tag, "out of range", "", "cleared", f"{v:.6g} {ch.unit}"))
        if t >= self._next_tick:
            self._tick(t)
        ch.value = v
        ch.t = t
        ch.history.append(reading)
        if ch.quiet and ch.lo_on < v < ch.hi_on:
            return
        self.alarms.evaluate(ch, reading)

    def _implausible(self, ch, reading) -> None:
        self.implausible[ch.tag] += 1
        if ch.tag in self._refusing:
            return
        self._refusing.add(ch.tag)
        self._flag(
            AlarmRow(
                reading[0],
                ch.tag,
                "implausible",
                "",
                "rejected",
                f"{reading[2]:.6g} {ch.unit} is not physically possible for {ch.kind} "
                f"(outside {ch.physical_low:.6g}..{ch.physical_high:.6g} {ch.unit}); "
                "this and further such values are kept out of the state",
            )
        )

    def _out_of_range(self, ch, reading) -> None:
        self.out_of_range[ch.tag] += 1
        if ch.tag in self._beyond:
            return
        self._beyond.add(ch.tag)
        self._flag(
            AlarmRow(
                reading[0],
                ch.tag,
                "out of range",
                "",
                "flagged",
                f"{reading[2]:.6g} {ch.unit} is beyond the measuring band "
                f"{ch.band_low:.6g}..{ch.band_high:.6g} {ch.unit} (NAMUR NE 43): a failure "
                "signal, not a measurement; this and further such values are kept out of "
                "the leak estimates",
            )
        )

    def _flag(self, row: AlarmRow) -> None:
        if self.log is not None:
            self.log.add_alarm(*row)
        if self.on_alarm is not None:
            self.on_alarm(row)

    def run(self, readings: Iterable) -> int:
        """Feed every reading to `update`; return how many were taken."""
        update = self.update
        n = 0
        for n, reading in enumerate(readings, 1):  # noqa: B007 - n is the count
            update(reading)
        return n

    def _tick(self, t: float) -> None:
        boundary = self._next_tick
        self._next_tick = (math.floor(t / self.tick_s) + 1) * self.tick_s
        if self._last_tick is None:
            self._last_tick = math.floor(t / self.tick_s) * self.tick_s
            return
        new = self.leaks.tick(boundary, self._last_tick, self._suspect)
        self._last_tick = boundary
        for event in new:
            self._log_leak(event)
            if self.on_leak is not None:
                self.on_leak(event)

    def _log_leak(self, event: LeakEvent) -> None:
        if self.log is not None:
            self.log.add_alarm(
                event.t,
                event.asset,
                "leak",
                event.method,
                "detected",
                f"{event.rate_text()} (p={event.probability:.2f}): {event.detail}",
            )

    @property
    def t(self) -> float:
        """Time of the latest reading taken [s]; NaN before the first."""
        times = [ch.t for ch in self._channels.values() if not math.isnan(ch.t)]
        return max(times) if times else math.nan

    def snapshot(self, t: float | None = None) -> Snapshot:
        """The park's state at ``t`` [s] (default: the latest reading), to start a
        scenario from; any ``t`` within the readings kept per tag. Its ``people`` are the
        headcounts known at ``t`` (`twin.headcount`)."""
        snap = self.model.snapshot(self.t if t is None else t)
        return dataclasses.replace(snap, people=self.people.at(snap.t))
