"""The park's state as the sensors tell it: tags bound to assets, readings in SI, snapshots.

`ParkModel.from_park` builds, once, everything the hot path needs: one `Channel` per
sensor tag (its asset, unit conversion, alarm limits and recent readings), one `TankModel`
per tank (geometry, liquid density at any temperature, its sensors and the pipelines that
fill or empty it) and the weather station's tags. A reading then costs a dict look-up and
a few attribute writes (`twin.monitor.Twin.update`); the conversion to SI happens where a
value is used, by one multiply-add per channel (``si = raw * scale + offset``).

Units of readings (``geodata.schema.SENSOR_UNITS``) and their SI:

- level: m, mm, or % of the tank's height (the shell height of a vertical tank, else the
  diameter) -> m above the bottom;
- pressure: kPa(g), MPa(g), bar(g) -> Pa absolute (+101325 Pa, `physics.units`);
- temperature and air temperature: degC -> K;
- flow: kg/s, t/h, or m3/h at the line's liquid density and temperature -> kg/s;
- gas: ppm, mg/m3, %LEL are kept as read for alarms (the limits are in the same unit)
  and turned into kg/m3 for source estimation (`gas_kg_m3`);
- wind speed m/s, wind direction deg (from), solar radiation W/m2, cloud cover okta.

Physically impossible values (`PHYSICAL_SI`, and for a gas detector a mole fraction above 1,
`gas_physical_high`) are refused by the twin before they reach the state: each channel
carries the bounds in its own unit (``physical_low``, ``physical_high``), and the NAMUR
NE 43 measuring band of its range (``band_low``, ``band_high``, `twin.transmitter`) beyond
which a reading is a failure signal, not a measurement.

A `Snapshot` is a plain dataclass of SI numbers per asset plus the weather; it is what a
scenario starts from.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass, field

import numpy as np

from geodata.schema import ATMOSPHERE_PA, GAS_KINDS, WEATHER_KINDS
from physics import substances
from physics.bounds import AIR_TEMPERATURE
from physics.meteorology import sun_elevation_deg
from physics.substances import R_GAS
from twin import tank_geometry, weather
from twin.headcount import PeopleNow
from twin.park import roughness_m as park_roughness_m
from twin.transmitter import measuring_band

# Recent readings kept per tag, for the tick means and the plausibility look-back: 2048
# covers 34 min at 1 s sampling and 5.7 h at 10 s.
HISTORY_LEN = 2048
# Liquid density is tabulated once per tank on this temperature grid and interpolated. [K]
DENSITY_GRID_K = np.arange(180.0, 400.0, 0.5)

# What each quantity can physically be, in SI, whatever the instrument: no negative speed or
# concentration, nothing below absolute zero or absolute vacuum, cloud cover 0..8 okta (eighths of
# the sky), a direction within the compass. Levels, flows and solar
# radiation have no such bound here: a level or flow transmitter reads a little below zero
# within its NAMUR NE 43 band (`twin.plausibility`), a flow may reverse, and a pyranometer
# reads a few W/m2 below zero at night (its thermal offset).
PHYSICAL_SI = {
    "gas_combustible": (0.0, math.inf),
    "gas_toxic": (0.0, math.inf),
    "pressure": (0.0, math.inf),
    "temperature": (0.0, math.inf),
    "air_temperature": (0.0, math.inf),
    "wind_speed": (0.0, math.inf),
    "wind_direction": (0.0, 360.0),
    "cloud_cover": (0.0, 8.0),
}

_LEVEL_SCALE = {"m": 1.0, "mm": 1e-3}
_PRESSURE_SCALE = {"kPa(g)": 1e3, "MPa(g)": 1e6, "bar(g)": 1e5}
_FLOW_SCALE = {"kg/s": 1.0, "t/h": 1000.0 / 3600.0}


class Channel:
    """One sensor tag: static facts from the sensors layer plus its latest readings.

    ``value`` is the last raw reading in the tag's unit, ``t`` its time [s], ``history``
    the recent `twin.readings.Reading` tuples (newest last). ``scale`` and ``offset``
    convert a raw value to SI; ``physical_low`` and ``physical_high`` bound what the
    quantity can be, in the tag's unit (`PHYSICAL_SI`, `gas_physical_high`); ``band_low``
    and ``band_high`` are the ends of the measuring band (`twin.transmitter`). ``limits``,
    ``lo_on``, ``hi_on`` and ``quiet`` belong to `twin.alarms`.
    """

    __slots__ = (
        "alarm_high",
        "alarm_highhigh",
        "alarm_low",
        "asset",
        "band_high",
        "band_low",
        "cas",
        "hi_on",
        "history",
        "kind",
        "limits",
        "lo_on",
        "offset",
        "physical_high",
        "physical_low",
        "quiet",
        "range_high",
        "range_low",
        "scale",
        "t",
        "tag",
        "unit",
        "value",
        "x",
        "y",
        "z",
    )

    def __init__(self, tag, kind, unit, asset, cas, scale, offset, row, x, y):
        self.tag = tag
        self.kind = kind
        self.unit = unit
        self.asset = asset
        self.cas = cas
        self.scale = scale
        self.offset = offset
        low, high = PHYSICAL_SI.get(kind, (-math.inf, math.inf))
        self.physical_low = (low - offset) / scale
        self.physical_high = (high - offset) / scale
        if kind in GAS_KINDS and cas:
            self.physical_high = gas_physical_high(unit, cas)
        self.range_low = float(row["range_low"])
        self.range_high = float(row["range_high"])
        self.band_low, self.band_high = measuring_band(self.range_low, self.range_high)
        self.alarm_low = _opt(row.get("alarm_low"))
        self.alarm_high = _opt(row.get("alarm_high"))
        self.alarm_highhigh = _opt(row.get("alarm_highhigh"))
        self.x = x
        self.y = y
        self.z = float(row["height_m"])
        self.value = math.nan
        self.t = math.nan
        self.history: deque = deque(maxlen=HISTORY_LEN)
        self.limits = ()
        self.lo_on = -math.inf
        self.hi_on = math.inf
        self.quiet = True

    @property
    def span(self) -> float:
        """Measuring span in the tag's unit."""
        return self.range_high - self.range_low

    def si(self, raw: float) -> float:
        """A raw value of this tag in SI."""
        return raw * self.scale + self.offset

    def mean_since(self, t0: float) -> float:
        """Mean raw value of the readings at or after ``t0`` [s]; NaN if none."""
        total = 0.0
        n = 0
        for r in reversed(self.history):
            if r[0] < t0:
                break
            total += r[2]
            n += 1
        return total / n if n else math.nan

    def value_at(self, t: float) -> float:
        """The last raw value read at or before ``t`` [s] among the kept readings; NaN if
        none (never read, or older than the history)."""
        if not self.t > t:
            return self.value
        for r in reversed(self.history):
            if r[0] <= t:
                return r[2]
        return math.nan

    def stats_since(self, t0: float) -> tuple[float, float, int]:
        """(mean, maximum, count) of the raw values read at or after ``t0`` [s]; NaN, NaN,
        0 if none."""
        total = 0.0
        top = -math.inf
        n = 0
        for r in reversed(self.history):
            if r[0] < t0:
                break
            v = r[2]
            total += v
            if v > top:
                top = v
            n += 1
        return (total / n, top, n) if n else (math.nan, math.nan, 0)

    def window(self, t0: float) -> tuple[np.ndarray, np.ndarray, list[str]]:
        """Times [s], raw values and qualities of the readings at or after ``t0`` [s]."""
        rows = []
        for r in reversed(self.history):
            if r[0] < t0:
                break
            rows.append(r)
        rows.reverse()
        return (
            np.array([r[0] for r in rows]),
            np.array([r[2] for r in rows]),
            [r[3] for r in rows],
        )


def _opt(value) -> float | None:
    if value is None:
        return None
    v = float(value)
    return None if math.isnan(v) else v


@dataclass
class TankModel:
    """A tank with what the twin needs to turn its tags into volume and mass."""

    id: str
    cas: str
    shape: str
    diameter_m: float
    length_m: float | None
    height_m: float
    full_volume_m3: float
    temperature_k: float  # from the layer; used until a temperature is measured
    fill_fraction: float  # from the layer; used until a level is measured
    density_table: np.ndarray  # liquid density on DENSITY_GRID_K [kg/m3]
    x: float
    y: float
    level: Channel | None = None
    pressure: Channel | None = None
    temperature: Channel | None = None
    outflows: list[Channel] = field(default_factory=list)  # flow meters on lines leaving it
    inflows: list[Channel] = field(default_factory=list)  # flow meters on lines filling it
    has_inflow_line: bool = False

    def density(self, temperature_k: float) -> float:
        """Saturated liquid density [kg/m3] at ``temperature_k`` [K]."""
        return float(np.interp(temperature_k, DENSITY_GRID_K, self.density_table))

    def volume(self, level_m):
        """Liquid volume [m3] at ``level_m`` [m]."""
        return tank_geometry.liquid_volume(level_m, self.shape, self.diameter_m, self.length_m)

    def level_of(self, volume_m3):
        """Level [m] at ``volume_m3`` [m3]."""
        return tank_geometry.level_from_volume(
            volume_m3, self.shape, self.diameter_m, self.length_m
        )

    def mass(self, level_m: float, temperature_k: float) -> float:
        """Liquid mass [kg] at a level [m] and liquid temperature [K]."""
        return float(self.volume(level_m)) * self.density(temperature_k)


@dataclass(frozen=True)
class TankState:
    """One tank at one instant, SI. NaN where nothing is measured or known."""

    id: str
    cas: str
    level_m: float
    volume_m3: float
    fill_fraction: float
    temperature_k: float
    pressure_pa: float
    density_kg_m3: float
    mass_kg: float
    measured: bool  # True when the level came from a reading, False from the layer


@dataclass
class PipelineModel:
    """A pipeline's chemical and the tags on it."""

    id: str
    cas: str
    flow: Channel | None = None
    pressure: Channel | None = None


@dataclass(frozen=True)
class PipelineState:
    """One pipeline at one instant: metered flow [kg/s] and pressure [Pa absolute], NaN
    where not measured."""

    id: str
    cas: str
    flow_kg_s: float
    pressure_pa: float


@dataclass(frozen=True)
class WeatherState:
    """The weather station's latest values, SI, and the stability derived from them."""

    wind_speed_m_s: float
    wind_from_deg: float
    air_temperature_k: float
    solar_radiation_w_m2: float
    cloud_okta: float
    sun_elevation_deg: float
    stability: str


@dataclass(frozen=True)
class Snapshot:
    """The park at time ``t`` [s, POSIX UTC]: tanks, pipelines, weather, gas readings, and
    the people the headcount feed reported (None when not asked of the twin)."""

    t: float
    tanks: dict[str, TankState]
    pipelines: dict[str, PipelineState]
    weather: WeatherState
    gas: dict[str, float]  # tag -> last reading in the tag's own unit (ppm, %LEL, mg/m3)
    people: PeopleNow | None = None  # the headcount feed's counts and positions at t


def _conversion(kind: str, unit: str, tank: TankModel | None, line_density: float | None):
    """(scale, offset) turning a raw reading into SI."""
    if kind == "level":
        if unit == "%":
            if tank is None:
                raise ValueError("a level in % needs the tank it belongs to")
            return tank.height_m / 100.0, 0.0
        return _LEVEL_SCALE[unit], 0.0
    if kind == "pressure":
        return _PRESSURE_SCALE[unit], ATMOSPHERE_PA
    if kind in ("temperature", "air_temperature"):
        return 1.0, 273.15
    if kind == "flow":
        if unit == "m3/h":
            if line_density is None:
                raise ValueError("a flow in m3/h needs the line's liquid density")
            return line_density / 3600.0, 0.0
        return _FLOW_SCALE[unit], 0.0
    return 1.0, 0.0


@dataclass
class ParkModel:
    """Static tables of a park for the twin (see the module docstring)."""

    channels: dict[str, Channel]
    tanks: dict[str, TankModel]
    pipelines: dict[str, PipelineModel]
    weather_tags: dict[str, Channel]  # kind -> channel
    longitude_deg: float
    latitude_deg: float
    park: object = None
    roughness_m: float = 1.0  # the park's z0 (``twin.park.roughness_m``) [m]

    @classmethod
    def from_park(cls, park) -> ParkModel:
        """Build the tables from a `geodata.Park` loaded by `twin.load_park`."""
        tanks: dict[str, TankModel] = {}
        for tid, row in park.tanks.iterrows():
            length = None if row["shape"] == "sphere" else float(row["length_m"])
            height = float(tank_geometry.tank_height(row["shape"], row["diameter_m"], length))
            rho = np.asarray(substances.lookup(row["cas"]).liquid_density(DENSITY_GRID_K))
            good = np.isfinite(rho)
            # Outside the correlation's range hold the end values rather than return NaN.
            rho = np.interp(DENSITY_GRID_K, DENSITY_GRID_K[good], rho[good])
            tanks[tid] = TankModel(
                id=tid,
                cas=row["cas"],
                shape=row["shape"],
                diameter_m=float(row["diameter_m"]),
                length_m=length,
                height_m=height,
                full_volume_m3=float(
                    tank_geometry.full_volume(row["shape"], row["diameter_m"], length)
                ),
                temperature_k=float(row["temperature_k"]),
                fill_fraction=float(row["fill_fraction"]),
                density_table=rho,
                x=float(row.geometry.x),
                y=float(row.geometry.y),
            )
        lines = park.pipelines
        channels: dict[str, Channel] = {}
        weather_tags: dict[str, Channel] = {}
        pipelines = {pid: PipelineModel(pid, row["cas"]) for pid, row in lines.iterrows()}
        for tag, row in park.sensors.iterrows():
            kind, unit = row["kind"], row["unit"]
            asset = row.get("asset") or None
            tank = tanks.get(asset)
            line_density = None
            if kind == "flow" and asset in pipelines:
                line = lines.loc[asset]
                line_density = float(
                    substances.lookup(line["cas"]).liquid_density(line["temperature_k"])
                )
            scale, offset = _conversion(kind, unit, tank, line_density)
            cas = row.get("cas") if kind in GAS_KINDS else None
            ch = Channel(
                tag, kind, unit, asset, cas, scale, offset, row, row.geometry.x, row.geometry.y
            )
            channels[tag] = ch
            if tank is not None and kind in ("level", "pressure", "temperature"):
                setattr(tank, kind, ch)
            if kind in ("flow", "pressure") and asset in pipelines:
                setattr(pipelines[asset], kind, ch)
            if kind in WEATHER_KINDS:
                weather_tags[kind] = ch
        for pid, row in lines.iterrows():
            meter = pipelines[pid].flow
            if row["to_asset"] in tanks:
                tanks[row["to_asset"]].has_inflow_line = True
            if meter is None:
                continue
            if row["from_asset"] in tanks:
                tanks[row["from_asset"]].outflows.append(meter)
            if row["to_asset"] in tanks:
                tanks[row["to_asset"]].inflows.append(meter)
        centre = park.boundary.to_crs(4326).geometry.union_all().representative_point()
        return cls(
            channels,
            tanks,
            pipelines,
            weather_tags,
            centre.x,
            centre.y,
            park,
            park_roughness_m(park),
        )

    def weather_now(self, t: float, since: float | None = None) -> WeatherState:
        """The weather at ``t`` [s]: the readings at ``t``, or their means since ``since``
        [s] (wind direction as a unit-vector mean), with the Pasquill class derived from
        them."""

        def value(kind, default=math.nan):
            ch = self.weather_tags.get(kind)
            if ch is None or math.isnan(ch.value):
                return default
            if since is None:
                raw = ch.value_at(t)
                return default if math.isnan(raw) else ch.si(raw)
            if kind == "wind_direction":
                _, raw, _ = ch.window(since)
                return weather.mean_wind_direction(raw) if raw.size else ch.value
            m = ch.mean_since(since)
            return ch.si(m if not math.isnan(m) else ch.value)

        u = value("wind_speed")
        # A pyranometer's night offset (a few W/m2 below zero) is no sunshine.
        sr = max(value("solar_radiation", 0.0), 0.0)
        okta = value("cloud_cover")
        if math.isnan(t):
            elevation = math.nan
        else:
            elevation = float(sun_elevation_deg(self.longitude_deg, self.latitude_deg, t))
        stability = (
            str(weather.pasquill_stability(u, sr, elevation, okta))
            if not (math.isnan(u) or math.isnan(elevation))
            else ""
        )
        return WeatherState(
            wind_speed_m_s=u,
            wind_from_deg=value("wind_direction"),
            air_temperature_k=value("air_temperature"),
            solar_radiation_w_m2=sr,
            cloud_okta=okta,
            sun_elevation_deg=elevation,
            stability=stability,
        )

    def tank_state(
        self, tank: TankModel, since: float | None = None, at: float = math.inf
    ) -> TankState:
        """A tank's state from its readings at ``at`` [s] (default: the latest), or their
        means since ``since`` [s]."""

        def read(ch):
            if ch is None or math.isnan(ch.value):
                return math.nan
            if since is None:
                raw = ch.value_at(at)
                return math.nan if math.isnan(raw) else ch.si(raw)
            raw = ch.mean_since(since)
            return ch.si(ch.value if math.isnan(raw) else raw)

        temperature = read(tank.temperature)
        if math.isnan(temperature):
            temperature = tank.temperature_k
        level = read(tank.level)
        measured = not math.isnan(level)
        if measured:
            volume = float(tank.volume(level))
        else:
            volume = tank.fill_fraction * tank.full_volume_m3
            level = float(tank.level_of(volume))
        rho = tank.density(temperature)
        return TankState(
            id=tank.id,
            cas=tank.cas,
            level_m=level,
            volume_m3=volume,
            fill_fraction=volume / tank.full_volume_m3,
            temperature_k=temperature,
            pressure_pa=read(tank.pressure),
            density_kg_m3=rho,
            mass_kg=volume * rho,
            measured=measured,
        )

    def snapshot(self, t: float) -> Snapshot:
        """The state at ``t`` [s]: the last reading of every tag at or before ``t`` among
        the kept readings (`HISTORY_LEN` per tag)."""

        def read(ch):
            if ch is None:
                return math.nan
            raw = ch.value_at(t)
            return math.nan if math.isnan(raw) else ch.si(raw)

        tanks = {tid: self.tank_state(tank, at=t) for tid, tank in self.tanks.items()}
        pipes = {
            pid: PipelineState(pid, line.cas, read(line.flow), read(line.pressure))
            for pid, line in self.pipelines.items()
        }
        gas = {tag: ch.value_at(t) for tag, ch in self.channels.items() if ch.kind in GAS_KINDS}
        return Snapshot(t, tanks, pipes, self.weather_now(t), gas)


def gas_kg_m3(value, unit: str, cas: str, air_temperature_k: float) -> np.ndarray:
    """Gas detector readings in ``unit`` (ppm, mg/m3, %LEL) as mass concentration [kg/m3],
    ideal gas at one standard atmosphere and the air temperature [K]."""
    v = np.asarray(value, dtype=float)
    if unit == "mg/m3":
        return v * 1e-6
    substance = substances.lookup(cas)
    molar_density = ATMOSPHERE_PA / (R_GAS * air_temperature_k)  # mol/m3 of air
    if unit == "ppm":
        fraction = v * 1e-6
    elif unit == "%LEL":
        if substance.lfl_fraction is None:
            raise ValueError(f"{cas}: a %LEL reading needs a flammable gas")
        fraction = v / 100.0 * substance.lfl_fraction
    else:
        raise ValueError(f"unknown gas unit {unit!r}; expected ppm, mg/m3 or %LEL")
    return fraction * molar_density * substance.molar_mass_kg_mol


def gas_physical_high(unit: str, cas: str) -> float:
    """The largest reading a gas detector can physically give, in its ``unit``: the pure gas
    (mole fraction 1). ppm: 1e6; %LEL: 100 / LFL; mg/m3: the pure vapour at one standard
    atmosphere and the coldest air ever measured on Earth (`physics.bounds.AIR_TEMPERATURE`,
    the densest it can be in the open)."""
    substance = substances.lookup(cas)
    if unit == "ppm":
        return 1e6
    if unit == "%LEL":
        if substance.lfl_fraction is None:
            return math.inf
        return 100.0 / substance.lfl_fraction
    if unit == "mg/m3":
        return float(gas_kg_m3(1e6, "ppm", cas, AIR_TEMPERATURE.low)) * 1e6
    return math.inf
