"""Societal risk: who is where by day and night, the F-N curve, the GB 36894 lines.

People: each building's occupants (indoors) at its centroid; each outside target's
population spread over points inside its polygon (a 50 m lattice), a share outdoors
(``data/vulnerability.csv``). The F-N curve is F(N) = sum of the frequencies of the
scenarios (event position, outcome, weather class, wind sector, day/night) with at least
N deaths: non-increasing by construction.

GB 36894-2018 societal risk lines as quoted second-hand (verify the figure
and any cut-off): F = 1e-3 / N (above: unacceptable) and F = 1e-5 / N (below:
acceptable), the region between as low as reasonably practicable.
"""

from dataclasses import dataclass

import numpy as np
import pandas as pd
from shapely import contains_xy

import geodata
from scenarios.qra.footprints import vulnerability

UPPER_C, LOWER_C = 1e-3, 1e-5  # F = C / N (GB 36894-2018 as quoted; verify)
CRITERIA_SOURCE = "GB 36894-2018 as quoted second-hand: F = 1e-3/N, 1e-5/N (verify)"
TARGET_SPACING_M = 50.0


@dataclass(frozen=True)
class Population:
    """People at points: x, y [m], day and night counts, share outdoors by day and night."""

    x: np.ndarray
    y: np.ndarray
    day: np.ndarray
    night: np.ndarray
    outdoor_day: np.ndarray
    outdoor_night: np.ndarray


def population(park: geodata.Park, spacing_m: float = TARGET_SPACING_M) -> Population:
    v = vulnerability()
    xs, ys, day, night, od, on = [], [], [], [], [], []
    for _, b in park.buildings.iterrows():
        c = b.geometry.centroid
        xs.append(c.x), ys.append(c.y)
        day.append(float(b.occupants_day or 0)), night.append(float(b.occupants_night or 0))
        od.append(0.0), on.append(0.0)
    for _, t in park.targets.iterrows():
        x0, y0, x1, y1 = t.geometry.bounds
        gx, gy = np.meshgrid(
            np.arange(x0 + spacing_m / 2, x1, spacing_m),
            np.arange(y0 + spacing_m / 2, y1, spacing_m),
        )
        inside = contains_xy(t.geometry, gx, gy)
        px, py = gx[inside], gy[inside]
        if not len(px):
            p = t.geometry.representative_point()
            px, py = np.array([p.x]), np.array([p.y])
        k = len(px)
        xs += list(px)
        ys += list(py)
        day += [float(t.population_day or 0) / k] * k
        night += [float(t.population_night or 0) / k] * k
        od += [v["outdoor_fraction_day"]] * k
        on += [v["outdoor_fraction_night"]] * k
    return Population(*(np.asarray(a, dtype=float) for a in (xs, ys, day, night, od, on)))


def fn_curve(frequency, fatalities, n_min: float = 1.0) -> pd.DataFrame:
    """F-N curve: for each distinct N >= ``n_min`` of the scenarios, F = frequency of
    scenarios with N or more deaths. Columns N, F."""
    f = np.asarray(frequency, float)
    n = np.asarray(fatalities, float)
    keep = (n >= n_min) & (f > 0)
    f, n = f[keep], n[keep]
    if not len(n):
        return pd.DataFrame({"N": [], "F": []})
    order = np.argsort(-n, kind="stable")
    n_sorted, f_cum = n[order], np.cumsum(f[order])
    # at ties keep the largest cumulative frequency (everything with >= N)
    last = np.r_[n_sorted[1:] != n_sorted[:-1], True]
    return pd.DataFrame({"N": n_sorted[last][::-1], "F": f_cum[last][::-1]}).reset_index(drop=True)


def criterion_lines(n) -> pd.DataFrame:
    n = np.asarray(n, float)
    return pd.DataFrame({"N": n, "upper": UPPER_C / n, "lower": LOWER_C / n})


def region(curve: pd.DataFrame) -> str:
    """``unacceptable`` if any point lies above the upper line, ``acceptable`` if every
    point lies below the lower one, else ``ALARP``."""
    if curve.empty:
        return "acceptable"
    if (curve.F > UPPER_C / curve.N).any():
        return "unacceptable"
    if (curve.F <= LOWER_C / curve.N).all():
        return "acceptable"
    return "ALARP"


def top_contributors(scenarios: pd.DataFrame, n_min: float = 1.0, top: int = 10) -> pd.DataFrame:
    """Events ranked by their expected deaths per year (sum of f N), with their share of
    the frequency of N >= ``n_min`` deaths."""
    s = scenarios.assign(pll=scenarios.frequency * scenarios.fatalities)
    big = s[s.fatalities >= n_min].groupby("event").frequency.sum()
    g = s.groupby("event").pll.sum().rename("expected_deaths_per_year").to_frame()
    g["frequency_n_ge_min"] = big.reindex(g.index).fillna(0.0)
    total = g.frequency_n_ge_min.sum()
    g["share_of_F"] = g.frequency_n_ge_min / total if total > 0 else 0.0
    return g.sort_values("expected_deaths_per_year", ascending=False).head(top).reset_index()
