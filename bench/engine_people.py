"""How fast the people model runs: the demo park at night (all occupants, about 3,100
people) and a 10,000-person variant (occupants scaled), one simulated hour of evacuation
to the assembly points.

Prints wall time, simulated-to-wall ratio, SimPy events per second and peak memory (the
process's peak resident set, and tracemalloc's peak of Python allocations during the
run). Target for 10,000 people and one hour: under 30 s on 2 cores and under 2 GB.
"""

import resource
import time
import tracemalloc

import simpy

from scenarios.evacuation import Evacuation
from scenarios.network_flow import FlowNetwork, park_places
from scenarios.people import Lognormal, make_population, park_occupants
from twin import load_park

HOUR_S = 3600.0
# A pre-movement distribution for the benchmark only (median 3 min, sigma 0.6): the
# scenario gives the real one.
PREMOVEMENT = Lognormal(median_s=180.0, sigma=0.6)


def occupants(park, persons: int | None) -> dict[str, int]:
    """Night occupants, scaled to ``persons`` in total (rounding remainder to the largest
    building)."""
    night = park_occupants(park, "night")
    if persons is None:
        return night
    scaled = park_occupants(park, "night", persons / sum(night.values()))
    largest = max(scaled, key=scaled.get)
    scaled[largest] += persons - sum(scaled.values())
    return scaled


def simulate(network, buildings, dests, pop):
    """One simulated hour; returns the result, wall time [s] and events processed."""
    t0 = time.perf_counter()
    env = simpy.Environment()
    evac = Evacuation(env, network, buildings, dests, pop)
    evac.warn()
    events = 0
    while env.peek() <= HOUR_S:
        env.step()
        events += 1
    result = evac.result()
    return result, time.perf_counter() - t0, events


def run(park, network, buildings, dests, persons: int | None, seed: int = 1):
    pop = make_population(occupants(park, persons), PREMOVEMENT, seed)
    result, wall, events = simulate(network, buildings, dests, pop)
    # A second run under tracemalloc for the memory peak: tracing slows Python down several
    # times, so it is kept out of the timed run.
    tracemalloc.start()
    simulate(network, buildings, dests, pop)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return pop, result, wall, events, peak


def main():
    park = load_park("demo")
    network = FlowNetwork(park.network.graph, park.network.nodes_xy)
    buildings, dests = park_places(park)
    for label, persons in (("demo park, night", None), ("10,000 persons", 10_000)):
        pop, result, wall, events, peak = run(park, network, buildings, dests, persons)
        rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        name, longest, when = result.longest_queue()
        arrived = int((result.persons["status"] == "arrived").sum())
        print(f"{label}: {len(pop)} persons, one simulated hour")
        print(f"  wall time             {wall:.2f} s")
        print(f"  simulated / wall      {HOUR_S / wall:.0f}")
        print(f"  SimPy events          {events} ({events / wall:,.0f} per s)")
        print(f"  peak memory           {peak / 2**20:.0f} MB traced, {rss_mb:.0f} MB resident")
        print(f"  arrived               {arrived} of {len(pop)}")
        print(f"  last arrival          {result.evacuation_time_s:.0f} s")
        print(f"  longest queue         {longest} persons at {name} (t = {when:.0f} s)")
        if persons == 10_000:
            met = wall < 30 and rss_mb < 2048
            print(f"  target (< 30 s, < 2 GB): {'met' if met else 'NOT met'}")


if __name__ == "__main__":
    main()
