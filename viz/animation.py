"""The replay map of an engine run: one self-contained HTML page with a time slider.

The page is built like ``viz.deckmap.park_map`` (the deck.gl bundle of the pydeck package
inlined, no external script or style; a raster basemap that needs no token when online) and
adds what changes with time: the people moving (a deck.gl ``TripsLayer`` of their
trajectories, a dot at each person's current position, cars in their own colour), the
cloud (footprints per level of concern, one set per cloud frame of the result), the
sensors (ringed in the colour of the highest alarm they have raised so far), the events of
the run, and a clock with the people's statuses. A slider with play/pause drives every
layer's current time; the page opens at the time in its URL hash (``map.html#t=600``, in
seconds from the scenario start), so a screenshot can be taken at a chosen time.

viz sees the ``scenarios.results.ScenarioResult`` only (never the engine).
"""

import json
import math
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pydeck as pdk
import shapely
from matplotlib import colormaps
from pyproj import Transformer
from shapely.geometry import MultiPolygon, mapping

from geodata.crs import WGS84
from geodata.grids import contour_polygons
from geodata.park import Park
from viz import fmt
from viz.deckmap import (
    COLOURS,
    ESRI_WORLD_STREET_MAP,
    MAP_PADDING_PX,
    SENSOR_COLOURS,
    SENSOR_GROUPS,
    Basemap,
    _basemap,
    _geojson_layer,
    _legend,
    _park_layers,
    _script_safe,
    _swatch,
    _tooltip,
    fit_view,
    map_bounds,
    page_html,
)

PERSON_COLOURS = {"foot": (0, 90, 200), "car": (230, 120, 0)}
# The ring of a sensor once it has raised an alarm of this level (twin.alarms levels).
ALARM_COLOURS = {"AL1": (253, 174, 97), "AL2": (215, 25, 28)}
NO_ALARM_COLOUR = (255, 255, 255)
CLOUD_ALPHA = 140
TRAIL_S = 120.0  # seconds of path drawn behind each moving person
PLAY_SPEED = 60.0  # simulated seconds per second of playing
EVENTS_SHOWN = 6  # latest events listed in the events panel
STATUS_COLUMNS = ("in_building", "sheltered", "walking", "queued", "arrived", "held")
CLOSED_COLOUR = (215, 25, 28)  # assembly points, gates and roads the run closed
# plan kind -> the park layer its id belongs to
PLAN_LAYERS = {"assembly point": "assembly_points", "gate": "gates", "road": "roads"}


def scenario_map(
    park: Park,
    result,
    out_html,
    *,
    title: str | None = None,
    basemap: Basemap | None = ESRI_WORLD_STREET_MAP,
    size_px: tuple[int, int] = (1000, 800),
    person_colours: dict | None = None,
) -> Path:
    """Write the replay map of a run as one self-contained interactive HTML page.

    Parameters
    ----------
    park : geodata.Park
        The park the run was made in; its layers are drawn as in ``viz.deckmap``.
    result : scenarios.results.ScenarioResult
        The run: trajectories (metric CRS of the park), cloud frames, alarms, events and
        timeline.
    out_html : str or path
        Where to write the page.
    title : str, optional
        Shown at the top left and as the page title (default: the run's name and action).
    basemap : Basemap or None
        Raster tiles drawn under the park, with their attribution; None draws none.
    size_px : (int, int)
        Width and height of the map. [px]
    person_colours : dict, optional
        RGB (0-255) by travel mode ('foot', 'car'); default ``PERSON_COLOURS``.

    Returns
    -------
    Path
        The page written. Open it with ``#t=<seconds>`` to start at that time.
    """
    colours = PERSON_COLOURS | (person_colours or {})
    crs = result.crs if result.crs is not None else park.crs
    to_wgs84 = Transformer.from_crs(crs, WGS84, always_xy=True)
    trips = trips_wgs84(result, to_wgs84)
    for trip in trips:
        trip["colour"] = [*colours.get(trip.pop("mode"), colours["foot"]), 255]
    cloud = cloud_features(result, to_wgs84)
    sensors = sensor_features(park, result)
    layers = [_basemap(basemap.url)] if basemap else []
    for layer in _park_layers(park, None, {}):
        if layer.id == "sensors":
            continue
        layers.append(layer)
        if layer.id == "buildings":
            layers.append(_cloud_layer(cloud))
    if sensors["features"]:
        layers.append(_sensor_layer(sensors))
    outside = _offsite_layer(park, result)
    if outside is not None:
        layers.append(outside)
    closed = _closed_layer(park, result)
    if closed is not None:
        layers.append(closed)
    layers += _people_layers(trips)
    view = fit_view(map_bounds(park), size_px, MAP_PADDING_PX)
    deck = pdk.Deck(
        layers=layers,
        initial_view_state=pdk.ViewState(**view),
        views=[pdk.View("MapView", controller=True)],
        map_provider=None,
        map_style=None,
    )
    end_s = run_end_s(result)
    title = title or f"{result.name} ({result.action})"
    replay = _script_safe(
        json.dumps(
            {
                "end": end_s,
                "speed": PLAY_SPEED,
                "eventsShown": EVENTS_SHOWN,
                # paths and times are the trails layer's data; only the start is extra
                "starts": [t["start"] for t in trips],
                "events": [
                    [float(t), str(w)]
                    for t, w in zip(result.events["time_s"], result.events["what"], strict=True)
                ],
                "status": status_table(result),
                "alarmColours": {k: [*v, 255] for k, v in ALARM_COLOURS.items()},
                "noAlarm": [*NO_ALARM_COLOUR, 255],
            },
            separators=(",", ":"),
        )
    )
    page = page_html(
        title,
        size_px,
        _scenario_legend(park, result, basemap, colours, cloud),
        deck,
        style=_STYLE,
        panels=_PLAYER.replace("__END__", f"{end_s:.0f}"),
        script=_SCRIPT.replace("__REPLAY__", replay),
    )
    out = Path(out_html)
    out.write_text(page, encoding="utf-8")
    return out


def run_end_s(result) -> float:
    """Last time of the run [s]: its timeline's end or the last waypoint, if later."""
    ends = [float(result.timeline["time_s"].max())] if len(result.timeline) else [0.0]
    ends += [float(t[-1, 0]) for t in result.trajectories if len(t)]
    return max(ends)


def trips_wgs84(result, to_wgs84: Transformer) -> list[dict]:
    """One trip per person who moves: path [lon, lat] [degrees], timestamps [s], the time
    the person starts moving ('start' [s], the last waypoint at the starting point) and the
    travel mode. People who never leave their starting point are left out."""
    modes = (
        result.persons["mode"].to_numpy()
        if "mode" in result.persons
        else ["foot"] * len(result.trajectories)
    )
    trips = []
    for traj, mode in zip(result.trajectories, modes, strict=True):
        traj = np.asarray(traj, float).reshape(-1, 3)
        moved = np.flatnonzero(np.any(traj[:, 1:] != traj[0, 1:], axis=1))
        if not moved.size:
            continue
        lon, lat = to_wgs84.transform(traj[:, 1], traj[:, 2])
        trips.append(
            {
                "start": float(traj[moved[0] - 1, 0]),
                "path": np.round(np.column_stack([lon, lat]), 6).tolist(),
                "timestamps": np.round(traj[:, 0], 1).tolist(),
                "mode": str(mode),
            }
        )
    return trips


def cloud_levels(result) -> list[tuple[str, float, tuple[int, int, int, int]]]:
    """(level name, threshold [kg/m3], RGBA) per level of concern, lowest first; higher
    levels are darker."""
    levels = sorted(result.levels.items(), key=lambda kv: kv[1])
    shades = np.linspace(0.4, 0.9, len(levels)) if len(levels) > 1 else [0.7]
    return [
        (name, float(v), (*(int(255 * c) for c in colormaps["Purples"](s)[:3]), CLOUD_ALPHA))
        for (name, v), s in zip(levels, shades, strict=True)
    ]


def cloud_footprints(result) -> list[tuple[float, float, str, object]]:
    """(from [s], to [s], level, MultiPolygon in the park's CRS) per cloud frame and level
    reached. A frame holds until the next one; the last for one frame interval."""
    frames = result.cloud
    if not frames:
        return []
    times = [f[0] for f in frames]
    step = float(np.median(np.diff(times))) if len(times) > 1 else 60.0
    out = []
    for k, (t, x, y, c) in enumerate(frames):
        t1 = times[k + 1] if k + 1 < len(times) else t + step
        for name, value, _ in cloud_levels(result):
            shape = contour_polygons(x, y, c, value)
            if not shape.is_empty:
                out.append((float(t), float(t1), name, shape))
    return out


def cloud_zones(result, crs=None) -> gpd.GeoDataFrame:
    """Where the cloud reached each level at any cloud frame of the run, as zones with the
    columns of ``viz.deckmap.ZONE_COLUMNS`` (for ``park_figure``, ``park_map`` and exports).

    distance_m is the engine's farthest extent of the level over the run (timeline
    ``extent_<level>_m``); people are the persons whose peak reached the level.
    ``crs`` is the CRS of the result's coordinates (default ``result.crs``).
    """
    shapes = {}
    for _, _, name, shape in cloud_footprints(result):
        shapes.setdefault(name, []).append(shape)
    rows, geoms = [], []
    for name, value, _ in reversed(cloud_levels(result)):
        reach = shapely.union_all(shapes[name]) if name in shapes else MultiPolygon()
        extent = result.timeline.get(f"extent_{name}_m")
        rows.append(
            {
                "hazard": "toxic",
                "level": name,
                "threshold": f"{value * 1e6:.3g} mg/m3 ({name})",
                "distance_m": float(extent.max()) if extent is not None else math.nan,
                "area_m2": float(reach.area),
                "people": int(result.persons[f"above_{name}"].sum()),
            }
        )
        geoms.append(reach)
    return gpd.GeoDataFrame(rows, geometry=geoms, crs=crs if crs is not None else result.crs)


def cloud_features(result, to_wgs84: Transformer) -> dict:
    """The cloud footprints as a GeoJSON FeatureCollection in lon/lat, each feature with
    t0/t1 [s], level, fill/line colours and a tooltip."""
    colour = {name: rgba for name, _, rgba in cloud_levels(result)}
    threshold = dict(result.levels)
    features = []
    for t0, t1, name, shape in cloud_footprints(result):
        geom = shapely.transform(
            shape, lambda xy: np.round(np.column_stack(to_wgs84.transform(*xy.T)), 6)
        )
        features.append(
            {
                "type": "Feature",
                "geometry": mapping(geom),
                "properties": {
                    "t0": t0,
                    "t1": t1,
                    "fill": list(colour[name]),
                    "line": [*colour[name][:3], 255],
                    "tooltip": _tooltip(
                        f"cloud: {name}",
                        {
                            "threshold mg/m3": threshold[name] * 1e6,
                            "from s": t0,
                            "area m2": float(shape.area),
                        },
                    ),
                },
            }
        )
    return {"type": "FeatureCollection", "features": features}


def sensor_features(park: Park, result) -> dict:
    """The park's sensors as GeoJSON points, each with the alarms it raised ([time s,
    level], in order) for the page to ring it from the time of each."""
    sensors = park.to_wgs84("sensors")
    alarms = result.alarms.sort_values("time_s") if len(result.alarms) else result.alarms
    features = []
    for tag, row in sensors.iterrows():
        mine = alarms[alarms["tag"] == tag] if len(alarms) else alarms
        raised = [[float(t), str(lv)] for t, lv in zip(mine["time_s"], mine["level"], strict=True)]
        first = {}
        for t, lv in raised:
            first.setdefault(lv, t)
        group = SENSOR_GROUPS.get(row["kind"], "weather station")
        features.append(
            {
                "type": "Feature",
                "geometry": mapping(row.geometry),
                "properties": {
                    "alarms": raised,
                    "fill": [*SENSOR_COLOURS[group], 255],
                    "tooltip": _tooltip(
                        f"sensor {tag}",
                        {
                            "kind": row["kind"],
                            "gas": row.get("chemical"),
                            **{f"first {lv} at s": t for lv, t in first.items()},
                            "alarms raised": len(raised),
                        },
                    ),
                },
            }
        )
    return {"type": "FeatureCollection", "features": features}


def status_table(result) -> dict:
    """The people's statuses over time from the timeline: {'time_s': [...], status: [...]}."""
    tl = result.timeline
    table = {"time_s": tl["time_s"].tolist() if len(tl) else []}
    for col in STATUS_COLUMNS:
        if col in tl:
            table[col] = tl[col].astype(int).tolist()
    for name in result.levels:
        if f"offsite_above_{name}" in tl:
            table[f"outside the park above {name}"] = tl[f"offsite_above_{name}"].tolist()
    return table


def _offsite_layer(park: Park, result) -> pdk.Layer | None:
    """The targets outside the park with what the run did to their people (tooltip)."""
    off = result.offsite
    if not len(off):
        return None
    targets = park.to_wgs84("targets").loc[off.index]
    rows = []
    for _, row in off.iterrows():
        figures = {
            "people": f"{row['persons']:,}",
            "warned at": "not warned" if np.isnan(row["warned_s"]) else f"{row['warned_s']:.0f} s",
            "indoor peak": f"{row['indoor_peak_kg_m3'] * 1e6:.3g} mg/m3",
            "air changes": f"{row['air_changes_per_h']:.2f} /h",
        }
        figures |= {f"above {name}": f"{row[f'above_{name}']:,}" for name in result.levels}
        why = result.not_computed.get("offsite_expected_fatalities", "no value")
        deaths = row["expected_fatalities"]
        figures["expected fatalities"] = (
            fmt.number(deaths, 3) if math.isfinite(deaths) else fmt.not_computed(why)
        )
        rows.append(_tooltip(f"{row['name']} (outside the park)", figures))
    return _geojson_layer(
        "offsite",
        targets,
        {
            "fill": [[*COLOURS["target"], 40]] * len(targets),
            "line": [[*COLOURS["target"], 255]] * len(targets),
            "tooltip": rows,
        },
        get_line_width=3,
        point_radius_units="'pixels'",
        get_point_radius=10,
    )


def _closed_layer(park: Park, result) -> pdk.Layer | None:
    """The assembly points, gates and roads the run closed (``result.plan``), each with the
    times and reasons of its closures (tooltip)."""
    plan = result.plan
    if not len(plan):
        return None
    frames, tips = [], []
    for (kind, ident), rows in plan.groupby(["kind", "destination"], sort=False):
        layer = park.to_wgs84(PLAN_LAYERS[kind])
        if ident not in layer.index:
            continue
        frames.append(layer.loc[[ident], ["geometry"]])
        figures: dict[str, str] = {}
        for t, reason in zip(rows["time_s"], rows["reason"], strict=True):
            key = f"closed at {fmt.duration(t)}"
            figures[key] = f"{figures[key]}; {reason}" if key in figures else reason
        tips.append(_tooltip(f"{kind} {ident} (closed)", figures))
    if not frames:
        return None
    closed = gpd.GeoDataFrame(pd.concat(frames), crs=WGS84)
    return _geojson_layer(
        "closed",
        closed,
        {
            "fill": [[*CLOSED_COLOUR, 120]] * len(closed),
            "line": [[*CLOSED_COLOUR, 255]] * len(closed),
            "tooltip": tips,
        },
        get_line_width=4,
        point_radius_units="'pixels'",
        get_point_radius=9,
    )


def _cloud_layer(cloud: dict) -> pdk.Layer:
    return pdk.Layer(
        "GeoJsonLayer",
        id="cloud",
        data=cloud,
        pickable=True,
        get_fill_color="properties.fill",
        get_line_color="properties.line",
        line_width_units="'pixels'",
        get_line_width=1,
    )


def _sensor_layer(sensors: dict) -> pdk.Layer:
    # line colour, radius and width are set by the page for the current time
    return pdk.Layer(
        "GeoJsonLayer",
        id="sensors",
        data=sensors,
        pickable=True,
        get_fill_color="properties.fill",
        get_line_color="properties.line",
        line_width_units="'pixels'",
        get_line_width="properties.width",
        point_radius_units="'pixels'",
        get_point_radius="properties.radius",
    )


def _people_layers(trips: list[dict]) -> list[pdk.Layer]:
    data = [
        {"path": t["path"], "timestamps": t["timestamps"], "colour": t["colour"]} for t in trips
    ]
    return [
        pdk.Layer(
            "TripsLayer",
            id="trails",
            data=data,
            get_path="path",
            get_timestamps="timestamps",
            get_color="colour",
            width_units="'pixels'",
            get_width=2,
            width_min_pixels=2,
            cap_rounded=True,
            joint_rounded=True,
            fade_trail=True,  # deck.gl cuts the trail at trail_length only when fading
            trail_length=TRAIL_S,
            current_time=0,
        ),
        pdk.Layer(
            "ScatterplotLayer",
            id="people",
            data=[],
            get_position="position",
            get_fill_color="colour",
            radius_units="'pixels'",
            get_radius=4,
        ),
    ]


def _scenario_legend(park, result, basemap, colours, cloud) -> str:
    parts = ["<h4>People (dot: now; line: last minutes)</h4>"]
    modes = set(result.persons["mode"]) if "mode" in result.persons else {"foot"}
    labels = {"foot": "on foot", "car": "by car"}
    parts += [_swatch(colours[m], labels.get(m, m), "dot") for m in colours if m in modes]
    parts.append("<h4>Cloud (footprint now)</h4>")
    parts += [
        _swatch(rgba, f"{name}: {v * 1e6:.3g} mg/m3")
        for name, v, rgba in reversed(cloud_levels(result))
    ]
    if not cloud["features"]:
        parts.append('<div class="row">no level reached in the cloud frames</div>')
    if len(result.plan):
        parts.append("<h4>Closed by the run</h4>")
        parts.append(_swatch(CLOSED_COLOUR, "assembly point, gate or road (hover for why)"))
    parts.append("<h4>Sensor ring</h4>")
    parts.append(_swatch(NO_ALARM_COLOUR, "no alarm raised yet", "dot"))
    parts += [_swatch(c, f"{lv} raised", "dot") for lv, c in ALARM_COLOURS.items()]
    return "\n".join(parts) + "\n" + _legend(park, None, basemap, None)


_STYLE = """
#player { left: 10px; bottom: 10px; width: 560px; }
#player input[type=range] { width: 100%; }
#clock { font-weight: bold; font-size: 14px; }
#events { margin: 3px 0 0 0; padding-left: 16px; }
"""
_PLAYER = """
<div id="player" class="panel">
<button id="play" type="button">play</button>
<span id="clock">T+00:00</span> <span id="status"></span>
<input id="slider" type="range" min="0" max="__END__" step="any" value="0">
<ol id="events"></ol>
</div>
"""
# run after deckInstance is made; __REPLAY__ is the replay data (JSON)
_SCRIPT = """
const replay = __REPLAY__;
const baseLayers = deckInstance.props.layers;
const cloudAll = (baseLayers.find((l) => l.id === "cloud") || {props: {data: null}})
  .props.data;
const sensorAll = (baseLayers.find((l) => l.id === "sensors") || {props: {data: null}})
  .props.data;
const slider = document.getElementById("slider");
const playButton = document.getElementById("play");

// the last index i with sorted[i] <= t, or -1
function lastAtOrBefore(sorted, t) {
  let lo = 0, hi = sorted.length - 1, k = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid] <= t) { k = mid; lo = mid + 1; } else { hi = mid - 1; }
  }
  return k;
}

const trips = (baseLayers.find((l) => l.id === "trails") || {props: {data: []}}).props.data;

// where each moving person is at time t: linear between waypoints
function heads(t) {
  const out = [];
  for (let i = 0; i < trips.length; i++) {
    const trip = trips[i];
    const ts = trip.timestamps;
    if (t < replay.starts[i] || t > ts[ts.length - 1]) { continue; }
    const k = Math.max(lastAtOrBefore(ts, t), 0);
    const k1 = Math.min(k + 1, ts.length - 1);
    const f = ts[k1] > ts[k] ? (t - ts[k]) / (ts[k1] - ts[k]) : 0;
    const a = trip.path[k], b = trip.path[k1];
    out.push({position: [a[0] + f * (b[0] - a[0]), a[1] + f * (b[1] - a[1])],
      colour: trip.colour});
  }
  return out;
}

function sensorsAt(t) {
  const features = sensorAll.features.map((f) => {
    let level = null;
    for (const [ta, lv] of f.properties.alarms) {
      // alarm levels are named so that the higher sorts last (AL1, AL2)
      if (ta <= t && (level === null || lv > level)) { level = lv; }
    }
    const line = level === null ? replay.noAlarm : replay.alarmColours[level] || [215, 25, 28, 255];
    return {...f, properties: {...f.properties, line,
      radius: level === null ? 3 : 7, width: level === null ? 0.5 : 3}};
  });
  return {type: "FeatureCollection", features};
}

function clockText(t) {
  const s = Math.round(t);
  const mm = String(Math.floor(s / 60)).padStart(2, "0");
  return "T+" + mm + ":" + String(s % 60).padStart(2, "0");
}

function setTime(t) {
  t = Math.max(0, Math.min(replay.end, t));
  slider.value = t;
  const layers = baseLayers.map((l) => {
    if (l.id === "trails") { return l.clone({currentTime: t}); }
    if (l.id === "people") { return l.clone({data: heads(t)}); }
    if (l.id === "cloud") {
      return l.clone({data: {type: "FeatureCollection", features: cloudAll.features.filter(
        (f) => f.properties.t0 <= t && t < f.properties.t1)}});
    }
    if (l.id === "sensors") { return l.clone({data: sensorsAt(t)}); }
    return l;
  });
  deckInstance.setProps({layers});
  document.getElementById("clock").textContent = clockText(t);
  const st = replay.status;
  const k = lastAtOrBefore(st.time_s, t);
  document.getElementById("status").textContent = k < 0 ? "" : Object.keys(st)
    .filter((c) => c !== "time_s" && st[c][k] > 0)
    .map((c) => c.replace("_", " ") + " " + st[c][k]).join(", ");
  const done = replay.events.filter((e) => e[0] <= t).slice(-replay.eventsShown);
  const list = document.getElementById("events");
  list.replaceChildren(...done.map((e) => {
    const li = document.createElement("li");
    li.textContent = clockText(e[0]) + " " + e[1];
    return li;
  }));
}

function timeFromHash() {
  const m = /(?:^#|&)t=([0-9.]+)/.exec(window.location.hash);
  return m ? parseFloat(m[1]) : 0;
}

let playing = null;
function step(previous) {
  return (now) => {
    if (playing === null) { return; }
    const t = parseFloat(slider.value) + (now - previous) / 1000 * replay.speed;
    setTime(t);
    if (t >= replay.end) { stop(); return; }
    playing = requestAnimationFrame(step(now));
  };
}
function stop() {
  if (playing !== null) { cancelAnimationFrame(playing); }
  playing = null;
  playButton.textContent = "play";
  history.replaceState(null, "", "#t=" + Math.round(slider.value));
}
playButton.addEventListener("click", () => {
  if (playing !== null) { stop(); return; }
  if (parseFloat(slider.value) >= replay.end) { setTime(0); }
  playButton.textContent = "pause";
  playing = requestAnimationFrame(step(performance.now()));
});
slider.addEventListener("input", () => {
  setTime(parseFloat(slider.value));
  history.replaceState(null, "", "#t=" + Math.round(slider.value));
});
window.addEventListener("hashchange", () => setTime(timeFromHash()));
setTime(timeFromHash());
"""
