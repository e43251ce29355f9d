"""Scenario files: a TOML description of one emergency, checked and turned into SI numbers.

Quantities are written with their units ("50 mm", "3 min", "2 m/s", "10 degC") and parsed
once here with ``physics.units.parse_quantity``. Anything wrong gives one line naming the
file, the key and what was expected (``ScenarioError``). The sections:

- ``[scenario]`` name, park (a path or "demo"), start (ISO time with its UTC offset),
  duration, seed, step (the engine's field and dose step), probit (the toxic probit source,
  one of ``physics.harm.PROBIT_SOURCES``; by default the first with a usable probit);
- ``[weather]`` wind_speed, wind_from, stability, air_temperature, roughness (the surface
  roughness length; by default the park's, ``twin.park.roughness_m``: its boundary's
  ``roughness_m``, else a chemical park's 1 m), obukhov_length (a measured Monin-Obukhov
  length, e.g. "-30 m": it sets u* and the surface layer in place of the class's, which
  still picks the Briggs curves; kept through the wind's changes), mixing_height (the
  mixed layer's top, e.g. "1200 m"; by default AERMOD's mechanical height from u*,
  ``physics.mixing_layer``), and either
  ``[[weather.changes]]`` (at, and any of the wind fields) or ``series`` (a CSV file with
  time_s, wind_speed_m_s, wind_from_deg, stability);
- ``[[release]]`` asset, hole (a size, or a two-element range for ensembles) or rupture,
  height, chainage (where along a pipeline; its middle by default), start, fire ("none",
  "pool", "jet", "fireball") and ignition (time of the fire);
- ``[detection]`` sensors ("all" or tags), response_time (T90), trigger ("AL1"/"AL2"),
  reported (when someone reports the leak if no detector does);
- ``[response]`` decision_delay, warning_delay, warning_spread, action ("evacuate",
  "shelter", "by_zone") and zone_radius, esd_isolation, block_level; ``[response.brigade]``
  station, turnout, speed, actions ("isolate", "water_curtain"), isolation_work,
  curtain_setup, curtain_distance, curtain_efficiency;
- ``[population]`` period ("day"/"night") or headcounts, from ("design", the default, or
  "twin": the twin's headcounts at the start, the design occupancy of ``period`` where it
  has none; needs ``[twin]``), scale, premovement_median,
  premovement_sigma, drive_fraction, destinations, air_changes (every building without its
  own; by default each building's air change follows the LBL infiltration model),
  indoor_temperature, shelter_class (1-5), leakage ("low", "average", "high");
- ``[offsite]`` warning_delay, outdoors (share outdoors until warned), receptors (points
  per target);
- ``[uncertainty]`` wind_from_sd, wind_speed_sd (relative), for ensembles;
- ``[twin]`` recording ("demo" or a file), weather (use the recorded wind), state (start
  the tanks from the twin's snapshot at the start time);
- ``[outputs]`` directory, formats, trajectories.
"""

import difflib
import math
import tomllib
import types
import typing
from datetime import datetime
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from physics import harm
from physics.atmosphere import check_obukhov_length, check_roughness
from physics.bounds import AIR_TEMPERATURE, WIND_SPEED
from physics.mixing_layer import check_mixing_height
from physics.units import parse_quantity

ACTIONS = ("evacuate", "shelter", "by_zone")
FIRES = ("none", "pool", "jet", "fireball")
BRIGADE_ACTIONS = ("isolate", "water_curtain")


class ScenarioError(ValueError):
    """A scenario file that cannot be used; the message is one line."""


def _q(value, dimension: str, minimum: float | None = 0.0):
    """Parse one quantity (None passes through)."""
    if value is None:
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        raise ValueError(f"expected a number with a unit of {dimension}, got {value!r}")
    v = parse_quantity(value, dimension)
    if minimum is not None and v < minimum:
        raise ValueError(f"expected a value >= {minimum:g} {dimension}, got {value!r}")
    return v


def _positive(value, dimension: str, what: str):
    """Parse a quantity that must be > 0 (None passes through); ``what`` names it in the
    message, e.g. "a time > 0 s"."""
    v = _q(value, dimension)
    if v is not None and not v > 0:
        raise ValueError(f"expected {what}")
    return v


def _wind_speed(value):
    """Parse a wind speed at 10 m: > 0 and below hurricane force (``physics.bounds``)."""
    v = _positive(value, "m/s", "a wind speed > 0 m/s")
    return None if v is None else WIND_SPEED.check(v)


def _direction(value):
    """Parse a direction in degrees, 0-360 (None passes through)."""
    v = _q(value, "deg")
    if v is not None and v > 360:
        raise ValueError("expected a direction of 0-360 deg")
    return v


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class Run(_Section):
    name: str = "scenario"
    park: str = "demo"
    start: datetime
    duration_s: float = Field(alias="duration")
    seed: int = 0
    step_s: float = Field(10.0, alias="step")
    probit: str | None = None

    @field_validator("duration_s", "step_s", mode="before")
    @classmethod
    def _time(cls, v):
        return _positive(v, "s", "a time > 0 s")

    @field_validator("probit")
    @classmethod
    def _probit_source(cls, v):
        harm.check_probit_source(v)
        return v

    @field_validator("start")
    @classmethod
    def _utc(cls, v: datetime):
        if v.tzinfo is None:
            raise ValueError("expected an ISO time with its zone, e.g. 2026-01-15T02:00:00Z")
        return v


class WindChange(_Section):
    at_s: float = Field(alias="at")
    wind_speed_m_s: float | None = Field(None, alias="wind_speed")
    wind_from_deg: float | None = Field(None, alias="wind_from")
    stability: Literal["A", "B", "C", "D", "E", "F"] | None = None

    @field_validator("at_s", mode="before")
    @classmethod
    def _at(cls, v):
        return _q(v, "s")

    @field_validator("wind_speed_m_s", mode="before")
    @classmethod
    def _speed(cls, v):
        return _wind_speed(v)

    @field_validator("wind_from_deg", mode="before")
    @classmethod
    def _dir(cls, v):
        return _direction(v)


class WeatherSpec(_Section):
    wind_speed_m_s: float = Field(alias="wind_speed")
    wind_from_deg: float = Field(alias="wind_from")
    stability: Literal["A", "B", "C", "D", "E", "F"]
    air_temperature_K: float = Field(293.15, alias="air_temperature")
    relative_humidity: float = 0.7
    terrain: Literal["rural", "urban"] = "rural"
    roughness_m: float | None = Field(None, alias="roughness")  # None: the park's
    # a measured Monin-Obukhov length; None: from the class and the roughness
    obukhov_length_m: float | None = Field(None, alias="obukhov_length")
    # a measured or forecast mixing height; None: AERMOD's mechanical height from u*
    mixing_height_m: float | None = Field(None, alias="mixing_height")
    changes: tuple[WindChange, ...] = ()
    series: str | None = None

    @field_validator("roughness_m", mode="before")
    @classmethod
    def _roughness(cls, v):
        z0 = _q(v, "m")
        check_roughness(z0)
        return z0

    @field_validator("obukhov_length_m", mode="before")
    @classmethod
    def _obukhov(cls, v):
        length = _q(v, "m", minimum=None)
        return None if length is None else check_obukhov_length(length)

    @field_validator("mixing_height_m", mode="before")
    @classmethod
    def _mixing_height(cls, v):
        height = _q(v, "m")
        return None if height is None else check_mixing_height(height)

    @field_validator("wind_speed_m_s", mode="before")
    @classmethod
    def _speed(cls, v):
        return _wind_speed(v)

    @field_validator("wind_from_deg", mode="before")
    @classmethod
    def _dir(cls, v):
        return _direction(v)

    @field_validator("air_temperature_K", mode="before")
    @classmethod
    def _temp(cls, v):
        v = _q(v, "K", minimum=None)
        return None if v is None else AIR_TEMPERATURE.check(v)


class ReleaseSpec(_Section):
    asset: str
    hole_m: tuple[float, float] | None = Field(None, alias="hole")
    rupture: bool = False
    height_m: float = Field(0.0, alias="height")
    chainage_m: float | None = Field(None, alias="chainage")
    start_s: float = Field(0.0, alias="start")
    fire: Literal["none", "pool", "jet", "fireball"] = "none"
    ignition_s: float | None = Field(None, alias="ignition")

    @field_validator("hole_m", mode="before")
    @classmethod
    def _hole(cls, v):
        if v is None:
            return None
        if isinstance(v, str):
            d = _q(v, "m")
            return (d, d)
        if isinstance(v, list) and len(v) == 2:
            lo, hi = _q(v[0], "m"), _q(v[1], "m")
            if not 0 < lo <= hi:
                raise ValueError("expected a range [small, large] of hole sizes > 0 m")
            return (lo, hi)
        raise ValueError("expected a hole size such as '50 mm' or a range ['25 mm', '75 mm']")

    @field_validator("height_m", "chainage_m", "start_s", "ignition_s", mode="before")
    @classmethod
    def _non_negative(cls, v, info):
        return _q(v, "m" if info.field_name.endswith("_m") else "s")

    def model_post_init(self, _):
        if self.rupture == (self.hole_m is not None):
            raise ValueError("give either a hole size or rupture = true")

    @property
    def hole_diameter_m(self) -> float | None:
        return None if self.hole_m is None else math.sqrt(self.hole_m[0] * self.hole_m[1])


class Detection(_Section):
    sensors: Literal["all"] | tuple[str, ...] = "all"
    response_time_s: float = Field(30.0, alias="response_time")
    trigger: Literal["AL1", "AL2"] = "AL1"
    reported_s: float | None = Field(None, alias="reported")

    @field_validator("response_time_s", "reported_s", mode="before")
    @classmethod
    def _time(cls, v):
        return _q(v, "s")


class Brigade(_Section):
    station: str = "B-FIRE"
    turnout_s: float = Field(60.0, alias="turnout")
    speed_m_s: float = Field(alias="speed")
    actions: tuple[Literal["isolate", "water_curtain"], ...] = ()
    isolation_work_s: float = Field(300.0, alias="isolation_work")
    curtain_setup_s: float = Field(300.0, alias="curtain_setup")
    curtain_distance_m: float = Field(30.0, alias="curtain_distance")
    curtain_efficiency: float = 0.0

    @field_validator(
        "turnout_s", "isolation_work_s", "curtain_setup_s", "curtain_distance_m", mode="before"
    )
    @classmethod
    def _q(cls, v, info):
        return _q(v, "m" if info.field_name == "curtain_distance_m" else "s")

    @field_validator("speed_m_s", mode="before")
    @classmethod
    def _speed(cls, v):
        return _positive(v, "m/s", "a speed > 0 m/s")

    @field_validator("curtain_efficiency", mode="before")
    @classmethod
    def _fraction(cls, v):
        v = _q(v, "1") if isinstance(v, str) else v
        if isinstance(v, bool) or not isinstance(v, int | float) or not 0.0 <= v <= 1.0:
            raise ValueError("expected a fraction of 0-100 %")
        return v


class Response(_Section):
    decision_delay_s: float = Field(alias="decision_delay")
    warning_delay_s: float = Field(alias="warning_delay")
    warning_spread_s: float = Field(0.0, alias="warning_spread")
    action: Literal["evacuate", "shelter", "by_zone"] = "evacuate"
    zone_radius_m: float | None = Field(None, alias="zone_radius")
    esd_isolation_s: float | None = Field(None, alias="esd_isolation")
    block_level: Literal["AEGL-2", "AEGL-3", "none"] = "AEGL-3"
    brigade: Brigade | None = None

    @field_validator(
        "decision_delay_s",
        "warning_delay_s",
        "warning_spread_s",
        "esd_isolation_s",
        "zone_radius_m",
        mode="before",
    )
    @classmethod
    def _q(cls, v, info):
        return _q(v, "m" if info.field_name == "zone_radius_m" else "s")

    def model_post_init(self, _):
        if self.action == "by_zone" and self.zone_radius_m is None:
            raise ValueError("action 'by_zone' needs zone_radius (e.g. '500 m')")


class PopulationSpec(_Section):
    period: Literal["day", "night"] = "night"
    headcounts: dict[str, int] | None = None
    source: Literal["design", "twin"] = Field("design", alias="from")
    scale: float = 1.0
    premovement_median_s: float = Field(alias="premovement_median")
    premovement_sigma: float = 0.6
    drive_fraction: float = 0.0
    destinations: Literal["assembly", "gates", "both"] = "assembly"
    air_changes_per_s: float | None = Field(None, alias="air_changes")
    indoor_temperature_K: float = Field(293.15, alias="indoor_temperature")
    shelter_class: int = Field(3, ge=1, le=5)
    leakage: Literal["low", "average", "high"] = "average"

    def model_post_init(self, _):
        if self.source == "twin" and self.headcounts is not None:
            raise ValueError("give either from = 'twin' or headcounts, not both")

    @field_validator("premovement_median_s", mode="before")
    @classmethod
    def _median(cls, v):
        return _positive(v, "s", "a time > 0 s")

    @field_validator("indoor_temperature_K", mode="before")
    @classmethod
    def _indoor(cls, v):
        return _q(v, "K", minimum=150.0)

    @field_validator("air_changes_per_s", mode="before")
    @classmethod
    def _ach(cls, v):
        return _positive(v, "1/s", "an air change rate > 0, e.g. '0.5 1/h'")

    @field_validator("scale", "premovement_sigma", "drive_fraction")
    @classmethod
    def _positive(cls, v, info):
        if not v >= 0 or (info.field_name == "drive_fraction" and v > 1):
            raise ValueError(
                "expected a number >= 0" + (" and <= 1" if "fraction" in info.field_name else "")
            )
        return v


class Offsite(_Section):
    """People of the targets outside the park: warned ``warning_delay`` after the decision
    (the park's warning delay if not given), sheltering indoors from then on; ``outdoors``
    is the share outdoors until warned; ``receptors`` the points each target is sampled at."""

    warning_delay_s: float | None = Field(None, alias="warning_delay")
    outdoors: float = Field(0.0, ge=0.0, le=1.0)
    receptors: int = Field(9, ge=1, le=100)

    @field_validator("warning_delay_s", mode="before")
    @classmethod
    def _time(cls, v):
        return _q(v, "s")


class Uncertainty(_Section):
    wind_from_sd_deg: float = Field(0.0, alias="wind_from_sd")
    wind_speed_sd: float = 0.0

    @field_validator("wind_from_sd_deg", mode="before")
    @classmethod
    def _deg(cls, v):
        return _q(v, "deg")


class TwinSpec(_Section):
    recording: str = "demo"
    weather: bool = True
    state: bool = True


class Outputs(_Section):
    directory: str = "results"
    formats: tuple[Literal["csv", "parquet"], ...] = ("csv",)
    trajectories: bool = True


class Scenario(_Section):
    """A checked scenario, SI inside. ``path`` is the file it came from (for messages and
    relative paths)."""

    run: Run = Field(alias="scenario")
    weather: WeatherSpec
    releases: tuple[ReleaseSpec, ...] = Field(alias="release", min_length=1)
    detection: Detection = Detection()
    response: Response
    population: PopulationSpec
    offsite: Offsite = Offsite()
    uncertainty: Uncertainty = Uncertainty()
    twin: TwinSpec | None = None
    outputs: Outputs = Outputs()
    path: str = ""

    model_config = ConfigDict(
        extra="forbid", frozen=True, populate_by_name=True, allow_inf_nan=False
    )

    def with_changes(self, **changes) -> "Scenario":
        """A copy with fields replaced (e.g. ``response=...``), unchecked."""
        return self.model_copy(update=changes)


def _section_model(loc) -> type[BaseModel] | None:
    """The model of the table at ``loc`` (keys and list indices from the top), or None."""
    model = Scenario
    for part in loc:
        if isinstance(part, int):
            continue
        fields = {f.alias or name: f for name, f in model.model_fields.items()}
        if part not in fields:
            return None
        inner = [fields[part].annotation]
        while inner:
            kind = inner.pop()
            if isinstance(kind, type) and issubclass(kind, BaseModel):
                model = kind
                break
            if isinstance(kind, types.UnionType) or typing.get_origin(kind) is not None:
                inner += list(typing.get_args(kind))
        else:
            return None
    return model


def _unknown_key(loc) -> str:
    model = _section_model(loc[:-1])
    known = [f.alias or n for n, f in model.model_fields.items()] if model else []
    near = difflib.get_close_matches(str(loc[-1]), [k for k in known if k != "path"], n=1)
    return f"unknown key {loc[-1]!r}" + (f"; did you mean {near[0]!r}?" if near else "")


def _one_line(path, err: ValidationError) -> str:
    errors = err.errors()
    # A misspelt key also makes the right one missing: name the misspelling first.
    e = next((e for e in errors if e["type"] == "extra_forbidden"), errors[0])
    key = "".join(
        c if c.isprintable() else repr(c)[1:-1] for c in ".".join(str(p) for p in e["loc"])
    )
    msg = e["msg"].removeprefix("Value error, ")
    if e["type"] == "missing":
        msg = "is required"
    elif e["type"] == "extra_forbidden":
        msg = _unknown_key(e["loc"])
    elif e["type"] == "finite_number":
        msg = f"expected a finite number, got {e['input']!r}"
    elif e["type"] == "literal_error":
        msg = "expected " + msg.removeprefix("Input should be ")
    return f"{path}: {key}: {msg}"


def load(path) -> Scenario:
    """Read and check a scenario file.

    Raises
    ------
    ScenarioError
        One line: file, key, what was expected.
    """
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ScenarioError(f"{path}: no such scenario file") from None
    except UnicodeDecodeError as e:
        raise ScenarioError(
            f"{path}: not UTF-8 text (byte {e.object[e.start]:#04x} at offset {e.start}); "
            "save the scenario file as UTF-8"
        ) from None
    except OSError as e:
        raise ScenarioError(f"{path}: cannot be read ({e.strerror or e})") from None
    except tomllib.TOMLDecodeError as e:
        raise ScenarioError(f"{path}: not valid TOML ({e})") from None
    return parse(data, str(path))


def parse(data: dict, path: str = "<scenario>") -> Scenario:
    """Check a scenario given as a dict (the parsed TOML)."""
    try:
        return Scenario.model_validate({**data, "path": path})
    except ValidationError as e:
        raise ScenarioError(_one_line(path, e)) from None
