"""Zones over the emergency plan: assembly points, gates and roads that lie in a zone are
named by the zones (and the forecast, which clips them); the engine closes assembly points
and gates inside the cloud or a fire's (or a possible fireball's) range, sends nobody there
and moves people who are there or on their way to another; it closes the roads into a
fire's range at its edge, one way, so that people inside still leave by them.

Closed-form checks on small networks (walking times) and internal-consistency checks of the
engine on the demo park.
"""

import html
import itertools

import networkx as nx
import numpy as np
import pytest
import simpy
from numpy.testing import assert_allclose

from physics import harm
from scenarios.engine import PLAN_P_DEATH, Engine
from scenarios.evacuation import Evacuation
from scenarios.network_flow import FlowNetwork, Place
from scenarios.people import Population
from scenarios.release import source_term
from scenarios.zones import Weather, plan_in_zones, threat_zones
from tests.engine_cases import park, scenario


def _line():
    """Three nodes on a line: A at 0 m, the building at 100 m, B at 300 m."""
    g = nx.Graph()
    g.add_edge(0, 1, length_m=100.0, width_m=10.0)
    g.add_edge(1, 2, length_m=200.0, width_m=10.0)
    net = FlowNetwork(g, np.array([[0.0, 0.0], [100.0, 0.0], [300.0, 0.0]]))
    room = Place("R", 1, (100.0, 0.0), 0.0, None, None, "building")
    a = Place("A", 0, (0.0, 0.0), 0.0, None, None, "assembly")
    b = Place("B", 2, (300.0, 0.0), 0.0, None, None, "assembly")
    return net, room, a, b


def test_people_at_a_closed_point_walk_to_the_next():
    """Two persons walk 100 m to A (1 m/s), arrive at 100 s; A closes at 150 s: they walk
    back 100 m and on 200 m to B, arriving at 150 + 300 = 450 s, marked rerouted."""
    net, room, a, b = _line()
    env = simpy.Environment()
    ev = Evacuation(env, net, [room], [a, b], Population(["R"], np.zeros(2, int), 0.0, 1.0, False))
    ev.warn()
    env.run(until=150.0)
    assert_allclose(ev.arrival_s, 100.0, atol=0.1)  # one link entry per 1/13 s
    there, heading = ev.close(["A"])
    assert (there, heading) == (2, 0)
    env.run(until=1000.0)
    r = ev.result()
    assert_allclose(r.persons["arrival_s"], 450.0, atol=0.2)
    assert (r.persons["destination"] == "B").all()
    assert r.persons["rerouted"].all()
    assert r.destinations.loc["B", "arrivals"] == 2


def test_people_on_their_way_turn_at_their_next_node_and_nobody_is_sent_to_a_closed_point():
    """A closes at 50 s while one person walks the 100 m towards it: they reach node A at
    100 s, turn there (their next node) and walk 300 m to B (arrival 400 s). A second person
    warned after the closure goes straight to B (200 m, arrival 300 + 200 = 500 s)."""
    net, room, a, b = _line()
    env = simpy.Environment()
    pop = Population(["R", "S"], np.array([0, 1]), 0.0, 1.0, False)
    other = Place("S", 1, (100.0, 0.0), 0.0, None, None, "building")
    ev = Evacuation(env, net, [room, other], [a, b], pop)
    ev.warn(["R"])
    env.run(until=50.0)
    assert ev.close(["A"]) == (0, 1)
    env.run(until=300.0)
    ev.warn(["S"])
    env.run(until=2000.0)
    r = ev.result()
    assert_allclose(r.persons["arrival_s"], [400.0, 500.0])
    assert list(r.persons["destination"]) == ["B", "B"]
    assert list(r.persons["rerouted"]) == [True, False]


def test_with_every_point_closed_people_are_held():
    net, room, a, b = _line()
    env = simpy.Environment()
    ev = Evacuation(env, net, [room], [a, b], Population(["R"], np.zeros(1, int), 0.0, 1.0, False))
    ev.warn()
    env.run(until=120.0)
    ev.close(["A", "B"])
    env.run(until=1000.0)
    assert ev.result().persons["status"].tolist() == ["held"]


def _spur():
    """A at 0 m, node 1 at 100 m, the building at 200 m, B at 450 m, on a line."""
    g = nx.Graph()
    g.add_edge(0, 1, length_m=100.0, width_m=10.0)
    g.add_edge(1, 2, length_m=100.0, width_m=10.0)
    g.add_edge(2, 3, length_m=250.0, width_m=10.0)
    net = FlowNetwork(g, np.array([[0.0, 0.0], [100.0, 0.0], [200.0, 0.0], [450.0, 0.0]]))
    room = Place("R", 2, (200.0, 0.0), 0.0, None, None, "building")
    a = Place("A", 0, (0.0, 0.0), 0.0, None, None, "assembly")
    b = Place("B", 3, (450.0, 0.0), 0.0, None, None, "assembly")
    return net, room, a, b


def test_a_link_closed_one_way_is_open_the_other_way():
    """Closing the way from node 1 to node 0 cuts every route into A, while the way back
    (0 -> 1 -> 2 -> 3, 450 m to B) stays open."""
    net = _spur()[0]
    assert net.close_arcs([(1, 0)]) == {(1, 0)}
    assert net.close_arcs([(1, 0)]) == set()
    to_a, _, _ = net.tree(0)
    assert np.isinf(to_a[[1, 2, 3]]).all()
    to_b, nxt, _ = net.tree(3)
    assert_allclose(to_b, [450.0, 350.0, 250.0, 0.0])
    assert list(nxt) == [1, 2, 3, -1]
    assert net.fresh().closed_arcs == set()
    with pytest.raises(ValueError, match="no link"):
        net.close_arcs([(0, 3)])


def test_a_person_on_their_way_into_a_closed_link_turns_at_their_next_node():
    """The person walks (1 m/s) from the building towards A, 200 m, the nearer point. At
    50 s the way from node 1 to A closes: they reach node 1 at 100 s, turn and walk back
    100 m and on 250 m to B, arriving at 100 + 350 = 450 s; one person's route used it."""
    net, room, a, b = _spur()
    env = simpy.Environment()
    ev = Evacuation(env, net, [room], [a, b], Population(["R"], np.zeros(1, int), 0.0, 1.0, False))
    ev.warn()
    env.run(until=50.0)
    assert ev.close_arcs([(1, 0)]) == (0, 1)
    env.run(until=1000.0)
    r = ev.result().persons
    assert_allclose(r["arrival_s"], 450.0, atol=0.1)
    assert list(r["destination"]) == ["B"]
    assert r["rerouted"].all()


@pytest.fixture(scope="module")
def possible_fireball():
    """LP-101 leaking, to fail as a fireball at 20 min, cut at 6 min: the engine at the
    moment of its first closures (with the nodes inside the fireball's range and the ways
    closed then), and the whole run."""
    sc = scenario(
        scenario={"duration": "6 min"},
        weather={"wind_from": "180 deg", "wind_speed": "3 m/s", "stability": "C"},
        release=[
            {
                "asset": "LP-101",
                "hole": "50 mm",
                "height": "0.5 m",
                "fire": "fireball",
                "ignition": "20 min",
            }
        ],
        detection={"reported": "1 min"},
        response={"action": "evacuate", "block_level": "none"},
        population={
            "headcounts": {"B-E03-OF": 20, "B-E09-OF": 20, "B-E01-WS": 20},
            "premovement_median": "1 min",
        },
    )
    e = Engine(sc, park())
    while not e.plan_closed:
        e.env.step()
    f = e._fire(e.leaks[0])
    inside = e._fire_death_probability(f, e.network.nodes_xy)[1] >= PLAN_P_DEATH
    closed_then = set(e.evac.net.closed_arcs)
    return e, inside, closed_then, e.run()


def test_roads_into_a_possible_fireball_range_are_closed_at_its_edge(possible_fireball):
    """At the decision, every link from a node outside the range of the fireball LP-101
    would make (where someone standing through it would die with less than 1 %, Eisenberg
    probit) to a node inside it is closed that way and open the other way, links inside
    the range stay open both ways, and no person's route afterwards takes a closed way;
    each road named in the plan gives the flux and probability on it."""
    e, inside, closed, r = possible_fireball
    net = e.evac.net
    assert inside.any() and not inside.all()
    for a, b in zip(net.u.tolist(), net.v.tolist(), strict=True):
        if inside[a] != inside[b]:
            out, into = (a, b) if inside[b] else (b, a)
            assert (out, into) in closed
            assert (into, out) not in closed
        if inside[a] and inside[b]:
            assert (a, b) not in closed and (b, a) not in closed
    roads = r.plan[r.plan["kind"] == "road"]
    assert len(roads) and roads["reason"].str.contains("possible fireball").all()
    assert roads["reason"].str.contains("kW/m2").all()
    assert r.key_figures()["roads_closed"] == roads["destination"].nunique()
    assert r.key_figures()["destinations_closed"] == (r.plan["kind"] != "road").sum()
    moved = r.persons[r.persons["route"].map(len) > 1]
    assert len(moved)
    for route in moved["route"]:
        assert not set(itertools.pairwise(route)) & net.closed_arcs


def test_the_report_and_replay_map_name_what_the_run_closed(possible_fireball, tmp_path):
    """The report counts the closed points and roads apart; each closed assembly point and
    road is a feature of the replay map's layer of closures, its tooltip giving the time
    and the reason of each closure."""
    from viz import fmt
    from viz.animation import scenario_map
    from viz.report import scenario_report

    r = possible_fireball[-1]
    k = r.key_figures()
    text = scenario_report(r, park(), [], tmp_path / "report.html").read_text()
    assert f"{k['roads_closed']} roads were closed because they crossed the cloud" in text
    assert f"{k['destinations_closed']} assembly points or gates were closed" in text
    page = scenario_map(park(), r, tmp_path / "map.html", basemap=None).read_text()
    assert "Closed by the run" in page
    for kind, ident in r.plan[["kind", "destination"]].drop_duplicates().itertuples(index=False):
        assert f"{kind} {ident} (closed)" in page
    first = r.plan.iloc[0]
    assert f"closed at {fmt.duration(first['time_s'])}" in page
    assert html.escape(first["reason"]) in page


def test_an_assembly_point_in_the_cloud_is_closed_and_nobody_arrives_there():
    """Chlorine from CL-101 with the wind from 330 deg carries the cloud over the South car
    park (AP-4, 330 m south-south-east); the engine closes it once the cloud (now or five
    minutes ahead) reaches AEGL-2 there, and everyone who arrives goes elsewhere; the roads the
    cloud crosses are named in the plan."""
    sc = scenario(
        scenario={"duration": "15 min"},
        weather={"wind_from": "330 deg", "wind_speed": "2 m/s", "stability": "F"},
        release=[{"asset": "CL-101", "hole": "50 mm", "height": "0.5 m"}],
        response={
            "decision_delay": "1 min",
            "warning_delay": "1 min",
            "action": "evacuate",
            "block_level": "AEGL-2",
        },
        population={"headcounts": {"B-E01-WS": 20, "B-E01-OF": 10}, "premovement_median": "1 min"},
    )
    r = Engine(sc, park()).run()
    closed = r.plan.set_index("destination")
    assert "AP-4" in closed.index
    assert "AEGL-2 cloud" in closed.loc["AP-4", "reason"]
    assert closed.loc["AP-4", "time_s"] >= r.key_figures()["decision_s"]
    arrived = r.persons[r.persons["status"] == "arrived"]
    assert len(arrived) and not (arrived["destination"] == "AP-4").any()
    assert r.events["what"].str.contains("assembly point AP-4 closed").sum() == 1
    points = r.plan[r.plan["kind"] != "road"]
    assert r.key_figures()["destinations_closed"] == len(points)
    # the roads the cloud crosses are named too (again each time more of one is closed)
    roads = r.plan[r.plan["kind"] == "road"]
    assert len(roads) and roads["reason"].str.contains("AEGL-2 cloud").all()
    assert r.key_figures()["roads_closed"] == roads["destination"].nunique()


def test_a_possible_fireball_closes_the_points_within_its_lethal_range(possible_fireball):
    """An LPG sphere that will fail as a fireball: at the decision, the points where someone
    standing through the fireball of its present contents would die with 1 % probability
    or more (Eisenberg probit) are closed; the reason quotes the flux and the probability,
    which the thermal probit reproduces."""
    e, *_, r = possible_fireball
    closed = r.plan.set_index("destination")
    assert "AP-3" in closed.index  # the East car park, 860 m from LP-101
    assert "possible fireball" in closed.loc["AP-3", "reason"]
    leak = e.leaks[0]
    f = e._fire(leak)
    xy = {d.id: np.asarray(d.xy) for d in e.evac.dests}
    for d, where in xy.items():
        p = float(
            harm.thermal_death_probability(
                f.flux(max(float(np.hypot(*(where - leak.xy))), 1.0)), f.end_s - f.start_s
            )
        )
        assert (d in closed.index) == (p >= PLAN_P_DEATH)
    assert not (r.persons["destination"] == "AP-3").any()


def test_zones_name_the_plan_inside_them():
    """The fireball zones of an LPG sphere rupture cover the East car park (AP-3); each
    named point lies inside its zone's polygon and each road's length inside is the length
    of its intersection."""
    term = source_term(park(), "LP-101", rupture=True, duration_s=600.0, wind_speed_m_s=3.0)
    z = threat_zones(park(), term, Weather(3.0, 180.0, "C"), hazards=("thermal",))
    plan = z.plan
    assert {"assembly point", "road"} <= set(plan["kind"])
    assert ((plan["kind"] == "assembly point") & (plan["id"] == "AP-3")).any()
    zones = z.zones.set_index(["hazard", "level"])
    for row in plan.itertuples():
        geom = zones.loc[(row.hazard, row.level), "geometry"]
        layer = {"assembly point": "assembly_points", "gate": "gates", "road": "roads"}[row.kind]
        feature = park().layers[layer].geometry[row.id]
        assert feature.intersects(geom)
        if row.kind == "road":
            assert row.inside_m == pytest.approx(feature.intersection(geom).length)
    assert plan_in_zones(park(), z.zones.iloc[0:0]).empty


def test_the_zones_report_names_the_plan_inside(tmp_path):
    from viz.report import zones_report

    term = source_term(park(), "LP-101", rupture=True, duration_s=600.0, wind_speed_m_s=3.0)
    z = threat_zones(park(), term, Weather(3.0, 180.0, "C"), hazards=("thermal",))
    page = zones_report(z, park(), [], tmp_path / "zones.html").read_text()
    assert "The emergency plan inside the zones" in page
    assert "assembly point AP-3" in page
