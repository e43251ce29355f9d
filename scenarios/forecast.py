"""A forecast after a confirmed leak: the threat zones at +10, +30 and +60 minutes.

The twin flags a leak with its asset and estimated rate (``twin.leak.LeakEvent``) and
keeps the park's state (``twin.state.Snapshot``): the measured wind, air temperature and
Pasquill class, and the inventory of the tank. Whoever runs the feed hands both here.

Where the asset holds a liquefied gas or a gas under pressure, the release is the park's
own source model of it (``scenarios.release.source_term``, with the tank's measured fill and
temperature): a jet from a hole, with the pool it rains out, whose hole is the one that
gives the estimate (the rate out of the tank for a mass balance, the largest one-minute
airborne rate for the gas detectors); its cloud is the one the zones draw (the jet, and the
pool's evaporation superposed, ``scenarios.zones.Cloud``). Otherwise (a liquid below its
boiling point, or no hole that gives the rate) the release is taken as the estimated
airborne rate, held until the inventory is gone (the gas detectors see what is already
airborne, so the cloud is at air temperature with no droplets). An estimate that is only a
lower bound (a detector at the top of its range) is said so in the notes.

People are counted from the twin's headcounts at the snapshot
(``scenarios.people.twin_occupants``: a counted building holds its count, the others their
design occupancy) when the twin has any, else from the design occupancy. For each horizon
the steady footprint at the toxic levels for that exposure duration (and the flammable
levels) is cut to the distance the wind can have carried the cloud front since the leak
began, and the people inside are counted again.
"""

import math
import time
from dataclasses import dataclass, field

import numpy as np

import geodata
from physics import source, substances
from physics.meteorology import sun_elevation_deg
from scenarios.people import twin_occupants, with_occupants
from scenarios.release import SourceTerm, source_term
from scenarios.source_geometry import matched_rate, matching_term
from scenarios.twin_start import with_tank_state
from scenarios.zones import Weather, ZonesResult, clip_zones, threat_zones
from twin.park import roughness_m as park_roughness_m

HORIZONS_S = (600.0, 1800.0, 3600.0)


@dataclass
class Forecast:
    """Zones per horizon [s after the leak began], what went in, and how long it took."""

    asset: str
    leak_time: float
    rate_kg_s: float
    rate_sd_kg_s: float
    method: str
    weather: Weather
    inventory_kg: float
    horizons: dict[float, ZonesResult] = field(default_factory=dict)
    elapsed_s: float = 0.0
    notes: list[str] = field(default_factory=list)


def _weather(snapshot, park) -> Weather:
    w = snapshot.weather
    if not (math.isfinite(w.wind_speed_m_s) and math.isfinite(w.wind_from_deg)):
        raise ValueError("no wind reading yet: a forecast needs the measured wind")
    temperature = w.air_temperature_k if math.isfinite(w.air_temperature_k) else 293.15
    return Weather(
        max(w.wind_speed_m_s, 0.5),
        w.wind_from_deg % 360.0,
        w.stability,
        temperature,
        roughness_m=park_roughness_m(park),
    )


def forecast(
    park: geodata.Park, leak, snapshot, horizons=HORIZONS_S, started_s: float | None = None
) -> Forecast:
    """Zones at each horizon after ``leak`` (a ``twin.leak.LeakEvent``) in the weather and
    inventory of ``snapshot`` (a ``twin.state.Snapshot``).

    ``started_s`` is when the leak began [s, POSIX]; by default the leak's flag time, which
    makes the zones no larger than they can be.
    """
    clock = time.perf_counter()
    sub = substances.lookup(leak.cas)
    weather = _weather(snapshot, park)
    notes = []
    tank = snapshot.tanks.get(leak.asset)
    if tank is not None and math.isfinite(tank.mass_kg):
        inventory = float(tank.mass_kg)
    else:
        inventory = math.inf
        notes.append(f"no measured inventory for {leak.asset}: the leak is taken to go on")
    rate = max(float(leak.rate_kg_s), 1e-6)
    duration = min(inventory / rate, max(horizons))
    times = np.linspace(0.0, max(horizons), 721)
    airborne = np.where(times <= duration, rate, 0.0)
    outflow = source.Release(
        np.array([0.0, duration]),
        np.array([rate, rate]),
        np.array(
            snapshot.weather.air_temperature_k
            if math.isfinite(snapshot.weather.air_temperature_k)
            else 293.15
        ),
        "gas",
    )
    term = _jet_term(park, leak, snapshot, weather, rate, max(horizons))
    if term is None:
        term = SourceTerm(
            leak.asset,
            sub,
            f"leak of {rate:.3f} kg/s ({leak.method})",
            outflow,
            times,
            airborne,
            0.0,
            weather.air_temperature_K,
            inventory,
            assumptions=[
                "rate from the twin's estimate, held until the measured inventory is gone",
                "cloud at air temperature (what detectors see is already airborne)",
                "no jet phase: the park's model of the asset has none (a liquid below its "
                "boiling point), or no hole up to the asset's size gives the estimate",
            ],
        )
    else:
        notes.append(term.assumptions[-1])
    lon_lat = park.to_wgs84("boundary").union_all().centroid
    population = (
        "day" if float(sun_elevation_deg(lon_lat.x, lon_lat.y, snapshot.t)) > 0 else "night"
    )
    people = getattr(snapshot, "people", None)
    if people is not None and not people.empty:
        occupants, line = twin_occupants(park, people, population)
        park = with_occupants(park, population, occupants)
        notes.append(f"people counted from {line}")
    if getattr(leak, "lower_bound", False):
        notes.append(
            f"the rate is a lower bound ({leak.rate_text()}): a detector reached the top of "
            "its range, the zones may be larger"
        )
    began = leak.t if started_s is None else started_s
    result = Forecast(
        leak.asset,
        leak.t,
        rate,
        float(leak.rate_sd_kg_s),
        leak.method,
        weather,
        inventory,
        notes=notes,
    )
    for horizon in horizons:
        zones = threat_zones(
            park,
            term,
            weather,
            hazards=("toxic", "flammable"),
            population=population,
            exposure_s=horizon,
        )
        travelled = weather.wind_speed_m_s * (horizon + max(snapshot.t - began, 0.0))
        result.horizons[horizon] = clip_zones(zones, park, travelled)
    result.elapsed_s = time.perf_counter() - clock
    return result


def _jet_term(park, leak, snapshot, weather: Weather, rate: float, duration_s: float):
    """The park's source term of ``leak.asset`` (measured fill and temperature) with the
    hole that gives the estimated ``rate`` (``scenarios.source_geometry.matching_term``),
    or None where the asset's release has no jet or no hole up to the asset's own size
    gives the rate."""
    asset = leak.asset.rpartition("@")[0] or leak.asset
    if asset not in park.tanks.index.union(park.pipelines.index):
        return None
    park = with_tank_state(park, snapshot)

    def term_of(hole_m):
        return source_term(
            park,
            asset,
            hole_diameter_m=hole_m,
            duration_s=duration_s,
            wind_speed_m_s=weather.wind_speed_m_s,
            air_temperature_K=weather.air_temperature_K,
        )

    matched = matching_term(park, asset, rate, leak.method, term_of)
    if matched is None:
        return None
    term, hole = matched
    term.asset = leak.asset
    term.assumptions.append(
        f"source: the park's model of {asset} ({term.model}) through a "
        f"{hole * 1000:.3g} mm hole at the bottom, the one whose "
        f"{'outflow' if leak.method == 'mass balance' else 'largest one-minute airborne rate'}"
        f" ({matched_rate(term, leak.method):.3g} kg/s) is the estimate's"
    )
    return term
