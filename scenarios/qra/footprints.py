"""Lethality footprints of one loss event in one weather class, computed once in the wind
frame (x downwind of the source, y to its left) and then turned onto the risk grid for
each wind sector.

Concentrations come from the integral model (``scenarios.zones.Cloud``, i.e.
``physics.integral_plume``), levels in volume fraction (the LFL) on its basis. Outdoor
lethality of each effect (vulnerability values in ``data/vulnerability.csv``, each with
its source):

- toxic: the chemical's probit (``physics.harm``) with the exposure time of the release,
  capped (AQ/T 3046); a puff's dose is that of a Gaussian passage,
  int C^n dt = C_peak^n sqrt(2 pi / n) sigma_x / u, so the probit sees C_peak for
  sqrt(2 pi / n) sigma_x / u (sigma_x and u of the model). The probit source is the
  run's (``physics.harm``: the Purple Book's, else Lees'); chemicals without a usable
  probit get no toxic risk, and the run's notes say which and why.
- flash fire: 1 inside the LFL footprint, 0 outside (AQ/T 3046).
- explosion: TNO multi-energy (strength 7) of the cloud's flammable mass, centred half the
  LFL distance downwind (as ``scenarios.zones``): 1 at >= 30 kPa, 0 at <= 10 kPa, the
  Eisenberg lung probit in between.
- fire (direct ignition, centred on the source, the same in every direction): fireball,
  jet fire or pool fire flux (``physics.fire``), Tsao-Perry probit with the exposure time,
  1 at >= 37.5 kW/m2.
"""

import math
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.ndimage import map_coordinates

from physics import explosion, fire, harm, puff_passage
from physics.meteorology import air_density
from scenarios.release import source_term
from scenarios.zones import MAX_DISTANCE_M, Cloud, Weather
from twin.park import roughness_m as park_roughness_m

DATA = Path(__file__).parent / "data"
BLAST_STRENGTH = 7  # TNO multi-energy class of a congested process area (as scenarios.zones)
SMALLEST_LETHALITY = 1e-3  # footprints end where the lethality falls below this
MIN_CELL_M, MAX_CELL_M, CELLS_ALONG = 1.0, 10.0, 400


@cache
def vulnerability(path=DATA / "vulnerability.csv") -> dict[str, float]:
    table = pd.read_csv(path)
    return dict(zip(table.parameter, table.value.astype(float), strict=True))


def vulnerability_notes(path=DATA / "vulnerability.csv") -> list[str]:
    table = pd.read_csv(path)
    return [
        f"{r.parameter} = {r.value:g}: {r.source}"
        for r in table.itertuples()
        if r.confirmed != "yes"
    ]


@cache
def toxic_exponent(cas: str, probit: str | None = None) -> float | None:
    """The concentration exponent n of the chemical's toxic probit from source ``probit``
    (default: the first usable), or None without one."""
    row = harm.toxic_probit_row(cas, probit)
    return None if row is None else float(row["n"])


@dataclass
class Footprint:
    """Outdoor lethality of one event in one weather class.

    ``x``, ``y`` (1-D, m) span the wind-frame raster; ``layers`` maps an effect (``toxic``,
    ``flash``, ``vce``) to its lethality on that raster (shape (len(y), len(x))).
    ``fire_r`` and ``fire`` give the direct-ignition fire's lethality against distance.
    ``outcomes`` maps an outcome (see ``ignition``) to its conditional probability.
    """

    event: str
    weather: str
    outcomes: dict[str, float]
    x: np.ndarray
    y: np.ndarray
    layers: dict[str, np.ndarray] = field(default_factory=dict)
    fire_r: np.ndarray = field(default_factory=lambda: np.zeros(1))
    fire: np.ndarray = field(default_factory=lambda: np.zeros(1))
    notes: list[str] = field(default_factory=list)

    def extent(self) -> float:
        """Farthest distance from the source with a lethality [m]."""
        far = 0.0
        if self.layers:
            far = math.hypot(
                max(abs(self.x[0]), abs(self.x[-1])), max(abs(self.y[0]), abs(self.y[-1]))
            )
        return max(far, float(self.fire_r[-1]) if self.fire.any() else 0.0)

    def outcome_lethality(self, outcome: str, layers: dict[str, np.ndarray], indoor=False):
        """Lethality of ``outcome`` from effect arrays (raster or points)."""
        v = vulnerability()
        tox = layers.get("toxic", 0.0) * (v["toxic_indoor_factor"] if indoor else 1.0)
        k = v["fire_indoor_factor"] if indoor else 1.0
        fl = np.maximum(layers.get("flash", 0.0), layers.get("vce", 0.0)) * k
        if outcome == "toxic":
            return tox
        if outcome == "delayed":
            return fl
        if outcome == "cloud":
            return np.maximum(tox, fl)
        raise ValueError(f"unknown directional outcome {outcome!r}")

    def directional(self) -> np.ndarray | None:
        """Sum over the drifting outcomes of probability x outdoor lethality (raster)."""
        if not self.layers:
            return None
        total = np.zeros((len(self.y), len(self.x)))
        for outcome, p in self.outcomes.items():
            if outcome != "fire":
                total += p * self.outcome_lethality(outcome, self.layers)
        return total

    def sample(self, xw, yw) -> dict[str, np.ndarray]:
        """Each effect's lethality at wind-frame points (bilinear, 0 outside)."""
        out = {}
        if self.layers:
            dx, dy = self.x[1] - self.x[0], self.y[1] - self.y[0]
            coords = np.array([(yw - self.y[0]) / dy, (xw - self.x[0]) / dx])
            for name, raster in self.layers.items():
                out[name] = map_coordinates(raster, coords, order=1, cval=0.0, prefilter=False)
        return out

    def fire_at(self, r) -> np.ndarray:
        return np.interp(r, self.fire_r, self.fire, right=0.0)


def _thermal_lethality(q, t):
    v = vulnerability()
    p = harm.thermal_death_probability(q, t, model="tsao-perry")
    return np.where(q >= v["thermal_certain_death_W_m2"], 1.0, p)


def _blast_lethality(p):
    v = vulnerability()
    lung = harm.overpressure_death_probability(p)
    return np.where(
        p >= v["overpressure_certain_death_Pa"],
        1.0,
        np.where(p <= v["overpressure_no_death_Pa"], 0.0, lung),
    )


def release_duration(term, stop_s: float | None) -> float:
    """How long the cloud is fed [s]: the airborne rate above 0.1 % of its peak, cut at
    detection + isolation when given, and at the toxic exposure cap."""
    cap = vulnerability()["toxic_exposure_cap_s"]
    rate = term.airborne_kg_s
    fed = term.times_s[rate > 1e-3 * rate.max()] if rate.max() > 0 else np.array([0.0])
    duration = float(fed.max()) if len(fed) else 0.0
    if stop_s is not None:
        duration = min(duration, stop_s)
    return max(min(duration, cap), 1.0)


def _fire(term, weather: Weather, exposure_s: float):
    """(kind, r, lethality(r)) of the direct-ignition fire, or None."""
    sub = term.substance
    if not sub.flammable or not sub.heat_of_combustion_J_kg:
        return None
    hc = sub.heat_of_combustion_J_kg
    r = np.linspace(0.0, 3000.0, 3001)
    if term.instantaneous_kg > 0 and term.storage_pressure_Pa > 101325.0:
        mass = term.inventory_kg
        d = float(fire.fireball_diameter(mass))
        t = float(fire.fireball_duration(mass))
        fr = float(fire.fireball_radiant_fraction(term.storage_pressure_Pa))
        sep = float(fire.fireball_emissive_power(mass, hc, d, t, fr))
        return "fireball", r, _thermal_lethality(fire.fireball_flux(r, d, 0.75 * d, sep), t)
    t_fire = min(vulnerability()["thermal_exposure_s"], exposure_s)
    if term.jet_velocity_m_s and term.outflow.rate_kg_s.max() > 0:
        rate = float(term.outflow.rate_kg_s.max())
        fr = float(fire.jet_fire_radiant_fraction(term.jet_velocity_m_s))
        q = fire.jet_fire_flux(np.maximum(r, 1.0), rate, hc, fr)
        return "jet fire", r, _thermal_lethality(q, t_fire)
    if term.pool is not None and term.pool.area_m2.max() > 0:
        diameter = math.sqrt(4.0 * float(term.pool.area_m2.max()) / math.pi)
        ta = weather.air_temperature_K
        burning = _burning_rate(sub, ta)
        q = fire.pool_fire_flux(
            r, diameter, burning, float(air_density(ta)), weather.relative_humidity, ta
        )
        # the flux model starts at the flame's edge: inside the pool a person is in the fire
        q = np.where(r <= diameter / 2.0, np.inf, q)
        return "pool fire", r, _thermal_lethality(np.minimum(q, 1e7), t_fire)
    return None


_BURNING_RATES: dict = {}


def _burning_rate(sub, air_temperature_K: float) -> float:
    """Pool burning rate [kg/(m2 s)] (Burgess), kept per substance and air temperature:
    the liquid heat capacity behind it is slow to look up."""
    key = (sub.property_cas, air_temperature_K)
    if key not in _BURNING_RATES:
        tb, ta = sub.boiling_point_K, air_temperature_K
        _BURNING_RATES[key] = float(
            fire.pool_burning_rate(
                sub.heat_of_combustion_J_kg,
                float(sub.heat_of_vaporisation(min(tb, ta))),
                float(sub.liquid_heat_capacity(min(tb, ta))),
                tb,
                ta,
            )
        )
    return _BURNING_RATES[key]


def _toxic_threshold(cas, probit, exposure_s, molar_mass):
    """Concentration giving SMALLEST_LETHALITY for ``exposure_s`` [kg/m3]."""
    c = np.geomspace(1e-9, 10.0, 600)
    p = harm.toxic_death_probability(cas, c, exposure_s, probit, molar_mass_kg_mol=molar_mass)
    above = c[p >= SMALLEST_LETHALITY]
    return float(above.min()) if len(above) else math.inf


def wind_dependent(term) -> bool:
    """Whether the wind changes ``term``: only the evaporation of a pool below its boiling
    point does (mass transfer into the wind)."""
    return term.pool is not None and not term.pool.boiling


def source_for(park, event, wind_speed_m_s: float, air_temperature_K: float, cache=None):
    """The source term of a catalogue event at this wind speed. ``cache`` (a dict) shares
    terms between the events of one asset (a 10 mm leak is also the probe of the 10-minute
    release) and between wind speeds where the wind does not change them: it enters a
    source term only through the evaporation of a pool below its boiling point
    (``scenarios.release``)."""
    cache = {} if cache is None else cache
    cap = vulnerability()["toxic_exposure_cap_s"]

    def term(hole):
        calm = (event.asset, hole, air_temperature_K, event.stop_s)
        key = (*calm, wind_speed_m_s)
        found = cache.get(calm, cache.get(key))
        if found is None:
            found = source_term(
                park,
                event.asset,
                hole_diameter_m=hole,
                rupture=hole is None,
                duration_s=cap,
                wind_speed_m_s=wind_speed_m_s,
                air_temperature_K=air_temperature_K,
                isolation_s=event.stop_s,
            )
            cache[key if wind_dependent(found) else calm] = found
        return found

    if event.event in ("instantaneous", "rupture"):
        return term(None)
    if event.event == "leak":
        return term(event.hole_m)
    # continuous_10min: the hole whose initial outflow empties the vessel in 600 s
    probe = term(0.01)
    rate = float(probe.outflow.rate_kg_s.max())
    hole = 0.01 * math.sqrt(probe.inventory_kg / 600.0 / rate)
    try:
        return term(hole)
    except ValueError:  # larger than the vessel: the release is a rupture
        return term(None)


def footprint(
    park, event, weather_name: str, outcomes_fn, air_temperature_K=293.15, terms=None, probit=None
) -> Footprint:
    """The footprint of ``event`` in weather class ``weather_name`` (e.g. 'D5').

    ``outcomes_fn(term, toxic)`` gives the event tree's outcome probabilities; ``terms``
    (a dict) caches source terms across weather classes and events of one asset; ``probit``
    names the toxic probit source (``physics.harm.PROBIT_SOURCES``; default the first usable).
    """
    stability, speed = weather_name[0], float(weather_name[1:])
    weather = Weather(
        speed,
        270.0,
        stability,
        air_temperature_K=air_temperature_K,
        roughness_m=park_roughness_m(park),
    )
    term = source_for(park, event, speed, air_temperature_K, terms)
    sub = term.substance
    n = toxic_exponent(sub.property_cas, probit)
    notes = []
    gap = harm.toxic_probit_gap(sub.property_cas, probit) if n is None else ""
    if n is not None:
        row = harm.toxic_probit_row(sub.property_cas, probit)
        cited = row["source"].split(" (Pr")[0]
        notes.append(
            f"{sub.name}: toxic probit {row['model']}, Pr = {row['a']:g} + {row['b']:g} "
            f"ln(C^{row['n']:g} t), C in {row['concentration_unit']}, t in min ({cited})"
        )
    elif not sub.flammable:
        notes.append(f"{sub.name}: toxic risk not computed: {gap}")
    elif any(r["cas"] == sub.property_cas for r in harm.endpoint_rows()):
        notes.append(f"{sub.name}: only fire and explosion risk computed, toxic not: {gap}")
    outcomes = outcomes_fn(term, n is not None)
    exposure = release_duration(term, event.stop_s)
    fp = Footprint(event.id, weather_name, outcomes, np.zeros(2), np.zeros(2), notes=notes)
    if "fire" in outcomes:
        found = _fire(term, weather, exposure)
        if found is not None:
            _kind, r, leth = found
            keep = np.nonzero(leth >= SMALLEST_LETHALITY)[0]
            if len(keep):
                last = min(int(keep.max()) + 2, len(r))
                fp.fire_r, fp.fire = r[:last], leth[:last]
        else:
            fp.outcomes = {k: v for k, v in outcomes.items() if k != "fire"}
    drifting = {k for k in outcomes if k != "fire"}
    if not drifting or term.airborne_total_kg <= 0:
        return fp
    cloud = Cloud(term, weather)
    reach, width = 0.0, 0.0
    tox_c = math.inf
    if n is not None and drifting & {"toxic", "cloud"}:
        # a rupture's puff and its rainout pool's plume: their doses add, held for the
        # exposure; a puff alone: its longest passage anywhere gives the lowest threshold
        # (far out the Gaussian passage, near the source a puff slumped long)
        pair = cloud.instantaneous and len(cloud.parts) > 1
        held = exposure
        if cloud.instantaneous and not pair:
            held = float(np.max(_passage_s(cloud, np.geomspace(1.0, MAX_DISTANCE_M, 200), n)))
        tox_c = _toxic_threshold(sub.property_cas, probit, held, sub.molar_mass_kg_mol)
        if not math.isfinite(tox_c):
            reach = 0.0
        elif pair:
            reach = _dose_reach(cloud, tox_c, exposure, n)
        else:
            reach = cloud.reach(tox_c)
    lfl = float(cloud.level_kg_m3(sub.lfl_fraction * 1e6)[0]) if sub.flammable else math.inf
    lfl_reach, vce_r, energy = 0.0, 0.0, 0.0
    if sub.flammable and drifting & {"delayed", "cloud"}:
        lfl_reach = cloud.reach(lfl)
        # a plume that never reaches its LFL holds no flammable mass worth a blast
        mass = _flammable_mass(term, cloud, weather, lfl) if lfl_reach > 0 else 0.0
        energy = float(
            explosion.cloud_energy_from_mass(max(mass, 1e-9), sub.heat_of_combustion_J_kg)
        )
        r = np.linspace(0.1, 5000.0, 5000)
        p = explosion.multi_energy_overpressure(r, energy, BLAST_STRENGTH)
        above = r[p > vulnerability()["overpressure_no_death_Pa"]]
        vce_r = float(above.max()) if len(above) and mass > 0 else 0.0
        reach = max(reach, lfl_reach, 0.5 * lfl_reach + vce_r)
    reach = min(reach, MAX_DISTANCE_M)
    if reach <= 0.0:
        return fp
    # the dense-gas bound of the half-width can run far beyond the reach: cap it there
    width = min(max(cloud.half_width(reach), vce_r), reach)
    back = max(vce_r - 0.5 * lfl_reach, 0.0) + 2.0 * MIN_CELL_M
    cell = float(np.clip(max(reach + back, 2 * width) / CELLS_ALONG, MIN_CELL_M, MAX_CELL_M))
    x = np.arange(-back, reach + cell, cell)
    y = np.arange(-width - cell, width + 2 * cell, cell)
    xx, yy = np.meshgrid(x, y)
    parts = cloud.part_grid_fields(x, y)
    c = sum(parts)
    layers = {}
    if math.isfinite(tox_c):
        if cloud.instantaneous:
            c_tox, t_eff = parts[0], _passage_s(cloud, np.maximum(xx, 1.0), n)
            if len(parts) > 1:
                c_tox, t_eff = _dose_equivalent(parts[0], t_eff, parts[1], exposure, n)
        else:
            c_tox, t_eff = c, exposure
        layers["toxic"] = harm.toxic_death_probability(
            sub.property_cas, c_tox, t_eff, probit, molar_mass_kg_mol=sub.molar_mass_kg_mol
        )
    if math.isfinite(lfl) and lfl_reach > 0:
        layers["flash"] = (c >= lfl).astype(float)
        if energy > 0 and vce_r > 0:
            dist = np.hypot(xx - 0.5 * lfl_reach, yy)
            p = explosion.multi_energy_overpressure(np.maximum(dist, 0.1), energy, BLAST_STRENGTH)
            layers["vce"] = _blast_lethality(p)
    if layers:
        fp.x, fp.y, fp.layers = x, y, layers
    return fp


def _passage_s(cloud, x, n):
    """Exposure time that gives a passing puff's toxic load at its peak concentration [s]:
    int C^n dt = C_peak^n t for the puff's window passing at the cloud's speed
    (``physics.puff_passage.load_time``: the Gaussian passage sqrt(2 pi / n) sigma_x / u
    for a short puff, its length over its speed for one that has slumped long)."""
    puff = cloud.parts[0]
    return puff_passage.load_time(puff.plume, puff.duration_s, x, n)


def _dose_equivalent(c_puff, t_puff, c_pool, t_pool, n):
    """A rupture's puff (peak ``c_puff`` over its passage ``t_puff``) and its rainout pool's
    plume (``c_pool`` for ``t_pool``) as one concentration held for ``t_pool``: the toxic
    load C^n t of each added (the probits are functions of C^n t alone), returned as
    (concentration [kg/m3], duration [s])."""
    load = c_puff**n * t_puff + c_pool**n * t_pool
    return (load / t_pool) ** (1.0 / n), t_pool


def _dose_reach(cloud, c_threshold, t_threshold, n) -> float:
    """Farthest distance on the centreline where a rupture's puff and its pool's plume
    together give the toxic load of ``c_threshold`` held for ``t_threshold`` [m]."""
    x = np.geomspace(1.0, MAX_DISTANCE_M, 600)
    c_puff, c_pool = (p.plume.centreline(x)[0] for p in cloud.parts[:2])
    c, _ = _dose_equivalent(c_puff, _passage_s(cloud, x, n), c_pool, t_threshold, n)
    above = np.nonzero(c >= c_threshold)[0]
    return float(x[min(int(above[-1]) + 1, x.size - 1)]) if above.size else 0.0


def _flammable_mass(term, cloud, weather, lfl):
    """Flammable mass of the cloud [kg] (as ``scenarios.zones``: a rupture's puff at its
    largest, ``physics.puff_passage``)."""
    sub = term.substance
    ufl = float(cloud.level_kg_m3((sub.ufl_fraction or 1.0) * 1e6)[0])
    return cloud.flammable_mass(lfl, ufl)[0]
