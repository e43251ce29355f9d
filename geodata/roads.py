"""The road graph: road centre lines noded at their intersections, small gaps closed, and
every building, gate and assembly point attached to the nearest road.

Nodes are road intersections, road ends, gap closures and attachment points; edges are
the road pieces between them, with length, lanes, speed and direction. The graph is
undirected (people on foot ignore one-way rules); ``oneway`` edges carry the node order
vehicles may drive in.
"""

import itertools
from dataclasses import dataclass, field

import networkx as nx
import numpy as np
import shapely
from scipy.spatial import cKDTree
from shapely.geometry import LineString, MultiLineString, Point
from shapely.ops import nearest_points, substring

SNAP_TOLERANCE_M = 5.0  # a road end this close to another road is joined to it
MAX_ACCESS_M = 250.0  # farther than this from any road, a feature is not attached
_MERGE_M = 0.05  # node coordinates closer than this are one node


@dataclass(frozen=True)
class Attachment:
    """Where a feature joins the road graph: its node and the walk from it to the road."""

    node: int
    access_m: float


@dataclass
class RoadNetwork:
    graph: nx.Graph
    nodes_xy: np.ndarray  # (n, 2) local metres, row i is node i
    attachments: dict[str, Attachment] = field(default_factory=dict)
    unattached: list[str] = field(default_factory=list)
    gaps_closed: int = 0

    def component_of(self) -> dict[int, int]:
        """Node -> index of its connected component."""
        return {n: i for i, nodes in enumerate(nx.connected_components(self.graph)) for n in nodes}

    def unreachable(self, features: list[str], exits: list[str]) -> list[str]:
        """The features with no road path to any exit (unattached, or on a road piece that
        no exit is connected to)."""
        comp = self.component_of()
        exit_comps = {comp[self.attachments[e].node] for e in exits if e in self.attachments}
        return [
            f
            for f in features
            if f not in self.attachments or comp[self.attachments[f].node] not in exit_comps
        ]


def _lines(geom) -> list[LineString]:
    if isinstance(geom, MultiLineString):
        return list(geom.geoms)
    return [geom]


def _points(geom) -> list[Point]:
    """Points where two roads meet: crossing points, and the ends of shared stretches."""
    if geom.is_empty:
        return []
    if isinstance(geom, Point):
        return [geom]
    if hasattr(geom, "geoms"):
        return [p for g in geom.geoms for p in _points(g)]
    return [Point(c) for c in (geom.coords[0], geom.coords[-1])]


def build_road_network(
    roads: list[tuple[LineString, dict]],
    features: dict[str, object],
    snap_tolerance_m: float = SNAP_TOLERANCE_M,
    max_access_m: float = MAX_ACCESS_M,
) -> RoadNetwork:
    """Build the road graph and attach features to it.

    Parameters
    ----------
    roads : list of (LineString, attributes)
        Road centre lines in local metres with ``id``, ``lanes``, ``speed_m_s``, ``oneway``.
    features : dict of id -> geometry
        Buildings, gates, assembly points: each joins the road at its nearest point.
    snap_tolerance_m : float
        A road end within this distance of another road is connected to it. [m]
    max_access_m : float
        Features farther than this from every road stay unattached. [m]
    """
    pieces = [(line, attrs) for geom, attrs in roads for line in _lines(geom)]
    lines = [p[0] for p in pieces]
    tree = shapely.STRtree(lines)
    cuts: list[list[float]] = [[0.0, line.length] for line in lines]
    connectors: list[tuple[Point, Point, dict]] = []

    for i, j in zip(*tree.query(lines, predicate="intersects"), strict=True):
        if j <= i:
            continue
        for p in _points(lines[i].intersection(lines[j])):
            cuts[i].append(lines[i].project(p))
            cuts[j].append(lines[j].project(p))

    for i, line in enumerate(lines):
        for end in (Point(line.coords[0]), Point(line.coords[-1])):
            for j in tree.query(end.buffer(snap_tolerance_m)):
                if j == i:
                    continue
                gap = lines[j].distance(end)
                if 0.0 < gap <= snap_tolerance_m:
                    d = lines[j].project(end)
                    cuts[j].append(d)
                    connectors.append((end, lines[j].interpolate(d), pieces[j][1]))

    anchors: dict[str, tuple[Point, float]] = {}
    unattached = []
    for fid, geom in features.items():
        j, dist = tree.query_nearest(geom, max_distance=max_access_m, return_distance=True)
        if len(j) == 0:
            unattached.append(fid)
            continue
        j = int(j[0])
        on_road = nearest_points(geom, lines[j])[1]
        cuts[j].append(lines[j].project(on_road))
        anchors[fid] = (on_road, float(dist[0]))

    segments = []  # (start xy, end xy, length, attrs)
    for line, (_, attrs), ds in zip(lines, pieces, cuts, strict=True):
        ds = np.unique(np.clip(ds, 0.0, line.length))
        for a, b in itertools.pairwise(ds):
            if b - a < _MERGE_M:
                continue
            seg = substring(line, a, b)
            segments.append((seg.coords[0], seg.coords[-1], seg.length, attrs, seg))
    for a, b, attrs in connectors:
        seg = LineString([a, b])
        segments.append((seg.coords[0], seg.coords[-1], seg.length, attrs, seg))

    ends = np.array(
        [s[i] for s in segments for i in (0, 1)] + [a.coords[0] for a, _ in anchors.values()]
    )
    nodes_xy, node_of = _merge(ends)
    graph = nx.Graph()
    graph.add_nodes_from(range(len(nodes_xy)))
    for k, (_, _, length, attrs, seg) in enumerate(segments):
        u, v = int(node_of[2 * k]), int(node_of[2 * k + 1])
        if u == v or (graph.has_edge(u, v) and graph[u][v]["length_m"] <= length):
            continue
        graph.add_edge(
            u,
            v,
            length_m=length,
            lanes=attrs["lanes"],
            speed_m_s=attrs["speed_m_s"],
            oneway=bool(attrs["oneway"]),
            forward=(u, v),
            road=attrs["id"],
            geometry=seg,
        )
    first_anchor = 2 * len(segments)
    attachments = {
        fid: Attachment(int(node_of[first_anchor + k]), access)
        for k, (fid, (_, access)) in enumerate(anchors.items())
    }
    graph.remove_nodes_from([n for n in list(graph.nodes) if graph.degree(n) == 0])
    return RoadNetwork(graph, nodes_xy, attachments, unattached, len(connectors))


def _merge(points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Cluster points closer than ``_MERGE_M``: the unique node coordinates, and for each
    input point the index of its node (no nodes for no points: roads too short to hold a
    segment, with nothing near them)."""
    if not len(points):
        return np.zeros((0, 2)), np.zeros(0, dtype=int)
    pairs = cKDTree(points).query_pairs(_MERGE_M, output_type="ndarray")
    parent = np.arange(len(points))

    def root(i):
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for a, b in pairs:
        ra, rb = root(a), root(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    roots = np.array([root(i) for i in range(len(points))])
    unique, node_of = np.unique(roots, return_inverse=True)
    return points[unique], node_of
