"""Simulate from now: the engine started from the twin's present state, one run per
protective action, for the operator to compare.

What the run takes from where:

- the twin (``twin.Twin.snapshot`` now): the start time, the tanks' fill and temperature
  (``scenarios.twin_start.with_tank_state``), the people of the twin's headcounts (the design
  occupancy of the day or night where it has none), the wind and its Pasquill class and the
  air temperature, held through the run, unless the operator gives another wind;
- the confirmed leak: its asset and its latest estimated rate, turned into the hole that
  lets that rate out (an orifice's outflow goes with its area, so the diameter is scaled by
  the square root of the rates' ratio until the source term gives the rate within
  `RATE_MATCH`): for an estimate from gas detectors, the mean rate into the air over the
  detectors' averaging window (``twin.leak.LeakSettings.gas_window_s``) from the hole's
  opening (what they see is airborne, a flashing jet's share at first and then the pool's
  evaporation); for a mass balance, the rate out of the tank; the hole at the bottom of the
  tank; the release starts now (the cloud already out is not carried over);
- the plan (a scenario file: the park's response plan): the detection, the warnings, the
  brigade, the people's behaviour, the run's length and step; the decision is taken now
  (the leak is known, the operator decides), so its delay is zero.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from physics.meteorology import sun_elevation_deg
from scenarios.release import source_term
from scenarios.scenario_file import ReleaseSpec, Scenario, TwinSpec, WeatherSpec
from scenarios.twin_start import TwinStart
from twin.leak import LeakSettings

RATE_MATCH = 0.01  # the hole's rate within 1 % of the estimate
FIRST_HOLE_M = 0.01
MAX_TRIES = 5
ACTIONS = ("shelter", "evacuate")


@dataclass
class FromNow:
    """A scenario from now, the twin it starts from, and what was assumed (lines)."""

    scenario: Scenario
    start: TwinStart
    hole_m: float
    assumptions: list[str]


def _rate(term, airborne: bool) -> float:
    if not airborne:
        return float(term.outflow.rate_kg_s[0])
    window = LeakSettings().gas_window_s
    t, rate = term.times_s, term.airborne_kg_s
    inside = t <= window
    return float(np.trapezoid(rate[inside], t[inside]) / t[inside][-1])


def hole_for_rate(park, asset: str, rate_kg_s: float, airborne: bool, weather) -> float:
    """The hole [m] at the bottom of ``asset`` whose rate (into the air if ``airborne``, else
    out of the asset; see the module docstring) is ``rate_kg_s`` [kg/s], within `RATE_MATCH`.

    Raises ValueError when no hole that fits the asset gives it.
    """
    if not rate_kg_s > 0:
        raise ValueError(f"the estimated rate of {asset} is {rate_kg_s:.3g} kg/s: nothing leaks")
    hole = FIRST_HOLE_M
    for _ in range(MAX_TRIES):
        term = source_term(
            park,
            asset,
            hole_diameter_m=hole,
            duration_s=LeakSettings().gas_window_s,
            wind_speed_m_s=weather.wind_speed_m_s,
            air_temperature_K=weather.air_temperature_K,
        )
        got = _rate(term, airborne)
        if not got > 0:
            raise ValueError(f"a hole in {asset} lets nothing into the air")
        if abs(got / rate_kg_s - 1.0) <= RATE_MATCH:
            return hole
        hole *= math.sqrt(rate_kg_s / got)
    raise ValueError(
        f"no hole in {asset} gives {rate_kg_s:.3g} kg/s within {RATE_MATCH:.0%} "
        f"after {MAX_TRIES} tries"
    )


def from_now(
    plan: Scenario,
    park,
    snapshot,
    leak,
    wind: tuple[float, float] | None = None,
) -> FromNow:
    """The scenario of ``leak`` (a ``twin.leak.LeakEvent``, its rate the latest estimate)
    from ``snapshot`` (a ``twin.state.Snapshot``), with the plan of ``plan``; ``wind`` is
    (speed [m/s], from [deg]) to replace the measured wind.

    Raises ValueError (one line) when the twin has no wind or the leak cannot be made.
    """
    w = snapshot.weather
    measured = math.isfinite(w.wind_speed_m_s) and math.isfinite(w.wind_from_deg)
    if wind is None and not measured:
        raise ValueError("no wind measured yet: give a wind to simulate with")
    speed, wind_from = wind if wind is not None else (w.wind_speed_m_s, w.wind_from_deg)
    air_k = w.air_temperature_k if math.isfinite(w.air_temperature_k) else None
    stability = w.stability if w.stability in tuple("ABCDEF") else plan.weather.stability
    weather = WeatherSpec.model_validate(
        {
            "wind_speed": f"{max(speed, 0.5)} m/s",
            "wind_from": f"{wind_from % 360.0} deg",
            "stability": stability,
            "air_temperature": f"{air_k} K" if air_k else f"{plan.weather.air_temperature_K} K",
        }
    )
    airborne = leak.method == "gas detectors"
    hole = hole_for_rate(park, leak.asset, float(leak.rate_kg_s), airborne, weather)
    lon_lat = park.to_wgs84("boundary").union_all().centroid
    day = float(sun_elevation_deg(lon_lat.x, lon_lat.y, snapshot.t)) > 0
    population = plan.population.model_copy(
        update={"source": "twin", "headcounts": None, "period": "day" if day else "night"}
    )
    scenario = plan.with_changes(
        run=plan.run.model_copy(
            update={
                "name": f"{leak.asset} from now",
                "start": datetime.fromtimestamp(snapshot.t, UTC),
            }
        ),
        weather=weather,
        releases=(ReleaseSpec.model_validate({"asset": leak.asset, "hole": f"{hole} m"}),),
        detection=plan.detection.model_copy(update={"reported_s": 0.0}),
        response=plan.response.model_copy(update={"decision_delay_s": 0.0}),
        population=population,
        twin=TwinSpec(weather=False, state=True),
    )
    which = "into the air" if airborne else "out of the tank"
    bound = (
        " (the best fit; the readings only say at least "
        f"{min(leak.floor_kg_s, leak.rate_kg_s):.3f} kg/s: a detector reached the top of its range)"
        if getattr(leak, "lower_bound", False) and math.isfinite(leak.floor_kg_s)
        else ""
    )
    assumptions = [
        f"leak of {leak.asset}: {leak.rate_kg_s:.3f} kg/s {which} ({leak.method}){bound} "
        f"through a {hole * 1000:.1f} mm hole at the bottom, starting now",
        f"wind {weather.wind_speed_m_s:.1f} m/s from {weather.wind_from_deg:.0f} deg, class "
        f"{weather.stability}, "
        + ("given by the operator" if wind else "as measured now")
        + ", held through the run",
        "tanks as the twin measures them now",
        f"the decision is taken now; warnings, brigade and people's behaviour from the plan "
        f"{Path(plan.path).name if plan.path else '(given)'}",
    ]
    return FromNow(scenario, TwinStart(snapshot, []), hole, assumptions)
