"""Build the bundled demo park: ``python -m geodata.demo.build`` writes demo_park.gpkg.

A fictional but realistic chemical park of 3 km x 2 km whose south-west corner lies near
119.885 E, 28.391 N: ten enterprises on a road grid, 31 storage tanks and pressure vessels,
four transfer pipelines on the pipe rack, offices, control rooms, workshops, two worker
dormitories with about 2,900 people at night, four gates, four assembly points, 112
instruments and four sensitive targets outside the boundary.

Everything is laid out in local metres (x east, y north, origin at the south-west corner)
and written in EPSG:4326. Vessel sizes follow common nominal capacities (vertical tanks of
1,000-5,000 m3, 1,000-2,000 m3 spheres, 50-100 m3 horizontal vessels); pressurised vessels
have design pressures above the vapour pressure at their design temperature (checked in
tests/test_demo_park.py). Gas detector alarm levels follow the rule of GB/T 50493-2019:
combustible first level 25 %LEL and second 50 %LEL; toxic first level at 100 % and second
at 200 % of the occupational limit, taken as the TLV-TWA the `chemicals` library holds.
"""

import math
from pathlib import Path

import geopandas as gpd
from pyproj import Transformer
from shapely.geometry import LineString, Point, Polygon, box

OUT = Path(__file__).parent / "demo_park.gpkg"
ORIGIN_LONLAT = (119.885, 28.391)
UTM50N = "EPSG:32650"
PARK_W, PARK_H = 3000.0, 2000.0
ROAD_X = (300.0, 1100.0, 1900.0, 2700.0)
ROAD_Y = (400.0, 1000.0, 1600.0)
INSET = 25.0  # enterprise plots stand back this far from road centre lines


def _pressurised(design_kpag: float, temperature_c: float = 20.0, max_fill_pct: float = 85.0):
    """A pressurised vessel's storage fields (design temperature 50 degC)."""
    return dict(
        storage="pressurised",
        design_pressure_kpag=design_kpag,
        design_temperature_c=50.0,
        temperature_c=temperature_c,
        max_fill_pct=max_fill_pct,
    )


ATMOSPHERIC = dict(
    storage="atmospheric",
    design_pressure_kpag=2.0,
    design_temperature_c=50.0,
    temperature_c=20.0,
    max_fill_pct=90.0,
)

# (id, name, sector, block (x0, x1, y0, y1) between road centre lines, tank groups)
# tank group: (prefix, chemical, shape, diameter_m, length_m, count, overrides, fills %)
ENTERPRISES = [
    (
        "E01",
        "Lianhe Chlor-Alkali",
        "chlor-alkali",
        (300, 1100, 400, 1000),
        [
            (
                "CL",
                "液氯",
                "horizontal_cylinder",
                2.6,
                9.5,
                4,
                _pressurised(1600.0, 20.0, 85.0),
                (78, 65, 42, 80),
            ),
        ],
    ),
    (
        "E02",
        "Jinhai Ammonia",
        "ammonia synthesis",
        (1100, 1900, 400, 1000),
        [
            (
                "NH",
                "液氨",
                "sphere",
                12.4,
                None,
                2,
                _pressurised(2160.0, 20.0, 85.0),
                (72, 58),
            ),
            (
                "NB",
                "液氨",
                "horizontal_cylinder",
                3.2,
                12.5,
                2,
                _pressurised(2160.0, 20.0, 85.0),
                (66, 80),
            ),
        ],
    ),
    (
        "E03",
        "Donggang LPG Terminal",
        "LPG storage",
        (1900, 2700, 400, 1000),
        [
            (
                "LP",
                "液化石油气",
                "sphere",
                15.7,
                None,
                3,
                _pressurised(1770.0, 20.0, 85.0),
                (81, 55, 70),
            ),
            (
                "PR",
                "丙烯",
                "sphere",
                12.4,
                None,
                2,
                _pressurised(2160.0, 20.0, 85.0),
                (62, 74),
            ),
        ],
    ),
    (
        "E04",
        "Xinyuan Methanol",
        "methanol",
        (300, 1100, 1000, 1600),
        [
            ("ME", "甲醇", "vertical_cylinder", 21.0, 15.8, 2, ATMOSPHERIC, (76, 48)),
            ("MF", "甲醇", "vertical_cylinder", 21.0, 15.8, 2, ATMOSPHERIC, (83, 61)),
        ],
    ),
    (
        "E05",
        "Huarui Aromatics",
        "aromatics",
        (1100, 1900, 1000, 1600),
        [
            ("BZ", "苯", "vertical_cylinder", 18.0, 12.5, 2, ATMOSPHERIC, (72, 55)),
            ("TL", "甲苯", "vertical_cylinder", 18.0, 12.5, 2, ATMOSPHERIC, (64, 79)),
            ("XY", "二甲苯", "vertical_cylinder", 15.0, 12.0, 1, ATMOSPHERIC, (58,)),
        ],
    ),
    (
        "E06",
        "Hengda Acrylonitrile",
        "acrylonitrile",
        (1900, 2700, 1000, 1600),
        [
            ("AN", "丙烯腈", "vertical_cylinder", 12.0, 10.0, 2, ATMOSPHERIC, (68, 74)),
        ],
    ),
    (
        "E07",
        "Baofeng Styrene",
        "styrene",
        (300, 1100, 0, 400),
        [
            ("ST", "苯乙烯", "vertical_cylinder", 15.0, 12.0, 2, ATMOSPHERIC, (70, 52)),
        ],
    ),
    (
        "E08",
        "Ruitai Ethylene Oxide",
        "ethylene oxide",
        (1100, 1900, 0, 400),
        [
            (
                "EO",
                "环氧乙烷",
                "horizontal_cylinder",
                3.2,
                12.5,
                2,
                _pressurised(600.0, 10.0, 80.0),
                (60, 71),
            ),
        ],
    ),
    (
        "E09",
        "Kangda Fine Chemicals",
        "fine chemicals",
        (1900, 2700, 0, 400),
        [
            ("AC", "丙酮", "vertical_cylinder", 12.0, 10.0, 2, ATMOSPHERIC, (66, 45)),
            ("EA", "乙酸乙酯", "vertical_cylinder", 12.0, 10.0, 1, ATMOSPHERIC, (73,)),
        ],
    ),
    ("E10", "Lüyuan Sulfur Recovery", "sulfur recovery", (2700, 3000, 1000, 1600), []),
]

# (id, name, use, enterprise, centre x, y, width, depth, day, night, storeys)
SHARED_BUILDINGS = [
    ("B-DORM-1", "Worker dormitory 1", "dormitory", None, 1300, 1790, 120, 40, 180, 1450, 6),
    ("B-DORM-2", "Worker dormitory 2", "dormitory", None, 1700, 1790, 120, 40, 160, 1450, 6),
    ("B-CANTEEN", "Park canteen", "canteen", None, 1500, 1700, 50, 30, 220, 6, 2),
    ("B-ADMIN", "Park management committee", "office", None, 700, 1800, 60, 25, 120, 4, 5),
    ("B-FIRE", "Park fire station", "fire_station", None, 150, 700, 50, 30, 30, 24, 2),
    ("B-LAB", "Park testing centre", "laboratory", None, 2300, 1800, 40, 25, 45, 2, 3),
    ("B-SUB", "110 kV substation", "substation", None, 150, 1800, 40, 30, 4, 2, 1),
    ("B-SRU-WS", "Sulfur recovery unit", "workshop", "E10", 2850, 1300, 80, 60, 20, 8, 1),
    (
        "B-SRU-CR",
        "Sulfur recovery control room",
        "control_room",
        "E10",
        2850,
        1500,
        24,
        14,
        5,
        4,
        1,
    ),
]
GATES = [
    ("G-W", "West gate", 0, 1000, 8.0),
    ("G-E", "East gate", 3000, 1000, 8.0),
    ("G-N", "North gate", 1100, 2000, 6.0),
    ("G-S", "South gate", 1900, 0, 6.0),
]
ASSEMBLY = [
    ("AP-1", "West square", 150, 1200, 2000),
    ("AP-2", "North green", 900, 1850, 1500),
    ("AP-3", "East car park", 2850, 800, 1000),
    ("AP-4", "South car park", 600, 200, 800),
]
TARGETS = [
    ("T-VIL", "Xiaxi village", "village", box(3450, 1150, 3800, 1450), 600, 1100),
    ("T-SCH", "Fengshan primary school", "school", box(1400, 2600, 1600, 2720), 900, 30),
    ("T-HOS", "District hospital", "hospital", box(-800, 250, -600, 400), 650, 420),
    ("T-RES", "Jiangbin new town", "residential", box(-900, 1300, -450, 1750), 2000, 4500),
]


def _plot(block):
    x0, x1, y0, y1 = block
    return (
        x0 + INSET if x0 > 0 else x0 + 10,
        x1 - INSET if x1 < PARK_W else x1 - 10,
        y0 + INSET if y0 > 0 else y0 + 10,
        y1 - INSET if y1 < PARK_H else y1 - 10,
    )


def _footprint(shape, d, length):
    return (d, length) if shape == "horizontal_cylinder" else (d, d)


def _tanks(eid, block):
    """Tank rows from the plot's south-west corner, one dike per group."""
    x0, _, y0, _ = _plot(block)
    spec = next(e for e in ENTERPRISES if e[0] == eid)[4]
    rows, y = [], y0 + 60.0
    groups = []
    for prefix, chem, shape, d, length, count, props, fills in spec:
        w, h = _footprint(shape, d, length)
        gap = max(0.5 * d, 6.0)
        x = x0 + 110.0
        centres = []
        for _ in range(count):
            cx, cy = x + w / 2, y + h / 2
            centres.append((cx, cy))
            x += w + gap
        margin = max(5.0, 0.5 * d)  # dike wall stands this far from the shells
        dike = box(x0 + 110.0 - margin, y - margin, x - gap + margin, y + h + margin)
        tank_area = sum(
            w * h if shape == "horizontal_cylinder" else math.pi * d * d / 4 for _ in centres
        )
        for k, (cx, cy) in enumerate(centres):
            volume = math.pi * d**3 / 6 if shape == "sphere" else math.pi * d * d / 4 * length
            rows.append(
                dict(
                    id=f"{prefix}-{k + 101}",
                    enterprise=eid,
                    chemical=chem,
                    shape=shape,
                    diameter_m=d,
                    length_m=length,
                    capacity_m3=float(round(volume / 10.0) * 10.0),
                    fill_pct=float(fills[k]),
                    dike_area_m2=round(dike.area - tank_area),
                    **props,
                    geometry=Point(cx, cy),
                )
            )
        groups.append((prefix, chem, dike, [r for r in rows if r["id"].startswith(prefix)]))
        y += h + 60.0
    return rows, groups


def _enterprise_buildings(eid, block):
    _, x1, y0, y1 = _plot(block)
    ym = (y0 + y1) / 2
    name = next(e for e in ENTERPRISES if e[0] == eid)[1]
    return [
        (f"B-{eid}-OF", f"{name} office", "office", eid, x1 - 45, y1 - 25, 60, 20, 60, 3, 3),
        (
            f"B-{eid}-CR",
            f"{name} control room",
            "control_room",
            eid,
            x1 - 115,
            y1 - 25,
            24,
            14,
            8,
            6,
            1,
        ),
        (
            f"B-{eid}-WS",
            f"{name} process unit",
            "workshop",
            eid,
            x1 - 110,
            ym - 30,
            110,
            50,
            35,
            12,
            2,
        ),
    ]


def _building_rows(specs):
    return [
        dict(
            id=i,
            name=n,
            use=u,
            enterprise=e,
            occupants_day=dd,
            occupants_night=nn,
            storeys=s,
            geometry=box(cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2),
        )
        for i, n, u, e, cx, cy, w, h, dd, nn, s in specs
    ]


def _pipelines(tanks):
    at = {t["id"]: t["geometry"] for t in tanks}
    rack_s, rack_n = 975.0, 1025.0

    def route(*pts):
        return LineString(pts)

    lines = [
        (
            "P-CL2-01",
            "液氯",
            50.0,
            800.0,
            20.0,
            "CL-101",
            "B-E09-WS",
            1.5,
            route(
                at["CL-101"].coords[0],
                (at["CL-101"].x, rack_s),
                (2300, rack_s),
                (2300, 375),
                (2480, 375),
            ),
        ),
        (
            "P-NH3-01",
            "液氨",
            80.0,
            1500.0,
            20.0,
            "NH-101",
            "B-E06-WS",
            3.0,
            route(
                at["NH-101"].coords[0],
                (at["NH-101"].x, rack_s - 6),
                (2320, rack_s - 6),
                (2320, 1260),
                (2490, 1260),
            ),
        ),
        (
            "P-C3H6-01",
            "丙烯",
            100.0,
            1800.0,
            20.0,
            "PR-101",
            "B-E06-WS",
            4.0,
            route(
                at["PR-101"].coords[0],
                (at["PR-101"].x, rack_s - 12),
                (2340, rack_s - 12),
                (2340, 1250),
                (2490, 1250),
            ),
        ),
        (
            "P-H2S-01",
            "硫化氢",
            100.0,
            120.0,
            40.0,
            "B-E05-WS",
            "B-SRU-WS",
            0.8,
            route((1700, 1260), (1700, rack_n), (2850, rack_n), (2850, 1270)),
        ),
    ]
    rows = []
    for pid, chem, dn, p, t, a, b, flow, geom in lines:
        mid = round(geom.length / 2)
        rows.append(
            dict(
                id=pid,
                chemical=chem,
                diameter_mm=dn,
                pressure_kpag=p,
                temperature_c=t,
                valves_m=f"0;{mid};{round(geom.length)}",
                from_asset=a,
                to_asset=b,
                flow_kg_s=flow,
                geometry=geom,
            )
        )
    return rows


def _occupational_limit_ppm(chemical: str) -> float:
    import chemicals

    twa = chemicals.TWA(_CAS[chemical])
    return twa[0]


_CAS = {
    "液氯": "7782-50-5",
    "液氨": "7664-41-7",
    "环氧乙烷": "75-21-8",
    "丙烯腈": "107-13-1",
    "硫化氢": "7783-06-4",
}
_TOXIC = set(_CAS)


def _sensors(tanks, groups, pipelines):
    rows = []

    def add(
        tag, kind, unit, x, y, lo, hi, height, asset=None, chemical=None, al=None, ah=None, ahh=None
    ):
        rows.append(
            dict(
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
                geometry=Point(x, y),
            )
        )

    for t in tanks:
        p = t["geometry"]
        height = t["length_m"] if t["shape"] == "vertical_cylinder" else t["diameter_m"]
        n = t["id"].replace("-", "")
        top = round(height * t["max_fill_pct"] / 100, 2)
        add(
            f"LT-{n}",
            "level",
            "m",
            p.x,
            p.y,
            0.0,
            height,
            height,
            t["id"],
            al=round(0.1 * height, 2),
            ah=top,
            ahh=round(min(height, top + 0.05 * height), 2),
        )
        if t["storage"] != "atmospheric":
            dp = t["design_pressure_kpag"]
            add(
                f"PT-{n}",
                "pressure",
                "kPa(g)",
                p.x,
                p.y,
                0.0,
                1.5 * dp,
                height,
                t["id"],
                ah=round(0.85 * dp),
                ahh=round(0.95 * dp),
            )
            add(
                f"TT-{n}",
                "temperature",
                "degC",
                p.x,
                p.y,
                -40.0,
                80.0,
                1.0,
                t["id"],
                ah=40.0,
                ahh=45.0,
            )
    for prefix, chem, dike, members in groups:
        x0, y0, x1, y1 = dike.bounds
        xm, ym = (x0 + x1) / 2, (y0 + y1) / 2
        if chem in _TOXIC:
            limit = _occupational_limit_ppm(chem)
            places = [(xm, y1 + 5), (xm, y0 - 5), (x0 - 5, ym), (x1 + 5, ym)]
            for k, (x, y) in enumerate(places):
                add(
                    f"AT-{prefix}{k + 1:02d}",
                    "gas_toxic",
                    "ppm",
                    x,
                    y,
                    0.0,
                    20 * limit,
                    0.5,
                    members[0]["id"],
                    chem,
                    ah=limit,
                    ahh=2 * limit,
                )
        else:
            for k, (x, y) in enumerate([(xm, y1 + 5), (xm, y0 - 5)]):
                add(
                    f"AT-{prefix}{k + 1:02d}",
                    "gas_combustible",
                    "%LEL",
                    x,
                    y,
                    0.0,
                    100.0,
                    0.5,
                    members[0]["id"],
                    chem,
                    ah=25.0,
                    ahh=50.0,
                )
    limit = _occupational_limit_ppm("硫化氢")
    for k, (x, y) in enumerate([(1700, 1290), (2850, 1240), (2790, 1300)]):
        add(
            f"AT-HS{k + 1:02d}",
            "gas_toxic",
            "ppm",
            x,
            y,
            0.0,
            20 * limit,
            1.5,
            "P-H2S-01",
            "硫化氢",
            ah=limit,
            ahh=2 * limit,
        )
    for p in pipelines:
        x, y = p["geometry"].coords[0]
        add(
            f"FT-{p['id'].replace('-', '')}",
            "flow",
            "kg/s",
            x,
            y,
            0.0,
            3 * p["flow_kg_s"],
            3.0,
            p["id"],
            al=0.2 * p["flow_kg_s"],
            ah=1.5 * p["flow_kg_s"],
        )
    for tag, kind, unit, lo, hi in [
        ("WS-01", "wind_speed", "m/s", 0.0, 60.0),
        ("WD-01", "wind_direction", "deg", 0.0, 360.0),
        ("TA-01", "air_temperature", "degC", -40.0, 60.0),
        ("SR-01", "solar_radiation", "W/m2", 0.0, 1500.0),
    ]:
        add(tag, kind, unit, 700.0, 1800.0, lo, hi, 10.0, "B-ADMIN")
    return rows


def _roads():
    rows = []
    names = {400.0: "Binjiang Road", 1000.0: "Huagong Avenue", 1600.0: "Yuanqu Road"}
    for y in ROAD_Y:
        rows.append(
            dict(
                id=f"R-EW{int(y)}",
                name=names[y],
                lanes=4 if y == 1000 else 2,
                speed_kmh=50.0 if y == 1000 else 40.0,
                oneway=False,
                geometry=LineString([(0, y), (PARK_W, y)]),
            )
        )
    for x in ROAD_X:
        rows.append(
            dict(
                id=f"R-NS{int(x)}",
                name=f"Jing {ROAD_X.index(x) + 1} Road",
                lanes=4 if x == 1100 else 2,
                speed_kmh=50.0 if x == 1100 else 40.0,
                oneway=False,
                geometry=LineString([(x, 0), (x, PARK_H)]),
            )
        )
    return rows


def build(out: Path = OUT) -> Path:
    """Write the demo park GeoPackage and return its path."""
    enterprises, tanks, groups = [], [], []
    building_specs = list(SHARED_BUILDINGS)
    for eid, name, sector, block, _ in ENTERPRISES:
        x0, x1, y0, y1 = _plot(block)
        enterprises.append(dict(id=eid, name=name, sector=sector, geometry=box(x0, y0, x1, y1)))
        rows, g = _tanks(eid, block)
        tanks += rows
        groups += g
        if eid != "E10":
            building_specs += _enterprise_buildings(eid, block)
    buildings = _building_rows(building_specs)
    pipelines = _pipelines(tanks)
    layers = {
        "boundary": [
            dict(id="PARK", name="Demo chemical park", geometry=box(0, 0, PARK_W, PARK_H))
        ],
        "enterprises": enterprises,
        "tanks": tanks,
        "pipelines": pipelines,
        "buildings": buildings,
        "roads": _roads(),
        "gates": [dict(id=i, name=n, width_m=w, geometry=Point(x, y)) for i, n, x, y, w in GATES],
        "assembly_points": [
            dict(id=i, name=n, capacity=c, geometry=Point(x, y)) for i, n, x, y, c in ASSEMBLY
        ],
        "sensors": _sensors(tanks, groups, pipelines),
        "targets": [
            dict(id=i, name=n, kind=k, population_day=d, population_night=nn, geometry=g)
            for i, n, k, g, d, nn in TARGETS
        ],
    }
    to_utm = Transformer.from_crs("EPSG:4326", UTM50N, always_xy=True)
    ox, oy = to_utm.transform(*ORIGIN_LONLAT)
    out.unlink(missing_ok=True)
    for name, rows in layers.items():
        frame = gpd.GeoDataFrame(rows, geometry="geometry", crs=UTM50N)
        frame["geometry"] = frame.geometry.translate(ox, oy)
        frame.to_crs("EPSG:4326").to_file(out, layer=name, driver="GPKG", engine="pyogrio")
    return out


def _check_shapes():
    for block in (_plot(e[3]) for e in ENTERPRISES):
        assert block[0] < block[1] and block[2] < block[3]
    assert all(isinstance(t[3], Polygon) for t in TARGETS)


if __name__ == "__main__":
    _check_shapes()
    print(f"wrote {build()}")
