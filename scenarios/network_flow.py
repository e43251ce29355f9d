"""The road graph as an evacuation network: links with widths and capacities, the places
people leave from and go to, and shortest-route trees that follow blocked links (and links
closed in one direction only: into a fire's range).

Capacities follow the hydraulic model (SFPE Handbook; IMO MSC.1/Circ.1533): people pass a
link, door or gate at most at the specific flow times its width. On foot the specific flow
is 1.3 persons per metre per second (quoted second-hand). A road's walking width is
its lanes times a lane width (people use the whole carriageway when they evacuate); an edge
attribute ``width_m`` overrides it. Vehicles pass a road at a capacity per lane and
direction, at the road's speed.
"""

import copy
from dataclasses import dataclass

import networkx as nx
import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra

# IMO MSC.1/Circ.1533 (doors and corridors) and SFPE: maximum specific flow on foot.
SPECIFIC_FLOW_P_M_S = 1.3
# AASHTO, A Policy on Geometric Design of Highways and Streets (2001), ch. 4, pp. 315-316:
# "lane widths of 2.7 to 3.6 m are generally used"; we take 3.0 m for park roads.
LANE_WIDTH_M = 3.0
# Highway Capacity Manual as quoted by the City of Los Angeles Complete Street Design
# Manual, E-341 (uninterrupted flow): practical capacity for urban conditions 1,500
# passenger cars per lane per hour.
LANE_CAPACITY_VEH_S = 1500.0 / 3600.0
# Our assumption (no source): a building's exits add up to 2 m clear width (one double
# door). Give real widths per building where known.
DEFAULT_EXIT_WIDTH_M = 2.0


@dataclass(frozen=True)
class Place:
    """A building, gate or assembly point joined to the network.

    ``node`` is its graph node, ``xy`` its own position [m], ``access_m`` the walk between
    them [m]; ``width_m`` [m] is the clear width people pass through (a building's exits, a
    gate; None for an open assembly point); ``capacity`` the persons an assembly point holds.
    """

    id: str
    node: int
    xy: tuple[float, float]
    access_m: float = 0.0
    width_m: float | None = None
    capacity: int | None = None
    kind: str = "assembly"


class FlowNetwork:
    """Links of a road graph with walking widths and capacities, and route trees.

    Parameters
    ----------
    graph : networkx.Graph
        Nodes are row indices of ``nodes_xy``; each edge has ``length_m`` and either
        ``width_m`` or ``lanes``; vehicles also use ``speed_m_s``, ``oneway``, ``forward``.
    nodes_xy : (n, 2) array
        Node coordinates. [m]
    lane_width_m : float
        Walking width per lane. [m]
    specific_flow : float
        Maximum flow per metre of width on foot. [1/(m s)]
    """

    def __init__(
        self,
        graph: nx.Graph,
        nodes_xy: np.ndarray,
        lane_width_m: float = LANE_WIDTH_M,
        specific_flow: float = SPECIFIC_FLOW_P_M_S,
    ):
        if not (lane_width_m > 0 and specific_flow > 0):
            raise ValueError("lane_width_m and specific_flow must be > 0")
        self.nodes_xy = np.asarray(nodes_xy, dtype=float)
        self.specific_flow = specific_flow
        self.n_nodes = len(self.nodes_xy)
        edges = list(graph.edges(data=True))
        self.u = np.array([e[0] for e in edges], dtype=np.int64)
        self.v = np.array([e[1] for e in edges], dtype=np.int64)
        self.length_m = np.array([d["length_m"] for *_, d in edges], dtype=float)
        lanes = np.array([d.get("lanes", 1) for *_, d in edges], dtype=float)
        self.width_m = np.array(
            [d.get("width_m", ln * lane_width_m) for (*_, d), ln in zip(edges, lanes, strict=True)],
            dtype=float,
        )
        if np.any(~(self.length_m > 0)) or np.any(~(self.width_m > 0)):
            raise ValueError("every link needs length_m > 0 and a width > 0")
        self.foot_capacity = specific_flow * self.width_m
        self.speed_m_s = np.array([d.get("speed_m_s", np.nan) for *_, d in edges], dtype=float)
        oneway = np.array([bool(d.get("oneway", False)) for *_, d in edges], dtype=bool)
        u_list, v_list = self.u.tolist(), self.v.tolist()
        forward = [d.get("forward", (a, b)) for a, b, d in edges]
        # Vehicles may use u->v unless the edge is one-way the other way, and v->u unless
        # one-way at all.
        along = [tuple(f) == (a, b) for f, a, b in zip(forward, u_list, v_list, strict=True)]
        self.car_uv = ~oneway | np.array(along, dtype=bool)
        self.car_vu = ~oneway | ~self.car_uv
        lanes_dir = np.where(oneway, lanes, np.maximum(1.0, np.floor(lanes / 2)))
        self.car_capacity = lanes_dir * LANE_CAPACITY_VEH_S
        self.edge_id = {}
        for e, (a, b) in enumerate(zip(self.u.tolist(), self.v.tolist(), strict=True)):
            self.edge_id[a, b] = e
            self.edge_id[b, a] = e
        self.lane_width_m = lane_width_m
        self.blocked: set[int] = set()
        # arcs (from node, to node) closed in that direction only
        self.closed_arcs: set[tuple[int, int]] = set()
        self._trees: dict[tuple[int, str], tuple[np.ndarray, np.ndarray, np.ndarray]] = {}

    def fresh(self) -> "FlowNetwork":
        """The same network with no link blocked (runs block links on their own copy)."""
        other = copy.copy(self)
        other.blocked = set()
        other.closed_arcs = set()
        other._trees = {}
        return other

    @property
    def n_edges(self) -> int:
        return len(self.u)

    def sample_points(self, spacing_m: float = 10.0) -> tuple[np.ndarray, np.ndarray]:
        """Points along every link, ends included, at most ``spacing_m`` apart (on the
        straight line between its nodes), and each point's link as (u, v) node pairs:
        evaluate a field at the points in one call, then block the links of the points
        where it exceeds a level.

        Returns
        -------
        points : (m, 2) array
            Coordinates. [m]
        links : (m, 2) int array
            Node pair of the link each point lies on.
        """
        if not spacing_m > 0:
            raise ValueError(f"spacing_m must be > 0, got {spacing_m}")
        k = np.maximum(1, np.ceil(self.length_m / spacing_m).astype(np.int64)) + 1
        edge = np.repeat(np.arange(self.n_edges), k)
        first = np.repeat(np.cumsum(k) - k, k)
        f = (np.arange(k.sum()) - first) / np.repeat(k - 1, k)
        a, b = self.nodes_xy[self.u[edge]], self.nodes_xy[self.v[edge]]
        points = a + (b - a) * f[:, None]
        return points, np.column_stack([self.u[edge], self.v[edge]])

    def edge_ids(self, links) -> set[int]:
        """Edge ids of links given as node pairs."""
        ids = set()
        for a, b in links:
            if (a, b) not in self.edge_id:
                raise ValueError(f"no link between nodes {a} and {b}")
            ids.add(self.edge_id[a, b])
        return ids

    def block(self, links) -> set[int]:
        """Declare links (pairs of nodes) impassable from now on; returns the new edge ids."""
        new = self.edge_ids(links) - self.blocked
        if new:
            self.blocked |= new
            self._trees.clear()
        return new

    def close_arcs(self, arcs) -> set[tuple[int, int]]:
        """Declare links passable in one direction only from now on: each (a, b) closes the
        way from node a to node b (people may still come back from b to a); returns the
        arcs newly closed."""
        arcs = list(arcs)
        self.edge_ids(arcs)  # an unknown link raises
        new = {(int(a), int(b)) for a, b in arcs} - self.closed_arcs
        if new:
            self.closed_arcs |= new
            self._trees.clear()
        return new

    def tree(self, node: int, mode: str = "foot") -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Shortest routes to ``node`` avoiding blocked links: for every node, the cost to
        reach ``node`` (metres on foot, seconds by car; inf if unreachable), the next node on
        the way (-1 at ``node`` itself and where unreachable), and the smallest link capacity
        on the way (persons or vehicles per second; inf at ``node``)."""
        key = (node, mode)
        if key not in self._trees:
            self._trees[key] = self._shortest_to(node, mode)
        return self._trees[key]

    def _shortest_to(self, node: int, mode: str):
        open_ = np.ones(self.n_edges, bool)
        open_[list(self.blocked)] = False
        uv, vu = open_.copy(), open_.copy()
        for a, b in self.closed_arcs:
            e = self.edge_id[a, b]
            (uv if a == self.u[e] else vu)[e] = False
        if mode == "foot":
            a = np.concatenate([self.u[uv], self.v[vu]])
            b = np.concatenate([self.v[uv], self.u[vu]])
            w = np.concatenate([self.length_m[uv], self.length_m[vu]])
        elif mode == "car":
            fw, bw = uv & self.car_uv, vu & self.car_vu
            a = np.concatenate([self.u[fw], self.v[bw]])
            b = np.concatenate([self.v[fw], self.u[bw]])
            t = self.length_m / self.speed_m_s
            w = np.concatenate([t[fw], t[bw]])
        else:
            raise ValueError(f"mode must be 'foot' or 'car', got {mode!r}")
        # Reversed arcs: a search from the destination gives each node's cost to reach it,
        # and its predecessor in that search is the node's next hop.
        m = csr_matrix((w, (b, a)), shape=(self.n_nodes, self.n_nodes))
        dist, pred = dijkstra(m, directed=True, indices=node, return_predecessors=True)
        pred = np.where(pred < 0, -1, pred)
        bottleneck = np.full(self.n_nodes, np.inf)
        for n in np.argsort(dist, kind="stable"):
            h = pred[n]
            if h < 0:
                continue
            e = self.edge_id[int(n), int(h)]
            if mode == "foot":
                cap = self.foot_capacity[e]
            else:
                cap = self.car_capacity[e]
            bottleneck[n] = min(cap, bottleneck[h])
        return dist, pred, bottleneck


def park_places(
    park,
    exit_width_m: float | dict[str, float] = DEFAULT_EXIT_WIDTH_M,
    destinations: str = "assembly",
) -> tuple[list[Place], list[Place]]:
    """Buildings and destinations of a ``geodata.Park`` as Places.

    ``exit_width_m`` is one width for every building or a dict per building id (missing ids
    take ``DEFAULT_EXIT_WIDTH_M``). ``destinations`` is "assembly", "gates" or "both".
    Features the road network could not attach are left out.
    """
    if destinations not in ("assembly", "gates", "both"):
        raise ValueError(
            f"destinations must be 'assembly', 'gates' or 'both', got {destinations!r}"
        )
    att = park.network.attachments

    def xy(geom):
        p = geom.representative_point()
        return (float(p.x), float(p.y))

    buildings = []
    for bid, row in park.buildings.iterrows():
        if bid not in att:
            continue
        width = (
            exit_width_m.get(bid, DEFAULT_EXIT_WIDTH_M)
            if isinstance(exit_width_m, dict)
            else exit_width_m
        )
        a = att[bid]
        buildings.append(
            Place(str(bid), a.node, xy(row.geometry), a.access_m, width, None, "building")
        )
    dests = []
    if destinations in ("assembly", "both"):
        for aid, row in park.assembly_points.iterrows():
            if aid in att:
                a = att[aid]
                cap = int(row.capacity)
                dests.append(Place(str(aid), a.node, xy(row.geometry), a.access_m, None, cap))
    if destinations in ("gates", "both"):
        for gid, row in park.gates.iterrows():
            if gid in att:
                a = att[gid]
                dests.append(
                    Place(
                        str(gid),
                        a.node,
                        xy(row.geometry),
                        a.access_m,
                        float(row.width_m),
                        None,
                        "gate",
                    )
                )
    return buildings, dests
