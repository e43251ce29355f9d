"""Replay throughput of the twin: state + alarms + plausibility + leak checks, one core.

Replays the demo park's drill recording (`twin.demo.INCIDENT_DRILL`, 80,640 readings of
112 tags over 2 h, with a false level alarm and an ammonia leak) through `twin.monitor.Twin`
and prints readings per second, best of ``--repeat`` runs:

- twin only: the readings already in memory (`Reading` tuples), through `Twin.run`,
  ticks (mass balance, source estimation) included;
- feed + twin: iterating the `twin.feeds.RecordedFeed` (tuple building) and the twin.

The file load (CSV parse, sort, bad-message rules) is timed once on its own. Issue 4
target: at least 200,000 readings per second through state and alarms on one core.

Run from the repository root: ``.venv/bin/python bench/twin_replay.py``.
"""

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import twin
from twin.demo import INCIDENT_DRILL
from twin.feeds import RecordedFeed
from twin.monitor import Twin


def _best(park, readings, repeat: int) -> float:
    """Shortest time of ``Twin.run(readings)`` over ``repeat`` fresh twins (built untimed)."""
    best = float("inf")
    for _ in range(repeat):
        tw = Twin(park)
        start = time.perf_counter()
        tw.run(readings)
        best = min(best, time.perf_counter() - start)
    return best


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs; the best is printed")
    args = parser.parse_args(argv)
    park = twin.load_park("demo")
    start = time.perf_counter()
    feed = RecordedFeed(INCIDENT_DRILL, known_tags=park.sensors.index)
    load_s = time.perf_counter() - start
    readings = list(feed)
    n = len(readings)
    twin_s = _best(park, readings, args.repeat)
    feed_s = _best(park, feed, args.repeat)
    start = time.perf_counter()
    check = Twin(park)
    build_s = time.perf_counter() - start
    check.run(readings)
    print(f"drill recording: {n:,} readings, {len(park.sensors)} tags")
    print(f"load (CSV -> feed)      {load_s:8.3f} s  {n / load_s:12,.0f} readings/s")
    print(f"twin only               {twin_s:8.3f} s  {n / twin_s:12,.0f} readings/s")
    print(f"feed + twin             {feed_s:8.3f} s  {n / feed_s:12,.0f} readings/s")
    print(f"(building the twin from the park, once, untimed above: {build_s:.3f} s)")
    print(
        f"alarms raised: {sum(e.state == 'raised' for e in check.alarms.events)}, "
        f"leaks flagged: {len(check.leaks.events)}"
    )


if __name__ == "__main__":
    main()
