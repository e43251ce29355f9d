"""The people model against the verification tests that apply to a network model: RiMEA
guideline tests 1, 5, 7, 9, 10, 11, 12 and IMO MSC.1/Circ.1533 Annex 3 tests 1 and 4, as
quoted second-hand (Evacuation); plus conservation, determinism, re-routing, shelter
in place, driving and a run on the demo park. Small networks are built with networkx.
"""

import networkx as nx
import numpy as np
import pandas as pd
import pytest
import simpy
from numpy.testing import assert_allclose

from scenarios.evacuation import (
    HELD,
    SHELTERED,
    Evacuation,
    run_evacuation,
    weidmann_speed_factor,
)
from scenarios.network_flow import LANE_CAPACITY_VEH_S, FlowNetwork, Place, park_places
from scenarios.people import (
    Lognormal,
    Population,
    WalkingSpeed,
    make_population,
    park_occupants,
)


def net(edges, xy, specific_flow=1.3):
    """A FlowNetwork from (a, b, length_m, width_m) tuples and node coordinates."""
    g = nx.Graph()
    for a, b, length, width in edges:
        g.add_edge(a, b, length_m=length, width_m=width)
    return FlowNetwork(g, np.asarray(xy, float), specific_flow=specific_flow)


def place(pid, node, xy, width=None, kind="gate", access=0.0):
    return Place(pid, node, tuple(map(float, xy)), access, width, None, kind)


def crowd(n, speed=1.33, pre=0.0, buildings=("R",), building=None):
    b = np.zeros(n, int) if building is None else building
    return Population(list(buildings), b, pre, speed, False)


def test_rimea_1_and_imo_1_walking_time_along_40_m():
    """RiMEA guideline test 1 (quoted second-hand): one person, 40 m at 1.33 m/s -> 26-34 s;
    IMO MSC.1/Circ.1533 Annex 3 test 1: 40 m at 1 m/s -> 40 s."""
    n = net([(0, 1, 40.0, 2.0)], [(0, 0), (40, 0)])
    room, exit_ = place("R", 0, (0, 0), kind="building"), place("E", 1, (40, 0))
    t133 = run_evacuation(n, [room], [exit_], crowd(1, 1.33)).evacuation_time_s
    assert 26.0 <= t133 <= 34.0
    assert_allclose(t133, 40 / 1.33, rtol=1e-3)  # free speed: the density slows nobody
    t1 = run_evacuation(n, [room], [exit_], crowd(1, 1.0)).evacuation_time_s
    assert_allclose(t1, 40.0, rtol=1e-3)


def test_rimea_5_reaction_times_honoured():
    """RiMEA test 5 (quoted second-hand): 10 persons with reaction times 10..100 s; each
    starts at its own time."""
    pre = np.arange(10, 101, 10, dtype=float)
    n = net([(0, 1, 10.0, 50.0)], [(0, 0), (10, 0)])
    r = run_evacuation(
        n, [place("R", 0, (0, 0), kind="building")], [place("E", 1, (10, 0))], crowd(10, 1.0, pre)
    )
    assert_allclose(r.persons["departure_s"], pre)
    assert_allclose(r.persons["exit_s"], pre)
    assert_allclose(r.persons["arrival_s"], pre + 10.0, rtol=1e-3)


def test_rimea_7_speeds_inside_weidmann_range():
    """RiMEA test 7 asks for speeds inside Weidmann's ranges. Oracle: the truncated normal
    of Weidmann (1993) mean 1.34 m/s, sd 0.26 m/s (quoted second-hand), cut at mean +- 2 sd (our
    documented choice); its mean and sd are the closed forms of scipy.stats.truncnorm."""
    ws = WalkingSpeed()
    v = ws.sample(np.random.default_rng(7), 20000)
    assert v.min() >= ws.low and v.max() <= ws.high
    assert_allclose([ws.low, ws.high], [0.82, 1.86])
    d = ws.distribution()
    assert_allclose(v.mean(), d.mean(), atol=3 * d.std() / np.sqrt(v.size))
    assert_allclose(v.std(), d.std(), rtol=0.02)


def test_weidmann_fundamental_diagram_closed_form():
    """Weidmann (1993) v/v0 = 1 - exp(-1.913 (1/rho - 1/5.4)) (quoted second-hand): 1 at zero
    density, 0 at jam density, and at 1 P/m2 1 - exp(-1.913 * (1 - 1/5.4)) = 0.78960."""
    assert_allclose(
        weidmann_speed_factor([0.0, 1.0, 5.4, 6.0]), [1.0, 0.78960, 0.0, 0.0], atol=5e-5
    )
    with pytest.raises(ValueError):
        weidmann_speed_factor(-1.0)


def four_exit_room(exits):
    """A room (node 0) with exits 10 m away through 1 m doors (links and gates 1 m wide)."""
    xy = [(0, 0), (10, 0), (-10, 0), (0, 10), (0, -10)]
    n = net([(0, k, 10.0, 1.0) for k in range(1, 5)], xy)
    dests = [place(f"E{k}", k, xy[k], width=1.0) for k in exits]
    return n, dests


def test_rimea_9_closing_two_of_four_exits_doubles_the_time():
    """RiMEA test 9 (quoted second-hand): 1000 persons, 4 exits; closing 2 roughly doubles the
    evacuation time. Hydraulic closed form: 1000 / (4 x 1.3) = 192 s against
    1000 / (2 x 1.3) = 385 s, plus a 10 m walk."""
    pop = Population(
        ["R"],
        np.zeros(1000, int),
        0.0,
        WalkingSpeed().sample(np.random.default_rng(9), 1000),
        False,
    )
    room = [place("R", 0, (0, 0), kind="building")]
    n4, d4 = four_exit_room([1, 2, 3, 4])
    n2, d2 = four_exit_room([1, 2])
    t4 = run_evacuation(n4, room, d4, pop, route_choice="quickest").evacuation_time_s
    t2 = run_evacuation(n2, room, d2, pop, route_choice="quickest").evacuation_time_s
    assert_allclose(t4, 1000 / (4 * 1.3), rtol=0.1)
    assert_allclose(t2, 1000 / (2 * 1.3), rtol=0.1)
    assert 1.8 <= t2 / t4 <= 2.2


def test_rimea_10_assigned_exits_are_used():
    """RiMEA test 10 (quoted second-hand): persons with an assigned exit use it, even when
    another is nearer; the others take the nearest."""
    xy = [(0, 0), (10, 0), (-50, 0)]
    n = net([(0, 1, 10.0, 3.0), (0, 2, 50.0, 3.0)], xy)
    rooms = [place("A", 0, (0, 0), kind="building"), place("B", 0, (0, 0), kind="building")]
    dests = [place("NEAR", 1, xy[1]), place("FAR", 2, xy[2])]
    pop = Population(["A", "B"], np.repeat([0, 1], 20), 0.0, 1.3, False)
    r = run_evacuation(n, rooms, dests, pop, assignment={"A": "FAR"})
    by = r.persons.groupby("building")["destination"].agg(set)
    assert by["A"] == {"FAR"} and by["B"] == {"NEAR"}
    assert (r.persons["status"] == "arrived").all()


def test_rimea_11_nearer_exit_preferred_some_use_the_other():
    """RiMEA test 11 (quoted second-hand): two exits, the nearer preferred; with congestion-aware
    choice some use the other; with shortest routes only, nobody does."""
    xy = [(0, 0), (10, 0), (-30, 0)]
    n = net([(0, 1, 10.0, 1.0), (0, 2, 30.0, 1.0)], xy)
    room = [place("R", 0, (0, 0), kind="building")]
    dests = [place("NEAR", 1, xy[1], 1.0), place("FAR", 2, xy[2], 1.0)]
    pop = crowd(200, 1.3)
    quick = run_evacuation(n, room, dests, pop, route_choice="quickest").destinations["arrivals"]
    assert quick["NEAR"] > quick["FAR"] > 0
    near = run_evacuation(n, room, dests, pop).destinations["arrivals"]
    assert near["NEAR"] == 200 and near["FAR"] == 0


def test_rimea_12_queue_only_before_the_bottleneck():
    """RiMEA test 12 (quoted second-hand): a room, a 1 m bottleneck, a second room, an exit
    wider than the bottleneck: the queue forms before the bottleneck and nowhere after it;
    the bottleneck never passes more than 1.3 persons per second."""
    xy = [(0, 0), (5, 0), (25, 0)]
    n = net([(0, 1, 5.0, 1.0), (1, 2, 20.0, 4.0)], xy)
    room = [place("R1", 0, (0, 0), kind="building", access=10.0)]
    r = run_evacuation(n, room, [place("EXIT", 2, xy[2], 2.0)], crowd(150, 1.34, buildings=("R1",)))
    assert set(r.queues) == {"link 0-1"}
    assert r.longest_queue()[0] == "link 0-1" and r.longest_queue()[1] > 50
    gaps = np.diff(r.entries["link 0-1"])
    assert gaps.min() >= 1 / 1.3 - 1e-9
    assert (r.persons["status"] == "arrived").all()


def test_imo_4_door_flow_never_above_capacity():
    """IMO MSC.1/Circ.1533 Annex 3 test 4 (quoted second-hand): 100 persons through a 1 m door
    at 1.33 P/(m s): the flow never exceeds the door's capacity; the last person is through
    after 99 / 1.33 s (closed form) and then walks 10 m at 1.33 m/s."""
    n = net([(0, 1, 10.0, 10.0)], [(0, 0), (10, 0)], specific_flow=1.33)
    room = [place("R", 0, (0, 0), width=1.0, kind="building")]
    r = run_evacuation(n, room, [place("E", 1, (10, 0))], crowd(100, 1.33))
    door = r.entries["exit R"]
    assert len(door) == 100
    assert np.diff(door).min() >= 1 / 1.33 - 1e-9
    for t in np.arange(0, 80, 5.0):
        assert ((door >= t) & (door < t + 10)).sum() <= 1.33 * 10 + 1
    assert_allclose(r.evacuation_time_s, 99 / 1.33 + 10 / 1.33, rtol=1e-3)
    assert r.longest_queue()[:2] == ("exit R", 99)


def test_blocked_link_reroutes_people_not_yet_past_it():
    """People re-route around a link blocked at t = 20 s; nobody enters it afterwards; the
    detour is the other side of a square (closed form: 40 m instead of 20 m)."""
    xy = [(0, 0), (20, 0), (0, 20), (20, 20)]
    n = net([(0, 1, 20.0, 3.0), (0, 2, 20.0, 3.0), (2, 3, 20.0, 3.0), (1, 3, 20.0, 3.0)], xy)
    room = [place("R", 0, (0, 0), kind="building")]
    pre = np.array([0.0, 30.0])
    env = simpy.Environment()
    ev = Evacuation(env, n, room, [place("E", 3, xy[3])], crowd(2, 1.0, pre))
    ev.warn()
    env.run(until=20.0)
    first_route = ev.net.tree(3)[1][0]
    assert ev.block([(first_route, 3)]) == (0, 1)  # person 0 is on their way to it
    env.run(until=200.0)
    r = ev.result()
    routes = r.persons["route"].tolist()
    # person 0 was on the first link of its route at t=20 and goes on from its far end
    assert routes[0][1] == first_route
    assert routes[1][1] != first_route  # person 1 started later: avoids the blocked side
    assert_allclose(r.persons["arrival_s"][1], 30.0 + 40.0, rtol=1e-3)
    assert r.persons["rerouted"][0]
    assert (r.persons["status"] == "arrived").all()
    e = n.edge_id[first_route, 3]
    assert np.all(r.entries.get(f"link {n.u[e]}-{n.v[e]}", np.array([])) < 20.0)


def test_choices_after_a_block_follow_the_new_routes():
    """The per-destination route tables people choose from are rebuilt when a link is
    blocked: people leaving after the block choose as on a network blocked from the start
    (the near exit's only link is cut: everyone goes to the far one, nobody re-routes)."""
    xy = [(0, 0), (10, 0), (-30, 0)]
    edges = [(0, 1, 10.0, 3.0), (0, 2, 30.0, 3.0)]
    room = [place("R", 0, (0, 0), kind="building")]
    exits = [place("NEAR", 1, xy[1]), place("FAR", 2, xy[2])]
    pre = np.r_[0.0, np.full(5, 50.0)]
    env = simpy.Environment()
    ev = Evacuation(env, net(edges, xy), room, exits, crowd(6, 1.0, pre))
    ev.warn()
    env.run(until=20.0)  # the first person has reached the near exit
    ev.block([(0, 1)])
    env.run(until=300.0)
    late = ev.result().persons.iloc[1:]
    env = simpy.Environment()
    ref = Evacuation(env, net(edges, xy), room, exits, crowd(6, 1.0, pre))
    ref.block([(0, 1)])
    ref.warn()
    env.run(until=300.0)
    expected = ref.result().persons.iloc[1:]
    assert (late["destination"] == "FAR").all() and not late["rerouted"].any()
    pd.testing.assert_frame_equal(late, expected)


def test_route_flags_equal_a_walk_along_each_route():
    """Who is flagged as re-routed when links close: the vectorised look along every node's
    route equals walking the route link by link, for edge ids and for one-way arcs."""
    rng = np.random.default_rng(3)
    g = nx.grid_2d_graph(8, 8)
    g = nx.convert_node_labels_to_integers(g, ordering="sorted")
    for a, b in g.edges:
        g.edges[a, b]["length_m"] = float(rng.uniform(5.0, 50.0))
        g.edges[a, b]["width_m"] = 3.0
    n = FlowNetwork(g, np.array([(k // 8, k % 8) for k in range(64)], float) * 20.0)
    room = [place("R", 0, (0, 0), kind="building")]
    ev = Evacuation(simpy.Environment(), n, room, [place("E", 63, (140, 140))], crowd(1))
    nxt = n.tree(63)[1]
    for _ in range(20):
        arcs = {(int(a), int(b)) for a, b in list(g.edges)[:: rng.integers(5, 30)]}
        ids = {n.edge_id[a] for a in arcs}
        for new, as_arcs in ((ids, False), (arcs, True)):
            walk = np.zeros(64, bool)
            for start in range(64):
                node = start
                while nxt[node] >= 0:
                    step = (node, int(nxt[node]))
                    if (step if as_arcs else n.edge_id[step]) in new:
                        walk[start] = True
                        break
                    node = int(nxt[node])
            assert np.array_equal(ev._route_uses(nxt, new, as_arcs), walk)


def test_no_route_left_people_hold_or_shelter_and_are_reported():
    """With the only link blocked, people outdoors hold at their node and people still
    inside stay in (sheltered); both are reported; queuing people turn away."""
    xy = [(0, 0), (10, 0), (20, 0)]
    n = net([(0, 1, 10.0, 0.5), (1, 2, 10.0, 3.0)], xy)
    room = [place("R", 0, (0, 0), kind="building")]
    pre = np.r_[np.zeros(20), 100.0]
    env = simpy.Environment()
    ev = Evacuation(env, n, room, [place("E", 2, xy[2])], crowd(21, 1.0, pre))
    ev.warn()
    env.run(until=12.0)
    turned, _ = ev.block([(0, 1)])
    env.run(until=300.0)
    r = ev.result()
    counts = r.persons["status"].value_counts()
    assert turned > 0
    assert counts["held"] == turned
    assert counts["sheltered"] == 1  # the late one never left the building
    assert counts.sum() == 21
    assert counts["arrived"] == 21 - turned - 1
    held = r.persons[r.persons["status"] == "held"]
    assert held["destination"].isna().all() and held["rerouted"].all()
    assert_allclose(ev.positions()[(ev.status == HELD)], np.zeros((turned, 2)))


def test_sample_points_find_the_links_a_cloud_covers():
    """Points along links (ends included, at most spacing apart) map back to their links:
    a field exceeding a level only around x = 25 blocks the one link there, and people
    then take the other way (closed form: detour of 2 x 30 m + 40 m)."""
    xy = [(0, 0), (40, 0), (0, 30), (40, 30)]
    n = net([(0, 1, 40.0, 3.0), (0, 2, 30.0, 3.0), (2, 3, 40.0, 3.0), (3, 1, 30.0, 3.0)], xy)
    pts, links = n.sample_points(spacing_m=10.0)
    assert len(pts) == 5 + 4 + 5 + 4
    on_first = (links[:, 0] == 0) & (links[:, 1] == 1)
    assert_allclose(pts[on_first][:, 0], [0, 10, 20, 30, 40])
    cloud = np.hypot(pts[:, 0] - 25.0, pts[:, 1]) < 6.0
    hit = {tuple(p) for p in links[cloud].tolist()}
    assert hit == {(0, 1)}
    env = simpy.Environment()
    ev = Evacuation(
        env, n, [place("R", 0, (0, 0), kind="building")], [place("E", 1, xy[1])], crowd(1, 1.0)
    )
    ev.block(hit)
    ev.warn()
    env.run(until=500.0)
    assert_allclose(ev.result().evacuation_time_s, 100.0)


def test_shelter_in_place_then_evacuate():
    """A shelter warning keeps everyone inside at the building; a later evacuate order
    starts their pre-movement at its own time."""
    xy = [(0, 0), (10, 0)]
    n = net([(0, 1, 10.0, 3.0)], xy)
    env = simpy.Environment()
    ev = Evacuation(
        env, n, [place("R", 0, (5, 5), kind="building")], [place("E", 1, xy[1])], crowd(5, 1.0, 2.0)
    )
    ev.warn(action="shelter")
    env.run(until=60.0)
    assert (ev.status == SHELTERED).all() and ev.indoors().all()
    assert_allclose(ev.positions(), np.tile([5.0, 5.0], (5, 1)))
    ev.warn(action="evacuate")
    env.run(until=200.0)
    r = ev.result()
    assert_allclose(r.persons["departure_s"], 62.0)
    assert (r.persons["status"] == "arrived").all()
    assert not ev.indoors().any()


def test_positions_are_vectorised_and_follow_the_link():
    """Mid-link positions interpolate linearly: at t = 15 s a 1 m/s walker who left node 0
    (x = 0) at t = 0 is at x = 15, and everyone's position comes from one call."""
    xy = [(0, 0), (40, 0)]
    n = net([(0, 1, 40.0, 10.0)], xy)
    env = simpy.Environment()
    ev = Evacuation(
        env,
        n,
        [place("R", 0, (0, 0), kind="building")],
        [place("E", 1, xy[1])],
        crowd(3, 1.0, [0.0, 0.0, 100.0]),
    )
    ev.warn()
    env.run(until=15.0)
    p = ev.positions()
    assert p.shape == (3, 2)
    # the second walker entered the 10 m wide link one headway, 1 / (1.3 x 10) s, later
    assert_allclose(p[:2], [[15.0, 0.0], [15.0 - 1 / 13, 0.0]], atol=1e-9)
    assert_allclose(p[2], [0.0, 0.0])
    assert ev.indoors().tolist() == [False, False, True]


def test_cars_use_road_speed_lane_capacity_and_one_way():
    """Vehicles drive at the road's speed, pass a one-lane road at most at the lane
    capacity (1500 veh/h, LA Complete Street Design Manual E-341 quoting the HCM), and a
    one-way road only in its own direction (so they take the longer way round)."""
    g = nx.Graph()
    g.add_edge(0, 1, length_m=100.0, lanes=1, speed_m_s=10.0, oneway=True, forward=(1, 0))
    g.add_edge(0, 2, length_m=100.0, lanes=2, speed_m_s=10.0, oneway=False, forward=(0, 2))
    g.add_edge(2, 1, length_m=100.0, lanes=2, speed_m_s=10.0, oneway=False, forward=(2, 1))
    n = FlowNetwork(g, np.array([(0, 0), (100, 0), (50, 80)], float))
    pop = Population(["R"], np.zeros(10, int), 0.0, 1.3, True)
    r = run_evacuation(n, [place("R", 0, (0, 0), kind="building")], [place("E", 1, (100, 0))], pop)
    assert all(route == [0, 2, 1] for route in r.persons["route"])
    assert_allclose(r.persons["arrival_s"].min(), 20.0, rtol=1e-6)
    gaps = np.diff(r.entries["road 0>2"])
    assert_allclose(gaps, 1 / LANE_CAPACITY_VEH_S)


@pytest.fixture(scope="module")
def demo():
    from twin import load_park

    park = load_park("demo")
    network = FlowNetwork(park.network.graph, park.network.nodes_xy)
    buildings, dests = park_places(park)
    pop = make_population(park_occupants(park, "night"), Lognormal(120.0, 0.6), seed=11)
    return park, network, buildings, dests, pop


@pytest.mark.parametrize("route_choice", ["nearest", "quickest"])
def test_demo_park_night_conservation(demo, route_choice):
    """The demo park at night: nobody lost or counted twice. Every person has exactly one
    status; per-building and per-destination tables add up to the head counts; each
    arrived person's route runs from their building's node to their destination's node;
    times and trajectories run forward."""
    park, network, buildings, dests, pop = demo
    r = run_evacuation(network, buildings, dests, pop, until_s=3600.0, route_choice=route_choice)
    n = int(park.buildings["occupants_night"].sum())
    assert len(r.persons) == n == len(pop)
    assert r.buildings["persons"].sum() == n
    assert (
        r.buildings[["in_building", "sheltered", "walking", "queued", "arrived", "held"]]
        .to_numpy()
        .sum()
        == n
    )
    arrived = r.persons[r.persons["status"] == "arrived"]
    assert r.destinations["arrivals"].sum() == len(arrived) == n
    node_of = {d.id: d.node for d in dests}
    bnode = {b.id: b.node for b in buildings}
    for row in arrived.itertuples():
        assert row.route[0] == bnode[row.building] and row.route[-1] == node_of[row.destination]
    assert (arrived["departure_s"] <= arrived["exit_s"]).all()
    assert (arrived["exit_s"] < arrived["arrival_s"]).all()
    for traj in r.trajectories[::97]:
        assert np.all(np.diff(traj[:, 0]) >= 0)
    name, longest, _ = r.longest_queue()
    assert name.startswith("exit B-DORM") and longest > 0
    dorm = next(b for b in buildings if name == f"exit {b.id}")
    assert r.queue_xy[name] == dorm.xy
    over = r.destinations["arrivals"] - r.destinations["capacity"].astype(float)
    assert_allclose(r.destinations["over_capacity"], over.clip(lower=0))


def test_same_seed_same_result(demo):
    """Determinism: the same seed gives the same result; another seed does not."""
    park, network, buildings, dests, _ = demo
    occ = park_occupants(park, "day", 0.3)

    def once(seed):
        pop = make_population(occ, Lognormal(60.0, 0.5), seed=seed)
        return run_evacuation(network, buildings, dests, pop, until_s=1800.0).persons

    a, b, c = once(5), once(5), once(6)
    pd.testing.assert_frame_equal(a, b)
    assert not a["arrival_s"].equals(c["arrival_s"])


def test_density_slows_walkers_on_a_crowded_link_without_jamming():
    """With density_speed, a walker entering a link that already holds others walks at
    v times the Weidmann factor of their density (quoted second-hand), capped at the density of
    the diagram's largest flow so a link entered at capacity never jams: the first walker
    takes L / v exactly, the others between L / v and L / (v f(rho_critical))."""
    from scenarios.evacuation import WEIDMANN_RHO_CRITICAL

    n = net([(0, 1, 10.0, 1.0)], [(0, 0), (10, 0)])
    room, exit_ = [place("R", 0, (0, 0), kind="building")], [place("E", 1, (10, 0))]
    r = run_evacuation(n, room, exit_, crowd(60, 1.3), density_speed=True)
    link_time = r.persons["arrival_s"].to_numpy() - np.sort(r.entries["link 0-1"])
    assert_allclose(link_time[0], 10 / 1.3)
    slowest = 10 / (1.3 * weidmann_speed_factor(WEIDMANN_RHO_CRITICAL))
    assert np.all(link_time >= 10 / 1.3 - 1e-9) and np.all(link_time <= slowest + 1e-9)
    assert link_time.max() > 1.2 * 10 / 1.3  # the crowd did slow people down
    assert (r.persons["status"] == "arrived").all()
    free = run_evacuation(n, room, exit_, crowd(60, 1.3))
    assert r.evacuation_time_s > free.evacuation_time_s


def test_bad_input_is_refused():
    n = net([(0, 1, 10.0, 3.0)], [(0, 0), (10, 0)])
    room, exit_ = [place("R", 0, (0, 0), kind="building")], [place("E", 1, (10, 0))]
    with pytest.raises(ValueError, match="route_choice"):
        run_evacuation(n, room, exit_, crowd(1), route_choice="random")
    with pytest.raises(ValueError, match="unknown destinations"):
        run_evacuation(n, room, exit_, crowd(1), assignment={"R": "NOPE"})
    with pytest.raises(ValueError, match="lognormal"):
        Lognormal(-1.0, 0.5)
    with pytest.raises(ValueError, match="walking speeds"):
        crowd(1, speed=0.0)
    with pytest.raises(ValueError, match="no link"):
        n.block([(0, 5)])
