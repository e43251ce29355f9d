"""The live web console: a Starlette app served by uvicorn that shows a `FeedLoop` in a browser.

A feed thread drains the feed into the loop: an MQTT feed as it arrives, a recording (a
drill) by the drill's clock, which the page can pause, resume and move forward or back (back:
the twin starts again from the recording's start and takes it up to the new time). The page
(``viz/console/``) subscribes to ``/events``, a server-sent event stream: as soon as the feed
brings something (checked every `POLL_S`; at most one message per `MIN_GAP_S`, which batches a
busy feed's readings; at least one per `IDLE_PUSH_S` for the clocks) the server sends what
changed since the client's last message (sensor states, feed health,
alarms, the leak estimate, forecast zones, values of assets in alarm, how far a simulation
has gone). Operator actions come back as ``POST /action`` and ``POST /simulate`` and are
written to the reading log by the loop.

Nothing slow runs on the feed's or the pushes' path: the loop forecasts in a thread of its
own (``FeedLoop(background=True)``, latest wins), and "simulate from now" runs the engine in
a worker process (`Simulator`), whose result the page fetches from ``/simulation.json``.

Bound to an address other than the loopback, every request must carry the token (``?token=``
or the ``X-Token`` header).
"""

from __future__ import annotations

import asyncio
import gc
import hmac
import json
import logging
import math
import multiprocessing
import multiprocessing.connection
import os
import queue
import re
import threading
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import numpy as np
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from physics.bounds import WIND_SPEED
from scenarios.feed_loop import ACTIONS, feed_health
from twin.plausibility import INSTRUMENT
from twin.transmitter import over_range
from viz.console import ASSETS, STATE_COLOURS, asset, covered, park_deck, zones_geojson

POLL_S = 0.005
MIN_GAP_S = 0.02
IDLE_PUSH_S = 0.25
DRAIN_S = 0.05
STALE_S = 300.0  # a tag silent this long in feed time is shown stale (a display setting)
TREND_POINTS = 40
LOOPBACK = ("127.0.0.1", "localhost", "::1")
FIRST_LEVELS = ("L", "H", "AL1")
MEDIA = {".html": "text/html", ".js": "text/javascript", ".css": "text/css"}
ISO_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)")
logger = logging.getLogger(__name__)


def park_timezone(park) -> tuple[ZoneInfo | None, str]:
    """The park's time zone from its location (timezonefinder), and how it was found."""
    try:
        from timezonefinder import TimezoneFinder
    except ImportError:
        return None, "UTC (timezonefinder not installed)"
    point = park.to_wgs84("boundary").union_all().centroid
    name = TimezoneFinder().timezone_at(lng=point.x, lat=point.y)
    if name is None:
        return None, "UTC (no time zone at the park's location)"
    return ZoneInfo(name), name


class Drill:
    """The clock of a drill (a recording replayed): feed time [s], pace, paused or not."""

    def __init__(self, feed, speedup: float):
        self.start = float(feed.t[0]) if len(feed.t) else 0.0
        self.end = float(feed.t[-1]) if len(feed.t) else 0.0
        self.t = self.start
        self.speedup = speedup
        self.paused = False
        self.done = False
        self.rewinding = False
        self.lock = threading.Lock()

    def state(self) -> dict:
        return {
            "start": self.start,
            "end": self.end,
            "t": self.t,
            "paused": self.paused,
            "done": self.done,
            "rewinding": self.rewinding,
            "speedup": self.speedup,
        }

    def control(self, pause: bool | None = None, seek: float | None = None) -> None:
        """Pause or resume; seek to feed time ``seek`` [s] (within the recording), forward
        or back."""
        with self.lock:
            if pause is not None:
                self.paused = bool(pause)
            if seek is not None:
                if not math.isfinite(seek):
                    raise ValueError(f"seek to a time in s, got {seek}")
                self.t = min(max(seek, self.start), self.end)
                self.done = False


class Console:
    """The state the page shows, kept from a `FeedLoop` and its feed (one per server)."""

    def __init__(
        self,
        loop,
        feed,
        *,
        token: str | None = None,
        speedup: float | None = None,
        plan=None,
    ):
        self.loop, self.feed, self.token = loop, feed, token
        self.drill = Drill(feed, speedup) if speedup is not None else None
        self.simulator = Simulator(self, plan)
        self.lock = threading.Lock()
        self.tz, self.tz_name = park_timezone(loop.park)
        self.last_message: float | None = None
        self.news = 0  # readings taken so far, in batches (what the event stream waits for)
        self.versions = Counter()
        self.forecast = None
        self.rate = (time.monotonic(), 0, 0.0)
        self.stop = threading.Event()
        self.deck = park_deck(loop.park)
        loop.subscribe("alarm", lambda _: self.versions.update(["alarms"]))
        loop.subscribe("estimate", lambda _: self.versions.update(["leak"]))
        loop.subscribe("leak", lambda _: self.versions.update(["leak"]))
        loop.subscribe("forecast", self._forecast)

    def _forecast(self, payload) -> None:
        leak, result, why = payload
        if result is None:
            self.forecast = {"asset": leak.asset, "why": why, "horizons": {}, "covered": {}}
        else:
            names = [f"+{round(h / 60)} min" for h in result.horizons]
            self.forecast = {
                "asset": leak.asset,
                "why": "",
                "rate": f"{result.rate_kg_s:.3f} kg/s ({result.method}), wind "
                f"{result.weather.wind_speed_m_s:.1f} m/s from "
                f"{result.weather.wind_from_deg:.0f} deg, at {self.local(self.loop.twin.t)}",
                "horizons": {
                    name: zones_geojson(z.zones)
                    for name, z in zip(names, result.horizons.values(), strict=True)
                },
                "covered": {
                    name: covered(z)
                    for name, z in zip(names, result.horizons.values(), strict=True)
                },
            }
        self.versions.update(["forecast"])

    def run_feed(self) -> None:
        """Drain the feed into the loop until `stop` (the feed thread)."""
        if self.drill is not None:
            self._run_drill()
            return
        while not self.stop.is_set():
            batch = self.feed.drain(DRAIN_S)
            if batch:
                with self.lock:
                    self.loop.take_batch(batch, logged=True)
                self.last_message = time.monotonic()
                self.news += 1

    def _run_drill(self) -> None:
        """Take a recording's readings as the drill's clock reaches them: paced by its
        speedup, held while paused, jumping on a seek. A seek back starts the twin again
        and takes the recording from its start up to the new time; readings are written to
        the log the first time only."""
        drill, feed = self.drill, self.feed
        times = feed.t
        readings = list(iter(feed))
        i, logged, n = 0, 0, len(readings)
        last = time.monotonic()
        while not self.stop.is_set():
            time.sleep(DRAIN_S)
            now = time.monotonic()
            with drill.lock:
                if not drill.paused and not drill.done:
                    drill.t = min(drill.t + (now - last) * drill.speedup, drill.end)
                last = now
                until = drill.t
            j = int(np.searchsorted(times, until, side="right"))
            if j < i:
                drill.rewinding = True
                with self.lock:
                    self.loop.rewind()
                    self.forecast = None
                    self.versions.update(["alarms", "leak", "forecast"])
                i = 0
            if j > i:
                with self.lock:
                    if i < logged:
                        self.loop.take_batch(readings[i : min(j, logged)], logged=True)
                    if j > logged:
                        self.loop.take_batch(readings[max(i, logged) : j])
                self.last_message = time.monotonic()
                self.news += 1
                i, logged = j, max(logged, j)
            drill.rewinding = False
            if i == n and not drill.done:
                with drill.lock:
                    drill.t = drill.end
                    drill.done = True

    def stamp(self) -> tuple:
        """Changes whenever there is something new to send."""
        return (self.news, self.versions.total(), id(self.simulator.status))

    def local(self, t: float) -> str:
        """A feed time [s POSIX UTC] in the park's time zone, to the second."""
        if not math.isfinite(t):
            return "not yet"
        when = datetime.fromtimestamp(t, UTC)
        if self.tz is not None:
            when = when.astimezone(self.tz)
        return when.strftime("%Y-%m-%d %H:%M:%S %Z")

    def human(self, text: str) -> str:
        """``text`` with every ISO time in it (the twin's messages write UTC to the
        microsecond) in the park's local time, to the second."""
        return ISO_TIME.sub(lambda m: self.local(datetime.fromisoformat(m[0]).timestamp()), text)

    def health(self) -> dict:
        state = feed_health(self.feed, self.loop.count)
        if getattr(self.feed, "last_message", None) is None and self.last_message is not None:
            state["age_s"] = time.monotonic() - self.last_message
        now, count = time.monotonic(), self.loop.count
        t0, c0, rate = self.rate
        if now - t0 >= 1.0:
            rate = (count - c0) / (now - t0)
            self.rate = (now, count, rate)
        state["rate_per_s"] = rate
        state["rejected_total"] = sum(state["rejected"].values())
        return state

    def sensors(self) -> dict:
        """Each tag's state (a key of `STATE_COLOURS`) and its value as text."""
        twin = self.loop.twin
        worst = {}
        for alarm in twin.alarms.active:
            if alarm.verdict is not None and alarm.verdict.classification == INSTRUMENT:
                rank = 3
            else:
                rank = 1 if alarm.level in FIRST_LEVELS else 2
            worst[alarm.tag] = max(worst.get(alarm.tag, 0), rank)
        now = twin.t
        out = {}
        for tag, ch in twin.model.channels.items():
            if math.isnan(ch.t):
                out[tag] = ["stale", "no reading yet"]
                continue
            rank = worst.get(tag, 0)
            if rank == 3:
                state = "instrument fault (likely)"
            elif over_range(ch.value, ch.range_high):
                state = "over range"
            elif rank:
                state = "first alarm level" if rank == 1 else "second alarm level"
            elif now - ch.t > STALE_S:
                state = "stale"
            else:
                state = "normal"
            out[tag] = [state, f"{ch.value:.4g} {ch.unit}"]
        return out

    def alarms(self) -> list[dict]:
        """One row per tag and level (a chattering alarm once, with its count), newest first."""
        rows, counts = {}, Counter()
        shelved = {(r.tag, r.level) for r in self.loop.events if r.state == "shelved"}
        for alarm in self.loop.twin.alarms.alarms:
            key = (alarm.tag, alarm.level)
            counts[key] += 1
            rows[key] = alarm
        out = []
        for key, alarm in sorted(rows.items(), key=lambda kv: -kv[1].t_raised):
            verdict = alarm.verdict
            out.append(
                {
                    "tag": alarm.tag,
                    "level": alarm.level,
                    "time": self.local(alarm.t_raised),
                    "value": f"{alarm.value:.4g} {alarm.unit}",
                    "cause": self.human(alarm.cause),
                    "verdict": verdict.classification if verdict is not None else "not classed",
                    "rule": self.human(f"{verdict.rule}: {verdict.detail}") if verdict else "",
                    "count": counts[key],
                    "active": alarm.active,
                    "acked": alarm.acked,
                    "shelved": key in shelved,
                }
            )
        return out

    def leak(self) -> list[dict]:
        out = []
        for _cas, (t, est) in dict(self.loop.twin.leaks.estimates).items():
            out.append(
                {
                    "asset": est.asset,
                    "rate": (
                        f"at least {min(est.floor_kg_s, est.rate_kg_s):.3f} kg/s; best fit "
                        if est.lower_bound
                        else ""
                    )
                    + f"{est.rate_kg_s:.3f} kg/s",
                    "sd": f"{est.rate_sd_kg_s:.3f} kg/s",
                    "probability": f"{est.probability:.2f}",
                    "method": "gas detectors (integral plume fit)",
                    "time": self.local(t),
                }
            )
        for event in self.loop.twin.leaks.events:
            if event.method != "gas detectors":
                out.append(
                    {
                        "asset": event.asset,
                        "rate": f"{event.rate_kg_s:.3f} kg/s",
                        "sd": f"{event.rate_sd_kg_s:.3f} kg/s",
                        "probability": f"{event.probability:.2f}",
                        "method": event.method,
                        "time": self.local(event.t),
                    }
                )
        return out

    def assets(self) -> list[dict]:
        """Values and a short trend of the tags of every asset with an active alarm, and the
        inventory of a tank among them (from its level readings, at its latest measured
        temperature)."""
        model = self.loop.twin.model
        names = {a.asset for a in self.loop.twin.alarms.active if a.asset}
        out = []
        for ch in model.channels.values():
            if ch.asset in names and not math.isnan(ch.t):
                trend = [r[2] for r in list(ch.history)[-TREND_POINTS:]]
                out.append(
                    {
                        "asset": ch.asset,
                        "tag": ch.tag,
                        "kind": ch.kind,
                        "value": f"{ch.value:.4g} {ch.unit}",
                        "trend": trend,
                    }
                )
        for name in sorted(names & set(model.tanks)):
            tank = model.tanks[name]
            if tank.level is None or math.isnan(tank.level.t):
                continue
            state = model.tank_state(tank)
            levels = np.array([tank.level.si(r[2]) for r in list(tank.level.history)])
            mass = tank.volume(levels[-TREND_POINTS:]) * state.density_kg_m3
            out.append(
                {
                    "asset": name,
                    "tag": f"from {tank.level.tag}",
                    "kind": "inventory",
                    "value": f"{state.mass_kg / 1000:.4g} t",
                    "trend": np.round(np.asarray(mass, float) / 1000, 4).tolist(),
                }
            )
        return out

    def wind(self) -> dict | None:
        if not self.loop.count:
            return None
        try:
            w = self.loop.twin.snapshot().weather
        except (ValueError, KeyError):
            return None
        if not (math.isfinite(w.wind_speed_m_s) and math.isfinite(w.wind_from_deg)):
            return None
        return {
            "text": f"{w.wind_speed_m_s:.1f} m/s from {w.wind_from_deg:.0f} deg, class "
            f"{w.stability}",
            "from_deg": w.wind_from_deg,
            "speed": w.wind_speed_m_s,
        }

    def message(self, sent: dict) -> dict:
        """What changed since ``sent`` (the client's versions and sensor states)."""
        with self.lock:
            msg = {"feed": self.health(), "feed_time": self.local(self.loop.twin.t)}
            if self.drill is not None:
                msg["drill"] = self.drill.state() | {"clock": self.local(self.drill.t)}
            sensors = self.sensors()
            changed = {k: v for k, v in sensors.items() if sent["sensors"].get(k) != v}
            if changed:
                msg["sensors"] = changed
                sent["sensors"].update(changed)
            for part, make in (("alarms", self.alarms), ("leak", self.leak)):
                if sent.get(part) != self.versions[part]:
                    sent[part] = self.versions[part]
                    msg[part] = make()
            if sent.get("forecast") != self.versions["forecast"]:
                sent["forecast"] = self.versions["forecast"]
                msg["forecast"] = self.forecast
            status = self.simulator.status
            if sent.get("simulation") is not status:
                sent["simulation"] = status
                msg["simulation"] = status
            now = time.monotonic()
            if now - sent.get("slow", 0.0) >= 1.0:
                sent["slow"] = now
                msg["assets"] = self.assets()
                msg["wind"] = self.wind()
        return msg

    def act(self, action: str, tag: str, level: str) -> None:
        with self.lock:
            self.loop.act(action, tag, level)

    def leak_now(self):
        """The latest confirmed leak with its latest estimate (a ``twin.leak.LeakEvent``),
        or None."""
        leaks = self.loop.twin.leaks
        if not leaks.events:
            return None
        leak = leaks.events[-1]
        latest = leaks.estimates.get(leak.cas)
        if leak.method == "gas detectors" and latest is not None:
            leak = leak.refined(latest[1])
        return leak


# The worker process of `Simulator`: the park and the plan, set once; progress goes back
# through a queue as (fraction, what is running).
_worker: dict = {}


def _worker_start(park, plan, progress) -> None:
    _worker.update(park=park, plan=plan, progress=progress)
    threading.Thread(target=_end_with_parent, daemon=True).start()


def _end_with_parent() -> None:
    """End the worker when the console's process ends, however it ends (a worker waiting
    for work would otherwise outlive it)."""
    multiprocessing.connection.wait([multiprocessing.parent_process().sentinel])
    os._exit(0)


def _simulate(snapshot, leak, wind) -> dict:
    """Shelter and evacuate from ``snapshot`` (in the worker process): the page's figures,
    people and assumptions."""
    from scenarios.engine import Engine
    from scenarios.simulate_now import ACTIONS, from_now
    from viz.console.simulation import figure_rows, people_frames

    park, plan, progress = _worker["park"], _worker["plan"], _worker["progress"]
    progress.put((0.0, "finding the hole that gives the estimated rate"))
    try:
        start = from_now(plan, park, snapshot, leak, wind)
    except ValueError as err:
        return {"error": str(err)}
    results = {}
    for k, action in enumerate(ACTIONS):
        progress.put((k / len(ACTIONS), f"{action}: setting up"))
        engine = Engine(start.scenario, park, action, start=start.start)
        results[action] = engine.run(
            lambda f, k=k, a=action: progress.put(((k + f) / len(ACTIONS), f"{a}: running"))
        )
    progress.put((1.0, "drawing"))
    return {
        "actions": list(ACTIONS),
        "figures": figure_rows(results),
        "people": {a: people_frames(r, park.crs) for a, r in results.items()},
        # where the people came from: the twin's headcounts or the design occupancy
        "assumptions": start.assumptions + list(people_from(results[ACTIONS[0]])),
        "duration_min": round(start.scenario.run.duration_s / 60),
    }


def people_from(result) -> list[str]:
    """The engine's own line on where a run's people came from."""
    what = result.events["what"]
    return what[what.str.startswith("people start from")].head(1).tolist()


class Simulator:
    """ "Simulate from now" for one console: one run at a time in a worker process (started
    at the first run), its status for the event stream and its result for the page."""

    def __init__(self, console: Console, plan):
        self.console, self.plan = console, plan
        self.status = {"state": "idle", "run": 0}
        self.result: dict | None = None
        self._pool: ProcessPoolExecutor | None = None
        self._progress = None
        self._lock = threading.Lock()

    def _set(self, **status) -> None:
        self.status = status  # a new object: the event stream sends it once

    def start(self, wind: tuple[float, float] | None) -> dict:
        """Start a run from now (``wind``: speed [m/s], from [deg], or None for the
        measured wind); returns the status, or raises ValueError saying why not."""
        if self.plan is None:
            raise ValueError("no response plan: start the console with --plan FILE")
        with self._lock:
            if self.status["state"] == "running":
                raise ValueError("a simulation is running; wait for its result")
            console = self.console
            with console.lock:
                leak = console.leak_now()
                if leak is None:
                    raise ValueError("no leak confirmed yet: nothing to simulate")
                snapshot = console.loop.twin.snapshot()
                text = "shelter vs evacuate from now, wind " + (
                    f"{wind[0]:.1f} m/s from {wind[1]:.0f} deg (operator's)"
                    if wind
                    else "as measured"
                )
                console.loop.act("simulate", leak.asset, detail=text)
            if self._pool is None:
                context = multiprocessing.get_context("spawn")
                self._progress = context.Queue()
                self._pool = ProcessPoolExecutor(
                    1,
                    mp_context=context,
                    initializer=_worker_start,
                    initargs=(console.loop.park, self.plan, self._progress),
                )
            run = self.status["run"] + 1
            when = console.local(snapshot.t)
            self._set(state="running", run=run, progress=0.0, what="starting the engine", at=when)
            future = self._pool.submit(_simulate, snapshot, leak, wind)
            threading.Thread(target=self._follow, args=(future, run, when), daemon=True).start()
            return self.status

    def _follow(self, future, run: int, when: str) -> None:
        while not future.done():
            try:
                fraction, what = self._progress.get(timeout=0.2)
            except queue.Empty:
                continue
            self._set(state="running", run=run, progress=fraction, what=what, at=when)
        try:
            result = future.result()
        except Exception as err:  # the engine failed: say so on the page, keep the console
            logger.exception("simulation failed")
            result = {"error": f"the engine failed: {err}"}
        if "error" in result:
            self._set(state="failed", run=run, why=result["error"], at=when)
            return
        self.result = result | {"run": run, "at": when}
        self._set(state="done", run=run, at=when)

    def close(self) -> None:
        """Stop the worker: at once when idle (its queues closed cleanly); a run under way
        is not waited for (the worker ends with the console's process)."""
        if self._pool is not None:
            self._pool.shutdown(wait=self.status["state"] != "running", cancel_futures=True)


def app(console: Console) -> Starlette:
    """The ASGI app of one console."""

    def allowed(request: Request) -> bool:
        if console.token is None:
            return True
        given = request.headers.get("x-token") or request.query_params.get("token") or ""
        return hmac.compare_digest(given.encode(), console.token.encode())

    def guard(handler):
        async def checked(request: Request):
            if not allowed(request):
                return Response("a valid token is needed (?token=...)", status_code=403)
            return await handler(request)

        return checked

    async def page(request: Request):
        name = request.path_params.get("name", "index.html")
        if name not in (*ASSETS, "deck.js"):
            return Response("not found", status_code=404)
        suffix = name[name.rindex(".") :]
        return Response(asset(name), media_type=MEDIA[suffix])

    async def park(request: Request):
        buildings = console.loop.park.buildings
        names = buildings["name"] if "name" in buildings.columns else buildings.index
        return JSONResponse(
            {
                "deck": console.deck,
                "colours": STATE_COLOURS,
                "timezone": console.tz_name,
                "buildings": [
                    [str(i), str(n), int(d), int(nt)]
                    for i, n, d, nt in zip(
                        buildings.index,
                        names,
                        buildings["occupants_day"],
                        buildings["occupants_night"],
                        strict=True,
                    )
                ],
            }
        )

    async def events(request: Request):
        async def stream():
            sent = {"sensors": {}}
            stamp, pushed = None, -math.inf
            while not console.stop.is_set():
                now = time.monotonic()
                if console.stamp() == stamp and now - pushed < IDLE_PUSH_S:
                    await asyncio.sleep(POLL_S)
                    continue
                stamp, pushed = console.stamp(), now
                msg = await asyncio.to_thread(console.message, sent)
                yield f"data: {json.dumps(msg, separators=(',', ':'))}\n\n"
                await asyncio.sleep(MIN_GAP_S)

        return StreamingResponse(stream(), media_type="text/event-stream")

    async def action(request: Request):
        try:
            body = await request.json()
            what, tag, level = body["action"], str(body["tag"]), str(body.get("level", ""))
        except (ValueError, KeyError, TypeError):
            return JSONResponse({"error": "expected {action, tag, level}"}, status_code=400)
        if what not in ACTIONS:
            return JSONResponse({"error": f"unknown action {what!r}"}, status_code=400)
        try:
            await asyncio.to_thread(console.act, what, tag, level)
        except KeyError as err:
            return JSONResponse({"error": str(err)}, status_code=404)
        return JSONResponse({"ok": True})

    async def simulate(request: Request):
        try:
            body = await request.json()
            wind = body.get("wind")
            if wind is not None:
                speed, wind_from = float(wind[0]), float(wind[1])
                WIND_SPEED.check(speed)
                if not (speed > 0 and 0 <= wind_from <= 360):
                    raise ValueError("a wind of speed > 0 m/s from 0-360 deg")
                wind = (speed, wind_from)
        except (ValueError, KeyError, TypeError, IndexError, AttributeError) as err:
            return JSONResponse({"error": f"expected {{wind: [m/s, deg]}}: {err}"}, 400)
        try:
            status = await asyncio.to_thread(console.simulator.start, wind)
        except ValueError as err:
            return JSONResponse({"error": str(err)}, status_code=409)
        return JSONResponse(status)

    async def simulation(request: Request):
        result = console.simulator.result
        if result is None:
            return JSONResponse({"error": "no simulation yet"}, status_code=404)
        return JSONResponse(result)

    async def drill(request: Request):
        if console.drill is None:
            return JSONResponse({"error": "not a drill (no --replay)"}, status_code=404)
        try:
            body = await request.json()
            pause = body.get("pause")
            seek = body.get("seek")
            console.drill.control(
                None if pause is None else bool(pause), None if seek is None else float(seek)
            )
        except (ValueError, TypeError, AttributeError) as err:
            return JSONResponse({"error": str(err)}, status_code=400)
        return JSONResponse({"ok": True})

    return Starlette(
        routes=[
            Route("/drill", guard(drill), methods=["POST"]),
            Route("/", guard(page)),
            Route("/assets/{name}", guard(page)),
            Route("/park.json", guard(park)),
            Route("/events", guard(events)),
            Route("/action", guard(action), methods=["POST"]),
            Route("/simulate", guard(simulate), methods=["POST"]),
            Route("/simulation.json", guard(simulation)),
        ]
    )


def serve(console: Console, host: str, port: int) -> None:
    """Run the feed thread and the web server until Ctrl-C; then stop both."""
    import uvicorn

    feeder = threading.Thread(target=console.run_feed, daemon=True)
    # the park and the page's layers live as long as the server: keep them out of the
    # collector's full passes (fewer objects to walk each time one runs)
    gc.collect()
    gc.freeze()
    feeder.start()
    config = uvicorn.Config(
        app(console), host=host, port=port, log_level="warning", timeout_graceful_shutdown=2
    )
    try:
        uvicorn.Server(config).run()
    finally:
        console.stop.set()
        console.simulator.close()
        feeder.join(timeout=5)
