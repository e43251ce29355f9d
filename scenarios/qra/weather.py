"""Weather classes and the wind rose of a QRA.

A climatology is a table of ``period`` (day or night), ``weather`` (a Purple Book class
name: the Pasquill letter and the wind speed in m/s, e.g. ``D5``, ``F1.5``),
``wind_from_deg`` (sector centre, where the wind blows from) and ``probability`` (the
share of the year in that period, class and sector; all rows sum to 1).

The demo climatology (``data/demo_climatology.csv``) is NOT measured: it is a uniform
16-sector rose with equal shares of the classes possible by day (B3, D1.5, D5, D9) and by
night (D1.5, D5, D9, E5, F1.5), day and night half the year each. It is a placeholder for
the demo; derive a real one from a station record with :func:`climatology_from_met`.
"""

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from physics.meteorology import STABILITY_CLASSES, sun_elevation_deg

DATA = Path(__file__).parent / "data"
DEMO_FILE = DATA / "demo_climatology.csv"
PURPLE_BOOK_CLASSES = ("B3", "D1.5", "D5", "D9", "E5", "F1.5")
PERIODS = ("day", "night")


@dataclass(frozen=True)
class WeatherClass:
    name: str

    @property
    def stability(self) -> str:
        return self.name[0]

    @property
    def wind_speed_m_s(self) -> float:
        return float(self.name[1:])


def parse_class(name: str) -> WeatherClass:
    """``'D5'`` -> WeatherClass (stability D, 5 m/s); one clear line on a bad name."""
    try:
        speed = float(name[1:])
    except (ValueError, IndexError):
        speed = float("nan")
    if not name or name[0] not in STABILITY_CLASSES or not math.isfinite(speed) or speed <= 0:
        raise ValueError(f"weather class {name!r}: expected a Pasquill letter and a speed, e.g. D5")
    return WeatherClass(name)


def read_climatology(path=DEMO_FILE) -> pd.DataFrame:
    """A climatology table, checked: known periods and classes, probabilities sum to 1."""
    table = pd.read_csv(path)
    for col in ("period", "weather", "wind_from_deg", "probability"):
        if col not in table.columns:
            raise ValueError(f"{path}: missing column {col!r}")
    bad = sorted(set(table.period) - set(PERIODS))
    if bad:
        raise ValueError(f"{path}: period must be day or night, got {', '.join(bad)}")
    for name in table.weather.unique():
        parse_class(name)
    if (table.probability < 0).any() or not math.isclose(
        table.probability.sum(), 1.0, abs_tol=1e-6
    ):
        raise ValueError(f"{path}: probabilities must be >= 0 and sum to 1")
    return table


def uniform_climatology(
    day: dict[str, float], night: dict[str, float], day_fraction=0.5, sectors=16
):
    """A climatology with a uniform rose: ``day``/``night`` map class -> share of that
    period (each summing to 1)."""
    rows = []
    for period, shares, frac in (("day", day, day_fraction), ("night", night, 1 - day_fraction)):
        for name, share in shares.items():
            parse_class(name)
            for k in range(sectors):
                rows.append((period, name, k * 360.0 / sectors, frac * share / sectors))
    return pd.DataFrame(rows, columns=["period", "weather", "wind_from_deg", "probability"])


def nearest_class(stability: str, wind_speed_m_s: float, classes=PURPLE_BOOK_CLASSES) -> str:
    """The class of ``classes`` for an observation: same stability group (A-C unstable,
    D neutral, E-F stable, in that order of preference), then the nearest wind speed."""
    group = {"A": "ABC", "B": "ABC", "C": "ABC", "D": "D", "E": "EF", "F": "EF"}[stability]
    pool = [parse_class(c) for c in classes if c[0] in group] or [parse_class(c) for c in classes]
    same = [c for c in pool if c.stability == stability] or pool
    return min(same, key=lambda c: abs(c.wind_speed_m_s - wind_speed_m_s)).name


def climatology_from_met(
    path, lon_deg: float, lat_deg: float, sectors: int = 16, classes=PURPLE_BOOK_CLASSES
) -> pd.DataFrame:
    """Derive a climatology from a recorded met file.

    The CSV needs ``time`` (ISO 8601, UTC), ``wind_speed_m_s``, ``wind_from_deg`` and
    ``stability`` (Pasquill A-F). Day is when the sun is above the horizon at
    (``lon_deg``, ``lat_deg``); each record goes to the nearest class (see
    :func:`nearest_class`) and to the sector holding its direction.
    """
    met = pd.read_csv(path)
    for col in ("time", "wind_speed_m_s", "wind_from_deg", "stability"):
        if col not in met.columns:
            raise ValueError(f"{path}: missing column {col!r}")
    if met.empty:
        raise ValueError(f"{path}: no records")
    t = pd.to_datetime(met.time, utc=True)
    seconds = (t - pd.Timestamp("1970-01-01", tz="UTC")).dt.total_seconds().to_numpy()
    day = sun_elevation_deg(lon_deg, lat_deg, seconds) > 0.0
    width = 360.0 / sectors
    sector = np.floor(((met.wind_from_deg.to_numpy() % 360.0) + width / 2) / width) % sectors
    names = [
        nearest_class(s, u, classes) for s, u in zip(met.stability, met.wind_speed_m_s, strict=True)
    ]
    frame = pd.DataFrame(
        {
            "period": np.where(day, "day", "night"),
            "weather": names,
            "wind_from_deg": sector * width,
        }
    )
    counts = frame.value_counts().rename("n").reset_index()
    counts["probability"] = counts.n / len(frame)
    return (
        counts.drop(columns="n")
        .sort_values(["period", "weather", "wind_from_deg"])
        .reset_index(drop=True)
    )
