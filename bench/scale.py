"""The demo park and the large demo park side by side: load time, one zones run, and the
coupled engine with 10,000 and with 100,000 people for one simulated hour.

- load: ``twin.load_park`` (validation, chemical look-ups, road graph), the first call in
  this process and the best of three after it; for the large park, building it into the
  cache folder first if it is not there (timed apart);
- zones: a 50 mm hole in an ammonia sphere (the demo's NH-101, the large park's first
  NH-101 copy), wind 3 m/s from NE, class D, best of three; the issue's target on the large
  park is under 0.3 s;
- engine: the demo's ammonia night scenario (scenarios/demo/ammonia_night.toml) on each
  park, everyone told to evacuate, occupants scaled to 10,000 and to 100,000 people
  (``--people``), one simulated hour (on the large park: the release at its NH-101 copy,
  the brigade from the first shared fire station); wall time and peak resident memory.

With ``--qra``: the QRA of each park (every loss event, the demo climatology's six weather
classes and 16 sectors, 10 m cells) on 2 local processes: wall and processor time, and
the peak resident memory summed over this process and its workers (sampled every 0.5 s);
the issue's targets: the demo under 60 s, the large park under 10 minutes and 8 GB.
With ``--cluster`` as well: the same QRA on a real Dask cluster on this machine, started
as a user starts one (``dask scheduler`` and 1, then 2, separate ``dask worker --nworkers 1
--nthreads 1`` processes with the README's ``MALLOC_MMAP_THRESHOLD_``:
``bench/dask_cluster.py``), each run twice (on workers just started, which import the
project when the park arrives, and again on the same workers, as a long-lived cluster
serves its second job): its wall time, the speed-up of 2 workers over 1, the grid, F-N
scenarios and receptors compared for equality with the local run, and where the time went
(Dask's task stream: computing, moving data, the longest task, each worker's idle time
between its tasks; the processor time of the workers (per task), of the scheduler and of
this process; the wall time before the first task started and after the last ended; the
wall time the workers' processor time would take on as many free cores), with the load.
``--ensemble N``: N members of scenarios/demo/chlorine_day.toml on the real cluster
of 2 workers, with the progress lines a user sees. The cluster parts need the
``cluster`` extra.

``--people N,M`` sets the engine's headcounts (default 10,000 and 100,000; the issue's
target is 100,000 people for one simulated hour in under 60 s and 4 GB); the peak resident
memory of each run is sampled while it runs (the largest sample over this process).

Run: .venv/bin/python bench/scale.py [--parks demo,large] [--skip-engine] [--qra]
[--cluster] [--ensemble 1000] [--people 10000,100000]
"""

import argparse
import itertools
import math
import os
import resource
import sys
import time
from pathlib import Path

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402

from geodata.demo import build_large  # noqa: E402
from scenarios import scenario_file  # noqa: E402
from scenarios.engine import Engine  # noqa: E402
from scenarios.release import source_term  # noqa: E402
from scenarios.zones import Weather, threat_zones  # noqa: E402
from twin import load_park  # noqa: E402

SCENARIO = Path(__file__).parents[1] / "scenarios" / "demo" / "ammonia_night.toml"
ENSEMBLE_SCENARIO = Path(__file__).parents[1] / "scenarios" / "demo" / "chlorine_day.toml"
QRA_TARGETS = {"demo": (60.0, None), "large": (600.0, 8e9)}  # [s], [bytes] (issues 10, 14)
QRA_WORKERS = 2
HOUR_S = 3600.0
PEOPLE = (10_000, 100_000)
ENGINE_TARGETS = (60.0, 4e9)  # 100,000 people, 1 h: [s], [bytes] (issue 14)
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


def _engine(park, name, people):
    base = scenario_file.load(SCENARIO)
    release = base.releases[0].model_copy(update={"asset": _asset(park, base.releases[0].asset)})
    brigade = base.response.brigade
    if name != "demo":
        fire = next(
            b for b in park.buildings.index if park.buildings.loc[b, "use"] == "fire_station"
        )
        brigade = brigade.model_copy(update={"station": fire})
    night = int(park.buildings["occupants_night"].sum())
    pop = base.population.model_copy(update={"scale": people / night})
    sc = base.with_changes(
        releases=(release,),
        population=pop,
        run=base.run.model_copy(update={"duration_s": HOUR_S}),
        response=base.response.model_copy(update={"brigade": brigade}),
    )
    t0 = time.perf_counter()
    result = Engine(sc, park, action="evacuate").run()
    return time.perf_counter() - t0, result.key_figures()


def _qra_local(park, name):
    """The park's QRA on local processes, with its wall, processor time and peak memory."""
    from bench.dask_cluster import PeakMemory
    from scenarios.qra import run_qra

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu0, t0 = time.process_time(), time.perf_counter()
    with PeakMemory() as memory:
        result = run_qra(park, workers=QRA_WORKERS, progress=False)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = time.process_time() - cpu0 + (after.ru_utime + after.ru_stime)
    cpu -= before.ru_utime + before.ru_stime
    wall_target, memory_target = QRA_TARGETS.get(name, (None, None))
    verdict = (
        ""
        if wall_target is None
        else f"; target < {wall_target:.0f} s: " + ("met" if wall < wall_target else "NOT met")
    )
    if memory_target is not None:
        verdict += f", < {memory_target / 1e9:.0f} GB: " + (
            "met" if memory.peak < memory_target else "NOT met"
        )
    print(
        f"  QRA, {QRA_WORKERS} local processes {wall:7.1f} s wall, {cpu:.1f} s processor time, "
        f"peak resident {memory.peak / 1e9:.2f} GB (all processes){verdict}"
    )
    print(
        f"      {len(result.events):,} loss events, {result.cases:,} cases, grid "
        f"{result.grid.nx:,} x {result.grid.ny:,} cells, max IR "
        f"{result.individual_risk.max():.3e} /yr, F-N region {result.region}"
    )
    return result


def _same(a, b) -> bool:
    """The same grid and values, F-N scenarios and receptors, to the last bit."""
    return (
        a.grid == b.grid
        and np.array_equal(a.individual_risk, b.individual_risk)
        and a.scenarios.equals(b.scenarios)
        and a.receptors.equals(b.receptors)
    )


def _qra_cluster(park, local, runs=("fresh workers", "same workers again")):
    """The park's QRA on a real cluster of 1, then 2, worker processes, each run twice
    (``runs``): on workers just started (they import the project as they start,
    ``--preload``) and again on the same workers; where the time went (Dask's task stream:
    each task's computing, its results' transfer, each worker's idle time between its
    tasks)."""
    from distributed import Client, get_task_stream

    from bench.dask_cluster import PeakMemory, real_cluster
    from scenarios.qra import run_qra

    times = {}
    for n in (1, 2):
        with real_cluster(n) as cluster, Client(cluster.address) as client:
            for run in runs:
                cpu0, mine0 = cluster.cpu_s(), time.process_time()
                t0 = time.perf_counter()
                with PeakMemory() as memory, get_task_stream(client) as stream:
                    result = run_qra(park, cluster=client, progress=False)
                times[n, run] = wall = time.perf_counter() - t0
                cpu1, mine = cluster.cpu_s(), time.process_time() - mine0
                print(
                    f"  QRA, Dask cluster of {n} worker process{'es' if n > 1 else ''}, {run}: "
                    f"{wall:7.1f} s wall, peak resident {memory.peak / 1e9:.2f} GB (this "
                    f"process, scheduler and workers); same grid, F-N scenarios and receptors "
                    f"as the local run: {_same(result, local)}"
                )
                _where_the_time_went(
                    stream.data, wall, n, cpu1[1] - cpu0[1], cpu1[0] - cpu0[0], mine, t0
                )
    for run in runs:
        speedup = times[1, run] / times[2, run]
        print(
            f"  QRA, cluster speed-up of 2 workers over 1, {run}: {speedup:.2f}x "
            f"(efficiency {speedup / 2:.0%}; load {_load_now()})"
        )


def _load_now() -> str:
    return "{:.1f} {:.1f} {:.1f}".format(*os.getloadavg())


def _where_the_time_went(tasks, wall, n, worker_cpu, scheduler_cpu, client_cpu, t0):
    """The task stream of one run: computing, transfers, the longest task, each worker's
    idle time between its first task and its last, the parts of the wall time before the
    first task started and after the last ended, processor time per task and the wall
    time the workers' processor time allows on ``n`` cores."""
    spans = {"compute": 0.0, "transfer": 0.0, "disk-read": 0.0, "deserialize": 0.0}
    first, last, longest = math.inf, 0.0, 0.0
    busy: dict[str, list] = {}
    for task in tasks:
        for s in task["startstops"]:
            spans[s["action"]] = spans.get(s["action"], 0.0) + s["stop"] - s["start"]
            first, last = min(first, s["start"]), max(last, s["stop"])
            if s["action"] == "compute":
                longest = max(longest, s["stop"] - s["start"])
                busy.setdefault(task["worker"], []).append((s["start"], s["stop"]))
    idle = []
    for spans_w in busy.values():
        spans_w.sort()
        idle.append(sum(max(b[0] - a[1], 0.0) for a, b in itertools.pairwise(spans_w)))
    start = time.time() - (time.perf_counter() - t0)  # the run's start on the wall clock
    end = start + wall
    # the compute spans are wall time on a shared machine: scale the longest by the share
    # of processor time the workers got while computing
    longest_cpu = longest * worker_cpu / max(spans["compute"], 1e-9)
    ideal = max(worker_cpu / n, longest_cpu)
    print(
        f"      {len(tasks)} tasks: {spans['compute']:.1f} s computing (longest task "
        f"{longest:.1f} s), {spans['transfer'] + spans['deserialize']:.2f} s moving data; "
        f"each worker idle between its tasks: {', '.join(f'{s:.1f} s' for s in idle)}; "
        f"processor time {worker_cpu:.1f} s in the workers ({worker_cpu / max(len(tasks), 1):.2f}"
        f" s a task), {scheduler_cpu:.1f} s in the scheduler, {client_cpu:.1f} s in this "
        f"process; {first - start:.1f} s before the first task started (catalogue, "
        f"sending the park, on fresh workers their imports) and {end - last:.1f} s after "
        f"the last (contours, checks); the workers' processor time on {n} free "
        f"core{'s' if n > 1 else ''} would take {ideal:.1f} s; load {_load_now()}"
    )


def _ensemble_on_cluster(n):
    """``n`` members of the chlorine scenario on a real cluster of 2 worker processes."""
    from bench.dask_cluster import real_cluster
    from scenarios import ensemble

    scenario = scenario_file.load(ENSEMBLE_SCENARIO)
    with real_cluster(2) as cluster:
        t0 = time.perf_counter()
        table = ensemble.run_ensemble(scenario, n, cluster=cluster.address, progress=True)
        wall = time.perf_counter() - t0
    print(
        f"ensemble of {len(table):,} members of {ENSEMBLE_SCENARIO.name} on a Dask cluster of "
        f"2 worker processes: {wall:.0f} s wall ({wall / len(table):.2f} s a member)"
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--parks", default="demo,large")
    parser.add_argument("--skip-engine", action="store_true")
    parser.add_argument(
        "--people",
        default=",".join(str(n) for n in PEOPLE),
        help="the engine's headcounts, comma-separated",
    )
    parser.add_argument("--qra", action="store_true", help="the QRA on local processes")
    parser.add_argument(
        "--cluster", action="store_true", help="and on a real Dask cluster of 1 and 2 workers"
    )
    parser.add_argument(
        "--fresh-only",
        action="store_true",
        help="on the cluster, only the run on workers just started (not again on the same)",
    )
    parser.add_argument("--ensemble", type=int, metavar="N", help="N members on the cluster")
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
            from bench.dask_cluster import PeakMemory

            for people in (int(n) for n in args.people.split(",")):
                with PeakMemory() as memory:
                    wall, k = _engine(park, name, people)
                verdict = ""
                if people >= 100_000:
                    wall_target, memory_target = ENGINE_TARGETS
                    verdict = (
                        f"; target < {wall_target:.0f} s and < {memory_target / 1e9:.0f} GB: "
                        + (
                            "met"
                            if wall < wall_target and memory.peak < memory_target
                            else "NOT met"
                        )
                    )
                print(
                    f"  engine {k['persons']:,} people, 1 h  {wall:.1f} s wall, "
                    f"peak resident {memory.peak / 1e6:,.0f} MB{verdict}; load {_load_now()}"
                )
        if args.qra or args.cluster:
            local = _qra_local(park, name)
            if args.cluster:
                _qra_cluster(
                    park,
                    local,
                    ("fresh workers",)
                    if args.fresh_only
                    else ("fresh workers", "same workers again"),
                )
    if args.ensemble:
        _ensemble_on_cluster(args.ensemble)


if __name__ == "__main__":
    main()
