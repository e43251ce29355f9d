"""Loss-of-containment events of every tank and pipeline, with their frequencies.

The generic events live in ``data/loc_frequencies.csv``, one row per equipment type and
event, each with its source and whether that source was confirmed at the primary text.
A user file with the same columns (``applies_to``, ``event``, ``frequency_per_year`` and
``source`` required) overrides rows: ``applies_to`` is either an equipment
type (``pressure_vessel``, ``atmospheric_tank``, ``pipeline_dn_lt_75``,
``pipeline_dn_75_150``, ``pipeline_dn_gt_150``) or an asset id; an asset row beats a type
row for the same event, and a frequency of 0 removes the event.

Events: ``instantaneous`` (the whole inventory at once), ``continuous_10min`` (the whole
inventory in 10 minutes: a hole sized so that the initial outflow empties it in 600 s),
``leak`` (a hole of ``hole_mm``, or ``hole_fraction`` of a pipe's diameter), ``rupture``
(a pipeline's full bore). Pipeline frequencies are per metre: the line is cut into pieces
of ``spacing_m`` and each piece's event sits at its middle.

Detection and isolation: ``detection_s + isolation_s`` (when given) is when the release
stops; it bounds the toxic exposure and the jet fire, and stops a pipeline's pumped flow.
"""

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

import geodata

DATA = Path(__file__).parent / "data"
DEFAULT_FILE = DATA / "loc_frequencies.csv"
EVENTS = ("instantaneous", "continuous_10min", "leak", "rupture")
COLUMNS = (
    "applies_to",
    "event",
    "hole_mm",
    "hole_fraction",
    "frequency_per_year",
    "per_metre",
    "detection_s",
    "isolation_s",
    "confirmed",
    "source",
)
REQUIRED = ("applies_to", "event", "frequency_per_year", "source")
DEFAULT_SPACING_M = 100.0


@dataclass(frozen=True)
class LossEvent:
    """One loss of containment: where it can happen (``positions``, each with its own
    frequency per year) and how it releases."""

    id: str
    asset: str
    enterprise: str
    equipment: str
    event: str
    hole_m: float | None
    positions: tuple[tuple[float, float, float], ...]  # (x, y, frequency per year)
    stop_s: float | None
    confirmed: bool
    source: str

    @property
    def frequency_per_year(self) -> float:
        return sum(f for _, _, f in self.positions)


def read_table(path) -> pd.DataFrame:
    """A frequency table with its columns checked (one clear line on error)."""
    table = pd.read_csv(path, dtype={"applies_to": str, "event": str})
    missing = [c for c in REQUIRED if c not in table.columns]
    if missing:
        raise ValueError(f"{path}: missing column(s) {', '.join(missing)}")
    for column in COLUMNS:
        if column not in table.columns:
            table[column] = "no" if column in ("per_metre", "confirmed") else np.nan
    bad = sorted(set(table.event) - set(EVENTS))
    if bad:
        raise ValueError(f"{path}: unknown event(s) {', '.join(bad)}; use {', '.join(EVENTS)}")
    freq = pd.to_numeric(table.frequency_per_year, errors="coerce")
    if freq.isna().any() or (freq < 0).any():
        line = int(freq.index[freq.isna() | (freq < 0)][0]) + 2
        raise ValueError(f"{path}, line {line}: frequency_per_year must be a number >= 0")
    table["frequency_per_year"] = freq
    table["per_metre"] = table.per_metre.astype(str).str.lower().eq("yes")
    table["confirmed"] = table.confirmed.astype(str).str.lower().eq("yes")
    return table


def equipment_type(park: geodata.Park, asset: str) -> str:
    """The catalogue's equipment type of a tank or pipeline."""
    if asset in park.tanks.index:
        return (
            "pressure_vessel"
            if park.tanks.loc[asset, "storage"] == "pressurised"
            else ("atmospheric_tank")
        )
    dn = float(park.pipelines.loc[asset, "diameter_mm"])
    if dn < 75:
        return "pipeline_dn_lt_75"
    return "pipeline_dn_75_150" if dn <= 150 else "pipeline_dn_gt_150"


def _rows_for(table: pd.DataFrame, asset: str, equipment: str) -> pd.DataFrame:
    own = table[table.applies_to == asset]
    generic = table[(table.applies_to == equipment) & ~table.event.isin(own.event)]
    rows = pd.concat([generic, own])
    return rows[rows.frequency_per_year > 0]


def _merged(overrides) -> pd.DataFrame:
    table = read_table(DEFAULT_FILE)
    if overrides is not None:
        user = read_table(overrides)
        table = pd.concat([table, user]).drop_duplicates(["applies_to", "event"], keep="last")
    return table.reset_index(drop=True)


def _stop(row) -> float | None:
    parts = [row.detection_s, row.isolation_s]
    if all(pd.isna(p) for p in parts):
        return None
    return float(sum(0.0 if pd.isna(p) else p for p in parts))


def catalogue(
    park: geodata.Park, overrides=None, spacing_m: float = DEFAULT_SPACING_M
) -> list[LossEvent]:
    """Every loss-of-containment event of the park's tanks and pipelines.

    Parameters
    ----------
    park : geodata.Park
        A loaded park.
    overrides : path, optional
        A CSV with the columns of ``data/loc_frequencies.csv`` whose rows replace the
        generic ones (per type or per asset id).
    spacing_m : float
        Length of pipeline that one event position stands for. [m]
    """
    if not math.isfinite(spacing_m) or spacing_m <= 0:
        raise ValueError(f"pipeline spacing must be above 0 m, got {spacing_m}")
    table = _merged(overrides)
    events = []
    for asset, tank in park.tanks.iterrows():
        kind = equipment_type(park, asset)
        for row in _rows_for(table, asset, kind).itertuples():
            hole = None if pd.isna(row.hole_mm) else row.hole_mm / 1000.0
            p = tank.geometry.centroid
            events.append(
                LossEvent(
                    f"{asset}/{row.event}",
                    asset,
                    str(tank.enterprise),
                    kind,
                    row.event,
                    hole,
                    ((p.x, p.y, float(row.frequency_per_year)),),
                    _stop(row),
                    bool(row.confirmed),
                    row.source,
                )
            )
    for asset, pipe in park.pipelines.iterrows():
        kind = equipment_type(park, asset)
        line = pipe.geometry
        n = max(1, math.ceil(line.length / spacing_m))
        pieces = [min(spacing_m, line.length - k * spacing_m) for k in range(n)]
        owner = pipe.from_asset
        enterprise = (
            park.tanks.loc[owner, "enterprise"]
            if owner in park.tanks.index
            else park.buildings.loc[owner, "enterprise"]
            if owner in park.buildings.index
            else ""
        )
        for row in _rows_for(table, asset, kind).itertuples():
            if not pd.isna(row.hole_fraction):
                hole = float(row.hole_fraction) * float(pipe.diameter_m)
            else:
                hole = None if pd.isna(row.hole_mm) else row.hole_mm / 1000.0
            positions = []
            for k, piece in enumerate(pieces):
                p = line.interpolate(k * spacing_m + piece / 2.0)
                f = row.frequency_per_year * (piece if row.per_metre else 1.0 / n)
                positions.append((p.x, p.y, float(f)))
            events.append(
                LossEvent(
                    f"{asset}/{row.event}",
                    asset,
                    str(enterprise or ""),
                    kind,
                    row.event,
                    hole,
                    tuple(positions),
                    _stop(row),
                    bool(row.confirmed),
                    row.source,
                )
            )
    return events


def unconfirmed_sources(events: list[LossEvent]) -> list[str]:
    """The distinct sources of the events whose frequency is not confirmed at a primary
    text (printed with every run)."""
    return sorted({f"{e.equipment}/{e.event}: {e.source}" for e in events if not e.confirmed})
