"""The emergency engine: a leak, a cloud, a warning and a crowd in one SimPy environment.

The story of a run, one process each:

- the **release** starts at its time and runs until it is isolated (by the ESD valve at its
  time, or by the fire brigade); its rate follows the tank's head and inventory
  (``scenarios.release.source_term``), and isolation stops the outflow through the hole at
  that moment while the pool it fed goes on evaporating;
- the **weather** steps through its changes (or a met series);
- the **air** releases a puff per step at each source (one per cloud of
  ``scenarios.zones.Cloud``) and moves every puff along the wind of the moment, so a wind
  shift turns the cloud; the puffs carry the integral model's steady plume
  (``physics.integral_plume``, ``physics.plume_puffs``): each stands for the segment of it
  the model's cloud fills over its step, moves at the model's cloud speed and has its
  cross-section at every distance, so in a steady wind the engine's field is that plume
  from the source to the cloud's front, dense and passive alike, with no seam; a
  rupture's instantaneous mass is one puff whose step is the duration T of the short
  release it enters the model as (``physics.integral_plume.puff_as_segment``), so its
  field is the puff's of the zones and the QRA at every moment of its passage
  (``physics.puff_passage``), and the pool it rained out feeds a train of its own;
- the **detectors** read the field at their place and height through a first-order response
  (time constant T90 / ln 10) and raise the twin's graded alarms (``twin.alarms``): every
  combustible-gas detector reads a flammable gas in %LEL (``physics.flammability``), a
  toxic detector its own gas, each held inside its range (over range at the top,
  ``twin.transmitter``);
- the **control room** decides after its delay once an alarm at the trigger level comes in
  (or the leak is reported), warns every building after that building's own delay, and
  dispatches the **fire brigade** over the road graph, which isolates the leak or sets up a
  water curtain that takes a fraction of the vapour out of the puffs that cross it;
- the **people** (``scenarios.evacuation``) shelter or leave along the roads, and re-route
  when the **road watch** sees the cloud (now, or five minutes ahead) over a link, or when
  the **plan watch** closes an assembly point or gate inside the cloud or a fire's (or a
  possible fireball's) lethal range;
- the **people outside the park** (every target of the park's ``targets`` layer, a few
  receptor points each carrying a share of its population) shelter indoors once the
  warning reaches them;
- the **dose monitor** evaluates the concentration at every person in one vectorised call
  per step: people indoors breathe the building's air, which follows the outdoor air by
  dCi/dt = lambda (Co - Ci) (secondary references, Shelter in place: ASHRAE Fundamentals ch. 16),
  integrated exactly over a step with Co held, lambda each building's air change of the
  moment (``scenarios.shelter``: the LBL infiltration model with the wind and the
  indoor-outdoor temperature difference); outdoors people also receive the heat of a
  fire (buildings are taken to shield their occupants from radiation).

SimPy decides, numpy computes.

Simplifications, stated with every result: a continuous release's puffs carry the integral
model's steady plume of the leak's largest one-minute rate in the weather of the moment
(its wind speed rounded by at most 1 %, the air temperature to 0.5 degC: ``plume_weather``),
scaled linearly to what each step released (a flashing jet that rains out feeds two
trains, the jet's and the pool's, each carrying its own plume, superposed:
``scenarios.zones.Cloud``); after a change of the weather every puff takes the new
weather's plume at the distance it has travelled; a rupture's puff is the integral
model's short segment of its mass (a cube of the cloud carried past in T = side / wind
speed, entered as M / T over its section lasting T), one cloud with its middle's
cross-section all along it, slumping along the wind as well as across it
(``physics.integral_plume``, ``puff``), and its middle is taken at the source until it
has left it; the pool it
rained out is a continuous release from its largest area; once a release burns it no
longer feeds the cloud.
"""

import gc
import math
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import NamedTuple

import networkx as nx
import numpy as np
import pandas as pd
import simpy

import twin
from geodata.grids import sample_area
from physics import dispersion, fire, harm, plume_puffs, substances
from physics.flammability import percent_lel
from physics.meteorology import air_density
from scenarios import shelter, twin_start
from scenarios.evacuation import Evacuation
from scenarios.network_flow import FlowNetwork, park_places
from scenarios.people import Lognormal, make_population, park_occupants, twin_occupants
from scenarios.release import SourceTerm, check_release, source_term
from scenarios.scenario_file import Scenario, ScenarioError, WindChange
from scenarios.twin_start import TwinStart
from scenarios.zones import Cloud, Weather
from twin.alarms import AlarmBoard
from twin.leak import TEMPERATURE_STEP_K
from twin.park import roughness_m as park_roughness_m
from twin.readings import Reading
from twin.state import ParkModel, gas_kg_m3
from twin.transmitter import transmit

FORECAST_S = 300.0  # the road watch looks this far ahead with the wind of the moment
ROAD_WATCH_S = 60.0  # how often the control room checks the roads against the cloud
ROAD_SPACING_M = 20.0  # sample spacing along links for the road watch
FAR_M = 20_000.0  # puffs this far from the park centre have left the model
AEGL_DURATION_S = 3600.0  # levels compared with peaks, as the threat zones do (ALOHA)
# Our threshold (no source): assembly points and gates where someone standing through a
# fire (or a possible fireball) would die with this probability or more are closed.
PLAN_P_DEATH = 0.01
CLOUD_FRAME_S = 60.0  # how often the cloud is sampled on a grid for the map
CLOUD_FRAME_CELLS = 64  # grid nodes along the longer side of a cloud frame
CLOUD_FRAME_MARGIN = 1.2  # puffs overlap: a frame reaches a little past each puff's own reach
# The integral model's plume is tabulated this far for the puffs (past FAR_M from anywhere
# in a park)
PLUME_TABLE_M = 2.0 * FAR_M
# The leak's plume tables depend on the weather through its wind speed, class, air
# temperature, humidity, roughness, terrain and averaging time, not on where the wind blows
# from; a recorded wind changes every minute, and each new table is a march of the integral
# model (0.03-0.07 s). Wind speed and air temperature are rounded before the march so that
# weather that rounds the same reuses one (`plume_weather`): the wind to a step of
# WIND_STEP_M_S, halved until it is at most WIND_STEP_SHARE of the wind (0.1 m/s from
# 5 m/s up, 0.05 m/s from 2.5 m/s, 0.025 m/s from 1.25 m/s, ...): at most 1 % off, and a
# wind given to 0.1 m/s is kept as it is; the air to TEMPERATURE_STEP_K in degC (the step
# the twin's leak estimate rounds it to, ``twin.leak``): a temperature given to 0.5 degC is
# kept. Where the wind is rounded by the full 1 %, the field moved by up to 3.7 % (the
# flanks of a chlorine jet in F 1.26 m/s), the tested tolerance being 4 %
# (tests/test_engine_cloud_cache.py); a step of up to 2 % of the wind moved it by up to 7 %.
WIND_STEP_M_S = 0.1
WIND_STEP_SHARE = 0.02
ZERO_CELSIUS_K = 273.15
PROGRESS_STEPS = 50  # how often a run with a progress callback reports
# Cyclic garbage collection while a run goes on: at least this many allocations between
# young collections, and this many young (middle) collections between middle (full) ones.
GC_THRESHOLDS = (10_000, 50, 1000)
_gc_lock = threading.Lock()
_gc_runs = [0, None]  # runs going on in this process, thresholds before the first


@contextmanager
def _spaced_collections():
    """Python's cyclic garbage collector scans the live objects of a generation on each of
    its collections; a run of 100,000 people holds millions (their processes, events and
    trajectories) and makes little cyclic garbage, so collections are spaced out while
    runs go on (they took a third of the processor time at 100,000 people) and the
    process's thresholds are restored when the last run ends."""
    with _gc_lock:
        if _gc_runs[0] == 0:
            _gc_runs[1] = gc.get_threshold()
            gc.set_threshold(*(max(a, b) for a, b in zip(_gc_runs[1], GC_THRESHOLDS, strict=True)))
        _gc_runs[0] += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_runs[0] -= 1
            if _gc_runs[0] == 0:
                gc.set_threshold(*_gc_runs[1])


def plume_weather(weather: Weather) -> Weather:
    """The weather a leak's plume tables are marched in: ``weather`` with its wind speed and
    air temperature rounded (`WIND_STEP_M_S`, `TEMPERATURE_STEP_K`) and the wind's
    direction, which the tables do not depend on, set to 0."""
    u = weather.wind_speed_m_s
    halvings = max(0, math.ceil(math.log2(WIND_STEP_M_S / (WIND_STEP_SHARE * u))))
    per_m_s = 2**halvings / WIND_STEP_M_S
    celsius = weather.air_temperature_K - ZERO_CELSIUS_K
    air = round(celsius / TEMPERATURE_STEP_K) * TEMPERATURE_STEP_K + ZERO_CELSIUS_K
    return replace(
        weather,
        wind_speed_m_s=round(u * per_m_s) / per_m_s,
        wind_from_deg=0.0,
        air_temperature_K=air,
    )


@dataclass
class Leak:
    """One release: its spec, where it is, its source term and its puffs."""

    spec: object
    xy: tuple[float, float]
    term: SourceTerm
    isolated_s: float | None = None  # from the scenario start
    ignited_s: float | None = None
    puffs: dispersion.PuffState = field(default_factory=dispersion.PuffState.empty)
    crossed: np.ndarray = field(default_factory=lambda: np.zeros(0, bool))
    part: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))  # cloud per puff
    emitted_kg: float = 0.0
    hole_m: float | None = None
    isolate: object = None  # the SimPy event that isolates it, once it has started

    def _cumulative(self, t_rel):
        """Mass put into the air between the release start and ``t_rel`` [kg] (a rupture's
        instantaneous mass goes in just after the start)."""
        term = self.term
        t = np.clip(t_rel, 0.0, term.times_s[-1])
        steps = np.diff(term.times_s) * 0.5 * (term.airborne_kg_s[1:] + term.airborne_kg_s[:-1])
        cum = np.concatenate([[0.0], np.cumsum(steps)])
        return float(np.interp(t, term.times_s, cum)) + (
            term.instantaneous_kg if t_rel > 0 else 0.0
        )

    def airborne_between(self, t0, t1) -> float:
        """Mass put into the air between scenario times ``t0`` and ``t1`` [kg]. Once the
        release burns, it no longer feeds the cloud."""
        if self.ignited_s is not None:
            t1 = min(t1, self.ignited_s)
        if t1 <= t0:
            return 0.0
        start = self.spec.start_s
        return self._cumulative(t1 - start) - self._cumulative(t0 - start)

    def outflow_kg_s(self, t) -> float:
        """Rate out of the hole at scenario time ``t``. [kg/s]"""
        if self.ignited_s is not None and t >= self.ignited_s and self.spec.fire == "fireball":
            return 0.0  # the vessel has burst
        o = self.term.outflow
        return float(np.interp(t - self.spec.start_s, o.times_s, o.rate_kg_s, left=0.0, right=0.0))

    def airborne_kg_s(self, t) -> float:
        """Rate into the cloud at scenario time ``t`` (zero once burning). [kg/s]"""
        if self.ignited_s is not None and t >= self.ignited_s:
            return 0.0
        return self._airborne(t)

    def _airborne(self, t) -> float:
        term = self.term
        return float(
            np.interp(t - self.spec.start_s, term.times_s, term.airborne_kg_s, left=0.0, right=0.0)
        )

    def part_kg_s(self, name: str, t) -> float:
        """Rate into the cloud part ``name`` of ``scenarios.zones.Cloud`` at scenario time
        ``t``: the jet's or the pool's of a release with two clouds, none into a rupture's
        puff (its mass goes in at once), else the whole airborne rate (zero once
        burning). [kg/s]"""
        term = self.term
        if name == "puff":
            return 0.0
        if not term.two_clouds or name not in ("jet", "pool"):
            return self.airborne_kg_s(t)
        if self.ignited_s is not None and t >= self.ignited_s:
            return 0.0
        rate = term.jet_kg_s if name == "jet" else term.pool_kg_s()
        return float(np.interp(t - self.spec.start_s, term.times_s, rate, left=0.0, right=0.0))

    def parts_between(self, names, t0, t1) -> list[float]:
        """Mass put into the air between scenario times ``t0`` and ``t1`` [kg], shared
        among the clouds ``names`` of ``scenarios.zones.Cloud``: the jet's and the pool's of
        a release with two clouds, in proportion to what each received over the step; a
        rupture's instantaneous mass to its "puff" (in the step holding its start) and the
        evaporation of the pool it rained out to its "pool"."""
        total = self.airborne_between(t0, t1)
        if self.term.instantaneous_kg > 0:
            end = t1 if self.ignited_s is None else min(t1, self.ignited_s)
            start = self.spec.start_s
            puff = self.term.instantaneous_kg if t0 - start <= 0.0 < end - start else 0.0
            shares = {"puff": puff, "pool": max(total - puff, 0.0)}
            return [shares.get(name, 0.0) for name in names]
        if len(names) == 1 or total <= 0:
            return [total] + [0.0] * (len(names) - 1)
        term = self.term
        if self.ignited_s is not None:
            t1 = min(t1, self.ignited_s)
        a, b = np.clip([t0 - self.spec.start_s, t1 - self.spec.start_s], 0.0, term.times_s[-1])
        shares = []
        for name in names:
            rate = term.jet_kg_s if name == "jet" else term.pool_kg_s()
            cum = np.concatenate(
                [[0.0], np.cumsum(np.diff(term.times_s) * 0.5 * (rate[1:] + rate[:-1]))]
            )
            shares.append(max(float(np.diff(np.interp([a, b], term.times_s, cum))[0]), 0.0))
        whole = sum(shares)
        if whole <= 0:
            return [total] + [0.0] * (len(names) - 1)
        return [total * v / whole for v in shares]


class Train(NamedTuple):
    """The puffs of one cloud of a leak (``Engine._cloud``): the cloud's name in
    ``scenarios.zones.Cloud``, its plume per kg/s of its rate (``physics.plume_puffs``) and
    the step [s] each of its puffs stands for: the engine's step for a continuous
    release, the segment's duration T for a rupture's puff."""

    name: str
    table: plume_puffs.PlumeTable
    step_s: float


@dataclass
class Fire:
    kind: str
    xy: tuple[float, float]
    start_s: float
    end_s: float
    flux: object  # distance [m] -> W/m2


class Engine:
    """One run of a scenario.

    Parameters
    ----------
    scenario : Scenario
        From ``scenarios.scenario_file.load``.
    park : geodata.Park, optional
        Loaded park (``twin.load_park(scenario.run.park)`` if not given).
    action : str, optional
        Overrides the scenario's protective action ("evacuate", "shelter", "by_zone").
    draws : dict, optional
        Ensemble draws: ``wind_from_offset_deg``, ``wind_speed_factor``, ``hole_m`` and
        ``seed`` (see ``scenarios.ensemble``).
    start : TwinStart, optional
        The twin at the start, when the caller holds it (a live twin, see
        ``scenarios.simulate_now``); by default the scenario's ``[twin]`` recording is
        replayed to find it.
    cloud_frames : bool, default True
        Sample the cloud on a grid every minute for the maps (``ScenarioResult.cloud``);
        an ensemble member, which keeps only its key figures, goes without (its ``cloud``
        is empty: not computed).
    """

    def __init__(
        self,
        scenario: Scenario,
        park=None,
        action: str | None = None,
        draws=None,
        start: TwinStart | None = None,
        cloud_frames: bool = True,
    ):
        draws = draws or {}
        self.sc = scenario
        self.park = park if park is not None else twin.load_park(scenario.run.park)
        given = scenario.weather.roughness_m
        self.roughness_m = park_roughness_m(self.park) if given is None else given
        self.env = simpy.Environment()
        self.dt = scenario.run.step_s
        self.seed = int(draws.get("seed", scenario.run.seed))
        self.action = action or scenario.response.action
        if self.action not in ("evacuate", "shelter", "by_zone"):
            raise ScenarioError(f"action must be evacuate, shelter or by_zone, got {self.action!r}")
        if self.action == "by_zone" and scenario.response.zone_radius_m is None:
            raise ScenarioError(f"{scenario.path}: response.zone_radius: needed for 'by_zone'")
        for spec in scenario.releases:  # bad input is one line before any long work
            if spec.asset not in self.park.tanks.index.union(self.park.pipelines.index):
                raise ScenarioError(
                    f"{scenario.path}: release.asset: expected a tank or pipeline id of the "
                    f"park, got {spec.asset!r}"
                )
            try:
                check_release(
                    self.park,
                    spec.asset,
                    hole_diameter_m=None if spec.hole_m is None else spec.hole_m[1],
                    rupture=spec.rupture,
                    hole_height_m=spec.height_m,
                )
            except ValueError as e:
                raise ScenarioError(f"{scenario.path}: release.{spec.asset}: {e}") from None
        if scenario.population.source == "twin" and scenario.twin is None and start is None:
            raise ScenarioError(
                f"{scenario.path}: population.from: 'twin' needs a [twin] section (the "
                "recording whose headcounts the people start from)"
            )
        self.rng = np.random.default_rng(self.seed)
        self._wind_offset = float(draws.get("wind_from_offset_deg", 0.0))
        self._wind_factor = float(draws.get("wind_speed_factor", 1.0))
        self.twin_start = self._from_twin(start)
        self.changes = self._wind_changes()
        self.air_temperature_K = scenario.weather.air_temperature_K
        if self.twin_start is not None and scenario.twin.weather:
            recorded = self.twin_start.snapshot.weather.air_temperature_k
            self.air_temperature_K = recorded if recorded > 0 else self.air_temperature_K
        self.weather = self._weather_at(0)
        self.events: list[tuple[float, str]] = []
        self.leaks = [self._leak(r, draws.get("hole_m")) for r in scenario.releases]
        cas = {leak.term.substance.property_cas for leak in self.leaks}
        if len(cas) > 1:
            raise ScenarioError(f"{scenario.path}: release: all releases must hold one chemical")
        self.cas = cas.pop()
        self.molar_mass = self.leaks[0].term.substance.molar_mass_kg_mol
        self.levels = self._levels()
        self._probit = self._has_probit()
        self.fires: list[Fire] = []
        self._clouds: dict[tuple, list[tuple]] = {}
        self._air: dict[tuple, np.ndarray] = {}  # (buildings, wind, temperature) -> air change
        self._setup_people()
        self._setup_offsite()
        self._setup_detectors()
        self.alarmed = self.env.event()
        self.decided_s = math.nan
        self.warned_s: dict[str, float] = {}
        self.curtain_s = math.nan
        self.brigade_s = math.nan
        self.timeline: list[dict] = []
        self.building_c: list[np.ndarray] = []
        self.target_c: list[np.ndarray] = []
        self.cloud_frames: list[tuple] = []
        self._next_frame_s = 0.0 if cloud_frames else math.inf
        self.target_xy = np.array(
            [(g.x, g.y) for g in self.park.targets.geometry.representative_point()]
        ).reshape(-1, 2)
        self.plan_closed: list[dict] = []
        self.env.process(self.weather_process())
        for leak in self.leaks:
            self.env.process(self.release(leak))
        self.env.process(self.air())
        self.env.process(self.detectors())
        self.env.process(self.control_room())
        if scenario.response.esd_isolation_s is not None:
            self.env.process(self.esd())
        if scenario.response.block_level != "none":
            self.env.process(self.road_watch())
        self.env.process(self.dose_monitor())

    # --- set-up ------------------------------------------------------------------------

    def _from_twin(self, start: TwinStart | None) -> TwinStart | None:
        """Replay the twin's recording (unless ``start`` is given); the park's tanks take
        its state at the start."""
        spec = self.sc.twin
        if spec is None:
            return start
        if start is None:
            path = twin_start.recording_path(spec.recording, self.sc.path)
            try:
                start = twin_start.replay(
                    self.park, path, self.sc.run.start.timestamp(), self.sc.run.duration_s
                )
            except (OSError, ValueError) as e:
                raise ScenarioError(f"{self.sc.path}: twin.recording: {e}") from None
        if spec.state:
            self.park = twin_start.with_tank_state(self.park, start.snapshot)
        return start

    def log(self, what: str):
        self.events.append((float(self.env.now), what))

    def _weather_at(self, t: float) -> Weather:
        w = self.sc.weather
        speed, wind_from, stab = w.wind_speed_m_s, w.wind_from_deg, w.stability
        for ch in self.changes:
            if ch.at_s <= t:
                speed = ch.wind_speed_m_s or speed
                wind_from = wind_from if ch.wind_from_deg is None else ch.wind_from_deg
                stab = ch.stability or stab
        return Weather(
            speed * self._wind_factor,
            (wind_from + self._wind_offset) % 360.0,
            stab,
            self.air_temperature_K,
            w.terrain,
            w.relative_humidity,
            self.roughness_m,
            obukhov_length_m=math.nan if w.obukhov_length_m is None else w.obukhov_length_m,
            mixing_height_m=math.nan if w.mixing_height_m is None else w.mixing_height_m,
        )

    def _wind_changes(self) -> list[WindChange]:
        """The wind's changes in time order: the twin's recorded weather, a series file
        (time_s, wind_speed_m_s, wind_from_deg, stability) or the scenario's list."""
        w = self.sc.weather
        if self.twin_start is not None and self.sc.twin.weather:
            rows = [
                (t, s.wind_speed_m_s, s.wind_from_deg, s.stability)
                for t, s in self.twin_start.weather
                if s.wind_speed_m_s > 0
            ]
        elif w.series is not None:
            path = Path(w.series)
            if not path.is_absolute() and self.sc.path:
                path = Path(self.sc.path).parent / path
            columns = ["time_s", "wind_speed_m_s", "wind_from_deg", "stability"]
            rows = pd.read_csv(path)[columns].itertuples(index=False)
        else:
            return sorted(w.changes, key=lambda c: c.at_s)
        changes = [
            WindChange.model_construct(
                at_s=float(t), wind_speed_m_s=float(u), wind_from_deg=float(d), stability=str(c)
            )
            for t, u, d, c in rows
        ]
        return sorted(changes, key=lambda c: c.at_s)

    def _source_xy(self, spec) -> tuple[float, float]:
        park = self.park
        if spec.asset in park.tanks.index:
            p = park.tanks.geometry[spec.asset].centroid
            return (float(p.x), float(p.y))
        line = park.pipelines.geometry[spec.asset]
        if spec.chainage_m is None:
            p = line.interpolate(0.5, normalized=True)
        elif spec.chainage_m <= line.length:
            p = line.interpolate(spec.chainage_m)
        else:
            raise ScenarioError(
                f"{self.sc.path}: release.chainage: expected at most the length of "
                f"{spec.asset} ({line.length:.0f} m), got {spec.chainage_m:g} m"
            )
        return (float(p.x), float(p.y))

    def _term(self, spec, hole_m, isolation_rel=None) -> SourceTerm:
        w = self.weather
        try:
            return source_term(
                self.park,
                spec.asset,
                hole_diameter_m=hole_m,
                rupture=spec.rupture,
                hole_height_m=spec.height_m,
                duration_s=max(self.sc.run.duration_s - spec.start_s, self.dt),
                wind_speed_m_s=w.wind_speed_m_s,
                air_temperature_K=w.air_temperature_K,
                # until isolated, the pumped flow of a line goes on to the end of the run
                isolation_s=self.sc.run.duration_s if isolation_rel is None else isolation_rel,
            )
        except ValueError as e:
            raise ScenarioError(f"{self.sc.path}: release.{spec.asset}: {e}") from None

    def _leak(self, spec, hole_override) -> Leak:
        hole = None if spec.rupture else (hole_override or spec.hole_diameter_m)
        # The ESD time is known from the start: follow the release it leaves from the
        # beginning (a line's source term counts the pumped flow up to isolation in its
        # inventory). An isolation by the brigade recomputes the term when it happens.
        esd = self.sc.response.esd_isolation_s
        first = min(r.start_s for r in self.sc.releases)
        planned = None if esd is None else max(first + esd - spec.start_s, 0.0)
        return Leak(spec, self._source_xy(spec), self._term(spec, hole, planned), hole_m=hole)

    def _levels(self) -> tuple[tuple[str, ...], np.ndarray]:
        """Levels of concern for the cloud: AEGL tiers (60 min), else LFL and 60 % LFL."""
        try:
            lv = harm.toxic_levels(self.cas, AEGL_DURATION_S, self.molar_mass)
            return lv.names, np.asarray(lv.kg_m3, float)
        except (ValueError, KeyError):
            sub = self.leaks[0].term.substance
            if sub.lfl_fraction:
                return ("60% LFL", "LFL"), harm.flammable_levels(sub.lfl_fraction, self.molar_mass)[
                    ::-1
                ]
            return (), np.zeros(0)

    def _has_probit(self) -> bool:
        return harm.toxic_probit_row(self.cas, self.sc.run.probit) is not None

    def level(self, name: str) -> float:
        names, values = self.levels
        return float(values[names.index(name)]) if name in names else math.nan

    def _setup_people(self):
        sc, park = self.sc, self.park
        pop_spec = sc.population
        buildings, dests = park_places(park, destinations=pop_spec.destinations)
        ids = {b.id for b in buildings}
        if pop_spec.headcounts is not None:
            unknown = [b for b in pop_spec.headcounts if b not in park.buildings.index]
            if unknown:
                raise ScenarioError(
                    f"{sc.path}: population.headcounts: expected building ids of the park, "
                    f"got {unknown[0]!r}"
                )
            occupants = {b: round(n * pop_spec.scale) for b, n in pop_spec.headcounts.items()}
            self.population_source = "the scenario's headcounts"
        elif pop_spec.source == "twin":
            occupants, self.population_source = twin_occupants(
                park, self.twin_start.snapshot.people, pop_spec.period, pop_spec.scale
            )
        else:
            occupants = park_occupants(park, pop_spec.period, pop_spec.scale)
            self.population_source = f"design occupancy ({pop_spec.period})"
        self.log(f"people start from {self.population_source}")
        self.left_out = sum(n for b, n in occupants.items() if b not in ids)
        occupants = {b: n for b, n in occupants.items() if b in ids and n > 0}
        pop = make_population(
            occupants,
            Lognormal(pop_spec.premovement_median_s, pop_spec.premovement_sigma),
            self.seed,
            drive_fraction=pop_spec.drive_fraction,
        )
        self.network = FlowNetwork(park.network.graph, park.network.nodes_xy)
        self.places = {b.id: b for b in buildings}
        self.evac = Evacuation(self.env, self.network, buildings, dests, pop)
        self.pop = pop
        n = len(pop)
        self.building_xy = np.array([self.places[b].xy for b in pop.building_ids]).reshape(-1, 2)
        b = park.buildings.reindex(pop.building_ids)
        self.building_air = shelter.building_air(
            b["use"],
            b["storeys"],
            b["air_changes_per_h"],
            b["leakage_m3_h_m2"],
            level=pop_spec.leakage,
            shelter_class=pop_spec.shelter_class,
            indoor_K=pop_spec.indoor_temperature_K,
            override_per_s=pop_spec.air_changes_per_s,
        )
        self.air_change_s = self._air_changes(self.building_air)
        self.air_change_sum = np.zeros(len(pop.building_ids))
        self.indoor_c = np.zeros(len(pop.building_ids))
        self.outdoor_peak_b = np.zeros(len(pop.building_ids))
        self.indoor_peak_b = np.zeros(len(pop.building_ids))
        self.peak = np.zeros(n)
        self.dose = np.zeros(n)  # integral of C dt [kg s/m3]
        self.load = np.zeros(n)  # toxic load in the probit's units
        self.thermal = np.zeros(n)  # sum of q^(4/3) dt [(W/m2)^(4/3) s]
        self._road_pts, self._road_links = self.network.sample_points(ROAD_SPACING_M)
        self._centre = np.asarray(park.network.nodes_xy, float).mean(axis=0)

    def _air_changes(self, air: shelter.BuildingAir) -> np.ndarray:
        """Each building's air change [1/s] in the weather of the moment, worked out once
        per weather (it changes only with the wind and the temperature); read-only."""
        w = self.weather
        key = (id(air), w.wind_speed_m_s, w.air_temperature_K)
        if key not in self._air:
            rate = air.rate_per_s(w.wind_speed_m_s, w.air_temperature_K)
            rate.flags.writeable = False
            self._air[key] = rate
        return self._air[key]

    def _setup_offsite(self):
        """Every target outside the park as a few receptor points, each carrying an equal
        share of its population, sheltering indoors once warned."""
        sc, targets = self.sc, self.park.targets
        column = f"population_{sc.population.period}"
        missing = targets.index[~(targets[column] >= 0)] if len(targets) else []
        if len(missing):
            raise ScenarioError(
                f"{sc.run.park}: targets.{missing[0]}: {column}: expected a head count >= 0"
            )
        points, owner, share = [], [], []
        for k, (geom, n) in enumerate(zip(targets.geometry, targets[column], strict=True)):
            pts = sample_area(geom, sc.offsite.receptors)
            points.append(pts)
            owner += [k] * len(pts)
            share += [float(n) * sc.population.scale / len(pts)] * len(pts)
        self.off_ids = [str(t) for t in targets.index]
        self.off_xy = np.concatenate(points) if points else np.zeros((0, 2))
        self.off_target = np.asarray(owner, dtype=np.int64)
        self.off_share = np.asarray(share, float)
        storeys = targets["storeys"].astype(float).fillna(shelter.TARGET_STOREYS)
        self.off_air = shelter.building_air(
            targets["kind"],
            storeys,
            targets["air_changes_per_h"],
            targets["leakage_m3_h_m2"],
            level=sc.population.leakage,
            shelter_class=sc.population.shelter_class,
            indoor_K=sc.population.indoor_temperature_K,
        )
        m, nt = len(self.off_xy), len(self.off_ids)
        self.off_warned = np.zeros(nt, bool)
        self.off_warned_s = np.full(nt, np.nan)
        self.off_air_sum = np.zeros(nt)
        self.off_in = np.zeros(m)  # indoor concentration [kg/m3]
        # two groups at each point: indoors all along, and outdoors until warned
        self.off_peak = np.zeros((2, m))
        self.off_out_peak = np.zeros(m)
        self.off_load = np.zeros((2, m))
        self.off_thermal = np.zeros(m)  # the outdoor group, until warned

    def offsite_warning(self, k: int, delay: float):
        """The warning reaches target ``k`` after its delay: everyone shelters indoors."""
        yield self.env.timeout(delay)
        self.off_warned[k] = True
        self.off_warned_s[k] = float(self.env.now)
        self.log(f"warning reaches {self.off_ids[k]} (outside the park): shelter indoors")

    def _setup_detectors(self):
        """The detectors that see the released gas: every combustible-gas detector when the
        gas is flammable (it reads %LEL of the gas present, Le Chatelier, whatever gas it is
        named for), and the toxic detectors of that gas."""
        det = self.sc.detection
        model = ParkModel.from_park(self.park)
        if det.sensors != "all":
            missing = set(det.sensors) - {ch.tag for ch in model.channels.values()}
            if missing:
                raise ScenarioError(
                    f"{self.sc.path}: detection.sensors: expected sensor tags of the park, "
                    f"got {sorted(missing)[0]!r}"
                )
        gas = self.leaks[0].term.substance
        t = self.weather.air_temperature_K
        mol_m3 = 101325.0 / (substances.R_GAS * t)  # moles of air per m3
        chans, per_kg_m3 = [], []
        for ch in model.channels.values():
            if det.sensors != "all" and ch.tag not in det.sensors:
                continue
            if ch.kind == "gas_combustible" and gas.flammable:
                fraction = 1.0 / (mol_m3 * gas.molar_mass_kg_mol)  # volume fraction per kg/m3
                per_kg_m3.append(float(percent_lel([fraction], [gas.lfl_fraction])))
            elif ch.kind == "gas_toxic" and substances.lookup(ch.cas).property_cas == self.cas:
                per_kg_m3.append(1.0 / float(gas_kg_m3(1.0, ch.unit, ch.cas, t)))
            else:
                continue
            chans.append(ch)
        self.board = AlarmBoard()
        self.board.attach(chans)
        self.channels = chans
        self.sensor_xyz = np.array([(ch.x, ch.y, ch.z) for ch in chans], float).reshape(-1, 3)
        self.sensor_per_kg_m3 = np.array(per_kg_m3, float)
        self.sensor_range = np.array([(ch.range_low, ch.range_high) for ch in chans], float)
        self.sensor_range = self.sensor_range.reshape(-1, 2)
        self.sensor_c = np.zeros(len(chans))
        self.sensor_over = np.zeros(len(chans), bool)
        self.epoch = self.sc.run.start.timestamp()
        comb = [ch for ch in chans if ch.kind == "gas_combustible"]
        other = sum(substances.lookup(ch.cas).property_cas != self.cas for ch in comb)
        if comb:
            self.log(
                f"{len(comb)} combustible-gas detectors read {gas.name} in %LEL of its LFL "
                f"({gas.lfl_fraction * 100:g} vol%); {other} of them are calibrated for "
                "another gas and read it with a response factor of 1 (none sourced)"
            )

    # --- the field ---------------------------------------------------------------------

    def _cloud(self, leak: Leak, weather=None) -> list[Train]:
        """The leak's clouds in the weather of the moment, a ``Train`` per cloud of
        ``scenarios.zones.Cloud`` (the jet's and the pool's of a flashing jet that rains
        out; a rupture's puff and the pool it rained out): the integral model's steady
        plume of the part, tabulated per kg/s of its rate
        (``physics.plume_puffs.plume_table``), which the leak's puffs of that part carry;
        a continuous part at its largest one-minute rate, with a puff per step; a
        rupture's puff as the short segment of ``physics.integral_plume.puff_as_segment``
        (M / T lasting T), one puff with a step of T carrying the steady centre
        concentration (its window gives the finite-duration factor,
        ``physics.puff_passage``). None for a leak that puts nothing into the air.
        ``weather``: another than the moment's. Marched in ``plume_weather(weather)``, once
        for all the weather that rounds the same."""
        weather = plume_weather(self.weather if weather is None else weather)
        key = (id(leak), weather, leak.isolated_s, leak.ignited_s)
        if key not in self._clouds:
            trains = []
            term = leak.term
            if term.instantaneous_kg > 0 or term.max_average_rate() > 0:
                cloud = Cloud(term, weather, x_max_m=PLUME_TABLE_M, steady=True)
                for part in cloud.parts:
                    if part.rate > 0:
                        puff = part.name == "puff"
                        table = plume_puffs.plume_table(
                            part.plume, part.rate, PLUME_TABLE_M, steady=puff
                        )
                        trains.append(Train(part.name, table, part.duration_s if puff else self.dt))
            self._clouds[key] = trains
        return self._clouds[key]

    def concentration(self, xy: np.ndarray, z=0.0, puffs=None) -> np.ndarray:
        """Concentration [kg/m3] at points ``xy`` (m, 2) and height ``z`` now."""
        xy = np.asarray(xy, float).reshape(-1, 2)
        out = np.zeros(len(xy))
        w = self.weather
        zz = np.broadcast_to(np.asarray(z, float), (len(xy),))
        for k, leak in enumerate(self.leaks):
            state = leak.puffs if puffs is None else puffs[k]
            if not state.mass.size:
                continue
            for j, (_, table, step) in enumerate(self._cloud(leak)):
                mine = leak.part == j
                if not mine.any():
                    continue
                p = dispersion.PuffState(*(a[mine] for a in state))
                last, wide = plume_puffs.extent(table, p.travel, step)
                reach = np.maximum(last - p.travel, wide)
                near = self._inside_box(xy, p, reach)
                if near.any():
                    out[near] += plume_puffs.concentration(
                        table, p.x, p.y, p.travel, p.mass, step, w.wind_from_deg,
                        xy[near, 0], xy[near, 1], zz[near],
                    )  # fmt: skip
        return out

    @staticmethod
    def _inside_box(xy, state, reach) -> np.ndarray:
        """Receptors inside the box of every puff's reach [m]."""
        lo = np.array([np.min(state.x - reach), np.min(state.y - reach)])
        hi = np.array([np.max(state.x + reach), np.max(state.y + reach)])
        return np.all((xy >= lo) & (xy <= hi), axis=1)

    def _moved(self, leak: Leak, state, dt: float, weather=None):
        """The leak's puffs after ``dt`` [s] in the wind of the moment: at the integral
        model's cloud speed of each one's cloud along their path
        (``physics.plume_puffs.travel_after``); ``weather``: another than the moment's."""
        w = self.weather if weather is None else weather
        if not state.mass.size:
            return state
        travel = state.travel.copy()
        for j, (_, table, _) in enumerate(self._cloud(leak, w)):
            mine = leak.part == j
            travel[mine] = plume_puffs.travel_after(table, state.travel[mine], dt)
        theta = math.radians(w.wind_from_deg)
        step = travel - state.travel
        return dispersion.PuffState(
            state.x - step * math.sin(theta),
            state.y - step * math.cos(theta),
            travel,
            state.mass.copy(),
        )

    def concentration_at_each(self, xy: np.ndarray) -> np.ndarray:
        """``concentration(xy)``, evaluated once per distinct point: people who stand
        together (in a queue, at an assembly point) share a position, and the field at a
        point does not depend on the other points evaluated with it."""
        xy = np.ascontiguousarray(xy, dtype=float).reshape(-1, 2)
        codes, points = pd.factorize(xy.view(np.complex128).ravel())
        return self.concentration(points.view(np.float64).reshape(-1, 2))[codes]

    # --- the processes -----------------------------------------------------------------

    def weather_process(self):
        """The wind of the moment, through the scenario's changes."""
        for ch in self.changes:
            if ch.at_s > self.env.now:
                yield self.env.timeout(ch.at_s - self.env.now)
            self.weather = self._weather_at(self.env.now)
            w = self.weather
            if self.twin_start is not None and self.sc.twin.weather:
                continue  # the recorded wind changes every minute: the timeline has it
            self.log(
                f"wind {w.wind_speed_m_s:.1f} m/s from {w.wind_from_deg:.0f} deg, "
                f"class {w.stability}"
            )

    def release(self, leak: Leak):
        """A leak starts, may ignite, and runs until it is isolated."""
        spec = leak.spec
        yield self.env.timeout(spec.start_s)
        what = "rupture" if spec.rupture else f"{leak.hole_m * 1000:.3g} mm hole"
        self.log(f"release from {spec.asset} ({what}): {leak.term.model}")
        if spec.fire != "none":
            self.env.process(self.ignition(leak))
        leak.isolate = self.env.event()
        yield leak.isolate
        leak.isolated_s = float(self.env.now)
        leak.term = self._term(spec, leak.hole_m, self.env.now - spec.start_s)
        if spec.asset in self.park.tanks.index:
            self.log(f"{spec.asset} isolated: the outflow stops, the pool goes on evaporating")
        else:
            self.log(f"{spec.asset} isolated: the pumped flow stops, the section blows down")

    def isolate(self, who: str):
        for leak in self.leaks:
            if leak.isolate is not None and not leak.isolate.triggered:
                self.log(f"isolation by {who}")
                leak.isolate.succeed()

    def esd(self):
        """The ESD valve closes at its time after the release starts."""
        start = min(leak.spec.start_s for leak in self.leaks)
        yield self.env.timeout(start + self.sc.response.esd_isolation_s)
        self.isolate("ESD valve")

    def ignition(self, leak: Leak):
        """The release catches fire at its ignition time."""
        spec = leak.spec
        yield self.env.timeout(max((spec.ignition_s or spec.start_s) - self.env.now, 0.0))
        f = self._fire(leak)
        if f is not None:
            leak.ignited_s = float(self.env.now)
            self.fires.append(f)
            self.log(f"ignition: {f.kind}")

    def _fire(self, leak: Leak) -> Fire | None:
        term, w, spec = leak.term, self.weather, leak.spec
        sub = term.substance
        hc = sub.heat_of_combustion_J_kg
        if not sub.flammable or not hc:
            return None
        now, end = float(self.env.now), self.sc.run.duration_s
        t_rel = now - spec.start_s
        if spec.fire == "fireball":
            o = term.outflow
            t = np.append(o.times_s[o.times_s < t_rel], t_rel)
            out_kg = float(np.trapezoid(np.interp(t, o.times_s, o.rate_kg_s, right=0.0), t))
            mass = term.inventory_kg if spec.rupture else max(term.inventory_kg - out_kg, 0.0)
            d = float(fire.fireball_diameter(mass))
            dur = float(fire.fireball_duration(mass))
            fr = float(fire.fireball_radiant_fraction(term.storage_pressure_Pa))
            sep = float(fire.fireball_emissive_power(mass, hc, d, dur, fr))
            return Fire(
                f"fireball of {mass / 1000:.0f} t",
                leak.xy,
                now,
                now + dur,
                lambda r: fire.fireball_flux(r, d, 0.75 * d, sep),
            )
        if spec.fire == "jet":
            rate = max(leak.outflow_kg_s(now), 1e-9)
            fr = float(fire.jet_fire_radiant_fraction(term.jet_velocity_m_s or 0.0))
            return Fire(
                f"jet fire of {rate:.1f} kg/s",
                leak.xy,
                now,
                end,
                lambda r: fire.jet_fire_flux(np.maximum(r, 1.0), rate, hc, fr),
            )
        if term.pool is None:
            return None
        area = float(np.interp(t_rel, term.pool.times_s, term.pool.area_m2))
        if area <= 0:
            return None
        diameter = math.sqrt(4.0 * area / math.pi)
        tb, ta = sub.boiling_point_K, w.air_temperature_K
        burning = float(
            fire.pool_burning_rate(
                hc,
                float(sub.heat_of_vaporisation(min(tb, ta))),
                float(sub.liquid_heat_capacity(min(tb, ta))),
                tb,
                ta,
            )
        )
        rho_air = float(air_density(ta))
        rh = w.relative_humidity
        return Fire(
            f"pool fire {diameter:.0f} m across",
            leak.xy,
            now,
            end,
            lambda r: fire.pool_fire_flux(r, diameter, burning, rho_air, rh, ta),
        )

    def air(self):
        """Each step every puff moves with the wind of the moment and each source adds
        the puff of what it released during the step to each of its clouds (``_cloud``):
        a continuous release's, and a rupture's instantaneous mass as one puff in the step
        of its start."""
        dt = self.dt
        while True:
            t0 = self.env.now
            w = self.weather  # the wind at the start of the step carries it
            yield self.env.timeout(dt)
            for leak in self.leaks:
                trains = self._cloud(leak, w)
                moved = self._moved(leak, leak.puffs, dt, w)
                self._curtain(leak, leak.puffs, moved)
                masses = leak.parts_between([t.name for t in trains], t0, self.env.now)
                theta = math.radians(w.wind_from_deg)
                for j, mass in enumerate(masses):
                    if mass <= 0:
                        continue
                    train = trains[j]
                    if train.name == "puff":
                        # the segment leaves between the release's start and T after it:
                        # its middle has travelled since T/2 after the start (a middle not
                        # yet out is taken at the source)
                        age = self.env.now - leak.spec.start_s - 0.5 * train.step_s
                        first = float(plume_puffs.distance_at(train.table, max(age, 0.0)))
                    else:
                        # the step's mass left on average half a step ago
                        first = float(plume_puffs.distance_at(train.table, dt / 2))
                    new = dispersion.PuffState(
                        np.array([leak.xy[0] - first * math.sin(theta)]),
                        np.array([leak.xy[1] - first * math.cos(theta)]),
                        np.array([first]),
                        np.array([mass]),
                    )
                    moved = dispersion.PuffState(
                        *(np.concatenate((a, b)) for a, b in zip(moved, new, strict=True))
                    )
                    leak.crossed = np.concatenate([leak.crossed, [False]])
                    leak.part = np.concatenate([leak.part, [j]])
                    leak.emitted_kg += mass
                keep = np.hypot(moved.x - self._centre[0], moved.y - self._centre[1]) < FAR_M
                leak.puffs = dispersion.PuffState(*(a[keep] for a in moved))
                leak.crossed = leak.crossed[keep]
                leak.part = leak.part[keep]

    def _curtain(self, leak: Leak, before, after):
        """Puffs crossing the water curtain's distance lose its efficiency's fraction."""
        if math.isnan(self.curtain_s):
            return
        b = self.sc.response.brigade
        cross = (before.travel < b.curtain_distance_m) & (after.travel >= b.curtain_distance_m)
        hit = cross & ~leak.crossed
        after.mass[hit] *= 1.0 - b.curtain_efficiency
        leak.crossed |= hit

    def detectors(self):
        """Every detector that sees the gas reads the field at its place and height, held
        inside its measuring range (over range at the top, ``twin.transmitter``)."""
        tau = self.sc.detection.response_time_s / math.log(10.0)
        gain = 1.0 - math.exp(-self.dt / tau) if tau > 0 else 1.0
        trigger = self.sc.detection.trigger
        while True:
            yield self.env.timeout(self.dt)
            if not self.channels:
                continue
            c = self.concentration(self.sensor_xyz[:, :2], self.sensor_xyz[:, 2])
            self.sensor_c += (c - self.sensor_c) * gain
            values, over = transmit(self.sensor_c * self.sensor_per_kg_m3, *self.sensor_range.T)
            for k in np.flatnonzero(over & ~self.sensor_over):
                ch = self.channels[k]
                self.log(f"{ch.tag} over range (at least {values[k]:g} {ch.unit})")
            self.sensor_over = over
            t = self.epoch + self.env.now
            before = len(self.board.alarms)
            for ch, v in zip(self.channels, values.tolist(), strict=True):
                if not ch.quiet or v >= ch.hi_on:
                    ch.value, ch.t = v, t
                    self.board.evaluate(ch, Reading(t, ch.tag, v, "good"))
            for alarm in self.board.alarms[before:]:
                self.log(f"alarm {alarm.level} {alarm.tag}")
                wanted = ("AL1", "AL2") if trigger == "AL1" else ("AL2",)
                if alarm.level in wanted and not self.alarmed.triggered:
                    self.alarmed.succeed(alarm)

    def control_room(self):
        """An alarm (or a report) -> a decision after its delay -> warnings and the brigade."""
        r = self.sc.response
        reported = self.sc.detection.reported_s
        waits = [self.alarmed]
        if reported is not None:
            waits.append(self.env.timeout(reported))
        yield self.env.any_of(waits)
        self.log("control room informed")
        yield self.env.timeout(r.decision_delay_s)
        self.decided_s = float(self.env.now)
        self.log(f"decision: {self.action}")
        if r.brigade is not None:
            self.env.process(self.brigade())
        self.env.process(self.plan_watch())
        # Python floats: every person's later event times follow from these (SimPy's heap
        # orders Python floats faster than numpy scalars; the values are the same)
        spread = self.rng.uniform(0.0, r.warning_spread_s, len(self.pop.building_ids)).tolist()
        for k, b in enumerate(self.pop.building_ids):
            self.env.process(self.warning(b, self._action_for(b), r.warning_delay_s + spread[k]))
        off = self.sc.offsite.warning_delay_s
        for k in range(len(self.off_ids)):
            self.env.process(self.offsite_warning(k, r.warning_delay_s if off is None else off))

    def _action_for(self, building: str) -> str:
        if self.action != "by_zone":
            return self.action
        xy = np.asarray(self.places[building].xy)
        near = min(np.hypot(*(xy - np.asarray(leak.xy))) for leak in self.leaks)
        return "shelter" if near <= self.sc.response.zone_radius_m else "evacuate"

    def warning(self, building: str, action: str, delay: float):
        """The warning reaches one building after its own delay."""
        yield self.env.timeout(delay)
        self.warned_s[building] = float(self.env.now)
        self.evac.warn([building], action)

    def brigade(self):
        """The fire brigade drives from its station to the leak, then acts."""
        b = self.sc.response.brigade
        travel = self._drive_s(b.station, self.leaks[0].xy, b.speed_m_s)
        yield self.env.timeout(b.turnout_s + travel)
        self.brigade_s = float(self.env.now)
        self.log(f"fire brigade on scene ({travel:.0f} s drive)")
        if "water_curtain" in b.actions:
            self.env.process(self.water_curtain())
        if "isolate" in b.actions:
            yield self.env.timeout(b.isolation_work_s)
            self.isolate("fire brigade")

    def water_curtain(self):
        yield self.env.timeout(self.sc.response.brigade.curtain_setup_s)
        self.curtain_s = float(self.env.now)
        self.log("water curtain up")

    def _drive_s(self, station: str, xy, speed: float) -> float:
        att = self.park.network.attachments
        if station not in att:
            raise ScenarioError(
                f"{self.sc.path}: response.brigade.station: expected a building on the road "
                f"network, got {station!r}"
            )
        nodes = np.asarray(self.park.network.nodes_xy, float)
        goal = int(np.argmin(np.hypot(*(nodes - np.asarray(xy)).T)))
        a = att[station]
        length = nx.shortest_path_length(self.park.network.graph, a.node, goal, weight="length_m")
        return (length + a.access_m) / speed

    def plan_watch(self):
        """From the decision on, assembly points and gates inside the cloud (now or five
        minutes ahead) or a fire's range are closed: nobody is sent there, and people there
        or on their way go to another. Roads into a fire's range are closed at its edge (one
        way: people inside still leave by them)."""
        while True:
            self._close_roads_to_fires()
            reasons = self._plan_hazards()
            ids = [d.id for d in self.evac.dests]
            new = [d for d in reasons if not self.evac.closed[ids.index(d)]]
            for d in new:
                there, heading = self.evac.close([d])
                kind = self.evac.dests[ids.index(d)].kind
                what = "gate" if kind == "gate" else "assembly point"
                self.plan_closed.append(
                    dict(
                        time_s=float(self.env.now),
                        destination=d,
                        kind=what,
                        reason=reasons[d],
                        persons_there=there,
                        persons_on_their_way=heading,
                    )
                )
                self.log(f"{what} {d} closed: {reasons[d]} ({there} there, {heading} on their way)")
            yield self.env.timeout(ROAD_WATCH_S)

    def _fire_hazards(self) -> list[tuple[Fire, str]]:
        """Fires burning now, and the fireball each unignited fireball release would make
        now (its lethal range is closed before it happens), with their labels."""
        now = self.env.now
        fires = [(f, f.kind) for f in self.fires if f.end_s > now]
        for leak in self.leaks:
            if leak.spec.fire == "fireball" and leak.ignited_s is None:
                f = self._fire(leak)
                if f is not None:
                    fires.append((f, f"possible {f.kind}"))
        return fires

    def _fire_death_probability(self, f: Fire, xy) -> tuple[np.ndarray, np.ndarray, float]:
        """Heat flux [W/m2] at ``xy``, the span [s] of the fire still to come and the
        probability of death (Eisenberg probit) of someone standing there through it."""
        now = self.env.now
        r = np.hypot(*(np.asarray(xy, float).reshape(-1, 2) - np.asarray(f.xy)).T)
        flux = np.asarray(f.flux(np.maximum(r, 1.0)), float)
        span = f.end_s - max(now, f.start_s)
        return flux, harm.thermal_death_probability(flux, span), span

    def _close_roads_to_fires(self):
        """Roads into a fire's (or a possible fireball's) range are closed at its edge: a
        link from a node outside the range (where someone standing through the fire would
        die with less than PLAN_P_DEATH) to a node inside it is closed that way, a link
        that crosses the range between two nodes outside it is closed both ways, and links
        inside the range stay open, so people inside still leave by any road while nobody
        outside is routed in. A road is named in the plan, with its reason, each time links
        of it are newly closed."""
        graph = self.park.network.graph
        for f, kind in self._fire_hazards():
            flux, p, span = self._fire_death_probability(f, self._road_pts)
            hot = p >= PLAN_P_DEATH
            if not hot.any():
                continue
            inside = self._fire_death_probability(f, self.network.nodes_xy)[1] >= PLAN_P_DEATH
            by_road: dict[str, list[tuple[int, int]]] = {}
            worst: dict[str, int] = {}
            for k in np.flatnonzero(hot).tolist():
                a, b = (int(n) for n in self._road_links[k])
                if inside[a] and inside[b]:
                    continue
                arcs = [(a, b), (b, a)] if not (inside[a] or inside[b]) else []
                arcs = arcs or ([(a, b)] if inside[b] else [(b, a)])
                road = str(graph.edges[a, b].get("road", f"link {a}-{b}"))
                by_road.setdefault(road, []).extend(arcs)
                if road not in worst or p[k] > p[worst[road]]:
                    worst[road] = k
            for road, arcs in by_road.items():
                new = set(arcs) - self.evac.net.closed_arcs
                if not new:
                    continue
                turned, using = self.evac.close_arcs(new)
                k = worst[road]
                reason = (
                    f"leads into the range of a {kind} ({flux[k] / 1e3:.0f} kW/m2 for "
                    f"{span:.0f} s, {p[k]:.0%} probability of death on it): closed into "
                    "the range, open on the way out"
                )
                self.plan_closed.append(
                    dict(
                        time_s=float(self.env.now),
                        destination=road,
                        kind="road",
                        reason=reason,
                        persons_there=turned,
                        persons_on_their_way=using,
                    )
                )
                self.log(
                    f"road {road} closed into the range of the {kind} ({turned} turned away, "
                    f"{using} re-routed)"
                )

    def _plan_hazards(self) -> dict[str, str]:
        """Destination id -> why it lies in a hazard zone now."""
        dests = self.evac.dests
        xy = np.array([d.xy for d in dests], float).reshape(-1, 2)
        reasons: dict[str, str] = {}
        names = self.levels[0]
        name = self.sc.response.block_level
        name = name if name in names else (names[-1] if names else None)
        if name is not None:
            ahead = [self._moved(leak, leak.puffs, FORECAST_S) for leak in self.leaks]
            c = np.maximum(self.concentration(xy), self.concentration(xy, puffs=ahead))
            for k in np.flatnonzero(c >= self.level(name)):
                reasons[dests[k].id] = f"inside the {name} cloud (now or within 5 min)"
        for f, kind in self._fire_hazards():
            flux, p, span = self._fire_death_probability(f, xy)
            for k in np.flatnonzero(p >= PLAN_P_DEATH):
                reasons.setdefault(
                    dests[k].id,
                    f"within the range of a {kind} ({flux[k] / 1e3:.0f} kW/m2 for {span:.0f} s, "
                    f"{p[k]:.0%} probability of death there)",
                )
        return reasons

    def road_watch(self):
        """Links the cloud covers now or in a few minutes are closed; people re-route."""
        name = self.sc.response.block_level
        limit = self.level(name)
        if math.isnan(limit):
            return
        graph = self.park.network.graph
        while True:
            yield self.env.timeout(ROAD_WATCH_S)
            ahead = [self._moved(leak, leak.puffs, FORECAST_S) for leak in self.leaks]
            c = np.maximum(
                self.concentration(self._road_pts), self.concentration(self._road_pts, puffs=ahead)
            )
            hot = self._road_links[c >= limit]
            if len(hot):
                net = self.evac.net
                by_road: dict[str, set] = {}
                for a, b in hot.tolist():
                    if net.edge_id[a, b] not in net.blocked:
                        road = str(graph.edges[a, b].get("road", f"link {a}-{b}"))
                        by_road.setdefault(road, set()).add((a, b))
                turned = 0
                for road, links in by_road.items():
                    there, using = self.evac.block(links)
                    turned += there
                    self.plan_closed.append(
                        dict(
                            time_s=float(self.env.now),
                            destination=road,
                            kind="road",
                            reason=f"crosses the {name} cloud (now or within 5 min): closed",
                            persons_there=there,
                            persons_on_their_way=using,
                        )
                    )
                if by_road:
                    self.log(
                        f"{len(net.blocked)} links closed ({turned} turned away); roads "
                        + ", ".join(by_road)
                    )

    def dose_monitor(self):
        """Every person's concentration, dose and heat, one vectorised call per step."""
        dt = self.dt
        ev = self.evac
        b = self.pop.building
        while True:
            yield self.env.timeout(dt)
            now = self.env.now
            inside = ev.indoors()
            out = np.flatnonzero(~inside)
            pos = ev.positions()
            field = self._step_field(pos[out])
            c_b = field["buildings"]
            self.building_c.append(c_b)
            self.air_change_s = self._air_changes(self.building_air)
            self.air_change_sum += self.air_change_s
            decay = np.exp(-self.air_change_s * dt)
            self.indoor_c = c_b + (self.indoor_c - c_b) * decay
            self.outdoor_peak_b = np.maximum(self.outdoor_peak_b, c_b)
            self.indoor_peak_b = np.maximum(self.indoor_peak_b, self.indoor_c)
            c = self.indoor_c[b]
            if out.size:
                c[out] = field["people"]
            self.peak = np.maximum(self.peak, c)
            self.dose += c * dt
            if self._probit:
                self.load += harm.toxic_load(
                    self.cas, c[:, None], dt, self.sc.run.probit, self.molar_mass
                )
            q = np.zeros(out.size)
            for f in self.fires:
                if f.start_s < now and out.size:
                    span = min(now, f.end_s) - max(now - dt, f.start_s)
                    if span > 0:
                        r = np.hypot(*(pos[out] - np.asarray(f.xy)).T)
                        flux = np.asarray(f.flux(np.maximum(r, 1.0)), float)
                        self.thermal[out] += flux ** (4.0 / 3.0) * span
                        q = np.maximum(q, flux)
            self._offsite_dose(dt, field["offsite"])
            self._record(c, inside, q, field)

    def _step_field(self, people_xy: np.ndarray) -> dict:
        """The concentration now at every point the dose monitor reads, in one call of
        ``concentration`` (the field at a point does not depend on the points evaluated
        with it): "buildings", "people" (``people_xy``, each distinct position once),
        "offsite", "targets", and "puffs" (per leak, at its puff centres)."""
        codes, distinct = pd.factorize(
            np.ascontiguousarray(people_xy, dtype=float).reshape(-1, 2).view(np.complex128).ravel()
        )
        centres = [np.column_stack([leak.puffs.x, leak.puffs.y]) for leak in self.leaks]
        parts = [
            self.building_xy,
            distinct.view(np.float64).reshape(-1, 2),
            self.off_xy,
            self.target_xy,
            *centres,
        ]
        c = np.split(self.concentration(np.concatenate(parts)), np.cumsum([len(p) for p in parts]))
        return dict(buildings=c[0], people=c[1][codes], offsite=c[2], targets=c[3], puffs=c[4:-1])

    def _offsite_dose(self, dt: float, c_o: np.ndarray):
        """Receptors outside the park: indoor air by the same air change model, the
        outdoor group breathing the outdoor air ``c_o`` [kg/m3] (and feeling a fire's heat)
        until warned."""
        if not len(self.off_xy):
            return
        now = self.env.now
        self._off_c = c_o
        rate = self._air_changes(self.off_air)
        self.off_air_sum += rate
        self.off_in = c_o + (self.off_in - c_o) * np.exp(-rate[self.off_target] * dt)
        out = ~self.off_warned[self.off_target]
        c = np.stack([self.off_in, np.where(out, c_o, self.off_in)])
        self.off_out_peak = np.maximum(self.off_out_peak, c_o)
        self.off_peak = np.maximum(self.off_peak, c)
        if self._probit:
            self.off_load += harm.toxic_load(
                self.cas, c.reshape(-1, 1), dt, self.sc.run.probit, self.molar_mass
            ).reshape(2, -1)
        for f in self.fires:
            span = min(now, f.end_s) - max(now - dt, f.start_s)
            if span > 0 and out.any():
                r = np.hypot(*(self.off_xy[out] - np.asarray(f.xy)).T)
                flux = np.asarray(f.flux(np.maximum(r, 1.0)), float)
                self.off_thermal[out] += flux ** (4.0 / 3.0) * span

    def offsite_now(self, level: float) -> float:
        """Persons outside the park breathing ``level`` [kg/m3] or more now."""
        if not len(self.off_xy):
            return 0.0
        f = np.where(self.off_warned[self.off_target], 0.0, self.sc.offsite.outdoors)
        c_o = self._off_c
        share = self.off_share
        return float(np.sum(share * ((1 - f) * (self.off_in >= level) + f * (c_o >= level))))

    def _record(self, c, inside, q, field):
        now = self.env.now
        status = np.bincount(self.evac.status, minlength=6)
        names, values = self.levels
        row = {
            "time_s": float(now),
            "wind_speed_m_s": self.weather.wind_speed_m_s,
            "wind_from_deg": self.weather.wind_from_deg,
            "outflow_kg_s": sum(leak.outflow_kg_s(now) for leak in self.leaks),
            "airborne_kg_s": sum(leak.airborne_kg_s(now) for leak in self.leaks),
            "released_kg": sum(leak.emitted_kg for leak in self.leaks),
            "in_air_kg": sum(float(leak.puffs.mass.sum()) for leak in self.leaks),
            "alarms": len(self.board.alarms),
            "warned_buildings": len(self.warned_s),
            "max_heat_flux_w_m2": float(q.max()) if q.size else 0.0,
        }
        reach = self._extents(values, field["puffs"])
        for name, v, d in zip(names, values, reach, strict=True):
            row[f"extent_{name}_m"] = d
            row[f"people_above_{name}"] = int((c >= v).sum())
            row[f"offsite_above_{name}"] = round(self.offsite_now(v))
        for k, s in enumerate(("in_building", "sheltered", "walking", "queued", "arrived", "held")):
            row[s] = int(status[k])
        row["indoors"] = int(inside.sum())
        row["offsite_warned"] = int(self.off_warned.sum())
        self.timeline.append(row)
        self.target_c.append(field["targets"])
        if now >= self._next_frame_s:
            self._next_frame_s = now + CLOUD_FRAME_S
            frame = self._cloud_frame(min(values), field["puffs"])
            if frame is not None:
                self.cloud_frames.append((float(now), *frame))

    def _cloud_frame(self, lowest: float, at_puffs: list):
        """The ground-level field on a grid over the part of the cloud above ``lowest``
        [kg/m3], as (x [m], y [m], concentration [kg/m3] (len(y), len(x))), or None;
        ``at_puffs``: per leak, the concentration now at its puff centres.

        A puff whose centre concentration is above the level reaches no farther than its
        own reach (``physics.plume_puffs.extent``, with its cloud's step)."""
        lo, hi = np.full(2, np.inf), np.full(2, -np.inf)
        for leak, c in zip(self.leaks, at_puffs, strict=True):
            p = leak.puffs
            if not p.mass.size:
                continue
            xy = np.column_stack([p.x, p.y])
            above = c >= lowest
            if not above.any():
                continue
            r = np.zeros(p.mass.size)
            fed = False
            for j, (_, table, step) in enumerate(self._cloud(leak)):
                mine = leak.part == j
                last, wide = plume_puffs.extent(table, p.travel[mine], step)
                r[mine] = np.maximum(last - p.travel[mine], wide)
                near = p.travel[mine & above]
                if near.size and near.min() < 2.0 * step * self.weather.wind_speed_m_s:
                    fed = True
            if fed:
                # a train still fed (or a puff still leaving) reaches back to its source
                lo = np.minimum(lo, np.asarray(leak.xy))
                hi = np.maximum(hi, np.asarray(leak.xy))
            r = CLOUD_FRAME_MARGIN * r[above]
            lo = np.minimum(lo, (xy[above] - r[:, None]).min(axis=0))
            hi = np.maximum(hi, (xy[above] + r[:, None]).max(axis=0))
        if not np.all(hi > lo):
            return None
        cell = float((hi - lo).max()) / (CLOUD_FRAME_CELLS - 1)
        x = np.arange(lo[0], hi[0] + cell, cell)
        y = np.arange(lo[1], hi[1] + cell, cell)
        xx, yy = np.meshgrid(x, y)
        c = self.concentration(np.column_stack([xx.ravel(), yy.ravel()]))
        return x, y, c.reshape(len(y), len(x)).astype(np.float32)

    def _extents(self, levels, at_puffs: list) -> list[float]:
        """Farthest distance from a source of a puff centre where the cloud is at or above
        each level (``at_puffs``: per leak, the concentration at its puff centres, ground
        level)."""
        best = np.zeros(len(levels))
        for leak, c in zip(self.leaks, at_puffs, strict=True):
            p = leak.puffs
            if p.mass.size == 0:
                continue
            xy = np.column_stack([p.x, p.y])
            r = np.hypot(*(xy - np.asarray(leak.xy)).T)
            for k, level in enumerate(levels):
                above = c >= level
                if above.any():
                    best[k] = max(best[k], float(r[above].max()))
        return best.tolist()

    # --- running -----------------------------------------------------------------------

    def run(self, progress=None):
        """Run to the scenario's duration and build the result; ``progress(fraction)`` is
        called every `PROGRESS_STEPS`-th of the run if given (the run is the same)."""
        from scenarios.results import build_result

        end = self.sc.run.duration_s + 1e-9
        with _spaced_collections():
            if progress is not None:
                for k in range(1, PROGRESS_STEPS):
                    self.env.run(until=end * k / PROGRESS_STEPS)
                    progress(k / PROGRESS_STEPS)
            self.env.run(until=end)
            return build_result(self)


def run(
    scenario: Scenario,
    park=None,
    action: str | None = None,
    draws=None,
    start=None,
    cloud_frames: bool = True,
):
    """Run a scenario once; returns a ``scenarios.results.ScenarioResult`` (``Engine``
    gives the arguments)."""
    return Engine(scenario, park, action, draws, start, cloud_frames).run()


def compare_runs(scenario: Scenario, actions=("shelter", "evacuate"), park=None) -> dict:
    """The same scenario under each protective action: action -> ``ScenarioResult``."""
    park = park if park is not None else twin.load_park(scenario.run.park)
    return {a: run(scenario, park, a) for a in actions}


def compare(scenario: Scenario, actions=("shelter", "evacuate"), park=None) -> pd.DataFrame:
    """The same scenario under each protective action: one row of key figures each (a figure
    not computed gives its reason instead of a number)."""
    results = compare_runs(scenario, actions, park)
    return comparison_table(results)


def comparison_table(results: dict) -> pd.DataFrame:
    """One row of key figures per action of ``compare_runs`` (a figure not computed gives
    its reason instead of a number)."""
    rows = {a: r.shown_figures() for a, r in results.items()}
    return pd.DataFrame(rows).T.rename_axis("action")
