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

By default a confirmed leak is forecast once per asset, in the loop's thread (``replay``
prints it in order). With ``background=True`` (the console) forecasts run in a thread of
their own so the feed and the faces keep going while one is computed (about a second on the
demo park), and a leak is forecast again each time the twin refines its source estimate
(asset, rate): the request of each asset made last replaces one not yet started (latest
wins), and ``"forecast"`` is told from that thread.

A drill seeking back (`rewind`) starts the twin again from nothing and takes the recording
again from its start; what is in the log already is not written twice.

Operator actions (`act`: acknowledge, shelve, simulate) are written to the reading log as
alarm rows (state ``"acked"``, ``"shelved"``, ``"simulate"``) with their time, so that a
replay of the log shows who did what when.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path

from scenarios.forecast import forecast
from scenarios.source_geometry import TwinGeometry
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
    background : bool
        Forecast in a thread of its own, again at every refined estimate (see the module
        docstring).
    """

    def __init__(self, park, log_path, *, background: bool = False):
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
        self._confirmed_gas: dict[str, object] = {}
        # Each rewind starts a new generation: a forecast computed for an earlier one (in the
        # background when the drill sought back) is dropped, not told; the check and the
        # telling hold the lock that a rewind takes.
        self.generation = 0
        self._forecast_lock = threading.Lock()
        self.forecaster = Forecaster(self) if background else None
        self.geometry = TwinGeometry(park)
        self.twin = Twin(
            park,
            log=self.log,
            on_alarm=self._alarm,
            on_leak=self._leaks.append,
            source_geometry=self.geometry,
        )

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
                leak = self._confirmed_gas.get(cas)
                if self.forecaster is not None and leak is not None:
                    self.forecaster.request(leak.refined(est), self.twin.snapshot())

    def _confirmed(self, leak) -> None:
        self.emit("leak", leak)
        if self.forecaster is not None:
            if leak.method == "gas detectors":
                self._confirmed_gas.setdefault(leak.cas, leak)
            self.forecaster.request(leak, self.twin.snapshot())
            return
        if leak.asset in self._forecast_done:
            return
        self._forecast_done.add(leak.asset)
        self._forecast(leak, self.twin.snapshot())

    def _forecast(self, leak, snapshot, generation: int | None = None) -> None:
        """Forecast ``leak`` from ``snapshot`` and tell the subscribers, unless the loop was
        rewound since the request (``generation``, default the current one)."""
        generation = self.generation if generation is None else generation
        try:
            result, why = forecast(self.park, leak, snapshot), ""
        except ValueError as err:
            result, why = None, str(err)
        with self._forecast_lock:
            if generation != self.generation:
                return
            if result is not None:
                self.forecasts.append(result)
            self.emit("forecast", (leak, result, why))

    def rewind(self) -> None:
        """Start the twin again from nothing, to take a recording again from its start (a
        drill seeking back). What it raises again up to the latest reading taken so far is
        in the log already and is not written again; forecasts waiting are dropped."""
        with self._forecast_lock:
            self.generation += 1
        if self.forecaster is not None:
            self.forecaster.drop()
        upto = self.twin.t if self.count else -math.inf
        self.events, self.forecasts, self._leaks = [], [], []
        self._forecast_done, self._estimate_seen, self._confirmed_gas = set(), {}, {}
        self.count = 0
        self.twin = Twin(
            self.park,
            log=_LogAfter(self.log, upto),
            on_alarm=self._alarm,
            on_leak=self._leaks.append,
            source_geometry=self.geometry,
        )

    def act(
        self,
        action: str,
        tag: str,
        level: str = "",
        by: str = "operator",
        t=None,
        detail: str = "",
    ) -> None:
        """Record an operator's action in the log at wall time ``t`` [s POSIX UTC] (default
        now), with the feed's time (and ``detail``) in the row's text: acknowledge or shelve
        the alarm ``tag``/``level``, or simulate (``tag`` names what was simulated).

        Raises KeyError for an alarm that does not exist, ValueError for an unknown action.
        """
        if action not in ACTIONS:
            raise ValueError(f"unknown action {action!r}; expected one of {', '.join(ACTIONS)}")
        t = time.time() if t is None else t
        note = f"by {by}, feed time {format_time(self.twin.t)}" if self.count else f"by {by}"
        note += f": {detail}" if detail else ""
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
        """Stop the forecasts' thread; commit and close the log."""
        if self.forecaster is not None:
            self.forecaster.stop()
        self.log.close()


class _LogAfter:
    """The reading log, writing only alarm rows later than ``t`` [s]."""

    def __init__(self, log: ReadingLog, t: float):
        self.log, self.t = log, t

    def add_alarm(self, t, *row) -> None:
        if t > self.t:
            self.log.add_alarm(t, *row)


class Forecaster:
    """The forecasts of a `FeedLoop` in a thread of their own: one request per asset waits
    (a newer one replaces it: latest wins), the oldest waiting is computed next."""

    def __init__(self, loop: FeedLoop):
        self.loop = loop
        self.pending: dict[str, tuple] = {}
        self.busy = False
        self._wake = threading.Condition()
        self._stopped = False
        self._thread = threading.Thread(target=self._run, name="forecasts", daemon=True)
        self._thread.start()

    def request(self, leak, snapshot) -> None:
        """Forecast ``leak`` in ``snapshot`` (taken now, in the loop's thread)."""
        with self._wake:
            self.pending.pop(leak.asset, None)
            self.pending[leak.asset] = (leak, snapshot, self.loop.generation)
            self._wake.notify()

    def drop(self) -> None:
        """Forget the requests not yet started."""
        with self._wake:
            self.pending.clear()

    def idle(self) -> bool:
        """Nothing waiting and nothing being computed."""
        with self._wake:
            return not self.pending and not self.busy

    def stop(self) -> None:
        with self._wake:
            self._stopped = True
            self._wake.notify()
        self._thread.join(timeout=30)

    def _run(self) -> None:
        while True:
            with self._wake:
                while not self.pending and not self._stopped:
                    self._wake.wait()
                if self._stopped:
                    return
                asset = next(iter(self.pending))
                leak, snapshot, generation = self.pending.pop(asset)
                self.busy = True
            try:
                self.loop._forecast(leak, snapshot, generation)
            except Exception:  # a forecast that fails must not stop the next ones
                logger.exception("forecast of %s failed", leak.asset)
            finally:
                with self._wake:
                    self.busy = False


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
