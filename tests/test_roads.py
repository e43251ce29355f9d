"""The road graph: intersections become nodes, small gaps are closed, features attach."""

import networkx as nx
import pytest
from shapely.geometry import LineString, Point, box

from geodata.roads import build_road_network
from twin import load_park


def road(rid, coords, oneway=False):
    return LineString(coords), dict(id=rid, lanes=2, speed_m_s=10.0, oneway=oneway)


def total_length(net):
    return sum(d["length_m"] for _, _, d in net.graph.edges(data=True))


def test_crossing_roads_are_noded():
    net = build_road_network([road("a", [(0, 0), (100, 0)]), road("b", [(50, -50), (50, 50)])], {})
    assert net.graph.number_of_nodes() == 5
    assert net.graph.number_of_edges() == 4
    assert total_length(net) == pytest.approx(200.0)


def test_small_gap_is_closed():
    """A T-junction drawn 3 m short is joined; one drawn 8 m short is not (tolerance 5 m)."""
    near = build_road_network([road("a", [(0, 0), (100, 0)]), road("b", [(50, 3), (50, 60)])], {})
    assert near.gaps_closed == 1
    assert nx.is_connected(near.graph)
    far = build_road_network([road("a", [(0, 0), (100, 0)]), road("b", [(50, 8), (50, 60)])], {})
    assert far.gaps_closed == 0
    assert nx.number_connected_components(far.graph) == 2


def test_features_attach_at_the_nearest_point():
    net = build_road_network(
        [road("a", [(0, 0), (100, 0)])],
        {"B1": box(30, 10, 40, 20), "G1": Point(100, 0), "LOST": Point(50, 900)},
    )
    b1 = net.attachments["B1"]
    assert b1.access_m == pytest.approx(10.0)
    assert 30.0 <= net.nodes_xy[b1.node][0] <= 40.0  # below the nearest side
    assert net.unattached == ["LOST"]
    assert net.unreachable(["B1", "LOST"], exits=["G1"]) == ["LOST"]


def test_oneway_direction_is_kept():
    net = build_road_network([road("a", [(0, 0), (100, 0)], oneway=True)], {})
    ((_, _, d),) = net.graph.edges(data=True)
    assert d["oneway"]
    assert net.nodes_xy[d["forward"][0]][0] == pytest.approx(0.0)


def test_demo_road_graph():
    park = load_park("demo")
    net = park.network
    assert nx.is_connected(net.graph)
    routed = list(park.buildings.index) + list(park.gates.index) + list(park.assembly_points.index)
    assert set(routed) <= set(net.attachments)
    # the west and east gates face each other across Huagong Avenue, 3000 m apart
    length = nx.shortest_path_length(
        net.graph, net.attachments["G-W"].node, net.attachments["G-E"].node, weight="length_m"
    )
    assert length == pytest.approx(3000.0, abs=0.01)
