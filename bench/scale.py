"""The demo park and the large demo park side by side: load time, one zones run, and the
coupled engine with 10,000 people for one simulated hour.

- load: ``twin.load_park`` (validation, chemical look-ups, road graph), the first call in
  this process and the best of three after it; for the large park, building it into the
  cache folder first if it is not there (timed apart);
- zones: a 50 mm hole in an ammonia sphere (the demo's NH-101, the large park's first
  NH-101 copy), wind 3 m/s from NE, class D, best of three; the issue's target on the large
  park is under 0.3 s;
- engine: the demo's ammonia night scenario (scenarios/demo/ammonia_night.toml) on each
  park, everyone told to evacuate, occupants scaled to 10,000 people, one simulated hour
  (on the large park: the release at its NH-101 copy, the brigade from the first shared
  fire station); wall time and the process's peak resident memory.

Not measured yet (the issue asks for them): the engine at 100,000 people; the QRA of each
park on local processes and on a Dask cluster of 1 and 2 worker processes, with peak memory,
the speed-up and the grids compared for equality.

Run: .venv/bin/python bench/scale.py [--parks demo,large] [--skip-engine]
"""

import argparse
import os
import resource
import sys
import time
from pathlib import Path

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from geodata.demo import build_large  # noqa: E402
from scenarios import scenario_file  # noqa: E402
from scenarios.engine import Engine  # noqa: E402
from scenarios.release import source_term  # noqa: E402
from scenarios.results import build_result  # noqa: E402
from scenarios.zones import Weather, threat_zones  # noqa: E402
from twin import load_park  # noqa: E402

SCENARIO = Path(__file__).parents[1] / "scenarios" / "demo" / "ammonia_night.toml"
HOUR_S = 3600.0
PEOPLE = 10_000
REPEATS = 3
ZONES_TARGET_S = 0.3


def _best(fn, repeats=REPEATS):
    best, out = float("inf"), None
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


def _load(name):
    """(park, first load [s], best later load [s], line about building it or None)."""
    built = None
    if name == "large":
        path = build_large.cache_path()
        if not path.exists():
            t0 = time.perf_counter()
            build_large.cached_park()
            built = f"built into the cache in {time.perf_counter() - t0:.2f} s"
        name = path
    t0 = time.perf_counter()
    park = load_park(name)
    first = time.perf_counter() - t0
    best, _ = _best(lambda: load_park(name))
    return park, first, best, built


def _asset(park, demo_id):
    return next(t for t in park.tanks.index if t == demo_id or t.endswith("-" + demo_id))


def _zones(park, asset):
    """Best time of a zones run [s] (after one warm-up run) and its result."""
    weather = Weather(3.0, 45.0, "D")

    def run():
        return threat_zones(park, source_term(park, asset, hole_diameter_m=0.05), weather)

    run()
    return _best(run)


def _engine(park, name):
    base = scenario_file.load(SCENARIO)
    release = base.releases[0].model_copy(update={"asset": _asset(park, base.releases[0].asset)})
    brigade = base.response.brigade
    if name != "demo":
        fire = next(
            b for b in park.buildings.index if park.buildings.loc[b, "use"] == "fire_station"
        )
        brigade = brigade.model_copy(update={"station": fire})
    night = int(park.buildings["occupants_night"].sum())
    pop = base.population.model_copy(update={"scale": PEOPLE / night})
    sc = base.with_changes(
        releases=(release,),
        population=pop,
        run=base.run.model_copy(update={"duration_s": HOUR_S}),
        response=base.response.model_copy(update={"brigade": brigade}),
    )
    t0 = time.perf_counter()
    engine = Engine(sc, park, action="evacuate")
    env = engine.env
    while env.peek() <= HOUR_S:
        env.step()
    result = build_result(engine)
    return time.perf_counter() - t0, result.key_figures()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--parks", default="demo,large")
    parser.add_argument("--skip-engine", action="store_true")
    args = parser.parse_args()
    print("(timings on a shared machine: compare best-of figures, not single runs)")
    for name in args.parks.split(","):
        print(f"{name}:")
        park, first, best, built = _load(name)
        if built:
            print(f"  park file           {built}")
        counts = {k: len(v) for k, v in park.layers.items()}
        print(
            f"  size                {counts['enterprises']} enterprises, {counts['tanks']} "
            f"vessels, {park.pipelines.length.sum() / 1e3:.1f} km of pipelines, "
            f"{counts['buildings']} buildings, {counts['sensors']} sensors, "
            f"{int(park.buildings['occupants_day'].sum()):,} people by day"
        )
        print(f"  load (first)        {first:.2f} s")
        print(f"  load (best of {REPEATS})    {best:.2f} s")
        asset = _asset(park, "NH-101")
        z_best, result = _zones(park, asset)
        verdict = "met" if z_best < ZONES_TARGET_S else "NOT met"
        print(
            f"  zones {asset:14s}{z_best:.3f} s best of {REPEATS} ({len(result.zones)} zones); "
            f"target < {ZONES_TARGET_S} s: {verdict}"
        )
        if not args.skip_engine:
            wall, k = _engine(park, name)
            rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            print(
                f"  engine {k['persons']:,} people, 1 h  {wall:.1f} s wall, "
                f"peak resident {rss:,.0f} MB (process so far)"
            )
    print("not measured yet: engine at 100,000 people; QRA on local processes and on a Dask")
    print("cluster of 1 and 2 worker processes (peak memory, speed-up, grids compared)")


if __name__ == "__main__":
    main()
