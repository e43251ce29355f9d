"""Build the large demo park: ``python -m geodata.demo.build_large [--enterprises N] [--seed S]
[--out FILE]`` writes a GeoPackage; ``parktwin ... large`` builds it on first use into the
cache folder (``cached_park``).

A fictional park at the scale of the parks this project serves, generated from a seed.

Published figures it is sized by (the park in the project's brief, as the design notes and
the issue "A park at real scale" quote it):

- 187 enterprises on the park's platform: ``ENTERPRISES = 190`` (the issue's round figure);
- ~2,900 workers living in dormitories inside the park: ``DORMITORY_NIGHT = 2900``;
- 136 key hazardous chemicals and 50 DCS indicators of major hazard installations: not
  reproduced. The park holds only the 14 chemicals of the demo park (the ones the property
  library and the tests cover); its instruments follow the demo's rules instead (below).

Targets from the issue, not measured data: ~1,000 vessels (``VESSELS_PER_ENTERPRISE``),
~60 km of pipelines (``PIPELINE_KM``), ~20,000 people by day, ~3,000 sensors.

Everything else is an assumption of this script, stated here and not data:

- the layout: a grid of 500 m x 400 m blocks between road centre lines, one enterprise or
  one shared-services block per block, plots standing 25 m back from the roads (the demo's
  inset); roads on every block edge, the perimeter roads on the boundary; every fourth
  road end on the boundary is a gate;
- each enterprise copies the sector and tank groups (chemical, vessel shape, size and
  storage conditions) of one of the demo park's nine tank-holding enterprises, drawn at
  random, with 1 to 6 vessels per group drawn so that the park averages
  ``VESSELS_PER_ENTERPRISE`` vessels; fills are drawn between 40 % and 85 %;
- each enterprise has the demo's office, control room and process unit, their day and night
  occupants the demo's (60/3, 8/6, 35/12) times a factor drawn between 0.6 and 1.2; one
  shared-services block per 50 enterprises holds two dormitories (the 2,900 night
  residents shared between them, scaled with the number of enterprises), a canteen, the
  management offices and a fire station, with the demo's occupancies;
- pipelines carry the three chemicals the demo park pipes (chlorine, ammonia, propylene),
  with the demo's diameters, pressures and flows, from a tank of that chemical to the
  process unit of an enterprise 400 m to 2.5 km away by road, along the pipe rack beside
  the roads, until their length reaches ``PIPELINE_KM`` (scaled with the park);
- instruments follow build.py: a level transmitter on every vessel, pressure and
  temperature on pressurised ones, two combustible or four toxic gas detectors around each
  dike (alarm levels of GB/T 50493-2019 as in build.py), a flow transmitter on each
  pipeline, a weather station on each management building;
- assembly points: one per eight blocks, at block corners, their capacity 1.5 times the
  day population over their number; sensitive targets outside the boundary: one per
  20 enterprises (at least four), copies of the demo's four targets in turn (their kinds
  and assumed populations), placed 600 m outside the boundary around it.

``ENTERPRISES`` is the size parameter: tests build a park of a dozen enterprises with the
same rules.
"""

import argparse
import hashlib
import math
import os
from pathlib import Path

import geopandas as gpd
import numpy as np
from pyproj import Transformer
from shapely.geometry import LineString, Point, box

from geodata.demo import build as demo

ENTERPRISES = 190
SEED = 20261130
DORMITORY_NIGHT = 2900
VESSELS_PER_ENTERPRISE = 1000 / 190
PIPELINE_KM = 60.0
BLOCK_W, BLOCK_H = 500.0, 400.0
INSET = demo.INSET
ENTERPRISES_PER_SHARED_BLOCK = 50
BLOCKS_PER_ASSEMBLY_POINT = 8
ENTERPRISES_PER_TARGET = 20
# the demo's pipelines: chemical -> (code, diameter mm, pressure kPa(g), temperature degC,
# flow kg/s)
PIPED = {
    "液氯": ("CL2", 50.0, 800.0, 20.0, 1.5),
    "液氨": ("NH3", 80.0, 1500.0, 20.0, 3.0),
    "丙烯": ("C3H6", 100.0, 1800.0, 20.0, 4.0),
}
# sector templates: the demo's enterprises that hold tanks
SECTORS = [(e[2], e[4]) for e in demo.ENTERPRISES if e[4]]
_DEMO_DAY_NIGHT = {"OF": (60, 3), "CR": (8, 6), "WS": (35, 12)}


def _grid(enterprises: int) -> tuple[int, int, int]:
    """(columns, rows, shared blocks) of the block grid."""
    shared = math.ceil(enterprises / ENTERPRISES_PER_SHARED_BLOCK)
    blocks = enterprises + shared
    cols = math.ceil(math.sqrt(blocks * 1.6))
    return cols, math.ceil(blocks / cols), shared


def _plot(col, row):
    x0, y0 = col * BLOCK_W, row * BLOCK_H
    return x0 + INSET, x0 + BLOCK_W - INSET, y0 + INSET, y0 + BLOCK_H - INSET


def _group_counts(rng, n_groups: int) -> list[int]:
    """Vessels per group, 1 to 6, drawn around the target mean per enterprise."""
    share = VESSELS_PER_ENTERPRISE / n_groups
    return [int(np.clip(rng.poisson(share), 1, 6)) for _ in range(n_groups)]


def _enterprise(rng, eid, plot):
    """Tanks (with their dike groups) and buildings of one enterprise."""
    x0, x1, y0, y1 = plot
    sector, groups = SECTORS[rng.integers(len(SECTORS))]
    counts = _group_counts(rng, len(groups))
    tanks, dikes, y = [], [], y0 + 20.0
    for (prefix, chem, shape, d, length, _, props, _), count in zip(groups, counts, strict=True):
        w, h = demo._footprint(shape, d, length)
        gap = max(0.5 * d, 6.0)
        margin = max(5.0, 0.5 * d)
        x = x0 + 20.0 + margin
        members = []
        for k in range(count):
            volume = math.pi * d**3 / 6 if shape == "sphere" else math.pi * d * d / 4 * length
            members.append(
                dict(
                    id=f"{eid}-{prefix}-{k + 101}",
                    enterprise=eid,
                    chemical=chem,
                    shape=shape,
                    diameter_m=d,
                    length_m=length,
                    capacity_m3=float(round(volume / 10.0) * 10.0),
                    fill_pct=float(rng.integers(40, 86)),
                    **props,
                    geometry=Point(x + w / 2, y + margin + h / 2),
                )
            )
            x += w + gap
        dike = box(x0 + 20.0, y, x - gap + margin, y + h + 2 * margin)
        shells = sum(
            w * h if shape == "horizontal_cylinder" else math.pi * d * d / 4 for _ in members
        )
        for t in members:
            t["dike_area_m2"] = round(dike.area - shells)
        tanks += members
        dikes.append((f"{eid}{prefix}", chem, dike, members))
        y += h + 2 * margin + 30.0
    if y > y1:
        raise AssertionError(f"{eid}: tank rows overflow the plot")
    factor = rng.uniform(0.6, 1.2, 3)
    ym = (y0 + y1) / 2
    buildings = [
        (f"B-{eid}-OF", f"{eid} office", "office", eid, x1 - 45, y1 - 25, 60, 20, "OF", 3),
        (
            f"B-{eid}-CR",
            f"{eid} control room",
            "control_room",
            eid,
            x1 - 115,
            y1 - 25,
            24,
            14,
            "CR",
            1,
        ),
        (f"B-{eid}-WS", f"{eid} process unit", "workshop", eid, x1 - 80, ym - 30, 110, 50, "WS", 2),
    ]
    rows = []
    for (i, n, u, e, cx, cy, w, h, key, s), f in zip(buildings, factor, strict=True):
        day, night = _DEMO_DAY_NIGHT[key]
        rows.append((i, n, u, e, cx, cy, w, h, round(day * f), round(night * f), s))
    return dict(id=eid, name=f"Enterprise {eid[1:]}", sector=sector), tanks, dikes, rows


def _shared(k, plot, dorm_night):
    """Buildings of shared-services block k: the demo's shared buildings' uses and sizes."""
    x0, x1, y0, y1 = plot
    xm, ym = (x0 + x1) / 2, (y0 + y1) / 2
    s = f"S{k + 1}"
    return [
        (
            f"B-{s}-DORM-1",
            f"Dormitory {s}-1",
            "dormitory",
            None,
            xm - 100,
            y1 - 40,
            120,
            40,
            180,
            dorm_night // 2,
            6,
        ),
        (
            f"B-{s}-DORM-2",
            f"Dormitory {s}-2",
            "dormitory",
            None,
            xm + 100,
            y1 - 40,
            120,
            40,
            160,
            dorm_night - dorm_night // 2,
            6,
        ),
        (f"B-{s}-CANTEEN", f"Canteen {s}", "canteen", None, xm, ym, 50, 30, 220, 6, 2),
        (
            f"B-{s}-ADMIN",
            f"Management offices {s}",
            "office",
            None,
            xm - 120,
            y0 + 40,
            60,
            25,
            120,
            4,
            5,
        ),
        (
            f"B-{s}-FIRE",
            f"Fire station {s}",
            "fire_station",
            None,
            xm + 120,
            y0 + 40,
            50,
            30,
            30,
            24,
            2,
        ),
    ]


def _pipelines(rng, tanks, workshops, target_m):
    """Pipelines from piped-chemical tanks to process units elsewhere, along the racks."""
    sources = [t for t in tanks if t["chemical"] in PIPED]
    rows, total, tries = [], 0.0, 0
    while sources and total < target_m and tries < 100 * max(1, len(sources)):
        tries += 1
        t = sources[rng.integers(len(sources))]
        ws = workshops[rng.integers(len(workshops))]
        if ws["enterprise"] == t["enterprise"]:
            continue
        tx, ty = t["geometry"].x, t["geometry"].y
        dx, dy = ws["geometry"].centroid.x, ws["geometry"].bounds[1]
        ys = math.floor(ty / BLOCK_H) * BLOCK_H + 10.0 + 2.0 * (len(rows) % 5)
        yd = math.floor(dy / BLOCK_H) * BLOCK_H + 10.0 + 2.0 * (len(rows) % 5)
        xc = math.floor(dx / BLOCK_W) * BLOCK_W + 10.0 + 2.0 * (len(rows) % 5)
        geom = LineString([(tx, ty), (tx, ys), (xc, ys), (xc, yd), (dx, yd), (dx, dy)])
        if not 400.0 <= geom.length <= 2500.0:
            continue
        code, dn, p, temp, flow = PIPED[t["chemical"]]
        length = round(geom.length)
        rows.append(
            dict(
                id=f"P-{code}-{len(rows) + 1:03d}",
                chemical=t["chemical"],
                diameter_mm=dn,
                pressure_kpag=p,
                temperature_c=temp,
                valves_m=f"0;{length // 2};{length}",
                from_asset=t["id"],
                to_asset=ws["id"],
                flow_kg_s=flow,
                geometry=geom,
            )
        )
        total += geom.length
    return rows


def _sensors(tanks, dikes, pipelines, admins):
    """build.py's instrument rules (see the module docstring)."""
    rows = []
    for t in tanks:
        p = t["geometry"]
        height = t["length_m"] if t["shape"] == "vertical_cylinder" else t["diameter_m"]
        n = t["id"].replace("-", "")
        top = round(height * t["max_fill_pct"] / 100, 2)
        rows.append(
            _sensor(
                f"LT-{n}",
                "level",
                "m",
                p,
                0.0,
                height,
                height,
                t["id"],
                al=round(0.1 * height, 2),
                ah=top,
                ahh=round(min(height, top + 0.05 * height), 2),
            )
        )
        if t["storage"] != "atmospheric":
            dp = t["design_pressure_kpag"]
            rows.append(
                _sensor(
                    f"PT-{n}",
                    "pressure",
                    "kPa(g)",
                    p,
                    0.0,
                    1.5 * dp,
                    height,
                    t["id"],
                    ah=round(0.85 * dp),
                    ahh=round(0.95 * dp),
                )
            )
            rows.append(
                _sensor(
                    f"TT-{n}",
                    "temperature",
                    "degC",
                    p,
                    -40.0,
                    80.0,
                    1.0,
                    t["id"],
                    ah=40.0,
                    ahh=45.0,
                )
            )
    for prefix, chem, dike, members in dikes:
        x0, y0, x1, y1 = dike.bounds
        xm, ym = (x0 + x1) / 2, (y0 + y1) / 2
        if chem in demo._TOXIC:
            limit = demo._occupational_limit_ppm(chem)
            places = [(xm, y1 + 5), (xm, y0 - 5), (x0 - 5, ym), (x1 + 5, ym)]
            for k, xy in enumerate(places):
                rows.append(
                    _sensor(
                        f"AT-{prefix}{k + 1:02d}",
                        "gas_toxic",
                        "ppm",
                        Point(xy),
                        0.0,
                        20 * limit,
                        0.5,
                        members[0]["id"],
                        chem,
                        ah=limit,
                        ahh=2 * limit,
                    )
                )
        else:
            for k, xy in enumerate([(xm, y1 + 5), (xm, y0 - 5)]):
                rows.append(
                    _sensor(
                        f"AT-{prefix}{k + 1:02d}",
                        "gas_combustible",
                        "%LEL",
                        Point(xy),
                        0.0,
                        100.0,
                        0.5,
                        members[0]["id"],
                        chem,
                        ah=25.0,
                        ahh=50.0,
                    )
                )
    for p in pipelines:
        rows.append(
            _sensor(
                f"FT-{p['id'].replace('-', '')}",
                "flow",
                "kg/s",
                Point(p["geometry"].coords[0]),
                0.0,
                3 * p["flow_kg_s"],
                3.0,
                p["id"],
                al=0.2 * p["flow_kg_s"],
                ah=1.5 * p["flow_kg_s"],
            )
        )
    for k, b in enumerate(admins):
        c = b["geometry"].centroid
        for tag, kind, unit, lo, hi in [
            ("WS", "wind_speed", "m/s", 0.0, 60.0),
            ("WD", "wind_direction", "deg", 0.0, 360.0),
            ("TA", "air_temperature", "degC", -40.0, 60.0),
            ("SR", "solar_radiation", "W/m2", 0.0, 1500.0),
        ]:
            rows.append(_sensor(f"{tag}-{k + 1:02d}", kind, unit, c, lo, hi, 10.0, b["id"]))
    return rows


def _sensor(
    tag, kind, unit, point, lo, hi, height, asset=None, chemical=None, al=None, ah=None, ahh=None
):
    return dict(
        tag=tag,
        kind=kind,
        unit=unit,
        asset=asset,
        chemical=chemical,
        range_low=lo,
        range_high=hi,
        alarm_low=al,
        alarm_high=ah,
        alarm_highhigh=ahh,
        height_m=height,
        geometry=point,
    )


def _roads(cols, rows):
    width, height = cols * BLOCK_W, rows * BLOCK_H
    out = []
    for j in range(rows + 1):
        main = j == rows // 2
        out.append(
            dict(
                id=f"R-EW{j:02d}",
                name=f"Wei {j + 1} Road",
                lanes=4 if main else 2,
                speed_kmh=50.0 if main else 40.0,
                oneway=False,
                geometry=LineString([(0, j * BLOCK_H), (width, j * BLOCK_H)]),
            )
        )
    for i in range(cols + 1):
        main = i == cols // 2
        out.append(
            dict(
                id=f"R-NS{i:02d}",
                name=f"Jing {i + 1} Road",
                lanes=4 if main else 2,
                speed_kmh=50.0 if main else 40.0,
                oneway=False,
                geometry=LineString([(i * BLOCK_W, 0), (i * BLOCK_W, height)]),
            )
        )
    return out


def _gates(cols, rows):
    """Every fourth road end on the boundary (and at least one per side)."""
    width, height = cols * BLOCK_W, rows * BLOCK_H
    ends = [(f"W{j}", 0.0, j * BLOCK_H) for j in range(1, rows)]
    ends += [(f"E{j}", width, j * BLOCK_H) for j in range(1, rows)]
    ends += [(f"S{i}", i * BLOCK_W, 0.0) for i in range(1, cols)]
    ends += [(f"N{i}", i * BLOCK_W, height) for i in range(1, cols)]
    chosen, sides = [], set()
    for k, (name, x, y) in enumerate(ends):
        side = name[0]
        if k % 4 == 0 or side not in sides:
            chosen.append(
                dict(id=f"G-{name}", name=f"Gate {name}", width_m=8.0, geometry=Point(x, y))
            )
            sides.add(side)
    return chosen


def _targets(rng, n, width, height):
    """n copies of the demo's targets around the park, 600 m outside its boundary."""
    rows = []
    perimeter = 2 * (width + height)
    for k in range(n):
        i, name, kind, shape, day, night = demo.TARGETS[k % len(demo.TARGETS)]
        w, h = shape.bounds[2] - shape.bounds[0], shape.bounds[3] - shape.bounds[1]
        s = (k + rng.uniform(0.2, 0.8)) / n * perimeter
        if s < width:
            cx, cy = s, -600 - h / 2
        elif s < width + height:
            cx, cy = width + 600 + w / 2, s - width
        elif s < 2 * width + height:
            cx, cy = 2 * width + height - s, height + 600 + h / 2
        else:
            cx, cy = -600 - w / 2, perimeter - s
        rows.append(
            dict(
                id=f"{i}-{k + 1}",
                name=f"{name} {k + 1}",
                kind=kind,
                population_day=day,
                population_night=night,
                geometry=box(cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2),
            )
        )
    return rows


def layers(enterprises: int = ENTERPRISES, seed: int = SEED) -> dict[str, list[dict]]:
    """The park's layers as rows in local metres (origin at the south-west corner)."""
    if enterprises < 1:
        raise ValueError(f"expected at least 1 enterprise, got {enterprises}")
    rng = np.random.default_rng(seed)
    cols, nrows, shared = _grid(enterprises)
    blocks = [(c, r) for r in range(nrows) for c in range(cols)]
    # shared-services blocks spread evenly through the grid
    shared_at = {round((k + 0.5) * len(blocks) / shared) for k in range(shared)}
    firms, tanks, dikes, specs = [], [], [], []
    dorm_night = round(DORMITORY_NIGHT * enterprises / 187)
    n_shared = 0
    for b, (c, r) in enumerate(blocks[: enterprises + shared]):
        plot = _plot(c, r)
        x0, x1, y0, y1 = plot
        if n_shared < shared and (b in shared_at or len(firms) == enterprises):
            share = dorm_night // (shared - n_shared)
            specs += _shared(n_shared, plot, share)
            dorm_night -= share
            n_shared += 1
            continue
        eid = f"E{len(firms) + 1:03d}"
        firm, t, d, bspecs = _enterprise(rng, eid, plot)
        firms.append(dict(**firm, geometry=box(x0, y0, x1, y1)))
        tanks += t
        dikes += d
        specs += bspecs
    buildings = demo._building_rows(specs)
    workshops = [b for b in buildings if b["use"] == "workshop"]
    target_m = PIPELINE_KM * 1e3 * enterprises / ENTERPRISES
    pipelines = _pipelines(rng, tanks, workshops, target_m)
    admins = [b for b in buildings if b["id"].endswith("-ADMIN")]
    width, height = cols * BLOCK_W, nrows * BLOCK_H
    n_ap = max(1, math.ceil(len(blocks) / BLOCKS_PER_ASSEMBLY_POINT))
    day = sum(b["occupants_day"] for b in buildings)
    capacity = math.ceil(1.5 * day / n_ap)
    corners = [blocks[round(k * len(blocks) / n_ap)] for k in range(n_ap)]
    assembly = [
        dict(
            id=f"AP-{k + 1}",
            name=f"Assembly point {k + 1}",
            capacity=capacity,
            geometry=Point(c * BLOCK_W + 15, r * BLOCK_H + 15),
        )
        for k, (c, r) in enumerate(corners)
    ]
    return {
        "boundary": [
            dict(id="PARK", name="Large demo chemical park", geometry=box(0, 0, width, height))
        ],
        "enterprises": firms,
        "tanks": tanks,
        "pipelines": pipelines,
        "buildings": buildings,
        "roads": _roads(cols, nrows),
        "gates": _gates(cols, nrows),
        "assembly_points": assembly,
        "sensors": _sensors(tanks, dikes, pipelines, admins),
        "targets": _targets(rng, max(4, enterprises // ENTERPRISES_PER_TARGET), width, height),
    }


def build(out: Path, enterprises: int = ENTERPRISES, seed: int = SEED) -> Path:
    """Write the park as a GeoPackage (EPSG:4326, placed at the demo park's origin)."""
    to_utm = Transformer.from_crs("EPSG:4326", demo.UTM50N, always_xy=True)
    ox, oy = to_utm.transform(*demo.ORIGIN_LONLAT)
    out = Path(out)
    out.unlink(missing_ok=True)
    for name, rows in layers(enterprises, seed).items():
        frame = gpd.GeoDataFrame(rows, geometry="geometry", crs=demo.UTM50N)
        frame["geometry"] = frame.geometry.translate(ox, oy)
        frame.to_crs("EPSG:4326").to_file(out, layer=name, driver="GPKG", engine="pyogrio")
    return out


def cache_dir() -> Path:
    """``$PARKTWIN_CACHE``, else ``$XDG_CACHE_HOME/parktwin``, else ``~/.cache/parktwin``."""
    if os.environ.get("PARKTWIN_CACHE"):
        return Path(os.environ["PARKTWIN_CACHE"])
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "parktwin"


def cache_path(enterprises: int = ENTERPRISES, seed: int = SEED, folder: Path | None = None):
    """Where `cached_park` keeps the park: its name carries a digest of this script and
    build.py, so a changed generator builds a fresh file."""
    code = Path(demo.__file__).read_bytes() + Path(__file__).read_bytes()
    digest = hashlib.sha256(code + f"{enterprises}/{seed}".encode()).hexdigest()[:12]
    folder = Path(folder) if folder is not None else cache_dir()
    return folder / f"large_park_{enterprises}_{seed}_{digest}.gpkg"


def cached_park(
    enterprises: int = ENTERPRISES, seed: int = SEED, folder: Path | None = None
) -> Path:
    """The park's GeoPackage in the cache folder (`cache_path`), built if absent."""
    path = cache_path(enterprises, seed, folder)
    folder = path.parent
    if not path.exists():
        folder.mkdir(parents=True, exist_ok=True)
        part = path.with_suffix(f".{os.getpid()}.part.gpkg")
        build(part, enterprises, seed)
        part.replace(path)
    return path


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description="Write the large demo park as a GeoPackage.")
    parser.add_argument("--enterprises", type=int, default=ENTERPRISES)
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--out", type=Path, default=Path("large_park.gpkg"))
    args = parser.parse_args(argv)
    print(f"wrote {build(args.out, args.enterprises, args.seed)}")


if __name__ == "__main__":
    main()
