"""Threat zones of a release on the park map, with the people and targets inside them.

``threat_zones`` takes a source term (``scenarios.release``) and the weather and returns
polygons per hazard and level of concern, as ALOHA draws them:

- toxic: the ground-level footprint of the cloud at the chemical's tiered levels (AEGL,
  else ERPG, PAC, IDLH) for the exposure duration;
- flammable (flash fire): the footprint at the LFL and 60 % of it;
- thermal: the pool fire, jet fire or fireball (BLEVE) flux at 10, 5 and 2 kW/m2;
- overpressure: a vapour cloud explosion (TNO multi-energy) of the flammable mass of the
  cloud, at 8.0, 3.5 and 1.0 psi.

A continuous cloud is a steady plume of the largest one-minute average airborne rate;
an instantaneous one (a rupture) is the peak concentration of the passing puff. Dense or
passive is chosen by the Richardson number (Britter & McQuaid 1988); a dense plume hands
over to the Gaussian far field; its crosswind profile is a Gaussian carrying the same
crosswind integral as the workbook's top-hat half-width. Footprints are evaluated on a
wind-aligned receptor grid sized to each level and contoured, then turned to the wind on
the park map. The wind
direction's uncertainty is the lowest level's footprint swept over +-2 sigma-theta of the
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
from physics import dense_gas, dispersion, explosion, fire, harm
from physics.meteorology import SIGMA_THETA_DEG, STABILITY_CLASSES, air_density
from physics.sigmas import puff_sigmas
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
    "passive": "Gaussian plume/puff, Briggs (1973) sigmas, ground reflection",
    "dense": "Britter & McQuaid (1988) workbook, passive far field beyond its range",
    "pool fire": "Burgess burning rate, Thomas flame length, Mudan SEP and view factor",
    "jet fire": "API 521 point source, Chamberlain (1987) radiant fraction",
    "fireball": "CCPS fireball diameter and duration, TNO radiant fraction",
    "vce": "TNO multi-energy (van den Berg 1985; Johansson 2017 curve fits)",
}


@dataclass(frozen=True)
class Weather:
    """Wind at 10 m, where it blows from, Pasquill class, air temperature, terrain."""

    wind_speed_m_s: float
    wind_from_deg: float
    stability: str
    air_temperature_K: float = 293.15
    terrain: str = "rural"
    relative_humidity: float = 0.7

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


class Cloud:
    """Ground-level concentration of a release's cloud in the wind frame [kg/m3]: x downwind
    from the source, y to the left of it. ``field(xx, yy)`` on any receptors, ``reach(level)``
    the farthest centreline distance of a level, ``centreline(x)``; ``dense`` and
    ``instantaneous`` say which model applies."""

    def __init__(self, term: SourceTerm, weather: Weather):
        self.term, self.w = term, weather
        self.rho_air = float(air_density(weather.air_temperature_K))
        self.rho_gas = cloud_density(term)
        self.g0 = G * (self.rho_gas - self.rho_air) / self.rho_air
        self.instantaneous = term.instantaneous_kg > 0
        self.rate = term.max_average_rate(60.0)
        self.mass = term.instantaneous_kg
        if self.instantaneous:
            volume = self.mass / self.rho_gas
            dense = (
                self.g0 > 0
                and dense_gas.choose_model(self.g0, volume, weather.wind_speed_m_s, "instantaneous")
                == "dense"
            )
        else:
            volume = self.rate / self.rho_gas if self.rate > 0 else 0.0
            dense = (
                self.rate > 0
                and self.g0 > 0
                and dense_gas.choose_model(self.g0, volume, weather.wind_speed_m_s, "continuous")
                == "dense"
            )
        self.volume = volume
        self.dense = bool(dense)
        self.model = "dense" if self.dense else "passive"
        if self.dense:
            self.x_end, _ = dense_gas.dense_range_end(
                self.g0,
                volume,
                weather.wind_speed_m_s,
                self._release,
                term.cloud_temperature_K,
                weather.air_temperature_K,
            )
            # crosswind, a Gaussian with the crosswind integral of the workbook's top-hat
            # (2 L_H = sqrt(2 pi) sigma_y); beyond the dense range sigma_y grows with the
            # Briggs curve from the virtual distance that gives it at the hand-off
            sigma0 = 2.0 * self._dense_half(self.x_end) / math.sqrt(2.0 * math.pi)
            xs = np.geomspace(0.1, 1e6, 2000)
            self.x_virtual = float(
                np.interp(sigma0, puff_sigmas(xs, weather.stability, weather.terrain)[0], xs)
            )

    @property
    def _release(self):
        return "instantaneous" if self.instantaneous else "continuous"

    def _dense_half(self, x):
        w = self.w
        if self.instantaneous:
            r0 = (self.volume / math.pi) ** (1.0 / 3.0)
            return dense_gas.puff_radius(x, self.g0, self.volume, w.wind_speed_m_s, r0)
        return dense_gas.plume_half_width(x, self.g0, self.volume, w.wind_speed_m_s)

    def _sigma_y(self, x):
        x = np.asarray(x, dtype=float)
        near = 2.0 * self._dense_half(np.minimum(x, self.x_end)) / math.sqrt(2.0 * math.pi)
        far = puff_sigmas(
            np.maximum(x - self.x_end, 0.0) + self.x_virtual, self.w.stability, self.w.terrain
        )[0]
        return np.where(x <= self.x_end, near, far)

    def _passive_centreline(self, x):
        x = np.maximum(np.asarray(x, dtype=float), 0.5)
        w = self.w
        if self.instantaneous:
            sxy, sz = puff_sigmas(x, w.stability, w.terrain)
            return dispersion.puff_from_sigmas(self.mass, 0.0, 0.0, 0.0, 0.0, sxy, sz)
        return dispersion.plume_concentration(
            x,
            np.zeros_like(x),
            0.0,
            rate=self.rate,
            wind_speed=w.wind_speed_m_s,
            wind_from_deg=270.0,
            stability=w.stability,
            terrain=w.terrain,
        )

    def _dense_args(self):
        return dict(
            reduced_gravity_m_s2=self.g0,
            source_volume=self.volume,
            wind_speed_10m=self.w.wind_speed_m_s,
            release=self._release,
            release_temperature_k=self.term.cloud_temperature_K,
            air_temperature_k=self.w.air_temperature_K,
            passive_ratio=lambda x: self._passive_centreline(x) / self.rho_gas,
        )

    def centreline(self, x):
        if self.dense:
            return (
                dense_gas.centreline_ratio(np.maximum(x, 0.0), **self._dense_args()) * self.rho_gas
            )
        return self._passive_centreline(x)

    def reach(self, level: float) -> float:
        """Farthest downwind distance of ``level`` on the centreline [m] (0 if never)."""
        if self.dense:
            ratio = level / self.rho_gas
            if ratio >= 1.0:
                return 0.0
            d = float(dense_gas.distance_to_ratio(ratio, **self._dense_args()))
            return d if math.isfinite(d) else 0.0
        if self.instantaneous:
            x = np.geomspace(1.0, MAX_DISTANCE_M * 1.01, 4000)
            above = x[self._passive_centreline(x) >= level]
            return float(above.max()) if len(above) else 0.0
        w = self.w
        d = dispersion.plume_centreline_distance(
            level,
            rate=self.rate,
            wind_speed=w.wind_speed_m_s,
            stability=w.stability,
            terrain=w.terrain,
        )
        return float(d) if math.isfinite(d) else MAX_DISTANCE_M

    def field(self, xx, yy):
        """Concentration on wind-frame receptors (ground level)."""
        w = self.w
        if self.dense:
            c = self.centreline(xx)
            x = np.maximum(xx, 0.0)
            return np.where(xx < 0, 0.0, c * np.exp(-0.5 * (yy / self._sigma_y(x)) ** 2))
        if self.instantaneous:
            x = np.maximum(xx, 0.5)
            sxy, sz = puff_sigmas(x, w.stability, w.terrain)
            return np.where(
                xx >= 0, dispersion.puff_from_sigmas(self.mass, 0.0, yy, 0.0, 0.0, sxy, sz), 0.0
            )
        return dispersion.plume_concentration(
            xx,
            yy,
            0.0,
            rate=self.rate,
            wind_speed=w.wind_speed_m_s,
            wind_from_deg=270.0,
            stability=w.stability,
            terrain=w.terrain,
        )

    def half_width(self, reach: float) -> float:
        """An upper bound of the footprint's half-width inside ``reach`` [m]."""
        w = self.w
        x = max(reach, 1.0)
        if self.dense:
            xs = np.linspace(0.0, x, 200)
            return max(4.0 * float(self._sigma_y(xs).max()), 5.0)
        sy, _ = puff_sigmas(x, w.stability, w.terrain)
        return max(4.0 * float(sy), 5.0)


def _footprint(cloud: Cloud, level: float):
    reach = min(cloud.reach(level), MAX_DISTANCE_M)
    if reach <= 0.0:
        return MultiPolygon(), 0.0
    width = cloud.half_width(reach)
    x, y, xx, yy = regular_grid(-0.02 * reach, 1.03 * reach, -width, width, GRID_NX, GRID_NY)
    return contour_polygons(x, y, cloud.field(xx, yy), level), reach


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
    unknown = set(hazards) - set(HAZARDS)
    if unknown:
        raise ValueError(
            f"unknown hazard(s) {', '.join(sorted(unknown))}; use {', '.join(HAZARDS)}"
        )
    if population not in ("day", "night"):
        raise ValueError(f"population must be 'day' or 'night', got {population!r}")
    sub = term.substance
    source_geom = (
        park.tanks.geometry.get(term.asset)
        if term.asset in park.tanks.index
        else park.pipelines.geometry[term.asset].interpolate(0.5, normalized=True)
    )
    source_xy = (source_geom.x, source_geom.y)
    frame = _frame(term, weather, source_xy)
    cloud = Cloud(term, weather)
    rows, envelope, models = [], [], [f"source: {term.model}"]
    assumptions = list(term.assumptions)

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
        models.append(
            f"dispersion: {MODEL_REFERENCES[cloud.model]} "
            f"({'instantaneous' if cloud.instantaneous else f'{cloud.rate:.2f} kg/s'})"
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
            for k, (name, ppm, c) in enumerate(
                zip(levels.names, levels.ppm, levels.kg_m3, strict=True)
            ):
                geom, reach = _footprint(cloud, float(c))
                add("toxic", name, f"{ppm:g} ppm", geom, reach)
                if k == 0 and not geom.is_empty:  # the lowest level draws the largest zone
                    envelope.append(("toxic", name, geom))
    lfl_reach = 0.0
    if sub.flammable and ("flammable" in hazards or "overpressure" in hazards):
        for fraction, name in ((1.0, "LFL"), (0.6, "60% LFL")):
            c = (
                fraction
                * sub.lfl_fraction
                * sub.molar_mass_kg_mol
                * 101325.0
                / (8.314462618 * weather.air_temperature_K)
            )
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
        if cloud.instantaneous:
            mass = term.instantaneous_kg
            b = term.mass_balance()
            mass_text = f"airborne mass {mass:.0f} kg taken as flammable (upper bound)"
            assumptions.append(
                "VCE: the flammable mass (between LFL and UFL) of an instantaneous cloud is not "
                f"computed; the whole airborne mass of the rupture, {mass:,.0f} kg (vapour "
                f"{b.vapour_kg:,.0f} + aerosol {b.aerosol_kg:,.0f} of {b.released_kg:,.0f} kg "
                f"released; {b.rained_out_kg:,.0f} kg rained out), is taken as an upper bound"
            )
        else:
            lfl = (
                sub.lfl_fraction
                * sub.molar_mass_kg_mol
                * 101325.0
                / (8.314462618 * weather.air_temperature_K)
            )
            ufl = (sub.ufl_fraction or 1.0) * lfl / sub.lfl_fraction
            mass = float(
                dispersion.plume_mass_between(
                    lfl,
                    ufl,
                    rate=cloud.rate,
                    wind_speed=weather.wind_speed_m_s,
                    stability=weather.stability,
                    terrain=weather.terrain,
                )
            )
            mass_text = f"flammable mass (between LFL and UFL) {mass:.0f} kg"
            if cloud.dense:
                assumptions.append(
                    "VCE: flammable mass from the passive plume also for the dense cloud"
                )
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
            hit = frame[frame.intersects(z.geometry)]
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
        inside_b = b.index[b.intersects(z.geometry)]
        inside_t = t.index[t.intersects(z.geometry)]
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
