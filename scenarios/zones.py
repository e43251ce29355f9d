"""Threat zones of a release on the park map, with the people and targets inside them.

``threat_zones`` takes a source term (``scenarios.release``) and the weather and returns
polygons per hazard and level of concern, as ALOHA draws them:

- toxic: the ground-level footprint of the cloud at the chemical's tiered levels (AEGL,
  else ERPG, PAC, IDLH) for the exposure duration;
- flammable (flash fire): the footprint at the LFL and 60 % of it;
- thermal: the pool fire, jet fire or fireball (BLEVE) flux at 10, 5 and 2 kW/m2;
- overpressure: a vapour cloud explosion (TNO multi-energy) of the flammable mass of the
  cloud, at 8.0, 3.5 and 1.0 psi.

The cloud comes from one integral model (``physics.integral_plume``) from the source to
10 km: the slumping dense phase, the Richardson-damped entrainment and the passive Gaussian
far field without seams. A continuous cloud is the plume of the largest one-minute average
airborne rate, lasting as long as the airborne mass takes at that rate; an instantaneous
one (a rupture) is the peak concentration of the passing puff. Levels in ppm are volume
fractions and are turned into kg/m3 once, with the cloud's own mixing table (its
temperature where it holds that fraction). Footprints are evaluated on a wind-aligned
receptor grid sized to each level and contoured, then turned to the wind on the park map.
The wind direction's uncertainty is the lowest level's footprint swept over +-2 sigma-theta of the
stability class (a stand-in for ALOHA's confidence lines).
"""

import math
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd
from shapely import affinity
from shapely.geometry import MultiPolygon, Point
from shapely.ops import unary_union

import geodata
from geodata.grids import contour_polygons, regular_grid
from physics import explosion, fire, harm, integral_plume, puff_passage, release_clouds
from physics.atmosphere import (
    PARK_LAND_USE,
    check_obukhov_length,
    check_roughness,
    roughness_for,
)
from physics.meteorology import SIGMA_THETA_DEG, STABILITY_CLASSES, air_density
from physics.mixing_layer import check_mixing_height, profile_peak, vertical_profile
from physics.sigmas import BASE_AVERAGING_TIME_S
from scenarios.release import SourceTerm, cloud_density

HAZARDS = ("toxic", "flammable", "thermal", "overpressure")
G = 9.80665
GRID_NX, GRID_NY = 400, 161
# Zones stop at 10 km: the Briggs curves were fitted to 10 km, and ALOHA does not draw
# threat zones beyond 10 km either. A level still exceeded there is reported as ">= 10 km".
MAX_DISTANCE_M = 10_000.0
DEFAULT_BLAST_STRENGTH = 7  # TNO multi-energy: a congested process area
THERMAL_EXPOSURE_NOTE = "ALOHA thermal levels of concern (10, 5, 2 kW/m2)"
MODEL_REFERENCES = {
    "integral": (
        "integral plume (physics.integral_plume: slumping dense cloud with Richardson-damped "
        "entrainment after SLAB/DEGADIS, passive Briggs (1973) sigmas, adiabatic mixing)"
    ),
    "pool fire": "Burgess burning rate, Thomas flame length, Mudan SEP and view factor",
    "jet fire": "API 521 point source, Chamberlain (1987) radiant fraction",
    "fireball": "CCPS fireball diameter and duration, TNO radiant fraction",
    "vce": "TNO multi-energy (van den Berg 1985; Johansson 2017 curve fits)",
}


@dataclass(frozen=True)
class Weather:
    """Wind at 10 m, where it blows from, Pasquill class, air temperature, terrain (Briggs
    sigma curves), relative humidity (0..1), surface roughness [m] (default: a chemical
    park, ``physics.atmosphere.PARK_LAND_USE``), the averaging time of the
    concentrations [s] and, where measured (a sonic anemometer), the Monin-Obukhov length
    [m]: it then sets u* and the surface layer's profiles and growth in place of the
    class's, and the class still picks the Briggs curves (``integral_plume.Ambient``)."""

    wind_speed_m_s: float
    wind_from_deg: float
    stability: str
    air_temperature_K: float = 293.15
    terrain: str = "rural"
    relative_humidity: float = 0.7
    roughness_m: float = field(default_factory=lambda: roughness_for(PARK_LAND_USE))
    averaging_time_s: float = BASE_AVERAGING_TIME_S
    # a measured Monin-Obukhov length [m]; NaN: from the class and the roughness (Golder)
    obukhov_length_m: float = math.nan
    # a measured or forecast mixing height [m]; NaN: AERMOD's mechanical height from u*
    mixing_height_m: float = math.nan

    def __post_init__(self):
        if not math.isfinite(self.wind_speed_m_s) or self.wind_speed_m_s <= 0:
            raise ValueError(f"wind speed must be above 0 m/s, got {self.wind_speed_m_s:g} m/s")
        if self.stability not in STABILITY_CLASSES:
            raise ValueError(
                f"stability class {self.stability!r} does not exist; "
                f"use one of {', '.join(STABILITY_CLASSES)}"
            )
        if not 0 <= self.wind_from_deg <= 360:
            raise ValueError(f"wind direction must be 0-360 degrees, got {self.wind_from_deg:g}")
        check_roughness(self.roughness_m)
        if not math.isnan(self.obukhov_length_m):
            check_obukhov_length(self.obukhov_length_m)
        if not math.isnan(self.mixing_height_m):
            check_mixing_height(self.mixing_height_m)


def mixing_height_text(weather: Weather, lid_m: float) -> str:
    """'; mixing height 156 m (AERMOD's mechanical height from u*; ...)' for the report's
    assumptions: the lid the cloud was computed under, and where it came from."""
    if not math.isnan(weather.mixing_height_m):
        return f"; mixing height {lid_m:,.0f} m (given)"
    text = f"; mixing height {lid_m:,.0f} m (AERMOD's mechanical height 2300 u*^1.5"
    given_l = weather.obukhov_length_m
    unstable = weather.stability in "ABC" if math.isnan(given_l) else given_l < 0.0
    if unstable:
        return text + ": a lower bound in unstable air; give --mixing-height for the day's)"
    return text + ")"


def obukhov_text(weather: Weather) -> str:
    """'; Obukhov length -30 m (given; class D picks the Briggs curves)', or '' when the
    class gives it."""
    if math.isnan(weather.obukhov_length_m):
        return ""
    return (
        f"; Obukhov length {weather.obukhov_length_m:g} m (given; class {weather.stability} "
        "picks the Briggs curves)"
    )


@dataclass
class ZonesResult:
    """Zones (GeoDataFrame in the park's CRS: hazard, level, threshold, distance_m,
    area_m2, buildings, people, targets, geometry), the wind envelope, the buildings and
    targets inside each zone, and what was assumed."""

    asset: str
    term: SourceTerm
    weather: Weather
    population: str
    zones: gpd.GeoDataFrame
    envelope: gpd.GeoDataFrame
    affected: pd.DataFrame
    models: list[str] = field(default_factory=list)
    assumptions: list[str] = field(default_factory=list)
    plan: pd.DataFrame = field(default_factory=pd.DataFrame)

    def distance_table(self) -> pd.DataFrame:
        return self.zones.drop(columns="geometry").reset_index(drop=True)


def _frame(term: SourceTerm, weather: Weather, source_xy):
    """Affine parameters from the wind frame (x downwind, y to the left) to the park."""
    theta = math.radians(weather.wind_from_deg)
    dx, dy = -math.sin(theta), -math.cos(theta)  # downwind unit vector
    cx, cy = -dy, dx  # 90 deg to the left of downwind
    return [dx, cx, dy, cy, source_xy[0], source_xy[1]]


#: direction of a release's jet above the horizontal [deg]: along the wind, horizontal (a
#: hole's direction is not known; the jet then carries its cloud farthest downwind)
JET_ANGLE_DEG = 0.0


def jet_leads(term: SourceTerm) -> bool:
    """Whether a cloud of ``term`` starts as its momentum jet: a continuous release with a
    jet velocity, either alone (a vapour or gas jet, or a flashing jet that rains nothing
    out) or beside the evaporation of the pool it rains out (``term.two_clouds``)."""
    return (
        term.instantaneous_kg <= 0
        and bool(term.jet_velocity_m_s)
        and (term.pool is None or term.two_clouds)
    )


def jet_assumption(term: SourceTerm) -> str | None:
    """The zones report's line on the jet phase of ``term``'s cloud (None for a release
    without a jet)."""
    if not jet_leads(term):
        return None
    line = (
        f"jet of {term.jet_velocity_m_s:.0f} m/s (the speed of sound of the vapour) from "
        f"the hole at {term.release_height_m:g} m, horizontal along the wind (its "
        "direction is not known)"
    )
    if term.two_clouds:
        line += "; " + SUPERPOSITION
    return line


#: how the two clouds of a flashing jet that rains out are put together (zones report)
SUPERPOSITION = (
    "two clouds superposed: the jet's (flash vapour and aerosol from the hole) and the "
    "rainout pool's evaporation (from its area on the ground), each its own integral plume "
    "from the same point, their concentrations in kg/m3 added, each at its own largest "
    "one-minute rate; the clouds are taken not to interact (neither entrains, cools or "
    "carries the other's gas). That errs on the side of larger zones where the jet's "
    "cloud passes over the pool's (together they would be one wider, more diluted cloud) "
    "and in holding both peaks at once; it does not where the jet's cold, dense cloud would "
    "keep the pool's vapour low and narrow. Levels in ppm are turned into kg/m3 with the "
    "mixing table of the cloud that gives the lower value (the larger zone)"
)


def continuous_releases(term: SourceTerm, steady: bool = False) -> list[tuple]:
    """The clouds of a continuous release ``term`` as releases of the integral model
    (``physics.release_clouds``): a list of (name, ``Release``, rate [kg/s], mass [kg]).

    A flashing jet that rains out a pool (``term.two_clouds``) is the jet's cloud (flash
    vapour and aerosol from the hole at its height and speed) and the pool's (its
    evaporation from its largest area on the ground, at the boiling point if it boils),
    each at its own largest one-minute rate; any other release is one cloud at the
    largest one-minute airborne rate: the jet where one leads (:func:`jet_leads`), else
    from the pool's area or a point on the ground. Each lasts as long as its mass takes at
    its rate (``steady``: for ever)."""
    sub = term.substance

    def duration(rate, mass):
        return mass / rate if rate > 0 and not steady else math.inf

    def jet(rate, mass):
        return release_clouds.hole_cloud(
            sub,
            rate,
            temperature_K=term.cloud_temperature_K,
            aerosol_fraction=term.aerosol_fraction,
            height_m=term.release_height_m,
            jet_velocity_m_s=term.jet_velocity_m_s,
            jet_angle_deg=JET_ANGLE_DEG,
            duration_s=duration(rate, mass),
        )

    if term.two_clouds:
        b = term.mass_balance()
        rate = max(term.max_average_rate(60.0, term.jet_kg_s), 0.0)
        mass = b.vapour_kg + b.aerosol_kg
        return [("jet", jet(rate, mass), rate, mass), rainout_pool(term, steady)]
    rate, mass = max(term.max_average_rate(60.0), 0.0), term.airborne_total_kg
    if jet_leads(term):
        name, release = "jet", jet(rate, mass)
    elif term.pool is not None:
        name = "pool"
        release = release_clouds.pool_cloud(
            sub,
            rate,
            area_m2=float(term.pool.area_m2.max()),
            temperature_K=term.cloud_temperature_K,
            aerosol_fraction=term.aerosol_fraction,
            duration_s=duration(rate, mass),
        )
    else:
        name = "release"
        release = release_clouds.hole_cloud(
            sub,
            rate,
            temperature_K=term.cloud_temperature_K,
            aerosol_fraction=term.aerosol_fraction,
            duration_s=duration(rate, mass),
        )
    return [(name, release, rate, mass)]


#: how a rupture's puff and the evaporation of the pool it rains out are put together
RUPTURE_SUPERPOSITION = (
    "two clouds superposed: the rupture's puff (flash vapour and aerosol, at once) and the "
    "evaporation of the pool it rained out (from its largest area on the ground, at its "
    "largest one-minute rate), each its own integral plume, their concentrations in kg/m3 "
    "added as if both peaks passed at once (an upper bound: the puff passes in minutes, "
    "the pool's plume lasts as long as the pool)"
)


def rainout_pool(term: SourceTerm, steady: bool = False) -> tuple:
    """The cloud of the pool a release rains out beside its jet or its puff, as (name,
    ``Release``, rate [kg/s], mass [kg]): its evaporation (``term.pool_kg_s``) from its
    largest area, at the boiling point if it boils, at its largest one-minute rate,
    lasting as long as what evaporated takes at that rate (``steady``: for ever)."""
    rate = max(term.max_average_rate(60.0, term.pool_kg_s()), 0.0)
    mass = term.mass_balance().pool_evaporated_kg
    sub, pool = term.substance, term.pool
    release = release_clouds.pool_cloud(
        sub,
        rate,
        area_m2=float(pool.area_m2.max()),
        temperature_K=sub.boiling_point_K if pool.boiling else term.cloud_temperature_K,
        duration_s=mass / rate if rate > 0 and not steady else math.inf,
    )
    return ("pool", release, rate, mass)


@dataclass(frozen=True)
class CloudPart:
    """One cloud of a release: its integral plume (``physics.integral_plume.Plume``, one
    row), what feeds it ('jet', 'pool', 'puff' or 'release'), its rate [kg/s] and how
    long it lasts [s], and the mass it carries over the release [kg]."""

    name: str
    plume: integral_plume.Plume
    rate: float
    duration_s: float
    mass_kg: float


class Cloud:
    """Ground-level concentration of a release's cloud in the wind frame [kg/m3]: x downwind
    from the source, y to the left of it, from the integral model
    (``physics.integral_plume``). ``field(xx, yy)`` on any receptors, ``reach(level)`` the
    farthest centreline distance of a level, ``centreline(x)``, ``level_kg_m3(ppm)`` a
    level in ppm on the model's basis; ``dense`` says whether the cloud slumps under gravity
    (its Richardson number exceeds 1 somewhere), ``instantaneous`` whether it is a puff.

    A continuous release is the largest one-minute average airborne rate, lasting as long as
    the airborne mass takes at that rate (the finite-duration factor); a pool gives its
    largest area (``steady=True``: without the finite-duration factor). An instantaneous one
    (a rupture) is the puff as a short segment
    (``physics.integral_plume.puff_as_segment``): the peak of the passing puff. A release
    whose jet leads (:func:`jet_leads`) starts as a momentum jet from its hole
    (``physics.jet``), horizontal along the wind (``JET_ANGLE_DEG``); ``jet`` says so.

    A flashing jet that rains out a pool (``term.two_clouds``) is two clouds (``parts``):
    the jet's (flash vapour and aerosol, from the hole at its height and speed) and the
    pool's (its evaporation from its area at the ground), each with its own largest
    one-minute rate and duration, superposed: their concentrations add
    (:data:`SUPERPOSITION` states what that assumes). A rupture that rains out a pool is
    its puff and the pool's evaporation (:func:`rainout_pool`), superposed as well
    (:data:`RUPTURE_SUPERPOSITION`). ``plume`` is the first part's.
    """

    def __init__(
        self,
        term: SourceTerm,
        weather: Weather,
        x_max_m: float = MAX_DISTANCE_M,
        steady: bool = False,
    ):
        self.term, self.w = term, weather
        self.instantaneous = term.instantaneous_kg > 0
        self.mass = term.instantaneous_kg
        self.jet = jet_leads(term)
        ambient = integral_plume.Ambient(
            weather.wind_speed_m_s,
            weather.stability,
            weather.roughness_m,
            weather.air_temperature_K,
            weather.relative_humidity,
            averaging_time_s=weather.averaging_time_s,
            terrain=weather.terrain,
            obukhov_length_m=weather.obukhov_length_m,
            mixing_height_m=weather.mixing_height_m,
        )
        sub = term.substance

        def march(name, release, rate, mass):
            plume = integral_plume.integral_plume(release, ambient, x_max_m=x_max_m)
            return CloudPart(name, plume, rate, float(release.duration_s), mass)

        if self.instantaneous:
            puff = release_clouds.puff_cloud(
                sub,
                self.mass,
                density_kg_m3=cloud_density(term),
                wind_speed_m_s=weather.wind_speed_m_s,
                temperature_K=term.cloud_temperature_K,
                aerosol_fraction=term.aerosol_fraction,
            )
            rate, duration = float(puff.rate_kg_s), float(puff.duration_s)
            parts = [march("puff", puff, rate, rate * duration)]
            if term.pool is not None:
                pool = rainout_pool(term, steady)
                if pool[2] > 0.0 and pool[3] > 0.0:  # something evaporated
                    parts.append(march(*pool))
        else:
            parts = [march(*part) for part in continuous_releases(term, steady)]
        self.parts = [p for p in parts if p.rate > 0] or parts[:1]
        self.plume = self.parts[0].plume
        self.rate = sum(p.rate for p in self.parts)
        self.duration_s = max(p.duration_s for p in self.parts)
        self.dense = any(bool(p.plume.richardson.max() > 1.0) for p in self.parts)
        self.model = "integral"

    def description(self) -> str:
        """What the cloud is, for the zones report: rate and duration of each part."""

        def pool(p):
            return (
                f"{p.mass_kg:,.0f} kg evaporated from the pool "
                f"({float(self.term.pool.area_m2.max()):,.0f} m2 at most)"
            )

        if self.instantaneous:
            text = f"instantaneous, {self.mass:,.0f} kg"
            if len(self.parts) == 1:
                return text
            p = self.parts[1]
            return (
                f"two clouds superposed: puff {text}, + pool {p.rate:.2f} kg/s for "
                f"{p.duration_s:.0f} s, {pool(p)}"
            )
        if len(self.parts) == 1:
            return f"{self.rate:.2f} kg/s for {self.duration_s:.0f} s"
        what = {
            "jet": lambda p: f"{p.mass_kg:,.0f} kg (flash vapour and aerosol) from the hole",
            "pool": pool,
        }
        return "two clouds superposed: " + " + ".join(
            f"{p.name} {p.rate:.2f} kg/s for {p.duration_s:.0f} s, {what[p.name](p)}"
            for p in self.parts
        )

    def level_kg_m3(self, ppm) -> np.ndarray:
        """Levels given in ppm (volume fractions x 1e6) as kg/m3 of this cloud, on the
        model's basis (the cloud's own temperature where it holds that fraction); of two
        clouds, the lower of their values (:data:`SUPERPOSITION`)."""
        return np.min(
            [
                p.plume.level_concentration(np.atleast_1d(ppm)[None, :] * 1e-6)[0]
                for p in self.parts
            ],
            axis=0,
        )

    def centreline(self, x):
        if self.rate <= 0:
            return np.zeros(np.shape(x))
        x1 = np.atleast_1d(x)
        return sum(p.plume.centreline(x1)[0] for p in self.parts).reshape(np.shape(x))

    def reach(self, level: float) -> float:
        """Farthest downwind distance of ``level`` on the centreline [m] (0 if never)."""
        if self.rate <= 0:
            return 0.0
        if len(self.parts) == 1:
            return float(self.plume.reach(level)[0])
        # the summed centreline on every part's own stations, log-interpolated between them
        x = np.unique(np.concatenate([p.plume.x[0] for p in self.parts]))
        x = x[x > 0.0]
        # The sum is at least each part everywhere, so its reach is at least each part's
        # own; interpolated on the merged stations it can fall a little short of a part's
        # reach interpolated on that part's stations, and the larger of them is taken.
        own = max(float(p.plume.reach(level)[0]) for p in self.parts)
        c = self.centreline(x)
        above = np.nonzero(c >= level)[0]
        if not above.size:
            return own
        k = int(above[-1])
        if k == x.size - 1:
            return max(float(x[k]), own)
        c0, c1 = c[k], c[k + 1]
        f = math.log(c0 / level) / math.log(c0 / c1) if 0.0 < c1 < c0 else 0.0
        return max(float(x[k] + min(max(f, 0.0), 1.0) * (x[k + 1] - x[k])), own)

    def field(self, xx, yy):
        """Concentration on wind-frame receptors (ground level)."""
        if self.rate <= 0:
            return np.zeros(np.broadcast_shapes(np.shape(xx), np.shape(yy)))
        return sum(p.plume.concentration(xx, yy, 0.0) for p in self.parts)

    def grid_field(self, x, y):
        """Concentration at ground level on the grid of wind-frame axes ``x`` (m,) and ``y``
        (k,), shape (k, m): the parts' profiles once per distance [kg/m3]."""
        return sum(self.part_grid_fields(x, y))

    def part_grid_fields(self, x, y) -> list[np.ndarray]:
        """Each part's ground-level concentration on the grid of :meth:`grid_field`, in the
        order of ``parts`` [kg/m3]."""
        x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
        if self.rate <= 0:
            return [np.zeros((y.size, x.size))]
        fields = []
        for p in self.parts:
            c, b, sy, sz, h = (v[0][None, :] for v in p.plume.profile(x))
            edge = np.maximum(np.abs(y)[:, None] - b, 0.0) / np.maximum(sy, 1e-9)
            fields.append(c * p.plume.vertical(0.0, h, sz) * np.exp(-0.5 * edge**2))
        return fields

    def half_width(self, reach: float) -> float:
        """An upper bound of the footprint's half-width inside ``reach`` [m]."""
        x = np.geomspace(0.1, max(reach, 1.0), 200)
        widest = 0.0
        for p in self.parts:
            _, b, sy, _, _ = p.plume.profile(x)
            widest = max(widest, float((b + 4.0 * sy).max()))
        return max(widest, 5.0)

    def speed(self, x):
        """Speed of the (first) cloud at x [m/s]."""
        x = np.asarray(x, dtype=float)
        return self.plume.speed(x.ravel())[0].reshape(x.shape)

    def sigma_x(self, x):
        """Along-wind spread of the cloud at x [m] (the puff's, for a rupture)."""
        x = np.asarray(x, dtype=float)
        return self.plume.sigma_x(x.ravel())[0].reshape(x.shape)

    def flammable_mass(self, low: float, high: float) -> tuple[float, str]:
        """The mass in the air between two concentrations [kg/m3] (the LFL and the UFL) and
        how it was found, for the VCE. A continuous release: :meth:`mass_between`. A
        rupture: its puff's at the moment that mass is largest in its passage
        (``physics.puff_passage``), plus the steady plume of its rainout pool's where it
        has one (an upper bound: taken as if both were at their largest at once)."""
        if not self.instantaneous:
            return self.mass_between(low, high), "steady plume"
        puff = self.parts[0]
        largest, age, centre = puff_passage.mass_between(
            puff.plume, self.mass, puff.duration_s, low, high
        ).largest()
        text = (
            f"the puff's {largest:,.0f} kg at its largest, {age:,.0f} s after the rupture, "
            f"{centre:,.0f} m out"
        )
        if len(self.parts) > 1:
            pool = float(self.parts[1].plume.mass_between(low, high))
            return largest + pool, f"{text}, + {pool:,.0f} kg in the rainout pool's plume"
        return largest, text

    def mass_between(self, low: float, high: float) -> float:
        """Mass in the air between two concentrations [kg] (steady plume; of two clouds,
        where their sum lies between them)."""
        if self.rate <= 0:
            return 0.0
        if len(self.parts) == 1:
            return self.plume.mass_between(low, high)
        x = np.unique(np.concatenate([p.plume.x[0] for p in self.parts]))
        x = x[x > 0.0]
        prof = [[v[0] for v in p.plume.profile(x)] for p in self.parts]
        lids = [float(p.plume.mixing_height()[0]) for p in self.parts]
        # no point of a station holds more than the sum of the parts' largest values (their
        # centre values, times the fold of a lid, ``profile_peak``): only the stations up
        # to the last where that sum reaches ``low`` (and one beyond) count
        peaks = [
            c * profile_peak(h, sz, lid) for (c, _, _, sz, h), lid in zip(prof, lids, strict=True)
        ]
        reach = np.nonzero(sum(peaks) >= low)[0]
        if not reach.size:
            return 0.0
        keep = slice(0, min(int(reach[-1]) + 2, x.size))
        x = x[keep]
        # each part's profile at the stations, as columns against a (y, z) grid scaled to
        # each station: out to the wider and the higher of the parts' edges there
        prof = [[v[keep][:, None, None] for v in part] for part in prof]
        y_end = np.max([b + 6.0 * sy for _, b, sy, _, _ in prof], axis=0)
        z_end = np.max(
            [
                np.minimum(h + 6.0 * sz, np.maximum(lid, h))
                for (_, _, _, sz, h), lid in zip(prof, lids, strict=True)
            ],
            axis=0,
        )
        y = np.linspace(0.0, 1.0, 81)[None, :, None] * y_end
        z = np.linspace(0.0, 1.0, 61)[None, None, :] * z_end
        total = 0.0
        for (c, b, sy, sz, h), lid in zip(prof, lids, strict=True):
            edge = np.maximum(y - b, 0.0) / np.maximum(sy, 1e-9)
            total = total + c * np.exp(-0.5 * edge**2) * vertical_profile(z, h, sz, lid)
        inside = np.where((total >= low) & (total <= high), total, 0.0)
        # mass per metre of plume [kg/m], both sides of the axis
        per_m = 2.0 * np.trapezoid(np.trapezoid(inside, axis=2), axis=1) / (80 * 60)
        per_m = per_m * (y_end * z_end)[:, 0, 0]
        return float(np.trapezoid(per_m, x))


def _footprint(cloud: Cloud, level: float):
    reach = min(cloud.reach(level), MAX_DISTANCE_M)
    if reach <= 0.0:
        return MultiPolygon(), 0.0
    width = cloud.half_width(reach)
    x, y, _, _ = regular_grid(-0.02 * reach, 1.03 * reach, -width, width, GRID_NX, GRID_NY)
    return contour_polygons(x, y, cloud.grid_field(x, y), level), reach


def _circle_reach(flux, levels, r_max=5000.0):
    """Largest distance at which ``flux(r)`` still reaches each level [m]."""
    r = np.linspace(0.0, r_max, 20001)
    q = flux(r)
    return [float(r[q >= lv].max()) if np.any(q >= lv) else 0.0 for lv in levels]


def _thermal(term: SourceTerm, weather: Weather):
    """(fire kind, radii per ALOHA level) of the fire this release can feed, or None."""
    sub = term.substance
    if not sub.flammable or not sub.heat_of_combustion_J_kg:
        return None
    levels = harm.THERMAL_LEVELS_W_M2["aloha"]
    rho_air = float(air_density(weather.air_temperature_K))
    hc = sub.heat_of_combustion_J_kg
    if term.instantaneous_kg > 0 and term.storage_pressure_Pa > 101325.0:
        mass = term.inventory_kg
        d = float(fire.fireball_diameter(mass))
        t = float(fire.fireball_duration(mass))
        fr = float(fire.fireball_radiant_fraction(term.storage_pressure_Pa))
        sep = float(fire.fireball_emissive_power(mass, hc, d, t, fr))
        radii = _circle_reach(lambda r: fire.fireball_flux(r, d, 0.75 * d, sep), levels)
        return "fireball", radii, f"fireball of {mass / 1000:.0f} t: {d:.0f} m across for {t:.0f} s"
    if term.jet_velocity_m_s and term.outflow.rate_kg_s.max() > 0:
        rate = float(term.outflow.rate_kg_s.max())
        fr = float(fire.jet_fire_radiant_fraction(term.jet_velocity_m_s))
        radii = _circle_reach(
            lambda r: fire.jet_fire_flux(np.maximum(r, 1.0), rate, hc, fr), levels
        )
        return "jet fire", radii, f"jet fire of {rate:.1f} kg/s"
    if term.pool is not None and term.pool.area_m2.max() > 0:
        diameter = math.sqrt(4.0 * float(term.pool.area_m2.max()) / math.pi)
        tb = sub.boiling_point_K
        burning = float(
            fire.pool_burning_rate(
                hc,
                float(sub.heat_of_vaporisation(min(tb, weather.air_temperature_K))),
                float(sub.liquid_heat_capacity(min(tb, weather.air_temperature_K))),
                tb,
                weather.air_temperature_K,
            )
        )
        radii = _circle_reach(
            lambda r: fire.pool_fire_flux(
                r, diameter, burning, rho_air, weather.relative_humidity, weather.air_temperature_K
            ),
            levels,
        )
        return "pool fire", radii, f"pool fire {diameter:.0f} m across"
    return None


def check_hazards(hazards) -> tuple[str, ...]:
    """``hazards`` if each is one of `HAZARDS` and there is at least one; else ValueError."""
    hazards = tuple(hazards)
    unknown = set(hazards) - set(HAZARDS)
    if unknown or not hazards:
        raise ValueError(
            f"unknown hazard(s) {', '.join(sorted(unknown))}; use {', '.join(HAZARDS)}"
            if unknown
            else f"no hazard given; use one or more of {', '.join(HAZARDS)}"
        )
    return hazards


def source_point(park: geodata.Park, asset: str):
    """Where a release starts: a tank's centre, a pipeline's middle, or the point of a
    pipeline written ``"<pipeline>@<chainage>m"`` (how ``twin.leak`` names a leak it placed
    along a line)."""
    if asset in park.tanks.index:
        return park.tanks.geometry[asset]
    line, _, chainage = asset.rpartition("@")
    if line in park.pipelines.index and chainage.endswith("m"):
        try:
            return park.pipelines.geometry[line].interpolate(float(chainage[:-1]))
        except ValueError:
            pass
    if asset in park.pipelines.index:
        return park.pipelines.geometry[asset].interpolate(0.5, normalized=True)
    raise ValueError(f"no tank or pipeline {asset!r} in the park")


def threat_zones(
    park: geodata.Park,
    term: SourceTerm,
    weather: Weather,
    *,
    hazards=HAZARDS,
    population: str = "night",
    exposure_s: float = 3600.0,
    blast_strength: int = DEFAULT_BLAST_STRENGTH,
) -> ZonesResult:
    """Threat zones of ``term`` in ``weather`` on the park, with people and targets inside.

    Parameters
    ----------
    hazards : iterable of str
        Subset of :data:`HAZARDS`. Asking for toxic zones of a chemical with no toxic
        endpoint is an error; hazards the chemical cannot present are skipped otherwise.
    population : str
        "day" or "night": which occupants to count.
    exposure_s : float
        Exposure duration for the toxic levels (AEGL durations). [s]
    blast_strength : int
        TNO multi-energy class 1-10 of the congested volume.
    """
    check_hazards(hazards)
    if population not in ("day", "night"):
        raise ValueError(f"population must be 'day' or 'night', got {population!r}")
    sub = term.substance
    source_geom = source_point(park, term.asset)
    source_xy = (source_geom.x, source_geom.y)
    frame = _frame(term, weather, source_xy)
    cloud = Cloud(term, weather)
    rows, envelope, models = [], [], [f"source: {term.model}"]
    assumptions = list(term.assumptions)
    if (line := jet_assumption(term)) is not None:
        assumptions.append(line)
    if cloud.instantaneous and len(cloud.parts) > 1:
        assumptions.append(RUPTURE_SUPERPOSITION)

    def add(hazard, name, threshold, geom_wind, distance):
        geom = affinity.affine_transform(geom_wind, frame) if not geom_wind.is_empty else geom_wind
        rows.append(
            dict(
                hazard=hazard,
                level=name,
                threshold=threshold,
                distance_m=round(distance, 1),
                beyond_10km=distance >= MAX_DISTANCE_M,
                area_m2=round(geom.area, 1),
                geometry=geom,
            )
        )

    cloud_hazards = [h for h in ("toxic", "flammable") if h in hazards]
    if cloud_hazards:
        what = cloud.description()
        models.append(
            f"dispersion: {MODEL_REFERENCES[cloud.model]} ({what}; "
            f"{'dense, slumping' if cloud.dense else 'passive'} near the source; "
            f"roughness {weather.roughness_m:g} m{obukhov_text(weather)}"
            f"{mixing_height_text(weather, float(cloud.plume.mixing_height()[0]))})"
        )
    if "toxic" in hazards:
        try:
            levels = harm.toxic_levels(
                sub.property_cas, exposure_s, molar_mass_kg_mol=sub.molar_mass_kg_mol
            )
        except ValueError:
            if tuple(hazards) != HAZARDS:
                raise ValueError(
                    f"{sub.name} ({sub.cas}) has no toxic endpoint (AEGL, ERPG, PAC or "
                    "IDLH) in the bundled table; ask for other hazards"
                ) from None
            levels = None
        if levels is not None:
            on_cloud_basis = cloud.level_kg_m3(np.asarray(levels.ppm, dtype=float))
            for k, (name, ppm, c) in enumerate(
                zip(levels.names, levels.ppm, on_cloud_basis, strict=True)
            ):
                geom, reach = _footprint(cloud, float(c))
                add("toxic", name, f"{ppm:g} ppm", geom, reach)
                if k == 0 and not geom.is_empty:  # the lowest level draws the largest zone
                    envelope.append(("toxic", name, geom))
    lfl_reach = 0.0
    if sub.flammable and ("flammable" in hazards or "overpressure" in hazards):
        for fraction, name in ((1.0, "LFL"), (0.6, "60% LFL")):
            c = float(cloud.level_kg_m3(fraction * sub.lfl_fraction * 1e6)[0])
            geom, reach = _footprint(cloud, c)
            if fraction == 1.0:
                lfl_reach = reach
            if "flammable" in hazards:
                add("flammable", name, f"{fraction * sub.lfl_fraction * 100:g} vol%", geom, reach)
                if fraction == 0.6 and not geom.is_empty:
                    envelope.append(("flammable", name, geom))
    if "thermal" in hazards:
        found = _thermal(term, weather)
        if found:
            kind, radii, what = found
            models.append(f"thermal: {what} ({MODEL_REFERENCES[kind]})")
            for r, lv in zip(radii, harm.THERMAL_LEVELS_W_M2["aloha"], strict=True):
                add(
                    f"thermal ({kind})",
                    f"{lv / 1000:g} kW/m2",
                    f"{lv / 1000:g} kW/m2",
                    Point(0, 0).buffer(r, 128) if r > 0 else MultiPolygon(),
                    r,
                )
    if "overpressure" in hazards and sub.flammable and sub.heat_of_combustion_J_kg:
        lfl, ufl = cloud.level_kg_m3(np.array([sub.lfl_fraction, sub.ufl_fraction or 1.0]) * 1e6)
        mass, how = cloud.flammable_mass(float(lfl), float(ufl))
        mass_text = f"flammable mass (between LFL and UFL) {mass:,.0f} kg"
        if cloud.instantaneous:
            mass_text += f" ({how}; of {cloud.mass:,.0f} kg in the puff)"
        energy = float(explosion.cloud_energy_from_mass(mass, sub.heat_of_combustion_J_kg))
        models.append(
            f"overpressure: {MODEL_REFERENCES['vce']}, strength {blast_strength}, {mass_text}"
        )
        assumptions.append(f"VCE centred {0.5 * lfl_reach:.0f} m downwind (half the LFL distance)")
        centre = Point(0.5 * lfl_reach, 0.0)
        for p_pa, name in zip(
            harm.OVERPRESSURE_LEVELS_PA["aloha"], ("8.0 psi", "3.5 psi", "1.0 psi"), strict=True
        ):
            (r,) = _circle_reach(
                lambda r: explosion.multi_energy_overpressure(
                    np.maximum(r, 0.1), max(energy, 1.0), blast_strength
                ),
                [p_pa],
            )
            geom = centre.buffer(r, 128) if r > 0 and mass > 0 else MultiPolygon()
            add(
                "overpressure",
                name,
                f"{p_pa / 1000:.1f} kPa",
                geom,
                0.5 * lfl_reach + r if r > 0 else 0.0,
            )

    zones = (
        gpd.GeoDataFrame(rows, geometry="geometry", crs=park.crs)
        if rows
        else gpd.GeoDataFrame(
            columns=["hazard", "level", "threshold", "distance_m", "area_m2", "geometry"],
            geometry="geometry",
            crs=park.crs,
        )
    )
    sweep = math.radians(2.0 * SIGMA_THETA_DEG[weather.stability])
    env_rows = []
    for hazard, name, geom_wind in envelope:
        angles = np.linspace(-sweep, sweep, max(3, int(math.degrees(2 * sweep) / 2) + 1))
        swept = unary_union(
            [affinity.rotate(geom_wind, a, origin=(0, 0), use_radians=True) for a in angles]
        )
        env_rows.append(
            dict(
                hazard=hazard,
                level=name,
                sweep_deg=round(math.degrees(sweep), 1),
                geometry=affinity.affine_transform(swept.convex_hull, frame),
            )
        )
    env = (
        gpd.GeoDataFrame(env_rows, geometry="geometry", crs=park.crs)
        if env_rows
        else gpd.GeoDataFrame(
            columns=["hazard", "level", "sweep_deg", "geometry"], geometry="geometry", crs=park.crs
        )
    )
    zones, affected = _count_people(park, zones, population)
    return ZonesResult(
        term.asset,
        term,
        weather,
        population,
        zones,
        env,
        affected,
        models,
        assumptions,
        plan_in_zones(park, zones),
    )


PLAN_KINDS = {"assembly_points": "assembly point", "gates": "gate", "roads": "road"}


def plan_in_zones(park: geodata.Park, zones: gpd.GeoDataFrame) -> pd.DataFrame:
    """The emergency plan inside each zone: assembly points and gates that lie in it and
    roads that cross it (with the length inside), one row each: hazard, level, kind, id,
    name, inside_m (road length inside; NaN for points)."""
    rows = []
    for _, z in zones.iterrows():
        if z.geometry is None or z.geometry.is_empty:
            continue
        for layer, kind in PLAN_KINDS.items():
            frame = park.layers.get(layer)
            if frame is None or not len(frame):
                continue
            hit = frame.iloc[np.sort(frame.sindex.query(z.geometry, predicate="intersects"))]
            for i, row in hit.iterrows():
                inside = (
                    float(row.geometry.intersection(z.geometry).length)
                    if kind == "road"
                    else math.nan
                )
                name = row.get("name")
                rows.append(
                    dict(
                        hazard=z.hazard,
                        level=z.level,
                        kind=kind,
                        id=i,
                        name=name if isinstance(name, str) else i,
                        inside_m=inside,
                    )
                )
    return pd.DataFrame(rows, columns=["hazard", "level", "kind", "id", "name", "inside_m"])


def _inside(frame: gpd.GeoDataFrame, geometry) -> pd.Index:
    """Index labels of the rows of ``frame`` that intersect ``geometry``, in the frame's
    order, found through its spatial index (an STR tree) rather than one test per row."""
    return frame.index[np.sort(frame.sindex.query(geometry, predicate="intersects"))]


def _count_people(park: geodata.Park, zones: gpd.GeoDataFrame, population: str):
    b, t = park.buildings, park.targets
    occupants = b[f"occupants_{population}"]
    residents = t[f"population_{population}"]
    people, n_buildings, n_targets, rows = [], [], [], []
    for _, z in zones.iterrows():
        if z.geometry.is_empty:
            people.append(0)
            n_buildings.append(0)
            n_targets.append("")
            continue
        inside_b = _inside(b, z.geometry)
        inside_t = _inside(t, z.geometry)
        people.append(int(occupants[inside_b].sum() + residents[inside_t].sum()))
        n_buildings.append(len(inside_b))
        n_targets.append(", ".join(f"{t.loc[i, 'name']} ({t.loc[i, 'kind']})" for i in inside_t))
        for kind, frame, use, counts, inside in (
            ("building", b, "use", occupants, inside_b),
            ("target", t, "kind", residents, inside_t),
        ):
            rows += [
                dict(
                    hazard=z.hazard,
                    level=z.level,
                    kind=kind,
                    id=i,
                    name=frame.loc[i, "name"],
                    use=frame.loc[i, use],
                    people=int(counts[i]),
                )
                for i in inside
            ]
    zones = zones.copy()
    zones["buildings"] = n_buildings
    zones["people"] = people
    zones["targets"] = n_targets
    affected = pd.DataFrame(
        rows, columns=["hazard", "level", "kind", "id", "name", "use", "people"]
    )
    return zones, affected


def clip_zones(result: ZonesResult, park: geodata.Park, radius_m: float) -> ZonesResult:
    """The zones as far as the cloud can have travelled: each zone and the envelope cut to
    ``radius_m`` around the source, distances capped at it, people counted again."""
    source = park.tanks.geometry.get(result.asset)
    if source is None:
        source = park.pipelines.geometry[result.asset].interpolate(0.5, normalized=True)
    reach = source.buffer(radius_m, 128)
    zones = result.zones.drop(columns=["buildings", "people", "targets"])
    zones["geometry"] = zones.geometry.intersection(reach)
    zones["distance_m"] = np.minimum(zones["distance_m"], round(radius_m, 1))
    zones["beyond_10km"] = zones["beyond_10km"] & (radius_m >= MAX_DISTANCE_M)
    zones["area_m2"] = zones.geometry.area.round(1)
    envelope = result.envelope.copy()
    if len(envelope):
        envelope["geometry"] = envelope.geometry.intersection(reach)
    zones, affected = _count_people(park, zones, result.population)
    return ZonesResult(
        result.asset,
        result.term,
        result.weather,
        result.population,
        zones,
        envelope,
        affected,
        result.models,
        result.assumptions,
        plan_in_zones(park, zones),
    )
