"""The cloud of a leak of a given airborne rate, as the forecast draws it, for the twin.

The twin estimates a leak's source from the gas detectors' readings
(``twin.leak.estimate_source``); a forecast then draws the leak with the park's own source
model of the asset (``scenarios.release.source_term``), through the hole whose largest
one-minute airborne rate is the estimate's (:func:`matching_term`), and its cloud (the jet
from the hole, and the evaporation of the pool it rains out, ``scenarios.zones.Cloud``).
:func:`forecast_releases` gives the twin that same cloud for every rate it fits, as the
releases of the integral model (``physics.release_clouds``), so that the estimate inverts
the model the forecast then draws. Where no hole up to the asset's own size gives a rate
(or the asset's release has no jet) the forecast takes the estimated rate as vapour at the
air's temperature from the ground, and so does this.

The asset is taken in the park's state as given (its design fill and temperature, or the
twin's state if the caller has put it in the park, ``scenarios.twin_start.with_tank_state``).
"""

import math
from collections import OrderedDict
from dataclasses import fields

import numpy as np

import geodata
from physics import release_clouds
from physics.integral_plume import Release
from scenarios.release import SourceTerm, check_release, largest_hole_m, source_term
from scenarios.zones import continuous_releases

HOLE_TRIES = 4  # hole sizes tried to meet the estimated rate (flow goes with the hole's area)
HOLE_MATCH = 0.03  # a hole whose rate is within this fraction of the estimate is taken
PROBE_HOLE_M = 0.025
FORECAST_DURATION_S = 3600.0  # the forecast's longest horizon (``scenarios.forecast``)


def matched_rate(term: SourceTerm, method: str) -> float:
    """The rate of ``term`` that an estimate by ``method`` measures [kg/s]: the outflow
    from the tank (a mass balance) or the largest one-minute airborne rate (gas
    detectors)."""
    if method == "mass balance":
        return float(term.outflow.rate_kg_s.max())
    return term.max_average_rate(60.0)


def matching_term(
    park: geodata.Park, asset: str, rate: float, method: str, term_of, *, largest=False
):
    """(source term, hole diameter [m]) of ``asset`` whose rate measured by ``method``
    (:func:`matched_rate`) is ``rate`` [kg/s] within ``HOLE_MATCH``, or None where the
    asset's release has no jet or no hole up to the asset's own size gives the rate.
    ``term_of(hole_m)`` makes the source term of a hole. The hole is found from a probe
    hole, scaled by the square root of the rate ratio (flow through a hole goes with its
    area), at most ``HOLE_TRIES`` times.

    With ``largest``, a rate more than ``HOLE_MATCH`` above that of the largest hole the
    asset allows (``scenarios.release.largest_hole_m``) is None at once, the rate growing
    with the hole: a caller matching many rates (:func:`forecast_releases`, whose rates
    reach 1e4 kg/s) makes that hole's term once, where each such rate took two or three
    terms to be refused."""
    hole = PROBE_HOLE_M
    term = term_of(hole)
    if not term.jet_velocity_m_s:
        return None
    for i in range(HOLE_TRIES):
        got = matched_rate(term, method)
        if got <= 0:
            return None
        if abs(got / rate - 1.0) <= HOLE_MATCH:
            return term, hole
        if largest and i == 0 and rate > got:
            top = matched_rate(term_of(largest_hole_m(park, asset)), method)
            if rate > (1.0 + HOLE_MATCH) * top:
                return None
        hole *= math.sqrt(rate / got)
        try:
            check_release(park, asset, hole_diameter_m=hole)
        except ValueError:
            return None
        term = term_of(hole)
    return None


def forecast_releases(
    park: geodata.Park,
    asset: str,
    rates_kg_s,
    *,
    wind_speed_m_s: float,
    air_temperature_K: float,
    duration_s: float,
) -> tuple[np.ndarray, Release]:
    """The clouds the forecast draws for a leak of ``asset`` detected at each of
    ``rates_kg_s`` (the largest one-minute airborne rate) [kg/s], steady, as releases of
    the integral model: (rows, ``Release``), row k of the release a cloud of the leak at
    ``rates_kg_s[rows[k]]``; the concentrations of a rate's clouds add. ``asset`` may be
    a point of a pipeline ("P-1@250m": the pipeline's model).

    Per rate: the jet and its pool's evaporation (a flashing jet that rains out), the jet
    alone, or the rate as vapour at ``air_temperature_K`` [K] from the ground where no hole
    gives it (see the module docstring). ``wind_speed_m_s`` [m/s] sets the pool's
    evaporation, ``duration_s`` [s] the time the source term is followed: for an estimate,
    the detectors' averaging window (the pool grows: with the source followed over the
    forecast's hour, ``FORECAST_DURATION_S``, estimates of the demo park's NB-101 leaks
    came out 0.37-0.70x the rate of the first ten minutes, bench/estimate_geometry.py).
    """
    rates = np.asarray(rates_kg_s, dtype=float)
    asset = asset.rpartition("@")[0] or asset
    if asset not in park.tanks.index.union(park.pipelines.index):
        raise ValueError(f"{asset} is neither a tank nor a pipeline of the park")
    cache: dict[float, SourceTerm] = {}

    def term_of(hole_m):
        if hole_m not in cache:
            cache[hole_m] = source_term(
                park,
                asset,
                hole_diameter_m=hole_m,
                duration_s=duration_s,
                wind_speed_m_s=wind_speed_m_s,
                air_temperature_K=air_temperature_K,
            )
        return cache[hole_m]

    terms = [
        matching_term(park, asset, float(q), "gas detectors", term_of, largest=True) for q in rates
    ]
    sub = term_of(PROBE_HOLE_M).substance
    rows, releases = [], []
    for i, (q, matched) in enumerate(zip(rates, terms, strict=True)):
        if matched is None:
            parts = [release_clouds.hole_cloud(sub, q, temperature_K=air_temperature_K)]
        else:
            parts = continuous_releases(matched[0], steady=True)
            parts = [part[1] for part in parts if part[2] > 0] or [parts[0][1]]
        rows.extend([i] * len(parts))
        releases.extend(parts)
    return np.array(rows, dtype=int), stack_releases(releases)


def stack_releases(releases) -> Release:
    """One ``Release`` whose rows are those of ``releases`` (each one row), in order."""
    names = [f.name for f in fields(Release)]
    return Release(
        **{
            name: np.concatenate([np.ravel(getattr(r, name)).astype(float) for r in releases])
            for name in names
        }
    )


class TwinGeometry:
    """The twin's ``source_geometry`` (``twin.monitor.Twin``): :func:`forecast_releases` of
    ``park``, kept per (asset, rates, wind speed, air temperature, duration), so a twin
    started again (a drill seeking back) or a later tick in the same (rounded) weather
    reuses the clouds; None for an asset without a source model (neither a tank nor a
    pipeline of the park). The most recent `KEPT` are kept."""

    KEPT = 64  # the most recently used clouds kept (a live twin runs for months)

    def __init__(self, park: geodata.Park):
        self.park = park
        self._kept: OrderedDict[tuple, tuple[np.ndarray, Release] | None] = OrderedDict()

    def __call__(self, asset, rates_kg_s, wind_speed_m_s, air_temperature_K, duration_s):
        rates = np.asarray(rates_kg_s, dtype=float)
        key = (asset, rates.tobytes(), wind_speed_m_s, air_temperature_K, duration_s)
        if key in self._kept:
            self._kept.move_to_end(key)
            return self._kept[key]
        try:
            clouds = forecast_releases(
                self.park,
                asset,
                rates,
                wind_speed_m_s=wind_speed_m_s,
                air_temperature_K=air_temperature_K,
                duration_s=duration_s,
            )
        except ValueError:
            clouds = None
        self._kept[key] = clouds
        while len(self._kept) > self.KEPT:
            self._kept.popitem(last=False)
        return clouds
