"""Event trees: direct and delayed ignition, and the outcomes they lead to.

Direct ignition comes from ``data/ignition.csv`` by substance class (``liquid``,
``gas_low`` reactivity, ``gas_high`` medium/high reactivity) and release size (kg/s for a
continuous release, kg for an instantaneous one), each row with its source: the Purple
Book's Table 4.5 (stationary installations) as given by two agreeing public transcriptions
for continuous releases and liquids (secondary), by one for the instantaneous mass bins
(``transcriptions`` column).

Outcomes of one event (probabilities sum to 1):

- ``fire``: direct ignition -> fireball (pressurised rupture), jet fire (pressurised
  continuous) or pool fire (liquid), all centred on the source;
- ``cloud``: no direct ignition -> the cloud drifts. Without a sourced delayed-ignition
  probability (``p_delayed`` empty in the table, the default) the cloud is taken to do, at
  each place, the worst of what it can do there: the largest of the toxic, flash-fire and
  explosion lethalities. That bounds the risk from above and needs no invented number.
  With ``p_delayed`` given, ``cloud`` splits into ``delayed`` (flash fire or explosion,
  the worse) and ``toxic``.

A substance neither flammable nor with a toxic probit has no outcome (reported).
"""

import math
from pathlib import Path

import pandas as pd

DATA = Path(__file__).parent / "data"
DEFAULT_FILE = DATA / "ignition.csv"
# Reactivity of gases (Purple Book's low vs. medium/high classes). The class of each
# substance is our reading of its name list; a user can override via `reactivity=`.
LOW_REACTIVITY_CAS = {"74-82-8", "7664-41-7", "630-08-0", "74-84-0", "7783-06-4"}


def read_table(path=DEFAULT_FILE) -> pd.DataFrame:
    table = pd.read_csv(path)
    for col in ("size_min", "size_max", "p_direct"):
        table[col] = pd.to_numeric(table[col], errors="raise")
    table["confirmed"] = table.confirmed.astype(str).str.lower().eq("yes")
    return table


def substance_class(substance, liquid_at_ambient: bool) -> str:
    """``liquid`` for a substance that stays liquid at ambient pressure and temperature,
    else ``gas_low`` or ``gas_high`` by reactivity."""
    if liquid_at_ambient:
        return "liquid"
    return "gas_low" if substance.cas in LOW_REACTIVITY_CAS else "gas_high"


def direct_ignition(table: pd.DataFrame, klass: str, instantaneous: bool, size: float):
    """(probability, table row) of direct ignition for a release of ``size`` (kg/s for a
    continuous release, kg for an instantaneous one)."""
    if not math.isfinite(size) or size < 0:
        raise ValueError(f"release size must be a number >= 0, got {size}")
    release = "instantaneous" if instantaneous else "continuous"
    rows = table[(table.substance_class == klass) & (table.release == release)]
    hit = rows[(rows.size_min <= size) & (size < rows.size_max)]
    if hit.empty:
        raise ValueError(f"ignition table has no row for {klass}, {release}, size {size:g}")
    row = hit.iloc[0]
    return float(row.p_direct), row


def outcomes(
    table: pd.DataFrame,
    *,
    flammable: bool,
    toxic: bool,
    klass: str,
    instantaneous: bool,
    size: float,
) -> dict[str, float]:
    """Outcome -> conditional probability for one release (see the module docstring)."""
    if not flammable:
        return {"toxic": 1.0} if toxic else {}
    p_direct, row = direct_ignition(table, klass, instantaneous, size)
    p_delayed = row.get("p_delayed")
    if p_delayed is None or pd.isna(p_delayed):
        return {"fire": p_direct, "cloud": 1.0 - p_direct}
    rest = 1.0 - p_direct
    result = {"fire": p_direct, "delayed": rest * float(p_delayed)}
    if toxic:
        result["toxic"] = rest * (1.0 - float(p_delayed))
    return result
