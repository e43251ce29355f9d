"""Live headcounts: people counted per building and per gate, and positions of tagged people,
as readings of tags named by this convention (in recordings and on MQTT alike):

- ``headcount/<building id>``: people inside the building now (a personnel positioning
  system's count of the building), a whole number >= 0;
- ``headcount/<gate id>``: people at the gate now (its access control's count of people in
  the gate area), a whole number >= 0;
- ``position/<badge>/lon`` and ``position/<badge>/lat``: where a tagged person (a
  positioning badge) is, WGS84 longitude and latitude [deg]; the badge's position is its
  latest longitude with its latest latitude.

A count that is negative or not whole, a count tag naming no building or gate of the park, a
longitude outside -180..180, a latitude outside -90..90, or a reading older than the last
of its tag is refused and counted per rule in ``Headcounts.refused`` (the live path goes
on). A count holds until the next count of its building or gate; `Headcounts.at` gives what
was known at a time.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field

from pyproj import Transformer

from geodata.crs import WGS84

COUNT_PREFIX = "headcount/"
POSITION_PREFIX = "position/"


def is_headcount_tag(tag: str) -> bool:
    """Whether ``tag`` follows the headcount convention (see the module docstring)."""
    return tag.startswith(COUNT_PREFIX) or tag.startswith(POSITION_PREFIX)


def feed_tags(park) -> set[str]:
    """The tags a feed of the park accepts: its sensors' and a count tag per building and
    per gate (positions are accepted by their prefix, as badges are not listed)."""
    ids = list(park.buildings.index) + list(park.gates.index)
    return set(park.sensors.index) | {COUNT_PREFIX + str(i) for i in ids}


@dataclass
class PeopleNow:
    """What the headcount feed told at ``t`` [s, POSIX UTC].

    ``buildings`` and ``gates``: id -> (people, time of the count [s]); ``positions``:
    badge -> (x, y) in the park's metric CRS [m]. Empty when nothing was received.
    """

    t: float
    buildings: dict[str, tuple[int, float]] = field(default_factory=dict)
    gates: dict[str, tuple[int, float]] = field(default_factory=dict)
    positions: dict[str, tuple[float, float]] = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        return not (self.buildings or self.gates or self.positions)


class Headcounts:
    """The latest headcounts of one park, kept from readings (`update`)."""

    def __init__(self, park):
        self._buildings = {str(b) for b in park.buildings.index}
        self._gates = {str(g) for g in park.gates.index}
        self._to_park = Transformer.from_crs(WGS84, park.crs, always_xy=True)
        self._counts: dict[str, list[tuple[float, int]]] = {}
        self._coords: dict[tuple[str, str], list[tuple[float, float]]] = {}
        self.refused: Counter[str] = Counter()

    def update(self, reading) -> bool:
        """Take one reading of a headcount tag; return False (and count the rule) if it is
        refused."""
        t, tag, value = reading[0], reading[1], reading[2]
        if tag.startswith(COUNT_PREFIX):
            place = tag[len(COUNT_PREFIX) :]
            if place not in self._buildings and place not in self._gates:
                return self._refuse("unknown_place")
            if not (math.isfinite(value) and value >= 0 and value == int(value)):
                return self._refuse("bad_count")
            return self._append(self._counts.setdefault(place, []), t, int(value))
        parts = tag[len(POSITION_PREFIX) :].rsplit("/", 1)
        if len(parts) != 2 or not parts[0] or parts[1] not in ("lon", "lat"):
            return self._refuse("bad_position_tag")
        limit = 180.0 if parts[1] == "lon" else 90.0
        if not (math.isfinite(value) and -limit <= value <= limit):
            return self._refuse("bad_position")
        return self._append(self._coords.setdefault((parts[0], parts[1]), []), t, value)

    def _append(self, series: list, t: float, value) -> bool:
        if series and t < series[-1][0]:
            return self._refuse("late")
        series.append((t, value))
        return True

    def _refuse(self, rule: str) -> bool:
        self.refused[rule] += 1
        return False

    def at(self, t: float) -> PeopleNow:
        """What was known at ``t`` [s]: the last count of each place and the last position
        of each badge at or before ``t``."""
        now = PeopleNow(t)
        for place, series in self._counts.items():
            last = _last(series, t)
            if last is not None:
                target = now.buildings if place in self._buildings else now.gates
                target[place] = (last[1], last[0])
        badges = {badge for badge, _ in self._coords}
        for badge in sorted(badges):
            lon = _last(self._coords.get((badge, "lon"), []), t)
            lat = _last(self._coords.get((badge, "lat"), []), t)
            if lon is not None and lat is not None:
                x, y = self._to_park.transform(lon[1], lat[1])
                now.positions[badge] = (float(x), float(y))
        return now


def _last(series: list[tuple[float, float]], t: float):
    """The last (time, value) at or before ``t`` of a time-ordered series, or None."""
    for item in reversed(series):
        if item[0] <= t:
            return item
    return None
