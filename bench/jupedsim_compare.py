"""The same room-and-door evacuation in our people model and in JuPedSim, side by side.

A 15 m x 15 m room with one 1.2 m door in the middle of its east wall, a 2 m corridor behind
it; 200 people on a 0.9 m lattice, all moving at t = 0, free speeds from Weidmann (1993)
(``scenarios.people.WalkingSpeed``, the same draws in both models). Ours is the network
model of the engine: each person walks straight to the door (their access path), then
passes the door at most at the specific flow (1.3 persons per metre per second, SFPE /
IMO MSC.1/Circ.1533) and walks the corridor. JuPedSim moves agents in 2-D with the
collision-free speed model (Tordeux et al. 2016, JuPedSim's defaults, radius 0.2 m,
dt 0.01 s); with a 1.0 m door its agents jam for good after 18 of the 200 have left (seen
with JuPedSim 1.4.2), so the case uses 1.2 m. Prints evacuation time, flow through the
door and wall time of each, and their ratios.

Needs the JuPedSim venv (see bench/peers/jupedsim_requirements.txt).
Run: .venv/bin/python bench/jupedsim_compare.py
"""

import json
import subprocess
import sys
import time
from pathlib import Path

import networkx as nx
import numpy as np
import simpy

from scenarios.evacuation import Evacuation
from scenarios.network_flow import FlowNetwork, Place
from scenarios.people import Population, WalkingSpeed

PEERS = Path(__file__).parent / "peers"
JUPEDSIM_PYTHON = PEERS / ".venv-jupedsim" / "bin" / "python"
ROOM_M, DOOR_M, CORRIDOR_M = 15.0, 1.2, 2.0
PERSONS, SPACING_M, SEED = 200, 0.9, 1


def case():
    """Positions [m] and free speeds [m/s] of the people, the door and the exit."""
    rng = np.random.default_rng(SEED)
    grid = np.arange(0.6, ROOM_M - 0.5, SPACING_M)
    xx, yy = np.meshgrid(grid, grid)
    lattice = np.column_stack([xx.ravel(), yy.ravel()])
    positions = lattice[np.sort(rng.choice(len(lattice), PERSONS, replace=False))]
    speeds = WalkingSpeed().sample(rng, PERSONS)
    door = np.array([ROOM_M, ROOM_M / 2])
    return positions, speeds, door


def ours(positions, speeds, door):
    """Evacuation in our network model; (exit times [s], door entry times [s], wall [s])."""
    t0 = time.perf_counter()
    graph = nx.Graph()
    graph.add_edge(0, 1, length_m=CORRIDOR_M, width_m=DOOR_M)
    nodes = np.array([door, [door[0] + CORRIDOR_M, door[1]]])
    network = FlowNetwork(graph, nodes)
    access = np.hypot(*(positions - door).T)
    people = [
        Place(f"p{i}", 0, tuple(xy), float(a), None, None, "building")
        for i, (xy, a) in enumerate(zip(positions.tolist(), access, strict=True))
    ]
    exit_ = Place("exit", 1, tuple(nodes[1]), 0.0, None, None, "gate")
    n = len(positions)
    pop = Population([p.id for p in people], np.arange(n), np.zeros(n), speeds, np.zeros(n, bool))
    env = simpy.Environment()
    evac = Evacuation(env, network, people, [exit_], pop)
    evac.warn()
    env.run(until=3600.0)
    result = evac.result()
    door_times = result.entries["link 0-1"]
    return result.persons["arrival_s"].to_numpy(), door_times, time.perf_counter() - t0


def jupedsim(positions, speeds, door):
    """The same case in JuPedSim; (exit times [s], wall [s] inside JuPedSim). Its door
    flow is taken from the times agents reach the exit at the corridor's end (a steady
    flow passes both alike); ours from the entries into the door link."""
    y0, y1 = door[1] - DOOR_M / 2, door[1] + DOOR_M / 2
    x1 = ROOM_M + CORRIDOR_M
    room = [
        (0.0, 0.0), (ROOM_M, 0.0), (ROOM_M, y0), (x1, y0), (x1, y1),
        (ROOM_M, y1), (ROOM_M, ROOM_M), (0.0, ROOM_M),
    ]  # fmt: skip
    exit_ = [(x1 - 0.5, y0), (x1, y0), (x1, y1), (x1 - 0.5, y1)]
    payload = {
        "room": room,
        "exit": exit_,
        "positions": positions.tolist(),
        "speeds": speeds.tolist(),
        "dt": 0.01,
        "max_time_s": 600.0,
    }
    done = subprocess.run(
        [str(JUPEDSIM_PYTHON), str(PEERS / "run_jupedsim.py")],
        input=json.dumps(payload),
        capture_output=True,
        text=True,
        check=True,
    )
    out = json.loads(done.stdout)
    if out["left_inside"]:
        print(f"  JuPedSim: {out['left_inside']} agents still inside at the time limit")
    return np.array(out["exit_times_s"]), out["wall_s"]


def door_flow(times):
    """Mean flow through the door between the first and the last passage [persons/s]."""
    t = np.sort(times)
    return (len(t) - 1) / (t[-1] - t[0])


def main():
    if not JUPEDSIM_PYTHON.exists():
        sys.exit(
            f"no JuPedSim venv at {JUPEDSIM_PYTHON}: see bench/peers/jupedsim_requirements.txt"
        )
    positions, speeds, door = case()
    arrival, door_times, wall_ours = ours(positions, speeds, door)
    exits, wall_jps = jupedsim(positions, speeds, door)
    rows = [
        ("evacuation time [s]", float(np.nanmax(arrival)), float(exits.max())),
        ("flow through the door [1/s]", door_flow(door_times), door_flow(exits)),
        ("wall time [s]", wall_ours, wall_jps),
    ]
    print(f"room {ROOM_M:g} m x {ROOM_M:g} m, door {DOOR_M:g} m, {len(positions)} persons")
    print(f"{'':30s}{'parktwin':>12s}{'JuPedSim':>12s}{'ratio':>10s}")
    for name, a, b in rows:
        print(f"{name:30s}{a:12.2f}{b:12.2f}{a / b:10.3f}")


if __name__ == "__main__":
    main()
