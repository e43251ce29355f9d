"""People leaving a park along its roads, as SimPy processes: warning, pre-movement, then a
walk (or drive) through their building's exits and along the road graph to an assembly
point or gate, queuing before every capacity-limited link, exit and gate.

Each person is one process. Every link, building exit and gate is a first-in first-out
server that lets people in at most at its capacity (one entry per ``1 / capacity``
seconds, the SFPE hydraulic model): a queue forms only where arrivals exceed capacity,
and the flow through a link never exceeds it. On a link a walker moves at their free
speed, optionally slowed by the link's density at entry (Weidmann 1993 fundamental
diagram).
Vehicles use the same servers with a per-lane capacity at the road's speed (a point
queue). People and vehicles do not interact. Everyone covers the access path between a
place and its road node on foot (drivers walk to and from their car).

SimPy decides, numpy computes: positions of everyone at the current time come from
per-person leg arrays in one vectorised call (``Evacuation.positions``), for the dose
monitor. Links can be blocked at any time (``Evacuation.block``): people who have not
yet entered a blocked link choose a new route at their next node; those already walking
along it finish it; people left with no route stay where they are (in the building:
sheltered; outdoors: held) and are reported. ``Evacuation.warn`` starts a building's
evacuation or has it shelter in place.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass

import numpy as np
import pandas as pd
import simpy
from scipy.optimize import minimize_scalar

from scenarios.network_flow import LANE_CAPACITY_VEH_S, FlowNetwork, Place
from scenarios.people import Population

STATUSES = ("in_building", "sheltered", "walking", "queued", "arrived", "held")
IN_BUILDING, SHELTERED, WALKING, QUEUED, ARRIVED, HELD = range(len(STATUSES))
ROUTE_CHOICES = ("nearest", "quickest")
ACTIONS = ("evacuate", "shelter")

# Weidmann (1993) fundamental diagram, as quoted second-hand.
WEIDMANN_GAMMA = 1.913  # [persons/m2]
WEIDMANN_RHO_MAX = 5.4  # jam density [persons/m2]


def weidmann_speed_factor(density):
    """Walking speed over free speed at a crowd density, Weidmann (1993):
    ``1 - exp(-gamma (1/rho - 1/rho_max))``; 1 at zero density, 0 at jam density.

    Parameters
    ----------
    density : array_like
        Persons per square metre. [1/m2]

    References
    ----------
    Weidmann, U. (1993). Transporttechnik der Fussgänger. ETH Zürich, Schriftenreihe IVT 90
    (gamma = 1.913 P/m2, rho_max = 5.4 P/m2, as quoted second-hand).
    """
    rho = np.asarray(density, dtype=float)
    if np.any(rho < 0) or np.any(np.isnan(rho)):
        raise ValueError("density must be >= 0 persons/m2")
    with np.errstate(divide="ignore"):
        inv = np.where(rho > 0, 1.0 / np.where(rho > 0, rho, 1.0), np.inf)
    return np.clip(1.0 - np.exp(-WEIDMANN_GAMMA * (inv - 1.0 / WEIDMANN_RHO_MAX)), 0.0, 1.0)


# The density of the diagram's largest flow rho * v(rho). Entries are already held to the
# link's capacity by its queue, so the density that sets a walker's speed is capped here:
# past it the diagram's flow falls and a full link would jam for good.
WEIDMANN_RHO_CRITICAL = float(
    minimize_scalar(
        lambda rho: -rho * weidmann_speed_factor(rho),
        bounds=(0.1, WEIDMANN_RHO_MAX),
        method="bounded",
        options={"xatol": 1e-6},
    ).x
)


@dataclass
class EvacuationResult:
    """What an evacuation run produced.

    ``persons``: one row per person: building, mode, destination, start_node, route (nodes
    visited), premovement_s, warned_s, departure_s (end of pre-movement), exit_s (through
    the building's exits), arrival_s (at the destination, NaN if not), waiting_s (in
    queues), status (one of ``STATUSES``), rerouted. Times in s from the run's start.
    ``buildings`` and ``destinations``: per-place tables. ``queues``: server name ->
    (times, persons queuing from each time on), a step function. ``entries``: server name
    -> entry times. ``capacity``: server name -> persons (or vehicles) per second.
    ``queue_xy``: server name -> (x, y) [m] where most of its queue stood.
    ``trajectories``: per person an (k, 3) array of (t, x, y) waypoints, linear between
    them (deck.gl TripsLayer after projecting x, y to lon/lat).
    """

    persons: pd.DataFrame
    buildings: pd.DataFrame
    destinations: pd.DataFrame
    queues: dict[str, tuple[np.ndarray, np.ndarray]]
    entries: dict[str, np.ndarray]
    capacity: dict[str, float]
    queue_xy: dict[str, tuple[float, float]]
    trajectories: list[np.ndarray]
    end_s: float

    @property
    def evacuation_time_s(self) -> float:
        """Last arrival (NaN if nobody arrived). [s]"""
        t = self.persons["arrival_s"]
        return float(t.max()) if t.notna().any() else float("nan")

    def longest_queue(self) -> tuple[str, int, float]:
        """(server name, persons, time) of the longest queue; ("", 0, nan) if none."""
        best = ("", 0, float("nan"))
        for name, (t, q) in self.queues.items():
            k = int(np.argmax(q))
            if q[k] > best[1]:
                best = (name, int(q[k]), float(t[k]))
        return best


class Evacuation:
    """The people of a park as SimPy processes in a given environment.

    Parameters
    ----------
    env : simpy.Environment
        The run's environment; time in seconds.
    network : FlowNetwork
        Links and capacities (this run blocks links on its own copy).
    buildings : list of Place
        Every building of ``population.building_ids``; ``width_m`` is its exits' clear
        width (None: no limit). [m]
    destinations : list of Place
        Assembly points and gates; a ``width_m`` limits the flow through it. [m]
    population : Population
        Persons, pre-movement times and speeds.
    assignment : dict of building id -> destination id, optional
        Fixed destinations; other buildings choose by ``route_choice``.
    route_choice : str
        "nearest": shortest route (distance on foot, time by car). "quickest": shortest
        estimated time, walking plus the persons already heading to a destination divided
        by the smallest capacity on its route (people avoid congested exits).
    density_speed : bool
        Slow walkers by the Weidmann density of the link they enter (persons on it over its
        area, capped at the density of the diagram's largest flow). Off by default: the
        hydraulic model keeps free speeds and limits flow at the bottlenecks.

    Nobody moves until ``warn`` reaches their building.
    """

    def __init__(
        self,
        env: simpy.Environment,
        network: FlowNetwork,
        buildings: list[Place],
        destinations: list[Place],
        population: Population,
        assignment: dict[str, str] | None = None,
        route_choice: str = "nearest",
        density_speed: bool = False,
    ):
        if route_choice not in ROUTE_CHOICES:
            raise ValueError(f"route_choice must be one of {ROUTE_CHOICES}, got {route_choice!r}")
        if not destinations:
            raise ValueError("an evacuation needs at least one destination")
        by_id = {b.id: b for b in buildings}
        missing = [b for b in population.building_ids if b not in by_id]
        if missing:
            raise ValueError(f"population buildings without a Place: {missing}")
        dest_index = {d.id: k for k, d in enumerate(destinations)}
        assignment = assignment or {}
        bad = {b: d for b, d in assignment.items() if d not in dest_index}
        if bad:
            raise ValueError(f"assignment names unknown destinations: {bad}")

        self.env = env
        self.net = network.fresh()
        self.places = [by_id[b] for b in population.building_ids]
        self.dests = list(destinations)
        self.pop = population
        self.route_choice = route_choice
        self.density_speed = density_speed
        self._assigned = np.array(
            [dest_index.get(assignment.get(b, ""), -1) for b in population.building_ids]
        )

        n, ne, nb, nd = len(population), self.net.n_edges, len(self.places), len(self.dests)
        # Servers: foot links, car links (two directions each), building exits, gates on
        # foot, gates by car.
        self._car0, self._door0 = ne, 3 * ne
        self._gate0, self._gatecar0 = 3 * ne + nb, 3 * ne + nb + nd
        cap = np.concatenate(
            [
                self.net.foot_capacity,
                np.repeat(self.net.car_capacity, 2),
                [self._flow(p.width_m) for p in self.places],
                [self._flow(d.width_m) for d in self.dests],
                [self._car_flow(d.width_m) for d in self.dests],
            ]
        )
        self._capacity = cap
        # What each person's process reads at every step, as Python lists: SimPy's event
        # heap and the arithmetic of one person run several times faster on Python floats
        # than on numpy scalars (the values are the same doubles).
        self._headway = np.where(np.isinf(cap), 0.0, 1.0 / cap).tolist()
        self._free = [0.0] * len(cap)
        self._on_link = np.zeros(ne, dtype=np.int64)
        # persons on foot (row 0) and vehicles (row 1) bound for each destination
        self._heading = np.zeros((2, nd), dtype=np.int64)
        self._node_xy = [tuple(p) for p in self.net.nodes_xy.tolist()]
        self._place_xy = [(float(p.xy[0]), float(p.xy[1])) for p in self.places]
        self._dest_xy = [(float(p.xy[0]), float(p.xy[1])) for p in self.dests]
        self._access = np.array([d.access_m for d in self.dests], dtype=float)
        self._dest_tables: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        self._length = self.net.length_m.tolist()
        self._road_speed = self.net.speed_m_s.tolist()
        self._u = self.net.u.tolist()
        self._premovement = population.premovement_s.tolist()
        self._speed = population.speed_m_s.tolist()
        self._drives = population.drives.tolist()

        self.status = np.full(n, IN_BUILDING, dtype=np.int8)
        self.dest = np.full(n, -1, dtype=np.int64)
        self.warned_s = np.full(n, np.nan)
        self.departure_s = np.full(n, np.nan)
        self.exit_s = np.full(n, np.nan)
        self.arrival_s = np.full(n, np.nan)
        self.waiting_s = np.zeros(n)
        self.rerouted = np.zeros(n, dtype=bool)
        self._queue_of = np.full(n, -1, dtype=np.int64)
        self._at = np.full(n, -1, dtype=np.int64)  # node a person is bound for or waits at
        xy0 = np.array([p.xy for p in self.places], dtype=float).reshape(-1, 2)[population.building]
        # each person's leg: from (x0, y0) at t0 to (x1, y1) at t1
        self._t0 = np.full(n, float(env.now))
        self._t1 = self._t0.copy()
        self._x0, self._y0 = xy0[:, 0].copy(), xy0[:, 1].copy()
        self._x1, self._y1 = self._x0.copy(), self._y0.copy()
        self._routes: list[list[int]] = [[] for _ in range(n)]
        self._traj: list[list[tuple[float, float, float]]] = [
            [(float(env.now), x, y)] for x, y in xy0.tolist()
        ]
        self._log_s: list[int] = []
        self._log_join: list[float] = []
        self._log_in: list[float] = []
        self._log_left: list[bool] = []
        self._queue_spots: dict[int, Counter] = defaultdict(Counter)
        self.closed = np.zeros(nd, dtype=bool)
        self._closing = [env.event() for _ in range(nd)]
        self._warning = [env.event() for _ in range(nb)]
        self._order: list[str | None] = [None] * nb
        self._order_n = [0] * nb
        self._proc = [env.process(self._person(i)) for i in range(n)]

    def _flow(self, width_m):
        return np.inf if width_m is None else self.net.specific_flow * width_m

    def _car_flow(self, width_m):
        if width_m is None:
            return np.inf
        return max(1.0, np.floor(width_m / self.net.lane_width_m)) * LANE_CAPACITY_VEH_S

    # --- what the engine calls -------------------------------------------------------

    def warn(self, buildings=None, action: str = "evacuate"):
        """The warning reaches ``buildings`` (ids; all if None) now: their occupants start
        pre-movement ("evacuate") or stay inside ("shelter"). A later "evacuate" still
        reaches people sheltering; people who have begun pre-movement ignore later
        warnings."""
        if action not in ACTIONS:
            raise ValueError(f"action must be one of {ACTIONS}, got {action!r}")
        ids = [p.id for p in self.places]
        chosen = ids if buildings is None else list(buildings)
        for b in chosen:
            if b not in ids:
                raise ValueError(f"unknown building {b!r}")
            k = ids.index(b)
            self._order[k] = action
            self._order_n[k] += 1
            event, self._warning[k] = self._warning[k], self.env.event()
            event.succeed()

    def block(self, links) -> tuple[int, int]:
        """Links (node pairs) become impassable now. People bound to use one choose a new
        route at their next node (those queuing to enter one turn away at once; those
        already walking along one finish it). Returns (persons who turned away from a
        queue, persons whose route used one) at the moment of closing.
        ``FlowNetwork.sample_points`` helps find the links a forecast cloud covers."""
        links = list(links)
        new = self.net.edge_ids(links) - self.net.blocked
        if not new:
            return 0, 0
        using = self._flag_rerouted(new)
        self.net.block(links)
        self._dest_tables.clear()
        s = self._queue_of
        edge = np.where(s < self._car0, s, (s - self._car0) // 2)
        hit = np.flatnonzero(
            (self.status == QUEUED) & (s >= 0) & (s < self._door0) & np.isin(edge, list(new))
        )
        for i in hit.tolist():
            self._proc[i].interrupt("blocked")
        return len(hit), using

    def close_arcs(self, arcs) -> tuple[int, int]:
        """Links become passable in one direction only (each (a, b) closes the way from node
        a to node b, into a fire's range): people bound that way choose a new route at their next
        node (those queuing to enter it turn away at once; those already on it finish it);
        the way back stays open. Returns (persons who turned away from a queue into it,
        persons whose route used it) at the moment of closing."""
        arcs = list(arcs)
        self.net.edge_ids(arcs)
        new = {(int(a), int(b)) for a, b in arcs} - self.net.closed_arcs
        if not new:
            return 0, 0
        using = self._flag_rerouted(new, arcs=True)
        self.net.close_arcs(new)
        self._dest_tables.clear()
        s = self._queue_of
        at = self._at
        hit = []
        for i in np.flatnonzero((self.status == QUEUED) & (s >= 0) & (s < self._door0)).tolist():
            e = int(s[i]) if s[i] < self._car0 else int(s[i] - self._car0) // 2
            a = int(at[i])
            b = int(self.net.v[e]) if a == self.net.u[e] else int(self.net.u[e])
            if (a, b) in new:
                hit.append(i)
        for i in hit:
            self._proc[i].interrupt("blocked")
        return len(hit), using

    def close(self, destinations) -> tuple[int, int]:
        """Destinations (ids) may no longer be used from now on (they lie in a hazard
        zone): people heading for one choose another at their next node; people who have
        arrived at one leave it for another. Returns (persons there, persons heading
        there) at the moment of closing."""
        ids = [d.id for d in self.dests]
        there = heading = 0
        for name in destinations:
            if name not in ids:
                raise ValueError(f"unknown destination {name!r}")
            k = ids.index(name)
            if self.closed[k]:
                continue
            self.closed[k] = True
            mine = self.dest == k
            there += int(np.sum(mine & (self.status == ARRIVED)))
            heading += int(np.sum(mine & (self.status != ARRIVED)))
            self._closing[k].succeed()
        return there, heading

    def _flag_rerouted(self, new: set, arcs: bool = False) -> int:
        """Mark people on their way whose remaining route (before blocking) uses a link of
        ``new`` (edge ids; or (from, to) node pairs when ``arcs``); returns how many."""
        going = np.flatnonzero((self.dest >= 0) & (self._at >= 0) & (self.status != ARRIVED))
        using = 0
        group = 2 * self.dest[going] + self.pop.drives[going]  # destination and mode
        for g in np.unique(group).tolist():
            k, car = divmod(g, 2)
            mine = going[group == g]
            nxt = self.net.tree(self.dests[k].node, "car" if car else "foot")[1]
            hit = mine[self._route_uses(nxt, new, arcs)[self._at[mine]]]
            self.rerouted[hit] = True
            using += len(hit)
        return using

    def _route_uses(self, nxt: np.ndarray, new: set, arcs: bool) -> np.ndarray:
        """For every node, whether its route along the next hops ``nxt`` of a tree (-1 at
        the root and where unreachable) takes a link of ``new`` (as ``_flag_rerouted``)."""
        first = np.zeros(len(nxt), bool)  # the link out of the node itself
        steps = new if arcs else [(self.net.u[e], self.net.v[e]) for e in new]
        for a, b in steps:
            first[a] |= nxt[a] == b
            if not arcs:
                first[b] |= nxt[b] == a
        # pointer doubling: after round r each node has looked 2^r links ahead
        uses, ahead = first, np.where(nxt >= 0, nxt, np.arange(len(nxt)))
        while True:
            uses = uses | uses[ahead]
            further = ahead[ahead]
            if np.array_equal(further, ahead):
                return uses
            ahead = further

    def positions(self, t: float | None = None) -> np.ndarray:
        """(n, 2) positions [m] of every person at ``t`` (default now); valid from now up to
        the next event, for past times use the trajectories."""
        t = self.env.now if t is None else t
        span = self._t1 - self._t0
        f = np.clip((t - self._t0) / np.where(span > 0, span, 1.0), 0.0, 1.0)
        x0, y0 = self._x0, self._y0
        return np.column_stack([x0 + (self._x1 - x0) * f, y0 + (self._y1 - y0) * f])

    def indoors(self) -> np.ndarray:
        """True for people inside their building (not yet out, or sheltering)."""
        return (
            (self.status == IN_BUILDING)
            | (self.status == SHELTERED)
            | (
                (self.status == QUEUED)
                & (self._queue_of >= self._door0)
                & (self._queue_of < self._gate0)
            )
        )

    # --- one person --------------------------------------------------------------------

    def _person(self, i: int):
        env = self.env
        b = int(self.pop.building[i])
        seen = 0
        while True:
            if self._order_n[b] == seen:
                yield self._warning[b]
            seen, action = self._order_n[b], self._order[b]
            if np.isnan(self.warned_s[i]):
                self.warned_s[i] = env.now
            if action == "evacuate":
                break
            self.status[i] = SHELTERED
        self.status[i] = IN_BUILDING
        yield env.timeout(self._premovement[i])
        self.departure_s[i] = env.now
        place = self.places[b]
        car = self._drives[i]
        d = self._choose(i, place.node, car)
        if d < 0:
            self.status[i] = SHELTERED
            return
        v = self._speed[i]
        self._at[i] = place.node
        xy = self._place_xy[b]
        yield from self._pass(i, self._door0 + b, xy)
        self.exit_s[i] = env.now
        node = place.node
        yield from self._move(i, xy, self._node_xy[node], place.access_m / v)
        self._routes[i].append(node)
        while True:
            node = yield from self._go(i, node, d, car, v)
            if node is None:
                return
            d = int(self.dest[i])
            dest, xy = self.dests[d], self._dest_xy[d]
            if not self.closed[d]:
                yield self._closing[d]
            # the destination now lies in a hazard zone: leave it for another
            self.status[i] = WALKING
            self.arrival_s[i] = np.nan
            self.rerouted[i] = True
            d = self._choose(i, dest.node, car)
            if d < 0:
                self.status[i] = HELD
                return
            yield from self._move(i, xy, self._node_xy[dest.node], dest.access_m / v)
            node = dest.node

    def _go(self, i: int, node: int, d: int, car: bool, v: float):
        """From ``node`` to destination ``d`` (or another one where ``d`` closes or its
        routes are cut) and through its gate; returns the node of the destination reached,
        or None when no destination can be reached (the person is held where they are)."""
        env = self.env
        mode = "car" if car else "foot"
        while True:
            if node == self.dests[d].node and not self.closed[d]:
                break
            nxt = int(self.net.tree(self.dests[d].node, mode)[1][node])
            if nxt < 0 or self.closed[d]:
                self._heading[int(car), d] -= 1
                self.rerouted[i] = True
                d = self._choose(i, node, car)
                if d < 0:
                    self.status[i] = HELD
                    return None
                continue
            e = self.net.edge_id[node, nxt]
            if car:
                server = self._car0 + 2 * e + (0 if node == self._u[e] else 1)
            else:
                server = e
            try:
                yield from self._pass(i, server, self._node_xy[node])
            except simpy.Interrupt:
                continue
            self._at[i] = nxt
            if car:
                speed = self._road_speed[e]
            else:
                speed = v
                self._on_link[e] += 1
                if self.density_speed:
                    rho = self._on_link[e] / (self.net.length_m[e] * self.net.width_m[e])
                    speed = v * float(weidmann_speed_factor(min(rho, WEIDMANN_RHO_CRITICAL)))
            yield from self._move(
                i, self._node_xy[node], self._node_xy[nxt], self._length[e] / speed
            )
            if not car:
                self._on_link[e] -= 1
            node = nxt
            self._routes[i].append(node)
        dest, xy = self.dests[d], self._dest_xy[d]
        yield from self._move(i, self._node_xy[node], xy, dest.access_m / v)
        gate = (self._gatecar0 if car else self._gate0) + d
        yield from self._pass(i, gate, xy)
        self.arrival_s[i] = env.now
        self.status[i] = ARRIVED
        self._heading[int(car), d] -= 1
        return node

    def _choose(self, i: int, node: int, car: bool) -> int:
        """The destination person ``i`` heads for from ``node`` (-1: none reachable)."""
        v = self._speed[i]
        dist, bottleneck = self._to_dests(car)
        cost = dist[node] / (1.0 if car else v) + self._access / v
        if self.route_choice == "quickest":
            gate = self._capacity[self._gatecar0 if car else self._gate0 :][: len(self.dests)]
            cost += self._heading[int(car)] / np.minimum(bottleneck[node], gate)
        cost[self.closed] = np.inf
        a = self._assigned[self.pop.building[i]]
        if a >= 0 and np.isfinite(cost[a]):
            d = int(a)
        elif not np.isfinite(cost).any():
            self.dest[i] = -1
            return -1
        else:
            d = int(np.argmin(cost))
            self.rerouted[i] |= a >= 0
        self.dest[i] = d
        self._heading[int(car), d] += 1
        return d

    def _to_dests(self, car: bool) -> tuple[np.ndarray, np.ndarray]:
        """(nodes, destinations) tables of every node's route cost to each destination and
        the smallest capacity on that route (the network's trees for the mode, stacked;
        kept until a link is blocked or closed)."""
        mode = "car" if car else "foot"
        if mode not in self._dest_tables:
            trees = [self.net.tree(d.node, mode) for d in self.dests]
            self._dest_tables[mode] = (
                np.stack([t[0] for t in trees], axis=1),
                np.stack([t[2] for t in trees], axis=1),
            )
        return self._dest_tables[mode]

    def _pass(self, i: int, server: int, xy):
        """Enter ``server`` first come, first served, no sooner than its headway allows."""
        now = self.env.now
        t_in = max(now, self._free[server])
        self._free[server] = t_in + self._headway[server]
        k = len(self._log_s)
        self._log_s.append(server)
        self._log_join.append(now)
        self._log_in.append(t_in)
        self._log_left.append(False)
        if t_in <= now:
            return
        status = self.status[i]
        self.status[i] = QUEUED
        self._queue_of[i] = server
        self._queue_spots[server][xy] += 1
        self._set_leg(i, now, t_in, xy, xy)
        try:
            yield self.env.timeout(t_in - now)
        except simpy.Interrupt:
            self._log_in[k] = self.env.now
            self._log_left[k] = True
            self._end_wait(i, status, now, xy)
            raise
        self._end_wait(i, status, now, xy)

    def _end_wait(self, i, status, since, xy):
        now = self.env.now
        self.waiting_s[i] += now - since
        self.status[i] = status
        self._queue_of[i] = -1
        self._set_leg(i, now, now, xy, xy)
        self._traj[i].append((now, *xy))

    def _move(self, i: int, start, end, duration: float):
        now = self.env.now
        self.status[i] = WALKING
        self._set_leg(i, now, now + duration, start, end)
        if duration > 0:
            yield self.env.timeout(duration)
        self._traj[i].append((self.env.now, *end))

    def _set_leg(self, i, t0, t1, p0, p1):
        self._t0[i] = t0
        self._t1[i] = t1
        self._x0[i], self._y0[i] = p0
        self._x1[i], self._y1[i] = p1

    # --- results ---------------------------------------------------------------------

    def server_names(self) -> list[str]:
        u, v = self.net.u.tolist(), self.net.v.tolist()
        names = [f"link {a}-{b}" for a, b in zip(u, v, strict=True)]
        for a, b in zip(u, v, strict=True):
            names += [f"road {a}>{b}", f"road {b}>{a}"]
        names += [f"exit {p.id}" for p in self.places]
        names += [f"gate {d.id}" for d in self.dests]
        names += [f"gate {d.id} (cars)" for d in self.dests]
        return names

    def result(self) -> EvacuationResult:
        """Tables, queues and trajectories as of now."""
        names = self.server_names()
        s = np.array(self._log_s, dtype=np.int64)
        join = np.array(self._log_join, dtype=float)
        t_in = np.array(self._log_in, dtype=float)
        left = np.array(self._log_left, dtype=bool)
        queues, entries = {}, {}
        # each server's entries in the order they were logged
        by_server = np.argsort(s, kind="stable")
        servers, starts = np.unique(s[by_server], return_index=True)
        pieces = np.split(by_server, starts[1:]) if len(s) else []
        for srv, mine in zip(servers.tolist(), pieces, strict=True):
            entries[names[srv]] = np.sort(t_in[mine][~left[mine]])
            w = mine[t_in[mine] > join[mine]]
            if len(w):
                times = np.concatenate([join[w], t_in[w]])
                delta = np.concatenate([np.ones(len(w)), -np.ones(len(w))])
                order = np.lexsort((delta, times))
                queues[names[srv]] = (times[order], np.cumsum(delta[order]).astype(np.int64))
        capacity = {names[k]: float(c) for k, c in enumerate(self._capacity)}
        queue_xy = {names[k]: c.most_common(1)[0][0] for k, c in self._queue_spots.items()}

        bid = np.array(self.pop.building_ids, dtype=object)
        did = np.array([d.id for d in self.dests] + [None], dtype=object)
        persons = pd.DataFrame(
            {
                "building": bid[self.pop.building],
                "mode": np.where(self.pop.drives, "car", "foot"),
                "destination": did[self.dest],
                "start_node": [self.places[b].node for b in self.pop.building.tolist()],
                "route": self._routes,
                "premovement_s": self.pop.premovement_s,
                "warned_s": self.warned_s,
                "departure_s": self.departure_s,
                "exit_s": self.exit_s,
                "arrival_s": self.arrival_s,
                "waiting_s": self.waiting_s,
                "status": np.array(STATUSES, dtype=object)[self.status],
                "rerouted": self.rerouted,
            }
        )
        g = persons.groupby("building", sort=False)
        status_counts = pd.crosstab(persons["building"], persons["status"]).reindex(
            columns=list(STATUSES), fill_value=0
        )
        buildings = pd.DataFrame(
            {
                "persons": g.size(),
                "last_exit_s": g["exit_s"].max(),
                "mean_arrival_s": g["arrival_s"].mean(),
                "last_arrival_s": g["arrival_s"].max(),
                "mean_waiting_s": g["waiting_s"].mean(),
            }
        ).join(status_counts)
        arrived = persons[persons["status"] == "arrived"].groupby("destination")["arrival_s"]
        destinations = pd.DataFrame(
            {
                "kind": [d.kind for d in self.dests],
                "capacity": [d.capacity for d in self.dests],
                "arrivals": arrived.size().reindex([d.id for d in self.dests], fill_value=0).values,
                "first_arrival_s": arrived.min().reindex([d.id for d in self.dests]).values,
                "last_arrival_s": arrived.max().reindex([d.id for d in self.dests]).values,
            },
            index=pd.Index([d.id for d in self.dests], name="destination"),
        )
        # Persons beyond what an assembly point holds (0 where its capacity is not given).
        room = pd.to_numeric(destinations["capacity"], errors="coerce")
        destinations["over_capacity"] = (
            (destinations["arrivals"] - room).clip(lower=0).fillna(0).astype(np.int64)
        )
        trajectories = [np.array(t, dtype=float) for t in self._traj]
        return EvacuationResult(
            persons,
            buildings,
            destinations,
            queues,
            entries,
            capacity,
            queue_xy,
            trajectories,
            float(self.env.now),
        )


def run_evacuation(
    network: FlowNetwork,
    buildings: list[Place],
    destinations: list[Place],
    population: Population,
    until_s: float = 3600.0,
    action: str = "evacuate",
    **options,
) -> EvacuationResult:
    """Warn every building at time 0 and run for ``until_s`` seconds in a fresh
    environment; ``options`` go to ``Evacuation``."""
    env = simpy.Environment()
    evac = Evacuation(env, network, buildings, destinations, population, **options)
    evac.warn(action=action)
    env.run(until=until_s)
    return evac.result()


def evacuation_figures(park, period: str = "night", seed: int = 1, until_s: float = 3600.0) -> dict:
    """Headline figures of a whole-park evacuation to the assembly points: everyone in the
    buildings inside the park's boundary warned at once, pre-movement lognormal with a
    median of 3 min (sigma 0.6), walking speeds of `WalkingSpeed`. For comparing layouts
    (the same draws for the same seed), not for predicting one incident.
    """
    from scenarios.network_flow import FlowNetwork, park_places
    from scenarios.people import Lognormal, make_population, park_occupants

    network = FlowNetwork(park.network.graph, park.network.nodes_xy)
    buildings, destinations = park_places(park)
    inside = park.buildings.index[park.buildings.within(park.boundary.union_all())]
    occupants = {b: n for b, n in park_occupants(park, period).items() if b in inside}
    population = make_population(occupants, Lognormal(180.0, 0.6), seed)
    result = run_evacuation(network, buildings, destinations, population, until_s=until_s)
    where, longest, _ = result.longest_queue()
    persons = result.persons
    return {
        "persons": len(persons),
        "arrived within the hour": int((persons["status"] == "arrived").sum()),
        "evacuation time [s]": float(result.evacuation_time_s),
        "longest queue": int(longest),
        "longest queue at": where,
    }
