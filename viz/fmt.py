"""How numbers are written for people, in every report and on the terminal: one format
for each kind of quantity, with its unit, rounded to what the models can tell.

- ``number``: three significant figures at most, thousands separated (``2,610``, ``7.68``);
- ``distance`` [m], ``area`` [m2 -> ha or km2], ``duration`` [s -> s, min, h], ``mass``
  [kg -> kg or t], ``rate`` [kg/s], ``concentration`` [kg/m3 -> mg/m3], ``risk`` [per year];
- ``not_computed(why)`` where a value is missing: never ``nan``, never 0;
- ``label``: a column or key such as ``time_to_clear_s`` as words with its unit in brackets.
"""

import math
import re

from physics.units import COMPASS

NOT_COMPUTED = "not computed"


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and not math.isfinite(value))


def not_computed(why: str) -> str:
    """What a report says for a value it does not have."""
    return f"{NOT_COMPUTED} ({why})"


def number(value: float, digits: int = 3) -> str:
    """``value`` to ``digits`` significant figures, thousands separated, no trailing
    zeros: 4471182.4 -> 4,470,000; 7.684 -> 7.68; 12.0 -> 12; 0.1704 -> 0.17."""
    if value == 0:
        return "0"
    magnitude = math.floor(math.log10(abs(value)))
    if magnitude < -3:
        return f"{value:.{digits - 1}e}".replace("e-0", "e-")
    decimals = max(digits - 1 - magnitude, 0)
    text = f"{round(value, digits - 1 - magnitude):,.{decimals}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def distance(metres: float, why: str = "no value") -> str:
    if _missing(metres):
        return not_computed(why)
    if abs(metres) >= 10_000:
        return f"{number(metres / 1000)} km"
    return f"{number(metres)} m"


def area(m2: float, why: str = "no value") -> str:
    """Areas: m2 below 0.1 ha, ha below 10 km2, km2 above."""
    if _missing(m2):
        return not_computed(why)
    if m2 < 1_000:
        return f"{number(m2, 2)} m2"
    if m2 < 1e7:
        return f"{number(m2 / 1e4)} ha"
    return f"{number(m2 / 1e6)} km2"


def duration(seconds: float, why: str = "no value") -> str:
    """Durations: s below 2 min, min (and s) below 2 h, h above."""
    if _missing(seconds):
        return not_computed(why)
    if abs(seconds) < 120:
        return f"{number(seconds, 2)} s"
    if abs(seconds) < 7200:
        minutes, rest = divmod(round(seconds), 60)
        return f"{minutes} min {rest:02d} s" if rest else f"{minutes} min"
    return f"{number(seconds / 3600, 2)} h"


def mass(kg: float, why: str = "no value") -> str:
    if _missing(kg):
        return not_computed(why)
    return f"{number(kg / 1000)} t" if abs(kg) >= 10_000 else f"{number(kg)} kg"


def rate(kg_s: float, why: str = "no value") -> str:
    return not_computed(why) if _missing(kg_s) else f"{number(kg_s)} kg/s"


SMALLEST_MG_M3 = 1e-3  # smaller concentrations are the tails of Gaussians, not exposure


def concentration(kg_m3: float, why: str = "no value") -> str:
    if _missing(kg_m3):
        return not_computed(why)
    mg = kg_m3 * 1e6
    return f"below {SMALLEST_MG_M3:g} mg/m3" if 0 < mg < SMALLEST_MG_M3 else f"{number(mg)} mg/m3"


def risk(per_year: float, why: str = "no value") -> str:
    """Frequencies and individual risk: two significant figures, powers of ten."""
    if _missing(per_year):
        return not_computed(why)
    if per_year == 0:
        return "0 per year"
    return f"{per_year:.1e} per year".replace("e-0", "e-").replace("e+0", "e+")


def count(n, why: str = "no value") -> str:
    return not_computed(why) if _missing(n) else f"{int(n):,}"


UNITS = {
    "_kg_m3": ("kg/m3", concentration),
    "_mg_m3": ("mg/m3", None),
    "_kg_s": ("kg/s", rate),
    "_kg": ("kg", mass),
    "_m2": ("m2", area),
    "_s": ("s", duration),
    "_m": ("m", distance),
    "_per_year": ("per year", risk),
    "_W_m2": ("W/m2", None),
    "_Pa": ("Pa", None),
}


def label(key: str, unit: bool = False) -> str:
    """A snake_case key as words, without its unit suffix (the value written by ``value``
    carries it) or with it in brackets: ``time_to_clear_s`` -> ``time to clear`` or
    ``time to clear [s]``; ``above_AEGL-2`` -> ``above AEGL-2``."""
    for suffix, (name, _) in sorted(UNITS.items(), key=lambda kv: -len(kv[0])):
        if key.endswith(suffix):
            words = key[: -len(suffix)].replace("_", " ")
            return f"{words} [{name}]" if unit else words
    return key.replace("_", " ")


def value(key: str, v, why: str = "no value") -> str:
    """``v`` formatted by the unit its key ends with (``first_alarm_s`` -> a duration);
    counts and text as they are; a missing number as ``not computed (why)``."""
    if isinstance(v, bool) or isinstance(v, str):
        return str(v)
    if _missing(v):
        return not_computed(why)
    for suffix, (_, formatter) in sorted(UNITS.items(), key=lambda kv: -len(kv[0])):
        if key.endswith(suffix) and formatter is not None:
            return formatter(float(v))
    if isinstance(v, int) or float(v).is_integer():
        return f"{int(v):,}"
    return number(float(v))


def wind(speed_m_s: float, from_deg: float) -> str:
    """``2 m/s from NE (45 deg)``: where the wind blows from."""
    point = COMPASS[round(from_deg / 22.5) % len(COMPASS)]
    return f"{number(speed_m_s, 2)} m/s from {point} ({from_deg:.0f} deg)"


SNAKE = re.compile(r"(?<![\w.-])([a-z][a-z0-9]*(?:_[A-Za-z0-9]+)+)\b(?![\w/]*\.[a-z]{2,4}\b)")
EVENTS = {
    "instantaneous": "instantaneous release",
    "continuous_10min": "10-minute release",
    "leak": "leak",
    "rupture": "full-bore rupture",
}


def words(text: str) -> str:
    """``text`` with its snake_case keys as words (``toxic_exposure_cap_s`` -> ``toxic
    exposure cap [s]``); file names (``data/protection_classes.csv``) are kept as they are."""
    return SNAKE.sub(lambda m: label(m.group(1), unit=True), str(text))


def event(event_id: str) -> str:
    """A loss event's id (``CL-101/continuous_10min``) as words (``CL-101: 10-minute
    release``)."""
    asset, _, kind = str(event_id).partition("/")
    return f"{asset}: {EVENTS.get(kind, kind.replace('_', ' '))}" if kind else asset


ID_NUMBER = re.compile(r"^(.*?)(\d+)$")


def ids(names) -> str:
    """Ids listed compactly, in their order: runs of three or more that differ only in a
    trailing number counting up by one, with its width kept, as ``first..last-number``
    (``E012-PR-101, E012-PR-102, E012-PR-103`` -> ``E012-PR-101..103``); others as they are."""
    parts, run = [], []

    def close():
        if len(run) >= 3:
            parts.append(f"{run[0][0]}{run[0][1]}..{run[-1][1]}")
        else:
            parts.extend(f"{p}{n}" for p, n in run)
        run.clear()

    for name in map(str, names):
        m = ID_NUMBER.match(name)
        if m is None:
            close()
            parts.append(name)
            continue
        prefix, digits = m.groups()
        if run and not (
            prefix == run[-1][0]
            and len(digits) == len(run[-1][1])
            and int(digits) == int(run[-1][1]) + 1
        ):
            close()
        run.append((prefix, digits))
    close()
    return ", ".join(parts)
