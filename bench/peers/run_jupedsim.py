"""Run one room-and-door evacuation in JuPedSim (collision-free speed model) and print
when each agent left. Runs in bench/peers/.venv-jupedsim, called by
bench/jupedsim_compare.py with the case as JSON on standard input:

    {"room": [[x, y], ...], "exit": [[x, y], ...], "positions": [[x, y], ...],
     "speeds": [...], "dt": 0.01, "max_time_s": 1200}

Prints JSON: {"exit_times_s": [...], "wall_s": ..., "iterations": ...}.
"""

import json
import sys
import time

import jupedsim as jps
from shapely import Polygon


def main():
    case = json.load(sys.stdin)
    t0 = time.perf_counter()
    sim = jps.Simulation(
        model=jps.CollisionFreeSpeedModel(), geometry=Polygon(case["room"]), dt=case["dt"]
    )
    exit_id = sim.add_exit_stage(case["exit"])
    journey = sim.add_journey(jps.JourneyDescription([exit_id]))
    for xy, v in zip(case["positions"], case["speeds"], strict=True):
        sim.add_agent(
            jps.CollisionFreeSpeedModelAgentParameters(
                journey_id=journey, stage_id=exit_id, position=tuple(xy), desired_speed=v
            )
        )
    out = []
    steps = int(case["max_time_s"] / case["dt"])
    while sim.agent_count() > 0 and sim.iteration_count() < steps:
        sim.iterate()
        out += [sim.elapsed_time()] * len(sim.removed_agents())
    print(
        json.dumps(
            {
                "exit_times_s": out,
                "wall_s": time.perf_counter() - t0,
                "iterations": sim.iteration_count(),
                "left_inside": sim.agent_count(),
            }
        )
    )


if __name__ == "__main__":
    main()
