"""Who evacuates: one row per person, drawn per building, with a pre-movement time, a free
walking speed and whether the person drives.

Pre-movement (the time from the warning reaching a building to its occupants leaving it) is
lognormal, with parameters given by the caller (the scenario). Free walking speeds follow
Weidmann (1993): normal with mean 1.34 m/s and standard deviation 0.26 m/s (as listed in
secondary references, Evacuation), truncated to a range so nobody stands still or runs.
"""

import dataclasses
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
from scipy import stats

WEIDMANN_MEAN_M_S = 1.34  # Weidmann (1993), free walking speed, mean
WEIDMANN_SD_M_S = 0.26  # Weidmann (1993), free walking speed, standard deviation
# Our assumption, not a published range: the normal is cut at two standard deviations either
# side of the mean (0.82-1.86 m/s), which keeps 95 % of Weidmann's distribution.
SPEED_RANGE_M_S = (WEIDMANN_MEAN_M_S - 2 * WEIDMANN_SD_M_S, WEIDMANN_MEAN_M_S + 2 * WEIDMANN_SD_M_S)


@dataclass(frozen=True)
class Lognormal:
    """A lognormal pre-movement time: ``median_s * exp(sigma * Z)``, Z standard normal.

    Parameters
    ----------
    median_s : float
        Median pre-movement time. [s]
    sigma : float
        Standard deviation of ln(time). [-]
    """

    median_s: float
    sigma: float

    def __post_init__(self):
        if not (self.median_s > 0 and self.sigma >= 0):
            raise ValueError(
                f"lognormal pre-movement needs median_s > 0 and sigma >= 0, "
                f"got median_s={self.median_s}, sigma={self.sigma}"
            )

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return rng.lognormal(np.log(self.median_s), self.sigma, n)


@dataclass(frozen=True)
class WalkingSpeed:
    """Free walking speeds: a normal truncated to ``[low, high]``.

    Parameters
    ----------
    mean, sd : float
        Mean and standard deviation of the untruncated normal. [m/s]
    low, high : float
        Truncation range. [m/s]

    References
    ----------
    Weidmann, U. (1993). Transporttechnik der Fussgänger. ETH Zürich, Schriftenreihe IVT 90:
    free walking speed 1.34 m/s, standard deviation 0.26 m/s (as quoted second-hand).
    """

    mean: float = WEIDMANN_MEAN_M_S
    sd: float = WEIDMANN_SD_M_S
    low: float = SPEED_RANGE_M_S[0]
    high: float = SPEED_RANGE_M_S[1]

    def __post_init__(self):
        if not (0 < self.low <= self.mean <= self.high and self.sd >= 0):
            raise ValueError(f"walking speeds need 0 < low <= mean <= high and sd >= 0, got {self}")

    def distribution(self):
        """The truncated normal as a frozen ``scipy.stats`` distribution."""
        if self.sd == 0:
            return stats.uniform(self.mean, 0.0)
        a, b = (self.low - self.mean) / self.sd, (self.high - self.mean) / self.sd
        return stats.truncnorm(a, b, loc=self.mean, scale=self.sd)

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        if self.sd == 0:
            return np.full(n, self.mean)
        return self.distribution().rvs(size=n, random_state=rng)


@dataclass
class Population:
    """Persons, one row each (arrays of equal length).

    ``building`` indexes ``building_ids``; ``premovement_s`` [s] runs from the warning
    reaching the building; ``speed_m_s`` [m/s] is the free walking speed; ``drives`` marks
    persons who leave by car.
    """

    building_ids: list[str]
    building: np.ndarray
    premovement_s: np.ndarray
    speed_m_s: np.ndarray
    drives: np.ndarray

    def __post_init__(self):
        n = len(self.building)
        self.building = np.asarray(self.building, dtype=np.int64)
        self.premovement_s = np.broadcast_to(np.asarray(self.premovement_s, float), n).copy()
        self.speed_m_s = np.broadcast_to(np.asarray(self.speed_m_s, float), n).copy()
        self.drives = np.broadcast_to(np.asarray(self.drives, bool), n).copy()
        if np.any(self.premovement_s < 0) or not np.all(np.isfinite(self.premovement_s)):
            raise ValueError("pre-movement times must be finite and >= 0 s")
        if np.any(~(self.speed_m_s > 0)):
            raise ValueError("walking speeds must be > 0 m/s")
        if n and (self.building.min() < 0 or self.building.max() >= len(self.building_ids)):
            raise ValueError("population: building index outside building_ids")

    def __len__(self) -> int:
        return len(self.building)


def make_population(
    occupants: Mapping[str, int],
    premovement: Lognormal,
    seed: int,
    speed: WalkingSpeed | None = None,
    drive_fraction: float = 0.0,
) -> Population:
    """Draw one person per occupant of each building.

    Parameters
    ----------
    occupants : mapping of building id -> head count
        Persons in each building (e.g. ``park_occupants(park, "night")``).
    premovement : Lognormal
        Pre-movement time distribution. [s]
    seed : int
        Seed of the random stream; the same seed gives the same population.
    speed : WalkingSpeed, optional
        Free walking speed distribution; Weidmann (1993) by default. [m/s]
    drive_fraction : float
        Probability that a person leaves by car (one person per car). [-]
    """
    if not 0.0 <= drive_fraction <= 1.0:
        raise ValueError(f"drive_fraction must be in [0, 1], got {drive_fraction}")
    counts = np.array([int(c) for c in occupants.values()], dtype=np.int64)
    if np.any(counts < 0):
        raise ValueError("occupant counts must be >= 0")
    ids = list(occupants)
    n = int(counts.sum())
    rng = np.random.default_rng(seed)
    # Fixed draw order (pre-movement, speed, mode) keeps a seed's result stable.
    pre = premovement.sample(rng, n)
    v = (speed or WalkingSpeed()).sample(rng, n)
    drives = rng.random(n) < drive_fraction
    building = np.repeat(np.arange(len(ids)), counts)
    return Population(ids, building, pre, v, drives)


def park_occupants(park, period: str = "night", scale: float = 1.0) -> dict[str, int]:
    """Head count per building of a ``geodata.Park``: ``period`` is "day" or "night";
    ``scale`` multiplies every count (rounded), e.g. to study a larger population."""
    if period not in ("day", "night"):
        raise ValueError(f"period must be 'day' or 'night', got {period!r}")
    if not scale >= 0:
        raise ValueError(f"scale must be >= 0, got {scale}")
    column = park.buildings[f"occupants_{period}"]
    return {str(b): round(float(c) * scale) for b, c in column.items()}


def with_occupants(park, period: str, occupants: Mapping[str, int]):
    """A copy of ``park`` whose buildings hold ``occupants`` (building id -> people) as
    their ``period`` ("day" or "night") occupancy, e.g. the twin's headcounts; buildings
    not named keep theirs."""
    buildings = park.buildings.copy()
    column = f"occupants_{period}"
    named = buildings.index.intersection(list(occupants))
    buildings.loc[named, column] = [occupants[b] for b in named]
    return dataclasses.replace(park, layers={**park.layers, "buildings": buildings})


def twin_occupants(park, people, period: str = "night", scale: float = 1.0):
    """Head count per building from the twin's headcount feed (``twin.headcount.PeopleNow``
    at the scenario's start), with the design occupancy where the feed has none; and one
    line saying what was used.

    A building's count, where the feed has one, replaces its design occupancy. A tagged
    person inside a building without a count is taken as one of its design occupants (the
    building holds at least its tagged people). People the feed puts outside every building
    (tagged people in the open, people counted at a gate) start from the nearest building:
    the engine starts everyone from a building. ``scale`` multiplies every count (rounded).
    """
    design = park_occupants(park, period, 1.0)
    if people is None or people.empty:
        return (
            park_occupants(park, period, scale),
            f"design occupancy ({period}): the twin has no headcounts at the start",
        )
    counts = {b: n for b, (n, _) in people.buildings.items()}
    occupants = {b: counts.get(b, n) for b, n in design.items()}
    outside, moved = [], Counter()
    if people.positions:
        xy = np.array(list(people.positions.values()), dtype=float)
        points = gpd.GeoSeries(gpd.points_from_xy(xy[:, 0], xy[:, 1]), crs=park.crs)
        inside = dict(
            zip(*park.buildings.sindex.query(points, predicate="within").tolist(), strict=True)
        )
        outside = [k for k in range(len(points)) if k not in inside]
        tagged = Counter(park.buildings.index[b] for b in inside.values())
        for b, n in tagged.items():
            if b not in counts:
                occupants[b] = max(occupants[b], n)
        if outside:
            nearest = park.buildings.sindex.nearest(points.iloc[outside], return_all=False)[1]
            moved.update(park.buildings.index[nearest])
    if people.gates:
        gates = park.gates.geometry.loc[list(people.gates)]
        nearest = park.buildings.sindex.nearest(gates, return_all=False)[1]
        for b, (n, _) in zip(park.buildings.index[nearest], people.gates.values(), strict=True):
            moved[b] += n
    for b, n in moved.items():
        occupants[b] += n
    at_gates = sum(n for n, _ in people.gates.values())
    oldest = min((t for _, t in [*people.buildings.values(), *people.gates.values()]), default=None)
    age = "" if oldest is None else f", oldest count {people.t - oldest:.0f} s before the start"
    line = (
        f"the twin's headcounts: {len(counts)} building(s) counted "
        f"({sum(counts.values()):,} people), {len(people.positions)} tagged people located, "
        f"{len(outside)} outside buildings and {at_gates:,} at gates started from the nearest "
        f"building; {len(design) - len(counts)} building(s) at design occupancy ({period}){age}"
    )
    return {b: round(n * scale) for b, n in occupants.items()}, line
