"""Quantities written by people ("50 mm", "5 t", "3 m/s", "20 degC") parsed once into SI.

Only the boundary of parktwin (files, the command line) calls this; everything inside works
in plain SI floats: m, s, kg, Pa (absolute), K, m/s, kg/s, m2, m3, W/m2.

A value without a unit where one is needed is an error, not a guess.
"""

import math
import re

from physics.bounds import WIND_SPEED

# factor to SI, and the SI dimension each unit measures
_UNITS: dict[str, tuple[float, str]] = {
    "m": (1.0, "m"),
    "mm": (1e-3, "m"),
    "cm": (1e-2, "m"),
    "km": (1e3, "m"),
    "in": (0.0254, "m"),
    "ft": (0.3048, "m"),
    "s": (1.0, "s"),
    "sec": (1.0, "s"),
    "min": (60.0, "s"),
    "h": (3600.0, "s"),
    "hr": (3600.0, "s"),
    "kg": (1.0, "kg"),
    "g": (1e-3, "kg"),
    "t": (1e3, "kg"),
    "m/s": (1.0, "m/s"),
    "km/h": (1 / 3.6, "m/s"),
    "kn": (0.514444, "m/s"),
    "mph": (0.44704, "m/s"),
    "kg/s": (1.0, "kg/s"),
    "kg/min": (1 / 60, "kg/s"),
    "kg/h": (1 / 3600, "kg/s"),
    "t/h": (1000 / 3600, "kg/s"),
    "m2": (1.0, "m2"),
    "m3": (1.0, "m3"),
    "L": (1e-3, "m3"),
    "Pa": (1.0, "Pa"),
    "kPa": (1e3, "Pa"),
    "MPa": (1e6, "Pa"),
    "bar": (1e5, "Pa"),
    "psi": (6894.757, "Pa"),
    "atm": (101325.0, "Pa"),
    "W/m2": (1.0, "W/m2"),
    "kW/m2": (1e3, "W/m2"),
    "%": (0.01, "1"),
    "deg": (1.0, "deg"),
    "1/h": (1 / 3600, "1/s"),
}
_TEMPERATURES = {"K": 0.0, "degC": 273.15, "°C": 273.15, "C": 273.15}
# what each SI dimension is called in a message to people
_KINDS = {
    "m": "length",
    "s": "duration",
    "kg": "mass",
    "m/s": "speed",
    "kg/s": "mass rate",
    "m2": "area",
    "m3": "volume",
    "Pa": "pressure",
    "K": "temperature",
    "W/m2": "heat flux",
    "1": "fraction",
    "deg": "angle",
    "1/s": "rate per second",
}
_GAUGE = re.compile(r"^(kPa|MPa|bar|Pa|psi)\(?g\)?$|^(kPa|MPa|bar|Pa|psi)g$")
ATMOSPHERE_PA = 101325.0
_NUMBER = re.compile(r"^\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*(.*?)\s*$")


def dimension_of(unit: str) -> str:
    """The SI dimension measured by ``unit`` ("m", "Pa", "K", ...); KeyError if unknown."""
    if unit in _TEMPERATURES:
        return "K"
    if _GAUGE.match(unit):
        return "Pa"
    return _UNITS[unit][1]


def to_si(value: float, unit: str) -> float:
    """Convert ``value`` written in ``unit`` to SI. Gauge pressures ("kPa(g)", "barg") become
    absolute by adding one standard atmosphere (101325 Pa)."""
    if unit in _TEMPERATURES:
        return value + _TEMPERATURES[unit]
    gauge = _GAUGE.match(unit)
    if gauge:
        base = gauge.group(1) or gauge.group(2)
        return value * _UNITS[base][0] + ATMOSPHERE_PA
    return value * _UNITS[unit][0]


def _kind(dimension: str) -> str:
    return _KINDS.get(dimension, f"{dimension} quantity")


def parse_quantity(text: str, dimension: str) -> float:
    """Parse "50 mm" into SI (0.05) checking that it measures ``dimension``.

    Parameters
    ----------
    text : str
        A number followed by its unit, e.g. "50 mm", "5 t", "3 m/s", "20 degC", "0.8 MPa(g)".
    dimension : str
        The SI unit the value must be expressible in: "m", "s", "kg", "m/s", "kg/s", "Pa",
        "K", "m2", "m3", "W/m2", "1", "deg", "1/s".

    Returns
    -------
    float
        The value in SI units.

    Raises
    ------
    ValueError
        One line saying what was expected, when the text has no number, no unit, an unknown
        unit or a unit of another dimension, or when the number is too large to hold
        ("1e999 s") or its SI value is not finite.
    """
    match = _NUMBER.match(str(text))
    if not match:
        raise ValueError(f"expected a number with a unit of {dimension}, got {text!r}")
    number, unit = float(match.group(1)), match.group(2)
    if not math.isfinite(number):
        raise ValueError(f"{text!r} is not a finite number")
    if not unit:
        raise ValueError(
            f"{text!r} has no unit; write it with a unit of {dimension}, e.g. '5 {dimension}'"
        )
    try:
        found = dimension_of(unit)
    except KeyError:
        raise ValueError(f"unknown unit {unit!r} in {text!r}") from None
    if found != dimension:
        raise ValueError(
            f"{text!r} is not a {_kind(dimension)}: expected a unit of {dimension}, "
            f"and {unit!r} measures a {_kind(found)}"
        )
    value = to_si(number, unit)
    if not math.isfinite(value):
        raise ValueError(f"{text!r} is too large to hold in {dimension}")
    return value


def parse_positive(text: str, dimension: str) -> float:
    """`parse_quantity` for a quantity that must be greater than zero (a size, a duration)."""
    value = parse_quantity(text, dimension)
    if not value > 0:
        raise ValueError(f"expected a quantity greater than 0 {dimension}, got {text!r}")
    return value


def parse_non_negative(text: str, dimension: str) -> float:
    """`parse_quantity` for a quantity that may be zero but not negative (a height)."""
    value = parse_quantity(text, dimension)
    if value < 0:
        raise ValueError(f"expected a quantity of 0 {dimension} or more, got {text!r}")
    return value


COMPASS = (
    "N",
    "NNE",
    "NE",
    "ENE",
    "E",
    "ESE",
    "SE",
    "SSE",
    "S",
    "SSW",
    "SW",
    "WSW",
    "W",
    "WNW",
    "NW",
    "NNW",
)


def parse_direction(text: str) -> float:
    """A direction written as a compass point ("NE", 16 points) or degrees ("45", "45 deg"),
    clockwise from north, as degrees in [0, 360)."""
    word = str(text).strip()
    if word.upper() in COMPASS:
        return COMPASS.index(word.upper()) * 22.5
    number = word[:-3].strip() if word.endswith("deg") else word
    try:
        value = float(number)
    except ValueError:
        raise ValueError(
            f"expected a compass point ({', '.join(COMPASS[::2])}, ...) or degrees, got {text!r}"
        ) from None
    if not 0.0 <= value <= 360.0:  # also refuses nan
        raise ValueError(f"a direction must be 0 to 360 degrees, got {text!r}")
    return value % 360.0


def parse_wind(text: str) -> tuple[float, float]:
    """ "3 m/s from NE" -> (3.0 m/s, 45.0 deg): speed, and where the wind blows from. The
    speed must lie inside ``physics.bounds.WIND_SPEED``."""
    speed, sep, direction = str(text).partition(" from ")
    if not sep:
        raise ValueError(
            f"expected wind as '<speed> from <direction>', e.g. '3 m/s from NE', got {text!r}"
        )
    value = parse_quantity(speed, "m/s")
    if value < 0:
        raise ValueError(f"wind speed cannot be negative, got {speed.strip()!r}")
    return WIND_SPEED.check(value), parse_direction(direction)
