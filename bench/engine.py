"""How fast the coupled engine runs: the ammonia night scenario of the demo park (all night
occupants, about 3,100 people) and a 10,000-person variant (occupants scaled), one
simulated hour, everyone told to evacuate so that the people model, the road watch and the
dose monitor all work; the people outside the park (the targets layer's receptors, which
shelter once warned) are in every run.

Prints wall time, simulated-to-wall ratio, SimPy events per second and peak memory (the
process's peak resident set, and tracemalloc's peak of Python allocations in a second,
traced run). Target for 10,000 people and one hour: under 30 s on 2 cores and under 2 GB.
Run: .venv/bin/python bench/engine.py
"""

import resource
import time
import tracemalloc
from pathlib import Path

from scenarios import scenario_file
from scenarios.engine import Engine
from scenarios.results import build_result
from twin import load_park

SCENARIO = Path(__file__).parents[1] / "scenarios" / "demo" / "ammonia_night.toml"
HOUR_S = 3600.0


def simulate(sc, park):
    """One simulated hour; returns the result, wall and CPU time [s], SimPy events
    processed and the number of receptors outside the park (on a loaded machine the wall
    time measures the others' load as well; the CPU time less so)."""
    t0, cpu0 = time.perf_counter(), time.process_time()
    engine = Engine(sc, park, action="evacuate")
    env, events = engine.env, 0
    while env.peek() <= HOUR_S:
        env.step()
        events += 1
    result = build_result(engine)
    wall, cpu = time.perf_counter() - t0, time.process_time() - cpu0
    return result, wall, cpu, events, len(engine.off_xy)


def main():
    park = load_park("demo")
    base = scenario_file.load(SCENARIO)
    night = sum(park.buildings["occupants_night"])
    for label, scale in (("demo park, night", 1.0), ("10,000 persons", 10_000 / night)):
        pop = base.population.model_copy(update={"scale": scale})
        run = base.run.model_copy(update={"duration_s": HOUR_S})
        sc = base.with_changes(population=pop, run=run)
        result, wall, cpu, events, receptors = simulate(sc, park)
        tracemalloc.start()
        simulate(sc, park)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        k = result.key_figures()
        print(f"{label}: {k['persons']} persons, one simulated hour, step {sc.run.step_s:g} s")
        print(
            f"  outside the park      {k.get('offsite_persons', 0)} persons on {receptors} "
            "receptors (sheltering)"
        )
        print(f"  wall time             {wall:.2f} s (CPU {cpu:.2f} s)")
        print(f"  simulated / wall      {HOUR_S / wall:.0f}")
        print(f"  SimPy events          {events} ({events / wall:,.0f} per s)")
        print(f"  peak memory           {peak / 2**20:.0f} MB traced, {rss_mb:.0f} MB resident")
        print(f"  arrived               {k['arrived']} (last at {k['last_arrival_s']:.0f} s)")
        print(f"  above AEGL-2 / AEGL-3 {k['above_AEGL-2']} / {k['above_AEGL-3']}")


if __name__ == "__main__":
    main()
