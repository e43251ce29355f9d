"""Replay throughput of the twin: state + alarms + plausibility + leak checks, one core.

Replays the demo park's drill recording (`twin.demo.INCIDENT_DRILL`, 84,960 readings: 112
sensor tags every 10 s and 36 simulated building headcounts every minute over 2 h, with a
false level alarm and an ammonia leak) through `twin.monitor.Twin`
and prints readings per second, best of ``--repeat`` runs:

- twin only: the readings already in memory (`Reading` tuples), through `Twin.run`,
  ticks (mass balance, source estimation) included;
- source estimation alone: the time of each gas-detector estimate (`LeakDetector._gas`
  while gas is present, one per tick), median and largest (the first marches the
  integral plume; later ones in the same weather reuse it);
- feed + twin: iterating the `twin.feeds.RecordedFeed` (tuple building) and the twin.

The twin is given the forecast's source geometry (`scenarios.source_geometry.TwinGeometry`,
a fresh one per run), as `parktwin replay`, `live` and the console give it, so the gas
estimates invert the clouds the forecast draws for the leading candidates;
``--point-source`` leaves it out (the vapour point source for every candidate, the twin
before it was given the geometry); ``--all-clouds`` gives every candidate its clouds at every
estimate (the reference the twin's two-stage fit is checked against: slow).

``--estimates`` also prints every gas-detector estimate of the drill's leak (one a minute
while gas is present): time, most likely source, its probability and the rate as the
twin gives it (the truth: NB-101 at 0.15 kg/s from 02:10, released in the recording as
the forecast's clouds of that leak, a flashing jet and its rainout pool: `twin.recording`).

The file load (CSV parse, sort, bad-message rules) is timed once on its own. Issue 4
target: at least 200,000 readings per second through state and alarms on one core.

Run from the repository root: ``.venv/bin/python bench/twin_replay.py``.
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import twin
from scenarios.source_geometry import TwinGeometry
from twin.demo import INCIDENT_DRILL
from twin.feeds import RecordedFeed
from twin.headcount import feed_tags
from twin.leak import RATE_NODES_KG_S, LeakDetector, candidate_asset, geometry_key
from twin.monitor import Twin
from twin.readings import format_time


def _twin(park, geometry: bool) -> Twin:
    return Twin(park, source_geometry=TwinGeometry(park) if geometry else None)


def _best(park, readings, repeat: int, geometry: bool) -> float:
    """Shortest time of ``Twin.run(readings)`` over ``repeat`` fresh twins (built untimed)."""
    best = float("inf")
    for _ in range(repeat):
        tw = _twin(park, geometry)
        start = time.perf_counter()
        tw.run(readings)
        best = min(best, time.perf_counter() - start)
    return best


def _estimate_times(tw, readings) -> list[float]:
    """Run ``readings`` through ``tw``, timing each gas-detector tick with gas present."""
    times = []
    gas = LeakDetector._gas

    def timed(self, cas, t, t_prev):
        start = time.perf_counter()
        out = gas(self, cas, t, t_prev)
        if cas in self._gas_since:
            times.append(time.perf_counter() - start)
        return out

    LeakDetector._gas = timed
    try:
        tw.run(readings)
    finally:
        LeakDetector._gas = gas
    return times


def _estimate_updates(park, readings, geometry: bool) -> list[tuple[float, object]]:
    """Every gas-detector source estimate of a fresh twin fed ``readings``, in time order."""
    tw = _twin(park, geometry)
    seen = {}
    for reading in readings:
        tw.update(reading)
        for cas, (t, estimate) in tw.leaks.estimates.items():
            seen[(t, cas)] = (t, estimate)
    return sorted(seen.values(), key=lambda item: item[0])


def _all_clouds(self, fit, candidates, estimate, wind_speed, air_k, window_s):
    """`LeakDetector._refit` with every candidate's clouds (the reference)."""
    key = geometry_key(wind_speed, air_k, window_s)
    assets = {candidate_asset(cand[0]) for cand in candidates}
    clouds = {asset: self.source_geometry(asset, RATE_NODES_KG_S, *key) for asset in assets}
    return fit(sources=[clouds[candidate_asset(cand[0])] for cand in candidates])


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs; the best is printed")
    parser.add_argument(
        "--estimates", action="store_true", help="also print every gas-detector estimate"
    )
    parser.add_argument(
        "--point-source",
        action="store_true",
        help="estimate with the vapour point source only (no source geometry)",
    )
    parser.add_argument(
        "--all-clouds",
        action="store_true",
        help="give every candidate its clouds at every estimate (the slow reference)",
    )
    args = parser.parse_args(argv)
    geometry = not args.point_source
    if args.all_clouds:
        LeakDetector._refit = _all_clouds
    park = twin.load_park("demo")
    start = time.perf_counter()
    feed = RecordedFeed(INCIDENT_DRILL, known_tags=feed_tags(park))
    load_s = time.perf_counter() - start
    readings = list(feed)
    n = len(readings)
    twin_s = _best(park, readings, args.repeat, geometry)
    feed_s = _best(park, feed, args.repeat, geometry)
    start = time.perf_counter()
    check = _twin(park, geometry)
    build_s = time.perf_counter() - start
    estimates = _estimate_times(check, readings)
    print(f"drill recording: {n:,} readings, {len(park.sensors)} tags")
    print(
        "gas estimates: "
        + (
            "point source"
            if not geometry
            else "every candidate's clouds"
            if args.all_clouds
            else "the forecast's clouds for the leading candidates"
        )
    )
    print(f"load (CSV -> feed)      {load_s:8.3f} s  {n / load_s:12,.0f} readings/s")
    print(f"twin only               {twin_s:8.3f} s  {n / twin_s:12,.0f} readings/s")
    print(f"feed + twin             {feed_s:8.3f} s  {n / feed_s:12,.0f} readings/s")
    print(f"(building the twin from the park, once, untimed above: {build_s:.3f} s)")
    if estimates:
        print(
            f"source estimates: {len(estimates)}, median {statistics.median(estimates) * 1e3:.1f} "
            f"ms, largest {max(estimates) * 1e3:.1f} ms each"
        )
    print(
        f"alarms raised: {sum(e.state == 'raised' for e in check.alarms.events)}, "
        f"leaks flagged: {len(check.leaks.events)}"
    )
    if args.estimates:
        print("gas-detector estimates (time UTC, most likely source, probability, rate):")
        for t, estimate in _estimate_updates(park, readings, geometry):
            print(
                f"  {format_time(t)[11:16]}  {estimate.asset:8s} {estimate.probability:4.2f}  "
                f"{estimate.rate_text()}"
            )


if __name__ == "__main__":
    main()
