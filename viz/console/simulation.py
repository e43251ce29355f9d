"""An engine run as the console shows it: the key figures of each protective action side by
side, and the people on the map every `FRAME_S`, each with where they are and the highest
level of concern they were exposed to over the run.
"""

import math

import numpy as np
from pyproj import Transformer

FRAME_S = 300.0
PLACES = ("indoors", "sheltering indoors", "on the way", "at a destination")
# Fill of a person by the highest level reached (none, then each level of concern, lowest
# first; the palette of the zones on the maps: yellow, orange, red).
DOSE_COLOURS = ((40, 120, 220), (255, 220, 0), (255, 140, 0), (215, 25, 28))


def _minutes(seconds) -> str:
    return "not reached" if not math.isfinite(seconds) else f"{seconds / 60:.0f} min"


def _count(v) -> str:
    return f"{v:,}"


def figure_rows(results: dict) -> list[list[str]]:
    """Rows (figure, then one value per action in the order of ``results``, an action ->
    ``scenarios.results.ScenarioResult`` mapping) of the figures an operator compares; a
    figure not computed shows why."""
    figures = {a: r.key_figures() for a, r in results.items()}
    missing = {a: r.not_computed for a, r in results.items()}
    first = next(iter(results.values()))
    rows = [
        ("people in the park", "persons", _count),
        ("sheltering indoors at the end", "sheltered", _count),
        ("at an assembly point or gate at the end", "arrived", _count),
        ("last arrival", "last_arrival_s", _minutes),
        ("longest queue (persons)", "longest_queue", _count),
    ]
    rows += [(f"people above {level}", f"above_{level}", _count) for level in first.levels]
    rows += [
        ("expected fatalities", "expected_fatalities", lambda v: f"{v:.2f}"),
        ("assembly points or gates closed", "destinations_closed", _count),
    ]
    if "offsite_persons" in figures[next(iter(figures))]:
        rows += [
            (f"people outside the park above {level}", f"offsite_above_{level}", _count)
            for level in first.levels
        ]
    out = []
    for label, key, shown in rows:
        cells = [label]
        for action, fig in figures.items():
            why = missing[action].get(key)
            cells.append(f"not computed: {why}" if why else shown(fig[key]))
        out.append(cells)
    return out


def people_frames(result, crs, frame_s: float = FRAME_S) -> dict:
    """The people of one run every ``frame_s`` [s] and at its end, in EPSG:4326: ``t_s``
    (frame times), ``lon`` and ``lat`` (one list per frame, one value per person), ``place``
    (per frame and person, an index into `PLACES`), ``dose`` (per person: 0 below every level
    of concern, else 1 + the index of the highest level reached, among ``levels``)."""
    persons = result.persons
    end = float(result.timeline["time_s"].iloc[-1]) if len(result.timeline) else 0.0
    times = np.unique(np.append(np.arange(0.0, end, frame_s), end))
    to_wgs84 = Transformer.from_crs(crs, "EPSG:4326", always_xy=True)
    xs = np.empty((len(times), len(persons)))
    ys = np.empty_like(xs)
    for k, path in enumerate(result.trajectories):
        xs[:, k] = np.interp(times, path[:, 0], path[:, 1])
        ys[:, k] = np.interp(times, path[:, 0], path[:, 2])
    lon, lat = to_wgs84.transform(xs, ys)
    exit_s = persons["exit_s"].to_numpy(float)
    arrival_s = persons["arrival_s"].to_numpy(float)
    sheltered = (persons["status"] == "sheltered").to_numpy()
    warned = persons["warned_s"].to_numpy(float)
    place = np.zeros((len(times), len(persons)), np.int8)
    for i, t in enumerate(times):
        place[i, sheltered & (t >= warned)] = 1
        place[i, exit_s <= t] = 2
        place[i, arrival_s <= t] = 3
    dose = np.zeros(len(persons), np.int8)
    for k, level in enumerate(result.levels, start=1):
        dose[persons[f"above_{level}"].to_numpy(bool)] = k
    return {
        "t_s": times.tolist(),
        "lon": np.round(lon, 6).tolist(),
        "lat": np.round(lat, 6).tolist(),
        "place": place.tolist(),
        "dose": dose.tolist(),
        "levels": list(result.levels),
    }
