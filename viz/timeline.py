"""The timeline of an engine run as a PNG (matplotlib): what happened, minute by minute.

Stacked panels sharing the time axis (minutes from the scenario start):

1. the release: outflow and airborne rate [kg/s], and the mass released so far [kg];
2. the outdoor concentration [mg/m3] at chosen points, at the buildings and at the outside
   targets most exposed, with the levels of concern as horizontal lines;
3. the people: evacuated (arrived at a destination), sheltered, on the move (walking or
   queued) and exposed (outdoors or indoors, above each level of concern now).

Alarms, the decision, the warnings and the isolation are vertical markers on every panel,
named with their times in one legend below the panels (labels on the lines overlapped
where markers fall close together).
``timeline_series`` extracts the plotted series from a ``scenarios.results.ScenarioResult``
(viz never sees the engine).
"""

import math
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from scipy.interpolate import RegularGridInterpolator

from viz import fmt

MG_PER_KG = 1e6
MOST_EXPOSED = 3  # buildings and targets shown in the concentration panel, each
# A building or target is shown if its peak reaches this fraction of the lowest level:
# smaller values are the tails of Gaussians, not exposure.
SHOWN_FRACTION = 1e-6
MARKER_COLOURS = {
    "first alarm": "tab:orange",
    "first AL2 alarm": "tab:red",
    "decision": "black",
    "first warning": "tab:blue",
    "all warned": "tab:cyan",
    "isolation": "tab:green",
}


def timeline_series(result, points=None) -> dict:
    """The series the timeline draws, from the result only.

    Parameters
    ----------
    result : scenarios.results.ScenarioResult
        The run.
    points : dict or None
        Name -> (x, y) in the park's metric CRS [m]; their concentration is read from the
        result's cloud frames (every minute, bilinear on the frame's grid; 0 outside a
        frame, which covers the cloud above the lowest level of concern).

    Returns
    -------
    dict
        'release': DataFrame indexed by time_s [s] with outflow_kg_s, airborne_kg_s,
        released_kg. 'concentration': DataFrame indexed by time_s [s], one column per
        point, most exposed building and outside target (names prefixed 'point',
        'building', 'target'; at most ``MOST_EXPOSED`` of each, with a peak above
        ``SHOWN_FRACTION`` of the lowest level) [kg/m3]; points have values at the cloud
        frames' times only (NaN between). 'people': DataFrame indexed by time_s [s] with
        evacuated, sheltered, on_the_move and above_<level> [persons]. 'markers': list of
        (label, time [s]). 'levels': name -> threshold [kg/m3].
    """
    tl = result.timeline.set_index("time_s")
    release = tl[["outflow_kg_s", "airborne_kg_s", "released_kg"]]
    people = pd.DataFrame(
        {
            "evacuated": tl["arrived"],
            "sheltered": tl["sheltered"],
            "on_the_move": tl["walking"] + tl["queued"],
        }
    )
    for level in result.levels:
        people[f"above_{level}"] = tl[f"people_above_{level}"]
    conc = [_points_series(result, points or {})]
    floor = SHOWN_FRACTION * min(result.levels.values(), default=0.0)
    for kind, table in (("building", result.building_c), ("target", result.target_c)):
        if len(table.columns):
            peak = table.max().sort_values(ascending=False, kind="stable")
            top = [c for c in peak.index[:MOST_EXPOSED] if peak[c] > floor]
            conc.append(table[top].add_prefix(f"{kind} "))
    frames = [c for c in conc if len(c.columns)]
    concentration = (
        pd.concat(frames, axis=1).sort_index() if frames else pd.DataFrame(index=tl.index)
    )
    return {
        "release": release,
        "concentration": concentration,
        "people": people,
        "markers": markers(result),
        "levels": dict(result.levels),
    }


def markers(result) -> list[tuple[str, float]]:
    """(label, time [s]) of the first alarm, the first AL2 alarm, the decision, the first
    warning, the time every warned building had been warned, and the isolation."""
    out = []
    alarms = result.alarms
    if len(alarms):
        out.append(("first alarm", float(alarms["time_s"].min())))
        al2 = alarms.loc[alarms["level"] == "AL2", "time_s"]
        if len(al2):
            out.append(("first AL2 alarm", float(al2.min())))
    ev = result.events
    for label, start in (("decision", "decision"), ("isolation", "isolation")):
        hit = ev.loc[ev["what"].str.startswith(start), "time_s"]
        if len(hit):
            out.append((label, float(hit.min())))
    warned = result.buildings["warned_s"].dropna() if "warned_s" in result.buildings else []
    if len(warned):
        out.append(("first warning", float(warned.min())))
        out.append(("all warned", float(warned.max())))
    return sorted(out, key=lambda m: m[1])


def _points_series(result, points: dict) -> pd.DataFrame:
    times = [f[0] for f in result.cloud]
    data = {}
    for name, (px, py) in points.items():
        values = []
        for _, x, y, c in result.cloud:
            inside = x[0] <= px <= x[-1] and y[0] <= py <= y[-1]
            grid = RegularGridInterpolator((y, x), c.astype(float))
            values.append(float(grid([py, px])[0]) if inside else 0.0)
        data[f"point {name}"] = values
    return pd.DataFrame(data, index=pd.Index(times, name="time_s"))


def timeline_figure(
    result,
    out_png,
    points=None,
    *,
    size_px: tuple[int, int] = (1600, 1500),
    dpi: int = 160,
) -> Path:
    """Draw the timeline of a run as a PNG of stacked panels.

    Parameters
    ----------
    result : scenarios.results.ScenarioResult
        The run.
    out_png : str or path
        Where to write the PNG.
    points : dict or None
        Name -> (x, y) in the park's metric CRS [m] to show the concentration at.
    size_px : (int, int)
        Width and height of the PNG. [px]
    dpi : int
        Resolution; text and lines scale with it. [dots per inch]

    Returns
    -------
    Path
        The PNG written.
    """
    fig = draw_timeline(result, points, size_px=size_px, dpi=dpi)
    out = Path(out_png)
    fig.savefig(out, dpi=dpi)
    return out


def draw_timeline(result, points=None, *, size_px=(1600, 1500), dpi: int = 160) -> Figure:
    """The timeline's figure (see ``timeline_figure``): three panels and, below them, one
    legend of the markers with their times."""
    s = timeline_series(result, points)
    fig = Figure(figsize=(size_px[0] / dpi, size_px[1] / dpi), dpi=dpi)
    FigureCanvasAgg(fig)
    ax_rel, ax_c, ax_p = fig.subplots(3, 1, sharex=True)
    fig.suptitle(f"{result.name} ({result.action})", fontsize=10)

    rel = s["release"]
    minutes = rel.index / 60.0
    ax_rel.plot(minutes, rel["outflow_kg_s"], color="tab:red", label="outflow")
    ax_rel.plot(minutes, rel["airborne_kg_s"], color="tab:purple", ls="--", label="airborne")
    ax_rel.set_ylabel("rate [kg/s]")
    ax_mass = ax_rel.twinx()
    ax_mass.plot(minutes, rel["released_kg"], color="0.3", lw=1, label="released (right)")
    ax_mass.set_ylabel("released [kg]")
    lines = ax_rel.get_lines() + ax_mass.get_lines()
    ax_rel.legend(lines, [ln.get_label() for ln in lines], fontsize=7, loc="upper right")
    ax_rel.set_title("Release", fontsize=9, loc="left")

    conc = s["concentration"] * MG_PER_KG
    lowest = min(s["levels"].values()) * MG_PER_KG if s["levels"] else 1.0
    for col in conc.columns:
        values = conc[col].dropna()
        positive = values.where(values > 0)  # a log axis: zero is a gap in the line
        ax_c.plot(values.index / 60.0, positive, lw=1, label=col)
    for k, (name, value) in enumerate(sorted(s["levels"].items(), key=lambda kv: kv[1])):
        ax_c.axhline(value * MG_PER_KG, color="purple", lw=0.8, ls=":", alpha=0.4 + 0.2 * k)
        ax_c.annotate(
            name,
            (1.0, value * MG_PER_KG),
            xycoords=("axes fraction", "data"),
            fontsize=7,
            color="purple",
            ha="right",
            va="bottom",
        )
    ax_c.set_yscale("log")
    top = max(
        np.nanmax(conc.to_numpy(), initial=0.0), max(s["levels"].values(), default=0) * MG_PER_KG
    )
    peaks = conc.max()
    shown = peaks[peaks > 0].min() / 10.0 if (peaks > 0).any() else lowest
    ax_c.set_ylim(max(min(lowest / 100.0, shown), lowest * SHOWN_FRACTION), top * 3.0)
    ax_c.set_ylabel("outdoor concentration [mg/m3]")
    if len(conc.columns):
        ax_c.legend(fontsize=7, loc="upper left", ncol=2)
    else:
        ax_c.text(0.5, 0.5, "no point, building or target reached", transform=ax_c.transAxes)
    ax_c.set_title("Concentration", fontsize=9, loc="left")

    ppl = s["people"]
    styles = {"evacuated": "tab:green", "sheltered": "tab:blue", "on_the_move": "tab:orange"}
    for col in ppl.columns:
        colour = styles.get(col)
        ax_p.plot(
            ppl.index / 60.0,
            ppl[col],
            color=colour,
            ls="-" if colour else "--",
            label=col.replace("_", " ") + (" now" if col.startswith("above") else ""),
        )
    ax_p.set_ylabel("persons")
    ax_p.set_xlabel("time from the start of the release scenario [min]")
    ax_p.legend(fontsize=7, loc="center right")
    ax_p.set_title("People", fontsize=9, loc="left")

    for label, t in s["markers"]:
        colour = MARKER_COLOURS.get(label, "0.5")
        for ax in (ax_rel, ax_c, ax_p):
            ax.axvline(t / 60.0, color=colour, lw=0.9, alpha=0.8)
    for ax in (ax_rel, ax_c, ax_p):
        ax.grid(alpha=0.3)
    if s["markers"]:
        # one legend below the panels: labels on the lines would overlap where the
        # markers fall close together (the first alarm and the first AL2 alarm often do)
        fig.legend(
            handles=[
                Line2D(
                    [],
                    [],
                    color=MARKER_COLOURS.get(label, "0.5"),
                    lw=1.2,
                    label=f"{label} at {fmt.duration(t)}",
                )
                for label, t in s["markers"]
            ],
            loc="lower center",
            ncol=min(len(s["markers"]), 3),
            fontsize=7,
            frameon=False,
        )
        fig.tight_layout(rect=(0.0, 0.02 + 0.025 * math.ceil(len(s["markers"]) / 3), 1.0, 1.0))
    else:
        fig.tight_layout()
    return fig
