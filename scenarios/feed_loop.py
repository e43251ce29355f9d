"""The loop that runs a feed: the twin, the reading log, alarms, and a forecast per leak.

`replay`, `live` and the web console all run a feed through one `FeedLoop`. The loop takes
readings (one by one or in batches), keeps the twin and the log, hands each confirmed leak
to `scenarios.forecast` once per asset, and tells its subscribers what happened; the faces
(the terminal, the browser) subscribe and draw. Events and what a subscriber gets:

``"readings"``
    a list of `twin.readings.Reading` just taken by the twin.
``"alarm"``
    a `twin.log.AlarmRow` (raised, classified, cleared, acked, shelved, rejected ...).
``"leak"``
    a `twin.leak.LeakEvent`: a leak confirmed by the twin.
``"estimate"``
    ``(cas, t, SourceEstimate)``: the source estimate of a gas was refined at reading time
    ``t`` [s] (`twin.leak.LeakDetector.estimates`).
``"forecast"``
    ``(leak, Forecast or None, why)``: the forecast of a confirmed leak; None with the
    reason when it could not be computed.
``"feed"``
    a dict of the feed's health (`feed_health`), when the loop is told it.

Subscribers run in the loop's thread; a subscriber that raises is logged and dropped from
that event only, so a face cannot stop the feed.

Operator actions (`act`: acknowledge, shelve, simulate) are written to the reading log as
alarm rows (state ``"acked"``, ``"shelved"``, ``"simulate"``) with their time, so that a
replay of the log shows who did what when.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from pathlib import Path

from scenarios.forecast import forecast
from twin.log import AlarmRow, ReadingLog
from twin.monitor import Twin
from twin.readings import format_time

EVENTS = ("readings", "alarm", "leak", "estimate", "forecast", "feed")
ACTIONS = ("acknowledge", "shelve", "simulate")
logger = logging.getLogger(__name__)


class FeedLoop:
    """A park followed from a feed, with the log and the forecasts (see the module docstring).

    Parameters
    ----------
    park : geodata.Park
        The park.
    log_path : path
        The reading log (SQLite); its folder is made if needed.
    """

    def __init__(self, park, log_path):
        Path(log_path).parent.mkdir(parents=True, exist_ok=True)
        self.park = park
        self.log = ReadingLog(log_path)
        self.subscribers: dict[str, list[Callable]] = {name: [] for name in EVENTS}
        self.events: list[AlarmRow] = []
        self.forecasts: list = []
        self.count = 0
        self._leaks: list = []
        self._forecast_done: set[str] = set()
        self._estimate_seen: dict[str, float] = {}
        self.twin = Twin(park, log=self.log, on_alarm=self._alarm, on_leak=self._leaks.append)

    def subscribe(self, event: str, callback: Callable) -> None:
        """Call ``callback(payload)`` at every ``event`` (one of `EVENTS`)."""
        if event not in self.subscribers:
            raise ValueError(f"unknown event {event!r}; expected one of {', '.join(EVENTS)}")
        self.subscribers[event].append(callback)

    def emit(self, event: str, payload) -> None:
        """Tell the subscribers of ``event``."""
        for callback in self.subscribers[event]:
            try:
                callback(payload)
            except Exception:  # a face must not stop the feed
                logger.exception("subscriber %r of %r failed", callback, event)

    def _alarm(self, row: AlarmRow) -> None:
        self.events.append(row)
        self.emit("alarm", row)

    def take(self, reading, *, logged: bool = False) -> None:
        """Take one reading; ``logged`` when the feed wrote it to the log already."""
        self.take_batch((reading,), logged=logged)

    def take_batch(self, readings: Iterable, *, logged: bool = False) -> None:
        """Take readings in order: log them (unless ``logged``: a live feed logs before it
        acknowledges), update the twin, and forecast any leak confirmed on the way."""
        readings = list(readings)
        if not readings:
            return
        if not logged:
            self.log.extend(readings)
        update = self.twin.update
        for reading in readings:
            update(reading)
            if self._leaks:
                self._confirmed(self._leaks.pop(0))
        self.count += len(readings)
        self.emit("readings", readings)
        self._estimates()

    def _estimates(self) -> None:
        for cas, (t, est) in self.twin.leaks.estimates.items():
            if self._estimate_seen.get(cas) != t:
                self._estimate_seen[cas] = t
                self.emit("estimate", (cas, t, est))

    def _confirmed(self, leak) -> None:
        self.emit("leak", leak)
        if leak.asset in self._forecast_done:
            return
        self._forecast_done.add(leak.asset)
        try:
            result = forecast(self.park, leak, self.twin.snapshot())
        except ValueError as err:
            self.emit("forecast", (leak, None, str(err)))
            return
        self.forecasts.append(result)
        self.emit("forecast", (leak, result, ""))

    def act(self, action: str, tag: str, level: str = "", by: str = "operator", t=None) -> None:
        """Record an operator's action in the log at wall time ``t`` [s POSIX UTC] (default
        now), with the feed's time in the row's text: acknowledge or shelve the alarm
        ``tag``/``level``, or simulate (``tag`` names what was simulated).

        Raises KeyError for an alarm that does not exist, ValueError for an unknown action.
        """
        if action not in ACTIONS:
            raise ValueError(f"unknown action {action!r}; expected one of {', '.join(ACTIONS)}")
        t = time.time() if t is None else t
        note = f"by {by}, feed time {format_time(self.twin.t)}" if self.count else f"by {by}"
        if action == "acknowledge":
            self.twin.alarms.acknowledge(tag, level, t, by=note)
        else:
            kind = ""
            if action == "shelve":
                alarms = self.twin.alarms.alarms
                alarm = next((a for a in alarms if (a.tag, a.level) == (tag, level)), None)
                if alarm is None:
                    raise KeyError(f"no alarm {level} on tag {tag!r}")
                kind = alarm.kind
            state = "shelved" if action == "shelve" else action
            row = AlarmRow(t, tag, kind, level, state, note)
            self.log.add_alarm(*row)
            self._alarm(row)
        self.log.flush()

    def feed_state(self, state: dict) -> None:
        """Tell the subscribers the feed's health (see `feed_health`)."""
        self.emit("feed", state)

    def close(self) -> None:
        """Commit and close the log."""
        self.log.close()


def feed_health(feed, taken: int, now: float | None = None) -> dict:
    """The health of a live or recorded feed as the faces show it: connected or not, why
    not, the age of the last message [s] (None before the first), readings taken, and
    messages rejected per rule."""
    now = time.monotonic() if now is None else now
    last = getattr(feed, "last_message", None)
    return {
        "address": getattr(feed, "address", ""),
        "connected": bool(getattr(feed, "connected", True)),
        "refused": getattr(feed, "refused", None),
        "last_error": getattr(feed, "last_error", None),
        "age_s": None if last is None else max(now - last, 0.0),
        "taken": taken,
        "rejected": dict(feed.rejected),
        "late": getattr(feed, "late", 0),
    }
